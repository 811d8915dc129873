"""Benchmark: does peermap rank planted exploitation first? (issue 15, item 4).

Scenarios of ``peermap.synthetic.scenario`` on the demo region, London (the 33 boroughs
of the 2013 ONS file) and England (the 2024 file), at 2,000 / 10,000 / 50,000 young
people and 5 seeds, each clean and under noise:

- ``drop``: 30% of sightings dropped at random;
- ``spurious``: 10% more ties, between random young people (unique new pairs; kinds,
  sources, reliabilities and dates drawn from the existing ties);
- ``downgrade``: every tie and sighting one grade less reliable (confirmed ->
  corroborated -> reported -> unverified);
- ``all``: the three together;
- ``corroborated``: the clean data read with ``min_reliability="corroborated"`` (a
  variant, not noise).

For each, side by side, peermap and the baselines:

- contexts: ``peermap.contexts``; plain Louvain and Leiden (modularity) communities of
  the peer graph of ties, ordered by exploiter ties inside, then serious sightings;
- venues: ``peermap.hotspots``; places by distinct young people, by serious records
  (cse, cce, serious youth violence, harmful sexual behaviour, image sharing), by cse + cce
  records.

It prints trap-house MRR and recall@5 (contexts and venues), membership Jaccard, county
lines classified ``distant`` and their rank, the best rank of a decoy (if the scenario
plants any), the mean time of each call, the top-10 agreement of ``contexts`` across
algorithm seeds, and at the end each target of the issue with PASS or FAIL. A held-out
scenario written independently of the package (``benchmarks/_heldout.py``) runs on the
demo region and London as a row of its own; ``--heldout-b`` adds a second one, written
later by another hand without reading the package's ranking, its generator or the first
(``benchmarks/_heldout_b.py``); ``--heldout-c`` a third (``benchmarks/_heldout_c.py``,
session 19), written from the schema and the domain notes only, its first figures
measured before any change to the ranking; ``--heldout-d`` a fourth
(``benchmarks/_heldout_d.py``), written the same way by yet another hand.
``--heldout-e`` a fifth (``benchmarks/_heldout_e.py``, session 25), again by another hand
from the schema and the domain notes only; ``--heldout-f`` a sixth
(``benchmarks/_heldout_f.py``, session 27), the same way; ``--heldout-g`` a seventh
(``benchmarks/_heldout_g.py``, session 29), the same way, its hubs of designs the others
lack. ``--only a,b,c,d,e,f,g,generator`` runs only those. The held-out worlds run on the
demo region and London among ``--regions``; ``--heldout-regions england`` (or any of
demo, london, england) runs them there instead (session 28: on all of England, where a
city's county line draws its runners from several boroughs).

A trap house (or county line) is *found* by the first context, in the table's order,
whose places hold its place or whose people hold at least half of its planted people
(communities of the baselines: people only); its rank is that row's position.

Run (from the repository root):
``python benchmarks/bench_ranking.py [--quick] [--regions demo,london,england]
[--sizes 2000,10000,50000] [--seeds 5] [--noise clean,drop,...] [--stability-seeds 3]``.
Time goes mostly to ``contexts()`` (six settings plus k algorithm seeds per scenario):
with it at about 50 s for 50,000 young people on two cores, the full grid takes two to
three hours; ``--quick`` (demo and London, 2,000 young people, 2 seeds) about three
minutes. ``--stability-seeds 0`` skips the seed comparison.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from _heldout import heldout_scenario
from _ranking_metrics import (
    RELIABILITY,
    ContextIndex,
    at_least,
    community_table,
    filtered_ranks,
    jaccard,
    mrr,
    rank_venues,
    recall_at,
    top_k_agreement,
    venue_rank,
)
from _regions import LAD_2024, england
from _regions import london as london_boundaries

import peermap
from peermap.synthetic import scenario

#: The held-out worlds after the first (``benchmarks/_heldout.py``): source name ->
#: (module, function), each ``function(boundaries, *, n_people, seed)`` returning the
#: dataset and its truth. Imported when run.
HELD_OUT: dict[str, tuple[str, str]] = {
    "held-out B": ("_heldout_b", "heldout_b_scenario"),
    "held-out C": ("_heldout_c", "heldout_c_scenario"),
    "held-out D": ("_heldout_d", "heldout_d_scenario"),
    "held-out E": ("_heldout_e", "heldout_e_scenario"),
    "held-out F": ("_heldout_f", "heldout_f_scenario"),
    "held-out G": ("_heldout_g", "heldout_g_scenario"),
}

NOISES = ("clean", "drop", "spurious", "downgrade", "all", "corroborated")
NOISE_TARGETS = ("drop", "spurious", "downgrade", "all")
CONTEXT_COLUMNS = ("context_id", "people", "places", "reach")
HOTSPOT_COLUMNS = ("place_id", "rank")
NEW_COLUMNS = ("concern", "reasons", "stability")
CONTEXT_METHODS = ("ctx peermap", "ctx louvain", "ctx leiden")
VENUE_METHODS = ("venue peermap", "venue people", "venue serious", "venue cse+cce")
VENUE_BY = {"venue people": "people", "venue serious": "serious", "venue cse+cce": "exploitation"}


# -- noise ------------------------------------------------------------------------------


def drop_sightings(ds: peermap.Dataset, share: float, rng: np.random.Generator) -> peermap.Dataset:
    """Drop ``share`` of the sightings at random."""
    n = len(ds.sightings)
    keep = np.sort(rng.choice(n, n - round(share * n), replace=False))
    return ds.replace(sightings=ds.sightings.iloc[keep].reset_index(drop=True))


def add_spurious_ties(
    ds: peermap.Dataset, share: float, rng: np.random.Generator
) -> peermap.Dataset:
    """Add ``share`` x ties between random pairs of young people not tied already.

    Kinds, sources and reliabilities are drawn from the existing ties (so the mix is
    kept, exploiter ties included); ``first_seen`` from the existing dates and
    ``last_seen`` as ``first_seen`` plus the span of another existing tie (or missing
    like it), never after the latest date in the table.
    """
    ties = ds.ties
    n_new = round(share * len(ties))
    ids = ds.people["person_id"].astype(str).to_numpy()
    index = pd.Index(ids)
    a = index.get_indexer(ties["person_a"].astype(str))
    b = index.get_indexer(ties["person_b"].astype(str))
    seen = set((np.minimum(a, b).astype(np.int64) * len(ids) + np.maximum(a, b)).tolist())
    pairs: list[tuple[int, int]] = []
    while len(pairs) < n_new:
        x = rng.integers(0, len(ids), 2 * (n_new - len(pairs)) + 16)
        y = rng.integers(0, len(ids), len(x))
        for i, j in zip(x.tolist(), y.tolist(), strict=True):
            key = min(i, j) * len(ids) + max(i, j)
            if i == j or key in seen:
                continue
            seen.add(key)
            pairs.append((i, j))
            if len(pairs) == n_new:
                break
    donor = rng.integers(0, len(ties), (4, n_new))
    first = ties["first_seen"].to_numpy()[donor[0]]
    span = (ties["last_seen"] - ties["first_seen"]).to_numpy()[donor[1]]
    latest = max(ties["last_seen"].max(), ties["first_seen"].max())
    last = pd.Series(first + span).clip(upper=latest)
    last = last.where(last.isna() | (last >= pd.Series(first)), pd.Series(first))
    new = pd.DataFrame(
        {
            "person_a": ids[[p[0] for p in pairs]],
            "person_b": ids[[p[1] for p in pairs]],
            "kind": ties["kind"].to_numpy()[donor[2]],
            "first_seen": first,
            "last_seen": last.to_numpy(),
            "source": ties["source"].to_numpy()[donor[3]],
            "reliability": ties["reliability"].to_numpy()[rng.integers(0, len(ties), n_new)],
        }
    )
    for column in ties.columns:
        if column not in new.columns:
            new[column] = pd.NA
    new = new[list(ties.columns)].astype(ties.dtypes.to_dict())
    return ds.replace(ties=pd.concat([ties, new], ignore_index=True))


def _downgraded(frame: pd.DataFrame) -> pd.DataFrame:
    step = dict(zip(RELIABILITY[1:], RELIABILITY[:-1], strict=True))
    step[RELIABILITY[0]] = RELIABILITY[0]
    out = frame.copy()
    values = frame["reliability"].astype(object).map(step)
    out["reliability"] = pd.Categorical(values, dtype=frame["reliability"].dtype)
    return out


def downgrade(ds: peermap.Dataset) -> peermap.Dataset:
    """Every tie and sighting one grade less reliable (unverified stays unverified)."""
    return ds.replace(ties=_downgraded(ds.ties), sightings=_downgraded(ds.sightings))


def with_noise(ds: peermap.Dataset, noise: str, seed: int) -> tuple[peermap.Dataset, str]:
    """The dataset under one noise setting, and the ``min_reliability`` to read it with."""
    rng = np.random.default_rng([seed, NOISES.index(noise), 15])
    if noise in ("drop", "all"):
        ds = drop_sightings(ds, 0.30, rng)
    if noise in ("spurious", "all"):
        ds = add_spurious_ties(ds, 0.10, rng)
    if noise in ("downgrade", "all"):
        ds = downgrade(ds)
    return ds, ("corroborated" if noise == "corroborated" else "unverified")


# -- one dataset, every method -----------------------------------------------------------


@dataclass
class Results:
    """Everything measured, one row per planted item per method (and per call)."""

    items: list[dict[str, Any]] = field(default_factory=list)
    times: list[dict[str, Any]] = field(default_factory=list)
    stability: list[dict[str, Any]] = field(default_factory=list)
    notes: set[str] = field(default_factory=set)

    def frame(self, name: str) -> pd.DataFrame:
        return pd.DataFrame(getattr(self, name))


def _timed(func: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = func()
    return out, time.perf_counter() - start


def _require(table: pd.DataFrame, columns: Iterable[str], call: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise SystemExit(
            f"error: {call} returned no column(s) {', '.join(missing)}; this benchmark needs "
            f"them (issue 15). Columns returned: {', '.join(map(str, table.columns))}"
        )


def _planted(truth: Any) -> list[tuple[str, Any]]:
    out = [("th", t) for t in truth.trap_houses] + [("cl", c) for c in truth.county_lines]
    out += [("decoy", d) for d in getattr(truth, "decoys", ()) or ()]
    return out


def _members(item: Any) -> tuple[set[str], set[str]]:
    people = {str(p) for p in getattr(item, "people", ()) or ()}
    return people, people | {str(p) for p in getattr(item, "exploiters", ()) or ()}


def _with_filtered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add ``frank``: the rank with the other planted trap houses and county lines above
    not counted (decoys are not planted exploitation: they stay in the count)."""
    planted = [i for i, row in enumerate(rows) if row["kind"] in ("th", "cl")]
    franks = filtered_ranks([rows[i]["rank"] for i in planted])
    for row in rows:
        row["frank"] = row["rank"]
    for i, frank in zip(planted, franks, strict=True):
        rows[i]["frank"] = frank
    return rows


