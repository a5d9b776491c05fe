"""Cells a spreadsheet would run (CSV injection) leave every door as text: the CLI's files, the API's CSV."""

import csv
import io

import pytest
from typer.testing import CliRunner

from tests.api.conftest import BUYERS, SUPPLIERS, Service
from tiermatch.cli import app
from tiermatch.features import Supplier
from tiermatch.io import read_suppliers, write_rows

pytestmark = pytest.mark.abuse

FORMULA_ID, FORMULA_NAME = "=1+2", "@SUM(1+1)"


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_cli_run_writes_formulas_as_text_and_reads_them_back(tmp_path):
    rows = [dict(s, supplier_id=FORMULA_ID if i == 0 else s["supplier_id"], name=FORMULA_NAME if i == 0 else s["name"],
                 certifications=";".join(s.get("certifications", []))) for i, s in enumerate(SUPPLIERS)]
    write_rows(tmp_path / "suppliers.csv", dict.fromkeys(c for r in rows for c in r), rows)
    assert "'=1+2" in (tmp_path / "suppliers.csv").read_text(encoding="utf-8")
    assert read_suppliers(tmp_path / "suppliers.csv").records[0].supplier_id == FORMULA_ID
    write_rows(tmp_path / "buyers.csv", dict.fromkeys(c for b in BUYERS for c in b),
               [{k: ";".join(v) if isinstance(v, list) else v for k, v in b.items()} for b in BUYERS])
    result = CliRunner().invoke(app, ["run", "--suppliers", str(tmp_path / "suppliers.csv"), "--buyers",
                                      str(tmp_path / "buyers.csv"), "--out", str(tmp_path / "out")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    written = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "out").glob("*.csv")}
    ids = [row[2] for row in _cells(written["shortlists.csv"])[1:]]
    assert "'=1+2" in ids and "=1+2" not in ids
    for name, text in written.items():
        assert not any(cell.startswith(("=", "@", "+")) for row in _cells(text) for cell in row), name


def test_api_csv_downloads_write_formulas_as_text(tmp_path):
    service = Service(tmp_path / "store.sqlite")
    try:
        service.store.import_register([Supplier(**dict(SUPPLIERS[0], supplier_id=FORMULA_ID, name=FORMULA_NAME))], [])
        assert service.run(top_k=5)["status"] == "completed"
        h = service.headers["matchmaker"]
        for kind in ("shortlists", "assignment", "recommendations"):
            response = service.client.get(f"/runs/1/{kind}?format=csv", headers=h)
            assert response.status_code == 200
            cells = [cell for row in _cells(response.text) for cell in row]
            assert kind == "assignment" or "'=1+2" in cells, kind
            assert not any(cell.startswith(("=", "@", "+")) for cell in cells), kind
        shown = service.client.get("/runs/1/shortlists", headers=h).json()["items"]
        assert FORMULA_ID in {item["supplier_id"] for item in shown}  # the JSON keeps the id as it is
    finally:
        service.close()
