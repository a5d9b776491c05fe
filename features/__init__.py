"""Profiles of SMEs and buyers, and the features that describe them."""

from .profiles import Buyer, Partnership, Profile, Supplier
from .reference import (
    BUYER_TYPES,
    CERTIFICATIONS,
    OUTCOMES,
    SECTORS,
    Province,
    find_province,
    haversine_km,
    normalize_certification,
    provinces,
)

__all__ = [
    "BUYER_TYPES",
    "CERTIFICATIONS",
    "OUTCOMES",
    "SECTORS",
    "Buyer",
    "Partnership",
    "Profile",
    "Province",
    "Supplier",
    "find_province",
    "haversine_km",
    "normalize_certification",
    "provinces",
]
