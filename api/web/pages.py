"""The pages: sign in, dashboard, buyers and their shortlists, SMEs, runs, users.

Every page calls the same services as the JSON routes (:mod:`tiermatch.services`); none reads the
store its own way, matches or scores anything. Roles are checked with the JSON routes' own rules:
a buyer sees only its own shortlist and explanations, and records only its own feedback.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections import Counter
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from ...errors import InvalidInputError, NotFoundError, RunInProgressError
from ...features.reference import OUTCOMES, SECTORS
from ...services import (
    RunOptions,
    ShownLog,
    add_web_user,
    check_password,
    end_session,
    find_session_key,
    get_profile,
    groups_rows,
    hash_key,
    list_profiles,
    open_session,
    read_agenda,
    read_explanation,
    read_groups,
    read_recommendations,
    read_results,
    read_shortlist,
    record_feedback,
    session_principal,
)
from ...store import Store
from ..auth import ADMIN, BUYER, MATCHMAKER, Principal, check_buyer_access
from ..deps import REGIONS, profile_filters
from ..errors import ApiError
from ..limits import check_write_rate
from ..runs import csv_response
from ..schemas import RunIn
from .charts import bar_chart
from .i18n import LANGUAGES, STRINGS, label, province_label, translate

__all__ = ["SignInRequired", "Viewer", "router"]

router = APIRouter()
Id = Annotated[str, Path(min_length=1, max_length=200)]
RunId = Annotated[int, Path(ge=1, le=2**62)]
CERTIFICATION_CHOICES = ("GMP", "HACCP", "Halal", "Thai FDA", "ISO 9001", "ISO 14001", "ISO 22000", "ISO 22716",
                         "IATF 16949", "TIS", "RSPO", "OEKO-TEX", "GOTS", "GIT", "RJC", "OTOP 5 Star")


class SignInRequired(Exception):
    """No valid session: the handler sends the browser to the sign-in page."""


@dataclass(frozen=True)
class Viewer:
    """Who is looking (None before signing in), in which language, and the session's form token."""

    principal: Principal | None
    lang: str
    csrf: str

    @property
    def is_buyer(self) -> bool:
        return self.principal is not None and self.principal.role == BUYER


def service_of(request: Request):
    """The JSON service these pages are mounted in: its store, jobs and shortlist cache."""
    return request.app.state.service


def store_of(request: Request) -> Store:
    return service_of(request).state.store


async def current_viewer(request: Request,
                         lang: Annotated[str | None, Query(pattern="^(en|th)$", description="en or th")] = None) -> Viewer:
    """The session's viewer; ``?lang=`` switches the language and is remembered."""
    session = request.session
    if lang is not None:
        session["lang"] = lang
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(16)
    principal = None
    if session.get("sid"):
        row = session_principal(store_of(request), session["sid"])
        if row is None:  # signed out, expired, or its key or user gone since: the session is over
            session.pop("sid", None)
        else:
            principal = Principal(row["key_id"], row["role"], row["buyer_id"])
    chosen = session.get("lang")
    if chosen not in LANGUAGES:
        # Not chosen yet: the browser's first preference between Thai and English, else Thai.
        accepted = request.headers.get("accept-language", "").lower()
        chosen = "en" if accepted.startswith("en") else "th"
    return Viewer(principal, chosen, session["csrf"])


async def signed_in(viewer: Annotated[Viewer, Depends(current_viewer)]) -> Viewer:
    if viewer.principal is None:
        raise SignInRequired()
    return viewer


async def matchmaker(viewer: Annotated[Viewer, Depends(signed_in)]) -> Viewer:
    if viewer.principal.role not in (ADMIN, MATCHMAKER):
        raise ApiError(403, "a buyer may see only its own shortlist")
    return viewer


async def admin(viewer: Annotated[Viewer, Depends(signed_in)]) -> Viewer:
    if viewer.principal.role != ADMIN:
        raise ApiError(403, "only an administrator may manage users")
    return viewer


AnyViewer = Annotated[Viewer, Depends(current_viewer)]
SignedIn = Annotated[Viewer, Depends(signed_in)]
Matchmaker = Annotated[Viewer, Depends(matchmaker)]
Admin = Annotated[Viewer, Depends(admin)]


