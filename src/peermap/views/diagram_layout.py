"""Laying out a people-level diagram: contexts apart, authorities together within each.

A diagram of several contexts drawn with one spring layout mixes them: two contexts
homed in the same authority are pulled onto the same spot, and a reader cannot tell
where one group ends and the next begins. So each context of :func:`peermap.contexts`
(of the whole dataset, in the diagram's window) is laid out on its own, with its young people
pulled towards their home authorities' positions on the map, and the contexts are then
packed in rows, most concerning first (top left), with a gap between them. A place
several contexts share sits between them; young people and places linked to no
context follow, each linked group on its own. A diagram of one context keeps the single layout
anchored to the authorities.

:func:`layout_people` returns the positions and, for each node, the ``context_id``
of its context (``0``: none), which the views draw as a dashed frame.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import networkx as nx
import numpy as np

from peermap.views.diagram_style import ANCHOR_SPRING, BOX, SPACING, fit_box

npt_pair = tuple[float, float]

#: Gap between two packed groups, in units of one node's spacing.
GROUP_GAP: Final = 3.0
#: Radius of a packed group of n nodes, in node spacings: it grows as sqrt(n).
GROUP_RADIUS: Final = 0.62


@dataclass(frozen=True)
class ContextGroups:
    """Which context each node of a diagram belongs to.

    Attributes
    ----------
    rank : dict of str to int
        The ``context_id`` of each young person's context and of each context's own
        places (1 is the most concerning); nodes in no context are absent.
    reasons : dict of int to str
        The reasons text of each context, by ``context_id``.
    """

    rank: dict[str, int]
    reasons: dict[int, str]


def context_groups(table: Any) -> ContextGroups:
    """Return the context of each young person and place from a contexts table.

    ``table`` is a :func:`peermap.contexts` table: a context's own places
    (``places``) go with it; places it only shares do not.
    """
    rank: dict[str, int] = {}
    reasons: dict[int, str] = {}
    for row in table.itertuples(index=False):
        cid = int(row.context_id)
        for node in (*row.people, *row.places):
            rank.setdefault(str(node), cid)
        reasons[cid] = str(row.reasons)
    return ContextGroups(rank=rank, reasons=reasons)


def _anchored(
    graph: nx.Graph,
    nodes: Sequence[str],
    anchor_of: Mapping[str, str],
    anchors: Mapping[str, tuple[float, float]],
    seed: int,
) -> dict[str, npt_pair]:
    """Spring layout of ``nodes``, each pulled towards its authority's anchor."""
    sub = nx.Graph(graph.subgraph(nodes))
    rng = np.random.default_rng(seed)
    n = max(len(nodes), 1)
    jitter = 0.6 / math.sqrt(n) + 0.05
    init: dict[Any, Any] = {}
    for node in nodes:
        ax, ay = anchors[anchor_of[node]]
        init[node] = np.array([ax, ay]) + rng.normal(0.0, jitter, 2)
    used = sorted({anchor_of[node] for node in nodes})
    anchor_nodes = {key: ("__anchor__", key) for key in used}
    for key, anchor in anchor_nodes.items():
        sub.add_node(anchor)
        init[anchor] = np.array(anchors[key], dtype=float)
    for node in nodes:
        sub.add_edge(node, anchor_nodes[anchor_of[node]], weight=ANCHOR_SPRING)
    raw = nx.spring_layout(
        sub,
        pos=init,
        fixed=list(anchor_nodes.values()),
        k=SPACING / math.sqrt(n),
        iterations=200,
        seed=seed,
        weight="weight",
    )
    return {str(k): (float(v[0]), float(v[1])) for k, v in raw.items() if not isinstance(k, tuple)}


def _normalised(pos: Mapping[str, npt_pair], radius: float) -> dict[str, npt_pair]:
    """Centre positions on 0 and scale them to fit a circle of ``radius``."""
    arr = np.array(list(pos.values()), dtype=float)
    arr = arr - (arr.min(axis=0) + arr.max(axis=0)) / 2
    reach = float(np.sqrt((arr**2).sum(axis=1)).max()) if len(arr) else 0.0
    scale = radius / reach if reach > 0 else 0.0
    return {k: (float(x * scale), float(y * scale)) for k, (x, y) in zip(pos, arr, strict=True)}


def _rows(sides: Sequence[float], width: float) -> tuple[list[npt_pair], float, float]:
    """Pack squares of ``sides`` in rows no wider than ``width``; return centres and size."""
    centres: list[npt_pair] = []
    x = y = row_height = used = 0.0
    for side in sides:
        if x > 0 and x + side > width:
            y -= row_height
            x = row_height = 0.0
        centres.append((x + side / 2, y - side / 2))
        x += side
        used = max(used, x)
        row_height = max(row_height, side)
    return centres, used, -y + row_height


