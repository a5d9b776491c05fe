"""Writing a run's results as interchange files; each file is replaced whole or not at all."""

from __future__ import annotations

import csv
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from .features.io import RowError
from .matcher import MatchResult

__all__ = ["PartitionWriter", "write_outputs"]

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
        _write_csv(self.directory / f"part-{partition:05d}.csv", _RECOMMENDATION_COLUMNS, _recommendation_rows(matches))


def _write_atomically(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _write_csv(path: Path, header: list[str], rows) -> None:
    def write(f):
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)

    _write_atomically(path, write)


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
    _write_csv(paths["shortlists"], ["buyer_id", "rank", "supplier_id", "score", "reasons", "reasons_th"],
               ((m.buyer_id, m.rank, m.supplier_id, m.score, m.reasons, m.reasons_th) for m in result.shortlists))
    if recommendations is None:
        _write_csv(paths["recommendations"], _RECOMMENDATION_COLUMNS, _recommendation_rows(result.recommendations))
    else:
        paths["recommendations"].unlink(missing_ok=True)  # an earlier run's, not this one's
        paths["recommendations"] = recommendations
    _write_csv(paths["assignment"], ["buyer_id", "supplier_id", "score", "group_id", "volume_thb_per_month"],
               ((m.buyer_id, m.supplier_id, m.score, m.group_id, "" if m.volume_thb_per_month is None else m.volume_thb_per_month)
                for m in result.assignment))
    if result.summary.get("agenda"):
        # The matchmaking day, printable per buyer and per SME.
        meetings = [m for m in result.assignment if m.slot is not None]
        paths["agenda_by_buyer"] = directory / "agenda_by_buyer.csv"
        paths["agenda_by_supplier"] = directory / "agenda_by_supplier.csv"
        _write_csv(paths["agenda_by_buyer"], ["buyer_id", "slot", "supplier_id", "group_id"],
                   sorted((m.buyer_id, m.slot, m.supplier_id, m.group_id) for m in meetings))
        _write_csv(paths["agenda_by_supplier"], ["supplier_id", "slot", "buyer_id", "group_id"],
                   sorted((m.supplier_id, m.slot, m.buyer_id, m.group_id) for m in meetings))
    _write_csv(paths["unmatched"], ["kind", "id", "reason"],
               [("buyer", key, why) for key, why in result.unmatched_buyers.items()]
               + [("supplier", key, why) for key, why in result.unmatched_suppliers.items()])
    _write_csv(paths["rejected_rows"], ["file", "line", "field", "value", "message"],
               ((e.file, e.line, e.field, e.value, e.message) for e in rejected_rows))
    summary = dict(result.summary)
    summary["rejected_rows"] = [asdict(e) for e in rejected_rows]
    _write_atomically(paths["summary"], lambda f: json.dump(summary, f, ensure_ascii=False, indent=2))
    return paths
