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
