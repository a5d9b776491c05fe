"""Reading a run's results: shortlists, recommendations, explanations, groups, agendas, as rows or CSV.

The JSON service and the pages read through these functions alone, so that
both show the same thing: a buyer's shortlist is one query (its rows carry
what a page shows of each SME), the outcomes recorded for it one more.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass

import numpy as np

from ..errors import ConflictError, NotFoundError
from ..features.pairs import FEATURE_DESCRIPTIONS, FEATURE_NAMES
from ..io import safe_rows
from ..matcher import LearnedScorer
from ..matcher.scoring import PRIOR_WEIGHTS
from ..settings import get_settings
from ..store import Store

__all__ = [
    "CSV_COLUMNS",
    "Filters",
    "Shortlist",
    "as_csv",
    "completed_run",
    "explore",
    "latest_run",
    "read_agenda",
    "read_explanation",
    "read_groups",
    "read_recommendations",
    "require_profile",
    "read_results",
    "read_shortlist",
]

CSV_COLUMNS = {
    "shortlist": ("buyer_id", "rank", "supplier_id", "score", "reasons", "reasons_th"),
    "recommendation": ("supplier_id", "rank", "buyer_id", "score", "reasons", "reasons_th"),
    "assignment": ("buyer_id", "supplier_id", "score", "group_id", "volume_thb_per_month"),
    "agenda_buyer": ("buyer_id", "buyer_name", "slot", "supplier_id", "supplier_name", "group_id"),
    "agenda_supplier": ("supplier_id", "supplier_name", "slot", "buyer_id", "buyer_name", "group_id"),
    "groups": ("group_id", "buyer_id", "supplier_id", "volume_thb_per_month", "demand_thb_per_month", "coverage"),
}


@dataclass(frozen=True)
class Filters:
    """Filters on the SMEs of a list: canonical sector, English province names, canonical certification."""

    sector: str | None = None
    provinces: tuple[str, ...] | None = None
    certification: str | None = None

    def matches(self, sector: str, province: str, certifications) -> bool:
        """Whether an SME of this sector, province and certifications passes."""
        return ((self.sector is None or sector == self.sector)
                and (self.provinces is None or province in self.provinces)
                and (self.certification is None or self.certification in certifications))


def latest_run(store: Store) -> int:
    """The latest completed run's id.

    Raises
    ------
    NotFoundError
        Before any run has completed.
    """
    run_id = store.runs.latest_completed_id()
    if run_id is None:
        raise NotFoundError("completed run", None, message="no completed run yet: start a run first")
    return run_id


def completed_run(store: Store, run_id: int) -> dict:
    """A run whose results can be read.

    Raises
    ------
    NotFoundError
        For an unknown run.
    ConflictError
        For a run that failed or has not finished.
    """
    run = store.runs.get(run_id)
    if run is None:
        raise NotFoundError("run", run_id, "run_id", message=f"no run with id {run_id}")
    if run["status"] == "failed":
        raise ConflictError(f"run {run_id} failed, so it has no results: {run['error']}", "run_id")
    if run["status"] != "completed":
        raise ConflictError(f"run {run_id} is {run['status']} (stage {run['stage'] or 'starting'}); "
                            "its results are not ready", "run_id")
    return run


def require_profile(store: Store, kind: str, record_id: str, field: str) -> None:
    """Raises :class:`NotFoundError` where the store holds no ``kind`` (``buyers``, ``suppliers``) ``record_id``."""
    if not store.profiles.exists(kind, record_id):
        raise NotFoundError(kind[:-1], record_id, field)


@dataclass(frozen=True)
class Shortlist:
    """A buyer's stored shortlist of a run: every stored rank (``rows``), of which a page shows ``top_k``."""

    run_id: int | None
    buyer_id: str
    top_k: int
    rows: list[dict]


# An explored shortlist shows, in its last place, one of the SMEs ranked this many places below the cut.
EXPLORE_WINDOW = 3


