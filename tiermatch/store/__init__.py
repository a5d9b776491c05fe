"""The store: profiles, history, keys, runs and models in SQLite (default) or any SQLAlchemy database.

One repository per resource behind one facade (:class:`Store`): ``profiles``,
``history``, ``keys``, ``runs``, ``models``, ``web``, ``embeddings`` (encoder vectors), ``events`` (the
outcome log; ``history`` holds its live outcomes, kept in step by :meth:`Store.record`). Opening a store brings
its tables up to date (Alembic migrations in ``migrations/``). An import is
one transaction: it lands whole or not at all; suppliers and buyers are
keyed by id, so importing a file again updates rows, never duplicates them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from ..features.profiles import Buyer, Partnership, Supplier
from .embeddings import EmbeddingRepository
from .engine import create_store_engine, migrate
from .events import EventRepository
from .history import HistoryRepository
from .keys import KeyRepository
from .models import ModelRepository
from .profiles import ProfileRepository
from .runs import RunRepository
from .web import WebRepository

__all__ = ["ImportCounts", "Store", "create_store_engine", "outcome_event"]


def outcome_event(p: Partnership, *, actor: str | None, **more) -> dict:
    """The outcome log's event for a partnership's outcome."""
    return {"kind": p.outcome, "buyer_id": p.buyer_id, "supplier_id": p.supplier_id, "value_thb": p.value_thb,
            "outcome_date": p.date, "actor": actor, **more}


@dataclass(frozen=True)
class ImportCounts:
    """How many rows an import added and how many it updated, per kind."""

    added: dict[str, int]
    updated: dict[str, int]

    def __str__(self) -> str:
        return ", ".join(f"{kind}: {self.added[kind]} added, {self.updated[kind]} updated" for kind in self.added)


class Store:
    """Every stored resource behind one SQLAlchemy URL (or engine).

    Examples
    --------
    >>> store = Store("sqlite://")
    >>> s = Supplier(supplier_id="S1", name="A", sector="automotive", products="x", province="Rayong")
    >>> print(store.import_register(suppliers=[s]))
    suppliers: 1 added, 0 updated, buyers: 0 added, 0 updated, partnerships: 0 added, 0 updated
    >>> store.profiles.get("suppliers", "S1").province
    'Rayong'
    """

    def __init__(self, url: str | Engine):
        self.engine = url if isinstance(url, Engine) else create_store_engine(url)
        migrate(self.engine)
        self.profiles = ProfileRepository(self.engine)
        self.history = HistoryRepository(self.engine)
        self.keys = KeyRepository(self.engine)
        self.runs = RunRepository(self.engine)
        self.models = ModelRepository(self.engine)
        self.web = WebRepository(self.engine)
        self.embeddings = EmbeddingRepository(self.engine)
        self.events = EventRepository(self.engine)

    @property
    def url(self) -> str:
        """The store's URL, without a password: for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    def import_register(self, suppliers: Sequence[Supplier] = (), buyers: Sequence[Buyer] = (),
                        partnerships: Sequence[Partnership] = ()) -> ImportCounts:
        """Store profiles and history in one transaction; existing ids are updated. Each partnership not stored
        before enters the outcome log too, as an event by ``import``."""
        added, updated = {}, {}
        with self.engine.begin() as conn:
            added["suppliers"], updated["suppliers"] = self.profiles.upsert(conn, "suppliers", suppliers)
            added["buyers"], updated["buyers"] = self.profiles.upsert(conn, "buyers", buyers)
            added["partnerships"], updated["partnerships"], new = self.history.upsert(conn, partnerships)
            self.events.append([outcome_event(p, actor="import") for p in new], conn)
        return ImportCounts(added, updated)

    def record(self, events: Sequence[dict], *, add: Sequence[Partnership] = (),
               remove: Sequence[Partnership] = ()) -> list[int]:
        """Append events to the outcome log and keep the history of outcomes in step, in one transaction:
        ``remove`` what a correction replaced, then ``add`` what the events record. Returns the events' ids."""
        with self.engine.begin() as conn:
            self.history.remove(conn, remove)
            self.history.upsert(conn, add)
            return self.events.append(list(events), conn)

    def counts(self) -> dict[str, int]:
        """How many suppliers, buyers and partnerships are stored."""
        return {"suppliers": self.profiles.count("suppliers"), "buyers": self.profiles.count("buyers"),
                "partnerships": self.history.count()}
