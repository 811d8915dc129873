"""What every command of the command line shares: errors, progress, arguments, inputs.

Nothing here is analysis: the commands call peermap's public functions and print what
they return. A rule that a library user would need too belongs in the library module
that owns the concept (see docs/architecture.md, "Command line and start-up").
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import textwrap
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO

from peermap.disclosure import Audience
from peermap.exceptions import (
    ArgumentError,
    BoundaryError,
    CRSError,
    KeyMaterialError,
    MissingDependencyError,
    PeermapWarning,
    PrivacyError,
    ValidationError,
)

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

    from peermap.dataset import Dataset
    from peermap.privacy import PartnershipKey

__all__ = [
    "BAD_INPUT",
    "FAILURES",
    "RELIABILITY_CHOICES",
    "AddCommand",
    "Command",
    "Formatter",
    "Progress",
    "UsageError",
    "add_boundaries",
    "add_filters",
    "add_rule",
    "add_source",
    "arguments_checked",
    "boundary_options",
    "examples",
    "fill",
    "filters",
    "in_cli_terms",
    "load_boundaries_file",
    "number",
    "output_path",
    "partnership_key",
    "partnership_warning",
    "print_notes",
    "read_boundaries",
    "read_paths",
    "read_source",
    "rule",
    "same_path",
    "tiles",
    "warn_of_dataset",
    "whole_number",
]


class UsageError(Exception):
    """An argument the command cannot use (exit status 2, like other bad input)."""


#: Bad input: the command prints one paragraph and exits with status 2.
BAD_INPUT: tuple[type[BaseException], ...] = (
    ArgumentError,
    ValidationError,
    PrivacyError,
    KeyMaterialError,
    BoundaryError,
    CRSError,
    UsageError,
    FileNotFoundError,
    MissingDependencyError,
)

#: Other failures the command reports in one paragraph with status 1: the system (a
#: full disk, a refused permission, memory), and the libraries' errors on the data
#: (GDAL and PROJ errors derive from RuntimeError; pandas and pyarrow raise ValueError).
#: Anything else is a bug in peermap and shows its traceback.
FAILURES: tuple[type[BaseException], ...] = (OSError, MemoryError, RuntimeError, ValueError)

RELIABILITY_CHOICES = ("unverified", "reported", "corroborated", "confirmed")

#: A command: parsed arguments in, exit status out.
Command = Callable[[argparse.Namespace], int]
#: Adds a sub-command: name, one-line help, description, examples -> its parser.
AddCommand = Callable[[str, str, str, str], argparse.ArgumentParser]


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


# --------------------------------------------------------------------------- arguments


class Formatter(argparse.RawDescriptionHelpFormatter):
    """Help text as written: descriptions filled by us, examples kept line by line."""


def examples(*lines: str) -> str:
    """Return the ``example:`` (or ``examples:``) section of a command's help."""
    head = "example:" if len(lines) == 1 else "examples:"
    return head + "\n" + "\n".join(f"  {line}" for line in lines) + "\n"


def fill(text: str) -> str:
    """Fill a description to 79 columns."""
    return textwrap.fill(text, 79)


def whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """Return an argument type: a whole number of at least ``minimum`` (at most ``maximum``).

    A value out of range is refused as argparse refuses one that is not a number: by
    the option's name, with status 2, before the command starts.
    """

    def read(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f"{value} is too small: give a whole number of at least {minimum}"
            )
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(
                f"{value} is too large: give a whole number of at most {maximum:,}"
            )
        return value

    return read


def number(minimum: float) -> Callable[[str], float]:
    """Return an argument type: a finite number of at least ``minimum`` (see whole_number)."""

    def read(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value) or value < minimum:
            raise argparse.ArgumentTypeError(
                f"{text} is not a finite number of at least {minimum:g}"
            )
        return value

    return read


