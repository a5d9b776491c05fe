"""A matchmaking day too short for its meetings says so where the matchmaker looks: the run page and the top of
the agenda, with names and why; the agenda's downloads carry names."""

import csv
import io

from .conftest import Site


def test_meetings_without_a_slot_are_named_with_why_on_the_run_and_agenda_pages(tmp_path):
    site = Site(tmp_path / "store.sqlite", top_k=5)
    try:
        api = site.client()
        h = {"X-API-Key": site.keys["matchmaker"]}
        started = api.post("/runs", json={"top_k": 5, "slots": 1}, headers=h).json()
        from ..api.conftest import wait_for_run
        run = wait_for_run(api, started["run_id"], h)
        agenda = run["summary"]["agenda"]
        assert agenda["slots"] == 1 and agenda["unscheduled_meetings"] > 0
        thai = site.client("matchmaker", lang="th")
        page = thai.get(f"/web/runs/{run['run_id']}")
        assert page.status_code == 200
        assert f"มี {agenda['unscheduled_meetings']} นัดที่จัดลงตารางไม่ได้" in page.text and 'id="run-unscheduled"' in page.text
        day = thai.get(f"/web/runs/{run['run_id']}/agenda?by=buyer")
        assert day.status_code == 200
        top = day.text.index('id="unscheduled"')
        assert top < day.text.index('class="agenda-entry"')  # above the agendas, not at the bottom of a long page
        assert "Eastern Seats" in day.text[top:] and "นัดแต่มีเพียง 1 ช่วงเวลา" in day.text
        download = thai.get(f"/web/runs/{run['run_id']}/download/agenda_by_buyer.csv").text
        rows = list(csv.DictReader(io.StringIO(download)))
        assert rows and all(r["buyer_name"] and r["supplier_name"] for r in rows)
    finally:
        site.close()
