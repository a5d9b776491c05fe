"""Routes over the latest completed run: shortlists, recommendations, pair explanations; and feedback."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from ..features.profiles import Partnership
from ..matcher.scoring import PRIOR_WEIGHTS
from ..store import Store
from .auth import BUYER, MATCHMAKER, Principal, check_buyer_access, require
from .deps import Filters, Page, get_store, page, profile_filters
from .errors import ApiError, error_responses
from .schemas import (
    ExplanationOut,
    FeatureOut,
    FeedbackIn,
    FeedbackOut,
    FeedbackPage,
    RecommendationOut,
    RecommendationsOut,
    ShortlistItem,
    ShortlistOut,
)

__all__ = ["features_from_reasons", "router"]

router = APIRouter()

StoreDep = Annotated[Store, Depends(get_store)]
Id = Annotated[str, Path(min_length=1, max_length=200)]


def _latest_run(store: Store) -> int:
    run_id = store.latest_completed_run_id()
    if run_id is None:
        raise ApiError(404, "no completed run yet: start one with POST /runs", None)
    return run_id


def _known(store: Store, kind: str, key: str) -> None:
    if store.get_profile(kind, key) is None:
        raise ApiError(404, f"no {kind[:-1]} with id {key!r}", f"path.{kind[:-1]}_id")


def _shortlist_item(row: dict) -> ShortlistItem:
    return ShortlistItem(
        rank=row["rank"], supplier_id=row["supplier_id"], supplier_name=row["supplier_name"],
        sector=row["supplier_sector"], province=row["supplier_province"], region=row["supplier_region"],
        certifications=[c for c in row["supplier_certifications"].split(";") if c],
        score=row["score"], reasons=row["reasons"],
    )


@router.get("/buyers/{buyer_id}/shortlist", response_model=ShortlistOut, tags=["matches"],
            responses=error_responses(401, 403, 404, 422))
async def read_shortlist(
    buyer_id: Id,
    store: StoreDep,
    principal: Annotated[Principal, Depends(require(MATCHMAKER, BUYER))],
    filters: Annotated[Filters, Depends(profile_filters)],
    paging: Annotated[Page, Depends(page)],
):
    """A buyer's ranked SMEs from the latest completed run, filtered by the SMEs' sector, place and certification.

    A buyer key sees only its own shortlist.
    """
    # async: the one indexed read below is cheaper than a hop to the thread pool (see benchmarks/README.md).
    check_buyer_access(principal, buyer_id)
    known, run_id, rows = store.latest_shortlist(buyer_id, sector=filters.sector, provinces=filters.provinces,
                                                 certification=filters.certification)
    if not known:
        raise ApiError(404, f"no buyer with id {buyer_id!r}", "path.buyer_id")
    if run_id is None:
        raise ApiError(404, "no completed run yet: start one with POST /runs", None)
    total, rows = len(rows), rows[paging.offset:paging.offset + paging.limit]
    return ShortlistOut(run_id=run_id, buyer_id=buyer_id, total=total, limit=paging.limit, offset=paging.offset,
                        items=[_shortlist_item(row) for row in rows])


@router.get("/suppliers/{supplier_id}/recommendations", response_model=RecommendationsOut, tags=["matches"],
            responses=error_responses(401, 403, 404, 422))
def read_recommendations(
    supplier_id: Id,
    store: StoreDep,
    _: Annotated[Principal, Depends(require(MATCHMAKER))],
    paging: Annotated[Page, Depends(page)],
):
    """The buyers an SME should approach, best first, with reasons, from the latest completed run."""
    _known(store, "suppliers", supplier_id)
    run_id = _latest_run(store)
    total, rows = store.run_matches(run_id, "recommendation", supplier_id=supplier_id,
                                    limit=paging.limit, offset=paging.offset)
    items = [RecommendationOut(rank=r["rank"], buyer_id=r["buyer_id"], buyer_name=r["buyer_name"],
                               buyer_type=r["buyer_type"], sector=r["buyer_sector"], province=r["buyer_province"],
                               score=r["score"], reasons=r["reasons"]) for r in rows]
    return RecommendationsOut(run_id=run_id, supplier_id=supplier_id, total=total, limit=paging.limit,
                              offset=paging.offset, items=items)


def _percent(text: str) -> float | None:
    found = re.search(r"(\d+(?:\.\d+)?)%", text)
    return None if found is None else float(found.group(1)) / 100


def features_from_reasons(reasons: str, buyer_type: str) -> list[FeatureOut]:
    """Every scored feature of a pair, its value and its reason, read back from a run's stored reasons.

    A stop-gap until ``matcher`` offers a function that explains one pair from
    its feature values: the reasons line of :func:`tiermatch.features.pairs.explain_pair`
    states each feature's input, and the values are recomputed from it with the
    formulas documented in ``FEATURE_NAMES``.

    Parameters
    ----------
    reasons : str
        A stored ``reasons`` line, parts separated by ``"; "``.
    buyer_type : str
        The buyer's type, which decides what ``route_fit`` measures.

    Returns
    -------
    list of FeatureOut
        One per feature in ``PRIOR_WEIGHTS`` order; ``value`` None where the reasons do not say.

    Examples
    --------
    >>> [(f.name, f.value) for f in features_from_reasons("product text 62% alike; same sector (automotive); "
    ...                                                   "0 km away", "first_tier")][:3]
    [('product_fit', 0.62), ('same_sector', 1.0), ('distance_fit', 1.0)]
    """
    parts = [part.strip() for part in reasons.split(";") if part.strip()]
    found: dict[str, tuple[float | None, str]] = {}
    for part in parts:
        if part.endswith("alike"):
            found["product_fit"] = (_percent(part), part)
        elif part.startswith("same sector"):
            found["same_sector"] = (1.0, part)
        elif part.endswith(" buyer") and " supplier, " in part:
            found["same_sector"] = (0.0, part)
        elif part.endswith("km away"):
            km = float(re.match(r"[\d.]+", part).group(0)) if re.match(r"[\d.]+", part) else None
            found["distance_fit"] = (None if km is None else round(1 / (1 + km / 150), 4), part)
        elif part.startswith("capacity covers"):
            share = _percent(part)
            found["capacity_fit"] = (1.0 if share is None else min(1.0, share), part)
        elif part in ("export ready", "not export ready"):
            found["route_fit"] = (1.0 if part == "export ready" else 0.0, part)
        elif part == "OTOP producer":
            found["route_fit"] = (1.0, part)
        elif part.endswith("past proposals accepted"):
            numbers = re.findall(r"\d+", part)
            if len(numbers) >= 2:
                accepted, proposals = float(numbers[0]), float(numbers[1])
                found["track_record"] = (round((accepted + 1) / (proposals + 2), 4), part)
            else:
                found["track_record"] = (None, part)
    defaults = {
        "product_fit": (None, "not stated"),
        "same_sector": (None, "not stated"),
        "distance_fit": (None, "distance not stated"),
        "capacity_fit": (0.5, "capacity or demand unknown: counted as half a fit"),
        "route_fit": ((0.5, "not an OTOP producer") if buyer_type == "retailer" else
                      (1.0, "export readiness and OTOP do not matter to a first-tier buyer")),
        "track_record": (0.5, "no past proposals: the prior rate of one half"),
    }
    return [FeatureOut(name=name, value=found.get(name, defaults[name])[0], weight=weight,
                       reason=found.get(name, defaults[name])[1])
            for name, weight in PRIOR_WEIGHTS.items()]


@router.get("/pairs/{buyer_id}/{supplier_id}/explanation", response_model=ExplanationOut, tags=["matches"],
            responses=error_responses(401, 403, 404, 422))
def read_explanation(
    buyer_id: Id,
    supplier_id: Id,
    store: StoreDep,
    principal: Annotated[Principal, Depends(require(MATCHMAKER, BUYER))],
):
    """Why one buyer and one SME were put together in the latest completed run: every feature, value and reason.

    A buyer key may ask only about its own pairs that it was shown (its shortlist or assignment).
    """
    check_buyer_access(principal, buyer_id)
    _known(store, "buyers", buyer_id)
    run_id = _latest_run(store)
    rows = store.run_pair(run_id, buyer_id, supplier_id)
    if principal.role == BUYER:
        rows.pop("recommendation", None)
    if not rows:
        raise ApiError(404, f"supplier {supplier_id!r} was not a candidate of buyer {buyer_id!r} in run {run_id}",
                       "path.supplier_id")
    row = rows.get("shortlist") or rows.get("assignment") or rows["recommendation"]
    return ExplanationOut(
        run_id=run_id, buyer_id=buyer_id, supplier_id=supplier_id, score=row["score"],
        shortlist_rank=rows["shortlist"]["rank"] if "shortlist" in rows else None,
        assigned="assignment" in rows, group_id=rows.get("assignment", {}).get("group_id", ""),
        reasons=row["reasons"], features=features_from_reasons(row["reasons"], row["buyer_type"]),
        source=f"read back from the reasons stored by run {run_id}",
    )


@router.post("/feedback", status_code=201, response_model=FeedbackOut, tags=["feedback"],
             responses=error_responses(401, 403, 404, 422))
def create_feedback(
    body: FeedbackIn,
    store: StoreDep,
    principal: Annotated[Principal, Depends(require(MATCHMAKER, BUYER))],
):
    """Record ``accepted``, ``rejected`` or ``deal`` on a proposal; the next run counts it in the track record.

    A buyer key may record feedback only for its own buyer, on SMEs it was shown.
    """
    check_buyer_access(principal, body.buyer_id, "body.buyer_id")
    _known_body(store, "buyers", body.buyer_id)
    _known_body(store, "suppliers", body.supplier_id)
    if principal.role == BUYER:
        run_id = store.latest_completed_run_id()
        shown = {} if run_id is None else store.run_pair(run_id, body.buyer_id, body.supplier_id)
        if "shortlist" not in shown and "assignment" not in shown:
            raise ApiError(404, f"supplier {body.supplier_id!r} was not proposed to buyer {body.buyer_id!r}",
                           "body.supplier_id")
    record = Partnership(supplier_id=body.supplier_id, buyer_id=body.buyer_id, outcome=body.outcome,
                         value_thb=body.value_thb, date=body.date or dt.date.today())
    store.add_partnership(record)
    return FeedbackOut.of(record)


def _known_body(store: Store, kind: str, key: str) -> None:
    if store.get_profile(kind, key) is None:
        raise ApiError(404, f"no {kind[:-1]} with id {key!r}", f"body.{kind[:-1]}_id")


@router.get("/feedback", response_model=FeedbackPage, tags=["feedback"], responses=error_responses(401, 403, 422))
def list_feedback(
    store: StoreDep,
    principal: Annotated[Principal, Depends(require(MATCHMAKER, BUYER))],
    paging: Annotated[Page, Depends(page)],
    buyer_id: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    supplier_id: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
):
    """Recorded outcomes, filtered by buyer or SME; a buyer key sees only its own."""
    if principal.role == BUYER:
        if buyer_id is not None:
            check_buyer_access(principal, buyer_id, "query.buyer_id")
        buyer_id = principal.buyer_id
    total, items = store.partnerships_page(buyer_id=buyer_id, supplier_id=supplier_id,
                                           limit=paging.limit, offset=paging.offset)
    return FeedbackPage(total=total, limit=paging.limit, offset=paging.offset,
                        items=[FeedbackOut.of(p) for p in items])
