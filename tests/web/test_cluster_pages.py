"""The cluster and programme-target pages: what they show, in both languages, and who may see them."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tiermatch.api.web.i18n import STRINGS
from tiermatch.features import Partnership, Supplier

from .conftest import Site

CLUSTERS = "/web/clusters?min_size=3&max_size=10&buyers=2"
TARGETS = "/web/targets?year=2026&clustered_target=2000&deal_target_thb=2400000&as_of=2026-12-31"


def fragment(text: str) -> str:
    """The longest run of a message's words between its placeholders (and quotes, escaped in HTML)."""
    return max(re.split(r'\{[a-z]+\}|"', text), key=len)


@pytest.fixture(scope="module")
def programme(tmp_path_factory):
    """The small register plus a town of stamping SMEs, two already in a cluster, and a deal with a value."""
    site = Site(tmp_path_factory.mktemp("programme") / "store.sqlite")
    site.store.import_register(suppliers=[
        Supplier(supplier_id=f"R{k}", name=f"Rayong Press {k}", sector="automotive",
                 products="stamped metal parts brackets", province="Rayong", latitude=12.68 + 0.01 * k,
                 longitude=101.28, capacity_thb_per_month=500_000, cluster="Rayong Auto" if k < 2 else None)
        for k in range(6)], partnerships=[
        Partnership(supplier_id="R3", buyer_id="B1", outcome="deal", date=dt.date(2026, 5, 4), value_thb=1_200_000),
        Partnership(supplier_id="S4", buyer_id="B2", outcome="accepted", date=dt.date(2026, 5, 20))])
    yield site
    site.close()


@pytest.mark.parametrize("lang", ["en", "th"])
@pytest.mark.parametrize("role", ["admin", "matchmaker"])
def test_the_clusters_page_shows_the_suggestions_and_their_quality(programme, role, lang):
    client = programme.client(role, lang=lang)
    page = client.get(CLUSTERS)
    assert page.status_code == 200, page.text
    text = page.text
    i = 0 if lang == "en" else 1
    assert f'<html lang="{lang}">' in text
    # The existing cluster grows with the stamping SMEs around it, as the JSON route suggests.
    grow = STRINGS["cluster_grow"][i].split("{name}")[0] + "Rayong Auto"
    assert grow in text
    for member in ("R0", "R1", "R2"):
        assert f'/web/suppliers/{member}"' in text
    assert "Rayong Press 2" in text and "Eastern Seats" in text  # a member and the buyer it could serve
    for key in ("modularity", "median_km_within", "complementary_share", "unclustered_by_reason",
                "combined_capacity", "buyers_served", "concepts_covered"):
        assert STRINGS[key][i] in text, key
    assert 'id="chart-cluster-sizes"' in text and "<svg" in text
    assert ("ออกจากระบบ" in text) == (lang == "th")
    assert STRINGS["nav_clusters"][i] in text and STRINGS["nav_targets"][i] in text  # in the navigation


def test_the_clusters_page_matches_the_json_route(programme):
    api = programme.client().get("/clusters/suggestions?min_size=3&max_size=10&buyers_per_cluster=2",
                                 headers={"X-API-Key": programme.keys["matchmaker"]}).json()
    text = programme.client("matchmaker", lang="en").get(CLUSTERS).text
    for s in api["suggestions"]:
        assert s["cluster_id"] in text
        for b in s["buyers"]:
            assert b["reasons"].split(";")[0] in text


def test_regrouping_lists_where_invited_smes_come_from(programme):
    page = programme.client("matchmaker", lang="en").get(CLUSTERS + "&regroup=on")
    assert page.status_code == 200, page.text
    assert 'name="regroup" type="checkbox" value="on" checked' in page.text
    assert f'{STRINGS["moved_from"][0]} Rayong Auto' in page.text  # R0 and R1 may be regrouped, and it says so


