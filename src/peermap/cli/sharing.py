"""Commands that share data: ``export`` and ``merge``."""

from __future__ import annotations

import argparse
from pathlib import Path

from peermap.cli.common import (
    AddCommand,
    Command,
    Progress,
    UsageError,
    add_filters,
    add_source,
    arguments_checked,
    examples,
    filters,
    output_path,
    partnership_key,
    partnership_warning,
    print_notes,
    read_paths,
    read_source,
)
from peermap.cli.linkage import read_clk_csv
from peermap.disclosure import PACKAGE_AUDIENCES

__all__ = ["COMMANDS", "add_parsers"]

_EXPORT_SUFFIX = {".gpkg": "package", ".graphml": "graphml", ".gexf": "gexf", ".anx": "anx"}
#: Formats that hold every young person (the partnership's only).
_PERSON_LEVEL = ("graphml", "gexf", "anx")


def add_parsers(add: AddCommand) -> None:
    """Add ``export`` and ``merge``."""
    export = add(
        "export",
        "write an exchange package, or files for GIS and network tools",
        "Write a dataset for a partner or another tool; the format follows the output's "
        "suffix. .gpkg: an exchange package (GeoPackage) for neighbouring authorities, "
        "record level for the partnership (needs the key) or aggregate flows with "
        "small-count suppression; .graphml / .gexf: the peer (or place) network for Gephi, "
        "igraph or Cytoscape (GEXF with time intervals for Gephi's timeline); .anx: an i2 "
        "Analyst's Notebook chart; a folder with --format geojson: one GeoJSON file per layer. "
        "Only schema columns are written; free text and extra columns only with --allow.",
        examples(
            "peermap export exports/ --boundaries lad_2024.geojson -o camden.gpkg "
            "--producer E09000007 --audience partnership --key-file partnership.key",
            "peermap export exports/ --boundaries lad_2024.geojson -o network.graphml",
            "peermap export exports/ --boundaries lad_2024.geojson -o case.anx --since 2024-01-01",
        ),
    )
    add_source(export)
    export.add_argument("-o", "--output", metavar="OUT", required=True, help="file or folder")
    export.add_argument(
        "--format",
        choices=("package", "graphml", "gexf", "anx", "geojson"),
        help="default: from the suffix (.gpkg, .graphml, .gexf, .anx)",
    )
    export.add_argument(
        "--audience",
        choices=PACKAGE_AUDIENCES,
        help="package: record level for the partnership, or aggregate (required for .gpkg); "
        "graphs and i2 charts are for the partnership only",
    )
    export.add_argument("--producer", metavar="CODE", help="GSS code of your authority")
    export.add_argument(
        "--allow",
        metavar="COLUMNS",
        help="comma-separated free-text or extra columns to include (e.g. places.label)",
    )
    export.add_argument(
        "--clks",
        metavar="CLKS.csv",
        help="partnership packages: also send these CLKs ('peermap encode' output for the "
        "package's young people), in their own table under the package's MAC",
    )
    export.add_argument(
        "--graph", choices=("peer", "place"), default="peer", help="graph exports: which graph"
    )
    add_filters(export)

    merge = add(
        "merge",
        "merge neighbouring authorities' packages into one",
        "Read several exchange packages (each verified with the partnership key), merge "
        "them so that every record keeps the authorities that reported it and nothing is "
        "counted twice, report any disagreement, and write the merged package.",
        examples(
            "peermap merge camden.gpkg islington.gpkg haringey.gpkg -o cluster.gpkg "
            "--producer E09000007 --key-file partnership.key",
            "peermap merge camden.gpkg islington.gpkg -o cluster.gpkg --producer E09000007 "
            "--key-file partnership.key --links links.csv",
        ),
    )
    merge.add_argument("packages", nargs="+", help="the packages (.gpkg) to merge")
    merge.add_argument("-o", "--output", metavar="OUT.gpkg", required=True, help="package")
    merge.add_argument(
        "--producer", metavar="CODE", required=True, help="GSS code of your authority"
    )
    merge.add_argument("--key-file", metavar="FILE", help="file holding the partnership key")
    merge.add_argument(
        "--links",
        metavar="LINKS.csv",
        help="links table from 'peermap link' (two packages: id_a of the first, id_b of the "
        "second; rows with match true) or clusters from it (partner = producer code): the "
        "young people it links become one",
    )


