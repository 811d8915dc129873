"""Exchange packages between partner authorities, and exports for GIS and network tools.

A **package** is one GeoPackage file (OGC GeoPackage 1.2, a SQLite database) that
opens in QGIS, ArcGIS and GDAL's ``ogrinfo``. :func:`write_package` writes one and
:func:`read_package` reads it back, validated like :func:`peermap.read_dataset`, with
its integrity checked against the partnership key. ``docs/exchange-format.md``
specifies the format completely, so that another tool can write or check one; in short:

- layers ``people``, ``places`` (points), ``ties``, ``sightings``, ``relocations``,
  ``authorities`` (polygons) and ``metadata`` (key/value text); an aggregate package
  holds ``flows``, ``authorities`` and ``metadata`` only;
- only schema columns are written, plus ``provenance`` (the GSS codes of the
  authorities that reported each record, sorted, ``;``-joined); free text
  (``places.label``) and extra columns only when allowlisted by name;
- ``metadata`` records the schema version, producer, creation time, data period,
  audience, the partnership key's public fingerprint (never the key), the boundary
  vintage and attribution, the rows per layer, a SHA-256 digest of the content and an
  HMAC-SHA256 over it with a key derived from the partnership key;
- the digest and MAC cover a canonical serialisation of every layer (rows sorted, so
  row order does not matter) and of the metadata, so a changed, added or deleted row,
  a metadata edit, or a truncated file is detected.

Exports: :func:`to_graphml` and :func:`to_gexf` (Gephi, igraph, Cytoscape) and
:func:`to_geojson` (one RFC 7946 file per layer). Every file is written atomically: an
interrupted write leaves the old file or none, never half a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import math
import os
import re
import sqlite3
import struct
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
import pyogrio.errors
import shapely
from pyproj import CRS

from peermap import settings
from peermap._io import atomic_path
from peermap.dataset import Dataset
from peermap.disclosure import (
    PACKAGE_AUDIENCES,
    Audience,
    PackageAudience,
    SuppressionRule,
    suppress,
)
from peermap.exceptions import IntegrityError, KeyMaterialError, ValidationError
from peermap.merging import (
    PROVENANCE,
    differences,
    normalise_provenance,
    with_provenance,
)
from peermap.networks import data_period
from peermap.privacy import KeyLike, PartnershipKey, load_key
from peermap.schema import SCHEMA_VERSION, TABLE_ORDER, TABLES

__all__ = [
    "AGGREGATE_COUNTS",
    "AUDIENCES",
    "CANONICAL_HEADER",
    "FORMAT",
    "GEOMETRY_COLUMN",
    "MAC_LABEL",
    "METADATA_KEYS",
    "AggregatePackage",
    "aggregate_tables",
    "canonical_form",
    "package_metadata",
    "read_aggregate",
    "read_package",
    "to_csv",
    "to_geojson",
    "to_gexf",
    "to_graphml",
    "write_package",
]

#: Who a package is for: record level within the partnership, or aggregate beyond it
#: (see :class:`peermap.disclosure.Audience`).
AUDIENCES: tuple[str, ...] = PACKAGE_AUDIENCES
#: Value of the ``format`` metadata key of every package.
FORMAT = "peermap-package"
#: Label from which the MAC key is derived: ``HMAC-SHA256(partnership key, MAC_LABEL)``.
MAC_LABEL = b"peermap package mac v1"
#: First line of the canonical serialisation.
CANONICAL_HEADER = "peermap package canonical v1"
#: Geometry column of the spatial layers.
GEOMETRY_COLUMN = "geom"
#: GeoPackage version written (the most widely read: QGIS, ArcGIS, GDAL >= 2.2).
GPKG_VERSION = "1.2"

_GSS = re.compile(r"^[A-Z][0-9]{8}$")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_GPKG_APPLICATION_ID = b"GPKG"
_NULL = "\\N"

Kind = Literal["text", "int", "float", "bool", "date"]
_KIND_OF_SCHEMA: dict[str, Kind] = {
    "id": "text",
    "authority": "text",
    "enum": "text",
    "text": "text",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "date": "date",
}
_ARROW_TYPE: dict[str, pa.DataType] = {
    "text": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
}
#: GeoPackage column type of each kind (as GDAL reports it).
_OGR_TYPES: dict[str, tuple[tuple[str, str], ...]] = {
    "text": (("OFTString", "OFSTNone"),),
    "int": (("OFTInteger64", "OFSTNone"), ("OFTInteger", "OFSTNone")),
    "float": (("OFTReal", "OFSTNone"),),
    "bool": (("OFTInteger", "OFSTBoolean"),),
    "date": (("OFTDate", "OFSTNone"),),
}
_SQL_TYPE = {"text": "TEXT", "int": "INTEGER", "float": "REAL", "bool": "BOOLEAN", "date": "DATE"}


# --------------------------------------------------------------------------- layouts


@dataclass(frozen=True)
class _Layer:
    """One layer of a package: its columns (name, kind) and geometry type."""

    name: str
    columns: tuple[tuple[str, Kind], ...]
    geometry: str | None = None
    description: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.columns)

    def with_extras(self, extras: Sequence[str]) -> _Layer:
        added: tuple[tuple[str, Kind], ...] = tuple((e, "text") for e in sorted(extras))
        return _Layer(self.name, self.columns + added, self.geometry, self.description)


def _schema_columns(table: str) -> tuple[tuple[str, Kind], ...]:
    return tuple((c.name, _KIND_OF_SCHEMA[c.type]) for c in TABLES[table].columns)


_PLACE_DERIVED: tuple[tuple[str, Kind], ...] = (
    ("authority_code", "text"),
    ("authority_name", "text"),
    ("assignment", "text"),
)
#: Columns of the places layer that peermap derives (recomputed on reading).
_DERIVED_NAMES: tuple[str, ...] = tuple(c for c, _ in _PLACE_DERIVED)
_PROV: tuple[tuple[str, Kind], ...] = ((PROVENANCE, "text"),)

_DESCRIPTIONS = {
    "people": "Young people (pseudonymised), peermap record schema v1",
    "places": "Places of concern, British National Grid points, peermap record schema v1",
    "ties": "Associations between young people, peermap record schema v1",
    "sightings": "Young people seen at or linked to places, peermap record schema v1",
    "relocations": "Moves of young people between authorities, peermap record schema v1",
    "authorities": "Local authority boundaries the records were assigned against",
    "flows": "Authority-level flows with small-count suppression",
    "metadata": "peermap package metadata (key/value)",
}


def _partnership_layout() -> dict[str, _Layer]:
    layers: dict[str, _Layer] = {}
    for name in TABLE_ORDER:
        columns = _schema_columns(name)
        if name == "places":
            columns = columns + _PLACE_DERIVED
        layers[name] = _Layer(
            name,
            columns + _PROV,
            "Point" if name == "places" else None,
            _DESCRIPTIONS[name],
        )
    layers["authorities"] = _Layer(
        "authorities",
        (("code", "text"), ("name", "text")),
        "MultiPolygon",
        _DESCRIPTIONS["authorities"],
    )
    return layers


def _counted(*names: str) -> tuple[tuple[str, Kind], ...]:
    out: list[tuple[str, Kind]] = []
    for n in names:
        out += [(n, "int"), (f"{n}_shown", "text")]
    return tuple(out)


#: Count columns of the aggregate authorities layer.
AGGREGATE_COUNTS: tuple[str, ...] = (
    "people",
    "people_seen",
    "sightings",
    "ties",
    "relocations_in",
    "relocations_out",
)


def _aggregate_layout() -> dict[str, _Layer]:
    return {
        "flows": _Layer(
            "flows",
            (
                ("kind", "text"),
                ("origin", "text"),
                ("destination", "text"),
                ("within", "bool"),
                *_counted("people", "events"),
            ),
            None,
            _DESCRIPTIONS["flows"],
        ),
        "authorities": _Layer(
            "authorities",
            (("code", "text"), ("name", "text"), *_counted(*AGGREGATE_COUNTS)),
            "MultiPolygon",
            "Authority-level counts with small-count suppression",
        ),
    }


_METADATA = _Layer(
    "metadata", (("key", "text"), ("value", "text")), None, _DESCRIPTIONS["metadata"]
)

#: Layouts by schema version (older versions keep theirs, for reading and upgrading).
_LAYOUTS: dict[str, dict[str, Callable[[], dict[str, _Layer]]]] = {
    "1": {"partnership": _partnership_layout, "aggregate": _aggregate_layout},
}

#: Upgraders from one schema version to the next, keyed by the older version. Each takes
#: the loaded package (already verified as written) and returns it in the next
#: version's layout. Version 1 is the first: there is nothing to upgrade yet.
_UPGRADES: dict[str, Callable[[_Loaded], _Loaded]] = {}

#: Metadata keys every package carries (values are text; ``""`` when not applicable).
METADATA_KEYS: tuple[str, ...] = (
    "format",
    "schema_version",
    "audience",
    "producer",
    "producer_name",
    "created",
    "period_start",
    "period_end",
    "key_fingerprint",
    "boundary_vintage",
    "boundary_attribution",
    "boundary_source",
    "boundary_fictional",
    "extra_columns",
    "withheld_columns",
    "suppression",
    "peermap_version",
    "content_sha256",
    "mac",
)
_UNSIGNED = ("content_sha256", "mac")


# --------------------------------------------------------------------------- arrow


def _arrow_column(values: pd.Series | None, kind: Kind, n: int) -> pa.Array:
    """One column as an Arrow array of the layer's type (missing as null)."""
    typ = _ARROW_TYPE[kind]
    if values is None:
        return pa.nulls(n, type=typ)
    if kind == "text":
        return pa.array(values.astype("str"), from_pandas=True, type=typ)
    if kind == "int":
        return pa.array(values.astype("Int64"), type=typ)
    if kind == "float":
        return pa.array(values.astype(float), from_pandas=True, type=typ)
    if kind == "bool":
        return pa.array(values.astype("boolean"), type=typ)
    stamps = pd.to_datetime(values).astype("datetime64[ns]")
    return pa.array(stamps, from_pandas=True).cast(typ)


