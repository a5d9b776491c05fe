"""Groups of SMEs: split each buyer's monthly demand among candidate suppliers.

A transportation problem on the same flow machinery as
:mod:`tiermatch.matcher.assignment`: source -> supplier (capacity = the
supplier's monthly volume, baht), supplier -> buyer (one arc per candidate pair,
capacity ``min(volume, demand)``, cost ``-round(score * scale)`` per baht),
buyer -> sink (capacity = the buyer's monthly demand). It is solved as a
*maximum* flow of minimum cost: as much demand as the candidates can cover is
covered first, and among all such allocations the one with the highest total
``score x baht`` is returned. Volumes are whole numbers (baht, or any coarser
unit the caller chooses, e.g. thousands of baht); scores are scaled to integers
explicitly, as the solvers are exact only on integers.

A buyer whose demand is larger than every single candidate's volume can only be
served by several SMEs together; :func:`form_groups` labels those groups.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidCandidateGraphError
from ._checks import check_candidate_graph
from .assignment.flow import SOLVERS, scale_scores, solve_max_flow_min_cost

__all__ = ["allocate_volume", "form_groups", "group_partnerships"]


def _check_labels(name, labels, n, problems):
    """Return ``labels`` as a 1-d array of length ``n``, or None with a problem noted."""
    arr = np.asarray(labels)
    if arr.ndim != 1 or len(arr) != n:
        problems.append(f"{name}: expected a 1-d array of length {n}, found shape {arr.shape}")
        return None
    return arr


def allocate_volume(
    rows,
    cols,
    scores,
    supplier_volume,
    buyer_demand,
    *,
    supplier_cluster=None,
    buyer_cluster=None,
    same_cluster_bonus=0.1,
    scale=10_000,
    solver="ortools",
):
    """Allocate each buyer's demand among its candidate suppliers' volumes.

    Rows are suppliers and columns are buyers. Maximises the volume allocated
    (demand covered wherever the candidates make it possible); among all
    allocations of that volume, maximises ``sum(score * baht)``, with
    ``same_cluster_bonus`` added to the score of a pair whose supplier and buyer
    share a cluster (industrial estate, province, area) when both label arrays
    are given. Every score counts, even <= 0: covering demand comes first, the
    score only decides who covers it.

    Parameters
    ----------
    rows : array-like of int, shape (n_edges,)
        Supplier position of each candidate pair.
    cols : array-like of int, shape (n_edges,)
        Buyer position of each candidate pair.
    scores : array-like of float, shape (n_edges,)
        Pair scores, higher is better.
    supplier_volume : array-like of int, shape (n_suppliers,)
        What each supplier can deliver per month (whole baht, >= 0).
    buyer_demand : array-like of int, shape (n_buyers,)
        What each buyer needs per month (whole baht, >= 0).
    supplier_cluster, buyer_cluster : array-like, shape (n_suppliers,) and (n_buyers,), optional
        Cluster labels (any comparable values); give both or neither.
    same_cluster_bonus : float, default 0.1
        Added to the score of same-cluster pairs.
    scale : int, default 10_000
        Scores become integer costs per baht, ``round(score * scale)``.
    solver : {"ortools", "networkx"}, default "ortools"
        OR-Tools ``solve_max_flow_with_min_cost`` or networkx ``max_flow_min_cost``.

    Returns
    -------
    volume : ndarray of int64, shape (n_edges,)
        Baht per month that each pair's supplier delivers to its buyer.

    Raises
    ------
    InvalidCandidateGraphError
        Malformed graph, negative or fractional volumes, duplicate pairs, or
        cluster arrays of the wrong length or given alone.

    Examples
    --------
    A buyer needing 500,000 baht a month; two SMEs of 300,000 each, the
    first scoring higher, and a third at 400,000 that scores lowest:

    >>> volume = allocate_volume([0, 1, 2], [0, 0, 0], [0.9, 0.8, 0.5],
    ...                          [300_000, 300_000, 400_000], [500_000])
    >>> volume.tolist()
    [300000, 200000, 0]
    """
    rows_, cols_, scores_, vol_s, dem_b = check_candidate_graph(
        rows, cols, scores, supplier_volume, buyer_demand, names=("supplier_volume", "buyer_demand")
    )
    if (supplier_cluster is None) != (buyer_cluster is None):
        raise InvalidCandidateGraphError("supplier_cluster and buyer_cluster: give both or neither")
    if supplier_cluster is not None:
        problems: list[str] = []
        cl_s = _check_labels("supplier_cluster", supplier_cluster, len(vol_s), problems)
        cl_b = _check_labels("buyer_cluster", buyer_cluster, len(dem_b), problems)
        if problems:
            raise InvalidCandidateGraphError("; ".join(problems))
        scores_ = scores_ + same_cluster_bonus * (cl_s[rows_] == cl_b[cols_])
    if solver not in SOLVERS[:2]:
        raise ValueError(f"solver: expected 'ortools' or 'networkx', found {solver!r}")
    weights = scale_scores(scores_, scale)
    n_s, n_b, n_e = len(vol_s), len(dem_b), len(rows_)
    if n_e == 0:
        return np.zeros(0, dtype=np.int64)
    source, sink = n_s + n_b, n_s + n_b + 1
    tails = np.concatenate([rows_, np.full(n_s, source), n_s + np.arange(n_b)])
    heads = np.concatenate([n_s + cols_, np.arange(n_s), np.full(n_b, sink)])
    caps = np.concatenate([np.minimum(vol_s[rows_], dem_b[cols_]), vol_s, dem_b])
    costs = np.concatenate([-weights, np.zeros(n_s + n_b, dtype=np.int64)])
    total = int(min(vol_s.sum(), dem_b.sum()))
    if total == 0:
        return np.zeros(n_e, dtype=np.int64)
    return solve_max_flow_min_cost(tails, heads, caps, costs, source, sink, total, n_e, solver=solver)


def form_groups(rows, cols, volume, supplier_volume, buyer_demand, *, min_members=2):
    """Label the groups of SMEs that together serve a buyer too large for any one of them.

    Rows are suppliers and columns are buyers. A buyer needs a group when its
    demand exceeds the volume of every single candidate supplier. Its group is
    the suppliers with a positive allocated ``volume`` towards it (typically from
    :func:`allocate_volume`), if there are at least ``min_members`` of them.
    Groups are numbered 0, 1, ... in order of buyer position. A supplier may
    sit in several groups (one per large buyer) as long as the allocation
    respects its volume, which :func:`allocate_volume` guarantees.

    Parameters
    ----------
    rows : array-like of int, shape (n_edges,)
        Supplier position of each candidate pair.
    cols : array-like of int, shape (n_edges,)
        Buyer position of each candidate pair.
    volume : array-like of int, shape (n_edges,)
        Allocated baht per month on each pair (>= 0).
    supplier_volume : array-like of int, shape (n_suppliers,)
        Each supplier's monthly volume.
    buyer_demand : array-like of int, shape (n_buyers,)
        Each buyer's monthly demand.
    min_members : int, default 2
        Fewest suppliers that make a group.

    Returns
    -------
    group : ndarray of int64, shape (n_edges,)
        Group index of each pair, or -1 when the pair is not part of a group.

    Raises
    ------
    InvalidCandidateGraphError
        Malformed graph or volumes, or ``volume`` of the wrong length.

    Examples
    --------
    >>> rows, cols = [0, 1, 2, 2], [0, 0, 0, 1]
    >>> volume = allocate_volume(rows, cols, [0.9, 0.8, 0.5, 0.7], [300, 300, 400], [500, 100])
    >>> volume.tolist()
    [300, 200, 0, 100]
    >>> form_groups(rows, cols, volume, [300, 300, 400], [500, 100]).tolist()
    [0, 0, -1, -1]
    """
    rows_, cols_, volume_, vol_s, dem_b = check_candidate_graph(
        rows, cols, volume, supplier_volume, buyer_demand, names=("supplier_volume", "buyer_demand")
    )
    if volume_.size and (volume_.min() < 0 or np.any(volume_ != np.round(volume_))):
        raise InvalidCandidateGraphError("volume: expected whole numbers >= 0")
    group = np.full(len(rows_), -1, dtype=np.int64)
    if len(rows_) == 0:
        return group
    largest_candidate = np.zeros(len(dem_b), dtype=np.int64)
    np.maximum.at(largest_candidate, cols_, vol_s[rows_])
    in_use = volume_ > 0
    members = np.bincount(cols_[in_use], minlength=len(dem_b))
    needs_group = (dem_b > largest_candidate) & (members >= min_members)
    group_of_buyer = np.full(len(dem_b), -1, dtype=np.int64)
    group_of_buyer[needs_group] = np.arange(int(needs_group.sum()))
    group[in_use] = group_of_buyer[cols_[in_use]]
    return group


def group_partnerships(S, B, candidates, scores, chosen) -> tuple[dict[int, str], dict[int, float]]:
    """Group the SMEs assigned to a buyer whose monthly demand no single candidate can supply.

    ``S`` holds every supplier's ``capacity`` and ``cluster``, ``B`` every buyer's ``demand`` and ``ids``;
    ``candidates`` the pairs (rows are supplier positions), ``chosen`` the assigned ones.

    The buyer's demand is allocated among its assigned SMEs (a transportation
    problem on the flow solver), preferring higher scores and SMEs of one
    cluster; volumes are in thousands of baht to keep flow costs small.
    Returns the group id and the allocated baht a month of each member pair.
    """
    rows, cols = candidates.rows, candidates.cols
    capacity = np.nan_to_num(S.capacity, nan=0.0)
    best_capacity = np.zeros(len(B))
    np.maximum.at(best_capacity, cols, capacity[rows])
    needs_group = ~np.isnan(B.demand) & (B.demand > best_capacity)
    edges = np.flatnonzero(chosen & needs_group[cols])
    if not len(edges):
        return {}, {}
    _, cluster_codes = np.unique(S.cluster, return_inverse=True)
    # Only real clusters count as shared: give each unclustered SME a label of its own.
    labels = np.where(S.cluster == "", -1 - np.arange(len(S)), cluster_codes)
    # A buyer "belongs" to the cluster holding most of its assigned capacity.
    buyer_cluster = np.full(len(B), -10**9, dtype=np.int64)
    for j in np.unique(cols[edges]):
        members = rows[edges[cols[edges] == j]]
        clustered = members[S.cluster[members] != ""]
        if len(clustered):
            totals = np.bincount(cluster_codes[clustered], weights=capacity[clustered])
            buyer_cluster[j] = int(np.argmax(totals))
    volume = allocate_volume(
        rows[edges], cols[edges], scores[edges],
        (capacity // 1000).astype(np.int64), (np.nan_to_num(B.demand) // 1000).astype(np.int64),
        supplier_cluster=labels, buyer_cluster=buyer_cluster,
    )
    group = form_groups(rows[edges], cols[edges], volume, (capacity // 1000).astype(np.int64),
                        (np.nan_to_num(B.demand) // 1000).astype(np.int64))
    members = group >= 0
    group_of = {int(k): f"G-{B.ids[cols[k]]}" for k in edges[members]}
    volumes = {int(k): float(v) * 1000 for k, v in zip(edges[members], volume[members])}
    return group_of, volumes