def check_csrf(request: Request, token: str) -> None:
    """A form must carry the session's token: another site cannot post on the user's behalf."""
    if not secrets.compare_digest(token, request.session.get("csrf", "")):
        raise ApiError(400, "session_expired", "form.csrf")


def render(request: Request, viewer: Viewer, template: str, status_code: int = 200, **context) -> HTMLResponse:
    """A page in the viewer's language."""
    lang = viewer.lang

    def t(key: str, **values) -> str:
        return translate(key, lang, **values)

    other = "en" if lang == "th" else "th"
    context.update(
        request=request, v=viewer, lang=lang, t=t, other_lang=other,
        lang_url=str(request.url.include_query_params(lang=other)),
        sector_label=lambda value: label("sector", value, lang),
        region_label=lambda value: label("region", value, lang),
        province_label=lambda value: province_label(value, lang),
        flash=request.session.pop("flash", None),
        when=lambda value, seconds=False: local_time(value, lang, request.app.state.service.state.settings.timezone,
                                                      seconds),
        base=request.scope.get("root_path", ""),
    )
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status_code)


def local_time(value: dt.datetime | None, lang: str, zone: str, seconds: bool = False) -> str:
    """A stored time (UTC) as people here read it: in the site's zone, named; on Thai pages with the
    Buddhist-era year and Thai month (``2 ธ.ค. 2569 01:05``).

    Examples
    --------
    >>> moment = dt.datetime(2026, 12, 1, 18, 5)
    >>> local_time(moment, "th", "Asia/Bangkok"), local_time(moment, "en", "Asia/Bangkok")
    ('2 ธ.ค. 2569 01:05 (เวลาประเทศไทย)', '2 Dec 2026 01:05 (Asia/Bangkok)')
    """
    if value is None:
        return ""
    from zoneinfo import ZoneInfo

    from pythainlp.util import thai_strftime

    moment = value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value
    moment = moment.astimezone(ZoneInfo(zone))
    pattern = "%-d %b %Y %H:%M" + (":%S" if seconds else "")
    if lang == "th":
        return f"{thai_strftime(moment, pattern)} ({'เวลาประเทศไทย' if zone == 'Asia/Bangkok' else zone})"
    return f"{moment.strftime(pattern)} ({zone})"


def redirect(request: Request, path: str) -> RedirectResponse:
    """See Other, to a path of these pages (given with or without their root, ``/web``)."""
    root = request.scope.get("root_path", "")
    return RedirectResponse(path if root and path.startswith(root + "/") else root + path, status_code=303)


