"""Writes killed or interrupted at any point leave the old file or none, and no readable copy.

A child process writes packages and is killed with SIGKILL at several points: paused
inside the write (after some layers, or while verifying a complete copy), and running
freely after several delays. Whatever point was hit, every leftover is private (files
0600, folders 0700, even with umask 022) and the next write or read in the folder
removes it; an existing package is untouched.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pyogrio
import pytest

import peermap
from conftest import fail_at_layer
from peermap._atomic import atomic_path, clean_leftovers
from peermap.dataset import Dataset
from peermap.exchange import read_package, write_package

KEY_HEX = "5a" * 32
PRODUCER = "X09000001"

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and file modes are POSIX")

#: The child: builds a dataset, then writes packages; with PAUSE_AT=n it stops (sleeps)
#: just after GDAL's n-th layer write (``verify`` stops while the complete copy is being
#: read back), and tells the parent by printing ``paused``.
CHILD = textwrap.dedent(
    """
    import os, sys, time
    os.umask(0o022)
    import pyogrio
    import peermap
    from peermap.exchange import reading, write_package

    target, pause = sys.argv[1], sys.argv[2]
    ds = peermap.scenario(peermap.demo_boundaries(), n_people=300, seed=3).dataset
    key = peermap.load_key("5a" * 32)
    calls = {"n": 0}
    real_write, real_read = pyogrio.write_arrow, reading.read_partnership

    def stop():
        print("paused", flush=True)
        time.sleep(600)

    def write(*args, **kwargs):
        real_write(*args, **kwargs)
        calls["n"] += 1
        if pause.isdigit() and calls["n"] == int(pause):
            stop()

    def read(*args, **kwargs):
        out = real_read(*args, **kwargs)
        if pause == "verify":
            stop()
        return out

    pyogrio.write_arrow = write
    reading.read_partnership = read
    import peermap.exchange.writing as writing
    writing.read_partnership = read
    print("ready", flush=True)
    while True:
        write_package(ds, target, key=key, producer="X09000002", audience="partnership")
    """
)


@pytest.fixture(scope="module")
def key() -> peermap.PartnershipKey:
    return peermap.load_key(KEY_HEX)


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return peermap.scenario(peermap.demo_boundaries(), n_people=60, seed=5).dataset


def _leftovers(folder: Path, target: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p != target]


def _assert_private(paths: list[Path]) -> None:
    for top in paths:
        for path in [top, *(top.rglob("*") if top.is_dir() else [])]:
            mode = stat.S_IMODE(path.lstat().st_mode)
            assert mode & 0o077 == 0, f"{path.name} is readable by others: {oct(mode)}"


def _run_child(target: Path, pause: str, delay: float) -> None:
    """Start a writer, wait until it is ready (or paused), wait ``delay``, SIGKILL it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(target), pause],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert child.stdout is not None
        wanted = "paused" if pause != "run" else "ready"
        for line in child.stdout:
            if line.strip() == wanted:
                break
        else:  # pragma: no cover - the child died
            pytest.fail(f"the writer exited ({child.wait()}) before {wanted!r}")
        if delay:
            # free running: the kill lands wherever the loop of writes is by then
            import time

            time.sleep(delay)
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=60)
        if child.stdout is not None:
            child.stdout.close()


@pytest.mark.parametrize(
    ("pause", "delay"),
    [("1", 0.0), ("verify", 0.0), ("run", 1.0), ("run", 3.0)],
)
def test_a_killed_write_leaves_no_readable_copy_and_is_cleaned_next_time(
    tmp_path: Path, ds: Dataset, key: Any, pause: str, delay: float
) -> None:
    target = tmp_path / "northmere.gpkg"
    write_package(ds, target, key=key, producer=PRODUCER, audience="partnership")
    before = target.read_bytes()
    _run_child(target, pause, delay)
    left = _leftovers(tmp_path, target)
    _assert_private(left)
    if pause != "run":
        # killed inside the write (deterministically): the staging folder is there, private
        assert left, "a write killed mid-way left nothing to clean: the test missed its point"
        assert target.read_bytes() == before
    # the old package, or a complete new one, is in place and reads
    assert read_package(target, key=key).meta["producer"] in (PRODUCER, "X09000002")
    # that read removed the leftovers of the killed write
    assert _leftovers(tmp_path, target) == []


