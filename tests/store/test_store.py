import pytest

from tiermatch.features import Buyer, Partnership, Supplier
from tiermatch.store import Store


def supplier(sid, **extra):
    fields = dict(supplier_id=sid, name=f"SME {sid}", sector="processed_food", products="chili sauce", province="Bangkok")
    return Supplier(**{**fields, **extra})


def buyer(bid, **extra):
    return Buyer(buyer_id=bid, name=f"Buyer {bid}", buyer_type="exporter", sector="processed_food",
                 needs="ซอสพริก", province="Samut Sakhon", **extra)


@pytest.fixture
def store(database_url_or_engine):
    return Store(database_url_or_engine)


def test_round_trip_keeps_every_field(store):
    s = supplier("S1", certifications="อย.;Halal", capacity_thb_per_month=500_000, cluster="ซอสไทย", otop=True,
                 latitude=13.7, longitude=100.5)
    b = buyer("B1", required_certifications="Halal", max_distance_km=300, demand_thb_per_month=2e6)
    p = Partnership(supplier_id="S1", buyer_id="B1", outcome="deal", date="2024-02-29", value_thb=150000)
    store.import_register([s], [b], [p])
    assert store.profiles.all("suppliers") == [s] and store.profiles.all("buyers") == [b] and store.history.all() == [p]


def test_importing_twice_updates_by_id_and_duplicates_nothing(store):
    first = store.import_register([supplier("S1"), supplier("S2")], [buyer("B1")],
                                  [Partnership(supplier_id="S1", buyer_id="B1", outcome="accepted", date="2024-01-01")])
    assert first.added == {"suppliers": 2, "buyers": 1, "partnerships": 1}
    again = store.import_register([supplier("S1", products="fish sauce"), supplier("S3")], [buyer("B1")],
                                  [Partnership(supplier_id="S1", buyer_id="B1", outcome="accepted", date="2024-01-01")])
    assert again.added == {"suppliers": 1, "buyers": 0, "partnerships": 0}
    assert again.updated == {"suppliers": 1, "buyers": 1, "partnerships": 1}
    assert store.counts() == {"suppliers": 3, "buyers": 1, "partnerships": 1}
    assert {s.supplier_id: s.products for s in store.profiles.all("suppliers")}["S1"] == "fish sauce"


def test_a_failed_import_changes_nothing(store):
    store.import_register([supplier("S1")])

    class Broken(Partnership):
        def model_dump(self, **kwargs):
            raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        store.import_register([supplier("S1", products="changed"), supplier("S2")], [buyer("B1")],
                              [Broken(supplier_id="S1", buyer_id="B1", outcome="deal")])
    assert store.counts() == {"suppliers": 1, "buyers": 0, "partnerships": 0}
    assert store.profiles.all("suppliers")[0].products == "chili sauce"


def test_known_ids(store):
    store.import_register([supplier("S1"), supplier("S2")], [buyer("B9")])
    assert store.profiles.ids("suppliers") == {"S1", "S2"} and store.profiles.ids("buyers") == {"B9"}


@pytest.mark.abuse
def test_two_imports_at_once_both_succeed_and_every_row_is_one_of_theirs(database_url_or_engine):
    import threading

    shared = [f"S{i:05d}" for i in range(1500)]
    batches = {who: [supplier(sid, name=f"{who} {sid}") for sid in shared]
               + [supplier(f"{who}{i:05d}", name=f"{who} own") for i in range(500)] for who in ("A", "B")}
    for attempt in range(3):
        stores = {who: Store(database_url_or_engine) for who in batches}
        start, failures = threading.Barrier(2), []

        def run(who):
            start.wait()
            try:
                stores[who].import_register(batches[who], [buyer(f"B{attempt}{who}")])
            except Exception as exc:  # the test reports it below
                failures.append(f"{who}: {type(exc).__name__}: {exc}"[:300])

        threads = [threading.Thread(target=run, args=(who,)) for who in batches]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == [], failures
        check = Store(database_url_or_engine)
        assert check.profiles.ids("suppliers") == set(shared) | {s.supplier_id for b in batches.values() for s in b}
        names = {check.profiles.get("suppliers", sid).name for sid in shared[:50]}
        assert names <= {f"{who} {sid}" for who in batches for sid in shared[:50]}
