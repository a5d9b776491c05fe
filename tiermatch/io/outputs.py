"""Writing a run's results and cluster suggestions as files; each file is replaced whole or not at all."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from ..features.validation import RowError
from ..matcher import MatchResult
from ..matcher.clusters import ClusterReport
from .atomic import write_atomically, write_csv

__all__ = ["PARTNERSHIP_COLUMNS", "RUN_OUTPUTS", "PartitionWriter", "interchange_row", "write_cluster_outputs", "write_outputs",
           "write_partnerships", "write_rejected_rows", "write_rows"]

PARTNERSHIP_COLUMNS = ("supplier_id", "buyer_id", "outcome", "date", "value_thb")

# Everything a run writes into its folder (recommendations: one file, or a folder of one file per partition).
RUN_OUTPUTS = ("shortlists.csv", "recommendations.csv", "recommendations", "assignment.csv", "unmatched.csv",
               "rejected_rows.csv", "summary.json", "agenda_by_buyer.csv", "agenda_by_supplier.csv")

_RECOMMENDATION_COLUMNS = ["supplier_id", "rank", "buyer_id", "score", "reasons", "reasons_th"]


def _recommendation_rows(matches):
    return ((m.supplier_id, m.rank, m.buyer_id, m.score, m.reasons, m.reasons_th) for m in matches)


class PartitionWriter:
    """Writes each partition's recommendations to ``directory/part-NNNNN.csv`` as the partition finishes.

    It is called where the partition runs (a Dask worker): the directory is made absolute here.
    """

    def __init__(self, directory: str | Path):
        self.directory = Path(directory).absolute()
        self.directory.mkdir(parents=True, exist_ok=True)
        for stale in self.directory.glob("part-*.csv"):  # from an earlier run with more partitions
            stale.unlink()

    def __call__(self, partition: int, matches) -> None:
        write_csv(self.directory / f"part-{partition:05d}.csv", _RECOMMENDATION_COLUMNS, _recommendation_rows(matches))


def interchange_row(record, columns) -> dict[str, str]:
    """A record's ``columns`` as interchange cells: ``;`` between list items, ``true``/``false``, whole numbers
    without a decimal point, nothing for a missing value."""
    row = {}
    for column in columns:
        value = getattr(record, column, None)
        if value is None:
            row[column] = ""
        elif isinstance(value, list):
            row[column] = ";".join(value)
        elif isinstance(value, bool):
            row[column] = "true" if value else "false"
        elif isinstance(value, float) and value.is_integer():
            row[column] = str(int(value))
        else:
            row[column] = str(value)
    return row


def write_rows(path: str | Path, columns, rows) -> None:
    """Rows (dicts) under a header of ``columns``, as UTF-8 CSV, atomically (see :func:`write_csv`)."""
    columns = list(columns)
    write_csv(path, columns, ([row.get(c, "") for c in columns] for row in rows))


def write_partnerships(path: str | Path, partnerships) -> None:
    """Partnerships as an interchange ``partnerships.csv``."""
    write_rows(path, PARTNERSHIP_COLUMNS, (interchange_row(p, PARTNERSHIP_COLUMNS) for p in partnerships))


def write_rejected_rows(path: str | Path, rejected_rows) -> None:
    """Every row left out reading the input: file, line, field, value found, and what was wrong; and the warnings
    about rows kept (``kept`` true)."""
    write_csv(path, ["file", "line", "field", "value", "message", "kept"],
              ((e.file, e.line, e.field, e.value, e.message, "true" if e.kept else "false") for e in rejected_rows))


def write_outputs(result: MatchResult, directory: str | Path, rejected_rows: list[RowError] = (),
                  recommendations: Path | None = None) -> dict[str, Path]:
    """Write shortlists, recommendations, assignment, unmatched, rejected rows, a summary and, for a
    matchmaking day, the agenda per buyer and per SME into ``directory``.

    ``recommendations``: the folder where a :class:`PartitionWriter` already wrote them, if any.

    Returns
    -------
    dict of str to Path
        The file written for each output.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {name: directory / file for name, file in (
        ("shortlists", "shortlists.csv"), ("recommendations", "recommendations.csv"),
        ("assignment", "assignment.csv"), ("unmatched", "unmatched.csv"),
        ("rejected_rows", "rejected_rows.csv"), ("summary", "summary.json"),
    )}
    write_csv(paths["shortlists"], ["buyer_id", "rank", "supplier_id", "score", "reasons", "reasons_th"],
               ((m.buyer_id, m.rank, m.supplier_id, m.score, m.reasons, m.reasons_th) for m in result.shortlists))
    if recommendations is None:
        write_csv(paths["recommendations"], _RECOMMENDATION_COLUMNS, _recommendation_rows(result.recommendations))
    else:
        paths["recommendations"].unlink(missing_ok=True)  # an earlier run's, not this one's
        paths["recommendations"] = recommendations
    write_csv(paths["assignment"], ["buyer_id", "supplier_id", "score", "group_id", "volume_thb_per_month"],
               ((m.buyer_id, m.supplier_id, m.score, m.group_id, "" if m.volume_thb_per_month is None else m.volume_thb_per_month)
                for m in result.assignment))
    if result.summary.get("agenda"):
        # The matchmaking day, printable per buyer and per SME.
        meetings = [m for m in result.assignment if m.slot is not None]
        paths["agenda_by_buyer"] = directory / "agenda_by_buyer.csv"
        paths["agenda_by_supplier"] = directory / "agenda_by_supplier.csv"
        write_csv(paths["agenda_by_buyer"], ["buyer_id", "slot", "supplier_id", "group_id"],
                   sorted((m.buyer_id, m.slot, m.supplier_id, m.group_id) for m in meetings))
        write_csv(paths["agenda_by_supplier"], ["supplier_id", "slot", "buyer_id", "group_id"],
                   sorted((m.supplier_id, m.slot, m.buyer_id, m.group_id) for m in meetings))
    write_csv(paths["unmatched"], ["kind", "id", "reason"],
               [("buyer", key, why) for key, why in result.unmatched_buyers.items()]
               + [("supplier", key, why) for key, why in result.unmatched_suppliers.items()])
    write_rejected_rows(paths["rejected_rows"], rejected_rows)
    summary = dict(result.summary)
    summary["rejected_rows"] = [asdict(e) for e in rejected_rows]
    write_atomically(paths["summary"], lambda f: json.dump(summary, f, ensure_ascii=False, indent=2))
    return paths


