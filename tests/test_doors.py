"""Every door gives the same answer: the CLI's run and the service's run of one stored register, a file
import and JSON bodies of the same rows."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.api.conftest import wait_for_run
from tests.conftest import SUPPLIER_HEADER, csv_bytes
from tiermatch.api import create_app
from tiermatch.cli import app
from tiermatch.datasets import make_register
from tiermatch.features import Partnership
from tiermatch.matcher import MatchEngine
from tiermatch.services import create_key
from tiermatch.settings import Settings
from tiermatch.store import Store

KINDS = ("shortlist", "recommendation", "assignment")
SHOWN = ("buyer_id", "supplier_id", "rank", "score", "reasons", "reasons_th", "group_id", "slot")


def test_the_cli_and_the_service_run_a_stored_register_alike(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    register = make_register(300, 30, random_state=4)
    store = Store(url)
    first = MatchEngine().run(register.suppliers, register.buyers).recommendations[0]
    supplier, buyer = first.supplier_id, first.buyer_id
    gone = next(b.buyer_id for b in register.buyers if b.buyer_id != buyer)
    # A history whose buyer is later deleted: both doors count it in the SME's track record.
    history = register.partnerships + [
        Partnership(supplier_id=supplier, buyer_id=buyer, outcome="accepted", date="2025-01-02"),
        Partnership(supplier_id=supplier, buyer_id=gone, outcome="rejected", date="2025-01-03"),
        Partnership(supplier_id=supplier, buyer_id=gone, outcome="rejected", date="2025-02-03")]
    store.import_register(register.suppliers, register.buyers, history)
    assert store.profiles.delete("buyers", gone)

    cli = CliRunner().invoke(app, ["run", "--database", url, "--out", str(tmp_path / "out"), "--slots", "4"],
                             catch_exceptions=False)
    assert cli.exit_code == 0, cli.output
    with TestClient(create_app(Settings(database_url=url))) as client:
        headers = {"X-API-Key": create_key(store, "matchmaker")["key"]}
        response = client.post("/runs", json={"slots": 4}, headers=headers)
        assert response.status_code == 202, response.text
        api_run = wait_for_run(client, response.json()["run_id"], headers)
    assert api_run["status"] == "completed", api_run["error"]
    assert [run["run_id"] for run in store.runs.page()[1]] == [2, 1] and api_run["run_id"] == 2
    for kind in KINDS:
        by_cli = [tuple(row[c] for c in SHOWN) for row in store.runs.matches(1, kind)[1]]
        by_api = [tuple(row[c] for c in SHOWN) for row in store.runs.matches(2, kind)[1]]
        assert by_cli and by_cli == by_api, kind
    assert store.runs.unmatched(1) == store.runs.unmatched(2)
    # The deleted buyer's rows count in the SME's record, whichever door ran it.
    reasons = [row["reasons"] for run in (1, 2) for row in store.runs.matches(run, "recommendation",
                                                                             supplier_id=supplier)[1]]
    assert reasons and all("proposals to other buyers accepted" in r for r in reasons)
    assert len({r.split("; ")[-1] for r in reasons}) == 1


VALID = ["S1", "Siam Parts", "automotive", "stamped metal parts", "Rayong", "ISO 9001", "1500000", "3", "true", "false"]
ROWS = [
    VALID,
    ["S2", "Korat Cast", "automotive", "cast iron parts", "โคราช", "", "", "", "no", ""],
    ["x" * 201, "Long Id", "automotive", "bolts", "Rayong", "", "", "", "", ""],
    ["S/3", "Slash", "automotive", "bolts", "Rayong", "", "", "", "", ""],
    ["S4", "Huge", "automotive", "bolts", "Rayong", "", "1e20", "", "", ""],
    ["S5", "Negative", "automotive", "bolts", "Rayong", "", "-1", "", "", ""],
    ["S6", "Spaceships", "spaceships", "rockets", "Rayong", "", "", "", "", ""],
    ["S7", "Atlantis", "automotive", "bolts", "Atlantis", "", "", "", "", ""],
    ["S8", "Too many partners", "automotive", "bolts", "Rayong", "", "", "5000", "", ""],
    ["S\u200b9", "Invisible", "automotive", "bolts", "Rayong", "", "", "", "", ""],
]


def _json_body(row: list[str]) -> dict:
    """A row as the JSON a client sends: typed values, blanks left out."""
    body = dict(zip(SUPPLIER_HEADER, row))
    typed = {"capacity_thb_per_month": float, "max_buyers": int,
             "export_ready": lambda v: v in ("true", "yes"), "otop": lambda v: v in ("true", "yes"),
             "certifications": lambda v: [c for c in v.split(";") if c]}
    return {k: typed[k](v) if k in typed else v for k, v in body.items() if v != ""}


def test_a_file_and_json_bodies_accept_and_refuse_the_same_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with TestClient(create_app(Settings(database_url=url))) as client:
        store = client.app.state.store
        headers = {"X-API-Key": create_key(store, "matchmaker")["key"]}
        report = client.post("/suppliers/import", files={"file": ("suppliers.csv", csv_bytes(SUPPLIER_HEADER, ROWS))},
                             headers=headers).json()
        by_file_accepted = {s.supplier_id for s in store.profiles.all("suppliers")}
        by_file_refused = {(e["line"] - 2, e["field"]) for e in report["errors"]}
        for supplier_id in by_file_accepted:
            assert store.profiles.delete("suppliers", supplier_id)

        by_json_accepted, by_json_refused = set(), set()
        for n, row in enumerate(ROWS):
            response = client.post("/suppliers", json=_json_body(row), headers=headers)
            if response.status_code == 201:
                by_json_accepted.add(response.json()["supplier_id"])
            else:
                assert response.status_code == 422, response.text
                by_json_refused |= {(n, e["field"].removeprefix("body.")) for e in response.json()["errors"]}

        assert by_file_accepted == by_json_accepted == {"S1", "S2"}
        assert by_file_refused == by_json_refused
        assert {n for n, _ in by_file_refused} == set(range(2, len(ROWS)))
        # What was accepted can be read and removed through the service.
        for supplier_id in by_json_accepted:
            assert client.get(f"/suppliers/{supplier_id}", headers=headers).status_code == 200
            assert client.delete(f"/suppliers/{supplier_id}", headers=headers).status_code == 204


@pytest.mark.parametrize("value, expected", [("๑,๒๐๐,๐๐๐", 1_200_000), ("1,200,000", 1_200_000)])
def test_thai_digits_are_numbers_in_every_number_cell(tmp_path, value, expected):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with TestClient(create_app(Settings(database_url=url))) as client:
        headers = {"X-API-Key": create_key(client.app.state.store, "matchmaker")["key"]}
        row = VALID[:6] + [value] + VALID[7:]
        client.post("/suppliers/import", files={"file": ("s.csv", csv_bytes(SUPPLIER_HEADER, [row]))}, headers=headers)
        assert client.get("/suppliers/S1", headers=headers).json()["capacity_thb_per_month"] == expected
