"""Routes over the latest completed run: shortlists, recommendations, pair explanations; and feedback."""

from __future__ import annotations

import json
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from ..errors import NotFoundError
from ..services import Filters, ShownLog, read_explanation, read_recommendations, read_shortlist, record_feedback
from ..store import Store
from .auth import BUYER, MATCHMAKER, Principal, check_buyer_access, require
from .deps import MAX_OFFSET, Page, get_store, page, profile_filters
from .errors import error_responses
from .limits import write_rate
from .schemas import (
    ExplanationOut,
    FeedbackIn,
    FeedbackOut,
    FeedbackPage,
    RecommendationOut,
    RecommendationsOut,
    ShortlistItem,
    ShortlistOut,
)

__all__ = ["ShortlistCache", "router"]

router = APIRouter()

StoreDep = Annotated[Store, Depends(get_store)]
Id = Annotated[str, Path(min_length=1, max_length=200)]


def _shortlist_item(row: dict) -> tuple[str, str, tuple[str, ...], bytes, tuple]:
    """One shortlist row as (sector, province, certifications, its ``ShortlistItem`` JSON, what the outcome log
    records of it: :meth:`ShownLog.entry`), validated once.

    Only strings, bytes and tuples of them: the garbage collector stops tracking such tuples, so a
    full cache adds nothing to its pauses (dicts of lists would, and they showed in the p99 latency).
    """
    certifications = tuple(c for c in row["supplier_certifications"].split(";") if c)
    item = ShortlistItem(
        rank=row["rank"], supplier_id=row["supplier_id"], supplier_name=row["supplier_name"],
        sector=row["supplier_sector"], province=row["supplier_province"], region=row["supplier_region"],
        certifications=list(certifications), score=row["score"], reasons=row["reasons"],
        reasons_th=row["reasons_th"], explored=row["explored"],
    )
    return (row["supplier_sector"], row["supplier_province"], certifications, item.model_dump_json().encode(),
            ShownLog.entry(row))


class ShortlistCache:
    """The latest completed run's id and each buyer's stored shortlist of it, held in memory.

    The shortlist endpoint is the one a buyer portal calls most; with this it reads the store only
    on a buyer's first request per run (see benchmarks/README.md). The latest run id is asked again
    after ``run_seconds`` (at once when a run of this process ends), so a run completed by another
    worker is served within that; a buyer's entry is read again after ``entry_seconds``, so a buyer
    deleted through another worker stops being served within that.

    Parameters
    ----------
    store : Store
    run_seconds, entry_seconds : float
    max_entries : int
        Buyers held at most; beyond, the cache starts again empty.
    """

    def __init__(self, store: Store, run_seconds: float = 1.0, entry_seconds: float = 30.0, max_entries: int = 20_000):
        self.store = store
        self.run_seconds = run_seconds
        self.entry_seconds = entry_seconds
        self.max_entries = max_entries
        self._run: tuple[int | None, float] = (None, 0.0)
        self._entries: dict[str, tuple] = {}

    def refresh(self) -> None:
        """Forget everything: a run ended or the register changed."""
        self._run = (None, 0.0)
        self._entries = {}

    def forget(self, buyer_id: str) -> None:
        """Forget one buyer (deleted or changed)."""
        self._entries.pop(buyer_id, None)

    def latest_run_id(self) -> int | None:
        """The latest completed run, asked of the store at most every ``run_seconds``."""
        run_id, expires = self._run
        now = time.monotonic()
        if expires <= now:
            run_id = self.store.runs.latest_completed_id()
            self._run = (run_id, now + self.run_seconds)
        return run_id

    def shortlist(self, buyer_id: str) -> tuple[int | None, tuple | None]:
        """``(run_id, entry)``: entry is None for an unknown buyer, else (every stored item as from
        :func:`_shortlist_item`, by rank; the run's ``top_k``; the default page as JSON bytes)."""
        run_id = self.latest_run_id()
        now = time.monotonic()
        hit = self._entries.get(buyer_id)
        if hit is not None and hit[0] == run_id and hit[1] > now:
            return run_id, hit[2:]
        try:
            found = read_shortlist(self.store, buyer_id)
        except NotFoundError:
            self._entries.pop(buyer_id, None)
            return run_id, None
        if found.run_id is None:
            return None, ((), 0, b"")
        items = tuple(_shortlist_item(row) for row in found.rows)
        page = _shortlist_json(found.run_id, buyer_id, items, found.top_k, 0)
        if len(self._entries) >= self.max_entries:
            self._entries = {}
        self._entries[buyer_id] = (found.run_id, now + self.entry_seconds, items, found.top_k, page)
        return found.run_id, (items, found.top_k, page)


def _shortlist_json(run_id: int, buyer_id: str, items, limit: int, offset: int) -> bytes:
    """A ``ShortlistOut`` body from items' JSON (validated when cached), so FastAPI need not validate again."""
    head = json.dumps({"total": len(items), "limit": limit, "offset": offset, "run_id": run_id, "buyer_id": buyer_id},
                      ensure_ascii=False)
    return b"".join((head[:-1].encode(), b', "items": [', b",".join(item[3] for item in items[offset:offset + limit]),
                     b"]}"))


@router.get("/buyers/{buyer_id}/shortlist", response_model=ShortlistOut, tags=["matches"],
            responses=error_responses(401, 403, 404, 422))
