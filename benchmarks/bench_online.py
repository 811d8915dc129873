"""Benchmark: are planted online contexts found and ranked? (issue 24).

Scenarios of ``peermap.synthetic.scenario(..., online_spaces=True)`` on the demo region
(and London, the 33 boroughs of the 2013 ONS file, when ``../shared/boundaries`` holds
it), several seeds. Each plants a group chat recruiting across three authorities and a
year group's chat with image sharing (``peermap.synthetic.online``). For each it prints:

- the rank of each planted chat in ``peermap.online_spaces`` (1 = first);
- the rank of the context holding it in ``peermap.contexts``, that context's reach
  (the recruiting chat should be ``distant``: its authorities include one that does not
  border the host), and the Jaccard overlap of its young people with the planted ones;
- the mean time of ``contexts`` and ``online_spaces``.

Run (from the repository root): ``python benchmarks/bench_online.py [--seeds 5]
[--people 2000] [--regions demo,london]``. About a minute for the defaults on two cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings
from pathlib import Path

import geopandas as gpd

import peermap
from peermap.synthetic import scenario


def _regions(names: list[str]) -> dict[str, gpd.GeoDataFrame]:
    out: dict[str, gpd.GeoDataFrame] = {}
    shared = Path(os.environ.get("PEERMAP_SHARED_BOUNDARIES", "../shared/boundaries"))
    for name in names:
        if name == "demo":
            out[name] = peermap.demo_boundaries()
        elif name == "london":
            files = sorted(shared.glob("*2013*"))
            if not files:
                print(f"london: no 2013 boundary file under {shared}; skipped")
                continue
            bounds = peermap.load_boundaries(files[0])
            out[name] = bounds[bounds["code"].str.startswith("E09")].reset_index(drop=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--regions", default="demo,london")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print(
        f"{'region':8} {'seed':>4} {'chat':>14} {'space rank':>10} {'context rank':>12} "
        f"{'reach':>10} {'jaccard':>7}"
    )
    found: dict[str, list[int]] = {"recruitment": [], "image_sharing": []}
    distant, times_c, times_o = 0, [], []
    for region, bounds in _regions(args.regions.split(",")).items():
        for seed in range(args.seeds):
            sc = scenario(bounds, n_people=args.people, seed=seed, online_spaces=True)
            ds = sc.dataset
            t0 = time.perf_counter()
            spaces = peermap.online_spaces(ds)
            t1 = time.perf_counter()
            ctx = peermap.contexts(ds)
            t2 = time.perf_counter()
            times_o.append(t1 - t0)
            times_c.append(t2 - t1)
            for truth in sc.truth.online:
                space_rank = int(spaces.set_index("place_id").loc[truth.place_id, "rank"])
                holding = ctx[ctx["places"].map(lambda p, t=truth: t.place_id in p)]
                if len(holding):
                    i = int(holding.index[0])
                    people = set(holding.iloc[0]["people"])
                    planted = set(truth.people)
                    jaccard = len(people & planted) / len(people | planted)
                    rank, reach = i + 1, str(holding.iloc[0]["reach"])
                else:
                    rank, reach, jaccard = 0, "-", 0.0
                found[truth.kind].append(rank)
                distant += truth.kind == "recruitment" and reach == "distant"
                print(
                    f"{region:8} {seed:>4} {truth.kind:>14} {space_rank:>10} {rank:>12} "
                    f"{reach:>10} {jaccard:>7.2f}"
                )
    for kind, ranks in found.items():
        if ranks:
            mrr = statistics.mean(1 / r if r else 0.0 for r in ranks)
            top10 = sum(0 < r <= 10 for r in ranks) / len(ranks)
            print(f"{kind}: context MRR {mrr:.2f}, in the top 10 in {top10:.0%} of scenarios")
    n = len(found["recruitment"])
    if n:
        print(f"recruiting chats classified distant: {distant}/{n}")
    if times_c:
        print(
            f"mean time: contexts {statistics.mean(times_c):.2f} s, "
            f"online_spaces {statistics.mean(times_o):.2f} s"
        )


if __name__ == "__main__":
    main()
