"""Commands that draw: ``map`` and ``report``."""

from __future__ import annotations

import argparse
from typing import Any

from peermap.cli.common import (
    AddCommand,
    Command,
    Progress,
    UsageError,
    add_filters,
    add_rule,
    add_source,
    arguments_checked,
    examples,
    filters,
    output_path,
    partnership_warning,
    print_notes,
    read_paths,
    read_source,
    rule,
    same_path,
    tiles,
)
from peermap.disclosure import VIEW_AUDIENCES

__all__ = ["COMMANDS", "STATIC_SUFFIXES", "add_parsers"]

#: Outputs of ``peermap map`` drawn as a static figure rather than an interactive map.
STATIC_SUFFIXES = (".png", ".svg", ".pdf")


def add_parsers(add: AddCommand) -> None:
    """Add ``map`` and ``report``."""
    map_ = add(
        "map",
        "draw a dataset as an interactive map (or a static figure)",
        "Draw contexts, hotspot venues, flows and relocations on one self-contained HTML "
        "map that opens with no network, for the partnership meeting. The public audience "
        "(the default) shows aggregates only, with small-count suppression; partnership "
        "maps show exact counts and must not leave the partnership. An output ending in "
        ".png, .svg or .pdf draws the same picture as a static figure.",
        examples(
            "peermap map exports/ --boundaries lad_2024.geojson -o hotspots.html --tiles none",
            "peermap map cluster.gpkg --audience partnership --key-file partnership.key "
            "-o partnership.html",
            "peermap map exports/ --boundaries lad_2024.geojson -o hotspots.png",
        ),
    )
    add_source(map_)
    map_.add_argument(
        "-o", "--output", metavar="OUT.html", required=True, help=".html, .png, .svg or .pdf"
    )
    map_.add_argument(
        "--audience",
        choices=VIEW_AUDIENCES,
        default="public",
        help="public: aggregates, small counts suppressed (default); partnership: exact",
    )
    map_.add_argument(
        "--tiles",
        default="OpenStreetMap",
        help="basemap name, or 'none' for no basemap and no request to any server",
    )
    map_.add_argument(
        "--choropleth",
        choices=("people_seen", "cross_border_share", "relocations_received"),
        help="shade authorities by this measure",
    )
    map_.add_argument("--context", type=int, metavar="ID", help="show only this context")
    map_.add_argument("--layers", metavar="LIST", help="comma-separated layers to draw")
    map_.add_argument("--title", help="title on the map")
    map_.add_argument(
        "--emerging",
        action="store_true",
        help="also draw emerging hot spots: ArcGIS's space-time patterns of the Gi* cells "
        "by month (new, intensifying, persistent, ...); off by default, as it takes seconds",
    )
    _add_gi_cell(map_)
    add_filters(map_)
    add_rule(map_)

    report = add(
        "report",
        "write a summary report (HTML or Markdown) with the map",
        "Write a summary: contexts spanning authorities and hotspot venues, most concerning "
        "first (a partnership report says why each ranks there), "
        "flows between authorities and relocations received, with the map embedded (HTML, "
        "one self-contained file that opens with no network) or linked (--map). A public "
        "report (the default) applies small-count suppression to every count of young "
        "people or records and names no young person; a partnership report shows exact "
        "counts and the data-quality figures.",
        examples(
            "peermap report exports/ --boundaries lad_2024.geojson -o report.html",
            "peermap report exports/ --boundaries lad_2024.geojson -o report.md --map map.html",
            "peermap report cluster.gpkg --audience partnership --key-file partnership.key "
            "-o partnership.html",
        ),
    )
    add_source(report)
    report.add_argument(
        "-o", "--output", metavar="OUT.html", required=True, help=".html or .md report"
    )
    report.add_argument(
        "--audience",
        choices=VIEW_AUDIENCES,
        default="public",
        help="public: aggregates, small counts suppressed (default); partnership: exact",
    )
    report.add_argument("--map", metavar="FILE.html", help="also write the map here and link to it")
    report.add_argument(
        "--no-embed", action="store_true", help="do not embed the map in an HTML report"
    )
    report.add_argument(
        "--tiles", default="none", help="basemap of the map (default none: fully offline)"
    )
    report.add_argument("--title", help="title of the report")
    report.add_argument("--top", type=int, default=10, help="rows per table (default 10)")
    _add_gi_cell(report)
    add_filters(report)
    add_rule(report)


