"""Normalise and tokenise short Thai and English product descriptions.

Supplier and buyer profiles describe what they make or need in a few words,
in Thai, in English, or in both at once (``รับผลิตชิ้นส่วนโลหะปั๊มขึ้นรูป``,
``Sourcing stamped metal parts``).  This module turns such a phrase into a
canonical string (:func:`normalize_text`) and into content words
(:func:`tokenize`): Thai runs are segmented with PyThaiNLP's dictionary-based
``newmm`` tokenizer, English words are folded to a light stem, and commercial
noise (``รับผลิต``, ``we supply``, ``Co., Ltd.``) and stop words are dropped in
both languages.

Both functions cache their answer per distinct phrase, because registers repeat
the same descriptions many times.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "split_items",
    "ENGLISH_STOP_WORDS",
    "FILLER_TERMS",
    "NOISE_PHRASES_EN",
    "NOISE_PHRASES_TH",
    "THAI_STOP_WORDS",
    "is_thai",
    "normalize_text",
    "stem_english",
    "tokenize",
]

_CACHE_SIZE = 1 << 18

# Commercial wording that says who is talking, not what is traded.  Thai has no
# spaces between words, so Thai phrases are removed wherever they occur; the
# list avoids strings that sit inside product words (``ผลิต`` is in
# ``ผลิตภัณฑ์``, so only ``รับผลิต`` and ``ผู้ผลิต`` are listed).
NOISE_PHRASES_TH: tuple[str, ...] = (
    "ห้างหุ้นส่วนจำกัด",
    "ห้างหุ้นส่วนสามัญ",
    "ผู้ผลิตและจำหน่าย",
    "ผู้ผลิตและส่งออก",
    "ผลิตและจำหน่าย",
    "ผลิตและส่งออก",
    "วิสาหกิจชุมชน",
    "ตัวแทนจำหน่าย",
    "รับจ้างผลิต",
    "จัดจำหน่าย",
    "ผู้จำหน่าย",
    "โออีเอ็ม",
    "รับผลิต",
    "ผู้ผลิต",
    "จำหน่าย",
    "ต้องการ",
    "รับซื้อ",
    "จัดหา",
    "บริษัท",
    "มหาชน",
    "จำกัด",
    "หจก",
    "บจก",
)

NOISE_PHRASES_EN: tuple[str, ...] = (
    "public company limited",
    "company limited",
    "co ltd",
    "co limited",
    "pte ltd",
    "sdn bhd",
    "we are looking for",
    "we are seeking",
    "looking for",
    "in search of",
    "we supply",
    "we manufacture",
    "we produce",
    "we offer",
    "we make",
    "we need",
    "supplier of",
    "suppliers of",
    "manufacturer of",
    "manufacturers of",
    "producer of",
    "exporter of",
    "sourcing",
    "seeking",
    "limited",
    "ltd",
    "inc",
    "corp",
    "corporation",
    "plc",
    "llc",
    "gmbh",
    "oem",
    "odm",
)

# Written for short trade descriptions rather than prose: besides grammar words
# it drops generic trade words ("product", "supplier", "quality") that every
# profile shares.  Product words such as "part" or "front" stay, unlike in
# general-purpose lists.
ENGLISH_STOP_WORDS: frozenset[str] = frozenset(
    """
    a an the and or of for to in on with by from at as is are be been being
    was were will would can could should may might must shall do does did
    we our ours us you your i it its this that these those they their them he she
    all any each every some such other others various etc eg ie per via into
    than then so not no nor only also just very more most less both either
    please about over under up down out off new high best good great top
    quality premium grade standard custom customized customised made make
    makes making manufacture manufactures manufactured manufacturer
    manufacturers manufacturing producer producers production produce
    produces producing supply supplies supplier suppliers supplying provide
    provides provider providing offer offers offering service services
    product products item items goods range wide full kind kinds type types
    need needs needed want wanted require requires required requirement
    buy buyer buyers buying purchase purchasing import importer importers
    importing export exporter exporters exporting distributor distributors
    wholesale wholesaler retail trading trader company group factory
    industrial industry thailand kg kgs ton tons tonne tonnes pcs pc piece pieces
    unit units month monthly year yearly week weekly order orders moq
    """.split()
)

# A short list on purpose: PyThaiNLP's 1,030-word list also holds words that
# carry product meaning here (``ขึ้น`` in ``ขึ้นรูป``, ``เงิน`` silver).
THAI_STOP_WORDS: frozenset[str] = frozenset(
    """
    และ หรือ ของ ที่ ใน จาก กับ แก่ แด่ ให้ โดย เพื่อ สำหรับ เป็น มี ได้ ซึ่ง คือ ว่า
    ทุก ต่างๆ ต่าง ทั่วไป เรา ทาง การ ความ ตาม ต่อ ละ ประมาณ กว่า ขึ้นไป ทั้ง
    อื่นๆ อื่น เช่น ได้แก่ รวม รวมถึง ตลอดจน พร้อม ด้วย อย่าง แบบ ชนิด ประเภท
    ผลิต ผลิตภัณฑ์ สินค้า คุณภาพ คุณภาพสูง มาตรฐาน ดี สูง ราคา ถูก ราคาถูก
    ส่งออก นำเข้า ขาย ซื้อ ขายส่ง ขายปลีก ส่ง รับ งาน บริการ จำนวน มาก
    ครบวงจร โรงงาน อุตสาหกรรม ลูกค้า ต้อง การผลิต ชิ้น เมตร กิโลกรัม กก
    ตัน ลิตร เดือน ปี วัน ราย ครั้ง หลาย ใหม่ ทำ
    """.split()
)

# Words of trade talk, not of products, that stay in profiles (capacity, experience, reach, terms): no concept
# should name them, so the curator's list of words the vocabulary lacks leaves them out.
FILLER_TERMS: frozenset[str] = frozenset(
    """
    กำลังผลิต กำลัง ประสบการณ์ จำนวนมาก ทั่วประเทศ ราคาโรงงาน ออร์เดอร์ ตัวอย่าง ตัวอย่างสินค้า จำหน่าย
    ผู้ผลิต รับผลิต รับจ้าง ผลิตและจำหน่าย ต่อเดือน ต่อปี ปริมาณ ยาว ระยะยาว สัญญา ทั่วโลก ตลาด ไทย
    ด่วน ต้องการ ซัพพลายเออร์ มองหา หา จัดหา ติดต่อ โทร ส่งทั่วประเทศ ส่งฟรี ขั้นต่ำ อย เลข ให้บริการ
    thai japan eu china usa asia local global rfq oem odm sourcing looking seek seeking source long term
    contract volume sample samples competitive price prices delivery jit lead time experience capacity year
    years established since certified export ready stock sme smes factory in-house house quality qc part parts
    product products goods supply supplier suppliers customer customers service services
    """.split()
)

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_THAI_CHAR = "\u0e01-\u0e3a\u0e40-\u0e4e"
# ฯ (abbreviation), ๆ (repetition) and ๏ ๚ ๛ are Thai punctuation.
_NOT_WORD = re.compile(rf"[^\w{_THAI_CHAR}]+|[_\u0e2f\u0e46\u0e4f\u0e5a\u0e5b]+")
_THAI_THEN_LATIN = re.compile(rf"([{_THAI_CHAR}])(?=[^\W\d_{_THAI_CHAR}]|\d)")
_LATIN_THEN_THAI = re.compile(rf"([^\W_{_THAI_CHAR}])(?=[{_THAI_CHAR}])")
_NOISE_TH = re.compile("|".join(map(re.escape, NOISE_PHRASES_TH)))
_NOISE_EN = re.compile(
    r"(?<![^\W_])(?:"
    + "|".join(re.escape(p) for p in sorted(NOISE_PHRASES_EN, key=len, reverse=True))
    + r")(?![^\W_])"
)
_SPACES = re.compile(r"\s+")
# Where a product list separates its items: punctuation (not the comma of "Co., Ltd."),
# and conjunctions standing between spaces.
_ITEM_BREAK = re.compile(
    r"[;/|\n\u2022\u00b7\u3001]+|,(?!\s*(?:ltd|limited)\b)|\s+-\s+|\s(?:and|or|&|และ|หรือ)\s", re.IGNORECASE
)
# Written open or hyphenated, made of stop words or split by punctuation: join them.
_COMPOUNDS_EN = re.compile(r"(?<![^\W_])(?:make up|e commerce|e bike|e coat|t shirts?)(?![^\W_])")
_RUN = re.compile(rf"[{_THAI_CHAR}]+|[^\s{_THAI_CHAR}]+")
_THAI_RUN = re.compile(rf"[{_THAI_CHAR}]+")

_IRREGULAR_EN = {
    "knives": "knife",
    "leaves": "leaf",
    "shelves": "shelf",
    "halves": "half",
    "children": "child",
    "women": "woman",
    "men": "man",
    "feet": "foot",
    "teeth": "tooth",
    "mice": "mouse",
    "geese": "goose",
    "dies": "die",
    "scarves": "scarf",
    # -ing nouns that must not fold onto a different product word
    "machining": "machining",
    "machined": "machining",
    "coating": "coating",
    "coatings": "coating",
    "clothing": "clothing",
    "clothes": "clothing",
    "bearing": "bearing",
    "bearings": "bearing",
    "spring": "spring",
    "springs": "spring",
    "moulding": "moulding",
    "moulded": "moulding",
    "molding": "molding",
    "molded": "molding",
    "trucking": "trucking",
    "stockings": "stocking",
    "stocking": "stocking",
}


def is_thai(text: str) -> bool:
    """Return True if ``text`` holds at least one Thai letter.

    Examples
    --------
    >>> is_thai("ผ้าไหม silk"), is_thai("silk")
    (True, False)
    """
    return _THAI_RUN.search(text) is not None


@lru_cache(maxsize=_CACHE_SIZE)
def normalize_text(text: str) -> str:
    """Return the canonical form of a short product description.

    Applies NFKC and case folding, turns Thai digits into ASCII digits and
    punctuation into spaces, separates Thai from Latin script, and removes
    commercial noise such as ``รับผลิต``, ``จำหน่าย``, ``บริษัท ... จำกัด``,
    ``we supply``, ``sourcing``, ``looking for``, ``OEM`` and ``Co., Ltd.``
    (see :data:`NOISE_PHRASES_TH` and :data:`NOISE_PHRASES_EN`).

    Parameters
    ----------
    text : str
        Free text in Thai, English or both.

    Returns
    -------
    str
        Lower-case words separated by single spaces; ``""`` if nothing is left.

    Raises
    ------
    TypeError
        If ``text`` is not a string.

    Examples
    --------
    >>> normalize_text("รับผลิต ชิ้นส่วนโลหะปั๊มขึ้นรูป (๕๐๐ ชิ้น)")
    'ชิ้นส่วนโลหะปั๊มขึ้นรูป 500 ชิ้น'
    >>> normalize_text("Sourcing: Stamped Metal Parts / OEM - ABC Co., Ltd.")
    'stamped metal parts abc'
    """
    if not isinstance(text, str):
        raise TypeError(f"Expected a str, but got {type(text).__name__}: {text!r}")
    text = unicodedata.normalize("NFKC", text).casefold().translate(_THAI_DIGITS)
    # NFKC splits SARA AM into NIKHAHIT + SARA AA, which newmm does not know.
    text = text.replace("\u0e4d\u0e32", "\u0e33")
    text = _NOT_WORD.sub(" ", text)
    text = _THAI_THEN_LATIN.sub(r"\1 ", text)
    text = _LATIN_THEN_THAI.sub(r"\1 ", text)
    text = _NOISE_TH.sub(" ", text)
    text = _SPACES.sub(" ", text)
    text = _NOISE_EN.sub(" ", text)
    text = _COMPOUNDS_EN.sub(lambda m: m.group().replace(" ", ""), text)
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=1 << 16)
def stem_english(word: str) -> str:
    """Fold an English word to a light stem: plurals, ``-ed`` and ``-ing``.

    The stem is a matching key, not a dictionary word: ``stamping``,
    ``stamped`` and ``stamps`` all become ``stamp``.  A short list of
    exceptions keeps ``-ing`` nouns apart from other products (``coating`` is
    not ``coat``, ``machining`` is not ``machine``).  Words of three letters or fewer and
    words with digits are left alone.

    Parameters
    ----------
    word : str
        One lower-case word.

    Returns
    -------
    str
        Its stem.

    Examples
    --------
    >>> [stem_english(w) for w in ["parts", "stamped", "stamping", "batteries", "boxes"]]
    ['part', 'stamp', 'stamp', 'battery', 'box']
    >>> stem_english("forging") == stem_english("forged")
    True
    """
    if word in _IRREGULAR_EN:
        return _IRREGULAR_EN[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    stem = word
    if stem.endswith(("ies", "ied")) and len(stem) > 4:
        stem = stem[:-3] + "y"
    elif stem.endswith("sses"):
        stem = stem[:-2]
    elif stem.endswith(("xes", "ches", "shes", "zes", "oes")):
        stem = stem[:-2]
    elif stem.endswith("s") and not stem.endswith(("ss", "us", "is")):
        stem = stem[:-1]
    if stem.endswith("ing") and len(stem) >= 6:
        stem = _undouble(stem[:-3])
    elif stem.endswith("ed") and len(stem) >= 5:
        stem = _undouble(stem[:-2])
    if stem.endswith("e") and len(stem) > 3 and not stem.endswith(("ee", "ye")):
        stem = stem[:-1]
    return stem


def _undouble(stem: str) -> str:
    """Drop a doubled final consonant (``cutt`` -> ``cut``)."""
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "aeiousl":
        return stem[:-1]
    return stem


@lru_cache(maxsize=_CACHE_SIZE)
def _segment_thai(run: str) -> tuple[str, ...]:
    """Split one run of Thai letters with PyThaiNLP's newmm tokenizer."""
    from pythainlp.tokenize import word_tokenize

    return tuple(t for t in word_tokenize(run, engine="newmm", keep_whitespace=False))


