"""The service's tables in the store: API keys, runs and their results (SQLite and PostgreSQL)."""

import pytest

from tiermatch.services import Filters, read_shortlist
from tiermatch.store import Store

from .test_store import buyer, supplier


@pytest.fixture
def store(database_url_or_engine):
    return Store(database_url_or_engine)


def match_row(kind, buyer_id, supplier_id, rank, certifications=";GMP;"):
    return {"kind": kind, "buyer_id": buyer_id, "supplier_id": supplier_id, "rank": rank, "score": 1.0 / rank,
            "reasons": "r", "group_id": "", "supplier_name": "n", "supplier_sector": "processed_food",
            "supplier_province": "Bangkok", "supplier_region": "Central", "supplier_certifications": certifications,
            "buyer_name": "b", "buyer_type": "exporter", "buyer_sector": "processed_food", "buyer_province": "Bangkok"}


def test_keys_are_found_by_hash_until_revoked(store):
    store.keys.add("k1", "h" * 64, "buyer", "B1", "test")
    assert store.keys.find("h" * 64)["buyer_id"] == "B1"
    assert "key_hash" not in store.keys.all()[0]
    assert store.keys.revoke("k1") and not store.keys.revoke("k1")
    assert store.keys.find("h" * 64) is None


def test_a_completed_run_is_served_and_a_failed_one_is_not(store):
    store.import_register([supplier("S1"), supplier("S2")], [buyer("B1")])
    first = store.runs.create({"top_k": 2})
    store.runs.complete(first["run_id"], [match_row("shortlist", "B1", "S1", 1),
                                         match_row("shortlist", "B1", "S2", 2, ";Halal;")],
                       [{"kind": "supplier", "id": "S2", "reason": "x"}], {"n": 2})
    second = store.runs.create({"top_k": 2})
    store.runs.fail(second["run_id"], "boom")
    assert store.runs.latest_completed_id() == first["run_id"]
    assert store.runs.get(second["run_id"])["error"] == "boom"
    shortlist = read_shortlist(store, "B1", Filters(certification="GMP"))
    assert shortlist.run_id == first["run_id"] and [r["supplier_id"] for r in shortlist.rows] == ["S1"]
    assert store.runs.matches(first["run_id"], "shortlist", buyer_id="B1", limit=1, offset=1)[1][0]["supplier_id"] == "S2"
    assert store.runs.unmatched(first["run_id"]) == [{"kind": "supplier", "id": "S2", "reason": "x"}]
    assert set(store.runs.pair(first["run_id"], "B1", "S2")) == {"shortlist"}


def test_results_of_a_run_land_whole_or_not_at_all(store):
    run = store.runs.create({"top_k": 1})
    with pytest.raises(Exception):
        store.runs.complete(run["run_id"], [match_row("shortlist", "B1", "S1", 1), {"kind": "shortlist"}], [], {})
    assert store.runs.matches(run["run_id"], "shortlist")[0] == 0
    assert store.runs.get(run["run_id"])["status"] == "queued"


def test_interrupted_runs_are_failed(store):
    alive, gone = store.runs.create({}, worker="a"), store.runs.create({}, worker="b")
    assert store.runs.fail_interrupted(lambda worker: worker == "a") == 1
    assert store.runs.get(alive["run_id"])["status"] == "queued" and store.runs.get(gone["run_id"])["status"] == "failed"


def test_list_profiles_filters_and_pages(store):
    store.import_register([supplier("S1", certifications="Halal"), supplier("S2", province="Chon Buri"),
                           supplier("S3", certifications="GMP;Halal")])
    assert store.profiles.page("suppliers", certification="Halal", limit=1, offset=1)[0] == 2
    assert [s.supplier_id for s in store.profiles.page("suppliers", provinces=["Chon Buri"])[1]] == ["S2"]
    assert store.profiles.delete("suppliers", "S1") and store.profiles.get("suppliers", "S1") is None


def test_models_are_stored_with_metrics_and_the_newest_is_in_use_where_adopted(store):
    assert store.models.latest() is None and store.models.in_use() is None
    first = store.models.add("v1", b"one", adopted=True, metrics={"model_metric": 0.7})
    assert "blob" not in first and first["adopted"] is True
    assert store.models.in_use()["blob"] == b"one"
    store.models.add("v2", b"two", adopted=False, metrics={"model_metric": 0.6})
    # The newest learning decided the prior: no model is in use.
    assert store.models.latest()["version"] == "v2" and store.models.in_use() is None
    total, records = store.models.page()
    assert total == 2 and [r["version"] for r in records] == ["v2", "v1"] and "blob" not in records[0]


def test_result_rows_keep_features_thai_reasons_volumes_and_slots(store):
    run = store.runs.create({"top_k": 1})
    row = {**match_row("assignment", "B1", "S1", 1), "reasons_th": "เหตุผล", "features": {"product_fit": 0.5},
           "volume_thb_per_month": 1000.0, "slot": 2, "buyer_demand_thb_per_month": 2000.0}
    store.runs.complete(run["run_id"], [row], [], {})
    stored = store.runs.pair(run["run_id"], "B1", "S1")["assignment"]
    assert {k: stored[k] for k in row} == row


