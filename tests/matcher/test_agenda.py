"""Meeting agenda: no double booking, exactly max-degree slots (König)."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiermatch.errors import InvalidCandidateGraphError
from tiermatch.matcher import agenda
from tiermatch.matcher.agenda import schedule_meetings


def test_docstring_examples_run():
    assert doctest.testmod(agenda).failed == 0


def check_agenda(rows, cols, slots):
    rows, cols = np.asarray(rows), np.asarray(cols)
    degree = max(np.bincount(rows).max(), np.bincount(cols).max()) if len(rows) else 0
    assert slots.shape == rows.shape and slots.dtype == np.int64
    if len(rows):
        assert slots.min() >= 0 and slots.max() + 1 == degree
    # Nobody twice in one slot: (person, slot) pairs are unique on each side.
    assert len(set(zip(rows.tolist(), slots.tolist()))) == len(rows)
    assert len(set(zip(cols.tolist(), slots.tolist()))) == len(cols)


def test_hand_checked_fair_day():
    """3 SMEs x 4 buyers. S0 meets B0, B1, B2; S1 meets B0, B3; S2 meets B1. Degree 3: three slots."""
    rows = [0, 0, 0, 1, 1, 2]
    cols = [0, 1, 2, 0, 3, 1]
    slots = schedule_meetings(rows, cols)
    check_agenda(rows, cols, slots)
    assert slots.max() + 1 == 3


def test_path_swap_is_needed():
    # The last meeting (S2, B0): slot 0 is free at S2 but taken at B0, so the path
    # B0 -0- S0 -1- B1 -0- S1 swaps its slots first.
    rows = [0, 0, 1, 2]
    cols = [0, 1, 1, 0]
    slots = schedule_meetings(rows, cols)
    check_agenda(rows, cols, slots)
    assert slots.tolist() == [1, 0, 1, 0]


def test_repeated_pair_gets_two_slots():
    slots = schedule_meetings([0, 0], [0, 0])
    assert sorted(slots.tolist()) == [0, 1]


def test_empty_and_bad_input():
    assert schedule_meetings([], []).tolist() == []
    with pytest.raises(InvalidCandidateGraphError, match="equal lengths, found 2 and 1"):
        schedule_meetings([0, 1], [0])
    with pytest.raises(InvalidCandidateGraphError, match="cols: expected values >= 0"):
        schedule_meetings([0], [-2])


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda n_s: st.integers(1, 6).flatmap(
            lambda n_b: st.lists(st.tuples(st.integers(0, n_s - 1), st.integers(0, n_b - 1)), max_size=30)
        )
    )
)
def test_no_double_booking_in_max_degree_slots(pairs):
    rows = np.array([p[0] for p in pairs], dtype=np.int64)
    cols = np.array([p[1] for p in pairs], dtype=np.int64)
    check_agenda(rows, cols, schedule_meetings(rows, cols))


def test_dense_regular_case():
    # Complete 12 x 12: degree 12, a Latin-square agenda must exist and be found.
    rows, cols = np.divmod(np.arange(144), 12)
    slots = schedule_meetings(rows, cols)
    check_agenda(rows, cols, slots)


def _most_by_search(rows, cols, n_slots, weights):
    """The most meetings (then the highest total weight) of any set within ``n_slots`` each: every subset tried."""
    from itertools import combinations

    for size in range(len(rows), -1, -1):
        best = None
        for kept in combinations(range(len(rows)), size):
            r, c = np.bincount(rows[list(kept)], minlength=8), np.bincount(cols[list(kept)], minlength=8)
            if r.max(initial=0) <= n_slots and c.max(initial=0) <= n_slots:
                total = round(sum(round(weights[k] * 1000) for k in kept))
                best = total if best is None else max(best, total)
        if best is not None:
            return size, best


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 100)), max_size=10),
       st.integers(1, 3))
def test_a_short_day_holds_the_most_meetings_any_schedule_could(meetings, n_slots):
    """Checked against every subset: as many meetings as possible, the best-scoring among those, all scheduled
    in ``n_slots`` with nobody double-booked."""
    rows = np.array([m[0] for m in meetings], dtype=np.int64)
    cols = np.array([m[1] for m in meetings], dtype=np.int64)
    weights = np.array([m[2] / 100 for m in meetings])
    slots, needed = agenda.schedule_agenda(rows, cols, n_slots, weights=weights)
    placed = slots >= 0
    size, total = _most_by_search(rows, cols, n_slots, weights)
    assert placed.sum() == size
    assert round(sum(round(w * 1000) for w in weights[placed])) == total
    assert slots.max(initial=-1) < n_slots
    assert len(set(zip(rows[placed].tolist(), slots[placed].tolist()))) == placed.sum()
    assert len(set(zip(cols[placed].tolist(), slots[placed].tolist()))) == placed.sum()
    if needed <= n_slots:
        assert placed.all()


def test_the_flow_places_more_than_dropping_the_late_slots():
    """The case of the issue: a day asked for fewer slots than the busiest need. Dropping whatever the colouring
    put past the last slot loses meetings that a better schedule keeps."""
    rng = np.random.default_rng(3)  # a few very busy SMEs and buyers, as at a fair
    rows, cols = rng.zipf(1.6, 300) % 40, rng.zipf(1.6, 300) % 40
    keep = np.unique(rows * 100 + cols, return_index=True)[1]
    rows, cols = rows[keep], cols[keep]
    slots, needed = agenda.schedule_agenda(rows, cols, 6)
    dropped = (schedule_meetings(rows, cols) >= 6).sum()
    assert needed > 6 and (slots < 0).sum() < dropped
    assert np.bincount(cols[slots >= 0]).max() <= 6 and np.bincount(rows[slots >= 0]).max() <= 6
