"""Cluster suggestions: a hand-checked register of two towns and two sectors, size bounds, existing clusters."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiermatch.datasets import make_register
from tiermatch.features import Buyer, Supplier
from tiermatch.matcher import prepare_context
from tiermatch.matcher.clusters import SmeGraph, build_sme_graph, find_clusters, score_clustering, suggest_clusters

# Two towns 600 km apart, two sectors with no input-output link between them: four natural clusters.
TOWNS = {"Rayong": (12.68, 101.28), "Chiang Mai": (18.79, 98.98)}
PRODUCTS = {
    "automotive": ["stamped metal parts", "metal stamping brackets", "stamped metal parts and brackets",
                   "press parts stamped metal", "stamped metal brackets for cars"],
    "processed_food": ["chili sauce", "sweet chili sauce", "fish sauce and chili sauce", "chili paste and chili sauce",
                       "sriracha chili sauce"],
}


def _register(clusters: dict[str, str] | None = None):
    suppliers, expected = [], {}
    clusters = clusters or {}
    for t, (town, (lat, lon)) in enumerate(TOWNS.items()):
        for sector, products in PRODUCTS.items():
            key = (town, sector)
            expected[key] = set()
            for k, text in enumerate(products):
                sid = f"S-{t}{sector[0]}{k}"
                expected[key].add(sid)
                suppliers.append(Supplier(
                    supplier_id=sid, name=f"{town} {sector} {k}", sector=sector, products=text, province=town,
                    latitude=lat + 0.01 * k, longitude=lon - 0.01 * k, capacity_thb_per_month=1_000_000,
                    cluster=clusters.get(sid)))
    buyers = [
        Buyer(buyer_id="B-AUTO", name="Eastern Seats", buyer_type="first_tier", sector="automotive",
              needs="stamped metal brackets", province="Rayong", demand_thb_per_month=4_000_000),
        Buyer(buyer_id="B-FOOD", name="Lanna Foods Export", buyer_type="exporter", sector="processed_food",
              needs="chili sauce", province="Chiang Mai", demand_thb_per_month=3_000_000),
    ]
    return suppliers, buyers, expected


@pytest.fixture(scope="module")
def two_towns():
    suppliers, buyers, expected = _register()
    return prepare_context(suppliers, buyers), expected


def test_two_towns_two_sectors_give_exactly_the_four_expected_clusters(two_towns):
    context, expected = two_towns
    report = suggest_clusters(context, min_size=3, max_size=10, top_k_buyers=2)
    assert sorted(map(sorted, (set(s.members) for s in report.suggestions))) == sorted(map(sorted, expected.values()))
    assert report.unclustered == {}
    assert all(s.kind == "new" and s.added == s.members for s in report.suggestions)
    rayong_auto = next(s for s in report.suggestions if set(s.members) == expected[("Rayong", "automotive")])
    assert rayong_auto.sectors == {"automotive": 5} and rayong_auto.provinces == {"Rayong": 5}
    assert rayong_auto.capacity_thb_per_month == 5_000_000 and rayong_auto.spread_km < 5
    assert "Stamped metal parts" in rayong_auto.concepts
    # The cluster as one pseudo-supplier: together it meets the demand no single member could.
    first = rayong_auto.buyers[0]
    assert first.buyer_id == "B-AUTO" and first.beyond_any_member and first.demand_covered == 1.25
    assert first.reasons.startswith("together they meet a demand no single member can")
    assert report.quality["unclustered_share"] == 0 and report.quality["modularity"] > 0.5


def test_too_small_groups_are_left_unclustered_with_the_reason(two_towns):
    context, _ = two_towns
    report = suggest_clusters(context, min_size=6, max_size=10, top_k_buyers=0)
    assert report.suggestions == []
    assert set(report.unclustered.values()) == {"too small: 5 members < min 6"}
    assert report.quality["unclustered_reasons"] == {"too small": 20}


def test_members_of_an_existing_cluster_are_never_moved_and_the_cluster_grows():
    existing = {"S-0a0": "Rayong Auto Cluster", "S-0a1": "Rayong Auto Cluster", "S-0a2": "Rayong Auto Cluster",
                "S-0p0": "Rayong Auto Cluster"}  # a food SME put in the auto cluster stays there
    suppliers, buyers, expected = _register(existing)
    context = prepare_context(suppliers, buyers)
    report = suggest_clusters(context, min_size=3, max_size=10, top_k_buyers=0)
    grow = [s for s in report.suggestions if s.kind == "grow"]
    assert len(grow) == 1 and grow[0].existing_cluster == "Rayong Auto Cluster"
    assert set(grow[0].added) == {"S-0a3", "S-0a4"} and set(existing) <= set(grow[0].members)
    assert grow[0].title.startswith("grow cluster Rayong Auto Cluster with 2 SME(s): ")
    for s in report.suggestions:
        assert not (set(s.added) & set(existing))
    # Asked otherwise: everyone may be regrouped, and each move is said.
    regrouped = suggest_clusters(context, min_size=3, max_size=10, top_k_buyers=0, keep_existing=False)
    moved = {sid: old for s in regrouped.suggestions for sid, old in s.moved_from.items()}
    assert moved == existing


def test_no_silent_moves_on_a_demo_register():
    register = make_register(400, 40, random_state=5)
    context = prepare_context(register.suppliers, register.buyers)
    report = suggest_clusters(context, min_size=4, max_size=20, top_k_buyers=1)
    cluster_of = {s.supplier_id: s.cluster or "" for s in register.suppliers}
    seen = set()
    for s in report.suggestions:
        assert 4 <= len(s.members) <= 20
        for sid in s.members:
            assert cluster_of[sid] in ("", s.existing_cluster)
        assert all(cluster_of[sid] == "" for sid in s.added)
        seen |= set(s.added)
    free = {sid for sid, c in cluster_of.items() if not c}
    assert seen | set(report.unclustered) == free and not seen & set(report.unclustered)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_size_bounds_always_hold_and_fixed_members_stay_together(data):
    n = data.draw(st.integers(2, 40))
    edges = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.floats(0.01, 1.0)),
                               max_size=4 * n))
    edges = {(min(a, b), max(a, b)): w for a, b, w in edges if a != b}
    rows = np.array([e[0] for e in edges], dtype=np.int64)
    cols = np.array([e[1] for e in edges], dtype=np.int64)
    weight = np.array(list(edges.values()), dtype=np.float32)
    graph = SmeGraph(n, rows, cols, weight, np.zeros(len(rows)), np.zeros(len(rows), bool))
    fixed = np.array(data.draw(st.lists(st.integers(-1, 3), min_size=n, max_size=n)))
    min_size = data.draw(st.integers(1, 8))
    max_size = data.draw(st.integers(min_size, 15))
    found = find_clusters(graph, fixed, min_size=min_size, max_size=max_size, random_state=0)
    sizes = found.sizes()
    for g in found.suggested():
        assert min_size <= sizes[g] <= max_size
    for code in np.unique(fixed[fixed >= 0]):
        groups = np.unique(found.labels[fixed == code])
        assert len(groups) == 1 and found.existing[groups[0]] == code
    assert len(set(found.existing[found.existing >= 0].tolist())) == int((found.existing >= 0).sum())
    free = fixed < 0
    in_group = found.labels >= 0
    assert ((found.reasons[free & ~in_group] != "").all() and (found.reasons[in_group] == "").all())
    assert (found.added[found.labels[free & in_group]] > 0).all()
    new = found.existing < 0
    assert (found.added[new] == sizes[new]).all()


def test_modularity_agrees_with_networkx():
    rng = np.random.default_rng(1)
    rows, cols = rng.integers(0, 30, 80), rng.integers(0, 30, 80)
    keep = rows < cols
    pairs = np.unique(np.column_stack([rows[keep], cols[keep]]), axis=0)
    weight = rng.random(len(pairs)).astype(np.float32)
    graph = SmeGraph(30, pairs[:, 0], pairs[:, 1], weight, np.zeros(len(pairs)), np.zeros(len(pairs), bool))
    labels = rng.integers(-1, 4, 30)
    G = nx.Graph()
    G.add_nodes_from(range(30))
    G.add_weighted_edges_from(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist(), weight.tolist()))
    communities = [set(np.flatnonzero(labels == c).tolist()) for c in range(4)]
    communities += [{i} for i in np.flatnonzero(labels < 0).tolist()]
    expected = nx.community.modularity(G, [c for c in communities if c], weight="weight")
    assert score_clustering(graph, labels)["modularity"] == pytest.approx(expected, abs=1e-4)


def test_bad_parameters_name_what_was_expected():
    graph = SmeGraph(3, np.array([0]), np.array([1]), np.ones(1, np.float32), np.zeros(1), np.zeros(1, bool))
    with pytest.raises(ValueError, match="min_size = 6, max_size = 5"):
        find_clusters(graph, min_size=6, max_size=5)
    with pytest.raises(ValueError, match="fixed of length 3"):
        find_clusters(graph, np.array([-1, -1]))
    with pytest.raises(ValueError, match="sector has 2 rows"):
        build_sme_graph([1, 2, 3], [1, 2, 3], [0, 0], np.eye(3), np.eye(3))


def test_graph_links_complementary_products_across_linked_sectors():
    # Seat fabric goes into car seats: a textile SME next to a seat maker is linked, a far one is not.
    suppliers = [
        Supplier(supplier_id="T1", name="Fabric", sector="textiles_garments", products="car seat fabric",
                 province="Rayong", latitude=12.68, longitude=101.28),
        Supplier(supplier_id="A1", name="Seats", sector="automotive", products="car seats",
                 province="Rayong", latitude=12.69, longitude=101.27),
        Supplier(supplier_id="T2", name="Far fabric", sector="textiles_garments", products="car seat fabric",
                 province="Chiang Mai", latitude=18.79, longitude=98.98),
    ]
    buyers = [Buyer(buyer_id="B1", name="X", buyer_type="first_tier", sector="automotive", needs="car seats",
                    province="Rayong")]
    context = prepare_context(suppliers, buyers)
    S = context.suppliers
    graph = build_sme_graph(S.latitude, S.longitude, S.sector, context.supplier_blocks["concepts"],
                            context.supplier_blocks["related"])
    assert list(zip(graph.rows.tolist(), graph.cols.tolist())) == [(0, 1)]
    assert graph.complementary.tolist() == [True] and graph.distance_km[0] < 2
