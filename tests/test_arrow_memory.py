"""Reading allocates Arrow memory from a pool that frees at once, and gives the default back."""

from __future__ import annotations

import threading
from pathlib import Path

import pyarrow as pa
import pytest

import peermap
from peermap._arrow_memory import returning_memory


def _has_jemalloc() -> bool:
    try:
        pa.jemalloc_memory_pool()
    except (NotImplementedError, pa.ArrowNotImplementedError):
        return False
    return True


def test_a_read_gives_the_default_pool_back(data_dir: Path) -> None:
    before = pa.default_memory_pool().backend_name
    ds = peermap.read_dataset(data_dir / "good")
    assert pa.default_memory_pool().backend_name == before
    # What was read in the block stays readable after it.
    assert ds.sightings["person_id"].astype(str).str.len().gt(0).all()
    with pytest.raises(peermap.ValidationError):
        peermap.read_dataset(data_dir / "bad")
    assert pa.default_memory_pool().backend_name == before


@pytest.mark.skipif(not _has_jemalloc(), reason="this pyarrow has no jemalloc pool")
def test_nested_and_concurrent_blocks_share_one_switch() -> None:
    before = pa.default_memory_pool().backend_name
    inside: list[str] = []
    started, release = threading.Event(), threading.Event()

    def other() -> None:
        with returning_memory():
            started.set()
            release.wait(10)
            inside.append(pa.default_memory_pool().backend_name)

    with returning_memory():
        assert pa.default_memory_pool().backend_name == "jemalloc"
        with returning_memory():
            pass
        assert pa.default_memory_pool().backend_name == "jemalloc"  # the outer block holds
        thread = threading.Thread(target=other)
        thread.start()
        started.wait(10)
    # The first block ended while the thread's is open: still switched for it.
    assert pa.default_memory_pool().backend_name == "jemalloc"
    release.set()
    thread.join(10)
    assert inside == ["jemalloc"]
    assert pa.default_memory_pool().backend_name == before
