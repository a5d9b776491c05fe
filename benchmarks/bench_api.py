"""Latency of the shortlist endpoint under concurrent clients, beside a minimal FastAPI endpoint.

A register of ``--suppliers`` SMEs and ``--buyers`` buyers (the seeded demo register) is
imported into a SQLite file and matched once by the service's own runner. Then two servers are
started with uvicorn on loopback, one after the other, with the same number of workers:

- ``tiermatch``: ``GET /buyers/{buyer_id}/shortlist`` with a matchmaker key, buyer ids in turn
  (the default page, then with a ``region`` filter);
- ``minimal``: a FastAPI app whose one endpoint returns a small JSON list: the ceiling.

``wrk`` (16 connections, 2 threads, bounded duration) drives each on the same machine and reports
requests per second and the latency distribution.

With ``--during-import N``, one more row: the shortlist (1 worker) while ``POST /suppliers/import``
uploads a generated file of N SMEs to the same server (the import is parsed and stored off the event
loop: the shortlist should barely notice it). The import's own time is printed beside it.

Usage::

    python benchmarks/bench_api.py --suppliers 20000 --buyers 1000 --workers 1 --duration 15
    python benchmarks/bench_api.py --database /tmp/bench.sqlite --workers 1 --during-import 145000
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from fastapi import FastAPI

minimal_app = FastAPI()


@minimal_app.get("/items")
async def minimal_items():
    """The ceiling: a small JSON list, no database, no auth."""
    return [{"id": i, "score": 0.5} for i in range(10)]


WRK_SCRIPT = """
local ids = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/buyers/" .. ids[(n %% #ids) + 1] .. "/shortlist%s", {["X-API-Key"] = "%s"})
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_store(path: Path, n_suppliers: int, n_buyers: int) -> tuple[str, list[str], dict]:
    """Import the demo register into ``path``, run the matcher once; returns (key, buyer ids, timings)."""
    from tiermatch.datasets import make_register
    from tiermatch.services import RunOptions, create_key, execute_run, queue_run
    from tiermatch.store import Store

    timings = {}
    started = time.perf_counter()
    register = make_register(n_suppliers, n_buyers, random_state=0)
    store = Store(f"sqlite:///{path}")
    store.import_register(register.suppliers, register.buyers, register.partnerships)
    timings["import_s"] = time.perf_counter() - started
    started = time.perf_counter()
    options = RunOptions(top_k=10)
    run = queue_run(store, options)
    execute_run(store, run["run_id"], options)
    run = store.runs.get(run["run_id"])
    if run["status"] != "completed":
        raise SystemExit(f"the run failed: {run['error']}")
    timings["run_s"] = time.perf_counter() - started
    timings["shortlist_rows"] = store.runs.matches(run["run_id"], "shortlist", limit=1)[0]
    key = create_key(store, "matchmaker", name="benchmark")["key"]
    buyer_ids = sorted(store.profiles.ids("buyers"))
    store.engine.dispose()
    return key, buyer_ids, timings


def reuse_store(path: Path) -> tuple[str, list[str]]:
    """A new matchmaker key and the buyer ids of a store that already holds a completed run."""
    from tiermatch.services import create_key
    from tiermatch.store import Store

    store = Store(f"sqlite:///{path}")
    if store.runs.latest_completed_id() is None:
        raise SystemExit(f"{path} holds no completed run: give a new path to build one")
    key = create_key(store, "matchmaker", name="benchmark")["key"]
    buyer_ids = sorted(store.profiles.ids("buyers"))
    store.engine.dispose()
    return key, buyer_ids


