"""Suppliers and buyers, keyed by id: each stored whole as JSON, beside the columns the filters use."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import Text, cast, func, select
from sqlalchemy.engine import Connection, Engine

from ..features.profiles import Buyer, Supplier
from ._upsert import upsert
from .schema import buyers_table, suppliers_table

__all__ = ["KINDS", "ProfileRepository"]

# kind -> (table, key column, record model, certification field)
KINDS = {
    "suppliers": (suppliers_table, "supplier_id", Supplier, "certifications"),
    "buyers": (buyers_table, "buyer_id", Buyer, "required_certifications"),
}


def _kind(kind: str):
    if kind not in KINDS:
        raise ValueError(f"Expected kind 'suppliers' or 'buyers', got {kind!r}")
    return KINDS[kind]


class ProfileRepository:
    """Suppliers (``kind="suppliers"``) and buyers (``kind="buyers"``) of the register."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def upsert(self, conn: Connection, kind: str, records: Sequence[Supplier] | Sequence[Buyer]) -> tuple[int, int]:
        """Store records on ``conn`` (the caller's transaction); existing ids are replaced. Returns (added, updated)."""
        table, key, _, _ = _kind(kind)
        rows = [{key: getattr(r, key), "sector": r.sector, "province": r.province, "profile": r.model_dump(mode="json")}
                for r in records]
        return upsert(conn, table, key, rows)

    def all(self, kind: str) -> list:
        """Every stored record of ``kind``, in id order."""
        table, key, model, _ = _kind(kind)
        with self.engine.connect() as conn:
            return [model.model_validate(p) for p in conn.scalars(select(table.c.profile).order_by(table.c[key]))]

    def get(self, kind: str, record_id: str):
        """One stored record, or None."""
        table, key, model, _ = _kind(kind)
        with self.engine.connect() as conn:
            profile = conn.scalar(select(table.c.profile).where(table.c[key] == record_id))
        return None if profile is None else model.model_validate(profile)

    def exists(self, kind: str, record_id: str) -> bool:
        """Whether a record with this id is stored."""
        table, key, _, _ = _kind(kind)
        with self.engine.connect() as conn:
            return conn.scalar(select(table.c[key]).where(table.c[key] == record_id)) is not None

    def delete(self, kind: str, record_id: str) -> bool:
        """Delete one record; returns whether it existed. Its history is kept."""
        table, key, _, _ = _kind(kind)
        with self.engine.begin() as conn:
            return conn.execute(table.delete().where(table.c[key] == record_id)).rowcount > 0

    def ids(self, kind: str) -> set[str]:
        """Every stored id of ``kind``."""
        table, key, _, _ = _kind(kind)
        with self.engine.connect() as conn:
            return set(conn.scalars(select(table.c[key])))

    def count(self, kind: str) -> int:
        table, _, _, _ = _kind(kind)
        with self.engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(table))

    def page(self, kind: str, *, sector: str | None = None, provinces: Sequence[str] | None = None,
             certification: str | None = None, limit: int = 50, offset: int = 0) -> tuple[int, list]:
        """A page of records in id order, filtered, and how many match in all.

        Parameters
        ----------
        kind : {"suppliers", "buyers"}
        sector : str, optional
            Canonical sector name.
        provinces : sequence of str, optional
            English province names; a profile in any of them matches (a region is its provinces).
        certification : str, optional
            Canonical certification name: held by a supplier, required by a buyer.
        limit, offset : int
            The page.
        """
        table, key, model, field_name = _kind(kind)
        query = select(table.c.profile).order_by(table.c[key])
        if sector is not None:
            query = query.where(table.c.sector == sector)
        if provinces is not None:
            query = query.where(table.c.province.in_(list(provinces)))
        with self.engine.connect() as conn:
            if certification is None:
                total = conn.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
                rows = conn.scalars(query.limit(limit).offset(offset)).all()
                return total, [model.model_validate(profile) for profile in rows]
            # JSON containment differs between dialects: narrow in SQL to profiles holding the name as a whole
            # JSON string (quotes included: "a" does not match every profile with an a), then check the list
            # itself on the stored JSON; only the page asked for is validated into records.
            text_profile = cast(table.c.profile, Text)
            query = query.where(text_profile.contains(json.dumps(certification), autoescape=True))
            found = [profile for profile in conn.scalars(query) if certification in profile.get(field_name, ())]
        return len(found), [model.model_validate(profile) for profile in found[offset:offset + limit]]
