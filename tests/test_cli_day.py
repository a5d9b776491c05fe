"""``tiermatch day schedule``: a day's timetable from files, as a matchmaker runs it."""

import csv

from typer.testing import CliRunner

from tests.conftest import csv_bytes
from tiermatch.cli import app


def _rows(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_a_day_is_scheduled_within_availability_with_what_was_left_out_and_why(tmp_path):
    meetings = [["B1", f"S{i}"] for i in range(1, 6)] + [["B2", "S1"], ["B2", "S6"], ["B3", "S7"]]
    (tmp_path / "meetings.csv").write_bytes(csv_bytes(["buyer_id", "supplier_id"], meetings + [["", "S9"]]))
    availability = [["B1", "13:00", "14:30"], ["B2", "09:00", "10:00"], ["B2", "13:00", "13:30"],
                     ["S7", "09:00", "10:00"], ["B3", "13:00", "16:30"], ["S6", "25:00", "26:00"]]
    (tmp_path / "availability.csv").write_bytes(csv_bytes(["id", "from", "to"], availability))
    result = CliRunner().invoke(app, ["day", "schedule", "--meetings", str(tmp_path / "meetings.csv"),
                                      "--availability", str(tmp_path / "availability.csv"), "--tables", "2",
                                      "--out", str(tmp_path / "day")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "2 problem(s) in the input" in result.output  # the row without a buyer, the hour 25
    placed = _rows(tmp_path / "day" / "timetable.csv")
    left = {(r["buyer_id"], r["supplier_id"]): r["why"] for r in _rows(tmp_path / "day" / "unplaced.csv")}
    # B1 is there 13:00-14:30: three half-hour meetings, two SMEs left out for want of its time.
    assert sorted(r["from"] for r in placed if r["buyer_id"] == "B1") == ["13:00", "13:30", "14:00"]
    assert sum(1 for b, _ in left if b == "B1") == 2
    assert left[("B3", "S7")] == "no time both can meet"
    assert all(r["from"] in ("09:00", "09:30", "13:00") for r in placed if r["buyer_id"] == "B2")
    for who in ("buyer_id", "supplier_id"):
        seen = [(r[who], r["from"]) for r in placed]
        assert len(seen) == len(set(seen))  # nobody twice at once
    tables_at = [(r["from"], r["table"]) for r in placed]
    assert len(tables_at) == len(set(tables_at)) and {r["table"] for r in placed} <= {"1", "2"}
    assert len(placed) + len(left) == 8
    assert "optimal" in result.output
