"""Quality of buyers' top-10 shortlists on the demo register, against simple references.

Buyers are split into train and held-out (70/30, seeded); the held-out
buyers' partnerships are removed from the history the engine sees. Each
held-out buyer's top-10 shortlist is judged two ways:

(a) its held-out past proposals: gain 2 for a deal, 1 for accepted, 0 otherwise;
(b) the demo's ground truth (``true_relevance``, graded 0/1/2): the ideal is
    the perfect reader's top 10 among *all* suppliers, so NDCG 1 means perfect.

Rows, all computed in one run: a random pick within the buyer's sector;
character n-gram TF-IDF cosine without and with the hard constraints;
tiermatch with the prior; tiermatch with the learned model (trained on the
train buyers' history only; with ``--boosting`` also a gradient-boosting
one). For tiermatch rows the hard-constraint violations among shortlisted
pairs are counted (must be 0).

    python benchmarks/bench_quality.py --suppliers 2000 --buyers 200 --seed 0 [--proposals 3 6] [--boosting]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer

from tiermatch.datasets import make_register, true_relevance
from tiermatch.features.candidates import violates_hard_constraints
from tiermatch.features.tables import build_tables
from tiermatch.matcher import MatchEngine, prepare_context
from tiermatch.matcher.metrics import ndcg_at_k, recall_at_k
from tiermatch.matcher.model import train_scoring_model

K = 10
GAIN = {"deal": 2.0, "accepted": 1.0, "rejected": 0.0}


def split_buyers(n_buyers: int, seed: int, held_out_share: float = 0.3) -> np.ndarray:
    """Sorted positions of the held-out buyers."""
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_buyers, size=round(held_out_share * n_buyers), replace=False))


def shortlists_from_result(result, supplier_position, buyer_position) -> dict[int, list[int]]:
    """Buyer position -> supplier positions of its shortlist, best first."""
    lists: dict[int, list[tuple[int, int]]] = {}
    for m in result.shortlists:
        lists.setdefault(buyer_position[m.buyer_id], []).append((m.rank, supplier_position[m.supplier_id]))
    return {j: [i for _, i in sorted(pairs)][:K] for j, pairs in lists.items()}


def top_k_by_score(scores: np.ndarray, k: int = K) -> list[int]:
    """Positions of the k highest scores, best first (ties by position)."""
    order = np.lexsort((np.arange(len(scores)), -scores))
    return order[:k].tolist()


def judge(name, shortlists, held_out, outcome_gain, truth, tables, *, count_violations=False, seconds=0.0) -> dict:
    """NDCG@10 and recall@10 on held-out outcomes (a) and on true relevance (b)."""
    S, B = tables
    ranked_a, ideal_a, n_pos_a = [], [], []
    ranked_b, ideal_b, n_rel_b = [], [], []
    violations = 0
    for j in held_out:
        shortlist = shortlists.get(int(j), [])
        gains = outcome_gain.get(int(j), {})
        ranked_a.append([gains.get(i, 0.0) for i in shortlist])
        ideal_a.append(list(gains.values()))
        n_pos_a.append(sum(g > 0 for g in gains.values()))
        column = truth[:, j]
        ranked_b.append(column[shortlist].tolist())
        ideal_b.append(column)
        # recall on (b): the exact matches found, out of as many as fit in 10 slots
        n_rel_b.append(min(int((column == 2).sum()), K))
        if count_violations and shortlist:
            violations += int(violates_hard_constraints(S, B, np.asarray(shortlist), np.full(len(shortlist), j)).sum())
    exact_b = [[1.0 if r == 2 else 0.0 for r in ranked] for ranked in ranked_b]
    return {
        "name": name,
        "ndcg_a": ndcg_at_k(ranked_a, K, ideal_a),
        "recall_a": recall_at_k(ranked_a, n_pos_a, K),
        "ndcg_b": ndcg_at_k(ranked_b, K, ideal_b),
        "recall_b": recall_at_k(exact_b, n_rel_b, K),
        "violations": violations if count_violations else None,
        "seconds": seconds,
    }


def print_exposure(suppliers, buyers, history) -> None:
    """Assignment of the whole register with and without fair exposure: total score, spread, relevance."""
    print()
    print("| assignment of the whole register | pairs | total score | SMEs matched | exposure Gini | "
          "SMEs matched in the South, North, Northeast | seconds |")
    print("|---|---|---|---|---|---|---|")
    regions = {s.supplier_id: s.region for s in suppliers}
    for fair in (False, True):
        t = time.perf_counter()
        result = MatchEngine(fair=fair).run(suppliers, buyers, history)
        exposure = result.summary["exposure"]["with_fairness" if fair else "plain"]
        matched = {m.supplier_id for m in result.assignment}
        outside = sum(regions[sid] in ("South", "North", "Northeast") for sid in matched)
        print(f"| {'fair exposure' if fair else 'plain'} | {len(result.assignment)} | {exposure['total_score']:.1f} "
              f"| {exposure['suppliers_matched']} | {exposure['gini']:.3f} | {outside} | {time.perf_counter() - t:.1f} |")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suppliers", type=int, default=2000)
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--proposals", type=int, nargs=2, default=(3, 6), metavar=("LOW", "HIGH"),
                        help="past proposals per buyer in the demo history (inclusive range)")
    parser.add_argument("--boosting", action="store_true",
                        help="also train a gradient-boosting model (the measured alternative to the logistic default)")
    parser.add_argument("--cross-language", action="store_true",
                        help="every SME writes Thai only and every buyer English only (no shared strings)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    register = make_register(args.suppliers, args.buyers, random_state=args.seed,
                                 proposals_per_buyer=tuple(args.proposals), cross_language=args.cross_language)
    suppliers, buyers = register.suppliers, register.buyers
    supplier_position = {s.supplier_id: i for i, s in enumerate(suppliers)}
    buyer_position = {b.buyer_id: j for j, b in enumerate(buyers)}
    held_out = split_buyers(len(buyers), args.seed)
    held_out_ids = {buyers[j].buyer_id for j in held_out}
    history = [p for p in register.partnerships if p.buyer_id not in held_out_ids]
    outcome_gain: dict[int, dict[int, float]] = {}
    for p in register.partnerships:
        if p.buyer_id in held_out_ids:
            gains = outcome_gain.setdefault(buyer_position[p.buyer_id], {})
            i = supplier_position[p.supplier_id]
            gains[i] = max(gains.get(i, 0.0), GAIN[p.outcome])
    truth = true_relevance(register, np.arange(len(suppliers))[:, None], held_out[None, :])
    truth_full = np.zeros((len(suppliers), len(buyers)), dtype=np.int8)
    truth_full[:, held_out] = truth
    tables = build_tables(suppliers, buyers)
    S, B = tables
    print(f"{register}; {len(held_out)} held-out buyers, {len(history)} history rows seen by the engine, "
          f"{sum(len(g) for g in outcome_gain.values())} held-out proposals "
          f"({sum(v > 0 for g in outcome_gain.values() for v in g.values())} accepted or deal); "
          f"generated in {time.perf_counter() - started:.1f} s")

    rows = []
    rng = np.random.default_rng(args.seed)
    t = time.perf_counter()
    random_lists = {}
    for j in held_out:
        same_sector = np.flatnonzero(S.sector == B.sector[j])
        random_lists[int(j)] = rng.permutation(same_sector)[:K].tolist()
    rows.append(judge("random pick within the buyer's sector", random_lists, held_out, outcome_gain, truth_full,
                      tables, seconds=time.perf_counter() - t))

    t = time.perf_counter()
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    vectorizer.fit(S.texts + B.texts)
    X_s, X_b = vectorizer.transform(S.texts), vectorizer.transform([B.texts[j] for j in held_out])
    similarity = (X_s @ X_b.T).toarray()  # (n_suppliers, n_held_out); small: held-out buyers only
    tfidf_seconds = time.perf_counter() - t
    plain, constrained = {}, {}
    everyone = np.arange(len(S))
    for c, j in enumerate(held_out):
        plain[int(j)] = top_k_by_score(similarity[:, c])
        allowed = ~violates_hard_constraints(S, B, everyone, np.full(len(S), j))
        constrained[int(j)] = top_k_by_score(np.where(allowed, similarity[:, c], -np.inf))[:int(allowed.sum())]
    rows.append(judge("TF-IDF char 2-4 cosine, no constraints", plain, held_out, outcome_gain, truth_full, tables,
                      seconds=tfidf_seconds))
    rows.append(judge("TF-IDF char 2-4 cosine + hard constraints", constrained, held_out, outcome_gain, truth_full,
                      tables, seconds=time.perf_counter() - t))

    t = time.perf_counter()
    result = MatchEngine().run(suppliers, buyers, history)
    rows.append(judge("tiermatch prior", shortlists_from_result(result, supplier_position, buyer_position), held_out,
                      outcome_gain, truth_full, tables, count_violations=True, seconds=time.perf_counter() - t))

    reports = {}
    estimators = [("logistic", None)]
    if args.boosting:
        estimators.append(("gradient boosting", HistGradientBoostingClassifier(
            max_iter=100, learning_rate=0.1, max_leaf_nodes=8, min_samples_leaf=20, random_state=args.seed)))
    for label, estimator in estimators:
        t = time.perf_counter()
        context = prepare_context(suppliers, buyers, history)
        report = train_scoring_model(context, history, estimator=estimator, random_state=args.seed)
        result = MatchEngine(model=report.model).run(suppliers, buyers, history)
        reports[label] = report
        adopted = "adopted" if report.adopted else "not adopted"
        rows.append(judge(f"tiermatch learned, {label} ({adopted})",
                          shortlists_from_result(result, supplier_position, buyer_position), held_out, outcome_gain,
                          truth_full, tables, count_violations=True, seconds=time.perf_counter() - t))

    def cell(value, digits=3):
        return "-" if value is None else (f"{value:.{digits}f}" if isinstance(value, float) else str(value))

    print()
    print(f"| top-{K} shortlists of {len(held_out)} held-out buyers | NDCG@10 (a) held-out outcomes | recall@10 (a) "
          f"| NDCG@10 (b) true relevance | recall@10 (b) exact matches | hard-constraint violations | seconds |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['name']} | {cell(row['ndcg_a'])} | {cell(row['recall_a'])} | {cell(row['ndcg_b'])} "
              f"| {cell(row['recall_b'])} | {cell(row['violations'])} | {row['seconds']:.1f} |")
    print()
    for label, report in reports.items():
        print(f"learned ({label}), version {report.version}, {report.n_rows} training rows over {report.n_buyers} "
              f"buyers: {report.reason}")
    print_exposure(suppliers, buyers, register.partnerships)
    print(f"\nmachine: {platform.machine()}, {platform.processor() or platform.platform()}, "
          f"python {platform.python_version()}; total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
