"""Flows of young people between authorities: where they live and where they are seen."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd

from peermap import _lookup
from peermap._arguments import dataset_argument, kind_of
from peermap._kernels import Engine, FlowKind, check_engine, flow_table, record_positions
from peermap.cell_keys import cell_keys, record_keys
from peermap.dataset import Dataset
from peermap.exceptions import ArgumentError
from peermap.filters import DateLike, Window, filter_sightings, filter_ties

__all__ = [
    "flow_keys",
    "flow_matrix",
    "flows",
]


def flows(
    ds: Dataset,
    *,
    kind: FlowKind = "sightings",
    window: Window | None = None,
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
    window : Window, optional
        Which records count (:class:`peermap.Window`); or give ``since``, ``until``
        and ``min_reliability``, the same window in three keywords.
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
    dataset_argument(ds, "flows")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    check_engine(engine)
    if kind == "sightings" and engine == "dask":
        from peermap import dask_engine

        return dask_engine.sighting_flows(
            ds,
            dask_engine.from_pandas(ds.sightings),
            since=since,
            until=until,
            min_reliability=min_reliability,
        )
    frame, people_cols = _flow_records(ds, kind, since, until, min_reliability)
    if frame.empty:
        return flow_table(pd.Series(dtype=int), pd.Series(dtype=int))
    events = frame.groupby(["origin", "destination"], dropna=False, sort=True).size()
    long = pd.concat(
        [frame[["origin", "destination", c]].rename(columns={c: "person"}) for c in people_cols]
    )
    people = (
        long.drop_duplicates().groupby(["origin", "destination"], dropna=False, sort=True).size()
    )
    return flow_table(events, people)


def flow_keys(
    ds: Dataset,
    *,
    kind: FlowKind = "sightings",
    window: Window | None = None,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
) -> pd.DataFrame:
    """Return the cell keys of the counts of :func:`flows` (:mod:`peermap.cell_keys`).

    Parameters
    ----------
    ds, kind, window, since, until, min_reliability
        As for :func:`flows`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``origin`` and ``destination``: ``people_key`` (of the distinct
        young people) and ``events_key`` (of the records), for the disclosure rule of
        public outputs.
    """
    dataset_argument(ds, "flow_keys")
    since, until, min_reliability = Window.resolve(window, since, until, min_reliability)
    frame, people_cols = _flow_records(ds, kind, since, until, min_reliability)
    index = pd.MultiIndex.from_arrays([[], []], names=["origin", "destination"])
    if frame.empty:
        return pd.DataFrame({"people_key": [], "events_key": []}, index=index, dtype="int64")
    # A record whose place has no authority (online, or outside the boundaries) has no
    # destination: its pair is written with an empty end, and given back as missing.
    pair = _end(frame["origin"]) + "\x1f" + _end(frame["destination"])
    identity = frame.drop(columns=["origin", "destination"])
    events_key = cell_keys(pair, record_keys(identity))
    long = pd.concat(
        [
            pd.DataFrame({"pair": pair, "person": frame[c].to_numpy(dtype=object)})
            for c in people_cols
        ]
    ).drop_duplicates()
    people_key = cell_keys(long["pair"], record_keys(long["person"].to_numpy(dtype=object)))
    out = pd.DataFrame({"people_key": people_key, "events_key": events_key})
    ends = [pair.split("\x1f", 1) for pair in out.index.astype(str)]
    out.index = pd.MultiIndex.from_arrays(
        [[end or None for end, _ in ends], [end or None for _, end in ends]],
        names=["origin", "destination"],
    )
    return out.astype("int64")


def _end(authority: pd.Series) -> pd.Series:
    """One end of a flow as text, a missing authority as the empty string."""
    return authority.astype(object).where(authority.notna(), "").astype(str)


def _flow_records(
    ds: Dataset, kind: str, since: DateLike, until: DateLike, min_reliability: str
) -> tuple[pd.DataFrame, list[str]]:
    """One row per record of a flow: origin, destination, the people, and its identity."""
    # Authorities by position: the dataset's records are looked up once (a selection
    # keeps the dataset's row labels), not matched again by id for every flow.
    home = ds.people["home_authority"].to_numpy(dtype=object)
    coded = record_positions(ds)
    if kind == "sightings":
        s = filter_sightings(ds, since=since, until=until, min_reliability=min_reliability)
        at = _lookup.place_authority(ds).to_numpy(dtype=object)
        who, where = coded.sightings(s)
        frame = pd.DataFrame(
            {
                "origin": home[who],
                "destination": at[where],
                "person": s["person_id"].to_numpy(dtype=object),
                "place": s["place_id"].to_numpy(dtype=object),
                "date": s["date"].to_numpy(),
                "context": s["context"].to_numpy(dtype=object),
            }
        )
        people_cols = ["person"]
    elif kind == "ties":
        t = filter_ties(ds, since=since, until=until, min_reliability=min_reliability)
        a_at, b_at = coded.ties(t)
        ha, hb = home[a_at], home[b_at]
        swap = ha > hb
        frame = pd.DataFrame(
            {
                "origin": np.where(swap, hb, ha),
                "destination": np.where(swap, ha, hb),
                "person": t["person_a"].to_numpy(dtype=object),
                "other": t["person_b"].to_numpy(dtype=object),
                "tie_kind": t["kind"].to_numpy(dtype=object),
                "first_seen": t["first_seen"].to_numpy(),
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
                "date": r["date"].to_numpy(),
            }
        )
        people_cols = ["person"]
    else:
        raise ArgumentError(f"kind={kind!r}; expected 'sightings', 'ties' or 'relocations'")
    return frame, people_cols


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
    if not isinstance(table, pd.DataFrame):
        raise ArgumentError(f"flow_matrix needs a table from peermap.flows, got {kind_of(table)}")
    if value not in ("people", "events"):
        raise ArgumentError(f"value={value!r}; expected 'people' or 'events'")
    missing = sorted({"origin", "destination", value} - set(table.columns))
    if missing:
        raise ArgumentError(
            f"flow_matrix needs a table from peermap.flows; this one has no {', '.join(missing)}"
        )
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
