"""Fair exposure: diminishing returns for a supplier's 2nd, 3rd, ... partnership.

Plain :func:`~tiermatch.matcher.assignment.assign_partnerships` lets one strong
SME take every buyer it has room for. Here each supplier's k-th partnership
pays a penalty ``p_k = (1 - decay[k]) * ref_i`` where ``ref_i`` is the
supplier's best candidate weight: a partnership as good as the supplier's best
is then worth ``decay[k]`` of its score (1, 0.6, 0.35 by default). Because
``decay`` is non-increasing, the penalties grow, ``p_1 <= p_2 <= ...``, and the
total penalty is convex in the number of partnerships; the objective stays a
min-cost flow, solved exactly, by splitting each supplier's source arc into
unit arcs of cost ``p_1, p_2, ...`` (the flow always fills the cheapest first).
"""

from __future__ import annotations

import numpy as np

from ._checks import check_candidate_graph
from .assignment import scale_scores, solve_b_matching

__all__ = ["assign_fair_partnerships", "exposure_gini", "report_exposure"]

DEFAULT_DECAY = (1.0, 0.6, 0.35)


def _check_decay(decay):
    """Return ``decay`` as a float array, checking it is non-empty, in [0, 1] and non-increasing."""
    decay_ = np.asarray(decay, dtype=np.float64)
    if decay_.ndim != 1 or decay_.size == 0:
        raise ValueError(f"decay: expected a non-empty 1-d sequence, found {decay!r}")
    if np.any((decay_ < 0) | (decay_ > 1)) or np.any(np.diff(decay_) > 0):
        raise ValueError(
            f"decay: expected non-increasing factors in [0, 1] (so penalties grow and the flow is exact),"
            f" found {decay_.tolist()}"
        )
    return decay_


def _penalised_source_arcs(rows, weights, decay):
    """Return ``source_arcs(cap_s)`` giving each supplier unit arcs of growing penalty cost."""
    def source_arcs(cap_s):
        ref = np.zeros(len(cap_s), dtype=np.int64)
        np.maximum.at(ref, rows, weights)
        heads = np.repeat(np.arange(len(cap_s)), cap_s)
        starts = np.cumsum(cap_s) - cap_s
        k = np.arange(len(heads)) - np.repeat(starts, cap_s)  # 0 for a 1st partnership, 1 for a 2nd ...
        factor = decay[np.minimum(k, len(decay) - 1)]
        costs = np.rint((1.0 - factor) * ref[heads]).astype(np.int64)
        return heads, np.ones(len(heads), dtype=np.int64), costs

    return source_arcs


