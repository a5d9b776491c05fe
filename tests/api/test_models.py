"""Retraining the scoring model from stored feedback, and runs scoring with the adopted model."""

from __future__ import annotations

import pytest

FEEDBACK = [("B1", "S1", "accepted"), ("B1", "S2", "deal"), ("B1", "S3", "rejected"), ("B2", "S4", "accepted"),
            ("B2", "S5", "rejected"), ("B2", "S6", "rejected"), ("B3", "S5", "deal"), ("B3", "S6", "rejected"),
            ("B3", "S4", "accepted")]


@pytest.fixture
def with_feedback(service):
    for buyer_id, supplier_id, outcome in FEEDBACK:
        response = service.client.post("/feedback", json={"buyer_id": buyer_id, "supplier_id": supplier_id,
                                                          "outcome": outcome}, headers=service.headers["matchmaker"])
        assert response.status_code == 201, response.text
    return service


def test_too_little_history_is_a_409_that_says_why(service):
    response = service.client.post("/models/retrain", headers=service.headers["matchmaker"])
    assert response.status_code == 409 and "at least 2 buyers" in response.json()["message"]
    assert service.client.get("/models", headers=service.headers["matchmaker"]).json()["total"] == 0


def test_retraining_reports_old_and_new_on_held_out_buyers_and_stores_the_model(with_feedback):
    svc = with_feedback
    response = svc.client.post("/models/retrain", headers=svc.headers["admin"])
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["previous"] == {"scorer": "prior"}
    assert report["metric"] == "within-buyer AUC" and report["n_rows"] == len(FEEDBACK) and report["n_buyers"] == 3
    assert 0 <= report["prior_metric"] <= 1 and 0 <= report["new_metric"] <= 1
    assert report["reason"] and len(report["folds"]) >= 2
    # Nine coin-flip-sized outcomes cannot show a model beats the prior: it is stored, not adopted.
    assert report["adopted"] is False and report["scorer_in_use"] == "prior"
    models = svc.client.get("/models", headers=svc.headers["matchmaker"]).json()
    assert models["total"] == 1 and models["scorer_in_use"] == "prior"
    stored = models["items"][0]
    assert stored["version"] == report["model"]["version"] and stored["adopted"] is False and not stored["in_use"]
    assert stored["metrics"]["prior_metric"] == report["prior_metric"]


def test_runs_score_with_the_newest_adopted_model(with_feedback):
    from tiermatch.matcher.model import LearnedScorer

    svc = with_feedback
    svc.client.post("/models/retrain", headers=svc.headers["matchmaker"])
    record = svc.store.models.get(1, with_bytes=True)
    # Adopt it by hand (the history is too small for it to win on merit).
    adopted = svc.store.models.add(record["version"], record["blob"], adopted=True, metrics=record["metrics"])
    run = svc.run(show_past=True)  # every pair here met before: shown, marked
    assert run["summary"]["scoring"] == {"scorer": "model", "model_id": adopted["model_id"],
                                         "version": record["version"]}
    explanation = svc.client.get("/pairs/B1/S1/explanation", headers=svc.headers["matchmaker"]).json()
    assert explanation["scoring"]["scorer"] == "model"
    values = [[f["value"] for f in explanation["features"]]]
    expected = LearnedScorer.from_bytes(record["blob"]).score(values)[0]
    assert explanation["score"] == pytest.approx(expected, abs=1e-3)
    models = svc.client.get("/models", headers=svc.headers["matchmaker"]).json()
    assert models["scorer_in_use"] == record["version"] and [m["in_use"] for m in models["items"]] == [True, False]
    # A second retraining reports the model in use as the old scorer.
    report = svc.client.post("/models/retrain", headers=svc.headers["matchmaker"]).json()
    assert report["previous"]["model_id"] == adopted["model_id"] and report["scorer_in_use"] == record["version"]


def test_an_unreadable_model_is_reported_and_the_prior_scores(with_feedback):
    svc = with_feedback
    svc.store.models.add("bad", b"not a model", adopted=True, metrics={})
    run = svc.run()
    assert run["status"] == "completed"
    scoring = run["summary"]["scoring"]
    assert scoring["scorer"] == "prior" and scoring["version"] == "bad" and "to_bytes" in scoring["not_used"]
