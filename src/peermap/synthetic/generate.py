"""The driver: :func:`scenario`, and the tables and truth it returns.

It checks its arguments, runs the generator in its fixed order (people, places, planted
contexts, placements, background ties and sightings, all from one random generator) and
builds the five tables and the ground truth.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import pandas as pd

from peermap.exceptions import ArgumentError
from peermap.schema import CONTEXTS, RELIABILITIES, SOURCES, TIE_KINDS
from peermap.schema import PHYSICAL_PLACE_KINDS as PLACE_KINDS
from peermap.synthetic.constants import (
    BETA_DEFAULT,
    COUNTY_LINE_KM,
    DECOY_CYCLE,
    DISTANCE_FLOOR_KM,
    INDIVIDUAL_TIE_KINDS,
    OUT_OF_AREA_DEFAULT,
    PLACEMENT_KINDS,
    RECEIVING_TIE_SHARE,
    SEX_WEIGHTS,
    TIE_RELIABILITY,
    TRAP_REACH_KM,
)
from peermap.synthetic.online import plant_online
from peermap.synthetic.planting import Planter
from peermap.synthetic.population import (
    WHERE,
    People,
    Placements,
    Places,
    Sightings,
    Ties,
    background_sightings,
    background_ties,
    distinct_pairs,
    make_groups,
    make_people,
    make_placements,
    make_places,
    tie_dates,
)
from peermap.synthetic.region import Calendar, Region, make_region
from peermap.synthetic.sampling import IntArray, enum_draw
from peermap.synthetic.truth import GroundTruth, OnlineContext, Placement, Scenario

__all__ = ["scenario"]

_GROUP_PREFIX = "grp-"


def _check_count(name: str, value: int, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ArgumentError(f"{name} must be a whole number, got {value!r}")
    if value < minimum:
        raise ArgumentError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _check_share(name: str, value: float) -> float:
    if not np.isfinite(value) or not 0.0 <= value <= 1.0:
        raise ArgumentError(f"{name} must be a share between 0 and 1, got {value!r}")
    return float(value)


def _as_date(name: str, value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if not isinstance(value, dt.date):
        raise ArgumentError(f"{name} must be a datetime.date, got {value!r}")
    return value


def _default_places(n_people: int, k: int) -> int:
    return max(n_people // 10, k * len(PLACE_KINDS))


def scenario(
    boundaries: gpd.GeoDataFrame,
    *,
    n_people: int = 2000,
    seed: int = 0,
    n_ties: int | None = None,
    n_sightings: int | None = None,
    n_places: int | None = None,
    weight: str | None = None,
    n_trap_houses: int = 2,
    n_county_lines: int = 1,
    n_decoys: int = len(DECOY_CYCLE),
    looked_after_share: float = 0.05,
    out_of_area_share: float = OUT_OF_AREA_DEFAULT,
    beta: float = BETA_DEFAULT,
    start: dt.date = dt.date(2024, 1, 1),
    end: dt.date = dt.date(2024, 12, 31),
    online_spaces: bool = False,
) -> Scenario:
    """Generate a seeded synthetic dataset on real or fictional boundaries.

    Parameters
    ----------
    boundaries : geopandas.GeoDataFrame
        Authority boundaries from :func:`peermap.load_boundaries` or
        :func:`peermap.demo_boundaries` (columns ``code``, ``name``, ``geometry``).
    n_people : int, default 2000
        Young people aged 10-18.
    seed : int, default 0
        Seed of the one random generator (``numpy.random.PCG64``) behind everything:
        the same seed and arguments give the same tables, byte for byte.
    n_ties : int, optional
        Ties; default ``4 * n_people``.
    n_sightings : int, optional
        Sightings; default ``10 * n_people``.
    n_places : int, optional
        Places; default ``n_people // 10``, and at least one of every kind in every
        authority (``9 * len(boundaries)``). Must be at least 9 (one per kind).
    weight : str, optional
        Column of ``boundaries`` in whose proportion young people (and places) are
        homed in authorities, such as a population column; default the area.
    n_trap_houses : int, default 2
        Planted trap houses (a hotel or a flat), each drawing young people from three
        or more authorities; needs at least three authorities.
    n_county_lines : int, default 1
        Planted county-lines links to an authority that is not a neighbour, 40-250 km
        away where the boundaries allow (``COUNTY_LINE_KM``).
    n_decoys : int, default 4
        Genuine serious incidents at busy ordinary venues, which are not trap houses,
        in the order of ``DECOY_CYCLE`` (fight, exploitation, fight, fight, then again):
        fights between young people from two or three authorities, and a few
        ``cse``/``cce`` records at a transport hub. Recorded in ``truth.decoys``.
    looked_after_share : float, default 0.05
        Share of young people who are looked after (exactly rounded).
    out_of_area_share : float, default 0.41
        Share of looked-after young people placed outside their home authority.
    beta : float, default 2
        Distance exponent of the gravity model of cross-authority ties and sightings.
    start, end : datetime.date
        Period of every date in the dataset; ``end`` may not be in the future.
    online_spaces : bool, default False
        Also plant two online contexts (schema 1.1, :mod:`peermap.synthetic.online`):
        a group chat recruiting across three authorities and image sharing inside a
        school year group, recorded in ``truth.online``. They come from their own
        random generator, so the other tables are the same either way.

    Returns
    -------
    Scenario
        ``dataset`` (valid: read with :func:`peermap.read_dataset` against
        ``boundaries``, strict) and ``truth`` (:class:`GroundTruth`); unpacks as
        ``ds, truth``.

    Raises
    ------
    ValueError
        Bad counts, shares, dates or weights; or too few authorities, young people or
        places to plant the requested contexts.
    TypeError
        ``boundaries`` is not a GeoDataFrame, or a count is not a whole number.

    Notes
    -----
    Counts of ties and sightings are met exactly unless the population is too small
    to hold that many distinct ties. See ``docs/synthetic.md`` for the models.
    """
    from peermap.validation import read_dataset

    n_people = _check_count("n_people", n_people, 1)
    seed = _check_count("seed", seed, 0)
    n_trap_houses = _check_count("n_trap_houses", n_trap_houses)
    n_county_lines = _check_count("n_county_lines", n_county_lines)
    n_decoys = _check_count("n_decoys", n_decoys)
    looked_after_share = _check_share("looked_after_share", looked_after_share)
    out_of_area_share = _check_share("out_of_area_share", out_of_area_share)
    if not np.isfinite(beta) or beta < 0:
        raise ArgumentError(f"beta must be a non-negative number, got {beta!r}")
    start, end = _as_date("start", start), _as_date("end", end)
    if end < start:
        raise ArgumentError(f"end ({end}) is before start ({start})")
    if end > dt.date.today():
        raise ArgumentError(f"end ({end}) is in the future: dates in a dataset may not be")
    clock = time.perf_counter()
    region = make_region(boundaries, weight, float(beta))
    k = region.k
    if n_trap_houses and k < 3:
        raise ArgumentError(
            f"a trap house draws on three or more authorities; the boundaries have {k} "
            "(set n_trap_houses=0)"
        )
    n_ties = 4 * n_people if n_ties is None else _check_count("n_ties", n_ties)
    n_sightings = 10 * n_people if n_sightings is None else _check_count("n_sightings", n_sightings)
    n_places = (
        _default_places(n_people, k)
        if n_places is None
        else _check_count("n_places", n_places, len(PLACE_KINDS))
    )

    rng = np.random.Generator(np.random.PCG64(seed))
    cal = Calendar.of(start, end)
    people = make_people(rng, region, n_people, looked_after_share)
    places = make_places(rng, region, n_places)

    # Planted contexts first: their people, ties and sightings take priority.
    ties, sightings = Ties(), Sightings()
    planter = Planter(rng, region, people, places, cal, ties, sightings, np.zeros(n_people, bool))
    taken: set[int] = set()
    traps = [planter.trap_house(i, taken) for i in range(n_trap_houses)]
    lines = [planter.county_line(taken) for _ in range(n_county_lines)]
    decoys = [planter.decoy(i, taken) for i in range(n_decoys)]

    # Placements of looked-after young people, and ties formed where they are placed.
    plc = make_placements(rng, region, people, cal, out_of_area_share)
    out = np.flatnonzero(plc.where > 0)
    forms = out[rng.random(len(out)) < RECEIVING_TIE_SHARE]
    forms = forms[people.counts[plc.dest[forms]] > 0]
    n_new = rng.integers(1, 4, len(forms))
    mover = np.repeat(forms, n_new)
    friend = people.random_in(rng, plc.dest[mover])
    ok = (friend != plc.person[mover]) & (people.home[friend] == plc.dest[mover])
    mover, friend = mover[ok], friend[ok]
    keep = distinct_pairs(plc.person[mover], friend, n_people)
    mover, friend = mover[keep], friend[keep]
    first, last = tie_dates(rng, cal, len(mover), lo=plc.day[mover])
    ties.add(
        plc.person[mover],
        friend,
        enum_draw(rng, INDIVIDUAL_TIE_KINDS, TIE_KINDS, len(mover)),
        first,
        last,
        enum_draw(rng, {"social_care": 0.5, "school": 0.3, "police": 0.2}, SOURCES, len(mover)),
        enum_draw(rng, TIE_RELIABILITY, RELIABILITIES, len(mover)),
    )
    placement_ties = (plc.person[mover], friend)

    # Background ties and sightings, after the planted ones (which always stay).
    member, group, group_auth = make_groups(rng, region, people)
    t = background_ties(
        rng, region, people, cal, ties, (member, group), n_ties, planter.used.copy()
    )
    moved = np.full(n_people, -1, dtype=np.int64)
    moved_day = np.full(n_people, cal.n_days, dtype=np.int64)
    moved[plc.person[out]] = plc.dest[out]
    moved_day[plc.person[out]] = plc.day[out]
    s = background_sightings(
        rng, region, people, places, cal, sightings, (moved, moved_day), n_sightings
    )

    tables = _tables(region, people, places, cal, t, s, plc)
    online: tuple[OnlineContext, ...] = ()
    if online_spaces:  # from their own generator: the other tables stay the same
        tables, online = plant_online(tables, region, cal, seed)
    generated = time.perf_counter()
    ds = read_dataset(tables, boundaries=boundaries, strict=True)
    validated = time.perf_counter()
    truth = GroundTruth(
        seed=seed,
        trap_houses=tuple(traps),
        county_lines=tuple(lines),
        placements=_placement_truth(region, people, cal, plc, placement_ties, t),
        groups=pd.DataFrame(
            {
                "person_id": pd.array(people.ids[member].astype(str), dtype="str"),
                "group_id": pd.array(
                    [f"{_GROUP_PREFIX}{g + 1:05d}" for g in group.tolist()], dtype="str"
                ),
                "group_authority": pd.array(
                    region.codes[group_auth[group]].astype(str), dtype="str"
                ),
            }
        )
        .sort_values(["group_id", "person_id"], kind="stable")
        .reset_index(drop=True),
        parameters=MappingProxyType(
            {
                "n_people": n_people,
                "n_ties": n_ties,
                "n_sightings": n_sightings,
                "n_places": n_places,
                "weight": weight or "area",
                "n_trap_houses": n_trap_houses,
                "n_county_lines": n_county_lines,
                "n_decoys": n_decoys,
                "looked_after_share": looked_after_share,
                "out_of_area_share": out_of_area_share,
                "beta": float(beta),
                "distance_floor_km": DISTANCE_FLOOR_KM,
                "trap_reach_km": TRAP_REACH_KM,
                "county_line_km": COUNTY_LINE_KM,
                "start": start,
                "end": end,
                "online_spaces": online_spaces,
            }
        ),
        decoys=tuple(decoys),
        online=online,
    )
    timings = {"generation": generated - clock, "validation": validated - generated}
    return Scenario(ds, truth, MappingProxyType(timings))


def _placement_truth(
    region: Region,
    people: People,
    cal: Calendar,
    plc: Placements,
    placement_ties: tuple[IntArray, IntArray],
    kept: Mapping[str, IntArray],
) -> tuple[Placement, ...]:
    """Truth for every placement; ``ties`` only where the tie survived into the dataset."""
    n = people.n
    kept_keys = set(
        (np.minimum(kept["a"], kept["b"]) * n + np.maximum(kept["a"], kept["b"])).tolist()
    )
    movers, friends = placement_ties
    formed: dict[int, list[int]] = {}
    for m, f in zip(movers.tolist(), friends.tolist(), strict=True):
        if min(m, f) * n + max(m, f) in kept_keys:
            formed.setdefault(m, []).append(f)
    kinds = tuple(PLACEMENT_KINDS)
    out: list[Placement] = []
    for i in np.argsort(people.ids[plc.person].astype(str), kind="stable"):
        person = int(plc.person[i])
        placed_out = bool(plc.where[i] > 0)
        out.append(
            Placement(
                person_id=str(people.ids[person]),
                home=str(region.codes[people.home[person]]),
                placed_in=str(region.codes[plc.dest[i]]),
                placed_out=placed_out,
                where=WHERE[int(plc.where[i])],
                date=cal.day(int(plc.day[i])) if placed_out else None,
                kind=kinds[int(plc.kind[i])] if placed_out else None,
                ties=tuple(sorted(str(people.ids[f]) for f in formed.get(person, []))),
            )
        )
    return tuple(out)


def _tables(
    region: Region,
    people: People,
    places: Places,
    cal: Calendar,
    t: Mapping[str, IntArray],
    s: Mapping[str, IntArray],
    plc: Placements,
) -> dict[str, pd.DataFrame]:
    """Build the five tables as frames of text, sorted for stable output."""
    codes = region.codes
    sexes = np.array(list(SEX_WEIGHTS), dtype=object)
    people_df = pd.DataFrame(
        {
            "person_id": people.ids,
            "home_authority": codes[people.home],
            "age": people.age.astype(str).astype(object),
            "sex": sexes[people.sex],
            "looked_after": np.where(people.looked_after, "true", "false").astype(object),
        }
    )
    kinds = np.array(PLACE_KINDS, dtype=object)
    number = np.zeros(places.n, dtype=np.int64)
    for j in range(len(PLACE_KINDS)):  # label: "hotel 3", numbered in place-id order
        hit = places.kind == j
        number[hit] = np.arange(1, int(hit.sum()) + 1)
    words = np.array([k.replace("_", " ") for k in PLACE_KINDS], dtype=object)
    places_df = pd.DataFrame(
        {
            "place_id": places.ids,
            "kind": kinds[places.kind],
            "easting": places.x.astype(np.int64).astype(str).astype(object),
            "northing": places.y.astype(np.int64).astype(str).astype(object),
            "label": words[places.kind] + " " + number.astype(str).astype(object),
        }
    )
    tie_kinds = np.array(TIE_KINDS, dtype=object)
    sources = np.array(SOURCES, dtype=object)
    rel = np.array(RELIABILITIES, dtype=object)
    day_text = np.append(cal.text, "")  # index -1 -> ""
    ties_df = pd.DataFrame(
        {
            "person_a": people.ids[t["a"]],
            "person_b": people.ids[t["b"]],
            "kind": tie_kinds[t["kind"]],
            "first_seen": day_text[t["first"]],
            "last_seen": day_text[t["last"]],
            "source": sources[t["source"]],
            "reliability": rel[t["reliability"]],
        }
    )
    order = np.lexsort((t["b"], t["a"], t["first"]))
    ties_df = ties_df.iloc[order].reset_index(drop=True)
    contexts = np.array(CONTEXTS, dtype=object)
    sightings_df = pd.DataFrame(
        {
            "person_id": people.ids[s["person"]],
            "place_id": places.ids[s["place"]],
            "date": cal.text[s["day"]],
            "context": contexts[s["context"]],
            "source": sources[s["source"]],
            "reliability": rel[s["reliability"]],
        }
    )
    order = np.lexsort((s["context"], s["place"], s["person"], s["day"]))
    sightings_df = sightings_df.iloc[order].reset_index(drop=True)
    out = np.flatnonzero(plc.where > 0)
    reloc_kinds = np.array(list(PLACEMENT_KINDS), dtype=object)
    order = out[np.lexsort((plc.person[out], plc.day[out]))]
    relocations_df = pd.DataFrame(
        {
            "person_id": people.ids[plc.person[order]],
            "from_authority": codes[people.home[plc.person[order]]],
            "to_authority": codes[plc.dest[order]],
            "date": cal.text[plc.day[order]],
            "kind": reloc_kinds[plc.kind[order]],
        }
    )
    return {
        "people": people_df,
        "places": places_df,
        "ties": ties_df,
        "sightings": sightings_df,
        "relocations": relocations_df,
    }
