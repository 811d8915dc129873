"""Read and validate datasets of record schema v1; nothing is lost.

:func:`read_dataset` returns a :class:`~peermap.dataset.Dataset`; :func:`validate`
returns a :class:`ValidationReport` without building one. Every problem names the
file, the row as the user sees it, the column, the value and what was expected.

With ``strict=True`` (the default) any error raises :class:`~peermap.ValidationError`.
With ``strict=False`` rows with errors are set aside: the dataset holds the good rows
and ``ds.report`` holds every problem and every rejected row verbatim. Rows that
depend on a rejected person or place (their ties, sightings, relocations) are
rejected too, and reported as such. Identifying data is refused in both modes.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import warnings
from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa

from peermap import settings
from peermap._arrow_memory import returning_memory
from peermap._distinct import forget, text_codes
from peermap._id_checks import referenced_ids, references, similar_ids, unique_key
from peermap._io import RawTable, TableSource, padded_rows, read_raw, show_bytes
from peermap._parsing import Checker, ParsedTable, parse_table, places_frame, typed_frame
from peermap._problems import Problem, ValidationReport
from peermap._refusals import identifier_problems, privacy_error, withhold_refused
from peermap._sources import locate_tables, unread_files
from peermap.dataset import Dataset
from peermap.exceptions import ArgumentError, PeermapWarning, ValidationError
from peermap.place_rules import check_online_places
from peermap.privacy.identifiers import IdentifierMemo, redact_frame, shown_value
from peermap.schema import (
    DERIVED,
    REFERENCED,
    SCHEMA_VERSION,
    TABLE_ORDER,
    TABLES,
)

if TYPE_CHECKING:
    from peermap.boundaries import Boundaries

__all__ = ["Problem", "ValidationReport", "read_dataset", "validate"]

Source: TypeAlias = "str | os.PathLike[str] | Mapping[str, TableSource]"
BoundariesLike: TypeAlias = "Boundaries | gpd.GeoDataFrame | str | os.PathLike[str] | None"


def _check_people(p: ParsedTable) -> None:
    age = p.columns["age"]
    cells = p.check.raw.frame["age"]
    valid = age.notna()
    a = age.where(valid, 0).astype(int)
    p.check.flag(
        valid & ((a < 0) | (a > 25)),
        "age",
        cells,
        "age outside 0-25: peermap is for young people aged 10-18",
        "age_range",
    )
    p.check.flag(
        valid & (a >= 0) & (a <= 25) & ((a < 10) | (a > 18)),
        "age",
        cells,
        "age outside 10-18, the age range of peer-on-peer abuse work; kept",
        "age_unusual",
        "warning",
    )


@functools.lru_cache(maxsize=1)
def _transformers() -> tuple[Any, Any]:
    from pyproj import Transformer

    to_bng = Transformer.from_crs(settings.map_crs, settings.metric_crs, always_xy=True)
    to_wgs = Transformer.from_crs(settings.metric_crs, settings.map_crs, always_xy=True)
    return to_bng, to_wgs


def _check_places(p: ParsedTable) -> None:
    cols, check, frame = p.columns, p.check, p.check.raw.frame
    nan = pd.Series(np.nan, index=frame.index, dtype=float)

    def num(name: str) -> pd.Series:
        return pd.to_numeric(cols.get(name, nan), errors="coerce").astype(float)

    def filled(name: str) -> pd.Series:
        if name not in frame:
            return pd.Series(False, index=frame.index)
        return frame[name].astype(str).str.strip() != ""

    online = check_online_places(p)  # online places need no location (schema 1.1)
    lon, lat, east, north = num("lon"), num("lat"), num("easting"), num("northing")
    ll_given = filled("lon") | filled("lat")
    en_given = filled("easting") | filled("northing")
    for a, b, given in (("lon", "lat", ll_given), ("easting", "northing", en_given)):
        if a in frame and b in frame:
            half = given & (filled(a) != filled(b))
            lacking = pd.Series(np.where(filled(a), b, a), index=frame.index)
            for row in half[half].index:
                check.add([row], lacking[row], [""], f"'{a}' and '{b}' go together", "location")
    check.flag(
        ~ll_given & ~en_given & ~online,
        None,
        pd.Series("", index=frame.index),
        "no location: give lon and lat (WGS84) or easting and northing (British National Grid)",
        "location",
    )
    x0, y0, x1, y1 = settings.gb_bounds_wgs84
    ll_ok = lon.between(x0, x1) & lat.between(y0, y1)
    ll_swapped = lat.between(x0, x1) & lon.between(y0, y1)
    both_ll = lon.notna() & lat.notna()
    ll_text = frame.get("lon", nan).astype(str) + ", " + frame.get("lat", nan).astype(str)
    check.flag(
        both_ll & ~ll_ok & ll_swapped,
        "lon",
        ll_text,
        "lon and lat look swapped (longitude in Great Britain is about -8 to 2)",
        "location_range",
    )
    check.flag(
        both_ll & ~ll_ok & ~ll_swapped,
        "lon",
        ll_text,
        "lon/lat lie far outside Great Britain (expected WGS84 degrees)",
        "location_range",
    )
    ex0, ey0, ex1, ey1 = settings.gb_bounds_bng
    # A pair that fits in +-180/+-90 is degrees typed into the grid columns: as metres it
    # would lie in the Atlantic within 200 m of the grid's false origin.
    en_degrees = east.between(-180, 180) & north.between(-90, 90)
    en_ok = east.between(ex0, ex1) & north.between(ey0, ey1) & ~en_degrees
    both_en = east.notna() & north.notna()
    en_text = frame.get("easting", nan).astype(str) + ", " + frame.get("northing", nan).astype(str)
    check.flag(
        both_en & ~en_ok & en_degrees,
        "easting",
        en_text,
        "easting/northing look like degrees: put longitude/latitude in 'lon' and 'lat'",
        "location_range",
    )
    check.flag(
        both_en & ~en_ok & ~en_degrees,
        "easting",
        en_text,
        "easting/northing lie far outside Great Britain (expected British National Grid metres)",
        "location_range",
    )
    to_bng, to_wgs = _transformers()
    use_ll = both_ll & ll_ok
    use_en = both_en & en_ok
    if use_ll.any():
        ex, ny = to_bng.transform(lon[use_ll].to_numpy(), lat[use_ll].to_numpy())
        conv_e = pd.Series(ex, index=lon[use_ll].index)
        conv_n = pd.Series(ny, index=lon[use_ll].index)
        both = use_ll & use_en
        if both.any():
            gap = pd.Series(
                np.hypot(conv_e[both] - east[both], conv_n[both] - north[both]),
                index=conv_e[both].index,
            )
            far = pd.Series(False, index=frame.index)
            far.loc[gap.index] = gap > 1000.0
            check.flag(
                far,
                "easting",
                en_text,
                "lon/lat and easting/northing disagree by more than 1 km; give one pair",
                "location_conflict",
            )
        east = east.where(~use_ll | use_en, conv_e.reindex(frame.index))
        north = north.where(~use_ll | use_en, conv_n.reindex(frame.index))
    if use_en.any():
        x, y = to_wgs.transform(east[use_en].to_numpy(), north[use_en].to_numpy())
        lon = lon.where(
            ~use_en | use_ll, pd.Series(x, index=east[use_en].index).reindex(frame.index)
        )
        lat = lat.where(
            ~use_en | use_ll, pd.Series(y, index=east[use_en].index).reindex(frame.index)
        )
    cols["lon"], cols["lat"], cols["easting"], cols["northing"] = lon, lat, east, north


def _check_grid_swapped(p: ParsedTable, boundaries: gpd.GeoDataFrame | None) -> None:
    """Flag an easting/northing pair that lies in no authority but would, swapped.

    Both orders of a pair usually lie inside Great Britain's box, so only the
    boundaries tell them apart: a place given by its grid reference that lies beyond
    the tolerance of every authority, while the swapped pair lies within it, is an
    error (``location_range``).
    """
    frame = p.check.raw.frame
    if boundaries is None or not len(boundaries) or not {"easting", "northing"} <= set(frame):
        return
    from peermap.assignment import DEFAULT_TOLERANCE_M

    east, north = p.columns["easting"], p.columns["northing"]
    given = (frame["easting"].astype(str).str.strip() != "") & (
        frame["northing"].astype(str).str.strip() != ""
    )
    rows = given & east.notna() & north.notna() & ~frame.index.isin(list(p.check.bad))
    if not rows.any():
        return
    e = east[rows].to_numpy(dtype=float)
    n = north[rows].to_numpy(dtype=float)
    tree = boundaries.sindex

    def near(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        points = gpd.points_from_xy(x, y, crs=boundaries.crs)
        hit = tree.query(points, predicate="dwithin", distance=DEFAULT_TOLERANCE_M)[0]
        out = np.zeros(len(x), dtype=bool)
        out[hit] = True
        return out

    swapped = ~near(e, n) & near(n, e)
    mask = pd.Series(False, index=frame.index)
    mask.loc[rows[rows].index[swapped]] = True
    text = frame["easting"].astype(str) + ", " + frame["northing"].astype(str)
    p.check.flag(
        mask,
        "easting",
        text,
        "easting and northing look swapped: as given the place lies outside every "
        "authority in the boundaries, swapped it lies inside one",
        "location_range",
    )


def _check_dates_order(p: ParsedTable, first: str, last: str) -> None:
    a, b = p.columns.get(first), p.columns.get(last)
    if a is None or b is None:
        return
    both = (a.notna() & b.notna()).to_numpy(dtype=bool)
    later = np.zeros(len(a), dtype=bool)
    later[both] = a.to_numpy(dtype=object)[both] > b.to_numpy(dtype=object)[both]
    order = pd.Series(later, index=a.index, dtype=bool)
    p.check.flag(
        order,
        last,
        p.check.raw.frame[last].astype(str),
        f"'{last}' is before '{first}'",
        "date_order",
    )


def _exact_duplicates(p: ParsedTable) -> None:
    """Reject rows identical (after normalisation) to an earlier good row.

    A tie given in both orientations (``a``-``b`` and ``b``-``a``, same kind, dates,
    source and reliability) is the same tie; exploiter ties are directed.
    """
    check = p.check
    if not p.usable or p.check.raw.frame.empty:
        return
    columns = dict(p.columns)
    if p.check.spec.name == "ties" and {"person_a", "person_b", "kind"} <= set(columns):
        # Ties are undirected except exploiter ties: a-b and b-a are the same tie.
        a, b = columns["person_a"].astype(str), columns["person_b"].astype(str)
        swap = (columns["kind"].astype(str) != "exploiter") & (a > b)
        columns["person_a"], columns["person_b"] = a.where(~swap, b), b.where(~swap, a)
    for extra in p.extras:
        columns[extra] = check.raw.frame[extra].astype(str).str.strip()
    # Rows compare by the text of their values, as integer codes of it: one code per
    # row for all its values, folded in column by column (kept below the row count).
    rows = check.raw.frame.index
    ok = ~rows.isin(list(check.bad))
    key = np.zeros(int(ok.sum()), dtype=np.int64)
    bound = 1  # key < bound
    every = bool(ok.all())
    for values in columns.values():
        codes = text_codes(values)
        codes = codes.astype(np.int64) if every else codes[ok].astype(np.int64)
        codes += 1  # 0: missing
        base = int(codes.max(initial=0)) + 1
        if bound * base >= 2**62:  # renumber the key before it could overflow
            key, uniques = pd.factorize(key)
            bound = max(len(uniques), 1)
        key *= base
        key += codes
        bound *= base
        del codes
    # Equal keys side by side (a stable sort: the first row of each run is the first
    # copy); a sort holds a third of what a hash table of a million keys does.
    order = np.argsort(key, kind="stable")
    key = key[order]
    same = np.flatnonzero(key[1:] == key[:-1]) + 1  # sorted positions of later copies
    if len(same) == 0:
        return
    runs = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))  # run starts
    del key
    first_of = order[runs[np.searchsorted(runs, same, side="right") - 1]]
    copies = order[same]
    by_row = np.argsort(copies, kind="stable")
    kept_rows = rows[ok]
    for row, first_row in zip(kept_rows[copies[by_row]], kept_rows[first_of[by_row]], strict=True):
        check.add(
            [row],
            None,
            [""],
            f"duplicate of row {first_row}; the first copy is kept",
            "duplicate_row",
        )


def _resolve_authorities(p: ParsedTable, boundaries: gpd.GeoDataFrame | None) -> None:
    if boundaries is None:
        return
    from peermap.assignment import resolve_authorities

    for spec in p.check.spec.columns:
        if spec.type != "authority" or spec.name not in p.columns:
            continue
        values = p.columns[spec.name]
        present = values.notna()
        if not present.any():
            continue
        resolved = resolve_authorities(values[present], boundaries)
        unknown = resolved["code"].isna()
        raw = p.check.raw.frame[spec.name].astype(str)
        base = "not an authority in the boundaries (matched by GSS code or name)"
        for row in unknown[unknown].index:
            hint = resolved.at[row, "suggestion"]
            text = f"{base}; {hint}" if isinstance(hint, str) and hint else base
            # The suggestion quotes the value as typed: Checker.add withholds it there
            # as the value column does (a name or a phone number typed as an authority).
            p.check.add([row], spec.name, [raw[row]], text, "unknown_authority")
        codes = values.copy()
        codes[present] = resolved["code"]
        p.columns[spec.name] = codes


def _self_and_same(p: ParsedTable) -> None:
    table = p.check.spec.name
    frame = p.check.raw.frame
    if table == "ties" and {"person_a", "person_b"} <= set(p.columns):
        a, b = p.columns["person_a"], p.columns["person_b"]
        p.check.flag(
            a.notna() & (a == b),
            "person_b",
            frame["person_b"].astype(str),
            "a young person cannot have a tie with themselves",
            "self_tie",
        )
    if table == "relocations" and {"from_authority", "to_authority"} <= set(p.columns):
        a, b = p.columns["from_authority"], p.columns["to_authority"]
        p.check.flag(
            a.notna() & (a == b),
            "to_authority",
            frame["to_authority"].astype(str),
            "a relocation must move between two different authorities",
            "same_authority",
        )


# --------------------------------------------------------------------------- driver


def _load_boundaries(boundaries: BoundariesLike) -> Boundaries | None:
    if boundaries is None:
        return None
    from peermap.boundaries import Boundaries

    return Boundaries.of(boundaries)


def _dataset_tables(ds: Dataset) -> dict[str, TableSource]:
    """Return the tables of a Dataset as plain frames, for validating it again."""
    tables: dict[str, TableSource] = {}
    for name in TABLE_ORDER:
        frame = pd.DataFrame(ds.table(name))
        tables[name] = frame.drop(columns=list(DERIVED.get(name, ())), errors="ignore")
    return tables


def _check_table(
    name: str,
    p: ParsedTable,
    boundaries: gpd.GeoDataFrame | None,
    accepted_ids: Mapping[str, set[str]],
    rejected_ids: Mapping[str, Mapping[str, Hashable]],
    files: Mapping[str, str],
) -> None:
    """Run every check of one table (references against the tables read before it)."""
    if p.usable:
        if name == "people":
            _check_people(p)
        if name == "places":
            _check_places(p)
            _check_grid_swapped(p, boundaries)
        if name == "ties":
            _check_dates_order(p, "first_seen", "last_seen")
        _self_and_same(p)
        _resolve_authorities(p, boundaries)
        for fk in TABLES[name].foreign_keys:
            references(
                p,
                fk.column,
                accepted_ids[fk.table],
                rejected_ids[fk.table],
                TABLES[fk.table].noun,
                files[fk.table],
            )
        _exact_duplicates(p)
        unique_key(p)
        similar_ids(p)


def sightings_part(
    source: TableSource,
    accepted_ids: Mapping[str, set[str]],
    rejected_ids: Mapping[str, Mapping[str, Hashable]],
    files: Mapping[str, str],
    boundaries: gpd.GeoDataFrame | None,
) -> tuple[pd.DataFrame, ValidationReport, list[Problem]]:
    """Read and check one file of sightings against people and places read before.

    The same checks as :func:`read_dataset` runs on its sightings table; the dask
    engine runs this on each file. Returns the accepted rows (typed, with their row
    numbers in ``_row``), the report for this file, and any identifier problems.
    """
    raw = read_raw(source, "sightings")
    privacy = identifier_problems(raw, "sightings")
    p = parse_table(raw, TABLES["sightings"])
    _check_table("sightings", p, boundaries, accepted_ids, rejected_ids, files)
    index = raw.frame.index
    keep = index[~index.isin(list(p.check.bad))]
    report = _report({"sightings": p}, {"sightings": keep})
    report.problems = withhold_refused(report.problems, privacy)
    frame = typed_frame(p, keep)
    if keep.dtype.kind in "iu":  # row numbers: one array, not a Python int per row
        frame["_row"] = keep.to_numpy(np.int64)
    else:
        frame["_row"] = [int(r) if isinstance(r, int | np.integer) else -1 for r in keep]
    return frame, report, privacy


def _run(
    source: Source | Dataset,
    boundaries: gpd.GeoDataFrame | None,
    *,
    frames: dict[str, pd.DataFrame] | None = None,
) -> tuple[dict[str, ParsedTable], dict[str, pd.Index], list[Problem], ValidationReport]:
    """Read, scan, parse and check each table in turn.

    A table is done with before the next is read: its identifiers scanned, its rows
    checked, its part of the report written and, when ``frames`` is given, its typed
    frame built there; then its cells are let go (but for places, whose ids name the
    rows of places outside the boundaries), so a read holds one table's text at a time.
    """
    if isinstance(source, Dataset):
        source = _dataset_tables(source)
    located = locate_tables(source)
    privacy: list[Problem] = []
    # Each distinct value judged once in this read: a person's id is in five columns.
    memo = IdentifierMemo()
    parsed: dict[str, ParsedTable] = {}
    keeps: dict[str, pd.Index] = {}
    accepted_ids: dict[str, set[str]] = {}
    rejected_ids: dict[str, dict[str, Hashable]] = {}
    files: dict[str, str] = {}
    report = ValidationReport(problems=unread_files(source, located))
    for name in TABLE_ORDER:
        if name not in located:
            continue
        src, sheet = located[name]
        raw = read_raw(src, name, sheet=sheet)
        files[name] = raw.file
        privacy.extend(identifier_problems(raw, name, memo))
        p = parse_table(raw, TABLES[name])
        parsed[name] = p
        _check_table(name, p, boundaries, accepted_ids, rejected_ids, files)
        index = raw.frame.index
        keep = index[~index.isin(list(p.check.bad))]
        keeps[name] = keep
        if name in REFERENCED:
            referenced_ids(name, p, raw, keep, accepted_ids, rejected_ids)
        _report_table(report, name, p, keep)
        if name != "places":
            if frames is not None:
                frames[name] = typed_frame(p, keep)
                for column in frames[name].columns:  # the read's codes stay with the read
                    forget(frames[name][column])
            # Its typed frame is built (or not wanted): the text and parsed columns go.
            p.columns = {}
            p.check.raw = dataclasses.replace(raw, frame=raw.frame.iloc[:0].copy(deep=True))
        del raw, p
        pa.default_memory_pool().release_unused()  # its text, back to the system
    del memo
    report.problems = withhold_refused(report.problems, privacy)
    return parsed, keeps, privacy, report


def _report(parsed: dict[str, ParsedTable], keeps: dict[str, pd.Index]) -> ValidationReport:
    report = ValidationReport()
    for name, p in parsed.items():
        _report_table(report, name, p, keeps[name])
    return report


def _report_table(report: ValidationReport, name: str, p: ParsedTable, keep: pd.Index) -> None:
    """Add one table's problems, rows set aside and counts to `report`."""
    raw = p.check.raw
    report.problems.extend(
        sorted(p.check.problems, key=lambda q: (q.row is not None, _row_key(q.row)))
    )
    report.files[name] = raw.file
    bad_index = raw.frame.index[~raw.frame.index.isin(keep)]
    verbatim = raw.frame.loc[bad_index]
    # A cell a problem showed withheld is withheld here too (a name typed as an
    # authority), though the identifier scan reads its column otherwise.
    for (row, column), shown in p.check.withheld.items():
        if row in verbatim.index and column in verbatim.columns:
            verbatim.loc[row, column] = shown
    # Each column named as messages name it ("column N" for a header that is an
    # identifier, by its position in the file).
    verbatim = verbatim.rename(columns={c: p.check.header(c) for c in raw.headers})
    width = max((len(v) for v in raw.bad_rows.values()), default=0)
    block = padded_rows(list(raw.bad_rows.values()), width)
    extra_rows = pd.DataFrame(block, index=pd.Index(list(raw.bad_rows)), dtype=object)
    if len(extra_rows):
        # Each cell under the header of its position; one under a blank or repeated
        # header, or beyond the last, as "column N" (as the identifier scan names it).
        headed = {i: p.check.header(name) for name, i in raw.positions.items()}
        extra_rows.columns = [headed.get(i, f"column {i + 1}") for i in range(extra_rows.shape[1])]
        verbatim = pd.concat([verbatim, extra_rows])
        verbatim = verbatim.loc[sorted(verbatim.index, key=_row_key)]
    # Rows set aside are written out verbatim, except the identifiers in them (with no
    # row, nothing to scan: each column's scan costs ~1 ms, a wide table's seconds).
    verbatim = verbatim.astype(object).fillna("")  # .copy(): its blocks consolidated
    verbatim = redact_frame(verbatim, table=name) if len(verbatim) else verbatim.copy()
    if raw.bad_rows:  # undecodable bytes written out as \xNN escapes
        shown = np.frompyfunc(show_bytes, 1, 1)(verbatim.to_numpy(dtype=object))
        verbatim = pd.DataFrame(shown, index=verbatim.index, columns=verbatim.columns, dtype=object)
    verbatim["rejected_because"] = ["; ".join(p.check.reasons.get(r, [])) for r in verbatim.index]
    verbatim.index.name = "row"
    report.rejected[name] = verbatim
    n_read = len(raw.frame) + len(raw.bad_rows)
    report.counts[name] = {
        "read": n_read,
        "accepted": len(keep),
        "rejected": len(verbatim),
    }
    if p.extras:
        report.extra_columns[name] = [p.check.header(e) for e in p.extras]


