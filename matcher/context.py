"""A register made ready for scoring, prepared one way for runs, training and cluster suggestions.

:func:`fit_shared` fits what every part of a register shares: the text space
(vocabulary with IDF, word space, links learned from the history) on the
buyers and a sample of the suppliers, the buyer table, the certification
columns, the track records and, for large registers, the two-stage search's
reduced space. :meth:`SharedFit.context` then readies any suppliers against
every buyer. :func:`prepare_context` does both for a register held in memory
(training, clusters); batch runs ship the :class:`SharedFit` to their
partitions (:mod:`.batch`).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..features.candidates import fit_reducer, pair_similarity
from ..features.history import PastPairs
from ..features.items import RELATED_COVER, cover_needs, semantic_score
from ..features.mapper import ConceptMapper
from ..features.pairs import (
    LINK_INPUT,
    LINK_MAKES,
    LINK_NONE,
    LINK_SIMILAR,
    PairFeatures,
    TextFit,
    TrackRecord,
    build_pair_features,
    count_track_records,
    explain_pairs,
)
from ..features.profiles import Buyer, Partnership, Supplier
from ..features.reference import CERTIFICATIONS
from ..features.sources import Scan, SupplierSource
from ..features.tables import BuyerTable, SupplierTable, build_buyer_table, build_supplier_table
from ..features.taste import BuyerTaste
from ..features.vectorize import BLOCKS, ProfileVectorizer, stack_blocks

__all__ = ["FIT_SAMPLE", "MatchContext", "SharedFit", "certification_columns", "fit_shared", "prepare_context"]

# The text space is fitted on at most this many suppliers (evenly spread over the register)
# plus every supplier in the history; registers this small are fitted whole.
FIT_SAMPLE = 200_000


def certification_columns(buyers: Sequence[Buyer]) -> list[str]:
    """The certifications tables are built over: the known ones and every one a buyer requires.

    A supplier's certification outside this list changes no match (no buyer
    requires it, no sector looks for it) and is left out of the tables.
    """
    return sorted(set(CERTIFICATIONS) | {c for b in buyers for c in b.required_certifications})


@dataclass
class MatchContext:
    """Suppliers and buyers made ready for scoring: tables, text blocks in one space, track records.

    Rows of ``X_suppliers`` and of each supplier block are supplier positions;
    rows of ``X_buyers`` and of each buyer block are buyer positions.
    """

    suppliers: SupplierTable
    buyers: BuyerTable
    vectorizer: ProfileVectorizer
    supplier_blocks: dict
    buyer_blocks: dict
    track: TrackRecord
    certification_names: list[str]
    taste: BuyerTaste | None = None  # each buyer's accepted and rejected SMEs, from the history
    past: PastPairs = field(default_factory=PastPairs.empty)  # what happened between each pair before
    common_items: frozenset = frozenset()  # supplier items so many SMEs make that words find them

    def __post_init__(self):
        self.X_suppliers = stack_blocks(self.supplier_blocks, self.vectorizer.weights)
        self.X_buyers = stack_blocks(self.buyer_blocks, self.vectorizer.weights)
        mapper = self.vectorizer.mapper_
        direct = self.supplier_blocks["direct"]
        self.supplier_input_sectors = np.minimum(1.0, (direct @ mapper.input_sectors_).toarray())
        # How far each supplier covers each concept: fully those it names, largely those its concepts go into.
        feeds = sp.csr_matrix(direct @ mapper.related_concepts_) > 0
        self.supplier_cover = sp.csr_matrix(direct).maximum(RELATED_COVER * feeds.astype(np.float32))

    @property
    def semantic_suppliers(self) -> np.ndarray | None:
        return self.supplier_blocks.get("semantic")

    @property
    def semantic_buyers(self) -> np.ndarray | None:
        return self.buyer_blocks.get("semantic")

    def meaning_channel(self, k: int):
        """``(needs, offers, k, common)`` for :func:`~tiermatch.features.candidates.build_candidates`'s channel
        by meaning, or None without an encoder (or with ``k`` 0)."""
        needs, offers = self.buyer_blocks["items"], self.supplier_blocks["items"]
        if not k or needs.vectors is None or offers.vectors is None:
            return None
        return needs, offers, k, offers.mask(self.common_items)

    def pair_features(self, rows, cols, *, own=None) -> PairFeatures:
        """Features of any pairs (not only retrieved candidates, e.g. past proposals), with what links them.

        ``own``: for past proposals, their own outcome (+1 accepted, -1 rejected), left out of the buyer's taste.
        """
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        # How much of the buyer's text the SME's also names (the buyer's weight on the terms both have): making
        # more than is needed costs nothing, unlike a cosine.
        similarities = {name: _contained(self.supplier_blocks[name], self.buyer_blocks[name], rows, cols)
                        for name in BLOCKS}
        similarity = _contained(self.X_suppliers, self.X_buyers, rows, cols)
        needs, offers = self.buyer_blocks["items"], self.supplier_blocks["items"]
        coverage, need_item, offer_item = cover_needs(needs, offers, self.supplier_cover, rows, cols)
        E_s, E_b = self.semantic_suppliers, self.semantic_buyers
        if E_s is not None and E_b is not None and len(rows):
            semantic = semantic_score(np.einsum("ij,ij->i", E_s[rows], E_b[cols]))
        else:
            semantic = np.full(len(rows), 0.5, dtype=np.float32)
        affinity = np.full(len(rows), 0.5, dtype=np.float32)
        if self.taste is not None and E_s is not None and len(rows):
            affinity = self.taste.affinity(E_s[rows], cols, own=own)
        named = offer_item >= 0
        need_text = np.full(len(rows), None, dtype=object)
        offer_text = np.full(len(rows), None, dtype=object)
        need_text[named] = np.asarray(needs.texts, dtype=object)[need_item[named]]
        offer_text[named] = np.asarray(offers.texts, dtype=object)[offer_item[named]]
        spelling = _contained(self.supplier_blocks["letters"], self.buyer_blocks["letters"], rows, cols)
        text = TextFit(similarity=similarity, concepts=similarities["concepts"], related=similarities["related"],
                       words=similarities["words"], coverage=coverage, semantic=semantic, affinity=affinity,
                       spelling=spelling,
                       links=self.linking_concepts(rows, cols), need_text=need_text, offer_text=offer_text)
        at = self.past.lookup(self.suppliers.ids, rows, cols)
        own_proposals, own_accepted = self.past.counts_at(at)
        track = TrackRecord(self.track.proposals[rows] - own_proposals, self.track.accepted[rows] - own_accepted)
        return build_pair_features(self.suppliers, self.buyers, rows, cols, track, text,
                                   supplier_input_sectors=self.supplier_input_sectors,
                                   certification_names=self.certification_names,
                                   past=self.past.outcome_at(at), past_date=self.past.date_at(at))

    def linking_concepts(self, rows, cols) -> np.ndarray:
        """What ties each supplier ``rows[n]`` to buyer ``cols[n]``, as ``(kind, concept a, concept b)``.

        ``LINK_MAKES, c``: a concept both name themselves; else ``LINK_INPUT, c, t``
        where the supplier's concept ``c`` goes into the buyer's ``t``; else
        ``LINK_SIMILAR, c`` where they share only a broader concept ``c``; else
        ``LINK_NONE``. Concepts are positions in the vocabulary; -1 where none.
        """
        mapper = self.vectorizer.mapper_
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        links = np.full((len(rows), 3), -1, dtype=np.int32)
        links[:, 0] = LINK_NONE
        if not len(rows):
            return links
        C_s, C_b = self.supplier_blocks["concepts"], self.buyer_blocks["concepts"]
        direct_s, direct_b = self.supplier_blocks["direct"][rows], self.buyer_blocks["direct"][cols]
        pending = np.ones(len(rows), dtype=bool)

        def settle(found_rows, kind, a, b=None):
            fresh = pending[found_rows]
            found_rows = found_rows[fresh]
            links[found_rows, 0] = kind
            links[found_rows, 1] = a[fresh]
            if b is not None:
                links[found_rows, 2] = b[fresh]
            pending[found_rows] = False

        made_row, made = _row_argmax(direct_s.multiply(direct_b))
        settle(made_row, LINK_MAKES, made)
        related = mapper.related_concepts_
        via_row, target = _row_argmax(sp.csr_matrix(direct_s @ related).multiply(direct_b))
        # Which of the supplier's own concepts feeds the target most.
        source_row, source = _row_argmax(direct_s[via_row].multiply(related.T.tocsr()[target]))
        settle(via_row[source_row], LINK_INPUT, source, target[source_row])
        broad_row, broad = _row_argmax(C_s[rows].multiply(C_b[cols]))
        settle(broad_row, LINK_SIMILAR, broad)
        return links

    def concept_names(self, language: str = "en") -> list[str]:
        """The vocabulary's concept names in ``language``, by position."""
        vocabulary = self.vectorizer.mapper_.vocabulary_
        return [c.name_th for c in vocabulary] if language == "th" else [c.name_en.lower() for c in vocabulary]

    def explain(self, features: PairFeatures, ks, language: str = "en") -> list[str]:
        """One line of plain reasons for each pair ``ks`` of ``features``, in English (``"en"``) or Thai (``"th"``)."""
        return explain_pairs(features, ks, self.buyers, self.certification_names, self.concept_names(language),
                             language)


