"""The ``peermap`` command line.

Every command has ``--help`` with an example. Output files are always named by the
user and written atomically (an interrupted run leaves the old file or none); a file
holding a partnership key is never overwritten. Long steps show a progress bar on
standard error when it is a terminal. Errors print one clear paragraph and exit with
status 2 for bad input (validation, privacy, key, boundary or CRS problems, a missing
file or optional dependency, an unusable argument) and 1 when the system or a library
fails (``--debug`` shows the traceback). Messages and warnings speak command-line terms:
a library phrase naming a Python keyword is said as the command's option
(:func:`~peermap.cli.common.in_cli_terms`).

The command line is thin: each module of this package parses one group of commands
and prints what peermap's public functions return (:mod:`~peermap.cli.demo`,
:mod:`~peermap.cli.records`, :mod:`~peermap.cli.views`, :mod:`~peermap.cli.sharing`,
:mod:`~peermap.cli.info`; what they share is in :mod:`~peermap.cli.common`). It
imports nothing heavy until a command runs, so ``peermap --help`` is quick.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence

from peermap._optional import missing_dependency
from peermap._version import __version__
from peermap.cli import demo, info, linkage, records, sharing, views
from peermap.cli.common import (
    BAD_INPUT,
    FAILURES,
    Command,
    Formatter,
    Progress,
    UsageError,
    examples,
    fill,
    in_cli_terms,
    load_boundaries_file,
)
from peermap.exceptions import PrivacyError, ValidationError

__all__ = ["COMMANDS", "Progress", "UsageError", "load_boundaries_file", "main"]

#: The command groups, in the order of ``peermap --help``.
_GROUPS = (demo, records, views, sharing, info, linkage)

#: Every command by name (tests may replace one).
COMMANDS: dict[str, Command] = {
    name: command for group in _GROUPS for name, command in group.COMMANDS.items()
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="peermap",
        description=fill(
            "Map peer-on-peer abuse and exploitation contexts across local-authority "
            "boundaries. Run 'peermap COMMAND --help' for a command's options and an example."
        ),
        formatter_class=Formatter,
        epilog=examples(
            "peermap demo",
            "peermap template collection.xlsx",
            "peermap validate exports/ --boundaries lad_2024.geojson",
            "peermap report exports/ --boundaries lad_2024.geojson -o report.html",
        ),
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on error")
    parser.add_argument(
        "--version", action="version", version=f"peermap {__version__}", help="show the version"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help: str, description: str, epilog: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name, help=help, description=fill(description), epilog=epilog, formatter_class=Formatter
        )

    for group in _GROUPS:
        group.add_parsers(add)
    return parser


def _one_paragraph(text: str) -> str:
    return " ".join(str(text).split())


def _paragraph(text: str) -> str:
    """Return a message as one paragraph: lines kept (a list of problems), blanks dropped."""
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip())


def _records_refused(args: argparse.Namespace, exc: BaseException) -> str | None:
    """Say in command-line terms why records were not read: the first problems, what next.

    The library's message speaks Python (``strict=False``, ``err.report``); here the same
    problems lead to ``peermap validate`` (every problem with its file, row, column and
    value) and, where the command has it, ``--lenient``.
    """
    report = getattr(exc, "report", None)
    if not isinstance(exc, ValidationError) or report is None or not report.errors:
        return None
    errors = report.errors
    shown = [f"  {in_cli_terms(str(p))}" for p in errors[:3]]
    more = len(errors) - len(shown)
    source = getattr(args, "source", None)
    where = f" {source}" if source else ""
    boundaries = getattr(args, "boundaries", None)
    validate = f"peermap validate{where}" + (f" --boundaries {boundaries}" if boundaries else "")
    lines = [f"{len(errors)} problem(s) in the records; nothing was read:", *shown]
    if more:
        lines.append(f"  ... and {more} more.")
    next_step = f"Run '{validate}' to list every problem with its file, row, column and value"
    # Identifying data is refused whatever --lenient says: it is no way on.
    if hasattr(args, "lenient") and not args.lenient and not isinstance(exc, PrivacyError):
        next_step += ", or add --lenient to set the rows with errors aside and go on"
    lines.append(next_step + ".")
    return "\n".join(lines)


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
        except ImportError as exc:
            missing = missing_dependency(exc)
            if missing is None or args.debug:
                raise
            _show_warnings(args.command, caught)
            print(
                f"peermap {args.command}: {_paragraph(in_cli_terms(str(missing)))}",
                file=sys.stderr,
            )
            return 2
        except BAD_INPUT as exc:
            if args.debug:
                raise
            _show_warnings(args.command, caught)
            text = _records_refused(args, exc) or _paragraph(in_cli_terms(str(exc)))
            print(f"peermap {args.command}: {text}", file=sys.stderr)
            return 2
        except FAILURES as exc:
            if args.debug:
                raise
            _show_warnings(args.command, caught)
            print(
                f"peermap {args.command}: failed: {type(exc).__name__}: "
                f"{_one_paragraph(in_cli_terms(str(exc)))} (run with --debug for the traceback)",
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
        text = _one_paragraph(in_cli_terms(str(warning.message)))
        if text not in seen:
            seen.add(text)
            print(f"peermap {command}: warning: {text}", file=sys.stderr)
