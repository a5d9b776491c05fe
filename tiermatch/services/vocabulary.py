"""The vocabulary a site reads profiles with, and the curator's loop that grows it.

A site keeps its own concepts in a CSV file of the shipped format
(``TIERMATCH_CONCEPTS_FILE``): its rows replace shipped concepts of the same
id or add new ones, and every run reads the file again, so an edit needs no
code change and no restart. :func:`suggest_terms` lists the words of a
register no concept knows, most frequent first, leaving out filler that says
nothing of a product (``กำลังผลิต``, ``ประสบการณ์``), each with the concept the
sentence encoder puts nearest: what a curator reviews before adding synonyms.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..errors import InvalidInputError
from ..features.mapper import ConceptMapper
from ..features.taxonomy import ConceptVocabulary
from ..features.text import FILLER_TERMS
from ..matcher import FIT_SAMPLE
from ..settings import get_settings
from .encoders import text_encoder
from .register import Register

__all__ = ["TermSuggestion", "site_vocabulary", "suggest_terms"]

# Below this cosine the encoder's nearest concept is no suggestion at all.
MIN_SUGGESTION_COSINE = 0.35


def site_vocabulary() -> ConceptVocabulary | None:
    """The shipped concepts merged with the site's file (``TIERMATCH_CONCEPTS_FILE``), read again whenever the
    file changes; None (the shipped ones) without a file.

    Raises
    ------
    InvalidInputError
        If the site's file cannot be read or breaks a rule of the vocabulary.
    """
    path = get_settings().concepts_file
    if not path:
        return None
    try:
        stamp = Path(path).stat().st_mtime_ns
    except OSError as exc:
        raise InvalidInputError(f"the concepts file {path} cannot be read: {exc}", "concepts_file") from exc
    return _load(path, stamp)


@functools.lru_cache(maxsize=4)
def _load(path: str, stamp: int) -> ConceptVocabulary:
    from ..errors import InvalidVocabularyError

    try:
        return ConceptVocabulary.load(site=path)
    except InvalidVocabularyError as exc:
        raise InvalidInputError(str(exc), "concepts_file") from exc


@dataclass(frozen=True)
class TermSuggestion:
    """A word no concept knows, how many profiles use it, and the concept the encoder puts nearest."""

    term: str
    profiles: int
    concept_id: str | None
    name_en: str | None
    name_th: str | None
    cosine: float | None

    def as_dict(self) -> dict:
        return asdict(self)


def suggest_terms(register: Register, top: int = 50) -> list[TermSuggestion]:
    """The ``top`` words of the register's profiles that no concept matches, with a concept to file each under.

    Raises
    ------
    InvalidInputError
        If ``top`` is not between 1 and 1000.
    """
    if not 1 <= top <= 1000:
        raise InvalidInputError(f"top must lie in [1, 1000], found {top}", "top")
    vocabulary = site_vocabulary() or ConceptVocabulary.load()
    mapper = ConceptMapper(vocabulary).fit()
    if register.suppliers is not None:
        products = [s.products for s in register.suppliers]
    else:  # a file read in partitions: its fitting sample
        products = list(register.source.scan(fit_sample=FIT_SAMPLE).texts.values())
    mapper.transform(products, side="supplier")
    counts = mapper.unmatched_terms_
    mapper.transform([b.needs for b in register.buyers], side="buyer")
    counts = counts + mapper.unmatched_terms_
    terms = [(t, n) for t, n in counts.most_common() if t not in FILLER_TERMS and len(t) > 1 and not t.isdigit()][:top]
    if not terms:
        return []
    encoder = text_encoder(register.store)
    if encoder is None:
        return [TermSuggestion(t, n, None, None, None, None) for t, n in terms]
    names = [c.name_en for c in vocabulary] + [c.name_th for c in vocabulary]
    concept_vectors = encoder.encode(names)
    term_vectors = encoder.encode([t for t, _ in terms])
    cosine = term_vectors @ concept_vectors.T
    best = cosine.argmax(axis=1)
    found = []
    for (term, n), k, c in zip(terms, best, cosine[np.arange(len(terms)), best]):
        concept = list(vocabulary)[k % len(vocabulary)]
        if c < MIN_SUGGESTION_COSINE:
            found.append(TermSuggestion(term, n, None, None, None, round(float(c), 3)))
        else:
            found.append(TermSuggestion(term, n, concept.concept_id, concept.name_en, concept.name_th, round(float(c), 3)))
    return found