def _contained(X_suppliers, X_buyers, rows, cols) -> np.ndarray:
    """For L2-normalised rows: the share of each buyer row's squared weight on terms the supplier row has."""
    present = sp.csr_matrix(X_suppliers, copy=True)
    present.data = np.ones_like(present.data)
    energy = sp.csr_matrix(X_buyers, copy=True)
    energy.data = energy.data ** 2
    return np.clip(pair_similarity(present, energy, rows, cols), 0.0, 1.0)


def _row_argmax(matrix) -> tuple[np.ndarray, np.ndarray]:
    """Rows of a sparse matrix with a positive entry, and the column of each one's largest entry."""
    coo = sp.coo_matrix(matrix)
    positive = coo.data > 0
    row, col, value = coo.row[positive], coo.col[positive], coo.data[positive]
    order = np.lexsort((col, -value, row))
    row, col = row[order], col[order]
    first = np.r_[True, row[1:] != row[:-1]] if len(row) else np.zeros(0, dtype=bool)
    return row[first].astype(np.int64), col[first].astype(np.int64)


@dataclass
class SharedFit:
    """What every part of a register needs, fitted once (and, on a cluster, shipped to each worker once)."""

    vectorizer: ProfileVectorizer
    buyers: BuyerTable
    buyer_blocks: dict
    certification_names: list[str]
    track: dict[str, tuple[int, int]]  # supplier id -> (past proposals, accepted)
    reducer: object | None = None  # the two-stage search's reduced space, where a partition needs it
    taste: BuyerTaste | None = None
    past: PastPairs = field(default_factory=PastPairs.empty)
    common_items: frozenset = frozenset()  # estimated over the whole register from the fit's sample

    def context(self, S: SupplierTable, supplier_blocks: dict | None = None) -> MatchContext:
        """Suppliers ``S`` made ready for scoring against every buyer.

        Their text is read by a copy of the vectorizer whose concept mapper
        caches on its own: a partition never changes what it shares with
        others. ``supplier_blocks``, where given, are their blocks already read.
        """
        vectorizer = copy.copy(self.vectorizer)
        vectorizer.mapper_ = self.vectorizer.mapper_.fork()
        if supplier_blocks is None:
            supplier_blocks = vectorizer.transform_blocks(S.texts, "supplier")
        return MatchContext(
            suppliers=S, buyers=self.buyers, vectorizer=vectorizer, supplier_blocks=supplier_blocks,
            buyer_blocks=self.buyer_blocks, track=TrackRecord.of(S.ids, self.track),
            certification_names=self.certification_names, taste=self.taste, past=self.past,
            common_items=self.common_items,
        )


