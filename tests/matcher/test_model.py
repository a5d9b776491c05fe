"""The learned scoring model: leak-free rows, grouped folds, adoption, calibration, serialisation."""

from __future__ import annotations

import doctest
from dataclasses import dataclass

import numpy as np
import pytest

from tiermatch.errors import InsufficientHistoryError
from tiermatch.features import Buyer, Partnership, Supplier
from tiermatch.features.pairs import FEATURE_NAMES, PairFeatures
from tiermatch.matcher import MatchEngine, model, prepare_context
from tiermatch.matcher.model import (
    LearnedScorer,
    _assign_folds,
    build_training_set,
    train_scoring_model,
)

ROUTE = FEATURE_NAMES.index("route_fit")
PRODUCT = FEATURE_NAMES.index("product_fit")


@dataclass
class _Table:
    ids: np.ndarray

    def __len__(self):
        return len(self.ids)


class SyntheticContext:
    """Stands in for a MatchContext: each pair's features drawn once, uniform in [0, 1]."""

    def __init__(self, n_suppliers, n_buyers, rng):
        self.suppliers = _Table(np.array([f"S{i}" for i in range(n_suppliers)], dtype=object))
        self.buyers = _Table(np.array([f"B{j}" for j in range(n_buyers)], dtype=object))
        self.values = rng.random((n_suppliers, n_buyers, len(FEATURE_NAMES))).astype(np.float32)

    def pair_features(self, rows, cols, similarity=None):
        rows, cols = np.asarray(rows), np.asarray(cols)
        return PairFeatures.from_values(rows, cols, self.values[rows, cols])


def synthetic_history(rng, context, n_rows, accept_probability):
    """``n_rows`` distinct pairs; each accepted with ``accept_probability(features)``, a third of those as deals."""
    n_s, n_b = len(context.suppliers), len(context.buyers)
    pairs = rng.choice(n_s * n_b, size=n_rows, replace=False)
    rows, cols = pairs // n_b, pairs % n_b
    p = accept_probability(context.values[rows, cols])
    accepted = rng.random(n_rows) < p
    deal = accepted & (rng.random(n_rows) < 1 / 3)
    outcome = np.where(deal, "deal", np.where(accepted, "accepted", "rejected"))
    history = [Partnership(supplier_id=f"S{i}", buyer_id=f"B{j}", outcome=o) for i, j, o in zip(rows, cols, outcome)]
    return history, p


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


@pytest.fixture
def rng():
    return np.random.default_rng(7)


@pytest.fixture(scope="module")
def signal():
    """Acceptance driven by route fit, which the prior weighs least: a model should beat it."""
    rng = np.random.default_rng(7)
    context = SyntheticContext(200, 40, rng)
    history, p = synthetic_history(rng, context, 1200, lambda v: _sigmoid(6 * (v[:, ROUTE] - 0.5)))
    return context, history, p


@pytest.fixture(scope="module")
def signal_report(signal):
    context, history, _ = signal
    return train_scoring_model(context, history, random_state=0)


def test_doctests_run():
    assert doctest.testmod(model).failed == 0


def test_adopted_when_history_carries_signal(signal_report):
    report = signal_report
    assert report.adopted, report.reason
    assert report.model_metric > report.prior_metric + 0.1
    assert report.improvement == pytest.approx(report.model_metric - report.prior_metric)
    assert report.p_value == pytest.approx(1 / 20)
    assert report.n_rows == 1200 and report.n_buyers == 40 and len(report.folds) == 5
    assert "beats the prior" in report.reason
    coef = report.model.estimator.coef_.ravel()
    assert np.argmax(np.abs(coef)) == ROUTE
    assert report.model.metrics["adopted"] is True and report.version == report.model.version


def test_not_adopted_on_pure_noise():
    # Adoption is a test at the 5% level: about one pure-noise history in 20
    # is adopted (default_rng(7), the shared seed, happens to be one).
    rng = np.random.default_rng(11)
    context = SyntheticContext(200, 40, rng)
    history, _ = synthetic_history(rng, context, 1200, lambda v: np.full(len(v), 0.4))
    report = train_scoring_model(context, history, random_state=0)
    assert not report.adopted
    assert abs(report.model_metric - 0.5) < 0.05
    assert "does not clearly beat" in report.reason


def test_grouped_folds_never_share_a_buyer(rng):
    groups = rng.integers(0, 30, size=600)
    fold = _assign_folds(groups, 5, random_state=0)
    assert sorted(set(fold.tolist())) == [0, 1, 2, 3, 4]
    for f in range(5):
        assert not set(groups[fold == f]) & set(groups[fold != f])
    assert (_assign_folds(groups, 5, random_state=0) == fold).all()


def test_report_folds_partition_the_buyers(signal_report):
    report = signal_report
    buyers = [b for fold in report.folds for b in fold.test_buyers]
    assert len(buyers) == len(set(buyers)) == 40
    assert sum(fold.n_test for fold in report.folds) == 1200
    assert all(fold.n_train + fold.n_test == 1200 for fold in report.folds)


