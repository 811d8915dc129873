"""Precision and recall of peermap's identifier detector on a labelled set of values.

    python benchmarks/bench_identifiers.py [--csv benchmarks/data/identifier_values.csv]
    python benchmarks/bench_identifiers.py --columns    # only the columns' seconds

Each row of the labelled set is a cell value, the rule a reviewer says it falls under
(``none`` for values that are not identifiers) and the table and column it sits in.
The labels were written by hand from what each value *is*, not from the detector's
output. Prints, for "is an identifier" (any rule) against "is not", the confusion
counts, precision and recall; then, per rule, the values found under that rule
(true positives), missed (labelled with the rule, found under none), found under
another rule, and false alarms; then every disagreement, so that a regression can be
read off directly. Then the seconds of long cells, and of whole columns that hold no
identifier (:func:`columns`).
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from peermap.privacy import IDENTIFIER_RULES, identifier_rule

DEFAULT_CSV = Path(__file__).parent / "data" / "identifier_values.csv"


@dataclass(frozen=True)
class Scores:
    """Binary scores (identifier or not) and per-rule counts."""

    tp: int
    fp: int
    fn: int
    tn: int
    per_rule: dict[str, Counter[str]]
    disagreements: list[tuple[str, str, str, str, str]]

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def load(path: Path = DEFAULT_CSV) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def score(rows: list[dict[str, str]]) -> Scores:
    tp = fp = fn = tn = 0
    per_rule: dict[str, Counter[str]] = {rule: Counter() for rule in IDENTIFIER_RULES}
    disagreements = []
    for row in rows:
        truth = row["rule"]
        if truth != "none" and truth not in IDENTIFIER_RULES:
            raise ValueError(f"unknown rule {truth!r} in the labelled set")
        found = identifier_rule(row["value"], table=row["table"], column=row["column"])
        predicted = found or "none"
        if truth != "none" and found is not None:
            tp += 1
            per_rule[truth]["found" if found == truth else "other rule"] += 1
        elif truth != "none":
            fn += 1
            per_rule[truth]["missed"] += 1
        elif found is not None:
            fp += 1
            per_rule[found]["false alarm"] += 1
        else:
            tn += 1
        if predicted != truth:
            disagreements.append((row["value"], truth, predicted, row["table"], row["column"]))
    return Scores(tp, fp, fn, tn, per_rule, disagreements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--columns", action="store_true", help="only time whole columns")
    args = parser.parse_args()
    if args.columns:
        columns()
        return
    rows = load(args.csv)
    s = score(rows)
    positives = sum(1 for r in rows if r["rule"] != "none")
    print(f"labelled values: {len(rows)} ({positives} identifiers, {len(rows) - positives} not)")
    print(f"true positives {s.tp}, false positives {s.fp}, false negatives {s.fn}, ", end="")
    print(f"true negatives {s.tn}")
    print(f"precision {s.precision:.3f}  recall {s.recall:.3f}")
    print()
    print(
        f"{'rule':<22}{'labelled':>9}{'found':>7}{'other rule':>11}{'missed':>8}{'false alarm':>12}"
    )
    labelled = Counter(r["rule"] for r in rows)
    for rule in IDENTIFIER_RULES:
        c = s.per_rule[rule]
        print(
            f"{rule:<22}{labelled[rule]:>9}{c['found']:>7}{c['other rule']:>11}"
            f"{c['missed']:>8}{c['false alarm']:>12}"
        )
    if s.disagreements:
        print()
        print("disagreements (value | labelled | detector | table.column):")
        for value, truth, predicted, table, column in s.disagreements:
            print(f"  {value!r} | {truth} | {predicted} | {table}.{column}")
    long_cells()
    columns()


#: Cells of 10,000 characters that make a careless regular expression slow (nested or
#: overlapping repeats try every start and every split), and where each sits.
LONG_CELLS = [
    ("capitals", "A" * 10_000, "ties", "notes"),
    ("letters", "a" * 10_000, "ties", "notes"),
    ("digits", "1" * 10_000, "ties", "notes"),
    ("words", "Jayden " * 1_430, "ties", "notes"),
    ("capital words", "SMITH " * 1_660, "ties", "notes"),
    ("commas", "Smith, " * 1_430, "ties", "notes"),
    (
        "spaces in a label",
        "Chicken Shack, 27 Kingsland Road" + " " * 10_000 + "x",
        "places",
        "label",
    ),
    ("handle", "snapchat username " + "1" * 10_000 + "\u00e9", "ties", "notes"),
    ("key", "A" * 10_000 + " 03/02/2010", "people", "person_id"),
]


def long_cells() -> None:
    """Print the seconds each long cell takes, and its ratio to a short cell's."""
    import time

    def seconds(value: str, table: str, column: str) -> float:
        start = time.perf_counter()
        identifier_rule(value, table=table, column=column)
        return time.perf_counter() - start

    short = min(seconds("seen at the park with a friend", "ties", "notes") for _ in range(20))
    print()
    print("long cells (10,000 characters): seconds, and x a short note")
    for name, value, table, column in LONG_CELLS:
        took = seconds(value, table, column)
        print(f"  {name:<20}{took:>8.3f} s {took / short:>10,.0f}x")


def _column_cases() -> list[tuple[str, list[str], str, str]]:
    """Whole columns without identifiers: (what, cells, table, column)."""
    import random

    import pandas as pd

    rng = random.Random(0)
    base32 = "abcdefghijklmnopqrstuvwxyz234567"
    pseudonyms = ["pm" + "".join(rng.choice(base32) for _ in range(16)) for _ in range(50_000)]
    timed = pd.date_range("2025-04-01", periods=62_000, freq="7min").strftime("%Y-%m-%d %H:%M")
    import uuid

    guids = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(50_000)]
    hexes = [uuid.UUID(int=rng.getrandbits(128)).hex for _ in range(50_000)]
    return [
        ("local ids (yp-000123)", [f"yp-{i:06d}" for i in range(50_000)], "people", "person_id"),
        ("peermap pseudonyms", pseudonyms, "people", "person_id"),
        ("dates with a time", list(timed), "sightings", "date"),
        ("UUIDs", guids, "people", "person_id"),
        ("32 hex digits", hexes, "people", "person_id"),
    ]


def columns(repeats: int = 3) -> None:
    """Print the seconds :func:`find_identifiers` takes on a whole column, and x local ids.

    Each column's values are distinct (50,000 or 62,000 of them), as a read's
    dictionary holds them; the best of `repeats` runs.
    """
    import time

    import pandas as pd

    from peermap.privacy import find_identifiers

    print()
    print("whole columns, no identifier in them: seconds, and x a column of local ids")
    base = None
    for name, cells, table, column in _column_cases():
        frame = pd.DataFrame({column: pd.Series(cells, dtype="str")})
        took = []
        for _ in range(repeats):
            start = time.perf_counter()
            found = find_identifiers(frame, table=table)
            took.append(time.perf_counter() - start)
        assert not found, f"{name}: {found}"
        best = min(took)
        base = base or best
        print(f"  {name:<24}{len(cells):>7,} values {best:>8.3f} s {best / base:>8.1f}x")


if __name__ == "__main__":
    main()
