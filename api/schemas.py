"""Request and response bodies of the service: ``SupplierIn``, ``SupplierOut``, ``ShortlistOut``...

Profiles in are views of the validated records of :mod:`tiermatch.features.profiles`:
the same fields and the same bounded types, so that a row is accepted or refused
alike from a CSV upload and a JSON body; these schemas only add what HTTP needs
(typed JSON, no unknown fields, the region on the way out). They never cross
into ``matcher``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ..features.profiles import (
    Amount,
    Buyer,
    Certifications,
    Day,
    Distance,
    Employees,
    Id,
    Latitude,
    Longitude,
    Partners,
    Partnership,
    ShortText,
    Supplier,
)
from ..features.reference import BUYER_TYPES, OUTCOMES, SECTORS
from ..services import CANDIDATES_PER_BUYER

__all__ = [
    "AgendaEntryOut",
    "AgendaMeetingOut",
    "AgendaOut",
    "BuyerIn",
    "BuyerOut",
    "BuyerPage",
    "ErrorItem",
    "ErrorOut",
    "ExplanationOut",
    "FeatureOut",
    "FeedbackIn",
    "FeedbackOut",
    "FeedbackPage",
    "GroupMemberOut",
    "GroupOut",
    "GroupsOut",
    "HealthOut",
    "ImportOut",
    "KeyCreatedOut",
    "KeyIn",
    "KeyOut",
    "MatchOut",
    "ModelOut",
    "ModelPage",
    "RecommendationOut",
    "RecommendationsOut",
    "RetrainOut",
    "RowErrorOut",
    "RunIn",
    "RunOut",
    "RunPage",
    "RunMatchesOut",
    "ShortlistItem",
    "ShortlistOut",
    "SupplierIn",
    "SupplierOut",
    "SupplierPage",
    "UnmatchedOut",
    "VersionOut",
]

Role = Literal["admin", "matchmaker", "buyer"]


class _Storable(BaseModel):
    """Any text in the body, at any depth, is text a database column can hold."""

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        _check_storable(value)
        return value


def _check_storable(value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("text contains a NUL character")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError("text is not valid Unicode text") from exc
    elif isinstance(value, dict):
        for item in value.values():
            _check_storable(item)
    elif isinstance(value, list):
        for item in value:
            _check_storable(item)


class ErrorItem(BaseModel):
    """One problem: which field, what is wrong, what was found."""

    field: str | None = Field(description="where the problem is, e.g. 'body.sector' or 'query.limit'")
    message: str
    found: Any = None


class ErrorOut(BaseModel):
    """Every error response: a message, the field at fault, and every problem found."""

    message: str
    field: str | None = None
    errors: list[ErrorItem] = []


class SupplierIn(_Storable, Supplier):
    """An SME as sent to the service: the fields of ``suppliers.csv``, with the same rules
    (:mod:`tiermatch.features.profiles`); JSON has types, so numbers, flags and lists come typed,
    never as the cells ``"1,000"``, ``"yes"`` or ``"a;b"`` of a file."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [{
        "supplier_id": "S-0001", "name": "Siam Stamping", "sector": "automotive",
        "products": "stamped metal parts, brackets", "province": "Chon Buri",
        "certifications": ["IATF 16949", "ISO 9001"], "capacity_thb_per_month": 2500000, "max_buyers": 3,
    }]})

    sector: Literal[SECTORS]
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    certifications: Certifications = []
    capacity_thb_per_month: Amount | None = None
    employees: Employees | None = None
    cluster: ShortText | None = None
    max_buyers: Partners = 3
    export_ready: bool = False
    otop: bool = False