def _wkb(geoms: Any) -> list[bytes | None]:
    """ISO WKB, little-endian, 2D (the canonical geometry encoding)."""
    arr = np.asarray(geoms, dtype=object)
    out = shapely.to_wkb(arr, byte_order=1, output_dimension=2, flavor="iso")
    return [None if b is None else bytes(b) for b in out]


def _table(layer: _Layer, frame: pd.DataFrame, geometry: Any = None) -> pa.Table:
    n = len(frame)
    arrays = [_arrow_column(frame.get(name, None), kind, n) for name, kind in layer.columns]
    names = list(layer.names)
    if layer.geometry is not None:
        arrays.append(pa.array(_wkb(geometry) if n else [], type=pa.binary()))
        names.append(GEOMETRY_COLUMN)
    return pa.Table.from_arrays(arrays, names=names)


# --------------------------------------------------------------------------- canonical form


def _escape(values: pa.Array) -> pa.Array:
    out = pc.replace_substring(values, "\\", "\\\\")
    for raw, escaped in (("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        out = pc.replace_substring(out, raw, escaped)
    return out


def _escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _encode(column: pa.ChunkedArray | pa.Array, kind: str) -> pa.Array:
    r"""Encode every value of one column canonically (missing as ``\N``)."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if kind == "text":
        text = _escape(arr.cast(pa.string()))
    elif kind in ("int", "bool", "date"):
        text = arr.cast(pa.string())
    elif kind == "float":
        values = arr.cast(pa.float64()).to_pylist()
        text = pa.array(
            [None if v is None else struct.pack(">d", v).hex() for v in values], type=pa.string()
        )
    elif kind == "geometry":
        blobs = arr.to_pylist()
        geoms = shapely.from_wkb([b for b in blobs if b is not None])
        hexes = iter(
            shapely.to_wkb(geoms, hex=True, byte_order=1, output_dimension=2, flavor="iso")
        )
        text = pa.array(
            [None if b is None else str(next(hexes)).lower() for b in blobs], type=pa.string()
        )
    else:  # pragma: no cover - layouts only use the kinds above
        raise AssertionError(kind)
    return pc.fill_null(text, _NULL)


def _canonical(meta: Mapping[str, str], layers: Sequence[tuple[_Layer, pa.Table]]) -> bytes:
    """Serialise a package canonically: what the digest and the MAC cover (see the doc)."""
    lines = [CANONICAL_HEADER]
    for key in sorted(meta):
        if key not in _UNSIGNED:
            lines.append(f"meta\t{_escape_text(key)}\t{_escape_text(meta[key])}")
    for layer, table in layers:
        columns = list(layer.columns)
        kinds: list[tuple[str, str]] = [(n, k) for n, k in columns]
        if layer.geometry is not None:
            kinds.append((GEOMETRY_COLUMN, "geometry"))
        lines.append(f"layer\t{_escape_text(layer.name)}\t{table.num_rows}")
        lines.append("columns\t" + "\t".join(_escape_text(n) for n, _ in kinds))
        if table.num_rows:
            encoded = [_encode(table.column(n), k) for n, k in kinds]
            rows = pc.binary_join_element_wise(*encoded, "\t")
            order = pc.sort_indices(rows)
            lines.extend(cast(list[str], rows.take(order).to_pylist()))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _mac_key(key: PartnershipKey) -> bytes:
    # Domain separation: the MAC key is derived from the partnership key with a label no
    # other peermap derivation uses (pseudonyms hash identifiers without spaces; the
    # fingerprint uses "peermap key fingerprint v1").
    return hmac.digest(key._secret, MAC_LABEL, "sha256")


def _mac(key: PartnershipKey, data: bytes) -> str:
    return hmac.new(_mac_key(key), data, "sha256").hexdigest()


# --------------------------------------------------------------------------- helpers


def _gss(value: object, what: str) -> str:
    text = str(value).strip().upper() if isinstance(value, str) else ""
    if not _GSS.match(text):
        raise ValidationError(
            f"{what} {value!r} is not a GSS code: a letter and 8 digits, such as E09000007 (Camden)"
        )
    return text


def _peermap_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("peermap")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def _iso(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _period(ds: Dataset, period: tuple[Any, Any] | None) -> tuple[str, str]:
    first, last = data_period(ds)
    lo = None if first is None else pd.Timestamp(first)
    hi = None if last is None else pd.Timestamp(last)
    if period is None:
        return _iso(lo), _iso(hi)
    start, end = (pd.Timestamp(p) for p in period)
    if start > end:
        raise ValueError(f"period starts ({start:%Y-%m-%d}) after it ends ({end:%Y-%m-%d})")
    if lo is not None and hi is not None and (lo < start or hi > end):
        raise ValueError(
            f"the records run from {lo:%Y-%m-%d} to {hi:%Y-%m-%d}, outside the period "
            f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"
        )
    return _iso(start), _iso(end)


def _boundary_meta(boundaries: gpd.GeoDataFrame | None) -> dict[str, str]:
    if boundaries is None:
        return {
            "boundary_vintage": "",
            "boundary_attribution": "",
            "boundary_source": "",
            "boundary_fictional": "",
        }
    attrs = boundaries.attrs
    vintage = attrs.get("vintage")
    return {
        "boundary_vintage": "" if vintage is None else str(vintage),
        "boundary_attribution": str(attrs.get("attribution") or ""),
        "boundary_source": str(attrs.get("source") or ""),
        "boundary_fictional": "true" if attrs.get("fictional") else "false",
    }


def _producer_name(ds: Dataset, producer: str) -> str:
    if ds.boundaries is None:
        return ""
    hit = ds.boundaries.loc[ds.boundaries["code"] == producer, "name"]
    return str(hit.iloc[0]) if len(hit) else ""


def _allowed(ds: Dataset, allow: Iterable[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Resolve an allowlist: extra columns per table, and the withheld text columns."""
    extras_of = {name: list(ds.meta.get("extra_columns", {}).get(name, [])) for name in TABLE_ORDER}
    present = {
        name: [c for c in ds.table(name).columns if c not in TABLES[name] and c in extras_of[name]]
        for name in TABLE_ORDER
    }
    text_columns = [
        (name, c.name) for name in TABLE_ORDER for c in TABLES[name].columns if c.type == "text"
    ]
    chosen_extras: dict[str, list[str]] = {name: [] for name in TABLE_ORDER}
    chosen_text: set[tuple[str, str]] = set()
    for item in allow:
        table, _, column = str(item).rpartition(".")
        tables = [table] if table else list(TABLE_ORDER)
        found = False
        for t in tables:
            if t not in TABLES:
                break
            if (t, column) in text_columns:
                chosen_text.add((t, column))
                found = True
            elif column in present[t]:
                if column not in chosen_extras[t]:
                    chosen_extras[t].append(column)
                found = True
        if not found:
            options = [f"{t}.{c}" for t, c in text_columns] + [
                f"{t}.{c}" for t in TABLE_ORDER for c in present[t]
            ]
            raise ValueError(
                f"allow={item!r}: no free-text or extra column of that name; columns that can "
                "be allowlisted: " + (", ".join(options) or "none")
            )
    withheld = [f"{t}.{c}" for t, c in text_columns if (t, c) not in chosen_text]
    return chosen_extras, withheld


def _join_list(items: Iterable[str]) -> str:
    return ";".join(sorted(items))


# --------------------------------------------------------------------------- building layers


def _record_layers(
    ds: Dataset, producer: str | None, allow: Iterable[str]
) -> tuple[list[tuple[_Layer, pa.Table]], dict[str, list[str]], list[str], Dataset]:
    """Build the partnership layers of a dataset, and the dataset as it will read back."""
    extras, withheld = _allowed(ds, allow)
    if producer is not None or all(PROVENANCE in ds.table(n) for n in TABLE_ORDER):
        tagged = with_provenance(ds, producer)
    else:
        tagged = ds
    layout = _partnership_layout()
    layers: list[tuple[_Layer, pa.Table]] = []
    expected: dict[str, pd.DataFrame] = {}
    for name in TABLE_ORDER:
        layer = layout[name].with_extras(extras[name])
        frame = pd.DataFrame(tagged.table(name)).copy()
        for item in withheld:
            table, column = item.split(".")
            if table == name:
                frame[column] = pd.Series(np.nan, index=frame.index, dtype="str")
        geometry = None
        if layer.geometry is not None:
            geometry = shapely.points(
                frame["easting"].to_numpy(dtype=float), frame["northing"].to_numpy(dtype=float)
            )
        layers.append((layer, _table(layer, frame, geometry)))
        expected[name] = frame
    bounds = ds.boundaries
    auth_layer = layout["authorities"]
    if bounds is None:
        auth = _table(auth_layer, pd.DataFrame({"code": [], "name": []}), [])
    else:
        auth = _table(auth_layer, pd.DataFrame(bounds[["code", "name"]]), _multi(bounds))
    layers.append((auth_layer, auth))
    places = cast(gpd.GeoDataFrame, expected["places"])
    readback = tagged.replace(
        people=expected["people"],
        places=places,
        ties=expected["ties"],
        sightings=expected["sightings"],
        relocations=expected["relocations"],
    )
    return layers, extras, withheld, readback


def _multi(bounds: gpd.GeoDataFrame) -> Any:
    geoms = np.asarray(bounds.geometry.values, dtype=object)
    single = shapely.get_type_id(geoms) == 3
    if single.any():
        geoms = geoms.copy()
        geoms[single] = [shapely.MultiPolygon([g]) for g in geoms[single]]
    return geoms


def aggregate_tables(
    ds: Dataset, *, rule: SuppressionRule | None = None
) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """Authority-level flows and counts with small-count suppression.

    What an aggregate package holds: never a pseudonym, a place id or a venue's
    location. Counts go through :mod:`peermap.disclosure` (the rule maps use): a count
    under ``peermap.settings.min_count`` is withheld (``None``, shown as ``c``), others
    are rounded to ``round_to``. Every pair of the authorities involved is listed, with
    zero flows withheld like small ones, so a row's presence says nothing.

    Parameters
    ----------
    ds : Dataset
        A dataset read with boundaries (places assigned to authorities).
    rule : peermap.disclosure.SuppressionRule, optional
        The rule; default from ``peermap.settings``.

    Returns
    -------
    flows : pandas.DataFrame
        ``kind`` (sightings, ties, relocations), ``origin``, ``destination`` (a code;
        missing for sightings at places outside every authority), ``within``,
        ``people``/``events`` (rounded counts, missing when withheld) and
        ``people_shown``/``events_shown`` (the count as text, or the marker).
    authorities : geopandas.GeoDataFrame
        One row per authority in the boundaries: ``code``, ``name`` and, each with a
        ``_shown`` twin, ``people`` (homed there), ``people_seen`` (seen at places
        there), ``sightings`` (at places there), ``ties`` (involving someone homed
        there), ``relocations_in``, ``relocations_out``; boundary polygons.

    Raises
    ------
    ValidationError
        When the dataset was read without boundaries.
    """
    from peermap.analysis import flows

    if ds.boundaries is None or "authority_code" not in ds.places:
        raise ValidationError(
            "an aggregate needs the dataset read with boundaries (places assigned to "
            "authorities): peermap.read_dataset(..., boundaries=...)"
        )
    r = rule if rule is not None else SuppressionRule.from_settings()
    people, places, ties = ds.people, ds.places, ds.ties
    sightings, relocations = ds.sightings, ds.relocations
    involved = sorted(
        {str(c) for c in people["home_authority"].dropna()}
        | {str(c) for c in places["authority_code"].dropna()}
        | {str(c) for c in relocations["from_authority"].dropna()}
        | {str(c) for c in relocations["to_authority"].dropna()}
    )
    rows: list[dict[str, Any]] = []
    for kind in ("sightings", "ties", "relocations"):
        table = flows(ds, kind=kind)
        found: dict[tuple[str, str | None], tuple[int, int]] = {}
        for o, d, p, e in zip(
            table["origin"], table["destination"], table["people"], table["events"], strict=True
        ):
            dest = None if d is None or (isinstance(d, float) and math.isnan(d)) else str(d)
            found[(str(o), dest)] = (int(p), int(e))
        pairs: list[tuple[str, str | None]] = [
            (o, d) for o in involved for d in involved if kind != "ties" or o <= d
        ]
        if kind == "sightings":
            pairs += [(o, None) for o in involved]
        for o, d in pairs:
            p, e = found.get((o, d), (0, 0))
            rows.append(
                {"kind": kind, "origin": o, "destination": d, "within": o == d, "p": p, "e": e}
            )
    frame = pd.DataFrame(rows, columns=["kind", "origin", "destination", "within", "p", "e"])
    out = pd.DataFrame(
        {
            "kind": frame["kind"].astype("str"),
            "origin": frame["origin"].astype("str"),
            "destination": frame["destination"].astype("str"),
            "within": frame["within"].astype("boolean"),
        }
    )
    for src, name in (("p", "people"), ("e", "events")):
        shown, hidden = suppress(frame[src], rule=r)
        out[name], out[f"{name}_shown"] = _shown_columns(shown, hidden)

    home = pd.Series(
        people["home_authority"].to_numpy(dtype=object),
        index=people["person_id"].to_numpy(dtype=object),
    )
    place_auth = pd.Series(
        places["authority_code"].to_numpy(dtype=object),
        index=places["place_id"].to_numpy(dtype=object),
    )
    seen_in = place_auth.reindex(sightings["place_id"].to_numpy()).to_numpy(dtype=object)
    seen = pd.DataFrame({"code": seen_in, "person": sightings["person_id"].to_numpy(dtype=object)})
    ha = home.reindex(ties["person_a"].to_numpy()).to_numpy(dtype=object)
    hb = home.reindex(ties["person_b"].to_numpy()).to_numpy(dtype=object)
    bounds = ds.boundaries
    codes = bounds["code"].astype(str).tolist()
    counts = {
        "people": people["home_authority"].value_counts(),
        "people_seen": seen.dropna().drop_duplicates().groupby("code").size(),
        "sightings": seen["code"].value_counts(),
        "ties": pd.Series(
            [int(((ha == c) | (hb == c)).sum()) for c in codes], index=codes, dtype=int
        ),
        "relocations_in": relocations["to_authority"].value_counts(),
        "relocations_out": relocations["from_authority"].value_counts(),
    }
    auth = pd.DataFrame(
        {"code": bounds["code"].astype("str"), "name": bounds["name"].astype("str")}
    )
    for name in AGGREGATE_COUNTS:
        values = counts[name].reindex(codes).fillna(0).astype(int).reset_index(drop=True)
        shown, hidden = suppress(values, rule=r)
        a, b = _shown_columns(shown, hidden)
        auth[name] = a.set_axis(auth.index)
        auth[f"{name}_shown"] = b.set_axis(auth.index)
    gdf = gpd.GeoDataFrame(auth, geometry=list(_multi(bounds)), crs=settings.metric_crs)
    gdf.attrs = dict(bounds.attrs)
    out.attrs["suppression"] = {
        "min_count": r.min_count,
        "round_to": r.round_to,
        "marker": r.marker,
    }
    gdf.attrs["suppression"] = dict(out.attrs["suppression"])
    return out, gdf


def _shown_columns(shown: pd.Series, hidden: pd.Series) -> tuple[pd.Series, pd.Series]:
    numbers = [None if h else int(v) for v, h in zip(shown, hidden, strict=True)]
    return (
        pd.Series(numbers, index=shown.index, dtype="Int64"),
        pd.Series([str(v) for v in shown], index=shown.index, dtype="str"),
    )


def _aggregate_layers(
    ds: Dataset, suppression: SuppressionRule | None = None
) -> tuple[list[tuple[_Layer, pa.Table]], str]:
    flows, auth = aggregate_tables(ds, rule=suppression)
    layout = _aggregate_layout()
    s = flows.attrs["suppression"]
    rule = f"min_count={s['min_count']};round_to={s['round_to']};marker={s['marker']}"
    return [
        (layout["flows"], _table(layout["flows"], flows)),
        (layout["authorities"], _table(layout["authorities"], auth, auth.geometry.values)),
    ], rule


# --------------------------------------------------------------------------- writing


@contextmanager
def _gdal_target(target: Path) -> Iterator[Path]:
    """Yield a path named like the target in a private folder, moved into place atomically.

    GDAL picks drivers and checks extensions by file name, so the file is written under
    its own name and moved to the temporary path of :func:`atomic_path` on success.
    """
    with (
        atomic_path(target) as tmp,
        tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{target.name}.") as folder,
    ):
        work = Path(folder) / target.name
        yield work
        os.replace(work, tmp)


def _write_gpkg(
    path: Path, layers: Sequence[tuple[_Layer, pa.Table]], meta: Mapping[str, str]
) -> None:
    crs = CRS.from_user_input(settings.metric_crs).to_wkt()
    meta_table = pa.table(
        {
            "key": pa.array(sorted(meta), pa.string()),
            "value": pa.array([meta[k] for k in sorted(meta)], pa.string()),
        }
    )
    first = True
    for layer, table in [*layers, (_METADATA, meta_table)]:
        options: dict[str, Any] = {"DESCRIPTION": layer.description}
        kwargs: dict[str, Any] = {}
        if layer.geometry is not None:
            options["GEOMETRY_NAME"] = GEOMETRY_COLUMN
            kwargs = {
                "geometry_name": GEOMETRY_COLUMN,
                "geometry_type": layer.geometry,
                "crs": crs,
            }
        pyogrio.write_arrow(
            table,
            str(path),
            layer=layer.name,
            driver="GPKG",
            dataset_options={"VERSION": GPKG_VERSION} if first else None,
            layer_options=options,
            **kwargs,
        )
        first = False


def write_package(
    ds: Dataset,
    path: str | os.PathLike[str],
    *,
    key: KeyLike | None,
    producer: str,
    audience: PackageAudience,
    allow: Iterable[str] = (),
    period: tuple[Any, Any] | None = None,
    verify: bool = True,
) -> Path:
    """Write an exchange package: one GeoPackage file for a partner authority.

    Parameters
    ----------
    ds : Dataset
        The dataset to send.
    path : str or path-like
        The file to write, ending in ``.gpkg``. Written atomically: an interrupted
        write leaves the old file (or none), never half a file.
    key : PartnershipKey, bytes or str, or None
        The partnership key. Its public fingerprint is recorded and a key derived from
        it signs the content (HMAC-SHA256); the key itself is never written. Required
        for ``audience="partnership"``; ``None`` is allowed for an aggregate package,
        which then carries only the unkeyed content digest.
    producer : str
        GSS code of the authority writing the package (``"E09000007"``).
    audience : {"partnership", "aggregate"}
        ``"partnership"``: record level (pseudonyms), for partners holding the key.
        ``"aggregate"``: authority-level flows and counts only, with small-count
        suppression (:func:`aggregate_tables`), for circulation beyond the partnership.
    allow : iterable of str, optional
        Columns to include that are otherwise withheld: free text (``"label"`` or
        ``"places.label"``) and extra columns by name (``"people.school_year"``).
    period : tuple of two dates, optional
        The data period to record; default the first and last date in the records.
        Every record must fall within it.
    verify : bool, default True
        Read the written file back before moving it into place: its digest and MAC
        must check, and (partnership) it must read back equal to ``ds``.

    Returns
    -------
    pathlib.Path
        The package written.

    Raises
    ------
    KeyMaterialError
        When a partnership package is asked for without a key.
    ValidationError
        When ``producer`` is not a GSS code, the dataset was read from a package made
        with another key, or (aggregate) the dataset has no boundaries.
    ValueError
        For an unknown audience, a file name not ending in ``.gpkg``, an allowlist
        entry naming no column, or records outside ``period``.
    """
    target = Path(path)
    if target.suffix.lower() != ".gpkg":
        raise ValueError(f"{target}: a GeoPackage's file name ends in .gpkg")
    policy = Audience.of(audience, allowed=AUDIENCES, what="package")
    code = _gss(producer, "producer")
    secret = None if key is None else load_key(key)
    if secret is None and audience == "partnership":
        raise KeyMaterialError(
            "a partnership package needs the partnership key (key=...): its fingerprint "
            "tells the receiver which key the pseudonyms were made with, and the key signs "
            "the content. Load it with peermap.load_key()."
        )
    recorded = ds.meta.get("key_fingerprint")
    if secret is not None and recorded and recorded != secret.fingerprint:
        raise ValidationError(
            f"the dataset's pseudonyms were made with the partnership key {recorded}, but the "
            f"package would be signed with key {secret.fingerprint}: a receiver could not link "
            "them. Use the key the dataset was pseudonymised with."
        )
    start, end = _period(ds, period)
    readback: Dataset | None = None
    if audience == "partnership":
        layers, extras, withheld, readback = _record_layers(ds, code, allow)
        suppression = ""
    else:
        if list(allow):
            raise ValueError("an aggregate package holds no record columns: allow= does not apply")
        layers, suppression = _aggregate_layers(ds, policy.rule)
        extras, withheld = {}, []
    meta: dict[str, str] = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "audience": audience,
        "producer": code,
        "producer_name": _producer_name(ds, code),
        "created": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "period_start": start,
        "period_end": end,
        "key_fingerprint": "" if secret is None else secret.fingerprint,
        **_boundary_meta(ds.boundaries),
        "extra_columns": _join_list(f"{t}.{c}" for t, cols in extras.items() for c in cols),
        "withheld_columns": _join_list(withheld),
        "suppression": suppression,
        "peermap_version": _peermap_version(),
    }
    for layer, table in layers:
        meta[f"count_{layer.name}"] = str(table.num_rows)
    data = _canonical(meta, layers)
    meta["content_sha256"] = hashlib.sha256(data).hexdigest()
    meta["mac"] = "" if secret is None else _mac(secret, data)
    with _gdal_target(target) as work:
        _write_gpkg(work, layers, meta)
        if verify:
            _verify(work, target, secret, readback)
    return target


def _verify(work: Path, target: Path, key: PartnershipKey | None, expected: Dataset | None) -> None:
    """Read a freshly written package back; raise if it does not check."""
    if expected is None:
        _load(work, key, str(target))
        return
    got = _read_partnership(work, key, str(target))
    diff = differences(got, expected)
    if diff:  # pragma: no cover - a bug, not a user error
        raise AssertionError(
            "the package written does not read back equal to the dataset:\n" + "\n".join(diff)
        )


# --------------------------------------------------------------------------- reading


@dataclass
class _Loaded:
    """A package's layers as stored, after the file and integrity checks."""

    label: str
    meta: dict[str, str]
    layers: dict[str, tuple[_Layer, pa.Table]]
    fids: dict[str, list[int]]
    verified: bool


def _check_file(path: Path, label: str) -> None:
    """Refuse files that are not whole GeoPackages, with a clear message."""
    if not path.is_file():
        raise ValidationError(f"{label}: no such file")
    size = path.stat().st_size
    with open(path, "rb") as fh:
        header = fh.read(100)
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise IntegrityError(
            f"{label}: not a GeoPackage (not an SQLite database, or empty or cut short); a "
            "peermap package is a .gpkg file written by peermap.write_package"
        )
    if header[68:72] != _GPKG_APPLICATION_ID:
        raise ValidationError(f"{label}: an SQLite database but not a GeoPackage")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    header_valid = header[92:96] == header[24:28] and pages > 0
    if page_size and size % page_size:
        raise IntegrityError(
            f"{label}: the file is damaged or truncated ({size} bytes is not a whole number of "
            f"{page_size}-byte database pages); ask the sender for it again"
        )
    if header_valid and size != pages * page_size:
        raise IntegrityError(
            f"{label}: the file is truncated or damaged: it has {size} bytes but its header "
            f"says {pages * page_size}; ask the sender for it again"
        )
    uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
    try:
        connection = sqlite3.connect(uri, uri=True)
        try:
            result = connection.execute("PRAGMA quick_check").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise IntegrityError(
            f"{label}: the file is damaged ({exc}); ask the sender for it again"
        ) from None
    if result != [("ok",)]:
        found = "; ".join(str(r[0]).splitlines()[0] for r in result[:3] if str(r[0]).strip())
        raise IntegrityError(
            f"{label}: the file is damaged (SQLite integrity check: {found}); ask the sender "
            "for it again"
        )


_GDAL_ERRORS = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.CRSError,
)


