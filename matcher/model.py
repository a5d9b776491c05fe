"""A scoring model that learns from every outcome, and is used where it ranks better than the prior.

What it learns from: every past proposal (``accepted`` and ``deal`` positive,
a deal weighing twice; ``rejected`` negative) and, for each buyer in the
history, SMEs a run would have shown it that nobody proposed (unlabeled: some
would have been good partners, most would not; they count as negatives with a
smaller weight). Without them a model learns only which of the proposals an
earlier matcher made were accepted, not which SMEs to put in a top ten.

What it is: a logistic regression over the pair features
(:mod:`tiermatch.features.pairs`), and, where buyers' own outcomes say more,
each buyer's own deviation from everyone's weights, shrunk toward zero (the
per-buyer copies of the features are scaled down, so that their coefficients
cost :data:`PERSONAL_SCALE` ``** -2`` times as much): a buyer with a few
outcomes keeps nearly everyone's weights, a buyer without any keeps them
exactly.

How it is judged, on outcomes it did not see:

- everyone's model against the prior on held-out buyers (folds grouped by
  buyer; a held-out buyer is a buyer without history: no taste of its own),
  NDCG@10 of each buyer's rows, its lead tested against the leads the same
  cross-validation gets on outcomes shuffled within each buyer;
- each buyer's own preferences against everyone's model and the prior on
  each buyer's latest outcomes (trained on the earlier ones), the 95%
  bootstrap intervals over buyers of both leads above zero.

The scorer used is the best that passes: per-buyer preferences, everyone's
model, else the prior. Scores are the chance that a proposal is accepted
(Platt scaling of out-of-fold log-odds on the labelled rows).
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
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from ..errors import InsufficientHistoryError
from ..features.pairs import FEATURE_NAMES
from ..features.profiles import Partnership
from ..features.taste import BuyerTaste
from .scoring import score_prior

__all__ = [
    "DEAL_WEIGHT",
    "LearnFromHistory",
    "SCORERS",
    "LearnedScorer",
    "TrainingReport",
    "TrainingSet",
    "build_training_set",
    "learn_from_history",
    "sample_unlabeled",
    "train_scoring_model",
]

# A deal is the outcome the programme exists for; it weighs twice an acceptance that went no further.
DEAL_WEIGHT = 2.0
# Per buyer in the history: SMEs a run would show it that nobody proposed, and how much each weighs.
UNLABELED_PER_BUYER = 20
UNLABELED_WEIGHT = 0.5
# An outcome seen only by exploration weighs the inverse of its chance to be seen, at most this (clipped, so
# that one lucky draw cannot dominate a fit).
MAX_INVERSE_PROPENSITY = 10.0
# Scale of the per-buyer feature copies: their coefficients cost 1 / 0.3 ** 2 (about 11) times as much.
PERSONAL_SCALE = 0.3
K = 10
SCORERS = ("prior", "global", "personal")
_FORMAT = "tiermatch.LearnedScorer/2"
_AFFINITY = FEATURE_NAMES.index("buyer_affinity")


@dataclass(frozen=True)
class LearnFromHistory:
    """A run's scorer, learned in the run from its own history (:func:`train_scoring_model`) and used where the
    held-out figures say so: ``MatchEngine(model=LearnFromHistory())``.

    ``sample``: SMEs besides those in the history that the unlabeled pairs are drawn among (evenly spread over
    the register); ``force``: use this scorer whatever the figures say (benchmarks); ``propensity``: how likely
    each pair's outcome was to be seen (:func:`build_training_set`).
    """

    sample: int = 20_000
    force: str | None = None
    random_state: int = 0
    propensity: Mapping[tuple[str, str], float] | None = None  # see build_training_set


@dataclass(frozen=True)
class TrainingSet:
    """One row per usable past proposal, then the unlabeled rows; rows are supplier and cols buyer positions.

    ``gain`` is 2 for a deal, 1 accepted, 0 rejected or unlabeled; ``own`` +1
    for a positive proposal, -1 rejected, 0 unlabeled; ``when`` orders each
    buyer's proposals in time (date, then history order); ``vectors`` are the
    SMEs' encoder vectors (None without an encoder), from which the
    ``buyer_affinity`` column is rebuilt whenever some outcomes are held out.
    """

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    gain: np.ndarray
    own: np.ndarray
    sample_weight: np.ndarray
    when: np.ndarray
    vectors: np.ndarray | None
    n_buyers: int
    buyer_ids: np.ndarray
    fit: np.ndarray  # rows learned from (every proposal, some unlabeled); the others only judge rankings
    skipped: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def labeled(self) -> np.ndarray:
        return self.own != 0

    @property
    def positive(self) -> np.ndarray:
        return self.own > 0

    def affinity(self, seen: np.ndarray) -> np.ndarray:
        """The ``buyer_affinity`` column as it reads when only the outcomes of rows ``seen`` are known."""
        if self.vectors is None:
            return self.values[:, _AFFINITY]
        known = seen & self.labeled
        taste = BuyerTaste.build(self.n_buyers, self.vectors[known], self.cols[known], self.own[known] > 0)
        return taste.affinity(self.vectors, self.cols, own=np.where(known, self.own, 0))

    def with_affinity(self, seen: np.ndarray) -> np.ndarray:
        values = self.values.copy()
        values[:, _AFFINITY] = self.affinity(seen)
        return values


def sample_unlabeled(context, history: Sequence[Partnership], *, per_buyer: int = UNLABELED_PER_BUYER,
                     pool: int = 100, by_meaning: int = 10, random_state=0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each buyer in ``history``, the SMEs a run would retrieve for it (``pool`` by similarity, ``by_meaning``
    by meaning; hard constraints passed, pairs that met left out): ``(rows, cols, fit)``, where ``fit`` marks
    ``per_buyer`` of each buyer's, drawn at random, to learn from; all of them judge a ranking, as a run's
    shortlist is drawn from all of them."""
    from ..features.candidates import build_candidates

    buyer_position = {bid: j for j, bid in enumerate(context.buyers.ids)}
    wanted = np.zeros(len(context.buyers), dtype=bool)
    wanted[[buyer_position[p.buyer_id] for p in history if p.buyer_id in buyer_position]] = True
    candidates = build_candidates(context.X_suppliers, context.X_buyers, context.suppliers, context.buyers,
                                  n_per_buyer=pool, n_per_supplier=0,
                                  exclude=context.past.met(context.suppliers.ids),
                                  meaning=context.meaning_channel(by_meaning))
    keep = wanted[candidates.cols]
    rows, cols = candidates.rows[keep], candidates.cols[keep]
    rng = np.random.default_rng(random_state)
    order = np.lexsort((rng.random(len(rows)), cols))
    rank = np.arange(len(order)) - np.searchsorted(cols[order], cols[order], side="left")
    fit = np.zeros(len(rows), dtype=bool)
    fit[order[rank < per_buyer]] = True
    return rows, cols, fit


