"""Candidate generation: the pairs worth scoring, hard constraints applied first.

The dense suppliers x buyers matrix is never built: similarities are computed
block by block and only each buyer's (and each supplier's) best candidates
that pass the hard constraints are kept, so memory grows with the number of
candidates, not with n_suppliers x n_buyers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .reference import haversine_km
from .tables import BuyerTable, SupplierTable

__all__ = ["ROAD_FACTOR", "Candidates", "build_candidates", "pair_similarity", "road_km", "violates_hard_constraints"]

# Road distance in Thailand runs about 1.3 times the straight line (a common
# detour factor); distances and max_distance_km are compared in road km.
ROAD_FACTOR = 1.3


def road_km(suppliers: SupplierTable, buyers: BuyerTable, rows, cols) -> np.ndarray:
    """Road-equivalent kilometres between suppliers ``rows`` and buyers ``cols``."""
    return ROAD_FACTOR * haversine_km(
        suppliers.latitude[rows], suppliers.longitude[rows], buyers.latitude[cols], buyers.longitude[cols]
    )


def _missing_certifications(suppliers: SupplierTable, buyers: BuyerTable, rows, cols) -> np.ndarray:
    required = buyers.required_certifications[cols]
    held = required.multiply(suppliers.certifications[rows])
    return np.asarray(required.sum(axis=1)).ravel() - np.asarray(held.sum(axis=1)).ravel()


def violates_hard_constraints(suppliers: SupplierTable, buyers: BuyerTable, rows, cols) -> np.ndarray:
    """Mask of pairs that break a hard constraint: a required certification or the distance limit.

    Parameters
    ----------
    rows, cols : array of int, shape (n_pairs,)
        Supplier and buyer positions.

    Returns
    -------
    ndarray of bool, shape (n_pairs,)
    """
    rows, cols = np.asarray(rows), np.asarray(cols)
    too_far = road_km(suppliers, buyers, rows, cols) > buyers.max_distance_km[cols]
    return too_far | (_missing_certifications(suppliers, buyers, rows, cols) > 0)


@dataclass(frozen=True)
class Candidates:
    """Candidate pairs, sorted by buyer then by similarity (best first).

    ``rows`` are supplier positions, ``cols`` buyer positions.
    """

    rows: np.ndarray
    cols: np.ndarray
    similarity: np.ndarray

    def __len__(self) -> int:
        return len(self.rows)


def pair_similarity(X_suppliers, X_buyers, rows, cols) -> np.ndarray:
    """Cosine similarity of given pairs: row-wise dot products of L2-normalised vectors.

    Parameters
    ----------
    X_suppliers : sparse matrix, shape (n_suppliers, d)
    X_buyers : sparse matrix, shape (n_buyers, d)
    rows, cols : array of int, shape (n_pairs,)
        Supplier and buyer positions.
    """
    product = X_suppliers[np.asarray(rows)].multiply(X_buyers[np.asarray(cols)])
    return np.asarray(product.sum(axis=1), dtype=np.float32).ravel()


def _top_k_per_row(matrix: sp.csr_matrix, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The k largest stored entries of each row of a CSR matrix: (row, col, value)."""
    coo = matrix.tocoo()
    order = np.lexsort((-coo.data, coo.row))
    row, col, value = coo.row[order], coo.col[order], coo.data[order]
    starts = np.searchsorted(row, row, side="left")
    keep = (np.arange(len(row)) - starts) < k
    return row[keep], col[keep], value[keep]


def _retrieve(X_queries, X_items, *, k: int, block_size: int, min_similarity: float, allowed):
    """For each query row, its k most similar items above ``min_similarity`` that ``allowed(query, item)`` keeps."""
    found_q, found_i, found_s = [], [], []
    X_items_T = X_items.T.tocsr()
    for start in range(0, X_queries.shape[0], block_size):
        block = (X_queries[start:start + block_size] @ X_items_T).tocsr()
        coo = block.tocoo()
        similar = coo.data >= min_similarity
        coo = sp.coo_matrix((coo.data[similar], (coo.row[similar], coo.col[similar])), shape=block.shape)
        ok = allowed(coo.row.astype(np.int64) + start, coo.col.astype(np.int64))
        block = sp.csr_matrix((coo.data[ok], (coo.row[ok], coo.col[ok])), shape=block.shape)
        r, c, v = _top_k_per_row(block, k)
        found_q.append(r.astype(np.int64) + start)
        found_i.append(c.astype(np.int64))
        found_s.append(v.astype(np.float32))
    if not found_q:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    return np.concatenate(found_q), np.concatenate(found_i), np.concatenate(found_s)


def build_candidates(
    X_suppliers,
    X_buyers,
    suppliers: SupplierTable,
    buyers: BuyerTable,
    *,
    n_per_buyer: int = 50,
    n_per_supplier: int = 5,
    min_similarity: float = 0.1,
    block_size: int = 512,
) -> Candidates:
    """Retrieve each buyer's and each supplier's most similar counterparts that pass the hard constraints.

    Parameters
    ----------
    X_suppliers : sparse matrix, shape (n_suppliers, d)
        L2-normalised supplier vectors; rows are supplier positions.
    X_buyers : sparse matrix, shape (n_buyers, d)
        L2-normalised buyer vectors in the same space.
    suppliers, buyers : SupplierTable, BuyerTable
        For the hard constraints (certifications, distance).
    n_per_buyer : int
        Candidates kept per buyer (its shortlist is drawn from these).
    n_per_supplier : int
        Candidates kept per supplier, so that every SME gets recommendations
        even where it makes no buyer's top ``n_per_buyer``.
    min_similarity : float
        Pairs less alike than this are not candidates: they share only noise.

    Returns
    -------
    Candidates
        The union of both retrievals, each pair once, with its cosine similarity.
    """
    if n_per_buyer < 1 or n_per_supplier < 0:
        raise ValueError(f"Expected n_per_buyer >= 1 and n_per_supplier >= 0, got {n_per_buyer} and {n_per_supplier}")
    bq, bi, bs = _retrieve(
        X_buyers, X_suppliers, k=n_per_buyer, block_size=block_size, min_similarity=min_similarity,
        allowed=lambda b, s: ~violates_hard_constraints(suppliers, buyers, s, b),
    )
    rows, cols, sims = [bi], [bq], [bs]
    if n_per_supplier:
        sq, si, ss = _retrieve(
            X_suppliers, X_buyers, k=n_per_supplier, block_size=block_size, min_similarity=min_similarity,
            allowed=lambda s, b: ~violates_hard_constraints(suppliers, buyers, s, b),
        )
        rows.append(sq)
        cols.append(si)
        sims.append(ss)
    rows, cols, sims = np.concatenate(rows), np.concatenate(cols), np.concatenate(sims)
    keys = cols * max(len(suppliers), 1) + rows
    keys, first = np.unique(keys, return_index=True)
    rows, cols, sims = rows[first], cols[first], sims[first]
    order = np.lexsort((-sims, cols))
    return Candidates(rows=rows[order], cols=cols[order], similarity=sims[order])
