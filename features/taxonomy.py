"""The concept taxonomy: products, inputs and services of the six sectors, in Thai and English.

:class:`ConceptVocabulary` holds a hand-curated taxonomy (``data/concepts.csv``)
with Thai and English synonyms, HS and ISIC codes, a parent and the concepts
each one is an input to, and builds the relation matrices the matcher uses.
Rows and columns of every matrix here are concepts, in vocabulary order,
unless a docstring says otherwise.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from ..errors import InvalidVocabularyError
from .reference import SECTORS

__all__ = ["COLUMNS", "Concept", "ConceptVocabulary", "concept_row", "read_concepts"]

COLUMNS = (
    "concept_id",
    "sector",
    "name_en",
    "name_th",
    "synonyms_en",
    "synonyms_th",
    "hs_code",
    "isic",
    "parent",
    "inputs_to",
)


@dataclass(frozen=True)
class Concept:
    """One product, input or service of the taxonomy.

    Attributes
    ----------
    concept_id : str
        Stable identifier, ``<family>.<name>`` (``auto.stamped_metal_parts``).
    sector : str
        One of :data:`tiermatch.features.SECTORS`.
    name_en, name_th : str
        Preferred English and Thai names.
    synonyms_en, synonyms_th : tuple of str
        Other ways the concept is written.
    hs_code, isic : str
        HS 2022 heading or subheading and ISIC Rev.4 class, ``""`` if none fits.
    parent : str
        Broader concept id, ``""`` for a root.
    inputs_to : tuple of str
        Concept ids or sector names this concept is an input to.
    """

    concept_id: str
    sector: str
    name_en: str
    name_th: str
    synonyms_en: tuple[str, ...] = ()
    synonyms_th: tuple[str, ...] = ()
    hs_code: str = ""
    isic: str = ""
    parent: str = ""
    inputs_to: tuple[str, ...] = ()

    @property
    def phrases(self) -> tuple[str, ...]:
        """Names and synonyms in both languages, names first."""
        return (self.name_en, self.name_th, *self.synonyms_en, *self.synonyms_th)


def _split_list(value: str) -> tuple[str, ...]:
    """Split a ';'-separated cell, dropping blanks."""
    return tuple(part.strip() for part in (value or "").split(";") if part.strip())


class ConceptVocabulary:
    """The concept taxonomy, validated, with lookups and relation matrices.

    Parameters
    ----------
    concepts : sequence of Concept
        The concepts, in column order of every matrix built from them.

    Attributes
    ----------
    concepts_ : list of Concept
        The concepts in order.
    ids_ : list of str
        Their ids, in the same order.
    index_ : dict of str to int
        Position of each id.

    Raises
    ------
    InvalidVocabularyError
        If ids repeat, a sector is unknown, a name is empty, a ``parent`` or
        ``inputs_to`` entry names no concept (or sector), or parents form a
        cycle.  All problems are listed in one message.

    Examples
    --------
    >>> vocabulary = ConceptVocabulary.load()
    >>> vocabulary["auto.stamped_metal_parts"].name_th
    'ชิ้นส่วนโลหะปั๊มขึ้นรูป'
    >>> vocabulary.ancestors("auto.seats")
    ['auto.interior_parts', 'auto.parts']
    >>> "auto.seats" in vocabulary.inputs_of("tex.seat_fabric")
    True
    """

    def __init__(self, concepts: Sequence[Concept]):
        self.concepts_ = list(concepts)
        self.ids_ = [c.concept_id for c in self.concepts_]
        self.index_ = {cid: i for i, cid in enumerate(self.ids_)}
        self._check()

    @classmethod
    def load(cls, path: str | Path | None = None, *, site: str | Path | None = None) -> "ConceptVocabulary":
        """Read the taxonomy from a CSV file (the shipped ``concepts.csv`` by default), with a site's own.

        Lines starting with ``#`` are comments.  Columns: ``concept_id``,
        ``sector``, ``name_en``, ``name_th``, ``synonyms_en``, ``synonyms_th``,
        ``hs_code``, ``isic``, ``parent``, ``inputs_to``; list cells are
        ``;``-separated.

        Parameters
        ----------
        path : str or Path, optional
            A CSV file in the format above.
        site : str or Path, optional
            A site's own concepts, in the same format: a row whose
            ``concept_id`` the vocabulary holds replaces that concept (to add
            synonyms, restate it with them), any other row adds a concept.

        Returns
        -------
        ConceptVocabulary

        Raises
        ------
        InvalidVocabularyError
            If a file cannot be read, a column is missing or a row breaks a rule (see the class).

        Examples
        --------
        >>> len(ConceptVocabulary.load()) >= 300
        True
        """
        if path is None:
            text = resources.files(__package__).joinpath("data/concepts.csv").read_text("utf-8")
        else:
            text = _read(path)
        concepts = {c.concept_id: c for c in _parse(text, "concepts.csv" if path is None else str(path))}
        if site is not None:
            for concept in _parse(_read(site), str(site)):
                concepts[concept.concept_id] = concept
        return cls(list(concepts.values()))

    def _check(self) -> None:
        """Collect every rule the concepts break, then raise once."""
        problems = []
        seen: set[str] = set()
        for concept in self.concepts_:
            cid = concept.concept_id
            if not cid:
                problems.append(f"a concept has an empty concept_id (name_en={concept.name_en!r})")
            elif cid in seen:
                problems.append(f"{cid}: concept_id appears more than once")
            seen.add(cid)
            if concept.sector not in SECTORS:
                problems.append(
                    f"{cid}: expected sector in {', '.join(SECTORS)}, but found {concept.sector!r}"
                )
            for field in ("name_en", "name_th"):
                if not getattr(concept, field):
                    problems.append(f"{cid}: {field} is empty")
            if concept.parent and concept.parent not in self.index_:
                problems.append(f"{cid}: parent {concept.parent!r} is not a concept_id")
            if concept.parent == cid:
                problems.append(f"{cid}: is its own parent")
            for target in concept.inputs_to:
                if target not in self.index_ and target not in SECTORS:
                    problems.append(
                        f"{cid}: inputs_to {target!r} is neither a concept_id nor a sector"
                    )
        if not problems:
            for cid in self.ids_:
                chain, node = {cid}, self[cid].parent
                while node:
                    if node in chain:
                        problems.append(f"{cid}: parents form a cycle through {node!r}")
                        break
                    chain.add(node)
                    node = self[node].parent
        if problems:
            raise InvalidVocabularyError(
                f"{len(problems)} problem(s) in the concept vocabulary: " + "; ".join(problems)
            )

    def __len__(self) -> int:
        return len(self.concepts_)

    def __iter__(self):
        return iter(self.concepts_)

    def __contains__(self, concept_id: object) -> bool:
        return concept_id in self.index_

    def __getitem__(self, key: str | int) -> Concept:
        """The concept with this id, or at this position."""
        if isinstance(key, (int, np.integer)):
            return self.concepts_[key]
        try:
            return self.concepts_[self.index_[key]]
        except KeyError:
            raise KeyError(f"Unknown concept_id {key!r}") from None

    def by_sector(self, sector: str) -> list[Concept]:
        """Concepts whose ``sector`` is ``sector``."""
        if sector not in SECTORS:
            raise ValueError(f"Expected sector in {', '.join(SECTORS)}, but found {sector!r}")
        return [c for c in self.concepts_ if c.sector == sector]

    def ancestors(self, concept_id: str) -> list[str]:
        """Parent, grandparent, ... of a concept, nearest first."""
        chain, node = [], self[concept_id].parent
        while node:
            chain.append(node)
            node = self[node].parent
        return chain

    def children(self, concept_id: str) -> list[str]:
        """Concepts whose parent is ``concept_id``."""
        self[concept_id]
        return [c.concept_id for c in self.concepts_ if c.parent == concept_id]

    def inputs_of(self, concept_id: str) -> list[str]:
        """Concepts and sectors that ``concept_id`` (or one of its ancestors) is an input to."""
        targets: list[str] = []
        for node in (concept_id, *self.ancestors(concept_id)):
            targets.extend(t for t in self[node].inputs_to if t not in targets)
        return targets

    def suppliers_of(self, concept_id: str) -> list[str]:
        """Concepts that are listed as inputs to ``concept_id``."""
        self[concept_id]
        return [c.concept_id for c in self.concepts_ if concept_id in c.inputs_to]

    def ancestor_matrix(self, decay: float = 1.0) -> sp.csr_matrix:
        """Sparse ``(n_concepts, n_concepts)``: ``[i, j] = decay**d`` if ``j`` is ``i``'s ancestor ``d`` levels up."""
        rows, cols, vals = [], [], []
        for i, cid in enumerate(self.ids_):
            for depth, anc in enumerate(self.ancestors(cid), start=1):
                rows.append(i)
                cols.append(self.index_[anc])
                vals.append(decay**depth)
        n = len(self)
        return sp.csr_matrix((vals, (rows, cols)), shape=(n, n), dtype=np.float64)

    def input_matrix(self) -> sp.csr_matrix:
        """Sparse ``(n_concepts, n_concepts)``: 1 where row ``i`` is listed as an input to column ``j``.

        Only the concept ids of ``inputs_to`` count, as written (no
        inheritance); see :meth:`related_matrix` for the closed relation.
        """
        rows, cols = [], []
        for i, concept in enumerate(self.concepts_):
            for target in concept.inputs_to:
                if target in self.index_:
                    rows.append(i)
                    cols.append(self.index_[target])
        n = len(self)
        return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))

    def input_sector_matrix(self) -> sp.csr_matrix:
        """Sparse ``(n_concepts, n_sectors)``: 1 where a concept is an input to a sector.

        A concept feeds a sector if ``inputs_to`` names the sector, or names a
        concept of another sector; ancestors' links are inherited.  Columns
        follow :data:`tiermatch.features.SECTORS`.

        Examples
        --------
        >>> from tiermatch.features.reference import SECTORS
        >>> vocabulary = ConceptVocabulary.load()
        >>> row = vocabulary.input_sector_matrix()[vocabulary.index_["tex.seat_fabric"]]
        >>> [SECTORS[j] for j in row.indices]
        ['automotive']
        """
        sector_index = {s: j for j, s in enumerate(SECTORS)}
        rows, cols = [], []
        for i, concept in enumerate(self.concepts_):
            sectors = set()
            for target in self.inputs_of(concept.concept_id):
                if target in sector_index:
                    sectors.add(target)
                elif self[target].sector != concept.sector:
                    sectors.add(self[target].sector)
            for sector in sectors:
                rows.append(i)
                cols.append(sector_index[sector])
        return sp.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(self), len(SECTORS))
        )

    def related_matrix(
        self, input_weight: float = 1.0, parent_weight: float = 0.5
    ) -> sp.csr_matrix:
        """Input-output adjacency: how well supplier concept ``i`` serves buyer concept ``j``.

        ``[i, j] = input_weight`` if ``j`` is in ``inputs_to`` of ``i`` or of
        one of its ancestors (a child inherits what its parent feeds);
        ``input_weight * parent_weight`` if ``j`` is only an ancestor of such a
        target (the buyer asks for something broader); ``parent_weight`` for a
        direct parent-child pair in either direction.  The diagonal is zero:
        a concept's match with itself is the matcher's direct similarity.

        Parameters
        ----------
        input_weight : float, default 1.0
            Weight of an input-output link.
        parent_weight : float, default 0.5
            Weight of one step up or down the hierarchy.

        Returns
        -------
        scipy.sparse.csr_matrix of shape (n_concepts, n_concepts)
            Rows are supplier-side concepts, columns buyer-side concepts.

        Examples
        --------
        >>> vocabulary = ConceptVocabulary.load()
        >>> R = vocabulary.related_matrix()
        >>> i, j = vocabulary.index_["tex.seat_fabric"], vocabulary.index_["auto.seats"]
        >>> float(R[i, j])
        1.0
        """
        n = len(self)
        direct = self.input_matrix()
        up = self.ancestor_matrix()
        closure = (sp.identity(n, format="csr") + up) @ direct
        closure.data[:] = 1.0
        broader = closure @ up
        broader.data[:] = parent_weight
        direct_parent = self._parent_matrix()
        hierarchy = (direct_parent + direct_parent.T) * parent_weight
        related = (closure * input_weight).maximum(broader * input_weight).maximum(hierarchy)
        related = sp.csr_matrix(related)
        related.setdiag(0)
        related.eliminate_zeros()
        return related

    def _parent_matrix(self) -> sp.csr_matrix:
        """Sparse ``(n, n)`` with 1 at ``[i, parent(i)]``."""
        rows, cols = [], []
        for i, concept in enumerate(self.concepts_):
            if concept.parent:
                rows.append(i)
                cols.append(self.index_[concept.parent])
        n = len(self)
        return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))


