"""What happened between an SME and a buyer before: the latest outcome of each pair that met.

A pair the buyer rejected is not proposed to it again, and an SME that is
already the buyer's partner is not proposed as a new one; where a run is set
to show them, they are shown marked, with what happened and when, and never
assigned. This is the one rule every run and every door uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .profiles import Partnership

__all__ = ["PAST_NONE", "PAST_PARTNER", "PAST_REJECTED", "PastPairs"]

PAST_NONE, PAST_REJECTED, PAST_PARTNER = 0, 1, 2


@dataclass(frozen=True)
class PastPairs:
    """The latest outcome of every supplier-buyer pair in a history, for the buyers of one run.

    ``keys`` are sorted ``supplier index * n_buyers + buyer position``;
    ``outcome[k]`` is :data:`PAST_REJECTED` or :data:`PAST_PARTNER` (accepted
    or a deal) and ``date[k]`` its ISO date or None; ``proposals[k]`` and
    ``accepted[k]`` count every row of the pair, so that a pair's own outcomes
    can be left out of its SME's track record.

    Examples
    --------
    >>> history = [Partnership(supplier_id="S1", buyer_id="B1", outcome="accepted", date="2025-01-05"),
    ...            Partnership(supplier_id="S1", buyer_id="B1", outcome="rejected", date="2025-03-01"),
    ...            Partnership(supplier_id="S2", buyer_id="B2", outcome="deal")]
    >>> past = PastPairs.build(history, {"B1": 0, "B2": 1})
    >>> at = past.lookup(["S1", "S2", "S3"], [0, 0, 1, 2], [0, 1, 1, 0])
    >>> past.outcome_at(at).tolist(), past.date_at(at).tolist()
    ([1, 0, 2, 0], ['2025-03-01', None, None, None])
    """

    supplier_index: dict[str, int]
    keys: np.ndarray
    outcome: np.ndarray
    date: np.ndarray
    proposals: np.ndarray
    accepted: np.ndarray
    n_buyers: int

    @classmethod
    def empty(cls) -> PastPairs:
        return cls.build([], {})

    @classmethod
    def build(cls, history: Sequence[Partnership], buyer_position: dict[str, int]) -> PastPairs:
        """The latest outcome of each pair (by date; rows without a date count as earlier, then file order)."""
        n_buyers = len(buyer_position)
        dated = sorted((p for p in history if p.buyer_id in buyer_position),
                       key=lambda p: "" if p.date is None else p.date.isoformat())
        supplier_index: dict[str, int] = {}
        latest: dict[int, Partnership] = {}
        counts: dict[int, list[int]] = {}
        for p in dated:
            s = supplier_index.setdefault(p.supplier_id, len(supplier_index))
            key = s * n_buyers + buyer_position[p.buyer_id]
            latest[key] = p
            count = counts.setdefault(key, [0, 0])
            count[0] += 1
            count[1] += p.outcome != "rejected"
        keys = np.array(sorted(latest), dtype=np.int64)
        count = np.array([counts[k] for k in keys.tolist()], dtype=np.float64).reshape(-1, 2)
        outcome = np.array([PAST_REJECTED if latest[k].outcome == "rejected" else PAST_PARTNER for k in keys.tolist()],
                           dtype=np.int8)
        date = np.array([None if latest[k].date is None else latest[k].date.isoformat() for k in keys.tolist()],
                        dtype=object)
        return cls(supplier_index, keys, outcome, date, count[:, 0], count[:, 1], n_buyers)

    def __len__(self) -> int:
        return len(self.keys)

    def lookup(self, supplier_ids, rows, cols) -> np.ndarray:
        """For each pair (``supplier_ids[rows[n]]``, buyer ``cols[n]``), its position here, -1 where they never met."""
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        found = np.full(len(rows), -1, dtype=np.int64)
        if not len(self.keys) or not len(rows):
            return found
        index = np.array([self.supplier_index.get(s, -1) for s in supplier_ids], dtype=np.int64)[rows]
        known = index >= 0
        keys = index[known] * self.n_buyers + cols[known]
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        found[known] = np.where(self.keys[at] == keys, at, -1)
        return found

    def outcome_at(self, at: np.ndarray) -> np.ndarray:
        """The outcome code of each looked-up pair (:data:`PAST_NONE` where they never met)."""
        outcome = np.zeros(len(at), dtype=np.int8)
        outcome[at >= 0] = self.outcome[at[at >= 0]]
        return outcome

    def date_at(self, at: np.ndarray) -> np.ndarray:
        """The date of each looked-up pair's outcome (None where undated or never met)."""
        dates = np.full(len(at), None, dtype=object)
        met = at >= 0
        dates[met] = self.date[at[met]]
        return dates

    def counts_at(self, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """How many times each looked-up pair was proposed, and accepted (0 where never)."""
        met = at >= 0
        proposals, accepted = np.zeros(len(at)), np.zeros(len(at))
        proposals[met], accepted[met] = self.proposals[at[met]], self.accepted[at[met]]
        return proposals, accepted

    def met(self, supplier_ids):
        """``met(rows, cols) -> bool mask``: the pairs of these suppliers (by position) and buyers that met before."""
        return lambda rows, cols: self.lookup(supplier_ids, rows, cols) >= 0