def _read_layer(path: Path, name: str, label: str) -> tuple[dict[str, Any], pa.Table]:
    try:
        meta, table = pyogrio.read_arrow(str(path), layer=name, return_fids=True)
    except _GDAL_ERRORS as exc:
        raise ValidationError(f"{label} [layer {name}]: cannot be read ({exc})") from None
    return cast(dict[str, Any], meta), table


def package_metadata(path: str | os.PathLike[str]) -> dict[str, str] | None:
    """Read the metadata of a peermap package without checking the package.

    For telling a package from any other file and describing it (``peermap info``)
    before it is read: nothing is verified here; :func:`read_package` and
    :func:`read_aggregate` check integrity.

    Parameters
    ----------
    path : str or path-like
        Any file.

    Returns
    -------
    dict of str to str or None
        Every metadata entry as stored (a missing value as ``""``); None when the file
        cannot be read by GDAL, has no ``metadata`` layer of keys and values, or its
        ``format`` is not a peermap package.
    """
    try:
        layers = {str(name) for name in pyogrio.list_layers(str(path))[:, 0]}
        if "metadata" not in layers:
            return None
        _, table = pyogrio.read_arrow(str(path), layer="metadata")
    except (*_GDAL_ERRORS, OSError):
        return None
    if not {"key", "value"} <= set(table.column_names):
        return None
    meta = {
        str(k): "" if v is None else str(v)
        for k, v in zip(
            table.column("key").to_pylist(), table.column("value").to_pylist(), strict=True
        )
    }
    return meta if meta.get("format") == FORMAT else None


