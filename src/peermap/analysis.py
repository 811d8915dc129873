"""Cross-borough analysis: contexts, flows, hotspot venues, Gi* hot spots, relocations.

Every function takes a :class:`~peermap.Dataset` and the same filter keywords as the
graph builders (``since``, ``until``, ``min_reliability``), so an analyst can ask
"confirmed and corroborated links in the last six months" everywhere. Methods and
their limits are described in ``docs/analysis.md``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, Literal, NamedTuple

import geopandas as gpd
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd

from peermap import _graph_backends, _lookup
from peermap.dataset import Dataset
from peermap.networks import DateLike, filter_sightings, filter_ties
from peermap.schema import CONTEXTS

__all__ = [
    "CONTEXT_WEIGHTS",
    "SERIOUS_CONTEXTS",
    "context_graph",
    "contexts",
    "flow_matrix",
    "flows",
    "hotspots",
]

#: Contexts that weigh most when ranking contexts (exploitation and serious harm).
SERIOUS_CONTEXTS: tuple[str, ...] = (
    "cse",
    "cce",
    "serious_youth_violence",
    "harmful_sexual_behaviour",
)

FlowKind = Literal["sightings", "ties", "relocations"]
Engine = Literal["pandas", "dask"]


def _check_engine(engine: str) -> None:
    if engine not in ("pandas", "dask"):
        raise ValueError(f"engine={engine!r}; expected 'pandas' or 'dask'")


def _authority_graph(ds: Dataset) -> nx.Graph | None:
    if ds.boundaries is None:
        return None
    from peermap.boundaries import authority_graph

    graph: nx.Graph = authority_graph(ds.boundaries)
    return graph


def _reach(
    authorities: list[str], links: set[tuple[str, str]], graph: nx.Graph | None
) -> tuple[str, float]:
    """Classify a context by the authority pairs its links join.

    ``links`` holds (home authority, authority reached) pairs: a member's home and the
    authority of a place they were seen at, or the two home authorities of a tie. The
    reach is ``distant`` when some link joins two authorities that do not border each
    other (a county-lines pattern), ``neighbours`` when every cross-authority link joins
    neighbours, ``single`` with one authority, ``unknown`` without boundaries.
    """
    if len(authorities) <= 1:
        return "single", 0.0
    crossing = {(a, b) for a, b in links if a != b}
    if graph is None or not all(a in graph and b in graph for a, b in crossing):
        return "unknown", math.nan
    far = 0.0
    distant = False
    for a, b in crossing:
        distant |= not graph.has_edge(a, b)
        (x0, y0), (x1, y1) = graph.nodes[a]["centroid_bng"], graph.nodes[b]["centroid_bng"]
        far = max(far, math.hypot(x1 - x0, y1 - y0) / 1000.0)
    return ("distant" if distant else "neighbours"), round(far, 1)


# --------------------------------------------------------------------------- contexts


#: Weight of a sighting by abuse context when linking people to places (others weigh 1).
CONTEXT_WEIGHTS: dict[str, float] = {
    "cse": 3.0,
    "cce": 3.0,
    "harmful_sexual_behaviour": 2.0,
    "serious_youth_violence": 2.0,
}
#: Weight of an exploiter tie relative to other ties.
EXPLOITER_WEIGHT = 3.0


def context_graph(
    ds: Dataset,
    *,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    include_places: bool = True,
    tie_weight: float = 0.3,
) -> nx.Graph:
    """Build the weighted graph of young people and places that contexts are cut from.

    Nodes are ``("person", person_id)`` and ``("place", place_id)``. A person-place
    edge weighs the person's sightings there (each weighted by
    :data:`CONTEXT_WEIGHTS`) normalised by the geometric mean of the person's and
    the place's totals (cosine, Salton's index): a venue that draws a large share of
    a young person's sightings, and whose sightings come largely from them, links
    strongly; a venue that hundreds pass through links each of them weakly. A tie
    weighs ``tie_weight`` (times :data:`EXPLOITER_WEIGHT` for exploiter ties) divided
    by the geometric mean of the two people's tie counts.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    since, until, min_reliability
        Filters, as in :func:`contexts`.
    include_places : bool, default True
        Add places and person-place edges.
    tie_weight : float, default 0.3
        Weight of ties relative to place links.

    Returns
    -------
    networkx.Graph
        Every young person as a node; edges with a ``weight`` attribute.
    """
    nodes, u, v, w = _context_edges(
        ds,
        since=since,
        until=until,
        min_reliability=min_reliability,
        include_places=include_places,
        tie_weight=tie_weight,
    )
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_weighted_edges_from(
        (nodes[i], nodes[j], weight)
        for i, j, weight in zip(u.tolist(), v.tolist(), w.tolist(), strict=True)
    )
    return graph


def _context_edges(
    ds: Dataset,
    *,
    since: DateLike,
    until: DateLike,
    min_reliability: str,
    include_places: bool,
    tie_weight: float,
) -> tuple[
    list[tuple[str, str]], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]
]:
    """Nodes (people first, then places) and weighted edges as integer positions."""
    people = ds.people["person_id"].to_numpy(dtype=object)
    nodes: list[tuple[str, str]] = [("person", p) for p in people]
    position = pd.Series(np.arange(len(people)), index=people)
    us: list[npt.NDArray[np.int64]] = [np.empty(0, dtype=np.int64)]
    vs: list[npt.NDArray[np.int64]] = [np.empty(0, dtype=np.int64)]
    ws: list[npt.NDArray[np.float64]] = [np.empty(0, dtype=np.float64)]
    ties = filter_ties(ds, since=since, until=until, min_reliability=min_reliability)
    if len(ties):
        a = ties["person_a"].to_numpy(dtype=object)
        b = ties["person_b"].to_numpy(dtype=object)
        degree = pd.Series(np.concatenate([a, b])).value_counts()
        kind = np.where(ties["kind"].to_numpy(dtype=object) == "exploiter", EXPLOITER_WEIGHT, 1.0)
        norm = np.sqrt(degree.reindex(a).to_numpy() * degree.reindex(b).to_numpy())
        lo, hi = np.where(a < b, a, b), np.where(a < b, b, a)
        edges = (
            pd.DataFrame({"u": lo, "v": hi, "w": tie_weight * kind / norm})
            .groupby(["u", "v"], sort=True)["w"]
            .sum()
        )
        us.append(position.reindex(edges.index.get_level_values(0)).to_numpy(dtype=np.int64))
        vs.append(position.reindex(edges.index.get_level_values(1)).to_numpy(dtype=np.int64))
        ws.append(edges.to_numpy(dtype=float))
    if include_places:
        places = ds.places["place_id"].to_numpy(dtype=object)
        nodes += [("place", p) for p in places]
        place_position = pd.Series(np.arange(len(places)) + len(people), index=places)
        s = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
        if len(s):
            frame = pd.DataFrame(
                {
                    "person": s["person_id"].to_numpy(dtype=object),
                    "place": s["place_id"].to_numpy(dtype=object),
                    "w": s["context"].map(CONTEXT_WEIGHTS).fillna(1.0).to_numpy(dtype=float),
                }
            )
            pair = frame.groupby(["person", "place"], sort=True)["w"].sum()
            per_person = frame.groupby("person")["w"].sum()
            per_place = frame.groupby("place")["w"].sum()
            persons = pair.index.get_level_values(0)
            at = pair.index.get_level_values(1)
            norm = np.sqrt(
                per_person.reindex(persons).to_numpy() * per_place.reindex(at).to_numpy()
            )
            us.append(position.reindex(persons).to_numpy(dtype=np.int64))
            vs.append(place_position.reindex(at).to_numpy(dtype=np.int64))
            ws.append(pair.to_numpy(dtype=float) / norm)
    return nodes, np.concatenate(us), np.concatenate(vs), np.concatenate(ws)


def contexts(
    ds: Dataset,
    *,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    include_places: bool = True,
    min_people: int = 2,
    max_people: int | None = 50,
    resolution: float = 4.0,
    tie_weight: float = 0.3,
    seed: int = 0,
    backend: str | None = None,
) -> pd.DataFrame:
    """Find contexts: connected groups of young people and the places they share.

    Young people and places are joined by ties and by sightings (see
    :func:`context_graph` for the weights). Its connected components are the
    contexts; venues everyone passes through join most young people into one giant
    component, so a component with more than ``max_people`` young people is split
    into communities with the Louvain method (weighted, seeded: the split is
    repeatable), and any community still larger is split again on its own.

    Parameters
    ----------
    ds : Dataset
        The dataset (read with boundaries to classify reach and count place authorities).
    since, until : date or str, optional
        Keep ties active and sightings dated within this window.
    min_reliability : str, default "unverified"
        Keep ties and sightings of at least this grade.
    include_places : bool, default True
        Link young people through shared places; with ``False`` only recorded ties link.
    min_people : int, default 2
        Smallest context reported.
    max_people : int or None, default 50
        Split larger components into Louvain communities (``None``: never split).
    resolution : float, default 4.0
        Louvain resolution: higher gives smaller communities (about peer-group size
        at the default).
    tie_weight : float, default 0.3
        Weight of ties relative to place links in the split.
    seed : int, default 0
        Seed for the Louvain method.
    backend : str, optional
        Where Louvain runs: ``"igraph"`` (its C implementation, the default through
        :data:`peermap.settings.graph_backend`), ``"networkx"`` (networkx's
        ``louvain_communities``), or an installed networkx backend. Each backend is
        repeatable for a seed; the two implementations visit nodes in different
        random orders, so their partitions differ in detail.

    Returns
    -------
    pandas.DataFrame
        One row per context, widest and most serious first: ``context_id``, ``people``,
        ``places``, ``authorities`` (sorted lists), ``n_people``, ``n_places``,
        ``n_authorities``, ``spans_authorities``, ``reach`` (``single``;
        ``neighbours``: every link across authorities, a member seen in another
        authority or a tie between young people of two authorities, joins neighbours;
        ``distant``: some link joins authorities that do not border, a county-lines
        pattern; ``unknown``: no boundaries), ``max_distance_km`` (the longest such
        link, between authority centroids), ``n_ties``, ``exploiter_ties``, one column of
        sightings per abuse context, ``serious`` (sightings in
        :data:`SERIOUS_CONTEXTS` plus exploiter ties), ``n_relocated``,
        ``first_date``, ``last_date``.
    """
    ties = filter_ties(ds, since=since, until=until, min_reliability=min_reliability)
    sightings = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
    nodes, u, v, w = _context_edges(
        ds,
        since=since,
        until=until,
        min_reliability=min_reliability,
        include_places=include_places,
        tie_weight=tie_weight,
    )
    n_people = len(ds.people)
    name = _graph_backends.resolve(backend)
    graph = _graph_backends.build(name, len(nodes), u, v, w)
    split = _graph_backends.louvain(name, graph, resolution=resolution, seed=seed)
    groups: list[set[tuple[str, str]]] = []
    for component in sorted(_graph_backends.components(name, graph), key=min):
        for part in _split(split, component, n_people, max_people):
            groups.append({nodes[i] for i in part})
    return _context_table(ds, groups, ties, sightings, min_people)


def _split(
    communities: _graph_backends.Partition,
    nodes: set[int],
    n_people: int,
    max_people: int | None,
) -> list[set[int]]:
    """Split ``nodes`` with Louvain until no part has more than ``max_people`` people.

    Nodes below ``n_people`` are people. Modularity has a resolution limit: on a large
    graph its communities grow with the graph, so a community still too large is split
    again on its own subgraph.
    """
    people = sum(1 for n in nodes if n < n_people)
    if max_people is None or people <= max_people:
        return [nodes]
    parts = communities(nodes)
    if len(parts) == 1:  # no split improves modularity: keep it whole
        return [nodes]
    out: list[set[int]] = []
    for part in sorted(parts, key=min):
        out.extend(_split(communities, part, n_people, max_people))
    return out


def _context_table(
    ds: Dataset,
    groups: list[set[tuple[str, str]]],
    ties: pd.DataFrame,
    sightings: pd.DataFrame,
    min_people: int,
) -> pd.DataFrame:
    home = _lookup.home(ds)
    place_auth = (
        _lookup.place_authority(ds) if "authority_code" in ds.places else pd.Series(dtype=object)
    )
    relocated = set(ds.relocations["person_id"])
    auth_graph = _authority_graph(ds)
    membership_person: dict[str, int] = {}
    membership_place: dict[str, int] = {}
    kept: list[tuple[list[str], list[str]]] = []
    for group in groups:
        people = sorted(key for kind, key in group if kind == "person")
        if len(people) < min_people:
            continue
        places = sorted(key for kind, key in group if kind == "place")
        index = len(kept)
        kept.append((people, places))
        for p in people:
            membership_person[p] = index
        for p in places:
            membership_place[p] = index
    # Sightings count towards a context when both the person and the place are in it.
    s_ctx = sightings["person_id"].map(membership_person)
    s_in = s_ctx.notna() & (s_ctx == sightings["place_id"].map(membership_place))
    s_counts = (
        sightings[s_in]
        .assign(ctx=s_ctx[s_in].astype(int))
        .groupby(["ctx", "context"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=list(CONTEXTS), fill_value=0)
    )
    s_dates = sightings[s_in].assign(ctx=s_ctx[s_in].astype(int)).groupby("ctx")["date"]
    s_first, s_last = s_dates.min(), s_dates.max()
    t_ctx = ties["person_a"].map(membership_person)
    t_in = t_ctx.notna() & (t_ctx == ties["person_b"].map(membership_person))
    t_frame = ties[t_in].assign(ctx=t_ctx[t_in].astype(int))
    t_n = t_frame.groupby("ctx").size()
    t_exploit = t_frame[t_frame["kind"] == "exploiter"].groupby("ctx").size()
    t_first = t_frame.groupby("ctx")["first_seen"].min()
    t_last = (
        t_frame.assign(end=t_frame["last_seen"].fillna(t_frame["first_seen"]))
        .groupby("ctx")["end"]
        .max()
    )
    links: dict[int, set[tuple[str, str]]] = {}
    s_home = sightings["person_id"][s_in].map(home)
    s_auth = sightings["place_id"][s_in].map(place_auth)
    for ctx, h, pa in zip(s_ctx[s_in].astype(int), s_home, s_auth, strict=True):
        if isinstance(h, str) and isinstance(pa, str):
            links.setdefault(ctx, set()).add((h, pa))
    for ctx, ha, hb in zip(
        t_frame["ctx"], t_frame["person_a"].map(home), t_frame["person_b"].map(home), strict=True
    ):
        if isinstance(ha, str) and isinstance(hb, str):
            links.setdefault(ctx, set()).add((ha, hb))
    rows: list[dict[str, Any]] = []
    for i, (people, places) in enumerate(kept):
        auths = {home[p] for p in people if isinstance(home[p], str)}
        auths |= {
            place_auth[p]
            for p in places
            if p in place_auth.index and isinstance(place_auth[p], str)
        }
        authorities = sorted(auths)
        reach, far = _reach(authorities, links.get(i, set()), auth_graph)
        counts = {
            c: int(s_counts.loc[i, c]) if i in s_counts.index else 0  # type: ignore[arg-type]
            for c in CONTEXTS
        }
        exploiter = int(t_exploit.get(i, 0))
        firsts = [d for d in (s_first.get(i), t_first.get(i)) if d is not None and not pd.isna(d)]
        lasts = [d for d in (s_last.get(i), t_last.get(i)) if d is not None and not pd.isna(d)]
        rows.append(
            {
                "people": people,
                "places": places,
                "authorities": authorities,
                "n_people": len(people),
                "n_places": len(places),
                "n_authorities": len(authorities),
                "spans_authorities": len(authorities) > 1,
                "reach": reach,
                "max_distance_km": far,
                "n_ties": int(t_n.get(i, 0)),
                "exploiter_ties": exploiter,
                **counts,
                "serious": sum(counts[c] for c in SERIOUS_CONTEXTS) + exploiter,
                "n_relocated": sum(1 for p in people if p in relocated),
                "first_date": min(firsts) if firsts else pd.NaT,
                "last_date": max(lasts) if lasts else pd.NaT,
            }
        )
    columns = [
        "context_id",
        "people",
        "places",
        "authorities",
        "n_people",
        "n_places",
        "n_authorities",
        "spans_authorities",
        "reach",
        "max_distance_km",
        "n_ties",
        "exploiter_ties",
        *CONTEXTS,
        "serious",
        "n_relocated",
        "first_date",
        "last_date",
    ]
    if not rows:
        dtypes: dict[str, Any] = {"spans_authorities": bool, "max_distance_km": float}
        dtypes |= {c: "datetime64[ns]" for c in ("first_date", "last_date")}
        counted = ["context_id", "n_people", "n_places", "n_authorities", "n_ties"]
        counted += ["exploiter_ties", *CONTEXTS, "serious", "n_relocated"]
        dtypes |= {c: int for c in counted}
        return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, object)) for c in columns})
    table = pd.DataFrame(rows)
    table["first_person"] = [r["people"][0] for r in rows]
    table = table.sort_values(
        ["n_authorities", "serious", "n_people", "first_person"],
        ascending=[False, False, False, True],
        kind="stable",
    ).drop(columns="first_person")
    table.insert(0, "context_id", np.arange(1, len(table) + 1))
    table["first_date"] = pd.to_datetime(table["first_date"]).astype("datetime64[ns]")
    table["last_date"] = pd.to_datetime(table["last_date"]).astype("datetime64[ns]")
    return table.reset_index(drop=True)[columns]


# --------------------------------------------------------------------------- flows


def flows(
    ds: Dataset,
    *,
    kind: FlowKind = "sightings",
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    engine: Engine = "pandas",
) -> pd.DataFrame:
    """Origin-destination table of young people between authorities.

    Parameters
    ----------
    ds : Dataset
        The dataset (``kind="sightings"`` needs places assigned to authorities).
    kind : {"sightings", "ties", "relocations"}
        ``sightings``: home authority -> authority of the place seen at;
        ``ties``: the two home authorities of a tie (an unordered pair, written with the
        smaller code as origin); ``relocations``: from -> to.
    since, until : date or str, optional
        Window (sighting date, tie activity, relocation date).
    min_reliability : str, default "unverified"
        Weakest grade kept (sightings and ties).
    engine : {"pandas", "dask"}, default "pandas"
        ``"dask"`` aggregates sightings on dask (see
        :func:`peermap.dask_engine.sighting_flows`); ties and relocations are small and
        stay in pandas. The table is the same.

    Returns
    -------
    pandas.DataFrame
        ``origin``, ``destination`` (codes; ``None`` destination for places outside
        every authority), ``people`` (distinct young people), ``events`` (sightings,
        ties or relocations), ``within`` (origin equals destination: kept and marked),
        sorted by people then events, largest first.
    """
    _check_engine(engine)
    if kind == "sightings" and engine == "dask":
        from peermap import dask_engine

        return dask_engine.sighting_flows(
            ds,
            dask_engine.from_pandas(ds.sightings),
            since=since,
            until=until,
            min_reliability=min_reliability,
        )
    home = _lookup.home(ds)
    if kind == "sightings":
        s = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
        frame = pd.DataFrame(
            {
                "origin": home.reindex(s["person_id"].to_numpy()).to_numpy(),
                "destination": _lookup.place_authority(ds)
                .reindex(s["place_id"].to_numpy())
                .to_numpy(),
                "person": s["person_id"].to_numpy(dtype=object),
            }
        )
        people_cols = ["person"]
    elif kind == "ties":
        t = filter_ties(ds, since=since, until=until, min_reliability=min_reliability)
        ha = home.reindex(t["person_a"].to_numpy()).to_numpy(dtype=object)
        hb = home.reindex(t["person_b"].to_numpy()).to_numpy(dtype=object)
        swap = ha > hb
        frame = pd.DataFrame(
            {
                "origin": np.where(swap, hb, ha),
                "destination": np.where(swap, ha, hb),
                "person": t["person_a"].to_numpy(dtype=object),
                "other": t["person_b"].to_numpy(dtype=object),
            }
        )
        people_cols = ["person", "other"]
    elif kind == "relocations":
        r = ds.relocations
        keep = pd.Series(True, index=r.index)
        if since is not None:
            keep &= r["date"] >= pd.Timestamp(since)
        if until is not None:
            keep &= r["date"] <= pd.Timestamp(until)
        r = r[keep]
        frame = pd.DataFrame(
            {
                "origin": r["from_authority"].to_numpy(dtype=object),
                "destination": r["to_authority"].to_numpy(dtype=object),
                "person": r["person_id"].to_numpy(dtype=object),
            }
        )
        people_cols = ["person"]
    else:
        raise ValueError(f"kind={kind!r}; expected 'sightings', 'ties' or 'relocations'")
    if frame.empty:
        return _flow_table(pd.Series(dtype=int), pd.Series(dtype=int))
    events = frame.groupby(["origin", "destination"], dropna=False, sort=True).size()
    long = pd.concat(
        [frame[["origin", "destination", c]].rename(columns={c: "person"}) for c in people_cols]
    )
    people = (
        long.drop_duplicates().groupby(["origin", "destination"], dropna=False, sort=True).size()
    )
    return _flow_table(events, people)


_FLOW_COLUMNS = ["origin", "destination", "people", "events", "within"]


def _flow_table(events: pd.Series, people: pd.Series) -> pd.DataFrame:
    """Finish a flow table from counts indexed by (origin, destination) (both engines)."""
    if events.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in _FLOW_COLUMNS})
    table = pd.DataFrame({"people": people, "events": events})
    table.index.names = ["origin", "destination"]
    table = table.reset_index()
    table["within"] = table["origin"] == table["destination"]
    table = table.sort_values(
        ["people", "events", "origin", "destination"],
        ascending=[False, False, True, True],
        kind="stable",
        na_position="last",
    )
    table["people"] = table["people"].astype(int)
    table["events"] = table["events"].astype(int)
    return table.reset_index(drop=True)[_FLOW_COLUMNS]


def flow_matrix(
    table: pd.DataFrame,
    *,
    value: Literal["people", "events"] = "people",
    authorities: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Turn a flow table into a square origin x destination matrix.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`flows`.
    value : {"people", "events"}
        Which count fills the cells.
    authorities : iterable of str, optional
        Row and column order (default: every code in the table, sorted).

    Returns
    -------
    pandas.DataFrame
        Rows are origins, columns destinations, zero where no flow; square.
    """
    table = table.dropna(subset=["origin", "destination"])
    codes = (
        list(authorities)
        if authorities is not None
        else sorted(set(table["origin"]) | set(table["destination"]))
    )
    matrix = table.pivot_table(
        index="origin", columns="destination", values=value, aggfunc="sum", fill_value=0
    )
    matrix = matrix.reindex(index=codes, columns=codes, fill_value=0).astype(int)
    matrix.index.name, matrix.columns.name = "origin", "destination"
    return matrix


