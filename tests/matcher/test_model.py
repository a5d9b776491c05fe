"""The learned scorer: leak-free rows, unlabeled pairs, grouped folds, adoption of everyone's model and of each
buyer's own preferences, calibration, serialisation."""

from __future__ import annotations

import datetime as dt
import doctest
import pickle
from dataclasses import dataclass

import numpy as np
import pytest

from tiermatch.errors import InsufficientHistoryError
from tiermatch.features import Buyer, Partnership, Supplier
from tiermatch.features.history import PastPairs
from tiermatch.features.pairs import FEATURE_NAMES, PairFeatures
from tiermatch.matcher import MatchEngine, model, prepare_context
from tiermatch.matcher.model import LearnedScorer, _folds, build_training_set, train_scoring_model

CLUSTER = FEATURE_NAMES.index("in_cluster")
PRODUCT = FEATURE_NAMES.index("product_fit")


@dataclass
class _Table:
    ids: np.ndarray

    def __len__(self):
        return len(self.ids)


class SyntheticContext:
    """Stands in for a MatchContext: each pair's features drawn once, uniform in [0, 1] (in_cluster 0 or 1)."""

    semantic_suppliers = None

    def __init__(self, n_suppliers, n_buyers, rng):
        self.suppliers = _Table(np.array([f"S{i}" for i in range(n_suppliers)], dtype=object))
        self.buyers = _Table(np.array([f"B{j}" for j in range(n_buyers)], dtype=object))
        self.values = rng.random((n_suppliers, n_buyers, len(FEATURE_NAMES))).astype(np.float32)
        self.values[:, :, CLUSTER] = (self.values[:, :, CLUSTER] > 0.5).astype(np.float32)
        self.past = PastPairs.empty()

    def pair_features(self, rows, cols, *, own=None):
        rows, cols = np.asarray(rows), np.asarray(cols)
        return PairFeatures.from_values(rows, cols, self.values[rows, cols])


