"""The ``peermap`` command line.

Every command has ``--help`` with an example. Output files are always named by the
user and written atomically (an interrupted run leaves the old file or none); a file
holding a partnership key is never overwritten. Long steps show a progress bar on
standard error when it is a terminal. Errors print one clear paragraph and exit with
status 2 for bad input (validation, privacy, key, boundary or CRS problems, a missing
file, an unusable argument) and 1 for any other failure; ``--debug`` shows the
traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO

from peermap.disclosure import PACKAGE_AUDIENCES, VIEW_AUDIENCES, Audience
from peermap.exceptions import (
    BoundaryError,
    CRSError,
    KeyMaterialError,
    PrivacyError,
    ValidationError,
)

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

    from peermap.dataset import Dataset

__all__ = ["COMMANDS", "Progress", "UsageError", "load_boundaries_file", "main"]


class UsageError(Exception):
    """An argument the command cannot use (exit status 2, like other bad input)."""


BAD_INPUT: tuple[type[BaseException], ...] = (
    ValidationError,
    PrivacyError,
    KeyMaterialError,
    BoundaryError,
    CRSError,
    UsageError,
    FileNotFoundError,
)

RELIABILITY_CHOICES = ("unverified", "reported", "corroborated", "confirmed")
STATIC_SUFFIXES = (".png", ".svg", ".pdf")


# --------------------------------------------------------------------------- progress


class Progress:
    """A small progress bar on standard error, drawn only when it is a terminal.

    Parameters
    ----------
    command : str
        The command shown before the bar.
    total : int
        Number of steps expected.
    stream : text stream, optional
        Where to draw (default ``sys.stderr``).
    enabled : bool, optional
        Force drawing on or off; by default on only when ``stream`` is a terminal and
        the environment variable ``PEERMAP_NO_PROGRESS`` is unset.
    """

    width = 20

    def __init__(
        self,
        command: str,
        total: int,
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
    ) -> None:
        self.command = command
        self.total = max(1, total)
        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty()) and not os.environ.get("PEERMAP_NO_PROGRESS")
        self.enabled = enabled
        self.done = 0
        self.start = time.monotonic()
        self._shown = 0

    def step(self, label: str) -> None:
        """Start the next step, named ``label``, and redraw the bar."""
        self.done = min(self.done + 1, self.total)
        if not self.enabled:
            return
        filled = round(self.width * (self.done - 1) / self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.monotonic() - self.start
        text = f"peermap {self.command} [{bar}] {self.done}/{self.total} {label} ({elapsed:.0f} s)"
        text = text[:119]
        self.stream.write("\r" + text.ljust(self._shown))
        self.stream.flush()
        self._shown = len(text)

    def close(self) -> None:
        """Erase the bar."""
        if self.enabled and self._shown:
            self.stream.write("\r" + " " * self._shown + "\r")
            self.stream.flush()
        self._shown = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# --------------------------------------------------------------------------- parser


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def _examples(*lines: str) -> str:
    head = "example:" if len(lines) == 1 else "examples:"
    return head + "\n" + "\n".join(f"  {line}" for line in lines) + "\n"


def _add_source(p: argparse.ArgumentParser, *, what: str = "dataset") -> None:
    p.add_argument(
        "source",
        help=f"{what}: a folder of table files, an .xlsx workbook, or a .gpkg package",
    )
    p.add_argument(
        "--boundaries",
        metavar="FILE",
        help="authority boundaries to read a folder or workbook against (any format GDAL "
        "reads); a package carries its own",
    )
    p.add_argument(
        "--lenient",
        action="store_true",
        help="set rows with errors aside instead of stopping (peermap validate lists them)",
    )
    p.add_argument(
        "--key-file",
        metavar="FILE",
        help="the partnership key, to verify a package (else PEERMAP_KEY / PEERMAP_KEY_FILE)",
    )


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", metavar="DATE", help="keep records dated on or after DATE")
    p.add_argument("--until", metavar="DATE", help="keep records dated on or before DATE")
    p.add_argument(
        "--min-reliability",
        choices=RELIABILITY_CHOICES,
        default="unverified",
        help="keep ties and sightings of at least this grade (default: all)",
    )


def _add_rule(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--min-count",
        type=int,
        metavar="N",
        help="public audience: suppress counts under N (default peermap.settings, 10)",
    )
    p.add_argument(
        "--round-to",
        type=int,
        metavar="N",
        help="public audience: round shown counts to a multiple of N (default 5)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="peermap",
        description=textwrap.fill(
            "Map peer-on-peer abuse and exploitation contexts across local-authority "
            "boundaries. Run 'peermap COMMAND --help' for a command's options and an example.",
            79,
        ),
        formatter_class=_Formatter,
        epilog=_examples(
            "peermap demo",
            "peermap template collection.xlsx",
            "peermap validate exports/ --boundaries lad_2024.geojson",
            "peermap report exports/ --boundaries lad_2024.geojson -o report.html",
        ),
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help: str, description: str, epilog: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help,
            description=textwrap.fill(description, 79),
            epilog=epilog,
            formatter_class=_Formatter,
        )

    demo = command(
        "demo",
        "generate a synthetic dataset and summarise it",
        "Generate a seeded synthetic scenario (fictional young people on the built-in "
        "fictional region, or on a real boundary file) and print its summary, then what to "
        "look at first: the most concerning contexts and venues with their reasons. With --out, "
        "also write it as CSV exports to try every other command on.",
        _examples(
            "peermap demo",
            "peermap demo --people 5000 --seed 7",
            "peermap demo --out exports/",
            "peermap demo --boundaries ons_lad_2024_england_buc.geojson",
        ),
    )
    demo.add_argument("--boundaries", metavar="FILE", help="a real boundary file to run on")
    demo.add_argument("--people", type=int, default=2000, help="young people (default 2000)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument("--top", type=int, default=5, help="rows of each table (default 5)")
    demo.add_argument(
        "--out",
        metavar="DIR",
        help="write the tables to DIR/<table>.csv (and the fictional region to "
        "DIR/demo_region.geojson)",
    )

    template = command(
        "template",
        "write a blank data-collection workbook for practitioners",
        "Write an Excel workbook with a guidance sheet and one sheet per table of record "
        "schema v1: headers, dropdown lists for every listed column (kinds, contexts, "
        "sources, reliabilities), and checks on dates, ages and coordinates. What is filled "
        "in reads back with 'peermap validate FILE.xlsx'.",
        _examples(
            "peermap template collection.xlsx",
            "peermap template collection.xlsx --boundaries lad_2024.geojson",
        ),
    )
    template.add_argument("file", help="the workbook to write (.xlsx)")
    template.add_argument(
        "--boundaries", metavar="FILE", help="offer these authorities' names as a list"
    )
    template.add_argument(
        "--force", action="store_true", help="replace FILE if it exists (it may hold records)"
    )

    val = command(
        "validate",
        "check a dataset against record schema v1",
        "Check a folder of table files (people, places, ties, sightings, relocations as "
        ".csv, .xlsx or .parquet) or an .xlsx workbook with one sheet per table. Exits "
        "with status 2 when there are errors.",
        _examples(
            "peermap validate exports/",
            "peermap validate exports/ --boundaries lad_2024.geojson --rejected rejected/",
        ),
    )
    val.add_argument("source", help="folder or workbook")
    val.add_argument("--boundaries", metavar="FILE", help="resolve authorities against these")
    val.add_argument("--all", action="store_true", help="list every problem, not the first 50")
    val.add_argument(
        "--rejected",
        metavar="DIR",
        help="write the rows that would be set aside to DIR/<table>.csv, with reasons",
    )

    pse = command(
        "pseudonymise",
        "replace identifier columns of a CSV file with keyed pseudonyms",
        "Replace the values of the named columns with keyed HMAC-SHA256 pseudonyms. "
        "The partnership key is read from --key-file, else from the environment "
        "variable PEERMAP_KEY, else from the file named by PEERMAP_KEY_FILE; it is "
        "never printed.",
        _examples(
            "peermap pseudonymise raw/people.csv people.csv --columns person_id "
            "--key-file partnership.key"
        ),
    )
    pse.add_argument("input", help="CSV file to read")
    pse.add_argument("output", help="CSV file to write (atomically)")
    pse.add_argument(
        "--columns", required=True, help="comma-separated column names to pseudonymise"
    )
    pse.add_argument("--key-file", metavar="FILE", help="file holding the partnership key")

    key = command(
        "key",
        "write a new random partnership key to a file",
        "Write a new random 256-bit partnership key to FILE (readable by you only) and "
        "print its public fingerprint. Share the key only with partners under the "
        "information-sharing agreement.",
        _examples("peermap key partnership.key"),
    )
    key.add_argument("file", help="where to write the key (must not exist)")

    assign = command(
        "assign",
        "assign places to the authorities they lie in",
        "Read a places table (.csv, .xlsx or .parquet: place_id, kind, and lon/lat or "
        "easting/northing), assign every place to the authority it lies in, and write it "
        "with authority_code, authority_name and assignment: 'within' an authority, "
        "'on_boundary' (within 1 cm of a border: the lowest code), 'nearest' (in no "
        "authority but within the tolerance: rivers, estuaries, coasts) or 'outside' (no "
        "authority). Rows with errors are set aside and listed, and the exit status is then 2.",
        _examples("peermap assign places.csv --boundaries lad_2024.geojson -o assigned.csv"),
    )
    assign.add_argument("places", help="the places table, or a dataset folder holding one")
    assign.add_argument("--boundaries", metavar="FILE", required=True, help="boundary file")
    assign.add_argument("-o", "--output", metavar="OUT.csv", required=True, help="CSV to write")
    assign.add_argument(
        "--tolerance",
        type=float,
        default=1000.0,
        metavar="METRES",
        help="how far outside every authority a place may lie and still be assigned to the "
        "nearest (default 1000)",
    )

    map_ = command(
        "map",
        "draw a dataset as an interactive map (or a static figure)",
        "Draw contexts, hotspot venues, flows and relocations on one self-contained HTML "
        "map that opens with no network, for the partnership meeting. The public audience "
        "(the default) shows aggregates only, with small-count suppression; partnership "
        "maps show exact counts and must not leave the partnership. An output ending in "
        ".png, .svg or .pdf draws the same picture as a static figure.",
        _examples(
            "peermap map exports/ --boundaries lad_2024.geojson -o hotspots.html --tiles none",
            "peermap map cluster.gpkg --audience partnership --key-file partnership.key "
            "-o partnership.html",
            "peermap map exports/ --boundaries lad_2024.geojson -o hotspots.png",
        ),
    )
    _add_source(map_)
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
    _add_filters(map_)
    _add_rule(map_)

    report = command(
        "report",
        "write a summary report (HTML or Markdown) with the map",
        "Write a summary: contexts spanning authorities and hotspot venues, most concerning "
        "first (a partnership report says why each ranks there), "
        "flows between authorities and relocations received, with the map embedded (HTML, "
        "one self-contained file that opens with no network) or linked (--map). A public "
        "report (the default) applies small-count suppression to every count of young "
        "people or records and names no young person; a partnership report shows exact "
        "counts and the data-quality figures.",
        _examples(
            "peermap report exports/ --boundaries lad_2024.geojson -o report.html",
            "peermap report exports/ --boundaries lad_2024.geojson -o report.md --map map.html",
            "peermap report cluster.gpkg --audience partnership --key-file partnership.key "
            "-o partnership.html",
        ),
    )
    _add_source(report)
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
    _add_filters(report)
    _add_rule(report)

    export = command(
        "export",
        "write an exchange package, or files for GIS and network tools",
        "Write a dataset for a partner or another tool; the format follows the output's "
        "suffix. .gpkg: an exchange package (GeoPackage) for neighbouring authorities, "
        "record level for the partnership (needs the key) or aggregate flows with "
        "small-count suppression; .graphml / .gexf: the peer (or place) network for Gephi, "
        "igraph or Cytoscape; a folder with --format geojson: one GeoJSON file per layer. "
        "Only schema columns are written; free text and extra columns only with --allow.",
        _examples(
            "peermap export exports/ --boundaries lad_2024.geojson -o camden.gpkg "
            "--producer E09000007 --audience partnership --key-file partnership.key",
            "peermap export exports/ --boundaries lad_2024.geojson -o network.graphml",
        ),
    )
    _add_source(export)
    export.add_argument("-o", "--output", metavar="OUT", required=True, help="file or folder")
    export.add_argument(
        "--format",
        choices=("package", "graphml", "gexf", "geojson"),
        help="default: from the suffix (.gpkg, .graphml, .gexf)",
    )
    export.add_argument(
        "--audience",
        choices=PACKAGE_AUDIENCES,
        help="package: record level for the partnership, or aggregate (required for .gpkg)",
    )
    export.add_argument("--producer", metavar="CODE", help="GSS code of your authority")
    export.add_argument(
        "--allow",
        metavar="COLUMNS",
        help="comma-separated free-text or extra columns to include (e.g. places.label)",
    )
    export.add_argument(
        "--graph", choices=("peer", "place"), default="peer", help="graph exports: which graph"
    )
    _add_filters(export)

    merge = command(
        "merge",
        "merge neighbouring authorities' packages into one",
        "Read several exchange packages (each verified with the partnership key), merge "
        "them so that every record keeps the authorities that reported it and nothing is "
        "counted twice, report any disagreement, and write the merged package.",
        _examples(
            "peermap merge camden.gpkg islington.gpkg haringey.gpkg -o cluster.gpkg "
            "--producer E09000007 --key-file partnership.key"
        ),
    )
    merge.add_argument("packages", nargs="+", help="the packages (.gpkg) to merge")
    merge.add_argument("-o", "--output", metavar="OUT.gpkg", required=True, help="package")
    merge.add_argument(
        "--producer", metavar="CODE", required=True, help="GSS code of your authority"
    )
    merge.add_argument("--key-file", metavar="FILE", help="file holding the partnership key")

    info = command(
        "info",
        "describe a package, boundary file or dataset",
        "Describe a file without changing it: an exchange package (schema version, "
        "producer, period, audience, key fingerprint, counts, integrity), a boundary file "
        "(authorities, vintage, attribution, repairs), or a dataset folder or workbook "
        "(tables, rows, period, validation).",
        _examples(
            "peermap info camden.gpkg --key-file partnership.key",
            "peermap info ons_lad_2024_england_buc.geojson",
            "peermap info exports/",
        ),
    )
    info.add_argument("file", help="a .gpkg package, a boundary file, or a dataset")
    info.add_argument("--key-file", metavar="FILE", help="verify a package with this key")
    info.add_argument(
        "--boundaries", metavar="FILE", help="a dataset: read it against these boundaries"
    )
    return parser


# --------------------------------------------------------------------------- helpers


def _key_in_environment() -> bool:
    from peermap import settings

    return bool(
        os.environ.get(settings.key_env, "").strip()
        or os.environ.get(settings.key_file_env, "").strip()
    )


def _key(key_file: str | None, *, required: bool) -> Any:
    """Load the partnership key from --key-file or the environment (None if optional, absent)."""
    from peermap.privacy import load_key

    if key_file:
        return load_key(file=key_file)
    if required or _key_in_environment():
        return load_key()
    return None


def _holds_key(path: Path) -> bool:
    """Whether an existing file holds a partnership key (such a file is never overwritten)."""
    from peermap.privacy import load_key

    try:
        if not path.is_file() or path.stat().st_size > 1024:
            return False
        load_key(file=path)
    except (KeyMaterialError, OSError):
        return False
    return True


def _output(path: str, *inputs: str | None, folder: bool = False) -> Path:
    """Check a user-named output path before anything is written to it."""
    out = Path(path)
    if folder:
        if out.exists() and not out.is_dir():
            raise UsageError(f"{out} is a file; name a folder to write into")
        return out
    if out.is_dir():
        raise UsageError(f"{out} is a folder; name the file to write")
    if _holds_key(out):
        raise KeyMaterialError(
            f"{out} holds a partnership key: peermap never overwrites a key file; choose "
            "another output name"
        )
    for given in inputs:
        if given and out.exists() and Path(given).exists() and out.samefile(given):
            raise UsageError(f"{out} is also an input of this command; choose another name")
    return out


def _demo_region_file() -> Any:
    from importlib import resources

    return resources.files("peermap").joinpath("data", "boundaries", "demo_region.geojson")


def load_boundaries_file(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """Load a boundary file named on the command line.

    A copy of peermap's fictional demo region (as ``peermap demo --out`` writes) is
    recognised by its content and loaded as :func:`peermap.demo_boundaries`, so that
    maps and reports made from it say it is fictional instead of crediting the ONS.

    Parameters
    ----------
    path : str or path-like
        Any boundary file :func:`peermap.load_boundaries` reads.

    Returns
    -------
    geopandas.GeoDataFrame
        The boundaries.
    """
    from peermap.boundaries import demo_boundaries, load_boundaries

    file = Path(path)
    demo = _demo_region_file()
    data = demo.read_bytes()
    if file.is_file() and file.stat().st_size == len(data) and file.read_bytes() == data:
        return demo_boundaries()
    return load_boundaries(file)


def _boundaries(path: str | None, progress: Progress) -> gpd.GeoDataFrame | None:
    if not path:
        return None
    progress.step(f"loading {Path(path).name}")
    return load_boundaries_file(path)


def _is_package(path: Path) -> bool:
    return path.suffix.lower() == ".gpkg" and _package_metadata(path) is not None


def _package_metadata(path: Path) -> dict[str, str] | None:
    """Read the metadata table of a peermap package; None when the file is not one."""
    import pyogrio

    try:
        layers = {str(name) for name in pyogrio.list_layers(str(path))[:, 0]}
        if "metadata" not in layers:
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = pyogrio.read_dataframe(str(path), layer="metadata")
    except Exception:
        return None
    if not {"key", "value"} <= set(frame.columns):
        return None
    meta = {
        str(k): "" if v is None or v != v else str(v)
        for k, v in zip(frame["key"], frame["value"], strict=True)
    }
    return meta if meta.get("format") == "peermap-package" else None


def _dataset(args: argparse.Namespace, progress: Progress, notes: list[str]) -> Dataset:
    """Read the command's source: a package, or a folder or workbook (validated)."""
    source = Path(args.source)
    if source.suffix.lower() == ".gpkg":
        from peermap.exchange import read_package

        if args.boundaries:
            raise UsageError(
                f"{source} is a package and carries its own boundaries; --boundaries applies "
                "to folders and workbooks"
            )
        if not source.is_file():
            raise FileNotFoundError(f"{source}: no such file")
        key = _key(args.key_file, required=False)
        progress.step(f"reading {source.name}")
        ds = read_package(source, key=key)
        if not ds.meta.get("verified"):
            notes.append(
                f"{source.name}: integrity checked against its digest only (no partnership "
                "key given); pass --key-file to verify who made it"
            )
        return ds
    from peermap.validation import read_dataset

    bounds = _boundaries(args.boundaries, progress)
    progress.step(f"reading {source.name or source}")
    ds = read_dataset(source, boundaries=bounds, strict=not args.lenient)
    if ds.report.n_rejected:
        notes.append(
            f"{ds.report.n_rejected} row(s) with errors were set aside; "
            f"'peermap validate {args.source}' lists them"
        )
    if bounds is None:
        notes.append(
            "read without --boundaries: places are not assigned to authorities, so "
            "authority layers, flows into places and reach are missing"
        )
    return ds