class BuyerIn(_Storable, Buyer):
    """A buyer as sent to the service: the fields of ``buyers.csv``, with the same rules."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [{
        "buyer_id": "B-001", "name": "Eastern Seats Co.", "buyer_type": "first_tier", "sector": "automotive",
        "needs": "metal brackets and stamped parts", "province": "Rayong",
        "required_certifications": ["IATF 16949"], "max_suppliers": 5, "max_distance_km": 300,
    }]})

    sector: Literal[SECTORS]
    buyer_type: Literal[BUYER_TYPES]
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    required_certifications: Certifications = []
    demand_thb_per_month: Amount | None = None
    max_suppliers: Partners = 5
    max_distance_km: Distance | None = None


class SupplierOut(BaseModel):
    """A stored SME, with the region of its province."""

    supplier_id: str
    name: str
    sector: Literal[SECTORS]
    products: str
    province: str
    region: str
    latitude: float | None
    longitude: float | None
    certifications: list[str]
    capacity_thb_per_month: float | None
    employees: int | None
    cluster: str | None
    max_buyers: int
    export_ready: bool
    otop: bool

    @classmethod
    def of(cls, supplier: Supplier) -> "SupplierOut":
        return cls(**supplier.model_dump(), region=supplier.region)


class BuyerOut(BaseModel):
    """A stored buyer, with the region of its province."""

    buyer_id: str
    name: str
    buyer_type: Literal[BUYER_TYPES]
    sector: Literal[SECTORS]
    needs: str
    province: str
    region: str
    latitude: float | None
    longitude: float | None
    required_certifications: list[str]
    demand_thb_per_month: float | None
    max_suppliers: int
    max_distance_km: float | None

    @classmethod
    def of(cls, buyer: Buyer) -> "BuyerOut":
        return cls(**buyer.model_dump(), region=buyer.region)


class _Page(BaseModel):
    total: int = Field(description="how many match the filters in all")
    limit: int
    offset: int


class SupplierPage(_Page):
    items: list[SupplierOut]


class BuyerPage(_Page):
    items: list[BuyerOut]


class RowErrorOut(BaseModel):
    """One field of one row of an uploaded file: the row left out, or kept with a warning (``kept``)."""

    file: str
    line: int
    field: str
    value: str
    message: str
    kept: bool = False


class ImportOut(BaseModel):
    """What a bulk import stored, every problem in the rows it left out, and warnings about rows it kept."""

    file: str
    encoding: str
    rows_read: int
    added: int
    updated: int
    rejected_rows: int
    errors: list[RowErrorOut]


class ShortlistItem(BaseModel):
    """One SME on a buyer's shortlist: what the buyer may see of it."""

    rank: int
    supplier_id: str
    supplier_name: str
    sector: str
    province: str
    region: str
    certifications: list[str]
    score: float
    reasons: str
    reasons_th: str
    explored: bool = Field(False, description="shown in the last place though ranked just below the cut, so that "
                                              "what a shortlist never shows can be learned about (TIERMATCH_EXPLORE)")


class ShortlistOut(_Page):
    """A buyer's ranked SMEs from the latest completed run."""

    run_id: int
    buyer_id: str
    items: list[ShortlistItem]


class RecommendationOut(BaseModel):
    """One buyer an SME should approach."""

    rank: int
    buyer_id: str
    buyer_name: str
    buyer_type: str
    sector: str
    province: str
    score: float
    reasons: str
    reasons_th: str


class RecommendationsOut(_Page):
    """The buyers an SME should approach, from the latest completed run."""

    run_id: int
    supplier_id: str
    items: list[RecommendationOut]


class FeatureOut(BaseModel):
    """One feature of a pair: its value in [0, 1] as the run computed it, its prior weight and what it measures."""

    name: str
    value: float | None = Field(description="as stored by the run; None for a run stored before features were")
    weight: float = Field(description="its weight in the prior score (PRIOR_WEIGHTS); 0 where the prior leaves it out")
    description: str


class ExplanationOut(BaseModel):
    """Why a buyer and an SME were (or were not) put together."""

    run_id: int
    buyer_id: str
    supplier_id: str
    score: float
    shortlist_rank: int | None = Field(description="rank on the buyer's shortlist; None where not on it")
    assigned: bool
    group_id: str
    volume_thb_per_month: float | None = Field(description="the SME's share of the buyer's demand in its group")
    reasons: str
    reasons_th: str
    features: list[FeatureOut] = Field(description="every pair feature, in FEATURE_NAMES order")
    scoring: dict = Field(description="what scored the run: the prior (the weighted sum of the features) or a "
                                      "learned model, with its version")


