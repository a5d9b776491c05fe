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
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from ..features.profiles import Buyer, Supplier
from ..matcher.batch import dask_client
from ..matcher.engine import MatchEngine, MatchResult
from ..store import Store
from ..training import load_scoring_model
from .auth import MATCHMAKER, Principal, require
from .deps import MAX_OFFSET, Page, get_store, page
from .errors import ApiError, error_responses
from .schemas import (
    AgendaEntryOut,
    AgendaMeetingOut,
    AgendaOut,
    GroupMemberOut,
    GroupOut,
    GroupsOut,
    MatchOut,
    RunIn,
    RunMatchesOut,
    RunOut,
    RunPage,
    UnmatchedOut,
)

__all__ = ["SHORTLIST_DEPTH", "build_result_rows", "execute_run", "is_worker_alive", "router",
           "run_options", "worker_name"]

router = APIRouter()

StoreDep = Annotated[Store, Depends(get_store)]
Matchmaker = Annotated[Principal, Depends(require(MATCHMAKER))]
RunId = Annotated[int, Path(ge=1, le=2**62)]

_CSV_COLUMNS = {
    "shortlist": ("buyer_id", "rank", "supplier_id", "score", "reasons", "reasons_th"),
    "recommendation": ("supplier_id", "rank", "buyer_id", "score", "reasons", "reasons_th"),
    "assignment": ("buyer_id", "supplier_id", "score", "group_id", "volume_thb_per_month"),
    "agenda_buyer": ("buyer_id", "slot", "supplier_id", "group_id"),
    "agenda_supplier": ("supplier_id", "slot", "buyer_id", "group_id"),
}

# Each buyer's shortlist is stored this deep, whatever the run's top_k, so that a filtered
# shortlist (sector, place, certification) still has SMEs to show; a page shows top_k by default.
SHORTLIST_DEPTH = 50


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