def _safe_next(path: str | None) -> str:
    """Only a path of these pages: never another site (an open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


# -- signing in --------------------------------------------------------------

@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, viewer: AnyViewer, next: Annotated[str | None, Query(max_length=500)] = None):
    return render(request, viewer, "login.html", next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, viewer: AnyViewer, csrf: Annotated[str, Form(max_length=100)],
          api_key: Annotated[str, Form(max_length=200)] = "", username: Annotated[str, Form(max_length=100)] = "",
          password: Annotated[str, Form(max_length=200)] = "", next: Annotated[str, Form(max_length=500)] = "/"):
    check_csrf(request, csrf)
    store = store_of(request)
    settings = service_of(request).state.settings
    if getattr(settings, "session_https_only", False) and request.url.scheme != "https" \
            and request.url.hostname not in ("localhost", "127.0.0.1", "::1"):
        return render(request, viewer, "login.html", 400, next=_safe_next(next), error="insecure")
    throttle = request.app.state.throttle
    account = None if api_key.strip() else username.strip()
    address = request.client.host if request.client else None
    wait = throttle.wait(account, address)
    if wait:
        response = render(request, viewer, "login.html", 429, next=_safe_next(next), error="too_many_sign_ins",
                          minutes=-(-wait // 60))
        response.headers["Retry-After"] = str(wait)
        return response
    key_hash = None
    if api_key.strip():
        key_hash = hash_key(api_key.strip())
    elif account:
        key_hash = check_password(store, username, password)
    if key_hash is None or find_session_key(store, key_hash) is None:
        throttle.failed(account, address)
        return render(request, viewer, "login.html", 401, next=_safe_next(next), error="bad_credentials")
    throttle.succeeded(account)
    end_session(store, request.session.get("sid"))
    lang = request.session.get("lang")
    request.session.clear()  # a new session for a new identity
    request.session.update({"sid": open_session(store, key_hash, account), "csrf": secrets.token_urlsafe(16),
                            **({"lang": lang} if lang else {})})
    return redirect(request, _safe_next(next))


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form(max_length=100)]):
    check_csrf(request, csrf)
    end_session(store_of(request), request.session.get("sid"))
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    return redirect(request, "/login")


@router.get("/")
async def home(request: Request, viewer: SignedIn):
    if viewer.is_buyer:
        return redirect(request, f"/buyers/{quote(viewer.principal.buyer_id, safe='')}")
    return redirect(request, "/dashboard")


# -- dashboard ---------------------------------------------------------------

def _register_overview(request: Request) -> dict:
    """Counts by sector, region and cluster, remembered while the register's counts stay the same (or 60 s)."""
    store = store_of(request)
    counts = store.counts()
    cache = request.app.state.overview
    key = tuple(sorted(counts.items()))
    if cache.get("key") == key and cache.get("expires", 0) > time.monotonic():
        return cache["value"]
    suppliers, buyers = store.profiles.all("suppliers"), store.profiles.all("buyers")
    value = {
        "counts": counts,
        "suppliers_by_sector": Counter(s.sector for s in suppliers),
        "buyers_by_sector": Counter(b.sector for b in buyers),
        "suppliers_by_region": Counter(s.region for s in suppliers),
        "buyers_by_region": Counter(b.region for b in buyers),
        "clusters": Counter(s.cluster for s in suppliers if s.cluster).most_common(10),
        "no_cluster": sum(1 for s in suppliers if not s.cluster),
    }
    request.app.state.overview = {"key": key, "expires": time.monotonic() + 60, "value": value}
    return value


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, viewer: Matchmaker):
    lang = viewer.lang
    overview = _register_overview(request)
    _, last_runs = store_of(request).runs.page(limit=8)

    def chart(counter, kind):
        keys = SECTORS if kind == "sector" else REGIONS
        return bar_chart([(label(kind, k, lang), counter.get(k, 0)) for k in keys])

    coverage = []
    for run in reversed(last_runs):
        summary = run["summary"] or {}
        if run["status"] == "completed" and summary.get("buyers"):
            coverage.append((f"#{run['run_id']}", summary["buyers_matched"] / summary["buyers"],
                             summary["suppliers_matched"] / max(summary["suppliers"], 1)))
    charts = {
        "smes_by_sector": chart(overview["suppliers_by_sector"], "sector"),
        "buyers_by_sector": chart(overview["buyers_by_sector"], "sector"),
        "smes_by_region": chart(overview["suppliers_by_region"], "region"),
        "buyers_by_region": chart(overview["buyers_by_region"], "region"),
        "clusters": bar_chart(overview["clusters"], width=600),
        "coverage": bar_chart([(name, buyers_share) for name, buyers_share, _ in coverage], percent=True),
        "coverage_smes": bar_chart([(name, smes_share) for name, _, smes_share in coverage], percent=True),
    }
    return render(request, viewer, "dashboard.html", overview=overview, charts=charts, runs=last_runs)


# -- profiles ----------------------------------------------------------------

def _filters_form(sector, province, region, certification) -> dict:
    return {"sector": sector or "", "province": province or "", "region": region or "",
            "certification": certification or ""}


async def _resolve_filters(sector, province, region, certification):
    """The filters as the JSON routes resolve them; an unknown value is a 422 naming it."""
    if sector and sector not in SECTORS:
        raise ApiError(422, f"unknown sector {sector!r}; one of: {', '.join(SECTORS)}", "query.sector")
    if region and region not in REGIONS:
        raise ApiError(422, f"unknown region {region!r}; one of: {', '.join(REGIONS)}", "query.region")
    return await profile_filters(sector or None, province or None, region or None, certification or None)


FilterQuery = Annotated[str, Query(max_length=100)]


