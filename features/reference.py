"""Reference data: Thai provinces, sectors, buyer types and certifications.

Provinces come from ``data/provinces.csv``, joined from geothai (CC-BY-4.0),
PyThaiNLP's province list (CC0), kongvut/thai-province-data (MIT) and
countrystatecity (ODbL); see ``data/SOURCES.md``.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import numpy as np

__all__ = [
    "BUYER_TYPES",
    "BUYER_TYPE_NAMES",
    "CERTIFICATIONS",
    "OUTCOMES",
    "SECTORS",
    "SECTOR_NAMES",
    "SECTOR_CERTIFICATIONS",
    "SECTOR_LINKS",
    "OTHER_CERTIFICATIONS",
    "Province",
    "find_province",
    "near_certification",
    "haversine_km",
    "normalize_certification",
    "provinces",
]

SECTORS = (
    "automotive",
    "cosmetics",
    "gems_jewelry",
    "processed_food",
    "textiles_garments",
    "palm_oil",
    "other",
)
BUYER_TYPES = ("first_tier", "exporter", "importer", "retailer")
OUTCOMES = ("accepted", "rejected", "deal")

# How each sector and buyer type is written, in English and in Thai (pages, reasons, and what a file may say).
SECTOR_NAMES = {
    "automotive": ("Automotive", "ยานยนต์และชิ้นส่วน"),
    "cosmetics": ("Cosmetics", "เครื่องสำอาง"),
    "gems_jewelry": ("Gems and jewelry", "อัญมณีและเครื่องประดับ"),
    "processed_food": ("Processed food", "อาหารแปรรูป"),
    "textiles_garments": ("Textiles and garments", "สิ่งทอและเครื่องนุ่งห่ม"),
    "palm_oil": ("Palm oil", "ปาล์มน้ำมัน"),
    "other": ("Other", "อื่น ๆ"),
}
BUYER_TYPE_NAMES = {
    "first_tier": ("First-tier manufacturer", "ผู้ผลิตชั้นที่ 1"),
    "exporter": ("Exporter", "ผู้ส่งออก"),
    "importer": ("Importer", "ผู้นำเข้า"),
    "retailer": ("Retailer", "ผู้ค้าปลีก"),
}

# Canonical certification name -> spellings met in the field (Thai and English).
CERTIFICATIONS: dict[str, tuple[str, ...]] = {
    "ISO 9001": ("ISO9001", "ISO-9001", "ISO 9001:2015", "มอก. ISO 9001"),
    "ISO 14001": ("ISO14001", "ISO-14001", "ISO 14001:2015"),
    "ISO 22000": ("ISO22000", "ISO-22000"),
    "ISO 22716": ("ISO22716", "Cosmetic GMP", "GMP เครื่องสำอาง"),
    "IATF 16949": ("IATF16949", "IATF-16949", "TS 16949", "ISO/TS 16949", "TS16949"),
    "GMP": ("Good Manufacturing Practice", "จีเอ็มพี", "GMP Codex"),
    "HACCP": ("ฮาซเซพ", "เอชเอซีซีพี"),
    "Halal": ("ฮาลาล", "Thai Halal", "CICOT Halal", "ตราฮาลาล"),
    "Thai FDA": ("อย.", "อย", "FDA", "Thai FDA (อย.)", "เลข อย."),
    "TIS": ("มอก.", "มอก", "Thai Industrial Standard", "มาตรฐานผลิตภัณฑ์อุตสาหกรรม"),
    "RSPO": ("RSPO certified", "RSPO Supply Chain"),
    "OEKO-TEX": ("OEKO-TEX 100", "Oeko-Tex Standard 100", "OEKOTEX"),
    "GOTS": ("Global Organic Textile Standard",),
    "BRCGS": ("BRC", "BRCGS Food"),
    "FSSC 22000": ("FSSC22000",),
    "Organic Thailand": ("เกษตรอินทรีย์", "Thailand Organic"),
    "GIT": ("GIT Standard", "สถาบันวิจัยและพัฒนาอัญมณี", "GIT certified"),
    "RJC": ("Responsible Jewellery Council", "RJC COP"),
    "Kimberley Process": ("KP", "Kimberley"),
    "OTOP 5 Star": ("OTOP 5 ดาว", "OTOP ห้าดาว"),
    "Thai SME Mark": ("SME Mark",),
}

# Real certifications that matching does not weigh of its own accord (a buyer may still require one): known,
# so that they are kept without a warning, never taken for a slip of a listed one (ISO 45001 is not ISO 14001).
OTHER_CERTIFICATIONS: tuple[str, ...] = (
    "ISO 45001", "ISO 50001", "ISO 13485", "ISO 17025", "ISO/IEC 17025", "ISO 27001", "ISO 26000", "ISO 14064",
    "ISO 22301", "TIS 18001", "มอก. 18001", "TLS 8001", "มผช.", "มผช", "GAP", "GlobalG.A.P.", "Q Mark", "มกษ.",
    "FSC", "PEFC", "ISCC", "SA8000", "BSCI", "amfori BSCI", "WRAP", "SMETA", "Fairtrade", "Green Industry",
    "อุตสาหกรรมสีเขียว", "Thai Green Label", "ฉลากเขียว", "Carbon Footprint", "GHP", "BRC", "IFS", "SQF", "Kosher",
    "USDA Organic", "EU Organic", "ECOCERT", "COSMOS", "CE", "UL", "RoHS", "REACH", "VDA 6.3", "ISO 3834",
)


# Input-output links between sectors: how much a supplier of one sector (row) typically
# serves buyers of another (column). Palm oil feeds food and cosmetics, textiles feed
# automotive seats and trims, packaging, logistics and machining ("other") serve all.
SECTOR_LINKS: dict[tuple[str, str], float] = {
    ("palm_oil", "processed_food"): 0.8,
    ("palm_oil", "cosmetics"): 0.6,
    ("textiles_garments", "automotive"): 0.5,
    ("processed_food", "cosmetics"): 0.3,
    ("cosmetics", "processed_food"): 0.2,
    **{("other", sector): 0.5 for sector in SECTORS if sector != "other"},
}

# Certifications buyers of each sector look for, beyond the ones they require.
SECTOR_CERTIFICATIONS: dict[str, tuple[str, ...]] = {
    "automotive": ("IATF 16949", "ISO 9001", "ISO 14001"),
    "cosmetics": ("Thai FDA", "ISO 22716", "GMP", "Halal"),
    "gems_jewelry": ("GIT", "RJC", "Kimberley Process"),
    "processed_food": ("GMP", "HACCP", "Thai FDA", "Halal", "ISO 22000", "FSSC 22000", "BRCGS"),
    "textiles_garments": ("OEKO-TEX", "GOTS", "ISO 9001"),
    "palm_oil": ("RSPO", "GMP", "ISO 9001"),
    "other": ("ISO 9001",),
}


@dataclass(frozen=True, slots=True)
class Province:
    """One of Thailand's 77 provinces, with the centre used for distances."""

    code: str
    name_en: str
    name_th: str
    region: str
    latitude: float
    longitude: float


