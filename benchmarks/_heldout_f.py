"""Held-out world F: a partnership's pooled records, written blind to the ranking.

What the author read (and nothing else of peermap): /work/shared/domain-notes.md;
docs/schema.md, docs/exchange-format.md, docs/getting-started.md, docs/validation.md,
docs/privacy.md (the identifier rules and the pseudonym format); src/peermap/__init__.py,
src/peermap/dataset.py, src/peermap/schema.py; benchmarks/_truth.py, benchmarks/_regions.py;
of benchmarks/_heldout_e.py only its first 15 lines and its entry point's signature and
docstring. Not read: the ranking, the kernels, the analysis package, the synthetic
generator, the other held-out worlds' bodies, the ranking docs, bench_ranking.py. Nothing
here was run through ``peermap.contexts``/``hotspots``/``flows`` or any ranking.

The world
---------
Eighteen months (June 2025 to November 2026) of a partnership's pooled, pseudonymised
records (``pm`` + 16 base32 pseudonyms for people and places). Young people 10-18 and
about 3% young adults (18-24: older peers, care leavers, exploiters) live in authorities
of uneven size; looked-after children (about 7%) are often placed out of area
(``care_placement`` relocations) and live their daily lives in the host authority while
their home authority stays the placing one; a few family, housing, education and secure
moves. Every authority has schools (primary and secondary), fast-food shops, transport
hubs, parks, shopping centres, youth venues, hotels, homes (including children's homes)
and "other" venues (barbers, off-licences, car washes), clustered round town centres,
with heavy-tailed popularity; online group chats and platforms hold online harm.

Ordinary life is the bulk: sightings drawn per person (negative binomial, heavy tail;
looked-after children far more, mostly missing episodes from care), with contexts
weighted as a partnership records them (welfare "other", bullying, fights, missing,
relationship abuse, harmful sexual behaviour, gang association, image sharing, online
harassment) and a thin scatter of CSE/CCE disclosures at ordinary places; friendship
groups within schools, siblings, partners, police-recorded associates across borders,
gang nominal groups with group-member ties and sightings at their park or estate, groups
stopped together, isolated exploiter ties (an older youth and one or two younger ones)
that belong to no hub. Recording quirks: each authority's agencies grade differently;
some agencies write UK dates or a time of day, titles ("Missing Episode", "CCE",
"Fast Food"); some venues are mis-typed (a takeaway as "other", an aparthotel as
"residential"); joint visits are recorded by two agencies; one partner writes
authority names instead of codes; some coordinates come as lon/lat, others as grid.

Hubs (2 below 1,500 people, 3 from 1,500, 4 from 6,000; designs drawn by seed, at least
one a takeaway or a car wash; victims per hub scale gently with size):

- ``budget_hotel``: a hotel by a transport hub; girls 13-17 from several authorities,
  young adult "boyfriends" (partner ties nearly as often as exploiter ties); records
  mostly missing episodes found there and welfare "other" from police checks, some CSE.
- ``cuckooed_flat``: a vulnerable adult's flat on an estate; boys 14-17 from the host
  and neighbouring authorities dealing for a young adult and a 17-year-old recruiter;
  police CCE/gang records, one warrant day that finds several together, a Snapchat
  group, stop-and-search records at nearby fast food and stations.
- ``takeaway``: a busy fast-food shop (with ordinary records of its own) where workers
  groom girls 12-15 from local schools; school concerns as "other", few CSE, mostly
  unverified or reported; few exploiter ties.
- ``car_wash``: a hand car wash (kind "other") near a town centre; boys 15-17, many
  looked-after and placed into the area, working and holding drugs; youth service and
  voluntary sector records, soft-graded "other".
- ``short_let``: a short-let flat (kind "residential") used for weekend "parties" over a
  few weeks; boys and girls 14-17 from several authorities; missing episodes, little CSE
  or CCE recorded.

County line (only where two authorities are 40-250 km apart by centroid: on London,
the pairs at the outer edges; never on the demo region): boys from the origin authority
sent to a cuckooed address in the destination; missing episodes at home stations,
CCE at the address, a later secure placement. Decoys (3, 4 from 4,000 people, 5 from 8,000):
a mass fight at a fast-food shop or station, a bullying cluster in a school, an image-
sharing incident in a school, a postcode rivalry stabbing in a park, a children's home
whose residents go missing together.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from _truth import Decoy, HeldOutTruth, PlantedHub, PlantedLine

import peermap

__all__ = ["heldout_f_scenario"]

START = date(2025, 6, 1)
END = date(2026, 11, 30)
N_DAYS = (END - START).days + 1
_B32 = np.array(list("abcdefghijklmnopqrstuvwxyz234567"))

KINDS = (
    "school",
    "primary",
    "fast_food",
    "transport_hub",
    "park",
    "shopping_centre",
    "youth_venue",
    "hotel",
    "residential",
    "other",
)
# context -> (place kind weights)
CONTEXT_PLACES: dict[str, dict[str, float]] = {
    "bullying": {
        "school": 0.7,
        "online": 0.15,
        "park": 0.05,
        "fast_food": 0.05,
        "transport_hub": 0.05,
    },
    "online_harassment": {"online": 0.6, "school": 0.35, "other": 0.05},
    "image_sharing": {"online": 0.5, "school": 0.45, "residential": 0.05},
    "serious_youth_violence": {
        "fast_food": 0.25,
        "transport_hub": 0.2,
        "park": 0.2,
        "shopping_centre": 0.1,
        "school": 0.1,
        "residential": 0.05,
        "youth_venue": 0.05,
        "other": 0.05,
    },
    "missing_episode": {
        "residential": 0.35,
        "transport_hub": 0.2,
        "fast_food": 0.15,
        "park": 0.1,
        "shopping_centre": 0.1,
        "other": 0.05,
        "hotel": 0.05,
    },
    "teenage_relationship_abuse": {
        "residential": 0.3,
        "school": 0.25,
        "online": 0.2,
        "park": 0.1,
        "fast_food": 0.1,
        "other": 0.05,
    },
    "harmful_sexual_behaviour": {
        "school": 0.45,
        "park": 0.2,
        "residential": 0.15,
        "online": 0.1,
        "youth_venue": 0.1,
    },
    "gang_association": {
        "park": 0.3,
        "fast_food": 0.2,
        "residential": 0.2,
        "transport_hub": 0.1,
        "other": 0.1,
        "youth_venue": 0.1,
    },
    "cse": {
        "residential": 0.3,
        "online": 0.25,
        "park": 0.1,
        "hotel": 0.1,
        "fast_food": 0.1,
        "transport_hub": 0.1,
        "other": 0.05,
    },
    "cce": {
        "transport_hub": 0.3,
        "residential": 0.2,
        "fast_food": 0.15,
        "park": 0.15,
        "other": 0.1,
        "online": 0.1,
    },
    "other": {
        "school": 0.25,
        "fast_food": 0.15,
        "park": 0.12,
        "transport_hub": 0.1,
        "shopping_centre": 0.1,
        "youth_venue": 0.12,
        "residential": 0.1,
        "other": 0.06,
    },
}
BASE_CONTEXTS = {
    "other": 0.27,
    "bullying": 0.14,
    "serious_youth_violence": 0.12,
    "missing_episode": 0.11,
    "teenage_relationship_abuse": 0.06,
    "harmful_sexual_behaviour": 0.05,
    "gang_association": 0.07,
    "image_sharing": 0.06,
    "online_harassment": 0.06,
    "cse": 0.02,
    "cce": 0.02,
}
LAC_CONTEXTS = {**BASE_CONTEXTS, "missing_episode": 0.5, "bullying": 0.06, "image_sharing": 0.03}
YOUNG_CONTEXTS = {
    **BASE_CONTEXTS,
    "bullying": 0.3,
    "gang_association": 0.01,
    "cce": 0.01,
    "teenage_relationship_abuse": 0.01,
    "serious_youth_violence": 0.06,
}
CONTEXT_SOURCES: dict[str, dict[str, float]] = {
    "bullying": {"school": 0.75, "young_person": 0.1, "social_care": 0.05, "youth_service": 0.1},
    "online_harassment": {"school": 0.6, "young_person": 0.2, "police": 0.1, "social_care": 0.1},
    "image_sharing": {"school": 0.55, "police": 0.25, "social_care": 0.15, "young_person": 0.05},
    "serious_youth_violence": {"police": 0.6, "health": 0.2, "school": 0.1, "youth_service": 0.1},
    "missing_episode": {"police": 0.6, "social_care": 0.35, "other": 0.05},
    "teenage_relationship_abuse": {
        "social_care": 0.3,
        "school": 0.3,
        "police": 0.2,
        "health": 0.1,
        "young_person": 0.1,
    },
    "harmful_sexual_behaviour": {"school": 0.45, "social_care": 0.3, "police": 0.2, "health": 0.05},
    "gang_association": {"police": 0.7, "youth_service": 0.15, "social_care": 0.1, "other": 0.05},
    "cse": {
        "social_care": 0.35,
        "police": 0.25,
        "health": 0.2,
        "school": 0.1,
        "voluntary_sector": 0.1,
    },
    "cce": {"police": 0.55, "social_care": 0.2, "youth_service": 0.15, "voluntary_sector": 0.1},
    "other": {
        "school": 0.3,
        "social_care": 0.2,
        "police": 0.2,
        "youth_service": 0.12,
        "voluntary_sector": 0.08,
        "health": 0.05,
        "other": 0.05,
    },
}
RELS = ("unverified", "reported", "corroborated", "confirmed")
SOURCE_RELIABILITY: dict[str, tuple[float, float, float, float]] = {
    "police": (0.1, 0.4, 0.3, 0.2),
    "social_care": (0.15, 0.5, 0.25, 0.1),
    "school": (0.3, 0.5, 0.15, 0.05),
    "health": (0.1, 0.45, 0.3, 0.15),
    "youth_service": (0.35, 0.45, 0.15, 0.05),
    "voluntary_sector": (0.4, 0.45, 0.12, 0.03),
    "young_person": (0.55, 0.4, 0.05, 0.0),
    "other": (0.5, 0.4, 0.08, 0.02),
}
LABELS = {
    "school": ["secondary", "academy", "high school", None],
    "primary": ["primary", "junior school", None],
    "fast_food": ["chicken shop", "takeaway", "burger bar", "pizza shop", "fried chicken", None],
    "transport_hub": ["bus station", "rail station", "tube station", "interchange", None],
    "park": ["rec ground", "park", "playing fields", "skate park", None],
    "shopping_centre": ["shopping centre", "retail park", "precinct", None],
    "youth_venue": ["youth club", "community centre", "leisure centre", "boxing gym", None],
    "hotel": ["budget hotel", "hotel", "aparthotel", None],
    "residential": [None, None, None, "estate block", "flat"],
    "other": ["barbers", "off licence", "car wash", "bookmakers", "vape shop", "garages", None],
}
PLATFORMS = ("snapchat", "instagram", "whatsapp", "tiktok", "telegram", "gaming", "other")


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


class _World:
    def __init__(self, boundaries: gpd.GeoDataFrame, n_people: int, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.n = n_people
        self.seed = seed
        b = boundaries.to_crs(27700).reset_index(drop=True)
        self.codes = [str(c) for c in b["code"]]
        self.names = [str(x) for x in b["name"]]
        geoms = [shapely.make_valid(g) for g in b.geometry]
        self.geoms = [g.buffer(-150) if not g.buffer(-150).is_empty else g for g in geoms]
        for g in self.geoms:
            shapely.prepare(g)
        self.n_auth = len(self.codes)
        cent = np.array([[g.centroid.x, g.centroid.y] for g in geoms])
        self.centroids = cent
        d = (
            np.hypot(cent[:, None, 0] - cent[None, :, 0], cent[:, None, 1] - cent[None, :, 1])
            / 1000
        )
        self.dist_km = d
        touch = np.zeros((self.n_auth, self.n_auth), bool)
        for i in range(self.n_auth):
            for j in range(i + 1, self.n_auth):
                if geoms[i].distance(geoms[j]) < 300:
                    touch[i, j] = touch[j, i] = True
        self.neigh = [np.flatnonzero(touch[i]) for i in range(self.n_auth)]
        # people
        self.p_id: list[str] = []
        self.p_home: list[int] = []  # home (responsible) authority
        self.p_base: list[int] = []  # where daily life happens
        self.p_age: list[int] = []
        self.p_sex: list[Any] = []
        self.p_lac: list[Any] = []
        self.p_school: list[int] = []
        self.p_house: list[int] = []
        # places
        self.pl_id: list[str] = []
        self.pl_kind: list[str] = []  # recorded kind
        self.pl_true: list[str] = []  # what it really is (drives behaviour)
        self.pl_auth: list[int] = []
        self.pl_xy: list[tuple[float, float]] = []
        self.pl_label: list[Any] = []
        self.pl_platform: list[Any] = []
        self.by_ak: dict[tuple[int, str], list[int]] = {}
        self.pop: list[float] = []
        self.sight: list[tuple[int, int, int, str, str, str]] = []
        self.ties: list[tuple[int, int, str, int, int, str, str]] = []
        self.relocs: list[tuple[int, int, int, int, str]] = []
        self.used_ids: set[str] = set()
        # per-authority grading habits: shift of reliability towards stronger/weaker grades
        self.grade_habit = self.rng.normal(0, 0.6, size=(self.n_auth, 8))
        self.uk_dates = self.rng.random(self.n_auth) < 0.3
        self.lonlat = self.rng.random(self.n_auth) < 0.4

    # ------------------------------------------------------------------ helpers
    def new_id(self) -> str:
        while True:
            s = "pm" + "".join(_B32[self.rng.integers(0, 32, 16)])
            if s not in self.used_ids:
                self.used_ids.add(s)
                return s

    def points_in(
        self, a: int, k: int, centre: tuple[float, float] | None = None, spread: float = 1500.0
    ) -> np.ndarray:
        g = self.geoms[a]
        out = np.empty((0, 2))
        minx, miny, maxx, maxy = g.bounds
        tries = 0
        while len(out) < k:
            m = max(4 * (k - len(out)), 16)
            if centre is not None and tries < 20:
                xy = self.rng.normal(centre, spread, size=(m, 2))
            else:
                xy = np.c_[self.rng.uniform(minx, maxx, m), self.rng.uniform(miny, maxy, m)]
            ok = shapely.contains_xy(g, xy[:, 0], xy[:, 1])
            out = np.vstack([out, xy[ok]])
            tries += 1
        return out[:k]

    def add_place(
        self,
        a: int,
        true_kind: str,
        xy: tuple[float, float] | None,
        recorded: str | None = None,
        label: Any = "auto",
        pop: float = 1.0,
        platform: Any = None,
    ) -> int:
        i = len(self.pl_id)
        self.pl_id.append(self.new_id())
        if recorded is None:
            recorded = "school" if true_kind == "primary" else true_kind
        self.pl_kind.append(recorded)
        self.pl_true.append(true_kind)
        self.pl_auth.append(a)
        self.pl_xy.append(xy if xy is not None else (np.nan, np.nan))
        if label == "auto":
            opts = LABELS.get(true_kind, [None])
            label = opts[int(self.rng.integers(len(opts)))] if self.rng.random() < 0.6 else None
        self.pl_label.append(label)
        self.pl_platform.append(platform)
        self.pop.append(pop)
        self.by_ak.setdefault((a, true_kind), []).append(i)
        return i

    def add_person(self, home: int, age: int, sex: Any, lac: Any, base: int | None = None) -> int:
        i = len(self.p_id)
        self.p_id.append(self.new_id())
        self.p_home.append(home)
        self.p_base.append(home if base is None else base)
        self.p_age.append(age)
        self.p_sex.append(sex)
        self.p_lac.append(lac)
        self.p_school.append(-1)
        self.p_house.append(-1)
        return i

    def day(self, lo: int = 0, hi: int = N_DAYS) -> int:
        return int(self.rng.integers(max(0, lo), max(min(hi, N_DAYS), lo + 1)))

    def grade(self, source: str, auth: int, shift: float = 0.0) -> str:
        p = np.log(np.array(SOURCE_RELIABILITY[source]) + 1e-3)
        k = list(SOURCE_RELIABILITY).index(source)
        p = p + (self.grade_habit[auth, k] + shift) * np.arange(4) * 0.5
        p = np.exp(p - p.max())
        return RELS[int(self.rng.choice(4, p=p / p.sum()))]

    def sighting(
        self,
        person: int,
        place: int,
        d: int,
        context: str,
        source: str | None = None,
        rel: str | None = None,
        shift: float = 0.0,
    ) -> None:
        if source is None:
            source = _pick(self.rng, CONTEXT_SOURCES[context])
        a = self.pl_auth[place] if self.pl_auth[place] >= 0 else self.p_base[person]
        if rel is None:
            rel = self.grade(source, a, shift)
        self.sight.append((person, place, d, context, source, rel))

    def tie(
        self,
        a: int,
        b: int,
        kind: str,
        first: int,
        source: str,
        rel: str | None = None,
        last: int | None = None,
        shift: float = 0.0,
    ) -> None:
        if a == b:
            return
        if rel is None:
            rel = self.grade(source, self.p_base[a], shift)
        if last is None:
            last = first + int(self.rng.integers(0, 200)) if self.rng.random() < 0.5 else -1
        last = min(last, N_DAYS - 1)
        self.ties.append((a, b, kind, first, last, source, rel))

    def place_of(self, kind: str, a: int, *, roam: bool = True) -> int:
        r = self.rng.random()
        if roam and r > 0.78:
            if r < 0.95 and len(self.neigh[a]):
                a = int(self.rng.choice(self.neigh[a]))
            else:
                a = int(self.rng.integers(self.n_auth))
        cands = self.by_ak.get((a, kind))
        if not cands:
            cands = self.by_ak[(self.p_fallback_auth(kind), kind)]
        w = self.pop_arr[cands]
        return int(cands[int(np.searchsorted(np.cumsum(w), self.rng.random() * w.sum()))])

    def p_fallback_auth(self, kind: str) -> int:
        for a in range(self.n_auth):
            if (a, kind) in self.by_ak:
                return a
        raise KeyError(kind)

    def members_of(
        self,
        a: int,
        ages: tuple[int, int],
        sex: str | None,
        k: int,
        exclude: set[int],
        lac_bias: float = 1.0,
        pool: str = "base",
    ) -> list[int]:
        arr_a = self.base_arr if pool == "base" else self.home_arr
        ok = (arr_a == a) & (self.age_arr >= ages[0]) & (self.age_arr <= ages[1])
        if sex is not None:
            ok &= self.sex_arr == sex
        idx = np.flatnonzero(ok)
        idx = np.array([i for i in idx if i not in exclude], int)
        if len(idx) == 0:
            return []
        w = np.where(self.lac_arr[idx], lac_bias, 1.0)
        k = min(k, len(idx))
        return [int(x) for x in self.rng.choice(idx, size=k, replace=False, p=w / w.sum())]

    # ------------------------------------------------------------------ building
    def build_population(self) -> None:
        rng = self.rng
        share = rng.dirichlet(np.full(self.n_auth, 6.0))
        self.share = share
        n_adults = max(12, round(0.03 * self.n))
        n_young = self.n - n_adults
        homes = rng.choice(self.n_auth, size=self.n, p=share)
        ages_y = rng.choice(
            np.arange(10, 19), size=n_young, p=np.array([4, 6, 8, 11, 14, 16, 16, 15, 10]) / 100
        )
        ages_a = rng.choice(
            np.arange(18, 25), size=n_adults, p=np.array([20, 22, 18, 14, 11, 8, 7]) / 100
        )
        ages = np.r_[ages_y, ages_a]
        sexr = rng.random(self.n)
        for i in range(self.n):
            age = int(ages[i])
            adult = i >= n_young
            if adult:
                sex: Any = "M" if sexr[i] < 0.8 else "F"
            else:
                sex = (
                    "F"
                    if sexr[i] < 0.48
                    else "M"
                    if sexr[i] < 0.96
                    else "X"
                    if sexr[i] < 0.975
                    else ("unknown" if sexr[i] < 0.99 else None)
                )
            lac: Any = bool(rng.random() < (0.075 if not adult else 0.15))
            if rng.random() < 0.06:
                lac = None  # partner that does not record looked-after status
            self.add_person(int(homes[i]), age, sex, lac)
        self.n_young = n_young
        # relocations: care placements (often out of area), moves
        for i in range(self.n):
            home = self.p_home[i]
            r = rng.random()
            if self.p_lac[i] and r < 0.45:
                d = self.day(0, N_DAYS - 30)
                to = self.away_from(home, near=rng.random() < 0.6)
                self.relocs.append((i, home, to, d, "care_placement"))
                self.p_base[i] = to
                if rng.random() < 0.3:  # a second placement
                    to2 = self.away_from(to, near=rng.random() < 0.5)
                    if to2 != home:
                        d2 = min(d + int(rng.integers(30, 300)), N_DAYS - 1)
                        self.relocs.append((i, to, to2, d2, "care_placement"))
                        self.p_base[i] = to2
            elif r < 0.012:
                to = self.away_from(home, near=True)
                kind = _pick(rng, {"housing": 0.5, "family": 0.35, "education": 0.1, "other": 0.05})
                self.relocs.append((i, home, to, self.day(), kind))
                self.p_home[i] = to  # the family moved: the new authority is home
                self.p_base[i] = to

    def away_from(self, a: int, near: bool) -> int:
        if near and len(self.neigh[a]):
            return int(self.rng.choice(self.neigh[a]))
        others = [x for x in range(self.n_auth) if x != a]
        w = 1.0 / (1.0 + self.dist_km[a, others] / 10)
        return int(self.rng.choice(others, p=w / w.sum()))

    def build_places(self) -> None:
        rng = self.rng
        base = np.array(self.p_base)
        for a in range(self.n_auth):
            na = max(int((base == a).sum()), 20)
            n_centres = 1 + int(na > 250) + int(na > 700)
            centres = self.points_in(a, n_centres)
            counts = {
                "school": max(2, round(na / 170)),
                "primary": max(1, round(na / 450)),
                "fast_food": max(3, round(na / 80)),
                "transport_hub": max(2, round(na / 280)),
                "park": max(2, round(na / 180)),
                "shopping_centre": max(1, round(na / 600)),
                "youth_venue": max(1, round(na / 250)),
                "hotel": max(1, round(na / 450)),
                "residential": max(6, round(na / 9)),
                "other": max(2, round(na / 140)),
            }
            for kind in KINDS:
                k = counts[kind]
                if kind in ("fast_food", "transport_hub", "shopping_centre", "hotel", "other"):
                    c = centres[rng.integers(0, n_centres, k)]
                    xy = np.vstack([self.points_in(a, 1, (cx, cy), 900.0) for cx, cy in c])
                else:
                    xy = self.points_in(a, k)
                pops = rng.lognormal(0, 1.0, k)
                if kind in ("transport_hub", "shopping_centre"):
                    pops[0] *= 4  # the main interchange, the big centre
                for j in range(k):
                    rec = kind if kind != "primary" else "school"
                    # mis-typed kinds
                    u = rng.random()
                    if kind == "fast_food" and u < 0.08:
                        rec = "other"
                    elif kind == "hotel" and u < 0.15:
                        rec = "residential"
                    elif kind == "youth_venue" and u < 0.1:
                        rec = "other"
                    elif kind == "shopping_centre" and u < 0.1:
                        rec = "transport_hub"
                    lab: Any = "auto"
                    if kind == "residential" and j < max(1, na // 300):
                        lab = "childrens home" if rng.random() < 0.5 else None
                        self.add_place(
                            a,
                            "childrens_home",
                            (xy[j, 0], xy[j, 1]),
                            recorded="residential",
                            label=lab,
                            pop=1.0,
                        )
                        continue
                    self.add_place(
                        a, kind, (xy[j, 0], xy[j, 1]), recorded=rec, label=lab, pop=float(pops[j])
                    )
        # online spaces: group chats and platform-level spaces, no authority
        n_online = max(6, self.n // 220)
        for _j in range(n_online):
            plat = PLATFORMS[int(rng.choice(7, p=[0.38, 0.15, 0.2, 0.1, 0.05, 0.08, 0.04]))]
            lab = rng.choice(["group chat", "year group chat", "server", "story group", "page"])
            i = self.add_place(
                -1,
                "online",
                None,
                recorded="online",
                label=str(lab),
                pop=float(rng.lognormal(0, 1.2)),
                platform=plat,
            )
            self.by_ak.setdefault((-2, "online"), []).append(i)
        self.pop_arr = np.array(self.pop)

    def refresh_arrays(self) -> None:
        self.pop_arr = np.array(self.pop)
        self.base_arr = np.array(self.p_base)
        self.home_arr = np.array(self.p_home)
        self.age_arr = np.array(self.p_age)
        self.sex_arr = np.array([s if s is not None else "" for s in self.p_sex])
        self.lac_arr = np.array([bool(x) for x in self.p_lac])

    def assign_schools_homes(self) -> None:
        rng = self.rng
        for i in range(self.n):
            a = self.p_base[i]
            if self.p_age[i] <= 18:
                kind = (
                    "primary"
                    if self.p_age[i] <= 10 or (self.p_age[i] == 11 and rng.random() < 0.4)
                    else "school"
                )
                if self.p_age[i] >= 17 and rng.random() < 0.4:
                    kind = "school"  # sixth form / college: still recorded as school
                a2 = a
                if rng.random() < 0.12 and len(self.neigh[a]):
                    a2 = int(rng.choice(self.neigh[a]))  # cross-border schooling
                self.p_school[i] = self.place_of(kind, a2, roam=False)
            if self.p_lac[i] and rng.random() < 0.5 and (a, "childrens_home") in self.by_ak:
                self.p_house[i] = int(rng.choice(self.by_ak[(a, "childrens_home")]))
            elif rng.random() < 0.4:
                self.p_house[i] = int(rng.choice(self.by_ak[(a, "residential")]))

    def ordinary_sightings(self) -> None:
        rng = self.rng
        online = self.by_ak[(-2, "online")]
        online_w = self.pop_arr[online]
        for i in range(self.n):
            age, lac = self.p_age[i], bool(self.p_lac[i])
            mean = (
                2.6
                * (2.6 if lac else 1.0)
                * (0.5 if age <= 11 else 1.0)
                * (0.5 if age > 18 else 1.0)
            )
            k = int(rng.negative_binomial(1.1, 1.1 / (1.1 + mean)))
            if k == 0:
                continue
            ctxw = LAC_CONTEXTS if lac else YOUNG_CONTEXTS if age <= 12 else BASE_CONTEXTS
            a = self.p_base[i]
            for _ in range(k):
                ctx = _pick(rng, ctxw)
                kind = _pick(rng, CONTEXT_PLACES[ctx])
                if kind == "school":
                    pl = (
                        self.p_school[i]
                        if self.p_school[i] >= 0 and rng.random() < 0.9
                        else self.place_of("school", a)
                    )
                elif kind == "online":
                    pl = int(
                        online[
                            int(np.searchsorted(np.cumsum(online_w), rng.random() * online_w.sum()))
                        ]
                    )
                elif kind == "residential":
                    if self.p_house[i] >= 0 and rng.random() < 0.5:
                        pl = self.p_house[i]
                    else:
                        pl = self.place_of("residential", a)
                else:
                    pl = self.place_of(kind, a)
                self.sighting(i, pl, self.day(), ctx)

    def ordinary_ties(self) -> None:
        rng = self.rng
        schools: dict[int, list[int]] = {}
        for i in range(self.n):
            if self.p_school[i] >= 0:
                schools.setdefault(self.p_school[i], []).append(i)
        for s in sorted(schools):
            pupils = list(rng.permutation(schools[s]))
            while pupils:
                size = int(min(len(pupils), 2 + rng.poisson(2.5)))
                grp, pupils = pupils[:size], pupils[size:]
                for x in range(len(grp)):
                    for y in range(x + 1, len(grp)):
                        if rng.random() < 0.38:
                            kind = _pick(
                                rng, {"friend": 0.75, "associate": 0.15, "group_member": 0.1}
                            )
                            src = _pick(
                                rng,
                                {
                                    "school": 0.5,
                                    "young_person": 0.15,
                                    "social_care": 0.15,
                                    "youth_service": 0.1,
                                    "police": 0.1,
                                },
                            )
                            self.tie(int(grp[x]), int(grp[y]), kind, self.day(), src)
                # a group stopped or seen together (co-presence)
                if len(grp) >= 3 and rng.random() < 0.12:
                    a = self.p_base[int(grp[0])]
                    ctx = _pick(
                        rng,
                        {
                            "other": 0.5,
                            "serious_youth_violence": 0.2,
                            "gang_association": 0.15,
                            "missing_episode": 0.1,
                            "cce": 0.05,
                        },
                    )
                    pl = self.place_of(
                        _pick(
                            rng,
                            {
                                "fast_food": 0.35,
                                "park": 0.3,
                                "transport_hub": 0.2,
                                "shopping_centre": 0.15,
                            },
                        ),
                        a,
                    )
                    d = self.day()
                    src = _pick(rng, CONTEXT_SOURCES[ctx])
                    for m in grp[: int(rng.integers(2, len(grp) + 1))]:
                        self.sighting(int(m), pl, d, ctx, source=src)
        # siblings, partners, police associates across borders
        n = self.n
        for _ in range(int(0.035 * n)):
            i = int(rng.integers(self.n_young))
            same = np.flatnonzero(
                (self.home_arr == self.p_home[i]) & (np.abs(self.age_arr - self.p_age[i]) <= 5)
            )
            j = int(rng.choice(same))
            if j != i:
                self.tie(i, j, "sibling", self.day(), "social_care", shift=1.0)
                if (
                    self.p_house[i] >= 0
                    and self.p_base[j] == self.p_base[i]
                    and self.p_house[j] < 0
                ):
                    self.p_house[j] = self.p_house[i]
        older = np.flatnonzero(self.age_arr >= 14)
        for _ in range(int(0.05 * n)):
            i = int(rng.choice(older))
            cand = np.flatnonzero(
                (self.base_arr == self.p_base[i]) & (np.abs(self.age_arr - self.p_age[i]) <= 2)
            )
            j = int(rng.choice(cand))
            kind = "partner" if rng.random() < 0.65 else "ex_partner"
            d = self.day()
            self.tie(
                i,
                j,
                kind,
                d,
                _pick(
                    rng, {"school": 0.35, "social_care": 0.3, "young_person": 0.2, "police": 0.15}
                ),
            )
            if rng.random() < 0.25 and j != i:
                pl = (
                    self.p_house[i]
                    if self.p_house[i] >= 0
                    else self.place_of("park", self.p_base[i])
                )
                self.sighting(
                    i,
                    pl,
                    min(d + int(rng.integers(0, 60)), N_DAYS - 1),
                    "teenage_relationship_abuse",
                )
        for _ in range(int(0.1 * n)):
            i = int(rng.choice(older))
            a = self.p_base[i]
            pool = self.neigh[a] if len(self.neigh[a]) and rng.random() < 0.6 else [a]
            b = int(rng.choice(pool))
            cand = np.flatnonzero((self.base_arr == b) & (self.age_arr >= 14))
            if len(cand):
                self.tie(i, int(rng.choice(cand)), "associate", self.day(), "police")
        # gang nominal groups: group-member ties and gang sightings at their park or estate
        for a in range(self.n_auth):
            na = int((self.base_arr == a).sum())
            for _g in range(int(rng.poisson(na / 400))):
                mem = self.members_of(a, (14, 21), "M", int(rng.integers(5, 13)), set())
                if len(mem) < 4:
                    continue
                turf = self.place_of(
                    _pick(rng, {"park": 0.5, "residential": 0.3, "fast_food": 0.2}), a, roam=False
                )
                d0 = self.day()
                for x in range(len(mem)):
                    for y in range(x + 1, len(mem)):
                        if rng.random() < 0.35:
                            self.tie(mem[x], mem[y], "group_member", d0, "police", shift=0.5)
                    for _s in range(int(rng.integers(0, 4))):
                        self.sighting(mem[x], turf, self.day(), "gang_association", source="police")
        # isolated exploiter ties: an older youth and one or two younger ones, no hub
        adults = [i for i in range(self.n) if self.p_age[i] >= 17]
        for _ in range(max(3, int(0.004 * n))):
            e = int(rng.choice(adults))
            for _v in range(int(rng.integers(1, 3))):
                cand = np.flatnonzero(
                    (self.base_arr == self.p_base[e]) & (self.age_arr >= 12) & (self.age_arr <= 16)
                )
                if not len(cand):
                    continue
                v = int(rng.choice(cand))
                d = self.day()
                self.tie(
                    e,
                    v,
                    "exploiter",
                    d,
                    _pick(rng, {"police": 0.5, "social_care": 0.4, "other": 0.1}),
                    shift=-0.5,
                )
                if rng.random() < 0.5:
                    ctx = "cce" if self.p_sex[v] == "M" else _pick(rng, {"cse": 0.6, "cce": 0.4})
                    kind = _pick(rng, CONTEXT_PLACES[ctx])
                    pl = (
                        self.place_of(kind, self.p_base[v])
                        if kind != "online"
                        else int(rng.choice(self.by_ak[(-2, "online")]))
                    )
                    self.sighting(v, pl, d, ctx)

    # ------------------------------------------------------------------ hubs
    def near_place(self, a: int, kinds: tuple[str, ...]) -> tuple[float, float]:
        cands = [i for k in kinds for i in self.by_ak.get((a, k), [])]
        i = int(self.rng.choice(cands))
        return self.pl_xy[i]

    def hub(self, design: str, host: int, used: set[int], scale: float) -> PlantedHub:
        rng = self.rng
        big = scale
        spec: dict[str, Any]
        if design == "budget_hotel":
            xy = self.points_in(host, 1, self.near_place(host, ("transport_hub",)), 400.0)[0]
            place = self.add_place(
                host, "hotel", (xy[0], xy[1]), recorded="hotel", label="budget hotel"
            )
            spec = dict(
                n=(5, 9),
                ages=(13, 17),
                sex="F",
                p_sex=0.85,
                reach="wide",
                lac=3.0,
                n_exp=(2, 3),
                exp_age=(19, 24),
                window=(90, 200),
                ctx={
                    "missing_episode": 0.35,
                    "other": 0.3,
                    "cse": 0.2,
                    "teenage_relationship_abuse": 0.1,
                    "harmful_sexual_behaviour": 0.05,
                },
                src={
                    "police": 0.5,
                    "social_care": 0.2,
                    "health": 0.1,
                    "other": 0.1,
                    "voluntary_sector": 0.1,
                },
                shift=-0.3,
                p_exp_tie=0.35,
                p_partner=0.3,
                visits=1.2,
            )
        elif design == "cuckooed_flat":
            xy = self.points_in(host, 1)[0]
            place = self.add_place(
                host, "residential", (xy[0], xy[1]), recorded="residential", label=None
            )
            spec = dict(
                n=(4, 8),
                ages=(14, 17),
                sex="M",
                p_sex=0.9,
                reach="near",
                lac=2.0,
                n_exp=(2, 2),
                exp_age=(19, 23),
                window=(120, 260),
                ctx={
                    "cce": 0.3,
                    "other": 0.25,
                    "gang_association": 0.2,
                    "missing_episode": 0.15,
                    "serious_youth_violence": 0.1,
                },
                src={"police": 0.65, "social_care": 0.15, "other": 0.1, "youth_service": 0.1},
                shift=0.2,
                p_exp_tie=0.5,
                p_partner=0.0,
                visits=1.5,
            )
        elif design == "takeaway":
            cands = self.by_ak.get((host, "fast_food"), [])
            # an existing, moderately busy takeaway: ordinary records already there
            place = int(rng.choice(cands))
            self.pl_kind[place] = "fast_food"
            spec = dict(
                n=(5, 10),
                ages=(12, 15),
                sex="F",
                p_sex=0.85,
                reach="near",
                lac=2.0,
                n_exp=(2, 4),
                exp_age=(20, 25),
                window=(150, 360),
                ctx={
                    "other": 0.45,
                    "cse": 0.15,
                    "missing_episode": 0.2,
                    "image_sharing": 0.1,
                    "teenage_relationship_abuse": 0.05,
                    "bullying": 0.05,
                },
                src={
                    "school": 0.3,
                    "social_care": 0.25,
                    "police": 0.2,
                    "young_person": 0.1,
                    "health": 0.1,
                    "voluntary_sector": 0.05,
                },
                shift=-0.6,
                p_exp_tie=0.2,
                p_partner=0.1,
                visits=1.0,
            )
        elif design == "car_wash":
            xy = self.points_in(host, 1, self.near_place(host, ("other", "fast_food")), 1500.0)[0]
            place = self.add_place(
                host, "other", (xy[0], xy[1]), recorded="other", label="car wash"
            )
            spec = dict(
                n=(4, 8),
                ages=(15, 17),
                sex="M",
                p_sex=0.95,
                reach="placed",
                lac=6.0,
                n_exp=(1, 2),
                exp_age=(20, 25),
                window=(150, 400),
                ctx={"other": 0.5, "cce": 0.2, "missing_episode": 0.2, "gang_association": 0.1},
                src={
                    "youth_service": 0.25,
                    "voluntary_sector": 0.2,
                    "police": 0.25,
                    "social_care": 0.2,
                    "other": 0.1,
                },
                shift=-0.7,
                p_exp_tie=0.3,
                p_partner=0.0,
                visits=1.3,
            )
        else:  # short_let
            xy = self.points_in(
                host, 1, self.near_place(host, ("transport_hub", "shopping_centre")), 1200.0
            )[0]
            place = self.add_place(
                host, "residential", (xy[0], xy[1]), recorded="residential", label=None
            )
            spec = dict(
                n=(6, 12),
                ages=(14, 17),
                sex="F",
                p_sex=0.6,
                reach="wide",
                lac=2.0,
                n_exp=(2, 3),
                exp_age=(18, 23),
                window=(35, 75),
                ctx={
                    "missing_episode": 0.4,
                    "other": 0.3,
                    "cse": 0.12,
                    "cce": 0.1,
                    "harmful_sexual_behaviour": 0.08,
                },
                src={"police": 0.5, "social_care": 0.3, "other": 0.2},
                shift=-0.2,
                p_exp_tie=0.3,
                p_partner=0.15,
                visits=0.8,
            )
        self.pop_arr = np.array(self.pop)
        lo, hi = spec["n"]
        n_v = int(rng.integers(round(lo * big), round(hi * big) + 1))
        # where victims come from
        if spec["reach"] == "near" or spec["reach"] == "placed":
            auths = [host] * 3 + list(self.neigh[host])
        else:
            auths = (
                [host, host] + list(self.neigh[host]) + [int(x) for x in rng.choice(self.n_auth, 2)]
            )
        victims: list[int] = []
        tries = 0
        while len(victims) < n_v and tries < 60:
            tries += 1
            a = int(rng.choice(auths))
            sex = (
                spec["sex"]
                if rng.random() < spec["p_sex"]
                else ("M" if spec["sex"] == "F" else "F")
            )
            got = self.members_of(
                a, spec["ages"], sex, 1, used | set(victims), lac_bias=spec["lac"]
            )
            if spec["reach"] == "placed" and rng.random() < 0.4:
                # a looked-after boy placed into the host authority from elsewhere
                far = [
                    i
                    for i in range(self.n_young)
                    if self.p_lac[i]
                    and self.p_home[i] != host
                    and self.p_sex[i] == "M"
                    and spec["ages"][0] <= self.p_age[i] <= spec["ages"][1]
                    and i not in used
                    and i not in victims
                ]
                if far:
                    v = int(far[int(rng.integers(len(far)))])
                    prev = self.p_base[v]
                    if prev != host:
                        self.relocs.append(
                            (v, prev, host, max(0, int(rng.integers(0, 200))), "care_placement")
                        )
                    self.p_base[v] = host
                    got = [v]
            victims += got
        used |= set(victims)
        t0 = self.day(0, N_DAYS - spec["window"][1] - 10)
        t1 = t0 + int(rng.integers(*spec["window"]))
        # exploiters: young adults (in the people table) living in or near the host
        exploiters: list[int] = []
        for _ in range(int(rng.integers(spec["n_exp"][0], spec["n_exp"][1] + 1))):
            cand = [
                i
                for i in range(self.n_young, self.n)
                if i not in used and spec["exp_age"][0] <= self.p_age[i] <= spec["exp_age"][1]
            ]
            near = [i for i in cand if self.p_base[i] == host or self.p_base[i] in self.neigh[host]]
            pool = near or cand
            if pool:
                e = int(rng.choice(pool))
                exploiters.append(e)
                used.add(e)
        if design == "cuckooed_flat":  # a 17-year-old recruiter from the host's youths
            rec = self.members_of(host, (17, 18), "M", 1, used)
            exploiters += rec
            used |= set(rec)
        # records at the hub: thin, soft-graded
        for v in victims:
            k = 1 + int(rng.geometric(1.0 / (1.0 + spec["visits"]))) - 1
            for _ in range(k):
                ctx = _pick(rng, spec["ctx"])
                src = _pick(rng, spec["src"])
                self.sighting(v, place, self.day(t0, t1), ctx, source=src, shift=spec["shift"])
            # missing episodes elsewhere during the window
            for _ in range(int(rng.poisson(1.2))):
                pl = self.place_of(
                    _pick(rng, {"transport_hub": 0.5, "fast_food": 0.3, "residential": 0.2}), host
                )
                self.sighting(v, pl, self.day(t0, t1), "missing_episode")
        # victims know each other: some friend/associate ties
        for x in range(len(victims)):
            for y in range(x + 1, len(victims)):
                if rng.random() < 0.18:
                    self.tie(
                        victims[x],
                        victims[y],
                        _pick(rng, {"friend": 0.6, "associate": 0.4}),
                        self.day(t0 - 60, t1),
                        _pick(rng, {"social_care": 0.4, "school": 0.3, "police": 0.3}),
                    )
        # exploiter ties, partner ties, or nothing recorded
        for v in victims:
            if not exploiters:
                break
            e = exploiters[int(rng.integers(len(exploiters)))]
            r = rng.random()
            d = self.day(t0, t1 + 60)
            if r < spec["p_exp_tie"]:
                self.tie(
                    e,
                    v,
                    "exploiter",
                    d,
                    _pick(rng, {"police": 0.5, "social_care": 0.5}),
                    shift=-0.3,
                )
            elif r < spec["p_exp_tie"] + spec["p_partner"]:
                self.tie(
                    v,
                    e,
                    "partner",
                    d,
                    _pick(rng, {"young_person": 0.4, "school": 0.3, "social_care": 0.3}),
                )
            elif r < spec["p_exp_tie"] + spec["p_partner"] + 0.2:
                self.tie(v, e, "associate", d, "police")
        for e in exploiters:
            if rng.random() < 0.4:
                self.sighting(e, place, self.day(t0, t1), "other", source="police")
        if design == "cuckooed_flat":
            d = self.day(t0 + 30, t1)  # the warrant: several found together
            for v in victims[: max(2, len(victims) // 2)]:
                self.sighting(v, place, d, "cce", source="police", rel="confirmed")
            for x in range(len(victims)):
                for y in range(x + 1, len(victims)):
                    if rng.random() < 0.3:
                        self.tie(victims[x], victims[y], "group_member", d, "police")
            chat = self.add_place(
                -1,
                "online",
                None,
                recorded="online",
                label="group chat",
                platform="snapchat",
                pop=0.3,
            )
            for v in victims + exploiters:
                if rng.random() < 0.5:
                    self.sighting(
                        v,
                        chat,
                        self.day(t0, t1),
                        _pick(rng, {"cce": 0.5, "other": 0.5}),
                        source=_pick(rng, {"police": 0.6, "social_care": 0.4}),
                    )
            for v in victims:  # stop and search near the flat
                if rng.random() < 0.6:
                    pl = self.place_of(
                        _pick(rng, {"fast_food": 0.5, "transport_hub": 0.5}), host, roam=False
                    )
                    self.sighting(
                        v,
                        pl,
                        self.day(t0, t1),
                        _pick(rng, {"cce": 0.4, "other": 0.6}),
                        source="police",
                    )
        self.pop_arr = np.array(self.pop)
        return PlantedHub(
            place_id=self.pl_id[place],
            kind=self.pl_kind[place],
            design=design,
            authority=self.codes[host],
            people=tuple(self.p_id[v] for v in victims),
            exploiters=tuple(self.p_id[e] for e in exploiters),
            authorities=tuple(sorted({self.codes[self.p_home[v]] for v in victims})),
        )

    def county_line(self, used: set[int]) -> PlantedLine | None:
        rng = self.rng
        pairs = [
            (i, j)
            for i in range(self.n_auth)
            for j in range(self.n_auth)
            if i != j and 40 <= self.dist_km[i, j] <= 250
        ]
        if not pairs:
            return None
        o, dst = pairs[int(rng.integers(len(pairs)))]
        xy = self.points_in(dst, 1)[0]
        place = self.add_place(
            dst, "residential", (xy[0], xy[1]), recorded="residential", label=None
        )
        self.pop_arr = np.array(self.pop)
        runners = self.members_of(
            o, (14, 17), "M", int(rng.integers(4, 9)), used, lac_bias=2.0, pool="home"
        )
        used |= set(runners)
        cand = [i for i in range(self.n_young, self.n) if i not in used and self.p_home[i] == o]
        cand = cand or [i for i in range(self.n_young, self.n) if i not in used]
        exploiters = [int(x) for x in rng.choice(cand, size=min(2, len(cand)), replace=False)]
        used |= set(exploiters)
        t0 = self.day(0, N_DAYS - 300)
        t1 = t0 + int(rng.integers(150, 280))
        station = self.place_of("transport_hub", dst, roam=False)
        for v in runners:
            for _ in range(1 + int(rng.poisson(1.0))):
                pl = self.place_of("transport_hub", o, roam=False)
                self.sighting(v, pl, self.day(t0, t1), "missing_episode")
            for _ in range(int(rng.integers(1, 3))):
                self.sighting(
                    v,
                    place,
                    self.day(t0, t1),
                    _pick(rng, {"cce": 0.5, "other": 0.3, "missing_episode": 0.2}),
                    source="police",
                )
            if rng.random() < 0.4:
                self.sighting(
                    v,
                    station,
                    self.day(t0, t1),
                    _pick(rng, {"other": 0.6, "cce": 0.4}),
                    source="police",
                )
            if rng.random() < 0.5:
                self.tie(
                    exploiters[int(rng.integers(len(exploiters)))],
                    v,
                    "exploiter",
                    self.day(t0, t1),
                    _pick(rng, {"police": 0.7, "social_care": 0.3}),
                )
        for x in range(len(runners)):
            for y in range(x + 1, len(runners)):
                if rng.random() < 0.3:
                    self.tie(runners[x], runners[y], "associate", self.day(t0, t1), "police")
        if runners:
            v = runners[0]
            to = self.away_from(o, near=False)
            self.relocs.append(
                (
                    v,
                    self.p_home[v],
                    to if to != self.p_home[v] else dst,
                    min(t1 + 20, N_DAYS - 1),
                    "secure",
                )
            )
        return PlantedLine(
            origin=self.codes[o],
            destination=self.codes[dst],
            distance_km=round(float(self.dist_km[o, dst]), 1),
            place_id=self.pl_id[place],
            people=tuple(self.p_id[v] for v in runners),
            exploiters=tuple(self.p_id[e] for e in exploiters),
            authorities=tuple(sorted({self.codes[self.p_home[v]] for v in runners})),
        )

    def decoy(self, kind: str, used: set[int]) -> Decoy | None:
        rng = self.rng
        a = int(rng.choice(self.n_auth, p=self.share))
        d = self.day(20, N_DAYS - 20)
        people: list[int] = []
        if kind == "mass_fight":
            place = self.place_of(
                _pick(rng, {"fast_food": 0.6, "transport_hub": 0.4}), a, roam=False
            )
            others = rng.choice(self.neigh[a], size=min(2, len(self.neigh[a])), replace=False)
            for b in [a, a, *others]:
                people += self.members_of(int(b), (14, 18), "M", int(rng.integers(2, 6)), used)
            for v in people:
                self.sighting(
                    v,
                    place,
                    d,
                    "serious_youth_violence",
                    source="police",
                    rel="confirmed" if rng.random() < 0.5 else "corroborated",
                )
                if rng.random() < 0.3:
                    self.sighting(v, place, d, "serious_youth_violence", source="health")
            for x in range(1, len(people)):
                if rng.random() < 0.4:
                    self.tie(people[x - 1], people[x], "associate", d, "police")
        elif kind == "bullying_cluster":
            school = self.place_of("school", a, roam=False)
            pupils = [
                i
                for i in range(self.n)
                if self.p_school[i] == school and 11 <= self.p_age[i] <= 15 and i not in used
            ]
            people = [
                int(x)
                for x in rng.choice(
                    pupils, size=min(len(pupils), int(rng.integers(6, 12))), replace=False
                )
            ]
            place = school
            chat = int(rng.choice(self.by_ak[(-2, "online")]))
            for v in people:
                for _ in range(int(rng.integers(1, 4))):
                    self.sighting(v, school, self.day(d - 20, d + 40), "bullying", source="school")
                if rng.random() < 0.4:
                    self.sighting(
                        v, chat, self.day(d - 10, d + 30), "online_harassment", source="school"
                    )
            for x in range(1, len(people)):
                self.tie(people[0], people[x], "associate", d, "school")
        elif kind == "image_sharing":
            school = self.place_of("school", a, roam=False)
            pupils = [
                i
                for i in range(self.n)
                if self.p_school[i] == school and 13 <= self.p_age[i] <= 16 and i not in used
            ]
            people = [
                int(x)
                for x in rng.choice(
                    pupils, size=min(len(pupils), int(rng.integers(8, 16))), replace=False
                )
            ]
            place = school
            for v in people:
                self.sighting(
                    v,
                    school,
                    d,
                    "image_sharing",
                    source="school",
                    rel=_pick(rng, {"reported": 0.5, "corroborated": 0.4, "confirmed": 0.1}),
                )
                if rng.random() < 0.2:
                    self.sighting(v, school, d + 1, "image_sharing", source="police")
        elif kind == "rivalry_stabbing":
            place = self.place_of("park", a, roam=False)
            nb = int(rng.choice(self.neigh[a])) if len(self.neigh[a]) else a
            people = self.members_of(a, (15, 19), "M", 4, used) + self.members_of(
                nb, (15, 19), "M", 4, used
            )
            for v in people:
                self.sighting(
                    v,
                    place,
                    d,
                    _pick(rng, {"serious_youth_violence": 0.7, "gang_association": 0.3}),
                    source="police",
                    rel="corroborated",
                )
            for v in people[:2]:
                self.sighting(
                    v, place, d, "serious_youth_violence", source="health", rel="confirmed"
                )
        else:  # childrens_home_missing
            homes = [
                (x, i)
                for (x, k), lst in sorted(self.by_ak.items())
                if k == "childrens_home"
                for i in lst
            ]
            if not homes:
                return None
            a, place = homes[int(rng.integers(len(homes)))]
            want = int(rng.integers(4, 7))
            here = [
                i
                for i in range(self.n_young)
                if self.p_lac[i]
                and self.p_base[i] == a
                and 13 <= self.p_age[i] <= 17
                and i not in used
            ]
            people = [int(x) for x in rng.permutation(here)[:want]]
            if len(people) < want:  # residents placed from other authorities
                far = [
                    i
                    for i in range(self.n_young)
                    if self.p_lac[i]
                    and self.p_base[i] != a
                    and 13 <= self.p_age[i] <= 17
                    and i not in used
                    and not any(r[0] == i for r in self.relocs)
                ]
                for v in [int(x) for x in rng.permutation(far)[: want - len(people)]]:
                    self.relocs.append(
                        (
                            v,
                            self.p_home[v],
                            a,
                            max(0, d - int(rng.integers(100, 300))),
                            "care_placement",
                        )
                    )
                    self.p_base[v] = a
                    people.append(v)
            for v in people:
                self.p_house[v] = place
                for _ in range(int(rng.integers(2, 6))):
                    self.sighting(
                        v,
                        place,
                        self.day(d - 90, d + 60),
                        "missing_episode",
                        source=_pick(rng, {"police": 0.6, "social_care": 0.4}),
                    )
                # found together at the shopping centre
                self.sighting(
                    v,
                    self.place_of("shopping_centre", a, roam=False),
                    d,
                    "missing_episode",
                    source="police",
                )
        used |= set(people)
        if not people:
            return None
        return Decoy(
            place_id=self.pl_id[place],
            people=tuple(self.p_id[v] for v in people),
            kind=kind,
            day=START + timedelta(days=int(min(max(d, 0), N_DAYS - 1))),
        )

    # ------------------------------------------------------------------ tables
    def fmt_date(self, d: int, auth: int, quirks: bool) -> str:
        x = START + timedelta(days=int(min(max(d, 0), N_DAYS - 1)))
        if quirks and auth >= 0 and self.uk_dates[auth]:
            s = x.strftime("%d/%m/%Y")
        else:
            s = x.isoformat()
        if quirks and self.rng.random() < 0.08:
            s += f" {int(self.rng.integers(0, 24)):02d}:{int(self.rng.integers(0, 60)):02d}"
        return s

    def cosmetic(self, s: pd.Series, p: float) -> pd.Series:
        m = self.rng.random(len(s)) < p
        out = s.copy()
        out[m] = [v.replace("_", " ").title() if len(v) > 3 else v.upper() for v in s[m]]
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        rng = self.rng
        # one partner writes authority names, not codes
        named = int(rng.integers(self.n_auth))
        people = pd.DataFrame(
            {
                "person_id": self.p_id,
                "home_authority": [
                    self.names[a] if a == named else self.codes[a] for a in self.p_home
                ],
                "age": self.p_age,
                "sex": self.p_sex,
                "looked_after": [None if x is None else ("yes" if x else "no") for x in self.p_lac],
            }
        )
        xy = np.array(self.pl_xy, dtype=float)
        auth = np.array(self.pl_auth)
        phys = auth >= 0
        use_ll = np.zeros(len(auth), bool)
        use_ll[phys] = self.lonlat[auth[phys]]
        lon = np.full(len(auth), np.nan)
        lat = np.full(len(auth), np.nan)
        if use_ll.any():
            pts = gpd.GeoSeries(gpd.points_from_xy(xy[use_ll, 0], xy[use_ll, 1]), crs=27700).to_crs(
                4326
            )
            lon[use_ll], lat[use_ll] = np.round(pts.x.to_numpy(), 6), np.round(pts.y.to_numpy(), 6)
        east = np.where(phys & ~use_ll, np.round(xy[:, 0]), np.nan)
        north = np.where(phys & ~use_ll, np.round(xy[:, 1]), np.nan)
        places = pd.DataFrame(
            {
                "place_id": self.pl_id,
                "kind": self.pl_kind,
                "lon": lon,
                "lat": lat,
                "easting": east,
                "northing": north,
                "label": self.pl_label,
                "platform": self.pl_platform,
            }
        )
        places["kind"] = self.cosmetic(places["kind"], 0.05)
        # sightings: joint visits recorded twice by two agencies, then de-duplicated exactly
        s = pd.DataFrame(self.sight, columns=["p", "pl", "d", "context", "source", "reliability"])
        dup = s[rng.random(len(s)) < 0.04].copy()
        dup["source"] = np.where(dup["source"] == "police", "social_care", "police")
        s = pd.concat([s, dup], ignore_index=True).drop_duplicates(ignore_index=True)
        s = s.iloc[rng.permutation(len(s))].reset_index(drop=True)
        pl_auth = auth[s["pl"].to_numpy()]
        sp_auth = np.where(pl_auth >= 0, pl_auth, np.array(self.p_base)[s["p"].to_numpy()])
        sightings = pd.DataFrame(
            {
                "person_id": np.array(self.p_id)[s["p"].to_numpy()],
                "place_id": np.array(self.pl_id)[s["pl"].to_numpy()],
                "date": [self.fmt_date(d, a, True) for d, a in zip(s["d"], sp_auth, strict=True)],
                "context": self.cosmetic(s["context"], 0.06),
                "source": self.cosmetic(s["source"], 0.04),
                "reliability": s["reliability"].to_numpy(),
            }
        )
        t = pd.DataFrame(
            self.ties, columns=["a", "b", "kind", "first", "last", "source", "reliability"]
        )
        t = t.drop_duplicates(ignore_index=True)
        t = t.iloc[rng.permutation(len(t))].reset_index(drop=True)
        ties = pd.DataFrame(
            {
                "person_a": np.array(self.p_id)[t["a"].to_numpy()],
                "person_b": np.array(self.p_id)[t["b"].to_numpy()],
                "kind": self.cosmetic(t["kind"], 0.04),
                "first_seen": [
                    self.fmt_date(d, self.p_base[a], True)
                    for d, a in zip(t["first"], t["a"], strict=True)
                ],
                "last_seen": [
                    None if d < 0 else (START + timedelta(days=int(d))).isoformat()
                    for d in t["last"]
                ],
                "source": t["source"],
                "reliability": t["reliability"],
            }
        )
        r = pd.DataFrame(self.relocs, columns=["p", "f", "t", "d", "kind"]).drop_duplicates(
            ignore_index=True
        )
        r = r[r["f"] != r["t"]]
        relocations = pd.DataFrame(
            {
                "person_id": np.array(self.p_id)[r["p"].to_numpy()],
                "from_authority": [self.codes[a] for a in r["f"]],
                "to_authority": [self.codes[a] for a in r["t"]],
                "date": [self.fmt_date(d, -1, False) for d in r["d"]],
                "kind": r["kind"].to_numpy(),
            }
        )
        return {
            "people": people,
            "places": places,
            "ties": ties,
            "sightings": sightings,
            "relocations": relocations,
        }


def heldout_f_scenario(
    boundaries: gpd.GeoDataFrame, *, n_people: int, seed: int
) -> tuple[peermap.Dataset, HeldOutTruth]:
    """Build held-out world F on ``boundaries`` and return the dataset and its truth.

    Parameters
    ----------
    boundaries : geopandas.GeoDataFrame
        Standard peermap boundaries (``code``, ``name``, ``geometry``).
    n_people : int
        Rows of the people table (young people and a few young adults).
    seed : int
        Seed; the same seed, size and boundaries give the same world.
    """
    t0 = time.perf_counter()
    w = _World(boundaries, n_people, seed)
    rng = w.rng
    w.build_population()
    w.build_places()
    w.refresh_arrays()
    w.assign_schools_homes()
    w.ordinary_sightings()
    w.ordinary_ties()
    n_hubs = 2 + int(n_people >= 1500) + int(n_people >= 6000)
    pool = ["budget_hotel", "cuckooed_flat", "takeaway", "car_wash", "short_let"]
    while True:
        designs = [pool[i] for i in rng.permutation(len(pool))[:n_hubs]]
        if any(d in ("takeaway", "car_wash") for d in designs):
            break
    scale = float(np.clip((n_people / 2000) ** 0.35, 0.8, 1.8))
    used: set[int] = set()
    hosts = list(rng.permutation(w.n_auth))
    hubs = []
    for k, design in enumerate(designs):
        host = int(hosts[k % len(hosts)])
        hubs.append(w.hub(design, host, used, scale))
        w.refresh_arrays()
    lines = []
    line = w.county_line(used)
    if line is not None:
        lines.append(line)
        w.refresh_arrays()
    n_decoys = 3 + int(n_people >= 4000) + int(n_people >= 8000)
    kinds = ["mass_fight"] + [
        ["bullying_cluster", "image_sharing", "rivalry_stabbing", "childrens_home_missing"][i]
        for i in rng.permutation(4)[: n_decoys - 1]
    ]
    decoys = [d for d in (w.decoy(k, used) for k in kinds) if d is not None]
    tables = w.tables()
    ds = peermap.read_dataset(tables, boundaries=boundaries)
    truth = HeldOutTruth(
        trap_houses=tuple(hubs),
        county_lines=tuple(lines),
        decoys=tuple(decoys),
        seed=seed,
        parameters={
            "world": "F",
            "n_people": n_people,
            "period": (START.isoformat(), END.isoformat()),
            "designs": tuple(designs),
            "victim_scale": round(scale, 3),
            "n_authorities": w.n_auth,
            "seconds": round(time.perf_counter() - t0, 2),
        },
    )
    return ds, truth