def _row_key(row: Hashable | None) -> tuple[int, Any]:
    if row is None:
        return (0, 0)
    if isinstance(row, int | np.integer):
        return (1, int(row))
    return (2, str(row))


def validate(source: Source | Dataset, *, boundaries: BoundariesLike = None) -> ValidationReport:
    """Check a dataset against record schema v1 without building it.

    Parameters
    ----------
    source : path, mapping or Dataset
        A folder of table files, an ``.xlsx`` workbook with one sheet per table, a
        mapping of table name (``people``, ``places``, ``ties``, ``sightings``,
        ``relocations``) to a ``.csv``/``.xlsx``/``.parquet`` path or a frame, or a
        :class:`~peermap.Dataset` to check again (its own boundaries are used).
    boundaries : Boundaries, GeoDataFrame or path, optional
        Authority boundaries; when given, authority references must resolve to them.

    Returns
    -------
    ValidationReport
        Every problem found (identifying values appear as ``[withheld: ...]``), and the
        rows that :func:`read_dataset` with ``strict=False`` would set aside.

    Raises
    ------
    ValidationError
        Only when the input cannot be read at all (no such file, missing tables).
    """
    if boundaries is None and isinstance(source, Dataset):
        boundaries = source.region
    region = _load_boundaries(boundaries)
    parsed, keeps, privacy, report = _run(source, None if region is None else region.frame)
    report.problems[:0] = privacy
    if region is not None and not privacy and "places" in parsed:
        # Where the places lie, as read_dataset reports it: a place outside every
        # authority is a warning of the dataset, not only of the map.
        places = places_frame(parsed["places"], keeps["places"])
        if len(places):
            _assign_places(places, parsed, region.frame, report)
    return report


