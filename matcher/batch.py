"""Runs over partitions of the suppliers: in this process, or as Dask tasks on a cluster.

What every partition needs is fitted once (:func:`~.context.fit_shared`,
scanning the source once) and shipped to the workers once. Each partition of
suppliers is then read once more and matched on its own against every buyer:
candidates (hard constraints first), pair features, scores, and its SMEs'
recommendations with reasons. Here, the partitions' candidates merge into one
candidate graph: every SME's ``n_per_supplier`` most similar buyers, and each
buyer's ``n_per_buyer`` most similar SMEs of the rest across all partitions,
each pair with its features. The graph is assigned (split into independent
parts where it is too large for one solver), the shortlists ranked, and the
reasons of the pairs kept written from their features: no partition is read
a third time.

Without a Dask client the same functions run one after the other in this
process; with one, the tasks run on its workers, which retry the tasks of a
worker lost mid-run. Either way the result is the same: merging is ordered
by (buyer, similarity, partition, position), not by arrival.
"""

from __future__ import annotations

import copy
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import InsufficientHistoryError, InvalidFileError, SchedulerError
from ..features.candidates import MIN_SIMILARITY, Candidates, build_candidates, distance_km
from ..features.history import PAST_NONE
from ..features.items import top_per_need
from ..features.pairs import FEATURE_NAMES, PairFeatures, explain_pairs
from ..features.profiles import Buyer, Partnership
from ..features.sources import SupplierSource
from ..features.tables import BuyerTable, SupplierTable, build_supplier_table
from ..features.validation import RowError
from .agenda import schedule_agenda
from .assignment import split_candidate_graph
from .context import FIT_SAMPLE, SharedFit, fit_shared
from .fairness import report_exposure
from .groups import group_partnerships
from .model import LearnFromHistory, TrainingReport, learn_from_history
from .ranking import rank_top_k
from .results import Match, MatchResult, Progress, no_progress
from .unmatched import explain_unmatched_buyers, explain_unmatched_suppliers

__all__ = ["MAX_ARCS_PER_SOLVE", "PartitionTask", "dask_client", "match_partition", "run_batch"]

# A candidate graph with more proposable arcs than this is assigned in independent parts.
MAX_ARCS_PER_SOLVE = 20_000_000
# How long a run waits for a Dask scheduler to answer before it fails saying so.
CONNECT_TIMEOUT = "10s"


