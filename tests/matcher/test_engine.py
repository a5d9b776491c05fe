"""The whole engine on a tiny market whose answer is worked out by hand."""

import numpy as np
import pytest

from tiermatch.features import Buyer, Partnership, Supplier
from tiermatch.matcher import MatchEngine, rank_top_k


@pytest.fixture
def tiny_market():
    """3 SMEs x 4 buyers.

    - B1 requires IATF 16949: only S1 holds it.
    - B2 wants one stamping supplier: S2 ("stamped brackets") fits its text better than S1, and S2 has an
      accepted past proposal; S1 is a candidate too. S3 (sauces) shares no real words.
    - B3 (exporter) requires Halal: S3 holds it (written ฮาลาล) and is export ready.
    - B4 (Chiang Mai retailer) accepts suppliers within 100 km: none is.
    S1 can take one buyer only, so it must serve B1 (its only option) and S2 serves B2.
    """
    suppliers = [
        Supplier(supplier_id="S1", name="Chon Buri Stamping", sector="automotive", products="stamped metal parts",
                 province="Chon Buri", certifications="IATF16949", capacity_thb_per_month=3e6, max_buyers=1),
        Supplier(supplier_id="S2", name="Rayong Press", sector="automotive", products="metal stamping, stamped brackets",
                 province="Rayong", capacity_thb_per_month=1e6, max_buyers=2),
        Supplier(supplier_id="S3", name="Bangkok Sauce", sector="processed_food", products="chili sauce, fish sauce",
                 province="Bangkok", certifications="GMP;ฮาลาล", export_ready=True),
    ]
    buyers = [
        Buyer(buyer_id="B1", name="Nippon Seats", buyer_type="first_tier", sector="automotive", needs="stamped metal parts",
              province="Rayong", required_certifications="IATF 16949", max_suppliers=2, demand_thb_per_month=4e6),
        Buyer(buyer_id="B2", name="Siam Brackets", buyer_type="first_tier", sector="automotive",
              needs="stamped metal brackets", province="Chachoengsao", max_suppliers=1),
        Buyer(buyer_id="B3", name="Thai Taste Export", buyer_type="exporter", sector="processed_food", needs="chili sauce",
              province="Samut Sakhon", required_certifications="Halal"),
        Buyer(buyer_id="B4", name="Lanna Silk Shop", buyer_type="retailer", sector="textiles_garments",
              needs="silk scarves", province="Chiang Mai", max_distance_km=100),
    ]
    # With a buyer no longer in the register: it counts in S2's track record.
    history = [Partnership(supplier_id="S2", buyer_id="B0", outcome="accepted")]
    return suppliers, buyers, history


def test_tiny_market_shortlists(tiny_market):
    result = MatchEngine(top_k=3).run(*tiny_market)
    ranked = [(m.buyer_id, m.rank, m.supplier_id) for m in result.shortlists]
    # B2 needs stamped metal brackets: S2 makes stamped brackets (114 km), S1 stamped metal parts (56 km, IATF).
    assert ranked in ([("B1", 1, "S1"), ("B2", 1, "S2"), ("B2", 2, "S1"), ("B3", 1, "S3")],
                      [("B1", 1, "S1"), ("B2", 1, "S1"), ("B2", 2, "S2"), ("B3", 1, "S3")])
    features = {(m.buyer_id, m.supplier_id): m.features for m in result.shortlists}
    assert features["B2", "S2"]["need_coverage"] >= features["B2", "S1"]["need_coverage"]
    scores = [m.score for m in result.shortlists if m.buyer_id == "B2"]
    assert scores == sorted(scores, reverse=True)


def test_tiny_market_assignment_and_unmatched(tiny_market):
    result = MatchEngine().run(*tiny_market)
    assert sorted((m.buyer_id, m.supplier_id) for m in result.assignment) == [("B1", "S1"), ("B2", "S2"), ("B3", "S3")]
    assert result.unmatched_buyers == {"B4": "no supplier within 100 km"}
    assert result.unmatched_suppliers == {}
    assert result.summary["assigned_pairs"] == 3 and result.summary["buyers"] == 4