def _check_package_options(args: argparse.Namespace, fmt: str) -> None:
    """Check a package says who it is for and who made it; other formats take no audience."""
    if fmt == "package":
        if args.audience is None:
            raise UsageError(
                "say who the package is for: --audience partnership (records, pseudonymised "
                "personal data, for partners holding the key) or --audience aggregate (flows "
                "and counts with small-count suppression)"
            )
        if not args.producer:
            raise UsageError("a package records who made it: give --producer CODE (GSS code)")
        if args.clks and args.audience != "partnership":
            raise UsageError(
                "--clks: CLKs are personal data and travel only in a partnership package "
                "(--audience partnership), never in an aggregate one"
            )
    elif args.clks:
        raise UsageError(f"--clks applies to partnership packages (.gpkg), not to {fmt}")
    elif args.audience is not None and fmt not in _PERSON_LEVEL:
        raise UsageError(f"--audience applies to packages (.gpkg), not to {fmt}")


def _export(args: argparse.Namespace) -> int:
    from peermap import Window, select, to_anx, to_geojson, to_gexf, to_graphml, write_package

    fmt = args.format or _EXPORT_SUFFIX.get(Path(args.output).suffix.lower())
    if fmt is None:
        raise UsageError(
            f"{args.output}: cannot tell the format from the name; end it in .gpkg (package), "
            ".graphml, .gexf or .anx, or give --format geojson with a folder"
        )
    folder = fmt == "geojson"
    reads = read_paths(args)
    target = output_path(args.output, *reads, folder=folder, option="-o")
    if folder:  # each layer's file, and the metadata, checked on its own
        from peermap.exchange.layout import partnership_layout

        for name in [f"{layer}.geojson" for layer in partnership_layout()] + ["metadata.json"]:
            output_path(str(target / name), *reads, option=f"-o {target}:")
    allow = [s.strip() for s in args.allow.split(",") if s.strip()] if args.allow else []
    _check_package_options(args, fmt)
    notes: list[str] = []
    with Progress("export", 3 + int(bool(args.boundaries))) as progress:
        ds = read_source(args, progress, notes)
        progress.step(f"writing {target.name}")
        with arguments_checked():
            # One window for every format, applied once: --since, --until and
            # --min-reliability decide what is sent, whatever the format (graphs and
            # charts select it themselves, and record it).
            window = Window(**filters(args))
            chosen = select(ds, window)
            if fmt == "package":
                key = partnership_key(args.key_file, required=args.audience == "partnership")
                write_package(
                    chosen,
                    target,
                    key=key,
                    producer=args.producer,
                    audience="partnership" if args.audience == "partnership" else "aggregate",
                    allow=allow,
                    period=(window.since, window.until),
                    clks=None if args.clks is None else read_clk_csv(args.clks),
                )
                written = [target]
            elif fmt in ("graphml", "gexf"):
                if allow:
                    raise UsageError("--allow applies to packages and GeoJSON, not to graphs")
                write = to_graphml if fmt == "graphml" else to_gexf
                write(
                    ds,
                    target,
                    graph=args.graph,
                    audience=args.audience or "partnership",
                    **window.keywords,
                )
                written = [target]
            elif fmt == "anx":
                to_anx(
                    ds,
                    target,
                    audience=args.audience or "partnership",
                    allow=allow,
                    window=window,
                )
                written = [target]
            else:
                written = list(
                    to_geojson(chosen, target, allow=allow, producer=args.producer).values()
                )
    print_notes(notes)
    if fmt == "package":
        size = f"{target.stat().st_size / 1e3:,.0f} kB"
        if args.audience == "partnership":
            contents = ", ".join(f"{n} {c:,}" for n, c in chosen.counts.items())
        else:
            contents = "flows and counts between authorities, small counts suppressed"
        print(f"wrote {args.audience} package {target} ({size}) from {args.producer}: {contents}")
        print(f"check it: peermap info {target}")
    else:
        print(f"wrote {', '.join(str(p) for p in written)}")
    if fmt != "package" or args.audience == "partnership":
        print(partnership_warning())
    return 0


def _merge(args: argparse.Namespace) -> int:
    from peermap import merge, read_package, write_package

    target = output_path(args.output, *read_paths(args), option="-o")
    if target.suffix.lower() != ".gpkg":
        raise UsageError(f"{target}: the merged package is a GeoPackage; name it ....gpkg")
    key = partnership_key(args.key_file, required=True)
    assert key is not None
    datasets = []
    with Progress("merge", len(args.packages) + 2) as progress:
        for path in args.packages:
            progress.step(f"reading {Path(path).name}")
            datasets.append(read_package(path, key=key))
        progress.step("merging")
        merged = merge(datasets, links=args.links)
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
    linked = merged.meta.get("linked_ids")
    if linked is not None:
        print(
            f"linked through {args.links}: {linked['person_id'].nunique():,} young people held "
            f"under {len(linked):,} local ids became one each"
        )
    print(f"wrote {target}")
    print(partnership_warning())
    return 0


COMMANDS: dict[str, Command] = {"export": _export, "merge": _merge}
