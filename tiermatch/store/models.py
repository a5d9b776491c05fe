"""Learned scoring models: their bytes, version, held-out metrics and whether runs use them."""

from __future__ import annotations

import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from .engine import now
from .schema import models_table

__all__ = ["ModelRepository"]


class ModelRepository:
    """Every trained model, adopted or not."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def add(self, version: str, model_bytes: bytes, *, adopted: bool, metrics: dict,
            trained_at: datetime.datetime | None = None, report: dict | None = None) -> dict:
        """Store a trained scoring model; returns its record (without the bytes).

        Parameters
        ----------
        version : str
            The model's content version (``LearnedScorer.version``); the same fit twice is stored twice.
        model_bytes : bytes
            ``LearnedScorer.to_bytes()``.
        adopted : bool
            Whether runs should use it (it beat the prior on held-out buyers).
        metrics : dict
            Held-out metrics, stored as JSON.
        trained_at : datetime, optional
            Naive UTC; now by default.
        report : dict, optional
            The whole training report, stored as JSON.
        """
        row = {"version": version, "blob": model_bytes, "adopted": bool(adopted), "metrics": metrics,
               "report": report or {}, "trained_at": trained_at or now(), "created_at": now()}
        with self.engine.begin() as conn:
            model_id = conn.execute(models_table.insert().values(**row)).inserted_primary_key[0]
        return self.get(model_id)

    def get(self, model_id: int, *, with_bytes: bool = False) -> dict | None:
        """One stored model's record (``blob`` only with ``with_bytes``), or None."""
        columns = [c for c in models_table.c if with_bytes or c.name != "blob"]
        with self.engine.connect() as conn:
            row = conn.execute(select(*columns).where(models_table.c.model_id == model_id)).mappings().first()
        return None if row is None else dict(row)

    def page(self, limit: int = 50, offset: int = 0) -> tuple[int, list[dict]]:
        """A page of stored models without their bytes, newest first, and how many there are."""
        columns = [c for c in models_table.c if c.name != "blob"]
        with self.engine.connect() as conn:
            total = conn.scalar(select(func.count()).select_from(models_table))
            rows = conn.execute(select(*columns).order_by(models_table.c.model_id.desc()).limit(limit).offset(offset))
            return total, [dict(r) for r in rows.mappings()]

    def latest(self) -> dict | None:
        """The newest model's record with its ``blob``, adopted or not, or None."""
        with self.engine.connect() as conn:
            model_id = conn.scalar(select(models_table.c.model_id).order_by(models_table.c.model_id.desc()).limit(1))
        return None if model_id is None else self.get(model_id, with_bytes=True)

    def in_use(self) -> dict | None:
        """The model runs score with: the newest, where it was adopted; None (the prior) otherwise."""
        record = self.latest()
        return record if record is not None and record["adopted"] else None