def _read_metadata(path: Path, label: str, layer_names: set[str]) -> dict[str, str]:
    if "metadata" not in layer_names:
        raise ValidationError(
            f"{label}: no 'metadata' layer: not a peermap package (layers: "
            + ", ".join(sorted(layer_names))
            + ")"
        )
    info, table = _read_layer(path, "metadata", label)
    names = list(info["fields"])
    if names[:2] != ["key", "value"]:
        raise ValidationError(f"{label} [layer metadata]: expected columns key and value")
    keys = table.column("key").to_pylist()
    values = table.column("value").to_pylist()
    meta: dict[str, str] = {}
    for k, v in zip(keys, values, strict=True):
        if k is None:
            raise ValidationError(f"{label} [layer metadata]: a row has no key")
        if k in meta:
            raise ValidationError(f"{label} [layer metadata]: key {k!r} is given twice")
        meta[str(k)] = "" if v is None else str(v)
    return meta


def _check_version(meta: Mapping[str, str], label: str) -> str:
    if meta.get("format") != FORMAT:
        raise ValidationError(
            f"{label}: not a peermap package (metadata 'format' is {meta.get('format')!r}, "
            f"expected {FORMAT!r})"
        )
    version = meta.get("schema_version", "")
    if not version.isdigit():
        raise ValidationError(f"{label}: schema version {version!r} is not a version number")
    if int(version) > int(SCHEMA_VERSION):
        raise ValidationError(
            f"{label} was written with record schema version {version}, newer than this "
            f"peermap reads (version {SCHEMA_VERSION}): upgrade peermap (pip install -U "
            "peermap) to read it"
        )
    if version not in _LAYOUTS:
        raise ValidationError(
            f"{label}: schema version {version} is not one this peermap knows how to read"
        )
    return version


