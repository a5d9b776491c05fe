"""Batch runs: start one over the stored register, follow it, fetch its results as JSON or CSV.

A run executes in a background thread: it calls :class:`~tiermatch.matcher.MatchEngine`,
records each stage in the store as it goes, and writes all its results in one
transaction at the end. A failed run records why and leaves earlier results as
they were; the service keeps serving the latest completed run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import socket
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from ..features.profiles import Buyer, Supplier
from ..matcher.engine import MatchEngine, MatchResult
from ..store import Store
from .auth import MATCHMAKER, Principal, require
from .deps import MAX_OFFSET, get_store
from .errors import ApiError, error_responses
from .schemas import MatchOut, RunIn, RunMatchesOut, RunOut, RunPage, UnmatchedOut

__all__ = ["build_result_rows", "execute_run", "is_worker_alive", "router", "worker_name"]

router = APIRouter()

StoreDep = Annotated[Store, Depends(get_store)]
Matchmaker = Annotated[Principal, Depends(require(MATCHMAKER))]
RunId = Annotated[int, Path(ge=1, le=2**62)]

_CSV_COLUMNS = {
    "shortlist": ("buyer_id", "rank", "supplier_id", "score", "reasons"),
    "recommendation": ("supplier_id", "rank", "buyer_id", "score", "reasons"),
    "assignment": ("buyer_id", "supplier_id", "score", "group_id"),
}


def worker_name() -> str:
    """``host:pid`` of this process, recorded with each run it executes."""
    return f"{socket.gethostname()}:{os.getpid()}"


def is_worker_alive(worker: str) -> bool:
    """Whether the process that recorded ``worker`` may still be running (unknown hosts count as alive)."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return bool(worker) and host != socket.gethostname()
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def build_result_rows(result: MatchResult, suppliers: list[Supplier], buyers: list[Buyer]) -> tuple[list[dict], list[dict]]:
    """A run's matches and unmatched as store rows, each with the profile fields the filters use.

    Returns
    -------
    matches : list of dict
        Rows for ``run_matches`` (shortlist, recommendation, assignment).
    unmatched : list of dict
        Rows for ``run_unmatched``.
    """
    supplier_by_id = {s.supplier_id: s for s in suppliers}
    buyer_by_id = {b.buyer_id: b for b in buyers}
    profile_of_supplier, profile_of_buyer = {}, {}

    def supplier_fields(supplier_id: str) -> dict:
        if supplier_id not in profile_of_supplier:
            s = supplier_by_id[supplier_id]
            profile_of_supplier[supplier_id] = {
                "supplier_name": s.name, "supplier_sector": s.sector, "supplier_province": s.province,
                "supplier_region": s.region, "supplier_certifications": ";" + ";".join(s.certifications) + ";",
            }
        return profile_of_supplier[supplier_id]

    def buyer_fields(buyer_id: str) -> dict:
        if buyer_id not in profile_of_buyer:
            b = buyer_by_id[buyer_id]
            profile_of_buyer[buyer_id] = {"buyer_name": b.name, "buyer_type": b.buyer_type,
                                          "buyer_sector": b.sector, "buyer_province": b.province}
        return profile_of_buyer[buyer_id]

    rows = []
    assignment_rank: dict[str, int] = {}
    for kind, matches in (("shortlist", result.shortlists), ("recommendation", result.recommendations),
                          ("assignment", result.assignment)):
        for m in matches:
            rank = m.rank
            if kind == "assignment":
                # The engine lists each buyer's partnerships best first; number them so.
                rank = assignment_rank[m.buyer_id] = assignment_rank.get(m.buyer_id, 0) + 1
            rows.append({"kind": kind, "buyer_id": m.buyer_id, "supplier_id": m.supplier_id, "rank": rank,
                         "score": float(m.score), "reasons": m.reasons, "group_id": m.group_id or "",
                         **supplier_fields(m.supplier_id), **buyer_fields(m.buyer_id)})
    unmatched = [{"kind": "buyer", "id": key, "reason": reason} for key, reason in result.unmatched_buyers.items()]
    unmatched += [{"kind": "supplier", "id": key, "reason": reason}
                  for key, reason in result.unmatched_suppliers.items()]
    return rows, unmatched


def execute_run(store: Store, run_id: int, options: dict) -> None:
    """Run the engine over the stored register and store the results; on failure, record why.

    Parameters
    ----------
    store : Store
    run_id : int
        A run recorded by :meth:`Store.create_run`.
    options : dict
        ``top_k`` and ``min_score``, as for ``tiermatch run``.
    """
    try:
        store.update_run(run_id, status="running", stage="loading", started_at=_now())
        suppliers, buyers = store.suppliers(), store.buyers()
        supplier_ids, buyer_ids = {s.supplier_id for s in suppliers}, {b.buyer_id for b in buyers}
        history = [p for p in store.partnerships() if p.supplier_id in supplier_ids and p.buyer_id in buyer_ids]

        def progress(stage: str, done: int, total: int) -> None:
            store.update_run(run_id, stage=stage, stage_done=done, stage_total=total)

        result = MatchEngine(top_k=options["top_k"], min_score=options["min_score"]).run(
            suppliers, buyers, history, progress=progress)
        store.update_run(run_id, stage="saving", stage_done=0, stage_total=1)
        matches, unmatched = build_result_rows(result, suppliers, buyers)
        summary = {**result.summary, "history_rows_ignored": len(store.partnerships()) - len(history)}
        store.complete_run(run_id, matches, unmatched, summary)
    except Exception as exc:  # a run must end recorded, whatever went wrong
        store.fail_run(run_id, f"{type(exc).__name__}: {exc}")