def build_training_set(context, history: Sequence[Partnership], *, unlabeled=None, deal_weight: float = DEAL_WEIGHT,
                       unlabeled_weight: float = UNLABELED_WEIGHT,
                       propensity: Mapping[tuple[str, str], float] | None = None) -> TrainingSet:
    """Features, gains and weights of past proposals and of unlabeled pairs; no row's outcome enters its features.

    Parameters
    ----------
    context : MatchContext
        A prepared register; history ids are mapped to its positions.
    history : sequence of Partnership
    unlabeled : (rows, cols) or (rows, cols, fit), optional
        Pairs nobody proposed (:func:`sample_unlabeled`); ``fit`` marks those to learn from (all where
        absent), the others only judge rankings. None where None.
    deal_weight, unlabeled_weight : float
        Sample weights of a deal and of an unlabeled row (others weigh 1).
    propensity : mapping of (supplier_id, buyer_id) to float, optional
        The chance that each pair was on the shortlist page its outcome came from (the outcome log's); a pair's
        weight is multiplied by its inverse, at most :data:`MAX_INVERSE_PROPENSITY` (inverse propensity
        weighting: a pair shown only by exploration stands for the ones never shown).

    Returns
    -------
    TrainingSet
        History rows in history order, then the unlabeled ones; rows naming an
        unknown supplier or buyer are listed in ``skipped``, not dropped
        silently. A row's ``track_record`` counts only its SME's proposals to
        other buyers, and its ``buyer_affinity`` leaves its own outcome out.

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
    >>> rows = build_training_set(prepare_context(s, b, history, encoder=None), history)
    >>> rows.gain.tolist(), rows.sample_weight.tolist(), rows.skipped
    ([2.0, 0.0], [2.0, 1.0], ('S9 -> B1: supplier not in the register',))
    """
    if not deal_weight > 0 or not unlabeled_weight >= 0:
        raise ValueError(f"Expected deal_weight > 0 and unlabeled_weight >= 0, got {deal_weight} and {unlabeled_weight}")
    supplier_position = {sid: i for i, sid in enumerate(context.suppliers.ids)}
    buyer_position = {bid: j for j, bid in enumerate(context.buyers.ids)}
    rows, cols, outcomes, dates, skipped, inverse = [], [], [], [], [], []
    for p in history:
        i, j = supplier_position.get(p.supplier_id), buyer_position.get(p.buyer_id)
        if i is None or j is None:
            missing = " and ".join(kind for kind, pos in (("supplier", i), ("buyer", j)) if pos is None)
            skipped.append(f"{p.supplier_id} -> {p.buyer_id}: {missing} not in the register")
            continue
        rows.append(i)
        cols.append(j)
        outcomes.append(p.outcome)
        dates.append(p.date.toordinal() if p.date is not None else 0)
        seen = (propensity or {}).get((p.supplier_id, p.buyer_id))
        inverse.append(1.0 if not seen else min(1.0 / seen, MAX_INVERSE_PROPENSITY))
    n_labeled = len(rows)
    u_rows, u_cols, *u_fit = unlabeled if unlabeled is not None else (np.zeros(0, np.int64), np.zeros(0, np.int64))
    fit = np.concatenate([np.ones(n_labeled, bool), np.asarray(u_fit[0], bool) if u_fit else np.ones(len(u_rows), bool)])
    rows = np.concatenate([np.asarray(rows, dtype=np.int64), np.asarray(u_rows, dtype=np.int64)])
    cols = np.concatenate([np.asarray(cols, dtype=np.int64), np.asarray(u_cols, dtype=np.int64)])
    outcomes = np.asarray(outcomes + ["unlabeled"] * len(u_rows), dtype=object)
    own = np.select([outcomes == "rejected", outcomes == "unlabeled"], [-1, 0], 1).astype(np.int8)
    gain = np.select([outcomes == "deal", own > 0], [2.0, 1.0], 0.0)
    weight = np.select([outcomes == "deal", own == 0], [float(deal_weight), float(unlabeled_weight)], 1.0)
    weight[:n_labeled] *= np.asarray(inverse, dtype=float)
    # In time within each buyer: date (undated first), then history order; unlabeled rows have no time.
    when = np.full(len(rows), np.inf)
    when[:n_labeled] = np.asarray(dates, dtype=float) * 1e6 + np.arange(n_labeled)
    values = context.pair_features(rows, cols, own=own).values.copy()
    semantic = getattr(context, "semantic_suppliers", None)
    vectors = None if semantic is None else np.asarray(semantic[rows], dtype=np.float32)
    return TrainingSet(rows, cols, values, gain, own, weight, when, vectors, len(context.buyers),
                       np.asarray(context.buyers.ids, dtype=object), fit, tuple(skipped))


