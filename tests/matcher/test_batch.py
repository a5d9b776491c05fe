"""Runs over partitions of the suppliers: in-process and on a Dask LocalCluster, with a worker killed mid-run."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import markets
from tiermatch.datasets import make_register
from tiermatch.features.sources import SupplierSource
from tiermatch.matcher import MatchEngine
from tiermatch.matcher.assignment import assign_partnerships, split_candidate_graph
from tiermatch.matcher.batch import run_batch


def outcome(result):
    """Everything a run says, by id: shortlists, assignment, recommendations, the unmatched and their reasons."""
    def pair(m):
        return m.buyer_id, m.supplier_id, m.score, m.rank, m.reasons, m.reasons_th, m.group_id, m.volume_thb_per_month

    return ([pair(m) for m in result.shortlists], [pair(m) for m in result.assignment],
            [pair(m) for m in result.recommendations], result.unmatched_buyers, result.unmatched_suppliers,
            result.summary["total_score"], result.summary["candidate_pairs"])


@pytest.fixture(scope="module")
def register():
    return make_register(1500, 90, random_state=11)


@pytest.fixture(scope="module")
def in_process(register):
    return MatchEngine(fair=True).run(register.suppliers, register.buyers, register.partnerships, partition_size=400)


@pytest.fixture
def client(dask_client):
    return dask_client


def test_partitions_in_process_give_the_shortlists_and_assignment_of_one_partition(register, in_process):
    whole = MatchEngine(fair=True).run(register.suppliers, register.buyers, register.partnerships)
    assert in_process.summary["partitions"]["count"] == 4 and whole.summary["partitions"]["count"] == 1
    # The exact search finds each buyer's best across partitions; recommendations may draw on more pairs.
    assert outcome(in_process)[:2] == outcome(whole)[:2]
    assert in_process.unmatched_buyers == whole.unmatched_buyers


def test_a_local_cluster_gives_the_identical_result(register, in_process, client):
    on_cluster = MatchEngine(fair=True).run(register.suppliers, register.buyers, register.partnerships,
                                            partition_size=400, client=client)
    assert on_cluster.summary["partitions"]["scheduler"] == client.scheduler.address
    assert outcome(on_cluster) == outcome(in_process)


def test_the_two_stage_search_gives_the_identical_result_on_a_cluster(register, client):
    source = SupplierSource.from_records(register.suppliers, 500)
    runs = [run_batch(MatchEngine(), source, register.buyers, register.partnerships, client=c, exact_limit=0)
            for c in (None, client)]
    assert outcome(runs[0]) == outcome(runs[1])


def test_a_worker_killed_mid_run_is_survived_with_the_identical_result(register, in_process, client):
    pids = set(client.run(os.getpid).values())
    killed = []

    def kill_one_worker_after_the_first_partition(stage, done, total):
        if stage == "candidates" and done == 1 and not killed:
            victim = sorted(pids)[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    result = MatchEngine(fair=True).run(register.suppliers, register.buyers, register.partnerships, partition_size=400,
                                        client=client, progress=kill_one_worker_after_the_first_partition)
    assert killed
    client.wait_for_workers(2, timeout=60)
    assert killed[0] not in set(client.run(os.getpid).values())  # the nanny started a new worker
    assert outcome(result) == outcome(in_process)


def test_recommendations_go_to_the_callback_partition_by_partition(register):
    seen = {}
    result = run_batch(MatchEngine(), SupplierSource.from_records(register.suppliers, 600), register.buyers,
                       on_recommendations=lambda k, matches: seen.setdefault(k, matches))
    assert sorted(seen) == [0, 1, 2] and result.recommendations == []
    in_partition = [{s.supplier_id for s in register.suppliers[k * 600:(k + 1) * 600]} for k in range(3)]
    assert all(m.supplier_id in in_partition[k] for k, matches in seen.items() for m in matches)
    assert all(seen.values())


def test_a_graph_split_by_components_loses_nothing_and_keeps_capacities(register):
    engine = MatchEngine()
    whole = run_batch(engine, SupplierSource.from_records(register.suppliers), register.buyers)
    split = run_batch(engine, SupplierSource.from_records(register.suppliers), register.buyers, max_arcs=500)
    report = split.summary["assignment_split"]
    assert report["parts"] > 1
    if report["optimal"]:
        assert split.summary["total_score"] == pytest.approx(whole.summary["total_score"], abs=1e-3)
    else:
        assert report["arcs_dropped"] > 0 and split.summary["total_score"] <= whole.summary["total_score"] + 1e-3
    capacity = {s.supplier_id: s.max_buyers for s in register.suppliers}
    taken = {}
    for m in split.assignment:
        taken[m.supplier_id] = taken.get(m.supplier_id, 0) + 1
    assert all(n <= capacity[s] for s, n in taken.items())


@st.composite
def candidate_graphs(draw):
    rows, cols, scores, cap_s, cap_b = draw(markets(suppliers=(1, 8), buyers=(1, 6), min_edges=1, max_edges=30,
                                                    scores=(0.01, 1.0)))
    n_s, n_b = len(cap_s), len(cap_b)
    groups = np.array(draw(st.lists(st.integers(0, 2), min_size=n_b, max_size=n_b)))
    return rows, cols, scores, n_s, n_b, groups, draw(st.integers(1, 12))


@settings(max_examples=150, deadline=None)
@given(candidate_graphs())
def test_split_parts_share_no_supplier_or_buyer_and_lose_only_what_they_report(graph):
    rows, cols, scores, n_s, n_b, groups, max_arcs = graph
    parts, report = split_candidate_graph(rows, cols, scores, n_s, n_b, max_arcs, buyer_groups=groups)
    used = np.concatenate(parts)
    assert len(used) == len(np.unique(used)) == len(rows) - report["arcs_dropped"]
    assert report["optimal"] == (report["arcs_dropped"] == 0)
    owner_s, owner_b = {}, {}
    for k, arcs in enumerate(parts):
        for i, j in zip(rows[arcs].tolist(), cols[arcs].tolist()):
            assert owner_s.setdefault(i, k) == k and owner_b.setdefault(j, k) == k
    cap_s, cap_b = np.ones(n_s, dtype=np.int64), np.full(n_b, 2, dtype=np.int64)
    total = sum(scores[arcs][assign_partnerships(rows[arcs], cols[arcs], scores[arcs], cap_s, cap_b)].sum() for arcs in parts)
    best = scores[assign_partnerships(rows, cols, scores, cap_s, cap_b)].sum()
    # The solver optimises scores rounded to 1e-4 (scale_scores): equal up to that rounding on every arc.
    rounding = 0.5e-4 * len(rows)
    assert total <= best + rounding
    if report["optimal"]:
        assert total == pytest.approx(best, abs=rounding)


def test_a_partition_task_never_changes_what_it_shares(register):
    """Workers serve the shared fit to each other while tasks run: a task that changed it would break that."""
    import pickle

    from tiermatch.matcher.batch import PartitionTask, match_partition
    from tiermatch.matcher.context import fit_shared

    source = SupplierSource.from_records(register.suppliers, 500)
    shared, scan, _ = fit_shared(source, register.buyers, register.partnerships, fit_sample=300)
    task = PartitionTask(shared, MatchEngine(), exact_limit=5e7)
    before = pickle.dumps(task)
    for partition in source.partitions(scan.duplicates):
        match_partition(task, partition)
    assert pickle.dumps(task) == before
