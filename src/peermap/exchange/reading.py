"""Reading packages: file checks, structure, version, integrity, then the records.

:func:`read_package` reads a partnership package back into a
:class:`~peermap.dataset.Dataset` (validated like :func:`peermap.read_dataset`),
:func:`read_aggregate` an aggregate package into an :class:`AggregatePackage`, and
:func:`canonical_form` returns the bytes a package's digest and MAC cover. Every read
goes through :func:`load`: the file must be a whole GeoPackage, a peermap package of a
schema version this peermap reads, with the layers and columns of its layout, the row
counts its metadata lists, and a content matching its MAC (with the key) or digest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import os
import re
import sqlite3
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio
import pyogrio.errors
import shapely
from pyproj import CRS

from peermap import settings
from peermap._atomic import clean_leftovers
from peermap.boundaries import Boundaries
from peermap.dataset import Dataset
from peermap.exceptions import IntegrityError, PeermapWarning, PrivacyError, ValidationError
from peermap.exchange.canonical import canonical, mac
from peermap.exchange.layout import (
    AUDIENCES,
    CLK_LAYER,
    DERIVED_NAMES,
    FORMAT,
    GEOMETRY_COLUMN,
    LAYOUTS,
    METADATA_KEYS,
    METADATA_LAYER,
    Layer,
)
from peermap.exchange.structure import (
    allowed_objects,
    check_contents,
    check_objects,
    has_table,
    open_readonly,
)
from peermap.merging import PROVENANCE, normalise_provenance
from peermap.privacy import KeyLike, PartnershipKey, load_key
from peermap.privacy.identifiers import identifier_rule
from peermap.schema import (
    DTYPES,
    SCHEMA_VERSION,
    TABLE_ORDER,
    TABLES,
    cast_column,
    check_readable,
    is_online,
)

__all__ = ["AggregatePackage", "canonical_form", "read_aggregate", "read_package"]

_SQLITE_MAGIC = b"SQLite format 3\x00"
_GPKG_APPLICATION_ID = b"GPKG"
#: GeoPackage column type of each kind (as GDAL reports it).
_OGR_TYPES: dict[str, tuple[tuple[str, str], ...]] = {
    "text": (("OFTString", "OFSTNone"),),
    "int": (("OFTInteger64", "OFSTNone"), ("OFTInteger", "OFSTNone")),
    "float": (("OFTReal", "OFSTNone"),),
    "bool": (("OFTInteger", "OFSTBoolean"),),
    "date": (("OFTDate", "OFSTNone"),),
}
_SQL_TYPE = {"text": "TEXT", "int": "INTEGER", "float": "REAL", "bool": "BOOLEAN", "date": "DATE"}


@dataclass
class Loaded:
    """A package's layers as stored, after the file and integrity checks."""

    label: str
    meta: dict[str, str]
    layers: dict[str, tuple[Layer, pa.Table]]
    fids: dict[str, list[int]]
    verified: bool


#: Upgraders from one schema version to the next, keyed by the older version. Each takes
#: the loaded package (already verified as written) and returns it in the next
#: version's layout. Schema 1.1 is additive: a 1.0 package's places gain an empty
#: ``platform``; its metadata keeps the version it was written with.
UPGRADES: dict[str, Callable[[Loaded], Loaded]] = {}


def _upgrade_1_0(loaded: Loaded) -> Loaded:
    """Upgrade schema 1 to 1.1: places gain an empty ``platform`` (1.0 had no online places)."""
    audience = loaded.meta["audience"]
    layers = dict(loaded.layers)
    if audience == "partnership":
        old, table = layers["places"]
        new = LAYOUTS["1.1"][audience]()["places"]
        added = [c for c in new.names if c not in old.names]
        columns = old.columns + tuple((c, "text") for c in added)
        layer = Layer(old.name, columns, old.geometry, old.description)
        for column in added:
            table = table.append_column(column, pa.nulls(table.num_rows, type=pa.string()))
        layers["places"] = (layer, table)
    return dataclasses.replace(loaded, layers=layers)


UPGRADES["1"] = _upgrade_1_0


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
    try:
        with open_readonly(path) as connection:
            result = connection.execute("PRAGMA quick_check").fetchall()
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
    meta, table = _arrow_layer(path, name, label, return_fids=True)
    return cast(dict[str, Any], meta), table


#: What GDAL says of a cell whose stored value is not of its field's type ("Invalid
#: content ...": it then reads 0, False or 1970-01-01) or not in its form ("Non-conformant
#: content ..., successfully parsed"); both warnings quote the value.
_INVALID_CONTENT = re.compile(r"content for record (\d+) in column ([^\s,:]+)")


