"""API keys, stored by their hash; revoked keys are kept, marked."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine

from .engine import now
from .schema import api_keys_table

__all__ = ["KeyRepository"]

_PUBLIC = [c for c in api_keys_table.c if c.name != "key_hash"]


class KeyRepository:
    """The service's API keys."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def add(self, key_id: str, key_hash: str, role: str, buyer_id: str | None = None, name: str = "") -> dict:
        """Store a new key by its hash; returns its public record."""
        row = {"key_id": key_id, "key_hash": key_hash, "role": role, "buyer_id": buyer_id, "name": name,
               "created_at": now(), "revoked_at": None}
        with self.engine.begin() as conn:
            conn.execute(api_keys_table.insert(), [row])
        return {k: v for k, v in row.items() if k != "key_hash"}

    def find(self, key_hash: str) -> dict | None:
        """The unrevoked key with this hash, without the hash, or None."""
        t = api_keys_table
        with self.engine.connect() as conn:
            row = conn.execute(select(*_PUBLIC).where(t.c.key_hash == key_hash, t.c.revoked_at.is_(None))).mappings().first()
        return None if row is None else dict(row)

    def all(self) -> list[dict]:
        """Every key, revoked ones included, without hashes, oldest first."""
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(*_PUBLIC).order_by(api_keys_table.c.created_at)).mappings()]

    def revoke(self, key_id: str) -> bool:
        """Revoke a key; returns whether an unrevoked key had that id."""
        t = api_keys_table
        with self.engine.begin() as conn:
            result = conn.execute(t.update().where(t.c.key_id == key_id, t.c.revoked_at.is_(None)).values(revoked_at=now()))
            return result.rowcount > 0
