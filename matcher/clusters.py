"""Industrial clusters: which SMEs to invite to band together, and why.

The programme's first move is banding: SMEs of one sector or one value chain,
close to each other, whose products are alike or feed one another, join as a
cluster so that together they can supply buyers none could supply alone.

Three steps, each a plain function over arrays:

1. :func:`build_sme_graph`: a weighted SME graph from each SME's nearest
   neighbours (never all pairs) in a space of scaled coordinates and reduced
   concept vectors; an edge's weight is proximity x product fit (shared
   concepts, or one's products an input to the other's) x sector link.
2. :func:`find_clusters`: Louvain communities (networkx) of that graph, with
   the members of an existing cluster contracted into one node so that they
   are never moved; the Louvain hierarchy is cut at the coarsest level whose
   communities fit ``max_size``; undersized groups merge with their best
   neighbour or are left unclustered with the reason.
3. :func:`suggest_clusters`: the engine-facing report: members, centre and
   spread, concepts covered, combined capacity, a cluster-level shortlist of
   buyers (the cluster scored as one pseudo-supplier by the matcher's own pair
   features and scorer), and the quality of the clustering.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from ..features.candidates import build_candidates
from ..features.pairs import TrackRecord
from ..features.reference import SECTOR_LINKS, SECTORS, haversine_km
from ..features.tables import SupplierTable
from .ranking import rank_top_k

__all__ = [
    "ClusterBuyer",
    "ClusterLabels",
    "ClusterReport",
    "ClusterSuggestion",
    "SmeGraph",
    "build_sme_graph",
    "find_clusters",
    "score_clustering",
    "suggest_clusters",
]

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class SmeGraph:
    """An undirected weighted SME graph: one entry per edge, ``rows[e] < cols[e]`` (supplier positions).

    ``complementary[e]`` is True where one SME's products are inputs to the
    other's (the input-output relation), rather than only alike.
    """

    n_nodes: int
    rows: np.ndarray
    cols: np.ndarray
    weight: np.ndarray
    distance_km: np.ndarray
    complementary: np.ndarray
    max_km: float = 100.0

    def __len__(self) -> int:
        return len(self.rows)

    def adjacency(self) -> sp.csr_matrix:
        """The symmetric ``(n_nodes, n_nodes)`` weight matrix."""
        n = self.n_nodes
        upper = sp.coo_matrix((self.weight, (self.rows, self.cols)), shape=(n, n))
        return (upper + upper.T).tocsr()


def _sector_links() -> np.ndarray:
    """Symmetric sector affinity: 1 within a sector, the stronger direction of :data:`SECTOR_LINKS` across."""
    links = np.eye(len(SECTORS), dtype=np.float32)
    for (a, b), weight in SECTOR_LINKS.items():
        i, j = SECTORS.index(a), SECTORS.index(b)
        links[i, j] = links[j, i] = max(links[i, j], weight)
    return links


def _row_dots(A: sp.csr_matrix, B: sp.csr_matrix, rows, cols, chunk: int = 500_000) -> np.ndarray:
    """Row-wise inner products ``A[rows[e]] . B[cols[e]]``, in chunks to bound memory."""
    out = np.zeros(len(rows), dtype=np.float32)
    for start in range(0, len(rows), chunk):
        r, c = rows[start:start + chunk], cols[start:start + chunk]
        out[start:start + chunk] = np.asarray(A[r].multiply(B[c]).sum(axis=1)).ravel()
    return out


def _embed(concepts: sp.csr_matrix, related: sp.csr_matrix, n_components: int, random_state) -> np.ndarray:
    """Dense, L2-normalised vectors of what each SME makes and feeds: concepts plus related concepts, reduced."""
    both = normalize(sp.csr_matrix(concepts + related, dtype=np.float32))
    if both.shape[1] <= n_components or both.shape[0] <= 5000:
        dense = both.toarray()  # small enough to search in full
    else:
        from sklearn.decomposition import TruncatedSVD

        rng = np.random.default_rng(random_state)
        sample = both[rng.choice(both.shape[0], size=min(both.shape[0], 50_000), replace=False)]
        svd = TruncatedSVD(n_components, algorithm="randomized", n_iter=4, random_state=random_state).fit(sample)
        dense = svd.transform(both)
    return normalize(dense).astype(np.float32)


def _nearest(vectors: np.ndarray, k: int, exact_limit: int) -> np.ndarray:
    """Indices of each row's ``k`` nearest other rows (L2): exact up to ``exact_limit`` rows, IVF above."""
    import faiss

    n, d = vectors.shape
    k = min(k + 1, n)
    if n <= exact_limit:
        index = faiss.IndexFlatL2(d)
    else:
        # Approximate: search the nearest few of about 4 sqrt(n) k-means cells, not all n rows.
        n_cells = int(4 * np.sqrt(n))
        index = faiss.IndexIVFFlat(faiss.IndexFlatL2(d), d, n_cells)
        rng = np.random.default_rng(0)
        index.train(vectors[rng.choice(n, size=min(n, 40 * n_cells), replace=False)])
        index.nprobe = 8
    index.add(vectors)
    _, found = index.search(vectors, k)
    return found


