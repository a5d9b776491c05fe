"""Pair features: one column per feature, one row per candidate pair, each with a plain reason."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from .candidates import distance_km
from .history import PAST_PARTNER
from .profiles import Partnership
from .reference import BUYER_TYPES, SECTOR_CERTIFICATIONS, SECTOR_LINKS, SECTOR_NAMES, SECTORS
from .tables import BuyerTable, SupplierTable

__all__ = [
    "FEATURE_DESCRIPTIONS",
    "FEATURE_NAMES",
    "LANGUAGES",
    "LINK_INPUT",
    "LINK_MAKES",
    "LINK_NONE",
    "LINK_SIMILAR",
    "PairFeatures",
    "TextFit",
    "TrackRecord",
    "build_pair_features",
    "count_track_records",
    "explain_pairs",
]

# What each pair feature measures; every value lies in [0, 1], higher is better. They describe what a buyer
# weighs when it decides: first whether the SME can supply what it needs, then where, how much, how.
FEATURE_DESCRIPTIONS = {
    "need_coverage": "the share of the buyer's needs the SME covers: the same product concept, an input to it, or "
                     "an item close in meaning (multilingual encoder); making more than is needed costs nothing",
    "product_fit": "the share of the buyer's needs text (concepts, inputs and words, weighted) the SME's text also "
                   "names; making more than is needed costs nothing",
    "concept_fit": "the share of the bilingual product concepts the buyer names that the SME names too",
    "input_fit": "the share of what the buyer needs that the SME's products go into (or are near relatives of)",
    "text_fit": "the share of the buyer's words (TF-IDF weighted, Thai and English) the SME's text uses too: counts "
                "text no concept matches",
    "semantic_fit": "how close the two texts are in meaning, across Thai and English (multilingual encoder)",
    "spelling_fit": "the share of the buyer's needs text, as letters (three in a row, TF-IDF weighted), the SME's text "
                    "has too: reads typing slips and products no concept lists; making more than is needed costs "
                    "nothing",
    "sector_fit": "1 for the same sector; else how much the SME's sector feeds the buyer's",
    "certification_fit": "certifications the buyer's sector looks for that the SME holds (2 or more count fully)",
    "distance_fit": "1 next door, 0.5 at 150 km, towards 0 far away",
    "capacity_fit": "the SME's monthly capacity against the buyer's demand per supplier slot (0.5 when unknown)",
    "supplier_appeal": "the SME's side: the buyer's volume is worth one of its partnerships, and near enough to deliver",
    "route_fit": "export readiness for exporters and importers, OTOP for retailers; 1 where it does not matter",
    "track_record": "the SME's past proposals to other buyers accepted, smoothed towards one half",
    "same_region": "1 where the SME and the buyer are in the same region",
    "in_cluster": "1 where the SME belongs to an industrial cluster",
    "size": "the SME's monthly capacity on a log scale (0.5 at 1 million baht; 0.5 when unknown)",
    "export_ready": "1 where the SME is ready to export",
    "otop": "1 where the SME is an OTOP producer",
    "certifications_held": "the certifications the SME holds, 4 or more count fully",
    "buyer_affinity": "how close the SME's products are to those of the SMEs this buyer accepted before, against those "
                      "it rejected (0.5 without that history)",
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

    @classmethod
    def of(cls, supplier_ids, counts: dict[str, tuple[int, int]]) -> TrackRecord:
        """The records of ``supplier_ids`` (in order) from :func:`count_track_records`; none where absent."""
        record = np.array([counts.get(i, (0, 0)) for i in supplier_ids], dtype=float).reshape(-1, 2)
        return cls(record[:, 0], record[:, 1])


def count_track_records(history: Sequence[Partnership]) -> dict[str, tuple[int, int]]:
    """Each supplier's past proposals and acceptances (deals count as accepted), by supplier id.

    Every row counts, whether or not its buyer is still in the register: the
    outcome happened. This is the one rule every run, training and cluster
    suggestion uses.

    Examples
    --------
    >>> history = [Partnership(supplier_id="S1", buyer_id="B1", outcome="deal"),
    ...            Partnership(supplier_id="S1", buyer_id="B2", outcome="rejected")]
    >>> count_track_records(history)
    {'S1': (2, 1)}
    """
    counts: dict[str, list[int]] = {}
    for p in history:
        record = counts.setdefault(p.supplier_id, [0, 0])
        record[0] += 1
        record[1] += p.outcome != "rejected"
    return {k: (v[0], v[1]) for k, v in counts.items()}


@dataclass(frozen=True)
class PairFeatures:
    """Feature columns for pairs, and what their reasons are written from; rows are supplier positions,
    cols buyer positions. Every array has one entry per pair."""

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray  # (n_pairs, len(FEATURE_NAMES)) float32
    distance_km: np.ndarray
    slot_demand: np.ndarray  # buyer demand per supplier slot; NaN unknown
    capacity: np.ndarray  # the supplier's monthly capacity; NaN unknown
    supplier_sector: np.ndarray  # int codes into SECTORS
    export_ready: np.ndarray
    otop: np.ndarray
    proposals: np.ndarray  # the supplier's past proposals and acceptances
    accepted: np.ndarray
    links: np.ndarray  # (n_pairs, 3) int32: LINK kind, supplier concept, buyer concept (-1 where none)
    need_text: np.ndarray  # object: the buyer's best-covered need item where the encoder covers it, else None
    offer_text: np.ndarray  # object: the SME's item covering it, else None
    past: np.ndarray  # int8: what happened between these two before (features.history: PAST_NONE, ...)
    past_date: np.ndarray  # object: when (ISO date), else None

    def column(self, name: str) -> np.ndarray:
        return self.values[:, FEATURE_NAMES.index(name)]

    def __len__(self) -> int:
        return len(self.rows)

    def take(self, ks) -> PairFeatures:
        """The pairs ``ks`` (positions into these), in that order."""
        ks = np.asarray(ks, dtype=np.int64)
        return PairFeatures(**{name: getattr(self, name)[ks] for name in _PAIR_ARRAYS})

    def with_rows(self, rows) -> PairFeatures:
        """The same pairs with their supplier positions replaced (e.g. offset into a larger register)."""
        return replace(self, rows=np.asarray(rows, dtype=np.int64))

    @classmethod
    def from_values(cls, rows, cols, values) -> PairFeatures:
        """Pairs known by their feature values alone (no facts to write reasons from), e.g. to train on."""
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        n, nan = len(rows), np.full(len(rows), np.nan, dtype=np.float32)
        none = np.full(n, None, dtype=object)
        return cls(rows=rows, cols=cols, values=np.asarray(values, dtype=np.float32), distance_km=nan,
                   slot_demand=nan, capacity=nan, supplier_sector=np.zeros(n, np.int8), export_ready=np.zeros(n, bool),
                   otop=np.zeros(n, bool), proposals=np.zeros(n, np.float32), accepted=np.zeros(n, np.float32),
                   links=np.tile(np.array([LINK_NONE, -1, -1], np.int32), (n, 1)), need_text=none, offer_text=none.copy(),
                   past=np.zeros(n, np.int8), past_date=none.copy())

    @staticmethod
    def concatenate(parts: Sequence[PairFeatures]) -> PairFeatures:
        """The pairs of every part, in order."""
        return PairFeatures(**{name: np.concatenate([getattr(p, name) for p in parts]) for name in _PAIR_ARRAYS})


_PAIR_ARRAYS = tuple(f.name for f in fields(PairFeatures))

# What links a pair's products, in ``PairFeatures.links[:, 0]``.
LINK_NONE, LINK_MAKES, LINK_INPUT, LINK_SIMILAR = 0, 1, 2, 3


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


@dataclass(frozen=True)
class TextFit:
    """What the texts of each pair say, as the context reads them (see ``MatchContext.pair_features``)."""

    similarity: np.ndarray  # share of the buyer's stacked text the SME's names too
    concepts: np.ndarray  # the same per block
    related: np.ndarray
    words: np.ndarray
    coverage: np.ndarray  # share of the buyer's needs covered
    semantic: np.ndarray  # encoder cosine rescaled to [0, 1] (0.5 without an encoder)
    affinity: np.ndarray  # to the buyer's accepted SMEs against its rejected ones (0.5 without history)
    spelling: np.ndarray  # share of the buyer's text's character n-grams the SME's has too
    links: np.ndarray  # (n_pairs, 3) LINK kind, supplier concept, buyer concept
    need_text: np.ndarray
    offer_text: np.ndarray


def build_pair_features(
    suppliers: SupplierTable,
    buyers: BuyerTable,
    rows,
    cols,
    track: TrackRecord,
    text: TextFit,
    *,
    supplier_input_sectors: np.ndarray,
    certification_names: Sequence[str],
    past: np.ndarray | None = None,
    past_date: np.ndarray | None = None,
) -> PairFeatures:
    """Compute every feature for every pair.

    Parameters
    ----------
    suppliers, buyers : SupplierTable, BuyerTable
    rows, cols : array of int, shape (n_pairs,)
        Supplier and buyer positions.
    track : TrackRecord
        Each pair's SME's past proposals (per pair, in order), its outcomes with this buyer left out.
    text : TextFit
        What the pairs' texts say (coverage, similarities, links).
    supplier_input_sectors : ndarray, shape (n_suppliers, n_sectors)
        How strongly each supplier's concepts are inputs to each sector, in [0, 1].
    certification_names : sequence of str
        The columns of the certification matrices.
    past, past_date : ndarray, optional
        What happened between each pair before (:mod:`~tiermatch.features.history`), and when; nothing where None.

    Returns
    -------
    PairFeatures
        ``values`` has shape (n_pairs, n_features), columns in ``FEATURE_NAMES`` order.
    """
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    if past is None:
        past, past_date = np.zeros(len(rows), np.int8), np.full(len(rows), None, dtype=object)
    supplier_sector, buyer_sector = suppliers.sector[rows], buyers.sector[cols]
    sector_fit = np.maximum(sector_link_matrix()[supplier_sector, buyer_sector],
                            supplier_input_sectors[rows, buyer_sector])
    sought = _sector_certification_matrix(certification_names)[buyer_sector]
    n_sought_held = np.asarray(sought.multiply(suppliers.certifications[rows]).sum(axis=1)).ravel()
    n_held = np.diff(suppliers.certifications.indptr)[rows]

    distance = distance_km(suppliers, buyers, rows, cols)
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
    with np.errstate(invalid="ignore", divide="ignore"):
        size = np.where(np.isnan(capacity), 0.5, 1.0 / (1.0 + np.exp(-(np.log10(np.maximum(capacity, 1.0)) - 6.0) * 2.0)))

    buyer_type = buyers.buyer_type[cols]
    route_fit = np.ones(len(rows))
    exporting = np.isin(buyer_type, _EXPORT_TYPES)
    route_fit[exporting] = suppliers.export_ready[rows][exporting]
    retail = buyer_type == _RETAILER
    route_fit[retail] = np.where(suppliers.otop[rows][retail], 1.0, 0.5)
    values = np.column_stack([
        text.coverage,
        text.similarity,
        text.concepts,
        text.related,
        text.words,
        text.semantic,
        text.spelling,
        sector_fit,
        np.minimum(1.0, n_sought_held / 2.0),
        distance_fit,
        capacity_fit,
        supplier_appeal,
        route_fit,
        track.rate(),
        suppliers.region[rows] == buyers.region[cols],
        suppliers.cluster[rows] != "",
        size,
        suppliers.export_ready[rows],
        suppliers.otop[rows],
        np.minimum(1.0, n_held / 4.0),
        text.affinity,
    ]).astype(np.float32)
    return PairFeatures(rows=rows, cols=cols, values=values, distance_km=distance,
                        slot_demand=slot, capacity=capacity, supplier_sector=supplier_sector,
                        export_ready=suppliers.export_ready[rows], otop=suppliers.otop[rows],
                        proposals=track.proposals, accepted=track.accepted, links=text.links,
                        need_text=text.need_text, offer_text=text.offer_text, past=past, past_date=past_date)



# One template per reason, in each language; {placeholders} filled by explain_pair.
_REASONS = {
    "en": {
        "makes": "makes {concept} (needed)",
        "close": "makes {offer}, close to {need} (needed)",
        "coverage": "covers {share:.0%} of the needs",
        "input": "its {supplier_concept} goes into {buyer_concept} (needed)",
        "similar": "similar products ({concept})",
        "text": "uses {share:.0%} of the words needed",
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
        "track": "{accepted:.0f} of {proposals:.0f} proposals to other buyers accepted",
        "rejected_before": "REJECTED by this buyer before",
        "partner_already": "ALREADY this buyer's partner",
        "on": " ({date})",
    },
    "th": {
        "makes": "ผลิต{concept} (ตรงกับที่ต้องการ)",
        "close": "มี {offer} ใกล้เคียงกับ {need} ที่ต้องการ",
        "coverage": "ครอบคลุม {share:.0%} ของสิ่งที่ต้องการ",
        "input": "{supplier_concept}เป็นวัตถุดิบของ{buyer_concept} (ตรงกับที่ต้องการ)",
        "similar": "สินค้าใกล้เคียงกัน ({concept})",
        "text": "ใช้คำตรงกับที่ต้องการ {share:.0%}",
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
        "track": "ข้อเสนอให้ผู้ซื้อรายอื่นได้รับการตอบรับ {accepted:.0f} จาก {proposals:.0f} ครั้ง",
        "rejected_before": "ผู้ซื้อรายนี้เคยปฏิเสธแล้ว",
        "partner_already": "เป็นคู่ค้าของผู้ซื้อรายนี้อยู่แล้ว",
        "on": " ({date})",
    },
}
LANGUAGES = tuple(_REASONS)

# Certifications as Thai offices write them.
_CERTIFICATION_TH = {"Thai FDA": "อย.", "TIS": "มอก.", "Halal": "ฮาลาล", "OTOP 5 Star": "OTOP 5 ดาว",
                     "Organic Thailand": "เกษตรอินทรีย์", "Thai SME Mark": "SME Mark"}
# Concept names that already say "makes" in Thai, so that a reason does not say it twice ("ผลิตผลิต...").
_THAI_VERBS = ("ผลิต", "รับ", "บริการ")


def explain_pairs(
    features: PairFeatures, ks, buyers: BuyerTable, certification_names: Sequence[str],
    concept_names: Sequence[str], language: str = "en",
) -> list[str]:
    """One line of plain reasons for each pair ``ks`` of ``features``, in English (``"en"``) or Thai (``"th"``).

    Written from arrays alone (the pairs' features and facts, the buyers'
    table), so that pairs scored anywhere can be explained anywhere later.
    ``concept_names`` names the vocabulary's concepts in ``language``; the
    pair's ``links`` say which to name: a concept the supplier makes that the
    buyer needs, one that goes into what the buyer needs, or a broader
    concept both share; else the share of alike text.

    Example output: ``makes stamped metal parts (needed); same sector (automotive); IATF 16949 held;
    38 km away; capacity covers 40% of a supplier slot; 3 of 4 proposals to other buyers accepted``.
    """
    if language not in _REASONS:
        raise ValueError(f"Expected language in {LANGUAGES}, got {language!r}")
    say = _REASONS[language]
    thai = language == "th"
    sector_name = [SECTOR_NAMES[s][1] if thai else SECTOR_NAMES[s][0].lower() for s in SECTORS]
    ks = np.asarray(ks, dtype=np.int64)
    cols = features.cols[ks]
    required = buyers.required_certifications
    held_text = {
        int(j): ", ".join((_CERTIFICATION_TH.get(name, name) if thai else name) for name in
                          (certification_names[c] for c in required.indices[required.indptr[j]:required.indptr[j + 1]]))
        for j in np.unique(cols)
    }
    capacity, slot = features.capacity[ks], features.slot_demand[ks]
    share = np.where(np.isnan(capacity) | np.isnan(slot), np.nan, capacity / np.maximum(slot, 1.0)).tolist()
    buyer_type = buyers.buyer_type[cols]
    exporting = np.isin(buyer_type, _EXPORT_TYPES).tolist()
    otop_for_retail = ((buyer_type == _RETAILER) & features.otop[ks]).tolist()
    links = features.links[ks]
    coverage = features.column("need_coverage")[ks].tolist()
    columns = zip(
        cols.tolist(), features.supplier_sector[ks].tolist(), buyers.sector[cols].tolist(),
        features.column("text_fit")[ks].tolist(), (features.column("sector_fit")[ks] > 0).tolist(),
        features.distance_km[ks].tolist(), share, exporting, features.export_ready[ks].tolist(), otop_for_retail,
        features.proposals[ks].tolist(), features.accepted[ks].tolist(),
        links[:, 0].tolist(), links[:, 1].tolist(), links[:, 2].tolist(), features.need_text[ks].tolist(),
        features.offer_text[ks].tolist(), coverage, features.past[ks].tolist(), features.past_date[ks].tolist(),
    )
    makes, into, similar, text, distance = say["makes"], say["input"], say["similar"], say["text"], say["distance"]
    if thai:
        names = list(concept_names)
        made = [name if name.startswith(_THAI_VERBS) else "ผลิต" + name for name in names]
        makes = "{concept} (ตรงกับที่ต้องการ)"
    else:
        made = concept_names
    same_sector = [say["same_sector"].format(sector=name) for name in sector_name]
    lines = []
    for (j, s_sector, b_sector, text_fit, linked, km, covers, export, ready, otop, proposals, accepted,
         kind, a, b, need, offer, covered, past, past_date) in columns:
        parts = []
        if past:  # shown only where a run is set to show past pairs: said first
            parts.append(say["partner_already" if past == PAST_PARTNER else "rejected_before"]
                         + (say["on"].format(date=past_date) if past_date else ""))
        if kind == LINK_MAKES:
            parts.append(makes.format(concept=made[a]))
        elif offer is not None:
            parts.append(say["close"].format(offer=offer, need=need))
        elif kind == LINK_INPUT:
            parts.append(into.format(supplier_concept=concept_names[a], buyer_concept=concept_names[b]))
        elif kind == LINK_SIMILAR:
            parts.append(similar.format(concept=concept_names[a]))
        else:
            parts.append(text.format(share=text_fit))
        if 0.05 < covered < 0.95:
            parts.append(say["coverage"].format(share=covered))
        if s_sector == b_sector:
            parts.append(same_sector[b_sector])
        else:
            parts.append(say["linked_sector" if linked else "cross_sector"].format(
                supplier_sector=sector_name[s_sector], buyer_sector=sector_name[b_sector]))
        if held_text[j]:
            parts.append(say["certified"].format(certifications=held_text[j]))
        parts.append(distance.format(km=km))
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
