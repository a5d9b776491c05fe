"""From free Thai and English text to weights over the concept vocabulary.

Character n-grams cannot see that ``ชิ้นส่วนโลหะปั๊มขึ้นรูป`` (a Thai SME) answers
``Sourcing stamped metal parts`` (a foreign buyer). :class:`ConceptMapper`
maps text onto the concepts of the taxonomy (:mod:`.taxonomy`), reports the
words it could not map, and, through links learned from accepted partnerships
(:mod:`.links`), bridges words the vocabulary does not know yet. Many texts
are read by forked processes.

Rows are texts and columns are concepts in every matrix returned here.
"""

from __future__ import annotations

import copy
import gc
import multiprocessing
import os
import re
import threading
from collections import Counter
from itertools import chain
from pathlib import Path
from typing import Iterable

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import normalize as _normalize_rows
from sklearn.utils.validation import check_is_fitted

from .links import TermLinks
from .reference import OUTCOMES
from .taxonomy import ConceptVocabulary
from .text import analyze_normalized, normalize_text, split_items, tokenize

__all__ = ["PARALLEL_MIN_TEXTS", "POSITIVE_OUTCOMES", "ConceptMapper"]

# Outcomes of a partnership that count as evidence that the two sides' words belong together.
POSITIVE_OUTCOMES = frozenset({"accepted", "deal"})
_THAI_ONLY = re.compile(r"[\u0e01-\u0e3a\u0e40-\u0e4e]+")
_MAX_CACHE = 1 << 20
# Below this many texts to read, one process reads them: forking costs more than it saves.
PARALLEL_MIN_TEXTS = 20_000
_FORKED: ConceptMapper | None = None  # the mapper a forked child reads with


def _match_in_child(texts: list[str]) -> list[tuple]:
    """:meth:`ConceptMapper._match_items` of each text, in a forked child, by the mapper it inherited."""
    return [_FORKED._match_items(text) for text in texts]


_THAI_MARKS = re.compile("[\u0e47-\u0e4b]")  # mai taikhu and the four tone marks
_LATIN_WORD = re.compile("[a-z]+")


def _strip_marks(run: str) -> tuple[str, list[int]]:
    """A Thai run without tone marks and mai taikhu, and where each kept character was in the run."""
    at = [k for k, char in enumerate(run) if not _THAI_MARKS.match(char)]
    return "".join(run[k] for k in at), at


def _phrase_keys(phrase: str) -> tuple[tuple[str, ...], str | None]:
    """Token key of a synonym, and its compact Thai form when it is all Thai."""
    key = tuple(tokenize(phrase))
    compact = normalize_text(phrase).replace(" ", "")
    thai = compact if compact and _THAI_ONLY.fullmatch(compact) else None
    return key, thai


def _trie_pattern(words: Iterable[str]) -> str:
    """A regular expression matching any of ``words``, the longest where several start at one place.

    The alternatives share their prefixes (``ผ้า(?:ใบ|ฝ้าย)?``), so that the
    engine follows one branch of a trie instead of trying thousands of
    alternatives at each character: the same matches as ``"|".join`` of the
    words sorted longest first, many times faster.

    Examples
    --------
    >>> _trie_pattern(["ab", "abc", "ad"])
    'a(?:b(?:c)?|d)'
    """
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(trie)