def test_the_next_write_cleans_what_a_killed_write_left(
    tmp_path: Path, ds: Dataset, key: Any
) -> None:
    target = tmp_path / "a.gpkg"
    _run_child(target, "verify", 0.0)  # killed with a complete copy in its staging folder
    left = _leftovers(tmp_path, target)
    assert left and not target.exists()
    _assert_private(left)
    other = tmp_path / "b.gpkg"  # any write in the folder cleans up
    write_package(ds, other, key=key, producer=PRODUCER, audience="partnership")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.gpkg"]


def test_keyboard_interrupt_mid_write_leaves_nothing(
    tmp_path: Path, ds: Dataset, key: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.gpkg"
    write_package(ds, target, key=key, producer=PRODUCER, audience="partnership")
    before = target.read_bytes()
    fail_at_layer(monkeypatch, 3, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        write_package(ds, target, key=key, producer="X09000002", audience="partnership")
    assert [p.name for p in tmp_path.iterdir()] == ["a.gpkg"]
    assert target.read_bytes() == before


@pytest.mark.parametrize("full", [True, False])
def test_a_full_disk_under_gdal_is_said_as_a_full_disk(
    tmp_path: Path, ds: Dataset, key: Any, monkeypatch: pytest.MonkeyPatch, full: bool
) -> None:
    # GDAL's SQLite says a full disk as "sqlite3_exec(INSERT INTO gpkg_contents ...)
    # failed": the user is told the disk is full, as for any other write, and the old
    # package is kept. Another GDAL failure with space left is not called a full disk.
    import errno
    import shutil

    target = tmp_path / "a.gpkg"
    write_package(ds, target, key=key, producer=PRODUCER, audience="partnership")
    before = target.read_bytes()
    gdal_says = "sqlite3_exec(INSERT INTO gpkg_contents) failed"
    fail_at_layer(monkeypatch, 2, pyogrio.errors.DataLayerError(gdal_says))
    if full:
        space = shutil.disk_usage(tmp_path)
        monkeypatch.setattr(shutil, "disk_usage", lambda _: space._replace(free=4096))
        with pytest.raises(OSError) as err:
            write_package(ds, target, key=key, producer="X09000002", audience="partnership")
        assert err.value.errno == errno.ENOSPC and err.value.filename == str(target)
        # A failure of peermap's own or of Python's on a nearly full disk is what it is.
        fail_at_layer(monkeypatch, 1, ValueError("a bug, not the disk"))
        with pytest.raises(ValueError, match="a bug"):
            write_package(ds, target, key=key, producer="X09000002", audience="partnership")
    else:
        with pytest.raises(pyogrio.errors.DataLayerError):
            write_package(ds, target, key=key, producer="X09000002", audience="partnership")
    assert [p.name for p in tmp_path.iterdir()] == ["a.gpkg"]
    assert target.read_bytes() == before


def test_a_write_under_way_is_not_cleaned(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    with atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        assert stat.S_IMODE(tmp.stat().st_mode) == 0o600
        assert stat.S_IMODE(tmp.parent.stat().st_mode) == 0o700
        assert clean_leftovers(tmp_path) == 0  # its writer holds the lock
        assert tmp.exists()
        tmp.write_text("whole", encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    assert target.read_text(encoding="utf-8") == "whole"
    mode = stat.S_IMODE(target.stat().st_mode)
    assert mode == 0o666 & ~_umask()


def test_files_that_are_not_peermap_leftovers_are_kept(tmp_path: Path) -> None:
    (tmp_path / ".notes.abcdefgh.part").mkdir()
    (tmp_path / ".notes.abcdefgh.part" / "other.txt").write_text("x", encoding="utf-8")
    (tmp_path / ".a.gpkg.abcdefgh.part").write_text("a file, not a folder", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    assert clean_leftovers(tmp_path) == 0
    assert len(list(tmp_path.iterdir())) == 3


def _umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask
