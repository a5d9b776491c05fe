"""Cluster suggestions explained: members, place, products, capacity, the buyers a cluster could serve."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from ...features.candidates import build_candidates
from ...features.pairs import TrackRecord
from ...features.reference import SECTORS, haversine_km
from ...features.tables import SupplierTable
from ...features.vectorize import BLOCKS
from ..context import MatchContext
from ..ranking import rank_top_k
from ..scoring import score_pairs
from .communities import ClusterLabels, find_clusters
from .graph import SmeGraph, build_sme_graph, row_dots
from .quality import score_clustering

__all__ = ["ClusterBuyer", "ClusterReport", "ClusterSuggestion", "suggest_clusters"]


@dataclass(frozen=True)
class ClusterBuyer:
    """A buyer a suggested cluster could serve together, ranked by the matcher's score."""

    buyer_id: str
    rank: int
    score: float
    reasons: str
    reasons_th: str
    demand_thb_per_month: float | None
    demand_covered: float | None  # combined capacity / demand, where both are known
    beyond_any_member: bool  # its demand exceeds every member's own capacity: only the cluster can serve it


@dataclass(frozen=True)
class ClusterSuggestion:
    """One suggested cluster: who, where, what, how much, and for whom."""

    cluster_id: str
    kind: str  # "new" or "grow"
    existing_cluster: str | None
    title: str
    members: tuple[str, ...]  # every member after the suggestion, existing ones included
    added: tuple[str, ...]  # the SMEs invited
    moved_from: dict[str, str]  # invited SMEs now in another cluster (only where asked to regroup)
    sectors: dict[str, int]
    provinces: dict[str, int]
    centre: tuple[float, float]
    spread_km: float  # median distance of members from the centre
    max_km: float  # farthest member from the centre
    concepts: tuple[str, ...]
    concepts_th: tuple[str, ...]
    complementary_links: tuple[tuple[str, str], ...]  # (supplying concept, concept it goes into)
    capacity_thb_per_month: float | None
    capacity_known: int  # members whose capacity is known
    buyers: tuple[ClusterBuyer, ...] = ()


@dataclass
class ClusterReport:
    """Suggested clusters, SMEs left unclustered with the reason, and the quality of the clustering."""

    suggestions: list[ClusterSuggestion]
    unclustered: dict[str, str]
    quality: dict
    parameters: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)


def _centre(lat: np.ndarray, lon: np.ndarray) -> tuple[float, float]:
    return float(np.mean(lat)), float(np.mean(lon))


def _pseudo_suppliers(S: SupplierTable, groups: list[np.ndarray], names: list[str]) -> SupplierTable:
    """Each group as one supplier: centre, summed capacity, certifications any member holds, any route."""
    n_groups = len(groups)
    membership = sp.csr_matrix(
        (np.ones(sum(len(g) for g in groups), dtype=np.float32),
         (np.repeat(np.arange(n_groups), [len(g) for g in groups]), np.concatenate(groups))),
        shape=(n_groups, len(S)))

    def majority(values, g):
        return Counter(values[g].tolist()).most_common(1)[0][0]

    capacity = np.array([np.nansum(S.capacity[g]) if (~np.isnan(S.capacity[g])).any() else np.nan for g in groups])
    certifications = membership @ S.certifications
    certifications.data[:] = 1
    return SupplierTable(
        ids=np.array(names, dtype=object),
        names=np.array(names, dtype=object),
        texts=["; ".join(S.texts[i] for i in g) for g in groups],
        sector=np.array([majority(S.sector, g) for g in groups], dtype=np.int8),
        region=np.array([majority(S.region, g) for g in groups], dtype=np.int8),
        province=np.array([majority(S.province, g) for g in groups], dtype=object),
        latitude=np.array([S.latitude[g].mean() for g in groups]),
        longitude=np.array([S.longitude[g].mean() for g in groups]),
        capacity=capacity,
        max_buyers=np.array([int(np.median(S.max_buyers[g])) for g in groups], dtype=np.int64),
        export_ready=np.array([S.export_ready[g].any() for g in groups]),
        otop=np.array([S.otop[g].any() for g in groups]),
        cluster=np.array(names, dtype=object),
        certifications=sp.csr_matrix(certifications),
    )