def test_scores_are_calibrated_probabilities(signal, signal_report):
    context, history, p = signal
    report = signal_report
    values = build_training_set(context, history).values
    scores = report.model.score(values)
    assert scores.shape == (1200,) and scores.min() >= 0 and scores.max() <= 1
    # Against the true acceptance chance the history was drawn from
    assert np.mean(np.abs(scores - p)) < 0.06
    assert scores.mean() == pytest.approx(np.mean([h.outcome != "rejected" for h in history]), abs=0.02)


def test_round_trip_gives_identical_scores(signal_report):
    scorer = signal_report.model
    loaded = LearnedScorer.from_bytes(scorer.to_bytes())
    values = np.random.default_rng(0).random((50, len(FEATURE_NAMES)))
    np.testing.assert_array_equal(loaded.score(values), scorer.score(values))
    assert (loaded.version, loaded.trained_at, loaded.n_rows) == (scorer.version, scorer.trained_at, 1200)
    assert dict(loaded.metrics) == dict(scorer.metrics)


def test_same_fit_same_version(signal, signal_report):
    context, history, _ = signal
    assert train_scoring_model(context, history).version == signal_report.version
    assert train_scoring_model(context, history[:-1]).version != signal_report.version


@pytest.mark.parametrize("blob, message", [
    (b"not a pickle", "could not unpickle"),
    (__import__("pickle").dumps({"format": "other"}), "format 'tiermatch.LearnedScorer/1', got 'other'"),
])
def test_from_bytes_rejects_foreign_blobs(blob, message):
    with pytest.raises(ValueError, match=message):
        LearnedScorer.from_bytes(blob)


def test_from_bytes_rejects_other_features(signal_report):
    scorer = signal_report.model
    renamed = LearnedScorer(scorer.estimator, scorer.calibrator, feature_names=("a",) * len(FEATURE_NAMES))
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
    history, _ = synthetic_history(rng, context, 1200, lambda v: np.full(len(v), 0.5))
    history = [
        Partnership(supplier_id=h.supplier_id, buyer_id=h.buyer_id,
                    outcome="deal" if h.outcome != "rejected" and context.values[int(h.supplier_id[1:]),
                                                                             int(h.buyer_id[1:]), PRODUCT] > 0.7
                    else ("accepted" if h.outcome != "rejected" else "rejected"))
        for h in history
    ]
    plain = train_scoring_model(context, history, deal_weight=1.0).model
    weighted = train_scoring_model(context, history, deal_weight=4.0).model
    assert weighted.estimator.coef_[0, PRODUCT] > plain.estimator.coef_[0, PRODUCT] + 0.3
    assert plain.version != weighted.version
    rows = build_training_set(context, history, deal_weight=4.0)
    assert set(rows.sample_weight.tolist()) == {1.0, 4.0}


def _profiles():
    suppliers = [Supplier(supplier_id=f"S{i}", name=f"SME {i}", sector="automotive", products="stamped metal parts",
                          province="Rayong") for i in range(3)]
    buyers = [Buyer(buyer_id=f"B{j}", name=f"Buyer {j}", buyer_type="first_tier", sector="automotive",
                    needs="metal stamping parts", province="Chon Buri") for j in range(4)]
    return suppliers, buyers


def test_track_record_leaves_the_pairs_own_outcomes_out():
    # Three buyers, so each is its own fold: a row's track record counts its supplier's proposals to other buyers.
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
    # Beta prior worth 2 proposals at rate 1/2 worth 2 proposals: rate = (accepted + 1) / (proposals + 2)
    # S0-B0 rows: only S0-B1 remains (0 of 1) -> 1/3; S0-B1: both S0-B0 remain (2 of 2) -> 3/4; S1-B2: none -> 1/2
    assert track.tolist() == pytest.approx([1 / 3, 3 / 4, 1 / 3, 1 / 2])
    # as the context's features do; a pair that never met counts all of S0's: 2 of 3 -> 3/5
    assert context.pair_features([0, 0], [0, 3]).column("track_record").tolist() == pytest.approx([1 / 3, 3 / 5])
    assert rows.accepted.tolist() == [True, False, True, True]
    assert rows.sample_weight.tolist() == [1.0, 1.0, 2.0, 1.0]


def test_unknown_ids_are_listed_and_too_little_history_raises():
    suppliers, buyers = _profiles()
    history = [
        Partnership(supplier_id="S0", buyer_id="B0", outcome="accepted"),
        Partnership(supplier_id="S1", buyer_id="B0", outcome="rejected"),
        Partnership(supplier_id="S7", buyer_id="B9", outcome="rejected"),
    ]
    context = prepare_context(suppliers, buyers, history)
    assert build_training_set(context, history).skipped == ("S7 -> B9: supplier and buyer not in the register",)
    with pytest.raises(InsufficientHistoryError, match=r"at least 2 buyers.*got 2 usable rows \(1 accepted or deal, "
                                                       r"1 rejected\) over 1 buyers; 1 rows skipped, e.g. S7 -> B9"):
        train_scoring_model(context, history)


def test_learned_model_plugs_into_the_engine(signal_report):
    scorer = signal_report.model
    suppliers, buyers = _profiles()
    result = MatchEngine(model=scorer, min_score=0.0).run(suppliers, buyers)
    assert result.shortlists and all(0 <= m.score <= 1 for m in result.shortlists)
