"""Peak memory of a block of code, sampled from /proc (Linux): the process and the children it starts meanwhile."""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager

_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    """Resident memory of this process."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


def children() -> set[int]:
    """Processes this process (its main thread) started and that still run."""
    with open(f"/proc/{os.getpid()}/task/{os.getpid()}/children") as f:
        return {int(pid) for pid in f.read().split()}


def private_bytes(pid: int) -> int:
    """Memory of process ``pid`` that no other process shares (0 if it has ended).

    A forked child shares its parent's pages until it writes them: what it adds
    is its private memory.
    """
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return 1024 * sum(int(line.split()[1]) for line in f if line.startswith(("Private_Clean", "Private_Dirty")))
    except (FileNotFoundError, ProcessLookupError):
        return 0


@contextmanager
def peak_rss(interval: float = 0.02, children_every: int = 10):
    """Yield a dict that holds, after the block, ``seconds`` and ``peak_mib``: the peak above the start of
    this process's resident memory plus the private memory of the children it starts meanwhile (the
    processes that read texts in parallel), sampled every ``interval`` seconds (children every
    ``children_every`` samples: reading their memory costs more). Children running at the start (a Dask
    cluster's workers) are not counted.
    """
    running = children()
    start = rss_bytes()
    peak = [start]
    stop = threading.Event()

    def sample():
        extra, tick = 0, 0
        while not stop.is_set():
            if tick % children_every == 0:
                extra = sum(private_bytes(pid) for pid in children() - running)
            peak[0] = max(peak[0], rss_bytes() + extra)
            tick += 1
            time.sleep(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    found = {}
    began = time.perf_counter()
    try:
        yield found
    finally:
        found["seconds"] = time.perf_counter() - began
        stop.set()
        sampler.join()
        peak[0] = max(peak[0], rss_bytes())
        found["peak_mib"] = (peak[0] - start) / 2**20
