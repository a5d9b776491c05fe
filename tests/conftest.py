"""Shared fixtures: CSV writers, stores (SQLite and, where reachable, PostgreSQL)."""

from __future__ import annotations

import csv
import io
import os
import uuid

import pytest
from sqlalchemy import create_engine, text

POSTGRES_URL = os.environ.get("TIERMATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

SUPPLIER_HEADER = ["supplier_id", "name", "sector", "products", "province", "certifications",
                   "capacity_thb_per_month", "max_buyers", "export_ready", "otop"]
BUYER_HEADER = ["buyer_id", "name", "buyer_type", "sector", "needs", "province",
                "required_certifications", "demand_thb_per_month", "max_suppliers", "max_distance_km"]


def csv_bytes(header, rows, encoding="utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


@pytest.fixture
def write_csv(tmp_path):
    """write_csv(name, header, rows, encoding="utf-8") -> Path"""

    def write(name, header, rows, encoding="utf-8"):
        path = tmp_path / name
        path.write_bytes(csv_bytes(header, rows, encoding))
        return path

    return write


def _postgres_engine():
    """An engine on a fresh schema of the local PostgreSQL, or a skip saying why."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("PostgreSQL tests need psycopg: pip install -e '.[test]'")
    schema = f"tiermatch_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # any connection failure means: no server here
        admin.dispose()
        pytest.skip(f"no PostgreSQL reachable at {POSTGRES_URL} ({type(exc).__name__}); "
                    "set TIERMATCH_TEST_POSTGRES_URL to run the store's tests on PostgreSQL")
    engine = create_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    return engine, admin, schema


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url_or_engine(request, tmp_path):
    """A SQLite file URL, or an engine bound to a throwaway PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    engine, admin, schema = _postgres_engine()
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def dask_cluster():
    """One LocalCluster (two single-threaded worker processes) shared by every Dask test of the session."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster


@pytest.fixture
def dask_client(dask_cluster):
    """A client of the shared cluster, with both its workers up (a test may have killed one)."""
    import distributed

    with distributed.Client(dask_cluster) as client:
        client.wait_for_workers(2, timeout=60)
        yield client


@pytest.fixture
def unreachable_scheduler(monkeypatch):
    """An address no scheduler answers at, given up on after a second instead of ten."""
    monkeypatch.setattr("tiermatch.matcher.batch.CONNECT_TIMEOUT", "1s")
    return "tcp://127.0.0.1:1"