def _read(path: str | Path) -> str:
    try:
        return Path(path).read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidVocabularyError(f"cannot read the concepts file {path}: {exc}") from exc


def read_concepts(path: str | Path) -> list[Concept]:
    """The concepts a file itself holds (a site's file, say), in its order.

    Raises
    ------
    InvalidVocabularyError
        If the file cannot be read or a column is missing.
    """
    return _parse(_read(path), str(path))


def concept_row(concept: Concept) -> dict[str, str]:
    """A concept as a row of the vocabulary's CSV format (:data:`COLUMNS`; lists ``;``-separated)."""
    return {column: ";".join(value) if isinstance(value, tuple) else value
            for column, value in ((c, getattr(concept, c)) for c in COLUMNS)}


def _parse(text: str, name: str) -> list[Concept]:
    """The concepts of one file's text (``name`` for messages)."""
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    reader = csv.DictReader(lines)
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise InvalidVocabularyError(f"{name}: expected columns {', '.join(COLUMNS)}, but {', '.join(missing)} missing")
    return [
        Concept(
            concept_id=(row["concept_id"] or "").strip(),
            sector=(row["sector"] or "").strip(),
            name_en=(row["name_en"] or "").strip(),
            name_th=(row["name_th"] or "").strip(),
            synonyms_en=_split_list(row["synonyms_en"] or ""),
            synonyms_th=_split_list(row["synonyms_th"] or ""),
            hs_code=(row["hs_code"] or "").strip(),
            isic=(row["isic"] or "").strip(),
            parent=(row["parent"] or "").strip(),
            inputs_to=_split_list(row["inputs_to"] or ""),
        )
        for row in reader
    ]