def _run_out(store: Store, run: dict, latest: int | None = None) -> RunOut:
    return RunOut(**run, latest=run["run_id"] == latest)


def _completed_run(store: Store, run_id: int) -> dict:
    run = store.get_run(run_id)
    if run is None:
        raise ApiError(404, f"no run with id {run_id}", "path.run_id")
    if run["status"] == "failed":
        raise ApiError(409, f"run {run_id} failed, so it has no results: {run['error']}", "path.run_id")
    if run["status"] != "completed":
        raise ApiError(409, f"run {run_id} is {run['status']} (stage {run['stage'] or 'starting'}); "
                            "its results are not ready", "path.run_id")
    return run


@router.post("/runs", status_code=202, response_model=RunOut, tags=["runs"],
             responses=error_responses(401, 403, 409, 422))
def start_run(request: Request, store: StoreDep, _: Matchmaker, body: RunIn | None = None):
    """Start a batch run over the stored register; follow it with ``GET /runs/{run_id}``."""
    options = (body or RunIn()).model_dump()
    counts = store.counts()
    if not counts["suppliers"] or not counts["buyers"]:
        raise ApiError(409, f"nothing to match: the store holds {counts['suppliers']} supplier(s) and "
                            f"{counts['buyers']} buyer(s)")
    run = store.create_run(options, worker=worker_name())
    request.app.state.executor.submit(execute_run, store, run["run_id"], options)
    return _run_out(store, run)


@router.get("/runs", response_model=RunPage, tags=["runs"], responses=error_responses(401, 403, 422))
def list_runs(store: StoreDep, _: Matchmaker,
              limit: Annotated[int, Query(ge=1, le=500)] = 50,
              offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0):
    """Runs, newest first."""
    total, runs = store.runs(limit, offset)
    latest = store.latest_completed_run_id()
    return RunPage(total=total, limit=limit, offset=offset, items=[_run_out(store, r, latest) for r in runs])


@router.get("/runs/{run_id}", response_model=RunOut, tags=["runs"], responses=error_responses(401, 403, 404, 422))
def read_run(run_id: RunId, store: StoreDep, _: Matchmaker):
    """A run's status, current stage, summary or error."""
    run = store.get_run(run_id)
    if run is None:
        raise ApiError(404, f"no run with id {run_id}", "path.run_id")
    return _run_out(store, run, store.latest_completed_run_id())


def _as_csv(kind: str, rows: list[dict]) -> Response:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(_CSV_COLUMNS[kind])
    writer.writerows([row[c] for c in _CSV_COLUMNS[kind]] for row in rows)
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8")


def _results(kind: str, run_id: int, store: Store, buyer_id, supplier_id, limit, offset, format):
    _completed_run(store, run_id)
    total, rows = store.run_matches(run_id, kind, buyer_id=buyer_id, supplier_id=supplier_id,
                                    limit=limit, offset=offset)
    if format == "csv":
        return _as_csv(kind, rows)
    items = [MatchOut(**{k: row[k] for k in MatchOut.model_fields}) for row in rows]
    return RunMatchesOut(run_id=run_id, kind=kind, total=total, limit=limit or total, offset=offset, items=items)


_RESULT_RESPONSES = {**error_responses(401, 403, 404, 409, 422),
                     200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                           "description": "JSON page, or CSV (all rows unless limit is given) with format=csv"}}
BuyerFilter = Annotated[str | None, Query(min_length=1, max_length=200)]
Limit = Annotated[int | None, Query(ge=1, le=100_000, description="rows per page; all rows when omitted")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Format = Annotated[Literal["json", "csv"], Query(description="json (default) or csv, as the CLI writes it")]


@router.get("/runs/{run_id}/shortlists", response_model=RunMatchesOut, tags=["runs"], responses=_RESULT_RESPONSES)
def read_run_shortlists(run_id: RunId, store: StoreDep, _: Matchmaker, buyer_id: BuyerFilter = None,
                        supplier_id: BuyerFilter = None, limit: Limit = None, offset: Offset = 0,
                        format: Format = "json"):
    """Every buyer's ranked SMEs in a run (``shortlists.csv`` with ``format=csv``)."""
    return _results("shortlist", run_id, store, buyer_id, supplier_id, limit, offset, format)


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
    """The proposed partnerships of a run, with ``group_id`` where SMEs jointly serve a buyer."""
    return _results("assignment", run_id, store, buyer_id, supplier_id, limit, offset, format)


@router.get("/runs/{run_id}/unmatched", response_model=UnmatchedOut, tags=["runs"],
            responses=error_responses(401, 403, 404, 409, 422))
def read_run_unmatched(run_id: RunId, store: StoreDep, _: Matchmaker):
    """Every buyer and SME a run left without a partnership, with the reason."""
    _completed_run(store, run_id)
    rows = store.run_unmatched(run_id)
    return UnmatchedOut(run_id=run_id, buyers={r["id"]: r["reason"] for r in rows if r["kind"] == "buyer"},
                        suppliers={r["id"]: r["reason"] for r in rows if r["kind"] == "supplier"})