def _assign_places(
    places: gpd.GeoDataFrame,
    parsed: dict[str, ParsedTable],
    bounds: gpd.GeoDataFrame,
    report: ValidationReport,
) -> gpd.GeoDataFrame:
    """Assign places to authorities; report each place outside them all as a warning."""
    from peermap.assignment import assign_authorities

    with warnings.catch_warnings():
        # Places outside every authority are reported below as problems of the
        # dataset, with their rows; the function's own warning would say it twice.
        warnings.simplefilter("ignore", PeermapWarning)
        places = assign_authorities(places, bounds)
    outside = places["assignment"] == "outside"
    for pid in places.loc[outside, "place_id"]:
        report.problems.append(
            Problem(
                "places",
                _place_row(parsed["places"], str(pid)),
                "place_id",
                shown_value(str(pid), table="places", column="place_id"),
                "place lies outside every authority in the boundaries (beyond the "
                "tolerance); kept, with no authority",
                report.files.get("places", ""),
                "warning",
                "outside_boundaries",
            )
        )
    return places


def read_dataset(
    source: Source, *, boundaries: BoundariesLike = None, strict: bool = True
) -> Dataset:
    """Read and validate a dataset of record schema v1.

    Parameters
    ----------
    source : path or mapping
        A folder holding ``people``, ``places`` and optionally ``ties``,
        ``sightings`` and ``relocations`` (each ``.csv``, ``.xlsx`` or ``.parquet``);
        an ``.xlsx`` workbook with one sheet per table; or a mapping of table name to
        a path or a frame.
    boundaries : Boundaries, GeoDataFrame or path, optional
        Authority boundaries (see :func:`peermap.load_boundaries`). When given, every
        authority reference is resolved to a GSS code and places are assigned to the
        authority they lie in.
    strict : bool, default True
        Raise on any error. With ``False``, rows with errors (and the rows that depend
        on them) are set aside in ``ds.report`` and the rest is returned.

    Returns
    -------
    Dataset
        The validated tables.

    Raises
    ------
    PrivacyError
        When the input carries direct identifiers, whatever ``strict`` says.
    ValidationError
        When ``strict`` and any error is found; the message lists the first problems
        and the total, and ``err.report`` holds them all.
    """
    if not isinstance(strict, bool):
        raise ArgumentError(f"strict={strict!r}; expected True or False")
    with returning_memory():
        return _read_dataset(source, boundaries=boundaries, strict=strict)