def serve(args: list[str], env: dict, port: int) -> subprocess.Popen:
    """Start a uvicorn server and wait until it answers."""
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1)
            return process
        except httpx.HTTPError:
            if process.poll() is not None:
                raise SystemExit(f"server exited: {process.stderr.read().decode()}")
            time.sleep(0.2)
    process.kill()
    raise SystemExit("server did not start within 60 s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def run_wrk(url: str, duration: int, connections: int, script: Path | None = None) -> dict:
    """Drive ``url`` with wrk; returns requests per second and p50 / p99 latency in ms."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), "p50": ms("50"), "p99": ms("99"),
            "errors": int(non_2xx.group(1)) if non_2xx else 0,
            "requests": int(re.search(r"(\d+) requests in", output).group(1))}


def measure_during_import(args, database: Path, env: dict, buyer_id: str, script: Path, key: str,
                          folder: Path) -> dict:
    """The shortlist under wrk while a file of ``args.during_import`` SMEs is uploaded to the same server (over a
    copy of the store, which the import changes)."""
    from tiermatch.datasets import make_register, write_register

    copy = folder / "during_import.sqlite"
    shutil.copyfile(database, copy)
    env = {**env, "TIERMATCH_DATABASE_URL": f"sqlite:///{copy}"}
    upload = write_register(make_register(args.during_import, 10, random_state=7), folder / "upload")["suppliers"]
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "tiermatch.api.app:create_app", "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--workers", "1", "--log-level", "warning", "--no-access-log"]
    process = serve(command, env, port)
    imported = {}

    def post_import():
        started = time.perf_counter()
        with open(upload, "rb") as f:
            response = httpx.post(f"http://127.0.0.1:{port}/suppliers/import", headers={"X-API-Key": key},
                                  files={"file": ("suppliers.csv", f, "text/csv")}, timeout=600)
        imported.update(status=response.status_code, seconds=time.perf_counter() - started,
                        rows=response.json().get("rows_read") if response.status_code == 200 else response.text[:200])

    try:
        run_wrk(f"http://127.0.0.1:{port}/buyers/{buyer_id}/shortlist", 2, args.connections, script)  # warm-up
        thread = threading.Thread(target=post_import)
        load_before = os.getloadavg()[0]
        thread.start()
        result = run_wrk(f"http://127.0.0.1:{port}/buyers/{buyer_id}/shortlist", args.duration, args.connections,
                         script)
        result["load"] = (load_before, os.getloadavg()[0])
        result["import_running_at_end"] = thread.is_alive()
        thread.join()
        result["import"] = imported
    finally:
        stop(process)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suppliers", type=int, default=20_000)
    parser.add_argument("--buyers", type=int, default=1_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--during-import", type=int, default=0, metavar="N",
                        help="also measure the shortlist while an upload of N SMEs is imported (0: not)")
    parser.add_argument("--database", type=Path, help="a SQLite file to build the register in, or to reuse when it "
                                                      "holds a completed run (default: a temporary one)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")

    folder = Path(tempfile.mkdtemp(prefix="bench_api_"))
    database = args.database or folder / "store.sqlite"
    if database.exists():
        key, buyer_ids = reuse_store(database)
        print(f"reusing {database}: {len(buyer_ids):,} buyers", file=sys.stderr)
    else:
        print(f"building the register: {args.suppliers:,} SMEs x {args.buyers:,} buyers", file=sys.stderr)
        key, buyer_ids, timings = build_store(database, args.suppliers, args.buyers)
        print(f"import {timings['import_s']:.1f} s, run {timings['run_s']:.1f} s, "
              f"{timings['shortlist_rows']:,} shortlist rows", file=sys.stderr)
    ids = ", ".join(f'"{b}"' for b in buyer_ids)
    script, filtered = folder / "shortlist.lua", folder / "filtered.lua"
    script.write_text(WRK_SCRIPT % (ids, "", key))
    filtered.write_text(WRK_SCRIPT % (ids, "?region=East", key))

    env = {**os.environ, "TIERMATCH_DATABASE_URL": f"sqlite:///{database}",
           "PYTHONPATH": str(Path(__file__).parent) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    rows = []
    for workers in args.workers:
        for name, target, path, lua in (
            ("minimal FastAPI endpoint", "bench_api:minimal_app", "/items", None),
            ("tiermatch shortlist", "tiermatch.api.app:create_app", f"/buyers/{buyer_ids[0]}/shortlist", script),
            ("tiermatch shortlist ?region=East", "tiermatch.api.app:create_app",
             f"/buyers/{buyer_ids[0]}/shortlist", filtered),
        ):
            port = _free_port()
            command = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port),
                       "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
            if target.endswith("create_app"):
                command.append("--factory")
            process = serve(command, env, port)
            try:
                run_wrk(f"http://127.0.0.1:{port}{path}", 2, args.connections, lua)  # warm-up
                load_before = os.getloadavg()[0]
                result = run_wrk(f"http://127.0.0.1:{port}{path}", args.duration, args.connections, lua)
                result["load"] = (load_before, os.getloadavg()[0])
            finally:
                stop(process)
            rows.append((name, workers, result))
            print(f"{name:<26} workers={workers}: {result}", file=sys.stderr)

    if args.during_import:
        rows.append(("tiermatch shortlist during an import", 1,
                     measure_during_import(args, database, env, buyer_ids[0], script, key, folder)))
        print(f"during import: {rows[-1][2]}", file=sys.stderr)

    print(f"\n{args.suppliers:,} SMEs x {args.buyers:,} buyers; wrk -t2 -c{args.connections} -d{args.duration}s "
          f"on 127.0.0.1, {os.cpu_count()} cores shared with the load generator\n")
    print("| endpoint | workers | req/s | p50 ms | p99 ms | non-2xx | share of minimal req/s | load avg before/after |")
    print("|---|---|---|---|---|---|---|---|")
    ceiling = {w: r["rps"] for n, w, r in rows if n.startswith("minimal")}
    for name, workers, r in rows:
        print(f"| {name} | {workers} | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} | "
              f"{r['rps'] / ceiling[workers]:.0%} | {r['load'][0]:.1f} / {r['load'][1]:.1f} |")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
