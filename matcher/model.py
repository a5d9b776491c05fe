"""A scoring model that learns from outcomes, and replaces the prior only when it ranks better.

With partnership history (proposals that were ``accepted``, ``rejected`` or
came to a ``deal``), a scikit-learn classifier learns the chance that a
proposal is accepted from the pair features of :mod:`tiermatch.features.pairs`.
Cross-validation is grouped by buyer, so a buyer's rows never sit on both sides
of a fold; the out-of-fold predictions calibrate the model and decide whether
it beats the prior at ranking each held-out buyer's proposals.

The model sees pair features only, not the text vocabulary: retraining on new
feedback is one call to :func:`train_scoring_model` with the same prepared
:class:`~tiermatch.matcher.engine.MatchContext`.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import pickle
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import sklearn
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from ..errors import InsufficientHistoryError
from ..features.pairs import FEATURE_NAMES, TrackRecord
from ..features.profiles import Partnership
from .metrics import grouped_auc
from .scoring import score_prior

__all__ = [
    "DEAL_WEIGHT",
    "FoldReport",
    "InsufficientHistoryError",
    "LearnedScorer",
    "TrainingReport",
    "TrainingSet",
    "build_training_set",
    "train_scoring_model",
]

# A deal is the outcome the programme exists for; it weighs twice an acceptance that went no further.
DEAL_WEIGHT = 2.0
_FORMAT = "tiermatch.LearnedScorer/1"
_TRACK_COLUMN = FEATURE_NAMES.index("track_record")


@dataclass(frozen=True)
class TrainingSet:
    """One row per usable past proposal: its pair, features, label, weight, buyer and fold.

    ``rows`` are supplier positions and ``cols`` buyer positions of the context.
    """

    rows: np.ndarray  # (n_rows,) int64
    cols: np.ndarray  # (n_rows,) int64, also the CV group
    values: np.ndarray  # (n_rows, len(FEATURE_NAMES)) float32, track record without the pair's own outcomes
    # (cross-validation recomputes it per fold from the training folds' outcomes only)
    accepted: np.ndarray  # (n_rows,) bool: accepted or deal
    sample_weight: np.ndarray  # (n_rows,) float: deal_weight for deals, 1 otherwise
    fold: np.ndarray  # (n_rows,) int: each buyer's rows share one fold
    n_splits: int
    skipped: tuple[str, ...] = ()  # history rows that name an id the context does not hold, and why

    def __len__(self) -> int:
        return len(self.rows)


def _assign_folds(groups: np.ndarray, n_splits: int, random_state) -> np.ndarray:
    """Fold of each row; all rows of a group (buyer) share one fold, folds of about equal size."""
    fold = np.zeros(len(groups), dtype=np.int64)
    if n_splits < 2:
        return fold
    splitter = GroupKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    for f, (_, test) in enumerate(splitter.split(np.zeros((len(groups), 1)), groups=groups)):
        fold[test] = f
    return fold


def _leave_pair_out_track(rows, cols, accepted, n_suppliers: int, n_buyers: int, counted=None) -> np.ndarray:
    """Each row's supplier acceptance rate over the ``counted`` rows (default all) of *other* buyers."""
    # Leakage: the track record of the engine's context, built from the full
    # history, counts the very outcome a row is labelled with (a supplier
    # proposed once and accepted reads a high rate *because* of that row), so
    # a model would learn to read its own label. Each row's counts leave out
    # every proposal of the same pair, not just the row itself: a pair
    # proposed twice would otherwise read its other outcome, which may come
    # later. What remains is what the engine knows when it scores a new pair:
    # the supplier's outcomes with other buyers.
    counted = np.ones(len(rows), dtype=bool) if counted is None else counted
    hits = accepted.astype(float) * counted
    proposals = np.bincount(rows, weights=counted.astype(float), minlength=n_suppliers)
    accepted_count = np.bincount(rows, weights=hits, minlength=n_suppliers)
    _, pair_index = np.unique(rows * max(n_buyers, 1) + cols, return_inverse=True)
    pair_proposals = np.bincount(pair_index, weights=counted.astype(float))
    pair_accepted = np.bincount(pair_index, weights=hits)
    return TrackRecord(
        proposals=proposals[rows] - pair_proposals[pair_index],
        accepted=accepted_count[rows] - pair_accepted[pair_index],
    ).rate()


