"""Runs over partitions of the suppliers: in this process, or as Dask tasks on a cluster.

What every partition needs is fitted once, here: the text space (vocabulary
with IDF, word space, links learned from the history) on the buyers and a
sample of the suppliers, the two-stage search's reduced space, the buyer
table and the track records; it is shipped to the workers once. Each
partition of suppliers is then matched on its own against every buyer:
candidates (hard constraints first), pair features, scores, and its SMEs'
recommendations with reasons. Here, the partitions' candidates merge into
one candidate graph: every SME's ``n_per_supplier`` most similar buyers, and
each buyer's ``n_per_buyer`` most similar SMEs of the rest across all
partitions. The graph is assigned (split into independent parts where it
is too large for one solver), the shortlists ranked, and the partitions
asked again for the reasons of the pairs kept.

Without a Dask client the same functions run one after the other in this
process; with one, the tasks run on its workers, which retry the tasks of a
worker lost mid-run. Either way the result is the same: merging is ordered
by (buyer, similarity, partition, position), not by arrival.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import numpy as np

from ..features.candidates import Candidates, build_candidates, fit_reducer, road_km
from ..features.io import InvalidFileError, RowError
from ..features.pairs import FEATURE_NAMES, PairFeatures, TrackRecord
from ..features.partitions import SupplierSource
from ..features.profiles import Buyer, Partnership
from ..features.reference import CERTIFICATIONS
from ..features.tables import BuyerTable, SupplierTable, build_buyer_table, build_supplier_table
from ..features.vectorize import ProfileVectorizer, stack_blocks
from .assignment import split_candidate_graph
from .engine import Match, MatchContext, MatchEngine, MatchResult, Progress
from .ranking import rank_top_k

__all__ = ["FIT_SAMPLE", "Shared", "dask_client", "run_batch"]

# The text space is fitted on at most this many suppliers (evenly spread over the register)
# plus every supplier in the history; registers this small are fitted whole.
FIT_SAMPLE = 200_000

# A candidate graph with more proposable arcs than this is assigned in independent parts.
MAX_ARCS_PER_SOLVE = 20_000_000


@contextmanager
def dask_client(scheduler: str | None, timeout: str = "10s"):
    """A Dask client for a run: None (in this process) without a scheduler; for ``"local"``, a
    cluster of this machine's cores (one single-threaded worker process each); else the scheduler's
    at that address.

    Raises
    ------
    ConnectionError
        If the scheduler cannot be reached within ``timeout``.
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
        client = Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise ConnectionError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    with client:
        yield client


@dataclass
class Shared:
    """What every partition needs, fitted once and shipped to each worker once."""

    engine: MatchEngine
    vectorizer: ProfileVectorizer
    buyers: BuyerTable
    buyer_blocks: dict
    certification_names: list[str]
    track: dict[str, tuple[int, int]]  # supplier id -> (past proposals, accepted)
    reducer: object | None  # the two-stage search's reduced space, where a partition needs it
    exact_limit: float = 5e7  # partitions with more possible pairs than this are searched in two stages
    # Called with (partition, recommendations) where the partition runs, so that they are written there
    # rather than shipped back; None ships them back.
    on_recommendations: Callable[[int, list[Match]], None] | None = None

    def context(self, S: SupplierTable) -> MatchContext:
        """A partition's suppliers made ready for scoring against every buyer.

        The text is read by a copy of the vectorizer whose concept mapper caches
        on its own: a task never changes what it shares with others.
        """
        record = np.array([self.track.get(i, (0, 0)) for i in S.ids], dtype=float).reshape(-1, 2)
        vectorizer = copy.copy(self.vectorizer)
        vectorizer.mapper_ = self.vectorizer.mapper_.fork()
        return MatchContext(
            suppliers=S, buyers=self.buyers, vectorizer=vectorizer,
            supplier_blocks=vectorizer.transform_blocks(S.texts, "supplier"), buyer_blocks=self.buyer_blocks,
            track=TrackRecord(record[:, 0], record[:, 1]), certification_names=self.certification_names,
        )


