"""Feedback on proposals: an outcome recorded as history, used by the next run and by training."""

from __future__ import annotations

import datetime as dt

from ..features.profiles import Partnership
from ..store import Store
from .outcomes import check_pair, record_event
from .results import check_shown

__all__ = ["record_feedback"]


def record_feedback(store: Store, buyer_id: str, supplier_id: str, outcome: str, *, value_thb: float | None = None,
                    date: dt.date | None = None, shown_only: bool = False, actor: str | None = None) -> Partnership:
    """Record ``accepted``, ``rejected`` or ``deal`` on a proposal (``date`` defaults to today) in the outcome
    log (:func:`.outcomes.record_event`) with who recorded it: history for the next run.

    ``shown_only``: the SME must have been proposed to the buyer in the latest
    run (a buyer acts only on what it was shown).

    Raises
    ------
    NotFoundError
        For an unknown buyer or SME.
        With ``shown_only``, also for an SME the buyer was not shown.
    """
    if shown_only:
        check_pair(store, buyer_id, supplier_id)
        check_shown(store, buyer_id, supplier_id)
    event = record_event(store, outcome, buyer_id, supplier_id, actor=actor, value_thb=value_thb, date=date)
    return Partnership(supplier_id=supplier_id, buyer_id=buyer_id, outcome=outcome, value_thb=value_thb,
                       date=event["outcome_date"])