def build_training_set(
    context, history: Sequence[Partnership], *, deal_weight: float = DEAL_WEIGHT, n_splits: int = 5, random_state=0,
) -> TrainingSet:
    """Features, labels, weights and buyer-grouped folds of past proposals; no row's outcome enters its features.

    Parameters
    ----------
    context : MatchContext
        A prepared register; history ids are mapped to its positions
        (``context.suppliers.ids``, ``context.buyers.ids``).
    history : sequence of Partnership
        Past proposals. ``accepted`` and ``deal`` are positive, ``rejected`` negative.
    deal_weight : float
        Sample weight of a ``deal`` row; other rows weigh 1.
    n_splits : int
        Folds, reduced to the number of buyers; each buyer's rows lie in one.
    random_state : int, RandomState or None
        Seeds which buyers share a fold.

    Returns
    -------
    TrainingSet
        Rows in history order; rows naming an unknown supplier or buyer are
        listed in ``skipped``, not dropped silently. The ``track_record``
        column of a row counts only its supplier's proposals to other buyers.

    Examples
    --------
    >>> from tiermatch.features import Buyer, Partnership, Supplier
    >>> from tiermatch.matcher import prepare_context
    >>> s = [Supplier(supplier_id=f"S{i}", name="A", sector="automotive", products="metal parts",
    ...               province="Rayong") for i in range(2)]
    >>> b = [Buyer(buyer_id="B1", name="B", buyer_type="first_tier", sector="automotive",
    ...            needs="metal parts", province="Rayong")]
    >>> history = [Partnership(supplier_id="S0", buyer_id="B1", outcome="deal"),
    ...            Partnership(supplier_id="S1", buyer_id="B1", outcome="rejected"),
    ...            Partnership(supplier_id="S9", buyer_id="B1", outcome="accepted")]
    >>> rows = build_training_set(prepare_context(s, b, history), history)
    >>> rows.accepted.tolist(), rows.sample_weight.tolist(), rows.skipped
    ([True, False], [2.0, 1.0], ('S9 -> B1: supplier not in the register',))
    >>> rows.values[:, -1].tolist()  # each row's own outcome left out: the neutral 0.5 remains
    [0.5, 0.5]
    """
    if not deal_weight > 0:
        raise ValueError(f"Expected deal_weight > 0, got {deal_weight}")
    supplier_position = {sid: i for i, sid in enumerate(context.suppliers.ids)}
    buyer_position = {bid: j for j, bid in enumerate(context.buyers.ids)}
    rows, cols, outcomes, skipped = [], [], [], []
    for p in history:
        i, j = supplier_position.get(p.supplier_id), buyer_position.get(p.buyer_id)
        if i is None or j is None:
            missing = " and ".join(kind for kind, pos in (("supplier", i), ("buyer", j)) if pos is None)
            skipped.append(f"{p.supplier_id} -> {p.buyer_id}: {missing} not in the register")
            continue
        rows.append(i)
        cols.append(j)
        outcomes.append(p.outcome)
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    outcomes = np.asarray(outcomes, dtype=object)
    accepted = outcomes != "rejected"
    n_splits = max(1, min(int(n_splits), len(np.unique(cols))))
    fold = _assign_folds(cols, n_splits, random_state)
    values = context.pair_features(rows, cols).values.copy()
    values[:, _TRACK_COLUMN] = _leave_pair_out_track(rows, cols, accepted, len(context.suppliers),
                                                     len(context.buyers))
    weight = np.where(outcomes == "deal", float(deal_weight), 1.0)
    return TrainingSet(rows, cols, values, accepted, weight, fold, n_splits, tuple(skipped))