def build_sme_graph(
    latitude,
    longitude,
    sector,
    concepts,
    related,
    *,
    n_neighbors: int = 8,
    scale_km: float = 30.0,
    max_km: float = 100.0,
    min_weight: float = 0.02,
    n_components: int = 24,
    exact_limit: int = 30_000,
    random_state=0,
) -> SmeGraph:
    """Weighted graph of SMEs that could band together, from nearest neighbours.

    Each SME is searched for its ``n_neighbors`` nearest others in one space:
    its position on the globe scaled by ``scale_km``, beside a reduced vector
    of what it makes and what that feeds. The edges found are weighted
    exactly: ``exp(-km / scale_km)`` x product fit x sector link, where
    product fit is the larger of the shared-concept cosine and the
    complementary cosine (one's related concepts against the other's
    concepts, either way), and sector link is 1 within a sector and
    :data:`~tiermatch.features.reference.SECTOR_LINKS` across. Edges longer
    than ``max_km`` or lighter than ``min_weight`` are dropped.

    Parameters
    ----------
    latitude, longitude : array of float, shape (n_suppliers,)
    sector : array of int, shape (n_suppliers,)
        Codes into :data:`~tiermatch.features.reference.SECTORS`.
    concepts : sparse matrix, shape (n_suppliers, n_concepts)
        What each SME makes (rows L2-normalised, as ``MatchContext.supplier_blocks["concepts"]``).
    related : sparse matrix, shape (n_suppliers, n_concepts)
        What its products are inputs to (``supplier_blocks["related"]``).
    n_neighbors : int
        Neighbours searched per SME; the graph has at most ``n_suppliers * n_neighbors`` edges.
    scale_km, max_km, min_weight : float
        Distance at which proximity falls to 1/e; longest edge kept; lightest edge kept.
    n_components : int
        Dimension of the reduced product vectors used for the search only.
    exact_limit : int
        Up to this many SMEs the search is exact (faiss flat); above, approximate (faiss IVF, 8 cells probed).
    random_state : int
        Seed of the reduction.

    Returns
    -------
    SmeGraph

    Raises
    ------
    ValueError
        Where the arrays disagree in length or a parameter is out of range.

    Examples
    --------
    >>> C = sp.csr_matrix(np.array([[1, 0], [1, 0], [0, 1]], dtype=np.float32))
    >>> R = sp.csr_matrix((3, 2), dtype=np.float32)
    >>> g = build_sme_graph([13.36, 13.37, 13.36], [100.98, 100.99, 100.98], [0, 0, 0], C, R)
    >>> g.rows.tolist(), g.cols.tolist(), [round(float(w), 2) for w in g.weight]
    ([0], [1], [0.95])
    """
    latitude, longitude = np.asarray(latitude, dtype=float), np.asarray(longitude, dtype=float)
    sector = np.asarray(sector, dtype=np.int64)
    concepts, related = sp.csr_matrix(concepts, dtype=np.float32), sp.csr_matrix(related, dtype=np.float32)
    n = len(latitude)
    problems = [f"{name} has {len(a)} rows" for name, a in
                (("longitude", longitude), ("sector", sector)) if len(a) != n]
    problems += [f"{name} has {m.shape[0]} rows" for name, m in (("concepts", concepts), ("related", related))
                 if m.shape[0] != n]
    if concepts.shape[1] != related.shape[1]:
        problems.append(f"concepts has {concepts.shape[1]} columns but related has {related.shape[1]}")
    if n_neighbors < 1 or scale_km <= 0 or max_km <= 0:
        problems.append(f"expected n_neighbors >= 1, scale_km > 0 and max_km > 0, got {n_neighbors}, {scale_km}, {max_km}")
    if problems:
        raise ValueError(f"Expected arrays of {n} SMEs (the length of latitude): " + "; ".join(problems))
    empty = np.zeros(0, dtype=np.int64)
    # SMEs that name no concept can fit no one: leave them out of the search.
    known = np.flatnonzero(np.diff(concepts.indptr) > 0)
    if len(known) < 2:
        return SmeGraph(n, empty, empty, np.zeros(0, np.float32), np.zeros(0), np.zeros(0, bool), max_km)
    lat, lon = np.radians(latitude[known]), np.radians(longitude[known])
    # Chord distance on the globe, in units of scale_km (close to the great circle at these ranges).
    xyz = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)]) * (EARTH_RADIUS_KM / scale_km)
    products = _embed(concepts[known], related[known], n_components, random_state)
    # Unrelated products (distance sqrt 2) weigh as about 2 scale lengths of road apart.
    vectors = np.ascontiguousarray(np.hstack([xyz, 1.5 * products]), dtype=np.float32)
    found = _nearest(vectors, n_neighbors, exact_limit)
    rows = np.repeat(np.arange(len(known)), found.shape[1])
    cols = found.ravel().astype(np.int64)
    valid = (cols >= 0) & (cols != rows)
    rows, cols = known[rows[valid]], known[cols[valid]]
    lo, hi = np.minimum(rows, cols), np.maximum(rows, cols)
    keys = np.unique(lo * n + hi)
    rows, cols = keys // n, keys % n
    km = haversine_km(latitude[rows], longitude[rows], latitude[cols], longitude[cols])
    near = km <= max_km
    rows, cols, km = rows[near], cols[near], km[near]
    shared = _row_dots(concepts, concepts, rows, cols)
    feeds = np.maximum(_row_dots(related, concepts, rows, cols), _row_dots(concepts, related, rows, cols))
    fit = np.maximum(shared, feeds)
    weight = (np.exp(-km / scale_km) * fit * _sector_links()[sector[rows], sector[cols]]).astype(np.float32)
    keep = weight >= min_weight
    return SmeGraph(n, rows[keep], cols[keep], weight[keep], km[keep], (feeds > shared)[keep], max_km)