def _pack(radii: Sequence[float]) -> list[npt_pair]:
    """Centres of groups packed in rows, left to right then downwards, in order.

    Of the row widths that break the rows at a different group, the one whose packing
    is drawn largest in the layout box wins.
    """
    sides = [2 * r + GROUP_GAP for r in radii]
    best: tuple[float, list[npt_pair]] | None = None
    for k in range(1, len(sides) + 1):
        width = max(max(sides), sum(sides[:k]))
        centres, w, h = _rows(sides, width)
        scale = min(BOX[0] / w, BOX[1] / h)
        if best is None or scale > best[0] + 1e-9:
            best = (scale, centres)
    assert best is not None
    return best[1]


def layout_people(
    graph: nx.Graph,
    people: set[str],
    anchor_of: Mapping[str, str],
    anchors: Mapping[str, tuple[float, float]],
    groups: ContextGroups,
    *,
    seed: int,
    stretch: float = 1.6,
) -> tuple[dict[str, npt_pair], dict[str, int]]:
    """Lay out a people-level diagram's nodes in the layout box.

    Parameters
    ----------
    graph : networkx.Graph
        Young people and places (``str`` ids), linked by ties and sightings with a
        spring ``weight``.
    people : set of str
        The nodes that are young people (the others are places).
    anchor_of : mapping
        Each node's authority key in ``anchors``.
    anchors : mapping
        Authority positions in the unit square (roughly as on the map).
    groups : ContextGroups
        The nodes' contexts.
    seed : int
        Seed of the layout.
    stretch : float, default 1.6
        How far a single layout may be stretched to fill the box.

    Returns
    -------
    pos : dict
        Position of every node in the layout box.
    context : dict
        The ``context_id`` of each node's frame (``0``: in no frame; no frames at all
        when the young people drawn are of one context or none).

    Notes
    -----
    Contexts are those of the young people drawn; a context's own places go in its
    frame. A place shared by several contexts, or a young person in none, is placed
    at the mean position of its neighbours (between the contexts it joins), after
    the contexts are packed. Nodes linked to no context are laid out after them:
    each linked group on its own, lone nodes in a grid.
    """
    nodes = [str(n) for n in graph.nodes]
    ranked = sorted({groups.rank[n] for n in nodes if n in people and n in groups.rank})
    if len(ranked) < 2:
        single = _anchored(graph, nodes, anchor_of, anchors, seed)
        return fit_box(single, stretch=stretch), {n: 0 for n in nodes}
    in_frame = set(ranked)
    context = {n: groups.rank[n] if groups.rank.get(n) in in_frame else 0 for n in nodes}
    # (nodes, linked): a context, a linked group tied to no context, or the lone nodes.
    members: list[tuple[list[str], bool]] = [
        ([n for n in nodes if context[n] == r], True) for r in ranked
    ]
    rest = [n for n in nodes if context[n] == 0]
    attached: list[list[str]] = []
    singles: list[str] = []
    for component in sorted(nx.connected_components(graph.subgraph(rest)), key=min):
        part = sorted(str(c) for c in component)
        if any(context.get(str(m), 0) for n in part for m in graph.neighbors(n)):
            attached.append(part)
        elif len(part) == 1:
            singles.extend(part)
        else:
            members.append((part, True))
    if singles:
        members.append((sorted(singles), False))
    radii = [GROUP_RADIUS * math.sqrt(len(m)) + 0.5 for m, _ in members]
    centres = _pack(radii)
    pos: dict[str, npt_pair] = {}
    for (part, linked), radius, (cx, cy) in zip(members, radii, centres, strict=True):
        if linked:
            inner = _anchored(graph, part, anchor_of, anchors, seed)
        else:  # a grid: nothing links them
            side = math.ceil(math.sqrt(len(part)))
            inner = {node: (float(i % side), float(-(i // side))) for i, node in enumerate(part)}
        for node, (x, y) in _normalised(inner, radius - 0.5).items():
            pos[node] = (cx + x, cy + y)
    _between(graph, [n for part in attached for n in part], pos)
    return fit_box(pos, stretch=1.0), context


def _between(graph: nx.Graph, free: Sequence[str], pos: dict[str, npt_pair]) -> None:
    """Place each free node at the mean of its placed neighbours (in place).

    Free nodes linked only to other free nodes take their place from them, over a few
    rounds (a chain of shared places between two contexts spreads along the gap).
    """
    todo = list(free)
    for _ in range(20):
        new: dict[str, npt_pair] = {}
        for node in todo:
            near = [pos[str(m)] for m in graph.neighbors(node) if str(m) in pos]
            if near:
                xs, ys = zip(*near, strict=True)
                new[node] = (float(np.mean(xs)), float(np.mean(ys)))
        pos.update(new)
        if all(n in pos for n in todo):
            break
