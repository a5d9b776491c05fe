"""Connecting to the store, and bringing its tables up to date (Alembic migrations) when it is opened."""

from __future__ import annotations

import datetime
from functools import cache
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

__all__ = ["create_store_engine", "head_revision", "migrate", "now"]

MIGRATIONS = Path(__file__).parent / "migrations"


def now() -> datetime.datetime:
    """The time stored with records: naive UTC."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def create_store_engine(url: str) -> Engine:
    """An engine for the store: on SQLite, WAL (readers never wait for a run's write) and a patient lock.

    Parameters
    ----------
    url : str
        Any SQLAlchemy URL.

    Examples
    --------
    >>> create_store_engine("sqlite://").dialect.name
    'sqlite'
    """
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    in_memory = url in ("sqlite://", "sqlite:///:memory:")
    # An in-memory database lives in one connection: share it between the threads.
    pool = {"poolclass": StaticPool} if in_memory else {"pool_size": 20, "max_overflow": 20}
    engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False}, **pool)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, connection_record):
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def _config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@cache
def head_revision() -> str:
    """The newest migration's revision: what a store up to date records."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def _current_revision(engine: Engine) -> str | None:
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as conn:
        return conn.scalar(text("SELECT version_num FROM alembic_version"))


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the store's tables to the newest migration (or ``revision``); a store already there is left untouched.

    A new store gets every table; a store written by an earlier version gets
    what it lacks, its data kept. Each migration runs in one transaction.
    """
    if _current_revision(engine) == (head_revision() if revision == "head" else revision):
        return
    from alembic import command

    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
