"""The concept vocabulary, the text-to-concept mapper and the learned links."""

import csv
import os
import re
from collections import defaultdict
from importlib import resources

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from tiermatch.errors import InvalidVocabularyError
from tiermatch.features.mapper import ConceptMapper, _trie_pattern
from tiermatch.features.reference import SECTORS
from tiermatch.features.taxonomy import Concept, ConceptVocabulary
from tiermatch.features.text import tokenize


@pytest.fixture(scope="module")
def vocabulary():
    return ConceptVocabulary.load()


@pytest.fixture(scope="module")
def mapper(vocabulary):
    return ConceptMapper(vocabulary=vocabulary).fit()


def top_concept(mapper, text):
    """The concept of weight 1 that the text matches, if exactly one; else all of them."""
    X = mapper.transform([text])
    names = mapper.get_feature_names_out()
    full = sorted(str(names[j]) for j, w in zip(X.indices, X.data) if w == 1.0)
    return full[0] if len(full) == 1 else full


# A Thai SME's words and a buyer's English words for the same thing.
PAIRS = [
    ("auto.stamped_metal_parts", "รับผลิตชิ้นส่วนโลหะปั๊มขึ้นรูป", "Sourcing stamped metal parts"),
    ("auto.stamped_metal_parts", "งานปั๊มขึ้นรูป", "metal stamping"),
    ("tex.seat_fabric", "ผ้าหุ้มเบาะรถยนต์", "automotive seat fabric"),
    ("auto.wire_harness", "ชุดสายไฟรถยนต์", "wire harnesses"),
    ("auto.rubber_parts", "ซีลยางและปะเก็น", "rubber seals and gaskets"),
    ("auto.brake_parts", "ผ้าเบรก", "brake pads"),
    ("auto.tyres", "ยางรถยนต์", "car tyres"),
    ("auto.seats", "เบาะรถยนต์", "car seats"),
    ("mach.machining", "งานกลึงซีเอ็นซี", "CNC machining"),
    ("mach.plastic_injection", "งานฉีดพลาสติก", "plastic injection molding"),
    ("cosm.herbal_soap", "สบู่สมุนไพร", "herbal soap"),
    ("cosm.sunscreen", "ครีมกันแดด", "sunscreen"),
    ("cosm.serum", "เซรั่มบำรุงผิว", "face serum"),
    ("cosm.hair_care", "แชมพูสมุนไพร", "shampoo"),
    ("cosm.essential_oils", "น้ำมันหอมระเหย", "essential oils"),
    ("gem.silver_jewelry", "เครื่องประดับเงิน", "silver jewellery"),
    ("gem.gemstones", "พลอย", "precious stones"),
    ("gem.sapphire", "พลอยไพลิน", "blue sapphire"),
    ("gem.pearls", "ไข่มุกน้ำจืด", "cultured pearls"),
    ("gem.gold_jewelry", "ทองรูปพรรณ", "gold jewelry"),
    ("food.chili_sauce", "ซอสพริกศรีราชา", "sriracha chili sauce"),
    ("food.frozen_durian", "ทุเรียนแช่แข็ง", "frozen durian"),
    ("food.canned_tuna", "ทูน่ากระป๋อง", "canned tuna"),
    ("food.shrimp", "กุ้งแช่แข็ง", "frozen shrimp"),
    ("food.rice", "ข้าวหอมมะลิ", "jasmine rice"),
    ("food.dried_fruit", "มะม่วงอบแห้ง", "dried mango"),
    ("tex.thai_silk", "ผ้าไหม", "Thai silk"),
    ("tex.garments", "เสื้อผ้าสำเร็จรูป", "ready-made garments"),
    ("tex.tshirts", "เสื้อยืดคอกลม", "T-shirts"),
    ("tex.denim", "ผ้าเดนิม", "denim fabric"),
    ("tex.uniforms", "ชุดยูนิฟอร์มพนักงาน", "work uniforms"),
    ("palm.crude_palm_oil", "น้ำมันปาล์มดิบ", "crude palm oil (CPO)"),
    ("palm.palm_kernel_oil", "น้ำมันเมล็ดในปาล์ม", "palm kernel oil"),
    ("palm.ffb", "ทะลายปาล์มสด", "fresh fruit bunches"),
    ("palm.glycerin", "กลีเซอรีน", "refined glycerine"),
    ("pack.corrugated_boxes", "กล่องกระดาษลูกฟูก", "corrugated carton boxes"),
    ("logi.cold_chain", "ขนส่งห้องเย็น", "refrigerated transport"),
]


