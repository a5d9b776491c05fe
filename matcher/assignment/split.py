"""Splitting a candidate graph too large for one solve into parts assigned apart."""

from __future__ import annotations

import numpy as np

__all__ = ["split_candidate_graph"]


def split_candidate_graph(rows, cols, scores, n_suppliers: int, n_buyers: int, max_arcs: int, *, buyer_groups=None):
    """Split a candidate graph too large for one solve into parts that can be assigned apart.

    Connected components share no supplier and no buyer, so assigning them
    apart loses nothing; they are packed, in order, into parts of about
    ``max_arcs`` arcs. A component larger than that is split by the group of
    its buyers (``buyer_groups``, e.g. sector): each supplier stays in the
    group of its best-scoring arc and its arcs into other groups are dropped,
    which may lose score; the report says how many arcs went.

    Returns
    -------
    parts : list of ndarray of int
        Arc positions of each part.
    report : dict
        ``parts``, ``method``, ``arcs_dropped``, ``score_dropped`` and ``optimal`` (True when nothing was dropped).

    Examples
    --------
    >>> parts, report = split_candidate_graph([0, 1, 2, 2], [0, 0, 1, 2], [1, 1, 1, 1], 3, 3, max_arcs=2)
    >>> [p.tolist() for p in parts], report["optimal"]
    ([[0, 1], [2, 3]], True)
    """
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    rows, cols, scores = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), np.asarray(scores, dtype=float)
    report = {"parts": 1, "method": "whole graph", "arcs_dropped": 0, "score_dropped": 0.0, "optimal": True}
    if len(rows) <= max_arcs:
        return [np.arange(len(rows))], report
    graph = sp.coo_matrix((np.ones(len(rows)), (rows, n_suppliers + cols)), shape=(n_suppliers + n_buyers,) * 2)
    _, labels = connected_components(graph, directed=False)
    label = labels[rows]
    keep = np.ones(len(rows), dtype=bool)
    sizes = np.bincount(label)
    method = "connected components"
    if buyer_groups is not None and (sizes > max_arcs).any():
        method = "connected components, the largest then by buyer sector"
        group = np.asarray(buyer_groups)[cols].astype(np.int64)
        for giant in np.flatnonzero(sizes > max_arcs):
            arcs = np.flatnonzero(label == giant)
            best = arcs[np.lexsort((-scores[arcs], rows[arcs]))]
            first = np.r_[True, rows[best][1:] != rows[best][:-1]]
            home = dict(zip(rows[best][first].tolist(), group[best][first].tolist()))
            stays = group[arcs] == np.array([home[r] for r in rows[arcs].tolist()])
            keep[arcs[~stays]] = False
            label[arcs] = labels.max() + 1 + group[arcs]  # one new component per group
    kept = np.flatnonzero(keep)
    order = kept[np.argsort(label[kept], kind="stable")]
    _, first, counts = np.unique(label[order], return_index=True, return_counts=True)
    part_of_component = (np.cumsum(counts) - counts) // max_arcs
    part = np.repeat(part_of_component, counts)
    parts = [order[part == k] for k in np.unique(part)]
    dropped = ~keep
    report.update(parts=len(parts), method=method, arcs_dropped=int(dropped.sum()),
                  score_dropped=round(float(scores[dropped].sum()), 4), optimal=not dropped.any())
    return parts, report
