"""The store: profiles and history in SQLite (default) or any SQLAlchemy database.

Every import is one transaction: it lands whole or not at all. Suppliers and
buyers are keyed by id, so importing a file again updates rows, never
duplicates them; a partnership is keyed by supplier, buyer, outcome and date.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    cast,
    create_engine,
    event,
    func,
    inspect,
    select,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from .features import Buyer, Partnership, Supplier

__all__ = ["ImportCounts", "Store", "create_store_engine"]

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


def create_store_engine(url: str) -> Engine:
    """An engine for the store: on SQLite, WAL (readers never wait for a run's write) and a patient lock.

    Parameters
    ----------
    url : str
        Any SQLAlchemy URL.

    Examples
    --------
    >>> create_store_engine("sqlite://").dialect.name
    'sqlite'
    """
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    in_memory = url in ("sqlite://", "sqlite:///:memory:")
    # An in-memory database lives in one connection: share it between the threads.
    pool = {"poolclass": StaticPool} if in_memory else {"pool_size": 20, "max_overflow": 20}
    engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False}, **pool)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, connection_record):
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


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
        self.engine = url if isinstance(url, Engine) else create_store_engine(url)
        metadata.create_all(self.engine)
        _add_missing_columns(self.engine, run_matches_table)

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

    # ------------------------------------------------------------------
    # Single profiles, API keys and batch runs (used by the HTTP service).

    def get_profile(self, kind: str, key: str) -> Supplier | Buyer | None:
        """One stored supplier (``kind="suppliers"``) or buyer (``kind="buyers"``), or None."""
        table, column, model = _profile_table(kind)
        with self.engine.connect() as conn:
            profile = conn.scalar(select(table.c.profile).where(table.c[column] == key))
        return None if profile is None else model.model_validate(profile)

    def delete_profile(self, kind: str, key: str) -> bool:
        """Delete one supplier or buyer; returns whether it existed. Its history is kept."""
        table, column, _ = _profile_table(kind)
        with self.engine.begin() as conn:
            return conn.execute(table.delete().where(table.c[column] == key)).rowcount > 0

    def list_profiles(
        self,
        kind: str,
        *,
        sector: str | None = None,
        provinces: Sequence[str] | None = None,
        certification: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[int, list[Supplier] | list[Buyer]]:
        """A page of suppliers or buyers in id order, filtered, and how many match in all.

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

        Returns
        -------
        total : int
        profiles : list
        """
        table, column, model = _profile_table(kind)
        query = select(table.c.profile).order_by(table.c[column])
        if sector is not None:
            query = query.where(table.c.sector == sector)
        if provinces is not None:
            query = query.where(table.c.province.in_(list(provinces)))
        with self.engine.connect() as conn:
            if certification is None:
                total = conn.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
                rows = conn.scalars(query.limit(limit).offset(offset)).all()
                return total, [model.model_validate(profile) for profile in rows]
            # JSON containment differs between dialects: narrow with LIKE, then check exactly.
            text_profile = cast(table.c.profile, Text)
            query = query.where(text_profile.contains(json.dumps(certification)[1:-1], autoescape=True))
            field_name = "certifications" if kind == "suppliers" else "required_certifications"
            found = [model.model_validate(profile) for profile in conn.scalars(query)]
        found = [p for p in found if certification in getattr(p, field_name)]
        return len(found), found[offset:offset + limit]

    def add_api_key(self, key_id: str, key_hash: str, role: str, buyer_id: str | None = None, name: str = "") -> dict:
        """Store a new API key by its hash; returns its public record."""
        row = {"key_id": key_id, "key_hash": key_hash, "role": role, "buyer_id": buyer_id, "name": name,
               "created_at": _now(), "revoked_at": None}
        with self.engine.begin() as conn:
            conn.execute(api_keys_table.insert(), [row])
        return {k: v for k, v in row.items() if k != "key_hash"}

    def find_api_key(self, key_hash: str) -> dict | None:
        """The unrevoked key with this hash, without the hash, or None."""
        columns = [c for c in api_keys_table.c if c.name != "key_hash"]
        with self.engine.connect() as conn:
            row = conn.execute(select(*columns).where(
                api_keys_table.c.key_hash == key_hash, api_keys_table.c.revoked_at.is_(None))).mappings().first()
        return None if row is None else dict(row)

    def api_keys(self) -> list[dict]:
        """Every key, revoked ones included, without hashes, oldest first."""
        columns = [c for c in api_keys_table.c if c.name != "key_hash"]
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(*columns).order_by(api_keys_table.c.created_at)).mappings()]

    def revoke_api_key(self, key_id: str) -> bool:
        """Revoke a key; returns whether an unrevoked key had that id."""
        with self.engine.begin() as conn:
            result = conn.execute(api_keys_table.update().where(
                api_keys_table.c.key_id == key_id, api_keys_table.c.revoked_at.is_(None)).values(revoked_at=_now()))
            return result.rowcount > 0

    def create_run(self, options: dict, worker: str = "") -> dict:
        """Record a new queued run with its options; returns it."""
        with self.engine.begin() as conn:
            run_id = conn.execute(runs_table.insert().values(
                status="queued", stage="", stage_done=0, stage_total=0, options=options, worker=worker,
                created_at=_now())).inserted_primary_key[0]
        return self.get_run(run_id)

    def update_run(self, run_id: int, **values) -> None:
        """Set a run's status, stage or progress (``status``, ``stage``, ``stage_done``, ``stage_total``...)."""
        with self.engine.begin() as conn:
            conn.execute(runs_table.update().where(runs_table.c.run_id == run_id).values(**values))

    def fail_run(self, run_id: int, error: str) -> None:
        """Mark a run failed with the reason; results of earlier runs stay as they were."""
        self.update_run(run_id, status="failed", error=error[:4000], finished_at=_now())

    def complete_run(self, run_id: int, matches: Sequence[dict], unmatched: Sequence[dict], summary: dict) -> None:
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
            ``kind`` (``buyer`` or ``supplier``), ``id``, ``reason``.
        summary : dict
            The run's summary, stored as JSON.
        """
        with self.engine.begin() as conn:
            for table, rows in ((run_matches_table, matches), (run_unmatched_table, unmatched)):
                rows = [{**row, "run_id": run_id} for row in rows]
                for start in range(0, len(rows), 20000):
                    conn.execute(table.insert(), rows[start:start + 20000])
            conn.execute(runs_table.update().where(runs_table.c.run_id == run_id).values(
                status="completed", stage="done", stage_done=1, stage_total=1, summary=summary,
                finished_at=_now(), error=None))

    def get_run(self, run_id: int) -> dict | None:
        """One run's record (status, stage, options, summary, error, times), or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(runs_table).where(runs_table.c.run_id == run_id)).mappings().first()
        return None if row is None else dict(row)

    def runs(self, limit: int = 50, offset: int = 0) -> tuple[int, list[dict]]:
        """A page of runs, newest first, and how many there are."""
        with self.engine.connect() as conn:
            total = conn.scalar(select(func.count()).select_from(runs_table))
            rows = conn.execute(select(runs_table).order_by(runs_table.c.run_id.desc()).limit(limit).offset(offset))
            return total, [dict(r) for r in rows.mappings()]

    def latest_completed_run_id(self) -> int | None:
        """The run that completed last, whose results the service serves, or None."""
        with self.engine.connect() as conn:
            return conn.scalar(select(runs_table.c.run_id).where(runs_table.c.status == "completed")
                               .order_by(runs_table.c.finished_at.desc(), runs_table.c.run_id.desc()).limit(1))

    def fail_interrupted_runs(self, is_alive) -> int:
        """Mark failed every queued or running run whose worker ``is_alive(worker)`` says is gone."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(runs_table.c.run_id, runs_table.c.worker)
                                .where(runs_table.c.status.in_(("queued", "running")))).all()
        gone = [run_id for run_id, worker in rows if not is_alive(worker)]
        for run_id in gone:
            self.fail_run(run_id, "interrupted: the service stopped before the run finished")
        return len(gone)

    def run_matches(
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
        profile as it was at the run; ``max_rank`` keeps ranks up to it.
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
            total = conn.scalar(select(func.count()).select_from(query.subquery()))
            page = query.order_by(*order).offset(offset)
            if limit is not None:
                page = page.limit(limit)
            return total, [dict(r) for r in conn.execute(page).mappings()]

    def run_pair(self, run_id: int, buyer_id: str, supplier_id: str) -> dict[str, dict]:
        """One pair's stored rows in a run, by kind (``shortlist``, ``recommendation``, ``assignment``)."""
        t = run_matches_table
        with self.engine.connect() as conn:
            rows = conn.execute(select(t).where(t.c.run_id == run_id, t.c.buyer_id == buyer_id,
                                                t.c.supplier_id == supplier_id)).mappings()
            return {row["kind"]: dict(row) for row in rows}

    def latest_shortlist(
        self,
        buyer_id: str,
        *,
        sector: str | None = None,
        provinces: Sequence[str] | None = None,
        certification: str | None = None,
    ) -> tuple[bool, int | None, list[dict]]:
        """A buyer's whole filtered shortlist from the latest completed run, read on one connection.

        Returns
        -------
        buyer_known : bool
            Whether the buyer is in the register.
        run_id : int or None
            The latest completed run; None before any.
        rows : list of dict
            Its ``run_matches`` shortlist rows for the buyer, by rank (at most the run's ``top_k``).
        """
        t = run_matches_table
        with self.engine.connect() as conn:
            known = conn.scalar(select(buyers_table.c.buyer_id).where(buyers_table.c.buyer_id == buyer_id)) is not None
            run_id = conn.scalar(select(runs_table.c.run_id).where(runs_table.c.status == "completed")
                                 .order_by(runs_table.c.finished_at.desc(), runs_table.c.run_id.desc()).limit(1))
            if not known or run_id is None:
                return known, run_id, []
            query = select(t).where(t.c.run_id == run_id, t.c.kind == "shortlist", t.c.buyer_id == buyer_id)
            if sector is not None:
                query = query.where(t.c.supplier_sector == sector)
            if provinces is not None:
                query = query.where(t.c.supplier_province.in_(list(provinces)))
            if certification is not None:
                query = query.where(t.c.supplier_certifications.contains(f";{certification};", autoescape=True))
            return known, run_id, [dict(r) for r in conn.execute(query.order_by(t.c.rank, t.c.supplier_id)).mappings()]

    def buyer_shortlist(self, run_id: int, buyer_id: str) -> tuple[bool, list[dict]]:
        """Whether the buyer is in the register, and its whole stored shortlist of run ``run_id`` by rank."""
        t = run_matches_table
        with self.engine.connect() as conn:
            known = conn.scalar(select(buyers_table.c.buyer_id).where(buyers_table.c.buyer_id == buyer_id)) is not None
            if not known:
                return False, []
            rows = conn.execute(select(t).where(t.c.run_id == run_id, t.c.kind == "shortlist", t.c.buyer_id == buyer_id)
                                .order_by(t.c.rank, t.c.supplier_id)).mappings()
            return True, [dict(r) for r in rows]

    # ------------------------------------------------------------------
    # Learned scoring models (``POST /models/retrain``, ``tiermatch retrain``).

    def add_model(self, version: str, model_bytes: bytes, *, adopted: bool, metrics: dict,
                  trained_at: datetime.datetime | None = None, report: dict | None = None) -> dict:
        """Store a trained scoring model (its bytes, version, time, held-out metrics, adoption); returns its record.

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
               "report": report or {}, "trained_at": trained_at or _now(), "created_at": _now()}
        with self.engine.begin() as conn:
            model_id = conn.execute(models_table.insert().values(**row)).inserted_primary_key[0]
        return self.get_model(model_id)

    def get_model(self, model_id: int, *, with_bytes: bool = False) -> dict | None:
        """One stored model's record (``blob`` only with ``with_bytes``), or None."""
        columns = [c for c in models_table.c if with_bytes or c.name != "blob"]
        with self.engine.connect() as conn:
            row = conn.execute(select(*columns).where(models_table.c.model_id == model_id)).mappings().first()
        return None if row is None else dict(row)

    def models(self, limit: int = 50, offset: int = 0) -> tuple[int, list[dict]]:
        """A page of stored models without their bytes, newest first, and how many there are."""
        columns = [c for c in models_table.c if c.name != "blob"]
        with self.engine.connect() as conn:
            total = conn.scalar(select(func.count()).select_from(models_table))
            rows = conn.execute(select(*columns).order_by(models_table.c.model_id.desc()).limit(limit).offset(offset))
            return total, [dict(r) for r in rows.mappings()]

    def latest_adopted_model(self) -> dict | None:
        """The newest adopted model's record with its ``blob``, or None: runs score with it, else with the prior."""
        with self.engine.connect() as conn:
            model_id = conn.scalar(select(models_table.c.model_id).where(models_table.c.adopted.is_(True))
                                   .order_by(models_table.c.model_id.desc()).limit(1))
        return None if model_id is None else self.get_model(model_id, with_bytes=True)

    def run_unmatched(self, run_id: int) -> list[dict]:
        """Every buyer and supplier a run left unmatched, with the reason."""
        t = run_unmatched_table
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.c.kind, t.c.id, t.c.reason).where(t.c.run_id == run_id)
                                .order_by(t.c.kind, t.c.id))
            return [dict(r) for r in rows.mappings()]

    def add_partnership(self, partnership: Partnership) -> bool:
        """Record one proposal's outcome; returns False where the same record was already stored."""
        counts = self.import_register(partnerships=[partnership])
        return counts.added["partnerships"] == 1

    def partnerships_page(self, *, buyer_id: str | None = None, supplier_id: str | None = None,
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


# ----------------------------------------------------------------------
# Tables of the HTTP service: API keys, batch runs and their results.

api_keys_table = Table(
    "api_keys", metadata,
    Column("key_id", String(40), primary_key=True),
    # sha256 of the key; keys are 256-bit random, so a fast hash cannot be brute-forced.
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("buyer_id", String(200), nullable=True),
    Column("name", String(200), nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
    Column("revoked_at", DateTime, nullable=True),
)
runs_table = Table(
    "runs", metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    Column("status", String(20), nullable=False, index=True),  # queued, running, completed, failed
    Column("stage", String(40), nullable=False, default=""),
    Column("stage_done", Integer, nullable=False, default=0),
    Column("stage_total", Integer, nullable=False, default=0),
    Column("options", JSON, nullable=False),
    Column("summary", JSON, nullable=True),
    Column("error", Text, nullable=True),
    Column("worker", String(200), nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
    Column("started_at", DateTime, nullable=True),
    Column("finished_at", DateTime, nullable=True),
)
run_matches_table = Table(
    "run_matches", metadata,
    Column("run_id", Integer, primary_key=True),
    Column("kind", String(20), primary_key=True),  # shortlist, recommendation, assignment
    Column("buyer_id", String(200), primary_key=True),
    Column("supplier_id", String(200), primary_key=True),
    Column("rank", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("reasons", Text, nullable=False),
    Column("group_id", String(200), nullable=False, default=""),
    Column("reasons_th", Text, nullable=False, default="", server_default=""),
    Column("features", JSON, nullable=True),  # the pair's feature values by name
    Column("volume_thb_per_month", Float, nullable=True),  # a group member's share of the buyer's demand
    Column("slot", Integer, nullable=True),  # meeting slot on a matchmaking day's agenda, 1 first
    Column("buyer_demand_thb_per_month", Float, nullable=True),
    Column("supplier_name", Text, nullable=False),
    Column("supplier_sector", String(40), nullable=False),
    Column("supplier_province", String(80), nullable=False),
    Column("supplier_region", String(40), nullable=False),
    Column("supplier_certifications", Text, nullable=False),  # ";A;B;" so that ";A;" finds A exactly
    Column("buyer_name", Text, nullable=False),
    Column("buyer_type", String(20), nullable=False),
    Column("buyer_sector", String(40), nullable=False),
    Column("buyer_province", String(80), nullable=False),
    Index("ix_run_matches_supplier", "run_id", "kind", "supplier_id", "rank"),
)
run_unmatched_table = Table(
    "run_unmatched", metadata,
    Column("run_id", Integer, primary_key=True),
    Column("kind", String(20), primary_key=True),  # buyer, supplier
    Column("id", String(200), primary_key=True),
    Column("reason", Text, nullable=False),
)
models_table = Table(
    "models", metadata,
    Column("model_id", Integer, primary_key=True, autoincrement=True),
    Column("version", String(64), nullable=False, index=True),
    Column("adopted", Boolean, nullable=False),
    Column("metrics", JSON, nullable=False),
    Column("report", JSON, nullable=False),
    Column("blob", LargeBinary, nullable=False),
    Column("trained_at", DateTime, nullable=False),
    Column("created_at", DateTime, nullable=False),
)


def _add_missing_columns(engine: Engine, table: Table) -> None:
    """Add columns a newer version defines to a table an older version created (nullable or defaulted ones)."""
    present = {column["name"] for column in inspect(engine).get_columns(table.name)}
    missing = [column for column in table.c if column.name not in present]
    if not missing:
        return
    with engine.begin() as conn:
        for column in missing:
            kind = column.type.compile(dialect=engine.dialect)
            default = f" DEFAULT '{column.server_default.arg}'" if column.server_default is not None else ""
            null = "" if column.nullable else " NOT NULL"
            conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}{default}{null}')


def _profile_table(kind: str) -> tuple[Table, str, type]:
    """The table, key column and model of ``kind`` ("suppliers" or "buyers")."""
    return {"suppliers": (suppliers_table, "supplier_id", Supplier),
            "buyers": (buyers_table, "buyer_id", Buyer)}[kind]


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
