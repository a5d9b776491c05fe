"""Pair-level history: a pair the buyer rejected is not proposed again, a partner is not proposed as new, and where
a run shows them, they are shown marked with what happened and when."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiermatch.datasets import make_register
from tiermatch.features import Buyer, Partnership, Supplier
from tiermatch.matcher import MatchEngine

PRODUCTS = ["stamped metal parts", "chili sauce", "herbal soap", "cotton t-shirts"]


def _market():
    suppliers = [Supplier(supplier_id=f"S{i}", name=f"SME {i}", sector="automotive", products="stamped metal parts",
                          province=p) for i, p in enumerate(["Rayong", "Chon Buri", "Bangkok", "Chachoengsao"])]
    buyers = [Buyer(buyer_id="B1", name="Seats", buyer_type="first_tier", sector="automotive",
                    needs="stamped metal parts", province="Rayong", max_suppliers=3)]
    return suppliers, buyers


def test_rejected_and_partner_pairs_are_left_out_or_shown_marked():
    suppliers, buyers = _market()
    history = [Partnership(supplier_id="S0", buyer_id="B1", outcome="accepted", date=dt.date(2025, 1, 5)),
               Partnership(supplier_id="S0", buyer_id="B1", outcome="rejected", date=dt.date(2025, 6, 1)),
               Partnership(supplier_id="S1", buyer_id="B1", outcome="deal", date=dt.date(2025, 3, 1))]
    plain = MatchEngine(encoder="none").run(suppliers, buyers, history)
    assert {m.supplier_id for m in plain.shortlists} == {"S2", "S3"}
    assert {m.supplier_id for m in plain.assignment} == {"S2", "S3"}

    shown = MatchEngine(encoder="none", show_past=True).run(suppliers, buyers, history)
    reasons = {m.supplier_id: (m.reasons, m.reasons_th) for m in shown.shortlists}
    assert set(reasons) == {"S0", "S1", "S2", "S3"}
    # The latest outcome counts: S0 was accepted, then rejected.
    assert reasons["S0"][0].startswith("REJECTED by this buyer before (2025-06-01)")
    assert reasons["S0"][1].startswith("ผู้ซื้อรายนี้เคยปฏิเสธแล้ว (2025-06-01)")
    assert reasons["S1"][0].startswith("ALREADY this buyer's partner (2025-03-01)")
    assert not reasons["S2"][0].startswith(("REJECTED", "ALREADY"))
    assert {m.supplier_id for m in shown.assignment} == {"S2", "S3"}  # shown, never proposed anew
    # Its own outcomes with this buyer are left out of an SME's track record: S0 has no other proposal.
    assert next(m for m in shown.shortlists if m.supplier_id == "S0").features["track_record"] == pytest.approx(0.5)


def test_a_run_over_a_register_never_repeats_a_rejected_pair():
    register = make_register(300, 30, random_state=3, hard=True)
    rejected = {(p.supplier_id, p.buyer_id) for p in register.partnerships if p.outcome == "rejected"}
    assert rejected
    result = MatchEngine(encoder="none", top_k=20).run(register.suppliers, register.buyers, register.partnerships)
    shown = {(m.supplier_id, m.buyer_id) for m in [*result.shortlists, *result.assignment, *result.recommendations]}
    assert not shown & rejected


@st.composite
def histories(draw):
    """A small market and a history over its pairs, some of them several times, some undated."""
    n_s, n_b = draw(st.integers(1, 5)), draw(st.integers(1, 3))
    suppliers = [Supplier(supplier_id=f"S{i}", name=f"S{i}", sector="automotive",
                          products=draw(st.sampled_from(PRODUCTS)), province="Rayong") for i in range(n_s)]
    buyers = [Buyer(buyer_id=f"B{j}", name=f"B{j}", buyer_type="first_tier", sector="automotive",
                    needs=draw(st.sampled_from(PRODUCTS)), province="Chon Buri") for j in range(n_b)]
    rows = draw(st.lists(st.tuples(st.integers(0, n_s - 1), st.integers(0, n_b - 1),
                                   st.sampled_from(["accepted", "rejected", "deal"]),
                                   st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2026, 1, 1)))),
                         max_size=10))
    history = [Partnership(supplier_id=f"S{i}", buyer_id=f"B{j}", outcome=o, date=d) for i, j, o, d in rows]
    return suppliers, buyers, history


def _latest(history):
    """The latest outcome of each pair, by date (undated first), then by order: the rule, written once more."""
    ordered = sorted(enumerate(history), key=lambda e: (e[1].date is not None, e[1].date or dt.date.min, e[0]))
    return {(p.supplier_id, p.buyer_id): p.outcome for _, p in ordered}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), st.booleans())
def test_no_pair_that_met_is_proposed_anew(market, show_past):
    suppliers, buyers, history = market
    latest = _latest(history)
    result = MatchEngine(encoder="none", min_score=0, show_past=show_past).run(suppliers, buyers, history)
    assert not {(m.supplier_id, m.buyer_id) for m in result.assignment} & set(latest)
    for m in result.shortlists:
        outcome = latest.get((m.supplier_id, m.buyer_id))
        assert show_past or outcome is None
        if outcome == "rejected":
            assert m.reasons.startswith("REJECTED by this buyer")
        elif outcome is not None:
            assert m.reasons.startswith("ALREADY this buyer's partner")
        else:
            assert not m.reasons.startswith(("REJECTED", "ALREADY"))
