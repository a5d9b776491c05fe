"""Who may do what: every role's limits, through the real app."""

from __future__ import annotations

import pytest

# (method, path, json body) -> the roles that may call it. Bodies that would change the shared
# register are invalid on purpose: an allowed role then gets 422, a refused one 401/403 first.
ENDPOINTS = [
    ("GET", "/suppliers", None, {"admin", "matchmaker"}),
    ("POST", "/suppliers", {}, {"admin", "matchmaker"}),
    ("GET", "/suppliers/S1", None, {"admin", "matchmaker"}),
    ("PUT", "/suppliers/S1", {}, {"admin", "matchmaker"}),
    ("DELETE", "/suppliers/NOPE", None, {"admin", "matchmaker"}),
    ("GET", "/buyers", None, {"admin", "matchmaker"}),
    ("GET", "/buyers/B1", None, {"admin", "matchmaker"}),
    ("GET", "/buyers/B2", None, {"admin", "matchmaker"}),
    ("GET", "/buyers/B1/shortlist", None, {"admin", "matchmaker", "buyer"}),
    ("GET", "/buyers/B2/shortlist", None, {"admin", "matchmaker"}),
    ("GET", "/suppliers/S4/recommendations", None, {"admin", "matchmaker"}),
    ("GET", "/pairs/B1/S1/explanation", None, {"admin", "matchmaker", "buyer"}),
    ("GET", "/pairs/B2/S4/explanation", None, {"admin", "matchmaker"}),
    ("POST", "/feedback", {"buyer_id": "B1", "supplier_id": "S1", "outcome": "maybe"}, {"admin", "matchmaker", "buyer"}),
    # A valid body: ownership is checked after the body is read.
    ("POST", "/feedback", {"buyer_id": "B2", "supplier_id": "S4", "outcome": "rejected"}, {"admin", "matchmaker"}),
    ("GET", "/feedback", None, {"admin", "matchmaker", "buyer"}),
    ("GET", "/feedback?buyer_id=B2", None, {"admin", "matchmaker"}),
    ("POST", "/runs", {"top_k": 0}, {"admin", "matchmaker"}),
    ("GET", "/runs", None, {"admin", "matchmaker"}),
    ("GET", "/runs/1", None, {"admin", "matchmaker"}),
    ("GET", "/runs/1/shortlists", None, {"admin", "matchmaker"}),
    ("GET", "/runs/1/assignment", None, {"admin", "matchmaker"}),
    ("GET", "/runs/1/unmatched", None, {"admin", "matchmaker"}),
    ("GET", "/runs/1/groups", None, {"admin", "matchmaker"}),
    ("GET", "/runs/1/agenda", None, {"admin", "matchmaker"}),
    ("GET", "/runs/1/agenda?by=supplier&format=csv", None, {"admin", "matchmaker"}),
    ("GET", "/models", None, {"admin", "matchmaker"}),
    ("POST", "/models/retrain", None, {"admin", "matchmaker"}),
    ("GET", "/keys", None, {"admin"}),
    ("POST", "/keys", {"role": "nobody"}, {"admin"}),
    ("DELETE", "/keys/none", None, {"admin"}),
]


@pytest.mark.parametrize("method, path, body, allowed", ENDPOINTS, ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS])
def test_each_role_gets_exactly_its_rights(served, method, path, body, allowed):
    for role in ("admin", "matchmaker", "buyer"):
        response = served.client.request(method, path, json=body, headers=served.headers[role])
        if role in allowed:
            assert response.status_code not in (401, 403), (role, response.text)
        else:
            assert response.status_code == 403, (role, response.text)
            assert response.json()["message"]
    for headers in ({}, {"X-API-Key": "not-a-key"}, {"Authorization": "Bearer not-a-key"}):
        response = served.client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, response.text
        assert response.json()["field"] == "header.X-API-Key"


def test_health_and_version_need_no_key(served):
    assert served.client.get("/health").json() == {"status": "ok", "database": "ok"}
    assert served.client.get("/version").json()["latest_run_id"] == 1


