"""The matching engine: profiles in; shortlists, recommendations and an assignment out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..features.candidates import Candidates, pair_similarity
from ..features.pairs import PairFeatures, TrackRecord, build_pair_features, build_track_record, explain_pairs
from ..features.profiles import Buyer, Partnership, Supplier
from ..features.tables import BuyerTable, SupplierTable, build_tables
from ..features.vectorize import BLOCKS, ProfileVectorizer, stack_blocks
from .agenda import schedule_meetings
from .assignment import assign_partnerships
from .fairness import assign_fair_partnerships, exposure_gini
from .groups import allocate_volume, form_groups
from .scoring import score_prior

__all__ = ["Match", "MatchContext", "MatchEngine", "MatchResult", "Progress"]

# progress(stage, done, total): called as each stage starts (done=0) and ends (done=total).
Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


@dataclass(frozen=True)
class Match:
    """One ranked or assigned pair, by external ids."""

    buyer_id: str
    supplier_id: str
    score: float
    rank: int = 0
    reasons: str = ""
    reasons_th: str = ""
    group_id: str = ""
    features: dict = field(default_factory=dict)  # every pair feature's value, by FEATURE_NAMES
    volume_thb_per_month: float | None = None  # set for members of a group: their share of the buyer's demand
    slot: int | None = None  # meeting slot on a matchmaking day's agenda, 1 first


@dataclass
class MatchResult:
    """What a run produces. Every input supplier and buyer is either matched or listed with a reason."""

    shortlists: list[Match]  # per buyer, ranked suppliers
    recommendations: list[Match]  # per supplier, ranked buyers
    assignment: list[Match]
    unmatched_buyers: dict[str, str]
    unmatched_suppliers: dict[str, str]
    summary: dict = field(default_factory=dict)
    rejected_rows: list = field(default_factory=list)  # RowError of supplier rows read by the run itself


@dataclass
class MatchContext:
    """A register made ready for scoring: tables, text blocks in one space, track records.

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

    def __post_init__(self):
        self.X_suppliers = stack_blocks(self.supplier_blocks, self.vectorizer.weights)
        self.X_buyers = stack_blocks(self.buyer_blocks, self.vectorizer.weights)
        mapper = self.vectorizer.mapper_
        self.supplier_input_sectors = np.minimum(1.0, (self.supplier_blocks["direct"] @ mapper.input_sectors_).toarray())

    def pair_features(self, rows, cols, similarity=None) -> PairFeatures:
        """Features of any pairs (not only retrieved candidates), e.g. past proposals."""
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        if similarity is None:
            similarity = pair_similarity(self.X_suppliers, self.X_buyers, rows, cols)
        similarities = {
            name: pair_similarity(self.supplier_blocks[name], self.buyer_blocks[name], rows, cols) for name in BLOCKS
        }
        return build_pair_features(
            self.suppliers, self.buyers, Candidates(rows, cols, similarity), self.track,
            similarities=similarities, supplier_input_sectors=self.supplier_input_sectors,
            certification_names=self.certification_names,
        )

    def linking_concepts(self, rows, cols, language: str = "en") -> list[tuple[str, str, str] | None]:
        """What ties each supplier ``rows[n]`` to buyer ``cols[n]``, names in ``language``:

        ``("makes", concept, "")`` for a concept both name themselves, else
        ``("input", supplier concept, buyer concept)`` where the first goes into the second, else
        ``("similar", broader concept, "")`` where they share only a broader concept, else None.
        """
        mapper = self.vectorizer.mapper_
        vocabulary = mapper.vocabulary_
        names = ([c.name_th for c in vocabulary] if language == "th" else [c.name_en.lower() for c in vocabulary])
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        C_s, C_b = self.supplier_blocks["concepts"], self.buyer_blocks["concepts"]
        direct_s, direct_b = self.supplier_blocks["direct"][rows], self.buyer_blocks["direct"][cols]
        links: list[tuple[str, str, str] | None] = [None] * len(rows)
        pending = np.ones(len(rows), dtype=bool)

        def settle(found_rows, make):
            for n, link in zip(found_rows.tolist(), make):
                if pending[n]:
                    links[n] = link
                    pending[n] = False

        made_row, made = _row_argmax(direct_s.multiply(direct_b))
        settle(made_row, (("makes", names[c], "") for c in made.tolist()))
        related = mapper.related_concepts_
        via_row, target = _row_argmax(sp.csr_matrix(direct_s @ related).multiply(direct_b))
        # Which of the supplier's own concepts feeds the target most.
        source_row, source = _row_argmax(direct_s[via_row].multiply(related.T.tocsr()[target]))
        settle(via_row[source_row], (("input", names[c], names[t]) for c, t in zip(source.tolist(), target[source_row].tolist())))
        broad_row, broad = _row_argmax(C_s[rows].multiply(C_b[cols]))
        settle(broad_row, (("similar", names[c], "") for c in broad.tolist()))
        return links

    def explain(self, features: PairFeatures, ks, language: str = "en") -> list[str]:
        """One line of plain reasons for each pair ``ks`` of ``features``, in English (``"en"``) or Thai (``"th"``)."""
        ks = np.asarray(ks, dtype=np.int64)
        concepts = self.linking_concepts(features.rows[ks], features.cols[ks], language)
        return explain_pairs(self.suppliers, self.buyers, features, self.track, ks, self.certification_names,
                             language, concepts)


