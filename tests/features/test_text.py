"""Normalisation and tokenisation of Thai and English product phrases."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer

from tiermatch.features.text import normalize_text, stem_english, tokenize


@pytest.mark.parametrize(
    "phrase, expected",
    [
        ("รับผลิตชิ้นส่วนโลหะปั๊มขึ้นรูป", ["ชิ้นส่วน", "โลหะ", "ปั๊ม"]),
        ("ผ้าหุ้มเบาะรถยนต์", ["ผ้า", "หุ้ม", "เบาะ", "รถยนต์"]),
        ("น้ำมันปาล์มดิบ", ["น้ำมัน", "ปาล์ม", "ดิบ"]),
        ("สบู่สมุนไพร", ["สบู่", "สมุนไพร"]),
        ("เครื่องประดับเงิน", ["เครื่องประดับ", "เงิน"]),
        ("ทุเรียนแช่แข็ง", ["ทุเรียน", "แช่แข็ง"]),
        ("เสื้อผ้าสำเร็จรูป", ["เสื้อผ้า", "สำเร็จรูป"]),
    ],
)
def test_thai_phrases_are_segmented(phrase, expected):
    tokens = tokenize(phrase)
    for word in expected:
        assert word in tokens


def test_commercial_prefixes_and_stop_words_are_dropped():
    assert tokenize("รับผลิตชิ้นส่วนโลหะปั๊มขึ้นรูป")[:2] == ["ชิ้นส่วน", "โลหะ"]
    assert tokenize("ต้องการจัดหาผ้าหุ้มเบาะ สำหรับรถยนต์") == ["ผ้า", "หุ้ม", "เบาะ", "รถยนต์"]
    assert tokenize("Sourcing stamped metal parts for our factories") == ["stamp", "metal", "part"]
    assert tokenize("We supply frozen durian") == ["frozen", "durian"]
    assert tokenize("บริษัท ไทยปั๊ม จำกัด") == ["ไทย", "ปั๊ม"]


def test_normalize_handles_digits_case_prefixes_and_punctuation():
    assert normalize_text("ผ้ายืด ๑๐๐%") == "ผ้ายืด 100"
    assert normalize_text("STAMPED Metal-Parts") == "stamped metal parts"
    assert normalize_text("ABC Co., Ltd. — OEM stamping") == "abc stamping"
    assert normalize_text("Looking for: T-shirts!") == "tshirts"
    assert normalize_text("ผู้ผลิตเครื่องสำอางOEM") == "เครื่องสำอาง"
    assert normalize_text("ห้างหุ้นส่วนจำกัด ไทยผ้า") == "ไทยผ้า"
    # NFKC would split SARA AM; it must come back whole for the dictionary tokenizer.
    assert "ำ" in normalize_text("น้ำมันปาล์มดิบ")
    assert normalize_text("ｆｕｌｌｗｉｄｔｈ") == "fullwidth"


def test_normalize_rejects_non_strings():
    with pytest.raises(TypeError, match="Expected a str, but got int"):
        normalize_text(12)


@pytest.mark.parametrize(
    "words, stem",
    [
        (["parts", "part"], "part"),
        (["stamped", "stamping", "stamps"], "stamp"),
        (["batteries", "battery"], "battery"),
        (["boxes", "box"], "box"),
        (["forging", "forged"], "forg"),
        (["fabrics", "fabric"], "fabric"),
    ],
)
def test_english_stemming_folds_plurals_and_verb_forms(words, stem):
    assert {stem_english(w) for w in words} == {stem}


def test_stemming_keeps_different_products_apart():
    assert stem_english("coatings") != stem_english("coats")
    assert stem_english("machining") != stem_english("machines")


def test_tokenize_works_as_a_scikit_learn_analyzer():
    vectorizer = CountVectorizer(analyzer=tokenize)
    X = vectorizer.fit_transform(["ผ้าหุ้มเบาะรถยนต์", "automotive seat fabrics"])
    assert X.shape == (2, 7)
    assert "fabric" in vectorizer.vocabulary_ and "เบาะ" in vectorizer.vocabulary_


def test_tokenize_returns_a_fresh_list():
    first = tokenize("ผ้าไหม")
    first.append("x")
    assert tokenize("ผ้าไหม") == ["ผ้าไหม"]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("กขคงจผ้าไหมำ่้ abcXYZ-,.๑๒ 0123"), max_size=30))
def test_normalize_is_idempotent_and_tokens_are_clean(text):
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert once == once.strip() and "  " not in once
    for token in tokenize(text):
        assert token and not token.isspace() and " " not in token
