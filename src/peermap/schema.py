"""Record schema 1.1: the five tables that authorities exchange.

This module is the single statement of the contract: table names, columns, their
types, which are required, the allowed values of every enumerated column, the
foreign keys between tables (``ColumnSpec.references``) and the pandas dtype every
column is read as (``ColumnSpec.dtype``, applied by :func:`cast_column`). The rest of
peermap derives from it: the :class:`~peermap.Dataset` tables, the reference checks
of :func:`peermap.read_dataset` ("no such person"), the typed frames of the reader,
of :func:`peermap.merge` and of exchange packages. ``docs/schema.md`` documents the
same contract for people; the tests check that the two agree.

Column names match case-insensitively with surrounding spaces ignored; enumerated
values likewise, and spaces or hyphens inside a value read as underscores
(``"Transport Hub"`` reads as ``transport_hub``).

Versions are additive: schema 1.1 adds online places (place ``kind`` ``online`` with a
``platform``) and two sighting contexts. Each column and enumerated value says the
version that introduced it (:attr:`ColumnSpec.since`, :attr:`ColumnSpec.values_since`),
so :func:`content_version` tells the version a dataset needs (a dataset that uses
none of 1.1's values is written as version 1 and read by every peermap) and
:func:`check_readable` refuses a file newer than its reader, naming the version needed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from peermap.exceptions import ValidationError

__all__ = [
    "CONTEXTS",
    "DERIVED",
    "DTYPES",
    "LOCATION_COLUMNS",
    "ONLINE_CONTEXTS",
    "ONLINE_ONLY_COLUMNS",
    "ONLINE_PLACE_KINDS",
    "PHYSICAL_PLACE_KINDS",
    "PLACE_KINDS",
    "PLATFORMS",
    "REFERENCED",
    "RELIABILITIES",
    "RELIABILITY_DTYPE",
    "RELIABILITY_RANK",
    "RELOCATION_KINDS",
    "SCHEMA_VERSION",
    "SCHEMA_VERSIONS",
    "SEXES",
    "SOURCES",
    "TABLES",
    "TABLE_ORDER",
    "TIE_KINDS",
    "ColumnSpec",
    "ForeignKey",
    "TableSpec",
    "cast_column",
    "check_readable",
    "content_version",
    "is_online",
    "normalise_column_name",
    "normalise_enum_value",
    "version_key",
]

#: The record schema version this peermap writes at most and reads (1.1). Files record
#: the version their content needs (:func:`content_version`): ``"1"`` (1.0) or ``"1.1"``.
SCHEMA_VERSION = "1.1"
#: Every version this peermap reads, oldest first (``"1"`` is 1.0).
SCHEMA_VERSIONS: tuple[str, ...] = ("1", "1.1")

ColumnType = Literal["id", "authority", "int", "float", "enum", "date", "bool", "text"]

SEXES: tuple[str, ...] = ("F", "M", "X", "unknown")
PLACE_KINDS: tuple[str, ...] = (
    "school",
    "hotel",
    "park",
    "transport_hub",
    "fast_food",
    "shopping_centre",
    "residential",
    "youth_venue",
    "other",
    "online",
)
#: Places with no location: a group chat, a platform, a gaming server (schema 1.1).
#: They have no coordinates and no authority; coordinates given for them are an error.
ONLINE_PLACE_KINDS: tuple[str, ...] = ("online",)
#: Places with a location (every kind of schema 1.0): they need coordinates.
PHYSICAL_PLACE_KINDS: tuple[str, ...] = tuple(k for k in PLACE_KINDS if k not in ONLINE_PLACE_KINDS)
#: The platform of an online place (schema 1.1, optional).
PLATFORMS: tuple[str, ...] = (
    "snapchat",
    "instagram",
    "whatsapp",
    "tiktok",
    "telegram",
    "gaming",
    "other",
)
#: The columns that locate a place: none of them may be filled for an online place.
LOCATION_COLUMNS: tuple[str, ...] = ("lon", "lat", "easting", "northing")
#: Columns that only an online place may fill.
ONLINE_ONLY_COLUMNS: tuple[str, ...] = ("platform",)
TIE_KINDS: tuple[str, ...] = (
    "friend",
    "partner",
    "ex_partner",
    "sibling",
    "associate",
    "group_member",
    "exploiter",
)
SOURCES: tuple[str, ...] = (
    "police",
    "social_care",
    "school",
    "health",
    "youth_service",
    "voluntary_sector",
    "young_person",
    "other",
)
#: Reliability grades, weakest first. ``confirmed > corroborated > reported > unverified``.
RELIABILITIES: tuple[str, ...] = ("unverified", "reported", "corroborated", "confirmed")
#: Rank of each reliability grade (higher is more reliable).
RELIABILITY_RANK: dict[str, int] = {r: i for i, r in enumerate(RELIABILITIES)}
#: The dtype of ``reliability`` columns: ordered, so grades compare (``>= "reported"``).
RELIABILITY_DTYPE = pd.CategoricalDtype(list(RELIABILITIES), ordered=True)
CONTEXTS: tuple[str, ...] = (
    "cse",
    "cce",
    "teenage_relationship_abuse",
    "serious_youth_violence",
    "bullying",
    "harmful_sexual_behaviour",
    "missing_episode",
    "gang_association",
    "image_sharing",
    "online_harassment",
    "other",
)
#: Sighting contexts added by schema 1.1: sexting and the sharing of explicit images,
#: and harassment online (cyber-bullying). They may be recorded at any place.
ONLINE_CONTEXTS: tuple[str, ...] = ("image_sharing", "online_harassment")
RELOCATION_KINDS: tuple[str, ...] = (
    "care_placement",
    "housing",
    "education",
    "secure",
    "family",
    "other",
)


#: The pandas dtype of each column type (a column may name another: ``reliability``
#: is :data:`RELIABILITY_DTYPE`). Missing values are ``<NA>``, ``NaN`` or ``NaT``.
DTYPES: dict[str, Any] = {
    "id": "str",
    "authority": "str",
    "enum": "str",
    "text": "str",
    "int": "Int64",
    "float": "float64",
    "bool": "boolean",
    "date": "datetime64[ns]",
}


def cast_column(values: pd.Series | Sequence[Any], dtype: Any) -> pd.Series:
    """Return values as the given column dtype: the one cast every reader uses.

    :func:`peermap.read_dataset` (from parsed cells), :func:`peermap.merge` and
    :func:`peermap.datasets_equal` (from typed frames) and exchange packages (from
    and to Arrow) all cast through here, so a column has one dtype wherever it comes
    from.

    Parameters
    ----------
    values : pandas.Series or sequence
        Python values (``int``, ``float``, ``bool``, ``str``, ``datetime.date``,
        ``Timestamp``), with ``None``, ``NaN``, ``NaT`` or ``<NA>`` for missing, or a
        series of any dtype. A series keeps its index.
    dtype : str or pandas dtype
        One of :data:`DTYPES`' values or :data:`RELIABILITY_DTYPE`, as in
        :attr:`ColumnSpec.dtype`.

    Returns
    -------
    pandas.Series
        The values in ``dtype``, every missing value as its missing marker.

    Raises
    ------
    ValidationError
        When a value does not fit the dtype (a date pandas cannot hold, a whole
        number beyond 64 bits).
    """
    index = values.index if isinstance(values, pd.Series) else None
    if isinstance(values, pd.Series) and values.dtype == dtype:
        return values.copy(deep=False)
    data = np.asarray(values, dtype=object).copy()
    data[pd.isna(data)] = None
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Series(pd.Categorical(data, dtype=dtype), index=index)
    try:
        if dtype == "datetime64[ns]":
            stamps = pd.to_datetime(pd.Series(data, index=index, dtype=object))
            return stamps.astype("datetime64[ns]")
        if dtype == "float64":
            return pd.Series(np.asarray(data, dtype=float), index=index)
        return pd.Series(pd.array(data, dtype=dtype), index=index)
    except (OverflowError, pd.errors.OutOfBoundsDatetime) as exc:
        # The readers refuse such values cell by cell first; this is the last guard.
        raise ValidationError(
            f"a value does not fit a {dtype} column ({exc}); dates must lie between "
            "1900 and today, whole numbers within 15 digits"
        ) from exc


@dataclass(frozen=True)
class ForeignKey:
    """A column whose values must be the key of a row of another table.

    Attributes
    ----------
    column : str
        The referring column (``sightings.place_id``).
    table : str
        The table referred to (``places``).
    target : str
        Its key column (``place_id``).
    """

    column: str
    table: str
    target: str


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a schema table.

    Parameters
    ----------
    name : str
        Canonical column name.
    type : str
        ``id`` (non-empty text), ``authority`` (GSS code or authority name),
        ``int``, ``float``, ``enum``, ``date``, ``bool`` or ``text``.
    required : bool
        Whether the column must be present and every cell filled.
    values : tuple of str
        Allowed values of an ``enum`` column.
    description : str
        What the column holds (used in the documentation and error messages).
    references : str, optional
        ``"table.column"`` of the key this column refers to (a foreign key): every
        value must be the key of an accepted row there, or the row is rejected
        ("no such person in people.csv").
    dtype : str or pandas dtype, optional
        The pandas dtype the column is read as; default :data:`DTYPES` of its type.
    since : str, default "1"
        The schema version that introduced the column (one of :data:`SCHEMA_VERSIONS`).
    values_since : tuple of (str, str)
        ``(value, version)`` for each allowed value introduced after the column
        (``("online", "1.1")``); the others date from ``since``.
    """

    name: str
    type: ColumnType
    required: bool = True
    values: tuple[str, ...] = ()
    description: str = ""
    references: str | None = None
    dtype: Any = None
    since: str = "1"
    values_since: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.dtype is None:
            object.__setattr__(self, "dtype", DTYPES[self.type])
        if self.references is not None and self.references.count(".") != 1:
            raise ValueError(f"references={self.references!r}: expected 'table.column'")
        for value, version in ((None, self.since), *self.values_since):
            if version not in SCHEMA_VERSIONS or (value is not None and value not in self.values):
                raise ValueError(f"{self.name}: {value!r} since {version!r} is not declared")

    def value_version(self, value: str) -> str:
        """Return the schema version that introduced an allowed value of this column."""
        return dict(self.values_since).get(value, self.since)

    def values_in(self, version: str) -> tuple[str, ...]:
        """Return the allowed values a reader of ``version`` knows, in order."""
        known = version_key(version)
        return tuple(v for v in self.values if version_key(self.value_version(v)) <= known)


