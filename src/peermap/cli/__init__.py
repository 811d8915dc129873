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
import errno
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

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
    read_paths,
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
    # An error of a whole table, not of a row (a missing column, a header given twice, a
    # file separated by semicolons): --lenient would set every row of it aside, no way on.
    unread = sorted({p.table for p in errors if p.row is None})
    # Identifying data is refused whatever --lenient says: it is no way on.
    if hasattr(args, "lenient") and not args.lenient and not isinstance(exc, PrivacyError):
        if unread:
            next_step += (
                f"; mend {', '.join(unread)} first: --lenient would set every row of "
                f"{'it' if len(unread) == 1 else 'them'} aside"
            )
        else:
            next_step += ", or add --lenient to set the rows with errors aside and go on"
    lines.append(next_step + ".")
    return "\n".join(lines)


#: What the system's refusals mean, by errno: the reason and what to do about it.
_SYSTEM_SAYS: dict[int, tuple[str, str]] = {
    errno.EACCES: ("permission denied", "{access}"),
    errno.EPERM: ("the system does not permit it", "{access}"),
    errno.ENOENT: ("no such file or folder", "check the path"),
    errno.EISDIR: ("it is a folder, not a file", "name a file"),
    errno.ENOTDIR: ("a part of its path is a file, not a folder", "check the path"),
    errno.ENAMETOOLONG: ("the name is too long", "choose a shorter name or folder"),
    errno.ENOSPC: ("the disk is full", "free some space, or write somewhere else"),
    errno.EROFS: ("the disk is read-only", "write somewhere else"),
    errno.EIO: ("the disk or network drive failed (input/output error)", "try again"),
    errno.EMFILE: ("too many files are open", "close other programs and try again"),
    errno.EBUSY: ("it is in use by another program", "close it there and try again"),
}
if hasattr(errno, "EDQUOT"):
    _SYSTEM_SAYS[errno.EDQUOT] = ("your disk quota is used up", "free some space")

#: What to do about a permission refused, by what the command did with the file.
_ACCESS = {
    "read": "ask for read access to it, or work on a copy you may read",
    "write": "choose a folder you may write to",
    "open": "check its permissions",
}

#: Refusals of a path as the user named it (an argument that cannot be used): status 2.
_WRONG_PATH = frozenset({errno.ENOENT, errno.EISDIR, errno.ENOTDIR, errno.ENAMETOOLONG})

#: The arguments that name what a command writes (``file`` too, but for ``info``).
_WRITTEN = ("output", "map", "rejected", "out", "views", "review")


def _verb(args: argparse.Namespace, path: Path) -> str:
    """Say whether the command reads or writes ``path``, as named on its command line."""
    here = os.path.normcase(os.path.abspath(path))

    def within(given: object) -> bool:
        there = os.path.normcase(os.path.abspath(str(given)))
        return here == there or here.startswith(there.rstrip(os.sep) + os.sep)

    read: list[object] = [*read_paths(args)]
    written: list[object] = [getattr(args, name, None) for name in _WRITTEN]
    (read if args.command == "info" else written).append(getattr(args, "file", None))
    if any(within(p) for p in written if p):
        return "write"
    if any(within(p) for p in read if p):
        return "read"
    return "open"


def _system_refused(args: argparse.Namespace, exc: OSError) -> str | None:
    """Say in plain words what the system refused: which file, read or written, and why.

    ``[Errno 13] Permission denied: 'x'`` is "cannot read x: permission denied" (a file
    of an atomic write's private staging folder is named as the file asked for).
    """
    from peermap._atomic import destination_of

    if exc.errno is None:
        return None
    strerror = exc.strerror or os.strerror(exc.errno)
    reason, advice = _SYSTEM_SAYS.get(exc.errno, (strerror[:1].lower() + strerror[1:], ""))
    name = exc.filename2 if exc.filename2 is not None else exc.filename
    text = str(exc)
    if name is not None:
        path = destination_of(os.fsdecode(name))
        verb = _verb(args, path)
        said = f"cannot {verb} {path}: {reason}"
    elif text.startswith("cannot ") and text.endswith(strerror):  # said of a file already
        verb = text.split()[1]
        said = text[: -len(strerror)] + reason
    else:
        verb = "open"
        said = reason
    if advice:
        said += "; " + advice.format(access=_ACCESS.get(verb, _ACCESS["open"]))
    return _one_paragraph(said)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 success, 2 bad input, 1 other failure, 130 interrupted (Ctrl-C).
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
        except KeyboardInterrupt:
            # Ctrl-C: every write is atomic, so what was under way left nothing behind.
            if args.debug:
                raise
            print(
                f"peermap {args.command}: interrupted; no output was left half-written",
                file=sys.stderr,
            )
            return 130
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
            text = (
                _records_refused(args, exc)
                or (_system_refused(args, exc) if isinstance(exc, OSError) else None)
                or _paragraph(in_cli_terms(str(exc)))
            )
            print(f"peermap {args.command}: {text}", file=sys.stderr)
            return 2
        except FAILURES as exc:
            if args.debug:
                raise
            _show_warnings(args.command, caught)
            if isinstance(exc, OSError) and (refused := _system_refused(args, exc)):
                # A file the system refused: said in words, no traceback to offer.
                print(f"peermap {args.command}: {refused}", file=sys.stderr)
                return 2 if exc.errno in _WRONG_PATH else 1
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
