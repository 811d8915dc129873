"""Run the heavy steps on dask: reading sightings, assignment, flows and hotspots.

A regional or national picture (every authority in England, years of sightings)
outgrows one process. These functions run the same work as the in-memory functions on
`dask <https://docs.dask.org>`_ and `dask-geopandas
<https://dask-geopandas.readthedocs.io>`_, and give the same answers exactly: each one
aggregates on dask into the parts the in-memory function computes, and both finish in
the same code.

They run on whatever dask scheduler is active: a ``distributed.Client`` if one has been
made (a ``LocalCluster`` on this machine, or a cluster by address), otherwise dask's
default threads. Install with ``pip install 'peermap[dask]'``; the core install does not
pull dask. See ``docs/scaling.md``.

The small tables (people, places, ties, relocations) stay in pandas: sightings are what
grow to tens of millions of rows.
"""

from __future__ import annotations

import glob
import itertools
import math
import os
from collections.abc import Hashable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from peermap import _graph_backends, _lookup
from peermap._kernels import (
    INCIDENT_KEY,
    PAIR_SUMS,
    HotspotParts,
    exploiter_people,
    flow_table,
    hotspot_parts,
    hotspot_table,
    ids,
    incident_sizes,
    positions,
    record_sums,
    visit_frame,
)
from peermap._optional import require
from peermap._problems import Problem, ValidationReport
from peermap._while_missing import missing_visits
from peermap.dataset import Dataset
from peermap.exceptions import ValidationError
from peermap.filters import DateLike, filter_ties, select_sightings
from peermap.ranking import HARM_KINDS
from peermap.schema import TABLES

if TYPE_CHECKING:
    import dask.dataframe as dd
    import dask_geopandas as dgpd

__all__ = [
    "assign_authorities",
    "from_pandas",
    "hotspots",
    "read_sightings",
    "sighting_flows",
]

#: Rows per partition when a pandas frame is handed to dask.
PARTITION_ROWS = 500_000


def _require() -> None:
    require("dask.dataframe")
    require("dask_geopandas")


def from_pandas(frame: pd.DataFrame, *, npartitions: int | None = None) -> dd.DataFrame:
    """Hand a pandas frame to dask in partitions of :data:`PARTITION_ROWS` rows.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table such as ``ds.sightings``.
    npartitions : int, optional
        Number of partitions (default: enough for :data:`PARTITION_ROWS` rows each).

    Returns
    -------
    dask.dataframe.DataFrame
    """
    _require()
    result: dd.DataFrame = _partitioned(frame, npartitions)
    return result


def _partitioned(frame: pd.DataFrame, npartitions: int | None) -> Any:
    """Split ``frame`` in order into dask partitions (a GeoDataFrame into dask-geopandas).

    On a ``distributed`` cluster the partitions are scattered to the workers, so they do
    not travel inside every task graph that uses them; otherwise ``from_pandas``.
    """
    import dask.dataframe as dd

    n = npartitions or max(1, math.ceil(len(frame) / PARTITION_ROWS))
    client = _client()
    with _as_given():
        if client is None:
            if isinstance(frame, gpd.GeoDataFrame):
                import dask_geopandas as dgpd

                return dgpd.from_geopandas(frame, npartitions=n, sort=False)
            return dd.from_pandas(frame, npartitions=n, sort=False)
        bounds = np.linspace(0, len(frame), min(n, max(1, len(frame))) + 1).astype(int)
        chunks = [frame.iloc[a:b] for a, b in itertools.pairwise(bounds)]
        return dd.from_delayed(client.scatter(chunks, hash=False), meta=frame.iloc[:0])


