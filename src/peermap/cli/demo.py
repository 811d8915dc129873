"""``peermap demo``: a synthetic scenario, summarised, with what to look at first."""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peermap._optional import require
from peermap.cli.common import (
    AddCommand,
    Command,
    Progress,
    UsageError,
    add_boundaries,
    boundary_options,
    examples,
    load_boundaries_file,
    output_path,
    read_paths,
    whole_number,
)
from peermap.disclosure import VIEW_AUDIENCES
from peermap.exceptions import MissingDependencyError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from peermap.dataset import Dataset

__all__ = [
    "COMMANDS",
    "MAX_PEOPLE",
    "TEXT_WIDTH",
    "add_parsers",
    "analysis_summary",
    "look_first",
]

#: Most young people the demo generates: a hundred times the 100,000 of the largest run
#: documented; far beyond it the generator's arrays cannot be made at all.
MAX_PEOPLE = 10_000_000
#: Width of the demo's text, to read in a terminal of 100 columns.
TEXT_WIDTH = 99
_REASON_INDENT = " " * 8
#: Phrases of the reasons kept on one line ("q < 0.001" must not break after "<").
_UNBROKEN = ("q < ", "q = ")
_GLUE = "\x00"


def add_parsers(add: AddCommand) -> None:
    """Add ``demo`` to the command line."""
    demo = add(
        "demo",
        "generate a synthetic dataset and summarise it",
        "Generate a seeded synthetic scenario (fictional young people on the built-in "
        "fictional region, or on a real boundary file) and print its summary, then what to "
        "look at first: the most concerning contexts and venues with their reasons, and write "
        "a map and a report of it (demo/map.html, demo/report.html; both open offline). With "
        "--out, also write it as CSV exports to try every other command on.",
        examples(
            "peermap demo",
            "peermap demo --people 5000 --seed 7",
            "peermap demo --views demo-2024/ --audience public",
            "peermap demo --out exports/",
            "peermap demo --boundaries ons_lad_2024_england_buc.geojson",
        ),
    )
    add_boundaries(demo, "a real boundary file to run on")
    demo.add_argument(
        "--people",
        type=whole_number(1, MAX_PEOPLE),
        default=2000,
        help=f"young people, 1 to {MAX_PEOPLE:,} (default 2000)",
    )
    demo.add_argument(
        "--seed", type=whole_number(0), default=0, help="random seed, 0 or more (default 0)"
    )
    demo.add_argument(
        "--top", type=whole_number(1), default=5, help="rows of each table (default 5)"
    )
    demo.add_argument(
        "--views",
        metavar="DIR",
        help="write map.html and report.html to DIR (default: demo, when the [maps] extra "
        "is installed)",
    )
    demo.add_argument("--no-views", action="store_true", help="write no map or report, only print")
    demo.add_argument(
        "--audience",
        choices=VIEW_AUDIENCES,
        default="partnership",
        help="who the map and report are for (default: partnership, exact counts of the "
        "fictional records; public applies the small-count rule)",
    )
    demo.add_argument(
        "--out",
        metavar="DIR",
        help="write the tables to DIR/<table>.csv (and the fictional region to "
        "DIR/demo_region.geojson)",
    )
    demo.add_argument(
        "--force",
        action="store_true",
        help="with --out, replace table files in DIR that an earlier demo did not write "
        "(they may hold real records)",
    )