def explore(rows: list[dict], top_k: int, share: float, key: str) -> list[dict]:
    """A shortlist with, for a ``share`` of buyers, its last shown place (``top_k``) given to an SME ranked just
    below the cut (one of the next :data:`EXPLORE_WINDOW`, each as likely), marked ``explored``; so that what a
    shortlist never shows can still be learned about. Each row gets ``propensity``, the chance that it is on the
    first page (``top_k`` rows): 1 above the last place, ``1 - share`` for the SME ranked last, ``share / window``
    for those in the window, 0 deeper. Drawn once per ``key`` (a run and a buyer): the same page every time.

    Examples
    --------
    >>> rows = [{"rank": r, "supplier_id": f"S{r}"} for r in range(1, 7)]
    >>> [(r["rank"], r["supplier_id"], r["explored"]) for r in explore(rows, 3, 1.0, "run 1 B1")[:4]]
    [(1, 'S1', False), (2, 'S2', False), (3, 'S6', True), (4, 'S4', False)]
    >>> [r["propensity"] for r in explore(rows, 3, 0.0, "run 1 B1")]
    [1.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    """
    rows = [{**row, "explored": False, "propensity": 1.0 if n < top_k else 0.0} for n, row in enumerate(rows)]
    window = min(EXPLORE_WINDOW, len(rows) - top_k)
    if share <= 0 or window <= 0:
        return rows
    rng = np.random.default_rng(int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "little"))
    draw, pick = rng.random(), top_k + int(rng.integers(window))
    rows[top_k - 1]["propensity"] = 1.0 - share
    for row in rows[top_k:top_k + window]:
        row["propensity"] = share / window
    if draw < share:
        last, explored = rows[top_k - 1], rows[pick]
        rows[top_k - 1] = {**explored, "rank": last["rank"], "explored": True}
        rows[pick] = {**last, "rank": explored["rank"]}
    return rows


def read_shortlist(store: Store, buyer_id: str, filters: Filters = Filters()) -> Shortlist:
    """A buyer's ranked SMEs from the latest completed run, filtered, as stored (50 deep at least), its last
    shown place explored for a share of buyers (:func:`explore`, ``TIERMATCH_EXPLORE``).

    ``run_id`` is None (and no rows) before any run has completed.

    Raises
    ------
    NotFoundError
        For a buyer not in the register.
    """
    require_profile(store, "buyers", buyer_id, "buyer_id")
    run_id = store.runs.latest_completed_id()
    if run_id is None:
        return Shortlist(None, buyer_id, 0, [])
    top_k = int((store.runs.get(run_id)["options"] or {}).get("top_k", 10))
    _, rows = store.runs.matches(run_id, "shortlist", buyer_id=buyer_id, sector=filters.sector,
                                 provinces=filters.provinces, certification=filters.certification)
    return Shortlist(run_id, buyer_id, top_k, explore(rows, top_k, get_settings().explore, f"{run_id} {buyer_id}"))


def read_recommendations(store: Store, supplier_id: str, limit: int = 50, offset: int = 0):
    """The buyers an SME should approach, from the latest completed run: ``(run_id, total, rows)``."""
    require_profile(store, "suppliers", supplier_id, "supplier_id")
    run_id = latest_run(store)
    total, rows = store.runs.matches(run_id, "recommendation", supplier_id=supplier_id, limit=limit, offset=offset)
    return run_id, total, rows