@contextmanager
def _arguments_checked() -> Iterator[None]:
    """Report a plain ValueError raised on the user's options as bad input (status 2)."""
    try:
        yield
    except BAD_INPUT:
        raise
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    return {"since": args.since, "until": args.until, "min_reliability": args.min_reliability}


def _rule(args: argparse.Namespace) -> dict[str, Any]:
    if args.audience == "partnership" and (args.min_count is not None or args.round_to is not None):
        raise UsageError(
            "a partnership audience sees exact counts: --min-count and --round-to apply to "
            "public maps and reports only"
        )
    return {"min_count": args.min_count, "round_to": args.round_to}


def _tiles(value: str) -> str | None:
    return None if value.strip().lower() in ("none", "") else value


def _print_notes(notes: Sequence[str]) -> None:
    for note in notes:
        print(f"note: {note}")


def _partnership_warning() -> str:
    banner = Audience.of("partnership").banner_ascii
    assert banner is not None
    return banner


def _names(ds: Dataset) -> dict[str, str]:
    if ds.boundaries is None:
        return {}
    return {
        str(k): str(v) for k, v in zip(ds.boundaries["code"], ds.boundaries["name"], strict=True)
    }


# --------------------------------------------------------------------------- commands


def _demo(args: argparse.Namespace) -> int:
    from peermap.boundaries import demo_boundaries
    from peermap.synthetic import scenario

    out = _output(args.out, folder=True) if args.out else None
    with Progress("demo", 3 if out else 2) as progress:
        progress.step("generating")
        bounds = load_boundaries_file(args.boundaries) if args.boundaries else demo_boundaries()
        result = scenario(bounds, n_people=args.people, seed=args.seed)
        ds = result.dataset
        progress.step("analysing")
        found, spots = _ranked(ds)
        summary = _analysis_summary(ds, found, spots, top=args.top)
        first = _look_first(ds, found, spots, top=args.top)
        written: list[Path] = []
        if out is not None:
            progress.step(f"writing {out}")
            written = _write_tables(ds, out)
            if not args.boundaries:
                written.append(_write_demo_region(out / "demo_region.geojson"))
    region_text = args.boundaries or "the built-in fictional demo region"
    print(f"Synthetic scenario on {region_text} ({len(bounds)} authorities), seed {args.seed}")
    print(ds.summary())
    print(result.truth.summary())
    print()
    print(summary)
    print()
    print(first)
    if out is not None:
        print()
        print(f"wrote {len(written)} file(s) to {out}: " + ", ".join(p.name for p in written))
        boundary_hint = args.boundaries or str(out / "demo_region.geojson")
        print(f"next: peermap validate {out} --boundaries {boundary_hint}")
    return 0


