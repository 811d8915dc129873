"""Writing packages: the records (or the aggregate counts) as layers, signed, atomically.

:func:`write_package` builds the layers of a partnership package from a dataset
(schema columns, ``provenance``, allowlisted free text and extra columns) or of an
aggregate package from :func:`peermap.counts.aggregate_tables`, records the metadata,
signs the canonical form (:mod:`peermap.exchange.canonical`) and writes one GeoPackage
atomically, reading it back first when asked to verify.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio
from pyproj import CRS

from peermap import settings
from peermap._atomic import atomic_path, private_umask
from peermap._version import __version__
from peermap.boundaries import Boundaries, as_multipolygons
from peermap.counts import aggregate_tables
from peermap.dataset import Dataset
from peermap.disclosure import Audience, PackageAudience, SuppressionRule
from peermap.exceptions import ArgumentError, KeyMaterialError, ValidationError
from peermap.exchange.canonical import canonical, mac
from peermap.exchange.clks import clk_layer
from peermap.exchange.layout import (
    AUDIENCES,
    FORMAT,
    GEOMETRY_COLUMN,
    GPKG_VERSION,
    METADATA_LAYER,
    Layer,
    aggregate_layout,
    arrow_table,
    partnership_layout,
    place_points,
)
from peermap.exchange.reading import load, read_partnership
from peermap.filters import Window, data_period, select
from peermap.merging import PROVENANCE, differences, with_provenance
from peermap.privacy import KeyLike, PartnershipKey, load_key
from peermap.privacy.identifiers import shown_value
from peermap.schema import SCHEMA_VERSION, SCHEMA_VERSIONS, TABLE_ORDER, TABLES, content_version

__all__ = ["write_package"]

_GSS = re.compile(r"^[A-Z][0-9]{8}$")

# --------------------------------------------------------------------------- metadata


def gss_code(value: object, what: str) -> str:
    """Return a GSS code upper-cased, or raise ValidationError naming ``what``."""
    text = str(value).strip().upper() if isinstance(value, str) else ""
    if not _GSS.match(text):
        # shown_value: a value that looks like an identifier (an email typed for the
        # producer) is withheld, not echoed.
        shown = repr(value)
        if isinstance(value, str) and shown_value(value) != value:
            shown = shown_value(value)
        raise ValidationError(
            f"{what} {shown} is not a GSS code: a letter and 8 digits, such as E09000007 (Camden)"
        )
    return text


def _iso(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _period(ds: Dataset, period: tuple[Any, Any] | None, *, months: bool) -> tuple[str, str]:
    """Return the period a package records, ``YYYY-MM-DD`` (``""`` when unknown).

    A bound given is recorded as given (the producer chose it: it says nothing about a
    record). A bound not given is the first (last) date in the records, or with
    ``months`` (aggregate packages: public outputs give months, not days) the first day
    of its month (the last day of its month), so one record says only its month.
    Every record must fall within the period, as a window keeps it: a sighting or a
    relocation dated in it, a tie active in it (its span overlaps it).
    """
    first, last = data_period(ds)
    lo = None if first is None else pd.Timestamp(first)
    hi = None if last is None else pd.Timestamp(last)
    if months:
        lo = None if lo is None else lo.to_period("M").start_time
        hi = None if hi is None else hi.to_period("M").end_time.normalize()
    # Each bound read as a window reads it (day-first text, None or NaT for none).
    since = None if period is None else Window(since=period[0]).since
    until = None if period is None else Window(until=period[1]).until
    start = lo if since is None else since
    end = hi if until is None else until
    if start is not None and end is not None and start > end:
        raise ArgumentError(f"period starts ({start:%Y-%m-%d}) after it ends ({end:%Y-%m-%d})")
    kept = select(ds, Window(start, end))
    if any(len(kept.table(n)) != len(ds.table(n)) for n in ("ties", "sightings", "relocations")):
        raise ArgumentError(
            f"the records run from {first:%Y-%m-%d} to {last:%Y-%m-%d}, outside the period "
            f"{_iso(start) or '...'} to {_iso(end) or '...'}"
        )
    return _iso(start), _iso(end)


def boundary_meta(boundaries: Boundaries | gpd.GeoDataFrame | None) -> dict[str, str]:
    """Return the boundary metadata entries (vintage, attribution, source, fictional)."""
    if boundaries is None:
        return {
            "boundary_vintage": "",
            "boundary_attribution": "",
            "boundary_source": "",
            "boundary_fictional": "",
        }
    bounds = Boundaries.of(boundaries)
    return {
        "boundary_vintage": "" if bounds.vintage is None else str(bounds.vintage),
        "boundary_attribution": bounds.attribution or "",
        "boundary_source": bounds.source or "",
        "boundary_fictional": "true" if bounds.fictional else "false",
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
            raise ArgumentError(
                f"allow={item!r}: no free-text or extra column of that name; columns that can "
                "be allowlisted: " + (", ".join(options) or "none")
            )
    withheld = [f"{t}.{c}" for t, c in text_columns if (t, c) not in chosen_text]
    return chosen_extras, withheld


def _join_list(items: Iterable[str]) -> str:
    return ";".join(sorted(items))


# --------------------------------------------------------------------------- building layers


def record_layers(
    ds: Dataset, producer: str | None, allow: Iterable[str], *, version: str = SCHEMA_VERSION
) -> tuple[list[tuple[Layer, pa.Table]], dict[str, list[str]], list[str], Dataset]:
    """Build the partnership layers of a dataset, and the dataset as it will read back.

    ``version`` is the record schema version of the layout (``content_version``).
    """
    extras, withheld = _allowed(ds, allow)
    if producer is not None or all(PROVENANCE in ds.table(n) for n in TABLE_ORDER):
        tagged = with_provenance(ds, producer)
    else:
        tagged = ds
    layout = partnership_layout(version)
    layers: list[tuple[Layer, pa.Table]] = []
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
            geometry = place_points(frame)
        layers.append((layer, arrow_table(layer, frame, geometry)))
        expected[name] = frame
    bounds = ds.boundaries
    auth_layer = layout["authorities"]
    if bounds is None:
        auth = arrow_table(auth_layer, pd.DataFrame({"code": [], "name": []}), [])
    else:
        auth = arrow_table(
            auth_layer, pd.DataFrame(bounds[["code", "name"]]), as_multipolygons(bounds)
        )
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


def _aggregate_layers(
    ds: Dataset, suppression: SuppressionRule | None = None
) -> tuple[list[tuple[Layer, pa.Table]], str]:
    flows, auth = aggregate_tables(ds, rule=suppression)
    layout = aggregate_layout()
    s = flows.attrs["suppression"]
    rule = f"min_count={s['min_count']};round_to={s['round_to']};marker={s['marker']}"
    return [
        (layout["flows"], arrow_table(layout["flows"], flows)),
        (layout["authorities"], arrow_table(layout["authorities"], auth, auth.geometry.values)),
    ], rule


# --------------------------------------------------------------------------- writing


@contextmanager
def gdal_target(target: Path) -> Iterator[Path]:
    """Yield a private path named like the target, moved into place atomically.

    GDAL picks drivers and checks extensions by file name, and deletes and re-creates
    its output (with SQLite journals beside it): the path is in the private staging
    folder of :func:`~peermap._atomic.atomic_path`, and GDAL writes under a private umask
    so that every file it makes is ``0600``.
    """
    with atomic_path(target) as work, private_umask():
        yield work


def _write_gpkg(
    path: Path, layers: Sequence[tuple[Layer, pa.Table]], meta: Mapping[str, str]
) -> None:
    crs = CRS.from_user_input(settings.metric_crs).to_wkt()
    meta_table = pa.table(
        {
            "key": pa.array(sorted(meta), pa.string()),
            "value": pa.array([meta[k] for k in sorted(meta)], pa.string()),
        }
    )
    first = True
    for layer, table in [*layers, (METADATA_LAYER, meta_table)]:
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
    window: Window | None = None,
    verify: bool = True,
    clks: pd.DataFrame | None = None,
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
        The data period to record, as given: the window the records were selected with
        (:func:`peermap.select`). A bound not given (or ``None``) is the first (last)
        date in the records, for an aggregate package the first day of its month (the
        last day of its month): public outputs give months, not days. Every record must
        fall within the period (a tie: be active in it).
    window : Window, optional
        Send only the records in this window (:class:`peermap.Window`: ties active in
        it, sightings and relocations dated in it, at least as reliable as its grade),
        selected once with :func:`peermap.select`; its bounds are the period recorded.
        Give ``window`` or ``period``, not both.
    verify : bool, default True
        Read the written file back before moving it into place: its digest and MAC
        must check, and (partnership) it must read back equal to ``ds``.
    clks : pandas.DataFrame, optional
        CLKs of the package's young people (``person_id``, ``clk``, from
        :func:`peermap.encode_identities`), for record linkage within the partnership:
        written in a layer of their own, ``clks``, under the MAC
        (:mod:`peermap.exchange.clks`). Partnership packages only; read them back with
        :func:`peermap.read_clks`.

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
        entry naming no column, records outside ``period``, both ``window`` and
        ``period``, or ``clks`` for an aggregate package (CLKs are personal data).
    """
    target = Path(path)
    if target.suffix.lower() != ".gpkg":
        raise ArgumentError(f"{target}: a GeoPackage's file name ends in .gpkg")
    policy = Audience.of(audience, allowed=AUDIENCES, what="package")
    code = gss_code(producer, "producer")
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
    if window is not None:
        if period is not None:
            raise ArgumentError(
                "give window= or period=, not both: the window's bounds are the period"
            )
        chosen = Window.of(window)
        ds = select(ds, chosen)
        period = (chosen.since, chosen.until)
    clk_table = None if clks is None else clk_layer(ds, clks, audience)
    start, end = _period(ds, period, months=audience == "aggregate")
    readback: Dataset | None = None
    # The oldest version that holds the content: a package without online places and
    # contexts stays readable by readers of schema 1.0 (aggregate packages are the same).
    version = (
        content_version({n: ds.table(n) for n in TABLE_ORDER})
        if audience == "partnership"
        else SCHEMA_VERSIONS[0]
    )
    if audience == "partnership":
        layers, extras, withheld, readback = record_layers(ds, code, allow, version=version)
        suppression = ""
    else:
        if list(allow):
            raise ArgumentError(
                "an aggregate package holds no record columns: allow= does not apply"
            )
        layers, suppression = _aggregate_layers(ds, policy.rule)
        extras, withheld = {}, []
    meta: dict[str, str] = {
        "format": FORMAT,
        "schema_version": version,
        "audience": audience,
        "producer": code,
        "producer_name": _producer_name(ds, code),
        "created": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "period_start": start,
        "period_end": end,
        "key_fingerprint": "" if secret is None else secret.fingerprint,
        **boundary_meta(ds.region),
        "extra_columns": _join_list(f"{t}.{c}" for t, cols in extras.items() for c in cols),
        "withheld_columns": _join_list(withheld),
        "suppression": suppression,
        "peermap_version": __version__,
    }
    if clk_table is not None:
        layers.append(clk_table)
    for layer, table in layers:
        meta[f"count_{layer.name}"] = str(table.num_rows)
    data = canonical(meta, layers)
    meta["content_sha256"] = hashlib.sha256(data).hexdigest()
    meta["mac"] = "" if secret is None else mac(secret, data)
    with gdal_target(target) as work:
        _write_gpkg(work, layers, meta)
        if verify:
            _verify(work, target, secret, readback)
    return target


def _verify(work: Path, target: Path, key: PartnershipKey | None, expected: Dataset | None) -> None:
    """Read a freshly written package back; raise if it does not check."""
    if expected is None:
        load(work, key, str(target))
        return
    got = read_partnership(work, key, str(target))
    diff = differences(got, expected)
    if diff:  # pragma: no cover - a bug, not a user error
        raise AssertionError(
            "the package written does not read back equal to the dataset:\n" + "\n".join(diff)
        )
