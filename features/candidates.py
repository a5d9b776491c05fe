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

from .items import retrieve_by_need
from .reference import haversine_km
from .tables import BuyerTable, SupplierTable

__all__ = [
    "MIN_SIMILARITY",
    "Candidates",
    "build_candidates",
    "certification_groups",
    "distance_km",
    "fit_reducer",
    "pair_similarity",
    "violates_hard_constraints",
]


def distance_km(suppliers: SupplierTable, buyers: BuyerTable, rows, cols) -> np.ndarray:
    """Kilometres between suppliers ``rows`` and buyers ``cols``: the straight line between their places, times
    the site's road factor (``buyers.road_factor``, 1 unless a site sets one), as ``max_distance_km`` means it."""
    return buyers.road_factor * haversine_km(
        suppliers.latitude[rows], suppliers.longitude[rows], buyers.latitude[cols], buyers.longitude[cols]
    )


def _bits(flags: np.ndarray) -> np.ndarray:
    """Rows of booleans as bits: (n_rows, n_words) uint64."""
    n_words = max(1, -(-flags.shape[1] // 64))
    padded = np.zeros((flags.shape[0], 64 * n_words), dtype=bool)
    padded[:, :flags.shape[1]] = flags
    return np.packbits(padded, axis=1, bitorder="little").view(np.uint64)


def _certification_bits(certifications: sp.spmatrix) -> np.ndarray:
    """Each row's certifications as bits (:func:`_bits`)."""
    return _bits(certifications.toarray() > 0)


def _unique_rows(bits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a bit array and each row's index among them."""
    if bits.shape[1] == 1:  # one word a row, as a rule: sort integers, not rows
        keys, inverse = np.unique(bits[:, 0], return_inverse=True)
        return keys[:, None], inverse
    keys, inverse = np.unique(bits, axis=0, return_inverse=True)
    return keys, inverse.ravel()


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
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    required = _certification_bits(buyers.required_certifications)[cols]
    violates = (required & ~_certification_bits(suppliers.certifications)[rows]).any(axis=1)
    limit = buyers.max_distance_km[cols]
    limited = np.flatnonzero(np.isfinite(limit))  # most buyers set no limit: measure only where one is set
    violates[limited] |= distance_km(suppliers, buyers, rows[limited], cols[limited]) > limit[limited]
    return violates


# Pairs less alike than this share only noise: neither words nor concepts retrieve them.
MIN_SIMILARITY = 0.1


@dataclass(frozen=True)
class Candidates:
    """Candidate pairs, sorted by buyer then by similarity (best first).

    ``rows`` are supplier positions, ``cols`` buyer positions.
    """

    rows: np.ndarray
    cols: np.ndarray
    similarity: np.ndarray
    # The channel by meaning's entries (buyer, supplier, need item, cover), each pair among the pairs above;
    # None where that channel was not searched.
    meaning: tuple | None = None

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
    min_similarity: float = MIN_SIMILARITY,
    method: str = "auto",
    exact_limit: float = 5e7,
    n_components: int = 128,
    oversample: int = 4,
    block_size: int = 512,
    random_state: int = 0,
    reducer=None,
    exclude=None,
    meaning=None,
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
    exclude : callable, optional
        ``exclude(supplier_positions, buyer_positions) -> bool mask``: pairs
        never to propose besides those breaking a hard constraint (e.g. pairs
        that met before, :meth:`~tiermatch.features.history.PastPairs.met`).
    meaning : (needs, offers, k, common), optional
        A third channel: each buyer's ``k`` SMEs whose items cover its need
        items in meaning (the buyers' and suppliers'
        :class:`~tiermatch.features.items.ItemTable` with encoder vectors;
        :func:`~tiermatch.features.items.retrieve_by_need`), so that a pair no
        word and no concept links can still be proposed, whatever its similarity;
        ``common`` marks supplier items so many SMEs make that words find them.

    Returns
    -------
    Candidates
        The union of the retrievals, each pair once, with its exact similarity;
        ``meaning`` holds the third channel's entries.
    """
    if n_per_buyer < 1 or n_per_supplier < 0:
        raise ValueError(f"Expected n_per_buyer >= 1 and n_per_supplier >= 0, got {n_per_buyer} and {n_per_supplier}")
    if method not in ("auto", "exact", "two_stage"):
        raise ValueError(f"Expected method 'auto', 'exact' or 'two_stage', got {method!r}")
    if method == "auto":
        method = "exact" if len(suppliers) * len(buyers) <= exact_limit else "two_stage"

    def allowed(s, b):
        keep = ~violates_hard_constraints(suppliers, buyers, s, b)
        if exclude is not None and keep.any():
            keep[keep] = ~exclude(s[keep], b[keep])
        return keep

    if method == "exact":
        bq, bi, bs = _retrieve(X_buyers, X_suppliers, k=n_per_buyer, block_size=block_size,
                               min_similarity=min_similarity, allowed=lambda b, s: allowed(s, b))
        sq, si, ss = _retrieve(X_suppliers, X_buyers, k=n_per_supplier, block_size=block_size,
                               min_similarity=min_similarity, allowed=allowed) if n_per_supplier else _nothing()
    else:
        reducer = reducer or fit_reducer(X_suppliers, X_buyers, n_components, random_state)
        E_suppliers, E_buyers = (np.ascontiguousarray(reducer.transform(X), dtype=np.float32) for X in (X_suppliers, X_buyers))
        buyer_groups, supplier_groups = certification_groups(suppliers, buyers)
        bq, bi, bs = _retrieve_two_stage(E_buyers, E_suppliers, X_buyers, X_suppliers, buyer_groups, k=n_per_buyer,
                                         oversample=oversample, min_similarity=min_similarity,
                                         allowed=lambda b, s: allowed(s, b))
        # Suppliers are many: propose half as widely for them (the rescoring is the cost).
        sq, si, ss = _retrieve_two_stage(E_suppliers, E_buyers, X_suppliers, X_buyers, supplier_groups, k=n_per_supplier,
                                         oversample=max(1, oversample // 2), min_similarity=min_similarity,
                                         allowed=allowed) if n_per_supplier else _nothing()
    entries = None
    if meaning is not None:
        needs, offers, k, common = meaning
        entries = retrieve_by_need(needs, offers, k=k, allowed=lambda b, s: allowed(s, b), common=common)
        mq, mi = entries[0], entries[1]
        bq, bi = np.concatenate([bq, mq]), np.concatenate([bi, mi])
        bs = np.concatenate([bs, pair_similarity(X_suppliers, X_buyers, mi, mq)])
    rows, cols, sims = np.concatenate([bi, sq]), np.concatenate([bq, si]), np.concatenate([bs, ss])
    keys = cols * max(len(suppliers), 1) + rows
    keys, first = np.unique(keys, return_index=True)
    rows, cols, sims = rows[first], cols[first], sims[first]
    order = np.lexsort((-sims, cols))
    return Candidates(rows=rows[order], cols=cols[order], similarity=sims[order], meaning=entries)


def _nothing():
    empty = np.zeros(0, dtype=np.int64)
    return empty, empty, np.zeros(0, dtype=np.float32)


def fit_reducer(X_suppliers, X_buyers, n_components: int = 128, random_state: int = 0):
    """The two-stage search's reduced dense space: a TruncatedSVD fitted on the buyers' vectors.

    Similarities are inner products with buyers, so the directions to keep are
    the buyers': a direction that only suppliers use meets no buyer, and fitted
    on both sides the space spends components on such directions. Where buyers
    are fewer than the components, a sample of suppliers is added.
    """
    from sklearn.decomposition import TruncatedSVD

    rng = np.random.default_rng(random_state)

    def sample(X, size):
        return X[np.sort(rng.choice(X.shape[0], size=min(X.shape[0], size), replace=False))]

    rows = sample(sp.csr_matrix(X_buyers), 50_000)
    if rows.shape[0] <= n_components:
        rows = sp.vstack([rows, sample(sp.csr_matrix(X_suppliers), 50_000)], format="csr")
    n_components = min(n_components, rows.shape[1] - 1)
    with np.errstate(invalid="ignore", divide="ignore"):  # explained variance of identical rows: 0 / 0, not used
        return TruncatedSVD(n_components, algorithm="randomized", n_iter=4, random_state=random_state).fit(rows)


def certification_groups(suppliers: SupplierTable, buyers: BuyerTable, *, min_size: int = 64):
    """Who may be searched for whom under the certification constraints, group by group.

    Buyers that require the same certifications form a group, searched among
    the suppliers that hold them all; suppliers eligible for the same buyers
    form a group, searched among those buyers. A group of fewer than
    ``min_size`` queries is not worth an index of its own: such groups are
    searched together among everyone, and the constraints filter what they find.

    Returns
    -------
    buyer_groups, supplier_groups : list of (queries, items)
        Position arrays; ``items`` is None for "everyone".
    """
    held = _certification_bits(suppliers.certifications)
    required = _certification_bits(buyers.required_certifications)
    keys, buyer_key = _unique_rows(required)
    eligible = np.column_stack([((held & key) == key).all(axis=1) for key in keys])  # (n_suppliers, n_keys)
    patterns, supplier_pattern = _unique_rows(_bits(eligible))
    buyer_groups = [(members, np.flatnonzero(eligible[:, g])) for g, members in enumerate(_members(buyer_key, len(keys)))]
    supplier_groups = [(members, np.flatnonzero(eligible[members[0]][buyer_key]))
                       for members in _members(supplier_pattern, len(patterns))]
    return _pool_small(buyer_groups, len(suppliers), min_size), _pool_small(supplier_groups, len(buyers), min_size)


def _members(labels: np.ndarray, n_labels: int) -> list[np.ndarray]:
    """The positions holding each label, in order."""
    order = np.argsort(labels, kind="stable")
    return np.split(order, np.cumsum(np.bincount(labels, minlength=n_labels))[:-1])


def _pool_small(groups, n_items: int, min_size: int):
    """Groups with their own items where they are large enough; the rest pooled, among everyone."""
    own, pooled = [], []
    for queries, items in groups:
        if not len(items) or (len(queries) >= min_size and len(items) < n_items):
            own.append((queries, items))
        else:
            pooled.append(queries)
    if pooled:
        own.append((np.sort(np.concatenate(pooled)), None))
    return own


def _retrieve_two_stage(E_queries, E_items, X_queries, X_items, groups, *, k, oversample, min_similarity, allowed):
    """Propose ``k * oversample`` items per query by reduced inner product, constrain, rescore exactly, keep k.

    Each group of queries is searched among its own items (see
    :func:`certification_groups`). Only proposals that pass the hard
    constraints are rescored. A query left with fewer than k candidates where
    the constraints removed proposals is searched once more, ten times wider,
    so that strict constraints still find what the register holds.
    """
    import faiss

    indexes = {}

    def search(g, queries, width):
        """(queries, width) proposals of group g, -1 where there are none."""
        items = groups[g][1]
        if g not in indexes:
            indexes[g] = faiss.IndexFlatIP(E_items.shape[1])
            indexes[g].add(E_items if items is None else E_items[items])
        n = indexes[g].ntotal
        proposed = np.full((len(queries), width), -1, dtype=np.int64)
        if n and len(queries):
            _, found = indexes[g].search(E_queries[queries], min(width, n))
            proposed[:, :found.shape[1]] = found if items is None else np.where(found >= 0, items[found], -1)
        return proposed

    group_of = np.full(E_queries.shape[0], -1)
    for g, (queries, _) in enumerate(groups):
        group_of[queries] = g
    queries = np.flatnonzero(group_of >= 0)
    if not len(queries) or not E_items.shape[0]:
        return _nothing()
    found = []
    width = k * oversample
    for widening in range(2):
        width = min(width, E_items.shape[0])
        order = np.argsort(group_of[queries], kind="stable")
        queries = queries[order]
        proposed = np.concatenate([search(g, queries[group_of[queries] == g], width) for g in np.unique(group_of[queries])])
        q = np.repeat(queries, width)
        i = proposed.ravel()
        ok = i >= 0
        ok[ok] = allowed(q[ok], i[ok])
        sims = np.full(len(i), -np.inf, dtype=np.float32)
        sims[ok] = pair_similarity(X_items, X_queries, i[ok], q[ok])  # rows are items, cols queries
        sims[sims < min_similarity] = -np.inf
        # Each query's k best, ties to the lower item position.
        sims, items = sims.reshape(-1, width), i.reshape(-1, width)
        best = np.lexsort((items, -sims), axis=1)[:, :k]
        top, top_items = np.take_along_axis(sims, best, axis=1), np.take_along_axis(items, best, axis=1)
        kept = top > -np.inf
        found.append((np.broadcast_to(queries[:, None], kept.shape)[kept], top_items[kept], top[kept]))
        # Widen for queries that the constraints left short of k.
        constrained_out = (~ok & (i >= 0)).reshape(-1, width).any(axis=1)
        retry = queries[(kept.sum(axis=1) < k) & constrained_out]
        if widening or width >= E_items.shape[0] or not len(retry):
            break
        done = ~np.isin(found[-1][0], retry)
        found[-1] = tuple(part[done] for part in found[-1])
        queries, width = retry, width * 10
    return tuple(np.concatenate(parts) for parts in zip(*found))