@dataclass(frozen=True, eq=False)
class LearnedScorer:
    """A fitted classifier and its calibration: ``score(values)`` is the chance a proposal is accepted.

    Plug it into the engine as ``MatchEngine(model=scorer)``. It is a fitted
    artefact, not a scikit-learn estimator (its ``score`` takes pair features,
    not ``(X, y)``); build one with :func:`train_scoring_model`.

    Attributes
    ----------
    estimator : fitted scikit-learn classifier
        Over pair features in ``feature_names`` order, trained with deal weights.
    calibrator : fitted LogisticRegression
        Maps the estimator's log-odds to a calibrated probability (Platt scaling
        on out-of-fold predictions).
    feature_names : tuple of str
    version : str
        Content hash of the fitted objects: the same fit gives the same version.
    trained_at : str
        ISO 8601 UTC time of training.
    n_rows : int
        Training rows.
    metrics : mapping
        Held-out figures from training (see :class:`TrainingReport`).
    """

    estimator: object
    calibrator: object
    feature_names: tuple[str, ...] = FEATURE_NAMES
    version: str = ""
    trained_at: str = ""
    n_rows: int = 0
    metrics: Mapping = field(default_factory=dict)

    def score(self, values) -> np.ndarray:
        """Calibrated probability that each pair's proposal is accepted.

        Parameters
        ----------
        values : array, shape (n_pairs, n_features)
            Pair features, columns in ``feature_names`` order; rows are pairs.

        Returns
        -------
        ndarray of float, shape (n_pairs,), in [0, 1]
        """
        values = np.asarray(values, dtype=np.float64)
        if values.ndim != 2 or values.shape[1] != len(self.feature_names):
            raise ValueError(f"Expected pair features of shape (n_pairs, {len(self.feature_names)}), "
                             f"got {values.shape}")
        if not len(values):
            return np.zeros(0)
        return self.calibrator.predict_proba(_log_odds(self.estimator, values))[:, 1]

    def to_bytes(self) -> bytes:
        """Serialise to bytes for a blob column.

        Pickle underneath: load only blobs you wrote (:meth:`from_bytes` runs
        code from them).
        """
        buffer = io.BytesIO()
        pickle.dump({
            "format": _FORMAT, "sklearn_version": sklearn.__version__, "estimator": self.estimator,
            "calibrator": self.calibrator, "feature_names": tuple(self.feature_names), "version": self.version,
            "trained_at": self.trained_at, "n_rows": self.n_rows, "metrics": dict(self.metrics),
        }, buffer, protocol=pickle.HIGHEST_PROTOCOL)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> LearnedScorer:
        """Load a scorer written by :meth:`to_bytes`.

        Raises
        ------
        ValueError
            If the blob is not a tiermatch scorer, or was trained on other
            features than this version's ``FEATURE_NAMES``.
        """
        try:
            state = pickle.loads(blob)
        except Exception as exc:
            raise ValueError(
                f"Expected a blob written by LearnedScorer.to_bytes, could not unpickle it: {exc}") from exc
        if not isinstance(state, dict) or state.get("format") != _FORMAT:
            raise ValueError(f"Expected a blob of format {_FORMAT!r}, got "
                             f"{state.get('format') if isinstance(state, dict) else type(state).__name__!r}")
        if tuple(state["feature_names"]) != FEATURE_NAMES:
            raise ValueError(f"Expected a model over features {FEATURE_NAMES}, got one over {state['feature_names']}; "
                             "retrain it")
        return cls(
            estimator=state["estimator"], calibrator=state["calibrator"], feature_names=tuple(state["feature_names"]),
            version=state["version"], trained_at=state["trained_at"], n_rows=state["n_rows"],
            metrics=MappingProxyType(dict(state["metrics"])),
        )


@dataclass(frozen=True)
class FoldReport:
    """One cross-validation fold: its held-out buyers and how each scorer ranked their proposals."""

    test_buyers: tuple[str, ...]
    n_train: int
    n_test: int
    prior_metric: float  # mean within-buyer AUC of the prior on the held-out rows; NaN if no buyer had both outcomes
    model_metric: float


