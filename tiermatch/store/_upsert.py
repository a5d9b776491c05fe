"""Insert-or-replace by key in one statement, so that concurrent imports never collide."""

from __future__ import annotations

from sqlalchemy import Table, select, tuple_
from sqlalchemy.engine import Connection

__all__ = ["existing_keys", "upsert"]

_BATCH = 5000


def existing_keys(conn: Connection, table: Table, key: str | tuple[str, ...], keys: list[tuple]) -> set[tuple]:
    """Those of ``keys`` (tuples of the ``key`` columns' values) already stored, read in batches."""
    names = (key,) if isinstance(key, str) else tuple(key)
    columns = [table.c[name] for name in names]
    existing = set()
    for start in range(0, len(keys), _BATCH):
        batch = keys[start:start + _BATCH]
        where = (columns[0].in_([k[0] for k in batch]) if len(names) == 1
                 else tuple_(*columns).in_(batch))
        existing.update(tuple(r) for r in conn.execute(select(*columns).where(where)))
    return existing


def upsert(conn: Connection, table: Table, key: str | tuple[str, ...], rows: list[dict],
           existing: set[tuple] | None = None) -> tuple[int, int]:
    """Insert new rows and replace existing ones by ``key`` (a column, or several); returns (added, updated).

    On SQLite and PostgreSQL each batch is one ``INSERT ... ON CONFLICT DO
    UPDATE``: two imports of the same ids at once both succeed, the later
    one's values kept. Elsewhere, existing rows are replaced (delete, then
    insert) inside the caller's transaction. The counts are read before
    writing (``existing``, where the caller read them already with
    :func:`existing_keys`): under concurrency they may count a row another
    import added as added here too; the stored rows are right either way.
    """
    if not rows:
        return 0, 0
    names = (key,) if isinstance(key, str) else tuple(key)
    columns = [table.c[name] for name in names]
    keys = [tuple(row[name] for name in names) for row in rows]
    if existing is None:
        existing = existing_keys(conn, table, key, keys)
    dialect = conn.dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        values = [c.name for c in table.c if c.name not in names]
        for start in range(0, len(rows), _BATCH):
            statement = insert(table)
            statement = statement.on_conflict_do_update(index_elements=list(names),
                                                        set_={c: statement.excluded[c] for c in values})
            conn.execute(statement, rows[start:start + _BATCH])
    else:
        updates = [k for k in keys if k in existing]
        for start in range(0, len(updates), _BATCH):
            batch = updates[start:start + _BATCH]
            where = columns[0].in_([k[0] for k in batch]) if len(names) == 1 else tuple_(*columns).in_(batch)
            conn.execute(table.delete().where(where))
        conn.execute(table.insert(), rows)
    updated = sum(k in existing for k in keys)
    return len(rows) - updated, updated
