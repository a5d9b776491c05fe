"""Ranked shortlists from sparse scores."""

from __future__ import annotations

import numpy as np

__all__ = ["rank_top_k"]


def rank_top_k(groups: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Pick each group's k best entries.

    Parameters
    ----------
    groups : ndarray of int, shape (n_pairs,)
        The group of each pair (buyer positions for buyers' shortlists,
        supplier positions for SMEs' recommendations).
    scores : ndarray, shape (n_pairs,)
        Higher is better; ties keep the input order.
    k : int

    Returns
    -------
    index : ndarray of int
        Positions into the pairs, grouped by group ascending, best first.
    rank : ndarray of int
        1 for the best of each group.

    Examples
    --------
    >>> idx, rank = rank_top_k(np.array([0, 0, 1, 0]), np.array([0.1, 0.9, 0.5, 0.4]), 2)
    >>> idx.tolist(), rank.tolist()
    ([1, 3, 2], [1, 2, 1])
    """
    if k < 1:
        raise ValueError(f"Expected k >= 1, got k = {k}")
    order = np.lexsort((np.arange(len(scores)), -np.asarray(scores), groups))
    sorted_groups = np.asarray(groups)[order]
    rank = np.arange(len(order)) - np.searchsorted(sorted_groups, sorted_groups, side="left") + 1
    keep = rank <= k
    return order[keep], rank[keep]
