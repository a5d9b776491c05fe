"""Fair exposure: diminishing returns per supplier, exact against brute force; Gini."""

from __future__ import annotations

import doctest
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import markets
from tiermatch.errors import InvalidCandidateGraphError
from tiermatch.matcher import fairness
from tiermatch.matcher.assignment import assign_partnerships, scale_scores
from tiermatch.matcher.fairness import assign_fair_partnerships, exposure_gini, report_exposure


def test_docstring_examples_run():
    assert doctest.testmod(fairness).failed == 0


@pytest.fixture
def one_strong_supplier():
    """S0 scores 0.9 with each of 6 buyers and can take all 6; S1..S6 score 0.6 with one buyer each.

    Plain: S0 takes all six (5.4 > any mix). Fair (1, 0.6, 0.35): S0's 2nd pair is worth
    0.9 - 0.4 * 0.9 = 0.54 < 0.6, so every buyer goes to its own small SME except one for S0.
    """
    rows = np.array([0] * 6 + list(range(1, 7)))
    cols = np.array(list(range(6)) + list(range(6)))
    scores = np.array([0.9] * 6 + [0.6] * 6)
    return rows, cols, scores, np.array([6] + [1] * 6), np.ones(6, dtype=int)


def test_fair_exposure_spreads_one_strong_supplier(one_strong_supplier):
    rows, cols, scores, cap_s, cap_b = one_strong_supplier
    plain = assign_partnerships(rows, cols, scores, cap_s, cap_b)
    fair = assign_fair_partnerships(rows, cols, scores, cap_s, cap_b)
    assert np.bincount(rows[plain], minlength=7).tolist() == [6, 0, 0, 0, 0, 0, 0]
    counts = np.bincount(rows[fair], minlength=7)
    # S0 keeps one buyer (which one is a tie); the five others go to their own small SME.
    assert counts[0] == 1 and counts[1:].sum() == 5 and counts.max() == 1 and fair.sum() == 6
    plain_report, fair_report = (report_exposure(rows, scores, 7, chosen) for chosen in (plain, fair))
    assert plain_report["suppliers_matched"] == 1 and fair_report["suppliers_matched"] == 6
    assert fair_report["gini"] < plain_report["gini"]
    assert plain_report["total_score"] == pytest.approx(5.4)
    assert fair_report["total_score"] == pytest.approx(0.9 + 5 * 0.6)


def test_decay_of_one_is_plain_assignment(one_strong_supplier):
    rows, cols, scores, cap_s, cap_b = one_strong_supplier
    same = assign_fair_partnerships(rows, cols, scores, cap_s, cap_b, decay=(1.0,))
    assert same.tolist() == assign_partnerships(rows, cols, scores, cap_s, cap_b).tolist()


@pytest.mark.parametrize("decay", [(), (1.0, 1.2), (0.5, 0.8), (1.0, -0.1)])
def test_bad_decay_is_refused(decay):
    with pytest.raises(ValueError, match="decay"):
        assign_fair_partnerships([0], [0], [1.0], [1], [1], decay=decay)


def test_bad_graph_is_refused():
    with pytest.raises(InvalidCandidateGraphError, match="duplicate"):
        assign_fair_partnerships([0, 0], [0, 0], [1.0, 1.0], [2], [2])


def test_gini_values():
    assert exposure_gini([]) == 0.0
    assert exposure_gini([0, 0]) == 0.0
    assert exposure_gini([5]) == 0.0
    assert exposure_gini([0, 0, 0, 4]) == pytest.approx(0.75)
    assert exposure_gini([1, 2, 3]) == pytest.approx(
        sum(abs(a - b) for a in [1, 2, 3] for b in [1, 2, 3]) / (2 * 9 * 2)
    )
    with pytest.raises(ValueError, match="counts: expected values >= 0"):
        exposure_gini([1, -1])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=1, max_size=8))
def test_gini_equals_mean_absolute_difference(counts):
    x = np.array(counts, dtype=float)
    expected = 0.0 if x.sum() == 0 else np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    assert exposure_gini(counts) == pytest.approx(expected)


def fair_objective(idx, rows, weights, decay):
    """sum of weights - per supplier sum of penalties round((1 - decay[k]) * best weight)."""
    value = int(weights[idx].sum())
    for i in set(rows[idx].tolist()):
        ref = int(weights[(rows == i) & (weights > 0)].max())
        for k in range(int((rows[idx] == i).sum())):
            value -= int(np.rint((1 - decay[min(k, len(decay) - 1)]) * ref))
    return value


@settings(max_examples=40, deadline=None)
@given(markets(suppliers=(1, 3), scores=(-0.5, 1.0), supplier_capacity=(0, 4), buyer_capacity=(0, 2)))
def test_fair_objective_equals_brute_force(market):
    rows, cols, scores, cap_s, cap_b = market
    decay = (1.0, 0.6, 0.35)
    chosen = assign_fair_partnerships(rows, cols, scores, cap_s, cap_b, decay=decay)
    assert np.all(np.bincount(rows[chosen], minlength=len(cap_s)) <= cap_s)
    assert np.all(np.bincount(cols[chosen], minlength=len(cap_b)) <= cap_b)
    weights = scale_scores(scores)
    assert np.all(weights[chosen] > 0)
    positive = np.flatnonzero(weights > 0)
    best = 0
    for k in range(len(positive) + 1):
        for subset in itertools.combinations(positive, k):
            idx = np.array(subset, dtype=np.int64)
            if np.any(np.bincount(rows[idx], minlength=len(cap_s)) > cap_s):
                continue
            if np.any(np.bincount(cols[idx], minlength=len(cap_b)) > cap_b):
                continue
            best = max(best, fair_objective(idx, rows, weights, decay))
    assert fair_objective(np.flatnonzero(chosen), rows, weights, decay) == best
    reference = assign_fair_partnerships(rows, cols, scores, cap_s, cap_b, decay=decay, solver="networkx")
    assert fair_objective(np.flatnonzero(reference), rows, weights, decay) == best
