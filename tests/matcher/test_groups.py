"""Volume allocation (transportation problem) and groups of SMEs."""

from __future__ import annotations

import doctest

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings

from tests.strategies import markets
from tiermatch.errors import InvalidCandidateGraphError
from tiermatch.matcher import groups
from tiermatch.matcher.assignment import scale_scores
from tiermatch.matcher.groups import allocate_volume, form_groups


def test_docstring_examples_run():
    assert doctest.testmod(groups).failed == 0


@pytest.fixture
def garment_market():
    """3 SMEs x 2 buyers, checked by hand (volumes in thousands of baht per month).

    B0 needs 500: S0 (300, score 0.9) and S1 (300, score 0.8) can serve it, S2 cannot.
    B1 needs 250: S1 (0.6) and S2 (200, 0.7) can serve it.
    All demand (750) can be covered, total supply 800: S2 gives its 200 to B1,
    B1's last 50 must come from S1, leaving S1 250 for B0, which takes 300 from S0 and 200 from S1.
    """
    rows = np.array([0, 1, 1, 2])
    cols = np.array([0, 0, 1, 1])
    scores = np.array([0.9, 0.8, 0.6, 0.7])
    return rows, cols, scores, np.array([300, 300, 200]), np.array([500, 250])


@pytest.mark.parametrize("solver", ["ortools", "networkx"])
def test_garment_market_hand_answer(garment_market, solver):
    rows, cols, scores, vol_s, dem_b = garment_market
    volume = allocate_volume(rows, cols, scores, vol_s, dem_b, solver=solver)
    assert volume.tolist() == [300, 200, 50, 200]
    assert form_groups(rows, cols, volume, vol_s, dem_b).tolist() == [0, 0, -1, -1]


def test_coverage_comes_before_score():
    # S0 (volume 1) could earn 10 at B0, but then B1 goes unserved: cover both instead.
    rows, cols, scores = [0, 0, 1], [0, 1, 0], [10.0, 1.0, 1.0]
    volume = allocate_volume(rows, cols, scores, [1, 1], [1, 1])
    assert volume.tolist() == [0, 1, 1]


def test_same_cluster_bonus_breaks_near_ties():
    rows, cols, scores = [0, 1], [0, 0], [0.50, 0.45]
    clusters_s, clusters_b = np.array(["Rayong", "Chonburi"]), np.array(["Chonburi"])
    assert allocate_volume(rows, cols, scores, [10, 10], [10]).tolist() == [10, 0]
    with_cluster = allocate_volume(rows, cols, scores, [10, 10], [10],
                                   supplier_cluster=clusters_s, buyer_cluster=clusters_b)
    assert with_cluster.tolist() == [0, 10]


def test_single_supplier_allocation_is_not_a_group():
    # B0 needs more than S0 can give, but only S0 is a candidate: partly covered, no group.
    volume = allocate_volume([0], [0], [0.5], [100], [300])
    assert volume.tolist() == [100]
    assert form_groups([0], [0], volume, [100], [300]).tolist() == [-1]


def test_buyer_a_single_supplier_could_serve_is_not_a_group():
    rows, cols = [0, 1], [0, 0]
    volume = np.array([100, 100])  # split although S1 alone (volume 300) would do
    assert form_groups(rows, cols, volume, [100, 300], [200]).tolist() == [-1, -1]


def test_bad_input_names_volume_fields():
    with pytest.raises(InvalidCandidateGraphError, match="supplier_volume: expected values >= 0"):
        allocate_volume([0], [0], [1.0], [-5], [10])
    with pytest.raises(InvalidCandidateGraphError, match=r"cols: .*len\(buyer_demand\)"):
        allocate_volume([0], [1], [1.0], [5], [10])
    with pytest.raises(InvalidCandidateGraphError, match="give both or neither"):
        allocate_volume([0], [0], [1.0], [5], [10], supplier_cluster=["a"])
    with pytest.raises(InvalidCandidateGraphError, match="buyer_cluster: expected a 1-d array of length 1"):
        allocate_volume([0], [0], [1.0], [5], [10], supplier_cluster=["a"], buyer_cluster=["a", "b"])


def test_empty_and_zero():
    assert allocate_volume([], [], [], [5], [5]).tolist() == []
    assert allocate_volume([0], [0], [1.0], [0], [5]).tolist() == [0]
    assert form_groups([], [], [], [5], [5]).tolist() == []


def max_coverage(rows, cols, vol_s, dem_b):
    """Independent maximum flow: the most demand the candidates can cover."""
    graph = nx.DiGraph()
    graph.add_nodes_from(["s", "t"])
    for i, v in enumerate(vol_s):
        graph.add_edge("s", ("S", i), capacity=int(v))
    for j, d in enumerate(dem_b):
        graph.add_edge(("B", j), "t", capacity=int(d))
    for i, j in zip(rows, cols):
        graph.add_edge(("S", int(i)), ("B", int(j)))  # no capacity attribute: unbounded
    return nx.maximum_flow_value(graph, "s", "t")


@settings(max_examples=50, deadline=None)
@given(markets(suppliers=(1, 5), max_edges=12, supplier_capacity=(0, 50), buyer_capacity=(0, 80)))
def test_allocation_covers_demand_within_volumes(market):
    rows, cols, scores, vol_s, dem_b = market
    volume = allocate_volume(rows, cols, scores, vol_s, dem_b)
    assert volume.dtype == np.int64 and np.all(volume >= 0)
    assert np.all(np.bincount(rows, weights=volume, minlength=len(vol_s)) <= vol_s)
    assert np.all(np.bincount(cols, weights=volume, minlength=len(dem_b)) <= dem_b)
    assert int(volume.sum()) == max_coverage(rows, cols, vol_s, dem_b)
    reference = allocate_volume(rows, cols, scores, vol_s, dem_b, solver="networkx")
    weights = scale_scores(scores)
    assert int((weights * volume).sum()) == int((weights * reference).sum())

    group = form_groups(rows, cols, volume, vol_s, dem_b)
    for g in np.unique(group[group >= 0]):
        members = group == g
        buyer = np.unique(cols[members])
        assert buyer.size == 1  # one group serves one buyer
        assert members.sum() >= 2 and np.all(volume[members] > 0)
        candidates = rows[cols == buyer[0]]
        assert dem_b[buyer[0]] > vol_s[candidates].max()
