"""Past proposals and their outcomes, keyed by supplier, buyer, outcome and date."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Connection, Engine

from ..features.profiles import Partnership
from ._upsert import existing_keys, upsert
from .schema import partnerships_table

__all__ = ["HistoryRepository"]


def _key(p: Partnership) -> str:
    return f"{p.supplier_id}\x1f{p.buyer_id}\x1f{p.outcome}\x1f{p.date or ''}"


class HistoryRepository:
    """Partnerships: the outcomes of past proposals."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def upsert(self, conn: Connection, records: Sequence[Partnership]) -> tuple[int, int, list[Partnership]]:
        """Store records on ``conn``; the same (supplier, buyer, outcome, date) twice is stored once. Returns
        how many were added and updated, and the records not stored before."""
        unique = {_key(p): p for p in records}
        rows = [{"key": key, "supplier_id": p.supplier_id, "buyer_id": p.buyer_id, "outcome": p.outcome,
                 "profile": p.model_dump(mode="json")} for key, p in unique.items()]
        existing = existing_keys(conn, partnerships_table, "key", [(key,) for key in unique])
        added, updated = upsert(conn, partnerships_table, "key", rows, existing)
        return added, updated, [p for key, p in unique.items() if (key,) not in existing]

    def remove(self, conn: Connection, records: Sequence[Partnership]) -> None:
        """Forget ``records`` (by supplier, buyer, outcome and date) on ``conn``."""
        if records:
            conn.execute(delete(partnerships_table).where(partnerships_table.c.key.in_([_key(p) for p in records])))

    def all(self) -> list[Partnership]:
        """Every stored record, in key order."""
        t = partnerships_table
        with self.engine.connect() as conn:
            return [Partnership.model_validate(p) for p in conn.scalars(select(t.c.profile).order_by(t.c.key))]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(partnerships_table))

    def page(self, *, buyer_id: str | None = None, supplier_id: str | None = None,
             limit: int = 50, offset: int = 0) -> tuple[int, list[Partnership]]:
        """A page of history, filtered by buyer or supplier, and how many match in all."""
        t = partnerships_table
        query = select(t.c.profile)
        if buyer_id is not None:
            query = query.where(t.c.buyer_id == buyer_id)
        if supplier_id is not None:
            query = query.where(t.c.supplier_id == supplier_id)
        with self.engine.connect() as conn:
            total = conn.scalar(select(func.count()).select_from(query.subquery()))
            rows = conn.scalars(query.order_by(t.c.key).limit(limit).offset(offset))
            return total, [Partnership.model_validate(p) for p in rows]

    def outcomes_by_supplier(self, buyer_id: str, supplier_ids: Sequence[str]) -> dict[str, list[str]]:
        """The outcomes recorded between the buyer and each of ``supplier_ids``, in one query."""
        t = partnerships_table
        found: dict[str, list[str]] = {}
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.c.supplier_id, t.c.outcome).where(
                t.c.buyer_id == buyer_id, t.c.supplier_id.in_(list(supplier_ids))).order_by(t.c.key))
            for supplier_id, outcome in rows:
                found.setdefault(supplier_id, []).append(outcome)
        return found
