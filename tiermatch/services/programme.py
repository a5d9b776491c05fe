"""The programme: cluster suggestions and the year's targets, for the CLI, the service and the pages.

The matcher computes; this module takes the register and shapes the answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from ..errors import ConflictError
from ..matcher import prepare_context
from ..matcher.clusters import ClusterReport, suggest_clusters
from ..matcher.targets import ProgrammeTargets, report_targets
from ..store import Store
from .models import in_use_model
from .outcomes import outcomes_from_log
from .register import Register
from .vocabulary import site_vocabulary

__all__ = ["ProgrammeTargets", "cluster_report", "cluster_report_json", "targets_report"]


def cluster_report(register: Register, **options) -> ClusterReport:
    """Suggest clusters for a register held whole (``options`` as :func:`suggest_clusters`).

    The cluster-level shortlists are scored by the stored model runs use
    (:func:`~tiermatch.services.models.in_use_model`), else the prior.

    Raises
    ------
    ConflictError
        Where the register holds no SME or no buyer.
    """
    suppliers, buyers = register.suppliers, register.buyers
    if not suppliers or not buyers:
        raise ConflictError(f"nothing to cluster: {len(suppliers)} SME(s) and {len(buyers)} buyer(s)")
    model = in_use_model(register.store)
    context = prepare_context(suppliers, buyers, register.history, vocabulary=site_vocabulary())
    return suggest_clusters(context, model=model, **options)


def targets_report(store: Store, targets: ProgrammeTargets, as_of: dt.date | None = None) -> dict:
    """:func:`report_targets` over the stored register and feedback."""
    return report_targets(store.profiles.all("suppliers"), outcomes_from_log(store), targets, as_of=as_of)


def cluster_report_json(report: ClusterReport) -> dict:
    """The report as plain JSON-ready values.

    Examples
    --------
    >>> cluster_report_json(ClusterReport([], {"S1": "too small: 1 members < min 5"}, {"modularity": 0.0}))["unclustered"]
    [{'supplier_id': 'S1', 'reason': 'too small: 1 members < min 5'}]
    """
    return {
        "suggestions": [asdict(s) for s in report.suggestions],
        "unclustered": [{"supplier_id": k, "reason": v} for k, v in report.unclustered.items()],
        "quality": report.quality,
        "parameters": report.parameters,
        "timings": report.timings,
    }
