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

__all__ = [
    "split_candidate_graph",
    "InfeasibleFlowError",
    "InvalidCandidateGraphError",
    "assign_one_to_one",
    "assign_partnerships",
    "scale_scores",
    "solve_min_cost_flow",
]

SOLVERS = ("ortools", "networkx", "scipy")

# OR-Tools keeps costs and flows in int64 and refuses (BAD_COST_RANGE) when
# cost * flow could overflow; keep scaled weights well inside that.
_MAX_WEIGHT = 2**40


class InvalidCandidateGraphError(ValueError):
    """The candidate graph or the capacities are malformed; the message lists every problem."""


class InfeasibleFlowError(ValueError):
    """No flow meets every supply, demand and capacity."""


def _check_int_array(name, values, problems, *, min_value=None):
    """Return ``values`` as an int64 array, appending any problem found to ``problems``."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        problems.append(f"{name}: expected a 1-d array, found shape {arr.shape}")
        return None
    if arr.size == 0:
        return arr.astype(np.int64)
    if arr.dtype.kind in "iu":
        out = arr.astype(np.int64, copy=False)
    elif arr.dtype.kind in "fb":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            bad = np.flatnonzero(~np.isfinite(arr) | (arr != np.round(arr)))
            problems.append(
                f"{name}: expected whole numbers, found {arr[bad[0]]} at position {bad[0]}"
                f" ({bad.size} such values)"
            )
            return None
        out = arr.astype(np.int64)
    else:
        problems.append(f"{name}: expected integers, found dtype {arr.dtype}")
        return None
    if min_value is not None and out.min() < min_value:
        bad = np.flatnonzero(out < min_value)
        problems.append(
            f"{name}: expected values >= {min_value}, found {out[bad[0]]} at position {bad[0]}"
            f" ({bad.size} such values)"
        )
    return out


def _raise_if(problems, error=InvalidCandidateGraphError):
    if problems:
        raise error("; ".join(problems))


def _check_candidate_graph(
    rows, cols, scores, supplier_capacity, buyer_capacity, names=("supplier_capacity", "buyer_capacity")
):
    """Validate a candidate graph once; return it as (rows, cols, scores, cap_s, cap_b) arrays."""
    problems: list[str] = []
    name_s, name_b = names
    rows_ = _check_int_array("rows", rows, problems, min_value=0)
    cols_ = _check_int_array("cols", cols, problems, min_value=0)
    cap_s = _check_int_array(name_s, supplier_capacity, problems, min_value=0)
    cap_b = _check_int_array(name_b, buyer_capacity, problems, min_value=0)
    try:
        scores_ = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidCandidateGraphError(f"scores: expected numbers, found {exc}") from exc
    if scores_.ndim != 1:
        problems.append(f"scores: expected a 1-d array, found shape {scores_.shape}")
        scores_ = None
    elif not np.all(np.isfinite(scores_)):
        bad = np.flatnonzero(~np.isfinite(scores_))
        problems.append(f"scores: expected finite numbers, found {scores_[bad[0]]} at edge {bad[0]} ({bad.size} such)")
    arrays_ok = not any(a is None for a in (rows_, cols_, scores_, cap_s, cap_b))
    if arrays_ok and not (len(rows_) == len(cols_) == len(scores_)):
        problems.append(
            f"rows, cols and scores must have equal lengths, found {len(rows_)}, {len(cols_)} and {len(scores_)}"
        )
        arrays_ok = False
    if rows_ is not None and cap_s is not None and rows_.size and rows_.max() >= len(cap_s):
        bad = np.flatnonzero(rows_ >= len(cap_s))
        problems.append(
            f"rows: expected supplier positions < n_suppliers = {len(cap_s)} (len({name_s})),"
            f" found {rows_[bad[0]]} at edge {bad[0]} ({bad.size} such)"
        )
    if cols_ is not None and cap_b is not None and cols_.size and cols_.max() >= len(cap_b):
        bad = np.flatnonzero(cols_ >= len(cap_b))
        problems.append(
            f"cols: expected buyer positions < n_buyers = {len(cap_b)} (len({name_b})),"
            f" found {cols_[bad[0]]} at edge {bad[0]} ({bad.size} such)"
        )
    if not arrays_ok or problems:
        _raise_if(problems)
    n_b = len(cap_b)
    if rows_.size > 1:
        keys = rows_ * max(n_b, 1) + cols_
        # Candidates usually arrive sorted by (supplier, buyer): then one pass proves uniqueness.
        if not np.all(keys[1:] > keys[:-1]):
            order = np.argsort(keys, kind="stable")
            sorted_keys = keys[order]
            dup = np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1])
            if dup.size:
                first, second = order[dup[0]], order[dup[0] + 1]
                problems.append(
                    f"duplicate candidate pairs: {dup.size} edges repeat an earlier pair, e.g."
                    f" (supplier {rows_[first]}, buyer {cols_[first]}) at edges {first} and {second}"
                )
    _raise_if(problems)
    return rows_, cols_, scores_, cap_s, cap_b


def scale_scores(scores, scale=10_000):
    """Scale float scores to the integer weights the flow solvers optimise.

    Parameters
    ----------
    scores : array-like of float, shape (n_edges,)
        Pair scores, higher is better.
    scale : int, default 10_000
        ``weight = round(score * scale)``.

    Returns
    -------
    weights : ndarray of int64, shape (n_edges,)

    Raises
    ------
    ValueError
        If a weight would exceed 2**40 in absolute value (risk of int64 overflow in the solver).

    Examples
    --------
    >>> scale_scores([0.12345, 1.0, -0.2], scale=1000).tolist()
    [123, 1000, -200]
    """
    if scale <= 0:
        raise ValueError(f"scale: expected a positive number, found {scale}")
    scaled = np.rint(np.asarray(scores, dtype=np.float64) * scale)
    if scaled.size and np.abs(scaled).max() > _MAX_WEIGHT:
        raise ValueError(
            f"scale: scores * scale reach {np.abs(scaled).max():.3g}, expected at most 2**40;"
            " use a smaller scale"
        )
    return scaled.astype(np.int64)


def solve_min_cost_flow(tails, heads, capacities, unit_costs, supplies, *, solver="ortools"):
    """Solve a min-cost flow problem exactly over integer data.

    Nodes are ``0 .. len(supplies) - 1``. Arc ``k`` runs from ``tails[k]`` to
    ``heads[k]`` with capacity ``capacities[k]`` and cost ``unit_costs[k]`` per
    unit of flow; parallel arcs are allowed. All lower bounds are zero.

    Parameters
    ----------
    tails, heads : array-like of int, shape (n_arcs,)
        Arc end points, node positions.
    capacities : array-like of int, shape (n_arcs,)
        Non-negative arc capacities.
    unit_costs : array-like of int, shape (n_arcs,)
        Integer cost per unit of flow (may be negative).
    supplies : array-like of int, shape (n_nodes,)
        Net supply of each node (positive: source, negative: demand); must sum to zero.
    solver : {"ortools", "networkx"}, default "ortools"
        OR-Tools ``SimpleMinCostFlow`` (arcs added in one vectorised call) or
        networkx ``network_simplex`` as a slow reference.

    Returns
    -------
    flows : ndarray of int64, shape (n_arcs,)
        Optimal flow on each arc.
    total_cost : int
        ``sum(flows * unit_costs)``.

    Raises
    ------
    InvalidCandidateGraphError
        If the arrays are malformed (lengths, ranges, negative capacities).
    InfeasibleFlowError
        If supplies do not balance or no feasible flow exists.

    Examples
    --------
    >>> flows, cost = solve_min_cost_flow([0, 0, 1], [1, 2, 2], [2, 1, 2], [1, 5, 1], [2, 0, -2])
    >>> flows.tolist(), cost
    ([2, 0, 2], 4)
    """
    problems: list[str] = []
    tails_ = _check_int_array("tails", tails, problems, min_value=0)
    heads_ = _check_int_array("heads", heads, problems, min_value=0)
    caps = _check_int_array("capacities", capacities, problems, min_value=0)
    costs = _check_int_array("unit_costs", unit_costs, problems)
    supplies_ = _check_int_array("supplies", supplies, problems)
    _raise_if(problems)
    n_arcs = len(tails_)
    if not (len(heads_) == len(caps) == len(costs) == n_arcs):
        _raise_if([
            f"tails, heads, capacities and unit_costs must have equal lengths, found"
            f" {n_arcs}, {len(heads_)}, {len(caps)} and {len(costs)}"
        ])
    n_nodes = len(supplies_)
    for name, ends in (("tails", tails_), ("heads", heads_)):
        if ends.size and ends.max() >= n_nodes:
            bad = np.flatnonzero(ends >= n_nodes)
            problems.append(
                f"{name}: expected node positions < n_nodes = {n_nodes} (len(supplies)),"
                f" found {ends[bad[0]]} at arc {bad[0]}"
            )
    _raise_if(problems)
    if supplies_.sum() != 0:
        raise InfeasibleFlowError(f"supplies must sum to zero, found {supplies_.sum()}")
    if solver == "ortools":
        return _solve_ortools(tails_, heads_, caps, costs, supplies_)
    if solver == "networkx":
        return _solve_networkx(tails_, heads_, caps, costs, supplies_)
    raise ValueError(f"solver: expected 'ortools' or 'networkx', found {solver!r}")


def _solve_ortools(tails, heads, caps, costs, supplies, n_flows=None):
    """Solve with OR-Tools SimpleMinCostFlow; arcs and supplies go in as whole arrays.

    Returns the flows on the first ``n_flows`` arcs (all arcs by default) and the cost.
    """
    from ortools.graph.python import min_cost_flow

    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32, copy=False), heads.astype(np.int32, copy=False), caps, costs
    )
    smcf.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        hint = ": costs too large for int64 arithmetic, use a smaller scale" if status == smcf.BAD_COST_RANGE else ""
        raise InfeasibleFlowError(f"OR-Tools min-cost flow ended with status {status.name}{hint}")
    arcs = arcs[: len(arcs) if n_flows is None else n_flows]
    flows = np.asarray(smcf.flows(arcs), dtype=np.int64) if len(arcs) else np.zeros(0, np.int64)
    return flows, int(smcf.optimal_cost())


def _solve_networkx(tails, heads, caps, costs, supplies):
    """Solve with networkx network_simplex (reference; pure Python, slow)."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    # networkx's demand is the negated supply.
    graph.add_nodes_from((v, {"demand": -int(s)}) for v, s in enumerate(supplies))
    graph.add_edges_from(
        (int(u), int(v), k, {"capacity": int(c), "weight": int(w)})
        for k, (u, v, c, w) in enumerate(zip(tails, heads, caps, costs))
    )
    try:
        cost, flow_dict = nx.network_simplex(graph)
    except nx.NetworkXUnfeasible as exc:
        raise InfeasibleFlowError(f"networkx network_simplex: {exc}") from exc
    flows = np.fromiter(
        (flow_dict[int(u)][int(v)][k] for k, (u, v) in enumerate(zip(tails, heads))),
        dtype=np.int64, count=len(tails),
    )
    return flows, int(cost)


