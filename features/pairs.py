"""Pair features: one column per feature, one row per candidate pair, each with a plain reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from .candidates import Candidates, road_km
from .profiles import Partnership
from .reference import BUYER_TYPES, SECTOR_CERTIFICATIONS, SECTOR_LINKS, SECTORS
from .tables import BuyerTable, SupplierTable

__all__ = ["FEATURE_DESCRIPTIONS", "FEATURE_NAMES", "LANGUAGES", "PairFeatures", "TrackRecord", "build_pair_features", "build_track_record", "explain_pairs"]

# What each pair feature measures; every value lies in [0, 1], higher is better.
FEATURE_DESCRIPTIONS = {
    "product_fit": "combined similarity of the SME's products and the buyer's needs (concepts, inputs, words)",
    "concept_fit": "the bilingual product concepts both name: the SME makes what is needed",
    "input_fit": "the SME's products are inputs to (or near relatives of) what the buyer needs",
    "text_fit": "Thai and English word overlap (TF-IDF cosine): counts text no concept matches",
    "sector_fit": "1 for the same sector; else how much the SME's sector feeds the buyer's",
    "certification_fit": "certifications the buyer's sector looks for that the SME holds (2 or more count fully)",
    "distance_fit": "1 next door, 0.5 at 150 road km, towards 0 far away",
    "capacity_fit": "the SME's monthly capacity against the buyer's demand per supplier slot (0.5 when unknown)",
    "supplier_appeal": "the SME's side: the buyer's volume is worth one of its partnerships, and near enough to deliver",
    "route_fit": "export readiness for exporters and importers, OTOP for retailers; 1 where it does not matter",
    "track_record": "the SME's past proposals accepted, smoothed towards one half",
}
FEATURE_NAMES = tuple(FEATURE_DESCRIPTIONS)

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


def sector_link_matrix() -> np.ndarray:
    """``(n_sectors, n_sectors)``: 1 on the diagonal, :data:`SECTOR_LINKS` off it; rows supply columns."""
    links = np.eye(len(SECTORS), dtype=np.float32)
    for (supplier_sector, buyer_sector), weight in SECTOR_LINKS.items():
        links[SECTORS.index(supplier_sector), SECTORS.index(buyer_sector)] = weight
    return links


def _sector_certification_matrix(certification_names: Sequence[str]) -> sp.csr_matrix:
    """``(n_sectors, n_certifications)``: 1 where a sector's buyers look for a certification."""
    index = {name: k for k, name in enumerate(certification_names)}
    rows, cols = [], []
    for s, sector in enumerate(SECTORS):
        for name in SECTOR_CERTIFICATIONS[sector]:
            if name in index:
                rows.append(s)
                cols.append(index[name])
    return sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(SECTORS), len(certification_names)))