@dataclass(frozen=True)
class ClusterLabels:
    """The outcome of :func:`find_clusters`, by supplier position.

    ``labels[i]`` is the group of SME ``i`` (-1: left unclustered, reason in
    ``reasons[i]``). ``existing[g]`` is the code of the existing cluster that
    group ``g`` keeps or grows, -1 for a new one; ``added[g]`` how many SMEs
    not yet in a cluster it brings in (0: an existing cluster left as it is).
    """

    labels: np.ndarray
    existing: np.ndarray
    added: np.ndarray
    reasons: np.ndarray

    @property
    def n_groups(self) -> int:
        return len(self.existing)

    def sizes(self) -> np.ndarray:
        """Members of each group after the suggestion."""
        return np.bincount(self.labels[self.labels >= 0], minlength=self.n_groups)

    def suggested(self) -> np.ndarray:
        """Groups that are suggestions: new clusters and existing ones that grow."""
        return np.flatnonzero(self.added > 0)


def _louvain_levels(A: sp.csr_matrix, resolution: float, random_state) -> list[np.ndarray]:
    """Louvain's hierarchy on a symmetric weight matrix: one label array per level, finest first."""
    import networkx as nx

    n = A.shape[0]
    upper = sp.triu(A, format="coo")
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_weighted_edges_from(zip(upper.row.tolist(), upper.col.tolist(), upper.data.tolist()))
    levels = []
    for partition in nx.community.louvain_partitions(G, weight="weight", resolution=resolution, seed=random_state):
        labels = np.empty(n, dtype=np.int64)
        for c, members in enumerate(partition):
            labels[list(members)] = c
        levels.append(labels)
    return levels or [np.arange(n)]


def _cut(levels: list[np.ndarray], size: np.ndarray, max_size: int) -> list[np.ndarray]:
    """Cut the (nested) hierarchy: each community at the coarsest level whose size fits ``max_size``."""
    groups = []
    stack = [(len(levels) - 1, np.flatnonzero(levels[-1] == c)) for c in np.unique(levels[-1])]
    while stack:
        level, nodes = stack.pop()
        if size[nodes].sum() <= max_size or level == 0:
            groups.append(nodes)
            continue
        finer = levels[level - 1][nodes]
        for c in np.unique(finer):
            stack.append((level - 1, nodes[finer == c]))
    return groups


def _split(A: sp.csr_matrix, nodes: np.ndarray, size: np.ndarray, max_size: int) -> list[np.ndarray]:
    """Split free nodes heavier than ``max_size`` into groups grown along their strongest links.

    Such a group is one that Louvain's finest level left whole: SMEs alike and
    close together, which a finer modularity search would cut arbitrarily (and
    slowly); growing from the best-connected SME keeps each piece compact.
    """
    if size[nodes].sum() <= max_size:
        return [nodes]
    sub = A[nodes][:, nodes].tocsr()
    owner = np.full(len(nodes), -1, dtype=np.int64)
    order = np.argsort(-np.asarray(sub.sum(axis=1)).ravel(), kind="stable")
    groups = []
    for start in order.tolist():
        if owner[start] >= 0:
            continue
        owner[start] = len(groups)
        members, heap = [start], []
        while True:
            last = members[-1]
            for m, w in zip(sub.indices[sub.indptr[last]:sub.indptr[last + 1]].tolist(),
                            sub.data[sub.indptr[last]:sub.indptr[last + 1]].tolist()):
                if owner[m] < 0:
                    heapq.heappush(heap, (-w, m))
            while heap and owner[heap[0][1]] >= 0:
                heapq.heappop(heap)
            if not heap or len(members) >= max_size:
                break
            _, m = heapq.heappop(heap)
            owner[m] = len(groups)
            members.append(m)
        groups.append(nodes[np.asarray(members)])
    return groups


def _attach(A: sp.csr_matrix, nodes: np.ndarray, seeds: np.ndarray, room: np.ndarray) -> np.ndarray:
    """Grow seed nodes by their strongest links within ``nodes``, each up to ``room`` members; -1 for the rest.

    Returns the seed index each node of ``nodes`` joins (seeds join themselves).
    """
    position = {int(v): k for k, v in enumerate(nodes)}
    owner = np.full(len(nodes), -1, dtype=np.int64)
    room = room.copy()
    heap = []

    def push(k, s):
        node = nodes[k]
        for nb, w in zip(A.indices[A.indptr[node]:A.indptr[node + 1]], A.data[A.indptr[node]:A.indptr[node + 1]]):
            m = position.get(int(nb))
            if m is not None and owner[m] < 0:
                heapq.heappush(heap, (-float(w), m, s))

    for s, seed in enumerate(seeds):
        owner[position[int(seed)]] = s
    for s, seed in enumerate(seeds):
        push(position[int(seed)], s)
    while heap:
        _, m, s = heapq.heappop(heap)
        if owner[m] >= 0 or room[s] <= 0:
            continue
        owner[m] = s
        room[s] -= 1
        push(m, s)
    return owner


