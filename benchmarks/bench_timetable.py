"""A matchmaking day's timetable: CP-SAT (with its proven bound) beside first-come self-scheduling.

Days of ``participants`` (one in five a buyer) with ``requests`` accepted meeting requests, popular buyers
asked far more than others (Zipf), and availability as at a fair: a morning (09:00-12:00) and an afternoon
(13:00-16:30) of 30-minute slots (13 in all); a share arrive late and a share leave early (see DAYS). ``tables`` tables, of which
the matchmaker blocks 5% in the first slot. For each day: meetings placed by :func:`greedy_timetable` (each
request, as accepted, takes the first common free slot) and by :func:`timetable` (CP-SAT, 2 workers, time
limit), the bound CP-SAT proves, the gap to it, and the seconds each took.

Usage::

    python benchmarks/bench_timetable.py --seeds 0 1 --time-limit 50
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from tiermatch.matcher.timetable import greedy_timetable, timetable

N_SLOTS = 13  # 6 in the morning, 7 in the afternoon
# (participants, requests, tables, share arriving late, share leaving early). The first three are the
# issue's sizes: so many requests that the popular buyers' slots, not availability, bind. The last two have
# about as many requests as the day can hold and many partial days: there availability binds.
DAYS = [(200, 5000, 50, 0.15, 0.15), (1000, 6000, 150, 0.15, 0.15), (3000, 7000, 300, 0.15, 0.15),
        (1000, 2500, 150, 0.4, 0.4), (3000, 7000, 300, 0.4, 0.4)]


def make_day(participants: int, requests: int, tables: int, late: float, early: float, seed: int):
    rng = np.random.default_rng(seed)
    n_b = participants // 5
    n_s = participants - n_b
    popularity = 1.0 / np.arange(1, n_b + 1) ** 0.8
    pairs = set()
    while len(pairs) < min(requests, n_s * n_b):
        b = rng.choice(n_b, size=requests, p=popularity / popularity.sum())
        s = rng.integers(0, n_s, requests)
        pairs.update(zip(s.tolist(), b.tolist()))
    pairs = list(pairs)[:requests]
    rng.shuffle(pairs)  # the order requests were accepted in
    rows = np.array([p[0] for p in pairs])
    cols = np.array([p[1] for p in pairs])

    def availability(n):
        available = np.ones((n, N_SLOTS), bool)
        late_ = rng.random(n) < late
        early_ = rng.random(n) < early
        available[late_, :] &= np.arange(N_SLOTS) >= rng.integers(2, 7, late_.sum())[:, None]
        available[early_, :] &= np.arange(N_SLOTS) < rng.integers(7, 11, early_.sum())[:, None]
        return available

    blocked = [(0, t) for t in range(int(0.05 * tables))]
    return rows, cols, availability(n_s), availability(n_b), tables, blocked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--time-limit", type=float, default=50.0)
    args = parser.parse_args()
    print("| participants | requests | tables | late / early | seed | greedy placed | CP-SAT placed | proven bound | gap | "
          "CP-SAT vs greedy | greedy s | CP-SAT s | optimal |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for participants, requests, tables, late, early in DAYS:
        for seed in args.seeds:
            rows, cols, available_s, available_b, tables_, blocked = make_day(participants, requests, tables, late,
                                                                              early, seed)
            started = time.perf_counter()
            greedy = greedy_timetable(rows, cols, available_s, available_b, tables_, blocked=blocked)
            greedy_s = time.perf_counter() - started
            plan = timetable(rows, cols, available_s, available_b, tables_, blocked=blocked,
                             time_limit=args.time_limit)
            print(f"| {participants:,} | {len(rows):,} | {tables} | {late:.0%} / {early:.0%} | {seed} | {greedy.placed:,} | {plan.placed:,} | "
                  f"{plan.bound:,} | {plan.gap:.2%} | +{plan.placed / max(greedy.placed, 1) - 1:.1%} | "
                  f"{greedy_s:.2f} | {plan.seconds:.1f} | {plan.optimal} |", flush=True)


if __name__ == "__main__":
    main()
