"""Communities of the SME graph: Louvain, cut to size, with existing clusters kept whole."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .graph import SmeGraph

__all__ = ["ClusterLabels", "find_clusters"]


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
