"""A regional analyst: a year of monthly sightings exports, read and aggregated on dask.

1. A synthetic partnership dataset on peermap's fictional demo region (no real data);
   its sightings are written as twelve monthly Parquet exports, as a case system
   produces them, and one month gets a row that refers to nobody.
2. A dask cluster: a ``LocalCluster`` of two worker processes here. Point ``Client`` at
   a scheduler's address (``Client("tcp://scheduler:8786")``) to use a real cluster.
3. Each month is read and validated on a worker; the bad row is set aside with its file
   and row. Flows and hotspots are aggregated on the workers, and are the same tables as
   the in-memory engine's.

Run: ``python examples/regional_dask.py [OUTPUT_FOLDER]`` (needs ``pip install 'peermap[dask]'``)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd
from dask.distributed import Client, LocalCluster

import peermap
from peermap import dask_engine
from peermap.synthetic import scenario


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="peermap-"))
    ds = scenario(peermap.demo_boundaries(), n_people=1500, seed=5).dataset
    monthly = out / "sightings"
    monthly.mkdir(parents=True, exist_ok=True)
    months = ds.sightings["date"].dt.strftime("%Y-%m")
    bad = ds.sightings.index[months == months.min()][0]
    for month, rows in ds.sightings.groupby(months):
        rows = rows.copy()
        if bad in rows.index:
            rows.loc[bad, "person_id"] = "yp-999999"  # refers to nobody
        rows.to_parquet(monthly / f"{month}.parquet", index=False)
    print(f"{len(list(monthly.iterdir()))} monthly files, {len(ds.sightings):,} sightings")

    # Port 0 everywhere: the scheduler and its dashboard take free ports, so the example
    # runs beside another cluster or anything else on dask's usual 8786/8787.
    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        memory_limit="1GB",
        scheduler_port=0,
        dashboard_address=":0",
    )
    with Client(cluster):
        table, report = dask_engine.read_sightings(monthly, ds, strict=False)
        print(f"read on {table.npartitions} partitions: {report.counts['sightings']}")
        for problem in report.errors:
            print(f"  set aside: {Path(problem.file).name} row {problem.row}: {problem.message}")
        flows = dask_engine.sighting_flows(ds, table)
        hot = dask_engine.hotspots(ds, table)
    cluster.close()

    # The in-memory engine on the rows accepted gives the same tables.
    kept = ds.replace(sightings=ds.sightings.drop(index=bad))
    same = flows.equals(peermap.flows(kept, kind="sightings")) and pd.DataFrame(hot).equals(
        pd.DataFrame(peermap.hotspots(kept))
    )
    print(f"same tables as in memory: {same}")
    cross = flows[~flows["within"]].head(3)
    print("largest flows across authorities (young people):")
    for row in cross.itertuples():
        print(f"  {row.origin} -> {row.destination}: {row.people}")
    top = hot.iloc[0]
    print(f"top venue: {top['place_id']} ({top['kind']}), {top['home_authorities']} authorities")


if __name__ == "__main__":
    main()