def find_clusters(
    graph: SmeGraph,
    fixed=None,
    *,
    min_size: int = 5,
    max_size: int = 30,
    resolution: float = 1.0,
    random_state=0,
) -> ClusterLabels:
    """Communities of the SME graph within size bounds, existing clusters kept whole.

    The members of each existing cluster (``fixed``) are contracted into one
    node, so Louvain can only move them together; a community holding one is
    presented as that cluster growing, and free SMEs join it by their
    strongest links until it holds ``max_size`` members. The Louvain
    hierarchy is cut at the coarsest level whose communities fit
    ``max_size`` (split further by Louvain at higher resolution where even
    the finest does not). Groups smaller than ``min_size`` merge with the
    neighbouring group they are most strongly linked to where the union
    fits; the others' SMEs are left unclustered with the reason.

    Parameters
    ----------
    graph : SmeGraph
        Nodes are supplier positions.
    fixed : array of int, shape (n_suppliers,), optional
        Existing cluster code of each SME, -1 for none; none are fixed if None.
    min_size, max_size : int
        Bounds on a suggested cluster's members (existing members included).
    resolution : float
        Louvain's resolution: higher gives smaller communities.
    random_state : int
        Louvain's seed.

    Returns
    -------
    ClusterLabels
        Every suggested group (``added > 0``) has between ``min_size`` and
        ``max_size`` members; every SME of existing cluster ``c`` is in the
        one group with ``existing == c``; every other SME is in a suggested
        group or has a reason.

    Raises
    ------
    ValueError
        Where ``1 <= min_size <= max_size`` does not hold or ``fixed`` has the wrong length.

    Examples
    --------
    Two groups of three, linked within and barely across:

    >>> rows, cols = np.array([0, 0, 1, 3, 3, 4, 2]), np.array([1, 2, 2, 4, 5, 5, 3])
    >>> w = np.array([1, 1, 1, 1, 1, 1, 0.1], dtype=np.float32)
    >>> g = SmeGraph(6, rows, cols, w, np.zeros(7), np.zeros(7, bool))
    >>> find_clusters(g, min_size=2, max_size=4).labels.tolist()
    [0, 0, 0, 1, 1, 1]
    >>> found = find_clusters(g, np.array([-1, -1, -1, 0, 0, -1]), min_size=2, max_size=4)
    >>> found.labels.tolist(), found.existing.tolist(), found.added.tolist()
    ([0, 0, 0, 1, 1, 1], [-1, 0], [3, 1])
    """
    n = graph.n_nodes
    if not 1 <= min_size <= max_size:
        raise ValueError(f"Expected 1 <= min_size <= max_size, got min_size = {min_size}, max_size = {max_size}")
    fixed = np.full(n, -1, dtype=np.int64) if fixed is None else np.asarray(fixed, dtype=np.int64)
    if fixed.shape != (n,):
        raise ValueError(f"Expected fixed of length {n} (the graph's nodes), got {fixed.shape}")
    # Units: one per existing cluster (codes 0..n_fixed-1), then one per free SME.
    codes = np.unique(fixed[fixed >= 0])
    n_fixed = len(codes)
    free = np.flatnonzero(fixed < 0)
    unit = np.empty(n, dtype=np.int64)
    unit[fixed >= 0] = np.searchsorted(codes, fixed[fixed >= 0])
    unit[free] = n_fixed + np.arange(len(free))
    n_units = n_fixed + len(free)
    size = np.bincount(unit, minlength=n_units)
    A_nodes = graph.adjacency()
    contract = sp.csr_matrix((np.ones(n, dtype=np.float32), (np.arange(n), unit)), shape=(n, n_units))
    A = (contract.T @ A_nodes @ contract).tocsr()
    A_links = A.copy()
    A_links.setdiag(0)
    A_links.eliminate_zeros()

    levels = _louvain_levels(A, resolution, random_state)
    groups: list[tuple[int, list[int]]] = []  # (existing unit or -1, units)
    for nodes in _cut(levels, size, max_size):
        seeds = nodes[nodes < n_fixed]
        loose = nodes[nodes >= n_fixed]
        if len(seeds):
            owner = _attach(A_links, nodes, seeds, np.maximum(max_size - size[seeds], 0))
            for s, seed in enumerate(seeds):
                groups.append((int(seed), [int(u) for u in nodes[(owner == s) & (nodes != seed)]]))
            loose = nodes[owner < 0]
        if len(loose):
            groups += [(-1, part.tolist()) for part in _split(A_links, loose, size, max_size)]

    groups = _merge_small(A_links, groups, size, min_size, max_size)
    existing, added = [], []
    reasons = np.full(n, "", dtype=object)
    has_link = np.diff(A_nodes.indptr) > 0
    unit_label = np.full(n_units, -1, dtype=np.int64)
    for seed, units in groups:
        total = _group_size(size, seed, units)
        if seed >= 0:
            unit_label[seed] = len(existing)
        elif total < min_size:
            _too_small(reasons, free[np.asarray(units, dtype=np.int64) - n_fixed], total, min_size, has_link, graph.max_km)
            continue
        if total >= min_size:
            unit_label[units] = len(existing)
            added.append(len(units))
        else:  # an existing cluster stays as it is; the SMEs it would take are too few
            _too_small(reasons, free[np.asarray(units, dtype=np.int64) - n_fixed], total, min_size, has_link, graph.max_km)
            added.append(0)
        existing.append(int(codes[seed]) if seed >= 0 else -1)
    labels = unit_label[unit]
    # Number groups by their first member, so that labels do not depend on Louvain's order.
    clustered = np.flatnonzero(labels >= 0)
    first = np.full(len(existing), n, dtype=np.int64)
    np.minimum.at(first, labels[clustered], clustered)
    order = np.argsort(first, kind="stable")
    renumber = np.empty(len(order), dtype=np.int64)
    renumber[order] = np.arange(len(order))
    labels[clustered] = renumber[labels[clustered]]
    existing, added = np.asarray(existing, dtype=np.int64)[order], np.asarray(added, dtype=np.int64)[order]
    return ClusterLabels(labels, existing, added, reasons)


def _group_size(size: np.ndarray, seed: int, units) -> int:
    """Members of a group: its existing cluster's (if any) and its free SMEs."""
    return int((size[seed] if seed >= 0 else 0) + (size[np.asarray(units, dtype=np.int64)].sum() if len(units) else 0))


