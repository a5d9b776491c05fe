"""Exact assignment: published optima, a hand-checked market, brute force on small graphs."""

from __future__ import annotations

import doctest
import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import markets
from tiermatch.errors import InfeasibleFlowError, InvalidCandidateGraphError
from tiermatch.matcher import assignment
from tiermatch.matcher.assignment import (
    assign_one_to_one,
    assign_partnerships,
    scale_scores,
    solve_min_cost_flow,
)

DATA = Path(__file__).resolve().parents[1] / "data"


# --- fixtures and helpers -------------------------------------------------------------


def read_orlib_assignment(path: Path) -> np.ndarray:
    """OR-Library assign*.txt: n, then n*n integer costs row by row."""
    numbers = np.array(path.read_text().split(), dtype=np.int64)
    n = int(numbers[0])
    assert numbers.size == 1 + n * n
    return numbers[1:].reshape(n, n)


def read_dimacs_min(path: Path):
    """DIMACS min format -> (tails, heads, lows, caps, costs, supplies), nodes renumbered from 0."""
    n_nodes = 0
    node_lines, arc_lines = [], []
    for line in path.read_text().splitlines():
        fields = line.split()
        if not fields or fields[0] == "c":
            continue
        if fields[0] == "p":
            n_nodes = int(fields[2])
        elif fields[0] == "n":
            node_lines.append((int(fields[1]) - 1, int(fields[2])))
        elif fields[0] == "a":
            arc_lines.append([int(x) for x in fields[1:6]])
    supplies = np.zeros(n_nodes, dtype=np.int64)
    for node, supply in node_lines:
        supplies[node] = supply
    arcs = np.array(arc_lines, dtype=np.int64)
    return arcs[:, 0] - 1, arcs[:, 1] - 1, arcs[:, 2], arcs[:, 3], arcs[:, 4], supplies


def total_weight(chosen, scores, scale=10_000):
    return int(scale_scores(np.asarray(scores)[chosen], scale).sum())


def check_feasible(chosen, rows, cols, cap_s, cap_b):
    rows, cols = np.asarray(rows), np.asarray(cols)
    assert np.all(np.bincount(rows[chosen], minlength=len(cap_s)) <= cap_s)
    assert np.all(np.bincount(cols[chosen], minlength=len(cap_b)) <= cap_b)


def brute_force_best(rows, cols, weights, cap_s, cap_b):
    """Best total weight over every feasible subset of edges."""
    best = 0
    n = len(rows)
    for k in range(n + 1):
        for subset in itertools.combinations(range(n), k):
            idx = list(subset)
            if np.any(np.bincount(np.asarray(rows)[idx], minlength=len(cap_s)) > cap_s):
                continue
            if np.any(np.bincount(np.asarray(cols)[idx], minlength=len(cap_b)) > cap_b):
                continue
            best = max(best, int(np.asarray(weights)[idx].sum()))
    return best


@pytest.fixture
def tiny_market():
    """3 suppliers x 4 buyers, checked by hand.

    S0 can take 2 buyers, S1 and S2 one each; B0 can take 2 suppliers, the others one.
    S0-B0 0.9, S0-B1 0.8, S0-B2 0.3, S1-B0 0.7, S1-B1 0.75, S2-B2 0.4, S2-B3 -0.1, S2-B0 0.5.
    Best: S0-B0 + S0-B1 (1.7), S1-B0 (0.7; B0 has room for two), S2-B2 (0.4) = 2.8.
    S2-B3 is negative and never taken; S0-B2 loses to S0's two better buyers.
    """
    rows = np.array([0, 0, 0, 1, 1, 2, 2, 2])
    cols = np.array([0, 1, 2, 0, 1, 2, 3, 0])
    scores = np.array([0.9, 0.8, 0.3, 0.7, 0.75, 0.4, -0.1, 0.5])
    expected = np.array([True, True, False, True, False, True, False, False])
    return rows, cols, scores, np.array([2, 1, 1]), np.array([2, 1, 1, 1]), expected


def test_docstring_examples_run():
    assert doctest.testmod(assignment).failed == 0


