"""What a package file may hold besides its content: an allow-list, checked on reading.

The digest and MAC cover the content of the layers (:mod:`peermap.exchange.canonical`),
not the rest of the SQLite file. So that nothing can ride along unsigned -- a table of
names and phone numbers, a trigger, a view, an index, text in a GeoPackage registry,
numbers in a spatial index or a geometry header -- a reader accepts only what the format
defines (``docs/exchange-format.md``, "What else a file may hold"):

- the GeoPackage tables every GeoPackage has (``gpkg_spatial_ref_sys``,
  ``gpkg_contents``, ``gpkg_geometry_columns``, the empty tile tables and their
  triggers), ``gpkg_extensions``, GDAL's ``gpkg_ogr_contents`` and SQLite's
  ``sqlite_sequence``;
- one table per layer of the package's layout, with exactly the layer's columns, a
  primary key and (spatial layers) the geometry column; its row-count triggers and, for
  a spatial layer, its R-tree spatial index (virtual table, shadow tables, triggers);
- the indexes SQLite makes for the constraints of those tables, and nothing else;
- in the registries, rows about those layers only, with the values the format defines;
  in the spatial indexes, one box per geometry, that geometry's; in every geometry
  blob, the standard header and the geometry, nothing more.

Anything else is refused with :class:`~peermap.exceptions.IntegrityError` naming the
object; what it holds is never shown.
"""

from __future__ import annotations

import re
import sqlite3
import struct
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import shapely
from pyproj import CRS

from peermap.exceptions import IntegrityError
from peermap.exchange.layout import GEOMETRY_COLUMN, Layer

__all__ = ["allowed_objects", "check_contents", "check_objects", "has_table", "open_readonly"]

#: Spatial reference system of the layers (EPSG code).
_SRS = 27700
#: Tables every GeoPackage (as GDAL writes it) may hold, with the row checks below.
_GPKG_TABLES = (
    "gpkg_spatial_ref_sys",
    "gpkg_contents",
    "gpkg_geometry_columns",
    "gpkg_tile_matrix_set",
    "gpkg_tile_matrix",
    "gpkg_extensions",
    "gpkg_ogr_contents",
    "sqlite_sequence",
)
#: The triggers of the GeoPackage standard on gpkg_tile_matrix (clause 2.2.7).
_TILE_TRIGGERS = tuple(
    f"gpkg_tile_matrix_{column}_{when}"
    for column in ("zoom_level", "matrix_width", "matrix_height", "pixel_x_size", "pixel_y_size")
    for when in ("insert", "update")
)
_RTREE_SHADOWS = ("_rowid", "_node", "_parent")
#: R-tree triggers of GeoPackage 1.2 to 1.4 (update5..7 replace update1..4 in 1.4).
_RTREE_TRIGGERS = ("_insert", *(f"_update{i}" for i in range(1, 8)), "_delete")
#: Accepted spatial reference systems: names and descriptions (lower case) by srs_id.
_SRS_NAMES: dict[int, frozenset[str]] = {
    -1: frozenset({"undefined cartesian srs"}),
    0: frozenset({"undefined geographic srs"}),
    4326: frozenset({"wgs 84 geodetic", "wgs 84"}),
    27700: frozenset({"osgb36 / british national grid", "osgb 1936 / british national grid"}),
}
_SRS_DESCRIPTIONS = frozenset(
    {
        "",
        "undefined",
        "undefined cartesian coordinate reference system",
        "undefined geographic coordinate reference system",
        "longitude/latitude coordinates in decimal degrees on the wgs 84 spheroid",
    }
)
_RTREE_EXTENSION = "gpkg_rtree_index"
_RTREE_DEFINITION = re.compile(r"^https?://www\.geopackage\.org/spec\d*/#extension_rtree$")
#: Tables a trigger's SQL names (after ON, INTO, UPDATE, FROM, JOIN).
_SQL_TABLE = re.compile(
    r"\b(?:ON|INTO|UPDATE|FROM|JOIN|TABLE)\s+(?:\"((?:[^\"]|\"\")+)\"|'((?:[^']|'')+)'"
    r"|`([^`]+)`|\[([^\]]+)\]|([A-Za-z_][A-Za-z0-9_$]*))",
    flags=re.IGNORECASE,
)
_SQL_WORDS = frozenset({"each", "row", "conflict", "abort", "new", "old", "of", "on", "select"})
#: The message of a RAISE() in a trigger (text, not a table name).
_SQL_RAISE = re.compile(r"RAISE\s*\(\s*\w+\s*,\s*'(?:[^']|'')*'\s*\)", flags=re.IGNORECASE)


