"""Scores supplier-buyer pairs, assigns partnerships, ranks shortlists.

Plain functions over arrays, one idea per module: ``context`` (a register made
ready for scoring, one way for runs, training and clusters), ``batch`` (a run
over partitions), ``assignment`` (b-matching as min-cost flow), ``groups``,
``fairness``, ``agenda``, ``unmatched``, ``ranking``, ``scoring`` (the prior),
``model`` (the learned scorer), ``clusters`` and ``targets``. The engine
(:class:`MatchEngine`) only holds a run's settings and its scorer.
"""

from .agenda import schedule_agenda, schedule_meetings
from .assignment import (
    assign_one_to_one,
    assign_partnerships,
    scale_scores,
    solve_min_cost_flow,
    split_candidate_graph,
)
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
from .context import FIT_SAMPLE, MatchContext, SharedFit, certification_columns, fit_shared, prepare_context
from .engine import CANDIDATES_PER_BUYER, MatchEngine
from .fairness import assign_fair_partnerships, exposure_gini, report_exposure
from .groups import allocate_volume, form_groups, group_partnerships
from .metrics import grouped_auc, ndcg_at_k, precision_at_k, recall_at_k
from .model import LearnedScorer, TrainingReport, train_scoring_model
from .ranking import rank_top_k
from .results import Match, MatchResult, Progress, no_progress
from .scoring import PRIOR_WEIGHTS, score_prior
from .targets import MATCH_OUTCOMES, ProgrammeTargets, report_targets
from .unmatched import explain_unmatched_buyers, explain_unmatched_suppliers

__all__ = [
    "CANDIDATES_PER_BUYER",
    "FIT_SAMPLE",
    "MATCH_OUTCOMES",
    "PRIOR_WEIGHTS",
    "ClusterBuyer",
    "ClusterLabels",
    "ClusterReport",
    "ClusterSuggestion",
    "LearnedScorer",
    "Match",
    "MatchContext",
    "MatchEngine",
    "MatchResult",
    "ProgrammeTargets",
    "Progress",
    "SharedFit",
    "SmeGraph",
    "TrainingReport",
    "allocate_volume",
    "assign_fair_partnerships",
    "assign_one_to_one",
    "assign_partnerships",
    "build_sme_graph",
    "certification_columns",
    "explain_unmatched_buyers",
    "explain_unmatched_suppliers",
    "exposure_gini",
    "find_clusters",
    "fit_shared",
    "form_groups",
    "group_partnerships",
    "grouped_auc",
    "ndcg_at_k",
    "no_progress",
    "precision_at_k",
    "prepare_context",
    "rank_top_k",
    "recall_at_k",
    "report_exposure",
    "report_targets",
    "scale_scores",
    "schedule_agenda",
    "schedule_meetings",
    "score_clustering",
    "score_prior",
    "solve_min_cost_flow",
    "split_candidate_graph",
    "suggest_clusters",
    "train_scoring_model",
]
