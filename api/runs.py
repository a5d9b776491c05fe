"""Batch runs: start one over the stored register, follow it, fetch its results as JSON or CSV.

A run executes in a background thread: it calls :class:`~tiermatch.matcher.MatchEngine`,
records each stage in the store as it goes, and writes all its results in one
transaction at the end. A failed run records why and leaves earlier results as
they were; the service keeps serving the latest completed run.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from ..errors import NotFoundError
from ..services import (
    RunOptions,
    as_csv,
    completed_run,
    read_agenda,
    read_groups,
    read_results,
)
from ..store import Store
from .auth import MATCHMAKER, Principal, require
from .deps import MAX_OFFSET, Page, get_store, page
from .errors import error_responses
from .schemas import (
    AgendaOut,
    GroupsOut,
    MatchOut,
    RunIn,
    RunMatchesOut,
    RunOut,
    RunPage,
    UnmatchedOut,
)

__all__ = ["csv_response", "router", "run_options"]

router = APIRouter()

StoreDep = Annotated[Store, Depends(get_store)]
Matchmaker = Annotated[Principal, Depends(require(MATCHMAKER))]
RunId = Annotated[int, Path(ge=1, le=2**62)]


def run_options(body: RunIn) -> RunOptions:
    """The run a body asks for."""
    return RunOptions(**body.model_dump())


def _run_out(run: dict, latest: int | None = None) -> RunOut:
    return RunOut(**run, latest=run["run_id"] == latest)


def csv_response(kind: str, rows: list[dict], filename: str | None = None) -> Response:
    """Rows as CSV, as the CLI writes ``kind``; a download named ``filename`` where given."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else None
    return Response(as_csv(kind, rows), media_type="text/csv; charset=utf-8", headers=headers)


@router.post("/runs", status_code=202, response_model=RunOut, tags=["runs"],
             responses=error_responses(401, 403, 409, 422, 503))
def post_run(request: Request, store: StoreDep, _: Matchmaker, body: RunIn | None = None):
    """Start a batch run over the stored register; follow it with ``GET /runs/{run_id}``."""
    return _run_out(request.app.state.jobs.start_run(run_options(body or RunIn())))


@router.get("/runs", response_model=RunPage, tags=["runs"], responses=error_responses(401, 403, 422))
def list_runs(store: StoreDep, _: Matchmaker, paging: Annotated[Page, Depends(page)]):
    """Runs, newest first."""
    total, runs = store.runs.page(paging.limit, paging.offset)
    latest = store.runs.latest_completed_id()
    return RunPage(total=total, limit=paging.limit, offset=paging.offset, items=[_run_out(r, latest) for r in runs])


@router.get("/runs/{run_id}", response_model=RunOut, tags=["runs"], responses=error_responses(401, 403, 404, 422))
def read_run(run_id: RunId, store: StoreDep, _: Matchmaker):
    """A run's status, current stage, summary or error."""
    run = store.runs.get(run_id)
    if run is None:
        raise NotFoundError("run", run_id, "run_id", message=f"no run with id {run_id}")
    return _run_out(run, store.runs.latest_completed_id())


JSON_PAGE = 1000  # rows of a JSON page when no limit is given; the CSV download holds every row


def _results(kind: str, run_id: int, store: Store, buyer_id, supplier_id, limit, offset, format, deep=False):
    if format != "csv" and limit is None:  # a JSON body of a million rows helps nobody: page it
        limit = JSON_PAGE
    total, rows = read_results(store, run_id, kind, buyer_id=buyer_id, supplier_id=supplier_id, limit=limit,
                               offset=offset, deep=deep)
    if format == "csv":
        return csv_response(kind, rows)
    items = [MatchOut(**{k: row[k] for k in MatchOut.model_fields}) for row in rows]
    return RunMatchesOut(run_id=run_id, kind=kind, total=total, limit=limit, offset=offset, items=items)


_RESULT_RESPONSES = {**error_responses(401, 403, 404, 409, 422),
                     200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                           "description": "JSON page, or CSV (all rows unless limit is given) with format=csv"}}
