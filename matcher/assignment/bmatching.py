"""Capacity-constrained assignment of partnerships as an exact min-cost flow.

The candidate graph is bipartite and sparse: rows are suppliers, columns are
buyers, and each candidate pair is one edge given by three parallel arrays
``rows`` (supplier positions), ``cols`` (buyer positions) and ``scores``
(higher is better). Everything here works on integer positions; mapping to
external ids happens at the edge of the engine.

Flow solvers want integer costs (networkx and OR-Tools both warn that float
costs give wrong answers), so scores are scaled explicitly:
``weight = round(score * scale)`` and the arc cost is ``-weight``. Two scores
closer than ``0.5 / scale`` may therefore tie, and a score below ``0.5 / scale``
counts as zero, which is never worth taking.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_candidate_graph
from .flow import SOLVERS, scale_scores, solve_b_matching

__all__ = ["assign_one_to_one", "assign_partnerships"]


def _assign_lsa(rows, cols, weights, cap_s, cap_b):
    """Max-weight matching (all capacities <= 1) with scipy's dense linear_sum_assignment."""
    from scipy.optimize import linear_sum_assignment

    live_s = np.flatnonzero(cap_s > 0)
    live_b = np.flatnonzero(cap_b > 0)
    pos_s = np.full(len(cap_s), -1)
    pos_s[live_s] = np.arange(len(live_s))
    pos_b = np.full(len(cap_b), -1)
    pos_b[live_b] = np.arange(len(live_b))
    keep = np.flatnonzero((pos_s[rows] >= 0) & (pos_b[cols] >= 0))
    # Zero entries stand for "no partner": any matching extends to a full one through them.
    dense = np.zeros((len(live_s), len(live_b)), dtype=np.int64)
    dense[pos_s[rows[keep]], pos_b[cols[keep]]] = weights[keep]
    r, c = linear_sum_assignment(dense, maximize=True)
    chosen = np.zeros(len(rows), dtype=bool)
    edge_of = np.full(dense.shape, -1, dtype=np.int64)
    edge_of[pos_s[rows[keep]], pos_b[cols[keep]]] = keep
    picked = edge_of[r, c]
    picked = picked[(picked >= 0)]
    chosen[picked[weights[picked] > 0]] = True
    return chosen


