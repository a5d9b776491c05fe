"""Batch runs, shortlists, recommendations, explanations and feedback over HTTP."""

from __future__ import annotations

import csv
import io

import pytest

from tiermatch.api import create_app
from tiermatch.features.pairs import FEATURE_DESCRIPTIONS, FEATURE_NAMES
from tiermatch.matcher.scoring import PRIOR_WEIGHTS
from tiermatch.services import runs
from tiermatch.settings import Settings


def test_a_run_reports_its_progress_and_summary(served):
    run = served.client.get("/runs/1", headers=served.headers["matchmaker"]).json()
    assert run["status"] == "completed" and run["latest"] and run["stage"] == "done"
    assert run["options"] == {"top_k": 5, "min_score": 0.3, "fair": False, "slots": None, "shortlist_depth": 50,
                              "scheduler": None, "partition_size": None, "candidates_per_buyer": 100,
                              "show_past": False, "scorer": "auto"}
    assert run["summary"]["suppliers"] == 6 and run["summary"]["buyers"] == 3
    assert run["summary"]["exposure"]["fair"] is False and run["summary"]["agenda"] is None
    assert run["summary"]["scoring"] == {"scorer": "prior", "reason": "no history to learn from"}
    assert run["error"] is None and run["finished_at"] >= run["started_at"]


def test_shortlist_is_ranked_and_filterable(served):
    h = served.headers["matchmaker"]
    shortlist = served.client.get("/buyers/B2/shortlist", headers=h).json()
    items = shortlist["items"]
    assert shortlist["run_id"] == 1 and [i["rank"] for i in items] == list(range(1, len(items) + 1))
    assert all(a["score"] >= b["score"] for a, b in zip(items, items[1:]))
    assert all("GMP" in i["certifications"] for i in items)  # B2 requires GMP: a hard constraint
    halal = served.client.get("/buyers/B2/shortlist?certification=ฮาลาล", headers=h).json()["items"]
    assert {i["supplier_id"] for i in halal} == {i["supplier_id"] for i in items if "Halal" in i["certifications"]}
    north = served.client.get("/buyers/B2/shortlist?region=North", headers=h).json()["items"]
    assert [i["supplier_id"] for i in north] == [i["supplier_id"] for i in items if i["region"] == "North"]
    page = served.client.get("/buyers/B2/shortlist?limit=1&offset=1", headers=h).json()
    assert page["total"] == len(items) and page["items"] == items[1:2]


def test_unknown_ids_are_404(served):
    h = served.headers["matchmaker"]
    for path, field in (("/buyers/NOPE/shortlist", "path.buyer_id"),
                        ("/suppliers/NOPE/recommendations", "path.supplier_id"),
                        ("/pairs/NOPE/S1/explanation", "path.buyer_id"),
                        ("/runs/99", "path.run_id"), ("/runs/99/shortlists", "path.run_id")):
        response = served.client.get(path, headers=h)
        assert response.status_code == 404 and response.json()["field"] == field, path


def test_recommendations_name_buyers_with_reasons(served):
    response = served.client.get("/suppliers/S4/recommendations", headers=served.headers["matchmaker"]).json()
    assert response["items"] and response["items"][0]["rank"] == 1
    assert {i["buyer_id"] for i in response["items"]} <= {"B1", "B2", "B3"}
    assert all(i["reasons"] for i in response["items"])


def test_explanation_gives_every_feature_and_adds_up_to_the_score(served):
    response = served.client.get("/pairs/B1/S1/explanation", headers=served.headers["buyer"])
    assert response.status_code == 200, response.text
    explanation = response.json()
    assert [f["name"] for f in explanation["features"]] == list(FEATURE_NAMES)
    assert all(0 <= f["value"] <= 1 and f["description"] == FEATURE_DESCRIPTIONS[f["name"]]
               for f in explanation["features"])
    assert {f["name"]: f["weight"] for f in explanation["features"]} == \
        {name: PRIOR_WEIGHTS.get(name, 0.0) for name in FEATURE_NAMES}
    assert explanation["scoring"] == {"scorer": "prior", "reason": "no history to learn from"}
    total = sum(f["value"] * f["weight"] for f in explanation["features"])
    assert total == pytest.approx(explanation["score"], abs=1e-3)  # stored values are rounded to 4 places
    assert explanation["reasons"] and explanation["reasons_th"] and explanation["reasons_th"] != explanation["reasons"]