def evaluate(
    ds: peermap.Dataset,
    truth: Any,
    *,
    noise: str,
    min_reliability: str,
    key: dict[str, Any],
    results: Results,
    stability_seeds: int,
) -> None:
    """Run every method on one dataset and record ranks, Jaccard and times."""
    planted = _planted(truth)

    def record_contexts(method: str, table: pd.DataFrame, use_places: bool) -> None:
        index = ContextIndex(table, use_places=use_places)
        rows = []
        for kind, item in planted:
            people, members = _members(item)
            place = getattr(item, "place_id", None)
            found = index.find(people, str(place) if place is not None else None)
            rows.append(
                {
                    **key,
                    "method": method,
                    "kind": kind,
                    "rank": found.rank,
                    "jaccard": jaccard(found.people, members) if found.rank else 0.0,
                    "distant": (found.reach == "distant") if use_places else None,
                }
            )
        results.items += _with_filtered(rows)

    def record_venues(method: str, table: pd.DataFrame) -> None:
        rows = []
        for kind, item in planted:
            place = getattr(item, "place_id", None)
            rank = venue_rank(table, str(place)) if place is not None else None
            rows.append({**key, "method": method, "kind": kind, "rank": rank, "jaccard": None})
        results.items += _with_filtered(rows)

    def timing(method: str, seconds: float) -> None:
        results.times.append({**key, "method": method, "seconds": seconds})

    table, seconds = _timed(lambda: peermap.contexts(ds, min_reliability=min_reliability, seed=0))
    _require(table, CONTEXT_COLUMNS, "peermap.contexts()")
    for column in NEW_COLUMNS:
        if column not in table.columns:
            results.notes.add(
                f"contexts() has no `{column}` column yet"
                + (
                    "; contexts ranked in the order the table comes in"
                    if column == "concern"
                    else ""
                )
            )
    timing("ctx peermap", seconds)
    record_contexts("ctx peermap", table, use_places=True)

    if noise == "clean" and stability_seeds > 0:
        for other_seed in range(1, stability_seeds + 1):
            other = peermap.contexts(ds, min_reliability=min_reliability, seed=other_seed)
            matched, compared = top_k_agreement(table, other, k=10, threshold=0.5)
            anywhere, _ = top_k_agreement(table, other, k=10, k_other=len(other))
            results.stability.append(
                {
                    **key,
                    "other_seed": other_seed,
                    "matched": matched,
                    "anywhere": anywhere,
                    "compared": compared,
                }
            )
        if "stability" in table.columns:
            results.stability.append(
                {**key, "column_mean_top10": float(table["stability"].iloc[:10].mean())}
            )

    hot, seconds = _timed(lambda: peermap.hotspots(ds, min_reliability=min_reliability))
    _require(hot, HOTSPOT_COLUMNS, "peermap.hotspots()")
    for column in ("concern", "reasons"):
        if column not in hot.columns:
            results.notes.add(
                f"hotspots() has no `{column}` column yet"
                + ("; places ranked by its `rank` column" if column == "concern" else "")
            )
    timing("venue peermap", seconds)
    record_venues("venue peermap", hot)

    sightings = at_least(ds.sightings, min_reliability)
    ties = at_least(ds.ties, min_reliability)
    for method, by in VENUE_BY.items():
        ranked, seconds = _timed(lambda by=by: rank_venues(sightings, by))
        timing(method, seconds)
        record_venues(method, ranked)
    person_ids = ds.people["person_id"].astype(str).tolist()
    for algo in ("louvain", "leiden"):
        communities, seconds = _timed(
            lambda algo=algo: community_table(person_ids, ties, sightings, method=algo, seed=0)
        )
        timing(f"ctx {algo}", seconds)
        record_contexts(f"ctx {algo}", communities, use_places=False)


