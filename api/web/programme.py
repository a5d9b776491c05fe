"""The programme's pages: cluster suggestions, the year's targets and the curator's vocabulary, for matchmakers.

Both call the services the JSON routes call (:mod:`tiermatch.services`): nothing is clustered or
counted here.
The forms are GET forms (they change nothing); a value out of range is listed on the page with
status 422, never a 500.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from ...errors import ConflictError, InvalidInputError
from ...features.taxonomy import ConceptVocabulary
from ...services import (
    ProgrammeTargets,
    cluster_report,
    cluster_report_json,
    file_term,
    load_register,
    site_vocabulary,
    suggest_terms,
    targets_report,
)
from .charts import bar_chart
from .i18n import label, translate
from .pages import Matchmaker, check_csrf, redirect, render, service_of, store_of

__all__ = ["router"]

router = APIRouter()
Field = Annotated[str, Query(max_length=40)]

# The first words of a reason an SME was left out (matcher/clusters/report.py) -> its i18n key.
UNCLUSTERED_REASONS = {"too small": "reason_too_small", "no neighbour": "reason_no_neighbour"}


def _whole(value: str, name: str, low: int, high: int, errors: list, t) -> int | None:
    value = (value or "").strip()
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        errors.append(t("err_whole", field=t(name), low=f"{low:,}", high=f"{high:,}", value=value))
        return None
    return number


def _positive(value: str, name: str, errors: list, t, whole: bool = False) -> float | int | None:
    """An optional target: empty is none; otherwise a positive number."""
    value = (value or "").strip().replace(",", "")
    if not value:
        return None
    try:
        number = int(value) if whole else float(value)
    except ValueError:
        number = None
    if number is None or not math.isfinite(number) or number <= 0:
        errors.append(t("err_positive", field=t(name), value=value))
        return None
    return number


def _t(viewer):
    return lambda key, **values: translate(key, viewer.lang, **values)


# -- clusters ------------------------------------------------------------------

@router.get("/clusters", response_class=HTMLResponse)
def clusters_page(request: Request, viewer: Matchmaker, min_size: Field = "5", max_size: Field = "30",
                  regroup: Field = "", buyers: Field = "5"):
    t = _t(viewer)
    errors: list[str] = []
    low = _whole(min_size, "min_members", 1, 1000, errors, t)
    high = _whole(max_size, "max_members", 1, 1000, errors, t)
    top = _whole(buyers, "buyers_per_cluster", 0, 50, errors, t)
    if low is not None and high is not None and low > high:
        errors.append(t("err_min_max", low=low, high=high))
    form = {"min_size": min_size, "max_size": max_size, "regroup": bool(regroup), "buyers": buyers}
    report = None
    if not errors:
        store = store_of(request)
        try:
            # One of the service's jobs, as the JSON route runs it (one heavy job at a time).
            report = cluster_report_json(service_of(request).state.jobs.call(
                lambda: cluster_report(load_register(store), min_size=low, max_size=high, keep_existing=not regroup,
                                       max_km=100.0, top_k_buyers=top, random_state=0)))
        except ConflictError:
            errors.append(t("err_no_register"))
    if errors:
        return render(request, viewer, "clusters.html", 422, form=form, errors=errors, report=None)
    names = {s.supplier_id: s.name for s in store.profiles.all("suppliers")}
    names.update({b.buyer_id: b.name for b in store.profiles.all("buyers")})
    quality = report["quality"]
    reasons = [(t(UNCLUSTERED_REASONS[k]) if k in UNCLUSTERED_REASONS else k, n)
               for k, n in sorted(quality.get("unclustered_reasons", {}).items(), key=lambda kv: -kv[1])]
    total = max(quality.get("smes", 0), 1)
    charts = {
        "sizes": bar_chart([(s["cluster_id"], len(s["members"])) for s in report["suggestions"][:30]]),
        "unclustered": bar_chart([(name, n / total) for name, n in reasons], percent=True),
    }
    return render(request, viewer, "clusters.html", form=form, errors=[], report=report, quality=quality,
                  reasons=reasons, names=names, charts=charts)


# -- programme targets -----------------------------------------------------------

@router.get("/targets", response_class=HTMLResponse)
def targets_page(request: Request, viewer: Matchmaker, year: Field = "", clustered_target: Field = "2000",
                 match_target: Field = "", deal_target_thb: Field = "", as_of: Field = ""):
    t = _t(viewer)
    errors: list[str] = []
    today = dt.date.today()
    year = year.strip() or str(today.year)
    form = {"year": year, "clustered_target": clustered_target, "match_target": match_target,
            "deal_target_thb": deal_target_thb, "as_of": as_of}
    number = _whole(year, "year", 2000, 2200, errors, t)
    clustered = _positive(clustered_target, "clustered_target", errors, t, whole=True)
    matches = _positive(match_target, "match_target", errors, t, whole=True)
    deals = _positive(deal_target_thb, "deal_target", errors, t)
    day = None
    if as_of.strip():
        try:
            day = dt.date.fromisoformat(as_of.strip())
        except ValueError:
            errors.append(t("err_date", value=as_of.strip()))
    if errors:
        return render(request, viewer, "targets.html", 422, form=form, errors=errors, report=None)
    try:
        report = targets_report(store_of(request), ProgrammeTargets(number, clustered_smes=clustered, matches=matches,
                                                                    deal_value_thb=deals), as_of=day)
    except InvalidInputError as exc:  # the targets' own checks
        return render(request, viewer, "targets.html", 422, form=form, errors=[str(exc)], report=None)
    def sector(value):
        return label("sector", value, viewer.lang)

    def region(value):
        return label("region", value, viewer.lang)

    progress = [(t(name), report[key]["progress"]) for key, name in
                (("clustered", "smes_in_clusters"), ("matches", "matches"), ("deal_value_thb", "deal_value"))
                if report[key]["progress"] is not None]
    charts = {
        "progress": bar_chart(progress, percent=True),
        "clustered_by_sector": bar_chart([(sector(k), v) for k, v in report["clustered"]["by_sector"].items()]),
        "matches_by_sector": bar_chart([(sector(r["sector"]), r["matches"]) for r in report["by_sector"]]),
        "value_by_sector": bar_chart([(sector(r["sector"]), r["deal_value_thb"]) for r in report["by_sector"]]),
        "matches_by_region": bar_chart([(region(r["region"]), r["matches"]) for r in report["by_region"]]),
        "value_by_region": bar_chart([(region(r["region"]), r["deal_value_thb"]) for r in report["by_region"]]),
        "matches_by_month": bar_chart([(r["month"], r["matches"]) for r in report["by_month"]]),
        "value_by_month": bar_chart([(r["month"], r["deal_value_thb"]) for r in report["by_month"]]),
    }
    return render(request, viewer, "targets.html", form=form, errors=[], report=report, charts=charts)



# -- the curator's vocabulary ------------------------------------------------------

@router.get("/vocabulary", response_class=HTMLResponse)
def vocabulary_page(request: Request, viewer: Matchmaker, top: Annotated[int, Query(ge=1, le=1000)] = 50):
    store = store_of(request)
    # One of the service's jobs, as the JSON route runs it (the encoder reads every unknown word).
    found = service_of(request).state.jobs.call(lambda: suggest_terms(load_register(store), top))
    concepts = sorted(site_vocabulary() or ConceptVocabulary.load(), key=lambda c: c.concept_id)
    return render(request, viewer, "vocabulary.html", suggestions=found, concepts=concepts, errors=[])


@router.post("/vocabulary/terms")
def file_term_from_page(request: Request, viewer: Matchmaker, csrf: Annotated[str, Form(max_length=100)],
                        term: Annotated[str, Form(min_length=1, max_length=100)],
                        concept_id: Annotated[str, Form(min_length=1, max_length=100)]):
    check_csrf(request, csrf)
    file_term(term, concept_id)
    request.session["flash"] = ["term_filed", {"term": term, "concept": concept_id}]
    return redirect(request, "/vocabulary")