def _too_small(reasons, nodes, total: int, min_size: int, has_link, max_km: float) -> None:
    """Say why SMEs of a group below ``min_size`` are left unclustered."""
    for i in nodes:
        reasons[i] = (f"too small: {total} members < min {min_size}" if has_link[i] else
                      f"no neighbour: no SME within {max_km:.0f} km makes the same, complementary "
                      "or a linked sector's products")


def _merge_small(A: sp.csr_matrix, groups, size, min_size: int, max_size: int):
    """Merge each group under ``min_size`` into its most strongly linked neighbour where the union fits."""
    groups = [(seed, list(units)) for seed, units in groups]
    n_units = A.shape[0]
    while True:
        total = np.array([_group_size(size, s, u) for s, u in groups], dtype=np.int64)
        small = np.flatnonzero(total < min_size)
        if not len(small):
            return groups
        member_of = np.full(n_units, -1, dtype=np.int64)
        for g, (seed, units) in enumerate(groups):
            member_of[units] = g
            if seed >= 0:
                member_of[seed] = g
        M = sp.csr_matrix((np.ones(n_units), (np.arange(n_units), member_of)), shape=(n_units, len(groups)))
        between = (M.T @ A @ M).tocsr()
        between.setdiag(0)
        between.eliminate_zeros()
        merged, changed = {}, False
        # Strongest links first; each group takes part in one merge per round.
        offers = []
        for g in small:
            if groups[g][0] >= 0 and not groups[g][1]:
                continue  # an existing cluster left alone is no suggestion; nothing to merge
            lo, hi = between.indptr[g], between.indptr[g + 1]
            for h, w in zip(between.indices[lo:hi].tolist(), between.data[lo:hi].tolist()):
                if total[g] + total[h] <= max_size and not (groups[g][0] >= 0 and groups[h][0] >= 0):
                    offers.append((-w, int(g), int(h)))
        for _, g, h in sorted(offers):
            if g in merged or h in merged:
                continue
            keep, drop = (h, g) if groups[g][0] < 0 else (g, h)
            groups[keep] = (groups[keep][0], groups[keep][1] + groups[drop][1])
            groups[drop] = (-1, [])
            merged[g] = merged[h] = True
            changed = True
        groups = [(s, u) for s, u in groups if s >= 0 or u]
        if not changed:
            return groups


def score_clustering(graph: SmeGraph, labels, complementary_pairs=None) -> dict:
    """Quality of a clustering: modularity, distances within clusters, complementary partners.

    Parameters
    ----------
    graph : SmeGraph
    labels : array of int, shape (n_suppliers,)
        Group of each SME, -1 where unclustered (each counts as a community of one).
    complementary_pairs : tuple of arrays (rows, cols), optional
        Pairs of SMEs where one's products are inputs to the other's; the
        graph's complementary edges if None.

    Returns
    -------
    dict
        ``modularity`` (Newman's, resolution 1, over the graph's weights),
        ``median_km_within`` (median distance over all pairs of members of a
        cluster), ``complementary_share`` (share of clustered SMEs with a
        complementary partner in their cluster), ``clustered``, ``unclustered``,
        ``unclustered_share``.

    Examples
    --------
    >>> g = SmeGraph(4, np.array([0, 2]), np.array([1, 3]), np.ones(2), np.array([5.0, 7.0]), np.array([True, False]))
    >>> q = score_clustering(g, np.array([0, 0, 1, 1]))
    >>> q["modularity"], q["complementary_share"], q["unclustered_share"]
    (0.5, 0.5, 0.0)
    """
    labels = np.asarray(labels, dtype=np.int64)
    n = graph.n_nodes
    community = np.where(labels >= 0, labels, labels.max(initial=-1) + 1 + np.arange(n))
    total_weight = float(graph.weight.sum())
    modularity = 0.0
    if total_weight > 0:
        inside = community[graph.rows] == community[graph.cols]
        degree = np.bincount(graph.rows, weights=graph.weight, minlength=n) + np.bincount(graph.cols, weights=graph.weight, minlength=n)
        community_degree = np.bincount(community, weights=degree)
        modularity = float(graph.weight[inside].sum() / total_weight - ((community_degree / (2 * total_weight)) ** 2).sum())
    clustered = labels >= 0
    if complementary_pairs is None:
        complementary_pairs = (graph.rows[graph.complementary], graph.cols[graph.complementary])
    a, b = (np.asarray(x, dtype=np.int64) for x in complementary_pairs)
    together = (labels[a] == labels[b]) & (labels[a] >= 0)
    has_partner = np.zeros(n, dtype=bool)
    has_partner[a[together]] = has_partner[b[together]] = True
    return {
        "modularity": round(modularity, 4),
        "median_km_within": None,  # filled by the caller that knows positions
        "complementary_share": round(float(has_partner[clustered].mean()), 4) if clustered.any() else 0.0,
        "clustered": int(clustered.sum()),
        "unclustered": int((~clustered).sum()),
        "unclustered_share": round(float((~clustered).mean()), 4) if n else 0.0,
    }


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class ClusterBuyer:
    """A buyer a suggested cluster could serve together, ranked by the matcher's score."""

    buyer_id: str
    rank: int
    score: float
    reasons: str
    reasons_th: str
    demand_thb_per_month: float | None
    demand_covered: float | None  # combined capacity / demand, where both are known
    beyond_any_member: bool  # its demand exceeds every member's own capacity: only the cluster can serve it