def _fold(text: str) -> str:
    """Fold case, width, spaces, dots and hyphens away, for alias lookups."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s.\-_/()]+", "", text)


@cache
def provinces() -> tuple[Province, ...]:
    """Return the 77 provinces in the order of their official codes."""
    rows = csv.DictReader(
        resources.files(__package__).joinpath("data/provinces.csv").open(encoding="utf-8")
    )
    return tuple(
        Province(
            code=row["iso3166_2"],
            name_en=row["name_en"],
            name_th=row["name_th"],
            region=row["region_en"],
            latitude=float(row["lat"]),
            longitude=float(row["lon"]),
        )
        for row in rows
    )


# Spellings met in practice that the joined table does not carry.
_EXTRA_PROVINCE_NAMES = {
    "TH-10": ("Krung Thep", "Krung Thep Maha Nakhon", "Bangkok Metropolis", "กรุงเทพ", "กทม."),
    "TH-20": ("Chonburi",),
    "TH-21": ("Rayong Province",),
    "TH-22": ("Chantaburi",),
    "TH-24": ("Chachoengsao Province", "Chacheongsao"),
    "TH-14": ("Ayutthaya", "Ayudhya", "อยุธยา"),
    "TH-74": ("Samut Sakorn", "Mahachai"),
    "TH-50": ("Chiangmai",),
    "TH-57": ("Chiangrai",),
    "TH-40": ("Khonkaen",),
    "TH-83": ("Puket",),
    "TH-84": ("Surat", "Suratthani"),
    "TH-90": ("Hatyai", "Songkla"),
    "TH-80": ("Nakhon Si Thammarat Province", "Nakorn Si Thammarat"),
    "TH-30": ("Korat", "Nakhon Ratchasima Province", "โคราช"),
    "TH-11": ("Samutprakan", "Samut Prakarn"),
    "TH-13": ("Pathumthani",),
    "TH-12": ("Nontaburi",),
}


@cache
def _province_index() -> dict[str, Province]:
    index: dict[str, Province] = {}
    for province in provinces():
        code_number = province.code.removeprefix("TH-")
        names = [province.name_en, province.name_th, province.code, code_number]
        names += _EXTRA_PROVINCE_NAMES.get(province.code, ())
        for name in names:
            index[_fold(name)] = province
    with resources.files(__package__).joinpath("data/provinces.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            # csc_native is a second Thai spelling, wrong for Nan (see shared/data/README.md).
            if row["name_en"] != "Nan":
                index.setdefault(_fold(row["csc_native"]), index[_fold(row["name_en"])])
            index.setdefault(_fold(row["abbr_en"]), index[_fold(row["name_en"])])
    return index


@lru_cache(maxsize=4096)
def find_province(name: str) -> Province | None:
    """Find a province by Thai or English name, common spelling or ISO code.

    Parameters
    ----------
    name : str
        ``"Chon Buri"``, ``"ชลบุรี"``, ``"Chonburi"``, ``"จังหวัดชลบุรี"``, ``"TH-20"``...

    Returns
    -------
    Province or None
        None where no province goes by that name.

    Examples
    --------
    >>> find_province("กรุงเทพฯ").name_en
    'Bangkok'
    >>> find_province("Chonburi") == find_province("ชลบุรี")
    True
    >>> find_province("Atlantis") is None
    True
    """
    key = _fold(name)
    index = _province_index()
    if key in index:
        return index[key]
    for prefix in ("จังหวัด", "จ", "changwat", "province"):
        if key.startswith(prefix) and key[len(prefix):] in index:
            return index[key[len(prefix):]]
    if key.endswith("province") and key[: -len("province")] in index:
        return index[key[: -len("province")]]
    return None


@cache
def _certification_index() -> dict[str, str]:
    index = {}
    for canonical, aliases in CERTIFICATIONS.items():
        for name in (canonical, *aliases):
            index[_fold(name)] = canonical
    return index


@cache
def _known_certifications() -> dict[str, str]:
    """Every certification name tiermatch knows, folded, to the name it is shown by."""
    return {**{_fold(name): name for name in OTHER_CERTIFICATIONS}, **_certification_index()}


@lru_cache(maxsize=8192)
def near_certification(name: str) -> str | None:
    """The known certification that an unknown name is most likely a slip of, or None.

    A slip is one edit (two for names of more than six letters, digits and signs): a letter or digit
    wrong, missing, extra or two swapped (Damerau-Levenshtein over the folded names, with rapidfuzz).

    Examples
    --------
    >>> near_certification("IATF 19649"), near_certification("GMPP"), near_certification("ISO 9010")
    ('IATF 16949', 'GMP', 'ISO 9001')
    >>> near_certification("ISO 45001") is None, near_certification("IATF 16949") is None
    (True, True)
    >>> near_certification("Blue Ribbon") is None
    True
    """
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    key = _fold(name)
    known = _known_certifications()
    if not key or key in known:
        return None
    limit = 2 if len(key) > 6 else 1
    found = process.extractOne(key, list(known), scorer=DamerauLevenshtein.distance, score_cutoff=limit)
    return None if found is None else known[found[0]]


def normalize_certification(name: str) -> str:
    """Return the canonical name of a certification, or the cleaned name if unknown.

    Unknown certifications are kept (a buyer may ask for one we have not
    listed); they are compared after folding case and spacing.

    Examples
    --------
    >>> normalize_certification("IATF16949")
    'IATF 16949'
    >>> normalize_certification("อย.")
    'Thai FDA'
    >>> normalize_certification(" ฮาลาล ")
    'Halal'
    >>> normalize_certification("ISO 45001")
    'ISO 45001'
    """
    cleaned = " ".join(name.split())
    return _certification_index().get(_fold(cleaned), cleaned)


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in kilometres, elementwise over arrays.

    Examples
    --------
    >>> round(float(haversine_km(13.7563, 100.5018, 13.3611, 100.9847)))
    68
    """
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(a, dtype=float)) for a in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