def fit_shared(source: SupplierSource, buyers: Sequence[Buyer], history: Sequence[Partnership] = (), *,
               fit_sample: int | None = FIT_SAMPLE, reduce: bool = False, encoder=None,
               road_factor: float = 1.0, vocabulary=None, fitted=None) -> tuple[SharedFit, Scan, dict]:
    """Fit what every partition of ``source`` shares, scanning it once.

    Parameters
    ----------
    source : SupplierSource
    buyers : sequence of Buyer
    history : sequence of Partnership
        Past proposals: their suppliers' texts join the fit, their outcomes
        teach the concept links, and they make the track records.
    fit_sample : int or None
        Suppliers the text space is fitted on besides those in the history;
        every supplier where None.
    reduce : bool
        Also fit the two-stage search's reduced space.
    encoder : TextEncoder, optional
        A sentence encoder (:mod:`~tiermatch.features.encoder`): items read in meaning too, the buyers' taste.
    road_factor : float
        Distances are the straight line times this (1 unless a site sets it).
    vocabulary : ConceptVocabulary, optional
        The concepts to read texts with (a site's merged with the shipped ones); the shipped ones if None.
    fitted : ProfileVectorizer, optional
        A text space fitted before (a run's, :meth:`ProfileVectorizer.to_bytes`): texts are read in it, nothing
        is fitted again (its words, concepts, links and letters stay as they were); ``vocabulary`` is unused.

    Returns
    -------
    shared : SharedFit
    scan : Scan
        The source's scan (ids, duplicates, the sample's texts).
    sample_blocks : dict
        The blocks of the scanned texts, rows in row order of ``scan.texts``.
    """
    scan = source.scan({p.supplier_id for p in history}, fit_sample)
    sample_rows = sorted(scan.texts)
    sample_position = {scan.ids[row]: k for k, row in enumerate(sample_rows)}
    names = certification_columns(buyers)
    B = build_buyer_table(buyers, names, road_factor)
    buyer_position = {bid: j for j, bid in enumerate(B.ids)}
    known = [p for p in history if p.supplier_id in sample_position and p.buyer_id in buyer_position]
    pairs = np.array([(sample_position[p.supplier_id], buyer_position[p.buyer_id]) for p in known], dtype=np.int64)
    texts = [scan.texts[row] for row in sample_rows]
    if fitted is not None:
        vectorizer = fitted
        sample_blocks, buyer_blocks = vectorizer.transform_blocks(texts), vectorizer.transform_blocks(B.texts, "buyer")
    else:
        vectorizer = ProfileVectorizer(encoder=encoder,
                                       mapper=None if vocabulary is None else ConceptMapper(vocabulary))
        sample_blocks, buyer_blocks = vectorizer.fit_transform_blocks(
            texts, B.texts, history=(pairs.reshape(-1, 2), [p.outcome for p in known]))
    reducer = None
    if reduce:
        reducer = fit_reducer(stack_blocks(sample_blocks, vectorizer.weights), stack_blocks(buyer_blocks, vectorizer.weights))
    taste = None
    if sample_blocks.get("semantic") is not None and len(known):
        positive = np.array([p.outcome != "rejected" for p in known])
        taste = BuyerTaste.build(len(B), sample_blocks["semantic"][pairs[:, 0]], pairs[:, 1], positive)
    common = sample_blocks["items"].common(scale=len(scan.ids) / max(len(sample_rows), 1))
    shared = SharedFit(vectorizer, B, buyer_blocks, names, count_track_records(history), reducer, taste,
                       PastPairs.build(history, buyer_position), common)
    return shared, scan, sample_blocks


