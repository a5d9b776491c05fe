"""The service's queue of heavy work: bounded (503 and Retry-After past it), and a second click is not a second run."""

import threading

import pytest

pytestmark = pytest.mark.abuse


def _runs(service) -> list[dict]:
    return service.client.get("/runs", headers=service.headers["matchmaker"]).json()["items"]


def test_a_second_click_does_not_start_a_second_run(service):
    release = threading.Event()
    service.app.state.jobs._submit(release.wait)  # the job ahead keeps the runs queued while we click
    try:
        h = service.headers["matchmaker"]
        first = service.client.post("/runs", json={"top_k": 5}, headers=h)
        second = service.client.post("/runs", json={"top_k": 5}, headers=h)
        other = service.client.post("/runs", json={"top_k": 7}, headers=h)
        assert first.status_code == 202 and other.status_code == 202
        assert second.status_code == 409
        run_id = first.json()["run_id"]
        assert f"run {run_id} with the same options is already queued" in second.json()["message"]
        assert sorted(r["run_id"] for r in _runs(service)) == [run_id, other.json()["run_id"]]
    finally:
        release.set()


def test_a_full_queue_answers_503_and_records_no_run(service):
    jobs = service.app.state.jobs
    jobs.max_pending = 2
    release = threading.Event()
    jobs._submit(release.wait)
    try:
        h = service.headers["matchmaker"]
        assert service.client.post("/runs", json={"top_k": 5}, headers=h).status_code == 202
        refused = service.client.post("/runs", json={"top_k": 6}, headers=h)
        assert refused.status_code == 503 and refused.headers["retry-after"] == "60"
        assert "queued or running already" in refused.json()["message"]
        assert len(_runs(service)) == 1
    finally:
        release.set()
    jobs.executor.submit(lambda: None).result()  # the queue drains: work is taken again
    assert service.client.post("/runs", json={"top_k": 6}, headers=service.headers["matchmaker"]).status_code == 202
