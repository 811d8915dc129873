"""Held-out scenario C: a simulated multi-agency record set with planted exploitation.

The world
---------
A cohort of ``n_people`` young people known to children's services, schools, police, health
and the voluntary sector across the authorities of a boundary file, followed for 21 months
(1 April 2024 to 31 December 2025). Authorities are weighted by a rough population (equal
for most districts and boroughs, larger for the big cities and the large unitary counties,
a log-normal jitter on top), and each authority is also a *recording partner* with habits of
its own: some grade cautiously (one reliability level down half the time), some confidently
(one level up), some code a third of their exploitation concerns as ``other``; some write UK
dates, some title-case their categories (``Missing Episode``, ``CCE``), some give venue
locations in longitude/latitude instead of the National Grid, and some write authorities by
name rather than by GSS code.

**People.** Ages 10-18, peaking at 15-16; about 8 % are looked after and 41 % of those are
placed outside the authority responsible for them (a ``care_placement`` relocation, dated
up to a year before the window); 40 % of placed children are still recorded under the
placing authority. A third of placed children live in a children's home. About 1 % of the
others moved for housing, family, education or a secure placement. The exploiters of the
planted stories are young people of 17-18 in the cohort or adults of 19-24: the schema only
knows associations between people in the people table, so adults appear there too (their
age is outside 10-18, which validation reports as a warning, not an error); older adults
(a takeaway's staff, say) cannot be recorded at all and are absent.

**Venues.** Every authority has secondary schools and colleges, parks, fast-food outlets,
transport hubs (the main station is far busier than the rest), youth venues, shopping
centres where large enough, hotels in most, blocks of flats and private addresses,
children's homes, "other" venues (car parks, stairwells, corner shops, a leisure centre)
and local online spaces (year-group chats, gaming servers) with a platform and no
location. Venues cluster around a town centre and a few sub-centres. Each venue has a
log-normal popularity.

**Background records** (a Poisson number per person over the window, at venues chosen by
popularity in the person's own authority, 12 % in a neighbouring authority, 8 % of a
placed child's in the authority they came from): bullying at school; online harassment and
image sharing in local online spaces; missing episodes (about ten times as frequent for
looked-after children, often recorded at their children's home or the station where they
were found); serious youth violence at parks, stations and takeaways; harmful sexual
behaviour at school; thin, mostly unverified CSE and CCE concerns scattered over about
2-3 % of ordinary young people (girls for CSE and boys for CCE two and a half times as
often); "other" concerns. Street groups of 5-12 (mostly boys of 14-18, a fifth from a
neighbouring authority) share one or two turf venues where police record gang
association, violence and a little CCE. Ties: schoolmates as friends, siblings (a placed
child's sibling often in the authority they came from), partners and ex-partners with
occasional teenage-relationship-abuse records, associates, group members, and a few
unsubstantiated ``exploiter`` concerns graded unverified or reported.

**Planted exploitation hubs** (two to four per world, no two in one authority), drawn from
seven designs that differ in venue kind, size, duration, exploiters and evidence:

* ``cuckooed_flat`` (residential): a vulnerable tenant's flat taken over for dealing;
  5-9 mostly-male victims aged 13-17 for 2-7 months; an adult and a 17-18-year-old;
  police welfare visits find several victims there at once.
* ``takeaway`` (fast food, an existing busy outlet): CSE of 4-8 girls aged 13-16 for
  4-10 months; the adult staff are not recordable, the only recorded exploiter is an
  18-year-old "boyfriend" whom the school records as a partner and the police as an
  exploiter; often a group chat where the girls' images are shared.
* ``boxing_gym`` (youth venue): an adult coach of 22-24 grooms 4-7 boys of 13-16 into
  running drugs over 6-14 months; recorded mostly by youth services and police.
* ``hotel_parties`` (hotel): two to six weeks of parties with 6-10 victims, half of them
  looked after and placed out of area; many missing episodes ending at the hotel.
* ``car_wash`` (other): 3-5 local boys of 14-17 worked and made to deal for 5-13 months
  by an adult; few records per boy, victims from the host authority only.
* ``shopping_centre`` (an existing shopping centre): two 17-18-year-olds groom 5-8 girls
  of 12-15 for 3-9 months; a group chat often goes with it.
* ``short_let`` (other): a short-let flat used for one to three months for CSE and CCE.

Victims are drawn, by design, about 40 % from the host authority, 30 % from its neighbours
and 30 % from looked-after children placed into the host from elsewhere (half placed
children at the hotel parties; the car wash takes boys living locally), and among those
eligible looked-after children are three times and placed children eight times as likely
to be chosen. Each victim
has 1-6 records at the hub (a fifth have exactly one), graded unverified to confirmed, from
the agencies the design implies, and a tenth of those incidents are recorded again by a
second agency; victims have extra missing episodes at home while the hub lasts; about a third
of victim pairs are tied (friend, associate or group member); each exploiter tie is recorded
with probability 0.55 (at least one per hub); every hub keeps at least two victims with a
record graded corroborated or better whatever the partner's grading habit.

**County line** (at most one). In a region spanning 120 km or more (England): from a
London borough or a big city to a county town 40-250 km away (preferring about 100 km),
never between two coastal authorities. In a region spanning 35-120 km (London): a "local
line" from an inner borough to a non-neighbouring borough at least 15 km away. In a
smaller region (the demo region, whose authorities' centres are at most 20 km apart):
**no line**. The line's address in
the destination is a cuckooed flat, a hotel or a derelict building; 3-6 runners from the
origin (missing episodes at home, found at the address or stopped at the destination's
station), 1-3 local young people drawn in, an adult line holder (and sometimes a 17-18-
year-old elder) with some exploiter ties recorded, and one or two runners relocated (secure
or care placement) after the line is disrupted.

**Decoys** (two to four): single days of genuine serious incidents at busy venues — a
stabbing or mass fight at a school, a brawl at a takeaway, robberies at a station, a park
party with sexual assaults — involving 6-25 ordinary young people of the venue's
authority and its neighbours (a school's own pupils for a school), a few graded confirmed,
police associate ties among the principals, and a handful of follow-up records in the
fortnight after. A decoy's ``kind`` in the truth is its venue kind.

**Geography of the records.** Outside the planted stories, a tie or a sighting joins two
authorities only when they are neighbours or when a relocation joins them (a placed child
and the authority they came from); the hubs, the line and the decoys join authorities as
their stories say.

**Measurement noise.** A fifth of victims have a single record at their hub; 45 % of
exploiter ties (50 % on the line) are never recorded; partners' grading and coding habits
as above; the school calls an exploiting "boyfriend" a partner; ``looked_after`` is blank
for 8 % of people and most ``unknown`` sexes are blank; unsubstantiated exploiter concerns
and thin CSE/CCE records fall on ordinary young people; exact repeats are removed, so every
row is a distinct record.

The world is deterministic for a seed; the truth lists the hubs, the line and the decoys.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from _truth import Decoy, HeldOutTruth, PlantedHub, PlantedLine
from pyproj import Transformer

import peermap

__all__ = ["Decoy", "HeldOutCTruth", "PlantedHub", "PlantedLine", "heldout_c_scenario"]

START = date(2024, 4, 1)
END = date(2025, 12, 31)
W = (END - START).days

KINDS: tuple[str, ...] = (
    "school",
    "hotel",
    "park",
    "transport_hub",
    "fast_food",
    "shopping_centre",
    "residential",
    "youth_venue",
    "other",
    "online",
)
KI: dict[str, int] = {k: i for i, k in enumerate(KINDS)}
NK = len(KINDS)
REL: tuple[str, ...] = ("unverified", "reported", "corroborated", "confirmed")

IntArray = np.ndarray
StrArray = np.ndarray
IntLike = np.ndarray | int
StrLike = np.ndarray | str


# -- truth ---------------------------------------------------------------------------------


HeldOutCTruth = HeldOutTruth


# -- designs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Design:
    kind: str
    new_venue: bool
    label: str
    victims: tuple[int, int]
    ages: tuple[int, int]
    p_female: float
    duration: tuple[int, int]
    harm: dict[str, float]
    sources: dict[str, float]
    adults: int
    peers: int
    raid: bool
    lam: float
    tie_density: float
    p_placed: float
    p_neighbour: float
    online: float
    peer_female: float = 0.0


DESIGNS: dict[str, _Design] = {
    "cuckooed_flat": _Design(
        "residential",
        True,
        "",
        (5, 9),
        (13, 17),
        0.3,
        (60, 200),
        {
            "cce": 0.45,
            "missing_episode": 0.2,
            "gang_association": 0.15,
            "serious_youth_violence": 0.1,
            "other": 0.1,
        },
        {
            "police": 0.55,
            "social_care": 0.2,
            "youth_service": 0.1,
            "health": 0.05,
            "voluntary_sector": 0.1,
        },
        adults=1,
        peers=1,
        raid=True,
        lam=1.6,
        tie_density=0.35,
        p_placed=0.3,
        p_neighbour=0.3,
        online=0.0,
    ),
    "takeaway": _Design(
        "fast_food",
        False,
        "",
        (4, 8),
        (13, 16),
        0.9,
        (120, 320),
        {
            "cse": 0.4,
            "missing_episode": 0.2,
            "teenage_relationship_abuse": 0.1,
            "other": 0.2,
            "harmful_sexual_behaviour": 0.1,
        },
        {
            "police": 0.3,
            "social_care": 0.3,
            "health": 0.15,
            "school": 0.1,
            "voluntary_sector": 0.15,
        },
        adults=0,
        peers=1,
        raid=False,
        lam=1.3,
        tie_density=0.45,
        p_placed=0.3,
        p_neighbour=0.3,
        online=0.6,
    ),
    "boxing_gym": _Design(
        "youth_venue",
        True,
        "Boxing gym",
        (4, 7),
        (13, 16),
        0.1,
        (180, 420),
        {
            "cce": 0.35,
            "gang_association": 0.25,
            "serious_youth_violence": 0.2,
            "missing_episode": 0.1,
            "other": 0.1,
        },
        {"youth_service": 0.3, "police": 0.35, "school": 0.15, "social_care": 0.2},
        adults=1,
        peers=0,
        raid=False,
        lam=1.2,
        tie_density=0.5,
        p_placed=0.2,
        p_neighbour=0.35,
        online=0.0,
    ),
    "hotel_parties": _Design(
        "hotel",
        False,
        "Budget hotel",
        (6, 10),
        (13, 17),
        0.65,
        (14, 45),
        {
            "cse": 0.35,
            "missing_episode": 0.35,
            "cce": 0.15,
            "harmful_sexual_behaviour": 0.05,
            "other": 0.1,
        },
        {"police": 0.6, "social_care": 0.25, "health": 0.1, "voluntary_sector": 0.05},
        adults=2,
        peers=0,
        raid=True,
        lam=1.0,
        tie_density=0.3,
        p_placed=0.5,
        p_neighbour=0.25,
        online=0.3,
    ),
    "car_wash": _Design(
        "other",
        True,
        "Hand car wash",
        (3, 5),
        (14, 17),
        0.0,
        (150, 400),
        {"cce": 0.55, "other": 0.25, "missing_episode": 0.1, "serious_youth_violence": 0.1},
        {"police": 0.4, "youth_service": 0.2, "school": 0.2, "social_care": 0.2},
        adults=1,
        peers=0,
        raid=False,
        lam=1.0,
        tie_density=0.6,
        p_placed=0.1,
        p_neighbour=0.0,
        online=0.0,
    ),
    "shopping_centre": _Design(
        "shopping_centre",
        False,
        "",
        (5, 8),
        (12, 15),
        0.85,
        (90, 270),
        {
            "cse": 0.4,
            "teenage_relationship_abuse": 0.15,
            "missing_episode": 0.15,
            "other": 0.2,
            "harmful_sexual_behaviour": 0.1,
        },
        {
            "school": 0.25,
            "police": 0.3,
            "social_care": 0.25,
            "voluntary_sector": 0.1,
            "youth_service": 0.1,
        },
        adults=0,
        peers=2,
        raid=False,
        lam=1.2,
        tie_density=0.4,
        p_placed=0.25,
        p_neighbour=0.35,
        online=0.7,
    ),
    "short_let": _Design(
        "other",
        True,
        "Short-let flat",
        (4, 7),
        (14, 17),
        0.55,
        (30, 90),
        {"cse": 0.3, "cce": 0.3, "missing_episode": 0.3, "other": 0.1},
        {"police": 0.5, "social_care": 0.3, "health": 0.1, "voluntary_sector": 0.1},
        adults=1,
        peers=1,
        raid=True,
        lam=1.2,
        tie_density=0.35,
        p_placed=0.3,
        p_neighbour=0.3,
        online=0.0,
        peer_female=0.3,
    ),
}

# rough relative populations (a median district is 1); everything else is 1
_POPULATION: dict[str, float] = {
    "birmingham": 7.5,
    "leeds": 5.8,
    "sheffield": 4.1,
    "manchester": 4.0,
    "bradford": 3.9,
    "liverpool": 3.5,
    "bristol": 3.3,
    "kirklees": 3.1,
    "cornwall": 4.0,
    "buckinghamshire": 4.1,
    "north yorkshire": 4.3,
    "somerset": 4.1,
    "wiltshire": 3.6,
    "county durham": 3.7,
    "durham": 3.7,
    "cheshire east": 2.8,
    "cheshire west and chester": 2.5,
    "shropshire": 2.3,
    "leicester": 2.6,
    "coventry": 2.5,
    "nottingham": 2.4,
    "wakefield": 2.5,
    "wirral": 2.3,
    "sunderland": 2.0,
    "croydon": 2.8,
    "barnet": 2.7,
    "newham": 2.5,
    "ealing": 2.6,
    "brent": 2.4,
    "wolverhampton": 1.9,
    "doncaster": 2.2,
    "sandwell": 2.4,
    "dudley": 2.3,
    "northumberland": 2.3,
    "westmorland and furness": 1.6,
    "cumberland": 1.9,
    "north northamptonshire": 2.5,
    "west northamptonshire": 3.0,
    "dorset": 2.7,
    "bournemouth christchurch and poole": 2.8,
    "central bedfordshire": 2.1,
    "east riding of yorkshire": 2.4,
    "stockport": 2.1,
    "wigan": 2.3,
    "bolton": 2.1,
    "salford": 1.9,
    "newcastle upon tyne": 2.2,
    "kingston upon hull": 1.9,
    "plymouth": 1.9,
    "stoke on trent": 1.9,
    "derby": 1.8,
    "southampton": 1.8,
    "brighton and hove": 1.9,
    "milton keynes": 2.0,
    "medway": 2.0,
    "city of london": 0.03,
    "isles of scilly": 0.02,
}
_BIG_CITIES = frozenset(
    {
        "birmingham",
        "manchester",
        "liverpool",
        "leeds",
        "sheffield",
        "bristol",
        "nottingham",
        "newcastle upon tyne",
        "bradford",
        "leicester",
        "coventry",
        "wolverhampton",
        "salford",
    }
)
_LONDON = frozenset(
    {
        "barking and dagenham",
        "barnet",
        "bexley",
        "brent",
        "bromley",
        "camden",
        "city of london",
        "croydon",
        "ealing",
        "enfield",
        "greenwich",
        "hackney",
        "hammersmith and fulham",
        "haringey",
        "harrow",
        "havering",
        "hillingdon",
        "hounslow",
        "islington",
        "kensington and chelsea",
        "kingston upon thames",
        "lambeth",
        "lewisham",
        "merton",
        "newham",
        "redbridge",
        "richmond upon thames",
        "southwark",
        "sutton",
        "tower hamlets",
        "waltham forest",
        "wandsworth",
        "westminster",
    }
)
_INNER_LONDON = frozenset(
    {
        "camden",
        "hackney",
        "haringey",
        "islington",
        "lambeth",
        "lewisham",
        "newham",
        "southwark",
        "tower hamlets",
        "wandsworth",
        "westminster",
        "hammersmith and fulham",
    }
)


def _norm(name: str) -> str:
    s = str(name).lower().replace("&", " and ")
    s = re.sub(r",\s*(city|county) of$", "", s)
    s = (
        re.sub(r"^(city of |london borough of |royal borough of )", "", s)
        if s not in ("city of london",)
        else s
    )
    s = re.sub(r"[^a-z ]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def _mix(rng: np.random.Generator, n: int, table: dict[str, float]) -> StrArray:
    keys = np.array(list(table), dtype=object)
    p = np.array(list(table.values()), dtype=float)
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


# -- region --------------------------------------------------------------------------------


class _Region:
    """Authorities, their neighbours, distances and population weights."""

    def __init__(self, boundaries: gpd.GeoDataFrame, rng: np.random.Generator) -> None:
        b = boundaries
        if b.crs is not None and b.crs.to_epsg() != 27700:
            b = b.to_crs(27700)
        self.frame = boundaries
        self.codes = b["code"].astype(str).to_numpy()
        self.names = b["name"].astype(str).to_numpy() if "name" in b else self.codes.copy()
        self.norm = np.array([_norm(x) for x in self.names], dtype=object)
        self.geoms = list(b.geometry.to_numpy())
        for g in self.geoms:
            shapely.prepare(g)
        self.n = len(self.codes)
        rp = [g.representative_point() for g in self.geoms]
        self.rx = np.array([p.x for p in rp])
        self.ry = np.array([p.y for p in rp])
        cen = b.geometry.centroid
        self.cx, self.cy = cen.x.to_numpy(), cen.y.to_numpy()
        self.area_km2 = b.geometry.area.to_numpy() / 1e6
        self.dist = (
            np.hypot(self.cx[:, None] - self.cx[None, :], self.cy[:, None] - self.cy[None, :])
            / 1000.0
        )
        self.span_km = float(self.dist.max()) if self.n > 1 else 0.0
        index = {c: i for i, c in enumerate(self.codes)}
        graph = peermap.Boundaries.of(boundaries).neighbour_graph()
        nbrs: list[list[int]] = [[] for _ in range(self.n)]
        for u, v in graph.edges():
            if u in index and v in index and u != v:
                nbrs[index[u]].append(index[v])
                nbrs[index[v]].append(index[u])
        self.nbrs = [np.array(sorted(set(x)), dtype=np.int64) for x in nbrs]
        self.deg = np.array([len(x) for x in self.nbrs], dtype=np.int64)
        self.adj = np.eye(self.n, dtype=bool)  # the same authority or a neighbour
        for a, nb in enumerate(self.nbrs):
            self.adj[a, nb] = True
        self.nb_ptr = np.concatenate([[0], np.cumsum(self.deg)]).astype(np.int64)
        self.nb_idx = (
            np.concatenate(self.nbrs).astype(np.int64) if self.deg.sum() else np.zeros(0, int)
        )
        base = np.array([_POPULATION.get(x, 1.0) for x in self.norm])
        self.weight = base * rng.lognormal(0.0, 0.25, self.n)
        self.weight /= self.weight.sum()
        self.london = np.array([x in _LONDON for x in self.norm], dtype=bool) | np.char.startswith(
            self.codes.astype(str), "E09"
        )
        self.big_city = np.array([x in _BIG_CITIES for x in self.norm], dtype=bool)

    def neighbour(self, auth: IntArray, rng: np.random.Generator) -> IntArray:
        """A random neighbour of each authority (itself when it has none)."""
        auth = np.asarray(auth, dtype=np.int64)
        d = self.deg[auth]
        out = auth.copy()
        ok = d > 0
        if ok.any():
            j = self.nb_ptr[auth[ok]] + np.floor(rng.random(ok.sum()) * d[ok]).astype(np.int64)
            out[ok] = self.nb_idx[j]
        return out

    def coastal(self) -> np.ndarray:
        """Authorities on the region's outer edge once rivers and estuaries are closed."""
        union = shapely.union_all([shapely.simplify(g, 500) for g in self.geoms])
        closed = union.buffer(3000).buffer(-3000)
        edge = shapely.get_exterior_ring(
            max(getattr(closed, "geoms", [closed]), key=lambda g: g.area)
        )
        shapely.prepare(edge)
        return np.array([shapely.distance(g, edge) < 1500 for g in self.geoms], dtype=bool)


