"""GeoJSON export: every layer of a package as an RFC 7946 file, plus ``metadata.json``."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyogrio
from pyproj import CRS

from peermap import settings
from peermap._arguments import dataset_argument
from peermap._atomic import atomic_path
from peermap.dataset import Dataset
from peermap.exceptions import ArgumentError
from peermap.exchange.layout import GEOMETRY_COLUMN, Layer
from peermap.exchange.writing import boundary_meta, gdal_target, gss_code, record_layers
from peermap.schema import SCHEMA_VERSION

__all__ = ["to_geojson"]


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _write_attribute_geojson(target: Path, layer: Layer, table: pa.Table) -> None:
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
    dataset_argument(ds, "to_geojson")
    out_dir = Path(folder)
    if out_dir.exists() and not out_dir.is_dir():
        raise ArgumentError(
            f"{out_dir} exists and is a file, not a folder: to_geojson writes a folder of "
            "files, so the file is not overwritten; give a folder"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    code = None if producer is None else gss_code(producer, "producer")
    layers, extras, withheld, _ = record_layers(ds, code, allow)
    bng = CRS.from_user_input(settings.metric_crs).to_wkt()
    written: dict[str, Path] = {}
    for layer, table in layers:
        target = out_dir / f"{layer.name}.geojson"
        if layer.geometry is None:
            _write_attribute_geojson(target, layer, table)
        else:
            options = {"RFC7946": "YES", "COORDINATE_PRECISION": str(int(precision))}
            with gdal_target(target) as work:
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
        **{k: v or None for k, v in boundary_meta(ds.region).items()},
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