def _rank_cluster_buyers(context, model, groups, names, top_k: int):
    """Each group's top buyers, scored as one pseudo-supplier by the matcher's features and scorer."""
    S = context.suppliers
    n_groups = len(groups)
    membership = sp.csr_matrix(
        (np.ones(sum(len(g) for g in groups), dtype=np.float32),
         (np.repeat(np.arange(n_groups), [len(g) for g in groups]), np.concatenate(groups))),
        shape=(n_groups, len(S)))
    own = context.supplier_blocks
    blocks = {name: normalize(sp.csr_matrix(membership @ own[name])) for name in (*BLOCKS, "letters")}
    # 0/1: the concepts any member names itself; every item any member makes.
    blocks["direct"] = sp.csr_matrix((membership @ own["direct"]) > 0, dtype=np.float32)
    blocks["items"] = own["items"].union(groups)
    if own.get("semantic") is not None:
        blocks["semantic"] = normalize(membership @ own["semantic"].astype(np.float32)).astype(own["semantic"].dtype)
    track = TrackRecord(membership @ context.track.proposals, membership @ context.track.accepted)
    cluster_context = MatchContext(
        suppliers=_pseudo_suppliers(S, groups, names), buyers=context.buyers, vectorizer=context.vectorizer,
        supplier_blocks=blocks, buyer_blocks=context.buyer_blocks, track=track,
        certification_names=context.certification_names,
    )
    candidates = build_candidates(cluster_context.X_suppliers, cluster_context.X_buyers, cluster_context.suppliers,
                                  context.buyers, n_per_buyer=1, n_per_supplier=top_k)
    if not len(candidates):
        return {}
    features = cluster_context.pair_features(candidates.rows, candidates.cols)
    scores = score_pairs(features.values, model, np.asarray(context.buyers.ids, dtype=object)[features.cols])
    idx, rank = rank_top_k(candidates.rows, scores, top_k)
    reasons_en = cluster_context.explain(features, idx)
    reasons_th = cluster_context.explain(features, idx, "th")
    B = context.buyers
    best_member = np.array([np.nanmax(S.capacity[g]) if (~np.isnan(S.capacity[g])).any() else np.nan for g in groups])
    capacity = cluster_context.suppliers.capacity
    found: dict[int, list[ClusterBuyer]] = {}
    for k, r, en, th in zip(idx.tolist(), rank.tolist(), reasons_en, reasons_th):
        g, j = int(candidates.rows[k]), int(candidates.cols[k])
        demand = None if np.isnan(B.demand[j]) else float(B.demand[j])
        covered = None if demand is None or np.isnan(capacity[g]) else round(float(capacity[g]) / max(demand, 1.0), 3)
        beyond = demand is not None and not np.isnan(best_member[g]) and demand > best_member[g]
        if beyond:
            en = f"together they meet a demand no single member can ({covered:.0%} covered); " + en
            th = f"ร่วมกันรับคำสั่งซื้อที่สมาชิกรายเดียวรับไม่ได้ (ครอบคลุม {covered:.0%}); " + th
        found.setdefault(g, []).append(ClusterBuyer(
            buyer_id=str(B.ids[j]), rank=int(r), score=round(float(scores[k]), 4), reasons=en, reasons_th=th,
            demand_thb_per_month=demand, demand_covered=covered, beyond_any_member=bool(beyond)))
    return found


