"""The programme at the edge: cluster suggestions and targets over the store, as JSON and files.

Shared by the CLI (``tiermatch clusters ...``) and the service (``/clusters``,
``/programme/targets``): the matcher computes, this module loads the register
and shapes the answer.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path

from .matcher import MatchEngine
from .matcher.clusters import ClusterReport, suggest_clusters
from .matcher.targets import ProgrammeTargets, report_targets
from .outputs import _write_atomically, _write_csv
from .store import Store

__all__ = ["cluster_report_json", "store_cluster_report", "store_targets_report", "write_cluster_outputs"]


def store_cluster_report(store: Store, *, engine: MatchEngine | None = None, **options) -> ClusterReport:
    """Suggest clusters for the stored register (``options`` as :func:`suggest_clusters`).

    Raises
    ------
    LookupError
        Where the store holds no SME or no buyer.
    """
    suppliers, buyers = store.suppliers(), store.buyers()
    if not suppliers or not buyers:
        raise LookupError(f"Expected a stored register, found {len(suppliers)} SME(s) and {len(buyers)} buyer(s)")
    engine = engine or MatchEngine()
    context = engine.prepare(suppliers, buyers, store.partnerships())
    return suggest_clusters(context, engine=engine, **options)


def store_targets_report(store: Store, targets: ProgrammeTargets, as_of: dt.date | None = None) -> dict:
    """:func:`report_targets` over the stored register and feedback."""
    return report_targets(store.suppliers(), store.partnerships(), targets, as_of=as_of)


def cluster_report_json(report: ClusterReport) -> dict:
    """The report as plain JSON-ready values.

    Examples
    --------
    >>> cluster_report_json(ClusterReport([], {"S1": "too small: 1 members < min 5"}, {"modularity": 0.0}))["unclustered"]
    [{'supplier_id': 'S1', 'reason': 'too small: 1 members < min 5'}]
    """
    return {
        "suggestions": [asdict(s) for s in report.suggestions],
        "unclustered": [{"supplier_id": k, "reason": v} for k, v in report.unclustered.items()],
        "quality": report.quality,
        "parameters": report.parameters,
        "timings": report.timings,
    }


def write_cluster_outputs(report: ClusterReport, directory: str | Path) -> dict[str, Path]:
    """Write ``clusters.csv``, ``cluster_members.csv``, ``cluster_buyers.csv``, ``unclustered.csv`` and
    ``clusters_summary.json`` into ``directory``; each file is replaced whole or not at all."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {name: directory / f"{name}.{'json' if name == 'clusters_summary' else 'csv'}"
             for name in ("clusters", "cluster_members", "cluster_buyers", "unclustered", "clusters_summary")}
    _write_csv(paths["clusters"], [
        "cluster_id", "kind", "existing_cluster", "title", "members", "added", "sectors", "provinces", "centre_lat",
        "centre_lon", "spread_km", "max_km", "capacity_thb_per_month", "capacity_known", "concepts", "concepts_th",
        "complementary_links", "buyers"], (
        [s.cluster_id, s.kind, s.existing_cluster or "", s.title, len(s.members), len(s.added),
         "; ".join(f"{k} {v}" for k, v in s.sectors.items()), "; ".join(f"{k} {v}" for k, v in s.provinces.items()),
         s.centre[0], s.centre[1], s.spread_km, s.max_km, "" if s.capacity_thb_per_month is None else s.capacity_thb_per_month,
         s.capacity_known, "; ".join(s.concepts), "; ".join(s.concepts_th),
         "; ".join(f"{a} -> {b}" for a, b in s.complementary_links), "; ".join(b.buyer_id for b in s.buyers)]
        for s in report.suggestions))
    added = {(s.cluster_id, sid) for s in report.suggestions for sid in s.added}
    _write_csv(paths["cluster_members"], ["cluster_id", "supplier_id", "role", "moved_from"], (
        [s.cluster_id, sid, "invited" if (s.cluster_id, sid) in added else "member", s.moved_from.get(sid, "")]
        for s in report.suggestions for sid in s.members))
    _write_csv(paths["cluster_buyers"], [
        "cluster_id", "rank", "buyer_id", "score", "demand_thb_per_month", "demand_covered", "beyond_any_member",
        "reasons", "reasons_th"], (
        [s.cluster_id, b.rank, b.buyer_id, b.score, "" if b.demand_thb_per_month is None else b.demand_thb_per_month,
         "" if b.demand_covered is None else b.demand_covered, b.beyond_any_member, b.reasons, b.reasons_th]
        for s in report.suggestions for b in s.buyers))
    _write_csv(paths["unclustered"], ["supplier_id", "reason"], sorted(report.unclustered.items()))
    summary = {"quality": report.quality, "parameters": report.parameters, "timings": report.timings}
    _write_atomically(paths["clusters_summary"], lambda f: json.dump(summary, f, ensure_ascii=False, indent=2))
    return paths
