"""The pages on a phone (390 x 844, touch): no page wider than the screen, and a buyer's buttons tappable.

Uses the browser fixtures of ``test_browser`` (Debian's Chromium through Playwright; skipped where it is
missing, failed on CI)."""

from __future__ import annotations

import pytest

from .test_browser import browser, server, sign_in  # noqa: F401  (fixtures)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
MATCHMAKER_PAGES = ["/web/dashboard", "/web/buyers", "/web/buyers/{buyer}", "/web/suppliers", "/web/runs",
                    "/web/runs/1", "/web/runs/1/assignment", "/web/runs/1/agenda?by=buyer", "/web/runs/1/groups",
                    "/web/clusters", "/web/targets", "/web/vocabulary", "/web/users"]


@pytest.fixture
def phone(browser, server):  # noqa: F811
    context = browser.new_context(base_url=server.url, locale="th-TH", **PHONE)
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


def _overflow(page) -> int:
    """How many CSS pixels the page is wider than the screen (0 where it fits). Not ``innerWidth``: a phone's
    browser widens its layout viewport to a page too wide for it, so that would always fit."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("lang", ["th", "en"])
def test_no_matchmaker_page_is_wider_than_a_phone(phone, server, lang):  # noqa: F811
    sign_in(phone, server.keys.get("admin") or server.keys["matchmaker"])
    too_wide = {}
    for path in MATCHMAKER_PAGES:
        url = path.format(buyer=server.buyer_ids[0])
        response = phone.goto(f"{url}{'&' if '?' in url else '?'}lang={lang}")
        assert response.status == 200 or (path == "/web/users" and response.status == 403), (url, response.status)
        if response.status == 200 and _overflow(phone) > 0:
            too_wide[url] = _overflow(phone)
    assert too_wide == {}


def test_a_buyer_taps_accept_on_a_phone_and_lands_on_its_shortlist(phone, server):  # noqa: F811
    sign_in(phone, server.keys["buyer"])
    buyer = server.buyer_ids[0]
    assert phone.url.endswith(f"/web/buyers/{buyer}")
    assert _overflow(phone) == 0
    accept = phone.locator("#shortlist tbody tr[data-supplier] button.ok").first
    accept.scroll_into_view_if_needed()
    box = accept.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    supplier = phone.locator("#shortlist tbody tr[data-supplier]").first.get_attribute("data-supplier")
    with phone.expect_navigation() as landed:
        accept.tap()
    assert landed.value.status == 200 and phone.url.endswith(f"/web/buyers/{buyer}")
    assert phone.locator(".flash").count() == 1 and supplier in phone.locator(".flash").inner_text()
    assert _overflow(phone) == 0
