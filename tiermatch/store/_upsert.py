"""Insert-or-replace by key in one statement, so that concurrent imports never collide."""

from __future__ import annotations

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

__all__ = ["upsert"]

_BATCH = 5000


def upsert(conn: Connection, table: Table, key: str, rows: list[dict]) -> tuple[int, int]:
    """Insert new rows and replace existing ones by ``key``; returns (added, updated).

    On SQLite and PostgreSQL each batch is one ``INSERT ... ON CONFLICT DO
    UPDATE``: two imports of the same ids at once both succeed, the later
    one's values kept. Elsewhere, existing rows are replaced (delete, then
    insert) inside the caller's transaction. The counts are read before
    writing: under concurrency they may count a row another import added as
    added here too; the stored rows are right either way.
    """
    if not rows:
        return 0, 0
    column = table.c[key]
    keys = [row[key] for row in rows]
    existing = set()
    for start in range(0, len(keys), _BATCH):
        existing.update(conn.scalars(select(column).where(column.in_(keys[start:start + _BATCH]))))
    dialect = conn.dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        columns = [c.name for c in table.c if c.name != key]
        for start in range(0, len(rows), _BATCH):
            statement = insert(table)
            statement = statement.on_conflict_do_update(index_elements=[key],
                                                        set_={c: statement.excluded[c] for c in columns})
            conn.execute(statement, rows[start:start + _BATCH])
    else:
        updates = [k for k in keys if k in existing]
        for start in range(0, len(updates), _BATCH):
            conn.execute(table.delete().where(column.in_(updates[start:start + _BATCH])))
        conn.execute(table.insert(), rows)
    updated = sum(k in existing for k in keys)
    return len(rows) - updated, updated