def _build_assignment_flow(rows, cols, weights, cap_s, cap_b, source_arcs=None):
    """Build the b-matching flow network over the edges in ``rows, cols, weights``.

    Node layout: suppliers ``0..n_s-1``, buyers ``n_s..n_s+n_b-1``, then source, sink.
    Arc layout: the pair arcs first (same order as the input), then the source arcs,
    the buyer->sink arcs and the bypass arc. ``source_arcs(cap_s) -> (heads, caps, costs)``
    (optional, see fairness) replaces the single source->supplier arcs, e.g. by unit arcs.
    Tails and heads come out as int32 (what OR-Tools takes), the rest as int64.
    """
    n_s, n_b, n_e = len(cap_s), len(cap_b), len(rows)
    source, sink = n_s + n_b, n_s + n_b + 1
    # A node never carries more flow than it has edges: clip, so the bypass stays small.
    cap_s = np.minimum(cap_s, np.bincount(rows, minlength=n_s))
    cap_b = np.minimum(cap_b, np.bincount(cols, minlength=n_b))
    total = int(min(cap_s.sum(), cap_b.sum()))
    if source_arcs is None:
        src_heads, src_caps, src_costs = np.arange(n_s), cap_s, 0
    else:
        src_heads, src_caps, src_costs = source_arcs(cap_s)
    n_src = len(src_heads)
    n_arcs = n_e + n_src + n_b + 1
    # Fill preallocated arrays slice by slice: at 10M edges, concatenating temporaries costs seconds.
    tails = np.empty(n_arcs, dtype=np.int32)
    heads = np.empty(n_arcs, dtype=np.int32)
    caps = np.empty(n_arcs, dtype=np.int64)
    costs = np.empty(n_arcs, dtype=np.int64)
    a, b, c = n_e, n_e + n_src, n_e + n_src + n_b
    tails[:a] = rows
    heads[:a] = cols
    heads[:a] += n_s
    caps[:a] = 1
    np.negative(weights, out=costs[:a])
    tails[a:b], heads[a:b], caps[a:b], costs[a:b] = source, src_heads, src_caps, src_costs
    tails[b:c], heads[b:c], caps[b:c], costs[b:c] = n_s + np.arange(n_b), sink, cap_b, 0
    tails[c], heads[c], caps[c], costs[c] = source, sink, total, 0
    supplies = np.zeros(n_s + n_b + 2, dtype=np.int64)
    supplies[source], supplies[sink] = total, -total
    return tails, heads, caps, costs, supplies


def _solve_b_matching(rows, cols, weights, cap_s, cap_b, *, solver="ortools", source_arcs=None):
    """Chosen-edge mask of the max-weight b-matching; inputs already validated, weights > 0."""
    network = _build_assignment_flow(rows, cols, weights, cap_s, cap_b, source_arcs)
    if solver == "ortools":
        flows, _ = _solve_ortools(*network, n_flows=len(rows))
    elif solver == "networkx":
        flows, _ = _solve_networkx(*network)
    else:
        raise ValueError(f"solver: expected one of {SOLVERS}, found {solver!r}")
    return flows[: len(rows)] > 0


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
    rows_, cols_, scores_, cap_s, cap_b = _check_candidate_graph(
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
    picked = _solve_b_matching(r, c, w, cap_s, cap_b, solver=solver)
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
