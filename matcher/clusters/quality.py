"""The quality of a clustering: modularity, distances within clusters, complementary partners."""

from __future__ import annotations

import numpy as np

from .graph import SmeGraph

__all__ = ["score_clustering"]


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
