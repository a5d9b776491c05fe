"""The service's tables in the store: API keys, runs and their results (SQLite and PostgreSQL)."""

import pytest

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
    store.add_api_key("k1", "h" * 64, "buyer", "B1", "test")
    assert store.find_api_key("h" * 64)["buyer_id"] == "B1"
    assert "key_hash" not in store.api_keys()[0]
    assert store.revoke_api_key("k1") and not store.revoke_api_key("k1")
    assert store.find_api_key("h" * 64) is None


def test_a_completed_run_is_served_and_a_failed_one_is_not(store):
    store.import_register([supplier("S1"), supplier("S2")], [buyer("B1")])
    first = store.create_run({"top_k": 2})
    store.complete_run(first["run_id"], [match_row("shortlist", "B1", "S1", 1),
                                         match_row("shortlist", "B1", "S2", 2, ";Halal;")],
                       [{"kind": "supplier", "id": "S2", "reason": "x"}], {"n": 2})
    second = store.create_run({"top_k": 2})
    store.fail_run(second["run_id"], "boom")
    assert store.latest_completed_run_id() == first["run_id"]
    assert store.get_run(second["run_id"])["error"] == "boom"
    known, run_id, rows = store.latest_shortlist("B1", certification="GMP")
    assert known and run_id == first["run_id"] and [r["supplier_id"] for r in rows] == ["S1"]
    assert store.run_matches(first["run_id"], "shortlist", buyer_id="B1", limit=1, offset=1)[1][0]["supplier_id"] == "S2"
    assert store.run_unmatched(first["run_id"]) == [{"kind": "supplier", "id": "S2", "reason": "x"}]
    assert set(store.run_pair(first["run_id"], "B1", "S2")) == {"shortlist"}


def test_results_of_a_run_land_whole_or_not_at_all(store):
    run = store.create_run({"top_k": 1})
    with pytest.raises(Exception):
        store.complete_run(run["run_id"], [match_row("shortlist", "B1", "S1", 1), {"kind": "shortlist"}], [], {})
    assert store.run_matches(run["run_id"], "shortlist")[0] == 0
    assert store.get_run(run["run_id"])["status"] == "queued"


def test_interrupted_runs_are_failed(store):
    alive, gone = store.create_run({}, worker="a"), store.create_run({}, worker="b")
    assert store.fail_interrupted_runs(lambda worker: worker == "a") == 1
    assert store.get_run(alive["run_id"])["status"] == "queued" and store.get_run(gone["run_id"])["status"] == "failed"


def test_list_profiles_filters_and_pages(store):
    store.import_register([supplier("S1", certifications="Halal"), supplier("S2", province="Chon Buri"),
                           supplier("S3", certifications="GMP;Halal")])
    assert store.list_profiles("suppliers", certification="Halal", limit=1, offset=1)[0] == 2
    assert [s.supplier_id for s in store.list_profiles("suppliers", provinces=["Chon Buri"])[1]] == ["S2"]
    assert store.delete_profile("suppliers", "S1") and store.get_profile("suppliers", "S1") is None
