"""Capacity-aware assignment: b-matching as an exact min-cost flow, and the flow machinery under it.

One idea per module: ``flow`` (scaling and solvers), ``bmatching`` (the
assignment of partnerships, and the classical one-to-one assignment),
``split`` (independent parts of a graph too large for one solve).
"""

from .bmatching import assign_one_to_one, assign_partnerships
from .flow import SOLVERS, scale_scores, solve_b_matching, solve_max_flow_min_cost, solve_min_cost_flow
from .split import split_candidate_graph

__all__ = [
    "SOLVERS",
    "assign_one_to_one",
    "assign_partnerships",
    "scale_scores",
    "solve_b_matching",
    "solve_max_flow_min_cost",
    "solve_min_cost_flow",
    "split_candidate_graph",
]