def _is_content_thai(token: str) -> bool:
    """True for Thai tokens longer than one letter that are not stop words."""
    return len(token) > 1 and token not in THAI_STOP_WORDS


def _content_english(word: str) -> str | None:
    """Stem of a Latin-script word, or None for stop words and bare numbers."""
    if word.isdigit() or word in ENGLISH_STOP_WORDS:
        return None
    stem = stem_english(word)
    if stem in _STOP_STEMS:
        return None
    return stem


# Stop words and their stems ("factories" -> "factory"), except "can": the modal
# is a stop word but "cans" and "canned" are packaging.
_STOP_STEMS = (ENGLISH_STOP_WORDS | {stem_english(w) for w in ENGLISH_STOP_WORDS}) - {"can"}


@lru_cache(maxsize=_CACHE_SIZE)
def analyze_normalized(text: str) -> tuple[tuple[str, str, int, int, bool], ...]:
    """Tokens of an already normalised string, with where they come from.

    Each token is ``(token, run, start, end, keep)``: the run of Thai letters
    or the Latin word it was cut from, its character span inside that run,
    and whether it is a content word (False for stop words and numbers).
    English tokens are stems and span their whole word.  Used by the concept
    mapper, which also matches Thai synonyms as substrings of the run.
    """
    tokens = []
    for match in _RUN.finditer(text):
        run = match.group()
        if "\u0e01" <= run[0] <= "\u0e4e":
            start = 0
            for token in _segment_thai(run):
                end = start + len(token)
                tokens.append((token, run, start, end, _is_content_thai(token)))
                start = end
        else:
            stem = _content_english(run)
            tokens.append((stem or run, run, 0, len(run), stem is not None))
    return tuple(tokens)