def build_pair_features(
    suppliers: SupplierTable,
    buyers: BuyerTable,
    candidates: Candidates,
    track: TrackRecord,
    *,
    similarities: dict[str, np.ndarray],
    supplier_input_sectors: np.ndarray,
    certification_names: Sequence[str],
) -> PairFeatures:
    """Compute every feature for every candidate pair.

    Parameters
    ----------
    suppliers, buyers : SupplierTable, BuyerTable
    candidates : Candidates
        Pairs (rows are supplier positions, cols buyer positions) and their combined similarity.
    track : TrackRecord
    similarities : dict of str to ndarray, shape (n_pairs,)
        Per-block cosines of the pairs: ``concepts``, ``related``, ``words``.
    supplier_input_sectors : ndarray, shape (n_suppliers, n_sectors)
        How strongly each supplier's concepts are inputs to each sector, in [0, 1].
    certification_names : sequence of str
        The columns of the certification matrices.

    Returns
    -------
    PairFeatures
        ``values`` has shape (n_pairs, n_features), columns in ``FEATURE_NAMES`` order.
    """
    rows, cols = candidates.rows, candidates.cols
    supplier_sector, buyer_sector = suppliers.sector[rows], buyers.sector[cols]
    sector_fit = np.maximum(sector_link_matrix()[supplier_sector, buyer_sector],
                            supplier_input_sectors[rows, buyer_sector])
    sought = _sector_certification_matrix(certification_names)[buyer_sector]
    n_sought_held = np.asarray(sought.multiply(suppliers.certifications[rows]).sum(axis=1)).ravel()

    distance = road_km(suppliers, buyers, rows, cols)
    distance_fit = 1.0 / (1.0 + distance / 150.0)
    slot = buyers.demand[cols] / np.maximum(buyers.max_suppliers[cols], 1)
    capacity = suppliers.capacity[rows]
    known = ~(np.isnan(capacity) | np.isnan(slot))
    capacity_fit = np.where(known, np.minimum(1.0, capacity / np.maximum(slot, 1.0)), 0.5)
    # The SME's side: a buyer slot worth less than its capacity per buyer is a poor use of
    # one of its few partnerships, and a far buyer is costly to deliver to.
    per_buyer_capacity = capacity / np.maximum(suppliers.max_buyers[rows], 1)
    volume_worth = np.where(known, np.minimum(1.0, slot / np.maximum(per_buyer_capacity, 1.0)), 0.5)
    supplier_appeal = np.sqrt(volume_worth * distance_fit)

    buyer_type = buyers.buyer_type[cols]
    route_fit = np.ones(len(rows))
    exporting = np.isin(buyer_type, _EXPORT_TYPES)
    route_fit[exporting] = suppliers.export_ready[rows][exporting]
    retail = buyer_type == _RETAILER
    route_fit[retail] = np.where(suppliers.otop[rows][retail], 1.0, 0.5)
    values = np.column_stack([
        candidates.similarity,
        similarities["concepts"],
        similarities["related"],
        similarities["words"],
        sector_fit,
        np.minimum(1.0, n_sought_held / 2.0),
        distance_fit,
        capacity_fit,
        supplier_appeal,
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
        "makes": "makes {concept} (needed)",
        "input": "its {supplier_concept} goes into {buyer_concept} (needed)",
        "similar": "similar products ({concept})",
        "text": "product text {share:.0%} alike",
        "same_sector": "same sector ({sector})",
        "linked_sector": "{supplier_sector} supplier feeding the {buyer_sector} sector",
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
        "makes": "ผลิต{concept} (ตรงกับที่ต้องการ)",
        "input": "{supplier_concept}เป็นวัตถุดิบของ{buyer_concept} (ตรงกับที่ต้องการ)",
        "similar": "สินค้าใกล้เคียงกัน ({concept})",
        "text": "รายละเอียดสินค้าคล้ายกัน {share:.0%}",
        "same_sector": "อยู่ในอุตสาหกรรมเดียวกัน ({sector})",
        "linked_sector": "ผู้ผลิตกลุ่ม{supplier_sector}ที่ป้อนวัตถุดิบให้กลุ่ม{buyer_sector}",
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


def explain_pairs(
    suppliers: SupplierTable, buyers: BuyerTable, features: PairFeatures, track: TrackRecord, ks,
    certification_names: Sequence[str], language: str = "en",
    concepts: Sequence[tuple[str, str, str] | None] | None = None,
) -> list[str]:
    """One line of plain reasons for each candidate pair ``ks``, in English (``"en"``) or Thai (``"th"``).

    ``concepts[n]`` names what links pair ``ks[n]``, in the language asked for:
    ``("makes", concept, "")`` where the supplier makes a concept the buyer
    needs, ``("input", supplier concept, buyer concept)`` where the first goes
    into the second, ``("similar", broader concept, "")`` where they share only
    a broader concept, None where only words link them.

    Example output: ``makes stamped metal parts (needed); same sector (automotive); IATF 16949 held;
    38 km away; capacity covers 40% of a supplier slot; 3 of 4 past proposals accepted``.
    """
    if language not in _REASONS:
        raise ValueError(f"Expected language in {LANGUAGES}, got {language!r}")
    say = _REASONS[language]
    sector_name = [_SECTOR_TH[s] if language == "th" else s for s in SECTORS]
    ks = np.asarray(ks, dtype=np.int64)
    rows, cols = features.rows[ks], features.cols[ks]
    required = buyers.required_certifications
    held_text = {
        int(j): ", ".join(certification_names[c] for c in required.indices[required.indptr[j]:required.indptr[j + 1]])
        for j in np.unique(cols)
    }
    capacity, slot = suppliers.capacity[rows], features.slot_demand[ks]
    share = np.where(np.isnan(capacity) | np.isnan(slot), np.nan, capacity / np.maximum(slot, 1.0)).tolist()
    exporting = np.isin(buyers.buyer_type[cols], _EXPORT_TYPES).tolist()
    otop_for_retail = ((buyers.buyer_type[cols] == _RETAILER) & suppliers.otop[rows]).tolist()
    columns = zip(
        rows.tolist(), cols.tolist(), suppliers.sector[rows].tolist(), buyers.sector[cols].tolist(),
        features.column("text_fit")[ks].tolist(), (features.column("sector_fit")[ks] > 0).tolist(),
        features.distance_km[ks].tolist(), share, exporting, suppliers.export_ready[rows].tolist(), otop_for_retail,
        track.proposals[rows].tolist(), track.accepted[rows].tolist(),
        concepts if concepts is not None else [None] * len(ks),
    )
    lines = []
    for i, j, s_sector, b_sector, text_fit, linked, km, covers, export, ready, otop, proposals, accepted, link in columns:
        if link and link[0] == "input":
            parts = [say["input"].format(supplier_concept=link[1], buyer_concept=link[2])]
        elif link:
            parts = [say[link[0]].format(concept=link[1])]
        else:
            parts = [say["text"].format(share=text_fit)]
        if s_sector == b_sector:
            parts.append(say["same_sector"].format(sector=sector_name[b_sector]))
        else:
            parts.append(say["linked_sector" if linked else "cross_sector"].format(
                supplier_sector=sector_name[s_sector], buyer_sector=sector_name[b_sector]))
        if held_text[j]:
            parts.append(say["certified"].format(certifications=held_text[j]))
        parts.append(say["distance"].format(km=km))
        if covers == covers:  # not NaN: both capacity and demand known
            parts.append(say["capacity_covers"] if covers >= 1 else say["capacity_share"].format(share=covers))
        if export:
            parts.append(say["export_ready"] if ready else say["not_export_ready"])
        if otop:
            parts.append(say["otop"])
        if proposals:
            parts.append(say["track"].format(accepted=accepted, proposals=proposals))
        lines.append("; ".join(parts))
    return lines
