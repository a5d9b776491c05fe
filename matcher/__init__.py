"""Scores supplier-buyer pairs, assigns partnerships, ranks shortlists."""

from .assignment import assign_partnerships
from .engine import Match, MatchEngine, MatchResult, Progress
from .ranking import rank_top_k
from .scoring import PRIOR_WEIGHTS, score_prior

__all__ = [
    "PRIOR_WEIGHTS",
    "Match",
    "MatchEngine",
    "MatchResult",
    "Progress",
    "assign_partnerships",
    "rank_top_k",
    "score_prior",
]