# --- hand-checked --------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["ortools", "networkx"])
def test_tiny_market_matches_hand_answer(tiny_market, solver):
    rows, cols, scores, cap_s, cap_b, expected = tiny_market
    chosen = assign_partnerships(rows, cols, scores, cap_s, cap_b, solver=solver)
    assert chosen.tolist() == expected.tolist()
    assert scores[chosen].sum() == pytest.approx(2.8)


def test_scipy_solver_on_one_to_one_market():
    rows, cols = [0, 0, 1, 1, 2], [0, 1, 0, 1, 1]
    scores = [5.0, 4.0, 4.0, 1.0, 3.0]
    # Two optima tie at 8: S0-B0 + S2-B1 (5 + 3) and S0-B1 + S1-B0 (4 + 4).
    for solver in ["ortools", "networkx", "scipy"]:
        chosen = assign_partnerships(rows, cols, scores, [1, 1, 1], [1, 1], solver=solver)
        assert total_weight(chosen, scores) == 80_000
        check_feasible(chosen, rows, cols, np.ones(3, int), np.ones(2, int))


def test_input_is_not_mutated(tiny_market):
    rows, cols, scores, cap_s, cap_b, _ = tiny_market
    copies = [a.copy() for a in (rows, cols, scores, cap_s, cap_b)]
    assign_partnerships(rows, cols, scores, cap_s, cap_b)
    for before, after in zip(copies, (rows, cols, scores, cap_s, cap_b)):
        assert np.array_equal(before, after)


def test_empty_graph_and_zero_capacity():
    assert assign_partnerships([], [], [], [1], [1]).tolist() == []
    assert assign_partnerships([0], [0], [1.0], [0], [1]).tolist() == [False]
    assert assign_partnerships([0], [0], [0.0], [1], [1]).tolist() == [False]


def test_tiny_positive_score_below_scale_is_not_taken():
    assert assign_partnerships([0, 1], [0, 0], [1e-6, 1.0], [1, 1], [2]).tolist() == [False, True]


# --- bad input ----------------------------------------------------------------------


def test_duplicate_pair_is_named():
    with pytest.raises(InvalidCandidateGraphError, match=r"duplicate.*supplier 1, buyer 0.*edges 1 and 3"):
        assign_partnerships([0, 1, 0, 1], [1, 0, 0, 0], [1.0, 1.0, 1.0, 1.0], [2, 2], [2, 2])


def test_every_problem_is_reported_at_once():
    with pytest.raises(InvalidCandidateGraphError) as info:
        assign_partnerships([0, 5], [0, 0], [1.0, 2.0], [1, -1], [1.5])
    message = str(info.value)
    assert "supplier_capacity: expected values >= 0, found -1 at position 1" in message
    assert "buyer_capacity: expected whole numbers, found 1.5" in message
    assert "rows: expected supplier positions < n_suppliers = 2" in message


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (([0], [0, 1], [1.0], [1], [2]), "equal lengths, found 1, 2 and 1"),
        (([0, 3], [0, 0], [1.0, 1.0], [1, 1], [1]), r"rows: expected supplier positions < n_suppliers = 2.*found 3 at edge 1"),
        (([0], [2], [1.0], [1], [1, 1]), r"cols: expected buyer positions < n_buyers = 2.*found 2 at edge 0"),
        (([0], [0], [np.nan], [1], [1]), "scores: expected finite numbers"),
        (([-1], [0], [1.0], [1], [1]), "rows: expected values >= 0"),
        ((["a"], [0], [1.0], [1], [1]), "rows: expected integers"),
        (([0], [0], ["high"], [1], [1]), "scores: expected numbers"),
    ],
)
def test_bad_input_message(args, pattern):
    with pytest.raises(InvalidCandidateGraphError, match=pattern):
        assign_partnerships(*args)


def test_unknown_solver_and_scipy_with_capacities():
    with pytest.raises(ValueError, match="solver"):
        assign_partnerships([0], [0], [1.0], [1], [1], solver="glpk")
    with pytest.raises(ValueError, match="capacity <= 1"):
        assign_partnerships([0], [0], [1.0], [2], [1], solver="scipy")


