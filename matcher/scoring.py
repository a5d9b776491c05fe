"""Scores for candidate pairs: a transparent prior that works on day one."""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from ..features.pairs import FEATURE_NAMES

__all__ = ["PRIOR_WEIGHTS", "score_pairs", "score_prior"]

# Documented weights of the day-one score; they sum to 1, so scores lie in [0, 1]. What the SME makes weighs 0.60
# (0.45 before 2026-12-02: on the benchmark's registers, 0.60 ranked later partnerships and true relevance
# better on every register tried; benchmarks/README.md, "Quality").
# What a buyer asks first is whether the SME can supply what it needs (need_coverage, item by item; and
# product_fit, the share of the need's text the SME's names, for what no concept or encoder reads); then
# distance, volume on both sides, sector, route and certificates. Both text terms only grow when an SME
# makes more than is needed. Features the prior leaves out (semantic_fit, a symmetric closeness; region,
# cluster, size, ...) weigh 0 here and are for the learned model.
PRIOR_WEIGHTS = MappingProxyType({
    "need_coverage": 0.45,
    "product_fit": 0.15,
    "sector_fit": 0.05,
    "certification_fit": 0.03,
    "distance_fit": 0.09,
    "capacity_fit": 0.07,
    "supplier_appeal": 0.07,
    "route_fit": 0.04,
    "track_record": 0.03,
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

