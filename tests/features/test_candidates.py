"""Candidate generation: hard constraints first, exact and two-stage search."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiermatch.datasets import make_register
from tiermatch.features import Buyer, Supplier
from tiermatch.features.candidates import build_candidates, certification_groups, violates_hard_constraints
from tiermatch.features.reference import haversine_km
from tiermatch.matcher import prepare_context

PROVINCES = ["Bangkok", "Chon Buri", "Rayong", "Chiang Mai", "Songkhla", "Khon Kaen", "Chanthaburi"]
CERTS = ["ISO 9001", "IATF 16949", "GMP", "Halal"]
PRODUCTS = ["stamped metal parts", "ชิ้นส่วนโลหะปั๊มขึ้นรูป", "herbal soap", "สบู่สมุนไพร", "chili sauce", "ผ้าหุ้มเบาะรถยนต์"]

suppliers_strategy = st.lists(
    st.builds(lambda k, product, province, certs: Supplier(
        supplier_id=f"S{k}", name="x", sector="other", products=product, province=province, certifications=";".join(certs)),
        st.integers(), st.sampled_from(PRODUCTS), st.sampled_from(PROVINCES), st.lists(st.sampled_from(CERTS), max_size=3)),
    min_size=1, max_size=25, unique_by=lambda s: s.supplier_id)
buyers_strategy = st.lists(
    st.builds(lambda k, need, province, certs, distance: Buyer(
        buyer_id=f"B{k}", name="y", buyer_type="first_tier", sector="other", needs=need, province=province,
        required_certifications=";".join(certs), max_distance_km=distance),
        st.integers(), st.sampled_from(PRODUCTS), st.sampled_from(PROVINCES), st.lists(st.sampled_from(CERTS), max_size=2),
        st.one_of(st.none(), st.floats(10, 900))),
    min_size=1, max_size=8, unique_by=lambda b: b.buyer_id)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(suppliers=suppliers_strategy, buyers=buyers_strategy, method=st.sampled_from(["exact", "two_stage"]))
def test_no_candidate_ever_breaks_a_hard_constraint(suppliers, buyers, method):
    context = prepare_context(suppliers, buyers)
    candidates = build_candidates(context.X_suppliers, context.X_buyers, context.suppliers, context.buyers,
                                  n_per_buyer=5, n_per_supplier=2, method=method, n_components=8)
    for i, j in zip(candidates.rows, candidates.cols):
        s, b = suppliers[i], buyers[j]
        assert set(b.required_certifications) <= set(s.certifications)
        if b.max_distance_km is not None:
            assert haversine_km(s.latitude, s.longitude, b.latitude, b.longitude) <= b.max_distance_km
    assert len(set(zip(candidates.rows.tolist(), candidates.cols.tolist()))) == len(candidates)
    assert not violates_hard_constraints(context.suppliers, context.buyers, candidates.rows, candidates.cols).any()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(suppliers=suppliers_strategy, buyers=buyers_strategy, min_size=st.integers(1, 4))
def test_certification_groups_search_each_query_among_exactly_those_it_may_meet(suppliers, buyers, min_size):
    context = prepare_context(suppliers, buyers)
    S, B = context.suppliers, context.buyers
    buyer_groups, supplier_groups = certification_groups(S, B, min_size=min_size)

    def may_meet(s, b):
        return set(buyers[b].required_certifications) <= set(suppliers[s].certifications)

    for groups, n_queries, n_items, may_meet_item in (
        (buyer_groups, len(buyers), len(suppliers), lambda b, s: may_meet(s, b)),
        (supplier_groups, len(suppliers), len(buyers), may_meet),
    ):
        queries = np.concatenate([q for q, _ in groups])
        assert sorted(queries.tolist()) == list(range(n_queries))  # each query in one group
        for group_queries, items in groups:
            if items is None:  # searched among everyone, filtered after
                continue
            for query in group_queries:
                assert items.tolist() == [i for i in range(n_items) if may_meet_item(query, i)]


def test_buyers_requiring_a_rare_certification_find_every_holder():
    """Thirty holders among 3,000 alike suppliers: the search looks among holders, not the nearest and then filters."""
    rng = np.random.default_rng(0)
    halal = set(rng.choice(3000, 30, replace=False).tolist())
    suppliers = [Supplier(supplier_id=f"S{i}", name="a", sector="processed_food", products="chili sauce and fish sauce",
                          province="Bangkok", certifications="Halal" if i in halal else "GMP") for i in range(3000)]
    buyers = [Buyer(buyer_id=f"B{j}", name="b", buyer_type="exporter", sector="processed_food", needs="chili sauce",
                    province="Bangkok", required_certifications="Halal" if j < 70 else "") for j in range(140)]
    context = prepare_context(suppliers, buyers)
    candidates = build_candidates(context.X_suppliers, context.X_buyers, context.suppliers, context.buyers,
                                  n_per_buyer=50, n_per_supplier=0, method="two_stage", n_components=8, oversample=1)
    for j in range(70):
        assert set(candidates.rows[candidates.cols == j].tolist()) == halal


def test_thai_supplier_is_a_candidate_of_an_english_buyer():
    suppliers = [Supplier(supplier_id="S1", name="a", sector="automotive", products="รับผลิตชิ้นส่วนโลหะปั๊มขึ้นรูป", province="Rayong"),
                 Supplier(supplier_id="S2", name="b", sector="textiles_garments", products="ผ้าหุ้มเบาะรถยนต์", province="Rayong"),
                 Supplier(supplier_id="S3", name="c", sector="cosmetics", products="สบู่สมุนไพร", province="Rayong")]
    buyers = [Buyer(buyer_id="B1", name="x", buyer_type="first_tier", sector="automotive",
                    needs="Sourcing stamped metal parts", province="Chon Buri"),
              Buyer(buyer_id="B2", name="y", buyer_type="first_tier", sector="automotive",
                    needs="car seats", province="Chon Buri")]
    context = prepare_context(suppliers, buyers)
    candidates = build_candidates(context.X_suppliers, context.X_buyers, context.suppliers, context.buyers,
                                  n_per_supplier=0)
    pairs = set(zip(candidates.rows.tolist(), candidates.cols.tolist()))
    assert (0, 0) in pairs  # Thai stamping answers English stamping
    assert (1, 1) in pairs  # seat fabric is an input to car seats
    assert (2, 0) not in pairs and (2, 1) not in pairs  # soap answers neither


def test_two_stage_search_finds_nearly_all_of_the_exact_top_k():
    register = make_register(1500, 60, random_state=5)
    context = prepare_context(register.suppliers, register.buyers)
    args = (context.X_suppliers, context.X_buyers, context.suppliers, context.buyers)
    exact = build_candidates(*args, n_per_buyer=20, n_per_supplier=0, method="exact")
    two_stage = build_candidates(*args, n_per_buyer=20, n_per_supplier=0, method="two_stage")
    found = set(zip(two_stage.rows.tolist(), two_stage.cols.tolist()))
    recall = np.mean([pair in found for pair in zip(exact.rows.tolist(), exact.cols.tolist())])
    assert recall >= 0.9
    # Similarities of pairs found by both are the same exact values.
    exact_sims = dict(zip(zip(exact.rows.tolist(), exact.cols.tolist()), exact.similarity.tolist()))
    for pair, sim in zip(zip(two_stage.rows.tolist(), two_stage.cols.tolist()), two_stage.similarity.tolist()):
        if pair in exact_sims:
            assert sim == pytest.approx(exact_sims[pair], abs=1e-5)


def test_bad_parameters_are_refused():
    suppliers = [Supplier(supplier_id="S1", name="a", sector="other", products="boxes", province="Rayong")]
    buyers = [Buyer(buyer_id="B1", name="b", buyer_type="first_tier", sector="other", needs="boxes", province="Rayong")]
    context = prepare_context(suppliers, buyers)
    args = (context.X_suppliers, context.X_buyers, context.suppliers, context.buyers)
    with pytest.raises(ValueError, match="n_per_buyer >= 1"):
        build_candidates(*args, n_per_buyer=0)
    with pytest.raises(ValueError, match="method"):
        build_candidates(*args, method="magic")
