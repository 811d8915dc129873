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
  a metadata edit, or a truncated file is detected;
- a partnership package may also carry ``clks``: the young people's CLKs for record
  linkage (:mod:`~peermap.exchange.clks`, :func:`read_clks`), under the same MAC.

Exports: :func:`to_graphml` and :func:`to_gexf` (Gephi, igraph, Cytoscape; GEXF with
time intervals), :func:`to_anx` (an i2 Analyst's Notebook chart, read back by
:func:`read_anx`) and :func:`to_geojson` (one RFC 7946 file per layer). Every file is
written atomically: an interrupted write leaves the old file or none, never half a file.

The package holds one concern per module: :mod:`~peermap.exchange.layout` (the
format: layers, columns, metadata keys), :mod:`~peermap.exchange.canonical` (the
canonical form and the MAC), :mod:`~peermap.exchange.writing` and
:mod:`~peermap.exchange.reading` (packages), :mod:`~peermap.exchange.graphs` (GraphML,
GEXF), :mod:`~peermap.exchange.anx` (i2 charts), :mod:`~peermap.exchange.geojson` and
:mod:`~peermap.exchange.csv`. The
aggregate tables an aggregate package holds are computed by
:func:`peermap.counts.aggregate_tables` (re-exported here).
"""

from __future__ import annotations

from peermap.counts import aggregate_tables
from peermap.exchange.anx import read_anx, to_anx
from peermap.exchange.clks import read_clks
from peermap.exchange.csv import to_csv
from peermap.exchange.geojson import to_geojson
from peermap.exchange.graphs import to_gexf, to_graphml
from peermap.exchange.layout import (
    AGGREGATE_COUNTS,
    AUDIENCES,
    CANONICAL_HEADER,
    FORMAT,
    GEOMETRY_COLUMN,
    MAC_LABEL,
    METADATA_KEYS,
)
from peermap.exchange.reading import (
    AggregatePackage,
    canonical_form,
    check_geopackage,
    package_metadata,
    read_aggregate,
    read_package,
)
from peermap.exchange.writing import write_package

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
    "check_geopackage",
    "package_metadata",
    "read_aggregate",
    "read_anx",
    "read_clks",
    "read_package",
    "to_anx",
    "to_csv",
    "to_geojson",
    "to_gexf",
    "to_graphml",
    "write_package",
]
