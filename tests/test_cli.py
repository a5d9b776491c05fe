"""End to end through the command line, on generated register files."""

import csv
import datetime as dt
import json
from collections import Counter

import pytest
from typer.testing import CliRunner

from tiermatch.cli import app
from tiermatch.features.reference import haversine_km
from tiermatch.io import read_buyers, read_suppliers

runner = CliRunner()


def invoke(*args):
    result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
    return result


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    folder = tmp_path_factory.mktemp("register")
    result = invoke("generate", "--out", folder, "--suppliers", 600, "--buyers", 60, "--seed", 3)
    assert result.exit_code == 0, result.output
    return folder


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_run_writes_outputs_that_respect_every_capacity_and_constraint(register, tmp_path):
    out = tmp_path / "out"
    result = invoke("run", "--suppliers", register / "suppliers.csv", "--buyers", register / "buyers.csv",
                    "--history", register / "partnerships.csv", "--out", out, "--database", f"sqlite:///{tmp_path}/s.db")
    assert result.exit_code == 0, result.output
    suppliers = {s.supplier_id: s for s in read_suppliers(register / "suppliers.csv").records}
    buyers = {b.buyer_id: b for b in read_buyers(register / "buyers.csv").records}

    shortlists = read_rows(out / "shortlists.csv")
    assert list(shortlists[0]) == ["buyer_id", "rank", "supplier_id", "score", "reasons", "reasons_th"]
    for buyer_id in {r["buyer_id"] for r in shortlists}:
        rows = [r for r in shortlists if r["buyer_id"] == buyer_id]
        assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))
        assert [float(r["score"]) for r in rows] == sorted((float(r["score"]) for r in rows), reverse=True)
        assert len(rows) <= 10 and all(r["reasons"] for r in rows)

    assignment = read_rows(out / "assignment.csv")
    assert list(assignment[0]) == ["buyer_id", "supplier_id", "score", "group_id", "volume_thb_per_month"]
    assert len({(r["buyer_id"], r["supplier_id"]) for r in assignment}) == len(assignment)
    per_buyer = Counter(r["buyer_id"] for r in assignment)
    per_supplier = Counter(r["supplier_id"] for r in assignment)
    assert all(n <= buyers[b].max_suppliers for b, n in per_buyer.items())
    assert all(n <= suppliers[s].max_buyers for s, n in per_supplier.items())
    for row in assignment + shortlists:
        s, b = suppliers[row["supplier_id"]], buyers[row["buyer_id"]]
        assert set(b.required_certifications) <= set(s.certifications)
        if b.max_distance_km is not None:
            assert haversine_km(s.latitude, s.longitude, b.latitude, b.longitude) <= b.max_distance_km + 1e-6

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    # The run learned from the history it was given and says with what it scored, and why.
    assert summary["scoring"]["scorer"] in ("prior", "global", "personal")
    assert summary["scoring"]["held_out"]["buyers"] > 10 and summary["scoring"]["rows"] > 0
    assert "Scoring with" in result.output and "held-out NDCG@10: prior" in result.output
    assert set(summary["per_buyer"]) == set(buyers)
    assert summary["assigned_pairs"] == len(assignment)
    for buyer_id, coverage in summary["per_buyer"].items():
        assert coverage["assigned"] == per_buyer.get(buyer_id, 0)
        assert (coverage["assigned"] == 0) == ("unmatched_reason" in coverage)
    unmatched = read_rows(out / "unmatched.csv")
    matched_suppliers = set(per_supplier)
    assert {r["id"] for r in unmatched if r["kind"] == "supplier"} == set(suppliers) - matched_suppliers
    assert "Shortlist of buyer" in result.output and "assignment.csv" in result.output


