"""Reading profiles as people write them: word boundaries, typing slips, Thai category names, products no
vocabulary lists, links learned from outcomes, and the encoder's cache."""

from __future__ import annotations

import pytest

from tiermatch.features import Buyer, Partnership, Supplier
from tiermatch.features.mapper import ConceptMapper
from tiermatch.matcher import MatchEngine, prepare_context


@pytest.fixture(scope="module")
def mapper():
    return ConceptMapper().fit()


def _concepts(mapper, text):
    return [mapper.vocabulary_.ids_[c] for c in mapper.item_concepts([text])[0]]


def test_a_short_synonym_is_not_read_inside_a_longer_word(mapper):
    # สเตอร์ (sprocket) lies inside คลัสเตอร์ (cluster, the programme's own word).
    assert "mach.power_transmission" not in _concepts(mapper, "สมาชิกคลัสเตอร์เครื่องสำอาง")
    assert "mach.power_transmission" in _concepts(mapper, "โซ่และสเตอร์")
    assert _concepts(mapper, "ผ้าเดนิม") == ["tex.denim"]  # a synonym the tokenizer cuts in three is still read


@pytest.mark.parametrize("text, meant, not_meant", [
    ("anti-vibration mounts", "auto.rubber_parts", "gem.findings"),
    ("rubber engine mounts", "auto.rubber_parts", "gem.findings"),
    ("jewelry mountings", "gem.findings", "auto.rubber_parts"),
])
def test_mounts_on_an_engine_are_not_mountings_of_jewelry(mapper, text, meant, not_meant):
    found = _concepts(mapper, text)
    assert meant in found and not_meant not in found


def test_a_soap_maker_of_a_cluster_is_not_proposed_for_chains_and_sprockets():
    suppliers = [Supplier(supplier_id="SOAP", name="a", sector="cosmetics", products="สบู่สมุนไพร สมาชิกคลัสเตอร์เครื่องสำอาง",
                          province="Rayong"),
                 Supplier(supplier_id="CHAIN", name="b", sector="automotive", products="โซ่และสเตอร์", province="Rayong")]
    buyers = [Buyer(buyer_id="B1", name="x", buyer_type="first_tier", sector="automotive", needs="chains and sprockets",
                    province="Rayong")]
    result = MatchEngine(encoder="none", min_score=0).run(suppliers, buyers)
    reasons = {m.supplier_id: m.reasons for m in result.shortlists}
    assert reasons["CHAIN"].startswith("makes chains")
    assert "SOAP" not in reasons or "(needed)" not in reasons["SOAP"]


@pytest.mark.parametrize("typed", ["ล้อแม็ก", "ล้อแมก", "ล้อแม๊ก"])
def test_thai_tone_marks_typed_otherwise_still_name_the_product(mapper, typed):
    assert _concepts(mapper, typed) == ["auto.wheels"]


@pytest.mark.parametrize("typed, meant", [("red paalm oil", "palm.red_palm_oil"), ("vrigin red palm oil", "palm.red_palm_oil")])
def test_an_english_word_with_a_swapped_or_doubled_letter_is_read_as_meant(mapper, typed, meant):
    assert meant in _concepts(mapper, typed)


def test_a_real_word_one_letter_from_a_synonym_stays_itself(mapper):
    assert mapper._spelled("paint") == "paint" and mapper._spelled("vrigin") == "virgin"


def test_a_buyer_typing_without_tone_marks_finds_the_wheel_maker_through_the_vocabulary():
    suppliers = [Supplier(supplier_id="W", name="a", sector="automotive", products="ล้อแม็กรถยนต์", province="Rayong"),
                 Supplier(supplier_id="X", name="b", sector="automotive", products="เบาะรถยนต์", province="Rayong")]
    buyers = [Buyer(buyer_id="B1", name="x", buyer_type="first_tier", sector="automotive", needs="ล้อแมก",
                    province="Rayong")]
    result = MatchEngine(encoder="none", min_score=0).run(suppliers, buyers)
    assert result.shortlists[0].supplier_id == "W" and "(needed)" in result.shortlists[0].reasons


@pytest.mark.parametrize("written, sector", [("อาหารแปรรูป", "processed_food"), ("อุตสาหกรรมอาหารแปรรูป", "processed_food"),
                                             ("กลุ่มเครื่องสำอาง", "cosmetics"), ("Gems & Jewelry", "gems_jewelry")])
def test_sector_written_in_thai_is_accepted(written, sector):
    assert Supplier(supplier_id="S", name="n", sector=written, products="x", province="ชลบุรี").sector == sector


@pytest.mark.parametrize("written, buyer_type", [("ผู้ส่งออก", "exporter"), ("ผู้นำเข้า", "importer"),
                                                 ("ผู้ค้าปลีก", "retailer"), ("Tier 1", "first_tier")])
