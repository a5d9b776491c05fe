"""Bodies past the limit are refused before any key is asked for or any file spooled: declared or streamed."""

import pytest

from tiermatch.api.limits import MAX_BODY_BYTES, MAX_UPLOAD_BODY_BYTES

pytestmark = pytest.mark.abuse


def _chunks(total: int, size: int = 1 << 20):
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


@pytest.mark.parametrize("path, limit", [("/suppliers/import", MAX_UPLOAD_BODY_BYTES), ("/feedback", MAX_BODY_BYTES),
                                         ("/web/login", MAX_BODY_BYTES)])
def test_a_declared_length_past_the_limit_is_refused_without_a_key(service, path, limit):
    response = service.client.post(path, content=b"x" * (limit + 1), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["field"] == "body" and "larger than" in response.json()["message"]


@pytest.mark.parametrize("path, limit, kind", [
    ("/suppliers/import", MAX_UPLOAD_BODY_BYTES, "multipart/form-data; boundary=b"),
    ("/feedback", MAX_BODY_BYTES, "application/json")])
def test_a_streamed_body_is_cut_off_at_the_limit(service, path, limit, kind):
    # Chunked, with no length declared: counted as it arrives.
    response = service.client.post(path, content=_chunks(limit + (2 << 20)),
                                   headers={"content-type": kind, **service.headers["matchmaker"]})
    assert response.status_code == 413


def test_bodies_within_the_limit_still_work(service):
    response = service.client.post("/feedback", headers=service.headers["matchmaker"],
                                   json={"buyer_id": "B1", "supplier_id": "S1", "outcome": "accepted"})
    assert response.status_code in (200, 201), response.text
    stored = service.client.get("/events?buyer_id=B1", headers=service.headers["matchmaker"])
    assert stored.status_code == 200 and "S1" in stored.text


def test_the_api_docs_load_nothing_from_outside(service):
    page = service.client.get("/docs")
    assert page.status_code == 200 and "swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        response = service.client.get(f"/docs/assets/{asset}")
        assert response.status_code == 200 and len(response.content) > 10_000
    assert service.client.get("/openapi.json").json()["info"]["title"] == "tiermatch"


def test_error_bodies_stay_small_whatever_was_sent(service):
    h = service.headers["matchmaker"]
    huge = {"buyer_id": "B" * 500_000, "supplier_id": "S1", "outcome": "accepted"}
    response = service.client.post("/feedback", json=huge, headers=h)
    assert response.status_code == 422
    assert len(response.content) < 5_000 and response.json()["errors"][0]["found"].endswith("…")
    many = [{"supplier_id": f"X{i}", "name": "", "sector": "nowhere", "products": "", "province": "Atlantis"}
            for i in range(300)]
    response = service.client.post("/events", json=many, headers=h)  # a list where one event is expected
    assert response.status_code == 422 and len(response.json()["errors"]) <= 100
    assert len(response.content) < 50_000


def test_run_results_in_json_are_paged_unless_asked(service, monkeypatch):
    import tiermatch.api.runs as runs

    assert service.run(top_k=5)["status"] == "completed"
    monkeypatch.setattr(runs, "JSON_PAGE", 3)
    h = service.headers["matchmaker"]
    page = service.client.get("/runs/1/shortlists", headers=h).json()
    assert page["limit"] == 3 and len(page["items"]) == 3 and page["total"] > 3
    rest = service.client.get(f"/runs/1/shortlists?offset=3&limit={page['total']}", headers=h).json()
    assert len(page["items"]) + len(rest["items"]) == page["total"]
    csv_rows = service.client.get("/runs/1/shortlists?format=csv", headers=h).text.strip().splitlines()
    assert len(csv_rows) == page["total"] + 1  # the download holds every row


def test_a_buyer_key_cannot_flood_the_outcome_log(service, monkeypatch):
    import tiermatch.api.limits as limits

    monkeypatch.setitem(limits.WRITES_PER_MINUTE, "buyer", 3)
    assert service.run(top_k=5)["status"] == "completed"
    h = service.headers["buyer"]
    shown = service.client.get("/buyers/B1/shortlist", headers=h).json()["items"]
    body = {"buyer_id": "B1", "supplier_id": shown[0]["supplier_id"], "outcome": "accepted"}
    statuses = [service.client.post("/feedback", json=body, headers=h).status_code for _ in range(5)]
    assert statuses == [201, 201, 201, 429, 429]
    refused = service.client.post("/feedback", json=body, headers=h)
    assert int(refused.headers["retry-after"]) > 0 and "outcomes a minute" in refused.json()["message"]
    # Another key is not held back by this one's count.
    other = {"buyer_id": "B2", "supplier_id": "S4", "outcome": "accepted"}
    assert service.client.post("/feedback", json=other, headers=service.headers["matchmaker"]).status_code == 201
    stored = service.client.get("/feedback?buyer_id=B1", headers=service.headers["matchmaker"]).json()
    assert stored["total"] <= 3