def assign_fair_partnerships(
    rows, cols, scores, supplier_capacity, buyer_capacity, *, decay=DEFAULT_DECAY, scale=10_000, solver="ortools"
):
    """Choose partnerships within capacities, with diminishing returns per supplier.

    Rows are suppliers and columns are buyers. Maximises
    ``sum(weight of chosen pairs) - sum_i sum_{k <= n_i} p_ik`` exactly, where
    ``weight = round(score * scale)``, ``n_i`` is supplier i's number of
    partnerships and ``p_ik = round((1 - decay[k-1]) * ref_i)`` with ``ref_i``
    the largest weight among i's candidate pairs (``decay`` repeats its last
    factor beyond its length). With ``decay = (1,)`` this is plain
    :func:`~tiermatch.matcher.assignment.assign_partnerships`.

    Parameters
    ----------
    rows : array-like of int, shape (n_edges,)
        Supplier position of each candidate pair.
    cols : array-like of int, shape (n_edges,)
        Buyer position of each candidate pair.
    scores : array-like of float, shape (n_edges,)
        Pair scores, higher is better; pairs scoring <= 0 are never chosen.
    supplier_capacity : array-like of int, shape (n_suppliers,)
    buyer_capacity : array-like of int, shape (n_buyers,)
    decay : sequence of float, default (1.0, 0.6, 0.35)
        Share of the supplier's best score that its 1st, 2nd, 3rd, ...
        partnership keeps; non-increasing, within [0, 1].
    scale : int, default 10_000
        Scores become integer weights ``round(score * scale)``.
    solver : {"ortools", "networkx"}, default "ortools"

    Returns
    -------
    chosen : ndarray of bool, shape (n_edges,)

    Raises
    ------
    InvalidCandidateGraphError
        Malformed graph or capacities (see ``assign_partnerships``).
    ValueError
        If ``decay`` is not non-increasing within [0, 1].

    Examples
    --------
    One strong SME (row 0) could take all three buyers; two others score 0.7:

    >>> from tiermatch.matcher import assign_partnerships
    >>> rows, cols = [0, 0, 0, 1, 2], [0, 1, 2, 1, 2]
    >>> scores = [1.0, 1.0, 1.0, 0.7, 0.7]
    >>> assign_partnerships(rows, cols, scores, [3, 1, 1], [1, 1, 1]).tolist()
    [True, True, True, False, False]
    >>> assign_fair_partnerships(rows, cols, scores, [3, 1, 1], [1, 1, 1]).tolist()
    [True, False, False, True, True]
    """
    if solver not in ("ortools", "networkx"):
        raise ValueError(f"solver: expected 'ortools' or 'networkx', found {solver!r}")
    rows_, cols_, scores_, cap_s, cap_b = check_candidate_graph(
        rows, cols, scores, supplier_capacity, buyer_capacity
    )
    decay_ = _check_decay(decay)
    weights = scale_scores(scores_, scale)
    chosen = np.zeros(len(rows_), dtype=bool)
    live = weights > 0
    if not live.any():
        return chosen
    r, c, w = rows_[live], cols_[live], weights[live]
    chosen[live] = solve_b_matching(
        r, c, w, cap_s, cap_b, solver=solver, source_arcs=_penalised_source_arcs(r, w, decay_)
    )
    return chosen


def exposure_gini(counts):
    """Gini coefficient of how partnerships are spread over suppliers.

    0 when every supplier has the same count, close to 1 when one supplier has
    them all. Suppliers with no partnership count (pass them as zeros).

    Parameters
    ----------
    counts : array-like of int or float, shape (n_suppliers,)
        Non-negative partnership counts (or any exposure measure).

    Returns
    -------
    gini : float
        In [0, 1 - 1/n]; 0.0 for an empty array or all zeros.

    Examples
    --------
    >>> exposure_gini([1, 1, 1])
    0.0
    >>> round(exposure_gini([3, 0, 0]), 4)
    0.6667
    """
    x = np.sort(np.asarray(counts, dtype=np.float64))
    if x.ndim != 1:
        raise ValueError(f"counts: expected a 1-d array, found shape {x.shape}")
    if x.size and x[0] < 0:
        raise ValueError(f"counts: expected values >= 0, found {x[0]}")
    n, total = x.size, x.sum()
    if n == 0 or total == 0:
        return 0.0
    # Sorted-rank form of the mean absolute difference: sum_i (2i - n - 1) x_(i) / (n * sum x).
    ranks = np.arange(1, n + 1)
    return float(((2 * ranks - n - 1) * x).sum() / (n * total))


def report_exposure(rows, scores, n_suppliers: int, chosen) -> dict:
    """How an assignment spreads over suppliers: its total score, the exposure Gini, the suppliers matched.

    Rows are supplier positions of the candidate pairs; ``chosen`` masks the
    assigned ones. A run reports this for the plain assignment and, with fair
    exposure, for the fair one beside it.

    Examples
    --------
    >>> report_exposure([0, 0, 1], [0.9, 0.8, 0.5], 3, [True, True, False])
    {'total_score': 1.7, 'gini': 0.6667, 'suppliers_matched': 1}
    """
    rows, scores, chosen = np.asarray(rows), np.asarray(scores, dtype=float), np.asarray(chosen, dtype=bool)
    counts = np.bincount(rows[chosen], minlength=n_suppliers)
    return {"total_score": round(float(scores[chosen].sum()), 4), "gini": round(exposure_gini(counts), 4),
            "suppliers_matched": int((counts > 0).sum())}
