"""CPU seconds of each test, to see what a change to the tests saves.

Wall-clock durations (``pytest --durations``) move with whatever else the machine runs;
CPU seconds move far less. As a pytest plugin this records, for each test from setup to
teardown, the CPU seconds of the pytest process and of the child processes it waited for
(examples, command lines, dask workers), with the wall-clock seconds beside them, and
writes them as JSON to the file named by ``SUITE_CPU_OUT`` (under xdist, one file per
worker: ``out.gw0.json``...)::

    SUITE_CPU_OUT=before.json PYTHONPATH=src:benchmarks \\
        python -m pytest -n 0 -p suite_cpu -p no:randomly tests/test_x.py

Run as a script it compares two such files, test by test and in total::

    python benchmarks/suite_cpu.py before.json after.json [--min 0.5] [--by-function]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import resource
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

_ROWS: dict[str, tuple[float, float]] = {}


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    cpu, wall = _cpu(), time.perf_counter()
    yield
    _ROWS[item.nodeid] = (_cpu() - cpu, time.perf_counter() - wall)


def pytest_sessionfinish(session: pytest.Session) -> None:
    out = os.environ.get("SUITE_CPU_OUT")
    if not out or not _ROWS:  # the xdist controller runs no test
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        root, ext = os.path.splitext(out)
        out = f"{root}.{worker}{ext}"
    with open(out, "w", encoding="utf-8") as f:
        json.dump(_ROWS, f, indent=0)


def _read(path: str) -> dict[str, tuple[float, float]]:
    with open(path, encoding="utf-8") as f:
        rows: dict[str, Any] = json.load(f)
    return {name: (float(cpu), float(wall)) for name, (cpu, wall) in rows.items()}


def _by_function(rows: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    summed: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0])
    for name, (cpu, wall) in rows.items():
        key = re.sub(r"\[.*\]$", "", name)
        summed[key][0] += cpu
        summed[key][1] += wall
    return {name: (cpu, wall) for name, (cpu, wall) in summed.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--min", type=float, default=0.5, help="show changes of at least this")
    parser.add_argument("--by-function", action="store_true", help="sum parametrised cases")
    args = parser.parse_args(argv)
    before, after = _read(args.before), _read(args.after)
    if args.by_function:
        before, after = _by_function(before), _by_function(after)
    names = sorted(set(before) | set(after), key=lambda n: before.get(n, (0.0, 0.0))[0])
    print(f"{'CPU s before':>12} {'after':>7}   {'wall before':>11} {'after':>7}   test")
    for name in reversed(names):
        (cpu0, wall0), (cpu1, wall1) = before.get(name, (0.0, 0.0)), after.get(name, (0.0, 0.0))
        if abs(cpu0 - cpu1) >= args.min:
            print(f"{cpu0:12.2f} {cpu1:7.2f}   {wall0:11.2f} {wall1:7.2f}   {name}")
    cpu0, cpu1 = sum(c for c, _ in before.values()), sum(c for c, _ in after.values())
    wall0, wall1 = sum(w for _, w in before.values()), sum(w for _, w in after.values())
    print(
        f"total: {cpu0:.1f} -> {cpu1:.1f} CPU s (saved {cpu0 - cpu1:.1f}); "
        f"wall {wall0:.1f} -> {wall1:.1f} s; {len(before)} -> {len(after)} tests"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
