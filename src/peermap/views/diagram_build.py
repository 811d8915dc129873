"""Building a peer-group diagram: nodes and edges with their styles, and the legend.

:func:`people_level` draws a node per young person and place; :func:`authority_level`
collapses young people into their home authorities, under the small-count rule of
public diagrams. Both return the ``nodes`` and ``edges`` tables of
:class:`peermap.views.diagrams.PeerDiagram`; :func:`legend_sections` says what they show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import networkx as nx
import numpy as np
import pandas as pd

from peermap.analysis.brokerage import brokers
from peermap.cell_keys import people_key
from peermap.dataset import Dataset
from peermap.disclosure import Audience, SuppressionRule
from peermap.schema import ONLINE_PLACE_KINDS, RELIABILITY_RANK, TIE_KINDS
from peermap.views.diagram_layout import ContextGroups, context_groups, layout_people
from peermap.views.diagram_style import (
    AUTHORITY_RADII,
    BOX,
    BROKER_COLOUR,
    BROKER_WIDTH,
    CROSS_FACTOR,
    EXPLOITER_EXTRA,
    FLOW_COLOURS,
    FLOW_WIDTHS,
    LABELS_AT_ONCE_MAX,
    NO_AUTHORITY_COLOUR,
    NODE_OUTLINE,
    OTHER_AUTHORITY_COLOUR,
    OUTLINE_WIDTH,
    PERSON_RADIUS,
    PLACE_SIDE,
    RING_COLOUR,
    RING_WIDTH,
    SIGHTING_COLOUR,
    SIGHTING_CROSS_COLOUR,
    SIGHTING_SPRING,
    SIGHTING_WIDTHS,
    TIE_COLOURS,
    TIE_SPRING,
    TIE_WIDTH,
    UNVERIFIED_DASH,
    authority_anchors,
    authority_colours,
    fit_box,
    nice,
    paths,
    rows_of,
    scaled,
    separate,
    tip,
)
from peermap.views.page import (
    date_text,
)

if TYPE_CHECKING:
    pass


def place_authority(ds: Dataset) -> pd.Series:
    """Return the authority code of each place, by ``place_id``."""
    if "authority_code" not in ds.places:
        return pd.Series(dtype=object)
    return pd.Series(
        ds.places["authority_code"].to_numpy(dtype=object),
        index=ds.places["place_id"].to_numpy(dtype=object),
    )


@dataclass
class DiagramBuild:
    """What the diagram builders share."""

    ds: Dataset
    audience: Audience
    rule: SuppressionRule
    names: dict[str, str]
    place_auth: pd.Series
    seed: int
    labels: bool
    #: The whole dataset ``ds`` was cut from: authority colours are ranked on it, so an
    #: authority keeps its colour in every diagram of the dataset (``ds`` when None).
    whole: Dataset | None = None
    notes: list[str] = field(default_factory=list)
    #: The :func:`peermap.contexts` table of the whole dataset, in the diagram's window:
    #: a people-level diagram frames each context of its young people.
    contexts_table: pd.DataFrame | None = None
    #: Reasons text of each context framed on a people-level diagram, by ``context_id``.
    contexts: dict[int, str] = field(default_factory=dict)

    def name(self, code: Any) -> str:
        """Return an authority's name ("no authority" for none)."""
        if not isinstance(code, str):
            return "no authority"
        return self.names.get(code, code)

    def shown(self, count: int, people: Any = None) -> int | str:
        """Return what a count shows as for this audience.

        ``people``: the young people counted (their pseudonyms), whose cell key gives a
        public count its noise (:mod:`peermap.cell_keys`).
        """
        key = None if people is None else people_key(people)
        return self.audience.count(count, key)


def relocation_text(ds: Dataset, b: DiagramBuild) -> dict[str, str]:
    """Return, per young person, their relocations in words."""
    out: dict[str, list[str]] = {}
    for row in rows_of(ds.relocations.sort_values("date")):
        out.setdefault(str(row["person_id"]), []).append(
            f"{b.name(row['from_authority'])} → {b.name(row['to_authority'])}, "
            f"{date_text(row['date'])} ({nice(row['kind'])})"
        )
    return {k: "; ".join(v) for k, v in out.items()}


