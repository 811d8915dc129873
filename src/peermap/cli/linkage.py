"""Commands that link young people across partners: ``encode`` and ``link``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from peermap.cli.common import (
    AddCommand,
    Command,
    UsageError,
    examples,
    output_path,
    partnership_key,
    read_paths,
    read_records_csv,
    same_path,
)
from peermap.exceptions import ValidationError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["COMMANDS", "add_parsers"]


def add_parsers(add: AddCommand) -> None:
    """Add ``encode`` and ``link``."""
    enc = add(
        "encode",
        "encode identities as CLKs (Bloom filters) to link without sharing them",
        "Read a CSV file of young people (an id column and any of first_name, last_name, "
        "dob, sex, postcode) and write person_id and clk: Bloom filters and keyed codes "
        "of the normalised fields (version 3: one filter of the record and one segment "
        "per field but sex) under the key of the linkage, and nothing else. Run it on "
        "your own machine; send only the output, and only within the partnership (CLKs "
        "are personal data). The key is read from --key-file, else from PEERMAP_KEY or "
        "the file named by PEERMAP_KEY_FILE; it is never printed.",
        examples(
            "peermap encode identities.csv clks.csv --key-file linkage.key",
            "peermap encode identities.csv clks.csv --key-file linkage.key "
            "--id-column local_id --fields first_name,last_name,dob",
        ),
    )
    enc.add_argument("input", help="CSV file of identities")
    enc.add_argument("output", help="CSV file to write (person_id, clk)")
    enc.add_argument("--key-file", metavar="FILE", help="file holding the key of the linkage")
    enc.add_argument(
        "--clk-version",
        type=int,
        choices=(3, 2),
        default=3,
        help="CLK layout: 3, the record filter and the field segments (default); 2, the "
        "record filter alone (less for the linker to see, less accurate links)",
    )
    enc.add_argument(
        "--id-column", default="person_id", help="column of person ids (default person_id)"
    )
    enc.add_argument(
        "--fields",
        help="comma-separated identity columns to encode (default: every one present; "
        "every partner must encode the same)",
    )

    link = add(
        "link",
        "link partners' CLKs: which records are the same young person",
        "Read the CLK files of two partners (made by 'peermap encode' under the same key) "
        "and write the pairs of records that are the same young person: id_a, id_b, "
        "score (Dice similarity of the record filters), match (one-to-one), review (pairs "
        "for clerical review: picked from --review-threshold, but below --threshold), "
        "adjusted (the score less a share of each record's best rival), weight (bits of "
        "field-by-field evidence), probability (that the pair is one young person) and "
        "rule (twins, date of birth or names alone: why a likely pair may not match). "
        "CLKs of an earlier peermap (version 2) link by the adjusted score; "
        "--threshold and --review-threshold are then scores. With three or more "
        "files, write one row per record with a cluster id shared by the records of one "
        "young person (partner, person_id, cluster).",
        examples(
            "peermap link north.csv south.csv -o links.csv",
            "peermap link north.csv south.csv -o links.csv --review review.csv",
            "peermap link north.csv south.csv east.csv -o clusters.csv",
            "peermap link north.gpkg south.gpkg -o links.csv --key-file partnership.key",
        ),
    )
    link.add_argument("files", nargs="+", metavar="CLKS.csv", help="partners' CLK files")
    link.add_argument("-o", "--output", required=True, metavar="OUT.csv", help="CSV to write")
    link.add_argument(
        "--threshold",
        type=float,
        metavar="P",
        help="match probability from which a pair is a match (default 0.9; version 2 "
        "CLKs: adjusted score, default 0.80)",
    )
    link.add_argument(
        "--review-threshold",
        type=float,
        metavar="P",
        help="match probability from which a pair goes to clerical review (default 0.1; "
        "version 2 CLKs: Dice score, default 0.70; two files only)",
    )
    link.add_argument(
        "--review", metavar="REVIEW.csv", help="also write the clerical-review pairs here"
    )
    link.add_argument(
        "--key-file",
        metavar="FILE",
        help="the partnership key, to read CLKs from partnership packages (.gpkg written "
        "with 'peermap export --clks'); clusters then name partners by producer code",
    )


def read_clk_csv(path: str) -> pd.DataFrame:
    """Read a CLK file ('peermap encode' output) as text; errors name it by ``attrs``."""
    frame = read_records_csv(path)
    frame.attrs["source"] = path
    return frame


def _read_clks(path: str, key_file: str | None) -> tuple[pd.DataFrame, str]:
    """Return a CLK file, or a partnership package's verified CLKs, and the partner's name."""
    if not path.lower().endswith(".gpkg"):
        return read_clk_csv(path), path
    from peermap import read_clks
    from peermap.exchange import package_metadata

    key = partnership_key(key_file, required=True)
    assert key is not None
    frame = read_clks(path, key=key)
    producer = (package_metadata(path) or {}).get("producer") or path
    return frame, producer


def _encode(args: argparse.Namespace) -> int:
    from peermap import encode_identities
    from peermap._csv_cells import write_csv

    target = output_path(args.output, *read_paths(args))
    key = partnership_key(args.key_file, required=True)
    fields = None
    if args.fields is not None:
        fields = [f.strip() for f in args.fields.split(",") if f.strip()]
        if not fields:
            raise UsageError("--fields names no column")
    frame = read_records_csv(args.input)
    try:
        out = encode_identities(
            frame, key=key, id_column=args.id_column, fields=fields, version=args.clk_version
        )
    except ValidationError as exc:  # name the file: the library names rows and columns
        raise ValidationError(f"{args.input}: {exc}") from None
    write_csv(out, target)
    print(
        f"encoded {len(out)} record(s) -> {target} (key fingerprint "
        f"{out.attrs['key_fingerprint']}); CLKs are personal data: share them only within "
        "the partnership"
    )
    return 0


def _link(args: argparse.Namespace) -> int:
    from peermap import cluster_identities, link_identities
    from peermap._csv_cells import write_csv

    if len(args.files) < 2:
        raise UsageError("give at least two CLK files to link")
    for option, value in (
        ("--threshold", args.threshold),
        ("--review-threshold", args.review_threshold),
    ):
        if value is not None and not 0.0 < value <= 1.0:
            raise UsageError(f"{option} is a Dice score above 0 and at most 1, not {value:g}")
    reads = read_paths(args)
    target = output_path(args.output, *reads, option="-o")
    review_target = None
    if args.review:
        review_target = output_path(args.review, *reads, option="--review")
        if same_path(review_target, target):
            raise UsageError("--review and -o name the same file; choose two names")
    read = [_read_clks(path, args.key_file) for path in args.files]
    frames = [frame for frame, _ in read]
    partners = [name for _, name in read]
    if len(frames) == 2:
        links = link_identities(
            frames[0],
            frames[1],
            threshold=args.threshold,
            review_threshold=args.review_threshold,
            labels=(args.files[0], args.files[1]),
        )
        matched = links[links["match"]]
        review = links[links["review"]]
        write_csv(links, target)
        if review_target is not None:
            write_csv(review, review_target)
        print(
            f"{len(matched)} match(es), {len(review)} pair(s) for clerical review -> {target}"
            + (f" (review: {review_target})" if review_target else "")
        )
        return 0
    if args.review_threshold is not None or review_target is not None:
        raise UsageError("--review and --review-threshold link two files; give two")
    if len(set(partners)) < len(partners):
        raise UsageError("a CLK file (or a producer's package) is given twice")
    clusters = cluster_identities(
        dict(zip(partners, frames, strict=True)),
        threshold=args.threshold,
    )
    write_csv(clusters, target)
    linked = int((clusters.groupby("cluster").size() > 1).sum())
    print(
        f"{clusters['cluster'].nunique()} young people in {len(clusters)} record(s), "
        f"{linked} held by more than one partner -> {target}"
    )
    return 0


COMMANDS: dict[str, Command] = {"encode": _encode, "link": _link}
