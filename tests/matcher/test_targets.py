"""Programme targets: a hand-counted year of feedback, nothing dropped silently."""

from __future__ import annotations

import datetime as dt

import pytest

from tiermatch.features import Partnership, Supplier
from tiermatch.matcher.targets import ProgrammeTargets, report_targets

SUPPLIERS = [
    Supplier(supplier_id="S1", name="A", sector="automotive", products="x", province="Rayong", cluster="Rayong Auto"),
    Supplier(supplier_id="S2", name="B", sector="automotive", products="x", province="Chon Buri", cluster="Rayong Auto"),
    Supplier(supplier_id="S3", name="C", sector="processed_food", products="y", province="Chiang Mai", cluster="Lanna Food"),
    Supplier(supplier_id="S4", name="D", sector="cosmetics", products="z", province="Songkhla"),
]
HISTORY = [
    Partnership(supplier_id="S1", buyer_id="B1", outcome="deal", date="2026-01-15", value_thb=2_000_000),
    Partnership(supplier_id="S2", buyer_id="B1", outcome="deal", date="2026-01-20"),  # value not given
    Partnership(supplier_id="S3", buyer_id="B2", outcome="accepted", date="2026-02-03"),
    Partnership(supplier_id="S4", buyer_id="B2", outcome="rejected", date="2026-02-04"),
    Partnership(supplier_id="S3", buyer_id="B3", outcome="deal", date="2026-06-30", value_thb=500_000),
    Partnership(supplier_id="S1", buyer_id="B3", outcome="deal", date="2025-12-31", value_thb=9_000_000),  # other year
    Partnership(supplier_id="S4", buyer_id="B1", outcome="accepted"),  # undated
    Partnership(supplier_id="S9", buyer_id="B1", outcome="accepted", date="2026-03-01"),  # unknown SME
]


def test_a_year_counted_by_hand():
    report = report_targets(SUPPLIERS, HISTORY, ProgrammeTargets(2026, clustered_smes=6, matches=8,
                                                                  deal_value_thb=5_000_000),
                            as_of=dt.date(2026, 7, 2))
    assert report["year_elapsed"] == pytest.approx(0.5, abs=0.01)
    assert report["clustered"] == {"actual": 3, "target": 6, "progress": 0.5, "on_track": False,
                                   "by_sector": {"automotive": 2, "cosmetics": 0, "gems_jewelry": 0,
                                                 "processed_food": 1, "textiles_garments": 0, "palm_oil": 0,
                                                 "other": 0},
                                   "clusters": 2, "smes": 4}
    assert report["matches"] == {"actual": 4, "target": 8, "progress": 0.5, "on_track": False}
    assert report["deal_value_thb"]["actual"] == 2_500_000 and report["deal_value_thb"]["progress"] == 0.5
    assert report["deals"] == {"count": 3, "without_value": 1, "proposals": 5}
    assert report["undated"] == 1 and report["unknown_suppliers"] == 1
    sectors = {row["sector"]: row for row in report["by_sector"]}
    assert sectors["automotive"]["deal_value_thb"] == 2_000_000 and sectors["automotive"]["deals_without_value"] == 1
    assert sectors["cosmetics"]["proposals"] == 1 and sectors["cosmetics"]["matches"] == 0
    regions = {row["region"]: row["matches"] for row in report["by_region"]}
    assert regions == {"Central": 0, "East": 2, "North": 2, "Northeast": 0, "South": 0, "West": 0}
    months = {row["month"]: (row["matches"], row["deal_value_thb"]) for row in report["by_month"]}
    assert len(months) == 12 and months["2026-01"] == (2, 2_000_000) and months["2026-06"] == (1, 500_000)


def test_targets_left_unset_report_actuals_only():
    report = report_targets(SUPPLIERS, HISTORY, ProgrammeTargets(2026, clustered_smes=None))
    assert report["clustered"]["target"] is None and report["clustered"]["progress"] is None
    assert report["matches"]["actual"] == 4 and report["matches"]["on_track"] is None


def test_invalid_targets_say_every_problem():
    with pytest.raises(ValueError, match="clustered_smes must be positive, got 0; matches must be positive, got -1; "
                                         "year must be between 2000 and 2200"):
        ProgrammeTargets(2569, clustered_smes=0, matches=-1)
