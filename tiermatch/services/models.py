"""What a run scores with, one rule for every door: learned from the history where it ranks better, else the prior.

A run with history learns its scorer from it (:class:`~tiermatch.matcher.model.LearnFromHistory`): everyone's
model against the prior on held-out buyers, each buyer's own preferences against everyone's model on each buyer's
latest outcomes, and uses the best that passes. A run over the store keeps what it learned there (adopted or not,
with its figures and the fingerprint of the history it learned from); the next run over the same history reuses
it rather than learning it again, and ``tiermatch retrain`` learns one without a run.
"""

from __future__ import annotations

import hashlib
import math

from ..errors import InsufficientHistoryError
from ..features.profiles import Partnership
from ..features.vectorize import ProfileVectorizer
from ..matcher import CANDIDATES_PER_BUYER, LearnedScorer, TrainingReport, fit_shared
from ..matcher.model import SCORERS, LearnFromHistory, learn_from_history
from ..settings import get_settings
from ..store import Store
from .encoders import text_encoder
from .outcomes import outcome_propensities

__all__ = ["SCORER_CHOICES", "describe_scoring", "history_fingerprint", "in_use_model", "json_safe", "keep_model", "retrain",
           "scorer_for"]

# What a run may be asked to score with: "auto" decides by the held-out figures; the others force one.
SCORER_CHOICES = ("auto", *SCORERS)


def json_safe(value):
    """Metrics for JSON: NaN (nothing to measure on) as None: JSON has no NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def history_fingerprint(history: list[Partnership]) -> str:
    """A hash of the history's rows (in any order): a model learned from it is reused only on the same rows.

    Examples
    --------
    >>> a = Partnership(supplier_id="S1", buyer_id="B1", outcome="deal")
    >>> b = Partnership(supplier_id="S2", buyer_id="B1", outcome="rejected")
    >>> history_fingerprint([a, b]) == history_fingerprint([b, a]) != history_fingerprint([a])
    True
    """
    rows = sorted(f"{p.supplier_id}\t{p.buyer_id}\t{p.outcome}\t{p.date or ''}" for p in history)
    return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()[:32]


def _load(record: dict) -> LearnedScorer | None:
    try:
        return LearnedScorer.from_bytes(record["blob"])
    except ValueError:  # a model of other features (an older version) cannot score
        return None


def scorer_for(register, scorer: str = "auto") -> tuple[object | None, dict | None]:
    """What a run over ``register`` scores with: ``(engine model, note)``.

    ``"prior"``, or no history: the prior. ``"auto"`` over the store, where the
    newest stored model was learned from this very history: its decision
    (the model, or the prior) without learning again. Otherwise the run learns
    from its history (``"global"`` and ``"personal"`` force that scorer); the
    note is then None: the run reports what it learned.
    """
    if scorer not in SCORER_CHOICES:
        from ..errors import InvalidInputError

        raise InvalidInputError(f"scorer must be one of {', '.join(SCORER_CHOICES)}, found {scorer!r}", "scorer")
    if scorer == "prior":
        return None, {"scorer": "prior", "reason": "the prior, as asked"}
    if not register.history:
        return None, {"scorer": "prior", "reason": "no history to learn from"}
    if scorer == "auto" and register.store is not None:
        record = register.store.models.latest()
        if record is not None and record["metrics"].get("history") == history_fingerprint(register.history):
            model = _load(record) if record["adopted"] else None
            if model is not None or not record["adopted"]:
                note = {"scorer": model.kind if model else "prior", "model_id": record["model_id"],
                        "version": record["version"], "reason": "learned from this same history before: "
                        + str(record["report"].get("reason", ""))}
                return model, note
    return LearnFromHistory(force=None if scorer == "auto" else scorer, propensity=_propensity(register.store)), None


def _propensity(store: Store | None) -> dict | None:
    """How likely each outcome in the store's log was to be seen (exploration), for training; None from files."""
    return None if store is None else outcome_propensities(store)