async def read_buyer_shortlist(
    buyer_id: Id,
    request: Request,
    principal: Annotated[Principal, Depends(require(MATCHMAKER, BUYER))],
    filters: Annotated[Filters, Depends(profile_filters)],
    limit: Annotated[int | None, Query(ge=1, le=500, description="page size; the run's top_k when omitted")] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")] = 0,
):
    """A buyer's ranked SMEs from the latest completed run, filtered by the SMEs' sector, place and certification.

    Each shortlist is stored deeper than the run's ``top_k`` (at least 50; see the run's
    ``options.shortlist_depth``), so that filters have SMEs to choose from; a page shows
    ``top_k`` by default. A buyer key sees only its own shortlist.
    """
    # async and served from memory: see ShortlistCache and benchmarks/README.md.
    check_buyer_access(principal, buyer_id)
    run_id, entry = request.app.state.shortlists.shortlist(buyer_id)
    if entry is None:
        raise NotFoundError("buyer", buyer_id, "buyer_id")
    if run_id is None:
        raise NotFoundError("completed run", None, message="no completed run yet: start one with POST /runs")
    items, top_k, default_page = entry
    unfiltered = filters == Filters()
    actor = principal.actor
    if unfiltered and offset == 0 and limit in (None, top_k):
        request.app.state.shown.add(run_id, buyer_id, [item[4] for item in items[:top_k]], actor)
        return Response(default_page, media_type="application/json")
    if not unfiltered:
        items = [item for item in items if filters.matches(*item[:3])]
    request.app.state.shown.add(run_id, buyer_id, [item[4] for item in items[offset:offset + (limit or top_k)]], actor)
    return Response(_shortlist_json(run_id, buyer_id, items, limit or top_k, offset), media_type="application/json")


@router.get("/suppliers/{supplier_id}/recommendations", response_model=RecommendationsOut, tags=["matches"],
            responses=error_responses(401, 403, 404, 422))
def read_supplier_recommendations(
    supplier_id: Id,
    store: StoreDep,
    _: Annotated[Principal, Depends(require(MATCHMAKER))],
    paging: Annotated[Page, Depends(page)],
):
    """The buyers an SME should approach, best first, with reasons, from the latest completed run."""
    run_id, total, rows = read_recommendations(store, supplier_id, paging.limit, paging.offset)
    items = [RecommendationOut(rank=r["rank"], buyer_id=r["buyer_id"], buyer_name=r["buyer_name"],
                               buyer_type=r["buyer_type"], sector=r["buyer_sector"], province=r["buyer_province"],
                               score=r["score"], reasons=r["reasons"], reasons_th=r["reasons_th"]) for r in rows]
    return RecommendationsOut(run_id=run_id, supplier_id=supplier_id, total=total, limit=paging.limit,
                              offset=paging.offset, items=items)


@router.get("/pairs/{buyer_id}/{supplier_id}/explanation", response_model=ExplanationOut, tags=["matches"],
            responses=error_responses(401, 403, 404, 422))
def read_pair_explanation(
    buyer_id: Id,
    supplier_id: Id,
    store: StoreDep,
    principal: Annotated[Principal, Depends(require(MATCHMAKER, BUYER))],
):
    """Why one buyer and one SME were put together in the latest completed run: every feature, its value, prior
    weight and meaning, and the reasons in English and Thai.

    A buyer key may ask only about its own pairs that it was shown (its shortlist or assignment).
    """
    check_buyer_access(principal, buyer_id)
    return read_explanation(store, buyer_id, supplier_id, shown_only=principal.is_buyer)


@router.post("/feedback", status_code=201, response_model=FeedbackOut, tags=["feedback"],
             responses=error_responses(401, 403, 404, 422, 429))
def create_feedback(
    body: FeedbackIn,
    store: StoreDep,
    principal: Annotated[Principal, Depends(write_rate)],
):
    """Record ``accepted``, ``rejected`` or ``deal`` on a proposal; the next run counts it in the track record.

    A buyer key may record feedback only for its own buyer, on SMEs it was shown; a key records at most
    60 (buyer) or 600 (matchmaker) outcomes a minute.
    """
    check_buyer_access(principal, body.buyer_id)
    record = record_feedback(store, body.buyer_id, body.supplier_id, body.outcome, value_thb=body.value_thb,
                             actor=principal.actor,
                             date=body.date, shown_only=principal.is_buyer)
    return FeedbackOut.of(record)


@router.get("/feedback", response_model=FeedbackPage, tags=["feedback"], responses=error_responses(401, 403, 422))
def list_feedback(
    store: StoreDep,
    principal: Annotated[Principal, Depends(require(MATCHMAKER, BUYER))],
    paging: Annotated[Page, Depends(page)],
    buyer_id: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    supplier_id: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
):
    """Recorded outcomes, filtered by buyer or SME; a buyer key sees only its own."""
    if principal.is_buyer:
        if buyer_id is not None:
            check_buyer_access(principal, buyer_id)
        buyer_id = principal.buyer_id
    total, items = store.history.page(buyer_id=buyer_id, supplier_id=supplier_id,
                                      limit=paging.limit, offset=paging.offset)
    return FeedbackPage(total=total, limit=paging.limit, offset=paging.offset,
                        items=[FeedbackOut.of(p) for p in items])