def _arrow_layer(path: Path, name: str, label: str, **options: Any) -> tuple[Any, pa.Table]:
    """Read a layer as Arrow, refusing cells GDAL would coerce and text that is not UTF-8.

    GDAL reads a text cell stored in a whole-number or date field (``'fifteen'`` as an
    age) as 0 or 1970-01-01 with a warning that quotes the value: the cell is refused
    here by record and column, its value not shown (it may identify someone).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            meta, table = pyogrio.read_arrow(str(path), layer=name, **options)
        except _GDAL_ERRORS as exc:
            raise ValidationError(f"{label} [layer {name}]: cannot be read ({exc})") from None
    for warning in caught:
        found = _INVALID_CONTENT.search(str(warning.message))
        if found is not None:
            raise ValidationError(
                f"{label} [layer {name}]: record {found[1]}, column {found[2]}: the value "
                "stored is not of the column's type (not shown); the file was not written "
                "by peermap as it is: ask the sender for it again"
            )
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    try:
        table.validate(full=True)
    except pa.ArrowInvalid:
        raise ValidationError(
            f"{label} [layer {name}]: a cell holds bytes that are not UTF-8 text; the file "
            "was not written by peermap as it is: ask the sender for it again"
        ) from None
    return meta, table


#: Metadata that must be a GSS code, and free text that must not identify anyone (read
#: as an area's name: "Amber Valley" is a council, not a person).
_GSS_META = re.compile(r"[A-Z][0-9]{8}")
_FREE_META = ("producer_name", "boundary_source", "boundary_attribution", "boundary_vintage")


def _screen_metadata(meta: Mapping[str, str], label: str) -> None:
    """Refuse metadata a package cannot hold, without showing it: ``info`` prints it."""
    producer = meta.get("producer", "")
    if producer and not _GSS_META.fullmatch(producer):
        raise ValidationError(
            f"{label}: metadata 'producer' is not a GSS code, a letter and 8 digits (the "
            "value is not shown): not a package peermap wrote"
        )
    _check_dates_meta(meta, label)
    for name in _FREE_META:
        rule = identifier_rule(meta.get(name, ""), table="places", column="authority_name")
        if rule is not None:
            raise PrivacyError(
                f"{label}: metadata {name!r} holds text that looks like identifying data "
                f"(rule {rule!r}; not shown): not a package peermap wrote"
            )


def _check_dates_meta(meta: Mapping[str, str], label: str) -> None:
    """Refuse a package whose dates cannot be: not dates, or a period ending before it starts.

    peermap writes ``created`` as an ISO date-time and the period as ISO dates in order;
    anything else was written by hand, and an output stating "2025-01-01 to 2023-01-01"
    would be stating nonsense.
    """

    def parsed(name: str, kind: type[dt.date]) -> dt.date | None:
        text = meta.get(name) or ""
        if not text:
            return None
        try:
            return kind.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(
                f"{label}: metadata {name!r} is not an ISO "
                f"{'date-time' if kind is dt.datetime else 'date'} (the value is not "
                "shown): not a package peermap wrote"
            ) from None

    parsed("created", dt.datetime)
    start, end = parsed("period_start", dt.date), parsed("period_end", dt.date)
    if start is not None and end is not None and start > end:
        raise ValidationError(
            f"{label}: metadata 'period_start' is after 'period_end': not a package peermap wrote"
        )


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
    _screen_metadata(meta, label)
    return meta


def _check_version(meta: Mapping[str, str], label: str) -> str:
    if meta.get("format") != FORMAT:
        raise ValidationError(
            f"{label}: not a peermap package (metadata 'format' is {meta.get('format')!r}, "
            f"expected {FORMAT!r})"
        )
    version = check_readable(meta.get("schema_version", ""), what=label)
    if version not in LAYOUTS:
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


#: The SQLite storage classes a cell of each kind of column may have (GDAL reads a text
#: cell in a whole-number column as 0, without a word).
_STORAGE = {"int": ("integer",), "bool": ("integer",), "float": ("real", "integer")}
_STORED_AS = {"int": "a whole number", "bool": "true or false", "float": "a number"}


def _check_storage(path: Path, layer: Layer, label: str) -> None:
    """Refuse a number column holding a cell of another type, by row (value not shown)."""
    where = f"{label} [layer {layer.name}]"
    with open_readonly(path) as connection:
        for name, kind in layer.columns:
            allowed = _STORAGE.get(kind)
            if allowed is None:
                continue
            quoted = ", ".join(f"'{a}'" for a in (*allowed, "null"))
            # A BOOLEAN column holds 0 or 1 (GeoPackage; GDAL reads any other whole
            # number in it as true, without a word).
            other = f' OR "{name}" NOT IN (0, 1)' if kind == "bool" else ""
            found = connection.execute(
                f'SELECT rowid FROM "{layer.name}" WHERE typeof("{name}") NOT IN ({quoted})'
                f"{other} LIMIT 1"
            ).fetchone()
            if found is not None:
                raise ValidationError(
                    f"{where}: record {found[0]}, column {name}: the value stored is not "
                    f"{_STORED_AS[kind]} (not shown); the file was not written by peermap as "
                    "it is: ask the sender for it again"
                )


def _check_fields(info: Mapping[str, Any], layer: Layer, label: str) -> None:
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


def _unsigned(where: str, audience: str, fingerprint: str, signature: str) -> str:
    """Return the message refusing a package whose signature was removed (a downgrade)."""
    lacking = " and ".join(
        what for what, value in (("key_fingerprint", fingerprint), ("mac", signature)) if not value
    )
    if audience == "partnership":
        why = (
            "a partnership package (records) is always signed with the partnership key, so "
            "its signature was removed and its content cannot be trusted"
        )
    else:
        why = "a package signed with a key carries both, so its signature was tampered with"
    return (
        f"{where}: the metadata has no {lacking}: {why}. Refused; ask the sender for the "
        "package again."
    )


def load(
    path: str | os.PathLike[str],
    key: PartnershipKey | None,
    label: str | None = None,
    *,
    upgrade: bool = True,
) -> Loaded:
    """Open a package, check its structure, version, counts, fingerprint and integrity.

    With ``upgrade`` (the default) the layers are brought to this peermap's schema
    version (:data:`UPGRADES`); without, they are as stored (the canonical form).
    """
    p = Path(path)
    where = label or str(p)
    clean_leftovers(p.parent)  # copies that writes killed outright left behind
    _check_file(p, where)
    # Before GDAL opens a package: only what some package may hold (its layout is not
    # known until the metadata is read; it is checked exactly below). A file without a
    # metadata table is not a package at all, and is told so below.
    every_layout = [
        {**make(), "metadata": METADATA_LAYER}
        for layouts in LAYOUTS.values()
        for make in layouts.values()
    ]
    every_layout.append({CLK_LAYER.name: CLK_LAYER})
    with open_readonly(p) as connection:
        if has_table(connection, "metadata"):
            check_objects(connection, allowed_objects(*every_layout), where, columns=False)
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
    layout = LAYOUTS[version][audience]()
    if audience == "partnership":
        extras = _declared_extras(meta, where)
        layout = {
            n: (lay.with_extras(extras.get(n, [])) if n in TABLES else lay)
            for n, lay in layout.items()
        }
        if CLK_LAYER.name in names or f"count_{CLK_LAYER.name}" in meta:
            layout[CLK_LAYER.name] = CLK_LAYER  # optional; its row count is signed
    expected = set(layout) | {"metadata"}
    if names != expected:
        lacking, surplus = sorted(expected - names), sorted(names - expected)
        parts = []
        if lacking:
            parts.append("missing layer(s) " + ", ".join(lacking))
        if surplus:
            parts.append("unexpected layer(s) " + ", ".join(surplus))
        raise ValidationError(f"{where}: not a {audience} package: " + "; ".join(parts))
    with open_readonly(p) as connection:
        check_objects(connection, allowed_objects({**layout, "metadata": METADATA_LAYER}), where)
    fingerprint = meta["key_fingerprint"]
    if bool(fingerprint) != bool(meta["mac"]) or (audience == "partnership" and not fingerprint):
        raise IntegrityError(_unsigned(where, audience, fingerprint, meta["mac"]))
    if key is not None:
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
    layers: dict[str, tuple[Layer, pa.Table]] = {}
    fids: dict[str, list[int]] = {}
    for name, layer in layout.items():
        info, table = _read_layer(p, name, where)
        _check_fields(info, layer, where)
        _check_storage(p, layer, where)
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
    with open_readonly(p) as connection:
        check_contents(connection, layers, fids, where)
    data = canonical(meta, list(layers.values()))
    if key is not None:
        if not hmac.compare_digest(mac(key, data), meta["mac"]):
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
    loaded = Loaded(where, meta, layers, fids, verified)
    steps = list(LAYOUTS)
    for step in steps[steps.index(version) : steps.index(SCHEMA_VERSION)] if upgrade else []:
        loaded = UPGRADES[step](loaded)
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
    loaded = load(path, None, upgrade=False)
    return canonical(loaded.meta, list(loaded.layers.values()))


def _frame(layer: Layer, table: pa.Table, fids: list[int], columns: Iterable[str]) -> pd.DataFrame:
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
        report.problems = [
            dataclasses.replace(p, file=f"{label} [layer {p.table}]")
            if p.file.startswith("<")
            else p
            for p in report.problems
        ]
        report.files = {t: f"{label} [layer {t}]" for t in report.files}
    return type(exc)(message, report)


def _boundaries_from(loaded: Loaded) -> Boundaries | None:
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
        # The writer's boundaries were repaired and reported when first read; the same
        # repair found again here (rounding in the package) is recorded in their attrs
        # ("overlaps_resolved"), not warned about on every read.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PeermapWarning)
            bounds = Boundaries.load(gdf, attribution=meta["boundary_attribution"] or None)
    except ValueError as exc:
        raise ValidationError(f"{loaded.label} [layer authorities]: {exc}") from None
    vintage = meta["boundary_vintage"]
    return dataclasses.replace(
        bounds,
        source=meta["boundary_source"] or f"{loaded.label} [layer authorities]",
        layer="authorities",
        vintage=int(vintage) if vintage.isdigit() else None,
        fictional=meta["boundary_fictional"] == "true",
    )


def read_partnership(
    path: str | os.PathLike[str], key: PartnershipKey | None, label: str | None
) -> Dataset:
    """Read a partnership package with a loaded key (or none); ``label`` names it in errors."""
    from peermap.validation import read_dataset

    loaded = load(path, key, label)
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
        columns = [c for c in layer.names if c in spec or c not in (PROVENANCE, *DERIVED_NAMES)]
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


def _check_points(loaded: Loaded, places: gpd.GeoDataFrame) -> None:
    """Check the stored points lie where easting and northing say (what GIS users see)."""
    _, table = loaded.layers["places"]
    if table.num_rows == 0:
        return
    stored = shapely.from_wkb(table.column(GEOMETRY_COLUMN).to_pylist())
    east = np.asarray(table.column("easting").to_pylist(), dtype=float)
    north = np.asarray(table.column("northing").to_pylist(), dtype=float)
    gap = shapely.distance(stored, shapely.points(east, north))
    # An online place (schema 1.1) has neither a point nor coordinates.
    online = is_online(pd.Series(table.column("kind").to_pylist(), dtype=object)).to_numpy()
    bad = ~(gap <= 1.0) & ~(online & shapely.is_missing(stored) & np.isnan(east))
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
    return read_partnership(path, secret, None)


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


def _typed_table(layer: Layer, table: pa.Table) -> pd.DataFrame:
    return pd.DataFrame(
        {
            name: cast_column(table.column(name).to_pylist(), DTYPES[kind])
            for name, kind in layer.columns
        }
    )


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
    loaded = load(path, secret)
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


def check_geopackage(path: str | os.PathLike[str]) -> None:
    """Refuse a GeoPackage that is damaged or cut short, whatever it holds.

    The first checks :func:`read_package` makes, for any SQLite file: ``peermap info``
    says of a damaged file that it is damaged, before trying it as a boundary file.
    Other files pass (they are not SQLite databases: nothing to say here).

    Raises
    ------
    IntegrityError
        A truncated or damaged database.
    ValidationError
        An SQLite database that is not a GeoPackage.
    """
    p = Path(path)
    with open(p, "rb") as fh:
        head = fh.read(len(_SQLITE_MAGIC))
    if head == _SQLITE_MAGIC:
        _check_file(p, str(p))


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
        cannot be read by GDAL, has no ``metadata`` layer of keys and values (readable
        as UTF-8 text), or its ``format`` is not a peermap package.

    Raises
    ------
    ValidationError
        For a package whose ``producer`` is not a GSS code.
    PrivacyError
        For a package whose metadata text (``producer_name``, the boundaries' source,
        vintage or attribution) looks like identifying data. Neither shows the value:
        ``peermap info`` prints the metadata it returns.
    """
    try:
        layers = {str(name) for name in pyogrio.list_layers(str(path))[:, 0]}
        if "metadata" not in layers:
            return None
        _, table = _arrow_layer(Path(path), "metadata", str(path))
    except (*_GDAL_ERRORS, OSError, ValidationError):
        return None
    if not {"key", "value"} <= set(table.column_names):
        return None
    meta = {
        str(k): "" if v is None else str(v)
        for k, v in zip(
            table.column("key").to_pylist(), table.column("value").to_pylist(), strict=True
        )
    }
    if meta.get("format") != FORMAT:
        return None
    _screen_metadata(meta, str(path))
    return meta