def keep_model(store: Store, report: TrainingReport, history: list[Partnership], *,
               text_space: str | None = None) -> dict:
    """Store a learned scorer with its figures, adopted where runs use it; returns its record (no bytes)."""
    metrics = json_safe({**report.model.metrics, "n_rows": report.n_rows, "n_buyers": report.n_buyers,
                         "history": history_fingerprint(history)})
    folds = [json_safe({"test_buyers": len(f.test_buyers), "n_train": f.n_train, "n_test": f.n_test,
                        "prior_metric": f.prior_metric, "model_metric": f.model_metric}) for f in report.folds]
    return store.models.add(
        report.version, report.model.to_bytes(), adopted=report.adopted, metrics=metrics,
        report={"reason": report.reason, "scorer": report.scorer, "folds": folds,
                "held_out": json_safe(report.summary()["held_out"]), "skipped": list(report.skipped[:100]),
                "n_skipped": len(report.skipped), **({"text_space": text_space} if text_space else {})},
    )


def retrain(store: Store) -> tuple[TrainingReport, dict, dict | None]:
    """Learn a scorer from the stored register and history as a run would, store it, and return what changed.

    Features are read in the text space the latest completed run kept (its words, concepts, links and letters,
    not fitted again: new feedback changes the outcomes learned from, not how texts read); a store with no such
    run fits one, and the stored report's ``text_space`` says which.

    Returns
    -------
    report : TrainingReport
    stored : dict
        The new ``models`` record (without its bytes).
    previous : dict or None
        The model runs used before (with bytes), None for the prior.

    Raises
    ------
    InsufficientHistoryError
        If the stored history cannot train or judge a model.
    """
    from .register import load_register
    from .vocabulary import site_vocabulary

    previous = store.models.in_use()
    register = load_register(store)
    if not (register.n_suppliers and register.buyers and register.history):
        raise InsufficientHistoryError(f"the store holds {register.n_suppliers} SMEs, {len(register.buyers)} buyers "
                                       f"and {len(register.history)} past proposals; import a register and its "
                                       "history first")
    encoder = text_encoder(store)
    kept = store.runs.text_space()
    fitted = None if kept is None else ProfileVectorizer.from_bytes(kept[1], encoder)
    shared, scan, _ = fit_shared(register.source, register.buyers, register.history, encoder=encoder,
                                 road_factor=get_settings().road_factor, vocabulary=site_vocabulary(), fitted=fitted)
    report = learn_from_history(shared, register.source, scan, register.history,
                                LearnFromHistory(propensity=_propensity(store)), pool=CANDIDATES_PER_BUYER)
    space = (f"the text space of run {kept[0]}, not fitted again" if kept is not None
             else "a text space fitted now: no completed run has kept one yet")
    return report, keep_model(store, report, register.history, text_space=space), previous


def describe_scoring(scoring: dict) -> str:
    """One line on what a run scored with and the held-out figures that decided it."""
    name = {"prior": "the prior", "global": "everyone's learned model",
            "personal": "each buyer's own learned preferences"}[scoring["scorer"]]
    held = scoring.get("held_out")
    if not held:
        return f"Scoring with {name} ({scoring.get('reason', '')})"
    figures = (f"held-out NDCG@10: prior {held['prior']}, everyone's model {held['global']} "
               f"(p = {held['p_value']}, {held['buyers']} buyers)")
    if held.get("personal") is not None:
        figures += (f"; each buyer's latest outcomes: prior {held.get('prior_latest')}, everyone's model "
                    f"{held['global_latest']}, own preferences {held['personal']} ({held['buyers_latest']} buyers)")
    return f"Scoring with {name}; {figures}"


def in_use_model(store: Store | None) -> LearnedScorer | None:
    """The stored model runs use (None: the prior), for work scored outside a run (cluster suggestions)."""
    record = None if store is None else store.models.in_use()
    return None if record is None else _load(record)
