"""Profiles of SMEs and buyers, and the features that describe them."""

from .demo import DemoRegister, generate_register, split_partnerships, true_relevance, write_register
from .candidates import Candidates, build_candidates, violates_hard_constraints
from .pairs import FEATURE_DESCRIPTIONS, FEATURE_NAMES
from .text import normalize_text, split_items, tokenize
from .vectorize import ProfileVectorizer
from .vocabulary import Concept, ConceptMapper, ConceptVocabulary, InvalidVocabularyError
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
    "FEATURE_DESCRIPTIONS",
    "FEATURE_NAMES",
    "Candidates",
    "Concept",
    "ConceptMapper",
    "ConceptVocabulary",
    "InvalidVocabularyError",
    "ProfileVectorizer",
    "build_candidates",
    "normalize_text",
    "split_items",
    "tokenize",
    "violates_hard_constraints",
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
