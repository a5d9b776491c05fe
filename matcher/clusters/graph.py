"""The SME graph: each SME linked to its nearest neighbours by place, products and sector."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from ...features.reference import SECTOR_LINKS, SECTORS, haversine_km

__all__ = ["EARTH_RADIUS_KM", "SmeGraph", "build_sme_graph", "row_dots"]

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class SmeGraph:
    """An undirected weighted SME graph: one entry per edge, ``rows[e] < cols[e]`` (supplier positions).

    ``complementary[e]`` is True where one SME's products are inputs to the
    other's (the input-output relation), rather than only alike.
    """

    n_nodes: int
    rows: np.ndarray
    cols: np.ndarray
    weight: np.ndarray
    distance_km: np.ndarray
    complementary: np.ndarray
    max_km: float = 100.0

    def __len__(self) -> int:
        return len(self.rows)

    def adjacency(self) -> sp.csr_matrix:
        """The symmetric ``(n_nodes, n_nodes)`` weight matrix."""
        n = self.n_nodes
        upper = sp.coo_matrix((self.weight, (self.rows, self.cols)), shape=(n, n))
        return (upper + upper.T).tocsr()


def _sector_links() -> np.ndarray:
    """Symmetric sector affinity: 1 within a sector, the stronger direction of :data:`SECTOR_LINKS` across."""
    links = np.eye(len(SECTORS), dtype=np.float32)
    for (a, b), weight in SECTOR_LINKS.items():
        i, j = SECTORS.index(a), SECTORS.index(b)
        links[i, j] = links[j, i] = max(links[i, j], weight)
    return links


def row_dots(A: sp.csr_matrix, B: sp.csr_matrix, rows, cols, chunk: int = 500_000) -> np.ndarray:
    """Row-wise inner products ``A[rows[e]] . B[cols[e]]``, in chunks to bound memory."""
    out = np.zeros(len(rows), dtype=np.float32)
    for start in range(0, len(rows), chunk):
        r, c = rows[start:start + chunk], cols[start:start + chunk]
        out[start:start + chunk] = np.asarray(A[r].multiply(B[c]).sum(axis=1)).ravel()
    return out


def _embed(concepts: sp.csr_matrix, related: sp.csr_matrix, n_components: int, random_state) -> np.ndarray:
    """Dense, L2-normalised vectors of what each SME makes and feeds: concepts plus related concepts, reduced."""
    both = normalize(sp.csr_matrix(concepts + related, dtype=np.float32))
    if both.shape[1] <= n_components or both.shape[0] <= 5000:
        dense = both.toarray()  # small enough to search in full
    else:
        from sklearn.decomposition import TruncatedSVD

        rng = np.random.default_rng(random_state)
        sample = both[rng.choice(both.shape[0], size=min(both.shape[0], 50_000), replace=False)]
        svd = TruncatedSVD(n_components, algorithm="randomized", n_iter=4, random_state=random_state).fit(sample)
        dense = svd.transform(both)
    return normalize(dense).astype(np.float32)


def _nearest(vectors: np.ndarray, k: int, exact_limit: int) -> np.ndarray:
    """Indices of each row's ``k`` nearest other rows (L2): exact up to ``exact_limit`` rows, IVF above."""
    import faiss

    n, d = vectors.shape
    k = min(k + 1, n)
    if n <= exact_limit:
        index = faiss.IndexFlatL2(d)
    else:
        # Approximate: search the nearest few of about 4 sqrt(n) k-means cells, not all n rows.
        n_cells = int(4 * np.sqrt(n))
        index = faiss.IndexIVFFlat(faiss.IndexFlatL2(d), d, n_cells)
        rng = np.random.default_rng(0)
        index.train(vectors[rng.choice(n, size=min(n, 40 * n_cells), replace=False)])
        index.nprobe = 8
    index.add(vectors)
    _, found = index.search(vectors, k)
    return found


