"""Hypothesis strategies shared by the property tests: small candidate graphs with capacities."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

__all__ = ["markets"]


@st.composite
def markets(draw, *, suppliers=(1, 4), buyers=(1, 4), min_edges=0, max_edges=8, scores=(-1.0, 1.0),
            supplier_capacity=(0, 3), buyer_capacity=(0, 3)):
    """``(rows, cols, scores, supplier_capacity, buyer_capacity)``: a bipartite candidate graph, each pair once,
    rows sorted by (supplier, buyer); sizes, score range and capacity ranges as given (inclusive)."""
    n_s, n_b = draw(st.integers(*suppliers)), draw(st.integers(*buyers))
    pairs = sorted(draw(st.sets(st.tuples(st.integers(0, n_s - 1), st.integers(0, n_b - 1)),
                                min_size=min(min_edges, n_s * n_b), max_size=max_edges)))
    rows = np.array([p[0] for p in pairs], dtype=np.int64)
    cols = np.array([p[1] for p in pairs], dtype=np.int64)
    values = draw(st.lists(st.floats(*scores, allow_nan=False), min_size=len(pairs), max_size=len(pairs)))
    cap_s = np.array(draw(st.lists(st.integers(*supplier_capacity), min_size=n_s, max_size=n_s)), dtype=np.int64)
    cap_b = np.array(draw(st.lists(st.integers(*buyer_capacity), min_size=n_b, max_size=n_b)), dtype=np.int64)
    return rows, cols, np.array(values, dtype=float), cap_s, cap_b
