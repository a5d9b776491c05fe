"""The demo register: reproducible, valid, plausible, and an honest ground truth."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiermatch.datasets import (
    DemoRegister,
    make_register,
    split_partnerships,
    true_relevance,
    write_register,
)
from tiermatch.datasets._catalog import CATALOG
from tiermatch.features.profiles import Buyer, Partnership, Supplier
from tiermatch.features.reference import CERTIFICATIONS, SECTORS, find_province, haversine_km
from tiermatch.io import read_buyers, read_partnerships, read_suppliers

THAI = re.compile("[\u0e00-\u0e7f]")
LATIN = re.compile("[A-Za-z]{3}")
SUPPLIER_COLUMNS = {"supplier_id", "name", "sector", "products", "province", "certifications", "latitude",
                    "longitude", "capacity_thb_per_month", "employees", "cluster", "max_buyers", "export_ready", "otop"}
BUYER_COLUMNS = {"buyer_id", "name", "buyer_type", "sector", "needs", "province", "required_certifications",
                 "latitude", "longitude", "demand_thb_per_month", "max_suppliers", "max_distance_km"}
PARTNERSHIP_COLUMNS = {"supplier_id", "buyer_id", "outcome", "date"}
ITEMS = {item.key: item for item in CATALOG}


@pytest.fixture(scope="module")
def register() -> DemoRegister:
    return make_register(random_state=0)


def _language(text: str) -> str:
    thai, latin = bool(THAI.search(text)), bool(LATIN.search(text))
    return "both" if thai and latin else "th" if thai else "en"


# --------------------------------------------------------------------------- reproducibility and sizes


def test_same_seed_same_register():
    first, second = make_register(300, 30, random_state=11), make_register(300, 30, random_state=11)
    assert first == second
    assert first.supplier_rows == second.supplier_rows and first.buyer_rows == second.buyer_rows


def test_another_seed_another_register():
    first, second = make_register(300, 30, random_state=11), make_register(300, 30, random_state=12)
    assert [s.products for s in first.suppliers] != [s.products for s in second.suppliers]
    assert first.partnerships != second.partnerships


def test_sizes_and_ids(register):
    assert len(register.suppliers) == len(register.supplier_items) == len(register.supplier_rows) == 2000
    assert len(register.buyers) == len(register.buyer_items) == len(register.buyer_rows) == 200
    assert register.suppliers[0].supplier_id == "S00001" and register.suppliers[-1].supplier_id == "S02000"
    assert register.buyers[0].buyer_id == "B0001" and register.buyers[-1].buyer_id == "B0200"
    small = make_register(7, 3, random_state=1)
    assert (len(small.suppliers), len(small.buyers)) == (7, 3)
    ids = ["S00003", "S00001"]
    assert register.supplier_positions(ids).tolist() == [2, 0]
    assert register.buyer_positions(["B0200"]).tolist() == [199]


@pytest.mark.parametrize("kwargs, message", [
    ({"n_suppliers": 0}, "n_suppliers >= 1, but n_suppliers = 0"),
    ({"n_buyers": -2}, "n_buyers >= 1, but n_buyers = -2"),
    ({"proposals_per_buyer": (5, 2)}, "proposals_per_buyer"),
])
def test_bad_sizes_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make_register(**kwargs)


# --------------------------------------------------------------------------- validity


def test_every_record_validates(register):
    for row, supplier in zip(register.supplier_rows, register.suppliers):
        assert Supplier.model_validate(row) == supplier
    for row, buyer in zip(register.buyer_rows, register.buyers):
        assert Buyer.model_validate(row) == buyer
    supplier_ids = {s.supplier_id for s in register.suppliers}
    buyer_ids = {b.buyer_id for b in register.buyers}
    for p in register.partnerships:
        assert Partnership.model_validate(p.model_dump()) == p
        assert p.supplier_id in supplier_ids and p.buyer_id in buyer_ids
        assert dt.date(2019, 1, 1) <= p.date <= dt.date(2026, 12, 31)
        assert (p.value_thb is not None) <= (p.outcome == "deal")


@settings(max_examples=8, deadline=None)
@given(n_suppliers=st.integers(1, 40), n_buyers=st.integers(1, 8), seed=st.integers(0, 2**32 - 1))
def test_any_small_register_is_consistent(n_suppliers, n_buyers, seed):
    reg = make_register(n_suppliers, n_buyers, random_state=seed)
    assert len(reg.suppliers) == n_suppliers and len(reg.buyers) == n_buyers
    pairs = [(p.supplier_id, p.buyer_id) for p in reg.partnerships]
    assert len(pairs) == len(set(pairs))
    per_buyer = Counter(b for _, b in pairs)
    assert all(count <= 6 for count in per_buyer.values())
    assert all(1 <= len(items) <= 4 for items in reg.supplier_items)
    assert all(1 <= len(items) <= 3 for items in reg.buyer_items)


# --------------------------------------------------------------------------- the catalogue


def test_catalogue_is_rich_and_bilingual():
    assert 150 <= len(CATALOG) <= 250
    assert len(ITEMS) == len(CATALOG)
    assert {item.sector for item in CATALOG} == set(SECTORS)
    for item in CATALOG:
        assert item.thai and all(THAI.search(p) for p in item.thai), item.key
        assert item.english and all(LATIN.search(p) for p in item.english), item.key
        assert item.route in ("input", "finished", "both")
        assert set(item.buyer_sectors) <= set(SECTORS)
    assert "ชิ้นส่วนโลหะปั๊มขึ้นรูป" in ITEMS["stamped_metal_parts"].thai
    # Cross-sector inputs the programme relies on.
    assert ITEMS["seat_fabric"].sector == "textiles_garments" and "automotive" in ITEMS["seat_fabric"].buyer_sectors
    assert "processed_food" in ITEMS["palm_olein"].buyer_sectors
    assert "cosmetics" in ITEMS["glycerin"].buyer_sectors
    assert set(ITEMS["corrugated_boxes"].buyer_sectors) == set(SECTORS)


def test_ground_truth_items_fit_the_profiles(register):
    for supplier, keys in zip(register.suppliers, register.supplier_items):
        assert len(set(keys)) == len(keys)
        assert all(ITEMS[k].sector == supplier.sector for k in keys)
    for buyer, keys in zip(register.buyers, register.buyer_items):
        routes = {"input", "both"} if buyer.buyer_type == "first_tier" else {"finished", "both"}
        assert all(buyer.sector in ITEMS[k].buyer_sectors and ITEMS[k].route in routes for k in keys)
    needed = Counter(ITEMS[k].sector for b, keys in zip(register.buyers, register.buyer_items)
                     for k in keys if ITEMS[k].sector != b.sector)
    assert needed, "some buyers should source across sectors (packaging, seat fabric, palm olein...)"


# --------------------------------------------------------------------------- plausibility


def test_sector_proportions(register):
    counts = Counter(s.sector for s in register.suppliers)
    ranked = [sector for sector, _ in counts.most_common()]
    assert ranked[:2] == ["processed_food", "textiles_garments"]
    assert set(counts) == set(SECTORS)
    assert counts["other"] < counts["automotive"]


def test_places(register):
    def share(sector, predicate):
        rows = [s for s in register.suppliers if s.sector == sector]
        return np.mean([predicate(s) for s in rows])

    assert share("palm_oil", lambda s: find_province(s.province).region == "South") > 0.85
    seaboard = {"Chon Buri", "Rayong", "Chachoengsao", "Samut Prakan", "Pathum Thani", "Phra Nakhon Si Ayutthaya",
                "Bangkok", "Prachin Buri"}
    assert share("automotive", lambda s: s.province in seaboard) > 0.8
    assert share("gems_jewelry", lambda s: s.province in {"Chanthaburi", "Bangkok"}) > 0.6
    assert share("textiles_garments", lambda s: s.province in {"Bangkok", "Samut Sakhon", "Chiang Mai",
                                                               "Khon Kaen"}) > 0.4
    provinces_with_food = {s.province for s in register.suppliers if s.sector == "processed_food"}
    assert len(provinces_with_food) > 40  # food is made everywhere
    jittered = [row for row in register.supplier_rows if row["latitude"]]
    assert 0.2 < len(jittered) / len(register.supplier_rows) < 0.6
    for row, supplier in zip(register.supplier_rows, register.suppliers):
        if row["latitude"]:
            province = find_province(supplier.province)
            assert haversine_km(supplier.latitude, supplier.longitude, province.latitude, province.longitude) < 60


def test_texts_mix_thai_and_english(register):
    supplier_languages = Counter(_language(s.products) for s in register.suppliers)
    buyer_languages = Counter(_language(b.needs) for b in register.buyers)
    assert all(supplier_languages[lang] > 100 for lang in ("th", "en", "both"))
    assert all(buyer_languages[lang] > 10 for lang in ("th", "en", "both"))
    assert any(re.search("[๐-๙]", s.products) for s in register.suppliers)
    assert any(s.products.startswith(("รับผลิต", "ผู้ผลิต", "จำหน่าย")) for s in register.suppliers)
    assert any(b.needs.startswith("Sourcing") for b in register.buyers)
    assert any(b.needs.startswith("ต้องการ") for b in register.buyers)
    # Province and certification spellings as typed, not only the canonical ones.
    assert any(THAI.search(row["province"]) for row in register.supplier_rows)
    written = {c.strip() for row in register.supplier_rows for c in row["certifications"].split(";") if c.strip()}
    assert written - set(CERTIFICATIONS), "some certifications should be written with aliases"
    assert {"อย.", "IATF16949"} & written
    assert any(THAI.search(s.name) for s in register.suppliers)
    assert any(s.name.endswith("Co., Ltd.") for s in register.suppliers)


def test_profiles_fields(register):
    suppliers = register.suppliers
    in_cluster = [s for s in suppliers if s.cluster]
    assert 0.3 < len(in_cluster) / len(suppliers) < 0.5
    for name, members in _group(in_cluster, lambda s: s.cluster).items():
        assert len({s.sector for s in members}) == 1, name
        assert len({s.province for s in members}) == 1, name
    assert {s.max_buyers for s in suppliers} <= set(range(1, 6))
    assert any(row["max_buyers"] == "" for row in register.supplier_rows)
    otop_share = {sector: np.mean([s.otop for s in suppliers if s.sector == sector]) for sector in SECTORS}
    assert otop_share["processed_food"] > 0.15 and otop_share["automotive"] == 0
    assert 0.1 < np.mean([s.export_ready for s in suppliers]) < 0.5
    assert all(s.capacity_thb_per_month is None or s.capacity_thb_per_month >= 20_000 for s in suppliers)
    auto_certs = Counter(c for s in suppliers if s.sector == "automotive" for c in s.certifications)
    assert auto_certs["IATF 16949"] > 0 and auto_certs["ISO 9001"] > auto_certs["IATF 16949"]
    assert Counter(c for s in suppliers if s.sector == "palm_oil" for c in s.certifications)["RSPO"] > 0


def _group(records, key):
    groups = {}
    for record in records:
        groups.setdefault(key(record), []).append(record)
    return groups


def test_buyers(register):
    buyers = register.buyers
    assert set(Counter(b.buyer_type for b in buyers)) == {"first_tier", "exporter", "importer", "retailer"}
    assert all(2 <= b.max_suppliers <= 10 for b in buyers)
    assert all(len(b.required_certifications) <= 2 for b in buyers)
    limited = [b for b in buyers if b.sector == "automotive" and b.buyer_type == "first_tier"]
    assert np.mean([b.max_distance_km is not None for b in limited]) > 0.3
    foreign = [b for b in buyers if "(Thailand)" in b.name]
    assert foreign and np.mean([_language(b.needs) != "th" for b in foreign]) > 0.9


def test_some_buyers_need_a_group(register):
    largest = {}
    for s in register.suppliers:
        if s.capacity_thb_per_month is not None:
            largest[s.sector] = max(largest.get(s.sector, 0.0), s.capacity_thb_per_month)
    big = [b for b in register.buyers if b.demand_thb_per_month and b.demand_thb_per_month > largest[b.sector]]
    assert len(big) >= 10


# --------------------------------------------------------------------------- files


def test_written_files_follow_the_interchange_format(register, tmp_path):
    paths = write_register(register, tmp_path / "out")
    assert set(paths) == {"suppliers", "buyers", "partnerships"}
    for name, columns, n_rows in (("suppliers", SUPPLIER_COLUMNS, 2000), ("buyers", BUYER_COLUMNS, 200),
                                  ("partnerships", PARTNERSHIP_COLUMNS, len(register.partnerships))):
        with paths[name].open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
        assert columns <= set(reader.fieldnames), name
        assert len(rows) == n_rows
    assert not list(tmp_path.glob("out/.*.tmp"))
    suppliers = read_suppliers(paths["suppliers"])
    buyers = read_buyers(paths["buyers"])
    partnerships = read_partnerships(paths["partnerships"])
    assert not suppliers.errors and not buyers.errors and not partnerships.errors
    assert suppliers.records == register.suppliers
    assert buyers.records == register.buyers
    assert partnerships.records == register.partnerships


# --------------------------------------------------------------------------- ground truth and history


def _slow_relevance(register, i, j):
    """The definition, written out once more from the profiles."""
    supplier, buyer = register.suppliers[i], register.buyers[j]
    offered, needed = set(register.supplier_items[i]), set(register.buyer_items[j])
    km = float(haversine_km(supplier.latitude, supplier.longitude, buyer.latitude, buyer.longitude))
    passes = set(buyer.required_certifications) <= set(supplier.certifications) and (
        buyer.max_distance_km is None or km <= buyer.max_distance_km)
    if not passes:
        return 0
    if offered & needed:
        return 2
    offered_groups = {g for k in offered for g in ITEMS[k].groups}
    needed_groups = {g for k in needed for g in ITEMS[k].groups}
    return 1 if offered_groups & needed_groups else 0


def test_true_relevance_matches_its_definition(register):
    rng = np.random.default_rng(0)
    rows, cols = rng.integers(0, 2000, 3000), rng.integers(0, 200, 3000)
    rows = np.concatenate([rows, register.supplier_positions([p.supplier_id for p in register.partnerships])])
    cols = np.concatenate([cols, register.buyer_positions([p.buyer_id for p in register.partnerships])])
    fast = true_relevance(register, rows, cols)
    assert fast.tolist() == [_slow_relevance(register, i, j) for i, j in zip(rows, cols)]
    grid = true_relevance(register, np.arange(50)[:, None], np.arange(20)[None, :])
    assert grid.shape == (50, 20)
    assert grid[7, 3] == _slow_relevance(register, 7, 3)
    assert (true_relevance(register, np.arange(2000)[:, None], np.arange(200)[None, :]) == 2).any(axis=0).mean() > 0.8


def test_history_follows_true_relevance(register):
    per_buyer = Counter(p.buyer_id for p in register.partnerships)
    assert set(per_buyer) == {b.buyer_id for b in register.buyers}
    assert min(per_buyer.values()) >= 3 and max(per_buyer.values()) <= 6
    outcomes = Counter(p.outcome for p in register.partnerships)
    assert outcomes["rejected"] > 0 and 0 < outcomes["deal"] < outcomes["deal"] + outcomes["accepted"]
    rows = register.supplier_positions([p.supplier_id for p in register.partnerships])
    cols = register.buyer_positions([p.buyer_id for p in register.partnerships])
    relevance = true_relevance(register, rows, cols)
    positive = np.array([p.outcome != "rejected" for p in register.partnerships])
    # Matchmakers propose mostly plausible pairs, and plausible pairs are accepted more often.
    assert np.mean(relevance > 0) > 0.4
    assert positive[relevance == 2].mean() > positive[relevance == 0].mean() + 0.25
    deal = np.array([p.outcome == "deal" for p in register.partnerships])
    assert deal[relevance == 2].mean() > deal[relevance == 0].mean()
    assert all(p.value_thb is None or p.value_thb > 0 for p in register.partnerships)


def test_split_partnerships_holds_out_per_buyer(register):
    train, test = split_partnerships(register.partnerships)
    assert len(train) + len(test) == len(register.partnerships)
    assert Counter(p.buyer_id for p in test) == Counter({b.buyer_id: 1 for b in register.buyers})
    latest = {}
    for p in train:
        latest[p.buyer_id] = max(latest.get(p.buyer_id, p.date), p.date)
    assert all(p.date >= latest[p.buyer_id] for p in test)

    train, test = split_partnerships(register.partnerships, n_test_per_buyer=2, by="random", random_state=0,
                                     positive_only=True)
    assert all(p.outcome in ("accepted", "deal") for p in test)
    assert max(Counter(p.buyer_id for p in test).values()) <= 2
    assert {p.buyer_id for p in train} == {b.buyer_id for b in register.buyers}
    assert split_partnerships(register.partnerships, by="random", random_state=4) == split_partnerships(
        register.partnerships, by="random", random_state=4)


def test_split_partnerships_refuses_bad_arguments(register):
    with pytest.raises(ValueError, match="by in .*found 'latest'"):
        split_partnerships(register.partnerships, by="latest")
    with pytest.raises(ValueError, match="n_test_per_buyer >= 1, but n_test_per_buyer = 0"):
        split_partnerships(register.partnerships, n_test_per_buyer=0)


def test_true_relevance_refuses_positions_outside_the_register(register):
    with pytest.raises(IndexError, match=r"supplier positions in \[0, 2000\), found 2000"):
        true_relevance(register, [0, 2000], [0, 1])
    with pytest.raises(IndexError, match=r"buyer positions in \[0, 200\), found -1"):
        true_relevance(register, [0], [-1])


def test_cross_language_register_writes_smes_in_thai_and_buyers_in_english():
    from tiermatch.features.text import is_thai

    register = make_register(120, 15, random_state=2, cross_language=True)
    assert all(is_thai(s.products) for s in register.suppliers)
    assert not any(is_thai(b.needs) for b in register.buyers)