def add_source(p: argparse.ArgumentParser, *, what: str = "dataset") -> None:
    """Add the dataset a command reads (folder, workbook or package) and how to read it."""
    p.add_argument(
        "source",
        help=f"{what}: a folder of table files, an .xlsx workbook, or a .gpkg package",
    )
    add_boundaries(
        p,
        "authority boundaries to read a folder or workbook against (any format GDAL "
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


def add_boundaries(p: argparse.ArgumentParser, help: str, *, required: bool = False) -> None:
    """Add ``--boundaries FILE`` and the options that say how to read the file.

    ``--crs``, ``--layer``, ``--code-column``, ``--name-column`` and ``--attribution``
    are the keywords of :func:`peermap.load_boundaries`; :func:`boundary_options` reads
    them back.
    """
    p.add_argument("--boundaries", metavar="FILE", required=required, help=help)
    add_boundary_file_options(p)


def add_boundary_file_options(p: argparse.ArgumentParser) -> None:
    """Add the options that say how to read a boundary file (see :func:`add_boundaries`)."""
    group = p.add_argument_group("reading the boundary file")
    group.add_argument(
        "--crs",
        metavar="CRS",
        help="coordinate reference system of the boundary file when it declares none or a "
        "wrong one (EPSG:27700 for British National Grid, EPSG:4326 for longitude/latitude)",
    )
    group.add_argument(
        "--layer", metavar="NAME", help="layer to read from a file with several layers"
    )
    group.add_argument(
        "--code-column", metavar="COLUMN", help="column of authority codes (default: detected)"
    )
    group.add_argument(
        "--name-column", metavar="COLUMN", help="column of authority names (default: detected)"
    )
    group.add_argument(
        "--attribution",
        metavar="TEXT",
        help="the credit line maps and reports carry for a boundary file that is not ONS "
        "data (default: the ONS line for ONS files; else the file's name, source not stated)",
    )


def boundary_options(args: argparse.Namespace, path: object = ...) -> dict[str, Any]:
    """Return the boundary-file options as keyword arguments of ``load_boundaries``.

    ``path`` is the boundary file they apply to (default ``args.boundaries``); options
    given without one are refused rather than ignored.
    """
    if path is ...:
        path = getattr(args, "boundaries", None)
    given = {
        "crs": getattr(args, "crs", None),
        "layer": getattr(args, "layer", None),
        "code_column": getattr(args, "code_column", None),
        "name_column": getattr(args, "name_column", None),
        "attribution": getattr(args, "attribution", None),
    }
    given = {k: v for k, v in given.items() if v is not None}
    if given and not path:
        names = ", ".join("--" + k.replace("_", "-") for k in given)
        verb = "says" if len(given) == 1 else "say"
        raise UsageError(
            f"{names} {verb} how to read a boundary file, but this command reads none: "
            "give the file with --boundaries FILE (a package carries its own boundaries)"
        )
    return given


def add_filters(p: argparse.ArgumentParser) -> None:
    """Add the window and reliability filters of the analysis functions."""
    p.add_argument("--since", metavar="DATE", help="keep records dated on or after DATE")
    p.add_argument("--until", metavar="DATE", help="keep records dated on or before DATE")
    p.add_argument(
        "--min-reliability",
        choices=RELIABILITY_CHOICES,
        default="unverified",
        help="keep ties and sightings of at least this grade (default: all)",
    )


def add_rule(p: argparse.ArgumentParser) -> None:
    """Add the small-count rule of public outputs."""
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


def filters(args: argparse.Namespace) -> dict[str, Any]:
    """Return the filter options as keyword arguments of the analysis functions."""
    return {"since": args.since, "until": args.until, "min_reliability": args.min_reliability}


def rule(args: argparse.Namespace) -> dict[str, Any]:
    """Return the small-count rule options as keyword arguments (not for the partnership)."""
    if args.audience == "partnership" and (args.min_count is not None or args.round_to is not None):
        raise UsageError(
            "a partnership audience sees exact counts: --min-count and --round-to apply to "
            "public maps and reports only"
        )
    return {"min_count": args.min_count, "round_to": args.round_to}


def tiles(value: str) -> str | None:
    """Read a ``--tiles`` value: ``none`` (or nothing) is no basemap."""
    return None if value.strip().lower() in ("none", "") else value


@contextmanager
def arguments_checked() -> Iterator[None]:
    """Report a plain ValueError raised on the user's options as bad input (status 2).

    The message is put in command-line terms where it is printed (:func:`in_cli_terms`).
    """
    try:
        yield
    except BAD_INPUT:
        raise
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


# --------------------------------------------------------------------------- messages

#: How the command line says what the library's messages say in Python: a keyword
#: argument, a function to call, an attribute to read. Each pattern is a phrase of a
#: message raised or warned by peermap; the replacement names the command's option or
#: another command. ``tests/test_cli_messages.py`` runs every command-line error path
#: and checks that no Python is left; a new library message that names a keyword needs
#: its line here.
_CLI_TERMS: tuple[tuple[str, str], ...] = (
    # keys (peermap.privacy.keys, peermap.exchange.writing)
    (r"pass key=\.\.\. \(or file=\.\.\.\)", "give --key-file FILE"),
    (r"\(key=\.\.\.\)", "(--key-file FILE)"),
    (r"Load it with peermap\.load_key\(\)\.", "Give it with --key-file FILE."),
    (
        r'python -c "from peermap\.privacy import generate_key; print\(generate_key\(\)\)"',
        "peermap key FILE",
    ),
    (
        r"peermap\.pseudonymise\(frame, \[('[^']*')\], key=\.\.\.\) in Python, or the "
        r"`peermap pseudonymise` command",
        r"'peermap pseudonymise' with --columns \1 and --key-file FILE",
    ),
    # records (peermap._io, peermap.validation)
    (
        r", or a mapping of table name to file; to read a single table pass "
        r"\{'people': path, \.\.\.\}",
        ": give the folder, not one of its files",
    ),
    # records with errors (peermap.validation)
    (
        r"read with strict=False to set the bad rows aside in \S+?\.",
        "add --lenient to set the bad rows aside ('peermap validate' lists them).",
    ),
    (r"\(see err\.report\)", "('peermap validate' lists them all)"),
    # boundaries (peermap.boundary_files, peermap.boundaries, peermap.counts, ...)
    (r"Pass crs=\.\.\. to load_boundaries", "Give --crs"),
    (r"Pass the right one with crs=\.\.\.", "Give the right one with --crs"),
    (r"pass crs='([^']*)' to load_boundaries", r"give --crs \1"),
    (
        r"Pass the CRS they use to load_boundaries, e\.g\. crs='([^']*)'",
        r"Give the CRS they use with --crs, e.g. --crs \1",
    ),
    (r", or in Python `gdf\.set_crs\('[^']*'\)` before calling load_boundaries\)", ")"),
    (r"\bcrs=('[^']*'|\S+)", r"--crs \1"),
    (r"with layer=\.\.\.", "with --layer NAME"),
    (r"pass attribution=\.\.\. to load_boundaries", "give the credit with --attribution TEXT"),
    (r"code_column=\.\.\. and name_column=\.\.\.", "--code-column and --name-column"),
    (r"with code_column=\.\.\.", "with --code-column COLUMN"),
    (
        r"\(gdf\.dissolve\(by=([^)]*)\)\)",
        r"(in a GIS, for example QGIS's Dissolve or ogr2ogr, by column \1)",
    ),
    (r"\(read (?:it|the dataset) with boundaries=\.\.\.\)", "(give --boundaries FILE)"),
    (
        r"\(peermap\.read_dataset\(\.\.\., boundaries=\.\.\.\)\) or call "
        r"peermap\.assign_authorities",
        "(--boundaries FILE), or assign the places with 'peermap assign'",
    ),
    (r"peermap\.read_dataset\(\.\.\., boundaries=\.\.\.\)", "give --boundaries FILE"),
    # contexts (peermap.analysis.community)
    (
        r"\(see peermap\.contexts\)",
        "('peermap report SOURCE --audience partnership' lists them with their ids)",
    ),
    # packages (peermap.exchange, peermap.merging)
    (
        r"read it with peermap\.exchange\.read_aggregate",
        "maps and reports are drawn from records; 'peermap info FILE' shows what it holds",
    ),
    (r"read it with peermap\.read_package", "give it to peermap map, report or merge"),
    (r"written by peermap\.write_package", "written by 'peermap export'"),
    (
        r"read the dataset with peermap\.read_package, or pass producers= to merge",
        "merge packages written by 'peermap export --producer CODE'",
    ),
    (
        r"read older files with peermap\.read_package, which upgrades",
        "read older files with this version of peermap, which upgrades them",
    ),
    # map and report options (peermap.views, peermap.disclosure, peermap.filters)
    (r"\baudience='(\w+)'", r"--audience \1"),
    (r"\bsince=''", "--since ''"),
    (r"\buntil=''", "--until ''"),
    (r"\bsince='([^']+)'", r"--since \1"),
    (r"\buntil='([^']+)'", r"--until \1"),
    (
        r"\bgive boundaries to map the authorities\b",
        "give --boundaries FILE to map the authorities",
    ),
    (r"\btiles=None\b", "--tiles none"),
    (r"\btiles='([^']*)'", r"--tiles '\1'"),
    (r"\bmin_count\b", "--min-count"),
    (r"\bround_to\b", "--round-to"),
    (r"\btop must\b", "--top must"),
    (r"gi_cell_size_m \(or None to fit it to the sightings\)", "--gi-cell"),
    (r"\bgi_cell_size_m\b", "--gi-cell"),
    # the demo's scenario (peermap.synthetic): the demo sets the young people only
    (
        r"raise n_people(?: or n_places)?, or lower n_(?:trap_houses|decoys)(?:/n_county_lines)?",
        "raise --people",
    ),
    (r"\braise n_places\b", "raise --people (the demo has a place for every ten)"),
    (r"\(set n_county_lines=0\)", "(raise --people)"),
    # linkage (peermap.linkage)
    (
        r"link the frames encode_identities returns \(person_id, clk\)",
        "give files 'peermap encode' writes (columns person_id and clk, separated by commas)",
    ),
    (r"\bencode_identities\b", "'peermap encode'"),
    (r"\bid_column=\.\.\.", "--id-column NAME"),
    (r"\breview_threshold=", "--review-threshold "),
    (r"\bthreshold=", "--threshold "),
)

_CLI_TERMS_COMPILED = tuple((re.compile(p), r) for p, r in _CLI_TERMS)


def in_cli_terms(message: str) -> str:
    """Say a library message in command-line terms (options and commands, not Python).

    Parameters
    ----------
    message : str
        The text of a peermap exception or warning.

    Returns
    -------
    str
        The same text with each phrase of :data:`_CLI_TERMS` replaced.
    """
    for pattern, replacement in _CLI_TERMS_COMPILED:
        message = pattern.sub(replacement, message)
    return message


# --------------------------------------------------------------------------- inputs and outputs


def partnership_key(key_file: str | None, *, required: bool) -> PartnershipKey | None:
    """Load the partnership key from --key-file or the environment (None if optional, absent)."""
    from peermap import load_key, settings

    if key_file:
        return load_key(file=key_file)
    in_environment = bool(
        os.environ.get(settings.key_env, "").strip()
        or os.environ.get(settings.key_file_env, "").strip()
    )
    if required or in_environment:
        return load_key()
    return None


def _holds_key(path: Path) -> bool:
    """Whether an existing file holds a partnership key (such a file is never overwritten)."""
    from peermap import load_key

    try:
        if not path.is_file() or path.stat().st_size > 1024:
            return False
        load_key(file=path)
    except (KeyMaterialError, OSError):
        return False
    return True


#: The arguments that name what a command reads, by their name on the parsed arguments:
#: its dataset (folder, workbook or package) or files, the boundaries, the key, CLKs and
#: links. Every command's outputs are checked against them (:func:`read_paths`).
_READ_ARGUMENTS = (
    "source",
    "places",
    "input",
    "files",
    "packages",
    "boundaries",
    "key_file",
    "clks",
    "links",
)


def read_paths(args: argparse.Namespace) -> list[str]:
    """Return every file or folder named on the command line that the command reads."""
    found: list[str] = []
    for name in _READ_ARGUMENTS:
        value = getattr(args, name, None)
        values = value if isinstance(value, list) else [value]
        found.extend(str(v) for v in values if v)
    return found


def same_path(a: Path, b: Path) -> bool:
    """Whether two paths name one file or folder (links, relative paths, case followed)."""
    try:
        if a.exists() and b.exists():
            return a.samefile(b)
        return os.path.normcase(a.resolve()) == os.path.normcase(b.resolve())
    except (OSError, RuntimeError):  # a loop of links: not a path anything is read from
        return False


def _table_named(path: Path) -> str | None:
    """Return the schema table a file of this name is read as in a dataset folder, if any."""
    from peermap._io import SUFFIXES
    from peermap.schema import TABLES, normalise_column_name

    table = normalise_column_name(path.stem)
    return table if path.suffix.lower() in SUFFIXES and table in TABLES else None


def _read_instead(out: Path, given: str) -> str | None:
    """Say what of the input ``given`` the output ``out`` would replace, if anything.

    An input file is read as itself; an input folder is a dataset folder, read as its
    table files (present or not: a new one would be read next time, beside the others).
    """
    source = Path(given)
    destroy = "writing it would destroy that input; choose another name"
    if same_path(out, source):
        named = "" if str(out) == given else f" ({given})"
        return f"is also an input of this command{named}: {destroy}"
    if not source.is_dir():
        return None
    for table in source.iterdir():
        name = _table_named(table)
        if name and table.is_file() and same_path(out, table):
            return (
                f"is the {name} table of the dataset folder {given} ({table.name}), which "
                f"this command reads: {destroy}"
            )
    name = _table_named(out)
    if name and same_path(out.parent, source):
        return (
            f"would be read as the {name} table of the dataset folder {given}, which this "
            "command reads; choose another name or folder"
        )
    return None


def output_path(
    path: str,
    *inputs: str | None,
    folder: bool = False,
    option: str = "the output",
    into_source: str = "what it writes there would be mixed with the tables it reads",
) -> Path:
    """Check a user-named output path before anything is written to it.

    Parameters
    ----------
    path : str
        The output as the user named it.
    *inputs : str or None
        Every file or folder the command reads (:func:`read_paths`). The output may not
        be one of them, nor, for a dataset folder, one of its table files (any name it
        would be read as a table under: ``people.csv``, ``Ties.XLSX``, ...). Paths are
        compared as the files they name: through links, relative paths and case.
    folder : bool, default False
        The output is a folder to write files into; it may not be a dataset folder the
        command reads. Each file written into it is checked on its own (another call).
    option : str, default "the output"
        How a message names the output: its option (``-o``, ``--map``), or for a file
        written into a folder output the option and the folder (``--rejected DIR:``).
    into_source : str
        Why a folder output may not be the dataset folder the command reads.

    Raises
    ------
    UsageError, KeyMaterialError
        When nothing may be written there (status 2).
    """
    out = Path(path)
    said = f"{option} {out}"
    # A file where a folder of the path should be: nothing can be written under it.
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                raise UsageError(f"cannot write {out}: {parent} is a file, not a folder")
            break
    if folder:
        if out.exists() and not out.is_dir():
            raise UsageError(f"{out} is a file; name a folder to write into")
        for given in inputs:
            if given and Path(given).is_dir() and same_path(out, Path(given)):
                raise UsageError(
                    f"{said} is the dataset folder this command reads: {into_source}; name "
                    "another folder"
                )
        return out
    if out.is_dir():
        raise UsageError(f"{out} is a folder; name the file to write")
    if _holds_key(out):
        raise KeyMaterialError(
            f"{out} holds a partnership key: peermap never overwrites a key file; choose "
            "another output name"
        )
    for given in inputs:
        instead = _read_instead(out, given) if given else None
        if instead is not None:
            raise UsageError(f"{said} {instead}")
    return out


def load_boundaries_file(path: str | os.PathLike[str], **options: Any) -> gpd.GeoDataFrame:
    """Load a boundary file named on the command line.

    A copy of peermap's fictional demo region (as ``peermap demo --out`` writes) is
    recognised by its content (:func:`peermap.boundaries.is_demo_region`) and loaded as
    :func:`peermap.demo_boundaries`, so that maps and reports made from it say it is
    fictional instead of crediting the ONS.

    Parameters
    ----------
    path : str or path-like
        Any boundary file :func:`peermap.load_boundaries` reads.
    **options
        Keywords of :func:`peermap.load_boundaries` (:func:`boundary_options`).

    Returns
    -------
    geopandas.GeoDataFrame
        The boundaries.
    """
    from peermap import demo_boundaries, load_boundaries
    from peermap.boundaries import is_demo_region

    if is_demo_region(path) and not options:
        return demo_boundaries()
    bounds = load_boundaries(Path(path), **options)
    # The credit line of a file that states no source says how to state it: in the
    # command line's terms, on the maps and reports the command writes too.
    credit = bounds.attrs.get("attribution")
    if isinstance(credit, str):
        bounds.attrs["attribution"] = in_cli_terms(credit)
    return bounds


def read_boundaries(args: argparse.Namespace, progress: Progress) -> gpd.GeoDataFrame | None:
    """Load the --boundaries file, read as its options say, as a progress step.

    Returns None when the command was given no ``--boundaries``.
    """
    options = boundary_options(args)
    path = getattr(args, "boundaries", None)
    if not path:
        return None
    progress.step(f"loading {Path(path).name}")
    return load_boundaries_file(path, **options)


def read_source(args: argparse.Namespace, progress: Progress, notes: list[str]) -> Dataset:
    """Read the command's source: a package, or a folder or workbook (validated)."""
    source = Path(args.source)
    key_file = getattr(args, "key_file", None)
    if key_file and not Path(key_file).is_file():
        # Said even where the key would not be used: the file named is not there.
        raise FileNotFoundError(f"--key-file {key_file}: no such file")
    if source.suffix.lower() == ".gpkg":
        from peermap import read_package
        from peermap.exchange import package_metadata

        if args.boundaries:
            raise UsageError(
                f"{source} is a package and carries its own boundaries; --boundaries applies "
                "to folders and workbooks"
            )
        boundary_options(args)  # --crs and the like without --boundaries: refused
        if not source.is_file():
            raise FileNotFoundError(f"{source}: no such file")
        meta = package_metadata(source)
        if meta is not None and meta.get("audience") == "aggregate":
            raise UsageError(
                f"{source} is an aggregate package (flows and counts between authorities, "
                f"no records): peermap {args.command} draws from records, so give it a "
                f"dataset folder, a workbook or a partnership package. 'peermap info {source}' "
                "shows what the aggregate package holds"
            )
        key = partnership_key(args.key_file, required=False)
        progress.step(f"reading {source.name}")
        ds = read_package(source, key=key)
        if not ds.meta.get("verified"):
            notes.append(
                f"{source.name}: integrity checked against its digest only (no partnership "
                "key given); pass --key-file to verify who made it"
            )
        return ds
    from peermap import read_dataset

    bounds = read_boundaries(args, progress)
    progress.step(f"reading {source.name or source}")
    ds = read_dataset(source, boundaries=bounds, strict=not args.lenient)
    validate = f"peermap validate {args.source}" + (
        f" --boundaries {args.boundaries}" if getattr(args, "boundaries", None) else ""
    )
    warn_of_dataset(ds, validate)
    if ds.report.n_rejected:
        counts = ds.counts
        per_table = ", ".join(
            f"{table}: {len(rows)}" + (", every row of it" if counts.get(table) == 0 else "")
            for table, rows in ds.report.rejected.items()
            if len(rows)
        )
        notes.append(
            f"{ds.report.n_rejected} row(s) with errors were set aside ({per_table}); "
            f"'{validate}' lists them"
        )
    if bounds is None:
        notes.append(
            "read without --boundaries: places are not assigned to authorities, so "
            "authority layers, flows into places and reach are missing"
        )
    return ds


def warn_of_dataset(ds: Dataset, validate: str) -> None:
    """Warn of what reading the dataset found to warn of, as ``peermap validate`` lists it.

    A place outside every authority, an age outside 10-18, a column outside the schema:
    the first of each kind in each table, with how many more and the command that lists
    them all. The command prints them as its warnings (``peermap COMMAND: warning:``).
    """
    found: dict[tuple[str, str], list[str]] = {}
    for problem in ds.report.warnings:
        found.setdefault((problem.table, problem.rule), []).append(str(problem))
    for said in found.values():
        text = said[0].removeprefix("warning: ")
        if len(said) > 1:
            text += f" (and {len(said) - 1} more like it: '{validate}' lists them)"
        warnings.warn(text, PeermapWarning, stacklevel=2)


# --------------------------------------------------------------------------- printing


def print_notes(notes: Sequence[str]) -> None:
    """Print what the reader should know about how the input was read."""
    for note in notes:
        print(f"note: {note}")


def partnership_warning() -> str:
    """Return the partnership banner in plain ASCII, for the terminal."""
    banner = Audience.of("partnership").banner_ascii
    assert banner is not None
    return banner


def read_records_csv(path: str) -> pd.DataFrame:
    """Read a file of records in clear ('peermap pseudonymise', 'encode'; CLKs for 'link').

    Read as ``peermap validate`` reads a table: a row with more cells than the header, a
    quote not closed on its line, bytes that are not text or a header given twice refuse
    the file, naming the row and the column. pandas laid a row of one cell too many out
    one column to the left (the first cell made the index and dropped), so a local id
    was lost, the age pseudonymised in its place and the extra cell written in clear.
    No value is shown: these files hold identifiers by design.
    """
    from peermap._io import read_raw

    with open(path, "rb"):  # not there, a folder, not readable: the system says so
        pass
    raw = read_raw(path, Path(path).stem or "input")
    if not raw.header:
        raise ValidationError(f"{path}: the file is empty: it has no header row")
    errors = [p for p in raw.problems if p.severity == "error"]
    if errors:
        shown = [
            f"{'the header' if p.row is None else f'row {p.row}'}"
            f"{f', {p.column}' if p.column else ''}: {p.message}"
            for p in errors[:5]
        ]
        more = f" and {len(errors) - 5} more" if len(errors) > 5 else ""
        raise ValidationError(
            f"{path}: {len(errors)} problem(s) in how the file is laid out ("
            + "; ".join(shown)
            + f"{more}), so nothing was written; fix the file and run again (no value is "
            "shown: the file holds identifiers)"
        )
    frame = raw.frame.rename(columns=raw.headers).reset_index(drop=True)
    return frame.astype(object)
