"""Held-out scenario B: an independently written test world for peermap's rankings.

Written from the record schema (docs/schema.md) and domain notes only, without reading how
peermap ranks contexts or hotspots, so that it shares none of the package's assumptions.
``heldout_b_scenario(boundaries, n_people=..., seed=...)`` returns a strictly validated
``peermap.Dataset`` and a ``HeldOutBTruth`` naming what was planted. One year: 2024.

Region. Authorities get very uneven populations (sqrt(area) x lognormal), a deprivation
score (Beta(2, 2.5)) that scales background harm (x0.5 to x2.1), a recording "capture" rate
(one authority records badly, x0.45) and a 0-30% chance of grading a record one step lower:
partners do not record alike. Neighbours are authorities whose borders come within 300 m
(clipped rivers included). Each authority has 3-9 neighbourhoods of varying deprivation and
a town centre.

People. Young people live in a neighbourhood and go to a school chosen by distance (a few
cross into a neighbouring authority's school). Recorded ties: friends (same school and age,
or neighbourhood), siblings (same neighbourhood), partners and ex-partners (14+), youth-club
group members, police-recorded associates among the at-risk tail. A tie or a sighting joins
two authorities only when they are neighbours or a relocation, hub, county line or incident
joins them (``parameters["story_links"]``). About 2.5% are relocated, looked-after children
far more often (care placements near or far, housing, family, education, secure):
``home_authority`` stays the responsible authority; after the move they live, go to school,
make friends and are seen in the host authority only, keep some old ties, sometimes go
missing back home, and some return home.

Venues of every schema kind, sampled inside their authority, with lognormal popularity:
schools, fast food (clustered in the town centre), parks, transport hubs (one main
station), shopping centres, youth venues, hotels, residential addresses, "other" places and
online group chats (some schools; pupils living in that authority). Ordinary harm comes at
low rates per venue kind (bullying at school, missing episodes at stations, violence at
fast food and parks, thin CSE/CCE everywhere), concentrated in a heavy-tailed at-risk
minority (gamma frailty; looked-after x2.2), plus a few isolated exploiter ties and lone
CSE/CCE victims with no shared venue. Dates follow the English school calendar: school
records in term on weekdays, parks in light months and holidays, fast food on Friday and
Saturday, shopping in December, violence and CCE on dark evenings, missing episodes in the
summer. Sources depend on the context, and each source has its own reliability mix.

Trap houses (2-4; at least one sexual and one criminal design, no design twice; a
visibility factor 0.55-1.25 scales records and grades). Victims come from the hub's
authority, 1-3 neighbours and sometimes a looked-after child placed in from far away (2-4
authorities), partly through their friendship ties, favouring vulnerable young people:

- ``hotel_cse``: budget hotel near the town centre; 6-12 mostly girls 13-16; a "boyfriend"
  exploiter with a partner tie to the first girl; evening and weekend cse and missing
  records (police, social care, hotel staff as ``other``, sexual health); missing episodes
  at the main station and school concerns elsewhere.
- ``party_flat_cse``: short-let flat (residential) used for weekend parties; 5-10 girls
  recruited through a Snapchat group (an online place with image_sharing/cse records);
  records cluster on a few party nights, mostly voluntary sector, young person and social
  care reports, few police: the quietest design.
- ``cuckooed_cce``: a vulnerable adult's flat in a deprived neighbourhood taken over for
  dealing; 6-12 mostly boys 14-17 with group ties; steady cce/gang/missing records for 2-5
  months ending in a police raid where several are found (confirmed); a stabbing nearby.
- ``takeaway_grooming``: one of the busiest fast-food shops (lots of genuine background)
  where 12-15 year olds are groomed after school for 3-6 months; mixed cse/cce/other, mostly
  from schools and the voluntary sector, graded low, few exploiter ties: the hardest.
- ``park_recruitment``: a park where boys 13-16 are recruited into drug running over the
  summer holidays; youth service and police records of gang, cce and violence; group ties.

Every hub leaves at least two records per victim at the venue and three graded corroborated
or better; 1-3 exploiters (existing young people, aged 17-18) are seen there and have
exploiter ties to only some victims.

County line (one, when some pair of authorities is at least 2 km apart at the border and
``min(15 km, 0.7 x region width)`` to 250 km apart at the centroids; ``distance_km`` is
between centroids): 4-8 young people from one deprived origin make 2-5 trips each to a
cuckooed address in the destination: missing from home at the origin's station, cce and
missing at the address and the destination's station, a gang record at home.

Decoys (2-4 genuine serious incidents at busy venues, one day each plus follow-ups, no
exploitation context): a fight between groups from two neighbouring authorities at a
fast-food shop on a dark weekend evening; a robbery at a main station; an assault in a
park; disorder at a shopping centre.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import pairwise
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

import peermap
from peermap.schema import TABLES

__all__ = [
    "HeldOutBTruth",
    "Incident",
    "PlantedCountyLine",
    "PlantedTrapHouse",
    "heldout_b_scenario",
]

N_DAYS = 366  # 2024 is a leap year; day 0 is Monday 1 January
KINDS = (
    "school", "hotel", "park", "transport_hub", "fast_food", "shopping_centre",
    "residential", "youth_venue", "other", "online",
)  # fmt: skip
KI = {k: i for i, k in enumerate(KINDS)}
CONTEXTS = (
    "cse", "cce", "teenage_relationship_abuse", "serious_youth_violence", "bullying",
    "harmful_sexual_behaviour", "missing_episode", "gang_association", "image_sharing",
    "online_harassment", "other",
)  # fmt: skip
SOURCES = (
    "police", "social_care", "school", "health", "youth_service", "voluntary_sector",
    "young_person", "other",
)  # fmt: skip
RELS = ("unverified", "reported", "corroborated", "confirmed")
ABBR = {
    "tra": "teenage_relationship_abuse", "syv": "serious_youth_violence",
    "hsb": "harmful_sexual_behaviour", "miss": "missing_episode", "gang": "gang_association",
    "img": "image_sharing", "onl": "online_harassment", "sc": "social_care",
    "ys": "youth_service", "vol": "voluntary_sector", "yp": "young_person",
}  # fmt: skip


@cache
def _dist(text: str) -> tuple[tuple[str, ...], np.ndarray]:
    """Parse ``"cse 3, miss 1"`` (abbreviations above) into names and probabilities."""
    pairs = [item.split() for item in text.split(",")]
    names = tuple(ABBR.get(k, k) for k, _ in pairs)
    w = np.array([float(v) for _, v in pairs])
    return names, w / w.sum()


def _p(text: str, keys: tuple[str, ...]) -> np.ndarray:
    """Probabilities of ``text`` laid out over ``keys``."""
    names, p = _dist(text)
    return np.array([dict(zip(names, p, strict=True)).get(k, 0.0) for k in keys])


# Background harm per venue kind: the contexts ordinary records there carry.
KIND_CONTEXT = {
    "school": "bullying 30, other 25, onl 8, img 6, syv 7, hsb 6, tra 5, miss 5, gang 3, "
              "cse 2, cce 3",
    "fast_food": "other 33, syv 20, gang 10, bullying 8, miss 12, cce 6, cse 3, tra 4, hsb 2, "
                 "onl 2",
    "transport_hub": "miss 32, syv 20, other 22, gang 8, cce 8, cse 4, bullying 3, hsb 3",
    "shopping_centre": "other 40, miss 15, syv 12, bullying 10, gang 6, cce 4, cse 3, hsb 3, "
                       "tra 4, img 3",
    "park": "other 25, syv 15, gang 10, hsb 7, tra 9, miss 14, cce 6, cse 4, bullying 7, img 3",
    "residential": "tra 22, miss 25, other 28, hsb 7, cse 5, cce 5, syv 5, img 3",
    "hotel": "miss 45, other 40, cse 6, cce 4, tra 5",
    "youth_venue": "other 45, bullying 15, syv 10, gang 8, hsb 5, tra 5, onl 5, cce 4, cse 3",
    "other": "other 45, syv 15, miss 12, gang 8, cce 6, cse 4, bullying 5, hsb 5",
    "online": "img 35, onl 40, bullying 10, cse 5, hsb 5, other 5",
}  # fmt: skip
# Which kind of venue an ordinary record is at, for 10-12 and 13-18 year olds.
KIND_MIX_YOUNG = _p(
    "school 48, fast_food 8, park 12, transport_hub 4, shopping_centre 7, residential 8, "
    "youth_venue 6, other 2, online 5", KINDS)  # fmt: skip
KIND_MIX_OLD = _p(
    "school 28, fast_food 14, park 12, transport_hub 10, shopping_centre 8, residential 11, "
    "youth_venue 5, other 5, hotel 1.5, online 5.5", KINDS)  # fmt: skip
SOURCE_BY_CONTEXT = {
    "cse": "police 35, sc 30, vol 12, health 10, school 8, yp 3, other 2",
    "cce": "police 50, sc 20, ys 12, school 6, vol 7, other 5",
    "missing_episode": "police 65, sc 25, other 5, vol 5",
    "serious_youth_violence": "police 60, health 15, school 10, ys 10, other 5",
    "bullying": "school 70, yp 12, ys 10, sc 5, other 3",
    "harmful_sexual_behaviour": "school 40, sc 30, police 20, health 10",
    "teenage_relationship_abuse": "sc 30, police 30, school 20, health 10, yp 10",
    "gang_association": "police 55, ys 20, sc 15, school 10",
    "image_sharing": "school 50, police 25, yp 15, sc 10",
    "online_harassment": "school 55, yp 25, police 10, ys 10",
    "other": "school 30, sc 20, ys 15, police 15, vol 10, other 10",
}  # fmt: skip
REL_BY_SOURCE = {  # unverified, reported, corroborated, confirmed
    "police": (.10, .30, .35, .25), "social_care": (.10, .35, .35, .20),
    "school": (.15, .45, .25, .15), "health": (.10, .30, .30, .30),
    "youth_service": (.25, .45, .25, .05), "voluntary_sector": (.30, .45, .20, .05),
    "young_person": (.50, .38, .10, .02), "other": (.40, .40, .15, .05),
}  # fmt: skip
FRIEND_SOURCES = "school 45, yp 20, ys 15, sc 10, police 5, other 5"
# How far young people go to a kind of venue (metres; 2 km for the others).
REACH_M = {"transport_hub": 4000, "shopping_centre": 4000, "hotel": 3000, "fast_food": 1500,
           "park": 1200, "residential": 800}  # fmt: skip
LAC_MOVES = "care_placement 8, secure 1, other 1"
OTHER_MOVES = "housing 45, family 30, education 15, care_placement 10"
SURE = np.array([0.02, 0.18, 0.4, 0.4])  # siblings: well established
EXPLOIT_REL = np.array([0.15, 0.45, 0.3, 0.1])  # exploiter ties: mostly reported


class _HubSpec(NamedTuple):
    """One trap-house design (see the table below)."""

    kind: str
    family: str
    n: tuple[int, ...]  # victims
    ages: tuple[int, ...]
    female: float  # preference for girls when recruiting
    partners: tuple[int, ...]  # neighbouring authorities victims also come from
    placed: float  # chance of a looked-after child placed in from far away
    weeks: tuple[int, ...]
    rate: float  # records per victim-week at visibility 1
    n_exp: tuple[int, ...]  # exploiters
    exp_tie: tuple[float, ...]  # share of victims with a recorded exploiter tie
    down: float  # extra chance of a record graded one step lower
    contexts: str
    sources: str
    exp_contexts: str
    dow: tuple[float, ...]  # weights Monday..Sunday


def _spec(row: str, contexts: str, sources: str, exp_contexts: str, dow: str) -> _HubSpec:
    num = lambda t: float(t) if "." in t else int(t)  # noqa: E731
    c = [x if x[0].isalpha() else tuple(map(num, x.split("-"))) for x in row.split()]
    c = [x[0] if isinstance(x, tuple) and len(x) == 1 else x for x in c]
    return _HubSpec(*c, contexts, sources, exp_contexts, tuple(map(float, dow.split())))


# kind family victims ages female partners placed weeks rate exploiters exp_tie down
HUBS = {
    "hotel_cse": _spec(
        "hotel sexual 6-12 13-16 .85 1-2 .60 6-14 .55 1-2 .30-.55 .05",
        "cse 34, miss 34, other 14, tra 6, hsb 5, gang 4, cce 3",
        "police 45, sc 22, other 15, health 10, vol 8", "cse 5, other 3, gang 2",
        "1 1 1 1.2 1.8 2.2 1.4"),
    "party_flat_cse": _spec(
        "residential sexual 5-10 13-16 .80 1-2 .25 8-16 .30 2-3 .20-.45 .20",
        "cse 30, miss 25, other 25, hsb 8, tra 7, img 5",
        "vol 25, yp 20, sc 25, police 15, school 10, health 5", "cse 4, other 4",
        ".3 .3 .3 .5 2.5 3 .8"),
    "cuckooed_cce": _spec(
        "residential criminal 6-12 14-17 .15 1-3 .30 8-20 .45 2-3 .30-.50 .00",
        "cce 35, gang 20, miss 20, syv 8, other 17",
        "police 50, sc 20, ys 15, health 5, other 10", "cce 5, gang 4, syv 1",
        "1 1 1 1 1.3 1.3 1"),
    "takeaway_grooming": _spec(
        "fast_food mixed 5-10 12-15 .60 1-2 .20 12-26 .20 1-2 .15-.30 .30",
        "other 35, cse 20, cce 15, miss 15, gang 5, bullying 5, tra 5",
        "school 30, vol 20, yp 15, police 20, sc 15", "other 5, cse 2, cce 2",
        "1.5 1.5 1.5 1.5 1.7 1 .6"),
    "park_recruitment": _spec(
        "park criminal 7-15 13-16 .20 1-2 .15 8-14 .40 2-3 .25-.50 .10",
        "gang 30, cce 25, syv 15, miss 10, other 20",
        "ys 30, police 30, yp 15, school 10, sc 15", "gang 4, cce 4, syv 2",
        "1 1 1 1 1.4 1.6 1.2"),
}  # fmt: skip
DECOYS = ("fast_food_fight", "transport_robbery", "park_assault", "shopping_centre_disorder")


@dataclass(frozen=True)
class PlantedTrapHouse:
    """An exploitation hub planted at one venue."""

    place_id: str
    kind: str
    design: str
    authority: str
    people: tuple[str, ...]
    authorities: tuple[str, ...]
    exploiters: tuple[str, ...]
    first_day: str = ""
    last_day: str = ""
    visibility: float = 1.0


@dataclass(frozen=True)
class PlantedCountyLine:
    """Young people of one authority exploited at an address in a distant, non-bordering one."""

    origin: str
    destination: str
    distance_km: float
    place_id: str
    people: tuple[str, ...]
    exploiters: tuple[str, ...]
    authorities: tuple[str, ...]


@dataclass(frozen=True)
class Incident:
    """A genuine serious incident at a busy venue that is not an exploitation hub (a decoy)."""

    place_id: str
    people: tuple[str, ...]
    kind: str
    day: str = ""


@dataclass(frozen=True)
class HeldOutBTruth:
    """What was planted in a scenario, by the dataset's ids and GSS codes."""

    trap_houses: tuple[PlantedTrapHouse, ...]
    county_lines: tuple[PlantedCountyLine, ...]
    decoys: tuple[Incident, ...]
    seed: int
    parameters: dict[str, Any] = field(default_factory=dict)


