"""What tiermatch does, one function per task, for every door: the CLI, the JSON service and the pages.

Each door only reads its input, calls a service here, and shows the answer;
none prepares data its own way. Services raise the errors of
:mod:`tiermatch.errors`, which each door maps to its own form once.

- ``register``: the register a task runs on, from files or the store;
- ``runs``: batch runs (recorded in the store when they run over it);
- ``results``: a run's shortlists, recommendations, explanations, groups, agendas;
- ``imports``: profiles and history into the store;
- ``profiles``, ``feedback``: single records;
- ``models``: learning a scoring model from the history, and the one in use;
- ``programme``: cluster suggestions and the year's targets;
- ``keys``, ``accounts``: API keys, web users and sessions.
"""

from .accounts import (
    SESSION_SECONDS,
    SignInThrottle,
    add_web_user,
    change_password,
    check_password,
    delete_web_user,
    end_session,
    find_session_key,
    list_web_users,
    open_session,
    session_principal,
    session_secret,
)
from .day import DayPlan, day_slots, plan_day
from .feedback import record_feedback
from .imports import ImportReport, import_files, import_records, import_upload, rejected_lines
from .keys import ADMIN, BUYER, MATCHMAKER, ROLES, create_key, generate_key, hash_key, revoke_key
from .models import (
    SCORER_CHOICES,
    describe_scoring,
    history_fingerprint,
    in_use_model,
    json_safe,
    keep_model,
    retrain,
    scorer_for,
)
from .outcomes import (
    ACTIONS,
    EVENT_KINDS,
    ShownLog,
    funnel,
    outcome_propensities,
    outcomes_from_log,
    read_events,
    record_event,
)
from .profiles import create_profile, delete_profile, get_profile, list_profiles, replace_profile
from .programme import ProgrammeTargets, cluster_report, cluster_report_json, targets_report
from .rates import RateLimit
from .register import Register, load_register
from .results import (
    Filters,
    Shortlist,
    as_csv,
    check_shown,
    completed_run,
    groups_rows,
    latest_run,
    read_agenda,
    read_explanation,
    read_groups,
    read_recommendations,
    read_results,
    read_shortlist,
)
from .runs import (
    CANDIDATES_PER_BUYER,
    SHORTLIST_DEPTH,
    RunOptions,
    RunOutcome,
    build_result_rows,
    execute_run,
    is_worker_alive,
    match_register,
    queue_run,
    run_register,
    worker_name,
)
from .vocabulary import TermSuggestion, file_term, site_vocabulary, suggest_terms

__all__ = [
    "ACTIONS",
    "ADMIN",
    "BUYER",
    "CANDIDATES_PER_BUYER",
    "EVENT_KINDS",
    "MATCHMAKER",
    "ROLES",
    "SCORER_CHOICES",
    "SESSION_SECONDS",
    "SHORTLIST_DEPTH",
    "DayPlan",
    "Filters",
    "ImportReport",
    "ProgrammeTargets",
    "RateLimit",
    "Register",
    "RunOptions",
    "RunOutcome",
    "Shortlist",
    "ShownLog",
    "SignInThrottle",
    "TermSuggestion",
    "add_web_user",
    "as_csv",
    "build_result_rows",
    "change_password",
    "check_password",
    "check_shown",
    "cluster_report",
    "cluster_report_json",
    "completed_run",
    "create_key",
    "create_profile",
    "day_slots",
    "delete_profile",
    "delete_web_user",
    "describe_scoring",
    "end_session",
    "execute_run",
    "file_term",
    "find_session_key",
    "funnel",
    "generate_key",
    "get_profile",
    "groups_rows",
    "hash_key",
    "history_fingerprint",
    "import_files",
    "import_records",
    "import_upload",
    "in_use_model",
    "is_worker_alive",
    "json_safe",
    "keep_model",
    "latest_run",
    "list_profiles",
    "list_web_users",
    "load_register",
    "match_register",
    "open_session",
    "outcome_propensities",
    "outcomes_from_log",
    "plan_day",
    "queue_run",
    "read_agenda",
    "read_events",
    "read_explanation",
    "read_groups",
    "read_recommendations",
    "read_results",
    "read_shortlist",
    "record_event",
    "record_feedback",
    "rejected_lines",
    "replace_profile",
    "retrain",
    "revoke_key",
    "run_register",
    "scorer_for",
    "session_principal",
    "session_secret",
    "site_vocabulary",
    "suggest_terms",
    "targets_report",
    "worker_name",
]