@dataclass(frozen=True, eq=False)
class LearnedScorer:
    """A fitted linear scorer: everyone's weights, each buyer's own deviations, and a calibration.

    ``score(values, buyer_ids)`` is the chance that a proposal of each pair is
    accepted. Plug it into the engine as ``MatchEngine(model=scorer)``; the
    engine passes each pair's buyer id. Build one with :func:`train_scoring_model`.

    Attributes
    ----------
    coef, intercept : everyone's weights over ``feature_names`` (log-odds)
    deviations : mapping of buyer id to ndarray
        Each buyer's own additions to ``coef`` (empty for everyone's model).
    calibration : (slope, offset)
        Platt scaling of the log-odds into a chance of acceptance.
    kind : ``"global"`` or ``"personal"``
    version : str
        Content hash of the fitted weights: the same fit gives the same version.
    """

    coef: np.ndarray
    intercept: float
    deviations: Mapping[str, np.ndarray] = field(default_factory=dict)
    calibration: tuple[float, float] = (1.0, 0.0)
    kind: str = "global"
    feature_names: tuple[str, ...] = FEATURE_NAMES
    version: str = ""
    trained_at: str = ""
    n_rows: int = 0
    metrics: Mapping = field(default_factory=dict)

    def log_odds(self, values, buyer_ids=None) -> np.ndarray:
        values = np.asarray(values, dtype=np.float64)
        if values.ndim != 2 or values.shape[1] != len(self.feature_names):
            raise ValueError(f"Expected pair features of shape (n_pairs, {len(self.feature_names)}), got {values.shape}")
        z = values @ self.coef + self.intercept
        if self.deviations and buyer_ids is not None:
            buyer_ids = np.asarray(buyer_ids, dtype=object)
            for buyer_id in set(buyer_ids.tolist()) & set(self.deviations):
                mine = buyer_ids == buyer_id
                z[mine] += values[mine] @ self.deviations[buyer_id]
        return z

    def score(self, values, buyer_ids=None) -> np.ndarray:
        """Calibrated chance, in [0, 1], that a proposal of each pair (rows of ``values``, columns in
        ``feature_names`` order) is accepted; ``buyer_ids``, one per pair, apply each buyer's own weights."""
        slope, offset = self.calibration
        return 1.0 / (1.0 + np.exp(-(slope * self.log_odds(values, buyer_ids) + offset)))

    def to_bytes(self) -> bytes:
        """Serialise for a blob column (pickle of plain arrays: load only blobs you wrote)."""
        state = {name: getattr(self, name) for name in ("coef", "intercept", "calibration", "kind", "version",
                                                        "trained_at", "n_rows")}
        state.update(format=_FORMAT, feature_names=tuple(self.feature_names), metrics=dict(self.metrics),
                     deviations=dict(self.deviations))
        buffer = io.BytesIO()
        pickle.dump(state, buffer, protocol=pickle.HIGHEST_PROTOCOL)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> LearnedScorer:
        """Load a scorer written by :meth:`to_bytes`.

        Raises
        ------
        ValueError
            If the blob is not a tiermatch scorer of this format, or was trained
            on other features than this version's ``FEATURE_NAMES``.
        """
        try:
            state = pickle.loads(blob)
        except Exception as exc:
            raise ValueError(f"Expected a blob written by LearnedScorer.to_bytes, could not unpickle it: {exc}") from exc
        if not isinstance(state, dict) or state.get("format") != _FORMAT:
            raise ValueError(f"Expected a blob of format {_FORMAT!r}, got "
                             f"{state.get('format') if isinstance(state, dict) else type(state).__name__!r}; retrain")
        if tuple(state["feature_names"]) != FEATURE_NAMES:
            raise ValueError(f"Expected a model over features {FEATURE_NAMES}, got one over {state['feature_names']}; "
                             "retrain it")
        state.pop("format")
        state["metrics"] = MappingProxyType(state["metrics"])
        state["deviations"] = MappingProxyType(state["deviations"])
        return cls(**state)


