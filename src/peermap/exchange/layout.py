"""The package format: layers, columns, metadata keys and their Arrow encoding.

What a package holds, by schema version and audience (``docs/exchange-format.md``
specifies it in words): the layers and their columns with the kind of each value, the
metadata keys every package carries, and how a layer's frame becomes an Arrow table
with ISO WKB geometries. Reading, writing and the canonical form all follow these
layouts, so a column is added or changed here only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from peermap.counts import AUTHORITY_COUNTS
from peermap.disclosure import PACKAGE_AUDIENCES
from peermap.merging import PROVENANCE
from peermap.schema import (
    DTYPES,
    SCHEMA_VERSION,
    SCHEMA_VERSIONS,
    TABLE_ORDER,
    TABLES,
    cast_column,
    is_online,
)

__all__ = [
    "AGGREGATE_COUNTS",
    "AUDIENCES",
    "CANONICAL_HEADER",
    "CLK_LAYER",
    "FORMAT",
    "GEOMETRY_COLUMN",
    "MAC_LABEL",
    "METADATA_KEYS",
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

# --------------------------------------------------------------------------- layouts


@dataclass(frozen=True)
class Layer:
    """One layer of a package: its columns (name, kind) and geometry type."""

    name: str
    columns: tuple[tuple[str, Kind], ...]
    geometry: str | None = None
    description: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(c for c, _ in self.columns)

    def with_extras(self, extras: Sequence[str]) -> Layer:
        """Return the layer with allowlisted extra columns (text) added, sorted by name."""
        added: tuple[tuple[str, Kind], ...] = tuple((e, "text") for e in sorted(extras))
        return Layer(self.name, self.columns + added, self.geometry, self.description)


def _schema_columns(table: str, version: str) -> tuple[tuple[str, Kind], ...]:
    return tuple((c.name, _KIND_OF_SCHEMA[c.type]) for c in TABLES[table].columns_in(version))


_PLACE_DERIVED: tuple[tuple[str, Kind], ...] = (
    ("authority_code", "text"),
    ("authority_name", "text"),
    ("assignment", "text"),
)
#: Columns of the places layer that peermap derives (recomputed on reading).
DERIVED_NAMES: tuple[str, ...] = tuple(c for c, _ in _PLACE_DERIVED)
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


def partnership_layout(version: str = SCHEMA_VERSION) -> dict[str, Layer]:
    """Return the layers of a partnership package: the five record tables and authorities.

    ``version`` is the record schema version (:data:`~peermap.schema.SCHEMA_VERSIONS`):
    a layer holds the columns that version knows (``places.platform`` since 1.1).
    """
    layers: dict[str, Layer] = {}
    for name in TABLE_ORDER:
        columns = _schema_columns(name, version)
        if name == "places":
            columns = columns + _PLACE_DERIVED
        layers[name] = Layer(
            name,
            columns + _PROV,
            "Point" if name == "places" else None,
            _DESCRIPTIONS[name],
        )
    layers["authorities"] = Layer(
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


#: Count columns of the aggregate authorities layer: the counts of
#: :func:`peermap.counts.authority_counts`.
AGGREGATE_COUNTS: tuple[str, ...] = AUTHORITY_COUNTS


def aggregate_layout() -> dict[str, Layer]:
    """Return the layers of an aggregate package: flows and authority counts."""
    return {
        "flows": Layer(
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
        "authorities": Layer(
            "authorities",
            (("code", "text"), ("name", "text"), *_counted(*AGGREGATE_COUNTS)),
            "MultiPolygon",
            "Authority-level counts with small-count suppression",
        ),
    }


#: The CLK table a partnership package may carry (``write_package(clks=...)``): each
#: young person's CLK from :func:`peermap.encode_identities`, for record linkage within
#: the partnership. Personal data: never in an aggregate package.
CLK_LAYER = Layer(
    "clks",
    (("person_id", "text"), ("clk", "text")),
    None,
    "CLKs (Bloom-filter encodings) of the young people, for record linkage within the "
    "partnership: personal data",
)

METADATA_LAYER = Layer(
    "metadata", (("key", "text"), ("value", "text")), None, _DESCRIPTIONS["metadata"]
)


def _partnership_of(version: str) -> Callable[[], dict[str, Layer]]:
    return lambda: partnership_layout(version)


#: Layouts by schema version (older versions keep theirs, for reading and upgrading).
#: Schema 1.1 adds ``platform`` to the places layer; aggregate packages are the same.
LAYOUTS: dict[str, dict[str, Callable[[], dict[str, Layer]]]] = {
    version: {"partnership": _partnership_of(version), "aggregate": aggregate_layout}
    for version in SCHEMA_VERSIONS
}


def place_points(frame: pd.DataFrame) -> Any:
    """Return the places layer's geometries: a point per place, none for an online place."""
    points = np.asarray(
        shapely.points(
            frame["easting"].to_numpy(dtype=float), frame["northing"].to_numpy(dtype=float)
        ),
        dtype=object,
    )
    if "kind" in frame and len(frame):
        points[is_online(frame["kind"]).to_numpy()] = None
    return points


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
#: Metadata keys the digest and MAC do not cover (they hold them).
UNSIGNED_KEYS = ("content_sha256", "mac")


# --------------------------------------------------------------------------- arrow


def _arrow_column(values: pd.Series | None, kind: Kind, n: int) -> pa.Array:
    """One column as an Arrow array of the layer's type (missing as null)."""
    typ = _ARROW_TYPE[kind]
    if values is None:
        return pa.nulls(n, type=typ)
    typed = cast_column(values, DTYPES[kind])
    if kind == "date":
        return pa.array(typed, from_pandas=True).cast(typ)
    return pa.array(typed, from_pandas=True, type=typ)


def _wkb(geoms: Any) -> list[bytes | None]:
    """ISO WKB, little-endian, 2D (the canonical geometry encoding)."""
    arr = np.asarray(geoms, dtype=object)
    out = shapely.to_wkb(arr, byte_order=1, output_dimension=2, flavor="iso")
    return [None if b is None else bytes(b) for b in out]


def arrow_table(layer: Layer, frame: pd.DataFrame, geometry: Any = None) -> pa.Table:
    """Return a frame as the layer's Arrow table (geometries as ISO WKB in ``geom``)."""
    n = len(frame)
    arrays = [_arrow_column(frame.get(name, None), kind, n) for name, kind in layer.columns]
    names = list(layer.names)
    if layer.geometry is not None:
        arrays.append(pa.array(_wkb(geometry) if n else [], type=pa.binary()))
        names.append(GEOMETRY_COLUMN)
    return pa.Table.from_arrays(arrays, names=names)
