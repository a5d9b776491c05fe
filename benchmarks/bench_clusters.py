"""Cluster suggestions at scale: graph building and size-bounded communities, beside bare Louvain.

For each size (SMEs; buyers = SMEs / 20), a seeded demo register is prepared
(``MatchEngine().prepare``: text blocks and concepts, timed apart: it is the
matcher's own stage, shared with every run). Then, each timed with its peak
memory above the start:

- *clustering*: :func:`build_sme_graph` (nearest neighbours, never all pairs)
  + :func:`find_clusters` (Louvain with existing clusters kept whole, the
  hierarchy cut to the size bounds, small groups merged or left out)
  + :func:`score_clustering`: the target is under 60 s at 200,000 SMEs;
- *report*: the whole :func:`suggest_clusters` (the above, plus each
  suggestion's description and its cluster-level shortlist of buyers);
- *reference*: networkx ``louvain_communities`` alone on the same graph
  (no contraction, no size bounds), measured in the same run.

    python benchmarks/bench_clusters.py                       # 2,000, 20,000, 200,000
    python benchmarks/bench_clusters.py --sizes 2000 20000 --no-report
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
from tiermatch.matcher import prepare_context  # noqa: E402
from tiermatch.matcher.clusters import build_sme_graph, find_clusters, score_clustering, suggest_clusters  # noqa: E402


def louvain_reference(graph, seed: int) -> tuple[float, int]:
    import networkx as nx

    began = time.perf_counter()
    G = nx.Graph()
    G.add_nodes_from(range(graph.n_nodes))
    G.add_weighted_edges_from(zip(graph.rows.tolist(), graph.cols.tolist(), graph.weight.tolist()))
    communities = nx.community.louvain_communities(G, weight="weight", seed=seed)
    return time.perf_counter() - began, len(communities)


def bench(n_suppliers: int, seed: int, report: bool, reference: bool) -> dict:
    register = make_register(n_suppliers, max(50, n_suppliers // 20), random_state=seed)
    began = time.perf_counter()
    context = prepare_context(register.suppliers, register.buyers, register.partnerships)
    prepare_s = time.perf_counter() - began
    S = context.suppliers
    names, fixed = np.unique(S.cluster, return_inverse=True)
    fixed = np.where(S.cluster == "", -1, fixed)
    with peak_rss() as clustering:
        t = time.perf_counter()
        graph = build_sme_graph(S.latitude, S.longitude, S.sector, context.supplier_blocks["concepts"],
                                context.supplier_blocks["related"], random_state=seed)
        graph_s = time.perf_counter() - t
        found = find_clusters(graph, fixed, min_size=5, max_size=30, random_state=seed)
        quality = score_clustering(graph, found.labels)
    sizes = found.sizes()[found.suggested()]
    row = dict(n=n_suppliers, prepare_s=prepare_s, graph_s=graph_s, clustering_s=clustering["seconds"],
               clustering_mib=clustering["peak_mib"], edges=len(graph), suggestions=len(sizes),
               sizes=f"{sizes.min()}-{sizes.max()}" if len(sizes) else "-", modularity=quality["modularity"],
               unclustered=quality["unclustered_share"])
    if report:
        with peak_rss() as whole:
            suggest_clusters(context, random_state=seed)
        row.update(report_s=whole["seconds"], report_mib=whole["peak_mib"])
    if reference:
        row["louvain_s"], row["louvain_communities"] = louvain_reference(graph, seed)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000, 200000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-report", action="store_true", help="skip the whole suggest_clusters timing")
    parser.add_argument("--no-reference", action="store_true", help="skip bare Louvain")
    args = parser.parse_args()
    print("| SMEs | prepare s | graph s | clustering s (graph included) | peak MiB | edges | suggestions | sizes "
          "| modularity | unclustered | suggest_clusters s | its peak MiB | bare Louvain s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        r = bench(n, args.seed, not args.no_report, not args.no_reference)
        print(f"| {r['n']:,} | {r['prepare_s']:.1f} | {r['graph_s']:.1f} | {r['clustering_s']:.1f} | "
              f"{r['clustering_mib']:.0f} | {r['edges']:,} | {r['suggestions']:,} | {r['sizes']} | {r['modularity']:.3f} | "
              f"{r['unclustered']:.1%} | {r.get('report_s', float('nan')):.1f} | {r.get('report_mib', float('nan')):.0f} | "
              f"{r.get('louvain_s', float('nan')):.1f} |", flush=True)


if __name__ == "__main__":
    main()