@dataclass(frozen=True)
class FoldReport:
    """One cross-validation fold: its held-out buyers and how each scorer ranked their rows."""

    test_buyers: tuple[str, ...]
    n_train: int
    n_test: int
    prior_metric: float  # mean NDCG@10 of the prior over the fold's buyers with a positive outcome; NaN if none
    model_metric: float


@dataclass(frozen=True)
class TrainingReport:
    """What training produced, which scorer to use, and the held-out figures that decided it.

    ``prior_metric`` and ``model_metric``: mean NDCG@10 of held-out buyers'
    rows (folds grouped by buyer) under the prior and everyone's model;
    ``p_value``: the share of runs on outcomes shuffled within buyers whose
    lead is as large. ``personal_metric`` and ``global_temporal_metric``: the
    same on each buyer's latest outcomes, with its own preferences and
    without; ``personal_interval`` the 95% bootstrap interval of that lead.
    ``scorer`` is what a run uses: ``"personal"``, ``"global"`` or ``"prior"``.
    """

    model: LearnedScorer  # the learned scorer: per-buyer where that was adopted, everyone's otherwise
    scorer: str
    prior_metric: float
    model_metric: float
    improvement: float
    p_value: float
    n_rows: int  # rows learned from
    n_buyers: int
    n_buyers_scored: int
    folds: tuple[FoldReport, ...]
    reason: str
    personal_metric: float = float("nan")
    global_temporal_metric: float = float("nan")
    prior_temporal_metric: float = float("nan")
    personal_interval: tuple[float, float] = (float("nan"), float("nan"))
    n_buyers_personal: int = 0
    skipped: tuple[str, ...] = ()
    metric: str = "NDCG@10 on held-out buyers"

    @property
    def adopted(self) -> bool:
        return self.scorer != "prior"

    @property
    def version(self) -> str:
        return self.model.version

    def summary(self) -> dict:
        """What a run's summary says of its scorer (JSON-ready: NaN as None)."""
        def number(x):
            return None if x is None or x != x else round(float(x), 4)

        return {
            "scorer": self.scorer, "version": self.version if self.adopted else None, "reason": self.reason,
            "held_out": {"metric": self.metric, "prior": number(self.prior_metric),
                         "global": number(self.model_metric), "p_value": number(self.p_value),
                         "buyers": self.n_buyers_scored,
                         "personal": number(self.personal_metric), "global_latest": number(self.global_temporal_metric),
                         "prior_latest": number(self.prior_temporal_metric),
                         "personal_lead_interval": [number(x) for x in self.personal_interval],
                         "buyers_latest": self.n_buyers_personal},
            "rows": self.n_rows,
        }


