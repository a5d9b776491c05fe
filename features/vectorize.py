"""Product text as vectors: supplier products and buyer needs in one space, across Thai and English.

Three blocks, each L2-normalised, then weighted and stacked so that the inner
product of a supplier row and a buyer row is a weighted sum of three cosines:

- ``concepts``: the bilingual vocabulary's concepts (:class:`ConceptMapper`),
  so that ``ชิ้นส่วนโลหะปั๊มขึ้นรูป`` meets ``stamped metal parts``; learned links
  from accepted partnerships add buyer-side concepts to supplier text the
  vocabulary does not know;
- ``related``: supplier concepts mapped through the input-output relation
  (seat fabric is an input to car seats), against the buyer's concepts;
- ``words``: TF-IDF over Thai and English word tokens, so that text no concept
  matches still counts.

Beside the stacked blocks, with a sentence encoder (:mod:`.encoder`): each
text's items (:class:`~tiermatch.features.items.ItemTable`) with their encoder
vectors, and ``semantic``, each text's vector (the weighted mean of its items'),
both reduced to ``semantic_dimension`` by a projection fitted on the buyers' and
the fitted suppliers' items.
"""

from __future__ import annotations

import pickle

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from .items import build_item_table, item_texts
from .mapper import ConceptMapper
from .text import normalize_text, tokenize

__all__ = ["BLOCKS", "ProfileVectorizer"]

BLOCKS = ("concepts", "related", "words")
# Texts the letters' n-gram space is fitted on, at most (an even sample).
LETTERS_FIT_SAMPLE = 20_000


