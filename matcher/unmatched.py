"""Nothing disappears silently: why each buyer and SME a run leaves without a partnership was left."""

from __future__ import annotations

import numpy as np

__all__ = ["explain_unmatched_buyers", "explain_unmatched_suppliers", "why_no_candidate"]


def explain_unmatched_buyers(B, candidates, scores, chosen, min_score: float, reachable) -> dict[str, str]:
    """Why each buyer left without a partnership was left: its candidates went elsewhere, scored too
    low, or there were none (:func:`why_no_candidate`, from ``reachable``)."""
    reasons = {}
    has_candidates = np.zeros(len(B), dtype=bool)
    has_candidates[candidates.cols] = True
    has_proposable = np.zeros(len(B), dtype=bool)
    has_proposable[candidates.cols[scores >= min_score]] = True
    matched = np.zeros(len(B), dtype=bool)
    matched[candidates.cols[chosen]] = True
    for j in np.flatnonzero(~matched):
        if has_proposable[j]:
            reasons[B.ids[j]] = "its candidates were all assigned to buyers where they scored higher"
        elif has_candidates[j]:
            reasons[B.ids[j]] = f"no candidate scores {min_score} or more"
        else:
            reasons[B.ids[j]] = why_no_candidate(B, reachable, j)
    return reasons


def explain_unmatched_suppliers(S, candidates, scores, chosen, min_score: float) -> dict[str, str]:
    """Why each SME left without a partnership was left: no room, better-fitting rivals, low scores or no buyer."""
    reasons = {}
    has_candidates = np.zeros(len(S), dtype=bool)
    has_candidates[candidates.rows] = True
    matched = np.zeros(len(S), dtype=bool)
    matched[candidates.rows[chosen]] = True
    has_proposable = np.zeros(len(S), dtype=bool)
    has_proposable[candidates.rows[scores >= min_score]] = True
    for i in np.flatnonzero(~matched):
        if S.max_buyers[i] == 0:
            reasons[S.ids[i]] = "max_buyers is 0"
        elif has_proposable[i]:
            reasons[S.ids[i]] = "buyers it could serve took suppliers that fit them better"
        elif has_candidates[i]:
            reasons[S.ids[i]] = f"no buyer scores {min_score} or more with it"
        else:
            reasons[S.ids[i]] = "no buyer that it passes the hard constraints for needs what it offers"
    return reasons


def why_no_candidate(B, reachable: np.ndarray, j: int) -> str:
    """Why buyer ``j`` has no candidate, from ``reachable[j]``: whether any supplier holds its required
    certifications, lies within its distance limit, and both."""
    certified, near, both = reachable[j]
    if not certified:
        return "no supplier holds every required certification"
    if not near:
        return f"no supplier within {B.max_distance_km[j]:.0f} km"
    if not both:
        return "no supplier both holds the required certifications and lies within the distance limit"
    return "no supplier that passes the hard constraints offers anything like its needs"