def test_bearer_header_works_too(served):
    key = served.headers["matchmaker"]["X-API-Key"]
    assert served.client.get("/suppliers", headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_a_buyer_sees_its_shortlist_without_contact_details(served):
    response = served.client.get("/buyers/B1/shortlist", headers=served.headers["buyer"])
    assert response.status_code == 200
    items = response.json()["items"]
    assert items and items[0]["supplier_id"] in {"S1", "S2"}
    shown = {"rank", "supplier_id", "supplier_name", "sector", "province", "region", "certifications", "score",
             "reasons", "reasons_th", "explored"}
    assert all(set(item) == shown for item in items)


def test_a_buyer_never_learns_whether_another_buyer_exists(served):
    for path in ("/buyers/B2/shortlist", "/buyers/NO-SUCH/shortlist", "/pairs/NO-SUCH/S1/explanation"):
        assert served.client.get(path, headers=served.headers["buyer"]).status_code == 403


def test_a_buyer_reads_only_its_own_feedback(service):
    service.run()
    service.client.post("/feedback", json={"buyer_id": "B2", "supplier_id": "S4", "outcome": "deal"},
                        headers=service.headers["matchmaker"])
    shortlist = service.client.get("/buyers/B1/shortlist", headers=service.headers["buyer"]).json()["items"]
    supplier_id = shortlist[0]["supplier_id"]
    mine = service.client.post("/feedback", json={"buyer_id": "B1", "supplier_id": supplier_id, "outcome": "accepted"},
                               headers=service.headers["buyer"])
    assert mine.status_code == 201, mine.text
    listed = service.client.get("/feedback", headers=service.headers["buyer"]).json()
    assert [(p["buyer_id"], p["supplier_id"]) for p in listed["items"]] == [("B1", supplier_id)]
    assert service.client.get("/feedback", headers=service.headers["matchmaker"]).json()["total"] == 2


def test_a_buyer_gives_feedback_only_on_smes_it_was_shown(service):
    service.run()
    response = service.client.post("/feedback", json={"buyer_id": "B1", "supplier_id": "S4", "outcome": "accepted"},
                                   headers=service.headers["buyer"])
    assert response.status_code == 404 and response.json()["field"] == "body.supplier_id"


def test_a_buyer_cannot_read_an_explanation_of_a_pair_it_was_not_shown(service):
    service.run()
    store = service.store
    run_id = store.runs.latest_completed_id()
    shown = {r["supplier_id"] for kind in ("shortlist", "assignment")
             for r in store.runs.matches(run_id, kind, buyer_id="B1")[1]}
    for supplier_id in {"S1", "S2", "S3", "S4", "S5", "S6"} - shown:
        response = service.client.get(f"/pairs/B1/{supplier_id}/explanation", headers=service.headers["buyer"])
        assert response.status_code == 404


def test_keys_are_stored_hashed_shown_once_and_revocable(service):
    admin = service.headers["admin"]
    created = service.client.post("/keys", json={"role": "matchmaker", "name": "Khun Somchai"}, headers=admin)
    assert created.status_code == 201
    key, key_id = created.json()["key"], created.json()["key_id"]
    listed = service.client.get("/keys", headers=admin).json()
    assert all("key" not in k and "key_hash" not in k for k in listed)
    assert key not in str(service.store.keys.all())
    assert service.client.get("/suppliers", headers={"X-API-Key": key}).status_code == 200
    assert service.client.delete(f"/keys/{key_id}", headers=admin).status_code == 204
    assert service.client.get("/suppliers", headers={"X-API-Key": key}).status_code == 401
    assert service.client.delete(f"/keys/{key_id}", headers=admin).status_code == 404


def test_a_buyer_key_needs_a_known_buyer(service):
    admin = service.headers["admin"]
    response = service.client.post("/keys", json={"role": "buyer", "buyer_id": "B404"}, headers=admin)
    assert response.status_code == 404 and response.json()["field"] == "body.buyer_id"
    response = service.client.post("/keys", json={"role": "buyer"}, headers=admin)
    assert response.status_code == 422 and "buyer_id" in response.json()["message"]
    response = service.client.post("/keys", json={"role": "admin", "buyer_id": "B1"}, headers=admin)
    assert response.status_code == 422
