"""``peermap info``: describe a package, a boundary file or a dataset without changing it."""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path
from typing import Any

from peermap.cli.common import (
    AddCommand,
    Command,
    Progress,
    UsageError,
    add_boundaries,
    boundary_options,
    examples,
    in_cli_terms,
    load_boundaries_file,
    partnership_key,
    read_boundaries,
)

__all__ = ["COMMANDS", "add_parsers"]

_AUDIENCE_TEXT = {
    "partnership": "record level: pseudonymised personal data, for the partnership",
    "aggregate": "aggregate flows and counts with small-count suppression",
}


def add_parsers(add: AddCommand) -> None:
    """Add ``info``."""
    info = add(
        "info",
        "describe a package, boundary file or dataset",
        "Describe a file without changing it: an exchange package (schema version, "
        "producer, period, audience, key fingerprint, counts, integrity), a boundary file "
        "(authorities, vintage, attribution, repairs), or a dataset folder or workbook "
        "(tables, rows, period, validation).",
        examples(
            "peermap info camden.gpkg --key-file partnership.key",
            "peermap info ons_lad_2024_england_buc.geojson",
            "peermap info exports/",
        ),
    )
    info.add_argument("file", help="a .gpkg package, a boundary file, or a dataset")
    info.add_argument("--key-file", metavar="FILE", help="verify a package with this key")
    add_boundaries(
        info,
        "a dataset: read it against these boundaries (--crs and the other options below "
        "apply to them, or to FILE when it is a boundary file)",
    )


def _info(args: argparse.Namespace) -> int:
    from peermap.exchange import check_geopackage, package_metadata

    path = Path(args.file)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    if path.is_dir() or path.suffix.lower() == ".xlsx":
        return _info_dataset(path, args)
    meta = package_metadata(path) if path.suffix.lower() == ".gpkg" else None
    if meta is not None:
        boundary_options(args)  # --crs and the like apply to boundary files only
        return _info_package(path, meta, args)
    if path.suffix.lower() == ".gpkg":
        check_geopackage(path)  # a damaged file is said to be damaged, not unreadable
    if path.suffix.lower() == ".csv":
        raise UsageError(
            f"{path} is a single table; describe the dataset by giving its folder ({path.parent})"
        )
    return _info_boundaries(path, boundary_options(args, path))


def _info_package(path: Path, meta: dict[str, str], args: argparse.Namespace) -> int:
    from peermap import read_aggregate, read_package
    from peermap.schema import TABLE_ORDER

    print(f"peermap exchange package: {path}")
    audience = meta.get("audience", "")
    rows = [
        ("format", f"{meta.get('format')}, record schema v{meta.get('schema_version')}"),
        ("audience", f"{audience} ({_AUDIENCE_TEXT.get(audience, 'unknown')})"),
        ("producer", f"{meta.get('producer')} ({meta.get('producer_name') or 'name not given'})"),
        ("created", meta.get("created", "")),
        ("period", f"{meta.get('period_start', '')} to {meta.get('period_end', '')}"),
        ("key fingerprint", meta.get("key_fingerprint") or "none (written without a key)"),
    ]
    vintage = meta.get("boundary_vintage")
    source = meta.get("boundary_source")
    if source or vintage:
        rows.append(("boundaries", ", ".join(x for x in (source, vintage) if x)))
    if meta.get("boundary_attribution"):
        rows.append(("attribution", meta["boundary_attribution"]))
    layers = [
        (name[len("count_") :], value) for name, value in meta.items() if name.startswith("count_")
    ]
    order = {n: i for i, n in enumerate([*TABLE_ORDER, "authorities", "flows"])}
    layers.sort(key=lambda item: order.get(item[0], len(order)))
    rows.append(("layers", ", ".join(f"{n} {int(v):,}" for n, v in layers if v.isdigit())))
    for label, name in (
        ("withheld", "withheld_columns"),
        ("extra columns", "extra_columns"),
        ("suppression", "suppression"),
    ):
        if meta.get(name):
            rows.append((label, meta[name]))
    if meta.get("peermap_version"):
        rows.append(("written by", f"peermap {meta['peermap_version']}"))
    for label, value in rows:
        print(f"  {label:<16} {value}")
    key = partnership_key(args.key_file, required=False)
    with Progress("info", 1) as progress:
        progress.step("checking")
        if audience == "aggregate":
            read_aggregate(path, key=key)
        else:
            read_package(path, key=key)
    if key is not None:
        print(f"  {'integrity':<16} verified with the partnership key {key.fingerprint}")
    elif not meta.get("key_fingerprint"):
        print(
            f"  {'integrity':<16} content matches its digest (damage would show); written "
            "without a key, so who made it cannot be verified"
        )
    else:
        print(
            f"  {'integrity':<16} content matches its digest (damage would show); give "
            "--key-file to verify it was made with the partnership key"
        )
    return 0