def _read_dataset(source: Source, *, boundaries: BoundariesLike, strict: bool) -> Dataset:
    region = _load_boundaries(boundaries)
    bounds = None if region is None else region.frame
    # Each table's typed frame is built as soon as it is checked, and its text let go.
    built: dict[str, pd.DataFrame] = {}
    parsed, keeps, privacy, report = _run(source, bounds, frames=built)
    if privacy:
        raise privacy_error(privacy)
    if strict and not report.ok:
        raise ValidationError(error_message(report), report)
    tables: dict[str, pd.DataFrame] = {}
    for name in TABLE_ORDER:
        spec = TABLES[name]
        if name in built:
            tables[name] = built.pop(name)
        elif name == "places" and name in parsed:
            tables[name] = places_frame(parsed[name], keeps[name])
        else:
            empty = ParsedTable(
                Checker(RawTable(name, "", pd.DataFrame(), {}), spec), {}, [], usable=False
            )
            tables[name] = (
                places_frame(empty, pd.Index([]))
                if name == "places"
                else typed_frame(empty, pd.Index([]))
            )
            report.counts[name] = {"read": 0, "accepted": 0, "rejected": 0}
    places = cast(gpd.GeoDataFrame, tables["places"])
    if bounds is not None:
        places = _assign_places(places, parsed, bounds, report)
    meta = {
        "schema_version": SCHEMA_VERSION,
        "sources": dict(report.files),
        "extra_columns": {k: list(v) for k, v in report.extra_columns.items()},
        "crs": settings.metric_crs,
        "strict": strict,
    }
    if region is not None:
        meta["boundaries"] = region.attrs
    return Dataset(
        people=tables["people"],
        places=places,
        ties=tables["ties"],
        sightings=tables["sightings"],
        relocations=tables["relocations"],
        boundaries=bounds,
        meta=meta,
        report=report,
        region=region,
    )


def _place_row(p: ParsedTable, place_id: str) -> Hashable | None:
    ids = p.columns.get("place_id")
    if ids is None:
        return None
    hit = ids[ids == place_id]
    return hit.index[0] if len(hit) else None


def error_message(
    report: ValidationReport, *, what: str = "the dataset was", aside: str = "ds.report"
) -> str:
    """Say in one paragraph why reading failed: the first errors, where to find the rest."""
    errors = report.errors
    limit = settings.max_problems_in_message
    head = [str(p) for p in errors[:limit]]
    more = len(errors) - len(head)
    lines = [f"{len(errors)} problem(s) found; {what} not read:"]
    lines += [f"  {h}" for h in head]
    if more:
        lines.append(f"  ... and {more} more (see err.report)")
    lines.append(f"Fix these, or read with strict=False to set the bad rows aside in {aside}.")
    return "\n".join(lines)