def test_a_target_reached_in_time_is_on_track(programme):
    page = programme.client("matchmaker", lang="en").get("/web/targets?year=2026&clustered_target=2&as_of=2026-06-01")
    assert page.status_code == 200, page.text
    summary = page.text[page.text.index('id="target-clustered"'):page.text.index('id="target-matches"')]
    assert "100.0%" in summary and STRINGS["on_track"][0] in summary


@pytest.mark.parametrize("lang", ["en", "th"])
@pytest.mark.parametrize("role", ["admin", "matchmaker"])
def test_the_targets_page_shows_progress_by_sector_region_and_month(programme, role, lang):
    page = programme.client(role, lang=lang).get(TARGETS)
    assert page.status_code == 200, page.text
    text = page.text
    i = 0 if lang == "en" else 1
    assert f'<html lang="{lang}">' in text
    assert "2,000" in text  # the target of SMEs in clusters
    assert "1,200,000" in text and "2,400,000" in text  # the deal value and its target
    assert "50.0%" in text  # half the deal value target, by the end of the year
    for key in ("smes_in_clusters", "matches_by_sector", "value_by_region", "matches_by_month", "behind"):
        assert STRINGS[key][i] in text, key
    for chart in ("chart-matches-sector", "chart-value-sector", "chart-matches-region", "chart-value-region",
                  "chart-matches-month", "chart-value-month"):
        assert f'id="{chart}"' in text
    assert "2026-05" in text and STRINGS["no_target"][i] in text  # no match target given
    assert ("ภาคตะวันออก" in text) == (lang == "th")


def test_the_targets_page_has_defaults(programme):
    page = programme.client("matchmaker", lang="en").get("/web/targets")
    assert page.status_code == 200, page.text
    assert f'name="year" type="number" min="2000" max="2200" value="{dt.date.today().year}"' in page.text
    assert 'name="clustered_target" type="number" min="1" value="2000"' in page.text


@pytest.mark.parametrize("path", ["/web/clusters", "/web/targets", CLUSTERS, TARGETS])
def test_a_buyer_may_see_neither_page(programme, path):
    page = programme.client("buyer").get(path)
    assert page.status_code == 403
    assert "Rayong Press" not in page.text and "2,000" not in page.text
    assert 'href="/web/clusters"' not in page.text


def test_without_a_session_the_pages_ask_to_sign_in(programme):
    response = programme.client().get("/web/targets", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/web/login")


@pytest.mark.parametrize("query, key", [
    ("min_size=9&max_size=3", "err_min_max"),
    ("min_size=0", "err_whole"),
    ("max_size=lots", "err_whole"),
    ("buyers=-1", "err_whole"),
])
@pytest.mark.parametrize("lang", ["en", "th"])
def test_bad_cluster_bounds_are_explained(programme, query, key, lang):
    page = programme.client("matchmaker", lang=lang).get(f"/web/clusters?{query}")
    assert page.status_code == 422
    i = 0 if lang == "en" else 1
    assert fragment(STRINGS[key][i]) in page.text
    assert 'role="alert"' in page.text and 'id="cluster-form"' in page.text  # the form stays, to correct
    if key == "err_min_max":
        assert ("(9)" in page.text) and ("(3)" in page.text)


@pytest.mark.parametrize("query, key", [
    ("year=2026&clustered_target=-5", "err_positive"),
    ("year=2026&clustered_target=2000&match_target=0", "err_positive"),
    ("year=2026&deal_target_thb=-1e6", "err_positive"),
    ("year=2026&deal_target_thb=nan", "err_positive"),
    ("year=2569", "err_whole"),
    ("year=2026&as_of=31/12/2026", "err_date"),
])
def test_bad_targets_are_explained(programme, query, key):
    page = programme.client("matchmaker", lang="en").get(f"/web/targets?{query}")
    assert page.status_code == 422
    assert fragment(STRINGS[key][0]) in page.text
    assert 'role="alert"' in page.text and 'id="targets-form"' in page.text
