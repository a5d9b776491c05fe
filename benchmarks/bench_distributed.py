"""Batch runs over supplier partitions: in-process against a Dask LocalCluster, up to 3,000,000 x 10,000.

The register is generated (the demo generator, in chunks of 200,000 SMEs with
ids made unique, buyers and history from the first chunk) and written to
Parquet first, so that no run holds it all; ``--data`` keeps the files for
the next run. Each row is one whole run (``run_batch``: fit, candidates,
features, scores and recommendations per partition, merge, assignment,
shortlists with reasons), recommendations written per partition as
``tiermatch run`` does. Reported: wall time, candidates per second, peak
resident memory of the driver and of the largest worker (sampled every
second), and the exponent of time between consecutive sizes with the same
buyers (1 = per-supplier cost flat).

    python benchmarks/bench_distributed.py --compare 200000x5000 --sizes 200000x10000 3000000x10000
    python benchmarks/bench_distributed.py --compare 20000x1000 --sizes 20000x1000 60000x1000 --partition-size 20000
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from memory import peak_rss  # noqa: E402

from tiermatch.datasets import _BUYER_COLUMNS, _SUPPLIER_COLUMNS, make_register  # noqa: E402
from tiermatch.io import (  # noqa: E402
    PartitionWriter,  # noqa: E402
    open_suppliers,  # noqa: E402
    read_buyers,
    read_partnerships,
)
from tiermatch.matcher import MatchEngine  # noqa: E402
from tiermatch.matcher.batch import run_batch  # noqa: E402

CHUNK = 200_000


def write_register(folder: Path, n_suppliers: int, n_buyers: int, seed: int = 0) -> dict[str, Path]:
    """Suppliers to Parquet chunk by chunk; buyers and history (of the first chunk) to Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    paths = {kind: folder / f"{kind}-{n_suppliers}x{n_buyers}.parquet" for kind in ("suppliers", "buyers", "partnerships")}
    if all(p.exists() for p in paths.values()):
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    tmp = paths["suppliers"].with_suffix(".tmp")
    writer = None
    for chunk, start in enumerate(range(0, n_suppliers, CHUNK)):
        register = make_register(min(CHUNK, n_suppliers - start), n_buyers, random_state=seed + chunk)
        rows = register.supplier_rows
        for n, row in enumerate(rows):
            row["supplier_id"] = f"S{start + n + 1:08d}"
        table = pa.table({c: [str(r.get(c, "") or "") for r in rows] for c in _SUPPLIER_COLUMNS})
        writer = writer or pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table, row_group_size=50_000)
        if chunk == 0:
            renamed = {s.supplier_id: f"S{k + 1:08d}" for k, s in enumerate(register.suppliers)}
            pq.write_table(pa.table({c: [str(r.get(c, "") or "") for r in register.buyer_rows] for c in _BUYER_COLUMNS}),
                           paths["buyers"])
            history = [p.model_copy(update={"supplier_id": renamed[p.supplier_id]}) for p in register.partnerships]
            columns = ("supplier_id", "buyer_id", "outcome", "date", "value_thb")
            pq.write_table(pa.table({c: ["" if getattr(p, c, None) is None else str(getattr(p, c)) for p in history]
                                     for c in columns}), paths["partnerships"])
        print(f"  generated {start + len(rows):,} of {n_suppliers:,} SMEs", file=sys.stderr, flush=True)
    writer.close()
    tmp.replace(paths["suppliers"])
    return paths


class WorkerMemory:
    """Peak resident memory of each Dask worker process, sampled every second while in use."""

    def __init__(self, client):
        self.client, self.peak, self.stop = client, 0, threading.Event()

    def __enter__(self):
        def sample():
            import psutil

            while not self.stop.is_set():
                try:
                    rss = self.client.run(lambda: psutil.Process().memory_info().rss)
                    self.peak = max([self.peak, *rss.values()])
                except Exception:  # a worker restarting between samples
                    pass
                self.stop.wait(1.0)

        self.thread = threading.Thread(target=sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def measure(paths, partition_size: int, client, out: Path) -> dict:
    source = open_suppliers(paths["suppliers"], partition_size)
    buyers = read_buyers(paths["buyers"]).records
    history = read_partnerships(paths["partnerships"]).records
    engine = MatchEngine()
    memory = WorkerMemory(client) if client is not None else None
    if memory:
        memory.__enter__()
    try:
        with peak_rss(interval=0.5) as driver:
            result = run_batch(engine, source, buyers, history, client=client,
                               on_recommendations=PartitionWriter(out / "recommendations"))
    finally:
        if memory:
            memory.__exit__()
    s = result.summary
    return {"suppliers": source.n_rows, "buyers": len(buyers), "partitions": source.n_partitions,
            "where": "in-process" if client is None else f"cluster x{len(client.scheduler_info(n_workers=-1)['workers'])}",
            "seconds": driver["seconds"], "stages": s["seconds"], "candidates": s["candidate_pairs"],
            "driver_mib": driver["peak_mib"], "worker_mib": memory.peak / 2**20 if memory else float("nan"),
            "split": s["assignment_split"]["method"], "shortlist": [(m.buyer_id, m.supplier_id) for m in result.shortlists]}


def print_row(r: dict, exponent: float = float("nan")) -> None:
    stages = " ".join(f"{k} {v:.0f}" for k, v in r["stages"].items())
    print(f"{r['suppliers']:>10,} x {r['buyers']:<7,} {r['where']:>12} {r['partitions']:>5} {r['seconds']:>9.1f} "
          f"{r['candidates'] / r['seconds']:>12,.0f} {r['driver_mib']:>10.0f} {r['worker_mib']:>10.0f} "
          f"{exponent:>9.2f}   {stages}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--compare", default="200000x5000", help="size run in-process and on the cluster")
    parser.add_argument("--sizes", nargs="*", default=["200000x10000", "3000000x10000"], help="sizes run on the cluster")
    parser.add_argument("--partition-size", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-memory", default="6GiB", help="each worker's limit (the nanny restarts one above it)")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "tiermatch-bench-distributed")
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    header = (f"{'suppliers x buyers':>20} {'where':>12} {'parts':>5} {'seconds':>9} {'cand./s':>12} "
              f"{'driver MiB':>10} {'worker MiB':>10} {'exponent':>9}   stages (s)")
    sizes = [tuple(int(x) for x in s.lower().split("x")) for s in [args.compare, *args.sizes]]
    for n, m in sizes:
        write_register(args.data, n, m)
    print(header)
    print("-" * len(header))
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, memory_limit=args.worker_memory,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        out = Path(tempfile.mkdtemp())
        paths = write_register(args.data, *sizes[0])
        here = measure(paths, args.partition_size, None, out)
        print_row(here)
        there = measure(paths, args.partition_size, client, out)
        print_row(there)
        print(f"{'':>20} cluster / in-process: {there['seconds'] / here['seconds']:.2f}; "
              f"identical shortlists: {here['shortlist'] == there['shortlist']}", flush=True)
        previous = None
        for n, m in sizes[1:]:
            r = measure(write_register(args.data, n, m), args.partition_size, client, out)
            exponent = float("nan")
            if previous and previous["buyers"] == r["buyers"]:
                exponent = math.log(r["seconds"] / previous["seconds"]) / math.log(r["suppliers"] / previous["suppliers"])
            print_row(r, exponent)
            previous = r


if __name__ == "__main__":
    main()