def _fit_on(values, own, weight, rows, cols=None, n_buyers: int = 0):
    """:func:`_fit` on the rows marked by ``rows``, accepted or dealt (``own > 0``) against the rest."""
    return _fit(values[rows], own[rows] > 0, weight[rows], None if cols is None else cols[rows], n_buyers)


def _fit(values, y, weight, cols=None, n_buyers: int = 0, C: float = 1.0):
    """Logistic regression on the features; with ``cols``, each buyer's own scaled copy of them too.
    Returns ``(coef, intercept, deviations)`` (deviations: (n_buyers, n_features), zeros without cols)."""
    n_features = values.shape[1]
    deviations = np.zeros((n_buyers, n_features))
    if y.all() or not y.any():  # one class: everyone scores its rate
        rate = np.clip(np.average(y, weights=weight), 1e-3, 1 - 1e-3)
        return np.zeros(n_features), float(np.log(rate / (1 - rate))), deviations
    X = values
    if cols is not None:
        n = len(values)
        copies = sp.csr_matrix((PERSONAL_SCALE * values.ravel(),
                                (np.repeat(np.arange(n), n_features),
                                 (cols[:, None] * n_features + np.arange(n_features)).ravel())),
                               shape=(n, n_buyers * n_features))
        X = sp.hstack([sp.csr_matrix(values), copies], format="csr")
    fitted = LogisticRegression(C=C, max_iter=2000).fit(X, y, sample_weight=weight)
    coef = fitted.coef_.ravel()
    if cols is not None:
        deviations = PERSONAL_SCALE * coef[n_features:].reshape(n_buyers, n_features)
    return coef[:n_features], float(fitted.intercept_[0]), deviations


def _log_odds(fit, values, cols=None) -> np.ndarray:
    coef, intercept, deviations = fit
    z = values @ coef + intercept
    if cols is not None:
        z += np.einsum("ij,ij->i", values, deviations[cols])
    return z


def _ndcg_per_buyer(gain, score, cols, mask) -> tuple[np.ndarray, np.ndarray]:
    """NDCG@10 of each buyer's rows within ``mask``, for buyers with a positive gain there: (buyers, ndcg)."""
    idx = np.flatnonzero(mask)
    order = idx[np.lexsort((idx, -score[idx], cols[idx]))]
    c, g = cols[order], gain[order]
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]]) if len(c) else np.zeros(0, np.int64)
    discounts = 1.0 / np.log2(np.arange(2, K + 2))
    buyers, values = [], []
    for start, stop in zip(starts, np.r_[starts[1:], len(c)]):
        ranked = g[start:stop]
        ideal = np.sort(ranked)[::-1][:K]
        if ideal[0] <= 0:
            continue
        buyers.append(c[start])
        values.append(float(ranked[:K] @ discounts[:len(ranked[:K])] / (ideal @ discounts[:len(ideal)])))
    return np.asarray(buyers, dtype=np.int64), np.asarray(values)


def _folds(cols: np.ndarray, n_splits: int, random_state) -> np.ndarray:
    """Fold of each row; a buyer's rows share one fold."""
    fold = np.zeros(len(cols), dtype=np.int64)
    if n_splits < 2:
        return fold
    splitter = GroupKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    for f, (_, test) in enumerate(splitter.split(np.zeros((len(cols), 1)), groups=cols)):
        fold[test] = f
    return fold


def _cross_validate(training: TrainingSet, own, gain, weight, fold, n_splits):
    """Out-of-fold log-odds of everyone's model and scores of the prior, held-out buyers' outcomes unseen."""
    shuffled = TrainingSet(**{**training.__dict__, "own": own})
    oof, prior = np.zeros(len(own)), np.zeros(len(own))
    for f in range(n_splits):
        test = fold == f
        values = shuffled.with_affinity(~test)  # a held-out buyer has no taste of its own
        fit = _fit_on(values, own, weight, ~test & training.fit)
        oof[test] = _log_odds(fit, values[test])
        prior[test] = score_prior(values[test])
    return oof, prior