def _demo(args: argparse.Namespace) -> int:
    from peermap import demo_boundaries, scenario
    from peermap.analysis import contexts, hotspots

    reads = read_paths(args)
    out = output_path(args.out, *reads, folder=True, option="--out") if args.out else None
    if out is not None:
        _refuse_real_tables(out, force=args.force)  # before the scenario is drawn
    views = (
        None
        if args.no_views
        else output_path(args.views or "demo", *reads, folder=True, option="--views")
    )
    skipped = ""
    if views is not None:
        try:
            require("folium")  # the [maps] extra: fail before the work, not after it
        except MissingDependencyError as exc:
            if args.views:  # asked for by name: say so and stop
                raise
            views, skipped = None, str(exc)
    with Progress("demo", 2 + (out is not None) + (views is not None)) as progress:
        progress.step("generating")
        options = boundary_options(args)
        bounds = (
            load_boundaries_file(args.boundaries, **options)
            if args.boundaries
            else demo_boundaries()
        )
        try:
            result = scenario(bounds, n_people=args.people, seed=args.seed)
        except ValueError as exc:
            if "raise n_people" not in str(exc) and "raise n_places" not in str(exc):
                raise
            # Too few young people for the planted contexts on these boundaries.
            raise UsageError(f"--people {args.people}: {exc}") from exc
        ds = result.dataset
        progress.step("analysing")
        found, spots = contexts(ds), hotspots(ds)
        summary = analysis_summary(ds, found, spots, top=args.top)
        first = look_first(ds, found, spots, top=args.top)
        written: list[Path] = []
        if out is not None:
            progress.step(f"writing {out}")
            written = _write_exports(ds, out, region=not args.boundaries, reads=reads)
        drawn: list[Path] = []
        if views is not None:
            progress.step(f"drawing {views}")
            drawn = write_views(ds, views, audience=args.audience, reads=reads)
    region_text = args.boundaries or "the built-in fictional demo region"
    print(f"Synthetic scenario on {region_text} ({len(bounds)} authorities), seed {args.seed}")
    print(ds.summary())
    print(result.truth.summary())
    print()
    print(summary)
    print()
    print(first)
    if skipped:
        print()
        print(f"no map or report written: {skipped}")
    if drawn:
        print()
        for path in drawn:
            print(f"wrote {path}")
        print("open them in a browser: they need no network")
    if out is not None:
        print()
        print(f"wrote {len(written)} file(s) to {out}: " + ", ".join(p.name for p in written))
        boundary_hint = args.boundaries or str(out / "demo_region.geojson")
        print(f"next: peermap validate {out} --boundaries {boundary_hint}")
    return 0


def write_views(
    ds: Dataset, folder: Path, *, audience: str, reads: Sequence[str] = ()
) -> list[Path]:
    """Write the demo's map and report (``map.html``, ``report.html``), none over a key.

    ``reads`` are the files the command read (the boundaries): none is written over.
    """
    from peermap.views.report import make_report

    said = f"--views {folder}:"
    map_path = output_path(str(folder / "map.html"), *reads, option=said)
    report_path = output_path(str(folder / "report.html"), *reads, option=said)
    report = make_report(ds, audience=audience, tiles=None)  # type: ignore[arg-type]
    report.save(report_path, map_path=map_path)
    return [map_path, report_path]


#: The file ``peermap demo --out`` leaves beside its tables: their records are synthetic,
#: and the SHA-256 of each file it wrote.
DEMO_MARKER = ".peermap-demo"
_MARKER_TEXT = (
    "The tables in this folder were written by 'peermap demo': fictional young people, "
    "not records. SHA-256 of each file as written:\n"
)


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _demo_files(out: Path) -> dict[str, str]:
    """Return the files an earlier demo wrote into ``out``, by name, with their SHA-256."""
    try:
        lines = (out / DEMO_MARKER).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    pairs = (line.split("  ", 1) for line in lines[1:] if "  " in line)
    return {name: digest for digest, name in pairs}


def _refuse_real_tables(out: Path, *, force: bool) -> None:
    """Refuse to write into a folder holding table files an earlier demo did not write.

    A folder of exports is where an authority's own records live too (``peermap
    validate exports/``): the demo's tables written over them would lose them, and
    written beside them (a ``people.xlsx``, a ``People.csv``) make the folder hold
    each table twice. A file is the demo's own when the marker it left records that
    file as it still is.
    """
    from peermap._io import SUFFIXES
    from peermap.schema import TABLE_ORDER

    if force or not out.is_dir():
        return
    ours = _demo_files(out)
    tables = {f"{name}{suffix}" for name in TABLE_ORDER for suffix in SUFFIXES}
    files = sorted(
        child.name
        for child in out.iterdir()
        if child.name.strip().lower() in tables
        and child.is_file()
        and ours.get(child.name) != _sha256(child)
    )
    if files:
        raise UsageError(
            f"--out {out}: the folder already holds {', '.join(files)}, which an earlier "
            "'peermap demo' did not write (or which changed since): they may hold real "
            "records, and the demo's fictional tables would replace them or stand beside "
            "them. Choose another folder, or pass --force to write there anyway"
        )


def _write_exports(
    ds: Dataset, out: Path, *, region: bool, reads: Sequence[str] = ()
) -> list[Path]:
    """Write the CSV exports (and a copy of the fictional region), none over a key or input."""
    from peermap._atomic import write_text_atomic
    from peermap._io import atomic_path
    from peermap.boundaries import demo_region_file
    from peermap.exchange import to_csv
    from peermap.schema import TABLE_ORDER

    for name in TABLE_ORDER:
        output_path(str(out / f"{name}.csv"), *reads, option=f"--out {out}:")
    written = list(to_csv(ds, out).values())
    written_files = [*written]
    if region:
        target = output_path(str(out / "demo_region.geojson"), *reads, option=f"--out {out}:")
        with atomic_path(target) as tmp:
            tmp.write_bytes(demo_region_file().read_bytes())
        written.append(target)
    listed = "".join(f"{_sha256(path)}  {path.name}\n" for path in written_files)
    write_text_atomic(out / DEMO_MARKER, _MARKER_TEXT + listed)
    return written