def _write_demo_region(target: Path) -> Path:
    """Copy the packaged fictional demo region (GeoJSON, WGS84) to ``target``."""
    from peermap._io import atomic_path

    _output(str(target))
    with atomic_path(target) as tmp:
        tmp.write_bytes(_demo_region_file().read_bytes())
    return target


def _write_tables(ds: Dataset, folder: Path) -> list[Path]:
    """Write a dataset's schema columns as CSV exports, one file per table."""
    import pandas as pd

    from peermap._io import atomic_path
    from peermap.schema import TABLE_ORDER, TABLES

    written = []
    for name in TABLE_ORDER:
        frame = pd.DataFrame(ds.table(name))
        columns = [c for c in TABLES[name].names if c in frame.columns]
        out = frame[columns].copy()
        for col in TABLES[name].columns:
            if col.type == "date" and col.name in out:
                out[col.name] = out[col.name].dt.strftime("%Y-%m-%d")
        target = folder / f"{name}.csv"
        _output(str(target))
        with atomic_path(target) as tmp:
            out.to_csv(tmp, index=False, encoding="utf-8")
        written.append(target)
    return written


def _ranked(ds: Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Contexts and hotspot venues of a dataset, each most concerning first."""
    from peermap.analysis import contexts, hotspots

    return contexts(ds), hotspots(ds)


def _analysis_summary(
    ds: Dataset, found: pd.DataFrame, spots: pd.DataFrame, *, top: int = 5
) -> str:
    """Contexts spanning authorities and the leading hotspot venues, in plain text."""
    names = _names(ds)

    def name(code: str) -> str:
        return names.get(code, code)

    spanning = found[found["spans_authorities"].astype(bool)]
    distant = int((spanning["reach"] == "distant").sum())
    lines = [
        f"contexts: {len(found)}, of which {len(spanning)} span authorities "
        f"({distant} with a link between authorities that do not border)"
    ]
    for row in spanning.head(top).to_dict("records"):
        auths = ", ".join(name(str(a)) for a in row["authorities"])
        lines.append(
            f"  #{row['context_id']:<4} {row['n_people']:>3} young people, "
            f"{row['n_places']:>2} places, {row['serious']:>3} serious ({row['reach']}): {auths}"
        )
    lines.append("hotspot venues:")
    for spot in spots.head(top).to_dict("records"):
        share = spot["outside_share"]
        shown = "" if share != share else f", {share:.0%} from outside"
        lines.append(
            f"  {spot['rank']:>2}. {spot['place_id']} ({spot['kind']}) in "
            f"{name(str(spot['authority_code']))}: {spot['people']} young people from "
            f"{spot['home_authorities']} authorities{shown}"
        )
    return "\n".join(lines)


#: Width of the demo's text, to read in a terminal of 100 columns.
TEXT_WIDTH = 99
_REASON_INDENT = " " * 8
#: Phrases of the reasons kept on one line ("q < 0.001" must not break after "<").
_UNBROKEN = ("q < ", "q = ")
_GLUE = "\x00"


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


def _look_first(ds: Dataset, found: pd.DataFrame, spots: pd.DataFrame, *, top: int = 5) -> str:
    """List the most concerning contexts and venues, each with the reasons it ranks there."""
    names = _names(ds)

    def name(code: Any) -> str:
        if code is None or code != code:
            return "no authority"
        return names.get(str(code), str(code))

    lines = ["What to look at first", "contexts, most concerning first:"]
    concerning = found[found["concern"] > 0].head(top)
    if concerning.empty:
        lines.append("  none: no context has more harm recorded than its activity would bring")
    for row in concerning.to_dict("records"):
        auths = ", ".join(name(a) for a in row["authorities"]) or "no authority recorded"
        head = f"#{row['context_id']} ({row['reach']}): {auths}"
        lines += _wrapped(head, str(row["reasons"]))
    lines += ["", "venues, most concerning first:"]
    venues = spots[spots["concern"] > 0].head(top)
    if venues.empty:
        lines.append("  none: no venue has more harm recorded than is usual for its kind")
    for spot in venues.to_dict("records"):
        where = name(spot["authority_code"]) if "authority_code" in spot else "no authority"
        head = f"{spot['rank']}. {_venue_name(spot)} in {where}"
        lines += _wrapped(head, str(spot["reasons"]))
    return "\n".join(lines)


def _template(args: argparse.Namespace) -> int:
    from peermap.template import write_template

    target = _output(args.file, args.boundaries)
    if target.suffix.lower() != ".xlsx":
        raise UsageError(f"{target}: the template is an Excel workbook; name it ....xlsx")
    if target.exists() and not args.force:
        raise UsageError(
            f"{target} exists and may hold records practitioners entered; choose a new name "
            "or pass --force to replace it"
        )
    bounds = load_boundaries_file(args.boundaries) if args.boundaries else None
    write_template(target, boundaries=bounds)
    from peermap.schema import TABLE_ORDER
    from peermap.template import template_lists

    lists = template_lists()
    print(
        f"wrote {target}: a guidance sheet and sheets {', '.join(TABLE_ORDER)}, with "
        f"dropdown lists on {len(lists)} columns"
        + (" and the authorities of the boundaries" if args.boundaries else "")
    )
    print(f"when it comes back filled in: peermap validate {target}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from peermap._io import atomic_path
    from peermap.validation import validate

    with Progress("validate", 1 + int(bool(args.boundaries))) as progress:
        bounds = _boundaries(args.boundaries, progress)
        progress.step(f"reading {args.source}")
        report = validate(args.source, boundaries=bounds)
    print(report.summary())
    if report.problems:
        print()
        print(report.format(limit=None if args.all else 50))
    if args.rejected:
        folder = _output(args.rejected, folder=True)
        for table, frame in report.rejected.items():
            if len(frame):
                target = _output(str(folder / f"{table}.csv"), args.source)
                with atomic_path(target) as tmp:
                    frame.to_csv(tmp, encoding="utf-8")
                print(f"wrote {len(frame)} rejected row(s) to {target}")
    return 0 if report.ok else 2


def _pseudonymise(args: argparse.Namespace) -> int:
    import pandas as pd

    from peermap._io import atomic_path
    from peermap.privacy import key_fingerprint, load_key, pseudonymise

    target = _output(args.output, args.input, args.key_file)
    key = load_key(file=args.key_file) if args.key_file else load_key()
    columns = [c.strip() for c in args.columns.split(",") if c.strip()]
    frame = pd.read_csv(args.input, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    out = pseudonymise(frame, columns, key=key)
    with atomic_path(target) as tmp:
        out.to_csv(tmp, index=False, encoding="utf-8")
    print(
        f"pseudonymised {', '.join(columns)} in {len(out)} row(s) -> {target} "
        f"(key fingerprint {key_fingerprint(key)})"
    )
    return 0


def _key_command(args: argparse.Namespace) -> int:
    from peermap.privacy import generate_key, key_fingerprint

    path = Path(args.file)
    if path.exists():
        raise KeyMaterialError(f"{path} exists; choose a new file so no key is overwritten")
    secret = generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secret + "\n")
    print(f"wrote a new partnership key to {path} (fingerprint {key_fingerprint(secret)})")
    return 0


_ASSIGNMENT_TEXT = {
    "within": "inside one authority",
    "on_boundary": "on a border (within 1 cm): assigned to the lowest code",
    "nearest": "in no authority but within {tol:g} m of one (river, estuary, coast): nearest",
    "outside": "farther than {tol:g} m from every authority: no authority",
}


def _places_source(path: Path) -> Any:
    """Find the places table of a file, a workbook or a dataset folder."""
    from peermap._io import SUFFIXES

    if path.is_dir():
        found = [p for p in sorted(path.iterdir()) if p.stem.lower() == "places"]
        found = [p for p in found if p.suffix.lower() in SUFFIXES]
        if not found:
            raise UsageError(f"{path}: no places.csv, places.xlsx or places.parquet in it")
        return found[0]
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file or folder")
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        try:
            sheets = [s for s in wb.sheetnames if s.strip().lower() == "places"]
        finally:
            wb.close()
        if sheets:
            from peermap._io import read_raw

            return read_raw(path, "places", sheet=sheets[0]).frame.reset_index(drop=True)
    return path


def _assign(args: argparse.Namespace) -> int:
    import pandas as pd

    from peermap._io import atomic_path
    from peermap.assignment import assign_authorities
    from peermap.schema import TABLES
    from peermap.validation import read_dataset

    target = _output(args.output, args.places, args.boundaries)
    if target.suffix.lower() != ".csv":
        raise UsageError(f"{target}: assign writes a CSV file; name it ....csv")
    if args.tolerance < 0:
        raise UsageError(f"--tolerance must be 0 or more metres, not {args.tolerance:g}")
    with Progress("assign", 4) as progress:
        bounds = _boundaries(args.boundaries, progress)
        assert bounds is not None
        progress.step(f"reading {args.places}")
        places = _places_source(Path(args.places))
        people = pd.DataFrame({c: pd.Series(dtype=str) for c in TABLES["people"].names})
        ds = read_dataset({"people": people, "places": places}, strict=False)
        progress.step("assigning")
        with warnings.catch_warnings():
            # Places outside every authority are counted and listed below.
            from peermap.exceptions import PeermapWarning

            warnings.simplefilter("ignore", PeermapWarning)
            assigned = assign_authorities(ds.places, bounds, tolerance_m=args.tolerance)
        progress.step(f"writing {target.name}")
        columns = [*TABLES["places"].names, "authority_code", "authority_name", "assignment"]
        frame = pd.DataFrame(assigned.drop(columns="geometry"))[columns]
        with atomic_path(target) as tmp:
            frame.to_csv(tmp, index=False, encoding="utf-8")
    counts = assigned["assignment"].value_counts()
    total = len(assigned)
    located = int(assigned["assignment"].notna().sum())
    print(
        f"assigned {total} place(s) against {len(bounds)} authorities "
        f"({bounds.attrs.get('source') or Path(args.boundaries).name}):"
    )
    for outcome, text in _ASSIGNMENT_TEXT.items():
        print(
            f"  {outcome:<12} {int(counts.get(outcome, 0)):>6}  {text.format(tol=args.tolerance)}"
        )
    if located < total:
        print(f"  {'no location':<12} {total - located:>6}  no coordinates: no authority")
    outside = assigned.loc[assigned["assignment"] == "outside", "place_id"].astype(str).tolist()
    if outside:
        shown = ", ".join(outside[:10]) + (
            f" and {len(outside) - 10} more" if len(outside) > 10 else ""
        )
        print(f"outside every authority: {shown}")
    print(f"wrote {target}")
    rejected = ds.report.n_rejected
    if ds.report.problems:
        print()
        print(ds.report.format(limit=50))
    if rejected:
        print(f"{rejected} row(s) with errors were set aside and are not in {target}")
        return 2
    return 0


def _map(args: argparse.Namespace) -> int:
    from peermap.views.maps import make_map, plot_static, save_map

    target = _output(args.output, args.source, args.boundaries, args.key_file)
    suffix = target.suffix.lower()
    if suffix not in (".html", ".htm", *STATIC_SUFFIXES):
        raise UsageError(
            f"{target}: a map is written as .html (interactive) or .png, .svg or .pdf (static)"
        )
    rule = _rule(args)
    layers = [s.strip() for s in args.layers.split(",") if s.strip()] if args.layers else None
    options: dict[str, Any] = {
        "audience": args.audience,
        "layers": layers,
        "context": args.context,
        "choropleth": args.choropleth,
        "title": args.title,
        **rule,
        **_filters(args),
    }
    notes: list[str] = []
    with Progress("map", 4) as progress:
        ds = _dataset(args, progress, notes)
        progress.step("drawing")
        with _arguments_checked():
            if suffix in STATIC_SUFFIXES:
                progress.step(f"writing {target.name}")
                plot_static(ds, target, **options)
                info = None
            else:
                m = make_map(ds, tiles=_tiles(args.tiles), **options)
                progress.step(f"writing {target.name}")
                save_map(m, target)
                info = m.info
    _print_notes(notes)
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
        print(_partnership_warning())
    kind = "static figure" if suffix in STATIC_SUFFIXES else "self-contained, opens offline"
    print(f"wrote {target} ({target.stat().st_size / 1e3:,.0f} kB, {kind})")
    return 0


def _report(args: argparse.Namespace) -> int:
    from peermap.views.report import report_format, write_report

    target = _output(args.output, args.source, args.boundaries, args.key_file)
    with _arguments_checked():
        fmt = report_format(target)
    map_path = None
    if args.map:
        map_path = _output(args.map, args.source, args.boundaries, args.key_file)
        if map_path.suffix.lower() not in (".html", ".htm"):
            raise UsageError(f"{map_path}: --map writes an interactive map: name it ....html")
        if map_path.resolve() == target.resolve():
            raise UsageError("--map and -o name the same file; choose two names")
    rule = _rule(args)
    notes: list[str] = []
    drawn = map_path is not None or (fmt == "html" and not args.no_embed)
    steps = int(bool(args.boundaries)) + 1 + int(drawn) + 4 + 1
    if args.audience == "partnership":
        steps += 1
    with Progress("report", steps) as progress:
        ds = _dataset(args, progress, notes)
        with _arguments_checked():
            write_report(
                ds,
                target,
                audience=args.audience,
                map_path=map_path,
                embed_map=not args.no_embed,
                tiles=_tiles(args.tiles),
                title=args.title,
                top=args.top,
                step=progress.step,
                **rule,
                **_filters(args),
            )
    _print_notes(notes)
    print(f"report ({args.audience}, {fmt}): {target}")
    if map_path is not None:
        print(f"map: {map_path}")
    elif fmt == "markdown":
        print("no map: a Markdown report links to one written with --map FILE.html")
    if args.audience == "partnership":
        print(_partnership_warning())
    return 0


_EXPORT_SUFFIX = {".gpkg": "package", ".graphml": "graphml", ".gexf": "gexf"}


def _export(args: argparse.Namespace) -> int:
    from peermap import exchange

    fmt = args.format or _EXPORT_SUFFIX.get(Path(args.output).suffix.lower())
    if fmt is None:
        raise UsageError(
            f"{args.output}: cannot tell the format from the name; end it in .gpkg (package), "
            ".graphml or .gexf, or give --format geojson with a folder"
        )
    folder = fmt == "geojson"
    target = _output(args.output, args.source, args.boundaries, args.key_file, folder=folder)
    allow = [s.strip() for s in args.allow.split(",") if s.strip()] if args.allow else []
    if fmt == "package":
        if args.audience is None:
            raise UsageError(
                "say who the package is for: --audience partnership (records, pseudonymised "
                "personal data, for partners holding the key) or --audience aggregate (flows "
                "and counts with small-count suppression)"
            )
        if not args.producer:
            raise UsageError("a package records who made it: give --producer CODE (GSS code)")
    elif args.audience is not None:
        raise UsageError(f"--audience applies to packages (.gpkg), not to {fmt}")
    notes: list[str] = []
    with Progress("export", 3 + int(bool(args.boundaries))) as progress:
        ds = _dataset(args, progress, notes)
        progress.step(f"writing {target.name}")
        with _arguments_checked():
            if fmt == "package":
                key = _key(args.key_file, required=args.audience == "partnership")
                exchange.write_package(
                    ds,
                    target,
                    key=key,
                    producer=args.producer,
                    audience="partnership" if args.audience == "partnership" else "aggregate",
                    allow=allow,
                )
                written = [target]
            elif fmt in ("graphml", "gexf"):
                if allow:
                    raise UsageError("--allow applies to packages and GeoJSON, not to graphs")
                write = exchange.to_graphml if fmt == "graphml" else exchange.to_gexf
                write(ds, target, graph=args.graph, **_filters(args))
                written = [target]
            else:
                written = list(
                    exchange.to_geojson(ds, target, allow=allow, producer=args.producer).values()
                )
    _print_notes(notes)
    if fmt == "package":
        size = f"{target.stat().st_size / 1e3:,.0f} kB"
        if args.audience == "partnership":
            contents = ", ".join(f"{n} {c:,}" for n, c in ds.counts.items())
        else:
            contents = "flows and counts between authorities, small counts suppressed"
        print(f"wrote {args.audience} package {target} ({size}) from {args.producer}: {contents}")
        print(f"check it: peermap info {target}")
    else:
        print(f"wrote {', '.join(str(p) for p in written)}")
    if fmt != "package" or args.audience == "partnership":
        print(_partnership_warning())
    return 0


def _merge(args: argparse.Namespace) -> int:
    from peermap.exchange import read_package, write_package
    from peermap.merging import merge

    target = _output(args.output, *args.packages, args.key_file)
    if target.suffix.lower() != ".gpkg":
        raise UsageError(f"{target}: the merged package is a GeoPackage; name it ....gpkg")
    key = _key(args.key_file, required=True)
    datasets = []
    with Progress("merge", len(args.packages) + 2) as progress:
        for path in args.packages:
            progress.step(f"reading {Path(path).name}")
            datasets.append(read_package(path, key=key))
        progress.step("merging")
        merged = merge(datasets)
        progress.step(f"writing {target.name}")
        write_package(merged, target, key=key, producer=args.producer, audience="partnership")
    for path, ds in zip(args.packages, datasets, strict=True):
        print(
            f"read {path}: from {ds.meta.get('producer')} ({ds.meta.get('producer_name', '')}), "
            f"verified with key {key.fingerprint}: "
            + ", ".join(f"{n} {c:,}" for n, c in ds.counts.items())
        )
    print(
        f"merged {len(datasets)} package(s): "
        + ", ".join(f"{n} {c:,}" for n, c in merged.counts.items())
    )
    conflicts = merged.meta.get("conflicts")
    n_conflicts = 0 if conflicts is None else len(conflicts)
    print(
        f"reported by: {', '.join(merged.meta.get('producers', []))}; "
        f"{n_conflicts} disagreement(s) between reporters"
    )
    if conflicts is not None and n_conflicts:
        for record in conflicts.head(10).to_dict("records"):
            print(
                f"  {record['table']} {record['id']}: {record['column']} = {record['value']} "
                f"by {record['provenance']}" + (" (kept)" if record["kept"] else "")
            )
        if n_conflicts > 10:
            print(f"  and {n_conflicts - 10} more")
    print(f"wrote {target}")
    print(_partnership_warning())
    return 0


def _info(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    if path.is_dir() or path.suffix.lower() == ".xlsx":
        return _info_dataset(path, args)
    meta = _package_metadata(path) if path.suffix.lower() == ".gpkg" else None
    if meta is not None:
        return _info_package(path, meta, args)
    if path.suffix.lower() == ".csv":
        raise UsageError(
            f"{path} is a single table; describe the dataset by giving its folder ({path.parent})"
        )
    return _info_boundaries(path)


def _info_package(path: Path, meta: dict[str, str], args: argparse.Namespace) -> int:
    from peermap.schema import TABLE_ORDER

    print(f"peermap exchange package: {path}")
    audience = meta.get("audience", "")
    what = {
        "partnership": "record level: pseudonymised personal data, for the partnership",
        "aggregate": "aggregate flows and counts with small-count suppression",
    }.get(audience, "unknown")
    rows = [
        ("format", f"{meta.get('format')}, record schema v{meta.get('schema_version')}"),
        ("audience", f"{audience} ({what})"),
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
    if meta.get("withheld_columns"):
        rows.append(("withheld", meta["withheld_columns"]))
    if meta.get("extra_columns"):
        rows.append(("extra columns", meta["extra_columns"]))
    if meta.get("suppression"):
        rows.append(("suppression", meta["suppression"]))
    if meta.get("peermap_version"):
        rows.append(("written by", f"peermap {meta['peermap_version']}"))
    for label, value in rows:
        print(f"  {label:<16} {value}")
    from peermap.exchange import read_aggregate, read_package

    key = _key(args.key_file, required=False)
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


def _info_boundaries(path: Path) -> int:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bounds = load_boundaries_file(path)
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
        print(f"  note: {warning.message}")
    return 0


def _info_dataset(path: Path, args: argparse.Namespace) -> int:
    from peermap.schema import SCHEMA_VERSION, TABLE_ORDER
    from peermap.validation import read_dataset

    with Progress("info", 2) as progress:
        bounds = _boundaries(args.boundaries, progress)
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
    dates = [
        ds.sightings["date"],
        ds.ties["first_seen"],
        ds.ties["last_seen"],
        ds.relocations["date"],
    ]
    present = [d.dropna() for d in dates if d.notna().any()]
    if present:
        lo = min(d.min() for d in present)
        hi = max(d.max() for d in present)
        print(f"  {'period':<12} {lo:%Y-%m-%d} to {hi:%Y-%m-%d}")
    homes = sorted({str(a) for a in ds.people["home_authority"].dropna()})
    if homes:
        names = _names(ds)
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


Command = Callable[[argparse.Namespace], int]

COMMANDS: dict[str, Command] = {
    "demo": _demo,
    "template": _template,
    "validate": _validate,
    "pseudonymise": _pseudonymise,
    "key": _key_command,
    "assign": _assign,
    "map": _map,
    "report": _report,
    "export": _export,
    "merge": _merge,
    "info": _info,
}


def _one_paragraph(text: str) -> str:
    return " ".join(str(text).split())


def _paragraph(text: str) -> str:
    """Return a message as one paragraph: lines kept (a list of problems), blanks dropped."""
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 success, 2 bad input, 1 other failure.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            status = COMMANDS[args.command](args)
        except BrokenPipeError:
            # Whatever read the output went away (``peermap ... | head``): stop quietly.
            _silence_stdout()
            return 1
        except BAD_INPUT as exc:
            if args.debug:
                raise
            _show_warnings(args.command, caught)
            print(f"peermap {args.command}: {_paragraph(str(exc))}", file=sys.stderr)
            return 2
        except Exception as exc:
            if args.debug:
                raise
            _show_warnings(args.command, caught)
            print(
                f"peermap {args.command}: failed: {type(exc).__name__}: "
                f"{_one_paragraph(str(exc))} (run with --debug for the traceback)",
                file=sys.stderr,
            )
            return 1
    _show_warnings(args.command, caught)
    return status


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a descriptor
        pass


def _show_warnings(command: str, caught: list[warnings.WarningMessage]) -> None:
    seen: set[str] = set()
    for warning in caught:
        text = _one_paragraph(str(warning.message))
        if text not in seen:
            seen.add(text)
            print(f"peermap {command}: warning: {text}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