class FeedbackIn(_Storable):
    """A proposal's outcome, recorded as history for the next run."""

    model_config = ConfigDict(extra="forbid", strict=True)

    buyer_id: Id
    supplier_id: Id
    outcome: Literal[OUTCOMES]
    value_thb: Amount | None = None
    date: Annotated[Day, Field(strict=False)] | None = Field(default=None, description="ISO date; defaults to today")


class FeedbackOut(BaseModel):
    """A stored outcome."""

    buyer_id: str
    supplier_id: str
    outcome: str
    value_thb: float | None
    date: dt.date | None

    @classmethod
    def of(cls, p: Partnership) -> "FeedbackOut":
        return cls(buyer_id=p.buyer_id, supplier_id=p.supplier_id, outcome=p.outcome, value_thb=p.value_thb,
                   date=p.date)


class FeedbackPage(_Page):
    items: list[FeedbackOut]


class RunIn(BaseModel):
    """Options of a batch run, as for ``tiermatch run``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    top_k: int = Field(10, ge=1, le=100, description="shortlist length per buyer: the default page of a shortlist "
                                                     "(each is stored at least 50 deep, for filters)")
    min_score: float = Field(0.3, ge=0, le=1, description="pairs below this are ranked but never proposed")
    fair: bool | None = Field(None, description="diminishing returns for an SME's 2nd and 3rd partnership, so that "
                                                "opportunities spread; default: on with slots, else off")
    slots: int | None = Field(None, ge=1, le=1000, description="a matchmaking day: schedule the assignment as "
                                                               "one-to-one meetings in this many time slots")
    scheduler: str | None = Field(None, max_length=200, pattern=r"^(tcp|tls)://[A-Za-z0-9.\-\[\]:]+:[0-9]{1,5}$",
                                  description="run the partitions on this Dask scheduler (tcp://host:8786), one of "
                                              "TIERMATCH_DASK_SCHEDULERS; default: in the service's process")
    partition_size: int | None = Field(None, ge=1, le=10_000_000, description="suppliers matched per task; "
                                                                              "default: all in one")
    candidates_per_buyer: int = Field(CANDIDATES_PER_BUYER, ge=10, le=2000,
                                      description="SMEs retrieved per buyer before scoring: more finds more, slower")
    show_past: bool = Field(False, description="show pairs that met before (rejected, or already partners) in the "
                                               "shortlists, marked; they are never proposed anew")
    scorer: Literal["auto", "prior", "global", "personal"] = Field(
        "auto", description="auto: learned from the history where held-out outcomes say it ranks better, else the "
                            "prior; the others force one")


def _utc(value):
    """Stored times are naive UTC: say so, as RFC 3339 wants an offset."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value


UtcTime = Annotated[dt.datetime, BeforeValidator(_utc)]


class RunOut(BaseModel):
    """A batch run: its options, where it is, and how it ended."""

    run_id: int
    status: Literal["queued", "running", "completed", "failed"]
    stage: str
    stage_done: int
    stage_total: int
    options: dict
    summary: dict | None
    error: str | None
    created_at: UtcTime
    started_at: UtcTime | None
    finished_at: UtcTime | None
    latest: bool = Field(False, description="whether the service serves this run's results")


class RunPage(_Page):
    items: list[RunOut]


class MatchOut(BaseModel):
    """One stored pair of a run: a shortlist row, a recommendation or a proposed partnership."""

    buyer_id: str
    supplier_id: str
    rank: int
    score: float
    reasons: str
    reasons_th: str
    group_id: str
    volume_thb_per_month: float | None = Field(description="a group member's share of the buyer's demand")
    slot: int | None = Field(description="meeting slot on a matchmaking day, 1 first; None where unscheduled")


class RunMatchesOut(_Page):
    run_id: int
    kind: str
    items: list[MatchOut]


class UnmatchedOut(BaseModel):
    run_id: int
    buyers: dict[str, str]
    suppliers: dict[str, str]


