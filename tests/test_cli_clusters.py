"""``tiermatch clusters suggest`` and ``tiermatch targets`` end to end, on a generated register."""

import csv
import json

import pytest
from typer.testing import CliRunner

from tiermatch.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    folder = tmp_path_factory.mktemp("register")
    assert invoke("generate", "--out", folder, "--suppliers", 400, "--buyers", 40, "--seed", 2).exit_code == 0
    return folder


def test_suggest_writes_every_file_and_accounts_for_every_sme(register, tmp_path):
    out = tmp_path / "clusters"
    result = invoke("clusters", "suggest", "--suppliers", register / "suppliers.csv", "--buyers", register / "buyers.csv",
                    "--history", register / "partnerships.csv", "--out", out, "--min-size", 4, "--max-size", 20,
                    "--buyers-per-cluster", 2)
    assert result.exit_code == 0, result.output
    assert "Modularity" in result.output and "left unclustered" in result.output
    suppliers = read_rows(register / "suppliers.csv")
    clusters = read_rows(out / "clusters.csv")
    members = read_rows(out / "cluster_members.csv")
    assert clusters and all(4 <= int(c["members"]) <= 20 for c in clusters)
    cluster_of = {s["supplier_id"]: s["cluster"] for s in suppliers}
    invited = {m["supplier_id"] for m in members if m["role"] == "invited"}
    unclustered = {r["supplier_id"] for r in read_rows(out / "unclustered.csv")}
    assert invited | unclustered == {sid for sid, c in cluster_of.items() if not c}
    kinds = {c["cluster_id"]: c for c in clusters}
    for m in members:  # an existing cluster's members appear only under it
        if cluster_of[m["supplier_id"]]:
            assert kinds[m["cluster_id"]]["existing_cluster"] == cluster_of[m["supplier_id"]]
    assert {b["cluster_id"] for b in read_rows(out / "cluster_buyers.csv")} <= set(kinds)
    summary = json.loads((out / "clusters_summary.json").read_text(encoding="utf-8"))
    assert summary["parameters"]["min_size"] == 4 and "modularity" in summary["quality"]


def test_suggest_refuses_inverted_bounds(register, tmp_path):
    result = invoke("clusters", "suggest", "--suppliers", register / "suppliers.csv", "--buyers", register / "buyers.csv",
                    "--min-size", 9, "--max-size", 3, "--out", tmp_path)
    assert result.exit_code == 1 and "--min-size (9) must not exceed --max-size (3)" in result.output


def test_targets_from_the_store(register, tmp_path):
    db = f"sqlite:///{tmp_path}/store.sqlite"
    assert invoke("import", "--suppliers", register / "suppliers.csv", "--buyers", register / "buyers.csv",
                  "--history", register / "partnerships.csv", "--database", db).exit_code == 0
    history = read_rows(register / "partnerships.csv")
    year = max(int(p["date"][:4]) for p in history if p["date"])
    out = tmp_path / "targets.json"
    result = invoke("targets", "--year", year, "--clustered-target", 2000, "--deal-target-thb", 1e8,
                    "--as-of", f"{year}-12-31", "--out", out, "--database", db)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    expected_value = sum(float(p["value_thb"]) for p in history
                         if p["outcome"] == "deal" and p["value_thb"] and p["date"].startswith(str(year)))
    assert report["deal_value_thb"]["actual"] == pytest.approx(expected_value)
    assert report["clustered"]["actual"] == sum(1 for s in read_rows(register / "suppliers.csv") if s["cluster"])
    assert "SMEs in clusters" in result.output and "By month" in result.output
    bad = invoke("clusters", "targets", "--year", 2569, "--database", db)
    assert bad.exit_code == 1 and "year must be between 2000 and 2200" in bad.output