@router.get("/buyers", response_class=HTMLResponse)
async def buyers_page(request: Request, viewer: Matchmaker, sector: FilterQuery = "", province: FilterQuery = "",
                      region: FilterQuery = "", certification: FilterQuery = "",
                      offset: Annotated[int, Query(ge=0, le=10**9)] = 0):
    return await _profiles_page(request, viewer, "buyers", sector, province, region, certification, offset)


@router.get("/suppliers", response_class=HTMLResponse)
async def suppliers_page(request: Request, viewer: Matchmaker, sector: FilterQuery = "", province: FilterQuery = "",
                         region: FilterQuery = "", certification: FilterQuery = "",
                         offset: Annotated[int, Query(ge=0, le=10**9)] = 0):
    return await _profiles_page(request, viewer, "suppliers", sector, province, region, certification, offset)


async def _profiles_page(request, viewer, kind, sector, province, region, certification, offset):
    filters = await _resolve_filters(sector, province, region, certification)
    limit = 50
    total, found = list_profiles(store_of(request), kind, filters, limit, offset)
    return render(request, viewer, f"{kind}.html", profiles=found, total=total, offset=offset, limit=limit,
                  form=_filters_form(sector, province, region, certification), sectors=SECTORS, regions=REGIONS,
                  certifications=CERTIFICATION_CHOICES,
                  page_url=lambda o: str(request.url.include_query_params(offset=o)))


@router.get("/buyers/{buyer_id}", response_class=HTMLResponse)
async def shortlist_page(request: Request, viewer: SignedIn, buyer_id: Id, sector: FilterQuery = "",
                         province: FilterQuery = "", region: FilterQuery = "", certification: FilterQuery = "",
                         all: Annotated[bool, Query()] = False):
    check_buyer_access(viewer.principal, buyer_id)
    store = store_of(request)
    buyer = get_profile(store, "buyers", buyer_id)
    filters = await _resolve_filters(sector, province, region, certification)
    shortlist = read_shortlist(store, buyer_id, filters)
    shown = shortlist.rows if all else shortlist.rows[:shortlist.top_k]
    if shortlist.run_id is not None:
        service_of(request).state.shown.add(shortlist.run_id, buyer_id,
                                            [ShownLog.entry(r) for r in shown],
                                            viewer.principal.actor)
    recorded = store.history.outcomes_by_supplier(buyer_id, [row["supplier_id"] for row in shown])
    items = [{**row, "certifications": [c for c in row["supplier_certifications"].split(";") if c],
              "capacity": row["supplier_capacity_thb_per_month"], "recorded": recorded.get(row["supplier_id"], [])}
             for row in shown]
    return render(request, viewer, "shortlist.html", buyer=buyer, run_id=shortlist.run_id, items=items,
                  total=len(shortlist.rows), top_k=shortlist.top_k, show_all=all,
                  form=_filters_form(sector, province, region, certification), sectors=SECTORS, regions=REGIONS,
                  certifications=CERTIFICATION_CHOICES, outcomes=OUTCOMES,
                  all_url=str(request.url.include_query_params(all="true")))


@router.get("/buyers/{buyer_id}/pairs/{supplier_id}", response_class=HTMLResponse)
def explanation_page(request: Request, viewer: SignedIn, buyer_id: Id, supplier_id: Id):
    check_buyer_access(viewer.principal, buyer_id)
    store = store_of(request)
    explanation = read_explanation(store, buyer_id, supplier_id, shown_only=viewer.is_buyer)
    buyer = store.profiles.get("buyers", buyer_id)
    supplier = store.profiles.get("suppliers", supplier_id)
    lang = viewer.lang
    features_chart = bar_chart([(f["name"], f["value"] or 0.0) for f in explanation["features"]], percent=False,
                               maximum=1.0, width=560)
    return render(request, viewer, "explanation.html", e=explanation, buyer=buyer, supplier=supplier,
                  distance_km=explanation["distance_km"], outcomes=OUTCOMES,
                  recorded=store.history.outcomes_by_supplier(buyer_id, [supplier_id]).get(supplier_id, []),
                  reasons=explanation["reasons_th"] if lang == "th" else explanation["reasons"],
                  features_chart=features_chart)