# -- printing ----------------------------------------------------------------------------


def _ratio(hits: int, n: int) -> str:
    return f"{hits}/{n}" if n else "-"


def _ranks_text(ranks: list[int | None]) -> str:
    shown = ["-" if r is None else str(r) for r in ranks]
    if not shown:
        return "-"
    if len(shown) > 6:
        found = [r for r in ranks if r is not None]
        med = f"{statistics.median(found):g}" if found else "-"
        return f"med {med}, {shown.count('-')} lost"
    return " ".join(shown)


def _num(value: float | None) -> str:
    return "-" if value is None or pd.isna(value) else f"{value:.2f}"


def _ranks(frame: pd.DataFrame, column: str = "rank") -> list[int | None]:
    return [None if pd.isna(r) else int(r) for r in frame[column]]


def _stability_line(stab: pd.DataFrame) -> str | None:
    if not len(stab) or "matched" not in stab.columns:
        return None
    pairs = stab.dropna(subset=["matched"])
    if not len(pairs):
        return None
    top = " ".join(f"{int(m)}" for m in pairs["matched"])
    anywhere = " ".join(f"{int(m)}" for m in pairs["anywhere"])
    line = (
        f"  stability: of seed 0's top 10, found again (Jaccard >= 0.5) in the top 10 of "
        f"seeds 1..k: {top}; anywhere: {anywhere}"
    )
    if "column_mean_top10" in stab.columns and stab["column_mean_top10"].notna().any():
        line += f"; `stability` column, top-10 mean {stab['column_mean_top10'].mean():.2f}"
    return line


