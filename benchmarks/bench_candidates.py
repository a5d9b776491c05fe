"""Feature extraction and candidate generation at scale, beside exact dense retrieval.

For each size: tiermatch's profile preparation (tables, Thai/English text
blocks, concepts) and candidate generation (top 50 per buyer, top 5 per
supplier, hard constraints applied, pair features), wall time and peak memory
above the start; and, in the same run, the reference: faiss ``IndexFlatIP``
exact top-50 over random 64-d float32 vectors of the same counts (about the
machine's matrix-multiply ceiling). The two-stage search's recall: the share
of the exact top-50 of 300 sampled buyers (hard constraints applied) that it
finds; where tiermatch searches exactly (up to 50M pairs) the two-stage search
is run beside it for this figure. With ``--tfidf``, also
character 2-4-gram TF-IDF top-50 retrieval (slow at the largest size).

    python benchmarks/bench_candidates.py                      # 2,000x200, 20,000x1,000, 200,000x5,000
    python benchmarks/bench_candidates.py --sizes 2000x200 --tfidf
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from memory import peak_rss  # noqa: E402

from tiermatch.datasets import make_register  # noqa: E402
from tiermatch.features.candidates import build_candidates  # noqa: E402
from tiermatch.matcher import MatchEngine, prepare_context  # noqa: E402


def faiss_reference(n_suppliers: int, n_buyers: int, k: int = 50, seed: int = 0) -> float:
    import faiss

    rng = np.random.default_rng(seed)
    X_s = rng.standard_normal((n_suppliers, 64), dtype=np.float32)
    X_b = rng.standard_normal((n_buyers, 64), dtype=np.float32)
    faiss.normalize_L2(X_s)
    faiss.normalize_L2(X_b)
    began = time.perf_counter()
    index = faiss.IndexFlatIP(64)
    index.add(X_s)
    index.search(X_b, k)
    return time.perf_counter() - began


def tfidf_reference(suppliers, buyers, k: int = 50) -> float:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from tiermatch.features.candidates import _top_k_per_row

    began = time.perf_counter()
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), dtype=np.float32)
    vectorizer.fit([s.products for s in suppliers] + [b.needs for b in buyers])
    X_s = vectorizer.transform([s.products for s in suppliers]).T.tocsr()
    X_b = vectorizer.transform([b.needs for b in buyers])
    for start in range(0, X_b.shape[0], 256):
        _top_k_per_row((X_b[start:start + 256] @ X_s).tocsr(), k)
    return time.perf_counter() - began


def two_stage_recall(context, two_stage, k: int, n_sample: int = 300, seed: int = 0) -> float:
    """Share of the exact top-k (hard constraints applied) of up to ``n_sample`` buyers that the two-stage search found."""
    from tiermatch.features.candidates import _retrieve, violates_hard_constraints

    S, B = context.suppliers, context.buyers
    sample = np.sort(np.random.default_rng(seed).choice(len(B), size=min(len(B), n_sample), replace=False))
    buyer, supplier, _ = _retrieve(
        context.X_buyers[sample], context.X_suppliers, k=k, block_size=512, min_similarity=0.1,
        allowed=lambda b, s: ~violates_hard_constraints(S, B, s, sample[b]))
    found = set(zip(two_stage.rows.tolist(), two_stage.cols.tolist()))
    return float(np.mean([pair in found for pair in zip(supplier.tolist(), sample[buyer].tolist())]))


def measure(n_suppliers: int, n_buyers: int, *, tfidf: bool, seed: int) -> dict:
    register = make_register(n_suppliers, n_buyers, random_state=seed)
    engine = MatchEngine()
    with peak_rss() as prepared:
        context = prepare_context(register.suppliers, register.buyers, register.partnerships)
    args = (context.X_suppliers, context.X_buyers, context.suppliers, context.buyers)
    with peak_rss() as retrieved:
        candidates = build_candidates(*args, n_per_buyer=engine.n_per_buyer, n_per_supplier=engine.n_per_supplier)
        context.pair_features(candidates.rows, candidates.cols)
    method = "exact" if n_suppliers * n_buyers <= 5e7 else "two-stage"
    two_stage = candidates if method == "two-stage" else build_candidates(
        *args, n_per_buyer=engine.n_per_buyer, n_per_supplier=0, method="two_stage")
    row = {
        "size": f"{n_suppliers:,} x {n_buyers:,}",
        "method": method,
        "recall": two_stage_recall(context, two_stage, engine.n_per_buyer, seed=seed),
        "candidates": len(candidates),
        "prepare_s": prepared["seconds"],
        "retrieve_s": retrieved["seconds"],
        "total_s": prepared["seconds"] + retrieved["seconds"],
        "peak_mib": max(prepared["peak_mib"], retrieved["peak_mib"]),
        "faiss_s": faiss_reference(n_suppliers, n_buyers, seed=seed),
        "tfidf_s": tfidf_reference(register.suppliers, register.buyers) if tfidf else float("nan"),
    }
    row["ratio_to_faiss"] = row["total_s"] / row["faiss_s"]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=["2000x200", "20000x1000", "200000x5000"])
    parser.add_argument("--tfidf", action="store_true", help="also time char n-gram TF-IDF retrieval")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    header = (f"{'suppliers x buyers':>20} {'method':>10} {'candidates':>11} {'prepare s':>10} {'retrieve s':>11} "
              f"{'total s':>9} {'peak MiB':>9} {'faiss s':>8} {'ratio':>7} {'2-stage recall@50':>18} {'tfidf s':>8}")
    print(header)
    print("-" * len(header))
    for size in args.sizes:
        n_suppliers, n_buyers = (int(x) for x in size.lower().split("x"))
        r = measure(n_suppliers, n_buyers, tfidf=args.tfidf, seed=args.seed)
        print(f"{r['size']:>20} {r['method']:>10} {r['candidates']:>11,} {r['prepare_s']:>10.2f} "
              f"{r['retrieve_s']:>11.2f} {r['total_s']:>9.2f} {r['peak_mib']:>9.0f} {r['faiss_s']:>8.2f} "
              f"{r['ratio_to_faiss']:>7.1f} {r['recall']:>18.3f} {r['tfidf_s']:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
