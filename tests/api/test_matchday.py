"""Runs with the CLI's options: fair exposure, groups of SMEs, a matchmaking day's agenda; deep shortlists."""

from __future__ import annotations

import csv
import io

import pytest

from tiermatch.features import Buyer, Supplier

from .conftest import BUYERS, SUPPLIERS, Service


@pytest.fixture(scope="module")
def matchday(tmp_path_factory):
    """B1 needs 5 M baht a month; S1 (3 M) and S2 (2.5 M) can only meet it together. A day of 4 slots."""
    svc = Service(tmp_path_factory.mktemp("matchday") / "store.sqlite")
    suppliers = {s["supplier_id"]: dict(s) for s in SUPPLIERS}
    suppliers["S2"]["capacity_thb_per_month"] = 2_500_000
    buyers = {b["buyer_id"]: dict(b) for b in BUYERS}
    buyers["B1"]["demand_thb_per_month"] = 5_000_000
    svc.store.import_register([Supplier(**suppliers["S2"])], [Buyer(**buyers["B1"])])
    run = svc.run(top_k=2, slots=4)
    assert run["status"] == "completed", run
    yield svc
    svc.close()


def test_slots_make_a_fair_matchmaking_day(matchday):
    run = matchday.client.get("/runs/1", headers=matchday.headers["matchmaker"]).json()
    assert run["options"] == {"top_k": 2, "min_score": 0.3, "fair": True, "slots": 4, "shortlist_depth": 50,
                              "scheduler": None, "partition_size": None, "candidates_per_buyer": 100,
                              "show_past": False, "scorer": "auto"}
    summary = run["summary"]
    assert summary["exposure"]["fair"] is True
    assert set(summary["exposure"]) == {"fair", "plain", "with_fairness"}
    assert summary["groups"] == 1
    assert summary["agenda"]["slots"] == 4 and summary["agenda"]["unscheduled_meetings"] == 0


def test_fair_can_be_turned_off_on_a_matchmaking_day(service):
    run = service.run(slots=3, fair=False)
    assert run["options"]["fair"] is False and run["summary"]["exposure"]["fair"] is False
    assert run["summary"]["agenda"]["slots"] == 3


def test_groups_name_members_volumes_and_coverage(matchday):
    groups = matchday.client.get("/runs/1/groups", headers=matchday.headers["matchmaker"]).json()
    assert groups["total"] == 1
    group = groups["items"][0]
    assert group["group_id"] == "G-B1" and group["buyer_id"] == "B1" and group["demand_thb_per_month"] == 5_000_000
    assert {m["supplier_id"] for m in group["members"]} == {"S1", "S2"}
    assert group["volume_thb_per_month"] == sum(m["volume_thb_per_month"] for m in group["members"])
    assert group["coverage"] == pytest.approx(group["volume_thb_per_month"] / 5_000_000, abs=1e-4)
    assignment = matchday.client.get("/runs/1/assignment?buyer_id=B1", headers=matchday.headers["matchmaker"]).json()
    assert {(i["supplier_id"], i["volume_thb_per_month"]) for i in assignment["items"]} == \
        {(m["supplier_id"], m["volume_thb_per_month"]) for m in group["members"]}


def test_agenda_per_buyer_and_per_sme_books_nobody_twice(matchday):
    h = matchday.headers["matchmaker"]
    assignment = matchday.client.get("/runs/1/assignment", headers=h).json()["items"]
    for by, other in (("buyer", "supplier"), ("supplier", "buyer")):
        agenda = matchday.client.get(f"/runs/1/agenda?by={by}", headers=h).json()
        assert agenda["by"] == by and agenda["slots"] == 4 and agenda["unscheduled"] == []
        meetings = {(entry["id"], m["id"]) for entry in agenda["items"] for m in entry["meetings"]}
        assert meetings == {(a[f"{by}_id"], a[f"{other}_id"]) for a in assignment}
        for entry in agenda["items"]:
            slots = [m["slot"] for m in entry["meetings"]]
            assert slots == sorted(set(slots)) and all(1 <= s <= 4 for s in slots)
        as_csv = matchday.client.get(f"/runs/1/agenda?by={by}&format=csv", headers=h)
        rows = list(csv.DictReader(io.StringIO(as_csv.text)))
        assert list(rows[0]) == [f"{by}_id", f"{by}_name", "slot", f"{other}_id", f"{other}_name", "group_id"]
        assert all(r[f"{by}_name"] and r[f"{other}_name"] for r in rows)
        assert {(r[f"{by}_id"], r[f"{other}_id"]) for r in rows} == meetings


def test_a_run_without_slots_has_no_agenda(served):
    response = served.client.get("/runs/1/agenda", headers=served.headers["matchmaker"])
    assert response.status_code == 409 and "slots" in response.json()["message"]
    assert served.client.get("/runs/1/groups", headers=served.headers["matchmaker"]).json()["items"] == []


def test_shortlists_are_stored_deeper_than_top_k_for_filters(matchday):
    h = matchday.headers["matchmaker"]
    page = matchday.client.get("/buyers/B3/shortlist", headers=h).json()
    assert page["limit"] == 2 and len(page["items"]) == 2 and page["total"] > 2  # top_k shown, more stored
    everything = matchday.client.get("/buyers/B3/shortlist?limit=50", headers=h).json()["items"]
    assert everything[:2] == page["items"] and [i["rank"] for i in everything] == list(range(1, len(everything) + 1))
    # The South's SMEs rank below the top 2 but a filter still finds them.
    south = matchday.client.get("/buyers/B3/shortlist?region=South", headers=h).json()
    assert south["items"] == [i for i in everything if i["region"] == "South"][:2] and south["items"]
    assert all(i["rank"] > 2 for i in south["items"])
    # The run's export keeps the CLI's top_k; deep=true gives every stored rank.
    assert matchday.client.get("/runs/1/shortlists?buyer_id=B3", headers=h).json()["total"] == 2
    assert matchday.client.get("/runs/1/shortlists?buyer_id=B3&deep=true", headers=h).json()["total"] == len(everything)


def test_a_deleted_buyer_is_no_longer_served(service):
    service.run()
    h = service.headers["matchmaker"]
    assert service.client.get("/buyers/B3/shortlist", headers=h).status_code == 200
    assert service.client.delete("/buyers/B3", headers=h).status_code == 204
    assert service.client.get("/buyers/B3/shortlist", headers=h).status_code == 404