def test_reasons_are_plain_words(tiny_market):
    result = MatchEngine().run(*tiny_market)
    reasons = {(m.buyer_id, m.supplier_id): m.reasons for m in result.shortlists}
    assert "IATF 16949 held" in reasons["B1", "S1"]
    assert "km away" in reasons["B1", "S1"] and "capacity covers a supplier slot" in reasons["B1", "S1"]
    assert "1 of 1 proposals to other buyers accepted" in reasons["B2", "S2"]
    assert "Halal held" in reasons["B3", "S3"] and "export ready" in reasons["B3", "S3"]


def test_recommendations_per_sme(tiny_market):
    result = MatchEngine().run(*tiny_market)
    recommended = {}
    for m in result.recommendations:
        recommended.setdefault(m.supplier_id, []).append(m.buyer_id)
    assert recommended["S3"] == ["B3"]
    assert set(recommended["S1"]) == {"B1", "B2"} and recommended["S2"] == ["B2"]


def test_min_score_keeps_weak_pairs_out_of_the_assignment(tiny_market):
    result = MatchEngine(min_score=0.99).run(*tiny_market)
    assert result.assignment == []
    assert set(result.unmatched_suppliers) == {"S1", "S2", "S3"}
    assert len(result.shortlists) == 4  # still ranked for browsing


def test_no_profiles_is_a_clear_error():
    with pytest.raises(ValueError, match="at least one supplier and one buyer"):
        MatchEngine().run([], [])


def test_rank_top_k_orders_within_groups():
    idx, rank = rank_top_k(np.array([2, 0, 2, 0, 2]), np.array([0.5, 0.1, 0.9, 0.3, 0.7]), k=2)
    assert idx.tolist() == [3, 1, 2, 4] and rank.tolist() == [1, 2, 1, 2]
    with pytest.raises(ValueError, match="k >= 1"):
        rank_top_k(np.array([0]), np.array([1.0]), k=0)


def test_a_buyer_too_big_for_any_one_sme_gets_a_group_of_one_cluster():
    """B1 wants 10 M baht a month; no SME makes more than 4 M. The two SMEs of one cluster
    (capacity 4 M and 3 M) and an unclustered one (3.5 M) are all assigned; the demand is
    allocated among them within each SME's capacity, and they share one group_id."""
    def sme(sid, capacity, cluster=""):
        return Supplier(supplier_id=sid, name=sid, sector="textiles_garments", products="cotton t-shirts",
                        province="Samut Sakhon", capacity_thb_per_month=capacity, cluster=cluster)

    suppliers = [sme("S1", 4e6, "Mahachai Garment Cluster"), sme("S2", 3e6, "Mahachai Garment Cluster"), sme("S3", 3.5e6)]
    buyers = [Buyer(buyer_id="B1", name="EU Importer", buyer_type="importer", sector="textiles_garments",
                    needs="cotton t-shirts", province="Bangkok", demand_thb_per_month=10e6, max_suppliers=5)]
    result = MatchEngine(min_score=0).run(suppliers, buyers)
    assert {m.supplier_id for m in result.assignment} == {"S1", "S2", "S3"}
    assert {m.group_id for m in result.assignment} == {"G-B1"}
    volume = {m.supplier_id: m.volume_thb_per_month for m in result.assignment}
    assert volume == {"S1": 4e6, "S2": 3e6, "S3": 3e6}
    assert result.summary["groups"] == 1


def test_fair_exposure_spreads_partnerships_at_a_reported_cost():
    """One SME fits three buyers best; two others, making the same a little farther away, slightly worse."""
    star = Supplier(supplier_id="STAR", name="Star", sector="cosmetics", products="herbal soap and shampoo",
                    province="Bangkok", max_buyers=3)
    others = [Supplier(supplier_id=f"S{k}", name=f"S{k}", sector="cosmetics", products="herbal soap and shampoo",
                       province="Nonthaburi", max_buyers=1) for k in (1, 2)]
    buyers = [Buyer(buyer_id=f"B{k}", name=f"B{k}", buyer_type="retailer", sector="cosmetics",
                    needs="herbal soap and shampoo", province="Bangkok", max_suppliers=1) for k in (1, 2, 3)]
    plain = MatchEngine(min_score=0).run([star, *others], buyers)
    fair = MatchEngine(min_score=0, fair=True).run([star, *others], buyers)
    assert {m.supplier_id for m in plain.assignment} == {"STAR"}
    assert {m.supplier_id for m in fair.assignment} == {"STAR", "S1", "S2"}
    exposure = fair.summary["exposure"]
    assert exposure["with_fairness"]["gini"] < exposure["plain"]["gini"]
    assert exposure["with_fairness"]["total_score"] < exposure["plain"]["total_score"]