def test_an_older_store_gains_the_new_result_columns(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:  # run_matches as the first service version created it
        conn.execute("CREATE TABLE run_matches (run_id INTEGER, kind VARCHAR(20), buyer_id VARCHAR(200), "
                     "supplier_id VARCHAR(200), rank INTEGER NOT NULL, score FLOAT NOT NULL, reasons TEXT NOT NULL, "
                     "group_id VARCHAR(200) NOT NULL, supplier_name TEXT NOT NULL, supplier_sector VARCHAR(40) NOT NULL, "
                     "supplier_province VARCHAR(80) NOT NULL, supplier_region VARCHAR(40) NOT NULL, "
                     "supplier_certifications TEXT NOT NULL, buyer_name TEXT NOT NULL, buyer_type VARCHAR(20) NOT NULL, "
                     "buyer_sector VARCHAR(40) NOT NULL, buyer_province VARCHAR(80) NOT NULL, "
                     "PRIMARY KEY (run_id, kind, buyer_id, supplier_id))")
        conn.execute("INSERT INTO run_matches VALUES (1, 'shortlist', 'B1', 'S1', 1, 0.5, 'r', '', 'n', 'x', 'p', "
                     "'Central', ';', 'b', 'exporter', 'x', 'p')")
    store = Store(f"sqlite:///{path}")
    old = store.runs.pair(1, "B1", "S1")["shortlist"]
    assert old["reasons_th"] == "" and old["features"] is None and old["slot"] is None


def test_events_are_appended_in_order_with_their_ids(store):
    ids = store.events.append([{"kind": "shown", "buyer_id": "B1", "supplier_id": f"S{k}", "rank": k + 1, "score": 0.5}
                               for k in range(3)])
    assert ids == sorted(ids) and len(set(ids)) == 3
    fix = store.events.append([{"kind": "deal", "buyer_id": "B1", "supplier_id": "S0", "value_thb": 1.0,
                                "supersedes": ids[0]}])[0]
    total, rows = store.events.page(buyer_id="B1")
    assert total == 4 and [r["event_id"] for r in rows] == [*ids, fix]
    assert store.events.get(ids[0])["kind"] == "shown" and store.events.get(fix)["supersedes"] == ids[0]
    assert store.events.page(kind="deal")[0] == 1


def test_the_outcome_log_holds_every_outcome_and_the_history_follows_its_corrections(store):
    from tiermatch.features.profiles import Partnership
    from tiermatch.services import outcomes_from_log, record_event

    store.import_register([supplier("S1"), supplier("S2")], [buyer("B1")],
                          [Partnership(supplier_id="S1", buyer_id="B1", outcome="accepted", date="2025-01-15")])
    store.import_register(partnerships=[Partnership(supplier_id="S1", buyer_id="B1", outcome="accepted",
                                                    date="2025-01-15")])  # the same file again
    imported = store.events.all()
    assert [(e["kind"], e["actor"], str(e["outcome_date"])) for e in imported] == [("accepted", "import", "2025-01-15")]
    wrong = record_event(store, "accepted", "B1", "S2", actor="matchmaker:u1")
    record_event(store, "meeting_requested", "B1", "S2", actor="buyer:B1")
    fixed = record_event(store, "rejected", "B1", "S2", actor="matchmaker:u1", supersedes=wrong["event_id"])
    live = outcomes_from_log(store)
    assert [(p.supplier_id, p.outcome) for p in live] == [("S1", "accepted"), ("S2", "rejected")]
    assert sorted(store.history.all(), key=lambda p: p.supplier_id) == live  # the history is the log's outcomes
    assert fixed["supersedes"] == wrong["event_id"] and store.events.get(wrong["event_id"])["kind"] == "accepted"


def test_shown_rows_written_in_bulk_read_back_whole(store):
    import datetime as dt

    at = dt.datetime(2026, 12, 2, 5, 0, 0, 123456)
    store.events.append_quickly([{"kind": "shown", "buyer_id": "B1", "supplier_id": f"S{k}", "run_id": 1,
                                  "rank": k + 1, "score": 0.5, "propensity": 1.0 if k < 9 else 0.95,
                                  "model_version": "prior", "actor": "buyer:k1", "at": at} for k in range(10)])
    total, rows = store.events.page(kind="shown", limit=20)
    assert total == 10 and [r["supplier_id"] for r in rows] == [f"S{k}" for k in range(10)]
    assert rows[-1]["propensity"] == 0.95 and rows[0]["at"] == at and rows[0]["actor"] == "buyer:k1"
    assert store.events.append([{"kind": "deal", "buyer_id": "B1", "supplier_id": "S1"}]) == [11]


def test_the_funnel_counts_each_pair_under_the_scorer_that_first_showed_it(store):
    from tiermatch.services import funnel

    shown = [("B1", "S1", "prior"), ("B1", "S1", "v2"), ("B1", "S2", "v2"), ("B2", "S1", "v2")]
    store.events.append_quickly([{"kind": "shown", "buyer_id": b, "supplier_id": s, "model_version": v, "rank": 1,
                                  "score": 0.5, "propensity": 1.0} for b, s, v in shown])
    wrong, = store.events.append([{"kind": "deal", "buyer_id": "B1", "supplier_id": "S2", "value_thb": 9e6}])
    store.events.append([{"kind": "deal", "buyer_id": "B1", "supplier_id": "S2", "value_thb": 9e5,
                          "supersedes": wrong},
                         {"kind": "meeting_requested", "buyer_id": "B1", "supplier_id": "S1"},
                         {"kind": "deal", "buyer_id": "B9", "supplier_id": "S9", "value_thb": 1.0}])  # never shown
    rows = {r["model_version"]: r for r in funnel(store)}
    assert rows["prior"] == {"model_version": "prior", "shown": 1, "requested": 1, "met": 0, "deal": 0,
                             "deal_value_thb": 0.0}
    assert rows["v2"] == {"model_version": "v2", "shown": 2, "requested": 1, "met": 1, "deal": 1,
                          "deal_value_thb": 9e5}
