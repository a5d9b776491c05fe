"""Feedback on proposals: an outcome recorded as history, used by the next run and by training."""

from __future__ import annotations

import datetime as dt

from ..errors import NotFoundError
from ..features.profiles import Partnership
from ..store import Store
from .outcomes import scorer_version
from .results import check_shown

__all__ = ["record_feedback"]


def record_feedback(store: Store, buyer_id: str, supplier_id: str, outcome: str, *, value_thb: float | None = None,
                    date: dt.date | None = None, shown_only: bool = False, actor: str | None = None) -> Partnership:
    """Record ``accepted``, ``rejected`` or ``deal`` on a proposal (``date`` defaults to today): as history for
    the next run, and in the outcome log (:mod:`.outcomes`) with who recorded it.

    ``shown_only``: the SME must have been proposed to the buyer in the latest
    run (a buyer acts only on what it was shown).

    Raises
    ------
    NotFoundError
        For an unknown buyer or SME.
        With ``shown_only``, also for an SME the buyer was not shown.
    """
    for kind, key in (("buyers", buyer_id), ("suppliers", supplier_id)):
        if not store.profiles.exists(kind, key):
            raise NotFoundError(kind[:-1], key, f"{kind[:-1]}_id")
    if shown_only:
        check_shown(store, buyer_id, supplier_id)
    record = Partnership(supplier_id=supplier_id, buyer_id=buyer_id, outcome=outcome, value_thb=value_thb,
                         date=date or dt.date.today())
    store.history.add(record)
    run_id = store.runs.latest_completed_id()
    store.events.append([{"kind": outcome, "buyer_id": buyer_id, "supplier_id": supplier_id, "run_id": run_id,
                          "model_version": scorer_version(store, run_id), "actor": actor, "value_thb": value_thb}])
    return record
