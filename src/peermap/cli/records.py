"""Commands on records: ``template``, ``validate``, ``pseudonymise``, ``key``, ``assign``."""

from __future__ import annotations

import argparse
import csv
import warnings
from pathlib import Path

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
    number,
    output_path,
    read_boundaries,
    read_paths,
    read_records_csv,
)

__all__ = ["COMMANDS", "add_parsers"]

_ASSIGNMENT_TEXT = {
    "within": "inside one authority",
    "on_boundary": "on a border (within 1 cm): assigned to the lowest code",
    "nearest": "in no authority but within {tol:g} m of one (river, estuary, coast): nearest",
    "outside": "farther than {tol:g} m from every authority: no authority",
}


def add_parsers(add: AddCommand) -> None:
    """Add ``template``, ``validate``, ``pseudonymise``, ``key`` and ``assign``."""
    template = add(
        "template",
        "write a blank data-collection workbook for practitioners",
        "Write an Excel workbook with a guidance sheet and one sheet per table of record "
        "schema v1: headers, dropdown lists for every listed column (kinds, contexts, "
        "sources, reliabilities), and checks on dates, ages and coordinates. What is filled "
        "in reads back with 'peermap validate FILE.xlsx'.",
        examples(
            "peermap template collection.xlsx",
            "peermap template collection.xlsx --boundaries lad_2024.geojson",
        ),
    )
    template.add_argument("file", help="the workbook to write (.xlsx)")
    add_boundaries(template, "offer these authorities' names as a list")
    template.add_argument(
        "--force", action="store_true", help="replace FILE if it exists (it may hold records)"
    )

    val = add(
        "validate",
        "check a dataset against record schema v1",
        "Check a folder of table files (people, places, ties, sightings, relocations as "
        ".csv, .xlsx or .parquet) or an .xlsx workbook with one sheet per table. Exits "
        "with status 2 when there are errors.",
        examples(
            "peermap validate exports/",
            "peermap validate exports/ --boundaries lad_2024.geojson --rejected rejected/",
        ),
    )
    val.add_argument("source", help="folder or workbook")
    add_boundaries(val, "resolve authorities against these")
    val.add_argument("--all", action="store_true", help="list every problem, not the first 50")
    val.add_argument(
        "--rejected",
        metavar="DIR",
        help="write the rows that would be set aside to DIR/<table>.csv, with reasons",
    )

    pse = add(
        "pseudonymise",
        "replace identifier columns of a CSV file with keyed pseudonyms",
        "Replace the values of the named columns with keyed HMAC-SHA256 pseudonyms. "
        "The partnership key is read from --key-file, else from the environment "
        "variable PEERMAP_KEY, else from the file named by PEERMAP_KEY_FILE; it is "
        "never printed.",
        examples(
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

    key = add(
        "key",
        "write a new random key (a partnership's or a linkage's) to a file",
        "Write a new random 256-bit key to FILE (readable by you only) and print its "
        "public fingerprint: a partnership key (pseudonyms, packages) or a linkage key "
        "(peermap encode), kept apart from each other. Share it only with partners under "
        "the information-sharing agreement.",
        examples("peermap key partnership.key", "peermap key linkage.key"),
    )
    key.add_argument("file", help="where to write the key (must not exist)")

    assign = add(
        "assign",
        "assign places to the authorities they lie in",
        "Read a places table (.csv, .xlsx or .parquet: place_id, kind, and lon/lat or "
        "easting/northing), assign every place to the authority it lies in, and write it "
        "with authority_code, authority_name and assignment: 'within' an authority, "
        "'on_boundary' (within 1 cm of a border: the lowest code), 'nearest' (in no "
        "authority but within the tolerance: rivers, estuaries, coasts) or 'outside' (no "
        "authority). Rows with errors are set aside and listed, and the exit status is then 2.",
        examples("peermap assign places.csv --boundaries lad_2024.geojson -o assigned.csv"),
    )
    assign.add_argument("places", help="the places table, or a dataset folder holding one")
    add_boundaries(assign, "boundary file", required=True)
    assign.add_argument("-o", "--output", metavar="OUT.csv", required=True, help="CSV to write")
    assign.add_argument(
        "--tolerance",
        type=number(0),
        default=1000.0,
        metavar="METRES",
        help="how far outside every authority a place may lie and still be assigned to the "
        "nearest (default 1000)",
    )


def _template(args: argparse.Namespace) -> int:
    from peermap.schema import TABLE_ORDER
    from peermap.template import template_lists, write_template

    target = output_path(args.file, *read_paths(args))
    if target.suffix.lower() != ".xlsx":
        raise UsageError(f"{target}: the template is an Excel workbook; name it ....xlsx")
    if target.exists() and not args.force:
        raise UsageError(
            f"{target} exists and may hold records practitioners entered; choose a new name "
            "or pass --force to replace it"
        )
    options = boundary_options(args)
    bounds = load_boundaries_file(args.boundaries, **options) if args.boundaries else None
    write_template(target, boundaries=bounds)
    lists = template_lists()
    print(
        f"wrote {target}: a guidance sheet and sheets {', '.join(TABLE_ORDER)}, with "
        f"dropdown lists on {len(lists)} columns"
        + (" and the authorities of the boundaries" if args.boundaries else "")
    )
    print(f"when it comes back filled in: peermap validate {target}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from peermap import validate
    from peermap._csv_cells import write_csv
    from peermap.schema import TABLE_ORDER

    targets: dict[str, Path] = {}
    if args.rejected:  # checked before reading: never over a table the rows come from
        reads = read_paths(args)
        folder = output_path(
            args.rejected,
            *reads,
            folder=True,
            option="--rejected",
            into_source="rejected rows written there as <table>.csv would replace its tables",
        )
        targets = {
            table: output_path(str(folder / f"{table}.csv"), *reads, option=f"--rejected {folder}:")
            for table in TABLE_ORDER
        }
    with Progress("validate", 1 + int(bool(args.boundaries))) as progress:
        bounds = read_boundaries(args, progress)
        progress.step(f"reading {args.source}")
        report = validate(args.source, boundaries=bounds)
    print(report.summary())
    if report.problems:
        print()
        print(in_cli_terms(report.format(limit=None if args.all else 50)))
    for table, target in targets.items():
        frame = report.rejected.get(table)
        if frame is not None and len(frame):
            write_csv(frame, target, index=True)
            print(f"wrote {len(frame)} rejected row(s) to {target}")
        elif _rejected_rows_file(target):
            # An earlier run's rows, mended since: left there, they would still read
            # as rejected.
            target.unlink()
            print(f"removed {target}: an earlier run's rejected rows; none are rejected now")
    return 0 if report.ok else 2


def _rejected_rows_file(path: Path) -> bool:
    """Whether ``path`` is a rejected-rows file an earlier ``validate --rejected`` wrote."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
    return bool(header) and header[0] == "row" and header[-1] == "rejected_because"


def _pseudonymise(args: argparse.Namespace) -> int:

    from peermap import key_fingerprint, load_key, pseudonymise
    from peermap._csv_cells import write_csv

    target = output_path(args.output, *read_paths(args))
    key = load_key(file=args.key_file) if args.key_file else load_key()
    columns = [c.strip() for c in args.columns.split(",") if c.strip()]
    frame = read_records_csv(args.input)
    out = pseudonymise(frame, columns, key=key)
    write_csv(out, target)
    print(
        f"pseudonymised {', '.join(columns)} in {len(out)} row(s) -> {target} "
        f"(key fingerprint {key_fingerprint(key)})"
    )
    return 0


def _key(args: argparse.Namespace) -> int:
    from peermap.privacy import write_key

    key = write_key(args.file)
    print(f"wrote a new key to {args.file} (fingerprint {key.fingerprint})")
    return 0


def _assign(args: argparse.Namespace) -> int:
    import pandas as pd

    from peermap import PeermapWarning, assign_authorities, read_dataset
    from peermap._csv_cells import write_csv
    from peermap._sources import find_table
    from peermap.schema import TABLES

    target = output_path(args.output, *read_paths(args), option="-o")
    if target.suffix.lower() != ".csv":
        raise UsageError(f"{target}: assign writes a CSV file; name it ....csv")
    with Progress("assign", 4) as progress:
        bounds = read_boundaries(args, progress)
        assert bounds is not None
        progress.step(f"reading {args.places}")
        places = find_table(args.places, "places")
        people = pd.DataFrame({c: pd.Series(dtype=str) for c in TABLES["people"].names})
        ds = read_dataset({"people": people, "places": places}, strict=False)
        progress.step("assigning")
        with warnings.catch_warnings():
            # Places outside every authority are counted and listed below.
            warnings.simplefilter("ignore", PeermapWarning)
            assigned = assign_authorities(ds.places, bounds, tolerance_m=args.tolerance)
        progress.step(f"writing {target.name}")
        columns = [*TABLES["places"].names, "authority_code", "authority_name", "assignment"]
        frame = pd.DataFrame(assigned.drop(columns="geometry"))[columns]
        write_csv(frame, target)
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


COMMANDS: dict[str, Command] = {
    "template": _template,
    "validate": _validate,
    "pseudonymise": _pseudonymise,
    "key": _key,
    "assign": _assign,
}