def _shown(name: object) -> str:
    """Return an object's name as shown in a message, or a placeholder when it may be data.

    Only plain SQL identifiers (letters, digits, ``_``; at most 48 characters, no run of
    four digits) are shown: a name like a phone number, an email or a postcode is not.
    """
    text = str(name)
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,47}", text) and not re.search(r"[0-9]{4}", text):
        return repr(text)
    return "(name not shown: it may hold personal data)"


@contextmanager
def open_readonly(path: Path) -> Iterator[sqlite3.Connection]:
    """Open an SQLite file read-only and immutable (nothing is ever written to it)."""
    uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        yield connection


@dataclass(frozen=True)
class Allowed:
    """What a package of a given layout may hold."""

    #: name -> (type, table it belongs to)
    objects: Mapping[str, tuple[str, str]]
    #: the layers' tables, each with the layouts it may have
    layers: Mapping[str, tuple[Layer, ...]]

    @property
    def tables(self) -> frozenset[str]:
        """Every table (real or virtual) that may exist."""
        return frozenset(n for n, (kind, _) in self.objects.items() if kind == "table")


def allowed_objects(*layouts: Mapping[str, Layer]) -> Allowed:
    """Return the SQLite objects a package of one of these layouts may hold.

    Parameters
    ----------
    *layouts : mapping of str to Layer
        Every layer of the package, ``metadata`` included; several layouts when the
        package's is not known yet (before its metadata is read).

    Returns
    -------
    Allowed
        Object names with their type and table.
    """
    objects: dict[str, tuple[str, str]] = {t: ("table", t) for t in _GPKG_TABLES}
    objects.update({t: ("trigger", "gpkg_tile_matrix") for t in _TILE_TRIGGERS})
    layers: dict[str, tuple[Layer, ...]] = {}
    for name, layer in ((n, lay) for layout in layouts for n, lay in layout.items()):
        layers[name] = (*layers.get(name, ()), layer)
        objects[name] = ("table", name)
        for when in ("insert", "delete"):
            objects[f"trigger_{when}_feature_count_{name}"] = ("trigger", name)
        if layer.geometry is not None:
            rtree = f"rtree_{name}_{GEOMETRY_COLUMN}"
            objects[rtree] = ("table", rtree)
            objects.update({rtree + s: ("table", rtree + s) for s in _RTREE_SHADOWS})
            objects.update({rtree + t: ("trigger", name) for t in _RTREE_TRIGGERS})
    return Allowed(objects, layers)


def _refuse(label: str, what: str) -> IntegrityError:
    return IntegrityError(
        f"{label}: {what}, which the package format does not define. A package holds only "
        "its layers, their spatial indexes and the GeoPackage tables; anything else could "
        "carry data the digest and MAC do not cover. Refused; ask the sender for the package "
        "as peermap wrote it."
    )


def _trigger_tables(sql: str) -> set[str]:
    names: set[str] = set()
    for match in _SQL_TABLE.finditer(_SQL_RAISE.sub("RAISE()", sql)):
        quoted = next(g for g in match.groups() if g is not None)
        name = quoted.replace('""', '"').replace("''", "'")
        if match.group(5) is not None and name.lower() in _SQL_WORDS:
            continue
        names.add(name)
    return names