@dataclass
class PartitionResult:
    """One partition's candidates (rows are positions within it), its SMEs' columns and recommendations."""

    index: int
    positions: np.ndarray  # each supplier's position in the partition's rows, to read it again alone
    ids: np.ndarray
    max_buyers: np.ndarray
    capacity: np.ndarray
    cluster: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    similarity: np.ndarray
    scores: np.ndarray
    protected: np.ndarray  # among the supplier's own n_per_supplier most similar: kept whatever the buyer's side
    recommendations: list[Match]
    errors: list[RowError]
    reachable: np.ndarray  # (n_buyers, 3) bool: a supplier holds the certifications, is near, both


def _matches(context: MatchContext, features: PairFeatures, scores, ks, ranks) -> list[Match]:
    """Pairs ``ks`` of ``features`` as :class:`Match` objects with reasons in English and Thai."""
    S, B = context.suppliers, context.buyers
    ks = np.asarray(ks, dtype=np.int64)
    english, thai = context.explain(features, ks), context.explain(features, ks, "th")
    values = np.round(features.values[ks].astype(float), 4).tolist()
    return [
        Match(buyer_id=buyer, supplier_id=supplier, score=score, rank=rank, reasons=en, reasons_th=th,
              features=dict(zip(FEATURE_NAMES, row)))
        for buyer, supplier, score, rank, en, th, row in zip(
            B.ids[features.cols[ks]].tolist(), S.ids[features.rows[ks]].tolist(), np.round(scores[ks].astype(float), 4).tolist(),
            np.asarray(ranks).tolist(), english, thai, values)
    ]


def _reachable(S: SupplierTable, B: BuyerTable, buyers: np.ndarray, chunk: int = 64) -> np.ndarray:
    """For ``buyers``: whether any supplier holds every required certification, lies within the limit, or both."""
    found = np.zeros((len(B), 3), dtype=bool)
    everyone = np.arange(len(S))
    for start in range(0, len(buyers), chunk):
        js = buyers[start:start + chunk]
        required = B.required_certifications[js]
        certified = (S.certifications @ required.T).toarray() >= required.getnnz(axis=1)
        near = np.column_stack([road_km(S, B, everyone, np.full(len(S), j)) <= B.max_distance_km[j] for j in js])
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


def match_partition(shared: Shared, partition) -> PartitionResult:
    """Match one partition of suppliers against every buyer (a Dask task)."""
    with _one_thread():
        return _match_partition(shared, partition)


def _match_partition(shared: Shared, partition) -> PartitionResult:
    engine, B = shared.engine, shared.buyers
    read = partition.read()
    S = build_supplier_table(read.records, shared.certification_names)
    empty_pairs = np.zeros(0, dtype=np.int64)
    if not len(S):
        return PartitionResult(partition.index, empty_pairs, S.ids, S.max_buyers, S.capacity, S.cluster, empty_pairs,
                               empty_pairs, np.zeros(0, np.float32), np.zeros(0), np.zeros(0, bool), [], read.errors,
                               np.zeros((len(B), 3), dtype=bool))
    context = shared.context(S)
    candidates = build_candidates(context.X_suppliers, context.X_buyers, S, B, n_per_buyer=engine.n_per_buyer,
                                  n_per_supplier=engine.n_per_supplier, reducer=shared.reducer,
                                  exact_limit=shared.exact_limit)
    features = context.pair_features(candidates.rows, candidates.cols, candidates.similarity)
    scores = engine.score(features)
    protected = np.zeros(len(candidates), dtype=bool)
    if engine.n_per_supplier:
        protected[rank_top_k(candidates.rows, candidates.similarity, engine.n_per_supplier)[0]] = True
    rec_idx, rec_rank = rank_top_k(candidates.rows, scores, engine.top_k)
    recommendations = _matches(context, features, scores, rec_idx, rec_rank)
    if shared.on_recommendations is not None:
        shared.on_recommendations(partition.index, recommendations)
        recommendations = []
    lonely = np.flatnonzero(np.bincount(candidates.cols, minlength=len(B)) == 0)
    return PartitionResult(
        partition.index, np.asarray(read.lines, dtype=np.int64), S.ids, S.max_buyers, S.capacity, S.cluster,
        candidates.rows, candidates.cols, candidates.similarity, scores, protected,
        recommendations, read.errors, _reachable(S, B, lonely),
    )


