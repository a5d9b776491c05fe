"""Profiles of SMEs and buyers, and the features that describe them."""

from .candidates import Candidates, build_candidates, violates_hard_constraints
from .mapper import ConceptMapper
from .pairs import FEATURE_DESCRIPTIONS, FEATURE_NAMES
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
from .sources import RecordsPartition, Scan, SupplierSource
from .taxonomy import Concept, ConceptVocabulary
from .text import normalize_text, split_items, tokenize
from .validation import ReadResult, RowError, check_columns, drop_unknown_partners, validate_rows
from .vectorize import ProfileVectorizer

__all__ = [
    "BUYER_TYPES",
    "CERTIFICATIONS",
    "FEATURE_DESCRIPTIONS",
    "FEATURE_NAMES",
    "OUTCOMES",
    "SECTORS",
    "Buyer",
    "Candidates",
    "Concept",
    "ConceptMapper",
    "ConceptVocabulary",
    "Partnership",
    "Profile",
    "ProfileVectorizer",
    "Province",
    "ReadResult",
    "RecordsPartition",
    "RowError",
    "Scan",
    "Supplier",
    "SupplierSource",
    "build_candidates",
    "check_columns",
    "drop_unknown_partners",
    "find_province",
    "haversine_km",
    "normalize_certification",
    "normalize_text",
    "provinces",
    "split_items",
    "tokenize",
    "validate_rows",
    "violates_hard_constraints",
]