@pytest.mark.parametrize("concept_id, thai, english", PAIRS, ids=[p[0] + ":" + p[2] for p in PAIRS])
def test_thai_and_english_map_to_the_same_concept(mapper, concept_id, thai, english):
    assert top_concept(mapper, thai) == concept_id
    assert top_concept(mapper, english) == concept_id


def test_pairs_cover_every_named_sector():
    sectors = {ConceptVocabulary.load()[cid].sector for cid, _, _ in PAIRS}
    assert sectors == set(SECTORS)


def test_parent_gets_a_smaller_weight(mapper):
    X = mapper.transform(["ชิ้นส่วนโลหะปั๊ม"])
    index = mapper.vocabulary_.index_
    assert X[0, index["auto.stamped_metal_parts"]] == 1.0
    assert X[0, index["auto.parts"]] == pytest.approx(0.3)


def test_thai_substring_match_survives_a_different_segmentation(mapper):
    # newmm cuts เดนิม into เด/นิ/ม; the substring pass still finds it, and drops
    # the bare ผ้า (textiles) that lies inside the longer match.
    assert tokenize("ผ้าเดนิม") != ["ผ้าเดนิม"]
    assert top_concept(mapper, "ผ้าเดนิม") == "tex.denim"


def test_short_thai_words_are_not_found_inside_longer_words(mapper):
    assert mapper.transform(["ขนม"])[0, mapper.vocabulary_.index_["food.dairy"]] == 0
    assert mapper.transform(["เพชรบุรี"]).nnz == 0


def test_transform_shape_rows_and_caching(mapper, vocabulary):
    texts = ["ผ้าไหม", "stamped parts", "ผ้าไหม", "", "zzz"]
    X = mapper.transform(texts)
    assert sp.isspmatrix_csr(X) and X.shape == (5, len(vocabulary))
    assert (X[0] != X[2]).nnz == 0
    assert X[3].nnz == 0 and X[4].nnz == 0
    assert X.data.max() <= 1.0


def test_norm_option(vocabulary):
    X = ConceptMapper(vocabulary=vocabulary, norm="l2").fit().transform(["ผ้าหุ้มเบาะรถยนต์"])
    assert np.linalg.norm(X.toarray()) == pytest.approx(1.0)


def test_unmatched_terms_are_reported(mapper):
    texts = ["ผ้าหุ้มเบาะ กันไฟ", "seat fabric flame retardant", "ผ้าหุ้มเบาะ กันไฟ"]
    X = mapper.transform(texts)
    assert X.shape[0] == 3
    assert mapper.unmatched_terms_["retardant"] == 1
    assert mapper.unmatched_terms_["ไฟ"] == 2
    report = dict(mapper.report_unmatched(texts))
    assert report["ไฟ"] == 2 and "fabric" not in report and "เบาะ" not in report


def test_input_output_adjacency(vocabulary, mapper):
    index = vocabulary.index_
    R = mapper.related_concepts_
    assert R.shape == (len(vocabulary), len(vocabulary))
    # Seat fabric (textiles) is an input to seats (automotive) and, more weakly, to interior parts.
    assert R[index["tex.seat_fabric"], index["auto.seats"]] == 1.0
    assert 0 < R[index["tex.seat_fabric"], index["auto.parts"]] < 1.0
    # Inherited: stamped parts are auto parts, and auto parts feed vehicles.
    assert R[index["auto.stamped_metal_parts"], index["auto.vehicles"]] == 1.0
    assert R[index["palm.crude_palm_oil"], index["cosm.soap_base"]] == 1.0
    assert R[index["palm.crude_palm_oil"], index["food.vegetable_oils"]] == 1.0
    assert R.diagonal().sum() == 0
    sector_row = mapper.input_sectors_[index["tex.seat_fabric"]]
    assert [SECTORS[j] for j in sector_row.indices] == ["automotive"]
    assert "tex.seat_fabric" in vocabulary.suppliers_of("auto.seats")


def test_matched_texts_link_through_the_adjacency(mapper):
    supplier = mapper.transform(["ผ้าหุ้มเบาะรถยนต์"])
    buyer = mapper.transform(["Tier-1 maker of car seats"], side="buyer")
    direct = (supplier @ buyer.T).toarray()[0, 0]
    related = (supplier @ mapper.related_concepts_ @ buyer.T).toarray()[0, 0]
    assert related > direct


SUPPLIERS = [
    "ยางรองแท่นหม้อแปลง",
    "ยางรองแท่นหม้อแปลงไฟฟ้า",
    "ยางรองแท่นหม้อแปลง ส่งออก",
    "สบู่สมุนไพร",
    "ซอสพริก",
    "ผ้าไหม",
]
BUYERS = ["transformer rubber pads", "herbal soap", "chili sauce", "silk scarves"]


