"""Meeting agenda: one-to-one meetings in as few time slots as possible.

Giving each assigned pair a time slot so that nobody is double-booked is
colouring the edges of a bipartite graph (suppliers x buyers). By König's
edge-colouring theorem, a bipartite (multi)graph needs exactly as many colours
as its maximum degree, so the agenda takes exactly ``max degree`` slots: the
busiest supplier or buyer meets someone in every slot.

The algorithm is the classic alternating-path one: colour pairs one by one;
for pair (u, v) take a slot ``a`` free at u and a slot ``b`` free at v (both
exist because neither has all ``max degree`` pairs coloured yet). If ``a`` is
also free at v, use it. Otherwise swap ``a`` and ``b`` along the path from v
whose pairs alternate ``a, b, a, ...``; in a bipartite graph that path cannot
reach u, so after the swap ``a`` is free at both ends. O(n_pairs x n_nodes) in
the worst case, near linear on agendas in practice.

A day with fewer slots than that holds at most ``n_slots`` meetings per
participant; by the same theorem, every set of meetings within that bound fits.
So the most meetings a day of ``n_slots`` can hold are a maximum flow
(source -> SME, capacity ``n_slots``; SME -> buyer, one per meeting; buyer ->
sink, capacity ``n_slots``), solved exactly with OR-Tools' min-cost flow, the
higher-scoring meetings kept among equally many (:func:`most_meetings_within`).
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidCandidateGraphError
from ._checks import check_int_array

__all__ = ["most_meetings_within", "schedule_agenda", "schedule_meetings"]


def schedule_meetings(rows, cols):
    """Give every assigned pair a time slot, with nobody double-booked, in max-degree slots.

    Rows are suppliers and columns are buyers. The same pair may appear more
    than once (several meetings); each appearance gets its own slot.

    Parameters
    ----------
    rows : array-like of int, shape (n_pairs,)
        Supplier position of each meeting.
    cols : array-like of int, shape (n_pairs,)
        Buyer position of each meeting.

    Returns
    -------
    slots : ndarray of int64, shape (n_pairs,)
        Slot of each meeting, in ``0 .. D - 1`` where ``D`` is the largest number
        of meetings any one supplier or buyer has (``D = 0`` for no meetings).
        No supplier and no buyer has two meetings in the same slot.

    Raises
    ------
    InvalidCandidateGraphError
        If ``rows`` and ``cols`` are not equal-length arrays of non-negative integers.

    Examples
    --------
    Supplier 0 meets buyers 0 and 1, supplier 1 meets buyers 0 and 1: two slots.

    >>> schedule_meetings([0, 0, 1, 1], [0, 1, 0, 1]).tolist()
    [1, 0, 0, 1]
    """
    problems: list[str] = []
    rows_ = check_int_array("rows", rows, problems, min_value=0)
    cols_ = check_int_array("cols", cols, problems, min_value=0)
    if rows_ is not None and cols_ is not None and len(rows_) != len(cols_):
        problems.append(f"rows and cols must have equal lengths, found {len(rows_)} and {len(cols_)}")
    if problems:
        raise InvalidCandidateGraphError("; ".join(problems))
    n_pairs = len(rows_)
    if n_pairs == 0:
        return np.zeros(0, dtype=np.int64)
    n_s, n_b = int(rows_.max()) + 1, int(cols_.max()) + 1
    n_slots = int(max(np.bincount(rows_).max(), np.bincount(cols_).max()))
    # at_s[u][c] / at_b[v][c]: the pair holding slot c at supplier u / buyer v, or -1.
    at_s = [[-1] * n_slots for _ in range(n_s)]
    at_b = [[-1] * n_slots for _ in range(n_b)]
    slot = [-1] * n_pairs
    rows_l, cols_l = rows_.tolist(), cols_.tolist()
    for e, (u, v) in enumerate(zip(rows_l, cols_l)):
        a = at_s[u].index(-1)
        if at_b[v][a] != -1:
            b = at_b[v].index(-1)
            _swap_alternating_path(v, a, b, at_s, at_b, slot, rows_l, cols_l)
        slot[e] = a
        at_s[u][a] = e
        at_b[v][a] = e
    return np.asarray(slot, dtype=np.int64)


def _swap_alternating_path(v, a, b, at_s, at_b, slot, rows, cols):
    """Swap slots a and b along the a/b-alternating path that starts at buyer v with slot a."""
    path = []
    node, on_buyer, want = v, True, a
    while True:
        e = (at_b if on_buyer else at_s)[node][want]
        if e == -1:
            break
        path.append(e)
        node = rows[e] if on_buyer else cols[e]
        on_buyer = not on_buyer
        want = b if want == a else a
    for e in path:
        at_s[rows[e]][slot[e]] = -1
        at_b[cols[e]][slot[e]] = -1
    for e in path:
        slot[e] = b if slot[e] == a else a
        at_s[rows[e]][slot[e]] = e
        at_b[cols[e]][slot[e]] = e


def most_meetings_within(rows, cols, n_slots: int, weights=None) -> np.ndarray:
    """The largest set of meetings in which nobody has more than ``n_slots``: a mask over the pairs.

    Exactly the most meetings a day of ``n_slots`` slots can hold (see the module); among sets of that size,
    the one of highest total ``weights`` (scores, to three decimals).

    Examples
    --------
    Supplier 0 is wanted by three buyers, in two slots; buyer 2's pair scores least.

    >>> most_meetings_within([0, 0, 0, 1], [0, 1, 2, 2], 2, weights=[0.9, 0.8, 0.1, 0.5]).tolist()
    [True, True, False, True]
    """
    from ortools.graph.python import min_cost_flow

    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    if len(rows) == 0:
        return np.zeros(0, dtype=bool)
    weights = np.zeros(len(rows)) if weights is None else np.asarray(weights, dtype=float)
    n_s, n_b = int(rows.max()) + 1, int(cols.max()) + 1
    source, sink = n_s + n_b, n_s + n_b + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate([np.full(n_s, source), rows, n_s + np.arange(n_b)])
    heads = np.concatenate([np.arange(n_s), n_s + cols, np.full(n_b, sink)])
    capacities = np.concatenate([np.full(n_s, n_slots), np.ones(len(rows), np.int64), np.full(n_b, n_slots)])
    costs = np.concatenate([np.zeros(n_s, np.int64), -np.round(weights * 1000).astype(np.int64),
                            np.zeros(n_b, np.int64)])
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    flow.set_node_supply(source, len(rows))  # as much as could ever flow; the solver sends the most it can
    flow.set_node_supply(sink, -len(rows))
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"the meetings' flow was not solved (status {status})")
    return flow.flows(np.arange(n_s, n_s + len(rows))) > 0


def schedule_agenda(rows, cols, n_slots: int | None, weights=None) -> tuple[np.ndarray | None, int]:
    """A matchmaking day in ``n_slots``: each pair's slot (0-based, -1 where it does not fit) and the slots needed.

    None and 0 where there is no day (``n_slots`` None). Where the day is too short, the most meetings it can
    hold are scheduled (:func:`most_meetings_within`, the higher ``weights`` first among equally many); the
    others are left unscheduled, never squeezed in.

    Examples
    --------
    >>> slots, needed = schedule_agenda([0, 0, 1], [0, 1, 0], n_slots=1)
    >>> sorted(slots.tolist()), needed
    ([-1, 0, 0], 2)
    """
    if n_slots is None:
        return None, 0
    slots = schedule_meetings(rows, cols)
    needed = int(slots.max(initial=-1) + 1)
    if needed <= n_slots:
        return slots, needed
    kept = most_meetings_within(rows, cols, n_slots, weights)
    slots = np.full(len(kept), -1, dtype=np.int64)
    slots[kept] = schedule_meetings(np.asarray(rows)[kept], np.asarray(cols)[kept])
    return slots, needed

