"""Record schema v1: the five tables that authorities exchange.

This module is the single statement of the contract: table names, columns, their
types, which are required, and the allowed values of every enumerated column.
``docs/schema.md`` documents the same contract for people; the tests check that the
two agree.

Column names match case-insensitively with surrounding spaces ignored; enumerated
values likewise, and spaces or hyphens inside a value read as underscores
(``"Transport Hub"`` reads as ``transport_hub``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "CONTEXTS",
    "DERIVED",
    "PLACE_KINDS",
    "RELIABILITIES",
    "RELIABILITY_RANK",
    "RELOCATION_KINDS",
    "SCHEMA_VERSION",
    "SEXES",
    "SOURCES",
    "TABLES",
    "TABLE_ORDER",
    "TIE_KINDS",
    "ColumnSpec",
    "TableSpec",
    "normalise_column_name",
    "normalise_enum_value",
]

SCHEMA_VERSION = "1"

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
)
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
CONTEXTS: tuple[str, ...] = (
    "cse",
    "cce",
    "teenage_relationship_abuse",
    "serious_youth_violence",
    "bullying",
    "harmful_sexual_behaviour",
    "missing_episode",
    "gang_association",
    "other",
)
RELOCATION_KINDS: tuple[str, ...] = (
    "care_placement",
    "housing",
    "education",
    "secure",
    "family",
    "other",
)


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
    """

    name: str
    type: ColumnType
    required: bool = True
    values: tuple[str, ...] = ()
    description: str = ""


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
    """

    name: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...] = ()
    optional_table: bool = False
    column_index: dict[str, ColumnSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_index", {c.name: c for c in self.columns})

    @property
    def names(self) -> tuple[str, ...]:
        """Canonical column names in order."""
        return tuple(c.name for c in self.columns)

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
)
PLACES = TableSpec(
    "places",
    (
        ColumnSpec("place_id", "id", description="identifier of the place, unique"),
        ColumnSpec("kind", "enum", values=PLACE_KINDS, description="kind of venue"),
        ColumnSpec("lon", "float", required=False, description="longitude, WGS84"),
        ColumnSpec("lat", "float", required=False, description="latitude, WGS84"),
        ColumnSpec(
            "easting", "float", required=False, description="easting, British National Grid"
        ),
        ColumnSpec(
            "northing", "float", required=False, description="northing, British National Grid"
        ),
        ColumnSpec("label", "text", required=False, description="short non-identifying label"),
    ),
    key=("place_id",),
)
TIES = TableSpec(
    "ties",
    (
        ColumnSpec("person_a", "id", description="one young person (person_id)"),
        ColumnSpec("person_b", "id", description="the other young person (person_id)"),
        ColumnSpec("kind", "enum", values=TIE_KINDS, description="kind of association"),
        ColumnSpec("first_seen", "date", description="date the tie was first recorded"),
        ColumnSpec("last_seen", "date", required=False, description="date last recorded"),
        _SOURCE,
        _RELIABILITY,
    ),
    optional_table=True,
)
SIGHTINGS = TableSpec(
    "sightings",
    (
        ColumnSpec("person_id", "id", description="the young person"),
        ColumnSpec("place_id", "id", description="the place they were seen at or linked to"),
        ColumnSpec("date", "date", description="date of the sighting"),
        ColumnSpec("context", "enum", values=CONTEXTS, description="abuse or harm context"),
        _SOURCE,
        _RELIABILITY,
    ),
    optional_table=True,
)
RELOCATIONS = TableSpec(
    "relocations",
    (
        ColumnSpec("person_id", "id", description="the young person relocated"),
        ColumnSpec("from_authority", "authority", description="authority moved from"),
        ColumnSpec("to_authority", "authority", description="authority moved to"),
        ColumnSpec("date", "date", description="date of the move"),
        ColumnSpec("kind", "enum", values=RELOCATION_KINDS, description="kind of relocation"),
    ),
    optional_table=True,
)

#: The five tables, by name, in dependency order (people and places first).
TABLES: dict[str, TableSpec] = {t.name: t for t in (PEOPLE, PLACES, TIES, SIGHTINGS, RELOCATIONS)}
TABLE_ORDER: tuple[str, ...] = tuple(TABLES)

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

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SEPARATORS = re.compile(r"[\s\-]+")


def normalise_column_name(name: object) -> str:
    """Return the canonical form of a column header: stripped and lower-case.

    Parameters
    ----------
    name : object
        A header as read from a file.

    Returns
    -------
    str
        ``" Person_ID "`` becomes ``"person_id"``.
    """
    return str(name).strip().lower()


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
