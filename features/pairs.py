"""Pair features: one column per feature, one row per candidate pair, each with a plain reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .candidates import Candidates, road_km
from .profiles import Partnership
from .reference import BUYER_TYPES, SECTORS
from .tables import BuyerTable, SupplierTable

__all__ = ["FEATURE_NAMES", "LANGUAGES", "PairFeatures", "TrackRecord", "build_pair_features", "build_track_record", "explain_pair"]

FEATURE_NAMES = (
    "product_fit",  # cosine similarity of product text and needs, 0..1
    "same_sector",  # 1 where supplier and buyer are of one sector
    "distance_fit",  # 1 next door, 0.5 at 150 road km, towards 0 far away
    "capacity_fit",  # supplier capacity / the buyer's demand per supplier slot, capped at 1; 0.5 unknown
    "route_fit",  # export readiness for exporters/importers, OTOP for retailers; 1 where not relevant
    "track_record",  # smoothed acceptance rate of the supplier's past proposals
)

_EXPORT_TYPES = (BUYER_TYPES.index("exporter"), BUYER_TYPES.index("importer"))
_RETAILER = BUYER_TYPES.index("retailer")


@dataclass(frozen=True)
class TrackRecord:
    """Past proposals per supplier position: how many, and how many were accepted or dealt."""

    proposals: np.ndarray
    accepted: np.ndarray

    def rate(self, prior_rate: float = 0.5, prior_weight: float = 2.0) -> np.ndarray:
        """Acceptance rate smoothed towards ``prior_rate`` (a Beta prior worth ``prior_weight`` proposals)."""
        return (self.accepted + prior_rate * prior_weight) / (self.proposals + prior_weight)


def build_track_record(suppliers: SupplierTable, history: Sequence[Partnership]) -> TrackRecord:
    """Count each supplier's past proposals and acceptances (deals count as accepted)."""
    position = {sid: i for i, sid in enumerate(suppliers.ids)}
    proposals = np.zeros(len(suppliers))
    accepted = np.zeros(len(suppliers))
    for p in history:
        i = position.get(p.supplier_id)
        if i is not None:
            proposals[i] += 1
            accepted[i] += p.outcome != "rejected"
    return TrackRecord(proposals, accepted)


@dataclass(frozen=True)
class PairFeatures:
    """Feature columns for candidate pairs; rows are supplier positions, cols buyer positions."""

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray  # (n_pairs, len(FEATURE_NAMES)) float32
    distance_km: np.ndarray
    slot_demand: np.ndarray  # buyer demand per supplier slot; NaN unknown

    def column(self, name: str) -> np.ndarray:
        return self.values[:, FEATURE_NAMES.index(name)]

    def __len__(self) -> int:
        return len(self.rows)


def build_pair_features(
    suppliers: SupplierTable, buyers: BuyerTable, candidates: Candidates, track: TrackRecord
) -> PairFeatures:
    """Compute every feature for every candidate pair.

    Returns
    -------
    PairFeatures
        ``values`` has shape (n_pairs, n_features), columns in ``FEATURE_NAMES`` order.
    """
    rows, cols = candidates.rows, candidates.cols
    distance = road_km(suppliers, buyers, rows, cols)
    slot = buyers.demand[cols] / np.maximum(buyers.max_suppliers[cols], 1)
    capacity = suppliers.capacity[rows]
    capacity_fit = np.where(np.isnan(capacity) | np.isnan(slot), 0.5, np.minimum(1.0, capacity / np.maximum(slot, 1.0)))
    buyer_type = buyers.buyer_type[cols]
    route_fit = np.ones(len(rows))
    exporting = np.isin(buyer_type, _EXPORT_TYPES)
    route_fit[exporting] = suppliers.export_ready[rows][exporting]
    retail = buyer_type == _RETAILER
    route_fit[retail] = np.where(suppliers.otop[rows][retail], 1.0, 0.5)
    values = np.column_stack([
        candidates.similarity,
        suppliers.sector[rows] == buyers.sector[cols],
        1.0 / (1.0 + distance / 150.0),
        capacity_fit,
        route_fit,
        track.rate()[rows],
    ]).astype(np.float32)
    return PairFeatures(rows=rows, cols=cols, values=values, distance_km=distance, slot_demand=slot)