def test_agenda_needs_as_many_slots_as_the_busiest_party(tiny_market):
    result = MatchEngine(n_slots=1).run(*tiny_market)
    slots = [(m.buyer_id, m.supplier_id, m.slot) for m in result.assignment]
    assert all(slot == 1 for _, _, slot in slots)  # every SME and buyer has one meeting
    assert result.summary["agenda"] == {"slots_needed": 1, "slots": 1, "unscheduled_meetings": 0}


def test_reasons_in_thai_too(tiny_market):
    result = MatchEngine().run(*tiny_market)
    thai = {(m.buyer_id, m.supplier_id): m.reasons_th for m in result.shortlists}
    assert "มีมาตรฐาน IATF 16949" in thai["B1", "S1"] and "กม." in thai["B1", "S1"]
    assert "อยู่ในอุตสาหกรรมเดียวกัน (ยานยนต์และชิ้นส่วน)" in thai["B1", "S1"]
    assert "ได้รับการตอบรับ 1 จาก 1 ครั้ง" in thai["B2", "S2"]


def test_each_match_carries_its_feature_values(tiny_market):
    from tiermatch.features.pairs import FEATURE_NAMES

    result = MatchEngine().run(*tiny_market)
    top = result.shortlists[0]
    assert list(top.features) == list(FEATURE_NAMES)
    assert top.features["concept_fit"] == pytest.approx(1.0, abs=1e-3)  # "stamped metal parts" both sides
    assert top.features["text_fit"] == pytest.approx(1.0, abs=1e-3) and top.features["sector_fit"] == 1.0


def test_reasons_name_the_concept_or_the_input_relation():
    suppliers = [Supplier(supplier_id="S1", name="a", sector="automotive", products="รับผลิตชิ้นส่วนโลหะปั๊มขึ้นรูป",
                          province="Rayong"),
                 Supplier(supplier_id="S2", name="b", sector="textiles_garments", products="ผ้าหุ้มเบาะรถยนต์",
                          province="Rayong")]
    buyers = [Buyer(buyer_id="B1", name="x", buyer_type="first_tier", sector="automotive",
                    needs="Sourcing stamped metal parts", province="Chon Buri"),
              Buyer(buyer_id="B2", name="y", buyer_type="first_tier", sector="automotive", needs="car seats",
                    province="Chon Buri")]
    result = MatchEngine(min_score=0).run(suppliers, buyers)
    reasons = {(m.buyer_id, m.supplier_id): (m.reasons, m.reasons_th) for m in result.shortlists}
    assert reasons["B1", "S1"][0].startswith("makes stamped metal parts (needed)")
    assert reasons["B1", "S1"][1].startswith("ผลิตชิ้นส่วนโลหะปั๊มขึ้นรูป (ตรงกับที่ต้องการ)")
    english, thai = reasons["B2", "S2"]
    assert english.startswith("its automotive seat fabric goes into") and "(needed)" in english
    assert "textiles and garments supplier feeding the automotive sector" in english
    assert "เป็นวัตถุดิบของ" in thai


def test_a_shared_broader_concept_is_not_called_a_match():
    suppliers = [Supplier(supplier_id="S1", name="a", sector="automotive", products="brake pads", province="Rayong")]
    buyers = [Buyer(buyer_id="B1", name="x", buyer_type="first_tier", sector="automotive",
                    needs="oil filters", province="Rayong")]
    result = MatchEngine(min_score=0).run(suppliers, buyers)
    for m in result.shortlists:
        assert "(needed)" not in m.reasons, m.reasons
