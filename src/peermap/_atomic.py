"""Atomic, private writes: a file appears whole or not at all, and no copy outlives a write.

:func:`atomic_path` yields a path in a private staging folder beside the destination
(``.<name>.<random>.part/<name>``: the folder ``0700``, the file ``0600``) and moves the
file into place only when the write succeeded. On any exception, ``KeyboardInterrupt``
included, the staging folder is removed. A process killed outright (``SIGKILL``, power
loss) cannot clean up, so every write -- and every package read
(:func:`peermap.exchange.read_package`) -- first removes the staging folders that
killed writes left in the destination's folder: a live write holds a lock on its
folder (``flock``, released by the system when the process dies), so only abandoned
ones are removed. Where ``flock`` does not exist (Windows), staging folders older than
an hour are removed instead.

:func:`private_umask` makes files that a library creates itself (GDAL deletes and
re-creates its output) private too.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "atomic_path",
    "clean_leftovers",
    "destination_of",
    "private_umask",
    "write_text_atomic",
]

#: Suffix of a staging folder while its write is under way (locked).
STAGING_SUFFIX = ".part"
_FRESH_SUFFIX = ".new"
_STAGING = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]{8}(?P<suffix>\.part|\.new)$")
#: Files SQLite (GDAL's GeoPackage writer) may leave beside a database.
_SIDECARS = ("", "-journal", "-wal", "-shm")
#: Without flock, a staging folder this old (seconds) is taken as abandoned.
_ABANDONED_AFTER = 3600.0
#: A folder still named .new (before its lock is taken) this old is abandoned.
_FRESH_AFTER = 60.0

_umask_lock = threading.RLock()
_umask_depth = 0
_umask_saved = 0o022


def current_umask() -> int:
    """Return the process's umask without changing it where the system allows.

    Returns
    -------
    int
        The umask bits.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _umask_lock:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask


@contextmanager
def private_umask() -> Iterator[None]:
    """Within the block, files and folders the process creates are private (umask 077).

    The umask is process-wide: other threads creating files meanwhile get private ones
    too (never less private). Nested and concurrent uses restore the umask once, when
    the last one ends.

    Yields
    ------
    None
    """
    global _umask_depth, _umask_saved
    with _umask_lock:
        if _umask_depth == 0:
            _umask_saved = os.umask(0o077)
        else:
            os.umask(_umask_saved | 0o077)
        _umask_depth += 1
    try:
        yield
    finally:
        with _umask_lock:
            _umask_depth -= 1
            if _umask_depth == 0:
                os.umask(_umask_saved)


def destination_of(path: str | os.PathLike[str]) -> Path:
    """Return the file a path of :func:`atomic_path`'s staging folder is written for.

    Parameters
    ----------
    path : path
        A staging folder (``.<name>.<random>.part``), a file in one, or any other path.

    Returns
    -------
    pathlib.Path
        ``<folder>/<name>`` for a staging path, so that a message names the file the
        user asked for; any other path unchanged.
    """
    given = Path(path)
    for folder in (given, given.parent):
        match = _STAGING.match(folder.name)
        if match is not None:
            return folder.parent / match["name"]
    return given


def _try_lock(fd: int) -> bool:
    """Take the folder's lock without waiting; False when another process holds it."""
    if fcntl is None:  # pragma: no cover - Windows
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _is_staging(entry: Path, name: str) -> bool:
    """Whether a folder holds only what a write to ``name`` puts there."""
    allowed = {name + s for s in _SIDECARS}
    try:
        return all(child.name in allowed and not child.is_dir() for child in entry.iterdir())
    except OSError:
        return False


def clean_leftovers(folder: str | os.PathLike[str]) -> int:
    """Remove the staging folders that interrupted writes left in ``folder``.

    Only peermap's own staging folders (``.<name>.<random>.part`` holding ``<name>``),
    owned by this user, whose write is no longer running, are removed. Errors (a
    read-only folder, a folder another process just removed) are ignored.

    Parameters
    ----------
    folder : path
        The folder of a file about to be written or read.

    Returns
    -------
    int
        How many staging folders were removed.
    """
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    now = time.time()
    for entry in entries:
        match = _STAGING.match(entry.name)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode):
            continue
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            continue
        path = Path(entry.path)
        if not _is_staging(path, match["name"]):
            continue
        age = now - info.st_mtime
        if match["suffix"] == _FRESH_SUFFIX and age < _FRESH_AFTER:
            continue  # its writer may be about to lock it
        if fcntl is None and age < _ABANDONED_AFTER:  # pragma: no cover - Windows
            continue
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            if _try_lock(fd):
                shutil.rmtree(path, ignore_errors=True)
                removed += not path.exists()
        finally:
            os.close(fd)
    return removed


#: Space left below which a failed write is taken to have found the disk full.
_FULL_BELOW = 1 << 20


#: The libraries that write files in their own words (GDAL through pyogrio, SQLite).
_WRITERS = frozenset({"pyogrio", "sqlite3", "_sqlite3", "osgeo", "fiona"})


def _library_disk_full(exc: BaseException, folder: Path) -> bool:
    """Whether a file library's error (not Python's, nor peermap's) is a full disk.

    SQLite says "database or disk is full"; GDAL wraps it, or says only that a statement
    failed, after its journal is gone: then the space left on the disk says it.
    """
    if isinstance(exc, OSError) or type(exc).__module__.split(".")[0] not in _WRITERS:
        return False
    if "disk is full" in str(exc) or "No space left" in str(exc):
        return True
    try:
        return shutil.disk_usage(folder).free < _FULL_BELOW
    except OSError:
        return False


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a private temporary path for ``path``; move it into place only on success.

    An interrupted or failed write leaves the old file (or none), never half a file,
    and no copy: the staging folder is removed on any exception, and a write killed
    outright is cleaned up by the next write or read in the same folder (see the
    module docstring).

    Parameters
    ----------
    path : path
        The final destination.

    Yields
    ------
    pathlib.Path
        Where to write: a file named like the destination (GDAL picks drivers by
        name), created empty with mode ``0600`` in a ``0700`` folder.
    """
    final = Path(path)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(final.parent)
        fresh = Path(
            tempfile.mkdtemp(prefix=f".{final.name}.", suffix=_FRESH_SUFFIX, dir=final.parent)
        )
    except OSError as exc:
        # Said of the file asked for: the private folder beside it is not the user's.
        said = type(exc)(f"cannot write {final}: {exc.strerror or exc}")
        said.errno = exc.errno
        raise said from exc
    staging = fresh
    fd = -1
    try:
        fd = os.open(fresh, os.O_RDONLY)
        _try_lock(fd)
        staging = fresh.with_name(fresh.name[: -len(_FRESH_SUFFIX)] + STAGING_SUFFIX)
        os.rename(fresh, staging)
        tmp = staging / final.name
        os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        try:
            yield tmp
        except Exception as exc:
            # A writer that is not Python's (GDAL's SQLite) says a full disk in its own
            # words ("sqlite3_exec(INSERT ...) failed"): said as the system says it.
            if _library_disk_full(exc, staging):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(final)) from exc
            raise
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        # The file is private while written; give it the permissions any new file would
        # get (the user's umask), keeping an existing file's mode.
        mode = final.stat().st_mode & 0o777 if final.exists() else 0o666 & ~current_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8).

    Parameters
    ----------
    path : path
        The destination.
    text : str
        The content.
    """
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
