"""A matchmaking day's timetable: accepted meetings placed at times and tables, within everyone's availability.

Each meeting (an SME and a buyer who both accepted it) gets a slot in which both are available and neither
meets anyone else, and a table, with no table holding two meetings at once; the most meetings possible are
placed. With availability this is a timetabling problem, NP-hard in general (without it, the flow of
:mod:`.agenda` is exact). Solved with OR-Tools' CP-SAT:

- one boolean per meeting and slot where both sides are available; at most one slot per meeting; at most
  one meeting per participant per slot; at most as many meetings per slot as it has free tables;
- maximise the meetings placed, starting from the first-come placement (a hint), so a day too large to
  finish still ends with at least that. CP-SAT proves a bound on that number, reported beside the result:
  where the solver stops at its time limit on a large day, the gap to the bound says how far from optimal
  the timetable can be at most. A max-flow relaxation (:func:`flow_bound`) gives a second bound, often
  the tighter one on large days; the smaller is reported.

Tables are then given slot by slot (a matching of that slot's meetings to its free tables): each buyer keeps
one table all day where it can, so that SMEs come to it. :func:`greedy_timetable` is what participants
picking the first common free slot as they accept (self-scheduling) would give, for comparison.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

__all__ = ["Timetable", "flow_bound", "greedy_timetable", "timetable"]


@dataclass(frozen=True)
class Timetable:
    """Each meeting's slot and table (-1 where not placed), with what the solver proved."""

    slot: np.ndarray
    table: np.ndarray
    placed: int
    bound: int  # no timetable places more meetings than this (proven)
    optimal: bool
    seconds: float
    method: str

    @property
    def gap(self) -> float:
        """How much below the proven bound the timetable may be, as a share of the bound."""
        return 0.0 if self.bound == 0 else (self.bound - self.placed) / self.bound


def _common_slots(rows, cols, available_s, available_b) -> list[np.ndarray]:
    both = available_s[rows] & available_b[cols]
    return [np.flatnonzero(row) for row in both]


def _tables(rows, cols, slot, tables_free) -> np.ndarray:
    """A table for each placed meeting, slot by slot: a buyer's home table where free, else any free one."""
    table = np.full(len(slot), -1, dtype=np.int64)
    order = np.argsort(-np.bincount(cols[slot >= 0], minlength=int(cols.max(initial=-1)) + 1), kind="stable")
    home = {int(b): k for k, b in enumerate(order)}  # the busiest buyers first get the lowest table numbers
    for s in np.unique(slot[slot >= 0]):
        here = np.flatnonzero(slot == s)
        free = list(tables_free[s])
        taken = set()
        later = []
        for m in here:
            t = home[int(cols[m])]
            if t < len(free) and free[t] not in taken:
                table[m] = free[t]
                taken.add(free[t])
            else:
                later.append(m)
        rest = iter(t for t in free if t not in taken)
        for m in later:
            table[m] = next(rest)
    return table


def _free_tables(n_slots: int, tables: int, blocked) -> list[list[int]]:
    blocked = set() if blocked is None else {(int(s), int(t)) for s, t in blocked}
    return [[t for t in range(tables) if (s, t) not in blocked] for s in range(n_slots)]


def flow_bound(rows, cols, available_s, available_b, free: list[list[int]]) -> int:
    """An upper bound on the meetings any timetable places: a max flow in which each participant meets at most
    once per slot it is available in, only pairs with a common slot meet, and the day holds at most its free
    tables times its slots. Every timetable is such a flow, so none places more.

    Examples
    --------
    >>> flow_bound([0, 0, 0], [0, 1, 2], [[True, False]], [[True, True]] * 3, [[0], [0]])
    1
    """
    from ortools.graph.python import max_flow

    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    available_s, available_b = np.asarray(available_s, dtype=bool), np.asarray(available_b, dtype=bool)
    meet = (available_s[rows] & available_b[cols]).any(axis=1) if len(rows) else np.zeros(0, bool)
    rows, cols = rows[meet], cols[meet]
    n_s, n_b = len(available_s), len(available_b)
    top, source, sink = n_s + n_b, n_s + n_b + 1, n_s + n_b + 2
    flow = max_flow.SimpleMaxFlow()
    tails = np.concatenate([[top], np.full(n_s, source), rows, n_s + np.arange(n_b)])
    heads = np.concatenate([[source], np.arange(n_s), n_s + cols, np.full(n_b, sink)])
    capacity = np.concatenate([[sum(len(f) for f in free)], available_s.sum(axis=1), np.ones(len(rows), np.int64),
                               available_b.sum(axis=1)])
    flow.add_arcs_with_capacity(tails, heads, capacity)
    flow.solve(top, sink)
    return int(flow.optimal_flow())