def _shared(obj: Any) -> Any:
    """Make ``obj`` (a lookup, the boundaries) available to every task that needs it.

    On a ``distributed`` cluster it is sent to every worker once (``scatter`` with
    ``broadcast``) and tasks refer to it, so it neither travels inside the task graph
    nor is copied per task. On the local schedulers it becomes one node of the graph.
    """
    from dask.delayed import delayed

    client = _client()
    if client is None:
        return delayed(obj, pure=True, traverse=False)
    # In a list, so that a tuple or dict is sent whole rather than item by item.
    return client.scatter([obj], broadcast=True, hash=False)[0]


def _client() -> Any:
    """Find the ``distributed.Client`` computations will run on (``None``: a local scheduler)."""
    from dask.base import get_scheduler

    try:
        from distributed import default_client

        client = default_client()
    except (ImportError, ValueError):  # no distributed, or no client made
        return None
    if get_scheduler() != client.get:  # a local scheduler chosen over the client
        return None
    return client


def _as_given() -> Any:
    """Keep column types as given: dask would turn text columns into pyarrow strings."""
    from dask import config

    return config.set({"dataframe.convert-string": False})


# --------------------------------------------------------------------------- reading


def _sighting_files(source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[str]:
    """List the files of a folder, a glob pattern, one file or a list (sorted, existing)."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.is_dir():
            files = sorted(
                str(f)
                for f in path.iterdir()
                if f.suffix.lower() in (".csv", ".parquet", ".xlsx") and f.is_file()
            )
        elif path.is_file():
            files = [str(path)]
        else:
            files = sorted(glob.glob(str(source)))
    else:
        files = [str(f) for f in source]
    if not files:
        raise ValidationError(f"{source}: no sightings files found (.csv, .parquet or .xlsx)")
    missing = [f for f in files if not Path(f).is_file()]
    if missing:
        raise ValidationError(f"{missing[0]}: no such file")
    return files


def _references(ds: Dataset) -> tuple[dict[str, set[str]], dict[str, dict[str, Hashable]]]:
    """Collect the accepted ids of people and places, and rows of those the reader rejected."""
    targets = {fk.table: fk.target for fk in TABLES["sightings"].foreign_keys}
    accepted = {table: set(ds.table(table)[key].astype(str)) for table, key in targets.items()}
    rejected: dict[str, dict[str, Hashable]] = {table: {} for table in targets}
    report = ds.report
    for table, key in targets.items():
        frame = report.rejected.get(table) if report is not None else None
        if frame is not None and key in frame:
            for row, value in frame[key].items():
                text = str(value).strip()
                if text and text not in accepted[table]:
                    rejected[table].setdefault(text, row)
    return accepted, rejected


def read_sightings(
    source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    ds: Dataset,
    *,
    strict: bool = True,
) -> tuple[dd.DataFrame, ValidationReport]:
    """Read and validate sightings held in many files, one dask partition per file.

    Each file gets exactly the checks :func:`peermap.read_dataset` gives a sightings
    table (types, codes, dates, references to the people and places of ``ds``,
    repeated rows), on a dask worker; then rows repeated across files are found. Every
    problem names its file and row.

    Parameters
    ----------
    source : folder, glob pattern, path or list of paths
        Sightings files (``.csv``, ``.parquet``, ``.xlsx``), for example one per month.
        A folder is read in file-name order.
    ds : Dataset
        The people and places (and boundaries) the sightings refer to, read with
        :func:`peermap.read_dataset`; its own sightings are not used.
    strict : bool, default True
        Raise on any error. With ``False``, rows with errors are set aside in the
        report, as :func:`peermap.read_dataset` does.

    Returns
    -------
    (dask.dataframe.DataFrame, ValidationReport)
        The accepted sightings, with the columns and types of ``ds.sightings`` plus
        ``source_file``; and the report (``rejected["sightings"]`` has a ``file``
        column).

    Raises
    ------
    PrivacyError
        When a file carries direct identifiers, whatever ``strict`` says.
    ValidationError
        When ``strict`` and any error is found.
    """
    _require()
    import dask.dataframe as dd
    from dask.base import compute, persist
    from dask.delayed import delayed

    from peermap._refusals import privacy_error
    from peermap.validation import error_message, sightings_part

    files = _sighting_files(source)
    accepted, rejected = _references(ds)
    names = {table: ds.meta.get("sources", {}).get(table, table) for table in accepted}
    refs = _shared((accepted, rejected, names, ds.boundaries))

    def part(path: str, refs: Any) -> tuple[pd.DataFrame, ValidationReport, list[Problem]]:
        frame, report, privacy = sightings_part(path, refs[0], refs[1], refs[2], refs[3])
        frame["source_file"] = path
        return frame, report, privacy

    # One pass validates every file and keeps its result on the workers (persist); only
    # the reports and, below, the few rows repeated across files come back.
    parts = persist(*[delayed(part, pure=True)(f, refs) for f in files])
    frames = [delayed(lambda r: r[0], pure=True)(p) for p in parts]
    outcome = compute(*[delayed(lambda r: (r[1], r[2]), pure=True)(p) for p in parts])
    with _as_given():
        table = dd.from_delayed(frames, meta=_sightings_meta(ds), verify_meta=False)
    report, privacy = _merge_reports(files, [r for r, _ in outcome], [q for _, q in outcome])
    if privacy:
        raise privacy_error(privacy)
    table = _cross_file_duplicates(table, report)
    if strict and not report.ok:
        raise ValidationError(
            error_message(report, what="the sightings were", aside="the report returned"),
            report,
        )
    return table.drop(columns="_row"), report


def _sightings_meta(ds: Dataset) -> pd.DataFrame:
    meta = ds.sightings.iloc[:0].copy()
    meta["_row"] = pd.Series([], dtype=np.int64)
    meta["source_file"] = pd.Series([], dtype="str")
    return meta


def _merge_reports(
    files: Sequence[str], reports: Sequence[ValidationReport], privacy: Sequence[list[Problem]]
) -> tuple[ValidationReport, list[Problem]]:
    merged = ValidationReport()
    rejected = []
    counts = {"read": 0, "accepted": 0, "rejected": 0}
    for path, report in zip(files, reports, strict=True):
        merged.problems.extend(report.problems)
        frame = report.rejected.get("sightings")
        if frame is not None and len(frame):
            rejected.append(frame.assign(file=path))
        for key in counts:
            counts[key] += report.counts.get("sightings", {}).get(key, 0)
        for extra in report.extra_columns.get("sightings", []):
            merged.extra_columns.setdefault("sightings", [])
            if extra not in merged.extra_columns["sightings"]:
                merged.extra_columns["sightings"].append(extra)
    merged.rejected["sightings"] = (
        pd.concat(rejected) if rejected else pd.DataFrame(columns=["rejected_because", "file"])
    )
    merged.files["sightings"] = ", ".join(files)
    merged.counts["sightings"] = counts
    return merged, [p for group in privacy for p in group]


def _content_hash(part: pd.DataFrame) -> pd.Series:
    # On the typed values (text, dates, categories of text: equal as text only when
    # equal as values), not their text: casting a million dates to text took longer
    # than hashing them. Equal hashes are compared exactly below.
    content = [c for c in part.columns if c not in ("_row", "source_file")]
    return pd.util.hash_pandas_object(part[content], index=False)


def _cross_file_duplicates(table: dd.DataFrame, report: ValidationReport) -> dd.DataFrame:
    """Reject a sighting given again in a later file, as one file's reader would.

    Within a file the reader has already rejected repeated rows. Across files, rows are
    hashed on their contents on the workers; only repeated hashes come back, their rows
    are compared exactly, and every copy after the first (by file order, then row) is
    rejected as a duplicate of the first.
    """
    if table.npartitions < 2:
        return table  # one file: its reader has rejected its repeated rows
    hashes = table.map_partitions(_content_hash, meta=pd.Series([], dtype=np.uint64))
    counts = hashes.value_counts(split_out=max(1, table.npartitions // 4))
    repeated = set(counts[counts > 1].index.compute())
    if not repeated:
        return table

    def candidates(part: pd.DataFrame) -> pd.DataFrame:
        return part[_content_hash(part).isin(repeated).to_numpy()]

    rows = table.map_partitions(candidates, meta=table._meta).compute()
    order = {f: i for i, f in enumerate(report.files["sightings"].split(", "))}
    rows = rows.assign(_file=rows["source_file"].map(order)).sort_values(
        ["_file", "_row"], kind="stable"
    )
    content = [c for c in rows.columns if c not in ("_row", "source_file", "_file")]
    canon = rows[content].astype(str).apply(tuple, axis=1)
    drop: list[tuple[str, int]] = []
    for _, group in rows.groupby(canon, sort=False):
        first = group.iloc[0]
        for _, row in group.iloc[1:].iterrows():
            report.problems.append(
                Problem(
                    "sightings",
                    int(row["_row"]),
                    None,
                    "",
                    f"duplicate of row {first['_row']} in {first['source_file']}; the first "
                    "copy is kept",
                    str(row["source_file"]),
                    "error",
                    "duplicate_row",
                )
            )
            drop.append((str(row["source_file"]), int(row["_row"])))
    if not drop:
        return table
    dropped = pd.MultiIndex.from_tuples(drop, names=["source_file", "_row"])
    gone = rows.set_index(["source_file", "_row"]).loc[dropped, content].reset_index()
    gone["rejected_because"] = "duplicate of a row in an earlier file"
    gone = gone.rename(columns={"source_file": "file", "_row": "row"}).set_index("row")
    report.rejected["sightings"] = pd.concat([report.rejected["sightings"], gone])
    counts_ = report.counts["sightings"]
    counts_["accepted"] -= len(drop)
    counts_["rejected"] += len(drop)

    def without(part: pd.DataFrame) -> pd.DataFrame:
        keys = pd.MultiIndex.from_arrays([part["source_file"], part["_row"]])
        return part[~keys.isin(dropped)]

    result: dd.DataFrame = table.map_partitions(without, meta=table._meta)
    return result


# --------------------------------------------------------------------------- assignment


def assign_authorities(
    places: gpd.GeoDataFrame | dgpd.GeoDataFrame,
    boundaries: gpd.GeoDataFrame,
    *,
    tolerance_m: float | None = None,
    npartitions: int | None = None,
) -> dgpd.GeoDataFrame:
    """Assign points to authorities on dask: points spatially partitioned, boundaries broadcast.

    Points are sorted along a Hilbert curve into spatially compact partitions (so a
    partition touches few authorities), and every worker gets the boundaries once.
    Each partition is assigned by :func:`peermap.assign_authorities`, so the result
    equals it exactly (compute it and ``sort_index()`` to compare).

    Parameters
    ----------
    places : GeoDataFrame or dask_geopandas.GeoDataFrame
        Points, as for :func:`peermap.assign_authorities`.
    boundaries : geopandas.GeoDataFrame
        Result of :func:`peermap.load_boundaries`.
    tolerance_m : float, optional
        As for :func:`peermap.assign_authorities` (its default when not given).
    npartitions : int, optional
        Partitions for a pandas input (default: :data:`PARTITION_ROWS` points each).

    Returns
    -------
    dask_geopandas.GeoDataFrame
        Lazy; ``.compute()`` gives the in-memory result in Hilbert order.
    """
    _require()

    from peermap.assignment import DEFAULT_TOLERANCE_M
    from peermap.assignment import assign_authorities as assign

    name = places.index.name if isinstance(places, gpd.GeoDataFrame) else places._meta.index.name
    if isinstance(places, gpd.GeoDataFrame):
        # In memory already: sort along the Hilbert curve here, then partition in order.
        places = _partitioned(_keep_index(places).iloc[_hilbert_order(places)], npartitions)
    else:
        # The Hilbert sort replaces the index; carry the original one through in a column.
        places = places.map_partitions(_keep_index, meta=_keep_index(places._meta))
        if places.npartitions > 1:
            places = places.spatial_shuffle(by="hilbert")
    tolerance = DEFAULT_TOLERANCE_M if tolerance_m is None else tolerance_m
    shared = _shared(boundaries)

    def assign_part(part: gpd.GeoDataFrame, bounds: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        out = assign(part, bounds, tolerance_m=tolerance).set_index(_INDEX)
        out.index.name = name
        return out

    meta = assign_part(places._meta, boundaries)
    result: dgpd.GeoDataFrame = places.map_partitions(assign_part, shared, meta=meta)
    return result


_INDEX = "_peermap_index"


def _hilbert_order(frame: gpd.GeoDataFrame) -> npt.NDArray[np.intp]:
    """Positions of ``frame``'s rows along a Hilbert curve (as ``spatial_shuffle``)."""
    geometry = frame.geometry
    if len(frame) == 0 or geometry.is_empty.all() or geometry.isna().all():
        return np.arange(len(frame))
    distance = np.zeros(len(frame), dtype=np.int64)
    usable = ~(geometry.is_empty | geometry.isna()).to_numpy()
    distance[usable] = geometry[usable].hilbert_distance().to_numpy()
    distance[~usable] = np.iinfo(np.int64).max  # places without a location go last
    return np.argsort(distance, kind="stable")


def _keep_index(part: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return part.assign(**{_INDEX: part.index.to_numpy()})


# --------------------------------------------------------------------------- aggregation


class _Codes(NamedTuple):
    """Integer codes for the ids in sightings, so workers group small integers, not text.

    People and places are numbered in dataset order; authorities in sorted order, with
    ``-1`` for none. The lookups go to each worker once (:func:`_shared`).
    """

    people: pd.Index  # person ids; a person's code is its position
    places: pd.Index  # place ids
    authorities: npt.NDArray[np.object_]  # authority codes; -1 (none) is not listed
    home: npt.NDArray[np.int32]  # authority code of each person's home
    place_authority: npt.NDArray[np.int32]  # authority code of each place

    @classmethod
    def of(cls, ds: Dataset, *, authorities: bool = True) -> _Codes:
        people, places = ids(ds)
        if not authorities:
            none = np.zeros(0, dtype=np.int32)
            return cls(people, places, np.zeros(0, dtype=object), none, none)
        home = pd.Series(_lookup.home(ds).to_numpy(dtype=object))
        at = pd.Series(_lookup.place_authority(ds).to_numpy(dtype=object))
        names = pd.Index(sorted(set(home.dropna()) | set(at.dropna())))
        return cls(
            people,
            places,
            names.to_numpy(dtype=object),
            names.get_indexer(pd.Index(home)).astype(np.int32),
            names.get_indexer(pd.Index(at)).astype(np.int32),
        )

    def authority(self, codes: npt.NDArray[np.integer[Any]]) -> npt.NDArray[np.object_]:
        """Turn integer codes into authority codes (``None`` for ``-1``)."""
        known: npt.NDArray[np.object_] = np.append(self.authorities, [None])
        result: npt.NDArray[np.object_] = known[codes]
        return result


def _flow_codes(part: pd.DataFrame, codes: _Codes) -> pd.DataFrame:
    who, where = positions(part, codes.people, codes.places)
    return pd.DataFrame(
        {
            "person": who.astype(np.int32),
            "origin": codes.home[who],
            "destination": codes.place_authority[where],
        },
        index=part.index,
    )


def _incidents_counted(part: pd.DataFrame) -> pd.DataFrame:
    """Count a partition's records per incident (:func:`peermap._kernels.incident_sizes`)."""
    counted = incident_sizes(part).rename("records").reset_index()
    counted["context"] = counted["context"].astype(object)
    return counted


def _hotspot_codes(part: pd.DataFrame, codes: _Codes, sizes: pd.Series | None) -> pd.DataFrame:
    who, where = positions(part, codes.people, codes.places)
    sums = record_sums(part, sizes)
    return pd.DataFrame(
        {
            "person": who.astype(np.int32),
            "place": where.astype(np.int32),
            "context": part["context"].to_numpy(),
            "kind": pd.Index(HARM_KINDS).get_indexer(pd.Index(part["context"].astype(str))),
            "date": part["date"].to_numpy(),
            **{c: sums[c].to_numpy() for c in PAIR_SUMS},
        },
        index=part.index,
    )


def _tied_rows(part: pd.DataFrame, tied: npt.NDArray[np.bool_]) -> pd.DataFrame:
    """Keep the rows of young people marked in ``tied`` (by position)."""
    person = part["person"].to_numpy()
    kept: pd.DataFrame = part.loc[tied[np.maximum(person, 0)] & (person >= 0)]
    return kept


def _missing_rows(part: pd.DataFrame, codes: _Codes, away: npt.NDArray[np.bool_]) -> pd.DataFrame:
    """Give a partition's records of the young people marked in ``away`` (by position)."""
    who, where = positions(part, codes.people, codes.places)
    return missing_visits(who, where, part, away)


def _meta_codes() -> _Codes:
    empty = pd.Index([], dtype=object)
    none = np.zeros(0, dtype=np.int32)
    return _Codes(empty, empty, np.zeros(0, dtype=object), none, none)


def _decoded(counts: pd.Series, codes: _Codes) -> pd.Series:
    """Re-index counts by (origin, destination) authority codes instead of integers."""
    index = pd.MultiIndex.from_arrays(
        [
            codes.authority(counts.index.get_level_values(0).to_numpy()),
            codes.authority(counts.index.get_level_values(1).to_numpy()),
        ]
    )
    return pd.Series(counts.to_numpy(), index=index).sort_index()


def sighting_flows(
    ds: Dataset,
    sightings: dd.DataFrame,
    *,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
) -> pd.DataFrame:
    """Flows of young people from home authority to the authority of places seen at.

    The dask form of ``peermap.flows(ds, kind="sightings")``: the same table exactly.

    Parameters
    ----------
    ds : Dataset
        People (home authority) and places (assigned to authorities).
    sightings : dask.dataframe.DataFrame
        Sightings with the columns of ``ds.sightings`` (e.g. from
        :func:`read_sightings`).
    since, until, min_reliability
        Filters, as in :func:`peermap.flows`.

    Returns
    -------
    pandas.DataFrame
        ``origin``, ``destination``, ``people``, ``events``, ``within``.
    """
    _require()
    from dask.base import compute

    codes = _Codes.of(ds)
    kept = sightings.map_partitions(
        select_sightings, since, until, min_reliability, meta=sightings._meta
    )
    coded = kept.map_partitions(
        _flow_codes, _shared(codes), meta=_flow_codes(sightings._meta, _meta_codes())
    )
    split = max(1, coded.npartitions // 4)
    events = coded.groupby(["origin", "destination"]).size(split_out=split)
    people = (
        coded.drop_duplicates(["person", "destination"], split_out=split)
        .groupby(["origin", "destination"])
        .size(split_out=split)
    )
    events, people = compute(events, people)
    if events.empty:
        return flow_table(pd.Series(dtype=int), pd.Series(dtype=int))
    return flow_table(_decoded(events, codes), _decoded(people, codes))


def hotspots(
    ds: Dataset,
    sightings: dd.DataFrame,
    *,
    since: DateLike = None,
    until: DateLike = None,
    min_reliability: str = "unverified",
    betweenness_sample: int = 32,
    seed: int = 0,
    backend: str | None = None,
) -> gpd.GeoDataFrame:
    """Rank venues as :func:`peermap.hotspots` does, aggregating sightings on dask.

    Distinct person-place pairs, sightings per place and context, and first and last
    dates are aggregated on dask; the ranking and the betweenness (on
    ``backend``, see :mod:`peermap._graph_backends`) run on those in memory. The table
    equals :func:`peermap.hotspots` exactly.

    Parameters
    ----------
    ds : Dataset
        People and places.
    sightings : dask.dataframe.DataFrame
        Sightings with the columns of ``ds.sightings``.
    since, until, min_reliability, betweenness_sample, seed, backend
        As for :func:`peermap.hotspots`.

    Returns
    -------
    geopandas.GeoDataFrame
        The hotspot table.
    """
    _require()
    from dask.base import compute

    _graph_backends.resolve(backend)
    codes = _Codes.of(ds, authorities=False)
    kept = sightings.map_partitions(
        select_sightings, since, until, min_reliability, meta=sightings._meta
    )
    # A record's weight is shared with the other records of its incident, which may lie
    # in other partitions: the incidents are counted first, over all of them.
    split = max(1, kept.npartitions // 4)
    counted = kept.map_partitions(_incidents_counted, meta=_incidents_counted(sightings._meta))
    sizes = counted.groupby(list(INCIDENT_KEY)).records.sum(split_out=split).compute()
    coded = kept.map_partitions(
        _hotspot_codes,
        _shared(codes),
        _shared(sizes),
        meta=_hotspot_codes(sightings._meta, _meta_codes(), None),
    )
    pairs = coded.groupby(["person", "place", "kind"]).agg(
        {c: "sum" for c in PAIR_SUMS}, split_out=split
    )
    by_context = coded.groupby(["place", "context"], observed=True).size(split_out=split)
    first = coded.groupby("place")["date"].min(split_out=split)
    last = coded.groupby("place")["date"].max(split_out=split)
    # Where and when the young people in exploiter ties are seen (few rows).
    tied = exploiter_people(ds)
    visits = coded[["person", "place", "date"]].map_partitions(
        _tied_rows, tied, meta=coded[["person", "place", "date"]]._meta
    )
    # Who has a missing episode in the selection (few rows), for their records after.
    away_kind = HARM_KINDS.index("missing_episode")
    away_who = coded["person"][coded["kind"] == away_kind].unique()
    pairs, by_context, first, last, visits, away_who = compute(
        pairs, by_context, first, last, visits, away_who
    )
    away = np.zeros(len(codes.people), dtype=bool)
    away[away_who.to_numpy(dtype=np.intp)] = True
    meta = _missing_rows(sightings._meta, _meta_codes(), away)
    missing = kept.map_partitions(_missing_rows, _shared(codes), away, meta=meta).compute()
    ties = filter_ties(ds, since=since, until=until, min_reliability=min_reliability)
    if by_context.empty:
        return hotspot_table(
            ds, hotspot_parts(ds, ds.sightings.iloc[:0]), ties, betweenness_sample, seed, backend
        )
    place_ids = codes.places.to_numpy()
    by_context.index = pd.MultiIndex.from_arrays(
        [place_ids[by_context.index.get_level_values(0)], by_context.index.get_level_values(1)],
        names=["place_id", "context"],
    )
    for series in (first, last):
        series.index = pd.Index(place_ids[series.index.to_numpy()], name="place_id")
    pairs = pairs.reset_index().rename(columns={"kind": "context"})
    pairs = pairs.sort_values(["person", "place", "context"], kind="stable")
    parts = HotspotParts(
        pairs.reset_index(drop=True)[["person", "place", "context", *PAIR_SUMS]],
        by_context.unstack(fill_value=0),
        first,
        last,
        visit_frame(
            visits["person"].to_numpy(dtype=np.intp),
            visits["place"].to_numpy(dtype=np.intp),
            visits["date"].to_numpy(),
        ),
        missing.reset_index(drop=True),
    )
    return hotspot_table(ds, parts, ties, betweenness_sample, seed, backend)
