"""Learning a scoring model from the stored history, and loading the one runs score with."""

from __future__ import annotations

import math

from ..errors import InsufficientHistoryError
from ..matcher import LearnedScorer, TrainingReport, prepare_context, train_scoring_model
from ..store import Store

__all__ = ["json_safe", "load_scoring_model", "retrain"]


def json_safe(value):
    """Metrics for JSON: NaN (no buyer had both outcomes) as None: JSON has no NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def retrain(store: Store, **options) -> tuple[TrainingReport, dict, dict | None]:
    """Train a scoring model on the stored register and history, store it, and return what changed.

    Parameters
    ----------
    store : Store
    **options
        Passed to :func:`train_scoring_model` (``n_permutations``, ``random_state``...).

    Returns
    -------
    report : TrainingReport
    stored : dict
        The new ``models`` record (without its bytes).
    previous : dict or None
        The adopted model runs used before (with bytes), None for the prior.

    Raises
    ------
    InsufficientHistoryError
        If the stored history cannot train or judge a model.
    """
    previous = store.models.latest_adopted()
    suppliers, buyers, history = store.profiles.all("suppliers"), store.profiles.all("buyers"), store.history.all()
    if not (suppliers and buyers):
        raise InsufficientHistoryError(f"the store holds {len(suppliers)} SMEs, {len(buyers)} buyers and "
                                       f"{len(history)} past proposals; import a register and its history first")
    context = prepare_context(suppliers, buyers, history)
    report = train_scoring_model(context, history, **options)
    metrics = json_safe({**report.model.metrics, "n_rows": report.n_rows, "n_buyers": report.n_buyers})
    folds = [json_safe({"test_buyers": len(f.test_buyers), "n_train": f.n_train, "n_test": f.n_test,
                      "prior_metric": f.prior_metric, "model_metric": f.model_metric}) for f in report.folds]
    stored = store.models.add(
        report.version, report.model.to_bytes(), adopted=report.adopted, metrics=metrics,
        report={"reason": report.reason, "folds": folds, "skipped": list(report.skipped[:100]),
                "n_skipped": len(report.skipped)},
    )
    return report, stored, previous


def load_scoring_model(store: Store) -> tuple[object | None, dict]:
    """The latest adopted model (None for the prior) and a note on it for the run's summary."""
    record = store.models.latest_adopted()
    if record is None:
        return None, {"scorer": "prior"}
    try:
        model = LearnedScorer.from_bytes(record["blob"])
    except ValueError as exc:
        # A model of other features (an older version) cannot score: say so, score with the prior.
        return None, {"scorer": "prior", "model_id": record["model_id"], "version": record["version"],
                      "not_used": str(exc)}
    return model, {"scorer": "model", "model_id": record["model_id"], "version": record["version"]}
