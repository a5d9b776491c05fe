"""The outcome log: shown rows logged as served, actions appended, corrections supersede without overwriting,
the funnel per scorer version; read back through the API and the store."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


def _events(svc, **query):
    response = svc.client.get("/events", params=query, headers=svc.headers["matchmaker"])
    assert response.status_code == 200, response.text
    return response.json()


def _flushed(svc):
    svc.app.state.shown.flush()


def test_a_served_shortlist_is_logged_as_shown_with_who_saw_it(served):
    before = _events(served, kind="shown", buyer_id="B1")["total"]
    page = served.client.get("/buyers/B1/shortlist", headers=served.headers["buyer"]).json()
    _flushed(served)
    shown = _events(served, kind="shown", buyer_id="B1", limit=500)
    assert shown["total"] == before + len(page["items"])
    latest = shown["items"][-len(page["items"]):]
    assert [(e["rank"], e["supplier_id"]) for e in latest] == [(i["rank"], i["supplier_id"]) for i in page["items"]]
    assert all(e["actor"].startswith("buyer:") and e["model_version"] == "prior" and e["run_id"] == page["run_id"]
               for e in latest)


def test_the_shown_log_is_written_within_a_second_without_a_flush(served):
    before = _events(served, kind="shown", buyer_id="B2")["total"]
    served.client.get("/buyers/B2/shortlist", headers=served.headers["matchmaker"])
    deadline = time.monotonic() + 10
    while _events(served, kind="shown", buyer_id="B2")["total"] == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _events(served, kind="shown", buyer_id="B2")["total"] > before


def test_actions_are_appended_and_a_correction_supersedes_without_overwriting(service):
    h = service.headers["matchmaker"]
    service.run()
    service.client.get("/buyers/B1/shortlist", headers=h)
    _flushed(service)
    requested = service.client.post("/events", json={"kind": "meeting_requested", "buyer_id": "B1",
                                                     "supplier_id": "S1"}, headers=h)
    assert requested.status_code == 201, requested.text
    deal = service.client.post("/events", json={"kind": "deal", "buyer_id": "B1", "supplier_id": "S1",
                                                "value_thb": 500_000}, headers=h).json()
    # The value was mistyped: a correction, not an edit.
    fixed = service.client.post("/events", json={"kind": "deal", "buyer_id": "B1", "supplier_id": "S1",
                                                 "value_thb": 50_000, "supersedes": deal["event_id"]}, headers=h)
    assert fixed.status_code == 201 and fixed.json()["supersedes"] == deal["event_id"]
    log = {e["event_id"]: e for e in _events(service, buyer_id="B1", supplier_id="S1")["items"]}
    assert log[deal["event_id"]]["value_thb"] == 500_000  # still there, as recorded
    assert log[deal["event_id"]]["superseded_by"] == fixed.json()["event_id"]
    funnel = service.client.get("/programme/funnel", headers=h).json()
    prior = next(row for row in funnel if row["model_version"] == "prior")
    assert prior["shown"] >= 1 and prior["requested"] == 1 and prior["deal"] == 1
    assert prior["deal_value_thb"] == 50_000  # the corrected value counts


def test_feedback_lands_in_the_log_too(service):
    h = service.headers["matchmaker"]
    service.run()
    response = service.client.post("/feedback", json={"buyer_id": "B2", "supplier_id": "S4", "outcome": "accepted"},
                                   headers=h)
    assert response.status_code == 201
    items = _events(service, kind="accepted", buyer_id="B2")["items"]
    assert [(e["supplier_id"], e["actor"].split(":")[0]) for e in items] == [("S4", "matchmaker")]


@pytest.mark.parametrize("body, status, field", [
    ({"kind": "meeting_held", "buyer_id": "B1", "supplier_id": "S404"}, 404, "body.supplier_id"),
    ({"kind": "follow_up", "buyer_id": "B1", "supplier_id": "S1", "value_thb": 10}, 422, "body.value_thb"),
    ({"kind": "deal", "buyer_id": "B1", "supplier_id": "S1", "supersedes": 999999}, 404, "body.supersedes"),
    ({"kind": "shown", "buyer_id": "B1", "supplier_id": "S1"}, 422, "body.kind"),
])
def test_bad_events_are_refused_saying_why_and_nothing_is_stored(service, body, status, field):
    before = service.store.events.page()[0]
    response = service.client.post("/events", json=body, headers=service.headers["matchmaker"])
    assert response.status_code == status and response.json()["field"] == field, response.text
    assert service.store.events.page()[0] == before


def test_a_buyer_logs_its_own_pairs_only(service):
    service.run()
    mine = service.client.post("/events", json={"kind": "meeting_requested", "buyer_id": "B1", "supplier_id": "S2"},
                               headers=service.headers["buyer"])
    other = service.client.post("/events", json={"kind": "meeting_requested", "buyer_id": "B2", "supplier_id": "S4"},
                                headers=service.headers["buyer"])
    assert mine.status_code == 201 and other.status_code == 403


def test_an_outcome_corrected_through_the_log_changes_the_next_run(service):
    """A rejection recorded by mistake, then corrected to accepted: the history read back and the next run
    follow the correction (the SME is the buyer's partner, not a rejected one)."""
    h = service.headers["matchmaker"]
    first = service.run()
    assert "S1" in {r["supplier_id"] for r in service.store.runs.matches(first["run_id"], "shortlist",
                                                                          buyer_id="B1")[1]}
    wrong = service.client.post("/events", json={"kind": "rejected", "buyer_id": "B1", "supplier_id": "S1"},
                                headers=h).json()
    history = service.client.get("/feedback", params={"buyer_id": "B1"}, headers=h).json()["items"]
    assert [(p["supplier_id"], p["outcome"]) for p in history] == [("S1", "rejected")]
    service.client.post("/events", json={"kind": "accepted", "buyer_id": "B1", "supplier_id": "S1",
                                         "supersedes": wrong["event_id"]}, headers=h)
    history = service.client.get("/feedback", params={"buyer_id": "B1"}, headers=h).json()["items"]
    assert [(p["supplier_id"], p["outcome"]) for p in history] == [("S1", "accepted")]
    shown = service.run(show_past=True)
    explanation = service.client.get("/pairs/B1/S1/explanation", headers=h).json()
    assert shown["summary"]["history_rows"] == 1 and explanation["reasons"].startswith("ALREADY this buyer's partner")


@pytest.fixture
def exploring(monkeypatch):
    """Every shortlist explored (``TIERMATCH_EXPLORE=1``)."""
    from tiermatch.settings import get_settings

    monkeypatch.setenv("TIERMATCH_EXPLORE", "1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_an_explored_place_is_shown_marked_logged_with_its_chance_and_weighs_its_inverse_in_training(service,
                                                                                                    exploring):
    from tiermatch.services import outcome_propensities
    from tiermatch.services.results import EXPLORE_WINDOW

    h = service.headers["matchmaker"]
    run = service.run(top_k=2)
    stored = [r["supplier_id"] for r in service.store.runs.matches(run["run_id"], "shortlist", buyer_id="B1")[1]]
    assert len(stored) > 2
    items = service.client.get("/buyers/B1/shortlist", headers=h).json()["items"]
    assert [i["rank"] for i in items] == [1, 2] and items[0]["supplier_id"] == stored[0]
    assert items[1]["explored"] and items[1]["supplier_id"] in stored[2:2 + EXPLORE_WINDOW]
    # The page shows the same shortlist, the explored SME marked.
    page = service.client.get("/buyers/B1/shortlist", headers=h)  # the same again: drawn once per run and buyer
    assert page.json()["items"] == items
    _flushed(service)
    shown = _events(service, kind="shown", buyer_id="B1")["items"][-2:]
    window = min(EXPLORE_WINDOW, len(stored) - 2)
    assert [(e["supplier_id"], e["propensity"]) for e in shown] == [(stored[0], 1.0),
                                                                    (items[1]["supplier_id"], 1 / window)]
    service.client.post("/events", json={"kind": "accepted", "buyer_id": "B1", "supplier_id": items[1]["supplier_id"]},
                        headers=h)
    assert outcome_propensities(service.store) == {(items[1]["supplier_id"], "B1"): 1 / window}



@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 12), top_k=st.integers(1, 8), share=st.floats(0, 1), key=st.text(max_size=8))
def test_exploration_moves_at_most_one_sme_from_just_below_the_cut_into_the_last_place(n, top_k, share, key):
    from tiermatch.services.results import EXPLORE_WINDOW, explore

    rows = [{"rank": r, "supplier_id": f"S{r}"} for r in range(1, n + 1)]
    out = explore(rows, top_k, share, key)
    assert [r["rank"] for r in out] == list(range(1, n + 1))  # places keep their numbers
    assert sorted(r["supplier_id"] for r in out) == sorted(r["supplier_id"] for r in rows)  # nothing lost
    moved = [(k, r) for k, r in enumerate(out) if r["supplier_id"] != rows[k]["supplier_id"]]
    assert out[:top_k - 1] == [{**r, "explored": False, "propensity": 1.0} for r in rows[:top_k - 1]]
    if moved:
        (last, explored), (back, _) = moved
        assert last == top_k - 1 and explored["explored"] and top_k <= back < top_k + EXPLORE_WINDOW
        assert sum(r["explored"] for r in out) == 1
    assert explore(rows, top_k, share, key) == out  # drawn once per key
    if share == 0:
        assert not moved
    if n > top_k and share > 0:  # the chances of the last place and the window add up to the one place
        assert sum(r["propensity"] for r in out[top_k - 1:]) == pytest.approx(1.0)


def test_about_the_share_asked_for_is_explored():
    from tiermatch.services.results import explore

    rows = [{"rank": r, "supplier_id": f"S{r}"} for r in range(1, 21)]
    explored = sum(explore(rows, 10, 0.05, f"run 1 B{j}")[9]["explored"] for j in range(4000))
    assert 140 <= explored <= 260  # 200 expected; beyond five standard deviations (about 14) either way