def write_cluster_outputs(report: ClusterReport, directory: str | Path) -> dict[str, Path]:
    """Write ``clusters.csv``, ``cluster_members.csv``, ``cluster_buyers.csv``, ``unclustered.csv`` and
    ``clusters_summary.json`` into ``directory``; each file is replaced whole or not at all."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {name: directory / f"{name}.{'json' if name == 'clusters_summary' else 'csv'}"
             for name in ("clusters", "cluster_members", "cluster_buyers", "unclustered", "clusters_summary")}
    write_csv(paths["clusters"], [
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
    write_csv(paths["cluster_members"], ["cluster_id", "supplier_id", "role", "moved_from"], (
        [s.cluster_id, sid, "invited" if (s.cluster_id, sid) in added else "member", s.moved_from.get(sid, "")]
        for s in report.suggestions for sid in s.members))
    write_csv(paths["cluster_buyers"], [
        "cluster_id", "rank", "buyer_id", "score", "demand_thb_per_month", "demand_covered", "beyond_any_member",
        "reasons", "reasons_th"], (
        [s.cluster_id, b.rank, b.buyer_id, b.score, "" if b.demand_thb_per_month is None else b.demand_thb_per_month,
         "" if b.demand_covered is None else b.demand_covered, b.beyond_any_member, b.reasons, b.reasons_th]
        for s in report.suggestions for b in s.buyers))
    write_csv(paths["unclustered"], ["supplier_id", "reason"], sorted(report.unclustered.items()))
    summary = {"quality": report.quality, "parameters": report.parameters, "timings": report.timings}
    write_atomically(paths["clusters_summary"], lambda f: json.dump(summary, f, ensure_ascii=False, indent=2))
    return paths
