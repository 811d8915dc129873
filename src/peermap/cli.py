"""The ``peermap`` command line.

Errors print one clear paragraph and exit with status 2 for bad input (validation,
privacy, key, boundary or CRS problems) and 1 for any other failure; ``--debug``
shows the traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from peermap.exceptions import (
    BoundaryError,
    CRSError,
    KeyMaterialError,
    PrivacyError,
    ValidationError,
)

if TYPE_CHECKING:  # pragma: no cover
    from peermap.dataset import Dataset

__all__ = ["main"]

BAD_INPUT = (ValidationError, PrivacyError, KeyMaterialError, BoundaryError, CRSError)


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="peermap",
        description=(
            "Map peer-on-peer abuse and exploitation contexts across local-authority boundaries."
        ),
        formatter_class=_Formatter,
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="generate a synthetic dataset and summarise it",
        formatter_class=_Formatter,
        description="Generate a seeded synthetic scenario and print its summary.",
        epilog=textwrap.dedent(
            """\
            examples:
              peermap demo
              peermap demo --people 5000 --seed 7
              peermap demo --boundaries ons_lad_2024_england_buc.geojson
            """
        ),
    )
    demo.add_argument("--boundaries", metavar="FILE", help="a real boundary file to run on")
    demo.add_argument("--people", type=int, default=2000, help="young people (default 2000)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument("--top", type=int, default=5, help="rows of each table (default 5)")

    val = sub.add_parser(
        "validate",
        help="check a dataset against record schema v1",
        formatter_class=_Formatter,
        description=(
            "Check a folder of table files (people, places, ties, sightings, relocations "
            "as .csv, .xlsx or .parquet) or an .xlsx workbook with one sheet per table."
        ),
        epilog=textwrap.dedent(
            """\
            examples:
              peermap validate exports/
              peermap validate exports/ --boundaries lad_2024.geojson --rejected rejected/
            """
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

    pse = sub.add_parser(
        "pseudonymise",
        help="replace identifier columns of a CSV file with keyed pseudonyms",
        formatter_class=_Formatter,
        description=(
            "Replace the values of the named columns with keyed HMAC-SHA256 pseudonyms. "
            "The partnership key is read from --key-file, else from the environment "
            "variable PEERMAP_KEY, else from the file named by PEERMAP_KEY_FILE; it is "
            "never printed."
        ),
        epilog=textwrap.dedent(
            """\
            example:
              peermap pseudonymise raw/people.csv people.csv --columns person_id \\
                  --key-file partnership.key
            """
        ),
    )
    pse.add_argument("input", help="CSV file to read")
    pse.add_argument("output", help="CSV file to write (atomically)")
    pse.add_argument(
        "--columns", required=True, help="comma-separated column names to pseudonymise"
    )
    pse.add_argument("--key-file", metavar="FILE", help="file holding the partnership key")

    key = sub.add_parser(
        "key",
        help="write a new random partnership key to a file",
        formatter_class=_Formatter,
        description=(
            "Write a new random 256-bit partnership key to FILE (readable by you only) and "
            "print its public fingerprint. Share the key only with partners under the "
            "information-sharing agreement."
        ),
        epilog="example:\n  peermap key partnership.key\n",
    )
    key.add_argument("file", help="where to write the key (must not exist)")
    return parser


def _demo(args: argparse.Namespace) -> int:
    from peermap.boundaries import demo_boundaries, load_boundaries
    from peermap.synthetic import scenario

    bounds = load_boundaries(args.boundaries) if args.boundaries else demo_boundaries()
    result = scenario(bounds, n_people=args.people, seed=args.seed)
    ds = result.dataset
    region = args.boundaries or "the built-in fictional demo region"
    print(f"Synthetic scenario on {region} ({len(bounds)} authorities), seed {args.seed}")
    print(ds.summary())
    print(result.truth.summary())
    print()
    print(_analysis_summary(ds, top=args.top))
    return 0


def _analysis_summary(ds: Dataset, *, top: int = 5) -> str:
    """Contexts spanning authorities and the leading hotspot venues, in plain text."""
    from peermap.analysis import contexts, hotspots

    names: dict[str, str] = {}
    if ds.boundaries is not None:
        names = dict(zip(ds.boundaries["code"], ds.boundaries["name"], strict=True))

    def name(code: str) -> str:
        return names.get(code, code)

    table = contexts(ds)
    spanning = table[table["spans_authorities"]]
    distant = int((spanning["reach"] == "distant").sum())
    lines = [
        f"contexts: {len(table)}, of which {len(spanning)} span authorities "
        f"({distant} with a link between authorities that do not border)"
    ]
    for row in spanning.head(top).to_dict("records"):
        auths = ", ".join(name(str(a)) for a in row["authorities"])
        lines.append(
            f"  #{row['context_id']:<4} {row['n_people']:>3} young people, "
            f"{row['n_places']:>2} places, {row['serious']:>3} serious ({row['reach']}): {auths}"
        )
    lines.append("hotspot venues:")
    for spot in hotspots(ds).head(top).to_dict("records"):
        share = spot["outside_share"]
        shown = "" if share != share else f", {share:.0%} from outside"
        lines.append(
            f"  {spot['rank']:>2}. {spot['place_id']} ({spot['kind']}) in "
            f"{name(str(spot['authority_code']))}: {spot['people']} young people from "
            f"{spot['home_authorities']} authorities{shown}"
        )
    return "\n".join(lines)


def _validate(args: argparse.Namespace) -> int:
    from peermap._io import atomic_path
    from peermap.validation import validate

    report = validate(args.source, boundaries=args.boundaries)
    print(report.summary())
    if report.problems:
        print()
        print(report.format(limit=None if args.all else 50))
    if args.rejected:
        folder = Path(args.rejected)
        for table, frame in report.rejected.items():
            if len(frame):
                with atomic_path(folder / f"{table}.csv") as tmp:
                    frame.to_csv(tmp, encoding="utf-8")
                print(f"wrote {len(frame)} rejected row(s) to {folder / f'{table}.csv'}")
    return 0 if report.ok else 2


def _pseudonymise(args: argparse.Namespace) -> int:
    import pandas as pd

    from peermap._io import atomic_path
    from peermap.privacy import key_fingerprint, load_key, pseudonymise

    key = load_key(file=args.key_file) if args.key_file else load_key()
    columns = [c.strip() for c in args.columns.split(",") if c.strip()]
    frame = pd.read_csv(args.input, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    out = pseudonymise(frame, columns, key=key)
    with atomic_path(args.output) as tmp:
        out.to_csv(tmp, index=False, encoding="utf-8")
    print(
        f"pseudonymised {', '.join(columns)} in {len(out)} row(s) -> {args.output} "
        f"(key fingerprint {key_fingerprint(key)})"
    )
    return 0


def _key(args: argparse.Namespace) -> int:
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


COMMANDS = {"demo": _demo, "validate": _validate, "pseudonymise": _pseudonymise, "key": _key}


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
    try:
        return COMMANDS[args.command](args)
    except BAD_INPUT as exc:
        if args.debug:
            raise
        print(f"peermap {args.command}: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"peermap {args.command}: failed: {type(exc).__name__}: {exc} "
            "(run with --debug for the traceback)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
