"""Encoder vectors of texts, kept so that a run re-encodes nothing it has seen."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from ._upsert import upsert
from .schema import embeddings_table

__all__ = ["EmbeddingRepository"]

_BATCH = 5000


class EmbeddingRepository:
    """The :class:`~tiermatch.features.encoder.EmbeddingCache` of a store."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def get_many(self, version: str, keys: Sequence[str]) -> dict[str, bytes]:
        t = embeddings_table
        found = {}
        with self.engine.connect() as conn:
            for start in range(0, len(keys), _BATCH):
                rows = conn.execute(select(t.c.text_key, t.c.vector).where(
                    t.c.model == version, t.c.text_key.in_(list(keys[start:start + _BATCH]))))
                found.update((key, bytes(vector)) for key, vector in rows)
        return found

    def put_many(self, version: str, items: dict[str, bytes]) -> None:
        rows = [{"model": version, "text_key": key, "vector": vector} for key, vector in items.items()]
        with self.engine.begin() as conn:
            for start in range(0, len(rows), _BATCH):
                upsert(conn, embeddings_table, ("model", "text_key"), rows[start:start + _BATCH])

    def count(self, version: str | None = None) -> int:
        query = select(func.count()).select_from(embeddings_table)
        if version is not None:
            query = query.where(embeddings_table.c.model == version)
        with self.engine.connect() as conn:
            return conn.scalar(query)