BuyerFilter = Annotated[str | None, Query(min_length=1, max_length=200)]
Limit = Annotated[int | None, Query(ge=1, le=100_000, description="rows per page; when omitted, 1,000 rows in "
                                                                  "JSON, all rows in CSV")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Format = Annotated[Literal["json", "csv"], Query(description="json (default) or csv, as the CLI writes it")]


@router.get("/runs/{run_id}/shortlists", response_model=RunMatchesOut, tags=["runs"], responses=_RESULT_RESPONSES)
def read_run_shortlists(run_id: RunId, store: StoreDep, _: Matchmaker, buyer_id: BuyerFilter = None,
                        supplier_id: BuyerFilter = None, limit: Limit = None, offset: Offset = 0,
                        format: Format = "json",
                        deep: Annotated[bool, Query(description="every stored rank (the run's shortlist_depth), "
                                                                "not only up to its top_k")] = False):
    """Every buyer's ranked SMEs in a run, up to its ``top_k`` (``shortlists.csv`` with ``format=csv``)."""
    return _results("shortlist", run_id, store, buyer_id, supplier_id, limit, offset, format, deep)


@router.get("/runs/{run_id}/recommendations", response_model=RunMatchesOut, tags=["runs"],
            responses=_RESULT_RESPONSES)
def read_run_recommendations(run_id: RunId, store: StoreDep, _: Matchmaker, buyer_id: BuyerFilter = None,
                             supplier_id: BuyerFilter = None, limit: Limit = None, offset: Offset = 0,
                             format: Format = "json"):
    """Every SME's ranked buyers in a run (``recommendations.csv`` with ``format=csv``)."""
    return _results("recommendation", run_id, store, buyer_id, supplier_id, limit, offset, format)


@router.get("/runs/{run_id}/assignment", response_model=RunMatchesOut, tags=["runs"], responses=_RESULT_RESPONSES)
def read_run_assignment(run_id: RunId, store: StoreDep, _: Matchmaker, buyer_id: BuyerFilter = None,
                        supplier_id: BuyerFilter = None, limit: Limit = None, offset: Offset = 0,
                        format: Format = "json"):
    """The proposed partnerships of a run, with ``group_id``, ``volume_thb_per_month`` and ``slot`` where set."""
    return _results("assignment", run_id, store, buyer_id, supplier_id, limit, offset, format)


@router.get("/runs/{run_id}/unmatched", response_model=UnmatchedOut, tags=["runs"],
            responses=error_responses(401, 403, 404, 409, 422))
def read_run_unmatched(run_id: RunId, store: StoreDep, _: Matchmaker):
    """Every buyer and SME a run left without a partnership, with the reason."""
    completed_run(store, run_id)
    rows = store.runs.unmatched(run_id)
    return UnmatchedOut(run_id=run_id, buyers={r["id"]: r["reason"] for r in rows if r["kind"] == "buyer"},
                        suppliers={r["id"]: r["reason"] for r in rows if r["kind"] == "supplier"})


@router.get("/runs/{run_id}/groups", response_model=GroupsOut, tags=["runs"],
            responses=error_responses(401, 403, 404, 409, 422))
def read_run_groups(run_id: RunId, store: StoreDep, _: Matchmaker):
    """Groups of SMEs that jointly meet a buyer's monthly demand no single one could: members, volumes, coverage."""
    groups = read_groups(store, run_id)
    return GroupsOut(run_id=run_id, total=len(groups), items=groups)


@router.get("/runs/{run_id}/agenda", response_model=AgendaOut, tags=["runs"],
            responses={**_RESULT_RESPONSES, 200: {**_RESULT_RESPONSES[200],
                                                  "description": "JSON, or CSV (ids and names of both sides)"}})
def read_run_agenda(run_id: RunId, store: StoreDep, _: Matchmaker,
                    by: Annotated[Literal["buyer", "supplier"], Query(description="one entry per buyer or per SME")] = "buyer",
                    format: Format = "json"):
    """A matchmaking day's one-to-one meetings by time slot, per buyer or per SME (runs started with ``slots``)."""
    agenda = read_agenda(store, run_id, by)
    if format == "csv":
        return csv_response(f"agenda_{by}", agenda["meetings"])
    unscheduled = [MatchOut(**{k: r[k] for k in MatchOut.model_fields}) for r in agenda["unscheduled"]]
    return AgendaOut(run_id=run_id, by=by, slots=agenda["slots"], slots_needed=agenda["slots_needed"],
                     items=agenda["items"], unscheduled=unscheduled)