def test_buyer_type_written_in_thai_is_accepted(written, buyer_type):
    buyer = Buyer(buyer_id="B", name="n", buyer_type=written, sector="อาหารแปรรูป", needs="x", province="Bangkok")
    assert buyer.buyer_type == buyer_type


def test_a_thai_sector_in_a_file_is_kept_and_a_wrong_one_named_by_row_and_field(tmp_path, write_csv):
    from tests.conftest import SUPPLIER_HEADER
    from tiermatch.io import read_suppliers

    row = dict(zip(SUPPLIER_HEADER, [""] * len(SUPPLIER_HEADER)))
    good = {**row, "supplier_id": "S1", "name": "a", "sector": "อุตสาหกรรมอาหารแปรรูป", "products": "น้ำพริก",
            "province": "ชลบุรี"}
    bad = {**good, "supplier_id": "S2", "sector": "อาหารทะเล"}
    path = write_csv("s.csv", SUPPLIER_HEADER, [[r[c] for c in SUPPLIER_HEADER] for r in (good, bad)])
    read = read_suppliers(path)
    assert [s.sector for s in read.records] == ["processed_food"]
    assert [(e.line, e.field) for e in read.errors] == [(3, "sector")]


def test_a_product_no_vocabulary_lists_is_found_across_languages_by_meaning():
    rattan = Supplier(supplier_id="RATTAN", name="a", sector="other", products="เฟอร์นิเจอร์หวาย", province="Ayutthaya")
    others = [Supplier(supplier_id=f"S{i}", name="b", sector="other", products=p, province="Ayutthaya")
              for i, p in enumerate(["น้ำพริกเผา", "ผ้าไหมมัดหมี่", "สบู่สมุนไพร", "ชิ้นส่วนโลหะปั๊มขึ้นรูป"])]
    buyers = [Buyer(buyer_id="B1", name="x", buyer_type="importer", sector="other", needs="rattan furniture",
                    province="Bangkok")]
    assert ConceptMapper().fit().top_concepts("เฟอร์นิเจอร์หวาย") == []
    result = MatchEngine(min_score=0).run([*others, rattan], buyers)
    top = result.shortlists[0]
    assert top.supplier_id == "RATTAN"
    assert top.reasons.startswith("makes เฟอร์นิเจอร์หวาย, close to rattan furniture (needed)")
    assert [m.supplier_id for m in result.assignment] == ["RATTAN"]
    # Without the encoder nothing links the two.
    blind = MatchEngine(encoder="none", min_score=0).run([*others, rattan], buyers)
    assert "RATTAN" not in {m.supplier_id for m in blind.shortlists}


def test_a_word_link_learned_from_accepted_partnerships_bridges_words_no_concept_knows():
    suppliers = [Supplier(supplier_id=f"T{i}", name="x", sector="automotive", products="ยางรองแท่นหม้อแปลง",
                          province="Rayong") for i in range(4)]
    suppliers += [Supplier(supplier_id=f"P{i}", name="x", sector="cosmetics", products="สบู่สมุนไพร", province="Rayong")
                  for i in range(3)]
    buyers = [Buyer(buyer_id=f"BT{j}", name="y", buyer_type="first_tier", sector="automotive",
                    needs="transformer rubber pads", province="Rayong") for j in range(4)]
    buyers += [Buyer(buyer_id=f"BP{j}", name="y", buyer_type="retailer", sector="cosmetics", needs="herbal soap",
                     province="Rayong") for j in range(3)]
    history = ([Partnership(supplier_id=f"T{i}", buyer_id=f"BT{i}", outcome="accepted") for i in range(3)]
               + [Partnership(supplier_id=f"P{i}", buyer_id=f"BP{i}", outcome="accepted") for i in range(3)])
    # T3 and BT3 never met: only the link learned from the others joins their words.
    without = prepare_context(suppliers, buyers, [], encoder=None).pair_features([3], [3]).column("text_fit")[0]
    learned = prepare_context(suppliers, buyers, history, encoder=None).pair_features([3], [3]).column("text_fit")[0]
    assert without == 0 and learned > 0.5


def test_an_import_reads_new_items_with_the_encoder_once(tmp_path):
    from tiermatch.services import import_records
    from tiermatch.services.imports import embed_profiles
    from tiermatch.store import Store

    store = Store(f"sqlite:///{tmp_path}/s.sqlite")
    suppliers = [Supplier(supplier_id="S1", name="a", sector="other", products="เฟอร์นิเจอร์หวาย, โต๊ะไม้สัก",
                          province="Rayong")]
    import_records(store, "suppliers", suppliers)
    assert store.embeddings.count() == 2
    again = embed_profiles(store, suppliers, [])
    assert again == {"items": 2, "computed": 0}
    changed = [suppliers[0].model_copy(update={"products": "เฟอร์นิเจอร์หวาย, เก้าอี้หวาย"})]
    assert embed_profiles(store, changed, []) == {"items": 2, "computed": 1}