def test_learned_links_bridge_an_unknown_thai_term(vocabulary):
    mapper = ConceptMapper(vocabulary=vocabulary, min_support=2).fit()
    assert dict(mapper.report_unmatched(["ยางรองแท่นหม้อแปลง"]))["หม้อแปลง"] == 1
    before = mapper.transform(["หม้อแปลง"])
    assert before.nnz == 0

    pairs = [(0, 0), (1, 0), (3, 1), (4, 2), (5, 3)]
    mapper.learn_links(SUPPLIERS, BUYERS, pairs, ["accepted", "deal", "accepted", "accepted", "rejected"])
    linked = dict(mapper.linked_terms("หม้อแปลง"))
    assert linked["transformer"] > 0 and "soap" not in linked
    assert "concept:mat.natural_rubber" in linked
    after = mapper.transform(["หม้อแปลง"])
    assert after[0, vocabulary.index_["mat.natural_rubber"]] > 0
    assert mapper.transform(["หม้อแปลง"], side="buyer").nnz == 0
    terms = mapper.transform_linked_terms(["หม้อแปลง"])
    assert terms.shape == (1, len(mapper.buyer_terms_))
    assert terms[0, mapper.buyer_terms_.index("transformer")] > 0


def test_links_need_minimum_support_and_update_incrementally(vocabulary):
    mapper = ConceptMapper(vocabulary=vocabulary, min_support=2).fit()
    mapper.learn_links(SUPPLIERS, BUYERS, [(0, 0), (3, 1), (4, 2)], ["accepted"] * 3)
    assert "transformer" not in dict(mapper.linked_terms("หม้อแปลง"))

    mapper.update_links(SUPPLIERS, BUYERS, [(2, 0)], ["accepted"])
    assert mapper.n_link_pairs_ == 4
    first = dict(mapper.linked_terms("หม้อแปลง"))["transformer"]
    mapper.update_links(SUPPLIERS, BUYERS, [(1, 0), (5, 3)], ["accepted", "accepted"])
    second = dict(mapper.linked_terms("หม้อแปลง"))["transformer"]
    assert second > first

    # Incremental counts equal counts learned in one go.
    batch = ConceptMapper(vocabulary=vocabulary, min_support=2).fit()
    batch.learn_links(
        SUPPLIERS, BUYERS, [(0, 0), (3, 1), (4, 2), (2, 0), (1, 0), (5, 3)], ["accepted"] * 6
    )
    assert dict(batch.linked_terms("หม้อแปลง")) == dict(mapper.linked_terms("หม้อแปลง"))


def test_fit_with_history_learns_links(vocabulary):
    history = (SUPPLIERS, BUYERS, [(0, 0), (1, 0), (3, 1), (4, 2)], [True, True, True, True])
    mapper = ConceptMapper(vocabulary=vocabulary).fit(history=history)
    assert mapper.links_.nnz > 0
    refit = mapper.fit()
    assert refit is mapper and mapper.links_.nnz == 0


def test_link_history_errors_list_every_problem(mapper):
    with pytest.raises(ValueError, match=r"pairs\[1\]: buyer position 9.*outcomes\[0\].*'maybe'"):
        mapper.learn_links(SUPPLIERS, BUYERS, [(0, 0), (1, 9)], ["maybe", "accepted"])


def test_estimator_contract(vocabulary):
    mapper = ConceptMapper(vocabulary=vocabulary, parent_weight=0.2)
    assert not hasattr(mapper, "phrases_")
    with pytest.raises(NotFittedError):
        mapper.transform(["ผ้าไหม"])
    assert mapper.fit(["ignored"]) is mapper
    assert clone(mapper).get_params()["parent_weight"] == 0.2
    with pytest.raises(TypeError, match="single str"):
        mapper.transform("ผ้าไหม")
    with pytest.raises(TypeError, match=r"texts\[1\] is NoneType"):
        mapper.transform(["ผ้าไหม", None])
    with pytest.raises(ValueError, match="parent_weight <= 1.*norm"):
        ConceptMapper(vocabulary=vocabulary, parent_weight=2, norm="max").fit()
    assert list(mapper.fit_transform(["ผ้าไหม"]).shape) == [1, len(vocabulary)]


