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
    assert response.status_code == 409 and "import a register and its history first" in response.json()["message"]
    service.client.post("/feedback", json={"buyer_id": "B1", "supplier_id": "S1", "outcome": "accepted"},
                        headers=service.headers["matchmaker"])
    response = service.client.post("/models/retrain", headers=service.headers["matchmaker"])
    assert response.status_code == 409 and "at least 2 buyers with an accepted proposal" in response.json()["message"]
    assert service.client.get("/models", headers=service.headers["matchmaker"]).json()["total"] == 0


def test_retraining_reports_the_held_out_figures_and_stores_the_model(with_feedback):
    svc = with_feedback
    response = svc.client.post("/models/retrain", headers=svc.headers["admin"])
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["previous"] == {"scorer": "prior"}
    assert report["metric"] == "NDCG@10 on held-out buyers" and report["n_buyers"] == 3
    assert report["n_rows"] >= len(FEEDBACK)  # every outcome, and pairs nobody proposed
    assert 0 <= report["prior_metric"] <= 1 and 0 <= report["new_metric"] <= 1
    assert report["reason"] and len(report["folds"]) >= 2 and report["held_out"]["prior"] == pytest.approx(report["prior_metric"], abs=1e-4)
    # Nine outcomes cannot show a model beats the prior: it is stored, not adopted.
    assert report["adopted"] is False and report["scorer"] == "prior" and report["scorer_in_use"] == "prior"
    models = svc.client.get("/models", headers=svc.headers["matchmaker"]).json()
    assert models["total"] == 1 and models["scorer_in_use"] == "prior"
    stored = models["items"][0]
    assert stored["version"] == report["model"]["version"] and stored["adopted"] is False and not stored["in_use"]
    assert stored["metrics"]["prior_metric"] == report["prior_metric"]


def test_a_run_learns_from_the_history_keeps_what_it_learned_and_reuses_it(with_feedback):
    svc = with_feedback
    first = svc.run(show_past=True)
    scoring = first["summary"]["scoring"]
    assert scoring["scorer"] == "prior" and scoring["held_out"]["buyers"] >= 2 and "model_id" in scoring
    record = svc.store.models.get(scoring["model_id"])
    assert record["adopted"] is False and record["report"]["scorer"] == "prior"
    # The same history again: what was learned is reused, not learned again.
    second = svc.run(show_past=True)["summary"]["scoring"]
    assert second["model_id"] == scoring["model_id"] and second["reason"].startswith("learned from this same history")
    assert svc.client.get("/models", headers=svc.headers["matchmaker"]).json()["total"] == 1
    # New feedback: learned again.
    svc.client.post("/feedback", json={"buyer_id": "B2", "supplier_id": "S6", "outcome": "deal"},
                    headers=svc.headers["matchmaker"])
    third = svc.run(show_past=True)["summary"]["scoring"]
    assert third["model_id"] != scoring["model_id"] and "held_out" in third


def test_runs_score_with_the_adopted_model_learned_from_the_same_history(with_feedback):
    from tiermatch.matcher.model import LearnedScorer

    svc = with_feedback
    svc.client.post("/models/retrain", headers=svc.headers["matchmaker"])
    record = svc.store.models.get(1, with_bytes=True)
    # Adopt it by hand (the history is too small for it to win on merit).
    adopted = svc.store.models.add(record["version"], record["blob"], adopted=True, metrics=record["metrics"])
    run = svc.run(show_past=True)  # every pair here met before: shown, marked
    scoring = run["summary"]["scoring"]
    assert {k: scoring[k] for k in ("scorer", "model_id", "version")} == {
        "scorer": "global", "model_id": adopted["model_id"], "version": record["version"]}
    explanation = svc.client.get("/pairs/B1/S1/explanation", headers=svc.headers["matchmaker"]).json()
    assert explanation["scoring"]["scorer"] == "global"
    model = LearnedScorer.from_bytes(record["blob"])
    values = [[f["value"] for f in explanation["features"]]]
    assert explanation["score"] == pytest.approx(model.score(values, ["B1"])[0], abs=1e-3)
    # The weights shown are the model's.
    assert [f["weight"] for f in explanation["features"]] == pytest.approx(model.coef.tolist(), abs=1e-4)
    models = svc.client.get("/models", headers=svc.headers["matchmaker"]).json()
    assert models["scorer_in_use"] == record["version"] and [m["in_use"] for m in models["items"]] == [True, False]
    # A second retraining reports the model in use as the old scorer.
    report = svc.client.post("/models/retrain", headers=svc.headers["matchmaker"]).json()
    assert report["previous"]["model_id"] == adopted["model_id"]


def test_an_unreadable_model_is_learned_again(with_feedback):
    from tiermatch.services import history_fingerprint

    svc = with_feedback
    svc.store.models.add("bad", b"not a model", adopted=True,
                         metrics={"history": history_fingerprint(svc.store.history.all())})
    run = svc.run()
    assert run["status"] == "completed"
    scoring = run["summary"]["scoring"]
    assert "held_out" in scoring and scoring["model_id"] != 1


def test_retraining_reads_features_in_the_latest_runs_text_space_without_fitting_again(with_feedback, monkeypatch):
    from tiermatch.features.vectorize import ProfileVectorizer

    svc = with_feedback
    h = svc.headers["admin"]
    before = svc.client.post("/models/retrain", headers=h).json()
    assert before["text_space"] == "a text space fitted now: no completed run has kept one yet"
    run = svc.run()
    assert svc.store.runs.text_space()[0] == run["run_id"]

    def no_fit(*args, **kwargs):
        raise AssertionError("the text space was fitted again")

    monkeypatch.setattr(ProfileVectorizer, "_fit", no_fit)
    svc.client.post("/feedback", json={"buyer_id": "B2", "supplier_id": "S1", "outcome": "accepted"}, headers=h)
    after = svc.client.post("/models/retrain", headers=h)
    assert after.status_code == 200, after.text
    assert after.json()["text_space"] == f"the text space of run {run['run_id']}, not fitted again"
    assert after.json()["n_rows"] > before["n_rows"]  # the new outcome is learned from