def _permuted_within_buyer(cols: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices that shuffle rows among the rows of the same buyer."""
    by_buyer = np.argsort(cols, kind="stable")
    shuffled = np.lexsort((rng.random(len(cols)), cols))
    index = np.empty(len(cols), dtype=np.int64)
    index[by_buyer] = shuffled
    return index


def _latest_split(training: TrainingSet, share: float, rng) -> np.ndarray:
    """Rows held out to judge per-buyer preferences: each buyer's latest ``share`` of proposals (buyers with at
    least three), and as large a share of its unlabeled rows, drawn at random."""
    test = np.zeros(len(training), dtype=bool)
    labeled = training.labeled
    for j in np.unique(training.cols[labeled]):
        mine = np.flatnonzero(labeled & (training.cols == j))
        if len(mine) < 3:
            continue
        mine = mine[np.argsort(training.when[mine], kind="stable")]
        test[mine[len(mine) - max(1, round(share * len(mine))):]] = True
        others = np.flatnonzero(~labeled & (training.cols == j))
        test[others[rng.random(len(others)) < share]] = True
    return test


def train_scoring_model(
    context,
    history: Sequence[Partnership],
    *,
    unlabeled=None,
    deal_weight: float = DEAL_WEIGHT,
    unlabeled_weight: float = UNLABELED_WEIGHT,
    n_splits: int = 5,
    n_permutations: int = 19,
    alpha: float = 0.05,
    latest_share: float = 1 / 3,
    force: str | None = None,
    propensity: Mapping[tuple[str, str], float] | None = None,
    random_state=0,
) -> TrainingReport:
    """Learn from every outcome; choose the prior, everyone's model or each buyer's own by held-out figures.

    Parameters
    ----------
    context : MatchContext
        A prepared register (a run's, or :func:`~tiermatch.matcher.prepare_context`); nothing in its text
        space is refitted.
    history : sequence of Partnership
    unlabeled : (rows, cols), optional
        Pairs nobody proposed, to learn what not to put in a top ten; drawn with
        :func:`sample_unlabeled` where None (pass ``([], [])`` for none).
    deal_weight, unlabeled_weight : float
        Sample weights of a deal and of an unlabeled row.
    n_splits : int
        Folds grouped by buyer, reduced to the number of buyers.
    n_permutations, alpha : int, float
        Everyone's model is adopted only where it leads the prior and at most
        ``alpha * (n_permutations + 1) - 1`` reruns on outcomes shuffled within
        each buyer lead as much.
    latest_share : float
        Share of each buyer's latest outcomes that judge its own preferences.
    force : {"prior", "global", "personal"}, optional
        Use this scorer whatever the figures say (benchmarks); they are still measured.
    propensity : mapping, optional
        Each pair's chance to have been seen (:func:`build_training_set`).
    random_state : int

    Raises
    ------
    InsufficientHistoryError
        With fewer than two buyers with an accepted proposal or a deal.

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
    >>> report = train_scoring_model(prepare_context(s, b, history, encoder=None), history, unlabeled=([], []))
    >>> report.scorer  # outcomes are coin flips: the prior stays
    'prior'
    >>> p = report.model.score(np.full((1, len(FEATURE_NAMES)), 0.5))
    >>> bool(0 <= p[0] <= 1)
    True
    """
    if not 0 < alpha < 1 or 1 / (int(n_permutations) + 1) > alpha:
        raise ValueError(f"Expected 0 < alpha < 1 and n_permutations >= 1 / alpha - 1, got alpha = {alpha} and "
                         f"n_permutations = {n_permutations}")
    if force is not None and force not in SCORERS:
        raise ValueError(f"Expected force in {SCORERS}, got {force!r}")
    if unlabeled is None:
        unlabeled = sample_unlabeled(context, history, random_state=random_state)
    training = build_training_set(context, history, unlabeled=unlabeled, deal_weight=deal_weight,
                                  unlabeled_weight=unlabeled_weight, propensity=propensity)
    cols, gain, own, weight = training.cols, training.gain, training.own, training.sample_weight
    labeled = training.labeled
    n_pos = int((own > 0).sum())
    buyers_with_positive = len(np.unique(cols[own > 0]))
    n_buyers = len(np.unique(cols[labeled]))
    if buyers_with_positive < 2 or n_pos < 2:
        raise InsufficientHistoryError(
            f"Expected history with at least 2 buyers with an accepted proposal or a deal, got {int(labeled.sum())} "
            f"usable rows ({n_pos} accepted or deal, {int((own < 0).sum())} rejected) over {n_buyers} buyers"
            + (f"; {len(training.skipped)} rows skipped, e.g. {training.skipped[0]}" if training.skipped else ""))
    rng = np.random.default_rng(random_state)
    n_splits = max(2, min(int(n_splits), len(np.unique(cols))))
    fold = _folds(cols, n_splits, random_state)

    # Everyone's model against the prior, on held-out buyers.
    oof, prior = _cross_validate(training, own, gain, weight, fold, n_splits)
    scored, prior_ndcg = _ndcg_per_buyer(gain, prior, cols, np.ones(len(cols), bool))
    _, model_ndcg = _ndcg_per_buyer(gain, oof, cols, np.ones(len(cols), bool))
    improvement = float(np.mean(model_ndcg - prior_ndcg))
    n_as_good = 0
    for _ in range(n_permutations):
        index = _permuted_within_buyer(cols, rng)
        s_oof, s_prior = _cross_validate(training, own[index], gain[index], weight[index], fold, n_splits)
        lead = np.mean(_ndcg_per_buyer(gain[index], s_oof, cols, np.ones(len(cols), bool))[1]
                       - _ndcg_per_buyer(gain[index], s_prior, cols, np.ones(len(cols), bool))[1])
        n_as_good += lead >= improvement
    p_value = (1 + n_as_good) / (1 + n_permutations)
    global_adopted = bool(improvement > 0 and p_value <= alpha)
    folds = tuple(
        FoldReport(
            test_buyers=tuple(training.buyer_ids[np.unique(cols[fold == f])].tolist()),
            n_train=int((fold != f).sum()), n_test=int((fold == f).sum()),
            prior_metric=float(np.mean(prior_ndcg[np.isin(scored, cols[fold == f])]))
            if np.isin(scored, cols[fold == f]).any() else float("nan"),
            model_metric=float(np.mean(model_ndcg[np.isin(scored, cols[fold == f])]))
            if np.isin(scored, cols[fold == f]).any() else float("nan"),
        ) for f in range(n_splits))
    reason = (f"everyone's model {'beats' if global_adopted else 'does not clearly beat'} the prior on held-out "
              f"buyers: NDCG@10 {np.mean(model_ndcg):.3f} vs {np.mean(prior_ndcg):.3f} over {len(scored)} buyers "
              f"(lead {improvement:+.3f}; {n_as_good} of {n_permutations} runs on outcomes shuffled within buyers "
              f"lead as much, p = {p_value:.2f})")

    # Each buyer's own preferences against everyone's model, on each buyer's latest outcomes.
    test = _latest_split(training, latest_share, rng)
    personal_metric = global_latest = prior_latest = float("nan")
    interval = (float("nan"), float("nan"))
    n_personal = 0
    personal_adopted = False
    if test.any():
        values = training.with_affinity(~test)
        learn = ~test & training.fit
        global_fit = _fit_on(values, own, weight, learn)
        personal_fit = _fit_on(values, own, weight, learn, cols, training.n_buyers)
        judged_rows = test & training.labeled
        judged, g = _ndcg_per_buyer(gain, _log_odds(global_fit, values), cols, judged_rows)
        _, p = _ndcg_per_buyer(gain, _log_odds(personal_fit, values, cols), cols, judged_rows)
        _, q = _ndcg_per_buyer(gain, score_prior(values), cols, judged_rows)
        n_personal = len(judged)
        if n_personal:
            personal_metric, global_latest, prior_latest = float(np.mean(p)), float(np.mean(g)), float(np.mean(q))
            draws = rng.integers(0, n_personal, (1000, n_personal))
            interval = tuple(float(x) for x in np.percentile((p - g)[draws].mean(axis=1), [2.5, 97.5]))
            over_prior = float(np.percentile((p - q)[draws].mean(axis=1), 2.5))
            personal_adopted = interval[0] > 0 and over_prior > 0
            # What a run deploys ranks later outcomes: everyone's model must lead the prior there too.
            global_over_prior = float(np.percentile((g - q)[draws].mean(axis=1), 2.5))
            if global_adopted and not global_over_prior > 0:
                global_adopted = False
                reason += (f"; not adopted: on the buyers' latest outcomes it does not clearly lead the prior "
                           f"(NDCG@10 {global_latest:.3f} vs {prior_latest:.3f}, 95% interval of the lead from "
                           f"{global_over_prior:+.3f})")
    if n_personal:
        reason += (f"; each buyer's own preferences {'beat' if personal_adopted else 'do not clearly beat'} "
                   f"everyone's model and the prior on {n_personal} buyers' latest outcomes: NDCG@10 "
                   f"{personal_metric:.3f} vs {global_latest:.3f} and {prior_latest:.3f} (lead over everyone's "
                   f"model, 95% interval {interval[0]:+.3f} to {interval[1]:+.3f})")
    else:
        reason += "; no buyer has enough outcomes (3, an accepted one among its latest) to judge its own preferences"
    scorer = force or ("personal" if personal_adopted else "global" if global_adopted else "prior")
    if force:
        reason += f"; {force} used as asked"

    # The final fits, on every row, each buyer's taste from all its outcomes (as a run reads it).
    values = training.with_affinity(np.ones(len(training), dtype=bool))
    personal = scorer == "personal"
    final = _fit_on(values, own, weight, training.fit, cols if personal else None, training.n_buyers)
    # Platt scaling on out-of-fold log-odds of the proposals: the chance a proposal is accepted.
    calibrate = labeled if (own[labeled] > 0).any() and (own[labeled] < 0).any() else np.ones(len(own), bool)
    platt = LogisticRegression(C=1e6).fit(oof[calibrate].reshape(-1, 1), own[calibrate] > 0)
    calibration = (float(platt.coef_[0, 0]), float(platt.intercept_[0]))
    deviations = {}
    if personal:
        fitted = np.flatnonzero(np.abs(final[2]).sum(axis=1) > 0)
        deviations = {str(training.buyer_ids[j]): final[2][j].copy() for j in fitted}
    digest = hashlib.sha256(pickle.dumps((FEATURE_NAMES, final[0].tolist(), final[1], sorted(
        (k, v.tolist()) for k, v in deviations.items()), calibration), protocol=4)).hexdigest()
    metrics = {"metric": "NDCG@10 on held-out buyers", "prior_metric": float(np.mean(prior_ndcg)),
               "model_metric": float(np.mean(model_ndcg)), "improvement": improvement, "p_value": p_value,
               "n_buyers_scored": len(scored), "adopted": scorer != "prior", "scorer": scorer,
               "personal_metric": personal_metric, "global_latest_metric": global_latest}
    model = LearnedScorer(
        coef=final[0], intercept=final[1], deviations=MappingProxyType(deviations), calibration=calibration,
        kind="personal" if personal else "global", version=digest[:16],
        trained_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        n_rows=int(training.fit.sum()), metrics=MappingProxyType(metrics))
    return TrainingReport(
        model=model, scorer=scorer, prior_metric=float(np.mean(prior_ndcg)), model_metric=float(np.mean(model_ndcg)),
        improvement=improvement, p_value=p_value, n_rows=int(training.fit.sum()), n_buyers=n_buyers,
        n_buyers_scored=len(scored), folds=folds, reason=reason, personal_metric=personal_metric,
        global_temporal_metric=global_latest, prior_temporal_metric=prior_latest, personal_interval=interval,
        n_buyers_personal=n_personal,
        skipped=training.skipped)


def learn_from_history(shared, source, scan, history: Sequence[Partnership],
                       learn: LearnFromHistory = LearnFromHistory(), *, pool: int = 100,
                       by_meaning: int = 10) -> TrainingReport:
    """Train a scorer in a run's own text space (``shared`` and ``scan``, from
    :func:`~tiermatch.matcher.context.fit_shared`) on the SMEs of ``source`` in the history and an even sample
    of the others, among which unlabeled pairs are drawn (``pool`` per buyer, as the run retrieves them).

    Raises
    ------
    InsufficientHistoryError
        Where the history cannot train or judge a model.
    """
    from ..features.tables import build_supplier_table

    in_history = {p.supplier_id for p in history}
    stride = max(1, len(scan.ids) // max(learn.sample, 1))
    rows = [r for r, sid in enumerate(scan.ids) if sid in in_history or r % stride == 0]
    S = build_supplier_table(source.read_rows(rows, scan.duplicates), shared.certification_names)
    if not len(S):
        raise InsufficientHistoryError("no SME of the register could be read to learn from")
    context = shared.context(S)
    unlabeled = sample_unlabeled(context, history, pool=pool, by_meaning=by_meaning, random_state=learn.random_state)
    return train_scoring_model(context, history, unlabeled=unlabeled, force=learn.force,
                               propensity=learn.propensity, random_state=learn.random_state)