def people_level(b: DiagramBuild) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Build nodes and edges with a node per young person and place, and the colours."""
    ds = b.ds
    people = ds.people
    home = dict(zip(people["person_id"].astype(str), people["home_authority"], strict=True))
    sightings = ds.sightings
    place_ids = [str(p) for p in ds.places["place_id"]]
    pauth = {p: b.place_auth.get(p) for p in place_ids}
    pauth = {k: (v if isinstance(v, str) else None) for k, v in pauth.items()}
    counts: dict[str, int] = {}
    for code in home.values():
        if isinstance(code, str):
            counts[code] = counts.get(code, 0) + 1
    shown_codes = sorted(
        {c for c in home.values() if isinstance(c, str)}
        | {c for c in pauth.values() if c is not None}
    )
    colours = authority_colours(ds if b.whole is None else b.whole, shown_codes, counts)

    # Sightings aggregated per person-place pair.
    if len(sightings):
        s = sightings.assign(rank=sightings["reliability"].astype(str).map(RELIABILITY_RANK))
        grouped = s.groupby(["person_id", "place_id"], sort=True)
        pairs = grouped.agg(
            count=("date", "size"),
            rank=("rank", "max"),
            first=("date", "min"),
            last=("date", "max"),
        ).reset_index()
        ctx = (
            s.groupby(["person_id", "place_id", "context"], sort=True)
            .size()
            .rename("n")
            .reset_index()
            .sort_values(
                ["person_id", "place_id", "n", "context"], ascending=[True, True, False, True]
            )
        )
        ctx_text: dict[tuple[str, str], str] = {}
        for (pid, plid), grp in ctx.groupby(["person_id", "place_id"], sort=False):
            ctx_text[(str(pid), str(plid))] = ", ".join(
                f"{nice(c)} {n}" for c, n in zip(grp["context"], grp["n"], strict=True)
            )
    else:
        pairs = pd.DataFrame(columns=["person_id", "place_id", "count", "rank", "first", "last"])
        ctx_text = {}
    reliabilities = list(RELIABILITY_RANK)

    # Layout: anchors per authority, weak springs to them, seeded start.
    graph = nx.Graph()
    ids_person = [str(p) for p in people["person_id"]]
    graph.add_nodes_from(ids_person)
    graph.add_nodes_from(place_ids)
    for row in rows_of(ds.ties):
        a, c = str(row["person_a"]), str(row["person_b"])
        # One spring per pair, however many ties: several reports of one tie must not
        # pull a pair into a knot.
        w = TIE_SPRING * (1.5 if row["kind"] == "exploiter" else 1.0)
        prev = graph.get_edge_data(a, c, {}).get("weight", 0.0)
        graph.add_edge(a, c, weight=max(prev, w))
    for pid, plid, n in zip(pairs["person_id"], pairs["place_id"], pairs["count"], strict=True):
        graph.add_edge(
            str(pid), str(plid), weight=SIGHTING_SPRING * (1.0 + 0.25 * min(int(n) - 1, 4))
        )
    codes_for_anchor = sorted(set(shown_codes) | {"__none__"})
    anchors = authority_anchors(ds, [c for c in codes_for_anchor if c != "__none__"])
    anchors["__none__"] = (0.0, -0.75) if anchors else (0.0, 0.0)
    n_nodes = max(graph.number_of_nodes(), 1)
    anchor_of: dict[str, str] = {}
    for node in list(graph.nodes):
        code = home.get(node) if node in home else pauth.get(node)
        anchor_of[node] = code if isinstance(code, str) and code in anchors else "__none__"
    groups = context_groups(b.contexts_table) if b.contexts_table is not None else None
    pos, context_rank = layout_people(
        graph,
        set(home),
        anchor_of,
        anchors,
        groups or ContextGroups({}, {}),
        seed=b.seed,
    )
    if groups is not None:
        b.contexts = {r: groups.reasons[r] for r in sorted(set(context_rank.values()) - {0})}
    place_label = {
        str(p): (lb if isinstance(lb, str) and lb else str(p))
        for p, lb in zip(
            ds.places["place_id"],
            ds.places["label"] if "label" in ds.places else [None] * len(ds.places),
            strict=True,
        )
    }
    # Room for each node and, when labels show from the first view, its label (about
    # 7 layout units a character at the first zoom).
    labelled = b.labels and n_nodes <= LABELS_AT_ONCE_MAX
    sizes: dict[str, tuple[float, float]] = {}
    for node in pos:
        side = 2 * PERSON_RADIUS + 6 if node in home else PLACE_SIDE + 8
        text = node if node in home else place_label.get(node, node)
        width = side + (7.0 * len(text) + 10 if labelled else 0.0)
        sizes[node] = (width, side + (4.0 if labelled else 0.0))
    margin = 30.0
    pos = separate(pos, sizes, box=((margin, margin), (BOX[0] - margin, BOX[1] - margin)))

    # Nodes.
    relocated_text = relocation_text(ds, b)
    broker = brokers(ds)
    n_ties: dict[str, int] = {}
    for col in ("person_a", "person_b"):
        for pid, n in ds.ties[col].astype(str).value_counts().items():
            n_ties[str(pid)] = n_ties.get(str(pid), 0) + int(n)
    n_seen = sightings["person_id"].astype(str).value_counts().to_dict()
    rows: list[dict[str, Any]] = []
    for person in rows_of(people):
        pid = str(person["person_id"])
        code = home[pid]
        relocated = pid in relocated_text
        looked_after = person["looked_after"]
        la = "" if pd.isna(looked_after) else ("yes" if bool(looked_after) else "no")
        x, y = pos[pid]
        rows.append(
            {
                "id": pid,
                "type": "person",
                "label": pid if b.labels else "",
                "authority": code if isinstance(code, str) else None,
                "authority_name": b.name(code),
                "colour": colours.get(code, NO_AUTHORITY_COLOUR)
                if isinstance(code, str)
                else NO_AUTHORITY_COLOUR,
                "shape": "circle",
                "size": PERSON_RADIUS,
                "outline": BROKER_COLOUR
                if pid in broker
                else (RING_COLOUR if relocated else NODE_OUTLINE),
                "outline_width": RING_WIDTH
                if relocated
                else (BROKER_WIDTH if pid in broker else OUTLINE_WIDTH),
                "relocated": relocated,
                "broker": pid in broker,
                "x": x,
                "y": y,
                "context": context_rank.get(pid, 0),
                "count": 1,
                "shown": 1,
                "tip": tip(
                    pid,
                    [
                        ("Home authority", b.name(code)),
                        ("Age", "" if pd.isna(person["age"]) else int(person["age"])),
                        ("Looked after", la),
                        ("Relocated", relocated_text.get(pid, "")),
                        ("Broker", "yes: removing them splits the group" if pid in broker else ""),
                        ("Ties", n_ties.get(pid, 0)),
                        ("Sightings", int(n_seen.get(pid, 0))),
                    ],
                ),
            }
        )
    seen_at = sightings.groupby("place_id")["person_id"].nunique().to_dict()
    events_at = sightings["place_id"].value_counts().to_dict()
    for place in rows_of(pd.DataFrame(ds.places.drop(columns="geometry"))):
        plid = str(place["place_id"])
        code = pauth.get(plid)
        label_text = place.get("label")
        label_text = label_text if isinstance(label_text, str) and label_text else ""
        shown_label = place_label[plid]
        x, y = pos[plid]
        rows.append(
            {
                "id": plid,
                "type": "place",
                "label": shown_label if b.labels else "",
                "authority": code,
                "authority_name": b.name(code),
                "colour": colours.get(code, NO_AUTHORITY_COLOUR) if code else NO_AUTHORITY_COLOUR,
                # An online place (schema 1.1: no location, no authority) is a diamond.
                "shape": "diamond" if place.get("kind") in ONLINE_PLACE_KINDS else "square",
                "size": PLACE_SIDE,
                "outline": NODE_OUTLINE,
                "outline_width": 1.5,
                "relocated": False,
                "broker": False,
                "x": x,
                "y": y,
                "context": context_rank.get(plid, 0),
                "count": int(seen_at.get(plid, 0)),
                "shown": int(seen_at.get(plid, 0)),
                "tip": tip(
                    f"{nice(place['kind'])} {plid}",
                    [
                        ("Label", label_text),
                        ("Authority", b.name(code)),
                        ("Young people seen", int(seen_at.get(plid, 0))),
                        ("Sightings", int(events_at.get(plid, 0))),
                    ],
                ),
            }
        )
    nodes = pd.DataFrame(rows, columns=NODE_COLUMNS)

    # Edges: sightings first (drawn underneath), then ties, cross-authority ties last.
    erows: list[dict[str, Any]] = []
    for pr in rows_of(pairs):
        pid, plid = str(pr["person_id"]), str(pr["place_id"])
        h, where = home.get(pid), pauth.get(plid)
        cross = isinstance(h, str) and isinstance(where, str) and h != where
        n = int(pr["count"])
        best = reliabilities[int(pr["rank"])]
        width = SIGHTING_WIDTHS[0 if n == 1 else (1 if n <= 3 else 2)]
        erows.append(
            {
                "u": pid,
                "v": plid,
                "type": "sighting",
                "kind": None,
                "reliability": best,
                "agency": None,
                "cross_authority": cross,
                "directed": False,
                "colour": SIGHTING_CROSS_COLOUR if cross else SIGHTING_COLOUR,
                "width": width,
                "dash": UNVERIFIED_DASH if best == "unverified" else None,
                "opacity": 0.9,
                "count": n,
                "shown": n,
                "label": "",
                "tip": tip(
                    f"{pid} seen at {plid}",
                    [
                        ("Sightings", n),
                        ("Contexts", ctx_text.get((pid, plid), "")),
                        ("Strongest reliability", best),
                        ("From", date_text(pr["first"])),
                        ("To", date_text(pr["last"])),
                        ("Across authorities", "yes" if cross else "no"),
                    ],
                ),
            }
        )
    ties = ds.ties.assign(
        is_cross=[
            isinstance(home.get(str(a)), str)
            and isinstance(home.get(str(c)), str)
            and home.get(str(a)) != home.get(str(c))
            for a, c in zip(ds.ties["person_a"], ds.ties["person_b"], strict=True)
        ]
    )
    ties = ties.sort_values("is_cross", kind="stable")
    for t in rows_of(ties):
        a, c = str(t["person_a"]), str(t["person_b"])
        cross = bool(t["is_cross"])
        kind = str(t["kind"])
        width = TIE_WIDTH * (CROSS_FACTOR if cross else 1.0) + (
            EXPLOITER_EXTRA if kind == "exploiter" else 0.0
        )
        reliability = str(t["reliability"])
        erows.append(
            {
                "u": a,
                "v": c,
                "type": "tie",
                "kind": kind,
                "reliability": reliability,
                "agency": str(t["source"]),
                "cross_authority": cross,
                "directed": kind == "exploiter",
                "colour": TIE_COLOURS.get(kind, TIE_COLOURS["associate"]),
                "width": width,
                "dash": UNVERIFIED_DASH if reliability == "unverified" else None,
                "opacity": 0.95,
                "count": 1,
                "shown": 1,
                "label": "",
                "tip": tip(
                    f"{nice(kind)}: {a} {'→' if kind == 'exploiter' else '–'} {c}",
                    [
                        ("Reliability", reliability),
                        ("Source", nice(t["source"])),
                        ("First seen", date_text(t["first_seen"])),
                        ("Last seen", date_text(t["last_seen"])),
                        (
                            "Across authorities",
                            f"yes ({b.name(home.get(a))} – {b.name(home.get(c))})"
                            if cross
                            else "no",
                        ),
                    ],
                ),
            }
        )
    edges = edge_frame(erows)
    edges["points"] = pd.Series(paths(edges, pos) if len(edges) else [], dtype=object)
    edges = edges[EDGE_COLUMNS]
    return nodes, edges, colours


NODE_COLUMNS: Final = [
    "id",
    "type",
    "label",
    "authority",
    "authority_name",
    "colour",
    "shape",
    "size",
    "outline",
    "outline_width",
    "relocated",
    "broker",
    "x",
    "y",
    "context",
    "count",
    "shown",
    "tip",
]
EDGE_COLUMNS: Final = [
    "u",
    "v",
    "type",
    "kind",
    "reliability",
    "agency",
    "cross_authority",
    "directed",
    "colour",
    "width",
    "dash",
    "opacity",
    "count",
    "shown",
    "label",
    "points",
    "tip",
]


def edge_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Edges without their lines yet; ``dash`` stays ``None`` (solid) or a pattern."""
    edges = pd.DataFrame(rows, columns=[c for c in EDGE_COLUMNS if c != "points"])
    edges["dash"] = pd.Series([r["dash"] for r in rows], index=edges.index, dtype=object)
    return edges


