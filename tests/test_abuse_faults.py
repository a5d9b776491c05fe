"""Faults an operator meets: a run or an import killed with ``kill -9`` leaves the output folder and the store as
they were before it (never a mix), and the next run cleans up after it."""

import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from tiermatch.cli import app

pytestmark = pytest.mark.abuse

CLI = [sys.executable, "-c", "from tiermatch.cli import app; app()"]


def _invoke(*args):
    result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def _snapshot(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _start_and_kill_when(command, ready, timeout=120):
    """Start ``command``, wait until ``ready()`` is true, then kill -9 it; True if it was killed while working."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while process.poll() is None and not ready() and time.monotonic() < deadline:
        time.sleep(0.02)
    killed = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait()
    return killed


@pytest.fixture(scope="module")
def registers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("registers")
    _invoke("generate", "--out", folder / "a", "--suppliers", 400, "--buyers", 40, "--seed", 1)
    _invoke("generate", "--out", folder / "b", "--suppliers", 3000, "--buyers", 150, "--seed", 2)
    return folder


def test_run_killed_mid_way_leaves_the_last_complete_results(registers, tmp_path):
    out = tmp_path / "out"
    a, b = registers / "a", registers / "b"
    _invoke("run", "--suppliers", a / "suppliers.csv", "--buyers", a / "buyers.csv", "--out", out,
            "--partition-size", 150)
    (out / "notes.txt").write_text("the matchmaker's own file")
    before = _snapshot(out)
    assert "recommendations/part-00002.csv" in before

    killed = _start_and_kill_when(CLI + ["run", "--suppliers", str(b / "suppliers.csv"), "--buyers",
                                         str(b / "buyers.csv"), "--out", str(out), "--partition-size", "1000"],
                                  lambda: any(tmp_path.glob(".out.partial-*/recommendations/part-*.csv")))
    assert killed, "the run ended before it could be killed while writing"
    assert _snapshot(out) == before  # nothing of the killed run mixed in
    assert list(tmp_path.glob(".out.partial-*"))  # what it left is apart, and named for what it is

    _invoke("run", "--suppliers", b / "suppliers.csv", "--buyers", b / "buyers.csv", "--out", out)
    after = _snapshot(out)
    assert not any(name.startswith("recommendations/") for name in after)  # one file now, no stale parts
    assert "recommendations.csv" in after and after["notes.txt"] == before["notes.txt"]
    assert after["shortlists.csv"] != before["shortlists.csv"]
    assert not list(tmp_path.glob(".out.partial-*"))


def test_import_killed_mid_way_stores_all_or_nothing(registers, tmp_path):
    database = tmp_path / "store.sqlite"
    b = registers / "b"
    _invoke("import", "--buyers", b / "buyers.csv", "--database", f"sqlite:///{database}")
    wal = database.with_name("store.sqlite-wal")
    start = wal.stat().st_size if wal.exists() else 0
    # Killed once the import has written a good part of its transaction (SQLite's write-ahead log grows).
    killed = _start_and_kill_when(CLI + ["import", "--suppliers", str(b / "suppliers.csv"), "--database",
                                         f"sqlite:///{database}"],
                                  lambda: wal.exists() and wal.stat().st_size > start + (256 << 10))
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        suppliers = conn.execute("SELECT count(*) FROM suppliers").fetchone()[0]
        buyers = conn.execute("SELECT count(*) FROM buyers").fetchone()[0]
    assert buyers == 150
    assert suppliers in (0, 3000), suppliers
    if killed:  # killed before or after its commit: either way a second try stores every row
        _invoke("import", "--suppliers", b / "suppliers.csv", "--database", f"sqlite:///{database}")
        with sqlite3.connect(database) as conn:
            assert conn.execute("SELECT count(*) FROM suppliers").fetchone()[0] == 3000