def read_explanation(store: Store, buyer_id: str, supplier_id: str, *, shown_only: bool = False) -> dict:
    """Why a buyer and an SME were put together in the latest completed run.

    Every feature (in ``FEATURE_NAMES`` order) with its value, its weight in
    the scorer the run used (the prior's, or a learned model's log-odds
    weights for this buyer) and meaning, the reasons in English and Thai, the scorer. ``shown_only``: only
    a pair on the buyer's shortlist or assignment (what a buyer was shown).

    Raises
    ------
    NotFoundError
        For an unknown buyer, before any run, or for a pair the run did not hold (or did not show).
    """
    require_profile(store, "buyers", buyer_id, "buyer_id")
    run_id = latest_run(store)
    rows = store.runs.pair(run_id, buyer_id, supplier_id)
    if shown_only:
        rows.pop("recommendation", None)
    if not rows:
        raise NotFoundError("candidate", supplier_id, "supplier_id",
                            message=f"supplier {supplier_id!r} was not a candidate of buyer {buyer_id!r} in run {run_id}")
    row = rows.get("shortlist") or rows.get("assignment") or rows["recommendation"]
    values = row["features"] or {}
    assignment = rows.get("assignment", {})
    scoring = (store.runs.get(run_id)["summary"] or {}).get("scoring", {"scorer": "prior"})
    weights = _weights(store, scoring, buyer_id)
    return {
        "run_id": run_id, "buyer_id": buyer_id, "supplier_id": supplier_id, "score": row["score"],
        "shortlist_rank": rows["shortlist"]["rank"] if "shortlist" in rows else None,
        "assigned": bool(assignment), "group_id": assignment.get("group_id", ""),
        "volume_thb_per_month": assignment.get("volume_thb_per_month"), "distance_km": row.get("distance_km"),
        "reasons": row["reasons"], "reasons_th": row["reasons_th"],
        "features": [{"name": name, "value": values.get(name), "weight": weights[name],
                      "description": FEATURE_DESCRIPTIONS[name]} for name in FEATURE_NAMES],
        "scoring": scoring,
    }


def _weights(store: Store, scoring: dict, buyer_id: str) -> dict[str, float]:
    """Each feature's weight in the scorer a run used: the prior's, or a learned model's log-odds weights for
    this buyer (everyone's, plus the buyer's own where it has them)."""
    record = store.models.get(scoring["model_id"], with_bytes=True) if scoring.get("scorer", "prior") != "prior" \
        and scoring.get("model_id") is not None else None
    if record is not None:
        try:
            model = LearnedScorer.from_bytes(record["blob"])
        except ValueError:
            model = None
        if model is not None:
            own = model.deviations.get(buyer_id, 0.0)
            return {name: round(float(w), 4) for name, w in zip(FEATURE_NAMES, model.coef + own)}
    return {name: PRIOR_WEIGHTS.get(name, 0.0) for name in FEATURE_NAMES}


def check_shown(store: Store, buyer_id: str, supplier_id: str) -> None:
    """That the SME was proposed to the buyer (its shortlist or assignment) in the latest completed run.

    Raises
    ------
    NotFoundError
        Otherwise: a buyer acts only on what it was shown, and learns nothing of the rest.
    """
    run_id = store.runs.latest_completed_id()
    shown = {} if run_id is None else store.runs.pair(run_id, buyer_id, supplier_id)
    if "shortlist" not in shown and "assignment" not in shown:
        raise NotFoundError("proposal", supplier_id, "supplier_id",
                            message=f"supplier {supplier_id!r} was not proposed to buyer {buyer_id!r}")


def read_results(store: Store, run_id: int, kind: str, *, buyer_id: str | None = None,
                 supplier_id: str | None = None, limit: int | None = None, offset: int = 0,
                 deep: bool = False) -> tuple[int, list[dict]]:
    """A page of a run's ``kind`` rows (``shortlist``, ``recommendation``, ``assignment``) and their total.

    Shortlists go up to the run's ``top_k``, as the CLI writes them, unless ``deep``.
    """
    run = completed_run(store, run_id)
    max_rank = run["options"].get("top_k") if kind == "shortlist" and not deep else None
    return store.runs.matches(run_id, kind, buyer_id=buyer_id, supplier_id=supplier_id, max_rank=max_rank,
                              limit=limit, offset=offset)


