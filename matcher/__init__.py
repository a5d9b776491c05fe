"""Scores supplier-buyer pairs, assigns partnerships, ranks shortlists."""

from .agenda import schedule_meetings
from .clusters import (
    ClusterBuyer,
    ClusterLabels,
    ClusterReport,
    ClusterSuggestion,
    SmeGraph,
    build_sme_graph,
    find_clusters,
    score_clustering,
    suggest_clusters,
)
from .assignment import (
    InfeasibleFlowError,
    InvalidCandidateGraphError,
    assign_one_to_one,
    assign_partnerships,
    scale_scores,
    solve_min_cost_flow,
)
from .engine import Match, MatchContext, MatchEngine, MatchResult, Progress
from .fairness import ExposureReport, assign_fair_partnerships, exposure_gini, report_fair_exposure
from .groups import allocate_volume, form_groups
from .metrics import grouped_auc, ndcg_at_k, precision_at_k, recall_at_k
from .model import InsufficientHistoryError, LearnedScorer, TrainingReport, train_scoring_model
from .ranking import rank_top_k
from .scoring import PRIOR_WEIGHTS, score_prior
from .targets import MATCH_OUTCOMES, ProgrammeTargets, report_targets

__all__ = [
    "MATCH_OUTCOMES",
    "PRIOR_WEIGHTS",
    "ClusterBuyer",
    "ClusterLabels",
    "ClusterReport",
    "ClusterSuggestion",
    "ProgrammeTargets",
    "SmeGraph",
    "build_sme_graph",
    "find_clusters",
    "report_targets",
    "score_clustering",
    "suggest_clusters",
    "ExposureReport",
    "InfeasibleFlowError",
    "InsufficientHistoryError",
    "InvalidCandidateGraphError",
    "LearnedScorer",
    "Match",
    "MatchContext",
    "MatchEngine",
    "MatchResult",
    "Progress",
    "TrainingReport",
    "allocate_volume",
    "assign_fair_partnerships",
    "assign_one_to_one",
    "assign_partnerships",
    "exposure_gini",
    "form_groups",
    "grouped_auc",
    "ndcg_at_k",
    "precision_at_k",
    "recall_at_k",
    "rank_top_k",
    "report_fair_exposure",
    "scale_scores",
    "schedule_meetings",
    "score_prior",
    "solve_min_cost_flow",
    "train_scoring_model",
]