class ProfileVectorizer(TransformerMixin, BaseEstimator):
    """Supplier products and buyer needs as weighted, stacked, L2-normalised blocks.

    Parameters
    ----------
    weights : tuple of float
        Weights of the ``concepts``, ``related`` and ``words`` cosines in the
        combined similarity; they sum to 1, so similarities lie in [0, 1].
    mapper : ConceptMapper, optional
        The concept mapper; a default one over the shipped vocabulary if None.
        It is never changed: an unfitted one is cloned and the clone fitted,
        a fitted one forked (links learned from the history are the fork's).
    encoder : TextEncoder, optional
        A sentence encoder (:func:`~tiermatch.features.encoder.load_encoder`),
        best a :class:`~tiermatch.features.encoder.CachedEncoder`; used as
        given (its cache fills). No items' vectors and no ``semantic`` block
        without one.
    semantic_dimension : int
        Dimensions the encoder's vectors are reduced to.

    Attributes
    ----------
    mapper_ : ConceptMapper
    concept_idf_ : ndarray of shape (n_concepts,)
        Inverse document frequency of each concept over all fitted texts.
    words_ : TfidfVectorizer
    unmatched_terms_ : collections.Counter
        Words of either side's fitted texts that no concept matched.
    semantic_mean_, semantic_components_ : ndarray
        The projection of encoder vectors (``None`` without an encoder).
    block_sizes_ : tuple of int

    Examples
    --------
    >>> v = ProfileVectorizer().fit(["รับผลิตชิ้นส่วนโลหะปั๊มขึ้นรูป", "สบู่สมุนไพร"], ["Sourcing stamped metal parts"])
    >>> X_s, X_b = v.transform(["รับผลิตชิ้นส่วนโลหะปั๊มขึ้นรูป", "สบู่สมุนไพร"]), v.transform(["stamped metal parts"], side="buyer")
    >>> [round(float(x), 2) for x in (X_s @ X_b.T).toarray().ravel()]  # Thai stamping meets English; soap does not
    [0.61, 0.0]
    """

    def __init__(self, weights=(0.6, 0.15, 0.25), mapper=None, encoder=None, semantic_dimension: int = 128):
        self.weights = weights
        self.mapper = mapper
        self.encoder = encoder
        self.semantic_dimension = semantic_dimension

    def fit(self, supplier_texts, buyer_texts=(), history=None):
        """Fit the word space on all texts and the concept mapper (with links from ``history``).

        Parameters
        ----------
        supplier_texts, buyer_texts : sequence of str
        history : tuple, optional
            ``(pairs, outcomes)``: integer (supplier position, buyer position)
            pairs into the texts and their outcomes, to learn concept links.
        """
        self._fit(supplier_texts, buyer_texts, history)
        return self

    def fit_transform_blocks(self, supplier_texts, buyer_texts, history=None) -> tuple[dict, dict]:
        """:meth:`fit`, then :meth:`transform_blocks` of both sides, reading each text once."""
        words, supplier_concepts, buyer_concepts = self._fit(supplier_texts, buyer_texts, history)
        n = len(supplier_concepts.indptr) - 1
        tokens, self._supplier_tokens = self._supplier_tokens, None
        return (self.transform_blocks(supplier_texts, "supplier", words=words[:n], concepts=supplier_concepts,
                                      tokens=tokens),
                self.transform_blocks(buyer_texts, "buyer", words=words[n:], concepts=buyer_concepts))

    def _fit(self, supplier_texts, buyer_texts, history):
        """Fit the mapper (and its links), the concepts' IDF and the word space.

        Returns the word TF-IDF of all texts and each side's concept weights.
        """
        weights = np.asarray(self.weights, dtype=float)
        if weights.shape != (len(BLOCKS),) or (weights < 0).any() or not np.isclose(weights.sum(), 1):
            raise ValueError(f"Expected {len(BLOCKS)} non-negative weights summing to 1, got {self.weights}")
        supplier_texts, buyer_texts = list(supplier_texts), list(buyer_texts)
        mapper = self.mapper if self.mapper is not None else ConceptMapper()
        # Never the caller's object: a fitted mapper is forked (its fit shared, its links and cache our own),
        # an unfitted one cloned and fitted.
        self.mapper_ = mapper.fork() if hasattr(mapper, "phrases_") else clone(mapper).fit()
        if history is not None and len(history[0]):
            self.mapper_.learn_links(supplier_texts, buyer_texts, *history)
        supplier_concepts, supplier_tokens = self.mapper_.transform_with_tokens(supplier_texts, side="supplier")
        unmatched = self.mapper_.unmatched_terms_
        buyer_concepts, buyer_tokens = self.mapper_.transform_with_tokens(buyer_texts, side="buyer")
        supplier_concepts, buyer_concepts = supplier_concepts.astype(np.float32), buyer_concepts.astype(np.float32)
        # Words no concept knows, counted once per profile: where the vocabulary should grow.
        self.unmatched_terms_ = unmatched + self.mapper_.unmatched_terms_
        # Concepts are weighted by rarity, as words are: "motor vehicles", named in passing by half the
        # automotive register, says less about a pair than "oil filters" does.
        named = sp.vstack([supplier_concepts, buyer_concepts]) > 0
        document_frequency = np.asarray(named.sum(axis=0)).ravel()
        self.concept_idf_ = (np.log((1 + named.shape[0]) / (1 + document_frequency)) + 1).astype(np.float32)
        # Fitted on the tokens the mapper read; new texts are tokenized as these were.
        self.words_ = TfidfVectorizer(analyzer=_tokens_given, dtype=np.float32, sublinear_tf=True)
        words = self.words_.fit_transform(supplier_tokens + buyer_tokens).tocsr()
        self.words_.set_params(analyzer=tokenize)
        self._supplier_tokens = supplier_tokens  # for fit_transform_blocks; dropped there
        # Letters three in a row: what words and concepts miss of a typing slip or a product no list holds.
        # Fitted on an even sample of the texts (the n-grams of a register repeat long before 200,000 profiles).
        texts = supplier_texts + buyer_texts
        step = max(1, len(texts) // LETTERS_FIT_SAMPLE)
        self.letters_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), sublinear_tf=True, dtype=np.float32,
                                        preprocessor=normalize_text).fit(texts[::step])
        self.semantic_mean_ = self.semantic_components_ = None
        if self.encoder is not None:
            self._fit_semantic(supplier_texts + buyer_texts)
        return words, supplier_concepts, buyer_concepts

    def _fit_semantic(self, texts, max_rows: int = 5_000) -> None:
        """The projection of encoder vectors: principal directions of the fitted texts' items."""
        vectors = self.encoder.encode(item_texts(texts))
        rng = np.random.default_rng(0)
        sample = vectors if len(vectors) <= max_rows else vectors[np.sort(rng.choice(len(vectors), max_rows, False))]
        self.semantic_mean_ = sample.mean(axis=0).astype(np.float32) if len(sample) else np.zeros(vectors.shape[1], np.float32)
        dimension = max(1, min(self.semantic_dimension, len(sample), vectors.shape[1]))
        if len(sample) > dimension:
            _, _, vt = np.linalg.svd(sample - self.semantic_mean_, full_matrices=False)
            self.semantic_components_ = vt[:dimension].astype(np.float32)
        else:  # too few items to learn directions from: keep the encoder's own
            self.semantic_mean_ = np.zeros(vectors.shape[1], np.float32)
            self.semantic_components_ = np.eye(vectors.shape[1], dtype=np.float32)

    def embed(self, texts) -> np.ndarray:
        """Texts' encoder vectors, projected and L2-normalised (float32); requires an encoder."""
        check_is_fitted(self, "mapper_")
        vectors = (self.encoder.encode(list(texts)) - self.semantic_mean_) @ self.semantic_components_.T
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    def to_bytes(self) -> bytes:
        """This fitted text space, pickled without its encoder (which a reader sets again): what a run keeps in
        the store so that retraining reads features as the run did."""
        check_is_fitted(self, "mapper_")
        encoder, self.encoder = self.encoder, None
        try:
            return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            self.encoder = encoder

    @classmethod
    def from_bytes(cls, blob: bytes, encoder=None) -> ProfileVectorizer:
        """A text space kept by :meth:`to_bytes` (from this project's own store only: it is a pickle), reading
        meaning with ``encoder``."""
        space = pickle.loads(blob)
        if not isinstance(space, cls):
            raise ValueError(f"Expected a pickled {cls.__name__}, got {type(space).__name__}")
        space.encoder = encoder
        return space

    def update_links(self, supplier_texts, buyer_texts, pairs, outcomes):
        """Learn from new partnership outcomes without refitting the vocabulary or the word space."""
        check_is_fitted(self, "mapper_")
        self.mapper_.update_links(supplier_texts, buyer_texts, pairs, outcomes)
        return self

    def transform_blocks(self, texts, side: str = "supplier", *, words=None, concepts=None, tokens=None) -> dict:
        """Each block, L2-normalised: ``{"concepts": ..., "related": ..., "words": ...}``, and, not stacked,
        ``"letters"``: character 2-4-gram TF-IDF; ``"direct"``: 1 for each concept a text names itself; ``"items"``: the texts' items
        (:class:`~tiermatch.features.items.ItemTable`); ``"semantic"``: each text's encoder vector
        (None without an encoder).

        Rows follow ``texts``; ``side`` is ``"supplier"`` (products) or ``"buyer"`` (needs);
        ``words``, ``concepts`` and ``tokens``, where given, are the texts' word TF-IDF, concept
        weights and content tokens already computed. A supplier's words also carry the buyer words
        its own are linked to by accepted partnerships (:mod:`~tiermatch.features.links`), whether
        or not a concept knows either.
        """
        check_is_fitted(self, "mapper_")
        if side not in ("supplier", "buyer"):
            raise ValueError(f"Expected side 'supplier' or 'buyer', got {side!r}")
        texts = list(texts)
        if concepts is None:
            concepts, tokens = self.mapper_.transform_with_tokens(texts, side=side)
            concepts = concepts.astype(np.float32)
        # The concepts a text names itself have weight 1; ancestors' weights are smaller.
        direct = concepts.copy()
        direct.data = (direct.data >= 1).astype(np.float32)
        direct.eliminate_zeros()
        # Suppliers' concepts go through the input-output relation, which already carries
        # ancestors' links: only the concepts named directly enter it.
        related = direct @ self.mapper_.related_concepts_.astype(np.float32) if side == "supplier" else concepts
        if words is None:
            words = self.words_.transform(texts)
        if side == "supplier":
            words = self._with_links(words, tokens if tokens is not None else [tokenize(t) for t in texts])
        semantic = self.encoder is not None and self.semantic_components_ is not None
        items = build_item_table(texts, self.mapper_, self.embed if semantic else None,
                                 reference_count=len(texts) if side == "buyer" else None)
        return {
            "concepts": normalize(concepts @ sp.diags(self.concept_idf_)),
            "related": normalize(sp.csr_matrix(related)),
            "words": normalize(words),
            "letters": normalize(self.letters_.transform(texts)),
            "direct": direct,
            "items": items,
            "semantic": _text_vectors(items) if semantic else None,
        }

    def _with_links(self, words: sp.csr_matrix, tokens) -> sp.csr_matrix:
        """Supplier word TF-IDF plus, scaled by the mapper's ``link_weight``, the buyer words linked to its tokens."""
        links = self.mapper_.term_links_
        if not links.link_words.nnz:
            return words
        column = self.words_.vocabulary_
        known = [(j, column[term]) for j, term in enumerate(links.buyer_terms) if term in column]
        to_words = sp.csr_matrix((np.ones(len(known)), ([j for j, _ in known], [c for _, c in known])),
                                 shape=(len(links.buyer_terms), words.shape[1]))
        linked = links.term_matrix(tokens) @ links.link_words @ to_words @ sp.diags(self.words_.idf_)
        return sp.csr_matrix(words + self.mapper_.link_weight * linked.astype(np.float32))

    def transform(self, texts, side: str = "supplier") -> sp.csr_matrix:
        """The stacked, weighted blocks: inner products of supplier and buyer rows are combined similarities."""
        blocks = self.transform_blocks(texts, side)
        return stack_blocks(blocks, self.weights)