def _info_boundaries(path: Path, options: dict[str, Any]) -> int:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bounds = load_boundaries_file(path, **options)
    attrs = bounds.attrs
    print(f"boundary file: {path}")
    rows = [
        ("authorities", f"{len(bounds):,}"),
        ("layer", attrs.get("layer") or "-"),
        (
            "columns",
            f"code from {attrs.get('code_column') or '-'}, name from "
            f"{attrs.get('name_column') or '-'}",
        ),
        ("vintage", str(attrs.get("vintage") or "unknown")),
        ("attribution", attrs.get("attribution") or "-"),
    ]
    if attrs.get("codes_derived"):
        rows.append(("codes", "derived from the names (the file has none): not official GSS"))
    else:
        prefixes = sorted({str(c)[:3] for c in bounds["code"]})
        rows.append(("code prefixes", ", ".join(prefixes)))
    if attrs.get("crs_assumed"):
        rows.append(("crs", "none declared: read as WGS84 longitude/latitude"))
    if attrs.get("repaired"):
        rows.append(("repaired", f"{attrs['repaired']} invalid geometries made valid"))
    if attrs.get("overlaps_resolved"):
        rows.append(("slivers", f"{attrs['overlaps_resolved']} small overlaps removed"))
    if attrs.get("fictional"):
        rows.append(("note", "fictional demonstration region: not real places"))
    x0, y0, x1, y1 = bounds.total_bounds
    rows.append(
        (
            "extent",
            f"{(x1 - x0) / 1000:,.0f} km x {(y1 - y0) / 1000:,.0f} km (British National Grid)",
        )
    )
    names = [str(n) for n in bounds["name"]]
    rows.append(("first names", ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")))
    for label, value in rows:
        print(f"  {label:<16} {value}")
    for warning in caught:
        print(f"  note: {in_cli_terms(str(warning.message))}")
    return 0


def _info_dataset(path: Path, args: argparse.Namespace) -> int:
    from peermap import read_dataset
    from peermap.networks import data_period
    from peermap.schema import SCHEMA_VERSION, TABLE_ORDER

    with Progress("info", 2) as progress:
        bounds = read_boundaries(args, progress)
        progress.step(f"reading {path.name}")
        ds = read_dataset(path, boundaries=bounds, strict=False)
    report = ds.report
    kind = "workbook" if path.is_file() else "folder"
    print(f"dataset {kind}: {path} (read as record schema v{SCHEMA_VERSION})")
    for name in TABLE_ORDER:
        counts = report.counts.get(name, {"read": 0, "accepted": 0, "rejected": 0})
        source = report.files.get(name, "")
        where = Path(source).name if source and kind == "folder" else source
        if not source:
            print(f"  {name:<12} (absent)")
            continue
        print(
            f"  {name:<12} {counts['read']:>7,} rows read, {counts['accepted']:>7,} accepted, "
            f"{counts['rejected']:>5,} set aside  ({where})"
        )
    first, last = data_period(ds)
    if first is not None and last is not None:
        print(f"  {'period':<12} {first:%Y-%m-%d} to {last:%Y-%m-%d}")
    homes = sorted({str(a) for a in ds.people["home_authority"].dropna()})
    if homes:
        names = ds.authority_names
        shown = ", ".join(names.get(h, h) for h in homes[:8]) + (", ..." if len(homes) > 8 else "")
        print(f"  {'authorities':<12} {len(homes)} home authorities: {shown}")
    if ds.meta.get("extra_columns") and any(ds.meta["extra_columns"].values()):
        extras = "; ".join(
            f"{t}: {', '.join(cols)}" for t, cols in ds.meta["extra_columns"].items() if cols
        )
        print(f"  {'extra':<12} {extras} (kept in memory, never exported)")
    print(
        f"  {'validation':<12} {len(report.errors)} error(s), {len(report.warnings)} "
        f"warning(s); 'peermap validate {path}' lists them"
    )
    return 0


COMMANDS: dict[str, Command] = {"info": _info}
