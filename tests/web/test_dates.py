"""Times on the pages as people here read them: the site's zone, Buddhist-era years and Thai months in Thai."""

import datetime as dt

from tiermatch.api.web.pages import local_time


def test_the_runs_pages_show_local_time_with_the_thai_year(site):
    run = site.store.runs.get(site.run["run_id"])
    local = run["created_at"].replace(tzinfo=dt.timezone.utc).astimezone(dt.timezone(dt.timedelta(hours=7)))
    thai = site.client("matchmaker", lang="th")
    for path in ("/web/runs", f"/web/runs/{run['run_id']}"):
        page = thai.get(path)
        assert page.status_code == 200
        assert f"{local.year + 543} {local:%H:%M}" in page.text and "เวลาประเทศไทย" in page.text
        assert f"{run['created_at']:%Y-%m-%d %H:%M}" not in page.text
    english = site.client("matchmaker", lang="en").get("/web/runs").text
    assert f"{local.day} {local:%b %Y %H:%M} (Asia/Bangkok)" in english


def test_a_time_after_five_pm_utc_is_the_next_day_in_bangkok():
    assert local_time(dt.datetime(2026, 12, 31, 17, 30), "th", "Asia/Bangkok") == "1 ม.ค. 2570 00:30 (เวลาประเทศไทย)"
    assert local_time(None, "en", "Asia/Bangkok") == ""


def test_a_query_parameter_no_page_takes_is_refused_not_ignored(site):
    client = site.client("matchmaker", lang="en")
    run_id = site.run["run_id"]
    refused = client.get(f"/web/runs/{run_id}/agenda?buyer_id=B1")
    assert refused.status_code == 422 and "buyer_id" in refused.text and "<html" in refused.text.lower()
    assert client.get(f"/web/runs/{run_id}/agenda?by=buyer&lang=th").status_code == 200


def test_the_run_page_in_thai_names_its_options_in_thai_and_separates_thousands(site):
    page = site.client("matchmaker", lang="th").get(f"/web/runs/{site.run['run_id']}").text
    assert "จำนวนในรายชื่อ 5" in page and "กระจายโอกาสอย่างเป็นธรรม: " in page
    assert "top_k" not in page and "min_score" not in page and "fair True" not in page and "fair False" not in page
    summary = site.store.runs.get(site.run["run_id"])["summary"]
    assert f"<b>{summary['candidate_pairs']:,}</b>" in page