def _tokens_given(tokens: tuple[str, ...]) -> tuple[str, ...]:
    return tokens


def _text_vectors(items) -> np.ndarray:
    """Each text's vector: the weighted mean of its items' (L2-normalised; zero for a text with no item)."""
    n_texts, dimension = len(items), items.vectors.shape[1] if items.vectors is not None else 0
    if items.vectors is None or not len(items.item_of):
        return np.zeros((n_texts, dimension), dtype=np.float32)
    counts = np.diff(items.ptr)
    owner = np.repeat(np.arange(n_texts), counts)
    weights = items.weight[items.item_of][:, None]
    vectors = np.zeros((n_texts, dimension), dtype=np.float32)
    np.add.at(vectors, owner, items.vectors[items.item_of].astype(np.float32) * weights)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def stack_blocks(blocks: dict[str, sp.csr_matrix], weights) -> sp.csr_matrix:
    """Stack blocks scaled by the square roots of their weights, so that inner products weigh cosines.

    A row that no concept matches leans on its words alone (weight 1 instead of
    the words' share): a buyer whose needs the vocabulary does not know is then
    ranked on word similarity at full scale rather than capped at the words' share.
    """
    scale = {name: np.full(blocks[name].shape[0], np.sqrt(w), dtype=np.float32) for name, w in zip(BLOCKS, weights)}
    scale["words"][np.diff(blocks["concepts"].indptr) == 0] = 1.0
    return sp.hstack([sp.diags(scale[name]) @ blocks[name] for name in BLOCKS], format="csr", dtype=np.float32)