# --------------------------------------------------------------------------- hotspots

#: Above this many nodes the place graph's betweenness is estimated from a seeded sample.
BETWEENNESS_EXACT_MAX = 1_000


def hotspots(
    ds: Dataset,
    *,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    betweenness_sample: int = 32,
    seed: int = 0,
    backend: str | None = None,
    engine: Engine = "pandas",
) -> gpd.GeoDataFrame:
    """Rank venues by how many young people, from how many authorities, they draw.

    Parameters
    ----------
    ds : Dataset
        The dataset (read with boundaries for ``outside_share``).
    since, until : date or str, optional
        Keep sightings dated within this window.
    min_reliability : str, default "unverified"
        Keep sightings of at least this grade.
    betweenness_sample : int, default 32
        Source nodes sampled for betweenness when the place graph has more than
        :data:`BETWEENNESS_EXACT_MAX` nodes (exact below).
    seed : int, default 0
        Seed for the betweenness sample.
    backend : str, optional
        Where betweenness runs: ``"igraph"`` (C, the default through
        :data:`peermap.settings.graph_backend`; the same sample and rescaling as
        networkx, so equal values), ``"networkx"``, or an installed networkx backend
        such as ``"parallel"`` (nx-parallel).
    engine : {"pandas", "dask"}, default "pandas"
        ``"dask"`` aggregates the sightings on dask (see
        :func:`peermap.dask_engine.hotspots`, which takes sightings already in dask);
        the table is the same.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per place (EPSG:27700), ``place_id`` as a column, with ``people``
        (distinct young people), ``sightings``, ``home_authorities`` (distinct home
        authorities of those people), ``outside_share`` (share of them homed outside
        the place's authority), one column of sightings per abuse context,
        ``serious`` (sightings in :data:`SERIOUS_CONTEXTS`), ``first_date``,
        ``last_date``, ``betweenness`` (normalised, in the place graph) and ``rank``
        (1 = most significant: most home authorities, then most serious sightings, then
        most young people, then highest outside share, then betweenness).
    """
    if engine == "dask":
        from peermap import dask_engine

        return dask_engine.hotspots(
            ds,
            dask_engine.from_pandas(ds.sightings),
            since=since,
            until=until,
            min_reliability=min_reliability,
            betweenness_sample=betweenness_sample,
            seed=seed,
            backend=backend,
        )
    _check_engine(engine)
    s = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
    return _hotspot_table(ds, _hotspot_parts(ds, s), betweenness_sample, seed, backend)