# ---------------------------------------------------------------- CSV integrity
def test_csv_has_several_hundred_unique_valid_concepts(vocabulary):
    assert len(vocabulary) >= 300
    ids = [c.concept_id for c in vocabulary]
    assert len(set(ids)) == len(ids)
    for concept in vocabulary:
        assert concept.sector in SECTORS
        assert concept.name_en and concept.name_th
        assert concept.parent == "" or concept.parent in vocabulary
        for target in concept.inputs_to:
            assert target in vocabulary or target in SECTORS
        assert concept.hs_code == "" or concept.hs_code.isdigit()
        assert concept.isic == "" or (concept.isic.isdigit() and len(concept.isic) == 4)
    for sector in SECTORS:
        assert len(vocabulary.by_sector(sector)) >= 20


def test_every_synonym_tokenizes_and_no_synonym_is_shared(vocabulary):
    owners = defaultdict(set)
    for concept in vocabulary:
        for phrase in concept.phrases:
            key = tuple(tokenize(phrase))
            assert key, f"{concept.concept_id}: {phrase!r} has no content tokens"
            owners[key].add(concept.concept_id)
    shared = {k: v for k, v in owners.items() if len(v) > 1}
    assert shared == {}


def test_csv_file_columns_and_header_comment():
    text = resources.files("tiermatch.features").joinpath("data/concepts.csv").read_text("utf-8")
    assert text.startswith("# ") and "curated" in text.lower().split("\nconcept_id")[0]
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    assert rows[0].keys() == {
        "concept_id", "sector", "name_en", "name_th", "synonyms_en", "synonyms_th",
        "hs_code", "isic", "parent", "inputs_to",
    }


def test_invalid_vocabulary_lists_every_problem():
    concepts = [
        Concept("a.x", "automotive", "X", "เอ็กซ์", parent="a.missing"),
        Concept("a.x", "cars", "", "วาย", inputs_to=("nowhere",)),
    ]
    with pytest.raises(InvalidVocabularyError, match=r"5 problem.*parent 'a.missing'.*more than once"):
        ConceptVocabulary(concepts)
    cycle = [
        Concept("a.p", "automotive", "P", "พี", parent="a.q"),
        Concept("a.q", "automotive", "Q", "คิว", parent="a.p"),
    ]
    with pytest.raises(InvalidVocabularyError, match="cycle"):
        ConceptVocabulary(cycle)


def test_load_reports_missing_columns(tmp_path):
    path = tmp_path / "concepts.csv"
    path.write_text("concept_id,sector\nx,automotive\n", encoding="utf-8")
    with pytest.raises(InvalidVocabularyError, match="name_en.*missing"):
        ConceptVocabulary.load(path)


# A small alphabet, so that words share prefixes and contain one another.
_letters = st.text(alphabet="กขคabc.", min_size=1, max_size=6)


@given(words=st.sets(_letters, min_size=1, max_size=30), text=st.text(alphabet="กขคabc. ", max_size=60))
def test_trie_pattern_finds_what_the_longest_first_alternation_finds(words, text):
    alternation = re.compile("|".join(map(re.escape, sorted(words, key=lambda w: (-len(w), w)))))
    trie = re.compile(_trie_pattern(words))
    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in alternation.finditer(text)]


def test_texts_read_in_forked_processes_give_what_one_process_gives(monkeypatch):
    import tiermatch.features.mapper as vocabulary_module
    from tiermatch.datasets import make_register

    monkeypatch.setattr(vocabulary_module, "PARALLEL_MIN_TEXTS", 10)
    texts = [s.products for s in make_register(300, 10, random_state=3).suppliers]
    one, two = ConceptMapper(n_jobs=1).fit(), ConceptMapper(n_jobs=2).fit()
    assert two._processes(len(texts)) == min(2, len(os.sched_getaffinity(0)))  # forked where there are two cores
    X1, tokens1 = one.transform_with_tokens(texts)
    X2, tokens2 = two.transform_with_tokens(texts)
    assert (X1 != X2).nnz == 0 and tokens1 == tokens2
    assert one.unmatched_terms_ == two.unmatched_terms_
    assert tokens1 == [tuple(tokenize(text)) for text in texts]


def test_n_jobs_below_one_is_refused():
    with pytest.raises(ValueError, match="n_jobs >= 1"):
        ConceptMapper(n_jobs=0).fit()


def test_output_buffered_before_texts_are_read_in_forked_processes_is_printed_once():
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent("""
        import sys
        import tiermatch.features.mapper as vocabulary
        vocabulary.PARALLEL_MIN_TEXTS = 10
        sys.stdout.write("written before the fork")  # buffered: stdout is a pipe
        vocabulary.ConceptMapper(n_jobs=2).fit().transform([f"chili sauce {i}" for i in range(50)])
    """)
    printed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert printed == "written before the fork"