def explain_partition(shared: Shared, partition, positions, rows, cols, similarity, scores) -> list[Match]:
    """Pairs of one partition's suppliers (``rows`` index ``positions``, the rows to read) with features and reasons."""
    read = partition.read(only=positions)
    context = shared.context(build_supplier_table(read.records, shared.certification_names))
    with _one_thread():
        features = context.pair_features(rows, cols, similarity)
    return _matches(context, features, scores, np.arange(len(rows)), np.zeros(len(rows), dtype=np.int64))


def fit_shared(engine: MatchEngine, source: SupplierSource, buyers: Sequence[Buyer], history: Sequence[Partnership],
               *, fit_sample: int = FIT_SAMPLE, exact_limit: float = 5e7,
               on_recommendations=None) -> tuple[Shared, dict, list[str]]:
    """Fit what the partitions share. Returns it, the duplicate rows the scan found, and every row's id."""
    in_history = {p.supplier_id for p in history}
    stride = max(1, -(-source.n_rows // fit_sample))
    scan = source.scan(lambda row, supplier_id: row % stride == 0 or supplier_id in in_history)
    sample_rows = sorted(scan.texts)
    sample_position = {scan.ids[row]: k for k, row in enumerate(sample_rows)}
    names = sorted(set(CERTIFICATIONS) | {c for b in buyers for c in b.required_certifications})
    B = build_buyer_table(buyers, names)
    buyer_position = {bid: j for j, bid in enumerate(B.ids)}
    known = [p for p in history if p.supplier_id in sample_position and p.buyer_id in buyer_position]
    pairs = np.array([(sample_position[p.supplier_id], buyer_position[p.buyer_id]) for p in known], dtype=np.int64)
    vectorizer = ProfileVectorizer()
    sample_blocks, buyer_blocks = vectorizer.fit_transform_blocks(
        [scan.texts[row] for row in sample_rows], B.texts, history=(pairs.reshape(-1, 2), [p.outcome for p in known]))
    reducer = None
    if min(source.partition_size, source.n_rows) * len(B) > exact_limit:
        reducer = fit_reducer(stack_blocks(sample_blocks, vectorizer.weights), stack_blocks(buyer_blocks, vectorizer.weights))
    track: dict[str, list[int]] = {}
    for p in history:
        record = track.setdefault(p.supplier_id, [0, 0])
        record[0] += 1
        record[1] += p.outcome != "rejected"
    shared = Shared(engine, vectorizer, B, buyer_blocks, names, {k: tuple(v) for k, v in track.items()}, reducer,
                    exact_limit, on_recommendations)
    return shared, scan.duplicates, scan.ids


class _Tasks:
    """Runs tasks in this process, or on a Dask client's workers, a bounded number at a time, results as they finish."""

    def __init__(self, client=None, shared: Shared | None = None):
        self.client = client
        # Shipped once: every task refers to the one copy on each worker.
        self.shared = client.scatter(shared, broadcast=True, hash=False) if client is not None else shared

    def map(self, function, items: Iterator, args_of=lambda item: ()) -> Iterator:
        """``function(shared, item, *args_of(item))`` for each item, yielded as each finishes (in any order)."""
        if self.client is None:
            for item in items:
                yield function(self.shared, item, *args_of(item))
            return
        from distributed import as_completed

        in_flight = max(2, 2 * len(self.client.scheduler_info(n_workers=-1)["workers"]))
        pending = as_completed()
        for item in items:
            pending.add(self.client.submit(function, self.shared, item, *args_of(item), pure=False, retries=3))
            while pending.count() >= in_flight:
                yield next(pending).result()
        for future in pending:
            yield future.result()


@dataclass
class _Merged:
    """The partitions' candidates merged as they arrive; pairs are keyed (partition, position)."""

    n_per_buyer: int
    columns: dict = field(default_factory=dict)  # partition -> PartitionResult without its pairs
    kept: list = field(default_factory=list)  # protected pairs, per partition: (partition, rows, cols, sim, scores)
    pool: tuple = ()  # unprotected pairs within each buyer's n_per_buyer most similar so far
    reachable: np.ndarray | None = None

    def add(self, part: PartitionResult) -> None:
        p = np.full(len(part.rows), part.index, dtype=np.int64)
        arrays = (p, part.rows, part.cols, part.similarity, part.scores)
        self.kept.append(tuple(a[part.protected] for a in arrays))
        unprotected = tuple(a[~part.protected] for a in arrays)
        self.pool = unprotected if not self.pool else tuple(np.concatenate(z) for z in zip(self.pool, unprotected))
        order = np.lexsort((self.pool[1], self.pool[0], -self.pool[3], self.pool[2]))
        cols = self.pool[2][order]
        rank = np.arange(len(cols)) - np.searchsorted(cols, cols, side="left")
        self.pool = tuple(a[order[rank < self.n_per_buyer]] for a in self.pool)
        self.reachable = part.reachable if self.reachable is None else self.reachable | part.reachable
        self.columns[part.index] = replace(part, rows=None, cols=None, similarity=None, scores=None, protected=None,
                                           recommendations=[])

    def graph(self):
        """Supplier columns in partition order, and every kept pair by global position, sorted by buyer then similarity."""
        parts = [self.columns[k] for k in sorted(self.columns)]
        offsets = dict(zip(sorted(self.columns), np.cumsum([0] + [len(c.ids) for c in parts])))
        protected = np.concatenate([np.ones(len(k[0]), bool) for k in self.kept] + [np.zeros(len(self.pool[0]), bool)])
        p, rows, cols, sims, scores = (np.concatenate(z) for z in zip(*self.kept, self.pool))
        rows = rows + np.array([offsets[k] for k in p.tolist()], dtype=np.int64) if len(p) else rows
        order = np.lexsort((rows, -sims, cols))
        # A buyer keeps its n_per_buyer most similar pairs, protected ones counted, and every protected pair.
        sorted_cols = cols[order]
        rank = np.arange(len(order)) - np.searchsorted(sorted_cols, sorted_cols, side="left")
        order = order[protected[order] | (rank < self.n_per_buyer)]
        return parts, offsets, rows[order], cols[order], sims[order], scores[order]


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
    engine: MatchEngine,
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
) -> MatchResult:
    """Match the suppliers of ``source``, partition by partition, to ``buyers``.

    Parameters
    ----------
    engine : MatchEngine
        Its settings and scoring model.
    source : SupplierSource
        The suppliers, read a partition at a time.
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

    Returns
    -------
    MatchResult
        ``summary["partitions"]`` and ``summary["assignment_split"]`` say how the run was split.
    """
    progress = progress or (lambda stage, done, total: None)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name):
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now

    progress("profiles", 0, 1)
    shared, duplicates, ids = fit_shared(engine, source, buyers, history, fit_sample=fit_sample, exact_limit=exact_limit,
                                         on_recommendations=on_recommendations)
    B = shared.buyers
    progress("profiles", 1, 1)
    lap("profiles")

    tasks = _Tasks(client, shared)
    merged = _Merged(engine.n_per_buyer)
    recommendations: dict[int, list[Match]] = {}
    errors: dict[int, list[RowError]] = {}
    total = source.n_partitions
    progress("candidates", 0, total)
    for n, part in enumerate(tasks.map(match_partition, source.partitions(duplicates)), 1):
        errors[part.index] = part.errors
        recommendations[part.index] = part.recommendations
        merged.add(part)
        progress("candidates", n, total)
    lap("candidates")

    parts, offsets, rows, cols, similarity, scores = merged.graph()
    S = _SupplierColumns(*(np.concatenate([getattr(c, name) for c in parts])
                           for name in ("ids", "max_buyers", "capacity", "cluster")))
    if not len(S):
        first = next((e for k in sorted(errors) for e in errors[k]), None)
        raise InvalidFileError(f"{source.name}: no valid supplier row" + (f"; first problem: {first}" if first else ""))
    candidates = Candidates(rows, cols, similarity)  # sorted by buyer, then similarity
    progress("assignment", 0, 1)
    chosen, exposure, split = _assign(engine, S, B, candidates, scores, max_arcs, client)
    group_of, volume = engine._form_groups(S, B, candidates, scores, chosen)
    progress("assignment", 1, 1)
    lap("assignment")

    progress("shortlists", 0, 1)
    short_idx, short_rank = rank_top_k(cols, scores, engine.top_k)
    assigned_idx = np.flatnonzero(chosen)
    assigned_idx = assigned_idx[np.lexsort((-scores[assigned_idx], cols[assigned_idx]))]
    explained = _explain(tasks, source, duplicates, parts, offsets, candidates, scores,
                         np.unique(np.concatenate([short_idx, assigned_idx])))
    shortlists = [replace(explained[k], rank=int(r)) for k, r in zip(short_idx.tolist(), short_rank.tolist())]
    slots, slots_needed = engine._schedule(candidates, assigned_idx)
    assignment = [
        replace(explained[k], group_id=group_of.get(k, ""), volume_thb_per_month=volume.get(k),
                slot=None if slots is None or slots[n] < 0 else int(slots[n]) + 1)
        for n, k in enumerate(assigned_idx.tolist())
    ]
    progress("shortlists", 1, 1)
    lap("shortlists")

    unmatched_buyers = engine._explain_unmatched_buyers(S, B, candidates, scores, chosen,
                                                        why_no_candidate=lambda j: _why_no_candidate(B, merged.reachable, j))
    unmatched_suppliers = engine._explain_unmatched_suppliers(S, candidates, scores, chosen)
    n_shortlisted = np.bincount(cols[short_idx], minlength=len(B))
    n_assigned = np.bincount(cols[chosen], minlength=len(B))
    per_buyer = {
        B.ids[j]: {"shortlisted": int(n_shortlisted[j]), "assigned": int(n_assigned[j]),
                   **({"unmatched_reason": unmatched_buyers[B.ids[j]]} if B.ids[j] in unmatched_buyers else {})}
        for j in range(len(B))
    }
    in_register = set(ids)
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
    return MatchResult(shortlists, [m for k in sorted(recommendations) for m in recommendations[k]], assignment,
                       unmatched_buyers, unmatched_suppliers, summary, [e for k in sorted(errors) for e in errors[k]])