def build_result_rows(result: MatchResult, suppliers: list[Supplier], buyers: list[Buyer],
                      recommendations_top_k: int | None = None) -> tuple[list[dict], list[dict]]:
    """A run's matches and unmatched as store rows, each with the profile fields the filters use.

    Parameters
    ----------
    result : MatchResult
    suppliers, buyers : list
        The profiles the run matched.
    recommendations_top_k : int, optional
        Keep each SME's recommendations up to this rank (all where None).

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
                                          "buyer_sector": b.sector, "buyer_province": b.province,
                                          "buyer_demand_thb_per_month": b.demand_thb_per_month}
        return profile_of_buyer[buyer_id]

    rows = []
    assignment_rank: dict[str, int] = {}
    for kind, matches in (("shortlist", result.shortlists), ("recommendation", result.recommendations),
                          ("assignment", result.assignment)):
        for m in matches:
            rank = m.rank
            if kind == "recommendation" and recommendations_top_k is not None and rank > recommendations_top_k:
                continue
            if kind == "assignment":
                # The engine lists each buyer's partnerships best first; number them so.
                rank = assignment_rank[m.buyer_id] = assignment_rank.get(m.buyer_id, 0) + 1
            rows.append({"kind": kind, "buyer_id": m.buyer_id, "supplier_id": m.supplier_id, "rank": rank,
                         "score": float(m.score), "reasons": m.reasons, "reasons_th": m.reasons_th,
                         "features": dict(m.features), "group_id": m.group_id or "",
                         "volume_thb_per_month": m.volume_thb_per_month, "slot": m.slot,
                         **supplier_fields(m.supplier_id), **buyer_fields(m.buyer_id)})
    unmatched = [{"kind": "buyer", "id": key, "reason": reason} for key, reason in result.unmatched_buyers.items()]
    unmatched += [{"kind": "supplier", "id": key, "reason": reason}
                  for key, reason in result.unmatched_suppliers.items()]
    return rows, unmatched


def run_options(body: RunIn) -> dict:
    """The options a run is recorded with: ``fair`` resolved (on for a matchmaking day), the stored depth added.

    Examples
    --------
    >>> run_options(RunIn(slots=8))
    {'top_k': 10, 'min_score': 0.3, 'fair': True, 'slots': 8, 'shortlist_depth': 50, 'scheduler': None, 'partition_size': None}
    >>> run_options(RunIn(top_k=80, slots=8, fair=False))["fair"], run_options(RunIn(top_k=80))["shortlist_depth"]
    (False, 80)
    """
    fair = body.slots is not None if body.fair is None else body.fair
    return {"top_k": body.top_k, "min_score": body.min_score, "fair": fair, "slots": body.slots,
            "shortlist_depth": max(body.top_k, SHORTLIST_DEPTH), "scheduler": body.scheduler,
            "partition_size": body.partition_size}


def execute_run(store: Store, run_id: int, options: dict, on_done: Callable[[], None] | None = None) -> None:
    """Run the engine over the stored register and store the results; on failure, record why.

    Parameters
    ----------
    store : Store
    run_id : int
        A run recorded by :meth:`Store.create_run`.
    options : dict
        From :func:`run_options`: ``top_k``, ``min_score``, ``fair``, ``slots``, ``shortlist_depth``.
    on_done : callable, optional
        Called once the run has ended, completed or failed (the service refreshes what it serves).
    """
    try:
        store.update_run(run_id, status="running", stage="loading", started_at=_now())
        suppliers, buyers = store.suppliers(), store.buyers()
        supplier_ids, buyer_ids = {s.supplier_id for s in suppliers}, {b.buyer_id for b in buyers}
        history = [p for p in store.partnerships() if p.supplier_id in supplier_ids and p.buyer_id in buyer_ids]
        model, scorer = load_scoring_model(store)

        def progress(stage: str, done: int, total: int) -> None:
            store.update_run(run_id, stage=stage, stage_done=done, stage_total=total)

        engine = MatchEngine(top_k=options.get("shortlist_depth", options["top_k"]), min_score=options["min_score"],
                             fair=options.get("fair", False), n_slots=options.get("slots"), model=model)
        with dask_client(options.get("scheduler")) as client:
            result = engine.run(suppliers, buyers, history, progress=progress, client=client,
                                partition_size=options.get("partition_size"))
        store.update_run(run_id, stage="saving", stage_done=0, stage_total=1)
        matches, unmatched = build_result_rows(result, suppliers, buyers, options["top_k"])
        summary = {**result.summary, "history_rows_ignored": len(store.partnerships()) - len(history),
                   "scoring": scorer}
        store.complete_run(run_id, matches, unmatched, summary)
    except Exception as exc:  # a run must end recorded, whatever went wrong
        store.fail_run(run_id, f"{type(exc).__name__}: {exc}")
    finally:
        if on_done is not None:
            on_done()


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
    options = run_options(body or RunIn())
    allowed = request.app.state.settings.allowed_schedulers
    if options["scheduler"] is not None and options["scheduler"] not in allowed:
        raise ApiError(422, f"scheduler {options['scheduler']} is not one this service may use "
                            f"({', '.join(sorted(allowed)) or 'none is configured: set TIERMATCH_DASK_SCHEDULERS'})",
                       "body.scheduler")
    counts = store.counts()
    if not counts["suppliers"] or not counts["buyers"]:
        raise ApiError(409, f"nothing to match: the store holds {counts['suppliers']} supplier(s) and "
                            f"{counts['buyers']} buyer(s)")
    run = store.create_run(options, worker=worker_name())
    request.app.state.executor.submit(execute_run, store, run["run_id"], options,
                                      request.app.state.shortlists.refresh)
    return _run_out(store, run)


@router.get("/runs", response_model=RunPage, tags=["runs"], responses=error_responses(401, 403, 422))
def list_runs(store: StoreDep, _: Matchmaker, paging: Annotated[Page, Depends(page)]):
    """Runs, newest first."""
    total, runs = store.runs(paging.limit, paging.offset)
    latest = store.latest_completed_run_id()
    return RunPage(total=total, limit=paging.limit, offset=paging.offset, items=[_run_out(store, r, latest) for r in runs])


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
    writer.writerows(["" if row[c] is None else row[c] for c in _CSV_COLUMNS[kind]] for row in rows)
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8")


def _results(kind: str, run_id: int, store: Store, buyer_id, supplier_id, limit, offset, format, deep=False):
    run = _completed_run(store, run_id)
    # As the CLI writes them: shortlists up to the run's top_k, unless the stored depth is asked for.
    max_rank = run["options"].get("top_k") if kind == "shortlist" and not deep else None
    total, rows = store.run_matches(run_id, kind, buyer_id=buyer_id, supplier_id=supplier_id, max_rank=max_rank,
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
    _completed_run(store, run_id)
    rows = store.run_unmatched(run_id)
    return UnmatchedOut(run_id=run_id, buyers={r["id"]: r["reason"] for r in rows if r["kind"] == "buyer"},
                        suppliers={r["id"]: r["reason"] for r in rows if r["kind"] == "supplier"})


@router.get("/runs/{run_id}/groups", response_model=GroupsOut, tags=["runs"],
            responses=error_responses(401, 403, 404, 409, 422))
def read_run_groups(run_id: RunId, store: StoreDep, _: Matchmaker):
    """Groups of SMEs that jointly meet a buyer's monthly demand no single one could: members, volumes, coverage."""
    _completed_run(store, run_id)
    _, rows = store.run_matches(run_id, "assignment")
    by_group: dict[str, list[dict]] = {}
    for row in rows:
        if row["group_id"]:
            by_group.setdefault(row["group_id"], []).append(row)
    groups = []
    for group_id, members in sorted(by_group.items()):
        first = members[0]
        volume = sum(m["volume_thb_per_month"] or 0.0 for m in members)
        demand = first["buyer_demand_thb_per_month"]
        groups.append(GroupOut(
            group_id=group_id, buyer_id=first["buyer_id"], buyer_name=first["buyer_name"],
            demand_thb_per_month=demand, volume_thb_per_month=volume,
            coverage=None if not demand else round(volume / demand, 4),
            members=[GroupMemberOut(supplier_id=m["supplier_id"], supplier_name=m["supplier_name"],
                                    province=m["supplier_province"], score=m["score"],
                                    volume_thb_per_month=m["volume_thb_per_month"]) for m in members],
        ))
    return GroupsOut(run_id=run_id, total=len(groups), items=groups)