@contextmanager
def dask_client(scheduler: str | None, timeout: str | None = None):
    """A Dask client for a run: None (in this process) without a scheduler; for ``"local"``, a
    cluster of this machine's cores (one single-threaded worker process each); else the scheduler's
    at that address.

    Raises
    ------
    SchedulerError
        If the scheduler cannot be reached within ``timeout`` (:data:`CONNECT_TIMEOUT` by default).
    """
    if scheduler is None:
        yield None
        return
    from distributed import Client, LocalCluster

    if scheduler == "local":
        with LocalCluster(threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(scheduler, timeout=timeout or CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise SchedulerError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    with client:
        yield client


@dataclass
class PartitionTask:
    """What a partition task needs besides its rows: the shared fit and the run's settings."""

    shared: SharedFit
    engine: object  # the run's MatchEngine: its settings and scorer
    exact_limit: float
    # Called with (partition, recommendations) where the partition runs, so that they are written there
    # rather than shipped back; None ships them back.
    on_recommendations: Callable[[int, list[Match]], None] | None = None


@dataclass
class PartitionResult:
    """One partition's candidate pairs with their features (rows are positions within it), its SMEs'
    columns and recommendations."""

    index: int
    ids: np.ndarray
    max_buyers: np.ndarray
    capacity: np.ndarray
    cluster: np.ndarray
    features: PairFeatures
    similarity: np.ndarray
    scores: np.ndarray
    protected: np.ndarray  # among the supplier's own n_per_supplier most similar: kept whatever the buyer's side
    recommendations: list[Match]
    errors: list[RowError]
    reachable: np.ndarray  # (n_buyers, 3) bool: a supplier holds the certifications, is near, both
    meaning: tuple | None = None  # the channel by meaning: (pair position, need item, cover) per entry


def _matches(features: PairFeatures, scores, ks, ranks, supplier_ids, buyer_ids, explain) -> list[Match]:
    """Pairs ``ks`` of ``features`` as :class:`Match` objects with reasons in English and Thai.

    ``explain(features, ks, language)`` writes the reasons.
    """
    ks = np.asarray(ks, dtype=np.int64)
    english, thai = explain(features, ks, "en"), explain(features, ks, "th")
    values = np.round(features.values[ks].astype(float), 4).tolist()
    return [
        Match(buyer_id=buyer, supplier_id=supplier, score=score, rank=rank, reasons=en, reasons_th=th,
              features=dict(zip(FEATURE_NAMES, row)), distance_km=km)
        for buyer, supplier, score, rank, en, th, row, km in zip(
            buyer_ids[features.cols[ks]].tolist(), supplier_ids[features.rows[ks]].tolist(),
            np.round(scores[ks].astype(float), 4).tolist(), np.asarray(ranks).tolist(), english, thai, values,
            np.round(features.distance_km[ks].astype(float), 1).tolist())
    ]


def _reachable(S: SupplierTable, B: BuyerTable, buyers: np.ndarray, chunk: int = 64) -> np.ndarray:
    """For ``buyers``: whether any supplier holds every required certification, lies within the limit, or both."""
    found = np.zeros((len(B), 3), dtype=bool)
    everyone = np.arange(len(S))
    for start in range(0, len(buyers), chunk):
        js = buyers[start:start + chunk]
        required = B.required_certifications[js]
        certified = (S.certifications @ required.T).toarray() >= required.getnnz(axis=1)
        near = np.column_stack([distance_km(S, B, everyone, np.full(len(S), j)) <= B.max_distance_km[j] for j in js])
        found[js] = np.column_stack([certified.any(axis=0), near.any(axis=0), (certified & near).any(axis=0)])
    return found


@contextmanager
def _one_thread():
    """Numerical libraries on one thread, as on a Dask worker (whose nanny sets OMP_NUM_THREADS=1).

    A matrix product split over more threads may round differently; on one
    thread everywhere, a partition's proposals, hence the run's result, are
    the same in this process and on a cluster.
    """
    import faiss
    from threadpoolctl import threadpool_limits

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        with threadpool_limits(1):
            yield
    finally:
        faiss.omp_set_num_threads(before)


def match_partition(task: PartitionTask, partition) -> PartitionResult:
    """Match one partition of suppliers against every buyer (a Dask task)."""
    with _one_thread():
        return _match_partition(task, partition)


def _match_partition(task: PartitionTask, partition) -> PartitionResult:
    engine, shared = task.engine, task.shared
    B = shared.buyers
    read = partition.read()
    S = build_supplier_table(read.records, shared.certification_names)
    if not len(S):
        no_pairs = PairFeatures.from_values([], [], np.zeros((0, len(FEATURE_NAMES))))
        return PartitionResult(partition.index, S.ids, S.max_buyers, S.capacity, S.cluster, no_pairs,
                               np.zeros(0, np.float32), np.zeros(0), np.zeros(0, bool), [], read.errors,
                               np.zeros((len(B), 3), dtype=bool))
    context = shared.context(S)
    candidates = build_candidates(context.X_suppliers, context.X_buyers, S, B, n_per_buyer=engine.n_per_buyer,
                                  n_per_supplier=engine.n_per_supplier, reducer=shared.reducer,
                                  exact_limit=task.exact_limit,
                                  exclude=None if engine.show_past else shared.past.met(S.ids),
                                  meaning=context.meaning_channel(engine.n_by_meaning))
    features = context.pair_features(candidates.rows, candidates.cols)
    scores = engine.score(features, B.ids)
    protected = np.zeros(len(candidates), dtype=bool)
    if engine.n_per_supplier:
        # Each SME's own most similar buyers (as its own search finds them, whatever the partition: pairs found
        # by meaning alone, less alike than that search looks, are not among them).
        alike = np.where(candidates.similarity >= MIN_SIMILARITY, candidates.similarity, -np.inf)
        top = rank_top_k(candidates.rows, alike, engine.n_per_supplier)[0]
        protected[top[alike[top] > -np.inf]] = True
    rec_idx, rec_rank = rank_top_k(candidates.rows, scores, engine.top_k)
    recommendations = _matches(features, scores, rec_idx, rec_rank, S.ids, B.ids, context.explain)
    if task.on_recommendations is not None:
        task.on_recommendations(partition.index, recommendations)
        recommendations = []
    lonely = np.flatnonzero(np.bincount(candidates.cols, minlength=len(B)) == 0)
    return PartitionResult(
        partition.index, S.ids, S.max_buyers, S.capacity, S.cluster, features, candidates.similarity, scores,
        protected, recommendations, read.errors, _reachable(S, B, lonely), _meaning_entries(candidates),
    )


def _meaning_entries(candidates) -> tuple | None:
    """The channel by meaning's entries as (pair position among the candidates, need item, cover)."""
    if candidates.meaning is None:
        return None
    cols, rows, need, cover = candidates.meaning
    n = max(int(candidates.rows.max(initial=0)) + 1, 1)
    keys = candidates.cols * n + candidates.rows
    order = np.argsort(keys)
    at = order[np.searchsorted(keys[order], cols * n + rows)]
    return at, need, cover


def _shared(task: PartitionTask) -> PartitionTask:
    """The shared data of every partition, as a Dask task's result (see :class:`_Tasks`)."""
    return task


class _Tasks:
    """Runs tasks in this process, or on a Dask client's workers, a bounded number at a time, results as they finish."""

    def __init__(self, client=None, task: PartitionTask | None = None):
        self.client = client
        # Shipped once, as a task that returns it rather than scattered data: every partition refers to that
        # one result, and where the worker holding it dies the scheduler runs the task again (scattered data
        # that is lost cannot be recomputed, and the run would fail).
        if client is None:
            self.task = task
            return
        with warnings.catch_warnings():  # Dask suggests scattering a large argument: that is the point of not
            warnings.filterwarnings("ignore", message="Large object", category=UserWarning)
            self.task = client.submit(_shared, task, pure=False)

    def map(self, function, items: Iterator) -> Iterator:
        """``function(task, item)`` for each item, yielded as each finishes (in any order)."""
        if self.client is None:
            for item in items:
                yield function(self.task, item)
            return
        from distributed import as_completed

        in_flight = max(2, 2 * len(self.client.scheduler_info(n_workers=-1)["workers"]))
        pending = as_completed()
        for item in items:
            pending.add(self.client.submit(function, self.task, item, pure=False, retries=3))
            while pending.count() >= in_flight:
                yield next(pending).result()
        for future in pending:
            yield future.result()


@dataclass
class _Merged:
    """The partitions' candidates merged as they arrive; pairs are keyed (partition, position)."""

    n_per_buyer: int
    n_by_meaning: int = 0
    columns: dict = field(default_factory=dict)  # partition -> PartitionResult without its pairs
    kept: list = field(default_factory=list)  # protected pairs, per partition: (partition, features, sim, scores)
    pool: tuple | None = None  # unprotected pairs within each buyer's n_per_buyer most similar so far
    reachable: np.ndarray | None = None
    # The channel by meaning, per partition: its pairs (partition, features, sim, scores) and entries
    # (position among those pairs, need item, cover); cut to each need's best once every partition is in.
    meaning: list = field(default_factory=list)

    def add(self, part: PartitionResult) -> None:
        p = np.full(len(part.features), part.index, dtype=np.int64)
        self.kept.append((p[part.protected], part.features.take(np.flatnonzero(part.protected)),
                          part.similarity[part.protected], part.scores[part.protected]))
        if part.meaning is not None and len(part.meaning[0]):
            at, need, cover = part.meaning
            pairs, position = np.unique(at, return_inverse=True)
            self.meaning.append(((p[pairs], part.features.take(pairs), part.similarity[pairs], part.scores[pairs]),
                                 (position, need, cover)))
        # Pairs found by meaning alone (less alike than words retrieve) join only through the cut by need.
        unprotected = np.flatnonzero(~part.protected & (part.similarity >= MIN_SIMILARITY))
        fresh = (p[unprotected], part.features.take(unprotected), part.similarity[unprotected], part.scores[unprotected])
        pool = fresh if self.pool is None else _concatenate([self.pool, fresh])
        partition, features, sims = pool[0], pool[1], pool[2]
        order = np.lexsort((features.rows, partition, -sims, features.cols))
        cols = features.cols[order]
        rank = np.arange(len(cols)) - np.searchsorted(cols, cols, side="left")
        keep = order[rank < self.n_per_buyer]
        self.pool = (partition[keep], features.take(keep), sims[keep], pool[3][keep])
        self.reachable = part.reachable if self.reachable is None else self.reachable | part.reachable
        self.columns[part.index] = replace(part, features=None, similarity=None, scores=None, protected=None,
                                           recommendations=[])

    def graph(self):
        """Supplier columns in partition order, and every kept pair by global position (features, similarity,
        scores), sorted by buyer then similarity."""
        parts = [self.columns[k] for k in sorted(self.columns)]
        offsets = dict(zip(sorted(self.columns), np.cumsum([0] + [len(c.ids) for c in parts])))

        def global_rows(p, features):
            return features.rows + np.array([offsets[k] for k in p.tolist()], dtype=np.int64) if len(p) else features.rows

        groups = [*self.kept, self.pool]
        protected = [np.ones(len(k[0]), bool) for k in self.kept] + [np.zeros(len(self.pool[0]), bool)]
        if self.meaning:
            # Each (buyer, need item)'s n_by_meaning best entries over every partition: as one partition finds them.
            pairs = _concatenate([pairs for pairs, _ in self.meaning])
            shift = np.cumsum([0] + [len(pairs[0]) for pairs, _ in self.meaning])[:-1]
            at = np.concatenate([entries[0] + s for (_, entries), s in zip(self.meaning, shift)])
            need, cover = (np.concatenate([entries[k] for _, entries in self.meaning]) for k in (1, 2))
            rows = global_rows(pairs[0], pairs[1])
            chosen = top_per_need(pairs[1].cols[at], rows[at], need, cover, self.n_by_meaning)
            keys = np.unique(chosen[0] * (int(rows.max()) + 1) + chosen[1])
            keep = np.flatnonzero(np.isin(pairs[1].cols * (int(rows.max()) + 1) + rows, keys))
            groups.append((pairs[0][keep], pairs[1].take(keep), pairs[2][keep], pairs[3][keep]))
            protected.append(np.ones(len(keep), bool))
        protected = np.concatenate(protected)
        p, features, sims, scores = _concatenate(groups)
        rows = global_rows(p, features)
        # A pair found by two channels is kept once, protected if either protects it.
        key = features.cols * (int(rows.max(initial=0)) + 1) + rows
        by_key = np.lexsort((~protected, key))
        once = np.sort(by_key[np.r_[True, key[by_key][1:] != key[by_key][:-1]]] if len(key) else by_key)
        features, sims, scores, rows, protected = features.take(once), sims[once], scores[once], rows[once], protected[once]
        order = np.lexsort((rows, -sims, features.cols))
        # A buyer keeps its n_per_buyer most similar pairs, protected ones counted, and every protected pair.
        sorted_cols = features.cols[order]
        rank = np.arange(len(order)) - np.searchsorted(sorted_cols, sorted_cols, side="left")
        order = order[protected[order] | (rank < self.n_per_buyer)]
        return parts, features.with_rows(rows).take(order), sims[order], scores[order]


def _concatenate(groups) -> tuple:
    """(partition, features, similarity, scores) groups joined, in order."""
    partition, features, sims, scores = zip(*groups)
    return (np.concatenate(partition), PairFeatures.concatenate(features), np.concatenate(sims),
            np.concatenate(scores))


@dataclass(frozen=True)
class _SupplierColumns:
    """What the assignment and the unmatched reasons need of every supplier, without the text."""

    ids: np.ndarray
    max_buyers: np.ndarray
    capacity: np.ndarray
    cluster: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def run_batch(
    engine,
    source: SupplierSource,
    buyers: Sequence[Buyer],
    history: Sequence[Partnership] = (),
    *,
    client=None,
    progress: Progress | None = None,
    on_recommendations: Callable[[int, list[Match]], None] | None = None,
    fit_sample: int = FIT_SAMPLE,
    max_arcs: int = MAX_ARCS_PER_SOLVE,
    exact_limit: float = 5e7,
    road_factor: float = 1.0,
) -> MatchResult:
    """Match the suppliers of ``source``, partition by partition, to ``buyers``.

    Parameters
    ----------
    engine : MatchEngine
        Its settings and scoring model.
    source : SupplierSource
        The suppliers, scanned once and then read a partition at a time.
    history : sequence of Partnership
        Past proposals: the track record of each supplier in the register
        (every row of it, whether or not its buyer is still in the register)
        and the concept links learned from accepted ones.
    client : distributed.Client, optional
        Run the partitions as tasks on its workers; in this process if None.
    progress : callable, optional
        ``progress(stage, done, total)``; the candidates stage counts partitions.
    on_recommendations : callable, optional
        ``on_recommendations(partition, matches)`` receives each partition's
        recommendations where the partition runs (on a worker, with a
        client: it must pickle, and write where every worker can), so that
        they are written there, not shipped back; the result then holds none.
    fit_sample, max_arcs, exact_limit
        Suppliers the text space is fitted on; proposable arcs per assignment
        solve; possible pairs of a partition above which it is searched in two
        stages (:func:`~tiermatch.features.candidates.build_candidates`).
    road_factor : float
        Distances are the straight line times this.

    Returns
    -------
    MatchResult
        ``summary["partitions"]`` and ``summary["assignment_split"]`` say how the run was split.
    """
    progress = progress or no_progress
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name):
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now

    progress("profiles", 0, 1)
    source.scan({p.supplier_id for p in history}, fit_sample)  # counts the rows; fit_shared reuses this scan
    reduce = min(source.partition_size, source.n_rows) * len(buyers) > exact_limit
    shared, scan, _ = fit_shared(source, buyers, history, fit_sample=fit_sample, reduce=reduce, encoder=engine.encoder,
                                 road_factor=road_factor, vocabulary=engine.vocabulary)
    B = shared.buyers
    progress("profiles", 1, 1)
    lap("profiles")
    learned = None
    if isinstance(engine.model, LearnFromHistory):
        progress("learning", 0, 1)
        engine, learned = copy.copy(engine), engine.model
        engine.model = None
        try:
            learned = learn_from_history(shared, source, scan, history, learned, pool=engine.n_per_buyer,
                                         by_meaning=engine.n_by_meaning)
            engine.model = learned.model if learned.adopted else None
        except InsufficientHistoryError as exc:
            learned = {"scorer": "prior", "reason": str(exc)}
        progress("learning", 1, 1)
        lap("learning")

    tasks = _Tasks(client, PartitionTask(shared, engine, exact_limit, on_recommendations))
    merged = _Merged(engine.n_per_buyer, engine.n_by_meaning)
    recommendations: dict[int, list[Match]] = {}
    errors: dict[int, list[RowError]] = {}
    total = source.n_partitions
    progress("candidates", 0, total)
    for n, part in enumerate(tasks.map(match_partition, source.partitions(scan.duplicates)), 1):
        errors[part.index] = part.errors
        recommendations[part.index] = part.recommendations
        merged.add(part)
        progress("candidates", n, total)
    lap("candidates")

    parts, features, similarity, scores = merged.graph()
    S = _SupplierColumns(*(np.concatenate([getattr(c, name) for c in parts])
                           for name in ("ids", "max_buyers", "capacity", "cluster")))
    if not len(S):
        first = next((e for k in sorted(errors) for e in errors[k]), None)
        raise InvalidFileError(f"{source.name}: no valid supplier row" + (f"; first problem: {first}" if first else ""))
    rows, cols = features.rows, features.cols
    candidates = Candidates(rows, cols, similarity)  # sorted by buyer, then similarity
    progress("assignment", 0, 1)
    chosen, exposure, split = _assign(engine, S, B, candidates, scores, features.past == PAST_NONE, max_arcs, client)
    group_of, volume = group_partnerships(S, B, candidates, scores, chosen)
    progress("assignment", 1, 1)
    lap("assignment")

    progress("shortlists", 0, 1)
    short_idx, short_rank = rank_top_k(cols, scores, engine.top_k)
    assigned_idx = np.flatnonzero(chosen)
    assigned_idx = assigned_idx[np.lexsort((-scores[assigned_idx], cols[assigned_idx]))]
    vocabulary = shared.vectorizer.mapper_.vocabulary_
    names = {"en": [c.name_en.lower() for c in vocabulary], "th": [c.name_th for c in vocabulary]}

    def explain(pairs, ks, language):
        return explain_pairs(pairs, ks, B, shared.certification_names, names[language], language)

    wanted = np.unique(np.concatenate([short_idx, assigned_idx]))
    explained = dict(zip(wanted.tolist(), _matches(features, scores, wanted, np.zeros(len(wanted), np.int64),
                                                   S.ids, B.ids, explain)))
    shortlists = [replace(explained[k], rank=int(r)) for k, r in zip(short_idx.tolist(), short_rank.tolist())]
    slots, slots_needed = schedule_agenda(rows[assigned_idx], cols[assigned_idx], engine.n_slots,
                                          weights=scores[assigned_idx])
    assignment = [
        replace(explained[k], group_id=group_of.get(k, ""), volume_thb_per_month=volume.get(k),
                slot=None if slots is None or slots[n] < 0 else int(slots[n]) + 1)
        for n, k in enumerate(assigned_idx.tolist())
    ]
    progress("shortlists", 1, 1)
    lap("shortlists")

    unmatched_buyers = explain_unmatched_buyers(B, candidates, scores, chosen, engine.min_score, merged.reachable)
    unmatched_suppliers = explain_unmatched_suppliers(S, candidates, scores, chosen, engine.min_score)
    n_shortlisted = np.bincount(cols[short_idx], minlength=len(B))
    n_assigned = np.bincount(cols[chosen], minlength=len(B))
    per_buyer = {
        B.ids[j]: {"shortlisted": int(n_shortlisted[j]), "assigned": int(n_assigned[j]),
                   **({"unmatched_reason": unmatched_buyers[B.ids[j]]} if B.ids[j] in unmatched_buyers else {})}
        for j in range(len(B))
    }
    in_register = set(scan.ids)
    summary = {
        "suppliers": len(S),
        "buyers": len(B),
        "history_rows": len(history),
        "history_rows_unknown_supplier": sum(p.supplier_id not in in_register for p in history),
        "candidate_pairs": len(candidates),
        "buyers_with_shortlist": int(len(np.unique(cols))),
        "assigned_pairs": int(chosen.sum()),
        "buyers_matched": int(len(np.unique(cols[chosen]))),
        "suppliers_matched": int(len(np.unique(rows[chosen]))),
        "total_score": round(float(scores[chosen].sum()), 4),
        "exposure": exposure,
        "groups": len(set(group_of.values())),
        "agenda": None if slots is None else {
            "slots_needed": slots_needed, "slots": engine.n_slots, "unscheduled_meetings": int((slots < 0).sum()),
        },
        "partitions": {"count": total, "size": source.partition_size, "fit_sample": min(fit_sample, source.n_rows),
                       "scheduler": None if client is None else str(client.scheduler.address)},
        "assignment_split": split,
        "seconds": timings,
        "unmatched_terms": dict(shared.vectorizer.unmatched_terms_.most_common(20)),
        "per_buyer": per_buyer,
    }
    if learned is not None:
        summary["scoring"] = learned if isinstance(learned, dict) else learned.summary()
    return MatchResult(shortlists, [m for k in sorted(recommendations) for m in recommendations[k]], assignment,
                       unmatched_buyers, unmatched_suppliers, summary, [e for k in sorted(errors) for e in errors[k]],
                       learned=learned if isinstance(learned, TrainingReport) else None, text_space=shared.vectorizer)


def _assign(engine, S, B, candidates, scores, new, max_arcs, client):
    """The engine's assignment, on independent parts of the graph where it is too large for one solve; only
    ``new`` pairs are proposed: pairs that met before are only shown, marked, where the run shows them."""
    proposable = np.flatnonzero((scores >= engine.min_score) & new)
    rows, cols = candidates.rows[proposable], candidates.cols[proposable]
    parts, split = split_candidate_graph(rows, cols, scores[proposable], len(S), len(B), max_arcs, buyer_groups=B.sector)
    # Each part alone, in parallel where a client is given; the parts share no supplier or buyer.
    work = [(rows[arcs], cols[arcs], scores[proposable][arcs], S.max_buyers, B.max_suppliers) for arcs in parts]
    if client is None or len(parts) == 1:
        answers = [engine.choose(*args) for args in work]
    else:
        answers = client.gather([client.submit(engine.choose, *args, pure=False, retries=3) for args in work])
    plain, fair = (np.zeros(len(scores), dtype=bool) for _ in range(2))
    for arcs, (part_plain, part_fair) in zip(parts, answers):
        plain[proposable[arcs]] = part_plain
        if part_fair is not None:
            fair[proposable[arcs]] = part_fair
    exposure = {"fair": bool(engine.fair), "plain": report_exposure(candidates.rows, scores, len(S), plain)}
    if not engine.fair:
        return plain, exposure, split
    exposure["with_fairness"] = report_exposure(candidates.rows, scores, len(S), fair)
    return fair, exposure, split
