"""Min-cost flow: integer scaling of scores, the solvers (OR-Tools, networkx), and b-matching as a flow."""

from __future__ import annotations

import numpy as np

from ...errors import InfeasibleFlowError
from .._checks import check_int_array, raise_if

__all__ = [
    "SOLVERS",
    "build_assignment_flow",
    "scale_scores",
    "solve_b_matching",
    "solve_max_flow_min_cost",
    "solve_min_cost_flow",
    "solve_networkx",
    "solve_ortools",
]

SOLVERS = ("ortools", "networkx", "scipy")

# OR-Tools keeps costs and flows in int64 and refuses (BAD_COST_RANGE) when
# cost * flow could overflow; keep scaled weights well inside that.
_MAX_WEIGHT = 2**40


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
    tails_ = check_int_array("tails", tails, problems, min_value=0)
    heads_ = check_int_array("heads", heads, problems, min_value=0)
    caps = check_int_array("capacities", capacities, problems, min_value=0)
    costs = check_int_array("unit_costs", unit_costs, problems)
    supplies_ = check_int_array("supplies", supplies, problems)
    raise_if(problems)
    n_arcs = len(tails_)
    if not (len(heads_) == len(caps) == len(costs) == n_arcs):
        raise_if([
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
    raise_if(problems)
    if supplies_.sum() != 0:
        raise InfeasibleFlowError(f"supplies must sum to zero, found {supplies_.sum()}")
    if solver == "ortools":
        return solve_ortools(tails_, heads_, caps, costs, supplies_)
    if solver == "networkx":
        return solve_networkx(tails_, heads_, caps, costs, supplies_)
    raise ValueError(f"solver: expected 'ortools' or 'networkx', found {solver!r}")


def solve_ortools(tails, heads, caps, costs, supplies, n_flows=None):
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


def solve_networkx(tails, heads, caps, costs, supplies):
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


def build_assignment_flow(rows, cols, weights, cap_s, cap_b, source_arcs=None):
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


def solve_b_matching(rows, cols, weights, cap_s, cap_b, *, solver="ortools", source_arcs=None):
    """Chosen-edge mask of the max-weight b-matching; inputs already validated, weights > 0."""
    network = build_assignment_flow(rows, cols, weights, cap_s, cap_b, source_arcs)
    if solver == "ortools":
        flows, _ = solve_ortools(*network, n_flows=len(rows))
    elif solver == "networkx":
        flows, _ = solve_networkx(*network)
    else:
        raise ValueError(f"solver: expected one of {SOLVERS}, found {solver!r}")
    return flows[: len(rows)] > 0


def solve_max_flow_min_cost(tails, heads, caps, costs, source, sink, total, n_flows, *, solver="ortools"):
    """Flows on the first ``n_flows`` arcs of a maximum ``source -> sink`` flow of minimum cost.

    ``total`` bounds the flow (the smaller of what leaves the source and what
    reaches the sink); inputs are validated by the caller.
    """
    if solver == "ortools":
        return _max_flow_min_cost_ortools(tails, heads, caps, costs, source, sink, total, n_flows)
    if solver == "networkx":
        return _max_flow_min_cost_networkx(tails, heads, caps, costs, source, sink, n_flows)
    raise ValueError(f"solver: expected 'ortools' or 'networkx', found {solver!r}")


def _max_flow_min_cost_ortools(tails, heads, caps, costs, source, sink, total, n_flows):
    """Flows on the first ``n_flows`` arcs of a maximum flow of minimum cost (OR-Tools)."""
    from ortools.graph.python import min_cost_flow

    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps, costs
    )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[source], supplies[sink] = total, -total
    smcf.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    status = smcf.solve_max_flow_with_min_cost()
    if status != smcf.OPTIMAL:  # pragma: no cover - a max flow always exists
        raise InfeasibleFlowError(f"OR-Tools max flow with min cost ended with status {status.name}")
    return np.asarray(smcf.flows(arcs[:n_flows]), dtype=np.int64)


def _max_flow_min_cost_networkx(tails, heads, caps, costs, source, sink, n_flows):
    """Flows on the first ``n_flows`` arcs of a maximum flow of minimum cost (networkx)."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(range(sink + 1))
    # Pair arcs are unique and the other arcs touch source or sink: no parallel arcs.
    graph.add_edges_from(
        (int(u), int(v), {"capacity": int(c), "weight": int(w)})
        for u, v, c, w in zip(tails, heads, caps, costs)
    )
    flow_dict = nx.max_flow_min_cost(graph, source, sink)
    return np.fromiter(
        (flow_dict[int(u)][int(v)] for u, v in zip(tails[:n_flows], heads[:n_flows])),
        dtype=np.int64, count=n_flows,
    )
