"""Quality of buyers' top-10 shortlists against later partnerships held out, beside simple references.

The register is the demo generator's hard one (``make_register(..., hard=True)``): a third of the products
from a long tail no vocabulary lists, typing slips, more Thai-only SMEs, buyers with tastes of their own, a
history half proposed by a keyword search. Per seed:

- a fifth of the buyers are new: every proposal of theirs is held out (they have no history);
- every other buyer keeps its earlier proposals as history and has its latest third held out;
- tiermatch sees the profiles and the history left in, as ``tiermatch run --history`` does; each held-out
  buyer's top 10 is judged against its held-out proposals (gain 2 deal, 1 accepted, 0 rejected).

Rows: character 2-4-gram TF-IDF with the hard constraints; a perfect reader of the profiles (the register's
true relevance, ties by distance); tiermatch with the prior, with the learned model, with each buyer's own
preferences, and as a run decides (the default). Figures: NDCG@10 and recall@10 with 95% bootstrap intervals
over buyers, split by buyers with and without history; the share of held-out partnerships found in the top
10, split by products the vocabulary's catalogue knows and the long tail, and by same or cross language; the
share of top-10 slots that repeat a pair the buyer rejected; the share of buyers with a valid partner that get
a shortlist; the share of held-out partnerships inside the candidate pool.

    python benchmarks/bench_quality.py --seeds 0 1 2 --suppliers 2000 --buyers 200
"""

from __future__ import annotations

import argparse
import platform
import re
import time
from dataclasses import dataclass, field

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from tiermatch.datasets import make_register, profile_utility, true_relevance
from tiermatch.datasets._register import ITEMS
from tiermatch.features.candidates import violates_hard_constraints
from tiermatch.features.tables import build_tables

K = 10
GAIN = {"deal": 2.0, "accepted": 1.0, "rejected": 0.0}
THAI = re.compile("[\u0e00-\u0e7f]")
KNOWN = {item.key for item in ITEMS if not item.key.startswith("lt_")}


@dataclass
class Split:
    """One seed's register, what tiermatch may see, and what it is judged on."""

    register: object
    train: list
    test_gain: dict  # buyer position -> {supplier position: gain}
    rejected: set  # (supplier position, buyer position) rejected in the history seen
    cold: set  # buyer positions with no history seen
    S: object = None
    B: object = None
    valid: np.ndarray = field(default=None)  # buyer positions with at least one valid partner
    truth: np.ndarray = field(default=None)  # suppliers x buyers: the register's true relevance (0, 1, 2)


def split(seed: int, n_suppliers: int, n_buyers: int, cold_share: float = 0.2, test_share: float = 1 / 3) -> Split:
    register = make_register(n_suppliers, n_buyers, random_state=seed, hard=True)
    rng = np.random.default_rng(seed + 1000)
    s_pos = {s.supplier_id: i for i, s in enumerate(register.suppliers)}
    b_pos = {b.buyer_id: j for j, b in enumerate(register.buyers)}
    cold = set(rng.choice(n_buyers, size=round(cold_share * n_buyers), replace=False).tolist())
    by_buyer: dict[int, list] = {}
    for p in register.partnerships:
        by_buyer.setdefault(b_pos[p.buyer_id], []).append(p)
    train, test_gain, rejected = [], {}, set()
    for j, rows in by_buyer.items():
        rows = sorted(rows, key=lambda p: (p.date, p.supplier_id))
        n_test = len(rows) if j in cold else max(1, round(test_share * len(rows)))
        for p in rows[:len(rows) - n_test]:
            train.append(p)
            if p.outcome == "rejected":
                rejected.add((s_pos[p.supplier_id], j))
        for p in rows[len(rows) - n_test:]:
            gains = test_gain.setdefault(j, {})
            gains[s_pos[p.supplier_id]] = max(gains.get(s_pos[p.supplier_id], 0.0), GAIN[p.outcome])
    S, B = build_tables(register.suppliers, register.buyers)
    truth = true_relevance(register, np.arange(n_suppliers)[:, None], np.arange(n_buyers)[None, :])
    return Split(register, train, test_gain, rejected, cold, S, B, np.flatnonzero((truth > 0).any(axis=0)), truth)


