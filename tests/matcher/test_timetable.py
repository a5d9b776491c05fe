"""A matchmaking day's timetable with availability and tables: never double-booked, never outside anyone's
availability, no table holding two meetings; the most meetings possible (checked by exhaustive search)."""

from itertools import product

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tiermatch.matcher.timetable import greedy_timetable, timetable


def _check(plan, rows, cols, available_s, available_b, tables, blocked=()):
    placed = plan.slot >= 0
    assert plan.placed == placed.sum() <= plan.bound
    for m in np.flatnonzero(placed):
        s = plan.slot[m]
        assert available_s[rows[m]][s] and available_b[cols[m]][s]
        assert 0 <= plan.table[m] < tables and (s, plan.table[m]) not in set(blocked)
    for who in (rows, cols):
        keys = list(zip(who[placed].tolist(), plan.slot[placed].tolist()))
        assert len(keys) == len(set(keys))  # nobody twice in one slot
    tables_used = list(zip(plan.slot[placed].tolist(), plan.table[placed].tolist()))
    assert len(tables_used) == len(set(tables_used))  # no table holds two meetings at once
    assert (plan.table[~placed] == -1).all()


def _most_by_search(rows, cols, available_s, available_b, tables, blocked=()):
    n_slots = len(available_s[0])
    capacity = [tables - sum(1 for s, _ in blocked if s == k) for k in range(n_slots)]
    best = 0
    for choice in product(range(-1, n_slots), repeat=len(rows)):
        ok, seen, used = True, set(), [0] * n_slots
        for m, s in enumerate(choice):
            if s < 0:
                continue
            if not (available_s[rows[m]][s] and available_b[cols[m]][s]) or ("s", rows[m], s) in seen \
                    or ("b", cols[m], s) in seen or used[s] >= capacity[s]:
                ok = False
                break
            seen |= {("s", rows[m], s), ("b", cols[m], s)}
            used[s] += 1
        if ok:
            best = max(best, sum(s >= 0 for s in choice))
    return best


day = st.integers(1, 3).flatmap(lambda n_slots: st.tuples(
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=0, max_size=6),
    st.lists(st.lists(st.booleans(), min_size=n_slots, max_size=n_slots), min_size=3, max_size=3),
    st.lists(st.lists(st.booleans(), min_size=n_slots, max_size=n_slots), min_size=3, max_size=3),
    st.integers(1, 2),
    st.lists(st.tuples(st.integers(0, n_slots - 1), st.integers(0, 1)), max_size=2),
))


@settings(max_examples=60, deadline=None)
@given(day)
def test_small_days_are_solved_optimally_and_validly(instance):
    meetings, available_s, available_b, tables, blocked = instance
    rows = np.array([m[0] for m in meetings], dtype=np.int64)
    cols = np.array([m[1] for m in meetings], dtype=np.int64)
    blocked = sorted({(s, t) for s, t in blocked if t < tables})
    plan = timetable(rows, cols, available_s, available_b, tables, blocked=blocked, time_limit=10)
    _check(plan, rows, cols, available_s, available_b, tables, blocked)
    best = _most_by_search(rows, cols, available_s, available_b, tables, blocked)
    assert plan.optimal and plan.placed == plan.bound == best
    greedy = greedy_timetable(rows, cols, available_s, available_b, tables, blocked=blocked)
    _check(greedy, rows, cols, available_s, available_b, tables, blocked)
    assert greedy.placed <= best


def test_a_buyer_keeps_one_table_all_day_where_it_can():
    rng = np.random.default_rng(0)
    rows, cols = rng.integers(0, 40, 120), rng.integers(0, 8, 120)
    keep = np.unique(rows * 10 + cols, return_index=True)[1]
    rows, cols = rows[keep], cols[keep]
    everyone = np.ones((40, 6), bool), np.ones((8, 6), bool)
    plan = timetable(rows, cols, *everyone, tables=10)
    _check(plan, rows, cols, *everyone, 10)
    for b in range(8):
        assert len(set(plan.table[(cols == b) & (plan.slot >= 0)].tolist())) <= 1