def _authority(names: Mapping[str, str], code: Any) -> str:
    if code is None or code != code:
        return "no authority"
    return names.get(str(code), str(code))


def analysis_summary(ds: Dataset, found: pd.DataFrame, spots: pd.DataFrame, *, top: int = 5) -> str:
    """Contexts spanning authorities and the leading hotspot venues, in plain text."""
    names = ds.authority_names
    spanning = found[found["spans_authorities"].astype(bool)]
    distant = int((spanning["reach"] == "distant").sum())
    lines = [
        f"contexts: {len(found)}, of which {len(spanning)} span authorities "
        f"({distant} with a link between authorities that do not border)"
    ]
    for row in spanning.head(top).to_dict("records"):
        auths = ", ".join(names.get(str(a), str(a)) for a in row["authorities"])
        people, places = int(row["n_people"]), int(row["n_places"])
        lines.append(
            f"  #{row['context_id']:<4} {people:>3} young {'person' if people == 1 else 'people'}, "
            f"{places:>2} place{'' if places == 1 else 's'}, {row['serious']:>3} serious "
            f"({row['reach']}): {auths}"
        )
    lines.append("hotspot venues:")
    for spot in spots.head(top).to_dict("records"):
        share = spot["outside_share"]
        shown = "" if share != share else f", {share:.0%} from outside"
        code = str(spot["authority_code"])
        lines.append(
            f"  {spot['rank']:>2}. {spot['place_id']} ({spot['kind']}) in "
            f"{names.get(code, code)}: {spot['people']} young people from "
            f"{spot['home_authorities']} authorities{shown}"
        )
    return "\n".join(lines)


def _wrapped(head: str, reasons: str) -> list[str]:
    """One ranked item: its heading line(s), then its reasons wrapped and indented."""
    lines = textwrap.wrap(head, TEXT_WIDTH, initial_indent="  ", subsequent_indent=_REASON_INDENT)
    for phrase in _UNBROKEN:
        reasons = reasons.replace(phrase, phrase.replace(" ", _GLUE))
    lines += [
        line.replace(_GLUE, " ")
        for line in textwrap.wrap(
            reasons, TEXT_WIDTH, initial_indent=_REASON_INDENT, subsequent_indent=_REASON_INDENT
        )
    ]
    return lines


def _venue_name(spot: Mapping[Any, Any]) -> str:
    """Name a venue as an analyst knows it: reference, label, and kind unless the label says it."""
    kind = str(spot["kind"]).replace("_", " ")
    label = spot.get("label")
    if label is None or label != label or not str(label).strip():
        return f"{spot['place_id']} ({kind})"
    text = f"{spot['place_id']} {str(label).strip()}"
    return text if kind in str(label).lower() else f"{text} ({kind})"


def look_first(ds: Dataset, found: pd.DataFrame, spots: pd.DataFrame, *, top: int = 5) -> str:
    """List the most concerning contexts and venues, each with the reasons it ranks there."""
    names = ds.authority_names
    lines = ["What to look at first", "contexts, most concerning first:"]
    concerning = found[found["concern"] > 0].head(top)
    if concerning.empty:
        lines.append("  none: no context's harm stands out beyond what its activity would bring")
    for row in concerning.to_dict("records"):
        auths = ", ".join(_authority(names, a) for a in row["authorities"])
        head = f"#{row['context_id']} ({row['reach']}): {auths or 'no authority recorded'}"
        lines += _wrapped(head, str(row["reasons"]))
    lines += ["", "venues, most concerning first:"]
    venues = spots[spots["concern"] > 0].head(top)
    if venues.empty:
        lines.append("  none: no venue has more harm recorded than is usual for its kind")
    for spot in venues.to_dict("records"):
        where = _authority(names, spot.get("authority_code"))
        head = f"{spot['rank']}. {_venue_name(spot)} in {where}"
        lines += _wrapped(head, str(spot["reasons"]))
    if not (concerning.empty and venues.empty):
        note = (
            "The order is by concern score. q is the false discovery rate: how often an "
            "excess this strong would be chance, among all the places and groups tested; "
            "under 0.05 stands out, and q = 1 is no evidence beyond the records themselves."
        )
        lines += ["", *textwrap.wrap(note, TEXT_WIDTH, initial_indent="  ", subsequent_indent="  ")]
    return "\n".join(lines)


COMMANDS: dict[str, Command] = {"demo": _demo}
