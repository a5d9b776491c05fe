"""The outcome log: events appended, never changed; a correction is a new event that supersedes an old one."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from .engine import now
from .schema import events_table

__all__ = ["EventRepository"]

_COLUMNS = ("kind", "buyer_id", "supplier_id", "run_id", "rank", "score", "propensity", "model_version", "actor",
            "value_thb", "outcome_date", "supersedes", "note")


class EventRepository:
    """Every shortlist row shown and every action after it."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def append(self, events: list[dict], conn: Connection | None = None) -> list[int]:
        """Store events (``at`` now unless given), on ``conn`` where given; returns their ids, in order."""
        if not events:
            return []
        if conn is None:
            with self.engine.begin() as conn:
                return self.append(events, conn)
        stamp = now()
        rows = [{"at": e.get("at") or stamp, **{c: e.get(c) for c in _COLUMNS}} for e in events]
        found = conn.execute(events_table.insert().returning(events_table.c.event_id, sort_by_parameter_order=True),
                             rows)
        return list(found.scalars())

    def append_quickly(self, events: list[dict]) -> None:
        """Store many events at once, their ids not returned: the driver's own ``executemany`` over plain tuples
        where its parameter style is known (SQLite, PostgreSQL, MariaDB), skipping SQLAlchemy's per-row work.
        For the shown rows a busy service logs by the ten thousand a second."""
        if not events:
            return
        marker = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(self.engine.dialect.paramstyle)
        if marker is None:
            self.append(events)
            return
        stamp = now()
        columns = ("at", *_COLUMNS)
        rows = [(e.get("at") or stamp, *(e.get(c) for c in _COLUMNS)) for e in events]
        sql = (f"INSERT INTO {events_table.name} ({', '.join(columns)}) "
               f"VALUES ({', '.join([marker] * len(columns))})")
        with self.engine.begin() as conn:
            conn.exec_driver_sql(sql, rows)

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

    def all(self, kinds: tuple[str, ...] | None = None) -> list[dict]:
        """Every event (of ``kinds``, where given) in the order recorded."""
        t = events_table
        query = select(t).order_by(t.c.event_id)
        if kinds is not None:
            query = query.where(t.c.kind.in_(kinds))
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def shown_of_acted_pairs(self, kinds: tuple[str, ...]) -> list[dict]:
        """Shown rows (id, pair, propensity) of the pairs that have an event of ``kinds``, in the order recorded."""
        t, acted = events_table, events_table.alias("acted")
        query = (select(t.c.event_id, t.c.buyer_id, t.c.supplier_id, t.c.propensity)
                 .where(t.c.kind == "shown", t.c.propensity.is_not(None),
                        select(acted.c.event_id).where(acted.c.kind.in_(kinds), acted.c.buyer_id == t.c.buyer_id,
                                                       acted.c.supplier_id == t.c.supplier_id).exists())
                 .order_by(t.c.event_id))
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def first_shown(self) -> dict[tuple[str, str], str | None]:
        """``{(buyer_id, supplier_id): model_version}`` of each pair's first showing, in one grouped query (the
        shown rows themselves stay in the store)."""
        t = events_table
        first = select(func.min(t.c.event_id)).where(t.c.kind == "shown").group_by(t.c.buyer_id, t.c.supplier_id)
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.c.buyer_id, t.c.supplier_id, t.c.model_version)
                                .where(t.c.event_id.in_(first.scalar_subquery())))
            return {(b, s): v for b, s, v in rows}

    def superseded(self) -> dict[int, int]:
        """``{event corrected: the event that corrects it}``."""
        t = events_table
        with self.engine.connect() as conn:
            return dict(conn.execute(select(t.c.supersedes, t.c.event_id).where(t.c.supersedes.is_not(None))
                                     .order_by(t.c.event_id)).all())