@router.get("/runs/{run_id}/agenda", response_model=AgendaOut, tags=["runs"],
            responses={**_RESULT_RESPONSES, 200: {**_RESULT_RESPONSES[200],
                                                  "description": "JSON, or CSV as the CLI's agenda_by_<by>.csv"}})
def read_run_agenda(run_id: RunId, store: StoreDep, _: Matchmaker,
                    by: Annotated[Literal["buyer", "supplier"], Query(description="one entry per buyer or per SME")] = "buyer",
                    format: Format = "json"):
    """A matchmaking day's one-to-one meetings by time slot, per buyer or per SME (runs started with ``slots``)."""
    run = _completed_run(store, run_id)
    agenda = (run["summary"] or {}).get("agenda")
    if not agenda:
        raise ApiError(409, f"run {run_id} was not a matchmaking day: start a run with slots to get an agenda",
                       "path.run_id")
    _, rows = store.run_matches(run_id, "assignment")
    meetings = [r for r in rows if r["slot"] is not None]
    own, other = ("buyer", "supplier") if by == "buyer" else ("supplier", "buyer")
    meetings.sort(key=lambda r: (r[f"{own}_id"], r["slot"], r[f"{other}_id"]))
    if format == "csv":
        return _as_csv(f"agenda_{by}", meetings)
    entries: dict[str, AgendaEntryOut] = {}
    for r in meetings:
        entry = entries.get(r[f"{own}_id"])
        if entry is None:
            entry = entries[r[f"{own}_id"]] = AgendaEntryOut(id=r[f"{own}_id"], name=r[f"{own}_name"], meetings=[])
        entry.meetings.append(AgendaMeetingOut(slot=r["slot"], id=r[f"{other}_id"], name=r[f"{other}_name"],
                                               score=r["score"], group_id=r["group_id"]))
    unscheduled = [MatchOut(**{k: r[k] for k in MatchOut.model_fields}) for r in rows if r["slot"] is None]
    return AgendaOut(run_id=run_id, by=by, slots=agenda["slots"], slots_needed=agenda["slots_needed"],
                     items=list(entries.values()), unscheduled=unscheduled)
