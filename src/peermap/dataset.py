"""The :class:`Dataset` container: the five schema tables, boundaries, metadata and report.

The tables are the schema's (:data:`peermap.schema.TABLES`): one attribute per table,
named and ordered as there (a test checks it); :meth:`Dataset.table`,
:attr:`Dataset.counts` and :meth:`Dataset.summary` follow the schema.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from peermap._pickling import reduce_frozen
from peermap._problems import ValidationReport
from peermap.exceptions import ArgumentError, UnknownNameError
from peermap.schema import TABLE_ORDER, TABLES

if TYPE_CHECKING:
    from peermap.boundaries import Boundaries

__all__ = ["Dataset"]


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Dataset:
    """A validated dataset of record schema v1.

    Build one with :func:`peermap.read_dataset`. The container is frozen: to change a
    table, make a new dataset with :meth:`replace`. Column types are documented in
    ``docs/schema.md``.

    Attributes
    ----------
    people : pandas.DataFrame
        One row per young person.
    places : geopandas.GeoDataFrame
        One row per place, point geometry in British National Grid (EPSG:27700), with
        ``lon``, ``lat``, ``easting`` and ``northing`` all filled; with boundaries,
        also ``authority_code``, ``authority_name`` and ``assignment``.
    ties : pandas.DataFrame
        Associations between two young people.
    sightings : pandas.DataFrame
        A young person seen at, or linked to, a place.
    relocations : pandas.DataFrame
        Moves of a young person from one authority to another.
    boundaries : geopandas.GeoDataFrame or None
        Authority boundaries (``code``, ``name``, ``geometry``) the dataset was read
        against, if any.
    region : Boundaries or None
        The same boundaries with their metadata (source, vintage, attribution) and
        their neighbour graph, built once for everything made from the dataset
        (``ds.region.neighbour_graph()``). Derived from ``boundaries`` when not given;
        given alone, it sets ``boundaries``.
    meta : Mapping
        Read-only metadata: ``schema_version``, ``sources``, ``extra_columns``, ``crs``.
    report : ValidationReport
        Every problem found while reading and every row set aside.
    """

    people: pd.DataFrame
    places: gpd.GeoDataFrame
    ties: pd.DataFrame
    sightings: pd.DataFrame
    relocations: pd.DataFrame
    boundaries: gpd.GeoDataFrame | None = None
    meta: Mapping[str, Any] = field(default_factory=lambda: _frozen(None))
    report: ValidationReport = field(default_factory=ValidationReport)
    region: Boundaries | None = field(default=None, kw_only=True, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.meta, MappingProxyType):
            object.__setattr__(self, "meta", _frozen(self.meta))
        if self.region is None:
            if self.boundaries is not None:
                from peermap.boundaries import Boundaries

                object.__setattr__(self, "region", Boundaries.of(self.boundaries))
        elif self.boundaries is None:
            object.__setattr__(self, "boundaries", self.region.frame)
        elif self.region.frame is not self.boundaries:
            raise ArgumentError(
                "boundaries= and region= are different boundaries: give one of them "
                "(or region=Boundaries.of(boundaries))"
            )

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickle support: ``meta`` travels as a dict and comes back read-only."""
        return reduce_frozen(self)

    def table(self, name: str) -> pd.DataFrame:
        """Return a table by its schema name (``"people"``, ``"places"``, ...)."""
        if name not in TABLES:
            raise UnknownNameError(f"no table {name!r}")
        frame: pd.DataFrame = getattr(self, name)
        return frame

    def replace(self, **changes: Any) -> Dataset:
        """Return a copy with some attributes replaced (the original is unchanged).

        Replacing ``boundaries`` replaces ``region`` with it (and the other way
        round); the region, and its neighbour graph, are otherwise kept.
        """
        if "boundaries" in changes and "region" not in changes:
            changes["region"] = None
        elif "region" in changes and "boundaries" not in changes:
            changes["boundaries"] = None
        return dataclasses.replace(self, **changes)

    @property
    def counts(self) -> dict[str, int]:
        """Rows per table."""
        return {name: len(self.table(name)) for name in TABLE_ORDER}

    @property
    def authority_names(self) -> dict[str, str]:
        """Authority code to name, from the boundaries and the places assigned to them.

        Empty when the dataset was read without boundaries (codes are then shown as
        written).
        """
        names: dict[str, str] = {}
        if "authority_code" in self.places and "authority_name" in self.places:
            pairs = self.places[["authority_code", "authority_name"]].dropna().drop_duplicates()
            names.update(
                zip(
                    pairs["authority_code"].astype(str),
                    pairs["authority_name"].astype(str),
                    strict=True,
                )
            )
        if self.boundaries is not None:
            codes, labels = self.boundaries["code"], self.boundaries["name"]
            names.update(zip(codes.astype(str), labels.astype(str), strict=True))
        return names

    def summary(self) -> str:
        """Describe the dataset in a few lines of plain text."""
        c = self.counts
        lines = [
            f"peermap dataset (schema v{self.meta.get('schema_version', '1')})",
            *(f"  {TABLES[name].label:<13} {n:>9,}" for name, n in c.items()),
        ]
        if len(self.people):
            n_auth = self.people["home_authority"].nunique()
            lines.append(f"  home authorities {n_auth}")
        if len(self.sightings):
            lo, hi = self.sightings["date"].min(), self.sightings["date"].max()
            lines.append(f"  sightings from {lo:%Y-%m-%d} to {hi:%Y-%m-%d}")
        problems = self.report
        lines.append(
            f"  validation: {len(problems.errors)} error(s), {len(problems.warnings)} "
            f"warning(s), {problems.n_rejected} row(s) set aside"
        )
        return "\n".join(lines)

    def __repr__(self) -> str:
        c = self.counts
        inner = ", ".join(f"{k}={v}" for k, v in c.items())
        return f"Dataset({inner})"
