"""The outcome log: events appended, never changed; a correction is a new event that supersedes an old one."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from .engine import now
from .schema import events_table

__all__ = ["EventRepository"]

_COLUMNS = ("kind", "buyer_id", "supplier_id", "run_id", "rank", "score", "model_version", "actor", "value_thb",
            "supersedes", "note")


class EventRepository:
    """Every shortlist row shown and every action after it."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def append(self, events: list[dict]) -> list[int]:
        """Store events (``at`` now unless given); returns their ids, in order."""
        if not events:
            return []
        stamp = now()
        rows = [{"at": e.get("at") or stamp, **{c: e.get(c) for c in _COLUMNS}} for e in events]
        with self.engine.begin() as conn:
            found = conn.execute(events_table.insert().returning(events_table.c.event_id, sort_by_parameter_order=True),
                                 rows)
            return list(found.scalars())

    def get(self, event_id: int) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(events_table).where(events_table.c.event_id == event_id)).mappings().first()
        return None if row is None else dict(row)

    def page(self, *, buyer_id: str | None = None, supplier_id: str | None = None, kind: str | None = None,
             limit: int = 50, offset: int = 0) -> tuple[int, list[dict]]:
        """Events in the order they were recorded, filtered, and how many match."""
        t = events_table
        where = [c == v for c, v in ((t.c.buyer_id, buyer_id), (t.c.supplier_id, supplier_id), (t.c.kind, kind))
                 if v is not None]
        with self.engine.connect() as conn:
            total = conn.scalar(select(func.count()).select_from(t).where(*where))
            rows = conn.execute(select(t).where(*where).order_by(t.c.event_id).limit(limit).offset(offset))
            return total, [dict(r) for r in rows.mappings()]

    def all(self) -> list[dict]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(events_table).order_by(events_table.c.event_id)).mappings()]
