"""Cluster suggestions and programme targets through the real app, over a SQLite file."""

from __future__ import annotations

import datetime as dt

import pytest

from tiermatch.features import Partnership, Supplier


@pytest.fixture
def clustered(service):
    """The small register plus a town of stamping SMEs, one feedback deal with a value."""
    extra = [Supplier(supplier_id=f"R{k}", name=f"Rayong Press {k}", sector="automotive",
                      products="stamped metal parts brackets", province="Rayong", latitude=12.68 + 0.01 * k,
                      longitude=101.28, capacity_thb_per_month=500_000, cluster="Rayong Auto" if k < 2 else None)
             for k in range(6)]
    service.store.import_register(suppliers=extra)
    return service


def test_suggestions_keep_existing_members_and_explain_each_cluster(clustered):
    response = clustered.client.get("/clusters/suggestions?min_size=3&max_size=10&buyers_per_cluster=2",
                                    headers=clustered.headers["matchmaker"])
    assert response.status_code == 200, response.text
    report = response.json()
    grow = [s for s in report["suggestions"] if s["existing_cluster"] == "Rayong Auto"]
    assert len(grow) == 1 and grow[0]["kind"] == "grow" and {"R0", "R1"} <= set(grow[0]["members"])
    assert not {"R0", "R1"} & set(grow[0]["added"]) and grow[0]["buyers"][0]["buyer_id"] == "B1"
    listed = {sid for s in report["suggestions"] for sid in s["added"]} | {u["supplier_id"] for u in report["unclustered"]}
    assert listed == {"S1", "S2", "S3", "S4", "S5", "S6", "R2", "R3", "R4", "R5"}
    assert {"modularity", "median_km_within", "complementary_share", "unclustered_share"} <= set(report["quality"])


def test_suggestions_check_parameters_and_roles(clustered):
    bad = clustered.client.get("/clusters/suggestions?min_size=9&max_size=3", headers=clustered.headers["matchmaker"])
    assert bad.status_code == 422 and "min_size (9) must not exceed max_size (3)" in bad.json()["message"]
    assert clustered.client.get("/clusters/suggestions", headers=clustered.headers["buyer"]).status_code == 403
    assert clustered.client.get("/programme/targets?year=2026").status_code == 401


def test_targets_count_feedback_deals_with_their_value(clustered):
    headers = clustered.headers["matchmaker"]
    response = clustered.client.post("/feedback", headers=headers, json={
        "buyer_id": "B1", "supplier_id": "R3", "outcome": "deal", "value_thb": 1_200_000, "date": "2026-05-04"})
    assert response.status_code in (200, 201), response.text
    clustered.store.import_register(partnerships=[
        Partnership(supplier_id="S4", buyer_id="B2", outcome="accepted", date=dt.date(2026, 5, 20))])
    report = clustered.client.get("/programme/targets?year=2026&clustered_target=4&deal_target_thb=2400000"
                                  "&as_of=2026-12-31", headers=headers).json()
    assert report["clustered"]["actual"] == 2 and report["clustered"]["progress"] == 0.5
    assert report["deal_value_thb"]["actual"] == 1_200_000 and report["deal_value_thb"]["progress"] == 0.5
    may = next(m for m in report["by_month"] if m["month"] == "2026-05")
    assert may["matches"] == 2 and may["deals"] == 1
    regions = {r["region"]: r["deal_value_thb"] for r in report["by_region"]}
    assert regions["East"] == 1_200_000
    bad = clustered.client.get("/programme/targets?year=2569", headers=headers)
    assert bad.status_code == 422