def test_bad_rows_are_reported_and_the_rest_is_matched(register, tmp_path):
    rows = read_rows(register / "suppliers.csv")
    rows[0]["sector"] = "spaceships"
    with open(tmp_path / "suppliers.csv", "w", encoding="cp874", errors="replace", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "out"
    result = invoke("run", "--suppliers", tmp_path / "suppliers.csv", "--buyers", register / "buyers.csv", "--out", out)
    assert result.exit_code == 0, result.output
    assert "line 2, field 'sector'" in result.output
    rejected = read_rows(out / "rejected_rows.csv")
    assert [(r["line"], r["field"], r["value"]) for r in rejected] == [("2", "sector", "spaceships")]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["suppliers"] == len(rows) - 1


def test_missing_column_fails_clearly_and_stores_nothing(register, tmp_path):
    rows = read_rows(register / "suppliers.csv")
    with open(tmp_path / "suppliers.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, [c for c in rows[0] if c != "province"], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    database = f"sqlite:///{tmp_path}/store.db"
    result = invoke("import", "--suppliers", tmp_path / "suppliers.csv", "--buyers", register / "buyers.csv",
                    "--database", database)
    assert result.exit_code == 1
    assert "missing required column(s) province" in result.output
    from tiermatch.store import Store
    assert Store(database).counts() == {"suppliers": 0, "buyers": 0, "partnerships": 0}


def test_import_twice_duplicates_nothing_then_run_from_the_store(register, tmp_path):
    database = f"sqlite:///{tmp_path}/store.db"
    args = ["import", "--suppliers", register / "suppliers.csv", "--buyers", register / "buyers.csv",
            "--history", register / "partnerships.csv", "--database", database]
    first, second = invoke(*args), invoke(*args)
    assert first.exit_code == second.exit_code == 0
    assert "0 added" in second.output
    from tiermatch.store import Store
    counts = Store(database).counts()
    assert counts["suppliers"] == 600 and counts["buyers"] == 60
    result = invoke("run", "--out", tmp_path / "out", "--database", database)
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["suppliers"] == 600


def test_help_says_what_each_command_does_with_an_example():
    assert "Example: tiermatch demo" in invoke("--help").output
    for command in ("run", "import", "generate", "demo"):
        output = invoke(command, "--help").output
        assert "Example:" in output, command


def test_demo_runs_on_a_small_register(tmp_path):
    result = invoke("demo", "--suppliers", 300, "--buyers", 30, "--out", tmp_path / "out",
                    "--database", f"sqlite:///{tmp_path}/demo.db")
    assert result.exit_code == 0, result.output
    assert "300 suppliers" in result.output and (tmp_path / "out" / "assignment.csv").exists()


def test_a_matchmaking_day_writes_an_agenda_with_nobody_double_booked(register, tmp_path):
    out = tmp_path / "day"
    result = invoke("run", "--suppliers", register / "suppliers.csv", "--buyers", register / "buyers.csv",
                    "--out", out, "--slots", 4)
    assert result.exit_code == 0, result.output
    assert "Fair exposure" in result.output and "Agenda:" in result.output
    by_buyer = read_rows(out / "agenda_by_buyer.csv")
    by_supplier = read_rows(out / "agenda_by_supplier.csv")
    assert len(by_buyer) == len(by_supplier) > 0
    assert len({(r["buyer_id"], r["slot"]) for r in by_buyer}) == len(by_buyer)
    assert len({(r["supplier_id"], r["slot"]) for r in by_supplier}) == len(by_supplier)
    assert all(1 <= int(r["slot"]) <= 4 for r in by_buyer)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["exposure"]["fair"] and summary["agenda"]["slots"] == 4
    assert len(by_buyer) + summary["agenda"]["unscheduled_meetings"] == summary["assigned_pairs"]


def test_retrain_stores_a_model_and_runs_say_what_scores_them(register, tmp_path):
    database = f"sqlite:///{tmp_path}/store.db"
    empty = invoke("retrain", "--database", database)
    assert empty.exit_code == 1 and "cannot train a model yet" in empty.output
    invoke("import", "--suppliers", register / "suppliers.csv", "--buyers", register / "buyers.csv",
           "--history", register / "partnerships.csv", "--database", database)
    result = invoke("retrain", "--database", database)
    assert result.exit_code == 0, result.output
    assert "Runs over this history now score with" in result.output and "held-out NDCG@10" in result.output
    from tiermatch.store import Store
    total, models = Store(database).models.page()
    assert total == 1
    scorer = models[0]["report"]["scorer"]
    run = invoke("run", "--out", tmp_path / "out", "--database", database)
    assert run.exit_code == 0, run.output
    name = {"prior": "the prior", "global": "everyone's learned model", "personal": "each buyer's own"}[scorer]
    assert f"Scoring with {name}" in run.output and "learned from this same history before" in run.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["scoring"]["model_id"] == models[0]["model_id"]


def test_words_no_concept_knows_are_reported(tmp_path, write_csv):
    from tests.conftest import BUYER_HEADER, SUPPLIER_HEADER

    suppliers = write_csv("s.csv", SUPPLIER_HEADER, [
        ["S1", "A", "other", "flux capacitors", "Rayong", "", "", "", "", ""],
        ["S2", "B", "automotive", "stamped metal parts", "Rayong", "", "", "", "", ""]])
    buyers = write_csv("b.csv", BUYER_HEADER, [
        ["B1", "X", "first_tier", "automotive", "flux capacitors", "Rayong", "", "", "", ""]])
    result = invoke("run", "--suppliers", suppliers, "--buyers", buyers, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["unmatched_terms"]["flux"] == 2 and "flux (2)" in result.output


def test_history_rows_naming_unknown_profiles_are_reported_with_their_file_line(register, tmp_path, write_csv):
    history = write_csv("p.csv", ["supplier_id", "buyer_id", "outcome"],
                        [["S00001", "B0001", "won"], ["S99999", "B0001", "deal"], ["S00001", "B9999", "accepted"]])
    out = tmp_path / "out"
    result = invoke("run", "--suppliers", register / "suppliers.csv", "--buyers", register / "buyers.csv",
                    "--history", history, "--out", out)
    assert result.exit_code == 0, result.output
    rejected = [(r["line"], r["field"], r["message"]) for r in read_rows(out / "rejected_rows.csv")]
    assert rejected == [("2", "outcome", rejected[0][2]), ("3", "supplier_id", "unknown supplier_id"),
                        ("4", "buyer_id", "unknown buyer_id")]


def _to_parquet(csv_path, parquet_path, *, row_group_size=128, edit=None):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rows = read_rows(csv_path)
    if edit:
        edit(rows)
    table = pa.table({column: [r[column] for r in rows] for column in rows[0]})
    pq.write_table(table, parquet_path, row_group_size=row_group_size)
    return rows


def test_parquet_suppliers_in_partitions_match_as_the_csv_does(register, tmp_path):
    def spoil(rows):
        rows[5]["province"] = "Atlantis"  # row 6
        rows[450]["supplier_id"] = rows[3]["supplier_id"]  # row 451 repeats row 4's id, in another partition

    rows = _to_parquet(register / "suppliers.csv", tmp_path / "suppliers.parquet", edit=spoil)
    csv_path = tmp_path / "suppliers.csv"
    with open(csv_path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    common = ("--buyers", register / "buyers.csv", "--history", register / "partnerships.csv")
    result = invoke("run", "--suppliers", tmp_path / "suppliers.parquet", *common, "--out", tmp_path / "pq",
                    "--partition-size", 250)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "pq" / "recommendations").iterdir()) == ["part-00000.csv", "part-00001.csv", "part-00002.csv"]
    assert not (tmp_path / "pq" / "recommendations.csv").exists()
    rejected = read_rows(tmp_path / "pq" / "rejected_rows.csv")
    assert [(r["line"], r["field"]) for r in rejected] == [("6", "province"), ("451", "supplier_id")]
    assert "first seen on line 4" in rejected[1]["message"]

    result = invoke("run", "--suppliers", csv_path, *common, "--out", tmp_path / "csv")
    assert result.exit_code == 0, result.output
    for name in ("shortlists.csv", "assignment.csv"):
        assert read_rows(tmp_path / "pq" / name) == read_rows(tmp_path / "csv" / name)
    # CSV lines count the header: the same two rows are lines 7 and 452 there.
    assert [(r["line"], r["field"]) for r in read_rows(tmp_path / "csv" / "rejected_rows.csv")] == [("7", "province"), ("452", "supplier_id")]
    summary = json.loads((tmp_path / "pq" / "summary.json").read_text(encoding="utf-8"))
    assert summary["suppliers"] == len(rows) - 2 and summary["partitions"]["count"] == 3


def test_an_unreachable_scheduler_fails_clearly(register, tmp_path, unreachable_scheduler):
    result = invoke("run", "--suppliers", register / "suppliers.csv", "--buyers", register / "buyers.csv",
                    "--out", tmp_path / "out", "--scheduler", unreachable_scheduler)
    assert result.exit_code == 1
    assert f"cannot reach the Dask scheduler at {unreachable_scheduler}" in result.output


def test_a_supplier_file_with_no_valid_row_stops_the_run_clearly(register, tmp_path, write_csv):
    suppliers = write_csv("suppliers.csv", ["supplier_id", "name", "sector", "products", "province"],
                          [["S1", "A", "spaceships", "x", "Rayong"]])
    result = invoke("run", "--suppliers", suppliers, "--buyers", register / "buyers.csv", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "no valid supplier row; first problem:" in result.output and "line 2, field 'sector'" in result.output
    assert not (tmp_path / "out" / "shortlists.csv").exists()


def test_an_output_folder_that_cannot_be_written_says_so(register, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    result = invoke("run", "--suppliers", register / "suppliers.csv", "--buyers", register / "buyers.csv",
                    "--out", blocked / "out")
    assert result.exit_code == 1
    assert "cannot read or write" in result.output and "a-file" in result.output and "Dask" not in result.output


def test_export_writes_the_logs_outcomes_as_a_partnerships_file_that_imports_again(tmp_path):
    from tiermatch.io import read_partnerships
    from tiermatch.services import record_event
    from tiermatch.store import Store

    register = tmp_path / "register"
    assert invoke("generate", "--out", register, "--suppliers", "40", "--buyers", "5").exit_code == 0
    database = f"sqlite:///{tmp_path / 'store.sqlite'}"
    assert invoke("import", "--suppliers", register / "suppliers.csv", "--buyers", register / "buyers.csv",
                  "--history", register / "partnerships.csv", "--database", database).exit_code == 0
    imported = read_partnerships(register / "partnerships.csv").records
    store = Store(database)
    first = imported[0]
    record_event(store, "deal", first.buyer_id, first.supplier_id, actor="matchmaker", value_thb=120_000,
                 date=dt.date(2026, 11, 30))
    result = invoke("export", "--history", tmp_path / "out.csv", "--database", database)
    assert result.exit_code == 0 and f"{len(imported) + 1} outcomes written" in result.output
    exported = read_partnerships(tmp_path / "out.csv")
    assert not exported.errors and exported.records[:-1] == imported
    assert exported.records[-1].outcome == "deal" and exported.records[-1].value_thb == 120_000
