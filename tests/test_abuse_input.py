"""Careless input: unknown or misspelt certifications kept (a warning for a slip), rows left out listed every time,
and ``--strict`` for scripts that must notice."""

import csv

import pytest
from typer.testing import CliRunner

from tests.api.conftest import Service
from tests.conftest import csv_bytes
from tiermatch.cli import app
from tiermatch.store import Store

pytestmark = pytest.mark.abuse

HEADER = ["supplier_id", "name", "sector", "products", "province", "certifications"]
ROWS = [
    ["S1", "Siam Safety", "automotive", "stamped metal brackets", "Rayong", "ISO 45001;IATF 19649"],
    ["S2", "Ban Rai OTOP", "processed_food", "chili paste", "Chiang Mai", "มผช.;GMPP"],
    ["S3", "Blue Co", "automotive", "stamped metal parts", "Chon Buri", "Blue Ribbon"],
]
BAD = ["S4", "Bad Sector", "spaceships", "rockets", "Rayong", ""]
BUYERS = (["buyer_id", "name", "buyer_type", "sector", "needs", "province", "required_certifications"],
          [["B1", "Eastern Seats", "first_tier", "automotive", "stamped metal brackets", "Rayong", "ISO 45001"],
           ["B2", "Thai Taste", "exporter", "processed_food", "chili paste", "Bangkok", "มผช."]])


def _invoke(tmp_path, *args):
    return CliRunner().invoke(app, [str(a) for a in args] + ["--database", f"sqlite:///{tmp_path}/store.sqlite"],
                              catch_exceptions=False)


def test_certifications_no_list_knows_are_kept_and_runs_use_them(tmp_path):
    (tmp_path / "s.csv").write_bytes(csv_bytes(HEADER, ROWS))
    (tmp_path / "b.csv").write_bytes(csv_bytes(*BUYERS))
    result = _invoke(tmp_path, "import", "--suppliers", tmp_path / "s.csv", "--buyers", tmp_path / "b.csv",
                     "--rejected", tmp_path / "rejected.csv")
    assert result.exit_code == 0, result.output
    assert "2 warning(s) about rows kept as written" in result.output
    assert "did you mean 'IATF 16949'? kept as written (found 'IATF 19649')" in result.output
    assert "did you mean 'GMP'?" in result.output and "Blue Ribbon" not in result.output
    store = Store(f"sqlite:///{tmp_path}/store.sqlite")
    assert store.profiles.get("suppliers", "S1").certifications == ["ISO 45001", "IATF 19649"]
    assert store.profiles.get("suppliers", "S2").certifications == ["มผช.", "GMPP"]
    with open(tmp_path / "rejected.csv", encoding="utf-8") as f:
        listed = list(csv.DictReader(f))
    assert [(r["line"], r["field"], r["value"], r["kept"]) for r in listed] == [
        ("2", "certifications", "IATF 19649", "true"), ("3", "certifications", "GMPP", "true")]
    # Certifications that no built-in list holds, required by buyers and held by SMEs: the run matches on them.
    run = _invoke(tmp_path, "run", "--out", tmp_path / "out")
    assert run.exit_code == 0, run.output
    with open(tmp_path / "out" / "shortlists.csv", encoding="utf-8") as f:
        pairs = {(r["buyer_id"], r["supplier_id"]) for r in csv.DictReader(f)}
    assert ("B1", "S1") in pairs and ("B2", "S2") in pairs
    assert ("B1", "S3") not in pairs  # S3 does not hold the ISO 45001 that B1 requires


def test_rows_left_out_listed_every_time_and_strict_exits_non_zero(tmp_path):
    listing = tmp_path / "rejected.csv"
    (tmp_path / "s.csv").write_bytes(csv_bytes(HEADER, ROWS[2:] + [BAD]))
    first = _invoke(tmp_path, "import", "--suppliers", tmp_path / "s.csv", "--rejected", listing, "--strict")
    assert first.exit_code == 3 and "--strict: 1 row(s) left out" in first.output
    assert Store(f"sqlite:///{tmp_path}/store.sqlite").profiles.ids("suppliers") == {"S3"}  # the valid row kept
    assert "spaceships" in listing.read_text(encoding="utf-8")
    (tmp_path / "s.csv").write_bytes(csv_bytes(HEADER, ROWS[2:]))
    second = _invoke(tmp_path, "import", "--suppliers", tmp_path / "s.csv", "--rejected", listing, "--strict")
    assert second.exit_code == 0, second.output
    assert listing.read_text(encoding="utf-8").splitlines() == ["file,line,field,value,message,kept"]


def test_upload_reports_warnings_apart_from_rows_left_out(tmp_path):
    service = Service(tmp_path / "store.sqlite")
    try:
        response = service.client.post("/suppliers/import", headers=service.headers["matchmaker"],
                                       files={"file": ("s.csv", csv_bytes(HEADER, ROWS + [BAD]), "text/csv")})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["rows_read"] == 4 and body["updated"] == 3 and body["rejected_rows"] == 1
        assert [(e["line"], e["field"], e["kept"]) for e in body["errors"]] == [
            (2, "certifications", True), (3, "certifications", True), (5, "sector", False)]
        stored = service.client.get("/suppliers/S1", headers=service.headers["matchmaker"]).json()
        assert stored["certifications"] == ["ISO 45001", "IATF 19649"]
    finally:
        service.close()


def test_coordinates_far_outside_their_province_are_kept_with_a_warning(tmp_path):
    header = ["supplier_id", "name", "sector", "products", "province", "latitude", "longitude"]
    rows = [["S1", "In Chon Buri", "automotive", "stamped parts", "Chon Buri", "13.36", "100.98"],
            ["S2", "Chiang Mai's spot, Chon Buri's name", "automotive", "stamped parts", "Chon Buri", "18.79", "98.98"],
            ["S3", "Tak, far corner", "automotive", "stamped parts", "Tak", "17.0", "98.6"]]
    (tmp_path / "s.csv").write_bytes(csv_bytes(header, rows))
    result = _invoke(tmp_path, "import", "--suppliers", tmp_path / "s.csv", "--rejected", tmp_path / "r.csv")
    assert result.exit_code == 0, result.output
    assert "1 warning(s) about rows kept as written" in result.output
    assert "line 3, field 'latitude': 664 km from the centre of Chon Buri" in result.output
    store = Store(f"sqlite:///{tmp_path}/store.sqlite")
    assert store.profiles.ids("suppliers") == {"S1", "S2", "S3"}
    assert store.profiles.get("suppliers", "S2").latitude == 18.79
