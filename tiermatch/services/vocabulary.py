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

import contextlib
import csv
import dataclasses
import functools
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..errors import ConflictError, InvalidInputError, NotFoundError
from ..features.mapper import ConceptMapper
from ..features.taxonomy import COLUMNS, ConceptVocabulary, concept_row, read_concepts
from ..features.text import FILLER_TERMS, normalize_text, stem_english
from ..io import write_atomically
from ..matcher import FIT_SAMPLE
from ..settings import get_settings
from .encoders import text_encoder
from .register import Register

__all__ = ["TermSuggestion", "file_term", "site_vocabulary", "suggest_terms"]

_THAI = re.compile("[\u0e01-\u0e4e]")
_LATIN_WORD = re.compile("[a-z][a-z-]*[a-z]")

# Below this cosine the encoder's nearest concept is no suggestion at all.
MIN_SUGGESTION_COSINE = 0.35


def site_vocabulary() -> ConceptVocabulary | None:
    """The shipped concepts merged with the site's file (``TIERMATCH_CONCEPTS_FILE``), read again whenever the
    file changes; None (the shipped ones) without a file, or before the file is made (:func:`file_term`).

    Raises
    ------
    InvalidInputError
        If the site's file cannot be read or breaks a rule of the vocabulary.
    """
    path = get_settings().concepts_file
    if not path or not Path(path).exists():  # none, or none yet: the first word filed makes it
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
    needs = [b.needs for b in register.buyers]
    mapper.transform(needs, side="buyer")
    counts = counts + mapper.unmatched_terms_
    # The mapper counts English words by their stem ("experienc"); a curator reads and files the word itself.
    written: dict[str, Counter] = {}
    for text in (*products, *needs):
        for word in _LATIN_WORD.findall(normalize_text(text)):
            written.setdefault(stem_english(word), Counter())[word] += 1
    filler = FILLER_TERMS | {stem_english(w) for w in FILLER_TERMS}
    terms = [(written[t].most_common(1)[0][0] if t in written else t, n) for t, n in counts.most_common()
             if t not in filler and len(t) > 1 and not t.isdigit()][:top]
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


def file_term(term: str, concept_id: str) -> str:
    """File a word under a concept, in the site's concepts file (``TIERMATCH_CONCEPTS_FILE``): the concept is
    restated there with the word among its Thai or English synonyms (by the word's script), so that every later
    run reads the word as that concept. Returns the file's path.

    Raises
    ------
    ConflictError
        If the site has no concepts file set.
    NotFoundError
        For a concept the vocabulary does not hold.
    InvalidInputError
        For an empty word, or one with a ``;`` or ``,`` (the file's separators).
    """
    term = " ".join(term.split()).casefold()
    if not term or len(term) > 100 or any(c in term for c in ";,\"\n"):
        raise InvalidInputError(f"a word to file is 1 to 100 characters without ; , or quotes, found {term!r}", "term")
    path = get_settings().concepts_file
    if not path:
        raise ConflictError("this site has no concepts file of its own: set TIERMATCH_CONCEPTS_FILE to where it "
                            "should be kept (it is created on the first word filed)")
    with _held(path):  # one curator at a time: the file is read, changed and written whole
        exists = Path(path).exists()
        # Read afresh, not from the cache keyed by the file's time: another curator may have just written it.
        concepts = {c.concept_id: c for c in ConceptVocabulary.load(site=path if exists else None)}
        if concept_id not in concepts:
            raise NotFoundError("concept", concept_id, "concept_id")
        concept = concepts[concept_id]
        field = "synonyms_th" if _THAI.search(term) else "synonyms_en"
        if term not in getattr(concept, field):
            concept = dataclasses.replace(concept, **{field: (*getattr(concept, field), term)})
        own = {c.concept_id: c for c in read_concepts(path)} if exists else {}
        own[concept_id] = concept
        comments = [line for line in Path(path).read_text("utf-8").splitlines(keepends=True)
                    if line.startswith("#")] if exists else []

        def write(f):
            f.writelines(comments)
            writer = csv.DictWriter(f, fieldnames=list(COLUMNS))
            writer.writeheader()
            writer.writerows(concept_row(c) for c in own.values())

        write_atomically(path, write)
    return path


@contextlib.contextmanager
def _held(path: str):
    """An exclusive lock beside ``path`` (``path.lock``), across threads and processes, where the system has
    ``flock`` (Linux, macOS); elsewhere none."""
    try:
        import fcntl
    except ImportError:  # Windows: no lock; two curators filing at the same moment may lose a word
        yield
        return
    with open(f"{path}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
