"""Profiles of SMEs and buyers, and the features that describe them."""

from .demo import DemoRegister, generate_register, split_partnerships, true_relevance, write_register
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
    "DemoRegister",
    "Partnership",
    "Profile",
    "Province",
    "Supplier",
    "find_province",
    "generate_register",
    "haversine_km",
    "normalize_certification",
    "provinces",
    "split_partnerships",
    "true_relevance",
    "write_register",
]