def test_min_cost_flow_rejects_unbalanced_and_infeasible():
    with pytest.raises(InfeasibleFlowError, match="sum to zero, found 1"):
        solve_min_cost_flow([0], [1], [1], [1], [2, -1])
    with pytest.raises(InfeasibleFlowError, match="INFEASIBLE"):
        solve_min_cost_flow([0], [1], [1], [1], [2, -2])
    with pytest.raises(InfeasibleFlowError, match="network_simplex"):
        solve_min_cost_flow([0], [1], [1], [1], [2, -2], solver="networkx")


# --- published optima ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "optimum"),
    [("assign100", 305), ("assign500", 991), ("assign600", 1176), ("assign700", 1362)],
)
def test_orlib_assignment_reaches_published_optimum(name, optimum):
    costs = read_orlib_assignment(DATA / "orlib-assign" / f"{name}.txt")
    col_of_row, total = assign_one_to_one(costs)
    assert total == optimum
    assert sorted(col_of_row.tolist()) == list(range(costs.shape[0]))


def test_orlib_assign100_same_optimum_with_reference_solvers():
    costs = read_orlib_assignment(DATA / "orlib-assign" / "assign100.txt")
    assert assign_one_to_one(costs, solver="scipy")[1] == 305


@pytest.mark.parametrize("solver", ["ortools", "networkx"])
def test_netgen_min_cost_flow_reaches_optimum(solver):
    tails, heads, lows, caps, costs, supplies = read_dimacs_min(DATA / "mincostflow" / "netgen-2.min")
    assert len(supplies) == 400 and len(tails) == 1416
    assert np.all(lows == 0)  # the instance has no lower bounds; nothing to shift
    flows, total = solve_min_cost_flow(tails, heads, caps, costs, supplies, solver=solver)
    assert total == 6_749_969_302
    assert int((flows * costs).sum()) == total
    assert np.all((flows >= 0) & (flows <= caps))
    balance = np.bincount(tails, weights=flows, minlength=400) - np.bincount(heads, weights=flows, minlength=400)
    assert np.array_equal(balance.astype(np.int64), supplies)


# --- properties ------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(markets())
def test_total_equals_brute_force_and_capacities_hold(market):
    rows, cols, scores, cap_s, cap_b = market
    chosen = assign_partnerships(rows, cols, scores, cap_s, cap_b)
    assert chosen.shape == rows.shape and chosen.dtype == bool
    check_feasible(chosen, rows, cols, cap_s, cap_b)
    weights = scale_scores(scores)
    assert np.all(weights[chosen] > 0)  # never a pair that is not worth taking
    assert int(weights[chosen].sum()) == brute_force_best(rows, cols, np.maximum(weights, 0), cap_s, cap_b)


@settings(max_examples=30, deadline=None)
@given(markets(max_edges=14))
def test_ortools_and_networkx_agree(market):
    rows, cols, scores, cap_s, cap_b = market
    weights = scale_scores(scores)
    totals = {
        solver: int(weights[assign_partnerships(rows, cols, scores, cap_s, cap_b, solver=solver)].sum())
        for solver in ["ortools", "networkx"]
    }
    assert totals["ortools"] == totals["networkx"]


@settings(max_examples=30, deadline=None)
@given(markets(max_edges=14))
def test_scipy_agrees_when_capacities_are_one(market):
    rows, cols, scores, cap_s, cap_b = market
    cap_s, cap_b = np.minimum(cap_s, 1), np.minimum(cap_b, 1)
    weights = scale_scores(scores)
    chosen = assign_partnerships(rows, cols, scores, cap_s, cap_b, solver="scipy")
    check_feasible(chosen, rows, cols, cap_s, cap_b)
    reference = assign_partnerships(rows, cols, scores, cap_s, cap_b)
    assert int(weights[chosen].sum()) == int(weights[reference].sum())


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 5).flatmap(lambda n: st.lists(st.integers(0, 20), min_size=n * n, max_size=n * n)))
def test_one_to_one_equals_brute_force(flat):
    n = int(round(len(flat) ** 0.5))
    costs = np.array(flat, dtype=np.int64).reshape(n, n)
    col_of_row, total = assign_one_to_one(costs)
    assert sorted(col_of_row.tolist()) == list(range(n))
    best = min(sum(costs[i, p[i]] for i in range(n)) for p in itertools.permutations(range(n)))
    assert total == best