def print_setting(title: str, items: pd.DataFrame, times: pd.DataFrame, stab: pd.DataFrame) -> None:
    """One compact table: a row per method, over the seeds of one setting."""
    print(f"\n{title}")
    header = (
        f"  {'method':<14} {'MRR':>5} {'fMRR':>5} {'R@5':>5} {'Jacc':>5} | "
        f"{'CL dist':>7} {'CL top10':>8}  {'CL ranks':<12} | {'decoy':>5} | {'s/call':>7}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for method in (*CONTEXT_METHODS, *VENUE_METHODS):
        rows = items[items["method"] == method]
        th, cl, dec = (rows[rows["kind"] == k] for k in ("th", "cl", "decoy"))
        th_ranks, cl_ranks = _ranks(th), _ranks(cl)
        jacc = _num(th["jaccard"].astype(float).mean()) if method.startswith("ctx") else "-"
        distant = (
            _ratio(int(cl["distant"].fillna(False).astype(bool).sum()), len(cl))
            if method == "ctx peermap"
            else "-"
        )
        top10 = _ratio(sum(r is not None and r <= 10 for r in cl_ranks), len(cl))
        found_dec = [r for r in _ranks(dec) if r is not None]
        decoy = str(min(found_dec)) if found_dec else "-"
        secs = times.loc[times["method"] == method, "seconds"].mean()
        print(
            f"  {method:<14} {_num(mrr(th_ranks)):>5} {_num(mrr(_ranks(th, 'frank'))):>5} "
            f"{_num(recall_at(th_ranks, 5)):>5} {jacc:>5} | {distant:>7} {top10:>8}  "
            f"{_ranks_text(cl_ranks):<12} | {decoy:>5} | {secs:7.3f}"
        )
    line = _stability_line(stab)
    if line:
        print(line)


@dataclass
class Target:
    """One target of the issue, measured."""

    name: str
    value: float | None
    goal: float
    detail: str = ""

    @property
    def verdict(self) -> str:
        if self.value is None or pd.isna(self.value):
            return "n/a"
        return "PASS" if self.value >= self.goal else "FAIL"

    def line(self) -> str:
        if self.verdict == "n/a":
            return f"  n/a   {self.name}: nothing measured"
        return (
            f"  {self.verdict:<5} {self.name}: {self.value:.3f} (target >= {self.goal:g})"
            f"{self.detail}"
        )


def _mrr_ceiling(th: pd.DataFrame) -> float:
    """The best MRR the rank as defined allows: a scenario's n trap houses at ranks 1..n."""
    per_scenario = th.groupby(["region", "size", "noise", "seed"], sort=False).size()
    values = [1.0 / k for n in per_scenario for k in range(1, n + 1)]
    return sum(values) / len(values) if values else float("nan")


def targets(items: pd.DataFrame, stab: pd.DataFrame) -> list[Target]:
    """The issue's targets, for peermap, over every region, size and seed in ``items``."""
    out: list[Target] = []
    ctx = items[items["method"] == "ctx peermap"]
    ven = items[items["method"] == "venue peermap"]
    clean_th = ctx[(ctx["noise"] == "clean") & (ctx["kind"] == "th")]
    ranks, franks = _ranks(clean_th), _ranks(clean_th, "frank")
    n = len(ranks)
    out.append(
        Target(
            "trap-house contexts MRR, rank as defined (clean)",
            mrr(ranks),
            0.9,
            f" [{n} trap houses; ceiling {_mrr_ceiling(clean_th):.3f} with several per scenario]",
        )
    )
    out.append(
        Target(
            "trap-house contexts MRR, filtered: other planted contexts above not counted (clean)",
            mrr(franks),
            0.9,
            f" [{n}]",
        )
    )
    out.append(
        Target(
            "trap-house contexts recall@5 (clean)",
            recall_at(ranks, 5),
            0.95,
            f" [{n}; filtered {recall_at(franks, 5):.3f}]",
        )
    )
    for noise in NOISE_TARGETS:
        sub = ctx[(ctx["noise"] == noise) & (ctx["kind"] == "th")]
        if len(sub):
            out.append(
                Target(
                    f"trap-house contexts recall@5 under noise `{noise}`",
                    recall_at(_ranks(sub), 5),
                    0.85,
                    f" [{len(sub)}; MRR {mrr(_ranks(sub)):.3f}, filtered "
                    f"{mrr(_ranks(sub, 'frank')):.3f}]",
                )
            )
    clean_ven = ven[(ven["noise"] == "clean") & (ven["kind"] == "th")]
    out.append(
        Target(
            "trap-house venues in the top 5 of hotspots() (clean)",
            recall_at(_ranks(clean_ven), 5),
            0.95,
            f" [{len(clean_ven)}; venue MRR {mrr(_ranks(clean_ven)):.3f}, filtered "
            f"{mrr(_ranks(clean_ven, 'frank')):.3f}]",
        )
    )
    clean_cl = ctx[(ctx["noise"] == "clean") & (ctx["kind"] == "cl")]
    if len(clean_cl):
        out.append(
            Target(
                "county lines classified `distant` (clean)",
                clean_cl["distant"].fillna(False).astype(bool).mean(),
                0.95,
                f" [{len(clean_cl)}]",
            )
        )
        out.append(
            Target(
                "county lines in the top 10 contexts (clean)",
                recall_at(_ranks(clean_cl), 10),
                0.9,
                f" [{len(clean_cl)}; ranks {_ranks_text(_ranks(clean_cl))}]",
            )
        )
    if len(stab) and "matched" in stab.columns:
        pairs = stab.dropna(subset=["matched"])
        if len(pairs):
            ok = ((pairs["matched"] >= 9) | (pairs["matched"] >= pairs["compared"])).mean()
            out.append(
                Target(
                    "top-10 contexts stable across algorithm seeds: share of comparisons with "
                    ">= 9 of 10 the same",
                    ok,
                    1.0,
                    f" [{len(pairs)} comparisons; mean {pairs['matched'].mean():.1f}/10, worst "
                    f"{int(pairs['matched'].min())}/10; found anywhere: mean "
                    f"{pairs['anywhere'].mean():.1f}/10]",
                )
            )
    return out


def print_summary(results: Results) -> int:
    """Print each target with PASS/FAIL; return the number of FAILs."""
    items, stab = results.frame("items"), results.frame("stability")
    fails = 0
    print("\n" + "=" * 100)
    print("SUMMARY (peermap against the targets of issue 15)")
    print("=" * 100)
    for note in sorted(results.notes):
        print(f"note: {note}")
    print(
        "MRR 'as defined' ranks a trap house by its row; with two or more trap houses per "
        "scenario it cannot reach 1 (the second is at best rank 2). 'filtered' does not count "
        "rows above that found another planted trap house or county line."
    )
    for source, label in (
        ("generator", "peermap.synthetic scenarios"),
        ("held-out", "held-out"),
        *((name, name) for name in HELD_OUT),
    ):
        sub = items[items["source"] == source] if len(items) else items
        if not len(sub):
            continue
        sub_stab = stab[stab["source"] == source] if len(stab) else stab
        regions = ", ".join(sorted(sub["region"].unique()))
        sizes = ", ".join(f"{s:,}" for s in sorted(sub["size"].unique()))
        seeds = ", ".join(str(s) for s in sorted(sub["seed"].unique()))
        print(f"\n{label}: {regions}; sizes {sizes}; seeds {seeds}")
        for target in targets(sub, sub_stab):
            print(target.line())
            fails += target.verdict == "FAIL"
        print_baselines(sub)
    return fails


def print_baselines(items: pd.DataFrame) -> None:
    """Peermap beside the baselines on clean data, decoys, and the corroborated variant."""
    clean = items[(items["noise"] == "clean") & (items["kind"] == "th")]
    if not len(clean):
        return
    print("  beside the baselines, trap houses, clean (MRR / filtered MRR / recall@5):")
    for group in (CONTEXT_METHODS, VENUE_METHODS):
        parts = []
        for method in group:
            sub = clean[clean["method"] == method]
            ranks = _ranks(sub)
            parts.append(
                f"{method} {mrr(ranks):.2f}/{mrr(_ranks(sub, 'frank')):.2f}/"
                f"{recall_at(ranks, 5):.2f}"
            )
        print("    " + "; ".join(parts))
    decoys = items[(items["kind"] == "decoy") & (items["noise"] == "clean")]
    for method in ("ctx peermap", "venue peermap"):
        ranks = [r for r in _ranks(decoys[decoys["method"] == method]) if r is not None]
        if ranks:
            print(
                f"  decoys ({method}): best rank {min(ranks)}, median "
                f"{statistics.median(ranks):g}, {len(ranks)} found"
            )
    corr = items[
        (items["noise"] == "corroborated")
        & (items["method"] == "ctx peermap")
        & (items["kind"] == "th")
    ]
    if len(corr):
        ranks = _ranks(corr)
        print(
            f"  variant min_reliability='corroborated' (no target): contexts MRR "
            f"{mrr(ranks):.2f}, filtered {mrr(_ranks(corr, 'frank')):.2f}, recall@5 "
            f"{recall_at(ranks, 5):.2f} [{len(ranks)}]"
        )


# -- regions and the grid ------------------------------------------------------------------


def load_region(name: str) -> tuple[str, gpd.GeoDataFrame]:
    """Return a label and the boundaries of ``demo``, ``london`` or ``england``."""
    if name == "demo":
        bounds = peermap.demo_boundaries()
        return f"demo ({len(bounds)} boroughs)", bounds
    bounds = london_boundaries() if name == "london" else england(LAD_2024)
    if bounds is None:
        raise SystemExit(2)
    if name == "london":
        return f"London ({len(bounds)} boroughs)", bounds
    return f"England ({len(bounds)} authorities)", bounds


def run_setting(
    *,
    source: str,
    region: str,
    bounds: gpd.GeoDataFrame,
    size: int,
    seeds: list[int],
    noises: list[str],
    stability_seeds: int,
    results: Results,
) -> None:
    """All seeds of one region and size; prints one table per noise setting."""
    counts: dict[str, int] = {"th": 0, "cl": 0, "decoy": 0}
    make_seconds = []
    for seed in seeds:
        if source == "generator":
            make = scenario
        elif source in HELD_OUT:
            module, function = HELD_OUT[source]
            make = getattr(importlib.import_module(module), function)
        else:
            make = heldout_scenario
        (ds, truth), seconds = _timed(
            lambda make=make, seed=seed: make(bounds, n_people=size, seed=seed)
        )
        make_seconds.append(seconds)
        for kind, _item in _planted(truth):
            counts[kind] += 1
        for noise in noises:
            noisy, min_rel = with_noise(ds, noise, seed)
            key = {"source": source, "region": region, "size": size, "noise": noise, "seed": seed}
            start = time.perf_counter()
            evaluate(
                noisy,
                truth,
                noise=noise,
                min_reliability=min_rel,
                key=key,
                results=results,
                stability_seeds=stability_seeds,
            )
            print(
                f"  [{source} {region} {size:,} seed {seed} {noise}: "
                f"{time.perf_counter() - start:.1f} s]",
                file=sys.stderr,
                flush=True,
            )
    items, times, stab = (results.frame(n) for n in ("items", "times", "stability"))
    seeds_text = ",".join(map(str, seeds))
    planted = f"{counts['th']} trap houses, {counts['cl']} county lines" + (
        f", {counts['decoy']} decoys" if counts["decoy"] else ""
    )
    for noise in noises:
        where = (
            (items["source"] == source)
            & (items["region"] == region)
            & (items["size"] == size)
            & (items["noise"] == noise)
        )
        t_where = (
            (times["source"] == source)
            & (times["region"] == region)
            & (times["size"] == size)
            & (times["noise"] == noise)
        )
        s_sub = (
            stab[
                (stab["source"] == source)
                & (stab["region"] == region)
                & (stab["size"] == size)
                & (stab["noise"] == noise)
            ]
            if len(stab)
            else stab
        )
        title = (
            f"== {'' if source == 'generator' else source + ' · '}{region} · {size:,} people · "
            f"{noise} · seeds {seeds_text} · {planted} · scenario "
            f"{statistics.mean(make_seconds):.1f} s/seed =="
        )
        print_setting(title, items[where], times[t_where], s_sub)
    sys.stdout.flush()


def _int_list(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def _seeds(text: str) -> list[int]:
    return list(range(int(text))) if "," not in text else _int_list(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="demo + London, 2,000, 2 seeds")
    parser.add_argument("--regions", default="demo,london,england")
    parser.add_argument("--sizes", default="2000,10000,50000")
    parser.add_argument("--seeds", default="5", help="a count (0..N-1) or a list: 0,3,7")
    parser.add_argument("--noise", default=",".join(NOISES), help="settings to run")
    parser.add_argument("--stability-seeds", type=int, default=3, help="k of seed=1..k")
    parser.add_argument(
        "--heldout-people", default="2000,10000", help="sizes of the held-out scenarios"
    )
    parser.add_argument(
        "--heldout-regions",
        default="",
        help="regions of the held-out worlds, of demo, london, england "
        "(default: the demo region and London among --regions)",
    )
    parser.add_argument("--no-heldout", action="store_true")
    parser.add_argument(
        "--heldout-b",
        action="store_true",
        help="also run the second held-out scenario (benchmarks/_heldout_b.py), same sizes",
    )
    parser.add_argument(
        "--heldout-c",
        action="store_true",
        help="also run the third held-out scenario (benchmarks/_heldout_c.py), same sizes",
    )
    parser.add_argument(
        "--heldout-d",
        action="store_true",
        help="also run the fourth held-out scenario (benchmarks/_heldout_d.py), same sizes",
    )
    parser.add_argument(
        "--heldout-e",
        action="store_true",
        help="also run the fifth held-out scenario (benchmarks/_heldout_e.py), same sizes",
    )
    parser.add_argument(
        "--heldout-f",
        action="store_true",
        help="also run the sixth held-out scenario (benchmarks/_heldout_f.py), same sizes",
    )
    parser.add_argument(
        "--heldout-g",
        action="store_true",
        help="also run the seventh held-out scenario (benchmarks/_heldout_g.py), same sizes",
    )
    parser.add_argument(
        "--only",
        default="",
        help="run only these sources, a list of generator, a, b, c, d, e, f, g (held-out A to G)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 on any FAIL")
    args = parser.parse_args()
    regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    sizes, seeds = _int_list(args.sizes), _seeds(args.seeds)
    if args.quick:
        regions, sizes, seeds = ["demo", "london"], [2000], [0, 1]
    noises = [n.strip() for n in args.noise.split(",") if n.strip()]
    held_named = [r.strip() for r in args.heldout_regions.split(",") if r.strip()]
    unknown = [r for r in regions + held_named if r not in ("demo", "london", "england")]
    unknown += [n for n in noises if n not in NOISES]
    if unknown:
        parser.error(f"unknown region or noise setting: {', '.join(unknown)}")

    loaded = {name: load_region(name) for name in regions}
    print(
        f"ranking benchmark: regions {', '.join(label for label, _ in loaded.values())}; "
        f"sizes {', '.join(f'{s:,}' for s in sizes)}; seeds {', '.join(map(str, seeds))}; "
        f"noise {', '.join(noises)}; graph backend {peermap.settings.graph_backend}"
    )
    print(
        "TH = trap houses, CL = county lines. ctx rows rank contexts, venue rows rank places. "
        "MRR, R@5: trap-house MRR and recall@5 (rank = row position); fMRR: MRR not counting "
        "rows above that found another planted trap house or county line; Jacc: member "
        "Jaccard of planted people + exploiters with the found context (0 if not found); "
        "CL dist: the found context's reach is `distant`; CL top10: rank <= 10; CL ranks: per "
        "seed (- not found); decoy: best rank of a planted decoy; s/call: mean seconds per call"
    )
    results = Results()
    only = {o.strip().lower() for o in args.only.split(",") if o.strip()}
    if only - {"generator", "a", "b", "c", "d", "e", "f", "g"}:
        parser.error(f"--only takes generator, a, b, c, d, e, f, g: {args.only}")
    run = {
        "generator": not only or "generator" in only,
        "held-out": ("a" in only) if only else not args.no_heldout,
        "held-out B": ("b" in only) if only else (args.heldout_b and not args.no_heldout),
        "held-out C": ("c" in only) if only else (args.heldout_c and not args.no_heldout),
        "held-out D": ("d" in only) if only else (args.heldout_d and not args.no_heldout),
        "held-out E": ("e" in only) if only else (args.heldout_e and not args.no_heldout),
        "held-out F": ("f" in only) if only else (args.heldout_f and not args.no_heldout),
        "held-out G": ("g" in only) if only else (args.heldout_g and not args.no_heldout),
    }
    for name in regions if run["generator"] else []:
        label, bounds = loaded[name]
        for size in sizes:
            run_setting(
                source="generator",
                region=label,
                bounds=bounds,
                size=size,
                seeds=seeds,
                noises=noises,
                stability_seeds=args.stability_seeds,
                results=results,
            )
    held_sources = ("held-out", *HELD_OUT)
    if any(run[k] for k in held_sources):
        held = [n.strip() for n in args.heldout_regions.split(",") if n.strip()] or [
            n for n in regions if n in ("demo", "london")
        ]
        held = held or ["demo"]
        held_sizes = [2000] if args.quick else _int_list(args.heldout_people)
        for name in held:
            label, bounds = loaded[name] if name in loaded else load_region(name)
            for size in held_sizes:
                for source in [k for k in held_sources if run[k]]:
                    run_setting(
                        source=source,
                        region=label,
                        bounds=bounds,
                        size=size,
                        seeds=seeds,
                        noises=[n for n in ("clean", "all") if n in noises] or ["clean"],
                        stability_seeds=args.stability_seeds,
                        results=results,
                    )
    fails = print_summary(results)
    return 1 if (args.strict and fails) else 0


if __name__ == "__main__":
    sys.exit(main())