@dataclass(frozen=True)
class TrainingReport:
    """What training produced and whether the model should replace the prior.

    ``prior_metric`` and ``model_metric`` are the mean within-buyer AUC of the
    out-of-fold predictions (the chance that, for one held-out buyer, an
    accepted proposal outranks a rejected one), over ``n_buyers_scored`` buyers
    with both outcomes. ``adopted`` is True only where the model leads and
    the lead is rare among reruns on outcomes shuffled within each buyer
    (``p_value <= alpha``).
    """

    model: LearnedScorer
    adopted: bool
    prior_metric: float
    model_metric: float
    improvement: float  # mean per-buyer lead of the model over the prior
    p_value: float  # share of within-buyer shuffles of outcomes that lead as much (counting the real run)
    n_rows: int
    n_buyers: int
    n_buyers_scored: int
    folds: tuple[FoldReport, ...]
    reason: str
    skipped: tuple[str, ...] = ()
    metric: str = "within-buyer AUC"

    @property
    def version(self) -> str:
        return self.model.version


def _log_odds(estimator, values: np.ndarray) -> np.ndarray:
    """The estimator's positive-class log-odds as one column, clipped away from infinity."""
    p = np.clip(estimator.predict_proba(values)[:, 1], 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p)).reshape(-1, 1)


def _default_estimator(random_state) -> LogisticRegression:
    """Logistic regression on the raw features (all in [0, 1]); Newton-Cholesky suits few features, many rows."""
    return LogisticRegression(C=1.0, solver="newton-cholesky", random_state=random_state)


def _fit(estimator, values, accepted, weight):
    """Clone and fit ``estimator``; a constant-rate stand-in where the rows hold one class."""
    if accepted.all() or not accepted.any():
        return _ConstantRate(float(np.average(accepted, weights=weight)))
    return clone(estimator).fit(values, accepted, sample_weight=weight)


class _ConstantRate:
    """Predicts one rate for every row (a fold whose training rows share one outcome)."""

    def __init__(self, rate: float):
        self.rate = rate

    def predict_proba(self, values):
        return np.column_stack([np.full(len(values), 1 - self.rate), np.full(len(values), self.rate)])


def _cross_validate(estimator, training: TrainingSet, accepted, weight, n_suppliers: int, n_buyers: int):
    """Out-of-fold log-odds of the model and scores of the prior, each fold seeing none of its own outcomes."""
    # Within cross-validation the track record is recomputed per fold from the
    # training folds' outcomes only. Leaving out each row's own pair is not
    # enough here: a training row's rate would count a held-out row's outcome,
    # and a flexible model (gradient boosting, measured on the demo) fitted on
    # such rows ranks held-out rows above chance even on shuffled outcomes.
    oof, prior = np.zeros(len(accepted)), np.zeros(len(accepted))
    values = training.values.copy()
    for f in range(training.n_splits):
        test = training.fold == f
        values[:, _TRACK_COLUMN] = _leave_pair_out_track(training.rows, training.cols, accepted, n_suppliers,
                                                         n_buyers, counted=~test)
        fitted = _fit(estimator, values[~test], accepted[~test], weight[~test])
        oof[test] = _log_odds(fitted, values[test]).ravel()
        prior[test] = score_prior(values[test])
    return oof, prior