def _doy(m: int, d: int) -> int:
    return (date(2024, m, d) - date(2024, 1, 1)).days


def _calendar() -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Day weights (366 days) per venue kind and per context class, and calendar masks."""
    day = np.arange(N_DAYS)
    dow = day % 7
    term = np.zeros(N_DAYS, bool)
    for span in ["1.8-2.9", "2.19-3.28", "4.15-5.24", "6.3-7.23", "9.4-10.25", "11.4-12.20"]:
        (m0, d0), (m1, d1) = (map(int, end.split(".")) for end in span.split("-"))
        term[_doy(m0, d0) : _doy(m1, d1) + 1] = True
    term[_doy(5, 6)] = False  # May bank holiday
    weekday, weekend, frisat = dow < 5, dow >= 5, (dow == 4) | (dow == 5)
    summer = (day >= _doy(7, 24)) & (day <= _doy(9, 3))
    hol = ~term
    dark = 1 + 0.5 * np.cos(2 * np.pi * (day - _doy(12, 21)) / N_DAYS)  # .5 June, 1.5 December
    light, one = 2 - dark, np.ones(N_DAYS)
    kinds = {
        "school": (term & weekday).astype(float),
        "hotel": one + 0.3 * summer,
        "park": light**1.5 * (1 + 0.7 * hol) * (1 + 0.4 * weekend),
        "transport_hub": (1 + 0.25 * hol) * (0.85 + 0.3 * dark),
        "fast_food": (1 + 0.5 * frisat) * (1 + 0.3 * hol) * (0.8 + 0.3 * dark) * (1 + 0.2 * term),
        "shopping_centre": (1 + 0.7 * weekend)
        * (1 + 0.4 * (day >= _doy(11, 25)))
        * (1 + 0.3 * hol),
        "residential": one + 0.25 * hol,
        "youth_venue": (1 + 0.3 * (weekday & term)) * (1 + 0.4 * summer),
        "other": one,
        "online": one + 0.3 * hol,
        "_term": term.astype(float),
        "_dark": dark - 0.5,
    }
    classes = {
        "normal": one,
        "dark": (0.6 + 0.5 * dark) * (1 + 0.3 * frisat),
        "missing": (1 + 0.4 * summer) * (1 + 0.2 * weekend),
    }
    return kinds, classes


def _ctx_class(c: str) -> str:
    if c in ("serious_youth_violence", "gang_association", "cce"):
        return "dark"
    return "missing" if c == "missing_episode" else "normal"


class _Builder:
    """Builds one scenario on integer indexes; ids are given at the end."""

    def __init__(self, boundaries: gpd.GeoDataFrame, n_people: int, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.n = int(n_people)
        self.cal, self.ctx_cal = _calendar()
        self._catch: dict[tuple[int, int, bool], tuple[np.ndarray, np.ndarray] | None] = {}
        self.ties: list[list[Any]] = []  # a, b, kind, first, last (-1: none), source, rel
        self.rows: list[tuple[int, int, int, str, str, int]] = []  # p, v, day, ctx, src, rel
        self.relocs: list[tuple[int, int, int, int, str]] = []
        self.links: dict[tuple[int, int], set[str]] = {}
        self.used: set[int] = set()  # people given a planted role
        self.used_places: set[int] = set()
        self.private: set[int] = set()  # planted addresses: no ordinary records there
        self.hub_auths: list[int] = []
        self.segs: dict[int, list[list[Any]]] = {}  # auth, nb, school, start, end, host
        self._region(boundaries)

    def draw(self, text: str) -> str:
        """One name drawn from a weight string such as ``"police 6, sc 4"``."""
        names, p = _dist(text)
        return names[int(self.rng.choice(len(names), p=p))]

    def ri(self, lo: int, hi: int) -> int:
        """A random whole number in [lo, hi)."""
        return int(self.rng.integers(lo, hi))

    def one(self, items: Any, p: Any = None) -> int:
        """One of ``items`` (weighted by ``p``), as an int."""
        return int(self.rng.choice(items, p=None if p is None else p / np.sum(p)))

    # ------------------------------------------------------------------ region
    def _region(self, b: gpd.GeoDataFrame) -> None:
        rng = self.rng
        if b.crs is None:
            b = b.set_crs(4326 if abs(float(b.total_bounds[0])) <= 180 else 27700)
        b = b.to_crs(27700).reset_index(drop=True)
        self.codes = b["code"].astype(str).tolist()
        geoms = np.array([g if g.is_valid else shapely.make_valid(g) for g in b.geometry])
        nk = self.nk = len(self.codes)
        self.area = shapely.area(geoms) / 1e6
        self.inner = []
        for g in geoms:
            s = g.buffer(-60)
            g2 = s if s.area > 0.3 * g.area else g
            shapely.prepare(g2)
            self.inner.append(g2)
        cen = shapely.centroid(geoms)
        self.centroid = np.c_[shapely.get_x(cen), shapely.get_y(cen)]
        tree = shapely.STRtree(geoms)
        self.nbrs: list[set[int]] = [set() for _ in range(nk)]
        self.near2k: list[set[int]] = [set() for _ in range(nk)]
        for i, j in zip(*tree.query(geoms, predicate="dwithin", distance=300), strict=True):
            if i != j:
                self.nbrs[i].add(int(j))
                self._link(int(i), int(j), "neighbour")
        for i, j in zip(*tree.query(geoms, predicate="dwithin", distance=2000), strict=True):
            self.near2k[i].add(int(j))
        self.nbmat = np.eye(nk, dtype=bool)
        for i in range(nk):
            self.nbmat[i, sorted(self.nbrs[i])] = True
        w = np.sqrt(self.area) * rng.lognormal(0, 0.55, nk)
        self.share = w / w.sum()
        self.dep = rng.beta(2, 2.5, nk)
        self.capture = rng.uniform(0.6, 1.3, nk)
        self.low_capture = int(rng.integers(nk))
        self.capture[self.low_capture] = 0.45
        self.rel_down = rng.uniform(0, 0.3, nk)
        self.harm = 0.5 + 1.6 * self.dep
        nb_xy, nb_auth = [], []
        self.town = np.zeros((nk, 2))
        for k in range(nk):
            self.town[k] = self._points(k, 1)[0]
            m = int(np.clip(round(self.area[k] / 7), 3, 9))
            nb_xy.append(self._points(k, m))
            nb_auth += [k] * m
        self.nb_xy = np.vstack(nb_xy)
        self.nb_auth = np.array(nb_auth)
        self.nb_dep = np.clip(self.dep[self.nb_auth] + rng.normal(0, 0.15, len(nb_auth)), 0, 1)

    def _points(self, k: int, n: int, centre: Any = None, sd: float = 0.0) -> np.ndarray:
        """n points inside authority k (near ``centre`` when given)."""
        g, rng, out, need = self.inner[k], self.rng, [], n
        x0, y0, x1, y1 = g.bounds
        for attempt in range(80):
            m = max(32, 4 * need)
            if centre is not None and attempt < 40:
                xs, ys = centre[0] + rng.normal(0, sd, m), centre[1] + rng.normal(0, sd, m)
            else:
                xs, ys = rng.uniform(x0, x1, m), rng.uniform(y0, y1, m)
            ok = shapely.contains_xy(g, xs, ys)
            out.append(np.c_[xs[ok], ys[ok]][:need])
            need -= int(ok.sum())
            if need <= 0:
                break
        pts = np.vstack(out)[:n]
        if len(pts) < n:  # a sliver: fall back on a point on the surface
            p = shapely.point_on_surface(g)
            pts = np.vstack([pts, np.tile([p.x, p.y], (n - len(pts), 1))])
        return pts

    def _link(self, a: int, b: int, why: str) -> None:
        if a != b:
            self.links.setdefault((min(a, b), max(a, b)), set()).update(why.split("+"))

    # ------------------------------------------------------------------ people and places
    def _people(self) -> None:
        rng, nk, n = self.rng, self.nk, self.n
        m = min(8, n // (2 * nk))
        self.auth = np.repeat(np.arange(nk), rng.multinomial(n - m * nk, self.share) + m)
        age_w = np.array([8, 11, 12, 13, 13, 13, 12, 10, 8]) / 100
        self.age = rng.choice(np.arange(10, 19), n, p=age_w)
        sexes = np.array(["F", "M", "X", "unknown", ""])
        self.sex = rng.choice(sexes, n, p=[0.475, 0.475, 0.01, 0.01, 0.03])
        self.lac = rng.random(n) < 0.006 + 0.03 * self.dep[self.auth]
        self.lac_known = rng.random(n) > 0.12
        self.nb = np.empty(n, int)
        for k in range(nk):
            idx, cand = np.flatnonzero(self.auth == k), np.flatnonzero(self.nb_auth == k)
            w = 0.5 + self.nb_dep[cand]
            self.nb[idx] = rng.choice(cand, len(idx), p=w / w.sum())
        self.frailty = rng.gamma(0.45, 1 / 0.45, n) * (1 + 1.2 * self.lac)
        self.frailty *= 0.6 + 0.8 * self.nb_dep[self.nb]

    def _add_place(self, kind: str, k: int, xy: Any, pop: float, platform: str = "") -> int:
        x, y = (np.nan, np.nan) if xy is None else (float(xy[0]), float(xy[1]))
        self.pl.append((kind, k, x, y, pop, platform))
        return len(self.pl) - 1

    def _refresh_places(self) -> None:
        self.pl_kind = np.array([p[0] for p in self.pl])
        self.pl_auth = np.array([p[1] for p in self.pl])
        self.pl_xy = np.array([(p[2], p[3]) for p in self.pl])
        self.pl_pop = np.array([p[4] for p in self.pl])

    def _places(self) -> None:
        rng = self.rng
        self.pl: list[tuple[str, int, float, float, float, str]] = []
        self.main_hub = np.zeros(self.nk, int)
        for k in range(self.nk):
            s, area, town = int((self.auth == k).sum()), self.area[k], self.town[k]
            nbs = np.flatnonzero(self.nb_auth == k)
            plan = [  # kind, how many, near the town centre?, spread (m), popularity boost
                ("transport_hub", 1, True, 300, 3.0),
                ("transport_hub", int(np.clip(area // 30, 0, 3)), False, 600, 1.0),
                ("school", max(2, round(s / 140)), False, 700, 1.0),
                ("fast_food", max(1, round(s / 200)), True, 800, 1.5),
                ("fast_food", max(1, round(s / 200)), False, 500, 1.0),
                ("park", max(2, round(s / 130)), False, 1000, 1.0),
                ("shopping_centre", 1 + (s > 250), True, 600, 1.3),
                ("youth_venue", max(1, round(s / 300)), False, 600, 1.0),
                ("hotel", 1 + int(rng.random() < 0.6) + int(area > 60), True, 900, 1.0),
                ("residential", max(4, round(s / 40)), False, 500, 1.0),
                ("other", max(2, round(s / 200)), False, 3000, 1.0),
            ]
            for kind, count, central, sd, boost in plan:
                for _ in range(count):
                    c = town if central else self.nb_xy[rng.choice(nbs)]
                    xy, pop = self._points(k, 1, c, sd)[0], boost * rng.lognormal(0, 0.8)
                    v = self._add_place(kind, k, xy, pop)
                    if kind == "transport_hub" and central:
                        self.main_hub[k] = v
        self._refresh_places()
        schools = np.flatnonzero(self.pl_kind == "school")
        self.chat_of: dict[int, int] = {}
        for sc in schools:  # a pupils' group chat at some schools
            if rng.random() < 0.45:
                platform = str(rng.choice(["snapchat", "instagram", "whatsapp", "tiktok"]))
                self.chat_of[int(sc)] = self._add_place(
                    "online", self.pl_auth[sc], None, 1, platform
                )
        self._refresh_places()
        self.school = np.empty(self.n, int)  # by distance, sometimes over a border
        for nb in range(len(self.nb_auth)):
            idx, k = np.flatnonzero(self.nb == nb), self.nb_auth[nb]
            if len(idx):
                c = schools[np.isin(self.pl_auth[schools], [k, *self.nbrs[k]])]
                d = np.hypot(*(self.pl_xy[c] - self.nb_xy[nb]).T)
                w = np.exp(-d / 1500) * np.where(self.pl_auth[c] == k, 1.0, 0.2) + 1e-12
                self.school[idx] = rng.choice(c, len(idx), p=w / w.sum())

    def _seg(self, p: int) -> list[list[Any]]:
        return self.segs.get(p) or [[self.auth[p], self.nb[p], self.school[p], 0, N_DAYS, False]]

    def _catchment(self, nb: int, kind: int, host: bool) -> tuple[np.ndarray, np.ndarray] | None:
        """Venues of a kind a neighbourhood's young people use (own authority only if host)."""
        key = (nb, kind, host)
        if key not in self._catch:
            k = self.nb_auth[nb]
            auths = [k] if host else [k, *self.nbrs[k]]
            c = np.flatnonzero((self.pl_kind == KINDS[kind]) & np.isin(self.pl_auth, auths))
            c = c[~np.isin(c, list(self.private))]
            scale = REACH_M.get(KINDS[kind], 2000)
            d = np.hypot(*(self.pl_xy[c] - self.nb_xy[nb]).T)
            w = self.pl_pop[c] * np.exp(-d / scale) * np.where(self.pl_auth[c] == k, 1, 0.3)
            self._catch[key] = (c, (w + 1e-12) / (w + 1e-12).sum()) if len(c) else None
        return self._catch[key]

    # ------------------------------------------------------------------ ties
    def _rel(self, source: str, k: int, down: float = 0.0) -> int:
        r = int(self.rng.choice(4, p=REL_BY_SOURCE[source]))
        return r - 1 if r > 0 and self.rng.random() < self.rel_down[k] + down else r

    def _tie(
        self, a: int, b: int, kind: str, first: int, last: int = -1, src: str = "", rel: int = -1
    ) -> None:
        if a == b:
            return
        source = src or self.draw(FRIEND_SOURCES)
        rel = self._rel(source, self.auth[a]) if rel < 0 else rel
        first = int(np.clip(first, 0, N_DAYS - 1))
        last = -1 if last < 0 else int(np.clip(max(last, first), 0, N_DAYS - 1))
        self.ties.append([a, b, kind, first, last, source, rel])
        if kind not in ("exploiter", "ex_partner"):
            self.adj[a].add(b)
            self.adj[b].add(a)

    def _ok(self, a: int, others: np.ndarray) -> np.ndarray:
        """Whose home authority is a's or a neighbour of it (a tie between them has a story)."""
        return self.nbmat[self.auth[a], self.auth[others]]

    def _background_ties(self) -> None:
        rng, n, age = self.rng, self.n, self.age
        self.adj: list[set[int]] = [set() for _ in range(n)]
        some_day = lambda: int(rng.integers(0, N_DAYS))  # noqa: E731
        until = lambda f: int(f + rng.exponential(80)) if rng.random() < 0.6 else -1  # noqa: E731
        pairs: set[tuple[int, int]] = set()
        for sc in np.unique(self.school):  # school friends, mostly the same age
            mem = np.flatnonzero(self.school == sc)
            for i in mem:
                gap = np.abs(age[mem] - age[i])
                ok = (gap <= 1) & (mem != i) & self._ok(i, mem)
                k = min(rng.poisson(1.4), ok.sum())
                if k:
                    w = np.where(gap[ok] == 0, 1.0, 0.4)
                    for j in rng.choice(mem[ok], k, replace=False, p=w / w.sum()):
                        pairs.add((min(i, j), max(i, j)))
        for nb in range(len(self.nb_auth)):  # neighbourhood friends and siblings
            mem = np.flatnonzero(self.nb == nb)
            for i in mem[rng.random(len(mem)) < 0.3]:
                ok = mem[(np.abs(age[mem] - age[i]) <= 2) & (mem != i)]
                if len(ok):
                    j = int(rng.choice(ok))
                    pairs.add((min(i, j), max(i, j)))
            for i in mem[rng.random(len(mem)) < 0.12]:
                gap = np.abs(age[mem] - age[i])
                sib = mem[(gap >= 1) & (gap <= 6)]
                for j in rng.choice(sib, min(len(sib), 1 + int(rng.random() < 0.3)), replace=False):
                    rel, src = self.one(4, SURE), self.draw("sc 2, health 1, school 1")
                    self._tie(int(i), int(j), "sibling", some_day(), -1, src, rel)
        for a, b in sorted(pairs):
            f = some_day()
            self._tie(int(a), int(b), "friend", f, until(f))
        for i in np.flatnonzero((age >= 14) & (rng.random(n) < 0.045)):  # partners
            pool = np.flatnonzero(
                ((self.school == self.school[i]) | (self.nb == self.nb[i]))
                & (np.abs(age - age[i]) <= 2)
                & (age >= 13)
            )
            pool = pool[(pool != i) & (self.sex[pool] != self.sex[i]) & self._ok(i, pool)]
            if len(pool):
                f, kind = some_day(), "partner" if rng.random() < 0.7 else "ex_partner"
                src = self.draw("sc 35, school 30, police 15, yp 20")
                self._tie(int(i), int(rng.choice(pool)), kind, f, until(f), src)
        for v in np.flatnonzero(self.pl_kind == "youth_venue"):  # youth-club groups
            pool = np.flatnonzero((self.auth == self.pl_auth[v]) & (age >= 11))
            if len(pool) >= 4:
                grp = rng.choice(pool, min(len(pool), int(rng.integers(4, 10))), replace=False)
                for a, b in pairwise(grp):
                    self._tie(int(a), int(b), "group_member", some_day(), -1, "youth_service")
        risky = np.flatnonzero((self.frailty > np.quantile(self.frailty, 0.95)) & (age >= 13))
        for i in risky:  # associates among the at-risk tail
            pool = risky[(risky != i) & self._ok(i, risky)]
            if len(pool):
                self._tie(int(i), int(rng.choice(pool)), "associate", some_day(), -1, "police")
        self.ties_of: dict[int, list[int]] = {}
        for t, row in enumerate(self.ties):
            if row[2] == "friend":
                self.ties_of.setdefault(row[0], []).append(t)
                self.ties_of.setdefault(row[1], []).append(t)

    # ------------------------------------------------------------------ relocations
    def _relocate(self, p: int, to: int, day: int, kind: str, why: str = "relocation") -> None:
        rng = self.rng
        segs = self._seg(p)
        cur = segs[-1]
        cur[4] = day
        nb = int(rng.choice(np.flatnonzero(self.nb_auth == to)))
        sch = np.flatnonzero((self.pl_kind == "school") & (self.pl_auth == to))
        school = int(sch[np.argmin(np.hypot(*(self.pl_xy[sch] - self.nb_xy[nb]).T))])
        segs.append([to, nb, school, day, N_DAYS, True])
        self.segs[p] = segs
        self.relocs.append((p, int(cur[0]), to, day, kind))
        self._link(int(cur[0]), to, why)
        self._link(int(self.auth[p]), to, why)
        self.lac[p] |= kind == "care_placement"
        for t in self.ties_of.get(p, []):  # some ties travel with them
            if rng.random() < 0.5:
                later = int(min(N_DAYS - 1, day + rng.integers(10, 90)))
                self.ties[t][4] = max(self.ties[t][3], later)
        pool = np.flatnonzero(
            (self.auth == to) & (self.school == school) & (np.abs(self.age - self.age[p]) <= 2)
        )
        for j in rng.choice(pool, min(len(pool), self.ri(1, 4)), replace=False):
            src = self.draw("school 1, sc 1, yp 1")
            self._tie(p, int(j), "friend", self.ri(day, N_DAYS), -1, src)

    def _background_relocations(self) -> None:
        rng, n = self.rng, self.n
        w = self.frailty + 40 * self.lac  # looked-after children move far more often
        secure_host = int(rng.integers(self.nk))
        for p in rng.choice(n, round(n * 0.025), replace=False, p=w / w.sum()):
            p, k = int(p), int(self.auth[p])
            kind = self.draw(LAC_MOVES if self.lac[p] else OTHER_MOVES)
            others = [j for j in range(self.nk) if j != k]
            if not others:
                return
            near = sorted(self.nbrs[k])
            if kind == "secure" and secure_host != k:
                to = secure_host
            elif kind in ("housing", "education") or (
                kind == "care_placement" and rng.random() < 0.45
            ):
                to = self.one(near or others)
            else:
                to = self.one(others, self.share[others])
            day = self.ri(20, 330)
            self._relocate(p, to, day, kind)
            if rng.random() < 0.3:  # goes missing back to the home area
                homes = np.flatnonzero((self.pl_kind == "residential") & (self.pl_auth == k))
                for _ in range(self.ri(1, 3)):
                    v = self.main_hub[k] if rng.random() < 0.6 else self.one(homes)
                    self._row(p, int(v), self.ri(day, N_DAYS), "missing_episode", "police")
            if rng.random() < 0.12 and day < 250:  # returns home
                back = day + self.ri(40, 110)
                self.segs[p][-1][4] = back
                self.segs[p].append([k, self.nb[p], self.school[p], back, N_DAYS, False])
                self.relocs.append((p, to, k, back, "family"))

    # ------------------------------------------------------------------ sightings
    def _row(
        self, p: int, v: int, day: int, ctx: str, src: str = "", rel: int = -1, down: float = 0
    ) -> None:
        src = src or self.draw(SOURCE_BY_CONTEXT[ctx])
        if rel < 0:
            k = self.auth[p] if self.pl_kind[v] == "online" else self.pl_auth[v]
            rel = self._rel(src, k, down)
        self.rows.append((p, v, int(np.clip(day, 0, N_DAYS - 1)), ctx, src, rel))

    def _days(self, n: int, lo: int, hi: int, dow: Any = (1,) * 7, mask: Any = None) -> np.ndarray:
        lo, hi = max(0, lo), min(N_DAYS, max(hi, lo + 1))
        d = np.arange(lo, hi)
        w = np.asarray(dow)[d % 7] * (1.0 if mask is None else 0.15 + mask[d])
        return self.rng.choice(d, n, p=w / w.sum())

    def _background_sightings(self) -> pd.DataFrame:
        """Ordinary records of every young person's year, vectorised by activity segment."""
        rng = self.rng
        seg = np.array([(p, *s[:5], int(s[5])) for p in range(self.n) for s in self._seg(p)])
        sp, sk, snb, ssch, s0, s1, shost = seg.T
        agef = np.clip(1 - np.abs(self.age[sp] - 15) / 8, 0.3, 1)
        mu = 4.5 * self.capture[sk] * self.harm[sk] * self.frailty[sp] * agef * (s1 - s0) / N_DAYS
        r = np.repeat(np.arange(len(seg)), rng.poisson(mu))
        p, nr = sp[r], len(r)
        young, old = rng.choice(10, nr, p=KIND_MIX_YOUNG), rng.choice(10, nr, p=KIND_MIX_OLD)
        kind = np.where(self.age[p] <= 12, young, old)
        chat = np.array([int(s) in self.chat_of for s in ssch[r]], bool)
        chat &= self.pl_auth[ssch[r]] == sk[r]  # chats hold pupils of the school's authority
        kind[(kind == KI["online"]) & ~chat] = KI["school"]
        ctx = np.empty(nr, object)
        for ki, kn in enumerate(KINDS):
            m = kind == ki
            ctx[m] = rng.choice(CONTEXTS, m.sum(), p=_p(KIND_CONTEXT[kn], CONTEXTS))
        ctx[(self.sex[p] == "M") & (ctx == "cse") & (rng.random(nr) < 0.5)] = "other"
        day, cls = np.empty(nr, int), np.array([_ctx_class(c) for c in ctx], object)
        for ki, kn in enumerate(KINDS):  # dates within the segment, by the calendar
            for cn, w in self.ctx_cal.items():
                m = (kind == ki) & (cls == cn)
                if m.any():
                    cw = np.cumsum(self.cal[kn] * w)
                    cw /= cw[-1]
                    a, b = s0[r[m]], s1[r[m]]
                    ca, cb = np.where(a > 0, cw[np.maximum(a - 1, 0)], 0.0), cw[b - 1]
                    dd = np.searchsorted(cw, ca + rng.random(m.sum()) * (cb - ca), side="right")
                    dd = np.clip(dd, a, b - 1)
                    flat = cb - ca <= 1e-12
                    dd[flat] = a[flat] + (rng.random(flat.sum()) * (b[flat] - a[flat])).astype(int)
                    day[m] = dd
        place = np.full(nr, -1)
        sch, onl = kind == KI["school"], kind == KI["online"]
        place[sch] = ssch[r[sch]]
        place[onl] = [self.chat_of[int(s)] for s in ssch[r[onl]]]
        idx = np.flatnonzero(~sch & ~onl)
        if len(idx):
            keys, inv = np.unique(np.c_[snb[r], kind, shost[r]][idx], axis=0, return_inverse=True)
            for g, (nb, ki, host) in enumerate(keys):
                m = idx[inv.ravel() == g]
                got = self._catchment(int(nb), int(ki), bool(host))
                place[m] = ssch[r[m]] if got is None else rng.choice(got[0], len(m), p=got[1])
        src = np.empty(nr, object)
        for c in CONTEXTS:
            m = ctx == c
            src[m] = rng.choice(SOURCES, m.sum(), p=_p(SOURCE_BY_CONTEXT[c], SOURCES))
        rel = np.empty(nr, int)
        for s in SOURCES:
            rel[src == s] = rng.choice(4, (src == s).sum(), p=REL_BY_SOURCE[s])
        k_rec = np.where(self.pl_kind[place] == "online", sk[r], self.pl_auth[place])
        rel -= (rel > 0) & (rng.random(nr) < self.rel_down[k_rec])
        return pd.DataFrame({"p": p, "v": place, "day": day, "ctx": ctx, "src": src, "rel": rel})

    # ------------------------------------------------------------------ choosing people, places
    def _free(self, p: int) -> bool:
        return p not in self.used and len(self._seg(p)) == 1

    def _recruit(
        self, auths: list[int], n: int, ages: tuple[int, ...], female: float, anchor: np.ndarray
    ) -> tuple[list[int], int]:
        """n vulnerable young people from ``auths`` (one from each first), partly via ties."""
        rng = self.rng
        ok = np.isin(self.auth, auths) & (self.age >= ages[0]) & (self.age <= ages[1])
        ok &= np.array([self._free(i) for i in range(self.n)])
        d = np.hypot(*(self.nb_xy[self.nb] - anchor).T)
        sexw = np.where(self.sex == "F", female, np.where(self.sex == "M", 1 - female, 0.3))
        score = np.sqrt(self.frailty) * sexw**2 * (1 + 1.5 * self.lac) * np.exp(-d / 4000) + 1e-9
        chosen: list[int] = []
        via = 0

        def pick(mask: np.ndarray) -> None:
            c = np.flatnonzero(mask & ok)
            if len(c):
                j = int(rng.choice(c, p=score[c] / score[c].sum()))
                chosen.append(j)
                ok[j] = False

        for a in auths:
            pick(self.auth == a)
        while len(chosen) < n and ok.any():
            front = np.zeros(self.n, bool)
            front[[j for c in chosen for j in self.adj[c]]] = True
            if (front & ok).any() and rng.random() < 0.7:
                pick(front)
                via += 1
            else:
                pick(np.ones(self.n, bool))
        self.used.update(chosen)
        return chosen, via

    def _older(self, k: int, m: int, male: float = 0.9) -> list[int]:
        """m young people of authority k made 17-18 (older ones first, then neighbours)."""
        out: list[int] = []
        for lo, ks in ((17, [k]), (16, [k]), (15, [k]), (15, [k, *self.nbrs[k]])):
            c = np.flatnonzero(np.isin(self.auth, ks) & (self.age >= lo))
            c = np.array([i for i in c if self._free(int(i)) and i not in out], int)
            if len(c) and len(out) < m:
                w = np.where(self.sex[c] == "M", male, 1 - male) + 0.05
                take = self.rng.choice(c, min(len(c), m - len(out)), replace=False, p=w / w.sum())
                out += [int(i) for i in take]
        for i in out:
            self.age[i] = max(self.age[i], 17 + int(self.rng.random() < 0.6))
        self.used.update(out)
        return out

    def _pick_place(self, kind: str, k: int, busiest: bool = False) -> int:
        here = np.flatnonzero((self.pl_kind == kind) & (self.pl_auth == k))
        c = [int(v) for v in here if v not in self.used_places]
        if not c:
            c = [self._add_place(kind, k, self._points(k, 1, self.town[k], 1500)[0], 1.0)]
            self._refresh_places()
        pop = self.pl_pop[c]
        v = c[int(np.argmax(pop))] if busiest else self.one(c, pop)
        self.used_places.add(v)
        return v

    def _new_address(self, k: int) -> int:
        """A private address in one of authority k's more deprived neighbourhoods."""
        nbs = np.flatnonzero(self.nb_auth == k)
        nb = nbs[np.argmax(self.nb_dep[nbs] + self.rng.normal(0, 0.1, len(nbs)))]
        v = self._add_place("residential", k, self._points(k, 1, self.nb_xy[nb], 400)[0], 0.5)
        self._refresh_places()
        self.used_places.add(v)
        self.private.add(v)
        return v

    def _ensure_trace(self, n0: int, venue: int) -> None:
        """At least three records at the venue graded corroborated or better."""
        at = [i for i in range(n0, len(self.rows)) if self.rows[i][1] == venue]
        good = sum(self.rows[i][5] >= 2 for i in at)
        for i in self.rng.permutation(at)[: max(0, 3 - good)]:
            self.rows[i] = (*self.rows[i][:5], 2)

    # ------------------------------------------------------------------ planted hubs
    def _hub_authority(self) -> int:
        """A populous, deprived authority with neighbours, preferring one with no hub yet."""
        pools = [k for k in range(self.nk) if self.nbrs[k] and (self.auth == k).sum() >= 15]
        pools = pools or list(range(self.nk))
        w = self.share[pools] * (0.4 + self.dep[pools])
        h = self.one(pools, w * np.where(np.isin(pools, self.hub_auths), 0.1, 1))
        self.hub_auths.append(h)
        return h

    def _placed_child(self, h: int, far: list[int], sp: _HubSpec, day: int, why: str) -> list[int]:
        """A looked-after child of a far authority placed into authority h before ``day``."""
        c = np.flatnonzero(
            np.isin(self.auth, far) & (self.age >= sp.ages[0]) & (self.age <= sp.ages[1])
        )
        c = np.array([i for i in c if self._free(int(i))], int)
        if not len(c):
            return []
        w = np.where(self.sex[c] == "F", sp.female, 1 - sp.female) * (1 + 3 * self.lac[c]) + 0.01
        pl = self.one(c, w)
        self.used.add(pl)
        self._relocate(pl, h, max(1, day - self.ri(10, 60)), "care_placement", why=why)
        return [pl]

    def _hub(self, design: str) -> dict[str, Any]:
        rng, sp, ri = self.rng, HUBS[design], self.ri
        h, vis = self._hub_authority(), float(rng.uniform(0.55, 1.25))
        weeks = ri(sp.weeks[0], sp.weeks[1] + 1)
        if design == "park_recruitment":  # the summer holidays
            start = ri(_doy(6, 1), _doy(7, 10))
        else:
            start = ri(14, N_DAYS - 7 * weeks - 5)
        end = min(N_DAYS, start + 7 * weeks)
        if sp.kind == "residential":
            venue = self._new_address(h)
        else:
            venue = self._pick_place(sp.kind, h, busiest=design == "takeaway_grooming")
        at = self.pl_xy[venue]
        near = sorted(sorted(self.nbrs[h]), key=lambda j: -self.share[j] * rng.random())
        far = [j for j in range(self.nk) if j != h and j not in self.nbrs[h]]
        placed = bool(far) and (rng.random() < sp.placed or not near)
        partners = near[: min(ri(sp.partners[0], sp.partners[1] + 1), 3 - placed)]
        victims = (
            self._placed_child(h, far, sp, start, f"relocation+hub:{design}") if placed else []
        )
        n_v = ri(sp.n[0], sp.n[1] + 1) - len(victims)
        got, via = self._recruit([h, *partners], n_v, sp.ages, sp.female, at)
        victims += got
        for a in near:  # at least two authorities
            if len({int(self.auth[v]) for v in victims} | {h}) >= 2:
                break
            victims += self._recruit([a], 1, (sp.ages[0] - 1, sp.ages[1] + 1), 0.5, at)[0]
        homes = sorted({int(self.auth[v]) for v in victims} | {h})
        for a in homes:
            for b in homes:
                self._link(a, b, f"hub:{design}")
        exps = self._older(h, ri(sp.n_exp[0], sp.n_exp[1] + 1))
        down, n0 = sp.down + max(0.0, 1 - vis) * 0.4, len(self.rows)
        join = np.sort(start + rng.uniform(0, 0.6 * (end - start), len(victims)).astype(int))
        rng.shuffle(join[1:])
        term = self.cal["_term"]
        mask = term if design == "takeaway_grooming" else None  # after school
        parties = self._days(ri(4, 9), start, end, (0, 0, 0, 0, 1, 1, 0))
        for v, j in zip(victims, join.tolist(), strict=True):
            k = min(25, max(2, int(rng.poisson(sp.rate * vis * (end - j) / 7))))
            if design == "party_flat_cse":
                days = rng.choice(parties, k)
            else:
                days = self._days(k, j, end, sp.dow, mask)
            for d in days:
                ctx, src = self.draw(sp.contexts), self.draw(sp.sources)
                self._row(v, venue, int(d), ctx, src, down=down)
            if rng.random() < 0.4:  # a missing episode picked up at the main station
                d = int(self._days(1, j, end)[0])
                self._row(v, int(self.main_hub[h]), d, "missing_episode", "police", down=down)
            if rng.random() < 0.3:  # the school notices a change
                d, ctx = (
                    int(self._days(1, j, end, mask=term)[0]),
                    "cse" if sp.family == "sexual" else "other",
                )
                self._row(v, int(self._seg(v)[-1][2]), d, ctx, "school")
        if design == "party_flat_cse":  # the grooming group chat
            chat = self._add_place("online", h, None, 1.0, "snapchat")
            self._refresh_places()
            self.used_places.add(chat)
            for v in [*victims, *exps]:
                if v in exps or rng.random() < 0.75:
                    for d in self._days(ri(1, 4), start - 21, end):
                        ctx, src = (
                            self.draw("img 5, cse 3, other 2"),
                            self.draw("school 3, yp 3, vol 2, police 1"),
                        )
                        self._row(v, chat, int(d), ctx, src, down=down)
        if design == "cuckooed_cce":  # a raid near the end; a stabbing in a nearby park
            raid = min(N_DAYS - 1, end - ri(0, 10))
            for v in [*rng.choice(victims, min(len(victims), ri(3, 7)), replace=False), *exps]:
                self._row(int(v), venue, raid, self.draw("cce 6, gang 4"), "police", ri(2, 4))
            park, d = (
                self.one(np.flatnonzero((self.pl_kind == "park") & (self.pl_auth == h))),
                ri(start, end),
            )
            for v in rng.choice(victims, min(3, len(victims)), replace=False):
                self._row(int(v), park, d, "serious_youth_violence", "police")
        if design in ("cuckooed_cce", "park_recruitment"):
            for a, b in pairwise([v for v in victims if rng.random() < 0.6]):
                self._tie(a, b, "group_member", ri(start, end), -1, self.draw("police 1, ys 1"))
        for e in exps:  # exploiters at the venue
            for d in self._days(ri(1, 5), start, end, sp.dow):
                self._row(e, venue, int(d), self.draw(sp.exp_contexts), "police", down=down)
        for a, b in pairwise(exps):
            self._tie(a, b, "associate", ri(start, end), -1, "police")
        n_tie = max(1, round(rng.uniform(*sp.exp_tie) * len(victims)))
        for v in rng.choice(victims, n_tie, replace=False) if exps else []:
            f, src, rel = ri(start, end), self.draw("police 6, sc 4"), self.one(4, EXPLOIT_REL)
            self._tie(self.one(exps), int(v), "exploiter", f, f + ri(0, 60), src, rel)
        if design == "hotel_cse" and exps:  # the "boyfriend" model
            self._tie(exps[0], victims[0], "partner", start, -1, "social_care", 1)
        for _ in range(ri(1, 4)):  # seen together
            a, b = rng.choice(victims, 2, replace=False)
            self._tie(int(a), int(b), "associate", ri(start, end), -1, "police", 1)
        self._ensure_trace(n0, venue)
        plan = dict(design=design, venue=venue, auth=h, victims=victims, exploiters=exps)
        return plan | dict(
            start=start, end=end, visibility=round(vis, 3), via=via, partners=partners
        )

    # ------------------------------------------------------------------ county line
    def _county_line(self) -> dict[str, Any] | None:
        rng, ri, hub = self.rng, self.ri, self.main_hub
        cd = np.hypot(*(self.centroid[:, None] - self.centroid[None]).transpose(2, 0, 1)) / 1000
        ok = (cd >= min(15.0, 0.7 * cd.max())) & (cd <= 250)
        for i in range(self.nk):
            ok[i, sorted(self.near2k[i])] = False  # not bordering, not even across water
        origins = [i for i in range(self.nk) if ok[i].any() and (self.auth == i).sum() >= 12]
        if not origins:
            return None
        o = self.one(origins, self.share[origins] * (0.3 + self.dep[origins]))
        ds = np.flatnonzero(ok[o])
        dst = self.one(ds, cd[o, ds] / np.sqrt(self.share[ds]))  # far, smaller towns
        addr = self._new_address(dst)
        victims, via = self._recruit([o], ri(4, 9), (14, 17), 0.2, self.town[o])
        exps = self._older(o, ri(1, 3))
        self._link(o, dst, "county_line")
        weeks = ri(8, 21)
        start = ri(14, N_DAYS - 7 * weeks - 10)
        end = start + 7 * weeks
        parks = np.flatnonzero((self.pl_kind == "park") & (self.pl_auth == o))
        for v in victims:
            for t in np.sort(self._days(ri(2, 6), start, end)).tolist():
                stay = ri(1, 4)
                if rng.random() < 0.55:  # reported missing, last seen at the home station
                    self._row(v, int(hub[o]), t, "missing_episode", "police")
                for d in range(t, min(N_DAYS, t + stay)):
                    ctx, src = (
                        self.draw("cce 5, miss 3, other 2"),
                        self.draw("police 11, sc 5, other 4"),
                    )
                    self._row(v, addr, d, ctx, src)
                if rng.random() < 0.35:  # stopped at the destination's station
                    self._row(v, int(hub[dst]), t + stay, "cce", "police")
            if rng.random() < 0.5:
                self._row(v, self.one(parks), ri(start, end), "gang_association", "police")
        for e in exps:
            for d in self._days(ri(1, 4), start, end):
                self._row(e, addr, int(d), "cce", "police")
        for v in rng.choice(victims, max(1, len(victims) // 2), replace=False) if exps else []:
            rel = self.one(4, np.array([0.1, 0.4, 0.35, 0.15]))
            self._tie(self.one(exps), int(v), "exploiter", ri(start, end), -1, "police", rel)
        if len(victims) > 1:
            a, b = rng.choice(victims, 2, replace=False)
            self._tie(int(a), int(b), "associate", ri(start, end), -1, "police")
        self._ensure_trace(0, addr)
        plan = dict(o=o, d=dst, km=round(float(cd[o, dst]), 2), addr=addr, victims=victims)
        return plan | dict(exploiters=exps, start=start, end=end, via=via)

    # ------------------------------------------------------------------ decoys
    def _decoy(self, kind: str) -> dict[str, Any]:
        rng, ri = self.rng, self.ri
        pools = [k for k in range(self.nk) if self.nbrs[k] and (self.auth == k).sum() >= 15]
        pools = pools or list(range(self.nk))
        a = self.one(pools, self.share[pools])
        b = self.one(sorted(self.nbrs[a])) if self.nbrs[a] else a

        def rec(k: int, n: int, ages: tuple[int, int], female: float) -> list[int]:
            return self._recruit([k], n, ages, female, self.pl_xy[v])[0]

        if kind == "fast_food_fight":  # rival groups from two neighbouring authorities
            v = self._pick_place("fast_food", a, busiest=True)
            day = int(self._days(1, 0, N_DAYS, (0, 0, 0, 0, 1, 1, 0), self.cal["_dark"])[0])
            groups = [rec(a, ri(3, 7), (13, 17), 0.2), rec(b, ri(3, 7), (13, 17), 0.2)]
            people = groups[0] + groups[1]
        elif kind == "transport_robbery":
            v, day = int(self.main_hub[a]), ri(0, N_DAYS)
            self.used_places.add(v)
            groups = [rec(a, ri(2, 4), (14, 17), 0.1)]
            people = groups[0] + rec(a, ri(1, 3), (12, 16), 0.5)
        elif kind == "park_assault":  # people[0] is the young person assaulted
            v = self._pick_place("park", a)
            day = int(self._days(1, _doy(3, 1), _doy(9, 30), (1, 1, 1, 1, 1, 2, 2))[0])
            people = rec(a, ri(3, 6), (13, 17), 0.3)
            groups = [people[1:]]
        else:
            v = self._pick_place("shopping_centre", a, busiest=True)
            day = int(self._days(1, 0, N_DAYS, (0, 0, 0, 0, 0, 1, 0))[0])
            groups = [rec(a, ri(5, 9), (12, 17), 0.4), rec(b, ri(3, 6), (12, 17), 0.4)]
            people = groups[0] + groups[1]
        if {int(self.auth[p]) for p in people} >= {a, b}:
            self._link(a, b, "incident")
        n0 = len(self.rows)
        for p in people:
            self._row(
                p,
                v,
                day,
                "serious_youth_violence",
                "police",
                self.one([1, 2, 3], np.array([1, 2, 2])),
            )
            if rng.random() < 0.4:  # A&E, or the venue's staff
                self._row(p, v, day, self.draw("syv 1, other 1"), self.draw("health 1, other 1"))
            if rng.random() < 0.3:  # follow-up at school
                d, ctx = (
                    min(N_DAYS - 1, day + ri(1, 8)),
                    "bullying" if kind == "park_assault" else "other",
                )
                self._row(p, int(self._seg(p)[-1][2]), d, ctx, "school")
        tie_kind = "associate" if kind == "transport_robbery" else "group_member"
        for g in groups:
            for x, y in pairwise(g):
                self._tie(x, y, tie_kind, day, -1, "police", ri(1, 4))
        self._ensure_trace(n0, v)
        return dict(kind=kind, venue=v, people=people, day=day)

    # ------------------------------------------------------------------ thin exploitation
    def _background_exploitation(self) -> None:
        rng, ri = self.rng, self.ri
        kinds = [
            KI[k]
            for k in (
                "park",
                "fast_food",
                "transport_hub",
                "residential",
                "other",
                "shopping_centre",
            )
        ]
        for _ in range(max(2, self.n // 1200)):  # exploiter ties with no shared venue
            k = self.one(self.nk, self.share)
            ex = self._older(k, 1)
            vic = self._recruit(
                [self.one([k, *sorted(self.nbrs[k])])], 1, (12, 16), 0.5, self.town[k]
            )[0]
            if not ex or not vic:
                continue
            src, rel = self.draw("police 1, sc 1"), self.one(4, np.array([0.15, 0.5, 0.3, 0.05]))
            self._tie(ex[0], vic[0], "exploiter", ri(0, N_DAYS), -1, src, rel)
            for ctx in rng.choice(["cce", "cse", "missing_episode"], ri(1, 4)):
                c = self._catchment(int(self.nb[vic[0]]), self.one(kinds), False)
                if c is not None:
                    self._row(vic[0], self.one(c[0], c[1]), ri(0, N_DAYS), str(ctx))
        risky = np.flatnonzero(self.frailty > np.quantile(self.frailty, 0.97))
        for p in rng.choice(risky, max(1, len(risky) // 3), replace=False):  # lone victims
            s = self._seg(int(p))[0]
            for ctx in rng.choice(["cse", "cce", "missing_episode"], ri(2, 5)):
                c = self._catchment(int(s[1]), self.one(kinds), bool(s[5]))
                if c is not None:
                    self._row(int(p), self.one(c[0], c[1]), ri(s[3], s[4]), str(ctx))

    # ------------------------------------------------------------------ build
    def build(self) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
        rng = self.rng
        self._people()
        self._places()
        self._background_ties()
        self._background_relocations()
        sexual = [d for d, s in HUBS.items() if s.family == "sexual"]
        criminal = [d for d, s in HUBS.items() if s.family == "criminal"]
        first = [str(rng.choice(sexual)), str(rng.choice(criminal))]
        rest = [str(d) for d in rng.permutation(list(HUBS)) if d not in first]
        hubs = [self._hub(d) for d in first + rest[: self.ri(0, 3)]]
        line = self._county_line()
        decoys = [self._decoy(str(d)) for d in rng.permutation(DECOYS)[: self.ri(2, 5)]]
        self._background_exploitation()
        bg = self._background_sightings()
        return self._tables(bg), dict(hubs=hubs, line=line, decoys=decoys)

    def _tables(self, bg: pd.DataFrame) -> dict[str, pd.DataFrame]:
        rng = self.rng
        self.pid = np.array([f"hb-p{i:06d}" for i in rng.permutation(self.n)])
        self.vid = np.array([f"hb-v{i:05d}" for i in rng.permutation(len(self.pl))])
        codes, rels, pid = np.array(self.codes), np.array(RELS), self.pid
        days = np.datetime_as_string(np.datetime64("2024-01-01") + np.arange(N_DAYS), unit="D")
        sex = np.where(self.sex == "", None, self.sex)
        lac = np.where(self.lac_known, np.where(self.lac, "true", "false"), None)
        people = _frame("people", pid, codes[self.auth], self.age, sex, lac)
        online = self.pl_kind == "online"
        ll = (rng.random(len(self.pl)) < 0.3) & ~online  # some partners export lon/lat
        x, y = self.pl_xy.T
        lon, lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(x, y)
        lon, lat = np.where(ll, np.round(lon, 6), np.nan), np.where(ll, np.round(lat, 6), np.nan)
        east = np.where(ll | online, np.nan, np.round(x, 1))
        north = np.where(ll | online, np.nan, np.round(y, 1))
        seen: dict[str, int] = {}
        labels = []
        for kd in self.pl_kind:
            seen[kd] = seen.get(kd, 0) + 1
            name = "group chat" if kd == "online" else kd.replace("_", " ")
            labels.append(None if kd == "residential" else f"{name} {seen[kd]}")
        platform = [p[5] or None for p in self.pl]
        places = _frame("places", self.vid, self.pl_kind, lon, lat, east, north, labels, platform)
        t = np.array(self.ties, dtype=object).reshape(-1, 7)
        a, b, first, last, rel = (t[:, i].astype(int) for i in (0, 1, 3, 4, 6))
        last_seen = np.where(last >= 0, days[np.maximum(last, 0)], None)
        ties = _frame("ties", pid[a], pid[b], t[:, 2], days[first], last_seen, t[:, 5], rels[rel])
        cols = ["p", "v", "day", "ctx", "src", "rel"]
        s = pd.concat([bg, pd.DataFrame(self.rows, columns=cols)], ignore_index=True)
        p, v, d, r = (s[c].to_numpy(int) for c in ("p", "v", "day", "rel"))
        ctx, src = s.ctx.astype(str), s.src.astype(str)
        sightings = _frame("sightings", pid[p], self.vid[v], days[d], ctx, src, rels[r])
        m = np.array(self.relocs, dtype=object).reshape(-1, 5)
        p, f, to, d = (m[:, i].astype(int) for i in range(4))
        relocations = _frame("relocations", pid[p], codes[f], codes[to], days[d], m[:, 4])
        out = dict(people=people, places=places, ties=ties, sightings=sightings)
        out["relocations"] = relocations
        seed = self.ri(0, 2**31)
        shuffled = lambda f: f.drop_duplicates().sample(frac=1, random_state=seed)  # noqa: E731
        return {k: shuffled(f).reset_index(drop=True) for k, f in out.items()}

    def truth(self, plan: dict[str, Any], counts: dict[str, int], seed: int) -> HeldOutBTruth:
        """The planted items by the dataset's ids, and the scenario's parameters."""
        code = self.codes
        ids = lambda xs: tuple(sorted(str(self.pid[x]) for x in xs))  # noqa: E731
        day = lambda d: str(np.datetime64("2024-01-01") + int(d))  # noqa: E731
        traps, hubs = [], []
        for h in plan["hubs"]:
            at = tuple(sorted({code[h["auth"]]} | {code[self.auth[v]] for v in h["victims"]}))
            when = (day(h["start"]), day(h["end"] - 1))
            f = [str(self.vid[h["venue"]]), HUBS[h["design"]].kind, h["design"], code[h["auth"]]]
            trap = PlantedTrapHouse(*f, ids(h["victims"]), at, ids(h["exploiters"]), *when)
            traps.append(dataclasses.replace(trap, visibility=h["visibility"]))
            partners = [code[a] for a in h["partners"]]
            hub = dict(design=h["design"], window=when, visibility=h["visibility"])
            hubs.append(hub | dict(recruited_through_ties=h["via"], partners=partners))
        lines: tuple[PlantedCountyLine, ...] = ()
        line = None
        if (c := plan["line"]) is not None:
            o, d, addr = code[c["o"]], code[c["d"]], str(self.vid[c["addr"]])
            yp, ex = ids(c["victims"]), ids(c["exploiters"])
            lines = (PlantedCountyLine(o, d, c["km"], addr, yp, ex, tuple(sorted({o, d}))),)
            line = dict(
                window=(day(c["start"]), day(c["end"] - 1)), recruited_through_ties=c["via"]
            )
        decoys = tuple(
            Incident(str(self.vid[d["venue"]]), ids(d["people"]), d["kind"], day(d["day"]))
            for d in plan["decoys"]
        )
        people = np.bincount(self.auth, minlength=self.nk)
        authorities = {}
        for k in range(self.nk):
            dep, cap, down = (
                round(float(x[k]), 3) for x in (self.dep, self.capture, self.rel_down)
            )
            prof = dict(people=int(people[k]), deprivation=dep, capture=cap, grade_down=down)
            authorities[code[k]] = prof | dict(neighbours=sorted(code[j] for j in self.nbrs[k]))
        links = sorted((code[x], code[y], "+".join(sorted(w))) for (x, y), w in self.links.items())
        params = dict(n_people=self.n, seed=seed, authorities=authorities, hubs=hubs)
        params |= dict(county_line=line, low_capture_authority=code[self.low_capture])
        params |= dict(story_links=links, counts=counts)
        return HeldOutBTruth(tuple(traps), lines, decoys, seed, params)


def _frame(table: str, *values: Any) -> pd.DataFrame:
    """A table with exactly the schema's columns, in its order."""
    return pd.DataFrame(dict(zip(TABLES[table].names, values, strict=True)))


def heldout_b_scenario(
    boundaries: gpd.GeoDataFrame, *, n_people: int = 2000, seed: int = 0
) -> tuple[peermap.Dataset, HeldOutBTruth]:
    """Build held-out scenario B on ``boundaries`` and read it with peermap.

    Parameters
    ----------
    boundaries : geopandas.GeoDataFrame
        Authority boundaries with ``code`` and ``geometry`` (as from
        ``peermap.load_boundaries`` or ``peermap.demo_boundaries()``), in any CRS.
    n_people : int
        Number of young people; victims, exploiters and incident participants are among them.
    seed : int
        Seed of ``numpy.random.default_rng``: the same seed gives the same scenario.

    Returns
    -------
    (peermap.Dataset, HeldOutBTruth)
        The dataset read strictly with the boundaries, and what was planted.
    """
    b = _Builder(boundaries, n_people, seed)
    tables, plan = b.build()
    ds = peermap.read_dataset(tables, boundaries=boundaries)
    return ds, b.truth(plan, {k: len(v) for k, v in tables.items()}, seed)