def ndcg_and_recall(shortlist: list[int], gains: dict[int, float]) -> tuple[float, float]:
    discounts = 1.0 / np.log2(np.arange(2, K + 2))
    dcg = sum(gains.get(i, 0.0) * discounts[r] for r, i in enumerate(shortlist[:K]))
    ideal = sorted(gains.values(), reverse=True)[:K]
    idcg = sum(g * discounts[r] for r, g in enumerate(ideal))
    positives = [i for i, g in gains.items() if g > 0]
    found = sum(i in set(shortlist[:K]) for i in positives)
    return dcg / idcg, found / min(K, len(positives))


def judge(data: Split, shortlists: dict[int, list[int]]) -> dict:
    """Per-buyer NDCG and recall, per-pair found flags with their kind, rejected repeats, coverage."""
    register, s_items, b_items = data.register, data.register.supplier_items, data.register.buyer_items
    buyers, pairs = [], []
    for j, gains in data.test_gain.items():
        if not any(g > 0 for g in gains.values()):
            continue
        shortlist = shortlists.get(j, [])
        ndcg, recall = ndcg_and_recall(shortlist, gains)
        relevant = data.truth[:, j]
        truly = ndcg_and_recall(shortlist, {int(i): float(relevant[i]) for i in np.flatnonzero(relevant)})[0] \
            if relevant.any() else None
        buyers.append({"buyer": j, "ndcg": ndcg, "recall": recall, "history": j not in data.cold, "true": truly})
        top = set(shortlist[:K])
        for i, g in gains.items():
            if g <= 0:
                continue
            shared = set(s_items[i]) & set(b_items[j])
            known = bool(shared & KNOWN) if shared else all(k in KNOWN for k in b_items[j])
            cross = bool(THAI.search(register.suppliers[i].products)) != bool(THAI.search(register.buyers[j].needs))
            pairs.append({"found": i in top, "known": known, "cross": cross})
    slots = [(i, j) for j, shortlist in shortlists.items() for i in shortlist[:K]]
    return {
        "buyers": buyers, "pairs": pairs,
        "rejected_repeats": sum(pair in data.rejected for pair in slots) / max(len(slots), 1),
        "coverage": float(np.mean([bool(shortlists.get(int(j))) for j in data.valid])),
    }


def bootstrap(values, n: int = 1000, seed: int = 0) -> tuple[float, float, float]:
    values = np.asarray(values, dtype=float)
    if not len(values):
        return float("nan"), float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), (n, len(values)))].mean(axis=1)
    return float(values.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


# --------------------------------------------------------------------------- the rankers


def tfidf_with_constraints(data: Split) -> dict[int, list[int]]:
    S, B = data.S, data.B
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True).fit(S.texts + B.texts)
    X_s = vectorizer.transform(S.texts)
    everyone = np.arange(len(S))
    lists = {}
    for j in data.test_gain:
        similarity = (X_s @ vectorizer.transform([B.texts[j]]).T).toarray().ravel()
        allowed = ~violates_hard_constraints(S, B, everyone, np.full(len(S), j))
        order = np.lexsort((everyone, -np.where(allowed, similarity, -np.inf)))
        lists[j] = [int(i) for i in order[:K] if allowed[i] and similarity[i] > 0]
    return lists


def perfect_reader(data: Split) -> dict[int, list[int]]:
    """Ranks by what the two profiles say of a pair, read perfectly: the generator's own utility without chance
    and without the buyer's hidden taste (:func:`~tiermatch.datasets.profile_utility`)."""
    everyone = np.arange(len(data.S))
    lists = {}
    for j in data.test_gain:
        utility = profile_utility(data.register, everyone, np.full(len(everyone), j))
        order = np.lexsort((everyone, -utility))
        lists[j] = [int(i) for i in order[:K] if np.isfinite(utility[i])]
    return lists


