"""The programme against its own targets: SMEs in clusters, matches and deal value.

DIP's cluster programme sets yearly targets (at least 2,000 SMEs brought into
clusters across the six sectors; matches and the baht value of deals a
matchmaker sets). :func:`report_targets` counts the register and the
feedback of one year against them, by sector, region and month. Nothing is
dropped silently: partnerships without a date, deals without a value and
partnerships of unknown SMEs are counted apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import InvalidInputError
from ..features.profiles import Partnership, Supplier
from ..features.reference import SECTORS, find_province

__all__ = ["MATCH_OUTCOMES", "ProgrammeTargets", "report_targets"]

# Outcomes that count as a match: the buyer accepted the SME, or they closed a deal.
MATCH_OUTCOMES = ("accepted", "deal")
REGIONS = ("Central", "East", "North", "Northeast", "South", "West")


@dataclass(frozen=True)
class ProgrammeTargets:
    """A year's targets; None where the matchmaker set none.

    Examples
    --------
    >>> ProgrammeTargets(2026).clustered_smes
    2000
    """

    year: int
    clustered_smes: int | None = 2000
    matches: int | None = None
    deal_value_thb: float | None = None

    def __post_init__(self):
        problems = [f"{name} must be positive, got {value}" for name, value in
                    (("clustered_smes", self.clustered_smes), ("matches", self.matches),
                     ("deal_value_thb", self.deal_value_thb)) if value is not None and value <= 0]
        if not 2000 <= self.year <= 2200:
            problems.append(f"year must be between 2000 and 2200 (Gregorian), got {self.year}")
        if problems:
            raise InvalidInputError("Invalid programme targets: " + "; ".join(problems))


def _progress(actual: float, target: float | None, expected_share: float) -> dict:
    """Actual against target: share reached and whether it keeps pace with the share of the year elapsed."""
    if target is None:
        return {"actual": actual, "target": None, "progress": None, "on_track": None}
    progress = actual / target
    return {"actual": actual, "target": target, "progress": round(progress, 4),
            "on_track": bool(progress >= expected_share)}


def _zero() -> dict:
    return {"proposals": 0, "matches": 0, "deals": 0, "deal_value_thb": 0.0, "deals_without_value": 0}


def report_targets(
    suppliers: Sequence[Supplier],
    partnerships: Sequence[Partnership],
    targets: ProgrammeTargets,
    *,
    as_of: dt.date | None = None,
) -> dict:
    """Count SMEs in clusters, matches and deal value of ``targets.year`` against the targets.

    Parameters
    ----------
    suppliers : sequence of Supplier
        The register; an SME is in a cluster where ``cluster`` is set.
    partnerships : sequence of Partnership
        Feedback: ``accepted`` and ``deal`` count as matches; a deal's
        ``value_thb`` adds to the deal value. Sector and region are the SME's.
    targets : ProgrammeTargets
    as_of : date, optional
        The day the report is made (today if None): ``on_track`` compares
        progress with the share of the year elapsed by then.

    Returns
    -------
    dict
        ``year``, ``as_of``, ``year_elapsed``; ``clustered`` (SMEs in a
        cluster against the target, ``by_sector``, ``clusters``); ``matches``
        and ``deal_value_thb`` (actual, target, progress, on_track); ``deals``;
        ``by_sector``, ``by_region`` and ``by_month`` rows (proposals,
        matches, deals, deal value, deals without a value); ``undated`` and
        ``unknown_suppliers`` (partnerships that could not be placed).

    Examples
    --------
    >>> s = [Supplier(supplier_id="S1", name="A", sector="automotive", products="x", province="Rayong", cluster="Rayong Auto"),
    ...      Supplier(supplier_id="S2", name="B", sector="processed_food", products="y", province="Chiang Mai")]
    >>> p = [Partnership(supplier_id="S1", buyer_id="B1", outcome="deal", date="2026-03-02", value_thb=1_500_000),
    ...      Partnership(supplier_id="S2", buyer_id="B1", outcome="accepted", date="2026-04-10"),
    ...      Partnership(supplier_id="S2", buyer_id="B2", outcome="deal", date="2025-12-30", value_thb=9)]
    >>> r = report_targets(s, p, ProgrammeTargets(2026, clustered_smes=2, deal_value_thb=3_000_000), as_of=dt.date(2026, 7, 2))
    >>> r["clustered"]["actual"], r["clustered"]["progress"], r["matches"]["actual"], r["deal_value_thb"]["progress"]
    (1, 0.5, 2, 0.5)
    >>> [(m["month"], m["matches"], m["deal_value_thb"]) for m in r["by_month"] if m["proposals"]]
    [('2026-03', 1, 1500000.0), ('2026-04', 1, 0.0)]
    """
    as_of = as_of or dt.date.today()
    start, end = dt.date(targets.year, 1, 1), dt.date(targets.year, 12, 31)
    elapsed = min(1.0, max(0.0, ((as_of - start).days + 1) / ((end - start).days + 1)))
    by_id = {s.supplier_id: s for s in suppliers}
    region_of = {s.supplier_id: find_province(s.province).region for s in suppliers}

    in_cluster = [s for s in suppliers if s.cluster]
    clustered_by_sector = {sector: 0 for sector in SECTORS}
    for s in in_cluster:
        clustered_by_sector[s.sector] += 1

    by_sector = {sector: _zero() for sector in SECTORS}
    by_region = {region: _zero() for region in REGIONS}
    by_month = {f"{targets.year}-{m:02d}": _zero() for m in range(1, 13)}
    totals = _zero()
    undated = unknown = 0
    for p in partnerships:
        if p.date is None:
            undated += 1
            continue
        if p.date.year != targets.year:
            continue
        supplier = by_id.get(p.supplier_id)
        if supplier is None:
            unknown += 1
            continue
        for row in (totals, by_sector[supplier.sector], by_region[region_of[p.supplier_id]],
                    by_month[f"{p.date.year}-{p.date.month:02d}"]):
            row["proposals"] += 1
            row["matches"] += p.outcome in MATCH_OUTCOMES
            if p.outcome == "deal":
                row["deals"] += 1
                if p.value_thb is None:
                    row["deals_without_value"] += 1
                else:
                    row["deal_value_thb"] += float(p.value_thb)
    return {
        "year": targets.year,
        "as_of": as_of.isoformat(),
        "year_elapsed": round(elapsed, 4),
        "clustered": {**_progress(len(in_cluster), targets.clustered_smes, elapsed),
                      "by_sector": clustered_by_sector,
                      "clusters": len({s.cluster for s in in_cluster}),
                      "smes": len(suppliers)},
        "matches": _progress(totals["matches"], targets.matches, elapsed),
        "deal_value_thb": _progress(totals["deal_value_thb"], targets.deal_value_thb, elapsed),
        "deals": {"count": totals["deals"], "without_value": totals["deals_without_value"],
                  "proposals": totals["proposals"]},
        "by_sector": [{"sector": k, "clustered": clustered_by_sector[k], **v} for k, v in by_sector.items()],
        "by_region": [{"region": k, **v} for k, v in by_region.items()],
        "by_month": [{"month": k, **v} for k, v in by_month.items()],
        "undated": undated,
        "unknown_suppliers": unknown,
    }