def _check_texts(texts, name: str = "texts") -> list[str]:
    """Return texts as a list of str, or raise listing every bad item."""
    if isinstance(texts, str):
        raise TypeError(f"Expected an iterable of str for {name}, but got a single str")
    texts = list(texts)
    bad = [f"{name}[{i}] is {type(t).__name__}" for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad:
        raise TypeError(f"Expected str items in {name}, but " + "; ".join(bad[:20]))
    return texts


class ConceptMapper(TransformerMixin, BaseEstimator):
    """Map free Thai and English text to weights over the concept vocabulary.

    Each text is normalised and tokenised (:func:`tiermatch.features.text.tokenize`)
    and matched against every name and synonym of every concept, longest
    phrase first.  Thai is matched twice: on the ``newmm`` tokens, and as a
    substring of the unspaced Thai run, because the tokenizer can cut a
    compound differently from the synonym (``ผ้าเดนิม`` becomes ``ผ้า/เด/นิ/ม``);
    the substring must start and end on the tokenizer's word boundaries, so
    that a short word is not found inside a longer one (``นม`` in ``ขนม``,
    ``สเตอร์`` in ``คลัสเตอร์``).  Thai is also matched without tone marks
    (``ล้อแมก`` and ``ล้อแม๊ก`` read as ``ล้อแม็ก``), and an English word typed
    with two letters swapped or one doubled as the word meant (``vrigin``,
    ``paalm``).  A match inside a longer match is dropped.

    A matched concept gets weight 1, each ancestor ``parent_weight**depth``,
    each concept it is an input to ``input_weight``; weights are summed and
    clipped to 1.  Words that match nothing are counted in
    ``unmatched_terms_`` so the vocabulary can grow.

    Links learned from accepted partnerships (:meth:`learn_links`,
    :meth:`update_links`) add buyer-side concepts to supplier texts whose
    words the vocabulary does not know.

    Parameters
    ----------
    vocabulary : ConceptVocabulary, str or Path, optional
        The taxonomy, or a CSV path; the shipped ``concepts.csv`` by default.
    parent_weight : float, default 0.3
        Weight given to a matched concept's parent (squared for the grandparent...).
    input_weight : float, default 0.0
        Weight given to the concepts a matched concept is an input to.  Off by
        default: the matcher uses :attr:`related_concepts_` instead.
    link_weight : float, default 0.5
        Scale of concepts emitted through learned links.
    link_from : {"unmatched", "all"}, default "unmatched"
        Which supplier tokens emit learned links: only those the vocabulary
        did not match, or all of them.
    min_support : int, default 2
        Accepted pairs a supplier term and a buyer term must share before a
        link is kept.
    smoothing : float, default 1.0
        Added to the supplier term's count in ``P(buyer term | supplier term)``.
    norm : {"l2", "l1", None}, default None
        Row normalisation of the output.
    n_jobs : int, optional
        Processes that read texts when there are many (at least
        :data:`PARALLEL_MIN_TEXTS` distinct ones); all available cores by default.
        Results do not depend on it. Texts are read in forked processes, so
        only on platforms that fork, and only from a process's main thread
        and outside daemon processes (a Dask worker reads its partitions in
        one process).

    Attributes
    ----------
    vocabulary_ : ConceptVocabulary
    n_features_out_ : int
        Number of concepts (columns).
    phrases_ : dict of tuple of str to tuple of int
        Token key of each name and synonym -> concept indices.
    related_concepts_ : scipy.sparse.csr_matrix of shape (n_concepts, n_concepts)
        :meth:`ConceptVocabulary.related_matrix`: supplier concept (row) is
        an input to, or a near relative of, buyer concept (column).
    input_sectors_ : scipy.sparse.csr_matrix of shape (n_concepts, n_sectors)
        :meth:`ConceptVocabulary.input_sector_matrix`.
    unmatched_terms_ : collections.Counter
        Tokens matched by no concept in the last :meth:`transform`, counted
        once per text.
    supplier_terms_, buyer_terms_ : list of str
        Terms seen in accepted pairs; buyer terms include ``concept:<id>``.
    links_ : scipy.sparse.csr_matrix of shape (n_supplier_terms, n_buyer_terms)
        Learned link weights.
    link_concepts_ : scipy.sparse.csr_matrix of shape (n_supplier_terms, n_concepts)
        The part of ``links_`` that points at concepts.
    n_link_pairs_ : int
        Accepted pairs counted so far.

    Examples
    --------
    >>> mapper = ConceptMapper().fit()
    >>> X = mapper.transform(["รับผลิตชิ้นส่วนโลหะปั๊มขึ้นรูป", "Sourcing stamped metal parts"])
    >>> names = mapper.get_feature_names_out()
    >>> [str(names[X[i].toarray().argmax()]) for i in range(2)]
    ['auto.stamped_metal_parts', 'auto.stamped_metal_parts']
    >>> mapper.top_concepts("ผ้าหุ้มเบาะรถยนต์")[0]
    ('tex.seat_fabric', 1.0)
    """

    def __init__(
        self,
        vocabulary=None,
        parent_weight: float = 0.3,
        input_weight: float = 0.0,
        link_weight: float = 0.5,
        link_from: str = "unmatched",
        min_support: int = 2,
        smoothing: float = 1.0,
        norm: str | None = None,
        n_jobs: int | None = None,
    ):
        self.vocabulary = vocabulary
        self.parent_weight = parent_weight
        self.input_weight = input_weight
        self.link_weight = link_weight
        self.link_from = link_from
        self.min_support = min_support
        self.smoothing = smoothing
        self.norm = norm
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ fit
    def fit(self, texts=None, y=None, history=None):
        """Build the phrase index and relation matrices; optionally learn links.

        Parameters
        ----------
        texts : iterable of str, optional
            Ignored (the vocabulary is curated, not learned from texts);
            accepted for pipeline compatibility.
        y : None
            Ignored.
        history : tuple or dict, optional
            ``(supplier_texts, buyer_texts, pairs, outcomes)`` or a dict with
            those keys, passed to :meth:`learn_links`.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            If a parameter is out of range.
        """
        self._check_params()
        vocabulary = self.vocabulary
        if vocabulary is None or isinstance(vocabulary, (str, Path)):
            vocabulary = ConceptVocabulary.load(vocabulary)
        elif not isinstance(vocabulary, ConceptVocabulary):
            raise TypeError(
                f"Expected a ConceptVocabulary, a CSV path or None for vocabulary, "
                f"but got {type(vocabulary).__name__}"
            )
        self.vocabulary_ = vocabulary
        n = len(vocabulary)
        self.n_features_out_ = n

        phrases: dict[tuple[str, ...], set[int]] = {}
        thai: dict[str, set[int]] = {}
        for i, concept in enumerate(vocabulary):
            for phrase in concept.phrases:
                key, compact = _phrase_keys(phrase)
                if key:
                    phrases.setdefault(key, set()).add(i)
                if compact:
                    thai.setdefault(compact, set()).add(i)
        self.phrases_ = {k: tuple(sorted(v)) for k, v in phrases.items()}
        self._phrase_len: dict[str, int] = {}  # the longest phrase starting with each word
        for key in phrases:
            self._phrase_len[key[0]] = max(self._phrase_len.get(key[0], 0), len(key))
        self._thai_lookup = {k: tuple(sorted(v)) for k, v in thai.items()}
        self._thai_re = re.compile(_trie_pattern(thai)) if thai else None
        # The same synonyms without tone marks and mai taikhu, as people type them (ล้อแมก, ล้อแม๊ก for ล้อแม็ก).
        loose: dict[str, set[int]] = {}
        for compact, ids in thai.items():
            loose.setdefault(_THAI_MARKS.sub("", compact), set()).update(ids)
        self._loose_lookup = {k: tuple(sorted(v)) for k, v in loose.items() if k}
        self._loose_re = re.compile(_trie_pattern(self._loose_lookup)) if self._loose_lookup else None
        # Latin words of the synonyms, to read a word typed with two letters swapped or one doubled.
        self._latin_words = sorted({w for key in phrases for w in key if _LATIN_WORD.fullmatch(w)})
        self._latin_known = frozenset(self._latin_words)
        self._spelling: dict[str, str] = {}

        expansion = sp.identity(n, format="csr") + vocabulary.ancestor_matrix(self.parent_weight)
        if self.input_weight:
            expansion = expansion + self.input_weight * vocabulary.input_matrix()
        self.expansion_ = sp.csr_matrix(expansion)
        self.related_concepts_ = vocabulary.related_matrix()
        self.input_sectors_ = vocabulary.input_sector_matrix()
        self.unmatched_terms_ = Counter()
        self._cache: dict[str, tuple[tuple[int, ...], tuple[str, ...], tuple[str, ...]]] = {}  # normal form -> _match
        self._reset_links()
        if history is not None:
            if isinstance(history, dict):
                self.learn_links(**history)
            else:
                self.learn_links(*history)
        return self

    def _check_params(self) -> None:
        """Raise ValueError listing every parameter out of range."""
        problems = []
        for name in ("parent_weight", "input_weight", "link_weight"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                problems.append(f"expected 0 <= {name} <= 1, but {name} = {value}")
        if self.link_from not in ("unmatched", "all"):
            problems.append(f"expected link_from in ('unmatched', 'all'), but found {self.link_from!r}")
        if self.min_support < 1:
            problems.append(f"expected min_support >= 1, but min_support = {self.min_support}")
        if self.smoothing < 0:
            problems.append(f"expected smoothing >= 0, but smoothing = {self.smoothing}")
        if self.n_jobs is not None and self.n_jobs < 1:
            problems.append(f"expected n_jobs >= 1 or None, but n_jobs = {self.n_jobs}")
        if self.norm not in ("l1", "l2", None):
            problems.append(f"expected norm in ('l1', 'l2', None), but found {self.norm!r}")
        if problems:
            raise ValueError("; ".join(problems))

    # ------------------------------------------------------------- matching
    def _match_item(self, item: str) -> tuple[tuple[int, ...], tuple[str, ...], tuple[str, ...]]:
        """:meth:`_match` of a raw text, cached by its normal form."""
        normalized = normalize_text(item)
        cached = self._cache.get(normalized)
        if cached is None:
            cached = self._match(normalized)
            if len(self._cache) >= _MAX_CACHE:
                self._cache.clear()
            self._cache[normalized] = cached
        return cached

    def _match(self, normalized: str) -> tuple[tuple[int, ...], tuple[str, ...], tuple[str, ...]]:
        """Concept indices (sorted), unmatched tokens and all content tokens of a normalised text."""
        tokens = analyze_normalized(normalized)
        # Locate each token: run number (Thai runs only) and character span in the run.
        run_no, spans = -1, []
        for token, run, start, end, keep in tokens:
            if start == 0:
                run_no += 1
            spans.append((run_no if "\u0e01" <= run[0] <= "\u0e4e" else None, start, end))  # runs are one script
        content = [p for p, t in enumerate(tokens) if t[4]]
        words = [self._spelled(tokens[p][0]) for p in content]

        # (run, start, end, concept indices, token positions covered)
        matches: list[tuple] = []
        i, n = 0, len(content)
        while i < n:
            for length in range(min(self._phrase_len.get(words[i], 0), n - i), 0, -1):
                found = self.phrases_.get(tuple(words[i : i + length]))
                if found is not None:
                    covered = content[i : i + length]
                    first, last = spans[covered[0]], spans[covered[-1]]
                    same_run = first[0] is not None and first[0] == last[0]
                    matches.append(
                        (first[0] if same_run else None, first[1], last[2], found, frozenset(covered))
                    )
                    i += length
                    break
            else:
                i += 1

        if self._thai_re is not None:
            runs: dict[int, tuple[str, set[int], set[int]]] = {}
            for position, (token, run, start, end, keep) in enumerate(tokens):
                r = spans[position][0]
                if r is not None:
                    entry = runs.setdefault(r, (run, set(), set()))
                    entry[1].add(start)
                    entry[2].add(end)
            for r, (run, starts, ends) in runs.items():
                found = [(m.span(), self._thai_lookup[m.group()]) for m in self._thai_re.finditer(run)]
                if self._loose_re is not None:  # typed without (or with other) tone marks
                    bare, at = _strip_marks(run)
                    found += [((at[m.start()], at[m.end() - 1] + 1), self._loose_lookup[m.group()])
                              for m in self._loose_re.finditer(bare)]
                for (s, e), ids in found:
                    # On the tokenizer's word boundaries only (however many words it cut the synonym into):
                    # สเตอร์ (sprocket) is not read inside คลัสเตอร์ (cluster).
                    if s not in starts or e not in ends:
                        continue
                    covered = frozenset(
                        p for p in content if spans[p][0] == r and spans[p][1] < e and spans[p][2] > s
                    )
                    matches.append((r, s, e, ids, covered))

        # Longest first; drop a match lying inside an accepted one in the same run.
        matches.sort(key=lambda m: -(m[2] - m[1]) if m[0] is not None else 0)
        accepted: list[tuple] = []
        for match in matches:
            r, s, e = match[0], match[1], match[2]
            inside = r is not None and any(
                a[0] == r and a[1] <= s and e <= a[2] and (a[1], a[2]) != (s, e) for a in accepted
            )
            if not inside:
                accepted.append(match)
        found_ids: set[int] = set()
        covered_all: set[int] = set()
        for match in accepted:
            found_ids.update(match[3])
            covered_all |= match[4]
        unmatched = tuple(tokens[p][0] for p in content if p not in covered_all)
        return tuple(sorted(found_ids)), unmatched, tuple(words)

    def _spelled(self, word: str) -> str:
        """``word``, or the vocabulary's word it is a slip of: two neighbouring letters swapped (``vrigin``) or
        one doubled (``paalm``). Found with rapidfuzz's Damerau-Levenshtein distance 1, kept only for those two
        slips, so that a real word one letter from a synonym (``paint``, ``pant``) stays itself."""
        if len(word) < 4 or not _LATIN_WORD.fullmatch(word) or word in self._latin_known:
            return word
        spelled = self._spelling.get(word)
        if spelled is None:
            from rapidfuzz import process
            from rapidfuzz.distance import DamerauLevenshtein

            spelled = word
            best = process.extractOne(word, self._latin_words, scorer=DamerauLevenshtein.distance, score_cutoff=1)
            if best is not None:
                candidate = best[0]
                swapped = len(candidate) == len(word) and sorted(candidate) == sorted(word)
                doubled = len(word) == len(candidate) + 1 and any(
                    word[k] == word[k + 1] and word[:k] + word[k + 1:] == candidate for k in range(len(word) - 1))
                if swapped or doubled:
                    spelled = candidate
            if len(self._spelling) >= _MAX_CACHE:
                self._spelling.clear()
            self._spelling[word] = spelled
        return spelled

    def _match_unique(self, texts: list[str]):
        """Deduplicate texts; return per-unique matches and the inverse index."""
        position: dict[str, int] = {}
        inverse = np.empty(len(texts), dtype=np.int64)
        for k, text in enumerate(texts):
            slot = position.get(text)
            if slot is None:
                slot = position[text] = len(position)
            inverse[k] = slot
        return self._match_all(list(position)), inverse

    def _match_all(self, texts: list[str]) -> list[tuple]:
        """:meth:`_match_items` of each text, in forked processes where there are many."""
        n_processes = self._processes(len(texts))
        if n_processes == 1:
            return [self._match_items(text) for text in texts]
        global _FORKED
        size = -(-len(texts) // (4 * n_processes))
        _FORKED = self  # the children inherit the fitted mapper instead of unpickling it
        gc.freeze()  # the children's collector then leaves the parent's objects alone, unwritten, shared
        try:
            with multiprocessing.get_context("fork").Pool(n_processes) as pool:
                return list(chain.from_iterable(pool.imap(_match_in_child, (
                    texts[start:start + size] for start in range(0, len(texts), size)))))
        finally:
            _FORKED = None
            gc.unfreeze()

    def _processes(self, n_texts: int) -> int:
        """How many processes read ``n_texts`` distinct texts (see ``n_jobs``)."""
        if n_texts < PARALLEL_MIN_TEXTS or self.n_jobs == 1:
            return 1
        if ("fork" not in multiprocessing.get_all_start_methods() or multiprocessing.current_process().daemon
                or threading.current_thread() is not threading.main_thread()):
            return 1
        available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        return max(1, min(available, self.n_jobs or available))

    def _match_items(self, text: str) -> tuple[tuple[int, ...], tuple[str, ...], tuple[str, ...]]:
        """:meth:`_match` item by item of a product list (cached per item), joined.

        A concept that two items name appears twice among the indices.
        """
        parts = [self._match_item(item) for item in split_items(text)]
        if len(parts) == 1:
            return parts[0]
        return tuple(tuple(chain.from_iterable(column)) for column in zip(*parts))

    def item_concepts(self, items) -> list[tuple[int, ...]]:
        """The concepts each item names itself (vocabulary positions), read once per distinct item.

        Examples
        --------
        >>> mapper = ConceptMapper().fit()
        >>> [mapper.vocabulary_.ids_[c] for c in mapper.item_concepts(["ชิ้นส่วนโลหะปั๊มขึ้นรูป"])[0]]
        ['auto.stamped_metal_parts']
        """
        return [ids for ids, _ in self.item_matches(items)]

    def item_matches(self, items) -> list[tuple[tuple[int, ...], float]]:
        """The concepts each item names itself, and the share of the item's words they account for.

        ``crispy rice cakes`` names the concept rice with one word of three: a
        maker of rice covers that need only in part.

        Examples
        --------
        >>> mapper = ConceptMapper().fit()
        >>> [(len(ids), round(share, 2)) for ids, share in mapper.item_matches(["chili sauce", "crispy chili sauce"])]
        [(1, 1.0), (1, 0.67)]
        """
        check_is_fitted(self, "phrases_")
        found = []
        for item in _check_texts(items, "items"):
            ids, unmatched, words = self._match_item(item)
            found.append((tuple(dict.fromkeys(ids)), 1.0 - len(unmatched) / len(words) if words and ids else 0.0))
        return found

    def fork(self) -> ConceptMapper:
        """A copy that shares everything fitted but has caches and learned links of its own.

        :meth:`transform` fills the cache; a task that shares this mapper with
        others (a Dask worker may be pickling it for another) works on a fork.
        """
        forked = copy.copy(self)
        forked._cache = dict(self._cache)
        forked._spelling = dict(self._spelling)
        forked.term_links_ = copy.deepcopy(self.term_links_)  # links it learns are its own
        return forked

    # ------------------------------------------------------------ transform
    def transform(self, texts, *, side: str = "supplier") -> sp.csr_matrix:
        """Map texts to concept weights.

        Parameters
        ----------
        texts : iterable of str
            Free Thai and/or English text, one per supplier or buyer.
        side : {"supplier", "buyer"}, default "supplier"
            Learned links translate supplier words into buyer concepts, so
            they are applied to supplier texts only.

        Returns
        -------
        scipy.sparse.csr_matrix of shape (n_texts, n_concepts)
            Rows are the texts in order; columns follow
            :meth:`get_feature_names_out`.  Weights lie in [0, 1] before
            ``norm``.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If called before :meth:`fit`.
        TypeError
            If ``texts`` is a single string or holds non-strings.
        """
        return self.transform_with_tokens(texts, side=side)[0]

    def transform_with_tokens(self, texts, *, side: str = "supplier") -> tuple[sp.csr_matrix, list[tuple[str, ...]]]:
        """:meth:`transform`, and each text's content tokens (as
        :func:`~tiermatch.features.text.tokenize` gives them), read in the same pass."""
        check_is_fitted(self, "phrases_")
        if side not in ("supplier", "buyer"):
            raise ValueError(f"Expected side in ('supplier', 'buyer'), but found {side!r}")
        texts = _check_texts(texts)
        results, inverse = self._match_unique(texts)
        n_concepts = self.n_features_out_

        lengths = np.fromiter((len(r[0]) for r in results), dtype=np.int64, count=len(results))
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        indices = np.fromiter(chain.from_iterable(r[0] for r in results), dtype=np.int32, count=indptr[-1])
        direct = sp.csr_matrix(
            (np.ones(len(indices)), indices, indptr), shape=(len(results), n_concepts)
        )
        direct.sum_duplicates()
        direct.data[:] = 1.0  # named by two items is named
        if side == "supplier" and self.link_concepts_.nnz:
            which = 1 if self.link_from == "unmatched" else 2
            direct = direct + self.link_weight * (
                self.term_links_.term_matrix([r[which] for r in results]) @ self.link_concepts_
            )
        unique = sp.csr_matrix(direct @ self.expansion_)
        np.minimum(unique.data, 1.0, out=unique.data)
        X = unique[inverse]

        self.unmatched_terms_ = self._count_unmatched(results, inverse)
        if self.norm is not None:
            X = _normalize_rows(X, norm=self.norm)
        return sp.csr_matrix(X), [results[k][2] for k in inverse]

    @staticmethod
    def _count_unmatched(results, inverse) -> Counter:
        """Unmatched tokens counted once per text, in order of first appearance."""
        counts = np.bincount(inverse, minlength=len(results))
        tally: Counter = Counter()
        for result, count in zip(results, counts):
            for term in dict.fromkeys(result[1]):
                tally[term] += int(count)
        return tally

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Concept ids, in column order."""
        check_is_fitted(self, "phrases_")
        return np.asarray(self.vocabulary_.ids_, dtype=object)

    def top_concepts(self, text: str, top_k: int = 5) -> list[tuple[str, float]]:
        """The ``top_k`` heaviest concepts of one text, as ``(concept_id, weight)``.

        Examples
        --------
        >>> mapper = ConceptMapper().fit()
        >>> mapper.top_concepts("น้ำมันปาล์มดิบ", top_k=2)
        [('palm.crude_palm_oil', 1.0), ('palm.palm_oil', 0.3)]
        """
        row = self.transform([text]).tocoo()
        order = np.lexsort((row.col, -row.data))[:top_k]
        ids = self.vocabulary_.ids_
        return [(ids[row.col[k]], round(float(row.data[k]), 6)) for k in order]

    def report_unmatched(self, texts, top_k: int | None = None) -> list[tuple[str, int]]:
        """Tokens that no concept matches, most frequent first, counted once per text.

        Parameters
        ----------
        texts : iterable of str
        top_k : int, optional
            Keep only the most frequent ``top_k``.

        Returns
        -------
        list of (str, int)

        Examples
        --------
        >>> mapper = ConceptMapper().fit()
        >>> mapper.report_unmatched(["ผ้าหุ้มเบาะ ลายไทย", "seat fabric, flame retardant"])
        [('ลายไทย', 1), ('flam', 1), ('retardant', 1)]
        """
        check_is_fitted(self, "phrases_")
        results, inverse = self._match_unique(_check_texts(texts))
        tally = self._count_unmatched(results, inverse)
        ranked = sorted(tally.items(), key=lambda item: -item[1])
        return ranked if top_k is None else ranked[:top_k]

    # ---------------------------------------------------------------- links
    def _reset_links(self) -> None:
        """Forget every learned link."""
        self.term_links_ = TermLinks(self.vocabulary_.ids_, self.min_support, self.smoothing)

    @property
    def links_(self) -> sp.csr_matrix:
        return self.term_links_.links

    @property
    def link_concepts_(self) -> sp.csr_matrix:
        return self.term_links_.link_concepts

    @property
    def supplier_terms_(self) -> list[str]:
        return self.term_links_.supplier_terms

    @property
    def buyer_terms_(self) -> list[str]:
        return self.term_links_.buyer_terms

    @property
    def n_link_pairs_(self) -> int:
        return self.term_links_.n_pairs

    def learn_links(self, supplier_texts, buyer_texts, pairs, outcomes):
        """Learn supplier-term -> buyer-term links from partnership outcomes, from scratch.

        See :meth:`update_links`, which this calls after forgetting earlier links.

        Returns
        -------
        self
        """
        check_is_fitted(self, "phrases_")
        self._reset_links()
        return self.update_links(supplier_texts, buyer_texts, pairs, outcomes)

    def update_links(self, supplier_texts, buyer_texts, pairs, outcomes):
        """Add partnership outcomes to the link counts (:class:`~tiermatch.features.links.TermLinks`), without refitting.

        For every accepted pair (outcome ``"accepted"`` or ``"deal"``, or a
        true boolean), each content token of the supplier text is counted
        together with each token and each matched concept of the buyer text.

        Parameters
        ----------
        supplier_texts, buyer_texts : sequence of str
            Texts indexed by ``pairs``.
        pairs : array-like of shape (n_pairs, 2)
            Integer ``(supplier position, buyer position)`` of each partnership.
        outcomes : array-like of shape (n_pairs,)
            One of :data:`tiermatch.features.OUTCOMES`, or booleans.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            Listing every pair whose positions are out of range and every
            unknown outcome, or if lengths differ.

        Examples
        --------
        >>> mapper = ConceptMapper(min_support=2).fit()
        >>> suppliers = ["ยางรองแท่นหม้อแปลง", "ยางรองแท่นหม้อแปลงไฟฟ้า", "สบู่สมุนไพร", "ซอสพริก"]
        >>> buyers = ["transformer rubber pads", "herbal soap", "chili sauce"]
        >>> pairs = [(0, 0), (1, 0), (2, 1), (3, 2), (2, 1)]
        >>> _ = mapper.learn_links(suppliers, buyers, pairs, ["accepted"] * 5)
        >>> dict(mapper.linked_terms("หม้อแปลง"))["transformer"]
        0.266667
        >>> _ = mapper.update_links(suppliers, buyers, [(1, 0), (3, 2)], ["deal", "accepted"])
        >>> mapper.n_link_pairs_, dict(mapper.linked_terms("หม้อแปลง"))["transformer"]
        (7, 0.321429)
        """
        check_is_fitted(self, "phrases_")
        supplier_texts = _check_texts(supplier_texts, "supplier_texts")
        buyer_texts = _check_texts(buyer_texts, "buyer_texts")
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2) if len(pairs) else np.empty((0, 2), np.int64)
        outcomes = list(outcomes)
        problems = []
        if len(outcomes) != len(pairs):
            problems.append(f"expected one outcome per pair, but n_pairs = {len(pairs)}, n_outcomes = {len(outcomes)}")
        for k, (s, b) in enumerate(pairs):
            if not 0 <= s < len(supplier_texts):
                problems.append(f"pairs[{k}]: supplier position {s} not in [0, {len(supplier_texts)})")
            if not 0 <= b < len(buyer_texts):
                problems.append(f"pairs[{k}]: buyer position {b} not in [0, {len(buyer_texts)})")
        positive = []
        for k, outcome in enumerate(outcomes):
            if isinstance(outcome, (bool, np.bool_)):
                positive.append(bool(outcome))
            elif outcome in OUTCOMES:
                positive.append(outcome in POSITIVE_OUTCOMES)
            else:
                problems.append(f"outcomes[{k}]: expected one of {', '.join(OUTCOMES)} or a bool, but found {outcome!r}")
        if problems:
            raise ValueError(f"{len(problems)} problem(s) in the partnership history: " + "; ".join(problems[:20]))

        ids = self.vocabulary_.ids_

        def accepted():
            for (s, b), ok in zip(pairs, positive):
                if ok:
                    _, _, s_tokens = self._match_items(supplier_texts[s])
                    b_concepts, _, b_tokens = self._match_items(buyer_texts[b])
                    yield s_tokens, b_tokens, [ids[c] for c in b_concepts]

        self.term_links_.add(accepted())
        return self

    def linked_terms(self, term: str, top_k: int = 10) -> list[tuple[str, float]]:
        """Buyer-side terms and ``concept:<id>`` entries linked to a supplier term.

        Parameters
        ----------
        term : str
            A supplier word; it is tokenised, and the links of its tokens are summed.
        top_k : int, default 10

        Returns
        -------
        list of (str, float)
            Heaviest first, weights rounded to 6 decimals.
        """
        check_is_fitted(self, "phrases_")
        return self.term_links_.linked(tokenize(term), top_k)

    def transform_linked_terms(self, texts) -> sp.csr_matrix:
        """Buyer-side term weights that supplier texts are linked to.

        Parameters
        ----------
        texts : iterable of str
            Supplier texts.

        Returns
        -------
        scipy.sparse.csr_matrix of shape (n_texts, len(buyer_terms_))
            Sum of the links of each text's content tokens; columns follow
            ``buyer_terms_`` (which grows with :meth:`update_links`).
        """
        check_is_fitted(self, "phrases_")
        results, inverse = self._match_unique(_check_texts(texts))
        unique = self.term_links_.term_matrix([r[2] for r in results]) @ self.links_
        return sp.csr_matrix(sp.csr_matrix(unique)[inverse])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags
