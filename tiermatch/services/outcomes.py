"""The outcome log: what tiermatch showed to whom, and every action after it, one place every door writes to.

Each shortlist row served (through the JSON service or a page) is logged as ``shown`` with who saw it, its
rank and score, the run and the scorer's version; each action after it (a meeting requested, a proposal
accepted or rejected, a meeting held, a follow-up, a deal with its value) is an event of its own. Nothing is
overwritten: a correction is a new event that names the one it supersedes. :func:`funnel` counts, per scorer
version, the pairs shown and how many went on to a request, a meeting and a deal.

Shown rows are buffered (:class:`ShownLog`) and written together at most a second later, so that serving a
shortlist never waits on the store.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

from ..errors import InvalidInputError, NotFoundError
from ..features.profiles import Partnership
from ..store import Store, outcome_event
from ..store.engine import now
from .results import require_profile

__all__ = ["ACTIONS", "EVENT_KINDS", "OUTCOMES", "ShownLog", "check_pair", "funnel", "outcome_propensities",
           "outcomes_from_log", "read_events", "record_event", "scorer_version"]

ACTIONS = ("meeting_requested", "accepted", "rejected", "meeting_held", "follow_up", "deal")
OUTCOMES = ("accepted", "rejected", "deal")  # the actions that are a proposal's outcome: history to learn from
EVENT_KINDS = ("shown", *ACTIONS)
# The funnel's stages, each reached by any of these (live) events on a shown pair.
_STAGES = {"requested": ("meeting_requested", "accepted", "meeting_held", "deal"),
           "met": ("meeting_held", "deal"), "deal": ("deal",)}


def scorer_version(store: Store, run_id: int | None) -> str:
    """What scored a run: ``"prior"`` or the learned model's version."""
    run = store.runs.get(run_id) if run_id is not None else None
    scoring = ((run or {}).get("summary") or {}).get("scoring") or {}
    if scoring.get("scorer", "prior") == "prior":
        return "prior"
    return scoring.get("version") or "prior"