def _declared_extras(meta: Mapping[str, str], label: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in filter(None, meta.get("extra_columns", "").split(";")):
        table, _, column = item.partition(".")
        if table not in TABLES or not column:
            raise ValidationError(
                f"{label}: metadata extra_columns lists {item!r}, not table.column"
            )
        out.setdefault(table, []).append(column)
    return out


def _check_fields(info: Mapping[str, Any], layer: _Layer, label: str) -> None:
    where = f"{label} [layer {layer.name}]"
    fields = list(info["fields"])
    missing = [c for c in layer.names if c not in fields]
    unknown = [c for c in fields if c not in layer.names]
    if missing:
        raise ValidationError(f"{where}: column(s) missing: {', '.join(missing)}")
    if unknown:
        raise ValidationError(
            f"{where}: column(s) not in the package format and not declared as allowlisted "
            f"extra columns: {', '.join(unknown)}"
        )
    types = dict(
        zip(fields, zip(info["ogr_types"], info["ogr_subtypes"], strict=True), strict=True)
    )
    for name, kind in layer.columns:
        if types[name] not in _OGR_TYPES[kind]:
            raise ValidationError(
                f"{where}, column '{name}': expected a {_SQL_TYPE[kind]} column, found "
                f"{types[name][0]}"
            )
    geometry = info.get("geometry_type")
    if layer.geometry is None and geometry is not None:
        raise ValidationError(f"{where}: expected an attribute table, found {geometry} geometry")
    if layer.geometry is not None:
        if geometry != layer.geometry:
            raise ValidationError(f"{where}: expected {layer.geometry} geometry, found {geometry}")
        crs = info.get("crs")
        if crs is None or CRS.from_user_input(crs) != CRS.from_user_input(settings.metric_crs):
            raise ValidationError(
                f"{where}: expected coordinates in {settings.metric_crs} (British National "
                f"Grid), found {crs}"
            )


def _load(
    path: str | os.PathLike[str], key: PartnershipKey | None, label: str | None = None
) -> _Loaded:
    """Open a package, check its structure, version, counts, fingerprint and integrity."""
    p = Path(path)
    where = label or str(p)
    _check_file(p, where)
    try:
        listed = pyogrio.list_layers(str(p))
    except _GDAL_ERRORS as exc:
        raise ValidationError(f"{where}: cannot be read as a GeoPackage ({exc})") from None
    names = {str(n) for n in listed[:, 0]}
    meta = _read_metadata(p, where, names)
    version = _check_version(meta, where)
    audience = meta.get("audience", "")
    if audience not in AUDIENCES:
        raise ValidationError(f"{where}: unknown audience {audience!r} in the metadata")
    missing_keys = [k for k in METADATA_KEYS if k not in meta]
    if missing_keys:
        raise ValidationError(f"{where}: metadata lacks key(s): {', '.join(missing_keys)}")
    layout = _LAYOUTS[version][audience]()
    if audience == "partnership":
        extras = _declared_extras(meta, where)
        layout = {
            n: (lay.with_extras(extras.get(n, [])) if n in TABLES else lay)
            for n, lay in layout.items()
        }
    expected = set(layout) | {"metadata"}
    if names != expected:
        lacking, surplus = sorted(expected - names), sorted(names - expected)
        parts = []
        if lacking:
            parts.append("missing layer(s) " + ", ".join(lacking))
        if surplus:
            parts.append("unexpected layer(s) " + ", ".join(surplus))
        raise ValidationError(f"{where}: not a {audience} package: " + "; ".join(parts))
    if key is not None:
        fingerprint = meta["key_fingerprint"]
        if not fingerprint or not meta["mac"]:
            raise ValidationError(
                f"{where} was written without the partnership key, so its integrity cannot be "
                "checked with one; read it without key= (integrity not verified)"
            )
        if fingerprint != key.fingerprint:
            raise IntegrityError(
                f"{where} was made with the partnership key {fingerprint}, not with the key "
                f"given ({key.fingerprint}): its pseudonyms would not link with yours. Refused; "
                "check that both authorities use the partnership's key."
            )
    layers: dict[str, tuple[_Layer, pa.Table]] = {}
    fids: dict[str, list[int]] = {}
    for name, layer in layout.items():
        info, table = _read_layer(p, name, where)
        _check_fields(info, layer, where)
        fids[name] = [int(f) for f in table.column("fid").to_pylist()]
        columns = list(layer.names) + ([GEOMETRY_COLUMN] if layer.geometry else [])
        geometry_name = info.get("geometry_name") or GEOMETRY_COLUMN
        table = table.rename_columns(
            [
                GEOMETRY_COLUMN if c == geometry_name and layer.geometry else c
                for c in table.column_names
            ]
        )
        layers[name] = (layer, table.select(columns))
        stated = meta.get(f"count_{name}")
        if stated is None or not stated.isdigit():
            raise ValidationError(f"{where}: metadata lacks the row count of layer {name}")
        if int(stated) != table.num_rows:
            raise IntegrityError(
                f"{where} [layer {name}]: holds {table.num_rows} rows but the package lists "
                f"{stated}: rows were deleted or added since it was written, or the file is "
                "incomplete. Refused; ask the sender for it again."
            )
    data = _canonical(meta, list(layers.values()))
    if key is not None:
        if not hmac.compare_digest(_mac(key, data), meta["mac"]):
            raise IntegrityError(
                f"{where} failed its integrity check: its content does not match the MAC made "
                "with the partnership key, so it was changed (a value edited, a row added or "
                "deleted, the metadata altered) or damaged after it was written. Refused; ask "
                f"{meta['producer'] or 'the sender'} for it again."
            )
        verified = True
    else:
        if not hmac.compare_digest(hashlib.sha256(data).hexdigest(), meta["content_sha256"]):
            raise IntegrityError(
                f"{where}: its content does not match its digest: it was changed or damaged "
                "after it was written. Refused; ask the sender for it again."
            )
        verified = False
    loaded = _Loaded(where, meta, layers, fids, verified)
    while loaded.meta["schema_version"] != SCHEMA_VERSION:  # pragma: no cover - no v0 exists
        loaded = _UPGRADES[loaded.meta["schema_version"]](loaded)
    return loaded


def canonical_form(path: str | os.PathLike[str]) -> bytes:
    """Return the canonical serialisation of a package, as its digest and MAC cover it.

    For implementers of other tools: a package is intact when
    ``sha256(canonical_form(path))`` equals its ``content_sha256`` and, with the
    partnership key, ``HMAC-SHA256(HMAC-SHA256(key, MAC_LABEL), canonical_form(path))``
    equals its ``mac`` (see ``docs/exchange-format.md``).

    Parameters
    ----------
    path : str or path-like
        The package.

    Returns
    -------
    bytes
        UTF-8 text, one line per metadata entry, layer header and row.

    Raises
    ------
    ValidationError
        When the file is not a readable package, or its content does not match its
        digest.
    """
    loaded = _load(path, None)
    return _canonical(loaded.meta, list(loaded.layers.values()))


def _frame(layer: _Layer, table: pa.Table, fids: list[int], columns: Iterable[str]) -> pd.DataFrame:
    index = pd.Index(fids, name="fid")
    return pd.DataFrame(
        {c: pd.Series(table.column(c).to_pylist(), index=index, dtype=object) for c in columns},
        index=index,
    )


def _relabelled(exc: ValidationError, label: str) -> ValidationError:
    """Return the same error naming the package's layers instead of in-memory frames."""
    message = str(exc)
    for name in TABLE_ORDER:
        message = message.replace(f"<{name} frame>", f"{label} [layer {name}]")
    report = exc.report
    if report is not None:
        import dataclasses

        report.problems = [
            dataclasses.replace(p, file=f"{label} [layer {p.table}]")
            if p.file.startswith("<")
            else p
            for p in report.problems
        ]
        report.files = {t: f"{label} [layer {t}]" for t in report.files}
    return type(exc)(message, report)


def _boundaries_from(loaded: _Loaded) -> gpd.GeoDataFrame | None:
    from peermap.boundaries import load_boundaries

    _, table = loaded.layers["authorities"]
    if table.num_rows == 0:
        return None
    gdf = gpd.GeoDataFrame(
        {"code": table.column("code").to_pylist(), "name": table.column("name").to_pylist()},
        geometry=shapely.from_wkb(table.column(GEOMETRY_COLUMN).to_pylist()),
        crs=settings.metric_crs,
    )
    meta = loaded.meta
    try:
        bounds = load_boundaries(gdf, attribution=meta["boundary_attribution"] or None)
    except ValueError as exc:
        raise ValidationError(f"{loaded.label} [layer authorities]: {exc}") from None
    vintage = meta["boundary_vintage"]
    bounds.attrs.update(
        {
            "source": meta["boundary_source"] or f"{loaded.label} [layer authorities]",
            "layer": "authorities",
            "vintage": int(vintage) if vintage.isdigit() else (vintage or None),
        }
    )
    if meta["boundary_fictional"] == "true":
        bounds.attrs["fictional"] = True
    return bounds


def _read_partnership(
    path: str | os.PathLike[str], key: PartnershipKey | None, label: str | None
) -> Dataset:
    from peermap.validation import read_dataset

    loaded = _load(path, key, label)
    where = loaded.label
    meta = loaded.meta
    if meta["audience"] != "partnership":
        raise ValidationError(
            f"{where} is an aggregate package (authority-level counts, no records): read it "
            "with peermap.exchange.read_aggregate"
        )
    producer = meta["producer"]
    frames: dict[str, pd.DataFrame] = {}
    provenance: dict[str, list[Any]] = {}
    for name in TABLE_ORDER:
        layer, table = loaded.layers[name]
        spec = TABLES[name]
        columns = [c for c in layer.names if c in spec or c not in (PROVENANCE, *_DERIVED_NAMES)]
        frames[name] = _frame(layer, table, loaded.fids[name], columns)
        provenance[name] = table.column(PROVENANCE).to_pylist()
    bounds = _boundaries_from(loaded)
    try:
        ds = read_dataset(frames, boundaries=bounds, strict=True)
    except ValidationError as exc:
        raise _relabelled(exc, where) from None
    changes: dict[str, pd.DataFrame] = {}
    for name in TABLE_ORDER:
        frame = ds.table(name).copy()
        first = TABLES[name].columns[0].name
        stored = [str(v).strip() for v in frames[name][first]]
        if frame[first].tolist() != stored:  # pragma: no cover - strict reading keeps order
            raise AssertionError(f"{name}: rows were reordered while validating")
        values: list[str] = []
        for fid, value in zip(loaded.fids[name], provenance[name], strict=True):
            try:
                values.append(
                    normalise_provenance(
                        producer if value is None or not str(value).strip() else value,
                        what=f"{where} [layer {name}], row {fid}: provenance",
                    )
                )
            except ValidationError as exc:
                raise ValidationError(str(exc)) from None
        frame[PROVENANCE] = pd.Series(values, index=frame.index, dtype="str")
        changes[name] = frame
    _check_points(loaded, cast(gpd.GeoDataFrame, changes["places"]))
    integrity = (
        "verified: the content matches the MAC made with the partnership key"
        if loaded.verified
        else "not verified (no key given): the content matches its digest, which detects "
        "damage but not deliberate changes; read with key= to verify"
    )
    info: dict[str, Any] = dict(ds.meta)
    info.update(
        {
            "sources": {name: f"{where} [layer {name}]" for name in TABLE_ORDER},
            "producer": producer,
            "producer_name": meta["producer_name"],
            "created": meta["created"],
            "audience": meta["audience"],
            "period": (meta["period_start"] or None, meta["period_end"] or None),
            "key_fingerprint": meta["key_fingerprint"] or None,
            "verified": loaded.verified,
            "integrity": integrity,
            "withheld_columns": [c for c in meta["withheld_columns"].split(";") if c],
            "package": MappingProxyType(dict(meta)),
        }
    )
    return ds.replace(**changes, meta=info)


def _check_points(loaded: _Loaded, places: gpd.GeoDataFrame) -> None:
    """Check the stored points lie where easting and northing say (what GIS users see)."""
    _, table = loaded.layers["places"]
    if table.num_rows == 0:
        return
    stored = shapely.from_wkb(table.column(GEOMETRY_COLUMN).to_pylist())
    east = np.asarray(table.column("easting").to_pylist(), dtype=float)
    north = np.asarray(table.column("northing").to_pylist(), dtype=float)
    gap = shapely.distance(stored, shapely.points(east, north))
    bad = ~(gap <= 1.0)
    if bad.any():
        rows = [str(f) for f, b in zip(loaded.fids["places"], bad, strict=True) if b]
        raise ValidationError(
            f"{loaded.label} [layer places], row(s) {', '.join(rows[:10])}: the point geometry "
            "is more than 1 m from the place's easting/northing"
        )


def read_package(path: str | os.PathLike[str], *, key: KeyLike | None = None) -> Dataset:
    """Read an exchange package written by :func:`write_package` (or another tool).

    Checks, in order: that the file is a whole GeoPackage (a truncated or damaged file
    is refused with a clear message), that it is a peermap package of a schema version
    this peermap reads (older versions are upgraded; newer ones are refused, saying
    which version is needed), that its layers and columns are as specified, that every
    layer holds the rows the metadata lists, and its integrity: with ``key``, the
    package must have been made with that key (else it is refused: pseudonyms would
    not link) and its MAC must check; without, its content digest must match (which
    detects damage, not deliberate changes). Then the records are validated exactly
    like :func:`peermap.read_dataset` (strict), errors naming the layer and row
    (``fid``).

    Parameters
    ----------
    path : str or path-like
        The ``.gpkg`` file.
    key : PartnershipKey, bytes or str, optional
        The partnership key, to verify the package. Without it the package is read but
        ``ds.meta["verified"]`` is False.

    Returns
    -------
    Dataset
        The records, each table with its ``provenance`` column, validated against the
        package's own boundaries (``authorities`` layer). ``meta`` adds ``producer``,
        ``producer_name``, ``created``, ``audience``, ``period``, ``key_fingerprint``,
        ``verified``, ``integrity``, ``withheld_columns`` and ``package`` (every metadata
        entry as stored).

    Raises
    ------
    ValidationError
        For any of the failures above (a :class:`peermap.PrivacyError` when records
        carry direct identifiers). Messages never contain the key.
    """
    secret = None if key is None else load_key(key)
    return _read_partnership(path, secret, None)


@dataclass(frozen=True)
class AggregatePackage:
    """An aggregate package as read by :func:`read_aggregate`.

    Attributes
    ----------
    flows : pandas.DataFrame
        As from :func:`aggregate_tables`.
    authorities : geopandas.GeoDataFrame
        As from :func:`aggregate_tables`.
    meta : Mapping
        Every metadata entry as stored, plus ``verified`` (bool).
    """

    flows: pd.DataFrame
    authorities: gpd.GeoDataFrame
    meta: Mapping[str, Any] = field(default_factory=dict)


def _typed_table(layer: _Layer, table: pa.Table) -> pd.DataFrame:
    data: dict[str, pd.Series] = {}
    for name, kind in layer.columns:
        values = table.column(name).to_pylist()
        if kind == "int":
            data[name] = pd.Series(values, dtype="Int64")
        elif kind == "bool":
            data[name] = pd.Series(values, dtype="boolean")
        elif kind == "float":
            data[name] = pd.Series(values, dtype=float)
        elif kind == "date":
            data[name] = pd.Series(pd.to_datetime(pd.Series(values, dtype=object))).astype(
                "datetime64[ns]"
            )
        else:
            data[name] = pd.Series(values, dtype="str")
    return pd.DataFrame(data)


def read_aggregate(path: str | os.PathLike[str], *, key: KeyLike | None = None) -> AggregatePackage:
    """Read an aggregate package (``audience="aggregate"``).

    Parameters
    ----------
    path : str or path-like
        The ``.gpkg`` file.
    key : PartnershipKey, bytes or str, optional
        The partnership key, to verify the MAC (only a partnership member has it);
        without, the content digest is checked.

    Returns
    -------
    AggregatePackage
        The suppressed flows and authority counts.

    Raises
    ------
    ValidationError
        As for :func:`read_package`, or when the package is not an aggregate one.
    """
    secret = None if key is None else load_key(key)
    loaded = _load(path, secret)
    if loaded.meta["audience"] != "aggregate":
        raise ValidationError(
            f"{loaded.label} is a partnership package (records): read it with peermap.read_package"
        )
    flow_layer, flow_table = loaded.layers["flows"]
    auth_layer, auth_table = loaded.layers["authorities"]
    flows = _typed_table(flow_layer, flow_table)
    auth = gpd.GeoDataFrame(
        _typed_table(auth_layer, auth_table),
        geometry=shapely.from_wkb(auth_table.column(GEOMETRY_COLUMN).to_pylist()),
        crs=settings.metric_crs,
    )
    meta: dict[str, Any] = dict(loaded.meta)
    meta["verified"] = loaded.verified
    return AggregatePackage(flows, auth, MappingProxyType(meta))


# --------------------------------------------------------------------------- graph exports


def _plain(value: Any) -> Any:
    """Return a value GraphML and GEXF can hold (None when missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        return stamp.strftime("%Y-%m-%d") if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return ";".join(sorted(str(_plain(v)) for v in value))
    if isinstance(value, list | tuple):
        return ";".join(str(_plain(v)) for v in value)
    return str(value)


def _attrs(attrs: Mapping[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in attrs.items():
        if isinstance(value, Mapping):
            for sub, inner in value.items():
                plain = _plain(inner)
                if plain is not None:
                    out[f"{name}_{sub}"] = plain
            continue
        plain = _plain(value)
        if plain is not None:
            out[str(name)] = plain
    return out


def _build_graph(
    source: Dataset | nx.Graph,
    graph: str,
    since: Any,
    until: Any,
    min_reliability: str,
) -> nx.Graph:
    from peermap.networks import peer_graph, place_graph

    if isinstance(source, nx.Graph):
        if (since, until, min_reliability) != (None, None, "unverified"):
            raise ValueError("since/until/min_reliability apply when exporting a Dataset")
        return source
    if not isinstance(source, Dataset):
        raise TypeError(
            f"export a peermap Dataset or a networkx graph, not {type(source).__name__}"
        )
    filters = {"since": since, "until": until, "min_reliability": min_reliability}
    if graph == "peer":
        g: nx.Graph = peer_graph(source, **filters)
    elif graph == "place":
        g = place_graph(source, **filters)
    else:
        raise ValueError(f"graph={graph!r}; expected 'peer' or 'place'")
    if PROVENANCE in source.people:
        for pid, prov in zip(source.people["person_id"], source.people[PROVENANCE], strict=True):
            if pid in g:
                g.nodes[pid][PROVENANCE] = prov
    if graph == "place" and PROVENANCE in source.places:
        for pid, prov in zip(source.places["place_id"], source.places[PROVENANCE], strict=True):
            if pid in g:
                g.nodes[pid][PROVENANCE] = prov
    if graph == "peer" and PROVENANCE in source.ties:
        prov_of = source.ties[PROVENANCE]
        for _, _, k, data in g.edges(keys=True, data=True):
            data[PROVENANCE] = prov_of.loc[k]
    fingerprint = source.meta.get("key_fingerprint")
    if fingerprint:
        g.graph["key_fingerprint"] = fingerprint
    return g


def _export_graph(g: nx.Graph, *, dynamic: bool) -> nx.Graph:
    out = g.__class__()
    out.graph.update(_attrs(g.graph))
    out.add_nodes_from((n, _attrs(d)) for n, d in g.nodes(data=True))
    if g.is_multigraph():
        for u, v, k, d in g.edges(keys=True, data=True):
            attrs = _attrs(d)
            if dynamic:
                _spell(attrs)
            out.add_edge(u, v, key=k, **attrs)
    else:
        for u, v, d in g.edges(data=True):
            attrs = _attrs(d)
            if dynamic:
                _spell(attrs)
            out.add_edge(u, v, **attrs)
    return out


def _spell(attrs: dict[str, Any]) -> None:
    """GEXF time interval of a tie (Gephi's timeline): first_seen to last_seen."""
    start = attrs.get("first_seen", attrs.get("first"))
    end = attrs.get("last_seen", attrs.get("last"))
    if isinstance(start, str):
        attrs["start"] = start
        if isinstance(end, str):
            attrs["end"] = end


def to_graphml(
    source: Dataset | nx.Graph,
    path: str | os.PathLike[str],
    *,
    graph: Literal["peer", "place"] = "peer",
    since: Any = None,
    until: Any = None,
    min_reliability: str = "unverified",
) -> Path:
    """Write a network as GraphML (Gephi, igraph, Cytoscape, yEd), atomically.

    Node and edge attributes are those of :mod:`peermap.networks`, made plain for the
    format: dates as ``YYYY-MM-DD`` text, lists and sets as ``;``-joined text,
    dictionaries flattened (``contexts`` becomes ``contexts_cse``, ...), missing values
    left out. With a dataset that has provenance, people, places and ties carry it.
    Only schema columns reach a graph: never extra columns or free text.

    Parameters
    ----------
    source : Dataset or networkx.Graph
        A dataset (the graph is built from it) or a graph from :mod:`peermap.networks`.
    path : str or path-like
        The ``.graphml`` file.
    graph : {"peer", "place"}, default "peer"
        Which graph to build from a dataset: :func:`peermap.peer_graph` (young people
        and ties) or :func:`peermap.place_graph` (young people and places).
    since, until, min_reliability
        Filters, as for :func:`peermap.peer_graph` (datasets only).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    g = _export_graph(_build_graph(source, graph, since, until, min_reliability), dynamic=False)
    target = Path(path)
    with atomic_path(target) as tmp:
        nx.write_graphml(g, str(tmp), encoding="utf-8", prettyprint=True)
    return target


def to_gexf(
    source: Dataset | nx.Graph,
    path: str | os.PathLike[str],
    *,
    graph: Literal["peer", "place"] = "peer",
    since: Any = None,
    until: Any = None,
    min_reliability: str = "unverified",
) -> Path:
    """Write a network as GEXF 1.2 (Gephi), atomically.

    As :func:`to_graphml`; in addition every tie (or person-place edge) gets a time
    interval, ``start`` = first seen and ``end`` = last seen (when known), so Gephi's
    timeline can play the network over time.

    Parameters
    ----------
    source : Dataset or networkx.Graph
        A dataset or a graph from :mod:`peermap.networks`.
    path : str or path-like
        The ``.gexf`` file.
    graph : {"peer", "place"}, default "peer"
        Which graph to build from a dataset.
    since, until, min_reliability
        Filters, as for :func:`peermap.peer_graph` (datasets only).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    g = _export_graph(_build_graph(source, graph, since, until, min_reliability), dynamic=True)
    g.graph["mode"] = "dynamic"
    target = Path(path)
    with atomic_path(target) as tmp:
        nx.write_gexf(g, str(tmp), encoding="utf-8", prettyprint=True, version="1.2draft")
    return target


# --------------------------------------------------------------------------- GeoJSON


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _write_attribute_geojson(target: Path, layer: _Layer, table: pa.Table) -> None:
    """Write a layer without geometry as features with ``"geometry": null`` (RFC 7946)."""
    columns = {name: table.column(name).to_pylist() for name in layer.names}
    features = [
        {
            "type": "Feature",
            "properties": {name: _json_value(columns[name][i]) for name in layer.names},
            "geometry": None,
        }
        for i in range(table.num_rows)
    ]
    document = {"type": "FeatureCollection", "name": layer.name, "features": features}
    with atomic_path(target) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        json.dump(document, fh, ensure_ascii=False, allow_nan=False)
        fh.write("\n")


def to_csv(ds: Dataset, folder: str | os.PathLike[str]) -> dict[str, Path]:
    """Write a dataset's schema columns as CSV exports, one file per table.

    The files are what an authority's export in record schema v1 looks like
    (``people.csv``, ``places.csv``, ...; dates as ``YYYY-MM-DD``), so that
    :func:`peermap.read_dataset` reads them back. Only schema columns are written:
    no provenance, no extra column. Each file is written atomically.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    folder : str or path-like
        Where to write (created if needed).

    Returns
    -------
    dict of str to pathlib.Path
        Table name to file, in schema order.
    """
    out_dir = Path(folder)
    written: dict[str, Path] = {}
    for name in TABLE_ORDER:
        frame = pd.DataFrame(ds.table(name))
        columns = [c for c in TABLES[name].names if c in frame.columns]
        out = frame[columns].copy()
        for col in TABLES[name].columns:
            if col.type == "date" and col.name in out:
                out[col.name] = out[col.name].dt.strftime("%Y-%m-%d")
        target = out_dir / f"{name}.csv"
        with atomic_path(target) as tmp:
            out.to_csv(tmp, index=False, encoding="utf-8")
        written[name] = target
    return written


def to_geojson(
    ds: Dataset,
    folder: str | os.PathLike[str],
    *,
    allow: Iterable[str] = (),
    precision: int = 6,
    producer: str | None = None,
) -> dict[str, Path]:
    """Write every layer as an RFC 7946 GeoJSON file, plus ``metadata.json``.

    ``places.geojson`` holds points and ``authorities.geojson`` polygons, in WGS84
    longitude/latitude (RFC 7946), rounded to ``precision`` decimals (6 is about
    0.1 m); ``people``, ``ties``, ``sightings`` and ``relocations`` are features
    without geometry. Properties are the package columns (schema columns and
    ``provenance``; free text and extra columns only when allowlisted), dates as
    ``YYYY-MM-DD``. ``metadata.json`` records the producer, key fingerprint, boundary
    attribution (required by the Open Government Licence) and withheld columns. Each
    file is written atomically.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    folder : str or path-like
        Where to write (created if needed).
    allow : iterable of str, optional
        Free-text or extra columns to include, as for :func:`write_package`.
    precision : int, default 6
        Decimals of longitude/latitude.
    producer : str, optional
        GSS code of the authority writing the files: fills missing provenance.

    Returns
    -------
    dict of str to pathlib.Path
        Layer name (and ``metadata``) to file.
    """
    out_dir = Path(folder)
    out_dir.mkdir(parents=True, exist_ok=True)
    code = None if producer is None else _gss(producer, "producer")
    layers, extras, withheld, _ = _record_layers(ds, code, allow)
    bng = CRS.from_user_input(settings.metric_crs).to_wkt()
    written: dict[str, Path] = {}
    for layer, table in layers:
        target = out_dir / f"{layer.name}.geojson"
        if layer.geometry is None:
            _write_attribute_geojson(target, layer, table)
        else:
            options = {"RFC7946": "YES", "COORDINATE_PRECISION": str(int(precision))}
            with _gdal_target(target) as work:
                pyogrio.write_arrow(
                    table,
                    str(work),
                    layer=layer.name,
                    driver="GeoJSON",
                    layer_options=options,
                    geometry_name=GEOMETRY_COLUMN,
                    geometry_type=layer.geometry,
                    crs=bng,
                )
        written[layer.name] = target
    meta = {
        "format": "peermap-geojson",
        "schema_version": SCHEMA_VERSION,
        "producer": code,
        "created": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "key_fingerprint": ds.meta.get("key_fingerprint"),
        **{k: v or None for k, v in _boundary_meta(ds.boundaries).items()},
        "extra_columns": sorted(f"{t}.{c}" for t, cols in extras.items() for c in cols),
        "withheld_columns": withheld,
        "counts": {layer.name: table.num_rows for layer, table in layers},
        "notice": (
            "Pseudonymised records about children: personal data. Share only under the "
            "partnership's information-sharing agreement."
        ),
    }
    target = out_dir / "metadata.json"
    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written["metadata"] = target
    return written