@dataclass(frozen=True)
class TableSpec:
    """One table of record schema v1.

    Parameters
    ----------
    name : str
        Table name; also the file stem in a dataset folder (``people.csv``).
    columns : tuple of ColumnSpec
        The schema's columns, in canonical order.
    key : tuple of str
        Columns whose values must be unique together (empty for none).
    optional_table : bool
        Whether a dataset may omit the table entirely.
    noun : str
        What one row is, in messages (``"no such person"``).
    label : str
        What the rows are, in summaries (``"young people"``).
    """

    name: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...] = ()
    optional_table: bool = False
    noun: str = ""
    label: str = ""
    column_index: dict[str, ColumnSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_index", {c.name: c for c in self.columns})

    @property
    def names(self) -> tuple[str, ...]:
        """Canonical column names in order."""
        return tuple(c.name for c in self.columns)

    def columns_in(self, version: str) -> tuple[ColumnSpec, ...]:
        """Return the columns a reader of schema ``version`` knows, in order."""
        known = version_key(version)
        return tuple(c for c in self.columns if version_key(c.since) <= known)

    @property
    def dtypes(self) -> dict[str, Any]:
        """The dtype of each column, in order."""
        return {c.name: c.dtype for c in self.columns}

    @property
    def foreign_keys(self) -> tuple[ForeignKey, ...]:
        """The columns that refer to another table's key, in column order."""
        out = []
        for c in self.columns:
            if c.references is not None:
                table, target = c.references.split(".")
                out.append(ForeignKey(c.name, table, target))
        return tuple(out)

    def __getitem__(self, name: str) -> ColumnSpec:
        return self.column_index[name]

    def __contains__(self, name: object) -> bool:
        return name in self.column_index


_SOURCE = ColumnSpec("source", "enum", values=SOURCES, description="agency the record came from")
_RELIABILITY = ColumnSpec(
    "reliability",
    "enum",
    values=RELIABILITIES,
    description=(
        "how far the record is established: confirmed > corroborated > reported > unverified"
    ),
    dtype=RELIABILITY_DTYPE,
)

PEOPLE = TableSpec(
    "people",
    (
        ColumnSpec("person_id", "id", description="pseudonym of the young person, unique"),
        ColumnSpec(
            "home_authority", "authority", description="GSS code or name of the home authority"
        ),
        ColumnSpec("age", "int", description="age in whole years (10-18 expected)"),
        ColumnSpec("sex", "enum", required=False, values=SEXES, description="F, M, X or unknown"),
        ColumnSpec("looked_after", "bool", required=False, description="looked-after child"),
    ),
    key=("person_id",),
    noun="person",
    label="young people",
)
PLACES = TableSpec(
    "places",
    (
        ColumnSpec("place_id", "id", description="identifier of the place, unique"),
        ColumnSpec(
            "kind",
            "enum",
            values=PLACE_KINDS,
            description="kind of venue, or online (a group chat or platform: no location)",
            values_since=(("online", "1.1"),),
        ),
        ColumnSpec("lon", "float", required=False, description="longitude, WGS84"),
        ColumnSpec("lat", "float", required=False, description="latitude, WGS84"),
        ColumnSpec(
            "easting", "float", required=False, description="easting, British National Grid"
        ),
        ColumnSpec(
            "northing", "float", required=False, description="northing, British National Grid"
        ),
        ColumnSpec("label", "text", required=False, description="short non-identifying label"),
        ColumnSpec(
            "platform",
            "enum",
            required=False,
            values=PLATFORMS,
            description="platform of an online place (online places only)",
            since="1.1",
        ),
    ),
    key=("place_id",),
    noun="place",
    label="places",
)
TIES = TableSpec(
    "ties",
    (
        ColumnSpec(
            "person_a",
            "id",
            description="one young person (person_id)",
            references="people.person_id",
        ),
        ColumnSpec(
            "person_b",
            "id",
            description="the other young person (person_id)",
            references="people.person_id",
        ),
        ColumnSpec("kind", "enum", values=TIE_KINDS, description="kind of association"),
        ColumnSpec("first_seen", "date", description="date the tie was first recorded"),
        ColumnSpec("last_seen", "date", required=False, description="date last recorded"),
        _SOURCE,
        _RELIABILITY,
    ),
    optional_table=True,
    noun="tie",
    label="ties",
)
SIGHTINGS = TableSpec(
    "sightings",
    (
        ColumnSpec(
            "person_id", "id", description="the young person", references="people.person_id"
        ),
        ColumnSpec(
            "place_id",
            "id",
            description="the place they were seen at or linked to",
            references="places.place_id",
        ),
        ColumnSpec("date", "date", description="date of the sighting"),
        ColumnSpec(
            "context",
            "enum",
            values=CONTEXTS,
            description="abuse or harm context",
            values_since=tuple((c, "1.1") for c in ONLINE_CONTEXTS),
        ),
        _SOURCE,
        _RELIABILITY,
    ),
    optional_table=True,
    noun="sighting",
    label="sightings",
)
RELOCATIONS = TableSpec(
    "relocations",
    (
        ColumnSpec(
            "person_id",
            "id",
            description="the young person relocated",
            references="people.person_id",
        ),
        ColumnSpec("from_authority", "authority", description="authority moved from"),
        ColumnSpec("to_authority", "authority", description="authority moved to"),
        ColumnSpec("date", "date", description="date of the move"),
        ColumnSpec("kind", "enum", values=RELOCATION_KINDS, description="kind of relocation"),
    ),
    optional_table=True,
    noun="relocation",
    label="relocations",
)

#: The five tables, by name, in dependency order (people and places first).
TABLES: dict[str, TableSpec] = {t.name: t for t in (PEOPLE, PLACES, TIES, SIGHTINGS, RELOCATIONS)}
TABLE_ORDER: tuple[str, ...] = tuple(TABLES)


def _check_references() -> None:
    """Every foreign key names a table read before its own, by that table's key."""
    for position, spec in enumerate(TABLES.values()):
        for fk in spec.foreign_keys:
            target = TABLES.get(fk.table)
            if target is None or TABLE_ORDER.index(fk.table) >= position:
                raise ValueError(f"{spec.name}.{fk.column}: {fk.table} is not a table before it")
            if target.key != (fk.target,):
                raise ValueError(
                    f"{spec.name}.{fk.column}: {fk.target} is not the key of {fk.table}"
                )


_check_references()

#: The tables some foreign key refers to (their accepted keys are collected on reading).
REFERENCED: tuple[str, ...] = tuple(
    name
    for name in TABLE_ORDER
    if any(fk.table == name for s in TABLES.values() for fk in s.foreign_keys)
)

#: Columns peermap itself adds to a table: on input they are not validated as schema
#: columns (assignment is recomputed from boundaries; provenance is carried only by
#: exchange packages and merged datasets).
DERIVED: dict[str, tuple[str, ...]] = {
    "people": ("provenance",),
    "places": ("authority_code", "authority_name", "assignment", "geometry", "provenance"),
    "ties": ("provenance",),
    "sightings": ("provenance",),
    "relocations": ("provenance",),
}

_VERSION = re.compile(r"^[0-9]+(\.[0-9]+)?$")


def version_key(version: str) -> tuple[int, int]:
    """Return a schema version as ``(major, minor)``: ``"1"`` is ``(1, 0)``, ``"1.1"`` ``(1, 1)``.

    Raises
    ------
    ValidationError
        When ``version`` is not ``N`` or ``N.N``.
    """
    text = str(version).strip()
    if not _VERSION.match(text):
        raise ValidationError(f"schema version {text!r} is not a version number (1 or 1.1)")
    major, _, minor = text.partition(".")
    return int(major), int(minor or 0)


def check_readable(version: str, *, reader: str = SCHEMA_VERSION, what: str = "the file") -> str:
    """Refuse a file whose schema version is newer than its reader's; return it normalised.

    The one version gate of peermap: exchange packages and merged datasets pass their
    recorded version through it. A reader of schema 1.0 (``reader="1"``) refuses a
    file of 1.1 (which may hold online places), naming what it would need.

    Parameters
    ----------
    version : str
        The version the file records (``"1"``, ``"1.1"``).
    reader : str, default SCHEMA_VERSION
        The version the reader knows.
    what : str
        The file, in the message.

    Returns
    -------
    str
        ``version`` stripped.

    Raises
    ------
    ValidationError
        When ``version`` is not a version number, or newer than ``reader``.
    """
    text = str(version).strip()
    try:
        key = version_key(text)
    except ValidationError as exc:
        raise ValidationError(f"{what}: {exc}") from None
    if key > version_key(reader):
        newer = [
            f"{t.name}.{c.name}"
            for t in TABLES.values()
            for c in t.columns
            if version_key(reader) < version_key(c.since) <= key
        ] + [
            f"{t.name}.{c.name}={v}"
            for t in TABLES.values()
            for c in t.columns
            for v, since in c.values_since
            if version_key(reader) < version_key(since) <= key
        ]
        added = f" (it may hold {', '.join(newer)})" if newer else ""
        raise ValidationError(
            f"{what} was written with record schema version {text}{added}, newer than "
            f"this peermap reads (version {reader}): upgrade peermap (pip install -U "
            "peermap) to read it"
        )
    return text


def is_online(kind: pd.Series) -> pd.Series:
    """Return whether each place ``kind`` is an online place (:data:`ONLINE_PLACE_KINDS`)."""
    return kind.isin(ONLINE_PLACE_KINDS).fillna(False).astype(bool)


def content_version(tables: Mapping[str, pd.DataFrame]) -> str:
    """Return the oldest schema version that can hold the given tables.

    A column introduced by a version counts when some cell of it is filled; an
    enumerated value when some row holds it. Files record this version, so a dataset
    that uses nothing of schema 1.1 stays readable by a reader of 1.0.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Tables by name (``ds.tables``); missing tables and columns are ignored.

    Returns
    -------
    str
        One of :data:`SCHEMA_VERSIONS`.
    """
    needed = SCHEMA_VERSIONS[0]
    for name, frame in tables.items():
        spec = TABLES.get(name)
        if spec is None or frame is None:
            continue
        for col in spec.columns:
            if col.name not in frame.columns:
                continue
            values = frame[col.name]
            found = [col.since] if values.notna().any() else []
            if col.values_since:
                present = set(values.dropna().astype(str).unique())
                found += [since for v, since in col.values_since if v in present]
            for version in found:
                if version_key(version) > version_key(needed):
                    needed = version
    return needed


_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SEPARATORS = re.compile(r"[\s\-]+")


def composed_id(text: str) -> str:
    """Return an id as records keep it: stripped, its accents composed (Unicode NFC).

    ``yp-é1`` typed as ``e`` and a combining accent (NFD, as macOS and some web forms
    write it) and as ``é`` is one id. The reader keeps ids so
    (:func:`peermap._parsing.parse_column`); links, pseudonyms and references compare
    ids in this form too.
    """
    text = text.strip()
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def normalise_column_name(name: object) -> str:
    """Return the canonical form of a column header: stripped and lower-case.

    Parameters
    ----------
    name : object
        A header as read from a file.

    Returns
    -------
    str
        ``" Person_ID "`` becomes ``"person_id"``. A byte-order mark left at either end
        (a file saved twice with one, so that decoding drops only the first) goes as
        spaces do.
    """
    return _HEADER_EDGES.sub("", str(name)).lower()


#: Spaces and byte-order marks around a header.
_HEADER_EDGES = re.compile(r"^[\s\ufeff]+|[\s\ufeff]+$")


def normalise_enum_value(value: str, *, allowed: tuple[str, ...]) -> str:
    """Return the canonical spelling of an enumerated value, or ``value`` unchanged.

    Matching ignores case and surrounding spaces, and treats inner spaces and
    hyphens as underscores.

    Parameters
    ----------
    value : str
        The raw cell value.
    allowed : tuple of str
        The canonical values of the column.

    Returns
    -------
    str
        The canonical value when one matches, else ``value`` (which the caller
        then reports as not allowed).
    """
    key = _SEPARATORS.sub("_", value.strip()).lower()
    for candidate in allowed:
        if candidate.lower() == key:
            return candidate
    return value