def prepare_context(suppliers: Sequence[Supplier], buyers: Sequence[Buyer],
                    history: Sequence[Partnership] = (), *, encoder=None, vocabulary=None) -> MatchContext:
    """A register in memory made ready for scoring: the text space fitted on all of it, read once.

    Used for training and cluster suggestions; a batch run prepares the same
    way (:func:`fit_shared`), with a sample where the register is large.

    Raises
    ------
    ValueError
        Without at least one supplier and one buyer.

    Examples
    --------
    >>> s = [Supplier(supplier_id="S1", name="A", sector="automotive", products="stamped metal parts",
    ...               province="Rayong")]
    >>> b = [Buyer(buyer_id="B1", name="B", buyer_type="first_tier", sector="automotive",
    ...            needs="metal stamping parts", province="Chon Buri")]
    >>> context = prepare_context(s, b)
    >>> context.explain(context.pair_features([0], [0]), [0])[0].split(";")[0]
    'makes stamped metal parts (needed)'
    """
    if not suppliers or not buyers:
        raise ValueError(f"Expected at least one supplier and one buyer, got {len(suppliers)} and {len(buyers)}")
    shared, _, blocks = fit_shared(SupplierSource.from_records(suppliers), buyers, history, fit_sample=None,
                                   encoder=encoder, vocabulary=vocabulary)
    return shared.context(build_supplier_table(suppliers, shared.certification_names), supplier_blocks=blocks)