@pytest.mark.parametrize("kind", ["shortlists", "recommendations", "assignment"])
def test_run_results_as_json_and_csv(served, kind):
    h = served.headers["matchmaker"]
    as_json = served.client.get(f"/runs/1/{kind}", headers=h).json()
    as_csv = served.client.get(f"/runs/1/{kind}?format=csv", headers=h)
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(rows) == as_json["total"] == len(as_json["items"]) > 0
    assert [(r["buyer_id"], r["supplier_id"]) for r in rows] == \
        [(i["buyer_id"], i["supplier_id"]) for i in as_json["items"]]
    if kind == "assignment":
        assert list(rows[0]) == ["buyer_id", "supplier_id", "score", "group_id", "volume_thb_per_month"]
        assert all("group_id" in i and "slot" in i for i in as_json["items"])
    else:
        assert "reasons_th" in rows[0] and all(i["reasons_th"] for i in as_json["items"])


def test_every_buyer_and_supplier_is_matched_or_explained(served):
    h = served.headers["matchmaker"]
    assignment = served.client.get("/runs/1/assignment", headers=h).json()["items"]
    unmatched = served.client.get("/runs/1/unmatched", headers=h).json()
    assert {a["buyer_id"] for a in assignment} | set(unmatched["buyers"]) == {"B1", "B2", "B3"}
    assert {a["supplier_id"] for a in assignment} | set(unmatched["suppliers"]) == {f"S{i}" for i in range(1, 7)}


def test_before_any_run_shortlists_say_so(service):
    response = service.client.get("/buyers/B1/shortlist", headers=service.headers["matchmaker"])
    assert response.status_code == 404 and "POST /runs" in response.json()["message"]


def test_bad_run_options_are_422(service):
    response = service.client.post("/runs", json={"top_k": 0, "min_score": 2, "colour": 1},
                                    headers=service.headers["matchmaker"])
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"body.top_k", "body.min_score", "body.colour"}


def test_a_run_on_a_dask_scheduler_gives_the_same_results(service, dask_cluster):
    h = service.headers["matchmaker"]
    assert service.run(top_k=3)["status"] == "completed"
    here = service.client.get("/runs/1/shortlists", headers=h).json()
    service.app.state.settings.dask_schedulers = f"tcp://127.0.0.1:1, {dask_cluster.scheduler_address}"
    run = service.run(top_k=3, scheduler=dask_cluster.scheduler_address, partition_size=4)
    assert run["status"] == "completed", run["error"]
    assert run["summary"]["partitions"]["scheduler"] == dask_cluster.scheduler_address
    assert run["summary"]["partitions"]["count"] == 2
    assert service.client.get(f"/runs/{run['run_id']}/shortlists", headers=h).json()["items"] == here["items"]


def test_a_run_whose_scheduler_cannot_be_reached_fails_saying_so(service, unreachable_scheduler):
    h = service.headers["matchmaker"]
    response = service.client.post("/runs", json={"scheduler": unreachable_scheduler}, headers=h)
    assert response.status_code == 422 and "none is configured" in response.json()["message"]
    service.app.state.settings.dask_schedulers = unreachable_scheduler
    run = service.run(scheduler=unreachable_scheduler)
    assert run["status"] == "failed" and f"cannot reach the Dask scheduler at {unreachable_scheduler}" in run["error"]
    response = service.client.post("/runs", json={"scheduler": "file:///etc/passwd"}, headers=h)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "body.scheduler"


