"""The store: profiles and history in SQLite (default) or any SQLAlchemy database.

Every import is one transaction: it lands whole or not at all. Suppliers and
buyers are keyed by id, so importing a file again updates rows, never
duplicates them; a partnership is keyed by supplier, buyer, outcome and date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import JSON, Column, MetaData, String, Table, create_engine, func, select
from sqlalchemy.engine import Connection, Engine

from .features import Buyer, Partnership, Supplier

__all__ = ["ImportCounts", "Store"]

metadata = MetaData()

suppliers_table = Table(
    "suppliers", metadata,
    Column("supplier_id", String(200), primary_key=True),
    Column("sector", String(40), nullable=False, index=True),
    Column("province", String(80), nullable=False, index=True),
    Column("profile", JSON, nullable=False),
)
buyers_table = Table(
    "buyers", metadata,
    Column("buyer_id", String(200), primary_key=True),
    Column("sector", String(40), nullable=False, index=True),
    Column("province", String(80), nullable=False, index=True),
    Column("profile", JSON, nullable=False),
)
partnerships_table = Table(
    "partnerships", metadata,
    Column("key", String(500), primary_key=True),
    Column("supplier_id", String(200), nullable=False, index=True),
    Column("buyer_id", String(200), nullable=False, index=True),
    Column("outcome", String(20), nullable=False),
    Column("profile", JSON, nullable=False),
)


@dataclass(frozen=True)
class ImportCounts:
    """How many rows an import added and how many it updated, per kind."""

    added: dict[str, int]
    updated: dict[str, int]

    def __str__(self) -> str:
        return ", ".join(f"{kind}: {self.added[kind]} added, {self.updated[kind]} updated" for kind in self.added)


def _partnership_key(p: Partnership) -> str:
    return f"{p.supplier_id}\x1f{p.buyer_id}\x1f{p.outcome}\x1f{p.date or ''}"


class Store:
    """Profiles and history behind a SQLAlchemy URL.

    Examples
    --------
    >>> store = Store("sqlite://")
    >>> s = Supplier(supplier_id="S1", name="A", sector="automotive", products="x", province="Rayong")
    >>> print(store.import_register(suppliers=[s]))
    suppliers: 1 added, 0 updated, buyers: 0 added, 0 updated, partnerships: 0 added, 0 updated
    >>> store.suppliers()[0].province
    'Rayong'
    """

    def __init__(self, url: str | Engine):
        self.engine = url if isinstance(url, Engine) else create_engine(url)
        metadata.create_all(self.engine)

    def _upsert(self, conn: Connection, table: Table, key: str, rows: list[dict]) -> tuple[int, int]:
        """Insert new rows and replace existing ones by ``key``; returns (added, updated)."""
        if not rows:
            return 0, 0
        keys = [row[key] for row in rows]
        existing = set()
        column = table.c[key]
        for start in range(0, len(keys), 5000):
            existing.update(conn.scalars(select(column).where(column.in_(keys[start:start + 5000]))))
        updates = [row for row in rows if row[key] in existing]
        inserts = [row for row in rows if row[key] not in existing]
        if updates:
            conn.execute(table.delete().where(column.in_([row[key] for row in updates])))
        conn.execute(table.insert(), updates + inserts)
        return len(inserts), len(updates)

    def import_register(
        self,
        suppliers: Sequence[Supplier] = (),
        buyers: Sequence[Buyer] = (),
        partnerships: Sequence[Partnership] = (),
    ) -> ImportCounts:
        """Store profiles and history in one transaction; existing ids are updated."""
        supplier_rows = [
            {"supplier_id": s.supplier_id, "sector": s.sector, "province": s.province, "profile": s.model_dump(mode="json")}
            for s in suppliers
        ]
        buyer_rows = [
            {"buyer_id": b.buyer_id, "sector": b.sector, "province": b.province, "profile": b.model_dump(mode="json")}
            for b in buyers
        ]
        partnership_rows = list({
            _partnership_key(p): {
                "key": _partnership_key(p), "supplier_id": p.supplier_id, "buyer_id": p.buyer_id,
                "outcome": p.outcome, "profile": p.model_dump(mode="json"),
            }
            for p in partnerships
        }.values())
        added, updated = {}, {}
        with self.engine.begin() as conn:
            for kind, table, key, rows in (
                ("suppliers", suppliers_table, "supplier_id", supplier_rows),
                ("buyers", buyers_table, "buyer_id", buyer_rows),
                ("partnerships", partnerships_table, "key", partnership_rows),
            ):
                added[kind], updated[kind] = self._upsert(conn, table, key, rows)
        return ImportCounts(added, updated)

    def _load(self, table: Table, model, order: Column) -> list:
        with self.engine.connect() as conn:
            return [model.model_validate(profile) for profile in conn.scalars(select(table.c.profile).order_by(order))]

    def suppliers(self) -> list[Supplier]:
        return self._load(suppliers_table, Supplier, suppliers_table.c.supplier_id)

    def buyers(self) -> list[Buyer]:
        return self._load(buyers_table, Buyer, buyers_table.c.buyer_id)

    def partnerships(self) -> list[Partnership]:
        return self._load(partnerships_table, Partnership, partnerships_table.c.key)

    def known_ids(self, kind: str) -> set[str]:
        """Stored supplier ids (``kind="suppliers"``) or buyer ids (``kind="buyers"``)."""
        table, key = {"suppliers": (suppliers_table, "supplier_id"), "buyers": (buyers_table, "buyer_id")}[kind]
        with self.engine.connect() as conn:
            return set(conn.scalars(select(table.c[key])))

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                table.name: conn.scalar(select(func.count()).select_from(table))
                for table in (suppliers_table, buyers_table, partnerships_table)
            }