#: At most this many links of each kind (ties, sightings, relocations) are drawn between
#: authorities, the strongest first.
MAX_AUTHORITY_LINKS = 12

#: A link between authorities is drawn only with at least this share of the young people
#: of the strongest link of its kind.
STRONG_LINK_SHARE = 0.25


def numeric_count(shown: int | str) -> int:
    """Return a shown count as a number (0 when withheld)."""
    return shown if isinstance(shown, int) else 0


def authority_level(b: DiagramBuild) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Build nodes and edges with young people collapsed into home authorities."""
    ds = b.ds
    public = not b.audience.exact
    people = ds.people
    home = pd.Series(
        people["home_authority"].to_numpy(dtype=object),
        index=people["person_id"].astype(str).to_numpy(dtype=object),
    )
    home_valid = home[home.map(lambda v: isinstance(v, str))]
    counts = home_valid.value_counts()
    homed = {str(k): list(v) for k, v in home_valid.groupby(home_valid).groups.items()}
    relocated = set(ds.relocations["person_id"].astype(str))
    n_relocated = home_valid[home_valid.index.isin(relocated)].value_counts()

    # Links between authorities.
    flows: list[dict[str, Any]] = []
    ties_within: dict[str, int] = {}
    if len(ds.ties):
        ta = ds.ties["person_a"].astype(str).map(home)
        tb = ds.ties["person_b"].astype(str).map(home)
        ok = ta.map(lambda v: isinstance(v, str)) & tb.map(lambda v: isinstance(v, str))
        t = pd.DataFrame(
            {
                "a": ta[ok].to_numpy(dtype=object),
                "b": tb[ok].to_numpy(dtype=object),
                "pa": ds.ties["person_a"][ok].astype(str).to_numpy(dtype=object),
                "pb": ds.ties["person_b"][ok].astype(str).to_numpy(dtype=object),
            }
        )
        within = t[t["a"] == t["b"]]
        ties_within = {str(k): int(v) for k, v in within["a"].value_counts().items()}
        across = t[t["a"] != t["b"]].copy()
        lo = np.where(across["a"] < across["b"], across["a"], across["b"])
        hi = np.where(across["a"] < across["b"], across["b"], across["a"])
        across["lo"], across["hi"] = lo, hi
        for (a, c), grp in across.groupby(["lo", "hi"], sort=True):
            members = set(grp["pa"]) | set(grp["pb"])
            # The smaller of the two sides: a link shows only when both reach the rule.
            side = min(
                sum(1 for p in members if home[p] == a), sum(1 for p in members if home[p] == c)
            )
            flows.append(
                {
                    "type": "ties",
                    "u": a,
                    "v": c,
                    "people": len(members),
                    "events": len(grp),
                    "side": side,
                    "members": members,
                }
            )
    seen_within: dict[str, int] = {}
    if len(ds.sightings) and len(b.place_auth):
        sa = ds.sightings["person_id"].astype(str).map(home)
        sb = ds.sightings["place_id"].astype(str).map(b.place_auth)
        ok = sa.map(lambda v: isinstance(v, str)) & sb.map(lambda v: isinstance(v, str))
        s = pd.DataFrame(
            {
                "a": sa[ok].to_numpy(dtype=object),
                "b": sb[ok].to_numpy(dtype=object),
                "p": ds.sightings["person_id"][ok].astype(str).to_numpy(dtype=object),
            }
        )
        within = s[s["a"] == s["b"]]
        seen_within = {str(k): int(v) for k, v in within.groupby("a")["p"].nunique().items()}
        for (a, c), grp in s[s["a"] != s["b"]].groupby(["a", "b"], sort=True):
            flows.append(
                {
                    "type": "sightings",
                    "u": a,
                    "v": c,
                    "people": int(grp["p"].nunique()),
                    "events": len(grp),
                    "members": set(grp["p"]),
                }
            )
    if len(ds.relocations):
        r = ds.relocations.dropna(subset=["from_authority", "to_authority"])
        for (a, c), grp in r.groupby(["from_authority", "to_authority"], sort=True):
            flows.append(
                {
                    "type": "relocations",
                    "u": str(a),
                    "v": str(c),
                    "people": int(grp["person_id"].nunique()),
                    "events": len(grp),
                    "members": set(grp["person_id"].astype(str)),
                }
            )
    codes = sorted(
        set(counts.index.astype(str)) | {str(f["u"]) for f in flows} | {str(f["v"]) for f in flows}
    )
    if public:
        # Drawn when its young people may be counted or a drawn link ends there: one young
        # person homed where nobody else is drew the authority as "c" (someone is there).
        ends = {str(f[e]) for f in flows if b.rule.shown(f.get("side", f["people"])) for e in "uv"}
        codes = [
            code
            for code in codes
            if code in ends
            or isinstance(b.shown(int(counts.get(code, 0)), homed.get(code, [])), int)
        ]
    colours = authority_colours(
        ds if b.whole is None else b.whole, codes, {str(k): int(v) for k, v in counts.items()}
    )
    anchors = authority_anchors(ds, codes)
    pos = fit_box(anchors, margin=90.0)
    if len(codes) == 1:
        pos = {codes[0]: (BOX[0] / 2, BOX[1] / 2)}

    # Nodes.
    top = max([float(v) for v in counts.to_numpy()] or [1.0])
    rows: list[dict[str, Any]] = []
    for code in codes:
        n = int(counts.get(code, 0))
        shown = b.shown(n, homed.get(code, []))
        size_basis = float(shown) if isinstance(shown, int) else 0.0
        reloc = int(n_relocated.get(code, 0))
        name = b.name(code)
        x, y = pos[code]
        rows.append(
            {
                "id": code,
                "type": "authority",
                "label": f"{name}: {shown}",
                "authority": code,
                "authority_name": name,
                "colour": colours.get(code, OTHER_AUTHORITY_COLOUR),
                "shape": "circle",
                "size": scaled(size_basis, top, AUTHORITY_RADII),
                "outline": NODE_OUTLINE,
                "outline_width": 1.5,
                "relocated": False,
                "broker": False,
                "x": x,
                "y": y,
                "context": 0,
                "count": n,
                "shown": shown,
                "tip": tip(
                    name,
                    [
                        ("Code", code),
                        ("Young people homed here", shown),
                        ("of whom relocated", b.shown(reloc)),
                        ("Ties within the authority", b.shown(int(ties_within.get(code, 0)))),
                        (
                            "Seen at places in their own authority",
                            b.shown(int(seen_within.get(code, 0))),
                        ),
                    ],
                ),
            }
        )
    nodes = pd.DataFrame(rows, columns=NODE_COLUMNS)

    # Edges, under the rule for public diagrams.
    withheld: dict[str, int] = {}
    kept = []
    for f in flows:
        if public and not b.rule.shown(f.get("side", f["people"])):
            withheld[f["type"]] = withheld.get(f["type"], 0) + 1
            continue
        kept.append(f)
    noun = {"ties": "tie links", "sightings": "sighting links", "relocations": "relocations"}
    for kind in withheld:
        # What was left out, not how many (a count of what is too small to show).
        b.notes.append(
            f"{noun[kind].capitalize()} between authorities with fewer than {b.rule.min_count} "
            + ("young people on either side" if kind == "ties" else "young people")
            + " are not drawn."
        )
    # Only the strongest links of each kind, so the diagram shows structure, not a hairball.
    strongest: list[dict[str, Any]] = []
    for kind in ("ties", "sightings", "relocations"):
        of_kind = sorted(
            (f for f in kept if f["type"] == kind), key=lambda f: (-f["people"], f["u"], f["v"])
        )
        if not of_kind:
            continue
        floor = STRONG_LINK_SHARE * of_kind[0]["people"]
        chosen = [f for f in of_kind[:MAX_AUTHORITY_LINKS] if f["people"] >= floor]
        strongest.extend(chosen)
        if len(of_kind) > len(chosen):
            b.notes.append(
                f"{len(of_kind) - len(chosen)} weaker {noun[kind]} are not drawn: only the "
                f"{len(chosen)} with most young people (at most {MAX_AUTHORITY_LINKS}, each "
                f"with at least {STRONG_LINK_SHARE:.0%} of the largest)."
            )
    kept = strongest
    top_flow = max(
        [float(numeric_count(b.shown(f["people"], f["members"]))) for f in kept] or [1.0]
    )
    erows = []
    for f in kept:
        shown = b.shown(f["people"], f["members"])
        kind = f["type"]
        what = {
            "ties": "Young people in ties",
            "sightings": "Young people seen",
            "relocations": "Young people relocated",
        }[kind]
        events = {"ties": "Ties", "sightings": "Sightings", "relocations": "Relocations"}[kind]
        arrow = "–" if kind == "ties" else "→"
        erows.append(
            {
                "u": f["u"],
                "v": f["v"],
                "type": kind,
                "kind": None,
                "reliability": None,
                "agency": None,
                "cross_authority": True,
                "directed": kind != "ties",
                "colour": FLOW_COLOURS[kind],
                "width": scaled(
                    float(shown) if isinstance(shown, int) else 0.0, top_flow, FLOW_WIDTHS
                ),
                "dash": None,
                "opacity": 0.8,
                "count": int(f["people"]),
                "shown": shown,
                "label": str(shown),
                "tip": tip(
                    f"{b.name(f['u'])} {arrow} {b.name(f['v'])}",
                    [(what, shown), (events, b.shown(int(f["events"])))],
                ),
            }
        )
    edges = edge_frame(erows)
    edges["points"] = pd.Series(
        paths(edges, pos, spread=0.1, base=0.15) if len(edges) else [], dtype=object
    )
    edges = edges[EDGE_COLUMNS]
    return nodes, edges, colours


# --------------------------------------------------------------------------- legend

LegendRow = tuple[str, dict[str, Any], str]
Legend = tuple[tuple[str, tuple[LegendRow, ...]], ...]


def legend_sections(
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    level: str,
    b: DiagramBuild,
    colours: Mapping[str, str],
) -> Legend:
    """Return the legend: (heading, rows) sections of what the diagram shows."""
    sections: list[tuple[str, tuple[LegendRow, ...]]] = []
    # Authorities drawn, by name.
    drawn = [c for c in nodes["authority"].dropna().unique().tolist() if isinstance(c, str)]
    rows: list[LegendRow] = []
    others = False
    for code in sorted(drawn, key=lambda c: b.name(c)):
        colour = colours.get(code, OTHER_AUTHORITY_COLOUR)
        if colour == OTHER_AUTHORITY_COLOUR:
            others = True
            continue
        rows.append(("patch", {"colour": colour}, b.name(code)))
    if others:
        rows.append(("patch", {"colour": OTHER_AUTHORITY_COLOUR}, "other authorities"))
    if (nodes["colour"] == NO_AUTHORITY_COLOUR).any():
        rows.append(("patch", {"colour": NO_AUTHORITY_COLOUR}, "no authority known"))
    sections.append(("Authorities", tuple(rows)))
    if level == "people":
        shapes: list[LegendRow] = []
        if (nodes["type"] == "person").any():
            shapes.append(("circle", {"colour": "#ffffff"}, "young person (home authority)"))
        if nodes["relocated"].any():
            shapes.append(("ring", {"colour": "#ffffff"}, "young person relocated"))
        if nodes["broker"].any():
            shapes.append(
                (
                    "ring",
                    {"colour": "#ffffff", "ring": BROKER_COLOUR},
                    "broker: removing them would split the group",
                )
            )
        if (nodes["type"] == "place").any():
            shapes.append(("square", {"colour": "#ffffff"}, "place (authority it lies in)"))
        if (nodes["shape"] == "diamond").any():
            shapes.append(("diamond", {"colour": "#ffffff"}, "online space (no location)"))
        if b.contexts:
            shapes.append(
                (
                    "note",
                    {},
                    "dashed frame: a context of peermap.contexts, its young people and own "
                    "places (Context 1 is the most concerning; hover its name for why). "
                    "A place several contexts share sits between them.",
                )
            )
        sections.append(("Nodes", tuple(shapes)))
        lines: list[LegendRow] = []
        ties = edges[edges["type"] == "tie"]
        for kind in TIE_KINDS:
            if (ties["kind"] == kind).any():
                text = "exploiter (arrow from the exploiter)" if kind == "exploiter" else kind
                lines.append(
                    ("line", {"colour": TIE_COLOURS[kind], "width": TIE_WIDTH}, nice(text))
                )
        if ties["cross_authority"].any():
            lines.append(
                (
                    "line",
                    {"colour": "#555555", "width": TIE_WIDTH * CROSS_FACTOR},
                    "wide: tie across authorities",
                )
            )
        if (edges["dash"] == UNVERIFIED_DASH).any():
            lines.append(
                (
                    "line",
                    {"colour": "#555555", "width": TIE_WIDTH, "dash": UNVERIFIED_DASH},
                    "dashed: unverified",
                )
            )
        sightings = edges[edges["type"] == "sighting"]
        if len(sightings):
            lines.append(("line", {"colour": SIGHTING_COLOUR, "width": 1.6}, "seen at a place"))
            if sightings["cross_authority"].any():
                lines.append(
                    (
                        "line",
                        {"colour": SIGHTING_CROSS_COLOUR, "width": 1.6},
                        "seen at a place in another authority",
                    )
                )
        sections.append(("Lines", tuple(lines)))
    else:
        shapes = [
            (
                "circle",
                {"colour": "#ffffff", "size": 9},
                "authority: young people homed there"
                + ("" if b.audience.exact else " (small-count rule)"),
            )
        ]
        sections.append(("Nodes", tuple(shapes)))
        lines = []
        texts = {
            "ties": "ties between young people of two authorities",
            "sightings": "young people seen at places in another authority (arrow)",
            "relocations": "young people relocated (arrow)",
        }
        for kind, text in texts.items():
            if (edges["type"] == kind).any():
                lines.append(("line", {"colour": FLOW_COLOURS[kind], "width": 3.0}, text))
        if lines:
            lines.append(("note", {}, "width by young people; the count is on the line"))
        sections.append(("Lines", tuple(lines)))
    if b.notes:
        sections.append(("Notes", tuple(("note", {}, n) for n in b.notes)))
    return tuple((h, r) for h, r in sections if r)


@dataclass(frozen=True)
class DiagramInfo:
    """What a diagram shows and under which rule.

    Attributes
    ----------
    title : str
        The title on the diagram.
    subtitle : str
        Period, audience and what was selected.
    audience : {"public", "partnership"}
        Who the diagram is for.
    level : {"people", "authorities"}
        ``"people"``: a node per young person and place; ``"authorities"``: young people
        collapsed into their home authorities.
    rule : SuppressionRule or None
        The small-count rule applied (``None``: exact counts).
    period : tuple of (datetime.date or None)
        First and last date of the ties and sightings drawn.
    seed : int
        Seed of the layout.
    notes : tuple of str
        Why the diagram was collapsed and what was left out, as said in the legend.
    authorities : pandas.DataFrame
        ``code``, ``name``, ``colour`` of every authority drawn, as in the legend.
    attribution : str
        Boundary attribution, when authority positions come from boundaries.
    banner : str or None
        The PARTNERSHIP ONLY banner of partnership diagrams.
    contexts : tuple of (int, str)
        On a people-level diagram of young people from several contexts:
        ``(context_id, reasons)`` of each context drawn in its own dashed frame
        (the nodes whose ``context`` is that id), most concerning first; the ids and
        reasons are those of :func:`peermap.contexts` in the diagram's window. Empty
        when the young people drawn are of one context, or the diagram is collapsed
        into authorities.
    """

    title: str
    subtitle: str
    audience: str
    level: str
    rule: SuppressionRule | None
    period: tuple[dt.date | None, dt.date | None]
    seed: int
    notes: tuple[str, ...]
    authorities: pd.DataFrame
    attribution: str = ""
    banner: str | None = None
    contexts: tuple[tuple[int, str], ...] = ()
