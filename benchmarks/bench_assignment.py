"""Benchmark: capacity-constrained assignment (b-matching as min-cost flow).

Compares, on the same random candidate graphs (fixed seed; 50 candidate buyers
per supplier, supplier capacity 2, buyer capacity 5, scores k/1000 for k in
1..1000):

- tiermatch ``assign_partnerships``: the whole step, from the three edge arrays
  and the capacities to the chosen-edge mask (validation, scaling, building the
  flow network, OR-Tools solve, reading flows back);
- OR-Tools bare: ``SimpleMinCostFlow.solve()`` alone on the same network, built
  beforehand outside the timer;
- networkx ``network_simplex`` (through ``assign_partnerships(solver="networkx")``),
  only up to ``--networkx-max-arcs``.

Each size runs in a fresh subprocess, tiermatch and the bare solve alternating
run by run (the machine is shared; alternating spreads the noise over both), and
the median of ``--repeats`` runs is reported. Peak memory is the subprocess's
peak resident set (``ru_maxrss``) after its first tiermatch run: interpreter,
imports, candidate graph and the OR-Tools solver together.

Usage::

    python benchmarks/bench_assignment.py [--sizes 2000x200 20000x2000 200000x5000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

PER_SUPPLIER = 50
SUPPLIER_CAPACITY = 2
BUYER_CAPACITY = 5
SEED = 20261124
DEFAULT_SIZES = ["2000x200", "20000x2000", "200000x5000"]


def make_candidate_graph(n_suppliers, n_buyers, per_supplier=PER_SUPPLIER, seed=SEED):
    """Random sparse candidate graph: ``per_supplier`` distinct buyers per supplier, sorted by (row, col)."""
    rng = np.random.default_rng(seed)
    k = per_supplier
    # k distinct sorted draws: sorted values in [0, n_buyers - k] plus 0..k-1 are strictly increasing.
    picks = rng.integers(0, n_buyers - k + 1, size=(n_suppliers, k))
    picks.sort(axis=1)
    picks += np.arange(k)
    # A random rotation per supplier spreads the picks over all buyers; sort again for (row, col) order.
    picks = np.sort((picks + rng.integers(0, n_buyers, size=(n_suppliers, 1))) % n_buyers, axis=1)
    rows = np.repeat(np.arange(n_suppliers, dtype=np.int64), k)
    cols = picks.ravel().astype(np.int64)
    scores = rng.integers(1, 1001, size=rows.size) / 1000.0
    cap_s = np.full(n_suppliers, SUPPLIER_CAPACITY, dtype=np.int64)
    cap_b = np.full(n_buyers, BUYER_CAPACITY, dtype=np.int64)
    return rows, cols, scores, cap_s, cap_b


def _bare_network(rows, cols, weights, cap_s, cap_b):
    """The same flow network tiermatch builds, written out plainly (source, sink, bypass arc)."""
    n_s, n_b = len(cap_s), len(cap_b)
    source, sink = n_s + n_b, n_s + n_b + 1
    cap_s = np.minimum(cap_s, np.bincount(rows, minlength=n_s))
    cap_b = np.minimum(cap_b, np.bincount(cols, minlength=n_b))
    total = int(min(cap_s.sum(), cap_b.sum()))
    tails = np.concatenate([rows, np.full(n_s, source), n_s + np.arange(n_b), [source]]).astype(np.int32)
    heads = np.concatenate([n_s + cols, np.arange(n_s), np.full(n_b, sink), [sink]]).astype(np.int32)
    caps = np.concatenate([np.ones(len(rows)), cap_s, cap_b, [total]]).astype(np.int64)
    costs = np.concatenate([-weights, np.zeros(n_s + n_b + 1, dtype=np.int64)]).astype(np.int64)
    supplies = np.zeros(n_s + n_b + 2, dtype=np.int64)
    supplies[source], supplies[sink] = total, -total
    return tails, heads, caps, costs, supplies


def _time_tiermatch(rows, cols, scores, cap_s, cap_b, weights, solver="ortools"):
    """Seconds for the whole ``assign_partnerships`` step, and the total weight chosen."""
    from tiermatch.matcher.assignment import assign_partnerships

    started = time.perf_counter()
    chosen = assign_partnerships(rows, cols, scores, cap_s, cap_b, solver=solver)
    return time.perf_counter() - started, int(weights[chosen].sum())


def _time_bare(rows, cols, cap_s, cap_b, weights):
    """Seconds for ``SimpleMinCostFlow.solve()`` alone, seconds to add the arcs (timed apart), and the total."""
    from ortools.graph.python import min_cost_flow

    tails, heads, caps, costs, supplies = _bare_network(rows, cols, weights, cap_s, cap_b)
    smcf = min_cost_flow.SimpleMinCostFlow()
    started = time.perf_counter()
    smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    smcf.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
    adding = time.perf_counter() - started
    started = time.perf_counter()
    status = smcf.solve()
    seconds = time.perf_counter() - started
    assert status == smcf.OPTIMAL, status
    return seconds, adding, -int(smcf.optimal_cost())


def run_worker(method, n_suppliers, n_buyers, repeats):
    """Measure in this process; return a JSON-able dict.

    "ortools": tiermatch and OR-Tools bare, alternating run by run so that both see the
    same load on a shared machine; peak memory is read after the first tiermatch run.
    "networkx": one run of the networkx reference.
    """
    from tiermatch.matcher.assignment import scale_scores

    graph = make_candidate_graph(n_suppliers, n_buyers)
    rows, cols, scores, cap_s, cap_b = graph
    weights = scale_scores(scores)
    result = {"arcs": int(rows.size)}
    if method == "networkx":
        seconds, total = _time_tiermatch(*graph, weights, solver="networkx")
        result.update(networkx=[seconds], networkx_total=total)
        return result
    ours, bare, adding = [], [], []
    for round_ in range(repeats):
        seconds, ours_total = _time_tiermatch(*graph, weights)
        ours.append(seconds)
        if round_ == 0:
            result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        seconds, add_seconds, bare_total = _time_bare(rows, cols, cap_s, cap_b, weights)
        bare.append(seconds)
        adding.append(add_seconds)
    result.update(tiermatch=ours, tiermatch_total=ours_total, bare=bare, adding=adding, bare_total=bare_total)
    return result


def measure(method, n_suppliers, n_buyers, repeats):
    """Run ``run_worker`` in a fresh interpreter and return its result."""
    out = subprocess.run(
        [sys.executable, __file__, "--worker", method, f"{n_suppliers}x{n_buyers}", "--repeats", str(repeats)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=DEFAULT_SIZES, help="suppliers x buyers, e.g. 2000x200")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per method (median reported)")
    parser.add_argument("--networkx-max-arcs", type=int, default=100_000)
    parser.add_argument("--worker", nargs=2, metavar=("METHOD", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        method, size = args.worker
        n_s, n_b = (int(x) for x in size.split("x"))
        print(json.dumps(run_worker(method, n_s, n_b, args.repeats)))
        return

    header = ("suppliers x buyers", "candidate arcs", "tiermatch s", "OR-Tools bare solve s",
              "OR-Tools adding arcs s", "networkx s", "peak MiB", "tiermatch / bare", "totals agree")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for size in args.sizes:
        n_s, n_b = (int(x) for x in size.split("x"))
        run = measure("ortools", n_s, n_b, args.repeats)
        totals = {run["tiermatch_total"], run["bare_total"]}
        if run["arcs"] <= args.networkx_max_arcs:
            ref = measure("networkx", n_s, n_b, 1)
            nx_cell = f"{ref['networkx'][0]:.2f}"
            totals.add(ref["networkx_total"])
        else:
            nx_cell = "skipped (too slow)"
        t_ours, t_bare = statistics.median(run["tiermatch"]), statistics.median(run["bare"])
        t_add = statistics.median(run["adding"])
        print(
            f"| {n_s:,} x {n_b:,} | {run['arcs']:,} | {t_ours:.3f} | {t_bare:.3f} | {t_add:.3f} | {nx_cell}"
            f" | {run['peak_mib']:.0f} | {t_ours / t_bare:.2f}"
            f" | {'yes' if len(totals) == 1 else 'NO: ' + str(sorted(totals))} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
