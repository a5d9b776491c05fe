"""Links between the words of the two sides, learned from the partnerships that were accepted.

Where an SME writes ``ยางรองแท่นหม้อแปลง`` and the buyers who accepted it wrote
``transformer rubber pads``, the two sides' words belong together though no
vocabulary says so. :class:`TermLinks` counts, over accepted partnerships,
how often each supplier term appears with each buyer term (or concept the
buyer's text names), and keeps a link where the pair is supported by enough
partnerships and beats the buyer term's base rate. Only counts are stored,
so new outcomes are added without recounting the old.

Rows of every matrix here are supplier terms; columns are buyer terms
(``buyer_terms``, which include ``concept:<id>`` entries) or concepts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain

import numpy as np
import scipy.sparse as sp

__all__ = ["CONCEPT_TERM", "TermLinks"]

# A buyer term that stands for a concept the buyer's text names: "concept:<id>".
CONCEPT_TERM = "concept:"


def _binary_rows(index_lists: list[list[int]], n_columns: int) -> sp.csr_matrix:
    """A 0/1 matrix with a row per list, 1 in the columns it lists (no column twice in a list)."""
    indptr = np.cumsum([0] + [len(indices) for indices in index_lists])
    indices = np.fromiter(chain.from_iterable(index_lists), dtype=np.int64, count=indptr[-1])
    return sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(index_lists), n_columns))


class TermLinks:
    """Supplier-term -> buyer-term links counted from accepted partnerships.

    Parameters
    ----------
    concept_ids : sequence of str
        The vocabulary's concept ids, in column order of :attr:`link_concepts`.
    min_support : int
        Accepted pairs a supplier term and a buyer term must share before a link is kept.
    smoothing : float
        Added to the supplier term's count in ``P(buyer term | supplier term)``.

    Examples
    --------
    >>> links = TermLinks(["c.pads"], min_support=2, smoothing=1.0)
    >>> links.add([(["หม้อแปลง"], ["transformer"], ["c.pads"])] * 2 + [(["สบู่"], ["soap"], [])] * 2)
    >>> links.n_pairs, links.linked(["หม้อแปลง"])
    (4, [('transformer', 0.166667), ('concept:c.pads', 0.166667)])
    """

    def __init__(self, concept_ids: Sequence[str], min_support: int = 2, smoothing: float = 1.0):
        self.concept_ids = list(concept_ids)
        self.min_support = min_support
        self.smoothing = smoothing
        self._concept_index = {cid: i for i, cid in enumerate(self.concept_ids)}
        self._supplier_index: dict[str, int] = {}
        self._buyer_index: dict[str, int] = {}
        self._cooccurrence = sp.csr_matrix((0, 0))
        self._supplier_counts = np.zeros(0)
        self._buyer_counts = np.zeros(0)
        self.n_pairs = 0
        self.links = sp.csr_matrix((0, 0))
        self.link_concepts = sp.csr_matrix((0, len(self.concept_ids)))
        self.link_words = sp.csr_matrix((0, 0))

    @property
    def supplier_terms(self) -> list[str]:
        return list(self._supplier_index)

    @property
    def buyer_terms(self) -> list[str]:
        return list(self._buyer_index)

    def add(self, accepted: Iterable[tuple[Sequence[str], Sequence[str], Sequence[str]]]) -> None:
        """Count accepted partnerships: each is (supplier terms, buyer terms, concept ids the buyer names).

        A link from supplier term ``s`` to buyer term ``b`` is kept when they
        share at least ``min_support`` accepted pairs, with weight
        ``co(s, b) / (n(s) + smoothing) - n(b) / N``: the smoothed probability
        that an accepted partner of an ``s`` supplier mentions ``b``, less the
        base rate of ``b`` among all accepted pairs (``N``).
        """
        supplier_seen, buyer_seen = [], []  # per accepted pair, its terms' indices
        for s_terms, b_terms, b_concepts in accepted:
            b_all = sorted(set(b_terms)) + [CONCEPT_TERM + c for c in sorted(set(b_concepts))]
            supplier_seen.append([self._supplier_index.setdefault(t, len(self._supplier_index))
                                  for t in sorted(set(s_terms))])
            buyer_seen.append([self._buyer_index.setdefault(t, len(self._buyer_index)) for t in b_all])
            self.n_pairs += 1
        shape = (len(self._supplier_index), len(self._buyer_index))
        # (pairs x supplier terms)' (pairs x buyer terms): how many accepted pairs each two terms share.
        supplier_terms, buyer_terms = _binary_rows(supplier_seen, shape[0]), _binary_rows(buyer_seen, shape[1])
        previous = self._cooccurrence.tolil()
        previous.resize(shape)
        self._cooccurrence = sp.csr_matrix(previous) + sp.csr_matrix(supplier_terms.T @ buyer_terms)
        self._supplier_counts = np.concatenate(
            [self._supplier_counts, np.zeros(shape[0] - len(self._supplier_counts))]
        ) + np.bincount(supplier_terms.indices, minlength=shape[0])
        self._buyer_counts = np.concatenate(
            [self._buyer_counts, np.zeros(shape[1] - len(self._buyer_counts))]
        ) + np.bincount(buyer_terms.indices, minlength=shape[1])
        self._finish()

    def _finish(self) -> None:
        """Turn the counts into :attr:`links` and :attr:`link_concepts`."""
        co = self._cooccurrence.tocoo()
        n_pairs = max(self.n_pairs, 1)
        weight = co.data / (self._supplier_counts[co.row] + self.smoothing) - self._buyer_counts[co.col] / n_pairs
        keep = (co.data >= self.min_support) & (weight > 0)
        shape = self._cooccurrence.shape
        self.links = sp.csr_matrix((weight[keep], (co.row[keep], co.col[keep])), shape=shape)
        to_concept = np.full(shape[1], -1, dtype=np.int64)
        for term, j in self._buyer_index.items():
            if term.startswith(CONCEPT_TERM):
                to_concept[j] = self._concept_index.get(term[len(CONCEPT_TERM):], -1)
        links = self.links.tocoo()
        is_concept = to_concept[links.col] >= 0
        self.link_concepts = sp.csr_matrix(
            (links.data[is_concept], (links.row[is_concept], to_concept[links.col[is_concept]])),
            shape=(shape[0], len(self.concept_ids)),
        )
        # Word to word, whether or not either word belongs to a concept: bridges on their own.
        self.link_words = sp.csr_matrix((links.data[~is_concept], (links.row[~is_concept], links.col[~is_concept])),
                                        shape=shape)

    def term_matrix(self, term_lists: Sequence[Iterable[str]]) -> sp.csr_matrix:
        """Binary ``(n_lists, n_supplier_terms)`` of the known supplier terms in each list."""
        rows, cols = [], []
        for row, terms in enumerate(term_lists):
            for term in set(terms):
                col = self._supplier_index.get(term)
                if col is not None:
                    rows.append(row)
                    cols.append(col)
        return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(term_lists), len(self._supplier_index)))

    def linked(self, tokens: Sequence[str], top_k: int = 10) -> list[tuple[str, float]]:
        """Buyer terms (and ``concept:<id>`` entries) linked to these supplier tokens, heaviest first."""
        if not self.links.nnz:
            return []
        row = (self.term_matrix([tokens]) @ self.links).tocoo()
        order = np.lexsort((row.col, -row.data))[:top_k]
        terms = self.buyer_terms
        return [(terms[row.col[k]], round(float(row.data[k]), 6)) for k in order]