class _HotspotParts(NamedTuple):
    """What hotspots needs from the sightings: each part adds up across partitions."""

    pairs: pd.DataFrame  # distinct pairs seen: ``person`` and ``place``, positions (below)
    by_context: pd.DataFrame  # sightings per place (index) and context (columns)
    first_date: pd.Series  # per place
    last_date: pd.Series  # per place


def _ids(ds: Dataset) -> tuple[pd.Index, pd.Index]:
    """Index the person ids and place ids of ``ds``, in dataset order."""
    return (
        pd.Index(ds.people["person_id"].to_numpy(dtype=object)),
        pd.Index(ds.places["place_id"].to_numpy(dtype=object)),
    )


def _positions(
    s: pd.DataFrame, people: pd.Index, places: pd.Index
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Positions in ``people`` and ``places`` (see :func:`_ids`) of each sighting's ids.

    Graphs and counts work on these integers rather than on the ids' text. A sighting
    of someone (or somewhere) not in the dataset is an error: it cannot be counted.
    """
    who = people.get_indexer(pd.Index(s["person_id"]))
    where = places.get_indexer(pd.Index(s["place_id"]))
    for name, found, column in (("people", who, "person_id"), ("places", where, "place_id")):
        if (found < 0).any():
            first = s[column].to_numpy()[np.flatnonzero(found < 0)[0]]
            raise ValueError(
                f"sightings refer to {column} {first!r}, which is not among the {name} of the "
                "dataset given; read the sightings with the people and places they refer to"
            )
    return who, where


def _hotspot_parts(ds: Dataset, s: pd.DataFrame) -> _HotspotParts:
    """Aggregate sightings (``person_id``, ``place_id``, ``context``, ``date``) by place."""
    who, where = _positions(s, *_ids(ds))
    pairs = pd.DataFrame({"person": who, "place": where}).drop_duplicates()
    by_context = (
        s.groupby(["place_id", "context"], observed=True).size().unstack(fill_value=0)
        if len(s)
        else pd.DataFrame()
    )
    dates = s.groupby("place_id")["date"]
    return _HotspotParts(pairs, by_context, dates.min(), dates.max())


def _hotspot_table(
    ds: Dataset, parts: _HotspotParts, sample: int, seed: int, backend: str | None
) -> gpd.GeoDataFrame:
    """Build the ranked hotspot table from aggregated parts (both engines end here)."""
    places = ds.places
    n_places = len(places)
    place_ids = pd.Index(places["place_id"].to_numpy(dtype=object))
    # Homes and place authorities as integer codes of one factorisation (-1: none).
    homes = _lookup.home(ds).to_numpy(dtype=object)
    at = (
        places["authority_code"].to_numpy(dtype=object)
        if "authority_code" in places
        else np.full(n_places, None, dtype=object)
    )
    codes, _ = pd.factorize(np.concatenate([homes, at]), use_na_sentinel=True)
    home_code, place_code = codes[: len(homes)], codes[len(homes) :]
    person = parts.pairs["person"].to_numpy(dtype=np.intp)
    place = parts.pairs["place"].to_numpy(dtype=np.intp)
    home, place_auth = home_code[person], place_code[place]

    def per_place(
        weights: npt.NDArray[np.bool_] | None = None, where: npt.NDArray[np.intp] = place
    ) -> pd.Series:
        return pd.Series(np.bincount(where, weights=weights, minlength=n_places), index=place_ids)

    with_home = pd.DataFrame({"place": place, "home": home})[home >= 0].drop_duplicates()
    has_auth = place_auth >= 0
    n_known = per_place(has_auth)
    n_outside = per_place(has_auth & (home != place_auth))
    by_context = parts.by_context.reindex(columns=list(CONTEXTS), fill_value=0)
    stats = pd.DataFrame(
        {
            "people": per_place(),
            "sightings": by_context.sum(axis=1),
            "home_authorities": per_place(where=with_home["place"].to_numpy(dtype=np.intp)),
            "first_date": parts.first_date,
            "last_date": parts.last_date,
        }
    )
    stats["outside_share"] = n_outside / n_known.where(n_known > 0)
    table = pd.DataFrame(places.drop(columns="geometry")).set_index("place_id", drop=False)
    table = table.join(stats).join(by_context)
    table.index.name = None  # place_id stays a column; the index is only for joining
    for col in ("people", "sightings", "home_authorities", *CONTEXTS):
        table[col] = table[col].fillna(0).astype(int)
    table["serious"] = table[list(SERIOUS_CONTEXTS)].sum(axis=1).astype(int)
    table["betweenness"] = (
        _place_betweenness(ds, parts.pairs, sample, seed, backend).reindex(table.index).fillna(0.0)
    )
    order = table.sort_values(
        ["home_authorities", "serious", "people", "outside_share", "betweenness", "place_id"],
        ascending=[False, False, False, False, False, True],
        na_position="last",
        kind="stable",
    ).index
    table.loc[order, "rank"] = np.arange(1, len(order) + 1)
    table["rank"] = table["rank"].astype(int)
    table = table.loc[order].reset_index(drop=True)
    keep = [
        c
        for c in ("place_id", "kind", "label", "authority_code", "authority_name", "assignment")
        if c in table
    ]
    columns = [
        *keep,
        "people",
        "sightings",
        "home_authorities",
        "outside_share",
        *CONTEXTS,
        "serious",
        "first_date",
        "last_date",
        "betweenness",
        "rank",
    ]
    geometry = places.set_index("place_id").geometry.reindex(table["place_id"]).to_numpy()
    return gpd.GeoDataFrame(table[columns], geometry=geometry, crs=places.crs)


def _place_betweenness(
    ds: Dataset, pairs: pd.DataFrame, sample: int, seed: int, backend: str | None
) -> pd.Series:
    """Betweenness of each place in the place graph (its structure, without attributes).

    The graph is the one :func:`peermap.place_graph` builds (every person and place a
    node, an edge per distinct person-place pair seen), on integer nodes: people first,
    then places, in dataset order; edges sorted, so the answer does not depend on the
    order the pairs come in.
    """
    if sample < 2:
        raise ValueError(f"betweenness_sample={sample}; expected 2 or more")
    name = _graph_backends.resolve(backend)
    people = ds.people["person_id"].to_numpy(dtype=object)
    places = ds.places["place_id"].to_numpy(dtype=object)
    n = len(people) + len(places)
    if n == 0:
        return pd.Series(dtype=float)
    u = pairs["person"].to_numpy(dtype=np.int64)
    v = pairs["place"].to_numpy(dtype=np.int64) + len(people)
    order = np.lexsort((v, u))
    u, v = u[order], v[order]
    k = None if n <= BETWEENNESS_EXACT_MAX else min(sample, n)
    graph = _graph_backends.build(name, n, u, v)
    values = _graph_backends.betweenness(name, graph, k=k, seed=seed)
    return pd.Series(values[len(people) :], index=places, dtype=float)
