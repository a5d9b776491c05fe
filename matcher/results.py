"""What a run produces: matches by external id, and the progress callback runs report through."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Match", "MatchResult", "Progress", "no_progress"]

# progress(stage, done, total): called as each stage starts (done=0), as it advances, and as it ends (done=total).
Progress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    """A :data:`Progress` that reports nothing."""


@dataclass(frozen=True)
class Match:
    """One ranked or assigned pair, by external ids."""

    buyer_id: str
    supplier_id: str
    score: float
    rank: int = 0
    reasons: str = ""
    reasons_th: str = ""
    group_id: str = ""
    features: dict = field(default_factory=dict)  # every pair feature's value, by FEATURE_NAMES
    volume_thb_per_month: float | None = None  # set for members of a group: their share of the buyer's demand
    slot: int | None = None  # meeting slot on a matchmaking day's agenda, 1 first
    distance_km: float | None = None  # between the SME and the buyer, as the run measured it


@dataclass
class MatchResult:
    """What a run produces. Every input supplier and buyer is either matched or listed with a reason."""

    shortlists: list[Match]  # per buyer, ranked suppliers
    recommendations: list[Match]  # per supplier, ranked buyers
    assignment: list[Match]
    unmatched_buyers: dict[str, str]
    unmatched_suppliers: dict[str, str]
    summary: dict = field(default_factory=dict)
    rejected_rows: list = field(default_factory=list)  # RowError of supplier rows read by the run itself
    learned: object | None = None  # TrainingReport of the scorer the run learned from its history, adopted or not
    text_space: object | None = None  # the ProfileVectorizer the run fitted: retraining reads features in it
