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