def synthetic_history(rng, context, n_rows, accept_probability, *, dated=False):
    """``n_rows`` distinct pairs, each accepted with ``accept_probability(features, buyers)``, a third of those as
    deals; and as many pairs nobody proposed (unlabeled)."""
    n_s, n_b = len(context.suppliers), len(context.buyers)
    pairs = rng.choice(n_s * n_b, size=2 * n_rows, replace=False)
    rows, cols = pairs[:n_rows] // n_b, pairs[:n_rows] % n_b
    p = accept_probability(context.values[rows, cols], cols)
    accepted = rng.random(n_rows) < p
    deal = accepted & (rng.random(n_rows) < 1 / 3)
    outcome = np.where(deal, "deal", np.where(accepted, "accepted", "rejected"))
    days = rng.integers(0, 700, n_rows)
    history = [Partnership(supplier_id=f"S{i}", buyer_id=f"B{j}", outcome=o,
                           date=dt.date(2024, 1, 1) + dt.timedelta(days=int(d)) if dated else None)
               for i, j, o, d in zip(rows, cols, outcome, days)]
    unlabeled = (pairs[n_rows:] // n_b, pairs[n_rows:] % n_b)
    return history, unlabeled, p


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


@pytest.fixture
def rng():
    return np.random.default_rng(7)


@pytest.fixture(scope="module")
def signal():
    """Acceptance driven by membership of a cluster, which the prior does not weigh: a model should beat it."""
    rng = np.random.default_rng(7)
    context = SyntheticContext(200, 40, rng)
    history, unlabeled, p = synthetic_history(rng, context, 1200, lambda v, _: _sigmoid(4 * (v[:, CLUSTER] - 0.5)))
    return context, history, unlabeled, p


@pytest.fixture(scope="module")
def signal_report(signal):
    context, history, unlabeled, _ = signal
    return train_scoring_model(context, history, unlabeled=unlabeled, random_state=0)


def test_doctests_run():
    assert doctest.testmod(model).failed == 0


def test_everyones_model_is_adopted_when_the_history_carries_signal(signal_report):
    report = signal_report
    assert report.adopted and report.scorer in ("global", "personal"), report.reason
    assert report.model_metric > report.prior_metric + 0.1
    assert report.improvement == pytest.approx(report.model_metric - report.prior_metric)
    assert report.p_value == pytest.approx(1 / 20)
    assert report.n_rows == 2400 and report.n_buyers == 40 and len(report.folds) == 5
    assert "beats the prior" in report.reason
    assert np.argmax(np.abs(report.model.coef)) == CLUSTER
    summary = report.summary()
    assert summary["scorer"] == report.scorer and summary["version"] == report.version
    assert summary["held_out"]["global"] == pytest.approx(report.model_metric, abs=1e-4)


def test_the_prior_stays_on_pure_noise():
    rng = np.random.default_rng(11)
    context = SyntheticContext(200, 40, rng)
    history, unlabeled, _ = synthetic_history(rng, context, 1200, lambda v, _: np.full(len(v), 0.4))
    report = train_scoring_model(context, history, unlabeled=unlabeled, random_state=0)
    assert report.scorer == "prior" and not report.adopted
    assert "does not clearly beat" in report.reason
    assert report.summary()["version"] is None


def test_each_buyers_own_preferences_are_adopted_where_buyers_differ():
    """Half the buyers take SMEs of a cluster, the other half avoid them: everyone's weights cancel out, each
    buyer's own do not."""
    rng = np.random.default_rng(3)
    context = SyntheticContext(300, 30, rng)
    likes = np.where(np.arange(30) % 2 == 0, 1.0, -1.0)
    history, unlabeled, _ = synthetic_history(
        rng, context, 2400, lambda v, cols: _sigmoid(5 * likes[cols] * (v[:, CLUSTER] - 0.5)
                                                     + 4 * (v[:, PRODUCT] - 0.5)), dated=True)
    report = train_scoring_model(context, history, unlabeled=unlabeled, random_state=0)
    assert report.scorer == "personal", report.reason
    assert report.personal_interval[0] > 0 and report.personal_metric > report.global_temporal_metric
    deviation = np.array([report.model.deviations[f"B{j}"][CLUSTER] for j in range(30)])
    assert (np.sign(deviation) == likes).mean() > 0.9
    # A buyer with no history of its own keeps everyone's weights.
    values = np.random.default_rng(0).random((5, len(FEATURE_NAMES)))
    np.testing.assert_allclose(report.model.score(values, ["B999"] * 5), report.model.score(values))


def test_grouped_folds_never_share_a_buyer(rng):
    groups = rng.integers(0, 30, size=600)
    fold = _folds(groups, 5, random_state=0)
    assert sorted(set(fold.tolist())) == [0, 1, 2, 3, 4]
    for f in range(5):
        assert not set(groups[fold == f]) & set(groups[fold != f])
    assert (_folds(groups, 5, random_state=0) == fold).all()


def test_report_folds_partition_the_buyers(signal_report):
    buyers = [b for fold in signal_report.folds for b in fold.test_buyers]
    assert len(buyers) == len(set(buyers)) == 40
    assert sum(fold.n_test for fold in signal_report.folds) == 2400
    assert all(fold.n_train + fold.n_test == 2400 for fold in signal_report.folds)


def test_scores_are_the_chance_a_proposal_is_accepted(signal, signal_report):
    context, history, unlabeled, p = signal
    training = build_training_set(context, history)
    scores = signal_report.model.score(training.values)
    assert scores.shape == (1200,) and scores.min() >= 0 and scores.max() <= 1
    assert np.mean(np.abs(scores - p)) < 0.1  # against the true chance the history was drawn from
    assert scores.mean() == pytest.approx(np.mean([h.outcome != "rejected" for h in history]), abs=0.03)


def test_round_trip_gives_identical_scores(signal_report):
    scorer = signal_report.model
    loaded = LearnedScorer.from_bytes(scorer.to_bytes())
    values = np.random.default_rng(0).random((50, len(FEATURE_NAMES)))
    buyers = [f"B{j % 40}" for j in range(50)]
    np.testing.assert_array_equal(loaded.score(values, buyers), scorer.score(values, buyers))
    assert (loaded.version, loaded.trained_at, loaded.n_rows, loaded.kind) == (
        scorer.version, scorer.trained_at, 2400, scorer.kind)
    assert dict(loaded.metrics) == dict(scorer.metrics)


def test_same_fit_same_version(signal, signal_report):
    context, history, unlabeled, _ = signal
    assert train_scoring_model(context, history, unlabeled=unlabeled).version == signal_report.version
    assert train_scoring_model(context, history[:-1], unlabeled=unlabeled).version != signal_report.version


@pytest.mark.parametrize("blob, message", [
    (b"not a pickle", "could not unpickle"),
    (pickle.dumps({"format": "other"}), "format 'tiermatch.LearnedScorer/2', got 'other'"),
    (pickle.dumps({"format": "tiermatch.LearnedScorer/1"}), "got 'tiermatch.LearnedScorer/1'; retrain"),
])
def test_from_bytes_rejects_foreign_and_older_blobs(blob, message):
    with pytest.raises(ValueError, match=message):
        LearnedScorer.from_bytes(blob)


def test_from_bytes_rejects_other_features(signal_report):
    scorer = signal_report.model
    renamed = LearnedScorer(scorer.coef, scorer.intercept, feature_names=("a",) * len(FEATURE_NAMES))
    with pytest.raises(ValueError, match="retrain"):
        LearnedScorer.from_bytes(renamed.to_bytes())


def test_score_checks_shape(signal_report):
    scorer = signal_report.model
    with pytest.raises(ValueError, match=rf"shape \(n_pairs, {len(FEATURE_NAMES)}\), got \(3, 2\)"):
        scorer.score(np.zeros((3, 2)))
    assert scorer.score(np.zeros((0, len(FEATURE_NAMES)))).shape == (0,)


def test_deal_weighting_changes_the_fit(rng):
    # Deals sit where product fit is high; weighting them more pulls the product-fit coefficient up.
    context = SyntheticContext(200, 40, rng)
    history, unlabeled, _ = synthetic_history(rng, context, 1200, lambda v, _: np.full(len(v), 0.5))
    history = [
        Partnership(supplier_id=h.supplier_id, buyer_id=h.buyer_id,
                    outcome="deal" if h.outcome != "rejected" and context.values[int(h.supplier_id[1:]),
                                                                             int(h.buyer_id[1:]), PRODUCT] > 0.7
                    else ("accepted" if h.outcome != "rejected" else "rejected"))
        for h in history
    ]
    plain = train_scoring_model(context, history, unlabeled=unlabeled, deal_weight=1.0, force="global").model
    weighted = train_scoring_model(context, history, unlabeled=unlabeled, deal_weight=4.0, force="global").model
    assert weighted.coef[PRODUCT] > plain.coef[PRODUCT] + 0.3
    assert plain.version != weighted.version
    rows = build_training_set(context, history, unlabeled=unlabeled, deal_weight=4.0, unlabeled_weight=0.25)
    assert set(rows.sample_weight.tolist()) == {0.25, 1.0, 4.0}
    assert (rows.sample_weight[rows.own == 0] == 0.25).all() and len(rows) == 2400


def _profiles():
    suppliers = [Supplier(supplier_id=f"S{i}", name=f"SME {i}", sector="automotive", products="stamped metal parts",
                          province="Rayong") for i in range(3)]
    buyers = [Buyer(buyer_id=f"B{j}", name=f"Buyer {j}", buyer_type="first_tier", sector="automotive",
                    needs="metal stamping parts", province="Chon Buri") for j in range(4)]
    return suppliers, buyers


def test_track_record_and_taste_leave_the_pairs_own_outcomes_out():
    suppliers, buyers = _profiles()
    history = [
        Partnership(supplier_id="S0", buyer_id="B0", outcome="accepted"),
        Partnership(supplier_id="S0", buyer_id="B1", outcome="rejected"),
        Partnership(supplier_id="S0", buyer_id="B0", outcome="deal"),  # the same pair proposed again
        Partnership(supplier_id="S1", buyer_id="B2", outcome="accepted"),
    ]
    context = prepare_context(suppliers, buyers, history)
    rows = build_training_set(context, history)
    track = rows.values[:, FEATURE_NAMES.index("track_record")]
    # rate = (accepted + 1) / (proposals + 2) over the SME's proposals to other buyers:
    # S0-B0 rows: only S0-B1 remains (0 of 1) -> 1/3; S0-B1: both S0-B0 remain (2 of 2) -> 3/4; S1-B2: none -> 1/2
    assert track.tolist() == pytest.approx([1 / 3, 3 / 4, 1 / 3, 1 / 2])
    # as the context's features do; a pair that never met counts all of S0's: 2 of 3 -> 3/5
    assert context.pair_features([0, 0], [0, 3]).column("track_record").tolist() == pytest.approx([1 / 3, 3 / 5])
    # B2's only outcome is S1's own: left out, S1 reads no taste of B2's.
    assert rows.values[3, FEATURE_NAMES.index("buyer_affinity")] == pytest.approx(0.5)
    assert rows.gain.tolist() == [1.0, 0.0, 2.0, 1.0] and rows.sample_weight.tolist() == [1.0, 1.0, 2.0, 1.0]


def test_unknown_ids_are_listed_and_too_little_history_raises():
    suppliers, buyers = _profiles()
    history = [
        Partnership(supplier_id="S0", buyer_id="B0", outcome="accepted"),
        Partnership(supplier_id="S1", buyer_id="B0", outcome="rejected"),
        Partnership(supplier_id="S7", buyer_id="B9", outcome="rejected"),
    ]
    context = prepare_context(suppliers, buyers, history)
    assert build_training_set(context, history).skipped == ("S7 -> B9: supplier and buyer not in the register",)
    with pytest.raises(InsufficientHistoryError, match=r"at least 2 buyers with an accepted proposal or a deal, got 2 "
                                                       r"usable rows \(1 accepted or deal, 1 rejected\) over 1 buyers; "
                                                       r"1 rows skipped, e.g. S7 -> B9"):
        train_scoring_model(context, history)


def test_learned_model_plugs_into_the_engine(signal_report):
    suppliers, buyers = _profiles()
    result = MatchEngine(model=signal_report.model, min_score=0.0).run(suppliers, buyers)
    assert result.shortlists and all(0 <= m.score <= 1 for m in result.shortlists)


def test_an_outcome_seen_only_by_exploration_weighs_the_inverse_of_its_chance_clipped():
    from tiermatch.features import Buyer, Partnership, Supplier
    from tiermatch.matcher import prepare_context
    from tiermatch.matcher.model import MAX_INVERSE_PROPENSITY, build_training_set

    s = [Supplier(supplier_id=f"S{i}", name="A", sector="automotive", products="metal parts", province="Rayong")
         for i in range(3)]
    b = [Buyer(buyer_id="B1", name="B", buyer_type="first_tier", sector="automotive", needs="metal parts",
               province="Rayong")]
    history = [Partnership(supplier_id=f"S{i}", buyer_id="B1", outcome="accepted") for i in range(3)]
    rows = build_training_set(prepare_context(s, b, history, encoder=None), history,
                              propensity={("S0", "B1"): 1.0, ("S1", "B1"): 0.25, ("S2", "B1"): 0.001})
    assert rows.sample_weight.tolist() == [1.0, 4.0, MAX_INVERSE_PROPENSITY]