def timetable(rows, cols, available_s, available_b, tables: int, *, blocked=None, time_limit: float = 60.0,
              workers: int = 2) -> Timetable:
    """Place meetings in slots and at tables, the most possible, with the bound CP-SAT proves.

    Parameters
    ----------
    rows, cols : array-like of int, shape (n_meetings,)
        The SME and the buyer of each accepted meeting.
    available_s, available_b : array-like of bool, shape (n_smes, n_slots) and (n_buyers, n_slots)
        When each participant can meet.
    tables : int
        Tables in the room; ``blocked`` lists ``(slot, table)`` pairs the matchmaker took out.
    time_limit : float
        Seconds CP-SAT may search; it stops earlier where it proves the optimum.

    Examples
    --------
    Two SMEs want buyer 0, who is there only in slot 0; SME 1 is free all day and also meets buyer 1.

    >>> plan = timetable([0, 1, 1], [0, 0, 1], [[True, True], [True, True]], [[True, False], [True, True]], 1)
    >>> plan.placed, plan.bound, plan.optimal, sorted(plan.slot.tolist())
    (2, 2, True, [-1, 0, 1])
    """
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    available_s, available_b = np.asarray(available_s, dtype=bool), np.asarray(available_b, dtype=bool)
    n_slots = available_s.shape[1]
    free = _free_tables(n_slots, tables, blocked)
    start = greedy_timetable(rows, cols, available_s, available_b, tables, blocked=blocked).slot
    relaxed = flow_bound(rows, cols, available_s, available_b, free)
    if (start >= 0).sum() == relaxed:  # first-come already reaches a proven bound: optimal, no search needed
        return Timetable(start, _tables(rows, cols, start, free), relaxed, relaxed, True,
                         time.perf_counter() - started, "first-come, at the flow bound")
    slots_of = _common_slots(rows, cols, available_s, available_b)
    model = cp_model.CpModel()
    chosen: list[list] = []
    by_sme: dict[tuple[int, int], list] = {}
    by_buyer: dict[tuple[int, int], list] = {}
    by_slot: list[list] = [[] for _ in range(n_slots)]
    for m, slots in enumerate(slots_of):
        options = []
        for s in slots.tolist():
            if not free[s]:
                continue
            x = model.new_bool_var(f"m{m}s{s}")
            options.append((s, x))
            by_sme.setdefault((int(rows[m]), s), []).append(x)
            by_buyer.setdefault((int(cols[m]), s), []).append(x)
            by_slot[s].append(x)
        if len(options) > 1:
            model.add_at_most_one(x for _, x in options)
        chosen.append(options)
    for group in (*by_sme.values(), *by_buyer.values()):
        if len(group) > 1:
            model.add_at_most_one(group)
    for s, group in enumerate(by_slot):
        if len(group) > len(free[s]):
            model.add(sum(group) <= len(free[s]))
    model.maximize(sum(x for options in chosen for _, x in options))
    # Start from first-come placement: the search begins with a full timetable and improves it, so that on a
    # day too large to finish it still ends with at least that (and the bound it proved).
    for m, options in enumerate(chosen):
        for s, x in options:
            model.add_hint(x, s == start[m])
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    slot = np.full(len(rows), -1, dtype=np.int64)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for m, options in enumerate(chosen):
            for s, x in options:
                if solver.value(x):
                    slot[m] = s
        bound = int(np.floor(solver.best_objective_bound + 1e-6))
    else:  # nothing proven in time: bounded by the meetings that have a common slot at all
        bound = sum(1 for options in chosen if options)
    if (slot >= 0).sum() < (start >= 0).sum():  # never worse than where the search started
        slot = start
    placed = int((slot >= 0).sum())
    # The tighter of the two proven bounds: CP-SAT's own, and the flow relaxation's (often far better on a
    # large day where the search stops at its time limit).
    bound = max(min(bound, relaxed), placed)
    optimal = status == cp_model.OPTIMAL or bound == placed
    return Timetable(slot, _tables(rows, cols, slot, free), placed, bound, optimal, time.perf_counter() - started,
                     "cp-sat")


def greedy_timetable(rows, cols, available_s, available_b, tables: int, *, blocked=None) -> Timetable:
    """First come, first placed: each meeting, in the order given (the order requests were accepted), takes the
    earliest slot where both sides are available and free and a table is free (self-scheduling).

    Examples
    --------
    >>> plan = greedy_timetable([0, 1, 1], [0, 0, 1], [[True, True], [True, True]], [[True, False], [True, True]], 1)
    >>> plan.placed, plan.slot.tolist()
    (2, [0, -1, 1])
    """
    started = time.perf_counter()
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    available_s, available_b = np.asarray(available_s, dtype=bool), np.asarray(available_b, dtype=bool)
    n_slots = available_s.shape[1]
    free = _free_tables(n_slots, tables, blocked)
    busy_s, busy_b = np.zeros_like(available_s), np.zeros_like(available_b)
    left = np.array([len(f) for f in free])
    slot = np.full(len(rows), -1, dtype=np.int64)
    for m, (r, c) in enumerate(zip(rows.tolist(), cols.tolist())):
        open_ = available_s[r] & available_b[c] & ~busy_s[r] & ~busy_b[c] & (left > 0)
        if open_.any():
            s = int(np.argmax(open_))
            slot[m] = s
            busy_s[r, s] = busy_b[c, s] = True
            left[s] -= 1
    placed = int((slot >= 0).sum())
    return Timetable(slot, _tables(rows, cols, slot, free), placed, placed, False, time.perf_counter() - started,
                     "greedy")
