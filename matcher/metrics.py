"""Ranking metrics: how good is each buyer's shortlist?

Each function takes *ranked relevance lists*: one list per query (a buyer),
holding the relevance of the items it was shown, best-ranked first. Gains
are linear (``rel / log2(rank + 1)``), as in :func:`sklearn.metrics.ndcg_score`,
so a deal worth 2 counts twice an acceptance worth 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import rankdata

__all__ = ["dcg_at_k", "grouped_auc", "ndcg_at_k", "precision_at_k", "recall_at_k"]


def _check_k(k: int) -> int:
    """``k`` as an int, or a ValueError."""
    if int(k) != k or k < 1:
        raise ValueError(f"Expected k to be a positive integer, got {k!r}")
    return int(k)


def dcg_at_k(relevance: Sequence[float], k: int) -> float:
    """Discounted cumulative gain of the first ``k`` items of one ranked list.

    Parameters
    ----------
    relevance : sequence of float, shape (n_items,)
        Relevance of the items in ranked order (best-ranked first).
    k : int
        Only the first ``k`` items count.

    Returns
    -------
    float
        ``sum(relevance[r] / log2(r + 2) for r < k)``.

    Examples
    --------
    >>> round(dcg_at_k([3, 2, 0, 1], k=4), 4)  # 3/1 + 2/log2(3) + 0 + 1/log2(5)
    4.6925
    """
    k = _check_k(k)
    gains = np.asarray(relevance, dtype=float)[:k]
    return float(gains @ (1.0 / np.log2(np.arange(2, len(gains) + 2))))


def ndcg_at_k(
    ranked_relevance_lists: Sequence[Sequence[float]],
    k: int,
    ideal_relevance_lists: Sequence[Sequence[float]] | None = None,
) -> float:
    """Mean normalised DCG@k over queries.

    Parameters
    ----------
    ranked_relevance_lists : sequence of sequences of float
        Per query, the relevance of the items shown, best-ranked first.
    k : int
        Cut-off.
    ideal_relevance_lists : sequence of sequences of float, optional
        Per query, the relevance of *every* item that could have been shown
        (any order). The ideal DCG is that of its best ``k``. Where None, the
        ideal is the shown list re-sorted, which rewards a ranking that misses
        relevant items altogether; pass the full relevance when you know it.

    Returns
    -------
    float
        Mean over queries whose ideal DCG is positive (a query with nothing
        relevant cannot be ranked well or badly); NaN if there is none.

    Raises
    ------
    ValueError
        If ``k`` is not a positive integer, or the two lists differ in length.

    Examples
    --------
    >>> round(ndcg_at_k([[0, 1]], k=2), 4)  # (1/log2(3)) / 1
    0.6309
    >>> ndcg_at_k([[1, 0]], k=2, ideal_relevance_lists=[[1, 1, 0]])  # one of two relevant found
    0.6131471927654584
    >>> ndcg_at_k([[0, 0]], k=2)
    nan
    """
    k = _check_k(k)
    if ideal_relevance_lists is None:
        ideal_relevance_lists = ranked_relevance_lists
    elif len(ideal_relevance_lists) != len(ranked_relevance_lists):
        raise ValueError(f"Expected one ideal list per ranked list, got {len(ideal_relevance_lists)} ideal "
                         f"and {len(ranked_relevance_lists)} ranked lists")
    values = []
    for ranked, ideal in zip(ranked_relevance_lists, ideal_relevance_lists):
        best = np.sort(np.asarray(ideal, dtype=float))[::-1]
        ideal_dcg = dcg_at_k(best, k)
        if ideal_dcg > 0:
            values.append(dcg_at_k(ranked, k) / ideal_dcg)
    return float(np.mean(values)) if values else float("nan")


def recall_at_k(ranked_relevance_lists: Sequence[Sequence[float]], n_relevant: Sequence[int], k: int) -> float:
    """Mean share of each query's relevant items found in its first ``k``.

    Parameters
    ----------
    ranked_relevance_lists : sequence of sequences of float
        Per query, the relevance of the items shown, best-ranked first; an item
        is relevant where its relevance is positive.
    n_relevant : sequence of int, shape (n_queries,)
        Per query, how many relevant items exist in all (shown or not).
    k : int
        Cut-off.

    Returns
    -------
    float
        Mean over queries with ``n_relevant > 0``; NaN if there is none. Where a
        query has more than ``k`` relevant items its recall cannot reach 1.

    Examples
    --------
    >>> recall_at_k([[1, 0, 2], [0, 0, 1]], n_relevant=[4, 1], k=2)  # (1/4 + 0/1) / 2
    0.125
    """
    k = _check_k(k)
    if len(n_relevant) != len(ranked_relevance_lists):
        raise ValueError(f"Expected one n_relevant per ranked list, got {len(n_relevant)} "
                         f"and {len(ranked_relevance_lists)} ranked lists")
    values = []
    for ranked, total in zip(ranked_relevance_lists, n_relevant):
        if total < 0:
            raise ValueError(f"Expected n_relevant >= 0, got {total}")
        if total > 0:
            found = int(np.count_nonzero(np.asarray(ranked, dtype=float)[:k] > 0))
            if found > total:
                raise ValueError(f"Expected n_relevant >= the relevant items shown, got {total} < {found}")
            values.append(found / total)
    return float(np.mean(values)) if values else float("nan")


def precision_at_k(ranked_relevance_lists: Sequence[Sequence[float]], k: int) -> float:
    """Mean share of relevant items among each query's first ``k`` slots.

    A list shorter than ``k`` counts its empty slots as misses.

    Examples
    --------
    >>> precision_at_k([[1, 0, 2], [0]], k=2)  # (1/2 + 0/2) / 2
    0.25
    """
    k = _check_k(k)
    if not len(ranked_relevance_lists):
        return float("nan")
    return float(np.mean([np.count_nonzero(np.asarray(r, dtype=float)[:k] > 0) / k for r in ranked_relevance_lists]))


def grouped_auc(y_true, scores, groups) -> tuple[float, np.ndarray, np.ndarray]:
    """Area under the ROC curve within each group, and their mean.

    The chance that, within one group (a buyer), a positive row scores above a
    negative one; ties count one half. Groups with only one class are left out.

    Parameters
    ----------
    y_true : array of bool or {0, 1}, shape (n_rows,)
    scores : array of float, shape (n_rows,)
    groups : array, shape (n_rows,)
        Group label of each row.

    Returns
    -------
    mean_auc : float
        Mean over groups with both classes; NaN if there is none.
    group_labels : ndarray, shape (n_scored_groups,)
        The groups that were scored, sorted.
    group_auc : ndarray of float, shape (n_scored_groups,)

    Examples
    --------
    >>> mean, labels, per_group = grouped_auc([1, 0, 0, 1, 0, 1], [.9, .1, .5, .2, .8, .9], ["a"] * 3 + ["b"] * 3)
    >>> labels.tolist(), per_group.tolist(), mean
    (['a', 'b'], [1.0, 0.5], 0.75)
    """
    y_true = np.asarray(y_true).astype(bool)
    scores = np.asarray(scores, dtype=float)
    groups = np.asarray(groups)
    if not (len(y_true) == len(scores) == len(groups)):
        raise ValueError(f"Expected y_true, scores and groups of one length, got {len(y_true)}, "
                         f"{len(scores)} and {len(groups)}")
    labels, inverse = np.unique(groups, return_inverse=True)
    kept, values = [], []
    for g in range(len(labels)):
        mask = inverse == g
        y, s = y_true[mask], scores[mask]
        n_pos = int(y.sum())
        n_neg = len(y) - n_pos
        if n_pos and n_neg:
            ranks = rankdata(s)  # average ranks: ties count one half
            values.append((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))
            kept.append(g)
    per_group = np.asarray(values, dtype=float)
    mean = float(per_group.mean()) if len(per_group) else float("nan")
    return mean, labels[np.asarray(kept, dtype=np.int64)], per_group