def check_objects(
    connection: sqlite3.Connection, allowed: Allowed, label: str, *, columns: bool = True
) -> None:
    """Refuse any table, view, index or trigger the format does not define.

    Parameters
    ----------
    connection : sqlite3.Connection
        The package, open read-only.
    allowed : Allowed
        From :func:`allowed_objects`.
    label : str
        How to name the file in messages.
    columns : bool, default True
        Check each layer's columns too (when its layout, with any declared extra
        columns, is known).

    Raises
    ------
    IntegrityError
        Naming the first object that is not allowed (never showing what it holds).
    """
    rows = connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    tables = allowed.tables
    registered = {row[0] for row in _rows(connection, "gpkg_contents")}
    for kind, name, table, sql in rows:
        if kind == "index":
            auto = re.fullmatch(r"sqlite_autoindex_(.+)_\d+", str(name))
            if sql is None and auto and auto.group(1) == table and table in tables:
                continue
            raise _refuse(label, f"it holds an index {_shown(name)} on table {_shown(table)}")
        expected = allowed.objects.get(str(name))
        if expected is None or expected != (kind, table):
            what = "an unexpected layer" if name in registered else f"a {kind}"
            raise _refuse(label, f"it holds {what} {_shown(name)}")
        virtual = str(sql or "").lstrip().upper().startswith("CREATE VIRTUAL")
        if virtual and not (
            re.search(r"\bUSING\s+rtree\s*\(", str(sql), flags=re.IGNORECASE)
            and str(name).startswith("rtree_")
        ):
            raise _refuse(label, f"it holds a virtual table {_shown(name)}")
        if kind == "trigger":
            others = sorted(_trigger_tables(str(sql or "")) - tables)
            if others:
                raise _refuse(label, f"its trigger {_shown(name)} refers to {_shown(others[0])}")
    if columns:
        for name, (layer, *_) in allowed.layers.items():
            _check_columns(connection, name, layer, label)
    _check_registries(connection, allowed, label)


def _check_columns(connection: sqlite3.Connection, name: str, layer: Layer, label: str) -> None:
    info = connection.execute(f'PRAGMA table_info("{name}")').fetchall()
    if not info:
        return  # a missing layer is reported by the layer checks
    keys = [row for row in info if row[5]]
    if len(keys) != 1 or str(keys[0][2]).upper() != "INTEGER":
        raise _refuse(label, f"its layer {name} has a primary key other than one integer fid")
    geometry = connection.execute(
        "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (name,)
    ).fetchall()
    expected = {str(keys[0][1]), *layer.names, *(str(g[0]) for g in geometry)}
    for row in info:
        if str(row[1]) not in expected:
            raise _refuse(label, f"its layer {name} has a column {_shown(row[1])}")


def has_table(connection: sqlite3.Connection, table: str) -> bool:
    """Return whether the database holds a table of this name.

    Parameters
    ----------
    connection : sqlite3.Connection
        The database.
    table : str
        The table's name.

    Returns
    -------
    bool
        True when ``sqlite_master`` lists it as a table.
    """
    found = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    return found is not None


def _rows(connection: sqlite3.Connection, table: str) -> list[tuple[object, ...]]:
    if not has_table(connection, table):
        return []
    return connection.execute(f'SELECT * FROM "{table}"').fetchall()


def _check_registries(connection: sqlite3.Connection, allowed: Allowed, label: str) -> None:
    layers = allowed.layers
    spatial = {n: c for n, c in layers.items() if c[0].geometry is not None}
    for row in _rows(connection, "gpkg_contents"):
        table, data_type, identifier, description = (row[0], row[1], row[2], row[3])
        candidates = layers.get(str(table))
        if candidates is None:
            raise _refuse(label, f"gpkg_contents registers a table {_shown(table)}")
        expected_type = "features" if candidates[0].geometry is not None else "attributes"
        if (
            data_type != expected_type
            or identifier not in (None, "", table)
            or description not in (None, "", *(c.description for c in candidates))
        ):
            raise _refuse(
                label, f"gpkg_contents holds for layer {table} an entry other than the format's"
            )
    for row in _rows(connection, "gpkg_geometry_columns"):
        table, _column, geometry_type, srs, z, m = row[:6]
        found = spatial.get(str(table))
        if (
            found is None
            or str(geometry_type).upper() != str(found[0].geometry).upper()
            or srs != _SRS
            or z not in (0, 2)
            or m not in (0, 2)
        ):
            raise _refuse(label, f"gpkg_geometry_columns holds an entry for {_shown(table)}")
    for row in _rows(connection, "gpkg_extensions"):
        table, column, extension, definition, scope = row[:5]
        ok = (
            str(table) in spatial
            and extension == _RTREE_EXTENSION
            and _RTREE_DEFINITION.match(str(definition))
            and scope == "write-only"
            and column is not None
        )
        if not ok:
            raise _refuse(
                label, f"gpkg_extensions declares extension {_shown(extension)} on {_shown(table)}"
            )
    for row in _rows(connection, "gpkg_ogr_contents"):
        if str(row[0]) not in layers or not (row[1] is None or isinstance(row[1], int)):
            raise _refuse(label, f"gpkg_ogr_contents holds an entry for {_shown(row[0])}")
    for row in _rows(connection, "sqlite_sequence"):
        if str(row[0]) not in layers or not isinstance(row[1], int):
            raise _refuse(label, f"sqlite_sequence holds an entry for {_shown(row[0])}")
    for table in ("gpkg_tile_matrix_set", "gpkg_tile_matrix"):
        if _rows(connection, table):
            raise _refuse(label, f"its table {table} holds rows (a package has no tiles)")
    _check_srs(connection, label)