_SECTOR_TH = {
    "automotive": "ยานยนต์และชิ้นส่วน", "cosmetics": "เครื่องสำอาง", "gems_jewelry": "อัญมณีและเครื่องประดับ",
    "processed_food": "อาหารแปรรูป", "textiles_garments": "สิ่งทอและเครื่องนุ่งห่ม", "palm_oil": "ปาล์มน้ำมัน",
    "other": "อื่น ๆ",
}

# One template per reason, in each language; {placeholders} filled by explain_pair.
_REASONS = {
    "en": {
        "text": "product text {share:.0%} alike",
        "same_sector": "same sector ({sector})",
        "cross_sector": "{supplier_sector} supplier, {buyer_sector} buyer",
        "certified": "{certifications} held",
        "distance": "{km:.0f} km away",
        "capacity_covers": "capacity covers a supplier slot",
        "capacity_share": "capacity covers {share:.0%} of a supplier slot",
        "export_ready": "export ready",
        "not_export_ready": "not export ready",
        "otop": "OTOP producer",
        "track": "{accepted:.0f} of {proposals:.0f} past proposals accepted",
    },
    "th": {
        "text": "สินค้าตรงกับความต้องการ {share:.0%}",
        "same_sector": "อยู่ในอุตสาหกรรมเดียวกัน ({sector})",
        "cross_sector": "ผู้ผลิตกลุ่ม{supplier_sector} สำหรับผู้ซื้อกลุ่ม{buyer_sector}",
        "certified": "มีมาตรฐาน {certifications}",
        "distance": "ระยะทาง {km:.0f} กม.",
        "capacity_covers": "กำลังการผลิตเพียงพอต่อโควตาผู้ขายหนึ่งราย",
        "capacity_share": "กำลังการผลิตได้ {share:.0%} ของโควตาผู้ขายหนึ่งราย",
        "export_ready": "พร้อมส่งออก",
        "not_export_ready": "ยังไม่พร้อมส่งออก",
        "otop": "ผู้ผลิตสินค้า OTOP",
        "track": "ข้อเสนอที่ผ่านมาได้รับการตอบรับ {accepted:.0f} จาก {proposals:.0f} ครั้ง",
    },
}
LANGUAGES = tuple(_REASONS)


def explain_pair(
    suppliers: SupplierTable, buyers: BuyerTable, features: PairFeatures, track: TrackRecord, k: int,
    certification_names: Sequence[str], language: str = "en",
) -> str:
    """One line of plain reasons for candidate pair ``k``, in English (``"en"``) or Thai (``"th"``).

    Example output: ``product text 62% alike; same sector (automotive); IATF 16949 held; 38 km away;
    capacity fits the buyer's per-supplier demand; 3 of 4 past proposals accepted``.
    """
    if language not in _REASONS:
        raise ValueError(f"Expected language in {LANGUAGES}, got {language!r}")
    say = _REASONS[language]
    sector = (lambda code: _SECTOR_TH[SECTORS[code]]) if language == "th" else (lambda code: SECTORS[code])
    i, j = features.rows[k], features.cols[k]
    parts = [say["text"].format(share=features.column("product_fit")[k])]
    if features.column("same_sector")[k]:
        parts.append(say["same_sector"].format(sector=sector(buyers.sector[j])))
    else:
        parts.append(say["cross_sector"].format(supplier_sector=sector(suppliers.sector[i]), buyer_sector=sector(buyers.sector[j])))
    required = buyers.required_certifications[j].indices
    if len(required):
        parts.append(say["certified"].format(certifications=", ".join(certification_names[c] for c in required)))
    parts.append(say["distance"].format(km=features.distance_km[k]))
    slot, capacity = features.slot_demand[k], suppliers.capacity[i]
    if not (np.isnan(slot) or np.isnan(capacity)):
        share = capacity / max(slot, 1.0)
        parts.append(say["capacity_covers"] if share >= 1 else say["capacity_share"].format(share=share))
    if np.isin(buyers.buyer_type[j], _EXPORT_TYPES):
        parts.append(say["export_ready"] if suppliers.export_ready[i] else say["not_export_ready"])
    if buyers.buyer_type[j] == _RETAILER and suppliers.otop[i]:
        parts.append(say["otop"])
    if track.proposals[i]:
        parts.append(say["track"].format(accepted=track.accepted[i], proposals=track.proposals[i]))
    return "; ".join(parts)
