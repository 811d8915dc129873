"""Benchmark: validating files with very wide rows (malformed input).

A line with an unquoted comma run, or a table exported with thousands of empty columns,
is input a reader must refuse quickly and clearly. Each cell beyond the header is a
column of its own (named ``column N``) that the identifier scan reads and the
rejected-rows table writes out. Before session 29 a column's scan set-up cost about a
millisecond, twice (once to refuse, once to redact), so one ragged line of 20,000 cells
took 18 s to validate (50 s on a busy machine).

Cases (each in this process, after a warm-up validation of a small dataset):

- ``ragged N``: ``people.csv`` with a three-column header and one line of N cells
  (``a,a,...``), beside one line holding a phone number in column 3,000 of 5,000;
- ``wide C``: ``people.csv`` of 15 young people with C extra, empty columns;
- ``rows R``: ``sightings.csv`` of R rows, each with one cell more than the header (each
  set aside: the reason of every row was found by a scan of all the problems, so the time
  grew with the square of R: 50,000 rows took 22 s);
- ``xlsx XFD R``: ``people.xlsx`` of R young people with one formatted empty cell in the
  sheet's last column (XFD), as Excel files often carry: every row was read 16,384
  cells wide (3,000 rows: 26.5 s).

Each line prints the time of ``peermap.validate`` and of ``peermap.read_dataset(...,
strict=False)`` (the extra columns kept; refused for the phone number), the time of
``pandas.read_csv`` of the same file (``dtype=str``, the ragged line read with
``on_bad_lines="skip"``), their ratio and the microseconds per cell. Check: the phone
number is found and withheld.

Run: ``python benchmarks/bench_wide_rows.py [--cells 20000 100000] [--columns 3000]
[--ragged-rows 40000] [--xlsx-rows 3000]``
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from pathlib import Path

import pandas as pd

import peermap

PLACES = "place_id,kind,lon,lat\npl-1,park,-0.1,51.5\n"


def _ragged(folder: Path, cells: int) -> Path:
    line = ["a"] * 5000
    line[2999] = "07700 900123"
    text = "person_id,home_authority,age\n" + ",".join(["a"] * cells) + "\n" + ",".join(line)
    (folder / "people.csv").write_text(text + "\n")
    return folder / "people.csv"


def _wide(folder: Path, columns: int) -> Path:
    header = "person_id,home_authority,age," + ",".join(f"c{i}" for i in range(columns))
    rows = "".join(f"yp-{i:06d},E09000007,15" + "," * columns + "\n" for i in range(15))
    (folder / "people.csv").write_text(header + "\n" + rows)
    return folder / "people.csv"


def _many_ragged(folder: Path, rows: int) -> Path:
    """Sightings of which every row has one cell more than the header."""
    (folder / "people.csv").write_text("person_id,home_authority,age\nyp-1,E09000007,15\n")
    lines = "".join(
        f"yp-1,pl-1,2024-01-{i % 28 + 1:02d},cce,police,reported,x\n" for i in range(rows)
    )
    path = folder / "sightings.csv"
    path.write_text("person_id,place_id,date,context,source,reliability\n" + lines)
    return path


def _far_formatted(folder: Path, rows: int) -> Path:
    """A workbook of young people with a formatted empty cell in column XFD."""
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "people"
    ws.append(["person_id", "home_authority", "age"])
    for i in range(rows):
        ws.append([f"yp-{i:06d}", "E09000007", 15])
    ws["XFD2"].font = Font(bold=True)
    wb.save(folder / "people.xlsx")
    return folder / "people.xlsx"


def _case(name: str, folder: Path, people: Path, cells: int) -> None:
    (folder / "places.csv").write_text(PLACES)
    start = time.perf_counter()
    report = peermap.validate(folder)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    with contextlib.suppress(peermap.PrivacyError):  # the phone number: refused
        peermap.read_dataset(folder, strict=False)
    lenient = time.perf_counter() - start
    start = time.perf_counter()
    if people.suffix == ".xlsx":
        pd.read_excel(people, dtype=str)
    else:
        pd.read_csv(people, dtype=str, on_bad_lines="skip")
    theirs = time.perf_counter() - start
    phones = [p for p in report.problems if p.rule == "phone"]
    check = ""
    if name.startswith("ragged"):
        shown = report.rejected["people"].to_csv()
        ok = [p.column for p in phones] == ["column 3000"] and "07700" not in shown
        check = "  phone in column 3000 found and withheld: " + ("yes" if ok else "NO")
    print(
        f"{name:<14} validate {ours:6.2f} s  read_dataset(strict=False) {lenient:6.2f} s  "
        f"pandas.read_csv {theirs:6.3f} s  "
        f"ratio {ours / max(theirs, 1e-6):7.1f}  {ours / cells * 1e6:6.1f} us/cell{check}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--columns", type=int, nargs="+", default=[3_000])
    parser.add_argument("--ragged-rows", type=int, nargs="+", default=[40_000])
    parser.add_argument("--xlsx-rows", type=int, nargs="+", default=[3_000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warm"
        warm.mkdir()
        _case("warm-up", warm, _wide(warm, 1), 15 * 4)
        for cells in args.cells:
            folder = Path(tmp) / f"ragged-{cells}"
            folder.mkdir()
            _case(f"ragged {cells}", folder, _ragged(folder, cells), cells + 5000)
        for columns in args.columns:
            folder = Path(tmp) / f"wide-{columns}"
            folder.mkdir()
            _case(f"wide {columns}", folder, _wide(folder, columns), 15 * (columns + 3))
        for rows in args.ragged_rows:
            folder = Path(tmp) / f"rows-{rows}"
            folder.mkdir()
            _case(f"rows {rows}", folder, _many_ragged(folder, rows), rows * 7)
        for rows in args.xlsx_rows:
            folder = Path(tmp) / f"xlsx-{rows}"
            folder.mkdir()
            _case(f"xlsx XFD {rows}", folder, _far_formatted(folder, rows), rows * 3)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
