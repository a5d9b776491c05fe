"""Cluster suggestions and the programme's targets over the stored register.

``GET /clusters/suggestions`` calls :func:`tiermatch.services.cluster_report`
on the stored register as one of the service's jobs (one heavy job at a time
per process); ``GET /programme/targets`` counts the stored register and
feedback against the targets given as parameters.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from ..errors import InvalidInputError
from ..services import ProgrammeTargets, cluster_report, cluster_report_json, load_register, targets_report
from ..store import Store
from .auth import MATCHMAKER, Principal, require
from .deps import get_store
from .errors import error_responses

__all__ = ["ClusterBuyerOut", "ClusterReportOut", "ClusterSuggestionOut", "TargetsOut", "router"]

router = APIRouter()

StoreDep = Annotated[Store, Depends(get_store)]
Matchmaker = Annotated[Principal, Depends(require(MATCHMAKER))]


class ClusterBuyerOut(BaseModel):
    """A buyer a suggested cluster could serve together."""

    buyer_id: str
    rank: int
    score: float
    reasons: str
    reasons_th: str
    demand_thb_per_month: float | None
    demand_covered: float | None
    beyond_any_member: bool


class ClusterSuggestionOut(BaseModel):
    """A new cluster, or an existing one that grows (``kind="grow"``), explained."""

    cluster_id: str
    kind: str
    existing_cluster: str | None
    title: str
    members: list[str]
    added: list[str]
    moved_from: dict[str, str]
    sectors: dict[str, int]
    provinces: dict[str, int]
    centre: tuple[float, float]
    spread_km: float
    max_km: float
    concepts: list[str]
    concepts_th: list[str]
    complementary_links: list[tuple[str, str]]
    capacity_thb_per_month: float | None
    capacity_known: int
    buyers: list[ClusterBuyerOut]


class UnclusteredOut(BaseModel):
    supplier_id: str
    reason: str


class ClusterReportOut(BaseModel):
    """Suggestions, every SME left out with its reason, and the quality of the clustering."""

    suggestions: list[ClusterSuggestionOut]
    unclustered: list[UnclusteredOut]
    quality: dict
    parameters: dict
    timings: dict


class TargetsOut(BaseModel):
    """The programme against its targets; see :func:`~tiermatch.matcher.targets.report_targets`."""

    year: int
    as_of: str
    year_elapsed: float
    clustered: dict
    matches: dict
    deal_value_thb: dict
    deals: dict
    by_sector: list[dict]
    by_region: list[dict]
    by_month: list[dict]
    undated: int
    unknown_suppliers: int


@router.get("/clusters/suggestions", response_model=ClusterReportOut, tags=["clusters"],
            responses=error_responses(401, 403, 409, 422, 503))
def cluster_suggestions(
    request: Request, store: StoreDep, _: Matchmaker,
    min_size: Annotated[int, Query(ge=1, le=1000, description="fewest members of a suggested cluster")] = 5,
    max_size: Annotated[int, Query(ge=1, le=1000, description="most members of a suggested cluster")] = 30,
    keep_existing: Annotated[bool, Query(description="keep SMEs in their existing cluster; false lets them be "
                                                     "regrouped, each move listed in moved_from")] = True,
    max_km: Annotated[float, Query(gt=0, le=2000, description="longest distance between two linked SMEs")] = 100.0,
    buyers_per_cluster: Annotated[int, Query(ge=0, le=50, description="buyers listed per suggestion")] = 5,
    seed: Annotated[int, Query(ge=0, le=2**31 - 1, description="seed of the community search")] = 0,
):
    """Suggest industrial clusters from the stored register: whom to invite into which cluster.

    Each suggestion gives its members (existing ones included), the SMEs invited, centre and spread in km,
    product concepts covered, combined monthly capacity and the buyers the cluster could serve together,
    with reasons in English and Thai. Every SME neither in a cluster nor in a suggestion is listed with
    the reason. 409 where the store holds no SME or no buyer.
    """
    if min_size > max_size:
        raise InvalidInputError(f"min_size ({min_size}) must not exceed max_size ({max_size})", "min_size")
    report = request.app.state.jobs.call(
        lambda: cluster_report(load_register(store), min_size=min_size, max_size=max_size,
                               keep_existing=keep_existing, max_km=max_km, top_k_buyers=buyers_per_cluster,
                               random_state=seed))
    return cluster_report_json(report)


@router.get("/programme/targets", response_model=TargetsOut, tags=["clusters"], responses=error_responses(401, 403, 422))
def programme_targets(
    store: StoreDep, _: Matchmaker,
    year: Annotated[int, Query(ge=2000, le=2200, description="the programme year (Gregorian)")],
    clustered_target: Annotated[int | None, Query(ge=1, description="SMEs in clusters the year aims at")] = 2000,
    match_target: Annotated[int | None, Query(ge=1, description="matches (accepted or deal) the year aims at")] = None,
    deal_target_thb: Annotated[float | None, Query(ge=1, description="baht of deals the year aims at")] = None,
    as_of: Annotated[dt.date | None, Query(description="report as of this day [default: today]")] = None,
):
    """SMEs in clusters, matches and deal value (feedback of kind ``deal`` with ``value_thb``) by sector,
    region and month, against the targets given; ``on_track`` compares progress with the share of the
    year elapsed. Undated feedback and feedback on unknown SMEs are counted apart."""
    targets = ProgrammeTargets(year, clustered_smes=clustered_target, matches=match_target,
                               deal_value_thb=deal_target_thb)
    return targets_report(store, targets, as_of=as_of)
