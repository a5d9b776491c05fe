"""Validated profiles: suppliers (SMEs), buyers and partnership history.

The fields are those of the interchange format (``docs/interchange.md``).
Every rule lives here, once: the bounds of each field (:data:`Id`,
:data:`Amount`, ...), and how a file's cells are read into them (blank is
the default, ``1,000`` and Thai digits are numbers, ``yes`` is true, ``a;b``
is a list, a Buddhist-era year is turned Gregorian). CSV, Parquet and Excel
rows are validated by these models (:mod:`.validation`); the JSON service's
schemas reuse the same bounded types without the cell parsing. The rest of
tiermatch trusts these records.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from .reference import (
    BUYER_TYPE_NAMES,
    BUYER_TYPES,
    OUTCOMES,
    SECTOR_NAMES,
    SECTORS,
    find_province,
    normalize_certification,
)

__all__ = [
    "Amount",
    "Buyer",
    "Certifications",
    "Day",
    "Distance",
    "Employees",
    "Id",
    "Latitude",
    "Longitude",
    "Name",
    "Partners",
    "Partnership",
    "Profile",
    "ShortText",
    "Supplier",
    "Text",
]

def _category_key(value: str) -> str:
    key = "_".join(value.strip().casefold().replace("&", " and ").replace("-", " ").split())
    for prefix in ("อุตสาหกรรม", "กลุ่ม"):
        key = key.removeprefix(prefix).lstrip("_")
    return key


Sector = Literal[SECTORS]
BuyerType = Literal[BUYER_TYPES]
Outcome = Literal[OUTCOMES]

# Other ways files name a sector or a buyer type, Thai as people write it (as for provinces), lowercased with
# underscores for spaces; each one's English and Thai names (reference.SECTOR_NAMES) are accepted too.
_ALIASES = {
    "auto": "automotive", "automotive_and_parts": "automotive", "ยานยนต์": "automotive",
    "ชิ้นส่วนยานยนต์": "automotive", "รถยนต์และชิ้นส่วน": "automotive",
    "gems": "gems_jewelry", "jewelry": "gems_jewelry", "gems_and_jewelry": "gems_jewelry",
    "gems_jewellery": "gems_jewelry", "อัญมณี": "gems_jewelry", "เครื่องประดับ": "gems_jewelry",
    "food": "processed_food", "อาหาร": "processed_food",
    "textiles": "textiles_garments", "garments": "textiles_garments", "textiles_and_garments": "textiles_garments",
    "สิ่งทอ": "textiles_garments", "เครื่องนุ่งห่ม": "textiles_garments", "สิ่งทอและเสื้อผ้า": "textiles_garments",
    "palm": "palm_oil", "น้ำมันปาล์ม": "palm_oil", "ปาล์ม": "palm_oil", "อื่นๆ": "other", "อื่น": "other",
    "tier_1": "first_tier", "tier1": "first_tier", "first_tier_manufacturer": "first_tier",
    "ผู้ผลิตชั้นที่1": "first_tier", "เทียร์_1": "first_tier", "tier_1_supplier": "first_tier",
    "ผู้ค้าปลีกรายใหญ่": "retailer", "ร้านค้าปลีก": "retailer", "โมเดิร์นเทรด": "retailer",
    **{_category_key(name): key for names in (SECTOR_NAMES, BUYER_TYPE_NAMES) for key, pair in names.items()
       for name in pair},
}


# Bounds every door applies (CSV, Parquet, JSON): what a database column can hold and a person can mean.
MAX_ID_LENGTH = 200
MAX_NAME_LENGTH = 500
MAX_TEXT_LENGTH = 20_000
MAX_AMOUNT_THB = 1e12  # a month's capacity, demand or a deal, in baht: a trillion is beyond any SME or buyer
MAX_EMPLOYEES = 10_000_000
MAX_PARTNERS = 1000
MAX_DISTANCE_KM = 20_000
MAX_CERTIFICATIONS = 50
FIRST_DATE, LAST_DATE = dt.date(1950, 1, 1), dt.date(2100, 12, 31)
# A year written in the Buddhist era (as Thai offices date documents) is this much later than the Gregorian.
BUDDHIST_ERA_OFFSET = 543

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Control characters (Unicode category Cc) but tab and line breaks; with the invisible ones (Cf, line and
# paragraph separators) for ids. Searched with a compiled pattern: a character loop in Python costs seconds
# on a register of 100,000 rows.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
                        "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
                        "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
                        "\U000e0001\U000e0020-\U000e007f]")


def _blank_to_none(value):
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _check_text(value: str) -> str:
    """Text any database column holds: no NUL or other control character but tab and line breaks, valid Unicode."""
    bad = _CONTROL.search(value)
    if bad is not None:
        raise ValueError(f"contains the control character U+{ord(bad.group()):04X}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("is not valid Unicode text (a lone surrogate)") from exc
    return value


def _check_id(value: str) -> str:
    """An id that can be typed, stored and named in a web address: visible characters, no slash."""
    _check_text(value)
    bad = _INVISIBLE.search(value)
    if bad is not None:
        raise ValueError(f"contains the invisible character U+{ord(bad.group()):04X}; retype the id")
    if "/" in value or "\\" in value:
        raise ValueError("contains a slash; ids name pages and addresses, use '-' instead")
    return value


def _to_category(value):
    """A sector or buyer type as files write it: any case, spaces, ``&``, Thai names, an ``อุตสาหกรรม`` prefix."""
    if isinstance(value, str):
        key = _category_key(value)
        return _ALIASES.get(key, key)
    return value


def _to_list(value):
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in (p.strip() for p in value.split(";")) if part]
    return value


_TRUE = {"true", "yes", "y", "1", "t", "ใช่", "จริง"}
_FALSE = {"false", "no", "n", "0", "f", "ไม่", "ไม่ใช่", "เท็จ"}


def _to_bool(value):
    value = _blank_to_none(value)
    if value is None:
        return False
    if isinstance(value, str):
        key = value.strip().casefold()
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        raise ValueError(f"expected true or false, found {value!r}")
    return value


def _to_number(value):
    """A cell as a number: blank is none; thousands separators and Thai digits read."""
    value = _blank_to_none(value)
    if isinstance(value, str):
        return value.translate(_THAI_DIGITS).replace(",", "").replace("_", "").strip()
    return value


def _to_date(value):
    """A cell as an ISO date; Thai digits read, a Buddhist-era year (2400 and later) turned Gregorian."""
    value = _blank_to_none(value)
    if isinstance(value, str):
        text = value.translate(_THAI_DIGITS).strip()
        year, sep, rest = text.partition("-")
        if sep and year.isdigit() and int(year) >= 2400:
            text = f"{int(year) - BUDDHIST_ERA_OFFSET:04d}-{rest}"
        return text
    return value


def _canonical_certifications(value: list[str]) -> list[str]:
    return list(dict.fromkeys(normalize_certification(c) for c in value))


def _check_date(value: dt.date | None) -> dt.date | None:
    if value is not None and not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"expected a date between {FIRST_DATE} and {LAST_DATE}")
    return value


# The rules, once: each field's type with its bounds. The JSON schemas (api/schemas.py) use these
# as they are; the file columns below wrap them with a parser of cells (blank, "1,000", "yes", "a;b").
Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ID_LENGTH),
               AfterValidator(_check_id)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME_LENGTH),
                 AfterValidator(_check_text)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT_LENGTH),
                 AfterValidator(_check_text)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_ID_LENGTH),
                      AfterValidator(_check_text)]
Amount = Annotated[float, Field(ge=0, le=MAX_AMOUNT_THB, allow_inf_nan=False)]
Employees = Annotated[int, Field(ge=0, le=MAX_EMPLOYEES)]
Partners = Annotated[int, Field(ge=0, le=MAX_PARTNERS)]
Distance = Annotated[float, Field(ge=0, le=MAX_DISTANCE_KM, allow_inf_nan=False)]
Certification = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                          AfterValidator(_check_text)]
Certifications = Annotated[list[Certification], Field(max_length=MAX_CERTIFICATIONS),
                           AfterValidator(_canonical_certifications)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Day = Annotated[dt.date, AfterValidator(_check_date)]

# Cells of a file, parsed into those types.
_Number = BeforeValidator(_to_number)
AmountCell = Annotated[Amount | None, _Number]
EmployeesCell = Annotated[Employees | None, _Number]
DistanceCell = Annotated[Distance | None, _Number]
LatitudeCell = Annotated[Latitude | None, _Number]
LongitudeCell = Annotated[Longitude | None, _Number]
OptionalTextCell = Annotated[ShortText | None, BeforeValidator(_blank_to_none)]
FlagCell = Annotated[bool, BeforeValidator(_to_bool)]
CertificationsCell = Annotated[Certifications, BeforeValidator(_to_list)]
DayCell = Annotated[Day | None, BeforeValidator(_to_date)]


def _partners_cell(default: int):
    """A count of partners; blank takes ``default``."""
    return Annotated[Partners, BeforeValidator(lambda v: default if _blank_to_none(v) is None else _to_number(v))]


class Profile(BaseModel):
    """Fields shared by suppliers and buyers: name, sector, place."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore", frozen=True)

    name: Name
    sector: Annotated[Sector, BeforeValidator(_to_category)]
    province: str = Field(min_length=1, max_length=100,
                          description="Thai or English province name; stored as the English name")
    latitude: LatitudeCell = None
    longitude: LongitudeCell = None

    @field_validator("province")
    @classmethod
    def _known_province(cls, value: str) -> str:
        province = find_province(value)
        if province is None:
            raise ValueError(f"unknown Thai province {value!r}")
        return province.name_en

    @model_validator(mode="after")
    def _coordinates_from_province(self):
        # Coordinates come in pairs; a lone one is ambiguous.
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude must be given together")
        if self.latitude is None:
            province = find_province(self.province)
            object.__setattr__(self, "latitude", province.latitude)
            object.__setattr__(self, "longitude", province.longitude)
        return self

    @property
    def region(self) -> str:
        return find_province(self.province).region


