"""Fixtures for the service: a real app over a SQLite file, a small register, a key per role."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from tiermatch.api import create_app
from tiermatch.features import Buyer, Supplier
from tiermatch.services import create_key
from tiermatch.settings import Settings

SUPPLIERS = [
    dict(supplier_id="S1", name="Siam Stamping", sector="automotive", products="stamped metal parts brackets",
         province="Chon Buri", certifications=["IATF 16949", "ISO 9001"], capacity_thb_per_month=3_000_000),
    dict(supplier_id="S2", name="Rayong Press", sector="automotive", products="metal stamping parts and brackets",
         province="Rayong", certifications=["IATF 16949"], export_ready=True),
    dict(supplier_id="S3", name="Korat Castings", sector="automotive", products="cast metal parts brackets",
         province="Nakhon Ratchasima", certifications=["ISO 9001"]),
    dict(supplier_id="S4", name="Mae Ploy Sauce", sector="processed_food", products="chili sauce and fish sauce",
         province="Samut Sakhon", certifications=["GMP", "Halal", "Thai FDA"], export_ready=True),
    dict(supplier_id="S5", name="Lanna Chili", sector="processed_food", products="sweet chili sauce",
         province="Chiang Mai", certifications=["GMP", "Thai FDA"], otop=True),
    dict(supplier_id="S6", name="Hat Yai Halal Foods", sector="processed_food", products="halal chili paste and sauce",
         province="Songkhla", certifications=["Halal", "GMP"]),
]
BUYERS = [
    dict(buyer_id="B1", name="Eastern Seats", buyer_type="first_tier", sector="automotive",
         needs="stamped metal brackets and parts", province="Rayong", max_suppliers=2),
    dict(buyer_id="B2", name="Thai Sauce Export", buyer_type="exporter", sector="processed_food",
         needs="chili sauce", province="Bangkok", required_certifications=["GMP"]),
    dict(buyer_id="B3", name="Big Mart", buyer_type="retailer", sector="processed_food",
         needs="chili sauce and paste", province="Bangkok"),
]


def wait_for_run(client: TestClient, run_id: int, headers: dict, timeout: float = 60) -> dict:
    """Poll a run until it completes or fails (not a timing assertion: a guard against hanging)."""
    deadline = time.monotonic() + timeout
    while True:
        run = client.get(f"/runs/{run_id}", headers=headers).json()
        if run["status"] in ("completed", "failed") or time.monotonic() > deadline:
            return run
        time.sleep(0.05)


class Service:
    """A running app, its client, and a header per role."""

    def __init__(self, path):
        self.url = f"sqlite:///{path}"
        self.app = create_app(Settings(database_url=self.url))
        self.store = self.app.state.store
        self.store.import_register([Supplier(**s) for s in SUPPLIERS], [Buyer(**b) for b in BUYERS])
        self.client = TestClient(self.app)
        self.client.__enter__()
        self.headers = {
            role: {"X-API-Key": create_key(self.store, role, buyer_id)["key"]}
            for role, buyer_id in (("admin", None), ("matchmaker", None))
        }
        self.headers["buyer"] = {"X-API-Key": create_key(self.store, "buyer", "B1")["key"]}
        self.headers["buyer2"] = {"X-API-Key": create_key(self.store, "buyer", "B2")["key"]}

    def run(self, **options) -> dict:
        response = self.client.post("/runs", json=options, headers=self.headers["matchmaker"])
        assert response.status_code == 202, response.text
        return wait_for_run(self.client, response.json()["run_id"], self.headers["matchmaker"])

    def close(self):
        self.client.__exit__(None, None, None)


@pytest.fixture
def service(tmp_path):
    """A fresh service with the small register stored and no run yet."""
    svc = Service(tmp_path / "store.sqlite")
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A service with one completed run, shared by the read-only tests of a module."""
    svc = Service(tmp_path_factory.mktemp("served") / "store.sqlite")
    run = svc.run(top_k=5)
    assert run["status"] == "completed", run
    yield svc
    svc.close()