@router.post("/buyers/{buyer_id}/feedback")
def feedback(request: Request, viewer: SignedIn, buyer_id: Id, csrf: Annotated[str, Form(max_length=100)],
             supplier_id: Annotated[str, Form(min_length=1, max_length=200)],
             outcome: Annotated[str, Form(max_length=20)],
             back: Annotated[str, Form(max_length=500)] = ""):
    check_csrf(request, csrf)
    if outcome not in OUTCOMES:
        raise InvalidInputError(f"outcome must be one of {', '.join(OUTCOMES)}, found {outcome!r}", "outcome")
    check_buyer_access(viewer.principal, buyer_id)
    check_write_rate(service_of(request).state.write_rate, viewer.principal)
    record_feedback(store_of(request), buyer_id, supplier_id, outcome, shown_only=viewer.is_buyer,
                    actor=viewer.principal.actor)
    request.session["flash"] = ["feedback_saved", {"outcome": translate(f"outcome_{outcome}", viewer.lang),
                                                   "supplier": supplier_id}]
    return redirect(request, _safe_next(back) if back else f"/buyers/{quote(buyer_id, safe='')}")


@router.get("/suppliers/{supplier_id}", response_class=HTMLResponse)
def supplier_page(request: Request, viewer: Matchmaker, supplier_id: Id):
    store = store_of(request)
    supplier = get_profile(store, "suppliers", supplier_id)
    recommendations = None
    if store.runs.latest_completed_id() is not None:
        run_id, total, rows = read_recommendations(store, supplier_id, limit=50)
        recommendations = {"run_id": run_id, "total": total, "items": rows}
    return render(request, viewer, "supplier.html", supplier=supplier, recommendations=recommendations)


# -- runs --------------------------------------------------------------------

@router.get("/runs", response_class=HTMLResponse)
def runs_page(request: Request, viewer: Matchmaker, offset: Annotated[int, Query(ge=0, le=10**9)] = 0):
    return _runs_page(request, viewer, offset)


def _runs_page(request, viewer, offset=0, errors=None, status_code=200):
    store = store_of(request)
    total, found = store.runs.page(limit=20, offset=offset)
    return render(request, viewer, "runs.html", status_code, runs=found, total=total, offset=offset,
                  latest=store.runs.latest_completed_id(), errors=errors or [],
                  defaults=RunIn())


def _optional_number(value: str, kind):
    value = value.strip()
    return None if value == "" else kind(value)


@router.post("/runs")
def start_run(request: Request, viewer: Matchmaker, csrf: Annotated[str, Form(max_length=100)],
              top_k: Annotated[str, Form(max_length=20)] = "10", min_score: Annotated[str, Form(max_length=20)] = "0.3",
              fair: Annotated[str, Form(max_length=10)] = "", slots: Annotated[str, Form(max_length=20)] = ""):
    check_csrf(request, csrf)
    try:
        body = RunIn(top_k=_optional_number(top_k, int) or 10, min_score=_optional_number(min_score, float) or 0.0,
                     fair={"on": True, "off": False}.get(fair), slots=_optional_number(slots, int))
    except (ValueError, ValidationError) as exc:
        errors = ([f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
                  if isinstance(exc, ValidationError) else [str(exc)])
        return _runs_page(request, viewer, errors=errors, status_code=422)
    try:
        run_id = service_of(request).state.jobs.start_run(RunOptions(**body.model_dump()))["run_id"]
    except RunInProgressError as exc:  # a second click: the run already started is the answer
        run_id = exc.run_id
    return redirect(request, f"/runs/{run_id}")


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, viewer: Matchmaker, run_id: RunId):
    store = store_of(request)
    run = store.runs.get(run_id)
    if run is None:
        raise NotFoundError("run", run_id, "run_id", message=f"no run with id {run_id}")
    summary = run["summary"] or {}
    unmatched = store.runs.unmatched(run_id) if run["status"] == "completed" else []
    return render(request, viewer, "run.html", run=run, summary=summary, unmatched=unmatched,
                  latest=store.runs.latest_completed_id(), progress=_progress(run, viewer.lang))


