"""Sessions that can be ended, secrets outside the store, sign-in guesses throttled: the pages' abuse cases."""

import sqlite3

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tiermatch.api import create_app
from tiermatch.cli import app as cli
from tiermatch.services import add_web_user, change_password, delete_web_user
from tiermatch.settings import Settings

from .conftest import csrf_of, sign_in

pytestmark = pytest.mark.abuse


def _replay(site, cookies) -> int:
    """The dashboard's status for a new browser given ``cookies`` (a stolen or kept cookie)."""
    client = TestClient(site.app)  # not entered: the shared app's lifespan (and its job queue) is left alone
    client.cookies.update(cookies)
    return client.get("/web/dashboard", follow_redirects=False).status_code


def test_a_cookie_kept_after_signing_out_opens_nothing(site):
    client = site.client("matchmaker")
    kept = dict(client.cookies)
    assert _replay(site, kept) == 200
    client.post("/web/logout", data={"csrf": csrf_of(client.get("/web/dashboard").text)})
    assert _replay(site, kept) == 303  # replayed after logout: back to the sign-in page


def test_a_password_change_or_a_deleted_user_ends_their_sessions(site):
    add_web_user(site.store, "malee", "first-password-1", "matchmaker")
    client = site.client()
    assert sign_in(client, username="malee", password="first-password-1").url.path == "/web/dashboard"
    kept = dict(client.cookies)
    change_password(site.store, "malee", "second-password-2")
    assert _replay(site, kept) == 303
    assert sign_in(site.client(), username="malee", password="first-password-1").status_code == 401
    fresh = site.client()
    assert sign_in(fresh, username="malee", password="second-password-2").url.path == "/web/dashboard"
    kept = dict(fresh.cookies)
    delete_web_user(site.store, "malee")
    assert _replay(site, kept) == 303
    assert sign_in(site.client(), username="malee", password="second-password-2").status_code == 401


def test_the_store_holds_nothing_that_opens_a_session(site, tmp_path):
    client = site.client("admin")
    assert client.get("/web/dashboard", follow_redirects=False).status_code == 200
    path = site.app.state.settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        stored = [value for (value,) in conn.execute("SELECT id_hash FROM web_sessions")]
    assert "web_secrets" not in tables  # the cookies' secret lives outside the store
    cookie = client.cookies["tiermatch_session"]
    assert stored and not any(value in cookie for value in stored)  # only hashes of the session ids are stored


def test_the_secret_file_is_private_and_shared_by_every_app(tmp_path):
    secret = tmp_path / "secret"
    settings = Settings(database_url=f"sqlite:///{tmp_path / 's.sqlite'}", secret_file=secret, session_https_only=False)
    store = create_app(settings).state.store
    add_web_user(store, "somsak", "a-long-password", "admin")
    with TestClient(create_app(settings)) as first:
        assert sign_in(first, username="somsak", password="a-long-password").url.path == "/web/dashboard"
        cookies = dict(first.cookies)
    assert oct(secret.stat().st_mode & 0o777) == "0o600"
    with TestClient(create_app(settings)) as second:  # another worker, or a restart, reads the same secret
        second.cookies.update(cookies)
        assert second.get("/web/dashboard", follow_redirects=False).status_code == 200


def test_guessing_is_throttled_per_account_and_says_when_to_try_again(site):
    add_web_user(site.store, "target", "the-real-password", "matchmaker")
    client = site.client(lang="en")
    statuses = [sign_in(client, username="target", password=f"guess-{i}").status_code for i in range(7)]
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]
    refused = sign_in(client, username="target", password="the-real-password")
    assert refused.status_code == 429 and "Too many" in refused.text and refused.headers["retry-after"].isdigit()
    # Someone else, from the same place, is not locked out by the guesses at another account.
    assert sign_in(site.client(), username="somchai", password="ขอให้โชคดี-2567").url.path == "/web/dashboard"


def test_users_managed_from_the_command_line(tmp_path):
    database = f"sqlite:///{tmp_path / 's.sqlite'}"
    runner = CliRunner()
    made = runner.invoke(cli, ["users", "create", "nok", "--role", "matchmaker", "--database", database],
                         input="a-long-password\na-long-password\n")
    assert made.exit_code == 0, made.output
    assert "nok" in made.output and "matchmaker" in made.output
    settings = Settings(database_url=database, secret_file=tmp_path / "secret", session_https_only=False)
    with TestClient(create_app(settings)) as client:
        assert sign_in(client, username="nok", password="a-long-password").url.path == "/web/dashboard"
        kept = dict(client.cookies)
    changed = runner.invoke(cli, ["users", "password", "nok", "--database", database],
                            input="another-password\nanother-password\n")
    assert changed.exit_code == 0, changed.output
    with TestClient(create_app(settings)) as client:
        client.cookies.update(kept)
        assert client.get("/web/dashboard", follow_redirects=False).status_code == 303
        assert sign_in(client, username="nok", password="another-password").url.path == "/web/dashboard"
    listed = runner.invoke(cli, ["users", "list", "--database", database])
    assert "nok" in listed.output and "matchmaker" in listed.output
    gone = runner.invoke(cli, ["users", "delete", "nok", "--database", database])
    assert gone.exit_code == 0, gone.output
    with TestClient(create_app(settings)) as client:
        assert sign_in(client, username="nok", password="another-password").status_code == 401
    again = runner.invoke(cli, ["users", "delete", "nok", "--database", database])
    assert again.exit_code == 1 and "no web user with id 'nok'" in again.output


def test_the_last_admin_key_cannot_be_revoked(tmp_path):
    from tiermatch.services import create_key

    settings = Settings(database_url=f"sqlite:///{tmp_path / 's.sqlite'}", secret_file=tmp_path / "secret")
    with TestClient(create_app(settings)) as client:
        store = client.app.state.store
        only = create_key(store, "admin")
        headers = {"X-API-Key": only["key"]}
        refused = client.delete(f"/keys/{only['key_id']}", headers=headers)
        assert refused.status_code == 409 and "last admin key" in refused.json()["message"]
        assert client.get("/keys", headers=headers).status_code == 200  # still works
        second = create_key(store, "admin")
        assert client.delete(f"/keys/{only['key_id']}", headers={"X-API-Key": second["key"]}).status_code in (200, 204)
        assert client.get("/keys", headers=headers).status_code == 401


def test_double_clicking_start_a_run_lands_twice_on_the_same_run(site):
    import threading

    client = site.client("matchmaker", lang="en")
    release = threading.Event()
    site.app.state.jobs._submit(release.wait)  # a job ahead keeps the run queued between the two clicks
    try:
        form = {"csrf": csrf_of(client.get("/web/runs").text), "top_k": "4", "min_score": "0.25", "fair": "",
                "slots": ""}
        first = client.post("/web/runs", data=form)
        second = client.post("/web/runs", data=form)
    finally:
        release.set()
    assert first.status_code == second.status_code == 200
    assert first.url.path == second.url.path and first.url.path.startswith("/web/runs/")
    run_id = int(first.url.path.rsplit("/", 1)[1])
    assert [r["run_id"] for r in site.store.runs.page(50)[1] if r["options"].get("top_k") == 4] == [run_id]
