"""Candidate generation: the pairs worth scoring, hard constraints applied first.

The dense suppliers x buyers matrix is never built. Small registers are
searched exactly, block by block on the sparse vectors. Large ones (more than
``exact_limit`` possible pairs) are searched in two stages: an exact
inner-product search (faiss) in a reduced dense space (TruncatedSVD of the
sparse vectors) proposes ``oversample`` times more pairs than are kept, and
these are rescored exactly on the sparse vectors before the hard constraints
and the final top-k. Either way memory grows with the number of candidates,
not with n_suppliers x n_buyers; the two-stage search is approximate, and
``benchmarks/bench_candidates.py`` measures its recall of the exact top-k.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .reference import haversine_km
from .tables import BuyerTable, SupplierTable

__all__ = ["ROAD_FACTOR", "Candidates", "build_candidates", "fit_reducer", "pair_similarity", "road_km", "violates_hard_constraints"]

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


def pair_similarity(X_suppliers, X_buyers, rows, cols, *, chunk_size: int = 250_000) -> np.ndarray:
    """Cosine similarity of given pairs: row-wise dot products of L2-normalised vectors.

    Parameters
    ----------
    X_suppliers : sparse matrix, shape (n_suppliers, d)
    X_buyers : sparse matrix, shape (n_buyers, d)
    rows, cols : array of int, shape (n_pairs,)
        Supplier and buyer positions.
    """
    rows, cols = np.asarray(rows), np.asarray(cols)
    similarity = np.empty(len(rows), dtype=np.float32)
    # In chunks: gathering millions of sparse rows at once would hold gigabytes.
    for start in range(0, len(rows), chunk_size):
        part = slice(start, start + chunk_size)
        product = X_suppliers[rows[part]].multiply(X_buyers[cols[part]])
        similarity[part] = np.asarray(product.sum(axis=1)).ravel()
    return similarity


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
    found = [_nothing()]
    X_items_T = X_items.T.tocsr()
    for start in range(0, X_queries.shape[0], block_size):
        block = (X_queries[start:start + block_size] @ X_items_T).tocoo()
        keep = block.data >= min_similarity
        keep[keep] = allowed(block.row[keep].astype(np.int64) + start, block.col[keep].astype(np.int64))
        kept = sp.csr_matrix((block.data[keep], (block.row[keep], block.col[keep])), shape=block.shape)
        r, c, v = _top_k_per_row(kept, k)
        found.append((r.astype(np.int64) + start, c.astype(np.int64), v.astype(np.float32)))
    return tuple(np.concatenate(parts) for parts in zip(*found))


def build_candidates(
    X_suppliers,
    X_buyers,
    suppliers: SupplierTable,
    buyers: BuyerTable,
    *,
    n_per_buyer: int = 50,
    n_per_supplier: int = 5,
    min_similarity: float = 0.1,
    method: str = "auto",
    exact_limit: float = 5e7,
    n_components: int = 128,
    oversample: int = 4,
    block_size: int = 512,
    random_state: int = 0,
    reducer=None,
) -> Candidates:
    """Retrieve each buyer's and each supplier's most similar counterparts that pass the hard constraints.

    Parameters
    ----------
    X_suppliers : sparse matrix, shape (n_suppliers, d)
        Supplier vectors; rows are supplier positions.
    X_buyers : sparse matrix, shape (n_buyers, d)
        Buyer vectors in the same space; inner products are similarities.
    suppliers, buyers : SupplierTable, BuyerTable
        For the hard constraints (certifications, distance).
    n_per_buyer : int
        Candidates kept per buyer (its shortlist is drawn from these).
    n_per_supplier : int
        Candidates kept per supplier, so that every SME gets recommendations
        even where it makes no buyer's top ``n_per_buyer``.
    min_similarity : float
        Pairs less alike than this are not candidates: they share only noise.
    method : {"auto", "exact", "two_stage"}
        "exact" searches the sparse vectors block by block; "two_stage" proposes
        pairs in a reduced dense space and rescores them exactly; "auto" picks
        "exact" up to ``exact_limit`` possible pairs.
    n_components, oversample, random_state
        The two-stage search's reduced dimension, how many more pairs it
        proposes than it keeps, and the seed of its randomized SVD.
    reducer : fitted TruncatedSVD, optional
        The two-stage search's reduced space, fitted beforehand
        (:func:`fit_reducer`), so that partitions of one register share it;
        fitted on these vectors where None.

    Returns
    -------
    Candidates
        The union of both retrievals, each pair once, with its exact similarity.
    """
    if n_per_buyer < 1 or n_per_supplier < 0:
        raise ValueError(f"Expected n_per_buyer >= 1 and n_per_supplier >= 0, got {n_per_buyer} and {n_per_supplier}")
    if method not in ("auto", "exact", "two_stage"):
        raise ValueError(f"Expected method 'auto', 'exact' or 'two_stage', got {method!r}")
    if method == "auto":
        method = "exact" if len(suppliers) * len(buyers) <= exact_limit else "two_stage"

    def allowed(s, b):
        return ~violates_hard_constraints(suppliers, buyers, s, b)

    if method == "exact":
        bq, bi, bs = _retrieve(X_buyers, X_suppliers, k=n_per_buyer, block_size=block_size,
                               min_similarity=min_similarity, allowed=lambda b, s: allowed(s, b))
        sq, si, ss = _retrieve(X_suppliers, X_buyers, k=n_per_supplier, block_size=block_size,
                               min_similarity=min_similarity, allowed=allowed) if n_per_supplier else _nothing()
    else:
        reducer = reducer or fit_reducer(X_suppliers, X_buyers, n_components, random_state)
        E_suppliers, E_buyers = (np.ascontiguousarray(reducer.transform(X), dtype=np.float32) for X in (X_suppliers, X_buyers))
        bq, bi, bs = _retrieve_two_stage(E_buyers, E_suppliers, X_buyers, X_suppliers, k=n_per_buyer,
                                         oversample=oversample, min_similarity=min_similarity,
                                         allowed=lambda b, s: allowed(s, b))
        # Suppliers are many: propose half as widely for them (the rescoring is the cost).
        sq, si, ss = _retrieve_two_stage(E_suppliers, E_buyers, X_suppliers, X_buyers, k=n_per_supplier,
                                         oversample=max(1, oversample // 2), min_similarity=min_similarity,
                                         allowed=allowed) if n_per_supplier else _nothing()
    rows, cols, sims = np.concatenate([bi, sq]), np.concatenate([bq, si]), np.concatenate([bs, ss])
    keys = cols * max(len(suppliers), 1) + rows
    keys, first = np.unique(keys, return_index=True)
    rows, cols, sims = rows[first], cols[first], sims[first]
    order = np.lexsort((-sims, cols))
    return Candidates(rows=rows[order], cols=cols[order], similarity=sims[order])


def _nothing():
    empty = np.zeros(0, dtype=np.int64)
    return empty, empty, np.zeros(0, dtype=np.float32)


def fit_reducer(X_suppliers, X_buyers, n_components: int = 128, random_state: int = 0):
    """The two-stage search's reduced dense space: TruncatedSVD fitted on a sample of both sides' rows."""
    from sklearn.decomposition import TruncatedSVD

    both = sp.vstack([X_suppliers, X_buyers], format="csr")
    rng = np.random.default_rng(random_state)
    sample = both[rng.choice(both.shape[0], size=min(both.shape[0], 50_000), replace=False)]
    n_components = min(n_components, both.shape[1] - 1)
    return TruncatedSVD(n_components, algorithm="randomized", n_iter=4, random_state=random_state).fit(sample)


def _retrieve_two_stage(E_queries, E_items, X_queries, X_items, *, k, oversample, min_similarity, allowed):
    """Propose ``k * oversample`` items per query by reduced inner product, rescore exactly, constrain, keep k.

    A query left with fewer than k candidates after its hard constraints is
    searched once more, ten times wider, so that strict constraints still find
    what the register holds.
    """
    import faiss

    index = faiss.IndexFlatIP(E_items.shape[1])
    index.add(E_items)
    queries = np.arange(E_queries.shape[0])
    found = []
    width = k * oversample
    for widening in range(2):
        width = min(width, E_items.shape[0])
        _, proposed = index.search(E_queries[queries], width)
        q = np.repeat(queries, width)
        i = proposed.ravel().astype(np.int64)
        valid = i >= 0
        q, i = q[valid], i[valid]
        sims = pair_similarity(X_items, X_queries, i, q)  # rows are items, cols queries
        keep = (sims >= min_similarity) & allowed(q, i)
        matrix = sp.csr_matrix((sims[keep], (q[keep], i[keep])), shape=(E_queries.shape[0], E_items.shape[0]))
        rq, ri, rs = _top_k_per_row(matrix, k)
        found.append((rq.astype(np.int64), ri.astype(np.int64), rs.astype(np.float32)))
        # Widen for queries that the constraints (not the similarity floor) left short of k.
        constrained_out = np.bincount(q[(sims >= min_similarity) & ~keep], minlength=E_queries.shape[0])[queries]
        short = np.bincount(rq, minlength=E_queries.shape[0])[queries] < k
        retry = queries[short & (constrained_out > 0)]
        if widening or width >= E_items.shape[0] or not len(retry):
            break
        done = ~np.isin(found[-1][0], retry)
        found[-1] = tuple(part[done] for part in found[-1])
        queries, width = retry, width * 10
    return tuple(np.concatenate(parts) for parts in zip(*found))