def tiermatch_lists(data: Split, scorer: str) -> dict[int, list[int]]:
    """tiermatch's shortlists with the scorer asked for (see ``SCORERS``)."""
    from tiermatch.features.sources import SupplierSource
    from tiermatch.services import RunOptions, match_register
    from tiermatch.services.register import Register

    register = data.register
    source = SupplierSource.from_records(register.suppliers)
    result = match_register(Register(source, register.buyers, data.train, suppliers=register.suppliers),
                            RunOptions(top_k=K, scorer=scorer))
    s_pos = {s.supplier_id: i for i, s in enumerate(register.suppliers)}
    b_pos = {b.buyer_id: j for j, b in enumerate(register.buyers)}
    lists: dict[int, list[tuple[int, int]]] = {}
    for m in result.shortlists:
        lists.setdefault(b_pos[m.buyer_id], []).append((m.rank, s_pos[m.supplier_id]))
    judged = {j: [i for _, i in sorted(pairs)] for j, pairs in lists.items()}
    judged["_summary"] = result.summary
    return judged


def pool_recall(args) -> None:
    """Share of held-out accepted partnerships that a buyer's candidate pool holds, per pool size and seed."""
    from tiermatch.features.candidates import violates_hard_constraints
    from tiermatch.features.sources import SupplierSource
    from tiermatch.matcher import MatchEngine
    from tiermatch.matcher.batch import run_batch
    from tiermatch.services.encoders import text_encoder

    encoder = text_encoder(None)
    rows: dict[int, list] = {}
    for seed in args.seeds:
        data = split(seed, args.suppliers, args.buyers)
        register = data.register
        s_pos = {s.supplier_id: i for i, s in enumerate(register.suppliers)}
        b_pos = {b.buyer_id: j for j, b in enumerate(register.buyers)}
        held = [(i, j) for j, gains in data.test_gain.items() for i, g in gains.items() if g > 0]
        reachable = [(i, j) for i, j in held
                     if not violates_hard_constraints(data.S, data.B, np.array([i]), np.array([j]))[0]]
        for pool in args.pools:
            t = time.perf_counter()
            result = run_batch(MatchEngine(top_k=pool + 200, n_per_buyer=pool, encoder=encoder),
                               SupplierSource.from_records(register.suppliers), register.buyers, data.train)
            seconds = time.perf_counter() - t
            found = {(s_pos[m.supplier_id], b_pos[m.buyer_id]) for m in result.shortlists}
            rows.setdefault(pool, []).append((np.mean([p in found for p in reachable]),
                                              result.summary["candidate_pairs"], seconds))
    print(f"{args.suppliers} SMEs x {args.buyers} buyers, seeds {args.seeds}; held-out accepted partnerships that "
          "pass the hard constraints\n")
    print("| candidates per buyer | share inside the pool (by seed) | mean | candidate pairs | seconds |")
    print("|---|---|---|---|---|")
    for pool, per_seed in rows.items():
        shares = [r[0] for r in per_seed]
        print(f"| {pool} | {', '.join(f'{x:.3f}' for x in shares)} | {np.mean(shares):.3f} "
              f"| {np.mean([r[1] for r in per_seed]):,.0f} | {np.mean([r[2] for r in per_seed]):.1f} |")


