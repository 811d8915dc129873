"""Cross-borough analysis: contexts, flows and hotspot venues.

Every function takes a :class:`~peermap.Dataset` and the same filter keywords as the
graph builders (``since``, ``until``, ``min_reliability``), so an analyst can ask
"confirmed and corroborated links in the last six months" everywhere. Methods and
their limits are described in ``docs/analysis.md``.

One concern per module:

* :mod:`peermap.analysis.community`: :func:`contexts` and :func:`context_graph`;
* :mod:`peermap.analysis.venues`: :func:`hotspots`;
* :mod:`peermap.analysis.online`: :func:`online_spaces` (schema 1.1's online places);
* :mod:`peermap.analysis.movement`: :func:`flows`, :func:`flow_matrix` and :func:`flow_keys`;
* :mod:`peermap.analysis.paths`: :func:`find_path` and :func:`connecting_network`;
* :mod:`peermap.analysis.brokerage`: :func:`centrality` (and its brokers);
* :mod:`peermap._kernels`: what the in-memory and dask engines share.
"""

from __future__ import annotations

from peermap._kernels import (
    BETWEENNESS_EXACT_MAX,
    HARMED_SEVERITY,
    PAIR_SUMS,
    SERIOUS_CONTEXTS,
)
from peermap.analysis.anchors import ANCHOR_Q, ATTACH_SHARE, MEETING_SHARE
from peermap.analysis.brokerage import BETWEENNESS_SAMPLE, CENTRALITY_COLUMNS, centrality
from peermap.analysis.community import (
    CONSENSUS_SHARE,
    CONTEXT_WEIGHTS,
    DISTANT_MIN_PEOPLE,
    DISTANT_MIN_SHARE,
    EXPLOITATION_CONTEXTS,
    EXPLOITER_WEIGHT,
    ONLINE_WEIGHT,
    STABILITY_AUTO_MAX_PEOPLE,
    STABILITY_JACCARD,
    STABILITY_RUNS,
    context_graph,
    contexts,
)
from peermap.analysis.context_lookup import context_row
from peermap.analysis.context_score import APART_WEIGHT, CUT_Q, CUT_SPAN, cut_weight
from peermap.analysis.movement import flow_keys, flow_matrix, flows
from peermap.analysis.online import online_spaces
from peermap.analysis.paths import LINKS, PATH_COLUMNS, VIA, connecting_network, find_path
from peermap.analysis.venues import hotspots

__all__ = [
    "ANCHOR_Q",
    "APART_WEIGHT",
    "ATTACH_SHARE",
    "BETWEENNESS_EXACT_MAX",
    "BETWEENNESS_SAMPLE",
    "CENTRALITY_COLUMNS",
    "CONSENSUS_SHARE",
    "CONTEXT_WEIGHTS",
    "CUT_Q",
    "CUT_SPAN",
    "DISTANT_MIN_PEOPLE",
    "DISTANT_MIN_SHARE",
    "EXPLOITATION_CONTEXTS",
    "EXPLOITER_WEIGHT",
    "HARMED_SEVERITY",
    "LINKS",
    "MEETING_SHARE",
    "ONLINE_WEIGHT",
    "PAIR_SUMS",
    "PATH_COLUMNS",
    "SERIOUS_CONTEXTS",
    "STABILITY_AUTO_MAX_PEOPLE",
    "STABILITY_JACCARD",
    "STABILITY_RUNS",
    "VIA",
    "centrality",
    "connecting_network",
    "context_graph",
    "context_row",
    "contexts",
    "cut_weight",
    "find_path",
    "flow_keys",
    "flow_matrix",
    "flows",
    "hotspots",
    "online_spaces",
]
