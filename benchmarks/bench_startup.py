"""Benchmark how fast peermap starts: ``peermap --help`` and ``import peermap``.

Usage (from the repository root)::

    python benchmarks/bench_startup.py [--runs 5]

Each figure is the best of ``--runs`` fresh interpreters (the machine may be busy; the
best run is the one least disturbed by other work):

- ``python -c pass``: the interpreter alone, for reference;
- ``import peermap``: wall time of a fresh interpreter importing the package;
- ``import peermap (-X importtime)``: the cumulative time Python's own import timer
  gives the ``peermap`` package (``python -X importtime -c "import peermap"``);
- ``peermap --help``: wall time of the command line printing its help, run as the
  installed ``peermap`` script runs it (``peermap.cli:main``).

It imports the peermap that ``sys.executable`` finds (set ``PYTHONPATH=src`` to time a
checkout) and prints which one. The targets of issue 18 are under 1 s for both.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time

HELP = (
    "import sys; from peermap.cli import main; sys.argv[0] = 'peermap'; sys.exit(main(['--help']))"
)


def _wall(code: str, runs: int, *flags: str) -> float:
    """Best wall time, in seconds, of ``runs`` fresh interpreters running ``code``."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, *flags, "-c", code],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        best = min(best, time.perf_counter() - start)
    return best


def _importtime(runs: int) -> float:
    """Best cumulative ``-X importtime`` figure of the ``peermap`` package, in seconds."""
    best = float("inf")
    pattern = re.compile(r"import time:\s+\d+\s+\|\s+(\d+)\s+\|\s*peermap$")
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import peermap"],
            check=True,
            capture_output=True,
            text=True,
        )
        for line in done.stderr.splitlines():
            match = pattern.match(line.rstrip())
            if match:
                best = min(best, int(match.group(1)) / 1e6)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (best is shown)")
    args = parser.parse_args(argv)
    where = subprocess.run(
        [sys.executable, "-c", "import peermap; print(peermap.__file__)"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"peermap from {where}; best of {args.runs}; load {os.getloadavg()[0]:.2f}")
    rows = [
        ("python -c pass", _wall("pass", args.runs)),
        ("import peermap", _wall("import peermap", args.runs)),
        ("import peermap (-X importtime)", _importtime(args.runs)),
        ("peermap --help", _wall(HELP, args.runs)),
    ]
    for label, seconds in rows:
        print(f"  {label:<32} {seconds:6.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