SCORERS = {
    "tiermatch, prior": "prior",
    "tiermatch, learned (global)": "global",
    "tiermatch, learned with each buyer's preferences": "personal",
    "tiermatch as a run decides (default)": "auto",
}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--suppliers", type=int, default=2000)
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--scorers", nargs="+", default=list(SCORERS.values()), choices=list(SCORERS.values()))
    parser.add_argument("--pools", type=int, nargs="+", help="instead: the share of held-out partnerships (that "
                                                             "pass the hard constraints) inside the candidates "
                                                             "retrieved per buyer, for these pool sizes")
    args = parser.parse_args(argv)
    if args.pools:
        return pool_recall(args)
    started = time.perf_counter()
    rows: dict[str, list[dict]] = {}
    notes = []
    for seed in args.seeds:
        data = split(seed, args.suppliers, args.buyers)
        n_pos = sum(g > 0 for gains in data.test_gain.values() for g in gains.values())
        notes.append(f"seed {seed}: {data.register}, {len(data.train)} history rows seen, {len(data.cold)} buyers "
                     f"without history, {n_pos} held-out accepted or deal")
        rankers = {"char TF-IDF 2-4 + hard constraints": lambda: tfidf_with_constraints(data),
                   "perfect reader of the profiles": lambda: perfect_reader(data)}
        for name, scorer in SCORERS.items():
            if scorer in args.scorers:
                rankers[name] = (lambda s=scorer: tiermatch_lists(data, s))
        for name, ranker in rankers.items():
            t = time.perf_counter()
            lists = ranker()
            summary = lists.pop("_summary", None) if isinstance(lists, dict) else None
            judged = judge(data, lists)
            judged["seconds"] = time.perf_counter() - t
            judged["scoring"] = (summary or {}).get("scoring")
            rows.setdefault(name, []).append(judged)
    print("\n".join(notes))
    print()
    print("| ranker | NDCG@10 (95% CI) | recall@10 | NDCG@10, buyers with history | NDCG@10, buyers without | "
          "found: catalogue products | found: long tail | found: same language | found: cross-language | "
          "rejected repeats in top 10 | buyers with a valid partner given a shortlist | NDCG@10 on true relevance | "
          "seconds |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    perfect = None
    for name, per_seed in rows.items():
        buyers = [b for judged in per_seed for b in judged["buyers"]]
        pairs = [p for judged in per_seed for p in judged["pairs"]]
        ndcg = bootstrap([b["ndcg"] for b in buyers])
        if name.startswith("perfect"):
            perfect = ndcg[0]

        def rate(flag, value):
            chosen = [p["found"] for p in pairs if p[flag] == value]
            return f"{np.mean(chosen):.3f} ({len(chosen)})" if chosen else "-"

        print(f"| {name} | {ndcg[0]:.3f} ({ndcg[1]:.3f}-{ndcg[2]:.3f}) "
              f"| {np.mean([b['recall'] for b in buyers]):.3f} "
              f"| {bootstrap([b['ndcg'] for b in buyers if b['history']])[0]:.3f} "
              f"| {bootstrap([b['ndcg'] for b in buyers if not b['history']])[0]:.3f} "
              f"| {rate('known', True)} | {rate('known', False)} | {rate('cross', False)} | {rate('cross', True)} "
              f"| {np.mean([j['rejected_repeats'] for j in per_seed]):.3f} "
              f"| {np.mean([j['coverage'] for j in per_seed]):.3f} "
              f"| {np.mean([b['true'] for b in buyers if b['true'] is not None]):.3f} "
              f"| {np.mean([j['seconds'] for j in per_seed]):.1f} |")
    print()
    for name, per_seed in rows.items():
        per = [bootstrap([b["ndcg"] for b in judged["buyers"]])[0] for judged in per_seed]
        scoring = [judged["scoring"] for judged in per_seed if judged.get("scoring")]
        ratio = f"; {np.mean(per) / perfect:.2f} of the perfect reader" if perfect else ""
        print(f"- {name}: NDCG@10 by seed {', '.join(f'{x:.3f}' for x in per)}{ratio}"
              + (f"; scoring: {[s.get('scorer') for s in scoring]}" if scoring else ""))
    print(f"\nmachine: {platform.machine()}, python {platform.python_version()}; "
          f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