def build_sme_graph(
    latitude,
    longitude,
    sector,
    concepts,
    related,
    *,
    n_neighbors: int = 8,
    scale_km: float = 30.0,
    max_km: float = 100.0,
    min_weight: float = 0.02,
    n_components: int = 24,
    exact_limit: int = 30_000,
    random_state=0,
) -> SmeGraph:
    """Weighted graph of SMEs that could band together, from nearest neighbours.

    Each SME is searched for its ``n_neighbors`` nearest others in one space:
    its position on the globe scaled by ``scale_km``, beside a reduced vector
    of what it makes and what that feeds. The edges found are weighted
    exactly: ``exp(-km / scale_km)`` x product fit x sector link, where
    product fit is the larger of the shared-concept cosine and the
    complementary cosine (one's related concepts against the other's
    concepts, either way), and sector link is 1 within a sector and
    :data:`~tiermatch.features.reference.SECTOR_LINKS` across. Edges longer
    than ``max_km`` or lighter than ``min_weight`` are dropped.

    Parameters
    ----------
    latitude, longitude : array of float, shape (n_suppliers,)
    sector : array of int, shape (n_suppliers,)
        Codes into :data:`~tiermatch.features.reference.SECTORS`.
    concepts : sparse matrix, shape (n_suppliers, n_concepts)
        What each SME makes (rows L2-normalised, as ``MatchContext.supplier_blocks["concepts"]``).
    related : sparse matrix, shape (n_suppliers, n_concepts)
        What its products are inputs to (``supplier_blocks["related"]``).
    n_neighbors : int
        Neighbours searched per SME; the graph has at most ``n_suppliers * n_neighbors`` edges.
    scale_km, max_km, min_weight : float
        Distance at which proximity falls to 1/e; longest edge kept; lightest edge kept.
    n_components : int
        Dimension of the reduced product vectors used for the search only.
    exact_limit : int
        Up to this many SMEs the search is exact (faiss flat); above, approximate (faiss IVF, 8 cells probed).
    random_state : int
        Seed of the reduction.

    Returns
    -------
    SmeGraph

    Raises
    ------
    ValueError
        Where the arrays disagree in length or a parameter is out of range.

    Examples
    --------
    >>> C = sp.csr_matrix(np.array([[1, 0], [1, 0], [0, 1]], dtype=np.float32))
    >>> R = sp.csr_matrix((3, 2), dtype=np.float32)
    >>> g = build_sme_graph([13.36, 13.37, 13.36], [100.98, 100.99, 100.98], [0, 0, 0], C, R)
    >>> g.rows.tolist(), g.cols.tolist(), [round(float(w), 2) for w in g.weight]
    ([0], [1], [0.95])
    """
    latitude, longitude = np.asarray(latitude, dtype=float), np.asarray(longitude, dtype=float)
    sector = np.asarray(sector, dtype=np.int64)
    concepts, related = sp.csr_matrix(concepts, dtype=np.float32), sp.csr_matrix(related, dtype=np.float32)
    n = len(latitude)
    problems = [f"{name} has {len(a)} rows" for name, a in
                (("longitude", longitude), ("sector", sector)) if len(a) != n]
    problems += [f"{name} has {m.shape[0]} rows" for name, m in (("concepts", concepts), ("related", related))
                 if m.shape[0] != n]
    if concepts.shape[1] != related.shape[1]:
        problems.append(f"concepts has {concepts.shape[1]} columns but related has {related.shape[1]}")
    if n_neighbors < 1 or scale_km <= 0 or max_km <= 0:
        problems.append(f"expected n_neighbors >= 1, scale_km > 0 and max_km > 0, got {n_neighbors}, {scale_km}, {max_km}")
    if problems:
        raise ValueError(f"Expected arrays of {n} SMEs (the length of latitude): " + "; ".join(problems))
    empty = np.zeros(0, dtype=np.int64)
    # SMEs that name no concept can fit no one: leave them out of the search.
    known = np.flatnonzero(np.diff(concepts.indptr) > 0)
    if len(known) < 2:
        return SmeGraph(n, empty, empty, np.zeros(0, np.float32), np.zeros(0), np.zeros(0, bool), max_km)
    lat, lon = np.radians(latitude[known]), np.radians(longitude[known])
    # Chord distance on the globe, in units of scale_km (close to the great circle at these ranges).
    xyz = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)]) * (EARTH_RADIUS_KM / scale_km)
    products = _embed(concepts[known], related[known], n_components, random_state)
    # Unrelated products (distance sqrt 2) weigh as about 2 scale lengths of road apart.
    vectors = np.ascontiguousarray(np.hstack([xyz, 1.5 * products]), dtype=np.float32)
    found = _nearest(vectors, n_neighbors, exact_limit)
    rows = np.repeat(np.arange(len(known)), found.shape[1])
    cols = found.ravel().astype(np.int64)
    valid = (cols >= 0) & (cols != rows)
    rows, cols = known[rows[valid]], known[cols[valid]]
    lo, hi = np.minimum(rows, cols), np.maximum(rows, cols)
    keys = np.unique(lo * n + hi)
    rows, cols = keys // n, keys % n
    km = haversine_km(latitude[rows], longitude[rows], latitude[cols], longitude[cols])
    near = km <= max_km
    rows, cols, km = rows[near], cols[near], km[near]
    shared = row_dots(concepts, concepts, rows, cols)
    feeds = np.maximum(row_dots(related, concepts, rows, cols), row_dots(concepts, related, rows, cols))
    fit = np.maximum(shared, feeds)
    weight = (np.exp(-km / scale_km) * fit * _sector_links()[sector[rows], sector[cols]]).astype(np.float32)
    keep = weight >= min_weight
    return SmeGraph(n, rows[keep], cols[keep], weight[keep], km[keep], (feeds > shared)[keep], max_km)