@dataclass(frozen=True)
class ClusterSuggestion:
    """One suggested cluster: who, where, what, how much, and for whom."""

    cluster_id: str
    kind: str  # "new" or "grow"
    existing_cluster: str | None
    title: str
    members: tuple[str, ...]  # every member after the suggestion, existing ones included
    added: tuple[str, ...]  # the SMEs invited
    moved_from: dict[str, str]  # invited SMEs now in another cluster (only where asked to regroup)
    sectors: dict[str, int]
    provinces: dict[str, int]
    centre: tuple[float, float]
    spread_km: float  # median distance of members from the centre
    max_km: float  # farthest member from the centre
    concepts: tuple[str, ...]
    concepts_th: tuple[str, ...]
    complementary_links: tuple[tuple[str, str], ...]  # (supplying concept, concept it goes into)
    capacity_thb_per_month: float | None
    capacity_known: int  # members whose capacity is known
    buyers: tuple[ClusterBuyer, ...] = ()


@dataclass
class ClusterReport:
    """Suggested clusters, SMEs left unclustered with the reason, and the quality of the clustering."""

    suggestions: list[ClusterSuggestion]
    unclustered: dict[str, str]
    quality: dict
    parameters: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)


def _centre(lat: np.ndarray, lon: np.ndarray) -> tuple[float, float]:
    return float(np.mean(lat)), float(np.mean(lon))


def _pseudo_suppliers(S: SupplierTable, groups: list[np.ndarray], names: list[str]) -> SupplierTable:
    """Each group as one supplier: centre, summed capacity, certifications any member holds, any route."""
    n_groups = len(groups)
    membership = sp.csr_matrix(
        (np.ones(sum(len(g) for g in groups), dtype=np.float32),
         (np.repeat(np.arange(n_groups), [len(g) for g in groups]), np.concatenate(groups))),
        shape=(n_groups, len(S)))

    def majority(values, g):
        return Counter(values[g].tolist()).most_common(1)[0][0]

    capacity = np.array([np.nansum(S.capacity[g]) if (~np.isnan(S.capacity[g])).any() else np.nan for g in groups])
    certifications = membership @ S.certifications
    certifications.data[:] = 1
    return SupplierTable(
        ids=np.array(names, dtype=object),
        names=np.array(names, dtype=object),
        texts=["; ".join(S.texts[i] for i in g) for g in groups],
        sector=np.array([majority(S.sector, g) for g in groups], dtype=np.int8),
        region=np.array([majority(S.region, g) for g in groups], dtype=np.int8),
        province=np.array([majority(S.province, g) for g in groups], dtype=object),
        latitude=np.array([S.latitude[g].mean() for g in groups]),
        longitude=np.array([S.longitude[g].mean() for g in groups]),
        capacity=capacity,
        max_buyers=np.array([int(np.median(S.max_buyers[g])) for g in groups], dtype=np.int64),
        export_ready=np.array([S.export_ready[g].any() for g in groups]),
        otop=np.array([S.otop[g].any() for g in groups]),
        cluster=np.array(names, dtype=object),
        certifications=sp.csr_matrix(certifications),
    )


def _rank_cluster_buyers(context, engine, groups, names, top_k: int):
    """Each group's top buyers, scored as one pseudo-supplier by the matcher's features and scorer."""
    from .engine import MatchContext

    S = context.suppliers
    n_groups = len(groups)
    membership = sp.csr_matrix(
        (np.ones(sum(len(g) for g in groups), dtype=np.float32),
         (np.repeat(np.arange(n_groups), [len(g) for g in groups]), np.concatenate(groups))),
        shape=(n_groups, len(S)))
    blocks = {name: normalize(sp.csr_matrix(membership @ block)) for name, block in context.supplier_blocks.items()}
    if "direct" in blocks:  # 0/1: the concepts any member names itself
        blocks["direct"] = sp.csr_matrix((membership @ context.supplier_blocks["direct"]) > 0, dtype=np.float32)
    track = TrackRecord(membership @ context.track.proposals, membership @ context.track.accepted)
    cluster_context = MatchContext(
        suppliers=_pseudo_suppliers(S, groups, names), buyers=context.buyers, vectorizer=context.vectorizer,
        supplier_blocks=blocks, buyer_blocks=context.buyer_blocks, track=track,
        certification_names=context.certification_names,
    )
    candidates = build_candidates(cluster_context.X_suppliers, cluster_context.X_buyers, cluster_context.suppliers,
                                  context.buyers, n_per_buyer=1, n_per_supplier=top_k)
    if not len(candidates):
        return {}
    features = cluster_context.pair_features(candidates.rows, candidates.cols, candidates.similarity)
    scores = engine.score(features)
    idx, rank = rank_top_k(candidates.rows, scores, top_k)
    reasons_en = cluster_context.explain(features, idx)
    reasons_th = cluster_context.explain(features, idx, "th")
    B = context.buyers
    best_member = np.array([np.nanmax(S.capacity[g]) if (~np.isnan(S.capacity[g])).any() else np.nan for g in groups])
    capacity = cluster_context.suppliers.capacity
    found: dict[int, list[ClusterBuyer]] = {}
    for k, r, en, th in zip(idx.tolist(), rank.tolist(), reasons_en, reasons_th):
        g, j = int(candidates.rows[k]), int(candidates.cols[k])
        demand = None if np.isnan(B.demand[j]) else float(B.demand[j])
        covered = None if demand is None or np.isnan(capacity[g]) else round(float(capacity[g]) / max(demand, 1.0), 3)
        beyond = demand is not None and not np.isnan(best_member[g]) and demand > best_member[g]
        if beyond:
            en = f"together they meet a demand no single member can ({covered:.0%} covered); " + en
            th = f"ร่วมกันรับคำสั่งซื้อที่สมาชิกรายเดียวรับไม่ได้ (ครอบคลุม {covered:.0%}); " + th
        found.setdefault(g, []).append(ClusterBuyer(
            buyer_id=str(B.ids[j]), rank=int(r), score=round(float(scores[k]), 4), reasons=en, reasons_th=th,
            demand_thb_per_month=demand, demand_covered=covered, beyond_any_member=bool(beyond)))
    return found