def assign_partnerships(rows, cols, scores, supplier_capacity, buyer_capacity, *, scale=10_000, solver="ortools"):
    """Choose partnerships of maximum total score within every capacity.

    A max-weight b-matching on the sparse candidate graph (rows are suppliers,
    columns are buyers): supplier ``i`` takes at most ``supplier_capacity[i]``
    buyers, buyer ``j`` at most ``buyer_capacity[j]`` suppliers, each candidate
    pair at most once. Matchings need not be full: a pair whose score is <= 0
    (after scaling, below ``0.5 / scale``) is never chosen.

    Solved exactly as a min-cost flow: source -> supplier (capacity
    ``supplier_capacity``, cost 0), supplier -> buyer (capacity 1, cost
    ``-round(score * scale)``), buyer -> sink (capacity ``buyer_capacity``,
    cost 0), and a source -> sink bypass of cost 0 so that the flow need not be
    full. Scores are scaled to integers explicitly because the solvers are exact
    only on integers: the optimum is exact for the scaled weights.

    Parameters
    ----------
    rows : array-like of int, shape (n_edges,)
        Supplier position of each candidate pair.
    cols : array-like of int, shape (n_edges,)
        Buyer position of each candidate pair.
    scores : array-like of float, shape (n_edges,)
        Pair scores, higher is better.
    supplier_capacity : array-like of int, shape (n_suppliers,)
        Most buyers each supplier can take (>= 0).
    buyer_capacity : array-like of int, shape (n_buyers,)
        Most suppliers each buyer can take (>= 0).
    scale : int, default 10_000
        Scores become integer weights ``round(score * scale)``.
    solver : {"ortools", "networkx", "scipy"}, default "ortools"
        "ortools": OR-Tools ``SimpleMinCostFlow``, arcs added from numpy arrays in
        one call. "networkx": ``network_simplex``, a slow reference for tests.
        "scipy": dense ``linear_sum_assignment``, only when every capacity is <= 1
        (builds an n_suppliers x n_buyers matrix; small cases only).

    Returns
    -------
    chosen : ndarray of bool, shape (n_edges,)
        True for the pairs in the assignment.

    Raises
    ------
    InvalidCandidateGraphError
        Unequal lengths, positions out of range, negative or fractional capacities,
        non-finite scores, or a candidate pair given twice; the message lists each problem.

    Examples
    --------
    Two suppliers, two buyers, everyone takes one partner:

    >>> rows, cols = [0, 0, 1], [0, 1, 0]
    >>> scores = [0.9, 0.8, 0.85]
    >>> assign_partnerships(rows, cols, scores, [1, 1], [1, 1]).tolist()
    [False, True, True]
    """
    if solver not in SOLVERS:
        raise ValueError(f"solver: expected one of {SOLVERS}, found {solver!r}")
    rows_, cols_, scores_, cap_s, cap_b = check_candidate_graph(
        rows, cols, scores, supplier_capacity, buyer_capacity
    )
    weights = scale_scores(scores_, scale)
    chosen = np.zeros(len(rows_), dtype=bool)
    live = weights > 0
    if not live.any():
        return chosen
    if solver == "scipy":
        if cap_s.max(initial=0) > 1 or cap_b.max(initial=0) > 1:
            raise ValueError("solver='scipy' needs every capacity <= 1; use 'ortools'")
        chosen[live] = _assign_lsa(rows_[live], cols_[live], weights[live], cap_s, cap_b)
        return chosen
    all_live = bool(live.all())
    r, c, w = (rows_, cols_, weights) if all_live else (rows_[live], cols_[live], weights[live])
    picked = solve_b_matching(r, c, w, cap_s, cap_b, solver=solver)
    if all_live:
        return picked
    chosen[live] = picked
    return chosen


def assign_one_to_one(costs, *, solver="ortools"):
    """Solve the classical linear assignment problem (minimum cost, dense, square).

    Each row is matched to exactly one column. Implemented through
    :func:`assign_partnerships` with capacities 1 and weights
    ``max(costs) + 1 - costs``: every weight is positive, and with n pairs in any
    full matching, maximising total weight is minimising total cost. A maximum
    weight matching with all weights positive on a complete bipartite graph is full.

    Parameters
    ----------
    costs : array-like of int, shape (n, n)
        Integer costs, rows x columns.
    solver : {"ortools", "networkx", "scipy"}, default "ortools"

    Returns
    -------
    col_of_row : ndarray of int64, shape (n,)
        The column assigned to each row.
    total_cost : int

    Examples
    --------
    >>> col_of_row, total = assign_one_to_one([[4, 1, 3], [2, 0, 5], [3, 2, 2]])
    >>> col_of_row.tolist(), total
    ([1, 0, 2], 5)
    """
    costs_ = np.asarray(costs)
    if costs_.ndim != 2 or costs_.shape[0] != costs_.shape[1]:
        raise ValueError(f"costs: expected a square matrix, found shape {costs_.shape}")
    if costs_.dtype.kind not in "iu":
        raise ValueError(f"costs: expected integers, found dtype {costs_.dtype}")
    n = costs_.shape[0]
    rows, cols = np.divmod(np.arange(n * n), n)
    weights = (costs_.max(initial=0) + 1 - costs_).ravel()
    ones = np.ones(n, dtype=np.int64)
    chosen = assign_partnerships(rows, cols, weights, ones, ones, scale=1, solver=solver)
    if chosen.sum() != n:  # pragma: no cover - guarded by the argument above
        raise RuntimeError(f"expected a full assignment of {n} pairs, found {chosen.sum()}")
    col_of_row = np.empty(n, dtype=np.int64)
    col_of_row[rows[chosen]] = cols[chosen]
    return col_of_row, int(costs_[np.arange(n), col_of_row].sum())