def suggest_clusters(
    context,
    *,
    model=None,
    min_size: int = 5,
    max_size: int = 30,
    keep_existing: bool = True,
    n_neighbors: int = 8,
    scale_km: float = 30.0,
    max_km: float = 100.0,
    resolution: float = 1.0,
    top_k_buyers: int = 5,
    random_state=0,
) -> ClusterReport:
    """Suggest clusters for a prepared register, each explained, with the quality of the whole.

    Parameters
    ----------
    context : MatchContext
        From :func:`~tiermatch.matcher.prepare_context`; rows are supplier positions.
    model : object with ``score(values) -> ndarray``, optional
        Scores the cluster-level shortlists, as it scores a run (a learned model); the prior if None.
    min_size, max_size : int
        Bounds on a suggested cluster's members, existing members included.
    keep_existing : bool
        Keep SMEs in their existing cluster (``Supplier.cluster``); where
        False, every SME may be regrouped and each suggestion names the
        invited SMEs that now belong to another cluster (``moved_from``).
    n_neighbors, scale_km, max_km : int, float, float
        The SME graph's search width, proximity scale and longest link (:func:`build_sme_graph`).
    resolution : float
        Louvain's resolution.
    top_k_buyers : int
        Buyers listed per suggestion (0 for none).
    random_state : int

    Returns
    -------
    ClusterReport
        Suggestions (new clusters, then existing ones that grow, largest
        first), every SME neither in a cluster nor in a suggestion with the
        reason, and the clustering's quality.

    Examples
    --------
    >>> from tiermatch.features import Buyer, Supplier
    >>> from tiermatch.matcher import prepare_context
    >>> s = [Supplier(supplier_id=f"S{i}", name=f"Press {i}", sector="automotive", products="stamped metal parts",
    ...               province="Rayong", capacity_thb_per_month=1_000_000) for i in range(5)]
    >>> b = [Buyer(buyer_id="B1", name="Seats", buyer_type="first_tier", sector="automotive",
    ...            needs="stamped metal parts", province="Rayong", demand_thb_per_month=4_000_000)]
    >>> report = suggest_clusters(prepare_context(s, b), min_size=3, max_size=10)
    >>> [(x.title, x.capacity_thb_per_month, [c.buyer_id for c in x.buyers]) for x in report.suggestions]
    [('new cluster of 5 SMEs in Rayong (automotive)', 5000000.0, ['B1'])]
    """
    import time

    S = context.suppliers
    timings = {}
    started = time.perf_counter()
    concepts, related = context.supplier_blocks["concepts"], context.supplier_blocks["related"]
    graph = build_sme_graph(S.latitude, S.longitude, S.sector, concepts, related, n_neighbors=n_neighbors,
                            scale_km=scale_km, max_km=max_km, random_state=random_state)
    timings["graph"] = round(time.perf_counter() - started, 3)
    names, fixed = np.unique(S.cluster, return_inverse=True)
    fixed = np.where(S.cluster == "", -1, fixed) if keep_existing else np.full(len(S), -1)
    started = time.perf_counter()
    found = find_clusters(graph, fixed, min_size=min_size, max_size=max_size, resolution=resolution,
                          random_state=random_state)
    timings["communities"] = round(time.perf_counter() - started, 3)

    started = time.perf_counter()
    report = _describe(context, graph, found, names, keep_existing, model, top_k_buyers)
    report.parameters = dict(min_size=min_size, max_size=max_size, keep_existing=keep_existing, n_neighbors=n_neighbors,
                             scale_km=scale_km, max_km=max_km, resolution=resolution, random_state=random_state)
    timings["explain"] = round(time.perf_counter() - started, 3)
    report.timings = timings
    return report


