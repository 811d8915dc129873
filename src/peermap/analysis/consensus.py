"""Consensus of several community runs, and the stability of each context.

``peermap.contexts`` splits large components with the Leiden method several times,
each run with its own seed; :func:`consensus` combines the runs into one partition that
no seed decides, and :func:`stability` says in what share of the runs each context came
out. See ``docs/analysis.md`` ("Consensus and stability").
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse
import scipy.sparse.csgraph

__all__ = [
    "CONSENSUS_SHARE",
    "STABILITY_AUTO_MAX_PEOPLE",
    "STABILITY_JACCARD",
    "STABILITY_RUNS",
    "consensus",
    "label_of",
    "stability",
]


def label_of(parts: list[npt.NDArray[np.int64]], n_nodes: int) -> npt.NDArray[np.int64]:
    """One run's partition as a label per node (-1 for nodes it did not split)."""
    label = np.full(n_nodes, -1, dtype=np.int64)
    for j, part in enumerate(parts):
        label[part] = j
    return label


#: Share of runs in which two linked nodes must share a community to stay together in
#: the consensus partition.
CONSENSUS_SHARE = 0.5

#: Stricter shares at which a consensus community still larger than ``max_people`` is
#: cut again, in turn (the last: together in every run).
_CONSENSUS_LEVELS = (0.6, 0.7, 0.8, 0.9, 1.0 - 1e-9)


def consensus(
    runs: list[npt.NDArray[np.int64]],
    u: npt.NDArray[np.int64],
    v: npt.NDArray[np.int64],
    w: npt.NDArray[np.float64],
    small: Callable[[npt.NDArray[np.int64]], bool],
) -> list[npt.NDArray[np.int64]]:
    """Combine several partitions (labels per node) into one that no seed decides.

    Consensus clustering (Lancichinetti and Fortunato, 2012): two linked nodes stay
    together when they share a community in more than :data:`CONSENSUS_SHARE` of the
    runs; the consensus communities are the connected components of those links. A node
    left alone joins the consensus community of the neighbour it shared most runs with
    (by link weight on ties). Only nodes of split components (label >= 0) take part.

    Links kept by a bare majority can chain communities into one too large to report;
    such a community is cut again at the stricter shares of :data:`_CONSENSUS_LEVELS`
    in turn, weakest links first, until every part is ``small``. Every cut depends on
    the shares alone, never on one run's split, so the result settles as runs are
    added whatever the seed. At the last level the links kept are those of nodes
    together in every run, and each run's communities are ``small``.
    """
    label = np.stack(runs)
    taking = label[0] >= 0
    inside = taking[u] & taking[v]
    uu, vv, ww = u[inside], v[inside], w[inside]
    share = (label[:, uu] == label[:, vv]).mean(axis=0) if len(uu) else np.zeros(0)
    n_nodes = label.shape[1]
    out: list[npt.NDArray[np.int64]] = []
    pending = [(taking, CONSENSUS_SHARE, 0)]
    while pending:
        members, threshold, level = pending.pop()
        for part in _cut(members, uu, vv, ww, share, threshold, n_nodes):
            if small(part) or level >= len(_CONSENSUS_LEVELS):
                out.append(part)
            else:
                mask = np.zeros(n_nodes, dtype=bool)
                mask[part] = True
                pending.append((mask, _CONSENSUS_LEVELS[level], level + 1))
    return sorted(out, key=lambda p: int(p.min()))


def _cut(
    members: npt.NDArray[np.bool_],
    uu: npt.NDArray[np.int64],
    vv: npt.NDArray[np.int64],
    ww: npt.NDArray[np.float64],
    share: npt.NDArray[np.float64],
    threshold: float,
    n_nodes: int,
) -> list[npt.NDArray[np.int64]]:
    """Consensus communities of ``members``: components of links kept above ``threshold``."""
    within = members[uu] & members[vv]
    uu, vv, ww, share = uu[within], vv[within], ww[within], share[within]
    keep = share > threshold
    kept = scipy.sparse.coo_array(
        (np.ones(int(keep.sum()), dtype=np.int8), (uu[keep], vv[keep])), shape=(n_nodes, n_nodes)
    )
    group = scipy.sparse.csgraph.connected_components(kept, directed=False)[1].astype(np.int64)
    sizes = np.bincount(group[members], minlength=int(group.max()) + 1 if n_nodes else 0)
    # Nodes left alone join the neighbour they were most often with.
    alone = members & (sizes[group] == 1)
    if alone.any() and len(uu):
        a = np.concatenate([uu, vv])
        b = np.concatenate([vv, uu])
        score = np.concatenate([share, share]) + 1e-6 * np.concatenate([ww, ww])
        pick = alone[a] & ~alone[b]
        a, b, score = a[pick], b[pick], score[pick]
        order = np.lexsort((b, -score, a))
        first = np.ones(len(order), dtype=bool)
        first[1:] = a[order][1:] != a[order][:-1]
        group[a[order][first]] = group[b[order][first]]
    nodes = np.flatnonzero(members)
    order = np.argsort(group[nodes], kind="stable")
    bounds = np.flatnonzero(np.diff(group[nodes][order])) + 1
    parts = np.split(nodes[order], bounds) if len(nodes) else []
    return [np.sort(p) for p in parts]


#: Runs of the community method for the consensus and ``stability`` by default.
STABILITY_RUNS = 10


#: Above this many young people in components to split, ``contexts()`` makes one run
#: unless ``stability_runs`` asks for more (the runs' cost grows with the graph).
STABILITY_AUTO_MAX_PEOPLE = 20_000


#: Jaccard similarity of young people from which a context counts as found again.
STABILITY_JACCARD = 0.5


def stability(
    table: pd.DataFrame,
    n_people: int,
    position: pd.Index,
    reference: list[npt.NDArray[np.int64]],
    runs: list[npt.NDArray[np.int64]],
) -> npt.NDArray[np.float64]:
    """Share of the runs in which each context comes out.

    A context comes out in a run when some community of that run has Jaccard
    similarity of young people of at least :data:`STABILITY_JACCARD` with it. Contexts
    cut from components that were not split come out whole in every run.
    """
    varying = np.zeros(n_people, dtype=bool)
    for part in reference:
        varying[part[part < n_people]] = True
    n_rows = len(table)
    if n_rows == 0:
        return np.zeros(0)
    lengths = table["people"].map(len).to_numpy(dtype=np.int64)
    flat = position.get_indexer(pd.Index(np.concatenate(table["people"].to_numpy())))
    row_of = np.repeat(np.arange(n_rows), lengths)
    fixed = np.bincount(row_of, weights=varying[flat], minlength=n_rows) == 0
    found = np.zeros(n_rows)
    for run in runs:
        label = run[:n_people]
        n_labels = int(label.max()) + 2
        size = np.bincount(label[label >= 0], minlength=n_labels)
        labels = label[flat]
        ok = labels >= 0
        key, common = np.unique(row_of[ok] * n_labels + labels[ok], return_counts=True)
        rows, best = key // n_labels, key % n_labels
        jaccard = common / (lengths[rows] + size[best] - common)
        top = np.zeros(n_rows)
        np.maximum.at(top, rows, jaccard)
        found += fixed | (top >= STABILITY_JACCARD)
    result: npt.NDArray[np.float64] = found / max(len(runs), 1)
    return result