def split_items(text: str) -> list[str]:
    """Split a product list into its items, so that work is cached per item.

    SMEs list what they make (``"stamped parts, jigs and fixtures / ชุบโครเมียม"``);
    the same items recur across thousands of profiles, so tokenizing and
    matching them once each is what keeps a national register fast. No
    synonym spans two items.

    Examples
    --------
    >>> split_items("Stamped parts, jigs and fixtures / ชุบโครเมียม")
    ['Stamped parts', 'jigs', 'fixtures', 'ชุบโครเมียม']
    >>> split_items("ABC Co., Ltd.")
    ['ABC Co., Ltd.']
    """
    return [item for item in (part.strip() for part in _ITEM_BREAK.split(text)) if item] or [text]


@lru_cache(maxsize=_CACHE_SIZE)
def _tokenize_cached(text: str) -> tuple[str, ...]:
    """Content tokens of a raw phrase."""
    return tuple(t[0] for t in analyze_normalized(normalize_text(text)) if t[4])


def tokenize(text: str) -> list[str]:
    """Split a Thai and/or English phrase into content tokens.

    The phrase is first normalised with :func:`normalize_text`.  Thai runs are
    segmented with ``pythainlp.tokenize.word_tokenize(..., engine="newmm")``;
    Latin-script words are split on spaces and folded with
    :func:`stem_english`.  Stop words of both languages
    (:data:`THAI_STOP_WORDS`, :data:`ENGLISH_STOP_WORDS`), bare numbers and
    one-letter Thai fragments are dropped.  Results are cached per item of a
    product list (:func:`split_items`).

    The function takes one string and returns a list of strings, so it can be
    passed as ``analyzer=tokenize`` to scikit-learn's ``CountVectorizer`` or
    ``TfidfVectorizer``.

    Parameters
    ----------
    text : str
        Free text in Thai, English or both.

    Returns
    -------
    list of str
        Content tokens in reading order (a new list on each call).

    Raises
    ------
    TypeError
        If ``text`` is not a string.

    Examples
    --------
    >>> tokenize("รับผลิตชิ้นส่วนโลหะปั๊มขึ้นรูป")
    ['ชิ้นส่วน', 'โลหะ', 'ปั๊ม', 'ขึ้น', 'รูป']
    >>> tokenize("Sourcing stamped metal parts for our factories")
    ['stamp', 'metal', 'part']
    >>> from sklearn.feature_extraction.text import CountVectorizer
    >>> CountVectorizer(analyzer=tokenize).fit(["ผ้าหุ้มเบาะรถยนต์", "seat fabrics"]).get_feature_names_out().tolist()
    ['fabric', 'seat', 'ผ้า', 'รถยนต์', 'หุ้ม', 'เบาะ']
    """
    if not isinstance(text, str):
        raise TypeError(f"Expected a str, but got {type(text).__name__}: {text!r}")
    return [token for item in split_items(text) for token in _tokenize_cached(item)]
