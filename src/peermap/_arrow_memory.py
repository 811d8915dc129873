"""Arrow memory that goes back to the system as soon as a read has let go of it.

Reading a dataset parses every file with pyarrow and builds its columns in Arrow memory,
then lets most of that go (the text once it is typed, each table's parser state once it
is checked). pyarrow's default allocator on Linux (mimalloc) keeps freed pages for later,
so the process's peak holds memory that is already free: about 100 MB of a 1.5-million-row
read (``benchmarks/bench_read.py``). :func:`returning_memory` makes the read allocate from
pyarrow's jemalloc pool with a decay time of 0, which returns freed pages at once; the
arrays keep their pool after the read. Where the installed pyarrow has no jemalloc (its
Windows builds), nothing changes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa

__all__ = ["returning_memory"]


class _Switch:
    """How many blocks are open, and the pool to give back when the last one ends."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.previous: pa.MemoryPool | None = None


_SWITCH = _Switch()


def _jemalloc() -> pa.MemoryPool | None:
    try:
        pool = pa.jemalloc_memory_pool()
        pa.jemalloc_set_decay_ms(0)
    except (NotImplementedError, pa.ArrowNotImplementedError, AttributeError):
        return None
    return pool


@contextmanager
def returning_memory() -> Iterator[None]:
    """Allocate Arrow memory, within the block, from a pool that frees at once.

    Nested and concurrent blocks share one switch: the default pool is set when the
    first block starts and given back when the last one ends.
    """
    switch = _SWITCH
    with switch.lock:
        if switch.depth == 0:
            pool = _jemalloc()
            if pool is not None:
                switch.previous = pa.default_memory_pool()
                pa.set_memory_pool(pool)
        switch.depth += 1
    try:
        yield
    finally:
        with switch.lock:
            switch.depth -= 1
            if switch.depth == 0 and switch.previous is not None:
                pa.set_memory_pool(switch.previous)
                switch.previous = None