def _within_pairs(groups: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Every unordered pair of members of each group."""
    rows, cols = [], []
    for g in groups:
        a, b = np.triu_indices(len(g), 1)
        rows.append(g[a])
        cols.append(g[b])
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(rows), np.concatenate(cols)


def _describe(context, graph: SmeGraph, found: ClusterLabels, names, keep_existing: bool, model, top_k: int):
    """Turn positions into the report: ids, places, concepts, capacities, buyers, quality."""
    S = context.suppliers
    mapper = context.vectorizer.mapper_
    vocabulary = mapper.vocabulary_
    suggested = found.suggested()
    groups = [np.flatnonzero(found.labels == g) for g in suggested]
    existing_names = [names[c] if c >= 0 else None for c in found.existing[suggested]]
    new_count = 0
    cluster_ids = []
    for name in existing_names:
        if name is None:
            new_count += 1
            cluster_ids.append(f"NEW-{new_count:03d}")
        else:
            cluster_ids.append(str(name))

    # Complementary pairs within each suggestion, from the input-output relation itself.
    a, b = _within_pairs(groups)
    concepts, related = context.supplier_blocks["concepts"], context.supplier_blocks["related"]
    feeds_ab = row_dots(related, concepts, a, b) if len(a) else np.zeros(0)
    feeds_ba = row_dots(related, concepts, b, a) if len(a) else np.zeros(0)
    complementary = (feeds_ab > 0.05) | (feeds_ba > 0.05)
    labels_suggested = np.full(len(S), -1, dtype=np.int64)
    for k, g in enumerate(groups):
        labels_suggested[g] = k
    quality = score_clustering(graph, found.labels, (a[complementary], b[complementary]))
    # Quality of the suggestions themselves: complementary partners and distances among their members.
    in_suggestion = labels_suggested >= 0
    partner = np.zeros(len(S), dtype=bool)
    partner[a[complementary]] = partner[b[complementary]] = True
    km = haversine_km(S.latitude[a], S.longitude[a], S.latitude[b], S.longitude[b])
    quality["median_km_within"] = round(float(np.median(km)), 2) if len(km) else None
    quality["complementary_share"] = round(float(partner[in_suggestion].mean()), 4) if in_suggestion.any() else 0.0
    unclustered = {str(S.ids[i]): str(found.reasons[i]) for i in np.flatnonzero(found.labels < 0)}
    why = Counter(reason.split(":")[0] for reason in unclustered.values())
    quality.update(
        suggestions=len(groups),
        new_clusters=int(sum(n is None for n in existing_names)),
        grown_clusters=int(sum(n is not None for n in existing_names)),
        smes=len(S),
        in_existing_clusters=int((S.cluster != "").sum()),
        invited=int(found.added[suggested].sum()),
        unclustered=len(unclustered),
        unclustered_share=round(len(unclustered) / max(len(S), 1), 4),
        unclustered_reasons=dict(why),
        graph_edges=len(graph),
    )

    buyers = _rank_cluster_buyers(context, model, groups, cluster_ids, top_k) if top_k and groups else {}
    suggestions = []
    for k, (g, name) in enumerate(zip(groups, existing_names)):
        lat, lon = _centre(S.latitude[g], S.longitude[g])
        from_centre = haversine_km(S.latitude[g], S.longitude[g], lat, lon)
        if name is None:
            added = g
        else:
            added = g[S.cluster[g] != name]
        moved = {str(S.ids[i]): str(S.cluster[i]) for i in added if S.cluster[i] and S.cluster[i] != name}
        named = _direct(context, g)
        counts = named.sum(axis=0)
        top_concepts = np.flatnonzero(counts)[np.argsort(-counts[counts > 0], kind="stable")][:12]
        links = _links(context, g)
        capacity = S.capacity[g]
        sectors = Counter(SECTORS[s] for s in S.sector[g].tolist())
        provinces = Counter(S.province[g].tolist())
        where = provinces.most_common(1)[0][0]
        main_sector = sectors.most_common(1)[0][0]
        if name is None:
            title = f"new cluster of {len(g)} SMEs in {where} ({main_sector})"
        else:
            title = f"grow cluster {name} with {len(added)} SME(s): " + ", ".join(str(S.ids[i]) for i in added[:10]) + (
                ", ..." if len(added) > 10 else "")
        suggestions.append(ClusterSuggestion(
            cluster_id=cluster_ids[k], kind="new" if name is None else "grow", existing_cluster=name, title=title,
            members=tuple(str(S.ids[i]) for i in g), added=tuple(str(S.ids[i]) for i in added),
            moved_from=moved if not keep_existing else {}, sectors=dict(sectors), provinces=dict(provinces),
            centre=(round(lat, 5), round(lon, 5)), spread_km=round(float(np.median(from_centre)), 2),
            max_km=round(float(from_centre.max()), 2),
            concepts=tuple(vocabulary[c].name_en for c in top_concepts),
            concepts_th=tuple(vocabulary[c].name_th for c in top_concepts),
            complementary_links=links,
            capacity_thb_per_month=float(np.nansum(capacity)) if (~np.isnan(capacity)).any() else None,
            capacity_known=int((~np.isnan(capacity)).sum()),
            buyers=tuple(buyers.get(k, ())),
        ))
    order = sorted(range(len(suggestions)), key=lambda k: (suggestions[k].kind != "new", -len(suggestions[k].members),
                                                           suggestions[k].cluster_id))
    return ClusterReport([suggestions[k] for k in order], unclustered, quality)


def _direct(context, members: np.ndarray) -> np.ndarray:
    """Dense 0/1 ``(n_members, n_concepts)``: the concepts each member names itself, not only an ancestor."""
    blocks = context.supplier_blocks
    if "direct" in blocks:
        return blocks["direct"][members].toarray() > 0
    C = blocks["concepts"][members].toarray()  # without the block: a row's largest weights
    return (C > 0) & (C >= 0.999 * C.max(axis=1, keepdims=True))


def _links(context, members: np.ndarray, limit: int = 5) -> tuple[tuple[str, str], ...]:
    """Input-output links among members' concepts: (concept supplied, concept it goes into), strongest first."""
    mapper = context.vectorizer.mapper_
    vocabulary = mapper.vocabulary_
    made = _direct(context, members).any(axis=0)
    related = mapper.related_concepts_
    sub = sp.csr_matrix(related[made][:, made]).tocoo()
    source, target = np.flatnonzero(made)[sub.row], np.flatnonzero(made)[sub.col]
    keep = source != target
    order = np.argsort(-sub.data[keep], kind="stable")[:limit]
    return tuple((vocabulary[s].name_en, vocabulary[t].name_en) for s, t in zip(source[keep][order], target[keep][order]))
