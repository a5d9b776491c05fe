"""Batch runs: their status and progress, and the results of each (matches, unmatched)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine

from .engine import now
from .schema import run_matches_table, run_unmatched_table, runs_table, text_spaces_table

__all__ = ["RunRepository"]

_BATCH = 20_000


class RunRepository:
    """Runs and their stored results."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def create(self, options: dict, worker: str = "") -> dict:
        """Record a new queued run with its options; returns it."""
        with self.engine.begin() as conn:
            run_id = conn.execute(runs_table.insert().values(
                status="queued", stage="", stage_done=0, stage_total=0, options=options, worker=worker,
                created_at=now())).inserted_primary_key[0]
        return self.get(run_id)

    def update(self, run_id: int, **values) -> None:
        """Set a run's status, stage or progress (``status``, ``stage``, ``stage_done``, ``stage_total``...)."""
        with self.engine.begin() as conn:
            conn.execute(runs_table.update().where(runs_table.c.run_id == run_id).values(**values))

    def fail(self, run_id: int, error: str) -> None:
        """Mark a run failed with the reason; results of earlier runs stay as they were."""
        self.update(run_id, status="failed", error=error[:4000], finished_at=now())

    def complete(self, run_id: int, matches: Sequence[dict], unmatched: Sequence[dict], summary: dict) -> None:
        """Write a run's results and mark it completed, in one transaction.

        Parameters
        ----------
        matches : sequence of dict
            Rows of ``run_matches`` without ``run_id``: ``kind`` (``shortlist``, ``recommendation`` or
            ``assignment``), ``buyer_id``, ``supplier_id``, ``rank``, ``score``, ``reasons``,
            ``reasons_th``, ``features`` (a dict of the pair's feature values), ``group_id``,
            ``volume_thb_per_month`` and ``slot`` (assignment rows of groups and agendas) and
            the supplier's and buyer's profile fields at the time of the run.
        unmatched : sequence of dict
            Rows of ``run_unmatched`` without ``run_id``: ``kind``, ``id``, ``reason``.
        summary : dict
            The run's summary, stored as JSON.
        """
        with self.engine.begin() as conn:
            for table, rows in ((run_matches_table, matches), (run_unmatched_table, unmatched)):
                rows = [{**row, "run_id": run_id} for row in rows]
                for start in range(0, len(rows), _BATCH):
                    conn.execute(table.insert(), rows[start:start + _BATCH])
            conn.execute(runs_table.update().where(runs_table.c.run_id == run_id).values(
                status="completed", stage="done", stage_done=1, stage_total=1, summary=summary,
                finished_at=now(), error=None))

    def keep_text_space(self, run_id: int, blob: bytes) -> None:
        """Keep the text space a completed run fitted (serialised by the caller), in place of any older one."""
        with self.engine.begin() as conn:
            conn.execute(delete(text_spaces_table))
            conn.execute(text_spaces_table.insert().values(run_id=run_id, created_at=now(), blob=blob))

    def text_space(self) -> tuple[int, bytes] | None:
        """``(run_id, blob)`` of the newest text space kept, None before any."""
        t = text_spaces_table
        with self.engine.connect() as conn:
            row = conn.execute(select(t.c.run_id, t.c.blob).order_by(t.c.run_id.desc()).limit(1)).first()
        return None if row is None else (row[0], bytes(row[1]))

    def get(self, run_id: int) -> dict | None:
        """One run's record (status, stage, options, summary, error, times), or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(runs_table).where(runs_table.c.run_id == run_id)).mappings().first()
        return None if row is None else dict(row)

    def page(self, limit: int = 50, offset: int = 0) -> tuple[int, list[dict]]:
        """A page of runs, newest first, and how many there are."""
        with self.engine.connect() as conn:
            total = conn.scalar(select(func.count()).select_from(runs_table))
            rows = conn.execute(select(runs_table).order_by(runs_table.c.run_id.desc()).limit(limit).offset(offset))
            return total, [dict(r) for r in rows.mappings()]

    def latest_completed_id(self) -> int | None:
        """The run that completed last, whose results are served, or None."""
        with self.engine.connect() as conn:
            return conn.scalar(select(runs_table.c.run_id).where(runs_table.c.status == "completed")
                               .order_by(runs_table.c.finished_at.desc(), runs_table.c.run_id.desc()).limit(1))

    def active(self, options: dict) -> dict | None:
        """The oldest queued or running run with exactly these options, or None."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(runs_table.c.run_id, runs_table.c.options)
                                .where(runs_table.c.status.in_(("queued", "running")))
                                .order_by(runs_table.c.run_id)).all()
        return next((self.get(run_id) for run_id, recorded in rows if recorded == options), None)

    def fail_interrupted(self, is_alive) -> int:
        """Mark failed every queued or running run whose worker ``is_alive(worker)`` says is gone."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(runs_table.c.run_id, runs_table.c.worker)
                                .where(runs_table.c.status.in_(("queued", "running")))).all()
        gone = [run_id for run_id, worker in rows if not is_alive(worker)]
        for run_id in gone:
            self.fail(run_id, "interrupted: the service stopped before the run finished")
        return len(gone)

    def matches(
        self,
        run_id: int,
        kind: str,
        *,
        buyer_id: str | None = None,
        supplier_id: str | None = None,
        sector: str | None = None,
        provinces: Sequence[str] | None = None,
        certification: str | None = None,
        max_rank: int | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[int, list[dict]]:
        """A page of one run's stored matches of one ``kind``, ranked, and how many match in all.

        Filters on ``sector``, ``provinces`` and ``certification`` apply to the supplier's
        profile as it was at the run; ``max_rank`` keeps ranks up to it. This is the one
        query every shortlist, recommendation and assignment read goes through.
        """
        t = run_matches_table
        query = select(t).where(t.c.run_id == run_id, t.c.kind == kind)
        if max_rank is not None:
            query = query.where(t.c.rank <= max_rank)
        if buyer_id is not None:
            query = query.where(t.c.buyer_id == buyer_id)
        if supplier_id is not None:
            query = query.where(t.c.supplier_id == supplier_id)
        if sector is not None:
            query = query.where(t.c.supplier_sector == sector)
        if provinces is not None:
            query = query.where(t.c.supplier_province.in_(list(provinces)))
        if certification is not None:
            query = query.where(t.c.supplier_certifications.contains(f";{certification};", autoescape=True))
        order = (t.c.supplier_id, t.c.rank) if kind == "recommendation" else (t.c.buyer_id, t.c.rank, t.c.supplier_id)
        with self.engine.connect() as conn:
            page = query.order_by(*order).offset(offset)
            if limit is not None:
                page = page.limit(limit)
            rows = [dict(r) for r in conn.execute(page).mappings()]
            # The whole result is on this page: no second query to count it.
            if offset == 0 and (limit is None or len(rows) < limit):
                return len(rows), rows
            return conn.scalar(select(func.count()).select_from(query.subquery())), rows

    def pair(self, run_id: int, buyer_id: str, supplier_id: str) -> dict[str, dict]:
        """One pair's stored rows in a run, by kind (``shortlist``, ``recommendation``, ``assignment``)."""
        t = run_matches_table
        with self.engine.connect() as conn:
            rows = conn.execute(select(t).where(t.c.run_id == run_id, t.c.buyer_id == buyer_id,
                                                t.c.supplier_id == supplier_id)).mappings()
            return {row["kind"]: dict(row) for row in rows}

    def unmatched(self, run_id: int) -> list[dict]:
        """Every buyer and supplier a run left unmatched, with the reason."""
        t = run_unmatched_table
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.c.kind, t.c.id, t.c.reason).where(t.c.run_id == run_id)
                                .order_by(t.c.kind, t.c.id))
            return [dict(r) for r in rows.mappings()]