def _check_srs(connection: sqlite3.Connection, label: str) -> None:
    columns = [r[1] for r in connection.execute("PRAGMA table_info(gpkg_spatial_ref_sys)")]
    if columns[:5] != [
        "srs_name",
        "srs_id",
        "organization",
        "organization_coordsys_id",
        "definition",
    ]:
        raise _refuse(label, "its table gpkg_spatial_ref_sys has other columns")
    if any(c not in ("description",) for c in columns[5:]):
        raise _refuse(label, "its table gpkg_spatial_ref_sys has other columns")
    for row in connection.execute("SELECT * FROM gpkg_spatial_ref_sys").fetchall():
        name, srs, organization, code, definition = row[:5]
        description = row[5] if len(row) > 5 else None
        names = _SRS_NAMES.get(srs) if isinstance(srs, int) else None
        ok = (
            names is not None
            and str(name).strip().lower() in names
            and (description is None or str(description).strip().lower() in _SRS_DESCRIPTIONS)
            and code == srs
            and str(organization).upper() == ("EPSG" if srs > 0 else "NONE")
            and _srs_definition_ok(srs, definition)
        )
        if not ok:
            raise _refuse(label, f"gpkg_spatial_ref_sys holds an entry for srs_id {_shown(srs)}")


def _srs_definition_ok(srs: int, definition: object) -> bool:
    if srs <= 0:
        return str(definition).strip().lower() == "undefined"
    try:
        given = CRS.from_wkt(str(definition))
    except Exception:  # pyproj raises its own CRSError or ValueError
        return False
    reference = CRS.from_epsg(srs)
    return bool(given.equals(reference)) and given.name == reference.name


# ----------------------------------------------------------------- spatial index, blobs


def check_contents(
    connection: sqlite3.Connection,
    layers: Mapping[str, tuple[Layer, pa.Table]],
    fids: Mapping[str, list[int]],
    label: str,
) -> None:
    """Check what GDAL does not show: geometry blobs and spatial indexes.

    A geometry blob must be the GeoPackage header (``GP``, version 0, little or big
    endian, srs 27700, no envelope or an XY envelope equal to the geometry's bounds)
    followed by exactly the geometry's ISO WKB; a layer's R-tree must hold one box per
    non-empty geometry, that geometry's bounds (to float32 precision), and pass SQLite's
    ``rtreecheck``.

    Parameters
    ----------
    connection : sqlite3.Connection
        The package, open read-only.
    layers : mapping of str to (Layer, pyarrow.Table)
        The layers as read (geometry as ISO WKB in ``geom``).
    fids : mapping of str to list of int
        Each layer's fids, in the order of its table.
    label : str
        How to name the file in messages.

    Raises
    ------
    IntegrityError
        Naming the layer and row.
    """
    for name, (layer, table) in layers.items():
        if layer.geometry is None:
            continue
        column = connection.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (name,)
        ).fetchone()
        if column is None:
            raise _refuse(label, f"its layer {name} has no registered geometry column")
        geom = str(column[0]).replace('"', '""')
        stored = dict(connection.execute(f'SELECT rowid, "{geom}" FROM "{name}"').fetchall())
        wkb = _canonical_wkb(table.column(GEOMETRY_COLUMN).to_pylist())
        bounds: dict[int, tuple[float, float, float, float]] = {}
        for fid, expected in zip(fids[name], wkb, strict=True):
            blob = stored.get(fid)
            box = _check_blob(blob, expected, f"{label} [layer {name}], row {fid}")
            if box is not None:
                bounds[fid] = box
        _check_rtree(connection, name, str(column[0]), bounds, label)


