"""Ranking metrics: hand-checked values, sklearn agreement, edge cases."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
from sklearn.metrics import ndcg_score, roc_auc_score

from tiermatch.matcher import metrics
from tiermatch.matcher.metrics import dcg_at_k, grouped_auc, ndcg_at_k, precision_at_k, recall_at_k


def test_doctests_run():
    assert doctest.testmod(metrics).failed == 0


def test_dcg_by_hand():
    # 2/log2(2) + 0/log2(3) + 1/log2(4) = 2 + 0 + 0.5
    assert dcg_at_k([2, 0, 1], k=3) == pytest.approx(2.5)
    assert dcg_at_k([2, 0, 1], k=1) == pytest.approx(2.0)
    assert dcg_at_k([], k=3) == 0.0


def test_ndcg_by_hand_and_against_sklearn():
    ranked = [[0, 2, 1], [1, 0, 0]]
    # query 1: DCG = 2/log2(3) + 1/2 = 1.7619; ideal [2, 1, 0] = 2 + 1/log2(3) = 2.6309 -> 0.66971
    # query 2: DCG = 1 = ideal -> 1
    expected = (((2 / math.log2(3)) + 0.5) / (2 + 1 / math.log2(3)) + 1.0) / 2
    assert ndcg_at_k(ranked, k=3) == pytest.approx(expected)
    # sklearn: true relevance per position, scores decreasing in rank order
    scores = [[3, 2, 1], [3, 2, 1]]
    assert ndcg_at_k(ranked, k=3) == pytest.approx(ndcg_score(ranked, scores, k=3))
    assert ndcg_at_k(ranked, k=2) == pytest.approx(ndcg_score(ranked, scores, k=2))


def test_ndcg_ideal_counts_items_never_shown():
    # Shown one relevant item of three: DCG 1; ideal best-2 of [1, 1, 1] = 1 + 1/log2(3)
    assert ndcg_at_k([[1, 0]], k=2, ideal_relevance_lists=[[1, 1, 1, 0]]) == pytest.approx(1 / (1 + 1 / math.log2(3)))
    # A perfect reader's ranking scores 1
    truth = [3, 0, 2, 1]
    assert ndcg_at_k([sorted(truth, reverse=True)], k=3, ideal_relevance_lists=[truth]) == pytest.approx(1.0)


def test_ndcg_skips_queries_with_nothing_relevant():
    assert ndcg_at_k([[1, 0], [0, 0]], k=2) == pytest.approx(1.0)
    assert math.isnan(ndcg_at_k([], k=2))


def test_recall_and_precision_by_hand():
    ranked = [[1, 0, 2, 1], [0, 0, 0]]
    # query 1: 2 relevant in top 3 of 5 -> 0.4; query 2: 0 of 2 -> 0
    assert recall_at_k(ranked, n_relevant=[5, 2], k=3) == pytest.approx(0.2)
    # a query with nothing relevant is left out of recall, counted in precision
    assert recall_at_k(ranked, n_relevant=[5, 0], k=3) == pytest.approx(0.4)
    assert precision_at_k(ranked, k=3) == pytest.approx((2 / 3 + 0) / 2)
    assert precision_at_k([[1]], k=4) == pytest.approx(0.25)


@pytest.mark.parametrize("call, message", [
    (lambda: dcg_at_k([1], k=0), "positive integer, got 0"),
    (lambda: ndcg_at_k([[1]], k=2.5), "positive integer, got 2.5"),
    (lambda: ndcg_at_k([[1]], k=2, ideal_relevance_lists=[]), "one ideal list per ranked list, got 0 ideal and 1"),
    (lambda: recall_at_k([[1, 1]], n_relevant=[1], k=2), "n_relevant >= the relevant items shown, got 1 < 2"),
    (lambda: recall_at_k([[1]], n_relevant=[1, 2], k=1), "one n_relevant per ranked list, got 2 and 1"),
    (lambda: grouped_auc([1, 0], [0.5], [0, 0]), "one length, got 2, 1 and 2"),
])
def test_errors_name_what_was_expected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_grouped_auc_matches_sklearn_per_group_and_counts_ties_half():
    rng = np.random.default_rng(3)
    groups = np.repeat([10, 20, 30], 40)
    y = rng.random(120) < 0.4
    scores = np.round(rng.random(120), 1)  # many ties
    y[groups == 30] = True  # one class only: left out
    mean, labels, per_group = grouped_auc(y, scores, groups)
    assert labels.tolist() == [10, 20]
    expected = [roc_auc_score(y[groups == g], scores[groups == g]) for g in (10, 20)]
    assert per_group == pytest.approx(expected)
    assert mean == pytest.approx(np.mean(expected))
    assert grouped_auc([1, 0], [0.3, 0.3], ["a", "a"])[0] == 0.5
    assert math.isnan(grouped_auc([1, 1], [0.1, 0.2], ["a", "b"])[0])
