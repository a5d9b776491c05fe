"""Suppliers and buyers over HTTP: CRUD, filters, pagination, bulk CSV import, error bodies."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import BUYER_HEADER, SUPPLIER_HEADER, csv_bytes

NEW_SUPPLIER = {"supplier_id": "S9", "name": "ขนมไทยแม่ศรี", "sector": "processed_food", "products": "ขนมไทย",
                "province": "ชลบุรี", "certifications": ["อย.", "GMP"], "otop": True}


def test_create_read_update_delete_a_supplier(service):
    h = service.headers["matchmaker"]
    created = service.client.post("/suppliers", json=NEW_SUPPLIER, headers=h)
    assert created.status_code == 201, created.text
    assert created.json()["province"] == "Chon Buri" and created.json()["region"] == "East"
    assert created.json()["certifications"] == ["Thai FDA", "GMP"]
    assert service.client.get("/suppliers/S9", headers=h).json() == created.json()
    again = service.client.post("/suppliers", json=NEW_SUPPLIER, headers=h)
    assert again.status_code == 409 and again.json()["field"] == "body.supplier_id"
    updated = service.client.put("/suppliers/S9", json={**NEW_SUPPLIER, "max_buyers": 7}, headers=h)
    assert updated.status_code == 200 and updated.json()["max_buyers"] == 7
    assert service.store.profiles.get("suppliers", "S9").max_buyers == 7
    assert service.client.delete("/suppliers/S9", headers=h).status_code == 204
    missing = service.client.get("/suppliers/S9", headers=h)
    assert missing.status_code == 404 and missing.json()["field"] == "path.supplier_id"
    assert service.client.delete("/suppliers/S9", headers=h).status_code == 404
    assert service.client.put("/suppliers/S9", json=NEW_SUPPLIER, headers=h).status_code == 404


def test_create_update_delete_a_buyer(service):
    h = service.headers["admin"]
    body = {"buyer_id": "B9", "name": "Phuket Resorts", "buyer_type": "retailer", "sector": "processed_food",
            "needs": "local snacks", "province": "Phuket", "max_distance_km": 900}
    assert service.client.post("/buyers", json=body, headers=h).status_code == 201
    assert service.client.put("/buyers/B9", json={**body, "needs": "dried fruit"}, headers=h).json()["needs"] == \
        "dried fruit"
    assert service.client.delete("/buyers/B9", headers=h).status_code == 204
    assert service.client.get("/buyers/B9", headers=h).status_code == 404


def test_an_id_in_the_body_must_match_the_path(service):
    response = service.client.put("/suppliers/S1", json=NEW_SUPPLIER, headers=service.headers["matchmaker"])
    assert response.status_code == 422 and response.json()["field"] == "body.supplier_id"


def test_an_invalid_body_lists_every_problem(service):
    bad = {"supplier_id": "S10", "name": "", "sector": "spaceships", "products": "x", "province": "Atlantis",
           "max_buyers": -1, "latitude": 13.0, "colour": "red"}
    response = service.client.post("/suppliers", json=bad, headers=service.headers["matchmaker"])
    assert response.status_code == 422
    body = response.json()
    fields = {e["field"] for e in body["errors"]}
    assert {"body.name", "body.sector", "body.province", "body.max_buyers", "body.colour"} <= fields
    assert body["field"] in fields and "problem" in body["message"]
    assert next(e for e in body["errors"] if e["field"] == "body.province")["found"] == "Atlantis"
    assert service.store.profiles.get("suppliers", "S10") is None


@pytest.mark.parametrize("body", [None, [], "text", {"supplier_id": 5}], ids=["empty", "list", "string", "int id"])
def test_malformed_bodies_are_422_not_500(service, body):
    response = service.client.post("/suppliers", json=body, headers=service.headers["matchmaker"])
    assert response.status_code == 422 and response.json()["errors"]


def test_text_no_database_can_hold_is_refused(service):
    response = service.client.post("/suppliers", json={**NEW_SUPPLIER, "name": "bad\x00name"},
                                   headers=service.headers["matchmaker"])
    assert response.status_code == 422 and "NUL" in response.json()["message"]


@pytest.mark.parametrize("query, expected", [
    ("", ["S1", "S2", "S3", "S4", "S5", "S6"]),
    ("?sector=processed_food", ["S4", "S5", "S6"]),
    ("?province=ชลบุรี", ["S1"]),
    ("?region=East", ["S1", "S2"]),
    ("?region=South&sector=processed_food", ["S6"]),
    ("?certification=halal", ["S4", "S6"]),
    ("?certification=อย.&region=North", ["S5"]),
    ("?limit=2&offset=1", ["S2", "S3"]),
    ("?certification=Halal&limit=1&offset=1", ["S6"]),
])
def test_list_suppliers_with_filters_and_pages(served, query, expected):
    response = served.client.get(f"/suppliers{query}", headers=served.headers["matchmaker"])
    assert response.status_code == 200, response.text
    assert [s["supplier_id"] for s in response.json()["items"]] == expected


def test_list_totals_count_every_match_not_the_page(served):
    page = served.client.get("/suppliers?certification=GMP&limit=1", headers=served.headers["matchmaker"]).json()
    assert page["total"] == 3 and len(page["items"]) == 1


def test_list_buyers_by_required_certification(served):
    page = served.client.get("/buyers?certification=GMP", headers=served.headers["matchmaker"]).json()
    assert [b["buyer_id"] for b in page["items"]] == ["B2"]


@pytest.mark.parametrize("query, field", [("?province=Atlantis", "query.province"), ("?region=Mars", "query.region"),
                                          ("?limit=0", "query.limit"), ("?offset=-1", "query.offset"),
                                          ("?sector=cars", "query.sector")])
def test_bad_filters_are_422_naming_the_parameter(served, query, field):
    response = served.client.get(f"/suppliers{query}", headers=served.headers["matchmaker"])
    assert response.status_code == 422 and response.json()["field"] == field


def test_import_keeps_valid_rows_and_reports_every_bad_one(service):
    rows = [
        ["S1", "Siam Stamping", "automotive", "deep drawn parts", "Chon Buri", "", "", "", "", ""],
        ["S20", "New Co", "textiles", "ผ้าฝ้าย", "เชียงใหม่", "OEKO-TEX", "1,000,000", "2", "yes", "no"],
        ["S21", "Bad Co", "spaceships", "rockets", "Atlantis", "", "", "", "", ""],
        ["S20", "Dup Co", "other", "x", "Bangkok", "", "", "", "", ""],
    ]
    raw = csv_bytes(SUPPLIER_HEADER, rows, encoding="cp874")
    response = service.client.post("/suppliers/import", files={"file": ("suppliers.csv", raw, "text/csv")},
                                   headers=service.headers["matchmaker"])
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["added"], report["updated"], report["rejected_rows"]) == (1, 1, 2)
    assert report["encoding"] == "cp874" and report["rows_read"] == 4
    assert {(e["line"], e["field"]) for e in report["errors"]} == {(4, "sector"), (4, "province"), (5, "supplier_id")}
    assert service.store.profiles.get("suppliers", "S20").province == "Chiang Mai"
    assert service.store.profiles.get("suppliers", "S1").products == "deep drawn parts"
    assert service.store.profiles.get("suppliers", "S21") is None


def test_import_of_an_unusable_file_stores_nothing(service):
    before = service.store.counts()
    raw = csv_bytes(["buyer_id", "name"], [["B7", "No Columns"]])
    response = service.client.post("/buyers/import", files={"file": ("buyers.csv", raw, "text/csv")},
                                   headers=service.headers["matchmaker"])
    assert response.status_code == 422
    assert response.json()["field"] == "file" and "missing required column" in response.json()["message"]
    assert service.store.counts() == before


def test_import_is_one_transaction(service, monkeypatch):
    rows = [[f"B{i}", "X", "exporter", "other", "needs", "Bangkok", "", "", "", ""] for i in range(10, 20)]
    raw = csv_bytes(BUYER_HEADER, rows)
    calls = {"n": 0}
    from tiermatch.store import profiles

    original = profiles.upsert

    def upsert_then_fail(conn, table, key, rows):
        calls["n"] += 1
        result = original(conn, table, key, rows)
        if table.name == "buyers":
            raise RuntimeError("disk full")
        return result

    monkeypatch.setattr(profiles, "upsert", upsert_then_fail)
    client = TestClient(service.app, raise_server_exceptions=False)
    response = client.post("/buyers/import", files={"file": ("buyers.csv", raw, "text/csv")},
                                   headers=service.headers["matchmaker"])
    assert response.status_code == 500 and "RuntimeError" in response.json()["message"]
    assert calls["n"] >= 2 and service.store.profiles.get("buyers", "B10") is None


def test_import_history_drops_unknown_ids(service):
    raw = csv_bytes(["supplier_id", "buyer_id", "outcome", "date"],
                    [["S1", "B1", "deal", "2024-05-01"], ["S99", "B1", "accepted", ""], ["S1", "B1", "won", ""]])
    response = service.client.post("/partnerships/import", files={"file": ("partnerships.csv", raw, "text/csv")},
                                   headers=service.headers["matchmaker"])
    report = response.json()
    assert report["added"] == 1 and report["rejected_rows"] == 2
    assert {e["field"] for e in report["errors"]} == {"supplier_id", "outcome"}


def test_a_query_parameter_given_twice_is_refused(service):
    response = service.client.get("/feedback?supplier_id=S1&supplier_id=S2", headers=service.headers["matchmaker"])
    assert response.status_code == 422
    assert "given more than once" in response.json()["message"] and response.json()["field"] == "query.supplier_id"
