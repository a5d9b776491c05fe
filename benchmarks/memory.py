"""Peak resident memory of a block of code, sampled from /proc (Linux)."""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager

_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


@contextmanager
def peak_rss(interval: float = 0.02):
    """Yield a dict that holds, after the block, ``seconds`` and ``peak_mib`` (peak RSS above the start)."""
    start = rss_bytes()
    peak = [start]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_bytes())
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