# -- venues --------------------------------------------------------------------------------


class _Venues:
    """Venue table under construction, with a popularity-weighted picker."""

    def __init__(self) -> None:
        self.auth: list[int] = []
        self.kind: list[int] = []
        self.pop: list[float] = []
        self.x: list[float] = []
        self.y: list[float] = []
        self.label: list[str] = []
        self.platform: list[str] = []
        self._frozen = False

    def add(
        self,
        auth: int,
        kind: str,
        pop: float,
        x: float,
        y: float,
        label: str = "",
        platform: str = "",
    ) -> int:
        self.auth.append(auth)
        self.kind.append(KI[kind])
        self.pop.append(pop)
        self.x.append(x)
        self.y.append(y)
        self.label.append(label)
        self.platform.append(platform)
        self._frozen = False
        return len(self.auth) - 1

    def freeze(self, n_auth: int) -> None:
        self.a = np.array(self.auth, dtype=np.int64)
        self.k = np.array(self.kind, dtype=np.int64)
        self.p = np.array(self.pop, dtype=float)
        key = self.a * NK + self.k
        self.order = np.lexsort((np.arange(len(key)), key))
        skey = key[self.order]
        self.cum = np.cumsum(self.p[self.order])
        self.start = np.full(n_auth * NK, -1, dtype=np.int64)
        self.end = np.full(n_auth * NK, -1, dtype=np.int64)
        uniq, first, counts = np.unique(skey, return_index=True, return_counts=True)
        self.start[uniq] = first
        self.end[uniq] = first + counts
        self._frozen = True

    def pick(self, rng: np.random.Generator, auth: IntArray, kind: IntLike) -> IntArray:
        """A venue of ``kind`` in ``auth`` by popularity; falls back to common kinds."""
        auth = np.asarray(auth, dtype=np.int64)
        kind = np.broadcast_to(np.asarray(kind, dtype=np.int64), auth.shape).copy()
        out = np.full(auth.shape, -1, dtype=np.int64)
        todo = np.ones(auth.shape, dtype=bool)
        for attempt in range(5):
            if attempt:
                fallback = [KI["fast_food"], KI["park"], KI["transport_hub"], KI["school"]]
                kind[todo] = fallback[attempt - 1]
            g = auth[todo] * NK + kind[todo]
            s, e = self.start[g], self.end[g]
            ok = s >= 0
            idx = np.flatnonzero(todo)[ok]
            s, e = s[ok], e[ok]
            lo = np.where(s > 0, self.cum[np.maximum(s - 1, 0)], 0.0)
            hi = self.cum[e - 1]
            u = lo + rng.random(len(s)) * (hi - lo)
            j = np.clip(np.searchsorted(self.cum, u, side="right"), s, e - 1)
            out[idx] = self.order[j]
            todo[idx] = False
            if not todo.any():
                break
        return out

    def of(self, auth: int, kind: str) -> IntArray:
        g = auth * NK + KI[kind]
        s, e = self.start[g], self.end[g]
        return self.order[s:e] if s >= 0 else np.zeros(0, dtype=np.int64)