def _canonical_wkb(blobs: list[bytes | None]) -> list[bytes | None]:
    """Return the geometries as ISO WKB, little-endian, XY: the form a package stores."""
    present = [b for b in blobs if b is not None]
    encoded = iter(
        shapely.to_wkb(shapely.from_wkb(present), byte_order=1, output_dimension=2, flavor="iso")
    )
    return [None if b is None else bytes(next(encoded)) for b in blobs]


def _check_blob(
    blob: object, wkb: bytes | None, where: str
) -> tuple[float, float, float, float] | None:
    """Check one GeoPackage geometry blob; return its bounds (None when null or empty)."""
    if blob is None and wkb is None:
        return None
    if not isinstance(blob, bytes) or wkb is None or len(blob) < 8 or blob[:3] != b"GP\x00":
        raise IntegrityError(f"{where}: the geometry is not a GeoPackage geometry blob")
    flags = blob[3]
    order = "<" if flags & 1 else ">"
    envelope = (flags >> 1) & 0b111
    (srs,) = struct.unpack(order + "i", blob[4:8])
    if flags & 0b11100000 or envelope > 1 or srs != _SRS:
        raise IntegrityError(
            f"{where}: the geometry blob's header is not one the format defines (flags, "
            "envelope or spatial reference system)"
        )
    size = 32 if envelope == 1 else 0
    if blob[8 + size :] != wkb:
        raise IntegrityError(
            f"{where}: the geometry blob holds more or other bytes than the geometry "
            "(the format stores exactly its ISO WKB after the header)"
        )
    geometry = shapely.from_wkb(wkb)
    if shapely.is_empty(geometry):
        return None
    minx, miny, maxx, maxy = (float(v) for v in shapely.bounds(geometry))
    if envelope == 1:
        stated = struct.unpack(order + "4d", blob[8:40])
        if stated != (minx, maxx, miny, maxy):
            raise IntegrityError(
                f"{where}: the geometry blob's envelope is not the geometry's bounds"
            )
    return minx, miny, maxx, maxy


def _check_rtree(
    connection: sqlite3.Connection,
    name: str,
    column: str,
    bounds: Mapping[int, tuple[float, float, float, float]],
    label: str,
) -> None:
    rtree = f"rtree_{name}_{column}"
    if not has_table(connection, rtree):
        return
    where = f"{label} [layer {name}]"
    try:
        verdict = connection.execute("SELECT rtreecheck(?)", (rtree,)).fetchone()
    except sqlite3.DatabaseError:
        verdict = ("damaged",)
    if verdict is None or verdict[0] != "ok":
        raise IntegrityError(f"{where}: its spatial index is damaged (rtreecheck fails)")
    boxes = connection.execute(f'SELECT id, minx, maxx, miny, maxy FROM "{rtree}"').fetchall()
    if len(boxes) != len(bounds):
        raise IntegrityError(
            f"{where}: its spatial index holds {len(boxes)} boxes for {len(bounds)} geometries"
        )
    for fid, minx, maxx, miny, maxy in boxes:
        expected = bounds.get(int(fid))
        if expected is None:
            raise IntegrityError(f"{where}: its spatial index holds a box for no row (id {fid})")
        ex_minx, ex_miny, ex_maxx, ex_maxy = expected
        # R-tree boxes are float32, rounded outwards: within float32 spacing of the bounds.
        stated = np.array([minx, miny, maxx, maxy], dtype=float)
        exact = np.array([ex_minx, ex_miny, ex_maxx, ex_maxy], dtype=float)
        tolerance = np.spacing(np.abs(exact).astype(np.float32)).astype(float) * 2
        if not np.all(np.abs(stated - exact) <= tolerance):
            raise IntegrityError(
                f"{where}, row {fid}: its spatial index box is not the geometry's bounds"
            )