def test_a_failed_run_says_why_and_leaves_earlier_results(service, monkeypatch):
    assert service.run(top_k=3)["status"] == "completed"
    h = service.headers["matchmaker"]
    before = service.client.get("/buyers/B1/shortlist", headers=h).json()

    def broken(*args, **kwargs):
        raise MemoryError("out of memory while scoring")

    monkeypatch.setattr(runs, "run_batch", broken)
    failed = service.run(top_k=3)
    assert failed["status"] == "failed" and "out of memory while scoring" in failed["error"]
    assert service.client.get("/buyers/B1/shortlist", headers=h).json() == before
    response = service.client.get(f"/runs/{failed['run_id']}/shortlists", headers=h)
    assert response.status_code == 409 and "failed" in response.json()["message"]


def test_a_run_that_fails_while_saving_writes_nothing(service, monkeypatch):
    def half_rows(*args):
        matches, unmatched = original(*args)
        return matches + [{"kind": "shortlist"}], unmatched  # a row the database refuses

    original = runs.build_result_rows
    monkeypatch.setattr(runs, "build_result_rows", half_rows)
    failed = service.run()
    assert failed["status"] == "failed"
    assert service.store.runs.matches(failed["run_id"], "shortlist")[0] == 0
    assert service.store.runs.latest_completed_id() is None


def test_feedback_is_used_at_the_next_run(service):
    h = service.headers["matchmaker"]
    first = service.run()
    assert "S1" in _shortlisted(service, first["run_id"], "B1")
    for outcome in ("accepted", "deal"):
        response = service.client.post("/feedback", json={"buyer_id": "B1", "supplier_id": "S1", "outcome": outcome,
                                                          "value_thb": 250000, "date": "2025-01-15"}, headers=h)
        assert response.status_code == 201, response.text
    assert service.store.counts()["partnerships"] == 2
    second = service.run()
    assert second["summary"]["history_rows"] == 2
    # S1 is now B1's partner: not proposed to it as a new one.
    assert "S1" not in _shortlisted(service, second["run_id"], "B1")
    assert service.client.get("/pairs/B1/S1/explanation", headers=h).status_code == 404
    # Shown where asked for, marked, with its own outcomes left out of its track record.
    third = service.run(show_past=True)
    assert third["options"]["show_past"] is True and "S1" in _shortlisted(service, third["run_id"], "B1")
    explanation = service.client.get("/pairs/B1/S1/explanation", headers=h).json()
    assert explanation["reasons"].startswith("ALREADY this buyer's partner (2025-01-15)")
    track = next(f for f in explanation["features"] if f["name"] == "track_record")
    assert track["value"] == 0.5
    assigned = service.store.runs.matches(third["run_id"], "assignment", buyer_id="B1")[1]
    assert assigned and "S1" not in {row["supplier_id"] for row in assigned}


def _shortlisted(service, run_id, buyer_id):
    rows = service.store.runs.matches(run_id, "shortlist", buyer_id=buyer_id)[1]
    return {row["supplier_id"] for row in rows}


def test_feedback_on_unknown_ids_is_404(service):
    response = service.client.post("/feedback", json={"buyer_id": "B1", "supplier_id": "S404", "outcome": "deal"},
                                   headers=service.headers["matchmaker"])
    assert response.status_code == 404 and response.json()["field"] == "body.supplier_id"


def test_a_restart_loses_nothing_and_fails_interrupted_runs(service):
    service.run()
    interrupted = service.store.runs.create({"top_k": 10, "min_score": 0.3}, worker="gone-host-is-this:999999999")
    service.store.runs.update(interrupted["run_id"], worker=f"{__import__('socket').gethostname()}:999999999")
    service.close()
    app = create_app(Settings(database_url=service.url))
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        h = service.headers["matchmaker"]
        assert client.get("/buyers/B1/shortlist", headers=h).json()["items"]
        run = client.get(f"/runs/{interrupted['run_id']}", headers=h).json()
        assert run["status"] == "failed" and "interrupted" in run["error"]
    service.client.__enter__()  # the fixture closes it again