def suggest_clusters(
    context,
    *,
    engine=None,
    min_size: int = 5,
    max_size: int = 30,
    keep_existing: bool = True,
    n_neighbors: int = 8,
    scale_km: float = 30.0,
    max_km: float = 100.0,
    resolution: float = 1.0,
    top_k_buyers: int = 5,
    random_state=0,
) -> ClusterReport:
    """Suggest clusters for a prepared register, each explained, with the quality of the whole.

    Parameters
    ----------
    context : MatchContext
        From ``MatchEngine().prepare(suppliers, buyers, history)``; rows are supplier positions.
    engine : MatchEngine, optional
        Scores the cluster-level shortlists (its model, else the prior); a default engine if None.
    min_size, max_size : int
        Bounds on a suggested cluster's members, existing members included.
    keep_existing : bool
        Keep SMEs in their existing cluster (``Supplier.cluster``); where
        False, every SME may be regrouped and each suggestion names the
        invited SMEs that now belong to another cluster (``moved_from``).
    n_neighbors, scale_km, max_km : int, float, float
        The SME graph's search width, proximity scale and longest link (:func:`build_sme_graph`).
    resolution : float
        Louvain's resolution.
    top_k_buyers : int
        Buyers listed per suggestion (0 for none).
    random_state : int

    Returns
    -------
    ClusterReport
        Suggestions (new clusters, then existing ones that grow, largest
        first), every SME neither in a cluster nor in a suggestion with the
        reason, and the clustering's quality.

    Examples
    --------
    >>> from tiermatch.features import Buyer, Supplier
    >>> from tiermatch.matcher import MatchEngine
    >>> s = [Supplier(supplier_id=f"S{i}", name=f"Press {i}", sector="automotive", products="stamped metal parts",
    ...               province="Rayong", capacity_thb_per_month=1_000_000) for i in range(5)]
    >>> b = [Buyer(buyer_id="B1", name="Seats", buyer_type="first_tier", sector="automotive",
    ...            needs="stamped metal parts", province="Rayong", demand_thb_per_month=4_000_000)]
    >>> report = suggest_clusters(MatchEngine().prepare(s, b), min_size=3, max_size=10)
    >>> [(x.title, x.capacity_thb_per_month, [c.buyer_id for c in x.buyers]) for x in report.suggestions]
    [('new cluster of 5 SMEs in Rayong (automotive)', 5000000.0, ['B1'])]
    """
    import time

    from .engine import MatchEngine

    engine = engine or MatchEngine()
    S = context.suppliers
    timings = {}
    started = time.perf_counter()
    concepts, related = context.supplier_blocks["concepts"], context.supplier_blocks["related"]
    graph = build_sme_graph(S.latitude, S.longitude, S.sector, concepts, related, n_neighbors=n_neighbors,
                            scale_km=scale_km, max_km=max_km, random_state=random_state)
    timings["graph"] = round(time.perf_counter() - started, 3)
    names, fixed = np.unique(S.cluster, return_inverse=True)
    fixed = np.where(S.cluster == "", -1, fixed) if keep_existing else np.full(len(S), -1)
    started = time.perf_counter()
    found = find_clusters(graph, fixed, min_size=min_size, max_size=max_size, resolution=resolution,
                          random_state=random_state)
    timings["communities"] = round(time.perf_counter() - started, 3)

    started = time.perf_counter()
    report = _describe(context, graph, found, names, keep_existing, engine, top_k_buyers)
    report.parameters = dict(min_size=min_size, max_size=max_size, keep_existing=keep_existing, n_neighbors=n_neighbors,
                             scale_km=scale_km, max_km=max_km, resolution=resolution, random_state=random_state)
    timings["explain"] = round(time.perf_counter() - started, 3)
    report.timings = timings
    return report