def _assign(engine, S, B, candidates, scores, max_arcs, client):
    """The engine's assignment, on independent parts of the graph where it is too large for one solve."""
    proposable = np.flatnonzero(scores >= engine.min_score)
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
    chosen, exposure = engine.exposure(len(S), candidates, scores, plain, fair if engine.fair else None)
    return chosen, exposure, split


def _explain(tasks, source, duplicates, parts, offsets, candidates, scores, ks) -> dict[int, Match]:
    """Features and reasons of candidate pairs ``ks``, each computed by the partition holding its supplier."""
    starts = np.array([offsets[c.index] for c in parts] + [offsets[parts[-1].index] + len(parts[-1].ids)])
    which = np.searchsorted(starts, candidates.rows[ks], side="right") - 1
    asked = {}
    for n, part in enumerate(parts):
        mine = ks[which == n]
        if len(mine):
            local = candidates.rows[mine] - starts[n]
            needed, rows = np.unique(local, return_inverse=True)
            asked[part.index] = (mine, part.positions[needed], rows, candidates.cols[mine],
                                 candidates.similarity[mine], scores[mine])
    wanted = (partition for partition in source.partitions(duplicates) if partition.index in asked)
    explained = {}
    for partition_index, matches in tasks.map(_explain_task, wanted, lambda p: asked[p.index][1:]):
        explained.update(zip(asked[partition_index][0].tolist(), matches))
    return explained


def _explain_task(shared, partition, *args):
    return partition.index, explain_partition(shared, partition, *args)


def _why_no_candidate(B: BuyerTable, reachable: np.ndarray, j: int) -> str:
    certified, near, both = reachable[j]
    if not certified:
        return "no supplier holds every required certification"
    if not near:
        return f"no supplier within {B.max_distance_km[j]:.0f} km"
    if not both:
        return "no supplier both holds the required certifications and lies within the distance limit"
    return "no supplier that passes the hard constraints offers anything like its needs"
