"""Benchmark: the dask engine at national scale (issue 9).

10,000,000 sightings over the 296 local authorities of the real 2024 England file
(``ons_lad_2024_england_buc.geojson`` in ``../shared/boundaries``), 1,000,000 young people
and 100,000 places, on a 2-worker ``LocalCluster`` with 2 GB per worker: sightings are
read and validated from Parquet files (one partition each), places assigned on dask,
then sighting flows and hotspots aggregated on dask. The same steps run in memory on
1,000,000 sightings; the ratio of the two times shows how the work scales (10 times
the data). Peak memory of each worker process is its ``VmHWM`` (Linux), read on the
workers.

Data generation and the people/places tables (read in memory) are set-up, not timed.

Run: ``python benchmarks/bench_dask.py [--sightings 10000000] [--baseline 1000000]``
"""

from __future__ import annotations

import argparse
import atexit
import resource
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

import peermap
from peermap import dask_engine
from peermap.schema import CONTEXTS, PLACE_KINDS, RELIABILITIES, SOURCES

SHARED = Path(__file__).resolve().parents[2] / "shared" / "boundaries"
LAD_2024 = SHARED / "ons_lad_2024_england_buc.geojson"
FILE_ROWS = 250_000


def make_tables(
    england: gpd.GeoDataFrame, n_people: int, n_places: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """People homed across the authorities, places at random points on land."""
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = england.total_bounds
    found: list[gpd.GeoDataFrame] = []
    total = 0
    while total < n_places:
        pts = gpd.GeoDataFrame(
            geometry=gpd.points_from_xy(
                rng.uniform(xmin, xmax, n_places), rng.uniform(ymin, ymax, n_places)
            ),
            crs=england.crs,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", peermap.PeermapWarning)
            done = peermap.assign_authorities(pts, england, tolerance_m=0)
        land = done[done["assignment"] == "within"]
        found.append(land)
        total += len(land)
    land = pd.concat(found).iloc[:n_places].reset_index(drop=True)
    places = pd.DataFrame(
        {
            "place_id": [f"pl-{i:06d}" for i in range(n_places)],
            "kind": rng.choice(list(PLACE_KINDS), n_places),
            "easting": land.geometry.x.round(1),
            "northing": land.geometry.y.round(1),
        }
    )
    codes = england["code"].to_numpy()
    people = pd.DataFrame(
        {
            "person_id": [f"yp-{i:07d}" for i in range(n_people)],
            "home_authority": rng.choice(codes, n_people),
            "age": rng.integers(10, 19, n_people),
        }
    )
    return people, places.assign(authority=land["authority_code"].to_numpy())


def write_sightings(
    folder: Path,
    people: pd.DataFrame,
    places: pd.DataFrame,
    n: int,
    seed: int,
) -> list[Path]:
    """Parquet files of ``FILE_ROWS`` sightings; 80% at places in the home authority."""
    rng = np.random.default_rng(seed + 1)
    # Places sorted by authority: each authority's places are one run of the array.
    auth = places["authority"].to_numpy(dtype=object)
    order = np.argsort(auth, kind="stable")
    codes, first, count = np.unique(auth[order], return_index=True, return_counts=True)
    lookup = pd.Series(np.arange(len(codes)), index=codes)
    home_pos = lookup.reindex(people["home_authority"].to_numpy()).to_numpy()
    pids = people["person_id"].to_numpy()
    place_ids = places["place_id"].to_numpy()
    days = pd.date_range("2023-01-01", "2024-12-31").strftime("%Y-%m-%d").to_numpy()
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for start in range(0, n, FILE_ROWS):
        size = min(FILE_ROWS, n - start)
        who = rng.integers(0, len(pids), size)
        where = rng.integers(0, len(place_ids), size)
        pos = home_pos[who]
        local = (rng.random(size) < 0.8) & ~np.isnan(pos)
        k = pos[local].astype(np.int64)
        pick = first[k] + (rng.random(local.sum()) * count[k]).astype(np.int64)
        where[local] = order[pick]
        frame = pd.DataFrame(
            {
                "person_id": pids[who],
                "place_id": place_ids[where],
                "date": rng.choice(days, size),
                "context": rng.choice(list(CONTEXTS), size),
                "source": rng.choice(list(SOURCES), size),
                "reliability": rng.choice(list(RELIABILITIES), size),
            }
        ).drop_duplicates()
        path = folder / f"sightings-{start // FILE_ROWS:04d}.parquet"
        frame.to_parquet(path, index=False)
        files.append(path)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sightings", type=int, default=10_000_000)
    parser.add_argument("--baseline", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--places", type=int, default=100_000)
    parser.add_argument("--memory-limit", default="2GB")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not LAD_2024.is_file():
        print(f"needs the real ONS boundaries: {LAD_2024} not found", file=sys.stderr)
        return 2
    from dask.distributed import Client, LocalCluster

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        # This BUC file has names but no codes: peermap derives stable codes and says so.
        warnings.simplefilter("ignore", peermap.PeermapWarning)
        england = peermap.load_boundaries(LAD_2024)
    people, places = make_tables(england, args.people, args.places, args.seed)
    ds = peermap.read_dataset(
        {"people": people, "places": places.drop(columns="authority")}, boundaries=england
    )
    work = Path(tempfile.mkdtemp(prefix="peermap-bench-dask-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)  # about 150 MB of Parquet
    big = write_sightings(work / "big", people, places, args.sightings, args.seed)
    small = write_sightings(work / "small", people, places, args.baseline, args.seed)
    print(
        f"set-up: {len(england)} authorities, {len(people):,} people, {len(places):,} places, "
        f"{len(big)} + {len(small)} Parquet files in {time.perf_counter() - t0:.0f} s\n"
    )

    # In memory, on the baseline: one process, the core functions.
    start = time.perf_counter()
    sightings = pd.concat([pd.read_parquet(f) for f in small], ignore_index=True)
    tables = {
        "people": people,
        "places": places.drop(columns="authority"),
        "sightings": sightings,
    }
    full = peermap.read_dataset(tables, boundaries=england, strict=False)
    t_read = time.perf_counter() - start
    flows_mem = peermap.flows(full, kind="sightings")
    hot_mem = peermap.hotspots(full)
    t_mem = time.perf_counter() - start
    print(
        f"in memory, {len(full.sightings):,} sightings: read+validate {t_read:.1f} s, "
        f"total {t_mem:.1f} s"
    )

    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        memory_limit=args.memory_limit,
        scheduler_port=0,
        dashboard_address=":0",  # no fixed port
    )
    with Client(cluster) as client:
        # The same baseline on dask: the answers must be the same.
        table, _ = dask_engine.read_sightings(small, ds, strict=False)
        flows_small = dask_engine.sighting_flows(ds, table)
        pd.testing.assert_frame_equal(flows_small, flows_mem)
        hot_small = dask_engine.hotspots(ds, table)
        pd.testing.assert_frame_equal(pd.DataFrame(hot_small), pd.DataFrame(hot_mem))
        print("dask on the baseline: flows and hotspots equal the in-memory tables")
        client.restart()  # measure the big run's peak memory from fresh workers

        steps: dict[str, float] = {}
        start = time.perf_counter()
        # Random rows can repeat across files; the reader sets such copies aside.
        table, report = dask_engine.read_sightings(big, ds, strict=False)
        steps["read + validate"] = time.perf_counter() - start
        mark = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", peermap.PeermapWarning)
            assigned = dask_engine.assign_authorities(ds.places, england, npartitions=8).compute()
        steps["assign places"] = time.perf_counter() - mark
        mark = time.perf_counter()
        flows = dask_engine.sighting_flows(ds, table)
        steps["sighting flows"] = time.perf_counter() - mark
        mark = time.perf_counter()
        hot = dask_engine.hotspots(ds, table)
        steps["hotspots"] = time.perf_counter() - mark
        t_dask = time.perf_counter() - start
        peaks = client.run(peak_rss_kb)
    cluster.close()

    n_big = report.counts["sightings"]["accepted"]
    print(f"\n{report.counts['sightings']} (repeated random rows set aside)")
    print(f"\ndask, 2 workers x 1 thread, {args.memory_limit} each, {n_big:,} sightings:")
    for name, seconds in steps.items():
        print(f"  {name:<18} {seconds:7.1f} s")
    print(f"  {'total':<18} {t_dask:7.1f} s")
    ratio = t_dask / t_mem
    scale = n_big / len(full.sightings)
    print(
        f"\n  time ratio dask({n_big / 1e6:.1f}M) / in-memory({len(full.sightings) / 1e6:.1f}M) = "
        f"{ratio:.2f} for {scale:.1f}x the data (linear on one core: {scale:.1f}; "
        f"on two workers: {scale / 2:.1f})"
    )
    limit = peermap_bytes(args.memory_limit)
    for worker, kb in sorted(peaks.items()):
        print(
            f"  peak RSS {worker}: {kb / 1024**2:.2f} GB (limit {limit / 1e9:.1f} GB, "
            f"ratio {kb * 1024 / limit:.2f})"
        )
    print(
        f"  {len(flows):,} flow rows, {len(hot):,} places ranked, {len(assigned):,} places "
        f"assigned; client peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2:.2f}"
        " GB"
    )
    return 0


def peak_rss_kb() -> int:
    """Peak resident memory of this process since it started, in KiB.

    ``VmHWM`` is the high-water mark of the process's own address space. ``getrusage``'s
    ``ru_maxrss`` is not used: a worker is started by fork and exec from the client, and
    Linux carries the client's peak at that moment over into the worker's ``ru_maxrss``.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peermap_bytes(text: str) -> float:
    """Bytes in a dask memory limit such as ``2GB``."""
    from dask.utils import parse_bytes

    return float(parse_bytes(text))


if __name__ == "__main__":
    sys.exit(main())