def read_groups(store: Store, run_id: int) -> list[dict]:
    """Groups of SMEs that jointly meet a buyer's monthly demand: members, volumes, coverage."""
    completed_run(store, run_id)
    _, rows = store.runs.matches(run_id, "assignment")
    by_group: dict[str, list[dict]] = {}
    for row in rows:
        if row["group_id"]:
            by_group.setdefault(row["group_id"], []).append(row)
    groups = []
    for group_id, members in sorted(by_group.items()):
        first = members[0]
        volume = sum(m["volume_thb_per_month"] or 0.0 for m in members)
        demand = first["buyer_demand_thb_per_month"]
        groups.append({
            "group_id": group_id, "buyer_id": first["buyer_id"], "buyer_name": first["buyer_name"],
            "demand_thb_per_month": demand, "volume_thb_per_month": volume,
            "coverage": None if not demand else round(volume / demand, 4),
            "members": [{"supplier_id": m["supplier_id"], "supplier_name": m["supplier_name"],
                         "province": m["supplier_province"], "score": m["score"],
                         "volume_thb_per_month": m["volume_thb_per_month"]} for m in members],
        })
    return groups


def groups_rows(groups: list[dict]) -> list[dict]:
    """One row per group member, as ``groups.csv`` holds them."""
    return [{"group_id": g["group_id"], "buyer_id": g["buyer_id"], "supplier_id": m["supplier_id"],
             "volume_thb_per_month": m["volume_thb_per_month"], "demand_thb_per_month": g["demand_thb_per_month"],
             "coverage": g["coverage"]} for g in groups for m in g["members"]]


def read_agenda(store: Store, run_id: int, by: str = "buyer") -> dict:
    """A matchmaking day's meetings by slot, per buyer (``by="buyer"``) or per SME, and those left unscheduled
    with why (``why``: ``buyer_busy``, ``supplier_busy`` or ``crowded``; ``meetings``: the busier side's count).

    Raises
    ------
    ConflictError
        For a run that was not a matchmaking day.
    """
    run = completed_run(store, run_id)
    agenda = (run["summary"] or {}).get("agenda")
    if not agenda:
        raise ConflictError(f"run {run_id} was not a matchmaking day: start a run with slots to get an agenda",
                            "run_id")
    _, rows = store.runs.matches(run_id, "assignment")
    meetings = [r for r in rows if r["slot"] is not None]
    own, other = ("buyer", "supplier") if by == "buyer" else ("supplier", "buyer")
    meetings.sort(key=lambda r: (r[f"{own}_id"], r["slot"], r[f"{other}_id"]))
    entries: dict[str, dict] = {}
    for r in meetings:
        entry = entries.setdefault(r[f"{own}_id"], {"id": r[f"{own}_id"], "name": r[f"{own}_name"], "meetings": []})
        entry["meetings"].append({"slot": r["slot"], "id": r[f"{other}_id"], "name": r[f"{other}_name"],
                                  "score": r["score"], "group_id": r["group_id"]})
    # Why a meeting has no slot: one side has more meetings than the day has slots, or (rarely, where both fit)
    # the slots both could meet in went to their other meetings, so that the day holds the most meetings.
    count = {}
    for r in rows:
        for side in ("buyer", "supplier"):
            count[side, r[f"{side}_id"]] = count.get((side, r[f"{side}_id"]), 0) + 1
    unscheduled = []
    for r in rows:
        if r["slot"] is None:
            busy = max(("buyer", "supplier"), key=lambda side: count[side, r[f"{side}_id"]])
            n = count[busy, r[f"{busy}_id"]]
            unscheduled.append({**r, "why": f"{busy}_busy" if n > agenda["slots"] else "crowded", "meetings": n})
    return {"run_id": run_id, "by": by, "slots": agenda["slots"], "slots_needed": agenda["slots_needed"],
            "items": list(entries.values()), "meetings": meetings, "unscheduled": unscheduled}


def as_csv(kind: str, rows: list[dict]) -> str:
    """Rows as the CSV the CLI writes for ``kind`` (one of :data:`CSV_COLUMNS`); empty cells for None."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS[kind])
    writer.writerows(safe_rows(["" if row[c] is None else row[c] for c in CSV_COLUMNS[kind]] for row in rows))
    return buffer.getvalue()
