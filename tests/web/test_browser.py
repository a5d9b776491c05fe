"""The pages in a real headless Chromium (Debian's ``chromium``, driven by Playwright), against uvicorn.

``.ci/run`` installs Chromium and the Thai fonts; elsewhere these tests skip, saying why, where
``/usr/bin/chromium`` is missing (on CI, with ``CI`` set, they fail instead). Screenshots of the
main pages go to ``test-output/web/``. Playwright's own browser download is never used.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from tiermatch.api import create_app
from tiermatch.datasets import make_register
from tiermatch.features.pairs import FEATURE_NAMES
from tiermatch.services import RunOptions, create_key, execute_run, queue_run
from tiermatch.settings import Settings

CHROMIUM = os.environ.get("TIERMATCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "web"


def _browser_or_skip():
    """Playwright and Chromium, or a skip with the reason (a failure on CI, which installs both)."""
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "the playwright package is not installed (pip install -e '.[test]')"
    if missing is None and not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        missing = f"no Chromium at {CHROMIUM} (apt-get install -y chromium fonts-thai-tlwg; .ci/run does this)"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run on CI: {missing}")
        pytest.skip(f"browser tests skipped: {missing}")
    return sync_playwright


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """uvicorn serving the whole app on 127.0.0.1 in a thread, over a demo register with one completed run."""

    def __init__(self, path: Path):
        import uvicorn

        self.app = create_app(Settings(database_url=f"sqlite:///{path}"))  # Secure cookie, as by default
        self.store = self.app.state.store
        register = make_register(300, 30, random_state=0)
        self.store.import_register(register.suppliers, register.buyers, register.partnerships)
        options = RunOptions(top_k=10, slots=6)
        execute_run(self.store, queue_run(self.store, options)["run_id"], options)
        assert self.store.runs.latest_completed_id() == 1
        self.keys = {"matchmaker": create_key(self.store, "matchmaker")["key"]}
        self.buyer_ids = [b.buyer_id for b in register.buyers]
        self.keys["buyer"] = create_key(self.store, "buyer", self.buyer_ids[0])["key"]
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)

    def close(self):
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    _browser_or_skip()
    server = Server(tmp_path_factory.mktemp("browser") / "store.sqlite")
    yield server
    server.close()


@pytest.fixture(scope="module")
def browser(server):
    sync_playwright = _browser_or_skip()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server.url, viewport={"width": 1366, "height": 900}, locale="th-TH")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, key: str):
    page.goto("/web/login")
    page.fill("#api-key", key)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()


def shoot(page, name: str):
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_matchmaker_signs_in_and_sees_the_dashboard_in_thai(page, server):
    page.goto("/web/dashboard")
    assert "/web/login" in page.url
    shoot(page, "01_sign_in_th")
    sign_in(page, server.keys["matchmaker"])
    assert page.url.endswith("/web/dashboard")
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.locator("#chart-smes-sector svg rect").count() == 7
    assert page.get_by_text("SME ตามสาขา").is_visible()
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["tiermatch_session"]["httpOnly"] and cookies["tiermatch_session"]["secure"]
    shoot(page, "02_dashboard_th")
    page.click("#lang-switch")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("SMEs by sector").is_visible()
    shoot(page, "03_dashboard_en")


def test_browse_filter_explain_and_record_feedback(page, server):
    sign_in(page, server.keys["matchmaker"])
    page.goto("/web/buyers?lang=en")
    page.locator("#buyers tbody tr a").first.click()
    page.wait_for_load_state()
    buyer_id = page.url.rsplit("/", 1)[1]
    rows = page.locator("#shortlist tbody tr[data-supplier]")
    assert rows.count() == 10
    shoot(page, "04_shortlist_en")

    # Filter by a certification the first SME holds: every row left holds it.
    certification = rows.first.locator(".tag").first.inner_text()
    page.fill("#filters input[name=certification]", certification)
    page.click("#filters button[type=submit]")
    page.wait_for_load_state()
    assert "certification=" in page.url
    filtered = page.locator("#shortlist tbody tr[data-supplier]")
    assert filtered.count() >= 1
    for k in range(filtered.count()):
        assert certification in filtered.nth(k).locator("td").nth(4).inner_text()
    shoot(page, "05_shortlist_filtered_en")

    # One click to the pair's explanation.
    supplier_id = filtered.first.get_attribute("data-supplier")
    filtered.first.locator("a.explain").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/web/buyers/{buyer_id}/pairs/{supplier_id}")
    assert page.locator("table.features tbody tr").count() == len(FEATURE_NAMES)
    assert page.locator("#chart-features svg rect").count() == len(FEATURE_NAMES)
    shoot(page, "06_explanation_en")

    # A deal, recorded from the explanation and stored.
    page.click("form.feedback button[value=deal]")
    page.wait_for_load_state()
    assert page.locator("p.flash").inner_text() == f"Recorded: deal for {supplier_id}."
    _, stored = server.store.history.page(buyer_id=buyer_id, supplier_id=supplier_id)
    assert "deal" in [p.outcome for p in stored]


def test_start_a_run_watch_it_finish_and_browse_its_results(page, server):
    sign_in(page, server.keys["matchmaker"])
    page.goto("/web/runs?lang=en")
    page.fill("#start-run input[name=slots]", "6")
    page.fill("#start-run input[name=top_k]", "8")
    page.click("#start-run button[type=submit]")
    page.wait_for_url(re.compile(r"/web/runs/\d+$"))
    run_id = int(page.url.rsplit("/", 1)[1])
    # The page polls the run's progress and reloads once when it ends.
    page.wait_for_selector('#run-status[data-status="completed"], #run-status[data-status="failed"]', timeout=45_000)
    assert page.locator("#run-status").get_attribute("data-status") == "completed", page.content()
    assert server.store.runs.get(run_id)["options"]["slots"] == 6
    shoot(page, "07_run_en")

    page.click(f"a[href='/web/runs/{run_id}/agenda?by=buyer']")
    page.wait_for_load_state()
    assert page.locator("section.agenda-entry").count() >= 1
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()  # printable: no navigation
    shoot(page, "08_agenda_by_buyer_print")
    page.emulate_media(media="screen")
    page.goto(f"/web/runs/{run_id}/agenda?by=supplier&lang=th")
    shoot(page, "09_agenda_by_sme_th")
    page.goto(f"/web/runs/{run_id}/groups")
    shoot(page, "10_groups_th")
    with page.expect_download() as download:
        page.goto(f"/web/runs/{run_id}")
        page.click(f"a[href='/web/runs/{run_id}/download/assignment.csv']")
    assert download.value.suggested_filename == f"run{run_id}_assignment.csv"
    assert Path(download.value.path()).read_text(encoding="utf-8").startswith("buyer_id,supplier_id,score")


def test_a_buyer_sees_only_its_own_shortlist(page, server):
    own, other = server.buyer_ids[0], server.buyer_ids[1]
    sign_in(page, server.keys["buyer"])
    assert page.url.endswith(f"/web/buyers/{own}")
    assert page.locator("#shortlist tbody tr[data-supplier]").count() >= 1
    assert page.locator("header nav a").count() == 1
    shoot(page, "11_buyer_shortlist_th")
    page.locator("#shortlist form.feedback button[value=accepted]").first.click()
    page.wait_for_load_state()
    assert page.locator("p.flash").is_visible()
    for path in (f"/web/buyers/{other}", "/web/dashboard", "/web/runs", "/web/suppliers"):
        response = page.goto(path)
        assert response.status == 403, path
    shoot(page, "12_buyer_forbidden_th")


def test_an_smes_page(page, server):
    sign_in(page, server.keys["matchmaker"])
    page.goto("/web/suppliers")
    page.locator("#suppliers tbody tr a").first.click()
    page.wait_for_load_state()
    assert page.locator("#profile").is_visible()
    assert page.locator("#recommendations tbody tr").count() >= 1
    shoot(page, "13_sme_th")


def test_a_curator_files_an_unknown_word_under_a_concept(page, server, tmp_path, monkeypatch):
    from tiermatch.settings import get_settings

    monkeypatch.setenv("TIERMATCH_CONCEPTS_FILE", str(tmp_path / "site_concepts.csv"))
    get_settings.cache_clear()
    try:
        sign_in(page, server.keys["matchmaker"])
        page.goto("/web/vocabulary?lang=en")
        first = page.locator("#unknown-words tbody tr[data-term]").first
        word = first.get_attribute("data-term")
        first.locator("input[name=concept_id]").fill("tex.textiles")
        first.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert page.url.endswith("/web/vocabulary")
        assert "is now read as tex.textiles" in page.locator(".flash").inner_text()
        assert page.locator(f'#unknown-words tr[data-term="{word}"]').count() == 0
        shoot(page, "15_vocabulary_en")
        assert word in (tmp_path / "site_concepts.csv").read_text("utf-8")
    finally:
        get_settings.cache_clear()
