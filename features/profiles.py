"""Validated profiles: suppliers (SMEs), buyers and partnership history.

The fields are those of the interchange format (``shared/interchange.md``).
Validation happens here, once, at the edge; the rest of tiermatch trusts
these records.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from .reference import BUYER_TYPES, OUTCOMES, SECTORS, find_province, normalize_certification

__all__ = ["Buyer", "Partnership", "Profile", "Supplier"]

Sector = Literal[SECTORS]
BuyerType = Literal[BUYER_TYPES]
Outcome = Literal[OUTCOMES]

_SECTOR_ALIASES = {
    "auto": "automotive",
    "automotive_and_parts": "automotive",
    "gems": "gems_jewelry",
    "jewelry": "gems_jewelry",
    "gems_and_jewelry": "gems_jewelry",
    "gems_jewellery": "gems_jewelry",
    "food": "processed_food",
    "textiles": "textiles_garments",
    "garments": "textiles_garments",
    "textiles_and_garments": "textiles_garments",
    "palm": "palm_oil",
}


def _blank_to_none(value):
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _to_sector(value):
    if isinstance(value, str):
        key = "_".join(value.strip().casefold().replace("&", " and ").replace("-", " ").split())
        return _SECTOR_ALIASES.get(key, key)
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
    value = _blank_to_none(value)
    if isinstance(value, str):
        return value.replace(",", "").replace("_", "").strip()
    return value


OptionalText = Annotated[str | None, BeforeValidator(_blank_to_none)]
Number = Annotated[Annotated[float, Field(ge=0)] | None, BeforeValidator(_to_number)]
Count = Annotated[Annotated[int, Field(ge=0)] | None, BeforeValidator(_to_number)]
Flag = Annotated[bool, BeforeValidator(_to_bool)]
Certifications = Annotated[list[str], BeforeValidator(_to_list)]
Latitude = Annotated[Annotated[float, Field(ge=-90, le=90)] | None, BeforeValidator(_to_number)]
Longitude = Annotated[Annotated[float, Field(ge=-180, le=180)] | None, BeforeValidator(_to_number)]


class Profile(BaseModel):
    """Fields shared by suppliers and buyers: name, sector, place."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore", frozen=True)

    name: str = Field(min_length=1)
    sector: Annotated[Sector, BeforeValidator(_to_sector)]
    province: str = Field(min_length=1, description="Thai or English province name; stored as the English name")
    latitude: Latitude = None
    longitude: Longitude = None

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

    supplier_id: str = Field(min_length=1)
    products: str = Field(min_length=1)
    certifications: Certifications = []
    capacity_thb_per_month: Number = None
    employees: Count = None
    cluster: OptionalText = None
    max_buyers: Annotated[int, BeforeValidator(lambda v: 3 if _blank_to_none(v) is None else _to_number(v)), Field(ge=0)] = 3
    export_ready: Flag = False
    otop: Flag = False

    @field_validator("certifications")
    @classmethod
    def _canonical_certifications(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(normalize_certification(c) for c in value))

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

    buyer_id: str = Field(min_length=1)
    buyer_type: Annotated[BuyerType, BeforeValidator(lambda v: _to_sector(v) if isinstance(v, str) else v)]
    needs: str = Field(min_length=1)
    required_certifications: Certifications = []
    demand_thb_per_month: Number = None
    max_suppliers: Annotated[int, BeforeValidator(lambda v: 5 if _blank_to_none(v) is None else _to_number(v)), Field(ge=0)] = 5
    max_distance_km: Number = None

    @field_validator("required_certifications")
    @classmethod
    def _canonical_certifications(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(normalize_certification(c) for c in value))

    @property
    def id(self) -> str:
        return self.buyer_id


class Partnership(BaseModel):
    """One past proposal and its outcome."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore", frozen=True)

    supplier_id: str = Field(min_length=1)
    buyer_id: str = Field(min_length=1)
    outcome: Annotated[Outcome, BeforeValidator(lambda v: v.strip().casefold() if isinstance(v, str) else v)]
    date: Annotated[dt.date | None, BeforeValidator(_blank_to_none)] = None
    value_thb: Number = None