def _points_in(
    geom: Any, n: int, cx: np.ndarray, cy: np.ndarray, sd: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points inside ``geom`` scattered around the centres ``cx, cy``."""
    xs = np.empty(n)
    ys = np.empty(n)
    need = np.arange(n)
    for _ in range(12):
        if not len(need):
            break
        x = cx[need] + rng.normal(0.0, sd, len(need))
        y = cy[need] + rng.normal(0.0, sd, len(need))
        ok = shapely.contains_xy(geom, x, y)
        xs[need[ok]], ys[need[ok]] = x[ok], y[ok]
        need = need[~ok]
    minx, miny, maxx, maxy = geom.bounds
    while len(need):
        m = max(64, 4 * len(need))
        x = rng.uniform(minx, maxx, m)
        y = rng.uniform(miny, maxy, m)
        ok = np.flatnonzero(shapely.contains_xy(geom, x, y))[: len(need)]
        xs[need[: len(ok)]], ys[need[: len(ok)]] = x[ok], y[ok]
        need = need[len(ok) :]
    return xs, ys


# -- the world -----------------------------------------------------------------------------


class _World:
    def __init__(self, boundaries: gpd.GeoDataFrame, n_people: int, seed: int) -> None:
        self.rng = np.random.default_rng(np.random.SeedSequence([seed, 0xC0FFEE, n_people]))
        self.seed = seed
        self.n_total = n_people
        self.R = _Region(boundaries, self.rng)
        self.V = _Venues()
        self.sight: list[dict[str, np.ndarray]] = []
        self.ties: list[dict[str, np.ndarray]] = []
        self.reloc: list[tuple[int, int, int, int, str]] = []  # person, from, to, day, kind
        self.planted_venues: set[int] = set()

    # ---- recording helpers ----------------------------------------------------------
    def add_sightings(
        self,
        person: IntArray,
        venue: IntLike,
        day: IntLike,
        context: StrLike,
        source: StrLike,
        rel: IntLike,
        tag: str = "bg",
    ) -> None:
        person = np.asarray(person, dtype=np.int64)
        n = len(person)
        if not n:
            return
        self.sight.append(
            {
                "p": person,
                "v": np.broadcast_to(np.asarray(venue, dtype=np.int64), (n,)).copy(),
                "d": np.clip(np.broadcast_to(np.asarray(day, dtype=np.int64), (n,)), 0, W).copy(),
                "c": np.broadcast_to(np.asarray(context, dtype=object), (n,)).copy(),
                "s": np.broadcast_to(np.asarray(source, dtype=object), (n,)).copy(),
                "r": np.broadcast_to(np.asarray(rel, dtype=np.int64), (n,)).copy(),
                "t": np.full(n, tag, dtype=object),
            }
        )

    def add_ties(
        self,
        a: IntArray,
        b: IntArray,
        kind: StrLike,
        first: IntLike,
        source: StrLike,
        rel: IntLike,
        last: IntLike | None = None,
        tag: str = "bg",
    ) -> None:
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        keep = (a != b) & (a >= 0) & (b >= 0)
        n = len(a)
        if not keep.any():
            return
        first = np.clip(np.broadcast_to(np.asarray(first, dtype=np.int64), (n,)), 0, W)
        if last is None:
            gap = self.rng.exponential(120.0, n).astype(np.int64)
            last = np.where(self.rng.random(n) < 0.6, np.minimum(first + gap, W), -1)
        last = np.broadcast_to(np.asarray(last, dtype=np.int64), (n,))
        last = np.where(last >= 0, np.maximum(last, first), -1)
        self.ties.append(
            {
                "a": a[keep],
                "b": b[keep],
                "k": np.broadcast_to(np.asarray(kind, dtype=object), (n,))[keep].copy(),
                "f": first[keep].copy(),
                "l": last[keep].copy(),
                "s": np.broadcast_to(np.asarray(source, dtype=object), (n,))[keep].copy(),
                "r": np.broadcast_to(np.asarray(rel, dtype=np.int64), (n,))[keep].copy(),
                "t": np.full(int(keep.sum()), tag, dtype=object),
            }
        )

    def rel(self, n: int, p: tuple[float, float, float, float]) -> IntArray:
        q = np.asarray(p, dtype=float)
        return self.rng.choice(4, size=n, p=q / q.sum())

    # ---- partners' recording habits -------------------------------------------------
    def partner_styles(self) -> None:
        rng, n = self.rng, self.R.n
        self.grading = _mix(
            rng, n, {"standard": 0.55, "cautious": 0.2, "vague": 0.12, "confident": 0.13}
        )
        self.date_style = _mix(rng, n, {"iso": 0.7, "uk": 0.3})
        self.case_style = _mix(rng, n, {"lower": 0.75, "title": 0.25})
        self.coord_style = _mix(rng, n, {"bng": 0.7, "lonlat": 0.22, "both": 0.08})
        self.auth_style = _mix(rng, n, {"code": 0.8, "name": 0.2})
        self.id_style = _mix(rng, n, {"yp": 0.7, "ch": 0.3})

    # ---- people ---------------------------------------------------------------------
    def people(self, n_cohort: int) -> None:
        rng, reg = self.rng, self.R
        self.n = n_cohort
        self.living = rng.choice(reg.n, size=n_cohort, p=reg.weight)
        ages = np.arange(10, 19)
        p_age = np.array([4, 5, 7, 10, 14, 17, 17, 15, 11], dtype=float)
        self.age = rng.choice(ages, size=n_cohort, p=p_age / p_age.sum())
        self.sex = _mix(rng, n_cohort, {"F": 0.47, "M": 0.49, "X": 0.005, "unknown": 0.035})
        self.lac = rng.random(n_cohort) < (0.05 + 0.006 * (self.age - 10))
        self.placed = self.lac & (rng.random(n_cohort) < 0.41)
        self.origin = self.living.copy()
        self.home = self.living.copy()
        self.place_day = np.full(n_cohort, -1, dtype=np.int64)
        self.used = np.zeros(n_cohort, dtype=bool)
        self.adult = np.zeros(n_cohort, dtype=bool)
        for i in np.flatnonzero(self.placed):
            self._place(int(i), int(rng.integers(-365, W - 60)))
        # other moves: housing, family, education, secure
        movers = np.flatnonzero(~self.placed & (rng.random(n_cohort) < 0.01))
        for i in movers:
            a = int(self.living[i])
            frm = (
                int(reg.neighbour(np.array([a]), rng)[0])
                if rng.random() < 0.7
                else int(rng.integers(reg.n))
            )
            if frm != a:
                kind = str(
                    _mix(rng, 1, {"housing": 0.5, "family": 0.3, "education": 0.1, "secure": 0.1})[
                        0
                    ]
                )
                self.reloc.append((int(i), frm, a, int(rng.integers(-200, W - 30)), kind))

    def _place(self, i: int, day: int) -> None:
        """Make person ``i`` a looked-after child placed into where they live."""
        reg, rng = self.R, self.rng
        a = int(self.living[i])
        if reg.n < 2:
            return
        if rng.random() < 0.55 and reg.deg[a]:
            frm = int(reg.nbrs[a][rng.integers(reg.deg[a])])
        else:
            near = np.flatnonzero((reg.dist[a] < 80) & (np.arange(reg.n) != a))
            pool = near if len(near) else np.flatnonzero(np.arange(reg.n) != a)
            frm = int(pool[rng.integers(len(pool))])
        self.lac[i] = True
        self.placed[i] = True
        self.origin[i] = frm
        self.home[i] = frm if rng.random() < 0.4 else a
        self.place_day[i] = day
        self.reloc.append((i, frm, a, day, "care_placement"))

    # ---- venues ---------------------------------------------------------------------
    def venues(self) -> None:
        rng, reg, ven = self.rng, self.R, self.V
        resident = np.bincount(self.living, minlength=reg.n).astype(float)
        resident = np.maximum(resident, self.n * reg.weight)
        self.childrens_homes: list[IntArray] = []
        other_labels = [
            "Car park",
            "Stairwell",
            "Corner shop",
            "Leisure centre",
            "Bowling alley",
            "Barber",
            "Vape shop",
            "Underpass",
            "Garages",
            "",
        ]
        for a in range(reg.n):
            r = resident[a]
            counts = {
                "school": int(np.clip(round(2 + r / 400), 1, 30)),
                "park": int(np.clip(round(1 + r / 500), 1, 25)),
                "fast_food": int(np.clip(round(1 + r / 450), 1, 30)),
                "shopping_centre": int(r > 150) + int(r > 1500) + int(r > 5000),
                "transport_hub": int(np.clip(round(1 + r / 1500), 1, 8)),
                "youth_venue": int(np.clip(round(r / 700), 1, 12)),
                "hotel": int(np.clip(round(r / 1500 + rng.random() * 0.8), 0, 6)),
                "residential": int(np.clip(round(r / 150), 2, 60)),
                "other": int(np.clip(round(r / 800), 1, 10)),
            }
            n_homes = int(np.clip(round(r / 1200 + rng.random()), 0, 12))
            total = sum(counts.values()) + n_homes
            n_centres = 1 + int(min(4, reg.area_km2[a] // 60))
            ccx = np.concatenate([[reg.rx[a]], np.zeros(n_centres - 1)])
            ccy = np.concatenate([[reg.ry[a]], np.zeros(n_centres - 1)])
            if n_centres > 1:
                sx, sy = _points_in(
                    reg.geoms[a],
                    n_centres - 1,
                    np.full(n_centres - 1, reg.rx[a]),
                    np.full(n_centres - 1, reg.ry[a]),
                    1e9,
                    rng,
                )
                ccx[1:], ccy[1:] = sx, sy
            which = np.where(rng.random(total) < 0.5, 0, rng.integers(0, n_centres, total))
            sd = 0.15 * math.sqrt(max(reg.area_km2[a], 1.0)) * 1000
            xs, ys = _points_in(reg.geoms[a], total, ccx[which], ccy[which], sd, rng)
            pops = rng.lognormal(0.0, 0.8, total)
            j = 0
            for kind, c in counts.items():
                for m in range(c):
                    pop = float(pops[j])
                    label = {
                        "school": "College" if m % 5 == 4 else "Secondary school",
                        "park": "Park",
                        "fast_food": "Chicken shop" if m % 2 else "Takeaway",
                        "shopping_centre": "Shopping centre",
                        "transport_hub": "Main station" if m == 0 else "Bus station",
                        "youth_venue": "Youth club",
                        "hotel": "Hotel",
                        "residential": "",
                        "other": other_labels[int(rng.integers(len(other_labels)))],
                    }[kind]
                    if kind == "transport_hub" and m == 0:
                        pop *= 4.0
                        px, py = _points_in(
                            reg.geoms[a],
                            1,
                            np.array([reg.rx[a]]),
                            np.array([reg.ry[a]]),
                            300.0,
                            rng,
                        )
                        xs[j], ys[j] = px[0], py[0]
                    if kind == "shopping_centre" and m == 0:
                        pop *= 3.0
                    if kind == "school":
                        pop = 1.0 + 0.3 * pop
                    ven.add(a, kind, pop, float(xs[j]), float(ys[j]), label)
                    j += 1
            home_ids = [
                ven.add(
                    a, "residential", 0.2, float(xs[j + h]), float(ys[j + h]), "Children's home"
                )
                for h in range(n_homes)
            ]
            self.childrens_homes.append(np.array(home_ids, dtype=np.int64))
            n_online = int(np.clip(round(1 + r / 1000), 1, 12))
            plats = _mix(
                rng,
                n_online,
                {
                    "snapchat": 0.35,
                    "instagram": 0.2,
                    "whatsapp": 0.2,
                    "tiktok": 0.1,
                    "gaming": 0.08,
                    "telegram": 0.04,
                    "other": 0.03,
                },
            )
            for plat in plats:
                label = "Gaming server" if plat == "gaming" else "Group chat"
                ven.add(a, "online", float(rng.lognormal(0, 0.8)), np.nan, np.nan, label, plat)
        ven.freeze(reg.n)
        # where each young person goes to school, and whether they live in a children's home
        auth = self.living.copy()
        away = rng.random(self.n) < 0.08
        auth[away] = reg.neighbour(auth[away], rng)
        self.school = ven.pick(rng, auth, np.full(self.n, KI["school"]))
        self.home_venue = np.full(self.n, -1, dtype=np.int64)
        ch = np.flatnonzero(self.placed & (rng.random(self.n) < 0.33))
        for i in ch:
            homes = self.childrens_homes[int(self.living[i])]
            if len(homes):
                self.home_venue[i] = homes[rng.integers(len(homes))]

    def new_venue(self, a: int, kind: str, label: str, pop: float = 0.3) -> int:
        reg = self.R
        cx = np.array([reg.rx[a]])
        cy = np.array([reg.ry[a]])
        sd = 0.2 * math.sqrt(max(reg.area_km2[a], 1.0)) * 1000
        x, y = _points_in(reg.geoms[a], 1, cx, cy, sd, self.rng)
        v = self.V.add(a, kind, pop, float(x[0]), float(y[0]), label)
        return v

    # ---- choosing people for planted roles -----------------------------------------
    def choose(
        self,
        auth: int,
        ages: tuple[int, int],
        p_female: float,
        weight_lac: bool = True,
        placed: bool = False,
    ) -> int:
        """An unused young person living in ``auth``; moved there if nobody fits."""
        rng = self.rng
        want_f = rng.random() < p_female
        base = ~self.used & ~self.adult & (self.age >= ages[0]) & (self.age <= ages[1])
        for strict in (3, 2, 1, 0):
            m = base & (self.living == auth) if strict >= 1 else base.copy()
            if strict >= 2:
                m &= self.sex == ("F" if want_f else "M")
            if strict >= 3 and placed:
                m &= self.placed
            cand = np.flatnonzero(m)
            if len(cand):
                w = np.ones(len(cand))
                if weight_lac:
                    w += 2.0 * self.lac[cand] + 5.0 * self.placed[cand]
                i = int(cand[rng.choice(len(cand), p=w / w.sum())])
                break
        else:  # pragma: no cover - only when the cohort is exhausted
            i = int(rng.choice(np.flatnonzero(~self.used & ~self.adult)))
        if self.living[i] != auth:
            self.move(i, auth)
        self.sex[i] = "F" if want_f else "M"
        self.used[i] = True
        return i

    def move(self, i: int, auth: int) -> None:
        """Person ``i`` lives in ``auth`` from the start (their relocations follow)."""
        self.living[i] = auth
        if self.placed[i] and self.origin[i] != auth:
            self.reloc = [
                (p, f, auth if p == i and k == "care_placement" else t, d, k)
                for p, f, t, d, k in self.reloc
            ]
            return
        self.reloc = [r for r in self.reloc if r[0] != i]
        self.placed[i] = False
        self.home[i] = self.origin[i] = auth

    def add_adult(self, auth: int, ages: tuple[int, int] = (19, 24)) -> int:
        """Turn an unused cohort slot into an adult exploiter living in ``auth``."""
        cand = np.flatnonzero(~self.used & ~self.adult & (self.age >= 16))
        i = int(cand[self.rng.integers(len(cand))])
        self.adult[i] = True
        self.used[i] = True
        self.age[i] = int(self.rng.integers(ages[0], ages[1] + 1))
        self.sex[i] = "M" if self.rng.random() < 0.85 else "F"
        self.lac[i] = False
        self.placed[i] = False
        self.reloc = [r for r in self.reloc if r[0] != i]
        self.living[i] = self.home[i] = self.origin[i] = auth
        return i

    # ---- background life ------------------------------------------------------------
    def scatter(
        self,
        rate: np.ndarray,
        kinds: dict[str, float],
        contexts: dict[str, float],
        sources: dict[str, float],
        rel: tuple[float, float, float, float],
        travel: float = 0.12,
        own_school: float = 0.85,
        at_home: float = 0.0,
        window: tuple[np.ndarray, np.ndarray] | None = None,
        tag: str = "bg",
        people: IntArray | None = None,
    ) -> None:
        rng, reg, ven = self.rng, self.R, self.V
        cnt = rng.poisson(rate)
        base = np.arange(len(rate)) if people is None else np.asarray(people)
        p = np.repeat(base, cnt)
        m = len(p)
        if not m:
            return
        kind = np.array([KI[k] for k in _mix(rng, m, kinds)], dtype=np.int64)
        auth = self.living[p].copy()
        t = rng.random(m) < travel
        auth[t] = reg.neighbour(auth[t], rng)
        back = self.placed[p] & (rng.random(m) < 0.08)
        auth[back] = self.origin[p[back]]
        venue = ven.pick(rng, auth, kind)
        sch = (kind == KI["school"]) & (rng.random(m) < own_school)
        venue[sch] = self.school[p[sch]]
        if at_home:
            hv = self.home_venue[p]
            h = (hv >= 0) & (rng.random(m) < at_home)
            venue[h] = hv[h]
        if window is None:
            day = rng.integers(0, W + 1, m)
        else:
            lo = np.repeat(window[0], cnt)
            hi = np.repeat(window[1], cnt)
            day = lo + np.floor(rng.random(m) * (hi - lo + 1)).astype(np.int64)
        self.add_sightings(
            p, venue, day, _mix(rng, m, contexts), _mix(rng, m, sources), self.rel(m, rel), tag
        )

    def background(self) -> None:
        rng, n = self.rng, self.n
        age, f = self.age, self.sex == "F"
        male = self.sex == "M"
        live = ~self.adult
        young = (age <= 15).astype(float)
        self.scatter(  # bullying
            live * (0.1 + 0.15 * young),
            {"school": 0.85, "park": 0.05, "youth_venue": 0.05, "fast_food": 0.05},
            {"bullying": 1.0},
            {"school": 0.8, "social_care": 0.05, "young_person": 0.1, "youth_service": 0.05},
            (0.3, 0.5, 0.15, 0.05),
            travel=0.03,
        )
        self.scatter(  # online harassment and image sharing
            live * (0.05 + 0.05 * (age >= 13)),
            {"online": 1.0},
            {"online_harassment": 0.6, "image_sharing": 0.4},
            {"school": 0.55, "social_care": 0.15, "police": 0.15, "young_person": 0.15},
            (0.35, 0.45, 0.15, 0.05),
            travel=0.1,
        )
        self.scatter(  # missing episodes
            live * np.where(self.placed, 1.8, np.where(self.lac, 1.1, 0.12)),
            {
                "transport_hub": 0.3,
                "residential": 0.25,
                "park": 0.12,
                "fast_food": 0.12,
                "shopping_centre": 0.08,
                "other": 0.08,
                "hotel": 0.05,
            },
            {"missing_episode": 1.0},
            {"police": 0.55, "social_care": 0.4, "health": 0.05},
            (0.05, 0.5, 0.15, 0.3),
            travel=0.15,
            at_home=0.4,
        )
        self.scatter(  # serious youth violence
            live * (0.02 + 0.06 * (male & (age >= 14))),
            {
                "park": 0.25,
                "transport_hub": 0.2,
                "fast_food": 0.2,
                "shopping_centre": 0.1,
                "school": 0.1,
                "residential": 0.1,
                "other": 0.05,
            },
            {"serious_youth_violence": 1.0},
            {"police": 0.7, "school": 0.1, "health": 0.1, "youth_service": 0.1},
            (0.15, 0.4, 0.3, 0.15),
        )
        self.scatter(  # harmful sexual behaviour
            live * 0.02,
            {"school": 0.6, "park": 0.2, "residential": 0.1, "online": 0.1},
            {"harmful_sexual_behaviour": 1.0},
            {"school": 0.6, "social_care": 0.3, "police": 0.1},
            (0.3, 0.45, 0.2, 0.05),
        )
        teen = (age >= 12) & (age <= 17)
        cse_p = teen * live * np.where(f, 0.045, 0.012)
        cce_p = ((age >= 13) & (age <= 17)) * live * np.where(male, 0.05, 0.015)
        for ctx, p, kinds in (
            (
                "cse",
                cse_p,
                {
                    "park": 0.2,
                    "fast_food": 0.2,
                    "shopping_centre": 0.15,
                    "transport_hub": 0.1,
                    "residential": 0.15,
                    "hotel": 0.03,
                    "online": 0.12,
                    "other": 0.05,
                },
            ),
            (
                "cce",
                cce_p,
                {
                    "transport_hub": 0.25,
                    "park": 0.2,
                    "residential": 0.2,
                    "fast_food": 0.15,
                    "other": 0.15,
                    "school": 0.05,
                },
            ),
        ):
            who = rng.random(n) < p
            self.scatter(
                who * (1.0 + 0.3 * rng.random(n)),
                kinds,
                {ctx: 1.0},
                {
                    "police": 0.35,
                    "social_care": 0.3,
                    "school": 0.15,
                    "health": 0.1,
                    "voluntary_sector": 0.1,
                },
                (0.45, 0.4, 0.12, 0.03),
            )
        self.scatter(  # other concerns
            live * 0.06,
            {
                "school": 0.3,
                "park": 0.15,
                "fast_food": 0.15,
                "residential": 0.15,
                "youth_venue": 0.1,
                "transport_hub": 0.1,
                "other": 0.05,
            },
            {"other": 1.0},
            {"school": 0.3, "social_care": 0.3, "police": 0.2, "youth_service": 0.2},
            (0.3, 0.5, 0.15, 0.05),
        )

    def background_ties(self) -> None:
        rng, reg, n = self.rng, self.R, self.n
        order = np.lexsort((self.age, self.school))
        pos = np.empty(n, dtype=np.int64)
        pos[order] = np.arange(n)
        sch_sorted = self.school[order]
        b_start = np.searchsorted(sch_sorted, self.school, side="left")
        b_end = np.searchsorted(sch_sorted, self.school, side="right")

        def schoolmate(p: IntArray) -> IntArray:
            off = rng.integers(1, 6, len(p)) * np.where(rng.random(len(p)) < 0.5, -1, 1)
            q = np.clip(pos[p] + off, b_start[p], b_end[p] - 1)
            return np.asarray(order[q], dtype=np.int64)

        live = ~self.adult
        # friends from school
        k = rng.poisson(0.9 * live)
        a = np.repeat(np.arange(n), k)
        b = schoolmate(a)
        a, b = self.nearby(a, b)
        m = len(a)
        self.add_ties(
            a,
            b,
            "friend",
            rng.integers(0, W + 1, m),
            _mix(
                rng,
                m,
                {
                    "school": 0.5,
                    "social_care": 0.15,
                    "youth_service": 0.1,
                    "young_person": 0.15,
                    "police": 0.1,
                },
            ),
            self.rel(m, (0.25, 0.5, 0.2, 0.05)),
        )
        # partners and ex-partners
        who = np.flatnonzero(live & (self.age >= 13) & (rng.random(n) < 0.055))
        b = schoolmate(who)
        who, b = self.nearby(who, b)
        m = len(who)
        kinds = np.where(rng.random(m) < 0.7, "partner", "ex_partner").astype(object)
        first = rng.integers(0, W + 1, m)
        self.add_ties(
            who,
            b,
            kinds,
            first,
            _mix(
                rng,
                m,
                {
                    "school": 0.35,
                    "social_care": 0.25,
                    "police": 0.2,
                    "health": 0.1,
                    "young_person": 0.1,
                },
            ),
            self.rel(m, (0.2, 0.5, 0.2, 0.1)),
        )
        tra = rng.random(m) < 0.3
        pa = np.where(rng.random(m) < 0.5, who, b)[tra]
        self.scatter(
            np.full(len(pa), 1.3),
            {"residential": 0.4, "park": 0.2, "school": 0.2, "online": 0.2},
            {"teenage_relationship_abuse": 1.0},
            {"police": 0.35, "school": 0.3, "social_care": 0.25, "health": 0.1},
            (0.2, 0.45, 0.25, 0.1),
            people=pa,
            window=(first[tra], np.minimum(first[tra] + 120, W)),
        )
        # siblings: same authority, or the authority a placed child came from
        who = np.flatnonzero(live & (rng.random(n) < 0.05))
        target = np.where(
            self.placed[who] & (rng.random(len(who)) < 0.6), self.origin[who], self.living[who]
        )
        sib = self.random_resident(target)
        m = len(who)
        self.add_ties(
            who,
            sib,
            "sibling",
            rng.integers(0, W + 1, m),
            _mix(rng, m, {"social_care": 0.7, "school": 0.2, "health": 0.1}),
            self.rel(m, (0.02, 0.18, 0.3, 0.5)),
        )
        # associates: own authority, a neighbour now and then
        k = rng.poisson(0.25 * live)
        a = np.repeat(np.arange(n), k)
        t = self.living[a].copy()
        away = rng.random(len(a)) < 0.15
        t[away] = reg.neighbour(t[away], rng)
        b = self.random_resident(t)
        m = len(a)
        self.add_ties(
            a,
            b,
            "associate",
            rng.integers(0, W + 1, m),
            _mix(rng, m, {"police": 0.5, "youth_service": 0.2, "social_care": 0.2, "other": 0.1}),
            self.rel(m, (0.35, 0.45, 0.15, 0.05)),
        )
        # unsubstantiated exploitation concerns
        who = np.flatnonzero(live & (self.age <= 16) & (rng.random(n) < 0.002))
        older = self.random_resident(self.living[who], min_age=17)
        m = len(who)
        self.add_ties(
            older,
            who,
            "exploiter",
            rng.integers(0, W + 1, m),
            _mix(rng, m, {"social_care": 0.5, "school": 0.3, "police": 0.2}),
            self.rel(m, (0.6, 0.4, 0.0, 0.0)),
        )

    def nearby(self, a: IntArray, b: IntArray) -> tuple[IntArray, IntArray]:
        """Keep the pairs living in one authority or in neighbouring ones."""
        ok = self.R.adj[self.living[a], self.living[b]]
        return a[ok], b[ok]

    def random_resident(self, auth: IntArray, min_age: int = 10) -> IntArray:
        """A random young person living in each of ``auth`` (-1 when there is none)."""
        auth = np.asarray(auth, dtype=np.int64)
        ok = ~self.adult & (self.age >= min_age)
        idx = np.flatnonzero(ok)
        order = idx[np.argsort(self.living[idx], kind="stable")]
        la = self.living[order]
        s = np.searchsorted(la, auth, side="left")
        e = np.searchsorted(la, auth, side="right")
        out = np.full(len(auth), -1, dtype=np.int64)
        has = e > s
        j = s[has] + np.floor(self.rng.random(has.sum()) * (e[has] - s[has])).astype(np.int64)
        out[has] = order[j]
        return out

    def street_groups(self) -> None:
        rng, reg, ven = self.rng, self.R, self.V
        n_groups = max(1, round(self.n / 450))
        for _ in range(n_groups):
            a = int(rng.choice(reg.n, p=reg.weight))
            size = int(rng.integers(5, 13))
            cand = np.flatnonzero(
                ~self.used
                & ~self.adult
                & (self.age >= 14)
                & np.isin(self.living, np.concatenate([[a], reg.nbrs[a]]))
            )
            if len(cand) < 3:
                continue
            w = np.where(self.living[cand] == a, 4.0, 1.0) * np.where(
                self.sex[cand] == "M", 4.0, 1.0
            )
            mem = rng.choice(cand, size=min(size, len(cand)), replace=False, p=w / w.sum())
            turf_kinds = rng.choice(["park", "other", "residential", "fast_food"], 2)
            turf = [
                int(x)
                for x in ven.pick(rng, np.array([a, a]), np.array([KI[k] for k in turf_kinds]))
            ]
            k = len(mem)
            aa, bb = self.nearby(np.repeat(mem, 2), mem[rng.integers(0, k, 2 * k)])
            m = len(aa)
            self.add_ties(
                aa,
                bb,
                "group_member",
                rng.integers(0, W + 1, m),
                _mix(rng, m, {"police": 0.8, "youth_service": 0.2}),
                self.rel(m, (0.15, 0.45, 0.3, 0.1)),
            )
            cnt = rng.poisson(1.3, k)
            p = np.repeat(mem, cnt)
            m = len(p)
            at_turf = rng.random(m) < 0.8
            venue = np.where(
                at_turf,
                np.array(turf)[rng.integers(0, 2, m)],
                ven.pick(rng, self.living[p], KI["park"]),
            )
            self.add_sightings(
                p,
                venue,
                rng.integers(0, W + 1, m),
                _mix(
                    rng,
                    m,
                    {
                        "gang_association": 0.45,
                        "serious_youth_violence": 0.3,
                        "other": 0.17,
                        "cce": 0.08,
                    },
                ),
                _mix(rng, m, {"police": 0.75, "youth_service": 0.15, "school": 0.1}),
                self.rel(m, (0.15, 0.45, 0.3, 0.1)),
            )

    # ---- planted stories ------------------------------------------------------------
    def plan(self) -> None:
        """Choose designs, hosts, the county line and decoys; count the adults needed."""
        rng, reg = self.rng, self.R
        k = int(rng.choice([2, 3, 4], p=[0.3, 0.45, 0.25]))
        names = list(DESIGNS)
        self.designs = [str(x) for x in rng.choice(names, size=k, replace=False)]
        self.line_plan = self.plan_line()
        taken = set()
        if self.line_plan is not None:
            taken.add(self.line_plan[1])
        hosts: list[int] = []
        eligible = np.flatnonzero(reg.deg > 0) if (reg.deg > 0).any() else np.arange(reg.n)
        for d in self.designs:
            kind = DESIGNS[d].kind
            pool = [int(x) for x in eligible if int(x) not in taken]
            if not pool:
                pool = [int(x) for x in eligible]
            w = reg.weight[pool].copy()
            if kind in ("shopping_centre", "hotel"):
                w = w**1.5
            a = int(rng.choice(pool, p=w / w.sum()))
            hosts.append(a)
            taken.add(a)
        self.hosts = hosts

    def plan_line(self) -> tuple[int, int, float] | None:
        rng, reg = self.rng, self.R
        self.line_policy = "none: region spans under 35 km"
        if reg.span_km < 35 or reg.n < 3:
            return None
        idx = np.arange(reg.n)
        nb = np.zeros((reg.n, reg.n), dtype=bool)
        for a in range(reg.n):
            nb[a, reg.nbrs[a]] = True
        if reg.span_km >= 120:
            self.line_policy = "county line: London or a big city to a county town, 40-250 km"
            coast = reg.coastal()
            origins = idx[reg.london | reg.big_city]
            if not len(origins):
                origins = idx[np.argsort(-reg.weight)[:5]]
            use_london = reg.london[origins].any() and rng.random() < 0.5
            if use_london:
                origins = origins[reg.london[origins]]
            elif (~reg.london[origins]).any():
                origins = origins[~reg.london[origins]]
            o = int(rng.choice(origins, p=reg.weight[origins] / reg.weight[origins].sum()))
            d = reg.dist[o]
            ok = (d >= 40) & (d <= 250) & ~reg.london & ~reg.big_city & ~(coast & coast[o])
            if not ok.any():
                return None
            w = np.exp(-((d - 100.0) ** 2) / (2 * 50.0**2)) * np.sqrt(reg.weight) * ok
            dest = int(rng.choice(idx, p=w / w.sum()))
            return o, dest, float(d[dest])
        self.line_policy = "local line: inner to non-neighbouring borough, at least 15 km"
        inner = idx[np.isin(reg.norm, list(_INNER_LONDON))]
        origins = inner if len(inner) else idx[np.argsort(-reg.weight)[:3]]
        for _ in range(20):
            o = int(rng.choice(origins))
            ok = (reg.dist[o] >= 15) & ~nb[o] & (idx != o) & ~np.isin(idx, inner)
            if ok.any():
                w = reg.weight * ok
                dest = int(rng.choice(idx, p=w / w.sum()))
                return o, dest, float(reg.dist[o, dest])
        self.line_policy = "none: no authority pair at least 15 km apart and not neighbours"
        return None

    def plant_hubs(self) -> list[dict[str, Any]]:
        return [
            self.plant_hub(design, host)
            for design, host in zip(self.designs, self.hosts, strict=True)
        ]

    def _hub_venue(self, d: _Design, a: int) -> int:
        ven, rng = self.V, self.rng
        if d.new_venue or d.kind == "hotel":
            if d.kind == "hotel":
                have = ven.of(a, "hotel")
                if len(have) and rng.random() < 0.7:
                    return int(have[rng.integers(len(have))])
            return self.new_venue(a, d.kind, d.label)
        have = ven.of(a, d.kind)
        if not len(have):
            return self.new_venue(a, d.kind, d.label or d.kind.replace("_", " ").title())
        pops = ven.p[have]
        return int(have[rng.choice(len(have), p=pops / pops.sum())])

    def _victims(self, d: _Design, a: int, n_v: int, start: int) -> list[int]:
        rng, reg = self.rng, self.R
        victims: list[int] = []
        for slot in range(n_v):
            u = rng.random()
            if u < d.p_placed:
                i = self.choose(a, d.ages, d.p_female, placed=True)
                if not self.placed[i] and reg.n > 1:
                    self._place(i, start - int(rng.integers(20, 300)))
            elif u < d.p_placed + d.p_neighbour and reg.deg[a]:
                nb = int(reg.nbrs[a][rng.integers(reg.deg[a])])
                i = self.choose(nb, d.ages, d.p_female)
            else:
                i = self.choose(a, d.ages, d.p_female)
            victims.append(i)
            if slot == 1 and d.p_neighbour > 0 and reg.deg[a]:
                others = {int(self.living[v]) for v in victims} | {
                    int(self.home[v]) for v in victims
                }
                if others == {a}:  # make sure most hubs reach beyond the host
                    nb = int(reg.nbrs[a][rng.integers(reg.deg[a])])
                    victims.append(self.choose(nb, d.ages, d.p_female))
        return victims

    def plant_hub(self, design: str, a: int) -> dict[str, Any]:
        d = DESIGNS[design]
        rng = self.rng
        dur = int(rng.integers(d.duration[0], d.duration[1] + 1))
        start = int(rng.integers(30, max(31, W - dur - 20)))
        end = min(start + dur, W)
        n_v = int(rng.integers(d.victims[0], d.victims[1] + 1))
        victims = self._victims(d, a, n_v, start)
        peers = []
        for _ in range(d.peers):
            pa = (
                a
                if rng.random() < 0.6 or not self.R.deg[a]
                else int(self.R.nbrs[a][rng.integers(self.R.deg[a])])
            )
            j = self.choose(pa, (17, 18), d.peer_female, weight_lac=False)
            peers.append(j)
        adults = [self.add_adult(a) for _ in range(d.adults)]
        return {
            "design": design,
            "d": d,
            "host": a,
            "start": start,
            "end": end,
            "victims": victims,
            "peers": peers,
            "adults": adults,
        }

    def hub_records(self, h: dict[str, Any], tag: str) -> None:
        rng, d, ven = self.rng, h["d"], self.V
        a, start, end = h["host"], h["start"], h["end"]
        victims = np.array(h["victims"], dtype=np.int64)
        h["venue"] = venue = self._hub_venue(d, a)
        self.planted_venues.add(venue)
        ven.freeze(self.R.n)
        nv = len(victims)
        k = np.where(rng.random(nv) < 0.2, 1, np.minimum(2 + rng.poisson(d.lam, nv), 6))
        p = np.repeat(victims, k)
        m = len(p)
        day = start + np.floor(rng.random(m) * (end - start + 1)).astype(np.int64)
        ctx = _mix(rng, m, d.harm)
        src = _mix(rng, m, d.sources)
        rel = self.rel(m, (0.2, 0.35, 0.3, 0.15))
        self.add_sightings(p, venue, day, ctx, src, rel, tag)
        # partner agencies both record a tenth of incidents
        dup = rng.random(m) < 0.1
        self.add_sightings(
            p[dup],
            venue,
            day[dup],
            ctx[dup],
            _mix(rng, int(dup.sum()), d.sources),
            self.rel(int(dup.sum()), (0.1, 0.4, 0.35, 0.15)),
            tag,
        )
        if d.raid:
            raid_day = int(start + (end - start) * (0.5 + 0.5 * rng.random()))
            found = victims[rng.random(nv) < rng.uniform(0.5, 0.8)]
            if len(found) < 2:
                found = victims[:2]
            nf = len(found)
            self.add_sightings(
                found,
                venue,
                raid_day,
                np.where(
                    rng.random(nf) < 0.6,
                    "missing_episode",
                    "cse" if d.harm.get("cse", 0) > d.harm.get("cce", 0) else "cce",
                ),
                "police",
                self.rel(nf, (0.0, 0.1, 0.3, 0.6)),
                tag,
            )
        # exploiters seen at the venue
        expl = np.array(h["peers"] + h["adults"], dtype=np.int64)
        if len(expl):
            ke = rng.poisson(0.9, len(expl))
            pe = np.repeat(expl, ke)
            me = len(pe)
            self.add_sightings(
                pe,
                venue,
                start + np.floor(rng.random(me) * (end - start + 1)).astype(int),
                _mix(
                    rng,
                    me,
                    {"cce": 0.3, "gang_association": 0.3, "other": 0.4}
                    if "cce" in d.harm
                    else {"cse": 0.3, "other": 0.7},
                ),
                _mix(rng, me, {"police": 0.8, "social_care": 0.2}),
                self.rel(me, (0.2, 0.4, 0.3, 0.1)),
                tag,
            )
        # missing from home while it lasts
        self.scatter(
            np.full(nv, 1.5),
            {
                "transport_hub": 0.35,
                "residential": 0.3,
                "park": 0.1,
                "fast_food": 0.1,
                "shopping_centre": 0.1,
                "other": 0.05,
            },
            {"missing_episode": 1.0},
            {"police": 0.5, "social_care": 0.5},
            (0.05, 0.55, 0.2, 0.2),
            travel=0.05,
            at_home=0.6,
            people=victims,
            window=(np.full(nv, start), np.full(nv, end)),
            tag=tag + "-home",
        )
        # online grooming space
        if rng.random() < d.online:
            on = self.V.pick(rng, np.array([a]), np.array([KI["online"]]))[0]
            h["online"] = int(on)
            who = victims[rng.random(nv) < 0.5]
            if len(who) < 2:
                who = victims[:2]
            nw = len(who)
            self.add_sightings(
                who,
                on,
                start + np.floor(rng.random(nw) * (end - start + 1)).astype(int),
                _mix(rng, nw, {"image_sharing": 0.6, "cse": 0.3, "online_harassment": 0.1}),
                _mix(rng, nw, {"school": 0.4, "social_care": 0.3, "police": 0.3}),
                self.rel(nw, (0.3, 0.4, 0.2, 0.1)),
                tag + "-online",
            )
        # ties among victims
        ia, ib = np.triu_indices(nv, 1)
        keep = rng.random(len(ia)) < d.tie_density
        if not keep.any() and len(ia):
            keep[rng.integers(len(ia))] = True
        ta, tb = victims[ia[keep]], victims[ib[keep]]
        m = len(ta)
        self.add_ties(
            ta,
            tb,
            _mix(rng, m, {"friend": 0.4, "associate": 0.35, "group_member": 0.25}),
            start + np.floor(rng.random(m) * (end - start + 1)).astype(int),
            _mix(rng, m, {"police": 0.4, "social_care": 0.3, "school": 0.2, "youth_service": 0.1}),
            self.rel(m, (0.2, 0.45, 0.25, 0.1)),
            tag=tag,
        )
        # exploiter ties, some never recorded
        if len(expl):
            grid_a, grid_b = np.meshgrid(expl, victims, indexing="ij")
            ea, eb = grid_a.ravel(), grid_b.ravel()
            keep = rng.random(len(ea)) < 0.55
            if not keep.any():
                keep[rng.integers(len(ea))] = True
            ea, eb = ea[keep], eb[keep]
            m = len(ea)
            self.add_ties(
                ea,
                eb,
                "exploiter",
                start + np.floor(rng.random(m) * (end - start + 1)).astype(int),
                _mix(
                    rng,
                    m,
                    {
                        "police": 0.5,
                        "social_care": 0.3,
                        "youth_service": 0.1,
                        "voluntary_sector": 0.1,
                    },
                ),
                self.rel(m, (0.15, 0.4, 0.35, 0.1)),
                tag=tag,
            )
            if h["peers"]:  # the school sees a boyfriend or a friend
                girls = victims[rng.random(nv) < 0.4][:2]
                pr = np.full(len(girls), h["peers"][0])
                self.add_ties(
                    pr,
                    girls,
                    "partner" if d.p_female > 0.5 else "friend",
                    start + rng.integers(0, 30, len(girls)),
                    "school",
                    self.rel(len(girls), (0.3, 0.6, 0.1, 0.0)),
                    tag=tag,
                )

    def plant_line(self) -> dict[str, Any] | None:
        if self.line_plan is None:
            return None
        rng, reg = self.rng, self.R
        o, dst, dist = self.line_plan
        dur = int(rng.integers(90, 301))
        start = int(rng.integers(30, max(31, W - dur - 90)))
        end = start + dur
        runners = []
        for _ in range(int(rng.integers(3, 7))):
            i = self.choose(o, (14, 17), 0.2)
            runners.append(i)
        locals_ = [
            self.choose(dst, (15, 17), 0.3, weight_lac=False)
            for _ in range(int(rng.integers(1, 4)))
        ]
        holders = [self.add_adult(o, (19, 22))]
        if rng.random() < 0.5:
            holders.append(self.choose(o, (17, 18), 0.0, weight_lac=False))
        # relocated after disruption
        moved = []
        for i in runners[: int(rng.integers(1, 3))]:
            far = np.flatnonzero((reg.dist[o] >= 30) & (np.arange(reg.n) != dst))
            pool = (
                far
                if len(far)
                else np.flatnonzero((np.arange(reg.n) != o) & (np.arange(reg.n) != dst))
            )
            if not len(pool):
                continue
            w = np.exp(-reg.dist[o, pool] / 120.0)  # most moves stay within a region
            to = int(rng.choice(pool, p=w / w.sum()))
            day = min(end + int(rng.integers(10, 60)), W)
            self.reloc.append((i, o, to, day, "secure" if rng.random() < 0.4 else "care_placement"))
            moved.append(to)
        return {
            "o": o,
            "d": dst,
            "dist": dist,
            "start": start,
            "end": end,
            "runners": runners,
            "locals": locals_,
            "holders": holders,
            "moved": moved,
        }

    def line_records(self, ln: dict[str, Any]) -> None:
        rng, ven = self.rng, self.V
        dst, start, end = ln["d"], ln["start"], ln["end"]
        choice = rng.random()
        if choice < 0.6:
            venue = self.new_venue(dst, "residential", "")
        elif choice < 0.85:
            have = ven.of(dst, "hotel")
            venue = (
                int(have[rng.integers(len(have))])
                if len(have)
                else self.new_venue(dst, "hotel", "Hotel")
            )
        else:
            venue = self.new_venue(dst, "other", "Derelict building")
        ven.freeze(self.R.n)
        ln["venue"] = venue
        self.planted_venues.add(venue)
        runners = np.array(ln["runners"], dtype=np.int64)
        nr = len(runners)
        k = np.where(rng.random(nr) < 0.25, 1, 1 + rng.poisson(1.5, nr))
        p = np.repeat(runners, k)
        m = len(p)
        self.add_sightings(
            p,
            venue,
            start + np.floor(rng.random(m) * (end - start + 1)).astype(int),
            _mix(
                rng,
                m,
                {
                    "cce": 0.4,
                    "missing_episode": 0.25,
                    "gang_association": 0.1,
                    "serious_youth_violence": 0.1,
                    "other": 0.15,
                },
            ),
            _mix(
                rng, m, {"police": 0.7, "social_care": 0.15, "health": 0.05, "youth_service": 0.1}
            ),
            self.rel(m, (0.15, 0.35, 0.3, 0.2)),
            "line",
        )
        warrant = int(end - rng.integers(0, 10))
        found = runners[: max(2, int(rng.integers(2, 4)))]
        self.add_sightings(
            found, venue, warrant, "cce", "police", self.rel(len(found), (0, 0, 0.3, 0.7)), "line"
        )
        station = ven.of(dst, "transport_hub")
        if len(station):
            main = int(station[np.argmax(ven.p[station])])
            st = runners[rng.random(nr) < 0.4]
            self.add_sightings(
                st,
                main,
                start + np.floor(rng.random(len(st)) * (end - start + 1)).astype(int),
                "cce",
                "police",
                self.rel(len(st), (0, 0.2, 0.4, 0.4)),
                "line-station",
            )
        self.scatter(  # missing from home in the origin
            np.full(nr, 1.5),
            {"transport_hub": 0.35, "residential": 0.35, "school": 0.15, "park": 0.15},
            {"missing_episode": 1.0},
            {"police": 0.5, "social_care": 0.5},
            (0.05, 0.55, 0.2, 0.2),
            travel=0.0,
            at_home=0.5,
            people=runners,
            window=(np.full(nr, start), np.full(nr, end)),
            tag="line-home",
        )
        locs = np.array(ln["locals"], dtype=np.int64)
        kl = 1 + rng.poisson(0.6, len(locs))
        pl = np.repeat(locs, kl)
        self.add_sightings(
            pl,
            venue,
            start + np.floor(rng.random(len(pl)) * (end - start + 1)).astype(int),
            _mix(rng, len(pl), {"cce": 0.6, "gang_association": 0.2, "other": 0.2}),
            "police",
            self.rel(len(pl), (0.25, 0.45, 0.25, 0.05)),
            "line",
        )
        # ties: runners together, holders over runners, locals with runners
        ia, ib = np.triu_indices(nr, 1)
        keep = rng.random(len(ia)) < 0.4
        if not keep.any() and len(ia):
            keep[0] = True
        m = int(keep.sum())
        self.add_ties(
            runners[ia[keep]],
            runners[ib[keep]],
            _mix(rng, m, {"group_member": 0.6, "associate": 0.4}),
            start + rng.integers(0, dur_or_1(end - start), m),
            "police",
            self.rel(m, (0.15, 0.45, 0.3, 0.1)),
            tag="line",
        )
        hold = np.array(ln["holders"], dtype=np.int64)
        grid_a, grid_b = np.meshgrid(hold, runners, indexing="ij")
        ea, eb = grid_a.ravel(), grid_b.ravel()
        keep = rng.random(len(ea)) < 0.5
        if not keep.any():
            keep[0] = True
        m = int(keep.sum())
        self.add_ties(
            ea[keep],
            eb[keep],
            "exploiter",
            start + rng.integers(0, dur_or_1(end - start), m),
            _mix(rng, m, {"police": 0.7, "social_care": 0.3}),
            self.rel(m, (0.15, 0.4, 0.35, 0.1)),
            tag="line",
        )
        la = locs
        lb = runners[rng.integers(0, nr, len(la))]
        self.add_ties(
            la,
            lb,
            "associate",
            start + rng.integers(0, dur_or_1(end - start), len(la)),
            "police",
            self.rel(len(la), (0.1, 0.4, 0.4, 0.1)),
            tag="line",
        )

    def plant_decoys(self) -> list[dict[str, Any]]:
        rng, reg, ven = self.rng, self.R, self.V
        n_dec = int(rng.integers(2, 5))
        kinds = [
            str(x)
            for x in rng.permutation(
                ["school", "fast_food", "transport_hub", "park", "shopping_centre"]
            )
        ]
        out: list[dict[str, Any]] = []
        avoid = set(self.hosts)
        if self.line_plan is not None:
            avoid |= {self.line_plan[0], self.line_plan[1]}
        base = ~self.used & ~self.adult & (self.age >= 12) & (self.age <= 17)
        for kind in kinds:
            if len(out) >= n_dec:
                break
            pool = np.array(
                [a for a in range(reg.n) if a not in avoid and len(ven.of(a, kind))], dtype=np.int64
            )
            found = None
            for _ in range(min(6, len(pool))):
                w = reg.weight[pool]
                a = int(rng.choice(pool, p=w / w.sum()))
                have = np.array(
                    [v for v in ven.of(a, kind) if v not in self.planted_venues], dtype=np.int64
                )
                if not len(have):
                    continue
                if kind == "school":
                    pupils = np.bincount(
                        self.school[base & (self.school >= 0)], minlength=len(ven.a)
                    )[have]
                    venue = int(have[np.argmax(pupils)])
                    cand = np.flatnonzero(base & (self.school == venue))
                    w2 = np.ones(len(cand))
                else:
                    venue = int(have[np.argmax(ven.p[have])])
                    near = np.concatenate([[a], reg.nbrs[a]])
                    cand = np.flatnonzero(base & np.isin(self.living, near))
                    w2 = np.where(self.living[cand] == a, 2.5, 1.0)
                if len(cand) >= 6:
                    found = (a, venue, cand, w2)
                    break
            if found is None:
                continue
            a, venue, cand, w2 = found
            avoid.add(a)
            day = int(rng.integers(30, W - 30))
            size = int(rng.integers(12, 26) if kind == "school" else rng.integers(8, 16))
            people = rng.choice(cand, size=min(size, len(cand)), replace=False, p=w2 / w2.sum())
            base[people] = False
            self.used[people] = True
            m = len(people)
            ctx_table = {
                "school": {"serious_youth_violence": 0.6, "bullying": 0.2, "other": 0.2},
                "fast_food": {"serious_youth_violence": 0.8, "gang_association": 0.1, "other": 0.1},
                "transport_hub": {"serious_youth_violence": 0.7, "other": 0.3},
                "park": {
                    "harmful_sexual_behaviour": 0.25,
                    "serious_youth_violence": 0.45,
                    "other": 0.2,
                    "cse": 0.1,
                },
                "shopping_centre": {"serious_youth_violence": 0.65, "other": 0.35},
            }[kind]
            src_table = {"police": 0.5, "school": 0.3, "health": 0.1, "youth_service": 0.1}
            rel = self.rel(m, (0.25, 0.5, 0.15, 0.1))
            rel[: min(3, m)] = 3
            self.add_sightings(
                people, venue, day, _mix(rng, m, ctx_table), _mix(rng, m, src_table), rel, "decoy"
            )
            two = people[rng.random(m) < 0.25]
            self.add_sightings(
                two,
                venue,
                day,
                _mix(rng, len(two), ctx_table),
                _mix(rng, len(two), src_table),
                self.rel(len(two), (0.2, 0.5, 0.2, 0.1)),
                "decoy",
            )
            fu = people[rng.random(m) < 0.2][:3]
            self.add_sightings(
                fu,
                venue,
                day + rng.integers(1, 15, len(fu)),
                _mix(rng, len(fu), {"other": 0.5, "bullying": 0.2, "serious_youth_violence": 0.3}),
                _mix(rng, len(fu), {"school": 0.5, "youth_service": 0.5}),
                self.rel(len(fu), (0.3, 0.6, 0.1, 0.0)),
                "decoy-followup",
            )
            sus = people[: min(3, m)]
            if len(sus) >= 2:
                self.add_ties(
                    sus[:-1],
                    sus[1:],
                    "associate",
                    day,
                    "police",
                    self.rel(len(sus) - 1, (0, 0.3, 0.5, 0.2)),
                    tag="decoy",
                )
            out.append({"venue": venue, "people": people, "kind": kind, "day": day, "authority": a})
        return out

    # ---- recording partners' habits, applied last ----------------------------------
    def apply_styles(self, sight: pd.DataFrame, protect: dict[int, list[int]]) -> pd.DataFrame:
        rng = self.rng
        v = sight["v"].to_numpy()
        a = self.V.a[v]
        grading = self.grading[a]
        r = sight["r"].to_numpy().copy()
        down = (grading == "cautious") & (rng.random(len(r)) < 0.5)
        up = (grading == "confident") & (rng.random(len(r)) < 0.35)
        r = np.clip(r - down + up, 0, 3)
        c = sight["c"].to_numpy().copy()
        vague = (
            (grading == "vague")
            & np.isin(c, ["cse", "cce", "gang_association"])
            & (rng.random(len(c)) < 0.35)
        )
        c[vague] = "other"
        sight = sight.assign(r=r, c=c)
        # every hub keeps at least two victims with a record graded corroborated or better
        for venue, victims in protect.items():
            at = sight.index[(sight["v"] == venue) & sight["p"].isin(victims)]
            strong = sight.loc[at]
            have = strong.loc[strong["r"] >= 2, "p"].nunique()
            if have < 2:
                firsts = strong.drop_duplicates("p").index[:2]
                sight.loc[firsts, "r"] = np.maximum(sight.loc[firsts, "r"].to_numpy(), 2)
        return sight


def dur_or_1(x: int) -> int:
    """A positive upper bound for ``integers(0, x)``."""
    return max(1, int(x))


# -- formatting ----------------------------------------------------------------------------


def _dates(days: np.ndarray, uk: np.ndarray) -> np.ndarray:
    iso = np.datetime_as_string(
        np.datetime64(START.isoformat(), "D") + days.astype("timedelta64[D]"), unit="D"
    ).astype(object)
    if uk.any():
        s = pd.Series(iso[uk], dtype=object)
        iso[uk] = (s.str[8:10] + "/" + s.str[5:7] + "/" + s.str[0:4]).to_numpy()
    return iso


def _title(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = values.astype(object).copy()
    if mask.any():
        s = pd.Series(out[mask], dtype=object)
        up = s.isin(["cse", "cce"])
        t = s.str.replace("_", " ").str.title()
        t[up] = s[up].str.upper()
        out[mask] = t.to_numpy()
    return out


def _blank_none(values: list[str]) -> np.ndarray:
    out = np.array(values, dtype=object)
    out[out == ""] = None
    return out


def heldout_c_scenario(
    boundaries: gpd.GeoDataFrame, *, n_people: int, seed: int
) -> tuple[peermap.Dataset, HeldOutCTruth]:
    """Build held-out world C on ``boundaries`` and return the dataset and its truth.

    Parameters
    ----------
    boundaries : geopandas.GeoDataFrame
        Standard peermap boundaries (``code``, ``name``, ``geometry``).
    n_people : int
        Rows of the people table (young people, plus the few adult exploiters).
    seed : int
        Seed; the same seed, size and boundaries give the same world.
    """
    w = _World(boundaries, n_people, seed)
    reg, rng = w.R, w.rng
    w.partner_styles()
    w.people(n_people)
    w.plan()
    hubs = w.plant_hubs()  # cast the planted roles first: they shape where people live
    line = w.plant_line()
    w.venues()
    w.school[w.adult] = -1
    # background life once every planted role has been cast
    w.background()
    w.background_ties()
    w.street_groups()
    for i, h in enumerate(hubs):
        w.hub_records(h, f"hub{i}")
    if line is not None:
        w.line_records(line)
    decoys = w.plant_decoys()
    w.V.freeze(reg.n)

    # ---- ids ----------------------------------------------------------------------
    n = w.n
    nums = rng.choice(np.arange(100000, 1000000), size=n, replace=False)
    yp = w.id_style[w.living] == "yp"
    pid = np.where(
        yp, np.char.add("YP0", nums.astype(str)), np.char.add("CH-", nums.astype(str))
    ).astype(object)
    nvn = len(w.V.a)
    vnums = rng.choice(np.arange(100000, 1000000), size=nvn, replace=False)
    online = w.V.k == KI["online"]
    vid = np.where(
        online, np.char.add("OL", vnums.astype(str)), np.char.add("PL", vnums.astype(str))
    ).astype(object)

    # ---- people -------------------------------------------------------------------
    codes, names = reg.codes, reg.names
    by_name = w.auth_style[w.home] == "name"
    home = np.where(by_name, names[w.home], codes[w.home]).astype(object)
    lac = pd.array(w.lac, dtype="boolean")
    lac[rng.random(n) < 0.08] = pd.NA
    sex = w.sex.astype(object).copy()
    sex[(sex == "unknown") & (rng.random(n) < 0.6)] = None
    people = pd.DataFrame(
        {"person_id": pid, "home_authority": home, "age": w.age, "sex": sex, "looked_after": lac}
    )

    # ---- places -------------------------------------------------------------------
    x = np.array(w.V.x)
    y = np.array(w.V.y)
    lon = np.full(nvn, np.nan)
    lat = np.full(nvn, np.nan)
    tr = Transformer.from_crs(27700, 4326, always_xy=True)
    lon[~online], lat[~online] = tr.transform(x[~online], y[~online])
    style = w.coord_style[w.V.a]
    e = np.where(style == "lonlat", np.nan, x)
    nn = np.where(style == "lonlat", np.nan, y)
    lo = np.where(style == "bng", np.nan, lon)
    la = np.where(style == "bng", np.nan, lat)
    kinds = np.array(KINDS, dtype=object)[w.V.k]
    places = pd.DataFrame(
        {
            "place_id": vid,
            "kind": _title(kinds, (w.case_style[w.V.a] == "title") & ~online),
            "lon": np.round(lo, 6),
            "lat": np.round(la, 6),
            "easting": np.round(e, 1),
            "northing": np.round(nn, 1),
            "label": _blank_none(w.V.label),
            "platform": _blank_none(w.V.platform),
        }
    )

    # ---- sightings ----------------------------------------------------------------
    s = pd.DataFrame({k: np.concatenate([part[k] for part in w.sight]) for k in "pvdcsrt"})
    protect = {h["venue"]: h["victims"] for h in hubs}
    s = w.apply_styles(s, protect)
    s = s.drop_duplicates(list("pvdcsr"))  # an exact repeat is one record, not two
    va = w.V.a[s["v"].to_numpy()]
    case = w.case_style[va] == "title"
    sightings = pd.DataFrame(
        {
            "person_id": pid[s["p"].to_numpy()],
            "place_id": vid[s["v"].to_numpy()],
            "date": _dates(s["d"].to_numpy(), w.date_style[va] == "uk"),
            "context": _title(s["c"].to_numpy(), case),
            "source": _title(s["s"].to_numpy(), case),
            "reliability": np.array(REL, dtype=object)[s["r"].to_numpy()],
        }
    )

    # ---- ties ---------------------------------------------------------------------
    t = pd.DataFrame({k: np.concatenate([part[k] for part in w.ties]) for k in "abkflsrt"})
    undirected = (t["k"] != "exploiter").to_numpy()
    lo_ab = np.minimum(t["a"].to_numpy(), t["b"].to_numpy())
    hi_ab = np.maximum(t["a"].to_numpy(), t["b"].to_numpy())
    t["a"] = np.where(undirected, lo_ab, t["a"])
    t["b"] = np.where(undirected, hi_ab, t["b"])
    t = t.drop_duplicates(list("abkflsr"))
    ta = w.living[t["a"].to_numpy()]
    uk = w.date_style[ta] == "uk"
    last = t["l"].to_numpy()
    last_s = _dates(np.maximum(last, 0), uk)
    last_s[last < 0] = None
    ties = pd.DataFrame(
        {
            "person_a": pid[t["a"].to_numpy()],
            "person_b": pid[t["b"].to_numpy()],
            "kind": t["k"].to_numpy(),
            "first_seen": _dates(t["f"].to_numpy(), uk),
            "last_seen": last_s,
            "source": t["s"].to_numpy(),
            "reliability": np.array(REL, dtype=object)[t["r"].to_numpy()],
        }
    )

    # ---- relocations --------------------------------------------------------------
    rl = pd.DataFrame(w.reloc, columns=["p", "frm", "to", "d", "kind"])
    rl = rl[rl["frm"] != rl["to"]].drop_duplicates(["p", "frm", "to"], keep="last")
    rel_dates = np.clip(rl["d"].to_numpy(), -730, W)
    rdate = (pd.Timestamp(START) + pd.to_timedelta(rel_dates, unit="D")).strftime("%Y-%m-%d")
    named = w.auth_style[rl["to"].to_numpy()] == "name"
    relocations = pd.DataFrame(
        {
            "person_id": pid[rl["p"].to_numpy()],
            "from_authority": np.where(
                named, names[rl["frm"].to_numpy()], codes[rl["frm"].to_numpy()]
            ),
            "to_authority": np.where(named, names[rl["to"].to_numpy()], codes[rl["to"].to_numpy()]),
            "date": np.asarray(rdate, dtype=object),
            "kind": rl["kind"].to_numpy(),
        }
    )

    tables = {
        "people": people,
        "places": places,
        "ties": ties,
        "sightings": sightings,
        "relocations": relocations,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", peermap.PeermapWarning)
        ds = peermap.read_dataset(tables, boundaries=boundaries, strict=True)

    # ---- truth --------------------------------------------------------------------
    def auths(*idx: Any) -> tuple[str, ...]:
        flat = np.concatenate([np.atleast_1d(np.asarray(i, dtype=np.int64)) for i in idx])
        return tuple(sorted({str(codes[i]) for i in flat}))

    hub_truth = []
    for h in hubs:
        v = np.array(h["victims"], dtype=np.int64)
        ex = np.array(h["peers"] + h["adults"], dtype=np.int64)
        hub_truth.append(
            PlantedHub(
                place_id=str(vid[h["venue"]]),
                kind=h["d"].kind,
                design=h["design"],
                authority=str(codes[h["host"]]),
                people=tuple(str(x) for x in pid[v]),
                exploiters=tuple(str(x) for x in pid[ex]),
                authorities=auths([h["host"]], w.living[v], w.home[v], w.origin[v], w.living[ex]),
            )
        )
    line_truth = []
    if line is not None:
        ppl = np.array(line["runners"] + line["locals"], dtype=np.int64)
        ex = np.array(line["holders"], dtype=np.int64)
        line_truth.append(
            PlantedLine(
                origin=str(codes[line["o"]]),
                destination=str(codes[line["d"]]),
                distance_km=round(float(line["dist"]), 1),
                place_id=str(vid[line["venue"]]),
                people=tuple(str(x) for x in pid[ppl]),
                exploiters=tuple(str(x) for x in pid[ex]),
                authorities=auths(
                    [line["o"], line["d"]],
                    w.living[ppl],
                    w.home[ppl],
                    np.array(line["moved"], dtype=np.int64),
                ),
            )
        )
    decoy_truth = tuple(
        Decoy(
            place_id=str(vid[dc["venue"]]),
            people=tuple(str(x) for x in pid[dc["people"]]),
            kind=dc["kind"],
            day=START + timedelta(days=int(dc["day"])),
        )
        for dc in decoys
    )
    parameters: dict[str, Any] = {
        "n_people": n_people,
        "authorities": reg.n,
        "region_span_km": round(reg.span_km, 1),
        "window": (START.isoformat(), END.isoformat()),
        "designs": tuple(h["design"] for h in hubs),
        "hub_periods": tuple(
            (
                (START + timedelta(days=h["start"])).isoformat(),
                (START + timedelta(days=h["end"])).isoformat(),
            )
            for h in hubs
        ),
        "hub_online_spaces": tuple(str(vid[h["online"]]) if "online" in h else None for h in hubs),
        "line_policy": w.line_policy,
        "line_period": None
        if line is None
        else (
            (START + timedelta(days=line["start"])).isoformat(),
            (START + timedelta(days=line["end"])).isoformat(),
        ),
        "decoy_authorities": tuple(str(codes[dc["authority"]]) for dc in decoys),
        "adults_in_people_table": int(w.adult.sum()),
        "looked_after_share": round(float(w.lac.mean()), 3),
        "placed_out_of_area_share_of_looked_after": round(
            float(w.placed.sum() / max(1, w.lac.sum())), 3
        ),
        "partner_grading": {
            k: int((w.grading == k).sum()) for k in ("standard", "cautious", "vague", "confident")
        },
        "partner_date_style_uk": int((w.date_style == "uk").sum()),
        "partner_coordinates_lonlat": int((w.coord_style == "lonlat").sum()),
        "partner_authority_by_name": int((w.auth_style == "name").sum()),
    }
    truth = HeldOutCTruth(
        trap_houses=tuple(hub_truth),
        county_lines=tuple(line_truth),
        decoys=decoy_truth,
        seed=seed,
        parameters=parameters,
    )
    return ds, truth
