"""The curator's loop: words no concept knows, with a suggestion each; a site's own concepts file, merged with
the shipped vocabulary and read again when it changes; through the services, the CLI and the API."""

from __future__ import annotations

import csv
import os
import time

import pytest
from typer.testing import CliRunner

from tiermatch.cli import app
from tiermatch.errors import InvalidVocabularyError
from tiermatch.features import Buyer, Supplier
from tiermatch.features.mapper import ConceptMapper
from tiermatch.features.taxonomy import COLUMNS, ConceptVocabulary
from tiermatch.settings import get_settings

BATIK = {"concept_id": "tex.batik", "sector": "textiles_garments", "name_en": "Batik", "name_th": "ผ้าบาติก",
         "synonyms_en": "batik cloth", "synonyms_th": "บาติก", "hs_code": "", "isic": "", "parent": "",
         "inputs_to": ""}


def _site_file(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def site_file(tmp_path, monkeypatch):
    path = _site_file(tmp_path / "site_concepts.csv", [BATIK])
    monkeypatch.setenv("TIERMATCH_CONCEPTS_FILE", str(path))
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def test_a_site_file_adds_concepts_and_restates_shipped_ones(tmp_path):
    shipped = ConceptVocabulary.load()
    wheels = shipped["auto.wheels"]
    restated = {**BATIK, "concept_id": "auto.wheels", "sector": "automotive", "name_en": wheels.name_en,
                "name_th": wheels.name_th, "synonyms_en": "rims", "synonyms_th": "กระทะล้อ", "parent": wheels.parent}
    merged = ConceptVocabulary.load(site=_site_file(tmp_path / "s.csv", [BATIK, restated]))
    assert len(merged) == len(shipped) + 1 and merged["tex.batik"].name_th == "ผ้าบาติก"
    mapper = ConceptMapper(merged).fit()
    assert mapper.top_concepts("ผ้าบาติกเขียนมือ", 1)[0][0] == "tex.batik"
    assert mapper.top_concepts("กระทะล้อ", 1)[0][0] == "auto.wheels"


def test_a_broken_site_file_is_named_with_what_is_wrong(tmp_path):
    with pytest.raises(InvalidVocabularyError, match=r"tex\.orphan: parent 'tex\.nowhere' is not a concept_id"):
        ConceptVocabulary.load(site=_site_file(tmp_path / "s.csv", [{**BATIK, "concept_id": "tex.orphan",
                                                                      "parent": "tex.nowhere"}]))
    broken = tmp_path / "b.csv"
    broken.write_text("concept_id,name_en\nx,y\n", encoding="utf-8")
    with pytest.raises(InvalidVocabularyError, match=r"b\.csv: expected columns .* sector"):
        ConceptVocabulary.load(site=broken)


def test_runs_read_the_site_file_again_when_it_changes(site_file):
    from tiermatch.features.sources import SupplierSource
    from tiermatch.services import Register, RunOptions, match_register

    suppliers = [Supplier(supplier_id="S1", name="a", sector="textiles_garments", products="บาติก",
                          province="Phuket")]
    buyers = [Buyer(buyer_id="B1", name="x", buyer_type="retailer", sector="textiles_garments",
                    needs="batik cloth", province="Phuket")]
    register = Register(SupplierSource.from_records(suppliers), buyers, suppliers=suppliers)
    first = match_register(register, RunOptions(scorer="prior"))
    assert first.shortlists[0].reasons.startswith("makes batik (needed)")
    # The curator renames the concept; the next run reads the change, no restart.
    _site_file(site_file, [{**BATIK, "name_en": "Batik fabric"}])
    os.utime(site_file, ns=(time.time_ns(), time.time_ns() + 10**9))
    second = match_register(register, RunOptions(scorer="prior"))
    assert second.shortlists[0].reasons.startswith("makes batik fabric (needed)")


def test_the_cli_lists_words_no_concept_knows_without_filler(tmp_path, write_csv):
    from tests.conftest import BUYER_HEADER, SUPPLIER_HEADER

    def row(header, **cells):
        return [cells.get(c, "") for c in header]

    suppliers = write_csv("s.csv", SUPPLIER_HEADER, [
        row(SUPPLIER_HEADER, supplier_id=f"S{i}", name="a", sector="textiles_garments",
            products="ผ้าบาติกเขียนมือ กำลังผลิต 500 ผืน", province="Phuket") for i in range(3)])
    buyers = write_csv("b.csv", BUYER_HEADER, [
        row(BUYER_HEADER, buyer_id="B1", name="x", buyer_type="retailer", sector="textiles_garments",
            needs="hand-drawn batik", province="Phuket")])
    out = tmp_path / "unmatched.csv"
    result = CliRunner().invoke(app, ["vocabulary", "suggest", "--suppliers", str(suppliers), "--buyers", str(buyers),
                                      "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with open(out, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    terms = {r["term"]: r for r in rows}
    assert "batik" in terms and terms["batik"]["profiles"] == "1"
    assert "กำลังผลิต" not in terms and "Words no concept knows" in result.output


def test_the_api_lists_them_for_matchmakers_only(tmp_path):
    from fastapi.testclient import TestClient

    from tiermatch.api import create_app
    from tiermatch.services import create_key
    from tiermatch.settings import Settings

    service = create_app(Settings(database_url=f"sqlite:///{tmp_path}/s.sqlite"))
    store = service.state.store
    store.import_register([Supplier(supplier_id="S1", name="a", sector="textiles_garments", products="ผ้าบาติก",
                                    province="Phuket")], [])
    with TestClient(service) as client:
        assert client.get("/vocabulary/suggestions").status_code == 401
        response = client.get("/vocabulary/suggestions?top=5",
                              headers={"X-API-Key": create_key(store, "matchmaker")["key"]})
        assert response.status_code == 200, response.text
        assert [s["term"] for s in response.json()] == ["บาติก"]


def test_a_word_filed_through_the_api_is_no_longer_suggested_and_the_next_run_reads_it(tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from tiermatch.api import create_app
    from tiermatch.services import create_key
    from tiermatch.settings import Settings

    monkeypatch.setenv("TIERMATCH_CONCEPTS_FILE", str(tmp_path / "site.csv"))
    get_settings.cache_clear()
    service = create_app(Settings(database_url=f"sqlite:///{tmp_path}/s.sqlite"))
    store = service.state.store
    store.import_register([Supplier(supplier_id="S1", name="a", sector="textiles_garments", products="ผ้าบาติก",
                                    province="Phuket")], [])
    try:
        with TestClient(service) as client:
            key = {"X-API-Key": create_key(store, "matchmaker")["key"]}
            filed = client.post("/vocabulary/terms", json={"term": "บาติก", "concept_id": "tex.textiles"}, headers=key)
            assert filed.status_code == 201, filed.text
            assert client.get("/vocabulary/suggestions?top=5", headers=key).json() == []
            assert client.post("/vocabulary/terms", json={"term": "x", "concept_id": "no.such"},
                               headers=key).status_code == 404
            admin = {"X-API-Key": create_key(store, "admin")["key"]}
            assert client.post("/vocabulary/terms", json={"term": "x", "concept_id": "tex.textiles"}).status_code \
                == 401
            assert client.post("/vocabulary/terms", json={"term": "ผ้ามัดย้อม", "concept_id": "tex.textiles"},
                               headers=admin).status_code == 201
        assert ConceptMapper(ConceptVocabulary.load(site=tmp_path / "site.csv")).fit([]).top_concepts("บาติก")[0][0] \
            == "tex.textiles"
    finally:
        get_settings.cache_clear()


def test_the_cli_files_a_word_and_keeps_the_sites_comments(tmp_path, monkeypatch):
    site = tmp_path / "site.csv"
    site.write_text("# our own concepts, kept by the DIP curator\n" + ",".join(COLUMNS) + "\n"
                    + ",".join(BATIK[c] for c in COLUMNS) + "\n", encoding="utf-8")
    monkeypatch.setenv("TIERMATCH_CONCEPTS_FILE", str(site))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["vocabulary", "file", "ล้อซิ่ง", "--concept", "auto.wheels"])
        assert result.exit_code == 0, result.output
        assert "filed under auto.wheels" in result.output
        text = site.read_text("utf-8")
        assert text.startswith("# our own concepts") and "tex.batik" in text  # nothing of the site's lost
        vocabulary = ConceptVocabulary.load(site=site)
        mapper = ConceptMapper(vocabulary).fit([])
        assert mapper.top_concepts("ล้อซิ่ง")[0][0] == "auto.wheels" and mapper.top_concepts("batik cloth")
        wrong = CliRunner().invoke(app, ["vocabulary", "file", "a;b", "--concept", "auto.wheels"])
        assert wrong.exit_code != 0 and "a word to file is 1 to 100 characters" in wrong.output
    finally:
        get_settings.cache_clear()


def test_words_filed_at_the_same_moment_are_all_kept(tmp_path, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    from tiermatch.services import file_term

    site = tmp_path / "site.csv"
    monkeypatch.setenv("TIERMATCH_CONCEPTS_FILE", str(site))
    get_settings.cache_clear()
    try:
        words = [f"wheelword{k}" for k in range(24)]
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda w: file_term(w, "auto.wheels"), words))
        wheels = next(c for c in ConceptVocabulary.load(site=site) if c.concept_id == "auto.wheels")
        assert set(words) <= set(wheels.synonyms_en)
    finally:
        get_settings.cache_clear()
