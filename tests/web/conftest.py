"""Fixtures for the pages: the real app over a SQLite file, signed-in clients per role, a served register."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tiermatch.api import create_app
from tiermatch.features import Buyer, Supplier
from tiermatch.services import add_web_user, create_key
from tiermatch.settings import Settings

from ..api.conftest import BUYERS, SUPPLIERS, wait_for_run

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The form token a page carries."""
    return CSRF.search(html).group(1)


def sign_in(client: TestClient, **form) -> object:
    """Sign in through the form, as a browser does; returns the final response."""
    page = client.get("/web/login")
    return client.post("/web/login", data={"csrf": csrf_of(page.text), **form})


class Site:
    """A running app with one completed run (a matchmaking day), keys per role and a user."""

    def __init__(self, path, https_only: bool = False, top_k: int = 5):
        self.app = create_app(Settings(database_url=f"sqlite:///{path}", session_https_only=https_only))
        self.store = self.app.state.store
        self.store.import_register([Supplier(**s) for s in SUPPLIERS], [Buyer(**b) for b in BUYERS])
        self.keys = {role: create_key(self.store, role)["key"] for role in ("admin", "matchmaker")}
        self.keys["buyer"] = create_key(self.store, "buyer", "B1")["key"]
        self.keys["buyer2"] = create_key(self.store, "buyer", "B2")["key"]
        add_web_user(self.store, "somchai", "ขอให้โชคดี-2567", "matchmaker")
        self._clients = []
        api = self.client()
        response = api.post("/runs", json={"top_k": top_k, "slots": 4}, headers={"X-API-Key": self.keys["matchmaker"]})
        assert response.status_code == 202, response.text
        self.run = wait_for_run(api, response.json()["run_id"], {"X-API-Key": self.keys["matchmaker"]})
        assert self.run["status"] == "completed", self.run

    def client(self, role: str | None = None, lang: str | None = None) -> TestClient:
        """A new browser-like client, signed in with ``role``'s key when given."""
        client = TestClient(self.app, follow_redirects=True)
        client.__enter__()
        self._clients.append(client)
        if lang:
            client.get(f"/web/login?lang={lang}")
        if role:
            response = sign_in(client, api_key=self.keys[role])
            assert response.status_code == 200, response.text
        return client

    def close(self):
        for client in self._clients:
            client.__exit__(None, None, None)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("web") / "store.sqlite")
    yield site
    site.close()