def _permuted_within_buyer(cols: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices that shuffle rows among the rows of the same buyer."""
    by_buyer = np.argsort(cols, kind="stable")
    shuffled = np.lexsort((rng.random(len(cols)), cols))
    index = np.empty(len(cols), dtype=np.int64)
    index[by_buyer] = shuffled
    return index


def train_scoring_model(
    context,
    history: Sequence[Partnership],
    *,
    estimator=None,
    deal_weight: float = DEAL_WEIGHT,
    n_splits: int = 5,
    n_permutations: int = 19,
    alpha: float = 0.05,
    random_state=0,
) -> TrainingReport:
    """Learn the chance a proposal is accepted; judge it against the prior on held-out buyers.

    Steps: build training rows in which no row's outcome enters its own
    features (:func:`build_training_set`); predict every row out of fold, the
    folds grouped by buyer; compare the model and the prior at ranking each
    held-out buyer's proposals; test the model's lead against the leads it
    gets when outcomes are shuffled within each buyer; calibrate the
    out-of-fold log-odds (Platt scaling); refit on all rows.

    Parameters
    ----------
    context : MatchContext
        A prepared register (:func:`~tiermatch.matcher.prepare_context`); its text vectors
        are reused, nothing is refitted.
    history : sequence of Partnership
        Past proposals and their outcomes.
    estimator : scikit-learn classifier, optional
        Unfitted; its ``fit`` must take ``sample_weight``. Default: a logistic
        regression over the features.
    deal_weight : float
        Sample weight of ``deal`` outcomes while fitting (not while calibrating:
        the score stays the chance of acceptance).
    n_splits : int
        Folds grouped by buyer, reduced to the number of buyers.
    n_permutations : int
        Times the cross-validation is rerun on outcomes shuffled within each
        buyer, to learn how large a lead chance alone gives.
    alpha : float
        Adopt only where the model leads the prior and fewer than
        ``alpha * (n_permutations + 1) - 1`` shuffled runs lead by as much.
    random_state : int or None
        Seeds the folds, the shuffles and the estimator.

    Returns
    -------
    TrainingReport
        Holds ``model`` (a :class:`LearnedScorer`, usable as
        ``MatchEngine(model=report.model)`` when ``report.adopted``), both
        metrics, the fold details and the reason for the decision.

    Raises
    ------
    InsufficientHistoryError
        With fewer than two buyers, or fewer than two rows of either outcome.
    ValueError
        If ``n_permutations`` is too small for ``alpha`` ever to be reached.

    Notes
    -----
    Why shuffle: the out-of-fold lead of the model over the prior is noisier
    than a standard error over buyers suggests, because each fold's model is
    fitted on the other folds' outcomes (on pure-noise history a
    1.645-standard-error rule adopted about 9% of the time where 5% was
    meant). Rerunning the whole cross-validation on shuffled outcomes measures
    that noise directly.

    The history holds proposals only, so the model learns what was accepted
    among pairs someone thought worth proposing; the engine then applies it
    to all candidates. Adoption guards against the worst of this: the model
    must rank held-out buyers' proposals better than the prior.

    Examples
    --------
    >>> from tiermatch.features import Buyer, Partnership, Supplier
    >>> from tiermatch.matcher import prepare_context
    >>> rng = np.random.default_rng(0)
    >>> s = [Supplier(supplier_id=f"S{i}", name="A", sector="automotive", products="metal parts",
    ...               province="Rayong") for i in range(20)]
    >>> b = [Buyer(buyer_id=f"B{j}", name="B", buyer_type="first_tier", sector="automotive",
    ...            needs="metal parts", province="Rayong") for j in range(10)]
    >>> history = [Partnership(supplier_id=f"S{i}", buyer_id=f"B{j}", outcome=rng.choice(["accepted", "rejected"]))
    ...            for i in range(20) for j in range(10) if rng.random() < 0.3]
    >>> report = train_scoring_model(prepare_context(s, b, history), history)
    >>> report.adopted  # outcomes are coin flips: the prior stays
    False
    >>> p = report.model.score(np.full((1, len(FEATURE_NAMES)), 0.5))
    >>> bool(0 <= p[0] <= 1)
    True
    """
    if not 0 < alpha < 1 or 1 / (int(n_permutations) + 1) > alpha:
        raise ValueError(f"Expected 0 < alpha < 1 and n_permutations >= 1 / alpha - 1, got alpha = {alpha} and "
                         f"n_permutations = {n_permutations}")
    training = build_training_set(context, history, deal_weight=deal_weight, n_splits=n_splits,
                                  random_state=random_state)
    n_pos, n_neg = int(training.accepted.sum()), int((~training.accepted).sum())
    n_buyers = len(np.unique(training.cols))
    if training.n_splits < 2 or min(n_pos, n_neg) < 2:
        raise InsufficientHistoryError(
            f"Expected history with at least 2 buyers and 2 proposals of each outcome, got {len(training)} usable "
            f"rows ({n_pos} accepted or deal, {n_neg} rejected) over {n_buyers} buyers"
            + (f"; {len(training.skipped)} rows skipped, e.g. {training.skipped[0]}" if training.skipped else ""))
    if estimator is None:
        estimator = _default_estimator(random_state)
    values, accepted, weight, cols = training.values, training.accepted, training.sample_weight, training.cols

    n_suppliers, n_buyers_all = len(context.suppliers), len(context.buyers)
    oof, prior = _cross_validate(estimator, training, accepted, weight, n_suppliers, n_buyers_all)
    prior_metric, _, prior_per_buyer = grouped_auc(accepted, prior, cols)
    model_metric, _, model_per_buyer = grouped_auc(accepted, oof, cols)
    n_scored = len(model_per_buyer)
    improvement = float(np.mean(model_per_buyer - prior_per_buyer)) if n_scored else float("nan")

    buyer_ids = np.asarray(context.buyers.ids)
    folds = tuple(
        FoldReport(
            test_buyers=tuple(buyer_ids[np.unique(cols[test])].tolist()),
            n_train=int((~test).sum()), n_test=int(test.sum()),
            prior_metric=grouped_auc(accepted[test], prior[test], cols[test])[0],
            model_metric=grouped_auc(accepted[test], oof[test], cols[test])[0],
        )
        for test in (training.fold == f for f in range(training.n_splits))
    )

    if n_scored < 2:
        adopted, p_value = False, float("nan")
        reason = (f"only {n_scored} buyer(s) have both accepted and rejected proposals; "
                  "at least 2 are needed to compare the model with the prior")
    else:
        rng = np.random.default_rng(random_state)
        n_as_good = 0
        for _ in range(n_permutations):
            index = _permuted_within_buyer(cols, rng)
            shuffled = accepted[index]
            shuffled_oof, shuffled_prior = _cross_validate(estimator, training, shuffled, weight[index], n_suppliers,
                                                           n_buyers_all)
            lead = grouped_auc(shuffled, shuffled_oof, cols)[0] - grouped_auc(shuffled, shuffled_prior, cols)[0]
            n_as_good += lead >= improvement
        p_value = (1 + n_as_good) / (1 + n_permutations)
        adopted = bool(improvement > 0 and p_value <= alpha)
        verdict = "beats" if adopted else "does not clearly beat"
        reason = (f"model {verdict} the prior on held-out buyers: within-buyer AUC {model_metric:.3f} vs "
                  f"{prior_metric:.3f} over {n_scored} buyers (lead {improvement:+.3f}; {n_as_good} of "
                  f"{n_permutations} runs on outcomes shuffled within buyers lead as much, p = {p_value:.2f}; "
                  f"adoption needs p <= {alpha})")

    # Platt scaling on out-of-fold log-odds: a strictly increasing map, so it
    # leaves every ranking (and the AUC above) as it is and creates no ties,
    # unlike isotonic steps. Unweighted, so the score is the chance of
    # acceptance, not of a deal-weighted acceptance.
    calibrator = LogisticRegression(C=1e6, solver="newton-cholesky").fit(oof.reshape(-1, 1), accepted)
    final = _fit(estimator, values, accepted, weight)
    digest = hashlib.sha256(pickle.dumps((FEATURE_NAMES, final, calibrator), protocol=4)).hexdigest()
    metrics = {
        "metric": "within-buyer AUC", "prior_metric": prior_metric, "model_metric": model_metric,
        "improvement": improvement, "p_value": p_value, "n_buyers_scored": n_scored, "adopted": adopted,
    }
    model = LearnedScorer(
        estimator=final, calibrator=calibrator, feature_names=FEATURE_NAMES, version=digest[:16],
        trained_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        n_rows=len(training), metrics=MappingProxyType(metrics),
    )
    return TrainingReport(
        model=model, adopted=adopted, prior_metric=prior_metric, model_metric=model_metric,
        improvement=improvement, p_value=p_value, n_rows=len(training), n_buyers=n_buyers,
        n_buyers_scored=n_scored, folds=folds, reason=reason, skipped=training.skipped,
    )