def _row_argmax(matrix) -> tuple[np.ndarray, np.ndarray]:
    """Rows of a sparse matrix with a positive entry, and the column of each one's largest entry."""
    coo = sp.coo_matrix(matrix)
    positive = coo.data > 0
    row, col, value = coo.row[positive], coo.col[positive], coo.data[positive]
    order = np.lexsort((col, -value, row))
    row, col = row[order], col[order]
    first = np.r_[True, row[1:] != row[:-1]] if len(row) else np.zeros(0, dtype=bool)
    return row[first].astype(np.int64), col[first].astype(np.int64)


class MatchEngine:
    """Scores plausible pairs, ranks shortlists and assigns partnerships within capacities.

    Parameters
    ----------
    top_k : int
        Length of each buyer's shortlist and each SME's recommendations.
    n_per_buyer, n_per_supplier : int
        Candidates retrieved per buyer and per supplier before scoring.
    min_score : float
        Pairs scoring below this are ranked but never proposed as partnerships.
    model : object with ``score(values) -> ndarray``, optional
        A learned scoring model over the pair features; the documented prior
        (:func:`score_prior`) where None.
    fair : bool
        Give an SME's second and third partnership diminishing returns
        (:func:`assign_fair_partnerships`), so that opportunities spread; the
        summary reports total score and exposure Gini with and without it.
    n_slots : int, optional
        Schedule the assignment as a matchmaking day's agenda of one-to-one
        meetings; meetings beyond ``n_slots`` are left unscheduled and counted.

    Examples
    --------
    >>> s = [Supplier(supplier_id="S1", name="A", sector="automotive",
    ...               products="stamped metal parts", province="Rayong")]
    >>> b = [Buyer(buyer_id="B1", name="B", buyer_type="first_tier", sector="automotive",
    ...            needs="metal stamping parts", province="Chon Buri")]
    >>> result = MatchEngine().run(s, b)
    >>> [(m.buyer_id, m.supplier_id) for m in result.assignment]
    [('B1', 'S1')]
    """

    def __init__(self, top_k: int = 10, n_per_buyer: int = 50, n_per_supplier: int = 5, min_score: float = 0.3,
                 model=None, fair: bool = False, n_slots: int | None = None):
        self.top_k = top_k
        self.n_per_buyer = n_per_buyer
        self.n_per_supplier = n_per_supplier
        self.min_score = min_score
        self.model = model
        self.fair = fair
        self.n_slots = n_slots

    def prepare(
        self, suppliers: Sequence[Supplier], buyers: Sequence[Buyer], history: Sequence[Partnership] = ()
    ) -> MatchContext:
        """Build the tables, the shared text space and the track records of a register."""
        if not suppliers or not buyers:
            raise ValueError(f"Expected at least one supplier and one buyer, got {len(suppliers)} and {len(buyers)}")
        S, B = build_tables(suppliers, buyers)
        supplier_position = {sid: i for i, sid in enumerate(S.ids)}
        buyer_position = {bid: j for j, bid in enumerate(B.ids)}
        known = [p for p in history if p.supplier_id in supplier_position and p.buyer_id in buyer_position]
        pairs = np.array([(supplier_position[p.supplier_id], buyer_position[p.buyer_id]) for p in known], dtype=np.int64)
        vectorizer = ProfileVectorizer()
        supplier_blocks, buyer_blocks = vectorizer.fit_transform_blocks(
            S.texts, B.texts, history=(pairs.reshape(-1, 2), [p.outcome for p in known])
        )
        return MatchContext(
            suppliers=S, buyers=B, vectorizer=vectorizer,
            supplier_blocks=supplier_blocks, buyer_blocks=buyer_blocks,
            track=build_track_record(S, history),
            certification_names=sorted({c for s in suppliers for c in s.certifications}
                                       | {c for b in buyers for c in b.required_certifications}),
        )

    def score(self, features: PairFeatures) -> np.ndarray:
        """Scores of pairs, higher is better: the model's where one is set, else the prior."""
        return score_prior(features.values) if self.model is None else np.asarray(self.model.score(features.values))

    def run(
        self,
        suppliers: Sequence[Supplier],
        buyers: Sequence[Buyer],
        history: Sequence[Partnership] = (),
        *,
        progress: Progress = _no_progress,
        client=None,
        partition_size: int | None = None,
    ) -> MatchResult:
        """Match ``suppliers`` to ``buyers``; ``history`` informs track records.

        With ``partition_size``, the suppliers are matched that many at a time
        (:func:`~tiermatch.matcher.batch.run_batch`); with a Dask ``client``,
        as tasks on its workers. The result does not depend on ``client``.
        """
        from ..features.partitions import SupplierSource
        from .batch import run_batch

        if not suppliers or not buyers:
            raise ValueError(f"Expected at least one supplier and one buyer, got {len(suppliers)} and {len(buyers)}")
        return run_batch(self, SupplierSource.from_records(suppliers, partition_size), buyers, history,
                         client=client, progress=progress)

    def choose(self, rows, cols, scores, supplier_capacity, buyer_capacity) -> tuple[np.ndarray, np.ndarray | None]:
        """The chosen pairs among the arcs given: plainly, and with fair exposure where the engine is fair (else None)."""
        args = (rows, cols, scores, supplier_capacity, buyer_capacity)
        return assign_partnerships(*args), assign_fair_partnerships(*args) if self.fair else None

    @staticmethod
    def exposure(n_suppliers, candidates, scores, plain, fair=None) -> tuple[np.ndarray, dict]:
        """The assignment (the fair one where given) and its exposure report, beside the plain one's."""
        def report(mask):
            counts = np.bincount(candidates.rows[mask], minlength=n_suppliers)
            return {"total_score": round(float(scores[mask].sum()), 4), "gini": round(exposure_gini(counts), 4),
                    "suppliers_matched": int((counts > 0).sum())}

        if fair is None:
            return plain, {"fair": False, "plain": report(plain)}
        return fair, {"fair": True, "plain": report(plain), "with_fairness": report(fair)}

    @staticmethod
    def _form_groups(S, B, candidates, scores, chosen) -> tuple[dict[int, str], dict[int, float]]:
        """Group the SMEs assigned to a buyer whose monthly demand no single candidate can supply.

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

    def _schedule(self, candidates, assigned_idx) -> tuple[np.ndarray | None, int]:
        """Meeting slot (0-based) of each assigned pair, -1 where it does not fit in ``n_slots``; slots needed."""
        if self.n_slots is None:
            return None, 0
        slots = schedule_meetings(candidates.rows[assigned_idx], candidates.cols[assigned_idx])
        return np.where(slots < self.n_slots, slots, -1), int(slots.max(initial=-1) + 1)

    def _explain_unmatched_buyers(self, S, B, candidates, scores, chosen, why_no_candidate) -> dict[str, str]:
        reasons = {}
        has_candidates = np.zeros(len(B), dtype=bool)
        has_candidates[candidates.cols] = True
        has_proposable = np.zeros(len(B), dtype=bool)
        has_proposable[candidates.cols[scores >= self.min_score]] = True
        matched = np.zeros(len(B), dtype=bool)
        matched[candidates.cols[chosen]] = True
        for j in np.flatnonzero(~matched):
            if has_proposable[j]:
                reasons[B.ids[j]] = "its candidates were all assigned to buyers where they scored higher"
            elif has_candidates[j]:
                reasons[B.ids[j]] = f"no candidate scores {self.min_score} or more"
            else:
                reasons[B.ids[j]] = why_no_candidate(j)
        return reasons

    def _explain_unmatched_suppliers(self, S, candidates, scores, chosen) -> dict[str, str]:
        reasons = {}
        has_candidates = np.zeros(len(S), dtype=bool)
        has_candidates[candidates.rows] = True
        matched = np.zeros(len(S), dtype=bool)
        matched[candidates.rows[chosen]] = True
        has_proposable = np.zeros(len(S), dtype=bool)
        has_proposable[candidates.rows[scores >= self.min_score]] = True
        for i in np.flatnonzero(~matched):
            if S.max_buyers[i] == 0:
                reasons[S.ids[i]] = "max_buyers is 0"
            elif has_proposable[i]:
                reasons[S.ids[i]] = "buyers it could serve took suppliers that fit them better"
            elif has_candidates[i]:
                reasons[S.ids[i]] = f"no buyer scores {self.min_score} or more with it"
            else:
                reasons[S.ids[i]] = "no buyer that it passes the hard constraints for needs what it offers"
        return reasons