def _within_pairs(groups: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Every unordered pair of members of each group."""
    rows, cols = [], []
    for g in groups:
        a, b = np.triu_indices(len(g), 1)
        rows.append(g[a])
        cols.append(g[b])
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(rows), np.concatenate(cols)


def _describe(context, graph: SmeGraph, found: ClusterLabels, names, keep_existing: bool, engine, top_k: int):
    """Turn positions into the report: ids, places, concepts, capacities, buyers, quality."""
    S = context.suppliers
    mapper = context.vectorizer.mapper_
    vocabulary = mapper.vocabulary_
    suggested = found.suggested()
    groups = [np.flatnonzero(found.labels == g) for g in suggested]
    existing_names = [names[c] if c >= 0 else None for c in found.existing[suggested]]
    new_count = 0
    cluster_ids = []
    for name in existing_names:
        if name is None:
            new_count += 1
            cluster_ids.append(f"NEW-{new_count:03d}")
        else:
            cluster_ids.append(str(name))

    # Complementary pairs within each suggestion, from the input-output relation itself.
    a, b = _within_pairs(groups)
    concepts, related = context.supplier_blocks["concepts"], context.supplier_blocks["related"]
    feeds_ab = _row_dots(related, concepts, a, b) if len(a) else np.zeros(0)
    feeds_ba = _row_dots(related, concepts, b, a) if len(a) else np.zeros(0)
    complementary = (feeds_ab > 0.05) | (feeds_ba > 0.05)
    labels_suggested = np.full(len(S), -1, dtype=np.int64)
    for k, g in enumerate(groups):
        labels_suggested[g] = k
    quality = score_clustering(graph, found.labels, (a[complementary], b[complementary]))
    # Quality of the suggestions themselves: complementary partners and distances among their members.
    in_suggestion = labels_suggested >= 0
    partner = np.zeros(len(S), dtype=bool)
    partner[a[complementary]] = partner[b[complementary]] = True
    km = haversine_km(S.latitude[a], S.longitude[a], S.latitude[b], S.longitude[b])
    quality["median_km_within"] = round(float(np.median(km)), 2) if len(km) else None
    quality["complementary_share"] = round(float(partner[in_suggestion].mean()), 4) if in_suggestion.any() else 0.0
    unclustered = {str(S.ids[i]): str(found.reasons[i]) for i in np.flatnonzero(found.labels < 0)}
    why = Counter(reason.split(":")[0] for reason in unclustered.values())
    quality.update(
        suggestions=len(groups),
        new_clusters=int(sum(n is None for n in existing_names)),
        grown_clusters=int(sum(n is not None for n in existing_names)),
        smes=len(S),
        in_existing_clusters=int((S.cluster != "").sum()),
        invited=int(found.added[suggested].sum()),
        unclustered=len(unclustered),
        unclustered_share=round(len(unclustered) / max(len(S), 1), 4),
        unclustered_reasons=dict(why),
        graph_edges=len(graph),
    )

    buyers = _rank_cluster_buyers(context, engine, groups, cluster_ids, top_k) if top_k and groups else {}
    suggestions = []
    for k, (g, name) in enumerate(zip(groups, existing_names)):
        lat, lon = _centre(S.latitude[g], S.longitude[g])
        from_centre = haversine_km(S.latitude[g], S.longitude[g], lat, lon)
        if name is None:
            added = g
        else:
            added = g[S.cluster[g] != name]
        moved = {str(S.ids[i]): str(S.cluster[i]) for i in added if S.cluster[i] and S.cluster[i] != name}
        named = _direct(context, g)
        counts = named.sum(axis=0)
        top_concepts = np.flatnonzero(counts)[np.argsort(-counts[counts > 0], kind="stable")][:12]
        links = _links(context, g)
        capacity = S.capacity[g]
        sectors = Counter(SECTORS[s] for s in S.sector[g].tolist())
        provinces = Counter(S.province[g].tolist())
        where = provinces.most_common(1)[0][0]
        main_sector = sectors.most_common(1)[0][0]
        if name is None:
            title = f"new cluster of {len(g)} SMEs in {where} ({main_sector})"
        else:
            title = f"grow cluster {name} with {len(added)} SME(s): " + ", ".join(str(S.ids[i]) for i in added[:10]) + (
                ", ..." if len(added) > 10 else "")
        suggestions.append(ClusterSuggestion(
            cluster_id=cluster_ids[k], kind="new" if name is None else "grow", existing_cluster=name, title=title,
            members=tuple(str(S.ids[i]) for i in g), added=tuple(str(S.ids[i]) for i in added),
            moved_from=moved if not keep_existing else {}, sectors=dict(sectors), provinces=dict(provinces),
            centre=(round(lat, 5), round(lon, 5)), spread_km=round(float(np.median(from_centre)), 2),
            max_km=round(float(from_centre.max()), 2),
            concepts=tuple(vocabulary[c].name_en for c in top_concepts),
            concepts_th=tuple(vocabulary[c].name_th for c in top_concepts),
            complementary_links=links,
            capacity_thb_per_month=float(np.nansum(capacity)) if (~np.isnan(capacity)).any() else None,
            capacity_known=int((~np.isnan(capacity)).sum()),
            buyers=tuple(buyers.get(k, ())),
        ))
    order = sorted(range(len(suggestions)), key=lambda k: (suggestions[k].kind != "new", -len(suggestions[k].members),
                                                           suggestions[k].cluster_id))
    return ClusterReport([suggestions[k] for k in order], unclustered, quality)


def _direct(context, members: np.ndarray) -> np.ndarray:
    """Dense 0/1 ``(n_members, n_concepts)``: the concepts each member names itself, not only an ancestor."""
    blocks = context.supplier_blocks
    if "direct" in blocks:
        return blocks["direct"][members].toarray() > 0
    C = blocks["concepts"][members].toarray()  # without the block: a row's largest weights
    return (C > 0) & (C >= 0.999 * C.max(axis=1, keepdims=True))


def _links(context, members: np.ndarray, limit: int = 5) -> tuple[tuple[str, str], ...]:
    """Input-output links among members' concepts: (concept supplied, concept it goes into), strongest first."""
    mapper = context.vectorizer.mapper_
    vocabulary = mapper.vocabulary_
    made = _direct(context, members).any(axis=0)
    related = mapper.related_concepts_
    sub = sp.csr_matrix(related[made][:, made]).tocoo()
    source, target = np.flatnonzero(made)[sub.row], np.flatnonzero(made)[sub.col]
    keep = source != target
    order = np.argsort(-sub.data[keep], kind="stable")[:limit]
    return tuple((vocabulary[s].name_en, vocabulary[t].name_en) for s, t in zip(source[keep][order], target[keep][order]))