def _add_gi_cell(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--gi-cell",
        type=float,
        metavar="METRES",
        help="side of a Gi* hot-spot cell in metres (default: 500, or larger so that the "
        "grid over the sightings has at most 20,000 cells)",
    )


def _map(args: argparse.Namespace) -> int:
    from peermap import make_map, plot_static, save_map

    target = output_path(args.output, *read_paths(args), option="-o")
    suffix = target.suffix.lower()
    if suffix not in (".html", ".htm", *STATIC_SUFFIXES):
        raise UsageError(
            f"{target}: a map is written as .html (interactive) or .png, .svg or .pdf (static)"
        )
    layers = [s.strip() for s in args.layers.split(",") if s.strip()] if args.layers else None
    options: dict[str, Any] = {
        "audience": args.audience,
        "layers": layers,
        "context": args.context,
        "choropleth": args.choropleth,
        "title": args.title,
        "gi_cell_size_m": args.gi_cell,
        "emerging": args.emerging,
        **rule(args),
        **filters(args),
    }
    notes: list[str] = []
    with Progress("map", 4) as progress:
        ds = read_source(args, progress, notes)
        progress.step("drawing")
        with arguments_checked():
            if suffix in STATIC_SUFFIXES:
                progress.step(f"writing {target.name}")
                plot_static(ds, target, **options)
                info = None
            else:
                m = make_map(ds, tiles=tiles(args.tiles), **options)
                progress.step(f"writing {target.name}")
                save_map(m, target)
                info = m.info
    print_notes(notes)
    if info is not None:
        print(f"map: {info.title}")
        print(f"  audience: {info.audience}" + (f" ({info.rule.describe()})" if info.rule else ""))
        period = " to ".join(str(d) for d in info.period if d is not None)
        if period:
            print(f"  period: {period}")
        print(f"  layers: {', '.join(info.layers)}")
        for note in info.notes:
            print(f"  {note}")
    if args.audience == "partnership":
        print(partnership_warning())
    kind = "static figure" if suffix in STATIC_SUFFIXES else "self-contained, opens offline"
    print(f"wrote {target} ({target.stat().st_size / 1e3:,.0f} kB, {kind})")
    return 0


def _report(args: argparse.Namespace) -> int:
    from peermap.views.report import report_format, write_report

    target = output_path(args.output, *read_paths(args), option="-o")
    with arguments_checked():
        fmt = report_format(target)
    map_path = None
    if args.map:
        map_path = output_path(args.map, *read_paths(args), option="--map")
        if map_path.suffix.lower() not in (".html", ".htm"):
            raise UsageError(f"{map_path}: --map writes an interactive map: name it ....html")
        if same_path(map_path, target):
            raise UsageError("--map and -o name the same file; choose two names")
    options = rule(args)
    notes: list[str] = []
    drawn = map_path is not None or (fmt == "html" and not args.no_embed)
    if drawn:  # fail before reading anything when the maps extra is missing
        from peermap import make_map  # noqa: F401
    steps = int(bool(args.boundaries)) + 1 + int(drawn) + 5 + 1
    if args.audience == "partnership":
        steps += 1
    with Progress("report", steps) as progress:
        ds = read_source(args, progress, notes)
        with arguments_checked():
            write_report(
                ds,
                target,
                audience=args.audience,
                map_path=map_path,
                embed_map=not args.no_embed,
                tiles=tiles(args.tiles),
                title=args.title,
                top=args.top,
                gi_cell_size_m=args.gi_cell,
                step=progress.step,
                **options,
                **filters(args),
            )
    print_notes(notes)
    print(f"report ({args.audience}, {fmt}): {target}")
    if map_path is not None:
        print(f"map: {map_path}")
    elif fmt == "markdown":
        print("no map: a Markdown report links to one written with --map FILE.html")
    if args.audience == "partnership":
        print(partnership_warning())
    return 0


COMMANDS: dict[str, Command] = {"map": _map, "report": _report}