@dataclass
class ShownLog:
    """Shortlist rows shown, kept in memory and written to the store together (``flush``), at least every
    ``seconds`` by a background thread once :meth:`start` is called."""

    store: Store
    seconds: float = 1.0
    _rows: list = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _versions: dict = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    @staticmethod
    def entry(row: dict) -> tuple:
        """What is logged of a shortlist row (:func:`.results.read_shortlist`): ``(rank, supplier_id, score,
        propensity)``, the propensity being the chance the row is on a shortlist's first page
        (:func:`.results.explore`)."""
        return row["rank"], row["supplier_id"], row["score"], row["propensity"]

    def add(self, run_id: int, buyer_id: str, shown, actor: str) -> None:
        """``shown``: the :meth:`entry` of each row on the page served to ``actor``."""
        if run_id not in self._versions:
            self._versions = {run_id: scorer_version(self.store, run_id)}
        version, at = self._versions[run_id], now()
        rows = [{"kind": "shown", "buyer_id": buyer_id, "supplier_id": supplier_id, "run_id": run_id, "rank": rank,
                 "score": score, "propensity": propensity, "model_version": version, "actor": actor, "at": at}
                for rank, supplier_id, score, propensity in shown]
        with self._lock:
            self._rows.extend(rows)

    def flush(self) -> int:
        """Write what is buffered; returns how many rows."""
        with self._lock:
            rows, self._rows = self._rows, []
        if rows:
            self.store.events.append_quickly(rows)
        return len(rows)

    def start(self) -> None:
        def loop():
            while not self._stop.wait(self.seconds):
                self.flush()

        threading.Thread(target=loop, name="tiermatch-shown-log", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self.flush()


def record_event(store: Store, kind: str, buyer_id: str, supplier_id: str, *, actor: str | None,
                 value_thb: float | None = None, supersedes: int | None = None, note: str | None = None,
                 date: dt.date | None = None) -> dict:
    """Log an action on a pair (one of :data:`ACTIONS`); a correction names the event it ``supersedes``.

    An outcome (``accepted``, ``rejected``, ``deal``, dated ``date``, today by default) is history for the next
    run and for training: it enters the history of outcomes with the event, and a correction takes the outcome
    it replaces out of that history (:meth:`~tiermatch.store.Store.record`, one transaction).

    Raises
    ------
    InvalidInputError
        For an unknown kind, a value on anything but a deal, or a correction of an event of another pair.
    NotFoundError
        For an unknown buyer, SME or superseded event.
    """
    if kind not in ACTIONS:
        raise InvalidInputError(f"kind must be one of {', '.join(ACTIONS)}, found {kind!r}", "kind")
    if value_thb is not None and kind not in OUTCOMES:
        raise InvalidInputError(f"value_thb is the value of a partnership: give it with an outcome "
                                f"({', '.join(OUTCOMES)}), not with {kind}", "value_thb")
    check_pair(store, buyer_id, supplier_id)
    replaced = []
    if supersedes is not None:
        old = store.events.get(supersedes)
        if old is None:
            raise NotFoundError("event", supersedes, "supersedes")
        if (old["buyer_id"], old["supplier_id"]) != (buyer_id, supplier_id):
            raise InvalidInputError(f"event {supersedes} is about {old['buyer_id']} and {old['supplier_id']}, "
                                    "not this pair", "supersedes")
        replaced = [_as_partnership(old)] if old["kind"] in OUTCOMES else []
    run_id = store.runs.latest_completed_id()
    more = {"run_id": run_id, "model_version": scorer_version(store, run_id), "supersedes": supersedes, "note": note}
    if kind in OUTCOMES:
        outcome = Partnership(supplier_id=supplier_id, buyer_id=buyer_id, outcome=kind, value_thb=value_thb,
                              date=date or dt.date.today())
        event_id, = store.record([outcome_event(outcome, actor=actor, **more)], add=[outcome], remove=replaced)
    else:
        event_id, = store.record([{"kind": kind, "buyer_id": buyer_id, "supplier_id": supplier_id, "actor": actor,
                                   **more}], remove=replaced)
    return store.events.get(event_id)


def check_pair(store: Store, buyer_id: str, supplier_id: str) -> None:
    """Raises :class:`NotFoundError` for an unknown buyer or SME."""
    require_profile(store, "buyers", buyer_id, "buyer_id")
    require_profile(store, "suppliers", supplier_id, "supplier_id")


def _as_partnership(event: dict) -> Partnership:
    return Partnership(supplier_id=event["supplier_id"], buyer_id=event["buyer_id"], outcome=event["kind"],
                       value_thb=event["value_thb"], date=event["outcome_date"])


def _live(store: Store, kinds: tuple[str, ...]) -> list[dict]:
    """The events of ``kinds`` no correction has superseded, in the order recorded."""
    superseded = store.events.superseded()
    return [e for e in store.events.all(kinds) if e["event_id"] not in superseded]


def outcome_propensities(store: Store) -> dict[tuple[str, str], float]:
    """``{(supplier_id, buyer_id): propensity}`` of each pair with a live outcome that was shown before it: the
    chance its latest showing before the outcome put it on the first page (:func:`.results.explore`). Training
    weighs such an outcome by its inverse, so that what exploration showed counts for all it stands for."""
    shown: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for e in store.events.shown_of_acted_pairs(OUTCOMES):
        shown.setdefault((e["supplier_id"], e["buyer_id"]), []).append((e["event_id"], e["propensity"]))
    found = {}
    for e in _live(store, OUTCOMES):
        before = [p for event_id, p in shown.get((e["supplier_id"], e["buyer_id"]), ()) if event_id < e["event_id"]]
        if before:
            found[e["supplier_id"], e["buyer_id"]] = before[-1]
    return found


def outcomes_from_log(store: Store) -> list[Partnership]:
    """Every live outcome in the log (accepted, rejected, deal; not superseded), as partnerships in the order
    recorded, the same outcome of a pair on the same day once (the latest value): what runs learn from and
    what ``partnerships.csv`` exports."""
    live = {}
    for p in map(_as_partnership, _live(store, OUTCOMES)):
        live[p.supplier_id, p.buyer_id, p.outcome, p.date] = p
    return list(live.values())


def read_events(store: Store, **filters) -> tuple[int, list[dict]]:
    """Events in the order recorded (``buyer_id``, ``supplier_id``, ``kind``, ``limit``, ``offset``), each with
    ``superseded_by`` where a later correction replaced it."""
    total, rows = store.events.page(**filters)
    replaced = store.events.superseded()
    return total, [{**row, "superseded_by": replaced.get(row["event_id"])} for row in rows]


def funnel(store: Store) -> list[dict]:
    """Per scorer version: pairs shown, and how many of them went on to a request, a meeting and a deal (live
    events only: a superseded one no longer counts), with the deals' value."""
    shown = {pair: version or "prior" for pair, version in store.events.first_shown().items()}
    reached: dict[str, set] = {stage: set() for stage in _STAGES}
    value: dict[tuple, float] = {}
    for e in _live(store, ACTIONS):
        pair = (e["buyer_id"], e["supplier_id"])
        if pair not in shown:
            continue
        for stage, kinds in _STAGES.items():
            if e["kind"] in kinds:
                reached[stage].add(pair)
        if e["kind"] == "deal" and e["value_thb"] is not None:
            value[pair] = e["value_thb"]  # the latest live deal value of the pair
    rows = []
    for version in sorted(set(shown.values())):
        pairs = {p for p, v in shown.items() if v == version}
        rows.append({"model_version": version, "shown": len(pairs),
                     **{stage: len(pairs & reached[stage]) for stage in _STAGES},
                     "deal_value_thb": sum(value.get(p, 0.0) for p in pairs)})
    return rows
