"""Merge several authorities' datasets into one, keeping who reported what.

Neighbouring authorities each hold part of the picture. :func:`merge` unions their
datasets (for example read with :func:`peermap.read_package`) so that nothing is lost
and nothing is counted twice:

- every record carries a ``provenance``: the GSS codes of every authority that
  reported it, sorted and joined with ``;`` (``"E09000007;E09000019"``);
- **people** are keyed by ``person_id`` and **places** by ``place_id``: one row
  each, whoever reported them. When reporters disagree about an attribute (two home
  authorities, two ages), one value is kept by a fixed rule and every disagreement
  is reported in ``ds.meta["conflicts"]`` and as a warning in ``ds.report``; nothing
  is silently overwritten;
- **ties**, **sightings** and **relocations** are the same record when every schema
  column is equal (a tie between A and B is the tie between B and A, except an
  ``exploiter`` tie, whose ``person_a`` is the exploiter): one row, with the
  provenances united.

Merging is order-independent, idempotent and can be done in stages:
``merge([a, b])`` equals ``merge([b, a])``, ``merge([a, a])`` equals ``a``, and
``merge([merge([a, b]), c])`` equals ``merge([a, b, c])`` (conflicts included), where
datasets are compared by :func:`datasets_equal` (equal tables after a canonical sort).
Staged merging works because a merged dataset keeps, in ``meta["merge_reports"]``,
every report of the people and places that more than one report describes (the rows
as each authority gave them, with their provenance); a later merge resolves those
people and places again from the reports, so that the majority rule counts every
authority once and no authority is credited with a value it did not report. It first
checks that the reports still give the rows the dataset holds (a row edited after
merging is refused). A package keeps only the merged rows: a row of a merged package
read back from a file, reported by several authorities, can be merged again only where
no report disagrees with it, and is refused otherwise.

The kept value of a disputed attribute is the value reported by the most
authorities; among values reported by equally many, the greatest (the higher age,
``True`` over ``False`` for ``looked_after`` -- the safeguarding-cautious reading --
and the later code or text in Unicode order). A place's four coordinates are one
attribute (``location``), so a kept location is always one authority's whole
location. Missing values never conflict: a value reported by one authority fills
another's blank.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from peermap import settings
from peermap._problems import Problem
from peermap.boundaries import Boundaries
from peermap.dataset import Dataset
from peermap.exceptions import ArgumentError, ValidationError
from peermap.merge_links import LINKED_IDS, LinksLike, link_people
from peermap.privacy.identifiers import shown_value
from peermap.schema import SCHEMA_VERSION, TABLE_ORDER, TABLES, cast_column, check_readable

__all__ = [
    "DIRECTED_TIE_KINDS",
    "PROVENANCE",
    "PROVENANCE_SEPARATOR",
    "REPORTS",
    "canonical_tables",
    "datasets_equal",
    "differences",
    "merge",
    "normalise_provenance",
    "with_provenance",
]

#: Name of the column listing the authorities that reported a record.
PROVENANCE = "provenance"
#: Separator of the authority codes in a provenance value.
PROVENANCE_SEPARATOR = ";"
#: Tie kinds whose direction matters: ``person_a`` is the exploiter.
DIRECTED_TIE_KINDS: tuple[str, ...] = ("exploiter",)
#: Key of ``Dataset.meta`` where :func:`merge` keeps the reports it resolved: for
#: ``people`` and ``places``, every row given for an id that more than one row
#: described, with its provenance.
REPORTS = "merge_reports"

_GSS = re.compile(r"^[A-Z][0-9]{8}$")
_MISSING_KEY = "\x00"
_FIELD_SEP = "\x1f"

#: Attributes compared (and disputed) together, per keyed table.
_ATTRIBUTES: dict[str, tuple[tuple[str, ...], ...]] = {
    "people": (("home_authority",), ("age",), ("sex",), ("looked_after",)),
    "places": (("kind",), ("lon", "lat", "easting", "northing"), ("label",), ("platform",)),
}


# --------------------------------------------------------------------------- provenance


def _check_code(code: str, what: str) -> str:
    text = code.strip().upper()
    if not _GSS.match(text):
        raise ValidationError(
            f"{what} '{shown_value(code)}' is not an authority code: a GSS code is a letter "
            "and 8 digits, "
            "such as E09000007"
        )
    return text


def normalise_provenance(value: object, *, what: str = "provenance") -> str:
    """Return a provenance value in canonical form: unique codes, sorted, ``;``-joined.

    Parameters
    ----------
    value : str or iterable of str
        ``"E09000019; e09000007"`` or ``["E09000019", "E09000007"]``.
    what : str, default "provenance"
        How to name the value in an error message.

    Returns
    -------
    str
        ``"E09000007;E09000019"``.

    Raises
    ------
    ValidationError
        When a part is not shaped like a GSS code, or there is none.
    """
    parts: Iterable[object]
    if isinstance(value, str):
        parts = value.split(PROVENANCE_SEPARATOR)
    elif isinstance(value, Iterable):
        parts = value
    else:
        raise ValidationError(
            f"{what} '{shown_value(str(value))}' is not a list of authority codes"
        )
    codes = {_check_code(str(p), f"{what}: authority") for p in parts if str(p).strip()}
    if not codes:
        raise ValidationError(f"{what} is empty: it must name at least one authority")
    return PROVENANCE_SEPARATOR.join(sorted(codes))


def _normalised_column(values: pd.Series, fill: str | None, table: str) -> pd.Series:
    """Normalise a provenance column, filling missing cells with ``fill``."""
    cache: dict[str, str] = {}
    out: list[str] = []
    for i, value in enumerate(values.to_numpy(dtype=object)):
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            if fill is None:
                raise ValidationError(
                    f"{table} row {i + 1} has no provenance and no producer is known: read the "
                    "dataset with peermap.read_package, or pass producers= to merge"
                )
            value = fill
        text = str(value)
        if text not in cache:
            cache[text] = normalise_provenance(text, what=f"{table} provenance")
        out.append(cache[text])
    return pd.Series(out, index=values.index, dtype="str")


def with_provenance(ds: Dataset, authority: str | None = None) -> Dataset:
    """Return the dataset with a ``provenance`` column on every table.

    Parameters
    ----------
    ds : Dataset
        The dataset (not modified).
    authority : str, optional
        GSS code of the authority that reported the records: fills every missing
        provenance. Default ``ds.meta["producer"]`` when set.

    Returns
    -------
    Dataset
        The same records, every provenance in canonical form.

    Raises
    ------
    ValidationError
        When a record has no provenance and no authority is known, or a provenance
        is not a list of authority codes.
    """
    if authority is None:
        producer = ds.meta.get("producer")
        authority = str(producer) if producer else None
    fill = None if authority is None else _check_code(authority, "authority")
    changes: dict[str, pd.DataFrame] = {}
    for name in TABLE_ORDER:
        frame = ds.table(name)
        values = (
            frame[PROVENANCE]
            if PROVENANCE in frame
            else pd.Series(None, index=frame.index, dtype=object)
        )
        out = frame.copy()
        out[PROVENANCE] = _normalised_column(values, fill, name)
        changes[name] = out
    return ds.replace(**changes)


# --------------------------------------------------------------------------- canonical


def _undirected(ties: pd.DataFrame) -> pd.Series:
    return ~ties["kind"].isin(DIRECTED_TIE_KINDS)


def _oriented(ties: pd.DataFrame) -> pd.DataFrame:
    """Ties with the smaller id as ``person_a`` (undirected kinds only)."""
    out = ties.copy()
    a, b = out["person_a"], out["person_b"]
    swap = (_undirected(out) & (a > b)).to_numpy(dtype=bool)
    if swap.any():
        a_values = a.to_numpy(dtype=object).copy()
        b_values = b.to_numpy(dtype=object).copy()
        a_values[swap], b_values[swap] = b_values[swap], a_values[swap]
        out["person_a"] = pd.Series(a_values, index=out.index, dtype="str")
        out["person_b"] = pd.Series(b_values, index=out.index, dtype="str")
    return out


def canonical_tables(ds: Dataset, *, provenance: bool = True) -> dict[str, pd.DataFrame]:
    """Return the dataset's tables in canonical form, for comparison.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    provenance : bool, default True
        Keep the ``provenance`` column (when the dataset has one).

    Returns
    -------
    dict of str to pandas.DataFrame
        For each of the five tables: the schema columns (and ``provenance``) only,
        with the dtypes :func:`peermap.read_dataset` gives, undirected ties written
        with the smaller id first, rows sorted by every column, index ``0..n-1``.
        Extra and derived columns (authority assignment, geometry) are left out.
    """
    out: dict[str, pd.DataFrame] = {}
    for name in TABLE_ORDER:
        spec = TABLES[name]
        frame = ds.table(name)
        columns = list(spec.names)
        data: dict[str, pd.Series] = {}
        for col in spec.columns:
            values = frame[col.name] if col.name in frame else pd.Series(None, index=frame.index)
            data[col.name] = cast_column(values, col.dtype)
        if provenance and PROVENANCE in frame:
            data[PROVENANCE] = _normalised_column(frame[PROVENANCE], None, name)
            columns.append(PROVENANCE)
        table = pd.DataFrame(data, index=frame.index)
        if name == "ties":
            table = _oriented(table)
        out[name] = table.sort_values(columns, na_position="last", kind="mergesort").reset_index(
            drop=True
        )
    return out


def _row_texts(frame: pd.DataFrame) -> pd.Series:
    """One text per row naming every value (missing as NUL): a key for grouping."""
    parts: list[pd.Series] = []
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            text = column.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_float_dtype(column):
            text = column.map(repr, na_action="ignore")
        else:
            text = column.astype(object).where(column.notna(), None).map(str, na_action="ignore")
        parts.append(text.astype(object).where(column.notna(), _MISSING_KEY).astype(str))
    if not parts:
        return pd.Series("", index=frame.index, dtype=str)
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + _FIELD_SEP + part
    return joined


def differences(a: Dataset, b: Dataset, *, provenance: bool = True, limit: int = 5) -> list[str]:
    """Describe how two datasets differ, table by table (empty when they are equal).

    Parameters
    ----------
    a, b : Dataset
        The datasets.
    provenance : bool, default True
        Compare provenance too.
    limit : int, default 5
        Rows to show per table and side.

    Returns
    -------
    list of str
        One line per difference: columns, row counts, and rows found on one side only.
    """
    left, right = (
        canonical_tables(a, provenance=provenance),
        canonical_tables(b, provenance=provenance),
    )
    lines: list[str] = []
    for name in TABLE_ORDER:
        x, y = left[name], right[name]
        if list(x.columns) != list(y.columns):
            lines.append(f"{name}: columns differ: {list(x.columns)} vs {list(y.columns)}")
            continue
        if x.equals(y):
            continue
        kx, ky = _row_texts(x), _row_texts(y)
        only_x = x[~kx.isin(set(ky))]
        only_y = y[~ky.isin(set(kx))]
        lines.append(
            f"{name}: {len(x)} vs {len(y)} rows; {len(only_x)} only in the first, "
            f"{len(only_y)} only in the second"
        )
        for label, rows in (("first", only_x), ("second", only_y)):
            for record in rows.head(limit).to_dict("records"):
                lines.append(f"  only in the {label}: {record}")
        if only_x.empty and only_y.empty:
            lines.append("  the same rows, repeated a different number of times")
    return lines


def datasets_equal(a: Dataset, b: Dataset, *, provenance: bool = True) -> bool:
    """Whether two datasets hold the same records (see :func:`canonical_tables`).

    Parameters
    ----------
    a, b : Dataset
        The datasets.
    provenance : bool, default True
        Compare provenance too.

    Returns
    -------
    bool
        True when every table is equal after the canonical sort.
    """
    left, right = (
        canonical_tables(a, provenance=provenance),
        canonical_tables(b, provenance=provenance),
    )
    return all(left[name].equals(right[name]) for name in TABLE_ORDER)


# --------------------------------------------------------------------------- merging


def _scalar(value: Any) -> Any:
    """Return a plain Python value, or None when missing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _order_key(value: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((v is not None, "" if v is None else v) for v in value)


def _union(values: Iterable[str]) -> set[str]:
    codes: set[str] = set()
    for value in values:
        codes.update(value.split(PROVENANCE_SEPARATOR))
    return codes


def _join(codes: Iterable[str]) -> str:
    return PROVENANCE_SEPARATOR.join(sorted(codes))


def _merge_keyed(
    frame: pd.DataFrame, table: str, key: str
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """One row per key; disputed attributes resolved by the documented rule."""
    groups = _ATTRIBUTES[table]
    repeated = frame[key].duplicated(keep=False).to_numpy(dtype=bool)
    single = frame[~repeated]
    multi = frame[repeated]
    # Plain arrays and a dict of row positions: a pandas groupby per key is far slower.
    columns = {c: multi[c].to_numpy(dtype=object) for c in multi.columns}
    provs = [str(p) for p in columns[PROVENANCE]]
    positions: dict[Any, list[int]] = {}
    for i, ident in enumerate(columns[key]):
        positions.setdefault(ident, []).append(i)
    rows: list[dict[str, Any]] = []
    conflicts: list[dict[str, Any]] = []
    for ident in sorted(positions):
        where = positions[ident]
        row: dict[str, Any] = {key: ident, PROVENANCE: _join(_union(provs[i] for i in where))}
        for cols in groups:
            tally: dict[tuple[Any, ...], set[str]] = {}
            merged_before: list[str] = []
            for i in where:
                value = tuple(_scalar(columns[c][i]) for c in cols)
                if all(v is None for v in value):
                    continue
                tally.setdefault(value, set()).update(provs[i].split(PROVENANCE_SEPARATOR))
                if PROVENANCE_SEPARATOR in provs[i]:
                    merged_before.append(provs[i])
            if not tally:
                kept: tuple[Any, ...] = (None,) * len(cols)
            elif len(tally) == 1:
                kept = next(iter(tally))
            else:
                column = cols[0] if len(cols) == 1 else "location"
                if merged_before:
                    raise ValidationError(_unknown_reports(table, ident, column, merged_before[0]))
                kept = max(tally, key=lambda v: (len(tally[v]), _order_key(v)))
                for value, reporters in tally.items():
                    conflicts.append(
                        {
                            "table": table,
                            "id": str(ident),
                            "column": column,
                            "value": _describe(value),
                            PROVENANCE: _join(reporters),
                            "kept": value == kept,
                        }
                    )
            row.update(zip(cols, kept, strict=True))
        rows.append(row)
    merged = pd.concat([single, pd.DataFrame(rows, columns=list(frame.columns))], ignore_index=True)
    return merged, conflicts


def _unknown_reports(table: str, ident: object, column: str, reporters: str) -> str:
    thing = "person" if table == "people" else "place"
    return (
        f"cannot merge {thing} {ident}: one dataset holds it as reported by {reporters} "
        f"together, from an earlier merge whose record of each authority's report is not "
        f"available (a package read from a file holds only the merged row), and another "
        f"report gives a different {column}. Which of {reporters} reported which {column} is "
        "not known, so the disagreement cannot be counted. Merge the authorities' own "
        "packages together in one merge instead."
    )


def _cast(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Return the schema columns and provenance of a table, with the schema's dtypes."""
    spec = TABLES[table]
    columns = [*spec.names, PROVENANCE]
    return pd.DataFrame(
        {c: cast_column(frame[c], spec[c].dtype if c in spec else "str") for c in columns}
    )


def _reported(part: pd.DataFrame, ds: Dataset, table: str, position: int) -> pd.DataFrame:
    """Return a keyed table with each row an earlier merge resolved replaced by its reports.

    Rows whose reports the dataset keeps (``meta[REPORTS]``) are first resolved again
    from them: a row that no longer matches (edited after merging) is refused.
    """
    stored = ds.meta.get(REPORTS)
    reports = None if not isinstance(stored, Mapping) else stored.get(table)
    if reports is None or not len(reports):
        return part
    key = TABLES[table].key[0]
    present = part[key].isin(set(reports[key].tolist())).to_numpy(dtype=bool)
    if not present.any():
        return part
    current = _cast(part[present], table)
    kept = reports[reports[key].isin(set(current[key].tolist())).to_numpy(dtype=bool)]
    resolved, _ = _merge_keyed(_cast(kept, table), table, key)
    resolved = _cast(resolved, table)
    now, then = _row_texts(current), _row_texts(resolved)
    changed = current[~now.isin(set(then)).to_numpy(dtype=bool)]
    if len(changed) or len(current) != len(resolved):
        ident = changed[key].iloc[0] if len(changed) else current[key].iloc[0]
        thing = "person" if table == "people" else "place"
        raise ValidationError(
            f"dataset {position + 1} of the merge is an earlier merge whose {thing} {ident} "
            "was changed after merging: its row no longer matches what the authorities "
            f"reported ({table} rows kept in meta[{REPORTS!r}]), so it cannot be merged again "
            "without crediting them with values they did not report. Merge the authorities' "
            "own datasets again, or merge the dataset as merge returned it."
        )
    return pd.concat([_cast(part[~present], table), _cast(kept, table)], ignore_index=True)


def _shared_reports(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Return the distinct rows given for the ids that more than one distinct row describes."""
    rows = frame[frame[key].duplicated(keep=False).to_numpy(dtype=bool)]
    distinct = rows[~_row_texts(rows).duplicated().to_numpy(dtype=bool)]
    shared = distinct[key].duplicated(keep=False).to_numpy(dtype=bool)
    return distinct[shared].reset_index(drop=True)


def _describe(value: tuple[Any, ...]) -> str:
    parts = []
    for v in value:
        if isinstance(v, pd.Timestamp):
            parts.append(v.strftime("%Y-%m-%d"))
        elif isinstance(v, bool):
            parts.append("true" if v else "false")
        else:
            parts.append(str(v))
    return ", ".join(parts)


def _united(keys: pd.Series, provenance: pd.Series) -> dict[str, str]:
    """Provenance of each record key: the union over its rows."""
    codes: dict[str, set[str]] = {}
    for k, value in zip(keys.tolist(), provenance.tolist(), strict=True):
        codes.setdefault(k, set()).update(str(value).split(PROVENANCE_SEPARATOR))
    return {k: _join(v) for k, v in codes.items()}


def _merge_records(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """One row per distinct record (all schema columns equal), provenances united."""
    if frame.empty:
        return frame
    keys = _row_texts(frame[columns])
    united = _united(keys, frame[PROVENANCE])
    first = ~keys.duplicated(keep="first").to_numpy(dtype=bool)
    out = frame[first].copy()
    out[PROVENANCE] = [united[k] for k in keys[first]]
    return out


def _merge_ties(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Ties: (a, b) and (b, a) are one tie unless the kind is directed."""
    if frame.empty:
        return frame
    oriented = _oriented(frame)
    keys = _row_texts(oriented[columns])
    # A tie reported in both directions is written with the smaller id first; a tie
    # reported one way only keeps its direction.
    directions = frame.groupby(keys.to_numpy(), sort=False)["person_a"].transform("nunique")
    both = (directions > 1).to_numpy(dtype=bool)
    chosen = frame.copy()
    chosen.loc[both, ["person_a", "person_b"]] = oriented.loc[both, ["person_a", "person_b"]]
    united = _united(keys, frame[PROVENANCE])
    first = ~keys.duplicated(keep="first").to_numpy(dtype=bool)
    out = chosen[first].copy()
    out[PROVENANCE] = [united[k] for k in keys[first]]
    return out


def _merge_boundaries(items: Sequence[Boundaries]) -> Boundaries | None:
    """Union boundaries by code; the same code must have the same geometry and name."""
    if not items:
        return None
    vintages = {b.vintage for b in items}
    if len(vintages) > 1:
        raise ValidationError(
            "the datasets were read against boundaries of different vintages ("
            + ", ".join(sorted(str(v) for v in vintages))
            + "): authority codes may not mean the same areas; pass boundaries= to merge"
        )
    by_code: dict[str, tuple[str, bytes, Any]] = {}
    for item in items:
        b = item.frame
        wkb = shapely.to_wkb(np.asarray(b.geometry.values), byte_order=1, output_dimension=2)
        for code, name, blob, geom in zip(b["code"], b["name"], wkb, b.geometry, strict=True):
            seen = by_code.get(code)
            if seen is None:
                by_code[code] = (name, blob, geom)
            elif seen[0] != name or seen[1] != blob:
                raise ValidationError(
                    f"the datasets' boundaries disagree about authority {code}: pass "
                    "boundaries= to merge"
                )
    codes = sorted(by_code)
    out = gpd.GeoDataFrame(
        {"code": codes, "name": [by_code[c][0] for c in codes]},
        geometry=[by_code[c][2] for c in codes],
        crs=settings.metric_crs,
    )

    def joined(values: Iterable[str | None]) -> str | None:
        distinct = sorted({v for v in values if v is not None})
        return "; ".join(distinct) if distinct else None

    return Boundaries(
        out,
        source=joined(b.source for b in items),
        vintage=items[0].vintage,
        attribution=joined(b.attribution for b in items),
        fictional=all(b.fictional for b in items),
    )


def _producer(ds: Dataset, given: str | None) -> str | None:
    if given is not None:
        return given
    producer = ds.meta.get("producer")
    return str(producer) if producer else None


def _sole_reporter(ds: Dataset) -> str | None:
    """Return the one authority every record of a dataset names as its reporter, if any."""
    codes = _union(value for name in TABLE_ORDER for value in ds.table(name)[PROVENANCE])
    return codes.pop() if len(codes) == 1 else None


def merge(
    datasets: Iterable[Dataset],
    *,
    producers: Sequence[str | None] | None = None,
    boundaries: Boundaries | gpd.GeoDataFrame | None = None,
    links: LinksLike | None = None,
) -> Dataset:
    """Union several authorities' datasets, keeping who reported every record.

    Parameters
    ----------
    datasets : iterable of Dataset
        The datasets, for example from :func:`peermap.read_package` (which records the
        producer). Every record needs a provenance: a ``provenance`` column, or the
        dataset's producer (``ds.meta["producer"]`` or ``producers``).
    producers : sequence of str or None, optional
        GSS code of the authority that produced each dataset, in the same order; None
        entries fall back to ``ds.meta["producer"]``.
    boundaries : Boundaries or GeoDataFrame, optional
        Boundaries for the merged dataset; default the union of the datasets'
        boundaries (which must agree).
    links : DataFrame or path of a CSV file, optional
        Which people of different datasets are one young person held under different
        local ids: the output of :func:`peermap.link_identities` (two datasets: ``id_a``
        of the first, ``id_b`` of the second; only rows whose ``match`` is true) or of
        :func:`peermap.cluster_identities` (``partner`` is a dataset's producer). Linked
        people become one, under the smallest of their ids; ``meta["linked_ids"]``
        records which partner's ``local_id`` each unified ``person_id`` came from
        (:mod:`peermap.merge_links`).

    Returns
    -------
    Dataset
        One row per young person and per place, one per distinct tie, sighting and
        relocation, each with its ``provenance``; validated like
        :func:`peermap.read_dataset` and sorted canonically. ``meta["conflicts"]``
        lists every disputed attribute (``table``, ``id``, ``column``, ``value``,
        ``provenance``, ``kept``), also reported as warnings (rule
        ``merge_conflict``) in ``ds.report``; ``meta["producers"]`` lists every
        authority in any provenance. Extra columns are not merged.

    Raises
    ------
    ValidationError
        When datasets come from different partnership keys (their pseudonyms would not
        link), have another schema version, lack a provenance, or have boundaries that
        disagree; when the union is not a valid dataset; or when ``links`` names an id
        that is not a person of its dataset (naming the file, row, column and id).
    """
    items = list(datasets)
    if not items:
        raise ArgumentError("merge needs at least one dataset")
    for i, ds in enumerate(items):
        if not isinstance(ds, Dataset):
            raise ArgumentError(f"merge takes peermap Datasets; item {i} is {type(ds).__name__}")
    if producers is not None and len(producers) != len(items):
        raise ArgumentError(f"{len(producers)} producers given for {len(items)} datasets")
    fingerprints = sorted(
        {str(ds.meta["key_fingerprint"]) for ds in items if ds.meta.get("key_fingerprint")}
    )
    if len(fingerprints) > 1:
        raise ValidationError(
            "the datasets were pseudonymised with different partnership keys (key "
            f"fingerprints {', '.join(fingerprints)}): the same young person has different "
            "pseudonyms in each, so they would not link. Re-pseudonymise with one key."
        )
    for ds in items:
        # Versions are additive (1.1 adds online places): a dataset of any version this
        # peermap reads merges; a newer one is refused by the one version gate.
        check_readable(str(ds.meta.get("schema_version", SCHEMA_VERSION)), what="a dataset")
    tagged = [
        with_provenance(ds, _producer(ds, None if producers is None else producers[i]))
        for i, ds in enumerate(items)
    ]
    linked: pd.DataFrame | None = None
    if links is not None:
        names = [
            _producer(ds, None if producers is None else producers[i]) or _sole_reporter(t)
            for i, (ds, t) in enumerate(zip(items, tagged, strict=True))
        ]
        if any(name is None for name in names):
            raise ValidationError(
                "merging through links needs each dataset's producer: read the dataset "
                "with peermap.read_package, or pass producers= to merge"
            )
        tagged, linked = link_people(tagged, [str(n).strip().upper() for n in names], links)
    if boundaries is None:
        boundaries = _merge_boundaries([ds.region for ds in tagged if ds.region is not None])

    tables: dict[str, pd.DataFrame] = {}
    conflicts: list[dict[str, Any]] = []
    reports: dict[str, pd.DataFrame] = {}
    for name in TABLE_ORDER:
        spec = TABLES[name]
        columns = [*spec.names, PROVENANCE]
        parts = [pd.DataFrame(ds.table(name))[columns] for ds in tagged]
        if spec.key:
            parts = [
                _reported(part, ds, name, i)
                for i, (part, ds) in enumerate(zip(parts, tagged, strict=True))
            ]
        frame = _cast(pd.concat(parts, ignore_index=True), name)
        if spec.key:
            reports[name] = _shared_reports(frame, spec.key[0])
            frame, found = _merge_keyed(frame, name, spec.key[0])
            conflicts.extend(found)
        elif name == "ties":
            frame = _merge_ties(frame, list(spec.names))
        else:
            frame = _merge_records(frame, list(spec.names))
        frame = _cast(frame, name)
        sort_frame = _oriented(frame) if name == "ties" else frame
        order = sort_frame.sort_values(columns, na_position="last", kind="mergesort").index
        tables[name] = frame.loc[order].reset_index(drop=True)

    merged = _validated(tables, boundaries)
    report = merged.report
    conflict_frame = pd.DataFrame(
        conflicts, columns=["table", "id", "column", "value", PROVENANCE, "kept"]
    )
    if len(conflict_frame):
        conflict_frame = conflict_frame.sort_values(
            ["table", "id", "column", "value"], kind="mergesort"
        ).reset_index(drop=True)
    for record in conflict_frame.to_dict("records"):
        verb = "kept" if record["kept"] else "not kept"
        report.problems.append(
            Problem(
                str(record["table"]),
                None,
                str(record["column"]),
                shown_value(str(record["value"])),
                f"{record['table']} {shown_value(str(record['id']))}: {record['column']} "
                f"reported as {shown_value(str(record['value']))} by {record[PROVENANCE]} "
                f"({verb}); the reporters disagree",
                "merge",
                "warning",
                "merge_conflict",
            )
        )
    codes = sorted(
        _union(value for name in TABLE_ORDER for value in merged.table(name)[PROVENANCE].tolist())
    )
    meta: dict[str, Any] = dict(merged.meta)
    meta.update(
        {
            "sources": {name: "merge" for name in TABLE_ORDER},
            "producers": codes,
            "merged_from": len(items),
            "conflicts": conflict_frame,
            REPORTS: reports,
        }
    )
    if fingerprints:
        meta["key_fingerprint"] = fingerprints[0]
    if linked is not None:
        meta[LINKED_IDS] = linked
    return merged.replace(meta=meta, report=report)


def _validated(
    tables: Mapping[str, pd.DataFrame], boundaries: Boundaries | gpd.GeoDataFrame | None
) -> Dataset:
    """Validate merged tables like read_dataset and put the provenance back."""
    from peermap.validation import read_dataset

    frames = {name: frame.drop(columns=[PROVENANCE]) for name, frame in tables.items()}
    try:
        ds = read_dataset(frames, boundaries=boundaries, strict=True)
    except ValidationError as exc:
        raise type(exc)(f"the merged dataset is not valid:\n{exc}", exc.report) from None
    changes: dict[str, pd.DataFrame] = {}
    for name in TABLE_ORDER:
        frame = ds.table(name).copy()
        provenance = tables[name][PROVENANCE]
        if len(frame) != len(provenance):  # pragma: no cover - strict reading keeps every row
            raise AssertionError(f"{name}: {len(frame)} rows validated of {len(provenance)}")
        frame[PROVENANCE] = provenance.to_numpy()
        frame[PROVENANCE] = frame[PROVENANCE].astype("str")
        changes[name] = frame
    return ds.replace(**changes)
