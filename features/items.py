"""Profiles as lists of items, and how much of a buyer's needs an SME covers.

A buyer asks "who can supply what I need?". Its needs are split into items
(:func:`~tiermatch.features.text.split_items`); each need item is covered by
the SME's best item: fully where they name the same concept, largely where
the SME's concept goes into the need's, and otherwise as far as the sentence
encoder puts them side by side (so that ``เฟอร์นิเจอร์หวาย`` covers ``rattan
furniture`` though no vocabulary lists either); the encoder speaks only as
far as the vocabulary is silent on the two items. Coverage is the need items'
weighted share that is covered: an SME that makes everything needed scores 1
whatever else it makes, one that makes one need of three scores a third.

Need items that many buyers write alike (``long-term contract``,
``จำนวนมาก``) say little about what is needed and weigh little.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .text import normalize_text, split_items

__all__ = ["COMMON_ITEM_OWNERS", "ItemTable", "MAX_ITEM_CONCEPTS", "build_item_table", "cover_needs", "item_texts", "retrieve_by_need", "semantic_score",
           "top_per_need"]

MAX_ITEM_CONCEPTS = 4
# Cosines of the encoder below LOW say nothing; from HIGH up two items are the same thing. Measured on the
# vocabulary's own terms (Thai name against English name, 128-d projection; not on any benchmark register):
# translations of one concept have median 0.74 (lower quartile 0.62), different products of one sector
# 0.18 (upper quartile 0.29, 90th percentile 0.42).
SEMANTIC_LOW, SEMANTIC_HIGH = 0.35, 0.75
# An item more SMEs than this make is found by its words; retrieval by meaning leaves it out.
COMMON_ITEM_OWNERS = 64
# The share of a concept's cover that a supplier concept feeding it (an input, a near relative) gives.
RELATED_COVER = 0.7


@dataclass
class ItemTable:
    """Every text's items, each distinct item read once.

    ``item_of[ptr[t]:ptr[t + 1]]`` are text ``t``'s items, positions into
    ``texts`` (normalised item strings), ``concepts`` (each item's direct
    concepts, -1 padded), ``strength`` (how fully they name the item: half,
    plus half the share of its words they account for) and ``vectors`` (each
    item's reduced encoder vector, float32; None without an encoder).
    ``weight`` is how much an item says about a need (1 for a product, less
    for wording many buyers share).
    """

    ptr: np.ndarray
    item_of: np.ndarray
    texts: list[str]
    concepts: np.ndarray
    vectors: np.ndarray | None
    weight: np.ndarray
    strength: np.ndarray

    def __len__(self) -> int:
        return len(self.ptr) - 1

    def items_of(self, t: int) -> np.ndarray:
        return self.item_of[self.ptr[t]:self.ptr[t + 1]]

    def common(self, scale: float = 1.0) -> frozenset[str]:
        """Items that more than :data:`COMMON_ITEM_OWNERS` texts hold, counting each text ``scale`` times (a
        sample of a register counts for the whole)."""
        counts = np.bincount(self.item_of, minlength=len(self.texts)) * scale
        return frozenset(self.texts[k] for k in np.flatnonzero(counts > COMMON_ITEM_OWNERS))

    def mask(self, texts: frozenset[str]) -> np.ndarray:
        """Which of these items are among ``texts``."""
        return np.array([t in texts for t in self.texts], dtype=bool)

    def union(self, groups) -> ItemTable:
        """One text per group of texts (positions), holding every item any of them holds."""
        item_of = [np.unique(np.concatenate([self.items_of(t) for t in g])) if len(g) else np.zeros(0, np.int64)
                   for g in groups]
        ptr = np.r_[0, np.cumsum([len(i) for i in item_of])].astype(np.int64)
        merged = np.concatenate(item_of).astype(np.int64) if item_of else np.zeros(0, np.int64)
        return ItemTable(ptr, merged, self.texts, self.concepts, self.vectors, self.weight, self.strength)


def item_texts(texts) -> list[str]:
    """The distinct items of ``texts``, normalised, in order of first appearance: what an encoder reads.

    Examples
    --------
    >>> item_texts(["Chili sauce, fish sauce", "chili  sauce"])
    ['chili sauce', 'fish sauce']
    """
    return list(dict.fromkeys(n for text in texts for n in map(normalize_text, split_items(text)) if n))


def build_item_table(texts, mapper, embed=None, *, reference_count: int | None = None) -> ItemTable:
    """Split texts into items and read each distinct item once.

    Parameters
    ----------
    texts : sequence of str
    mapper : ConceptMapper
        Fitted: gives each item's direct concepts.
    embed : callable, optional
        ``embed(item_texts) -> (n, d) float`` (reduced encoder vectors); no vectors if None.
    reference_count : int, optional
        Weigh items by how many of ``texts`` name them (need items): an item no
        concept names that more than 2% of them write weighs ``0.02 / share``,
        down to 0.1 (filler such as ``long-term contract``); None weighs all 1.
    """
    position: dict[str, int] = {}
    item_of, ptr = [], [0]
    raw_of: list[str] = []
    for text in texts:
        seen = []
        for raw in split_items(text):
            normal = normalize_text(raw)
            if not normal:
                continue
            k = position.get(normal)
            if k is None:
                k = position[normal] = len(position)
                raw_of.append(raw)
            if k not in seen:
                seen.append(k)
        item_of.extend(seen)
        ptr.append(len(item_of))
    item_texts = list(position)
    concepts = np.full((len(item_texts), MAX_ITEM_CONCEPTS), -1, dtype=np.int32)
    strength = np.zeros(len(item_texts), dtype=np.float32)
    for k, (ids, share) in enumerate(mapper.item_matches(raw_of)):
        ids = sorted(set(ids))[:MAX_ITEM_CONCEPTS]
        concepts[k, :len(ids)] = ids
        strength[k] = 0.5 + 0.5 * share if ids else 0.0
    item_of = np.asarray(item_of, dtype=np.int64)
    weight = np.ones(len(item_texts), dtype=np.float32)
    if reference_count and len(item_texts):
        share = np.bincount(item_of, minlength=len(item_texts)) / max(reference_count, 1)
        named = concepts[:, 0] >= 0
        weight = np.where(named, 1.0, np.clip(0.02 / np.maximum(share, 1e-9), 0.1, 1.0)).astype(np.float32)
    vectors = None
    if embed is not None:
        vectors = np.asarray(embed(item_texts), dtype=np.float32) if item_texts else None
    return ItemTable(np.asarray(ptr, dtype=np.int64), item_of, item_texts, concepts, vectors, weight, strength)


def semantic_score(cosine: np.ndarray) -> np.ndarray:
    """An encoder cosine as a share of cover, 0 below :data:`SEMANTIC_LOW`, 1 from :data:`SEMANTIC_HIGH`."""
    return np.clip((cosine - SEMANTIC_LOW) / (SEMANTIC_HIGH - SEMANTIC_LOW), 0.0, 1.0)


def _cover_lookup(cover: sp.csr_matrix, rows: np.ndarray, concepts: np.ndarray) -> np.ndarray:
    """``cover[rows[n], concepts[n, k]]`` (0 where the concept is -1), as (n, k), by binary search."""
    cover = sp.csr_matrix(cover)
    cover.sort_indices()
    n_cols = cover.shape[1]
    keys = np.repeat(np.arange(cover.shape[0], dtype=np.int64), np.diff(cover.indptr)) * n_cols + cover.indices
    query = rows[:, None].astype(np.int64) * n_cols + np.maximum(concepts, 0)
    at = np.minimum(np.searchsorted(keys, query), max(len(keys) - 1, 0))
    found = (concepts >= 0) & (len(keys) > 0) & (keys[at] == query if len(keys) else False)
    return np.where(found, cover.data[at] if len(keys) else 0.0, 0.0)


def cover_needs(needs: ItemTable, offers: ItemTable, cover: sp.csr_matrix, rows, cols, *,
                chunk: int = 200_000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How much of each buyer's needs each supplier covers.

    Parameters
    ----------
    needs : ItemTable
        The buyers' items (texts are buyer positions).
    offers : ItemTable
        The suppliers' items (texts are supplier positions).
    cover : sparse matrix, shape (n_suppliers, n_concepts)
        How far each supplier covers each concept (1 named, :data:`RELATED_COVER` feeding it).
    rows, cols : array of int, shape (n_pairs,)
        Supplier and buyer positions.

    Returns
    -------
    coverage : ndarray, shape (n_pairs,)
        The weighted share of the buyer's need items covered, in [0, 1].
    best_need, best_offer : ndarray of int, shape (n_pairs,)
        The best-covered need item and, where the encoder rather than a
        concept covers it, the supplier item covering it (item positions; -1
        where none): what a reason names.
    """
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    n_pairs = len(rows)
    coverage = np.zeros(n_pairs, dtype=np.float32)
    best_need = np.full(n_pairs, -1, dtype=np.int64)
    best_offer = np.full(n_pairs, -1, dtype=np.int64)
    if not n_pairs:
        return coverage, best_need, best_offer
    # (pair, need item): every need item of every pair's buyer.
    n_needs = needs.ptr[cols + 1] - needs.ptr[cols]
    pair_of_need = np.repeat(np.arange(n_pairs), n_needs)
    need = needs.item_of[np.repeat(needs.ptr[cols], n_needs) + _ranks(n_needs)]
    by_concept = (_cover_lookup(cover, rows[pair_of_need], needs.concepts[need]).max(axis=1) * needs.strength[need]
                  if len(need) else np.zeros(0))
    score = by_concept.astype(np.float32)
    offer_of = np.full(len(need), -1, dtype=np.int64)
    if needs.vectors is not None and offers.vectors is not None:
        # (pair, need item, supplier item): the supplier's best item for each need item.
        s_rows = rows[pair_of_need]
        n_offers = offers.ptr[s_rows + 1] - offers.ptr[s_rows]
        best = np.zeros(len(need), dtype=np.float32)
        best_at = np.full(len(need), -1, dtype=np.int64)
        for lo in range(0, len(need), chunk):
            hi = min(lo + chunk, len(need))
            counts = n_offers[lo:hi]
            owner = np.repeat(np.arange(lo, hi), counts)
            offer = offers.item_of[np.repeat(offers.ptr[s_rows[lo:hi]], counts) + _ranks(counts)]
            # Meaning bridges where the vocabulary is silent: two items it names in full are the products it
            # says they are (chili sauce is not fish sauce, however close an encoder puts them), and are not
            # compared at all.
            silent = 1.0 - np.minimum(needs.strength[need[owner]], offers.strength[offer])
            owner, offer, silent = owner[silent > 0], offer[silent > 0], silent[silent > 0]
            cosine = np.einsum("ij,ij->i", needs.vectors[need[owner]], offers.vectors[offer])
            cosine = SEMANTIC_LOW + (cosine - SEMANTIC_LOW) * silent
            order = np.lexsort((-cosine, owner))
            first = np.r_[True, owner[order][1:] != owner[order][:-1]] if len(order) else np.zeros(0, bool)
            best[owner[order][first]] = cosine[order][first]
            best_at[owner[order][first]] = offer[order][first]
        semantic = semantic_score(best).astype(np.float32)
        offer_of = np.where(semantic > score, best_at, -1)  # named where meaning, not a concept, covers the need
        score = np.maximum(score, semantic)
    weight = needs.weight[need]
    total = np.bincount(pair_of_need, weights=weight, minlength=n_pairs)
    coverage = (np.bincount(pair_of_need, weights=weight * score, minlength=n_pairs)
                / np.maximum(total, 1e-9)).astype(np.float32)
    # The best-covered need of each pair, to be named in its reason.
    order = np.lexsort((-score * weight, pair_of_need))
    first = np.r_[True, pair_of_need[order][1:] != pair_of_need[order][:-1]] if len(order) else np.zeros(0, bool)
    chosen = order[first]
    has = score[chosen] > 0
    best_need[pair_of_need[chosen][has]] = need[chosen][has]
    best_offer[pair_of_need[chosen][has]] = offer_of[chosen][has]
    return coverage, best_need, best_offer


def _ranks(counts: np.ndarray) -> np.ndarray:
    """0, 1, ..., counts[k] - 1 for each k, concatenated."""
    if not len(counts):
        return np.zeros(0, dtype=np.int64)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(int(counts.sum()), dtype=np.int64) - starts


def _owners(items: ItemTable) -> tuple[np.ndarray, np.ndarray]:
    """Who holds each item: ``owner[start[k]:start[k + 1]]`` are the texts holding item ``k``."""
    text_of = np.repeat(np.arange(len(items)), np.diff(items.ptr))
    order = np.argsort(items.item_of, kind="stable")
    start = np.r_[0, np.cumsum(np.bincount(items.item_of, minlength=len(items.texts)))]
    return text_of[order], start


def retrieve_by_need(needs: ItemTable, offers: ItemTable, *, k: int, allowed, common=None, owners_cap: int = 160):
    """For each need item of each buyer, the ``k`` SMEs whose items come closest to it in meaning.

    Every distinct need item the vocabulary does not name in full finds the
    distinct supplier items at cosine :data:`SEMANTIC_LOW` or more (faiss
    range search, exact; the ``owners_cap`` closest SMEs of each), except
    ``common`` ones (a boolean mask over ``offers.texts``: items so many SMEs
    make that words find them), and through them the SMEs making them.
    ``allowed(buyers, suppliers)`` applies the hard constraints first, so that
    each need keeps ``k`` SMEs that may serve it. Nothing here depends on how
    the suppliers are split: the ``k`` best of several parts' ``k`` best are
    the ``k`` best of the whole (:func:`top_per_need`).

    Returns
    -------
    cols, rows, need, cover : ndarray
        Buyer position, supplier position, need item and encoder cosine of
        each entry; a pair may come once per need item it serves.
    """
    empty = np.zeros(0, dtype=np.int64)
    nothing = empty, empty, empty, np.zeros(0, dtype=np.float32)
    if needs.vectors is None or offers.vectors is None or not len(offers.texts) or not len(needs.texts) or k < 1:
        return nothing
    import faiss

    searched = np.flatnonzero(~common) if common is not None else np.arange(len(offers.texts))
    if not len(searched):
        return nothing
    # Only needs the vocabulary does not name in full: the others are found through their concepts.
    asked = np.flatnonzero(needs.strength < 1.0)
    if not len(asked):
        return nothing
    index = faiss.IndexFlatIP(offers.vectors.shape[1])
    index.add(np.ascontiguousarray(offers.vectors[searched], dtype=np.float32))
    limits, cover, found = index.range_search(np.ascontiguousarray(needs.vectors[asked], dtype=np.float32),
                                              SEMANTIC_LOW)
    need, offer = np.repeat(asked, np.diff(limits).astype(np.int64)), searched[found]
    # Rounded: the same two items give the same cover however many items an index holds (its sums may not).
    cover = np.round(cover, 4)
    # Offer item -> the SMEs holding it, need item -> the buyers needing it.
    s_owner, s_start = _owners(offers)
    b_owner, b_start = _owners(needs)
    n_s = s_start[offer + 1] - s_start[offer]
    # Before reading who holds them: each need's closest items until they hold owners_cap SMEs (ties kept).
    if len(need):
        order = np.lexsort((-cover, need))
        need, offer, cover, n_s = need[order], offer[order], cover[order], n_s[order]
        starts = np.flatnonzero(np.r_[True, need[1:] != need[:-1]])
        lengths = np.diff(np.r_[starts, len(need)])
        held = np.cumsum(n_s)
        held -= np.repeat(held[starts] - n_s[starts], lengths)
        first = np.minimum.reduceat(np.where(held >= owners_cap, np.arange(len(need)), len(need)), starts)
        threshold = np.where(first < len(need), cover[np.minimum(first, len(need) - 1)], -np.inf)
        keep = cover >= np.repeat(threshold, lengths)
        need, offer, cover, n_s = need[keep], offer[keep], cover[keep], n_s[keep]
    rows = s_owner[np.repeat(s_start[offer], n_s) + _ranks(n_s)]
    need, cover = np.repeat(need, n_s), np.repeat(cover, n_s)
    # Each need item's owners_cap closest SMEs (one SME once, at its best cover): enough for every buyer of it
    # to keep its k once the hard constraints have spoken, and what keeps the buyers' expansion small.
    key = need * (int(rows.max(initial=0)) + 1) + rows
    order = np.lexsort((rows, -cover, need))
    key, need, rows, cover = key[order], need[order], rows[order], cover[order]
    once = np.zeros(len(key), dtype=bool)
    once[np.unique(key, return_index=True)[1]] = True
    need, rows, cover = need[once], rows[once], cover[once]
    near = np.arange(len(need)) - np.searchsorted(need, need, side="left") < owners_cap
    need, rows, cover = need[near], rows[near], cover[near]
    n_b = b_start[need + 1] - b_start[need]
    cols = b_owner[np.repeat(b_start[need], n_b) + _ranks(n_b)]
    rows, need, cover = np.repeat(rows, n_b), np.repeat(need, n_b), np.repeat(cover, n_b)
    if not len(rows):
        return nothing
    # Pairs that pass the hard constraints; each (buyer, need item, SME) once, at its best cover.
    n_rows, n_needs = int(rows.max()) + 1, len(needs.texts)
    pairs, inverse = np.unique(cols * n_rows + rows, return_inverse=True)
    ok = allowed(pairs // n_rows, pairs % n_rows)[inverse]
    key = (cols[ok] * n_needs + need[ok]) * n_rows + rows[ok]
    cover = cover[ok]
    order = np.lexsort((-cover, key))
    best = order[np.r_[True, key[order][1:] != key[order][:-1]]]
    key, cover = key[best], cover[best]
    return top_per_need(key // n_rows // n_needs, key % n_rows, key // n_rows % n_needs, cover, k)


def top_per_need(cols, rows, need, cover, k: int):
    """Each (buyer, need item)'s ``k`` entries of highest cover, ties to the lower supplier position:
    ``(cols, rows, need, cover)``, grouped by buyer then need."""
    order = np.lexsort((rows, -cover, need, cols))
    cols, rows, need, cover = cols[order], rows[order], need[order], cover[order]
    new_group = np.r_[True, (cols[1:] != cols[:-1]) | (need[1:] != need[:-1])] if len(cols) else np.zeros(0, bool)
    start = np.maximum.accumulate(np.where(new_group, np.arange(len(cols)), 0)) if len(cols) else np.zeros(0, int)
    keep = np.arange(len(cols)) - start < k
    return cols[keep], rows[keep], need[keep], cover[keep]
