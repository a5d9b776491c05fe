"""Industrial clusters: which SMEs to invite to band together, and why.

The programme's first move is banding: SMEs of one sector or one value chain,
close to each other, whose products are alike or feed one another, join as a
cluster so that together they can supply buyers none could supply alone.

Three steps, each a plain function over arrays:

1. :func:`build_sme_graph`: a weighted SME graph from each SME's nearest
   neighbours (never all pairs) in a space of scaled coordinates and reduced
   concept vectors; an edge's weight is proximity x product fit (shared
   concepts, or one's products an input to the other's) x sector link.
2. :func:`find_clusters`: Louvain communities (networkx) of that graph, with
   the members of an existing cluster contracted into one node so that they
   are never moved; the Louvain hierarchy is cut at the coarsest level whose
   communities fit ``max_size``; undersized groups merge with their best
   neighbour or are left unclustered with the reason.
3. :func:`suggest_clusters`: the report: members, centre and
   spread, concepts covered, combined capacity, a cluster-level shortlist of
   buyers (the cluster scored as one pseudo-supplier by the matcher's own pair
   features and scorer), and the quality of the clustering.
"""

from .communities import ClusterLabels, find_clusters
from .graph import SmeGraph, build_sme_graph
from .quality import score_clustering
from .report import ClusterBuyer, ClusterReport, ClusterSuggestion, suggest_clusters

__all__ = [
    "ClusterBuyer",
    "ClusterLabels",
    "ClusterReport",
    "ClusterSuggestion",
    "SmeGraph",
    "build_sme_graph",
    "find_clusters",
    "score_clustering",
    "suggest_clusters",
]