def _progress(run: dict, lang: str) -> dict:
    """Where a run is, in words of the viewer's language: the stage, and how far through it."""
    stage = run["stage"] or run["status"]
    key = f"stage_{stage}"
    words = translate(key, lang) if key in STRINGS else stage
    done, total = int(run["stage_done"] or 0), int(run["stage_total"] or 0)
    percent = round(100 * done / total) if total else 0
    text = translate("progress_part", lang, done=done, total=total) if total > 1 else f"{percent}%"
    return {"status": run["status"], "stage": stage, "label": words, "done": done, "total": total,
            "percent": percent, "text": text}


@router.get("/runs/{run_id}/progress")
def run_progress(request: Request, viewer: Matchmaker, run_id: RunId) -> dict:
    """A run's progress as JSON, polled by its page (no reload until it ends)."""
    run = store_of(request).runs.get(run_id)
    if run is None:
        raise NotFoundError("run", run_id, "run_id", message=f"no run with id {run_id}")
    return _progress(run, viewer.lang)


@router.get("/runs/{run_id}/assignment", response_class=HTMLResponse)
def assignment_page(request: Request, viewer: Matchmaker, run_id: RunId,
                    offset: Annotated[int, Query(ge=0, le=10**9)] = 0):
    limit = 100
    total, rows = read_results(store_of(request), run_id, "assignment", limit=limit, offset=offset)
    return render(request, viewer, "assignment.html", run_id=run_id, page={"total": total, "items": rows},
                  offset=offset, limit=limit, page_url=lambda o: str(request.url.include_query_params(offset=o)))


@router.get("/runs/{run_id}/groups", response_class=HTMLResponse)
def groups_page(request: Request, viewer: Matchmaker, run_id: RunId):
    groups = read_groups(store_of(request), run_id)
    return render(request, viewer, "groups.html", run_id=run_id, groups={"items": groups})


@router.get("/runs/{run_id}/agenda", response_class=HTMLResponse)
def agenda_page(request: Request, viewer: Matchmaker, run_id: RunId,
                by: Annotated[str, Query(pattern="^(buyer|supplier)$")] = "buyer"):
    store = store_of(request)
    run = store.runs.get(run_id)
    if run is not None and run["status"] == "completed" and not (run["summary"] or {}).get("agenda"):
        return render(request, viewer, "agenda.html", 409, run_id=run_id, agenda=None, by=by)
    return render(request, viewer, "agenda.html", run_id=run_id, agenda=read_agenda(store, run_id, by), by=by)


DOWNLOADS = ("shortlists", "recommendations", "assignment", "groups", "agenda_by_buyer", "agenda_by_supplier")


@router.get("/runs/{run_id}/download/{name}.csv")
def download(request: Request, viewer: Matchmaker, run_id: RunId, name: Annotated[str, Path(max_length=40)]):
    store = store_of(request)
    if name in ("shortlists", "recommendations", "assignment"):
        kind = name.removesuffix("s")
        rows = read_results(store, run_id, kind)[1]
    elif name in ("agenda_by_buyer", "agenda_by_supplier"):
        by = name.removeprefix("agenda_by_")
        kind, rows = f"agenda_{by}", read_agenda(store, run_id, by)["meetings"]
    elif name == "groups":
        kind, rows = "groups", groups_rows(read_groups(store, run_id))
    else:
        raise NotFoundError("download", name, "name", message=f"no download {name!r}; one of: {', '.join(DOWNLOADS)}")
    return csv_response(kind, rows, f"run{run_id}_{name}.csv")


# -- users -------------------------------------------------------------------

@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, viewer: Admin):
    return render(request, viewer, "users.html", error=None, added=None)


@router.post("/users", response_class=HTMLResponse)
def add_user(request: Request, viewer: Admin, csrf: Annotated[str, Form(max_length=100)],
             username: Annotated[str, Form(max_length=100)], password: Annotated[str, Form(max_length=200)],
             role: Annotated[str, Form(pattern="^(admin|matchmaker|buyer)$")],
             buyer_id: Annotated[str, Form(max_length=200)] = ""):
    check_csrf(request, csrf)
    try:
        record = add_web_user(store_of(request), username, password, role, buyer_id.strip() or None)
    except (InvalidInputError, NotFoundError) as exc:
        return render(request, viewer, "users.html", 422, error=str(exc), added=None)
    return render(request, viewer, "users.html", error=None, added=record["username"])
