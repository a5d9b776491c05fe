"""The outcome log: actions on a pair after it was shown, the log read back, and the funnel per scorer version.

Shown shortlist rows are logged by the shortlist routes and pages themselves; this records what happened
next (``POST /events``: a meeting requested or held, a follow-up, a deal; accepted and rejected come through
``POST /feedback`` too), corrections as new events naming the one they supersede.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from ..features.profiles import Id
from ..services import ACTIONS, EVENT_KINDS, funnel, read_events, record_event
from ..store import Store
from .auth import MATCHMAKER, Principal, check_buyer_access, require
from .deps import Page, get_store, page
from .errors import error_responses
from .limits import write_rate

__all__ = ["EventIn", "EventOut", "FunnelRow", "router"]

router = APIRouter()

StoreDep = Annotated[Store, Depends(get_store)]


class EventIn(BaseModel):
    """An action on a pair; ``supersedes`` names an earlier event this one corrects (nothing is overwritten)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal[ACTIONS]
    buyer_id: Id
    supplier_id: Id
    value_thb: float | None = Field(None, ge=0, le=1e12,
                                    description="the partnership's value, with an outcome (accepted, rejected, deal) only")
    supersedes: int | None = Field(None, ge=1, le=2**62)
    note: str | None = Field(None, max_length=2000)


class EventOut(BaseModel):
    event_id: int
    at: dt.datetime
    kind: str
    buyer_id: str
    supplier_id: str
    run_id: int | None
    rank: int | None
    score: float | None
    propensity: float | None = Field(None, description="a shown row's chance to be on the first page")
    outcome_date: dt.date | None = None
    model_version: str | None
    actor: str | None
    value_thb: float | None
    supersedes: int | None
    note: str | None
    superseded_by: int | None = None


class EventPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[EventOut]


class FunnelRow(BaseModel):
    """Pairs a scorer version's shortlists showed, and how many went on to each stage."""

    model_version: str
    shown: int
    requested: int
    met: int
    deal: int
    deal_value_thb: float


@router.post("/events", status_code=201, response_model=EventOut, tags=["outcomes"],
             responses=error_responses(401, 403, 404, 422, 429))
def create_event(body: EventIn, store: StoreDep, principal: Annotated[Principal, Depends(write_rate)]):
    """Log what happened on a pair after it was shown; a buyer key logs its own pairs only."""
    check_buyer_access(principal, body.buyer_id)
    return record_event(store, body.kind, body.buyer_id, body.supplier_id, actor=principal.actor,
                        value_thb=body.value_thb, supersedes=body.supersedes, note=body.note)


@router.get("/events", response_model=EventPage, tags=["outcomes"], responses=error_responses(401, 403, 422))
def list_events(store: StoreDep, _: Annotated[Principal, Depends(require(MATCHMAKER))],
                paging: Annotated[Page, Depends(page)], buyer_id: Annotated[Id | None, Query()] = None,
                supplier_id: Annotated[Id | None, Query()] = None,
                kind: Annotated[Literal[EVENT_KINDS] | None, Query()] = None):
    """The outcome log in the order recorded, filtered; ``superseded_by`` marks an event a correction replaced."""
    total, rows = read_events(store, buyer_id=buyer_id, supplier_id=supplier_id, kind=kind, limit=paging.limit,
                              offset=paging.offset)
    return EventPage(total=total, limit=paging.limit, offset=paging.offset, items=rows)


@router.get("/programme/funnel", response_model=list[FunnelRow], tags=["outcomes"],
            responses=error_responses(401, 403))
def read_funnel(store: StoreDep, _: Annotated[Principal, Depends(require(MATCHMAKER))]):
    """Per scorer version (``prior`` or a model version): pairs shown, then requested, met and dealt."""
    return funnel(store)
