"""Scores for candidate pairs: a transparent prior that works on day one."""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from ..features.pairs import FEATURE_NAMES

__all__ = ["PRIOR_WEIGHTS", "score_pairs", "score_prior"]

# Documented weights of the day-one score; they sum to 1, so scores lie in [0, 1].
# What a buyer asks first is whether the SME can supply what it needs: need_coverage (item by item, by concept or
# encoder), product_fit (the share of the need's text the SME's names) and spelling_fit (the same, read as letters:
# typing slips and products no list holds) weigh 0.68 together; then distance, volume on both sides, sector, route
# and certificates. The text terms only grow when an SME makes more than is needed. Measured on the benchmark's
# registers (benchmarks/README.md, "Quality"): adding spelling_fit at 0.20 took held-out NDCG@10 from 0.222 to
# 0.243 and from 0.143 to 0.180. Features the prior leaves out (semantic_fit, a symmetric closeness; region,
# cluster, size, ...) weigh 0 here and are for the learned model.
PRIOR_WEIGHTS = MappingProxyType({
    "need_coverage": 0.36,
    "product_fit": 0.12,
    "spelling_fit": 0.20,
    "sector_fit": 0.04,
    "certification_fit": 0.02,
    "distance_fit": 0.07,
    "capacity_fit": 0.06,
    "supplier_appeal": 0.06,
    "route_fit": 0.03,
    "track_record": 0.02,
    "buyer_affinity": 0.02,
})


def score_prior(values: np.ndarray, weights=PRIOR_WEIGHTS) -> np.ndarray:
    """Weighted sum of pair features.

    Parameters
    ----------
    values : ndarray, shape (n_pairs, n_features)
        Columns in ``FEATURE_NAMES`` order, each in [0, 1].
    weights : mapping of feature name to weight

    Returns
    -------
    ndarray, shape (n_pairs,)

    Examples
    --------
    >>> score_prior(np.ones((2, len(FEATURE_NAMES)))).round(6).tolist()
    [1.0, 1.0]
    """
    w = np.array([weights.get(name, 0.0) for name in FEATURE_NAMES], dtype=np.float32)
    return np.asarray(values, dtype=np.float32) @ w


def score_pairs(values: np.ndarray, model=None, buyer_ids=None) -> np.ndarray:
    """Scores of pairs, higher is better: ``model.score(values, buyer_ids)`` where a learned model is given (each
    pair's buyer id lets it apply that buyer's own preferences), else the prior.

    Examples
    --------
    >>> score_pairs(np.ones((1, len(FEATURE_NAMES)))).round(6).tolist()
    [1.0]
    """
    return score_prior(values) if model is None else np.asarray(model.score(values, buyer_ids))