class GroupMemberOut(BaseModel):
    """An SME of a group and the volume it supplies."""

    supplier_id: str
    supplier_name: str
    province: str
    score: float
    volume_thb_per_month: float | None


class GroupOut(BaseModel):
    """SMEs that jointly meet a buyer's monthly demand; ``coverage`` is their volume over the demand."""

    group_id: str
    buyer_id: str
    buyer_name: str
    demand_thb_per_month: float | None
    volume_thb_per_month: float
    coverage: float | None
    members: list[GroupMemberOut]


class GroupsOut(BaseModel):
    run_id: int
    total: int
    items: list[GroupOut]


class AgendaMeetingOut(BaseModel):
    """One meeting: the slot and who is met (an SME on a buyer's agenda, a buyer on an SME's)."""

    slot: int
    id: str
    name: str
    score: float
    group_id: str


class AgendaEntryOut(BaseModel):
    """One buyer's or SME's day, by slot."""

    id: str
    name: str
    meetings: list[AgendaMeetingOut]


class AgendaOut(BaseModel):
    """A matchmaking day: every buyer's (or SME's) meetings, and the partnerships left without a slot."""

    run_id: int
    by: Literal["buyer", "supplier"]
    slots: int
    slots_needed: int
    items: list[AgendaEntryOut]
    unscheduled: list[MatchOut]


class ModelOut(BaseModel):
    """A stored scoring model: version, when trained, held-out metrics, whether runs use it."""

    model_id: int
    version: str
    adopted: bool
    in_use: bool = Field(description="whether the next run scores with it (the newest adopted model)")
    metrics: dict
    trained_at: UtcTime
    created_at: UtcTime


class ModelPage(_Page):
    scorer_in_use: str = Field(description="'prior' or the version of the model runs score with")
    items: list[ModelOut]


class RetrainOut(BaseModel):
    """A retraining: the new model against the old scorer and the prior, on held-out buyers."""

    model: ModelOut
    adopted: bool
    scorer: Literal["prior", "global", "personal"] = Field(description="what the next run over this history scores "
                                                                        "with: the prior, everyone's model, or each "
                                                                        "buyer's own preferences")
    reason: str
    metric: str
    prior_metric: float | None = Field(description="held-out metric of the prior on this history")
    new_metric: float | None = Field(description="held-out (out-of-fold) metric of the new model")
    improvement: float | None
    p_value: float | None
    previous: dict = Field(description="the scorer runs used before: the prior, or a model with the metrics of its "
                                       "own training")
    scorer_in_use: str = Field(description="'prior' or the model version the next run scores with")
    n_rows: int
    n_buyers: int
    n_buyers_scored: int
    skipped: list[str]
    folds: list[dict]
    text_space: str = Field("", description="the text space features were read in: the latest run's, or one fitted "
                                            "now where no run has kept one")
    held_out: dict = Field(description="the held-out figures that decided: prior, everyone's model, and each "
                                       "buyer's own preferences on its latest outcomes")


class KeyIn(_Storable):
    """A key to create; a ``buyer`` key is bound to one stored buyer."""

    model_config = ConfigDict(extra="forbid", strict=True)

    role: Role
    buyer_id: Id | None = Field(None, description="required for, and only for, role 'buyer'")
    name: str = Field("", max_length=200, description="who or what the key is for")

    @model_validator(mode="after")
    def _buyer_id_with_buyer_role(self):
        if (self.role == "buyer") != (self.buyer_id is not None):
            raise ValueError("buyer_id is required for role 'buyer' and not allowed for other roles")
        return self


class KeyOut(BaseModel):
    """A stored key, without the key itself."""

    key_id: str
    role: Role
    buyer_id: str | None
    name: str
    created_at: UtcTime
    revoked_at: UtcTime | None


class KeyCreatedOut(KeyOut):
    """A new key: ``key`` is shown this once and cannot be recovered."""

    key: str


class HealthOut(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]


class VersionOut(BaseModel):
    name: str
    version: str
    latest_run_id: int | None