class Supplier(Profile):
    """An SME: what it makes, where, how much, and with which certifications.

    Examples
    --------
    >>> s = Supplier(supplier_id="S-1", name="ABC Stamping", sector="Automotive",
    ...              products="ชิ้นส่วนโลหะปั๊มขึ้นรูป", province="ชลบุรี",
    ...              certifications="IATF16949; ISO 9001")
    >>> s.province, s.certifications, s.max_buyers
    ('Chon Buri', ['IATF 16949', 'ISO 9001'], 3)
    """

    supplier_id: Id
    products: Text
    certifications: CertificationsCell = []
    capacity_thb_per_month: AmountCell = None
    employees: EmployeesCell = None
    cluster: OptionalTextCell = None
    max_buyers: _partners_cell(3) = 3
    export_ready: FlagCell = False
    otop: FlagCell = False

    @property
    def id(self) -> str:
        return self.supplier_id


class Buyer(Profile):
    """A first-tier manufacturer, exporter, importer or retailer, and what it needs.

    Examples
    --------
    >>> b = Buyer(buyer_id="B-1", name="Siam Seats", buyer_type="first_tier",
    ...           sector="automotive", needs="Sourcing stamped metal parts",
    ...           province="Rayong", required_certifications="IATF 16949")
    >>> b.max_suppliers, b.max_distance_km
    (5, None)
    """

    buyer_id: Id
    buyer_type: Annotated[BuyerType, BeforeValidator(_to_category)]
    needs: Text
    required_certifications: CertificationsCell = []
    demand_thb_per_month: AmountCell = None
    max_suppliers: _partners_cell(5) = 5
    max_distance_km: DistanceCell = None

    @property
    def id(self) -> str:
        return self.buyer_id


class Partnership(BaseModel):
    """One past proposal and its outcome."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore", frozen=True)

    supplier_id: Id
    buyer_id: Id
    outcome: Annotated[Outcome, BeforeValidator(lambda v: v.strip().casefold() if isinstance(v, str) else v)]
    date: DayCell = None
    value_thb: AmountCell = None

