"""Held-out world G: a school year of a partnership's pooled records, written blind to the ranking.

What the author read (and nothing else of peermap): /work/shared/domain-notes.md;
docs/schema.md, docs/exchange-format.md, docs/getting-started.md, docs/validation.md,
docs/privacy.md (identifier rules, pseudonym format); src/peermap/__init__.py,
src/peermap/dataset.py, src/peermap/schema.py; benchmarks/_truth.py, benchmarks/_regions.py;
of benchmarks/_heldout_f.py only its first 60 lines and its entry point's signature and
docstring. Not read: the analysis package, ranking.py, the kernels, the synthetic
generator, the other held-out worlds' bodies, docs/analysis.md, docs/ranking-history.md,
bench_ranking.py, _ranking_metrics.py. Nothing here was run through ``peermap.contexts``,
``hotspots``, ``flows`` or any ranking; only the Dataset was built (strict read, no row set
aside) to check the tables.

The world
---------
Fourteen months (September 2025 to October 2026: one school year, the summer and the first
half-term of the next) of records pooled by a partnership's schools, police, children's
social care, health, youth services and voluntary sector, with ``pm`` + 16 base32
pseudonyms for people and places. The emphasis is on what pooled records really are:
mostly school welfare concerns and soft-graded referrals, a great many missing episodes
from care (looked-after children, about 7%, nearly half placed out of area, with
``care_placement`` relocations; 16-17-year-olds in semi-independent accommodation), and
police records that arrive in batches (stop-and-search of groups, warrant days, licensing
visits). Young people 10-18 live in authorities of uneven size (a tiny authority such as
the City of London has very few); each has a school (primary, secondary, a pupil referral
unit for excluded pupils, an FE college for 16-18s; about 12% across the border), a home
(households made when a record needs one; siblings share it; children's homes and
supported accommodation for those in care), and leisure venues drawn with distance decay
from where they live (fast food, stations, parks, shopping centres, youth clubs and gyms,
barbers, off-licences, shisha lounges, car washes, hotels), plus online group chats.

Ordinary records: per person a negative-binomial count (looked-after children far more,
mostly missing episodes), contexts weighted as partnerships record them (school
welfare "other", bullying, fights, missing, relationship abuse, harmful sexual behaviour,
image sharing, online harassment, gang association) and a thin scatter of CSE/CCE at
ordinary places. Ties: school friendship groups, siblings, teenage partners, associates
stopped together by police (with the sightings of that stop), local gang nominal groups
with their park (group-member ties, gang association and fights, a little CCE), and
isolated exploiter ties (an older youth and one younger) belonging to no hub.

Recording quirks: each authority's agencies grade reliability their own way (for each
authority and agency, a habit of grading one step up or down, applied to about half its
records); two agencies record the same joint visit (same day or next day, own grade); a
few busy venues (stations, shopping centres, takeaways) are recorded twice under two place
ids about 100 m apart, non-police agencies mostly using the second; some venues are
mis-typed (a takeaway as "other", a gym as "other", supported accommodation as "other", a
shisha lounge as "fast_food", a hotel as "residential"); some authorities export Title
Case values ("Missing Episode", "Social Care", "CSE"), UK dates or times of day; one
authority writes authority names instead of GSS codes (people and relocations); places
come as lon/lat, easting/northing or both; looked-after written "Y"/"N", "yes"/"no",
"true"/"false" or left empty; sex sometimes empty. Exploiters are in the people table
(16-24: those over 18 draw peermap's age warning, rows kept), added on top of
``n_people``.

Hubs (2 below 1,500 people, 3 from 1,500, 4 from 6,000; designs drawn by seed from the
pool below without repeats, at least one hard design when there are three or more;
victims scale gently with size; every victim also has an ordinary life):

- ``supported_accommodation``: semi-independent accommodation for 16-17-year-olds (kind
  "residential", sometimes "other"), most victims looked-after and placed there from
  other authorities (relocations into the host), other residents with ordinary missing
  episodes; records mostly missing episodes at the placement (social care, the
  provider as "other", police), some CCE/CSE, found-missing at stations or hotels;
  young adult exploiters seen visiting; exploiter ties for about a third of victims.
- ``estate_stairwell``: an estate play area / stairwell (kind "park" or "residential")
  near a borough boundary; boys 13-16 from both sides of it; police group stops
  (gang association, CCE) on a few days with an older, youth-service outreach
  (unverified "other"), a fight; group-member ties; a Snapchat group.
- ``shisha_lounge``: a shisha lounge (kind "other", sometimes "fast_food"); girls
  14-17 from several authorities; police licensing and welfare visits finding several
  together, missing episodes found there, sexual-health (health) and social-care CSE
  records; "boyfriends": partner ties more often than exploiter ties.
- ``boxing_gym`` (hard): a gym (kind "youth_venue", sometimes "other") busy with
  ordinary attendees; boys 13-16 from the host and a neighbour; one or two soft-graded
  records each (youth service, school), a little CCE; one or two exploiter ties.
- ``off_licence`` (hard): a corner shop near schools; boys and girls 12-15 given vapes
  and alcohol; school concerns as "other", a few CSE/CCE, mostly unverified or
  reported; a Snapchat group with image sharing; one or two exploiter ties.
- ``barber``: a barbershop (kind "other") used as a base for dealing; boys 14-17 from
  three or four authorities, some placed in care there; police CCE, a warrant day,
  stop-and-search at nearby fast food and stations.
- ``cuckooed_flat``: a vulnerable adult's flat (kind "residential"); the familiar case.

County line (where two authorities are 40-250 km apart by centroid: on London the outer
pairs; never on the demo region): boys (and sometimes a girl) 14-17 from the origin,
missing from home there, found at a cuckooed address and the station in the
destination; police CCE there (a warrant day), gang association at home with two
exploiters from the origin; exploiter ties for about half; one runner relocated
afterwards (care placement or secure).

Decoys (serious harm, not exploitation): a mass fight at a secondary school (one day), a
bullying cluster in a year group with its group chat, robberies of young people at a
busy station over months, and by size a fight at a summer fair in a park (one day,
many authorities), violence in a pupil referral unit, harmful sexual behaviour at a
youth club.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

import peermap

try:
    from _truth import Decoy, HeldOutTruth, PlantedHub, PlantedLine
except ImportError:  # imported as benchmarks._heldout_g
    from benchmarks._truth import Decoy, HeldOutTruth, PlantedHub, PlantedLine

__all__ = ["heldout_g_scenario"]

START = date(2025, 9, 1)
END = date(2026, 10, 31)
NDAYS = (END - START).days + 1
_B32 = np.array(list("abcdefghijklmnopqrstuvwxyz234567"))
_TERMS = (
    (date(2025, 9, 3), date(2025, 12, 19)),
    (date(2026, 1, 5), date(2026, 3, 27)),
    (date(2026, 4, 13), date(2026, 7, 22)),
    (date(2026, 9, 2), date(2026, 10, 23)),
)
SOURCES = (
    "police",
    "social_care",
    "school",
    "health",
    "youth_service",
    "voluntary_sector",
    "young_person",
    "other",
)
RELS = ("unverified", "reported", "corroborated", "confirmed")
_REL_BASE = {
    "police": (0.12, 0.36, 0.37, 0.15),
    "social_care": (0.18, 0.47, 0.27, 0.08),
    "school": (0.35, 0.47, 0.14, 0.04),
    "health": (0.2, 0.52, 0.24, 0.04),
    "youth_service": (0.45, 0.42, 0.11, 0.02),
    "voluntary_sector": (0.5, 0.38, 0.1, 0.02),
    "young_person": (0.55, 0.36, 0.08, 0.01),
    "other": (0.5, 0.36, 0.12, 0.02),
}
LEISURE = ("fast_food", "transport_hub", "park", "shopping_centre", "youth_venue", "other")
# (context, weight) of ordinary records; missing episodes are added apart for those in care
_CONTEXTS = (
    ("other", 0.27),
    ("bullying", 0.14),
    ("serious_youth_violence", 0.12),
    ("missing_episode", 0.08),
    ("teenage_relationship_abuse", 0.06),
    ("harmful_sexual_behaviour", 0.04),
    ("gang_association", 0.05),
    ("online_harassment", 0.07),
    ("image_sharing", 0.07),
    ("cse", 0.02),
    ("cce", 0.02),
)
# where a record of each context is made: (place class, weight)
_WHERE = {
    "other": (("school", 0.45), ("home", 0.25), ("leisure", 0.3)),
    "bullying": (("school", 0.75), ("online", 0.15), ("leisure", 0.1)),
    "serious_youth_violence": (("leisure", 0.62), ("school", 0.25), ("home", 0.13)),
    "missing_episode": (("home", 0.55), ("leisure", 0.45)),
    "teenage_relationship_abuse": (
        ("home", 0.35),
        ("school", 0.25),
        ("online", 0.2),
        ("leisure", 0.2),
    ),
    "harmful_sexual_behaviour": (("school", 0.5), ("leisure", 0.2), ("home", 0.2), ("online", 0.1)),
    "gang_association": (("leisure", 0.75), ("home", 0.15), ("online", 0.1)),
    "online_harassment": (("online", 0.7), ("school", 0.3)),
    "image_sharing": (("online", 0.65), ("school", 0.3), ("home", 0.05)),
    "cse": (("leisure", 0.5), ("home", 0.2), ("online", 0.15), ("school", 0.15)),
    "cce": (("leisure", 0.55), ("home", 0.2), ("online", 0.1), ("school", 0.15)),
}
_SOURCE_BY_CLASS = {
    "school": (
        ("school", 0.72),
        ("social_care", 0.1),
        ("police", 0.08),
        ("health", 0.05),
        ("young_person", 0.05),
    ),
    "home": (("police", 0.4), ("social_care", 0.45), ("health", 0.1), ("other", 0.05)),
    "leisure": (
        ("police", 0.55),
        ("youth_service", 0.15),
        ("social_care", 0.1),
        ("voluntary_sector", 0.1),
        ("young_person", 0.05),
        ("other", 0.05),
    ),
    "online": (
        ("school", 0.4),
        ("police", 0.25),
        ("young_person", 0.2),
        ("social_care", 0.1),
        ("voluntary_sector", 0.05),
    ),
    "missing": (("police", 0.5), ("social_care", 0.45), ("other", 0.05)),
}
_LEISURE_KIND_BY_CONTEXT = {
    "serious_youth_violence": {
        "fast_food": 3,
        "transport_hub": 3,
        "park": 2,
        "shopping_centre": 2,
        "other": 0.5,
    },
    "gang_association": {
        "park": 4,
        "fast_food": 2,
        "transport_hub": 1.5,
        "other": 1,
        "youth_venue": 0.5,
    },
    "missing_episode": {
        "transport_hub": 3,
        "fast_food": 2,
        "park": 1.5,
        "shopping_centre": 1.5,
        "hotel": 0.5,
    },
}
_LEISURE_KIND_DEFAULT = {
    "fast_food": 3,
    "transport_hub": 2,
    "park": 2,
    "shopping_centre": 2,
    "youth_venue": 1.5,
    "other": 1,
    "hotel": 0.2,
}
_LABELS = {
    "primary": "primary school",
    "secondary": "secondary school",
    "pru": "pupil referral unit",
    "college": "FE college",
    "fast_food": "chicken shop",
    "station": "station",
    "bus": "bus station",
    "park": "park",
    "rec": "recreation ground",
    "mall": "shopping centre",
    "youth_club": "youth club",
    "gym": "boxing gym",
    "hotel": "budget hotel",
    "barber": "barbers",
    "off_licence": "off licence",
    "shisha": "shisha lounge",
    "car_wash": "hand car wash",
    "bookies": "bookmakers",
    "estate": "estate",
    "childrens_home": "children's home",
    "supported": "supported accommodation",
}
_HARD = ("boxing_gym", "off_licence")
_DESIGN_WEIGHTS = {
    "supported_accommodation": 1.2,
    "estate_stairwell": 1.2,
    "shisha_lounge": 1.0,
    "boxing_gym": 1.0,
    "off_licence": 1.0,
    "barber": 1.0,
    "cuckooed_flat": 0.6,
}


def _choice(rng: np.random.Generator, pairs: Any) -> Any:
    items = [p[0] for p in pairs]
    w = np.array([p[1] for p in pairs], dtype=float)
    return items[int(rng.choice(len(items), p=w / w.sum()))]


class _World:
    def __init__(self, boundaries: gpd.GeoDataFrame, n_people: int, seed: int) -> None:
        self.rng = np.random.default_rng([seed, 0x47])
        self.n_target = n_people
        self.seed = seed
        b = boundaries.to_crs(27700) if boundaries.crs is not None else boundaries
        self.codes = [str(c) for c in b["code"]]
        self.names = [str(n) for n in b["name"]]
        self.geoms = list(b.geometry)
        for g in self.geoms:
            shapely.prepare(g)
        self.na = len(self.codes)
        self.area = np.array([g.area / 1e6 for g in self.geoms])
        cen = [g.representative_point() for g in self.geoms]
        self.cx = np.array([c.x for c in cen])
        self.cy = np.array([c.y for c in cen])
        cent = [g.centroid for g in self.geoms]
        self.gx = np.array([c.x for c in cent])
        self.gy = np.array([c.y for c in cent])
        self.dist = (
            np.hypot(self.gx[:, None] - self.gx[None], self.gy[:, None] - self.gy[None]) / 1000
        )
        self.neigh: list[list[int]] = []
        for i in range(self.na):
            near = [
                j for j in range(self.na) if j != i and self.geoms[i].distance(self.geoms[j]) < 300
            ]
            if not near:
                near = [int(j) for j in np.argsort(self.dist[i])[1:3]]
            self.neigh.append(near)
        self.ids: set[str] = set()
        # people
        self.p_id: list[str] = []
        self.p_home: list[int] = []
        self.p_live: list[int] = []
        self.p_age: list[int] = []
        self.p_sex: list[str] = []
        self.p_lac: list[bool] = []
        self.p_school: list[int] = []
        self.p_house: list[int] = []
        self.p_role: list[str] = []
        self.taken: set[int] = set()
        self.settled: set[int] = set()
        # places
        self.l_id: list[str] = []
        self.l_kind: list[str] = []
        self.l_sub: list[str] = []
        self.l_auth: list[int] = []
        self.l_x: list[float] = []
        self.l_y: list[float] = []
        self.l_w: list[float] = []
        self.l_platform: list[str | None] = []
        self.l_label: list[str | None] = []
        self.l_rec_kind: dict[int, str] = {}
        self.l_twin: dict[int, int] = {}
        # records
        self.sightings: list[tuple[int, int, int, str, str, str]] = []
        self.ties: list[tuple[int, int, str, int, int | None, str, str]] = []
        self.relocs: list[tuple[int, int, int, int, str]] = []
        # each authority's grading habits and export style
        self.shift = {
            (a, s): int(self.rng.choice([-1, 0, 0, 0, 1])) for a in range(self.na) for s in SOURCES
        }
        self.style = self.rng.choice([0, 0, 1, 2], size=self.na)
        self.writes_names = int(self.rng.integers(self.na))
        term = []
        for lo, hi in _TERMS:
            d = lo
            while d <= hi:
                if d.weekday() < 5:
                    term.append((d - START).days)
                d += timedelta(days=1)
        self.term_days = np.array(term)
        self.scale = float(np.clip((n_people / 2000) ** 0.35, 0.75, 1.8))

    # ---------------------------------------------------------------- helpers
    def new_id(self) -> str:
        while True:
            s = "pm" + "".join(_B32[self.rng.integers(0, 32, size=16)])
            if s not in self.ids:
                self.ids.add(s)
                return s

    def points_in(
        self, a: int, n: int, near: tuple[float, float] | None = None, sd: float = 700
    ) -> np.ndarray:
        g = self.geoms[a]
        minx, miny, maxx, maxy = g.bounds
        out = np.empty((0, 2))
        tries = 0
        while len(out) < n:
            tries += 1
            m = max(4 * n, 16)
            if near is not None and tries < 30:
                x = self.rng.normal(near[0], sd, m)
                y = self.rng.normal(near[1], sd, m)
            else:
                x = self.rng.uniform(minx, maxx, m)
                y = self.rng.uniform(miny, maxy, m)
            ok = shapely.contains_xy(g, x, y)
            out = np.vstack([out, np.c_[x[ok], y[ok]]])
        return out[:n]

    def add_place(
        self,
        kind: str,
        sub: str,
        a: int,
        xy: tuple[float, float] | None,
        w: float,
        platform: str | None = None,
    ) -> int:
        i = len(self.l_id)
        self.l_id.append(self.new_id())
        self.l_kind.append(kind)
        self.l_sub.append(sub)
        self.l_auth.append(a)
        self.l_x.append(float(xy[0]) if xy is not None else math.nan)
        self.l_y.append(float(xy[1]) if xy is not None else math.nan)
        self.l_w.append(w)
        self.l_platform.append(platform)
        lab = _LABELS.get(sub)
        self.l_label.append(lab if lab is not None and self.rng.random() < 0.55 else None)
        return i

    def add_person(self, home: int, age: int, sex: str, lac: bool = False, role: str = "yp") -> int:
        i = len(self.p_id)
        self.p_id.append(self.new_id())
        self.p_home.append(home)
        self.p_live.append(home)
        self.p_age.append(age)
        self.p_sex.append(sex)
        self.p_lac.append(lac)
        self.p_school.append(-1)
        self.p_house.append(-1)
        self.p_role.append(role)
        return i

    def grade(self, source: str, a: int, base: tuple[float, ...] | None = None) -> str:
        p = np.array(base if base is not None else _REL_BASE[source])
        r = int(self.rng.choice(4, p=p / p.sum()))
        sh = self.shift[(a, source)]
        if sh and self.rng.random() < 0.55:
            r = min(3, max(0, r + sh))
        return RELS[r]

    def rec(
        self,
        p: int,
        place: int,
        day: int,
        context: str,
        source: str,
        rel: str | None = None,
        base: tuple[float, ...] | None = None,
    ) -> None:
        day = int(min(max(day, 0), NDAYS - 1))
        a = self.l_auth[place] if self.l_auth[place] >= 0 else self.p_live[p]
        if rel is None:
            rel = self.grade(source, a, base)
        self.sightings.append((p, place, day, context, source, rel))

    def tie(
        self,
        a: int,
        b: int,
        kind: str,
        first: int,
        source: str,
        rel: str | None = None,
        last: int | None = None,
        base: tuple[float, ...] | None = None,
    ) -> None:
        if a == b:
            return
        first = int(min(max(first, 0), NDAYS - 1))
        if last is not None:
            last = int(min(max(last, first), NDAYS - 1))
        if rel is None:
            rel = self.grade(source, self.p_live[a], base)
        self.ties.append((a, b, kind, first, last, source, rel))

    def reloc(self, p: int, frm: int, to: int, day: int, kind: str) -> None:
        if frm != to:
            self.relocs.append((p, frm, to, int(day), kind))

    def places_of(
        self, a: int, kinds: tuple[str, ...] | str, subs: tuple[str, ...] | None = None
    ) -> list[int]:
        if isinstance(kinds, str):
            kinds = (kinds,)
        return [
            i
            for i in self.by_auth[a]
            if self.l_kind[i] in kinds and (subs is None or self.l_sub[i] in subs)
        ]

    def pick_place(self, cands: list[int]) -> int:
        w = np.array([self.l_w[i] for i in cands])
        return cands[int(self.rng.choice(len(cands), p=w / w.sum()))]

    def nearby(self, place: int, kinds: tuple[str, ...], k: int = 3) -> list[int]:
        a = self.l_auth[place]
        cands = self.places_of(a, kinds)
        for j in self.neigh[a]:
            cands += self.places_of(j, kinds)
        if not cands:
            return []
        d = np.hypot(
            np.array([self.l_x[i] for i in cands]) - self.l_x[place],
            np.array([self.l_y[i] for i in cands]) - self.l_y[place],
        )
        return [cands[int(i)] for i in np.argsort(d)[:k]]

    def venue_auth(self, a: int) -> int:
        u = self.rng.random()
        if u < 0.72 or self.na == 1:
            return a
        if u < 0.94:
            return int(self.rng.choice(self.neigh[a]))
        w = np.exp(-self.dist[a] / 9.0)
        w[a] = 0
        return int(self.rng.choice(self.na, p=w / w.sum()))

    def home_of(self, p: int) -> int:
        if self.p_house[p] < 0:
            a = self.p_live[p]
            estates = self.places_of(a, "residential", ("estate",))
            if estates and self.rng.random() < 0.45:
                e = estates[int(self.rng.integers(len(estates)))]
                xy = self.points_in(a, 1, (self.l_x[e], self.l_y[e]), 150)[0]
            else:
                xy = self.points_in(a, 1)[0]
            self.p_house[p] = self.add_place("residential", "household", a, xy, 0.0)
            self.by_auth[a].append(self.p_house[p])
        return self.p_house[p]

    def day_in(self, lo: int = 0, hi: int = NDAYS - 1, school: bool = False) -> int:
        lo, hi = max(0, lo), min(NDAYS - 1, hi)
        if school:
            t = self.term_days[(self.term_days >= lo) & (self.term_days <= hi)]
            if len(t):
                return int(t[self.rng.integers(len(t))])
        d = int(self.rng.integers(lo, hi + 1))
        # leisure records lean to Friday and Saturday
        if self.rng.random() < 0.3:
            wd = (START + timedelta(days=d)).weekday()
            d = min(hi, d + (4 - wd) % 7 + int(self.rng.integers(0, 2)))
        return d

    # ------------------------------------------------------------- population
    def build_population(self) -> None:
        rng = self.rng
        w = np.sqrt(self.area) * rng.lognormal(0, 0.35, self.na)
        w[self.area < 6] *= 0.06  # a city core where few children live
        w /= w.sum()
        n = self.n_target
        homes = rng.choice(self.na, size=n, p=w)
        ages = rng.choice(
            np.arange(10, 19), size=n, p=[0.05, 0.07, 0.09, 0.11, 0.13, 0.15, 0.16, 0.14, 0.10]
        )
        older = rng.random(n) < 0.02
        ages[older] = rng.integers(18, 22, older.sum())
        sexes = rng.choice(["M", "F", "X", "unknown"], size=n, p=[0.52, 0.455, 0.005, 0.02])
        for i in range(n):
            age = int(ages[i])
            lac = rng.random() < (0.05 if age < 13 else 0.085)
            self.add_person(int(homes[i]), age, str(sexes[i]), bool(lac))
        self.n_pop = n
        self.pop_by_auth = np.bincount(homes, minlength=self.na)

    def build_places(self) -> None:
        rng = self.rng
        self.by_auth: list[list[int]] = [[] for _ in range(self.na)]
        self.centres: list[list[tuple[float, float]]] = []
        for a in range(self.na):
            pa = int(self.pop_by_auth[a])
            k = 1 + min(3, int(rng.poisson(self.area[a] / 35)))
            cs = [tuple(xy) for xy in self.points_in(a, k)]
            self.centres.append(cs)

            def near_centre(sd: float = 700, a: int = a, cs: list = cs) -> tuple[float, float]:
                c = cs[int(rng.integers(len(cs)))]
                return tuple(self.points_in(a, 1, c, sd)[0])

            def anywhere(a: int = a) -> tuple[float, float]:
                return tuple(self.points_in(a, 1)[0])

            spec = [
                ("school", "primary", max(1, round(pa / 140)), anywhere, 1.0),
                ("school", "secondary", max(1, round(pa / 150)), anywhere, 1.0),
                ("school", "pru", 1, anywhere, 1.0),
                ("school", "college", 1 if pa > 60 else 0, near_centre, 1.0),
                ("fast_food", "fast_food", round(pa / 55) + 2, near_centre, 1.0),
                ("transport_hub", "station", round(pa / 160) + 1, near_centre, 2.0),
                ("transport_hub", "bus", 1 if pa > 120 else 0, near_centre, 1.5),
                ("park", "park", round(pa / 110) + 1, anywhere, 1.0),
                ("park", "rec", round(pa / 200) + 1, anywhere, 0.7),
                ("shopping_centre", "mall", 1 + int(pa > 250), near_centre, 2.5),
                ("youth_venue", "youth_club", round(pa / 180) + 1, anywhere, 1.0),
                ("youth_venue", "gym", 1, near_centre, 0.8),
                ("hotel", "hotel", round(pa / 320) + 1, near_centre, 0.5),
                ("other", "barber", 1 + int(rng.integers(0, 3)), near_centre, 0.5),
                ("other", "off_licence", 2 + int(rng.integers(0, 3)), anywhere, 0.4),
                ("other", "shisha", int(rng.random() < 0.5), near_centre, 0.4),
                ("other", "car_wash", int(rng.random() < 0.6), anywhere, 0.3),
                ("other", "bookies", 1, near_centre, 0.2),
                ("residential", "estate", round(pa / 70) + 2, anywhere, 0.6),
                ("residential", "childrens_home", round(pa / 260) + 1, anywhere, 0.0),
                ("residential", "supported", 1 + round(pa / 600), anywhere, 0.0),
            ]
            for kind, sub, count, where, wmul in spec:
                for _ in range(count):
                    pop = float(rng.lognormal(0, 0.9)) * wmul
                    i = self.add_place(kind, sub, a, where(), pop)
                    self.by_auth[a].append(i)
        # online places: group chats and platforms, no authority
        n_online = max(8, self.n_target // 220)
        plats = ["snapchat", "instagram", "whatsapp", "tiktok", "gaming", "telegram", "other"]
        self.online = []
        for _ in range(n_online):
            plat = str(rng.choice(plats, p=[0.38, 0.2, 0.18, 0.1, 0.08, 0.03, 0.03]))
            self.online.append(
                self.add_place("online", "chat", -1, None, float(rng.lognormal(0, 1.2)), plat)
            )
        # mis-typed venues
        for i in range(len(self.l_id)):
            k, s = self.l_kind[i], self.l_sub[i]
            u = rng.random()
            if (k == "fast_food" and u < 0.06) or (s == "gym" and u < 0.4):
                self.l_rec_kind[i] = "other"
            elif k == "hotel" and u < 0.1:
                self.l_rec_kind[i] = "residential"
            elif s == "youth_club" and u < 0.05:
                self.l_rec_kind[i] = "school"
            elif s == "supported" and u < 0.25:
                self.l_rec_kind[i] = "other"
            elif s == "shisha" and u < 0.3:
                self.l_rec_kind[i] = "fast_food"

    def assign_schools(self) -> None:
        rng = self.rng
        for p in range(len(self.p_id)):
            if self.p_school[p] >= 0 or self.p_role[p] != "yp":
                continue
            age = self.p_age[p]
            a = self.p_live[p]
            if rng.random() < 0.12 and self.neigh[a]:
                a = int(rng.choice(self.neigh[a]))
            if age <= 10 or (age == 11 and rng.random() < 0.4):
                subs = ("primary",)
            elif age >= 16:
                u = rng.random()
                if u < 0.18:
                    continue  # not in education
                subs = ("college",) if u < 0.6 else ("secondary",)
            else:
                excluded = rng.random() < (0.05 if self.p_sex[p] == "M" and age >= 13 else 0.015)
                subs = ("pru",) if excluded else ("secondary",)
            cands = self.places_of(a, "school", subs) or self.places_of(self.p_live[p], "school")
            if cands:
                self.p_school[p] = cands[int(rng.integers(len(cands)))]

    def care_placements(self) -> None:
        """Looked-after children: nearly half placed out of area, living there."""
        rng = self.rng
        for p in range(self.n_pop):
            if not self.p_lac[p] or p in self.taken or p in self.settled:
                continue
            a = self.p_home[p]
            if rng.random() < 0.45 and self.na > 1:
                host = int(rng.choice(self.neigh[a])) if rng.random() < 0.6 else self.venue_auth(a)
                if host == a:
                    host = int(rng.choice(self.neigh[a]))
                self.p_live[p] = host
                self.reloc(p, a, host, int(rng.integers(-500, NDAYS - 30)), "care_placement")
            self.settle_in_care(p)

    def settle_in_care(self, p: int) -> None:
        a = self.p_live[p]
        u = self.rng.random()
        if self.p_age[p] >= 16 and u < 0.4:
            cands = self.places_of(a, "residential", ("supported",))
        elif u < 0.5:
            cands = self.places_of(a, "residential", ("childrens_home",))
        else:
            cands = []
        if cands:
            self.p_house[p] = cands[int(self.rng.integers(len(cands)))]

    def other_moves(self) -> None:
        rng = self.rng
        for p in range(self.n_pop):
            if p in self.taken or self.p_lac[p] or self.na == 1:
                continue
            u = rng.random()
            if u < 0.02:  # family moved in: recorded under the new authority
                frm = int(rng.choice(self.neigh[self.p_home[p]]))
                self.reloc(
                    p,
                    frm,
                    self.p_home[p],
                    int(rng.integers(-300, NDAYS - 10)),
                    _choice(rng, (("family", 0.5), ("housing", 0.5))),
                )
            elif u < 0.024:
                to = int(rng.choice(self.neigh[self.p_home[p]]))
                self.reloc(p, self.p_home[p], to, int(rng.integers(0, NDAYS - 10)), "education")
                self.p_live[p] = to

    # ------------------------------------------------------- ordinary records
    def leisure_place(self, a: int, context: str) -> int:
        kinds = _LEISURE_KIND_BY_CONTEXT.get(context, _LEISURE_KIND_DEFAULT)
        for _ in range(4):
            va = self.venue_auth(a)
            k = _choice(self.rng, list(kinds.items()))
            cands = self.places_of(va, k)
            if cands:
                return self.pick_place(cands) if any(self.l_w[i] > 0 for i in cands) else cands[0]
        return self.pick_place(self.places_of(a, ("fast_food", "park")))

    def online_place(self) -> int:
        return self.pick_place(self.online)

    def ordinary_sightings(self) -> None:
        rng = self.rng
        n = len(self.p_id)
        ctx = [c for c, _ in _CONTEXTS]
        cw = np.array([w for _, w in _CONTEXTS])
        counts = rng.negative_binomial(0.8, 0.8 / (0.8 + 2.1), size=n)
        for p in range(n):
            if self.p_role[p] != "yp":
                continue
            k = int(counts[p])
            if self.p_age[p] >= 18:
                k = min(k, 2)
            w = cw.copy()
            if self.p_age[p] <= 12:
                w[ctx.index("teenage_relationship_abuse")] *= 0.2
                w[ctx.index("gang_association")] *= 0.2
            if self.p_sex[p] == "F":
                w[ctx.index("gang_association")] *= 0.3
                w[ctx.index("teenage_relationship_abuse")] *= 1.8
            for _ in range(k):
                c = ctx[int(rng.choice(len(ctx), p=w / w.sum()))]
                self.ordinary_record(p, c)
            if self.p_lac[p]:  # missing from care: many, from where they live
                for _ in range(int(rng.negative_binomial(1.0, 1.0 / (1.0 + 3.5)))):
                    self.ordinary_record(p, "missing_episode", home_share=0.65)

    def ordinary_record(self, p: int, c: str, home_share: float | None = None) -> None:
        rng = self.rng
        where = _choice(rng, _WHERE[c])
        if home_share is not None:
            where = "home" if rng.random() < home_share else "leisure"
        if where == "school" and self.p_school[p] < 0:
            where = "leisure"
        if where == "school":
            place = self.p_school[p]
            day = self.day_in(school=True)
        elif where == "home":
            place = self.home_of(p)
            day = self.day_in()
        elif where == "online":
            place = self.online_place()
            day = self.day_in()
        else:
            place = self.leisure_place(self.p_live[p], c)
            day = self.day_in()
        sclass = "missing" if c == "missing_episode" else where
        src = _choice(rng, _SOURCE_BY_CLASS[sclass])
        self.rec(p, place, day, c, src)
        if where != "online" and rng.random() < 0.07:  # joint visit, both agencies record
            other = "social_care" if src != "social_care" else "police"
            self.rec(p, place, day + int(rng.random() < 0.4), c, other)

    def ordinary_ties(self) -> None:
        rng = self.rng
        yp = [p for p in range(self.n_pop) if self.p_role[p] == "yp"]
        # school friendship groups
        by_school: dict[int, list[int]] = {}
        for p in yp:
            if self.p_school[p] >= 0:
                by_school.setdefault(self.p_school[p], []).append(p)
        for members in by_school.values():
            members = [m for m in members if rng.random() < 0.45]
            rng.shuffle(members)
            i = 0
            while i < len(members) - 1:
                g = members[i : i + int(rng.integers(2, 6))]
                i += len(g)
                day = self.day_in(school=True)
                for x in range(len(g)):
                    for y in range(x + 1, len(g)):
                        if rng.random() < 0.7:
                            src = _choice(
                                rng,
                                (("school", 0.6), ("young_person", 0.25), ("youth_service", 0.15)),
                            )
                            self.tie(
                                g[x],
                                g[y],
                                "friend",
                                day,
                                src,
                                last=day + int(rng.integers(0, 200))
                                if rng.random() < 0.5
                                else None,
                            )
        # siblings share a household
        by_auth: dict[int, list[int]] = {}
        for p in yp:
            by_auth.setdefault(self.p_live[p], []).append(p)
        for a, members in by_auth.items():
            for _ in range(int(len(members) * 0.04)):
                x, y = rng.choice(members, 2, replace=False)
                x, y = int(x), int(y)
                if self.p_lac[x] != self.p_lac[y] or y in self.taken or self.p_house[y] >= 0:
                    continue
                if not self.p_lac[x] and self.p_house[x] < 0:
                    self.p_house[y] = self.home_of(x)
                self.tie(x, y, "sibling", self.day_in(), "social_care", base=(0.02, 0.2, 0.38, 0.4))
            # teenage partners
            teens = [p for p in members if 14 <= self.p_age[p] <= 18]
            boys = [p for p in teens if self.p_sex[p] == "M"]
            girls = [p for p in teens if self.p_sex[p] == "F"]
            for _ in range(int(len(teens) * 0.025)):
                if not boys or not girls:
                    break
                x = boys[int(rng.integers(len(boys)))]
                y = girls[int(rng.integers(len(girls)))]
                if rng.random() < 0.3 and self.neigh[a]:  # partner across the border
                    other = [
                        q
                        for q in by_auth.get(int(rng.choice(self.neigh[a])), [])
                        if self.p_sex[q] == "F" and 14 <= self.p_age[q] <= 18
                    ]
                    if other:
                        y = other[int(rng.integers(len(other)))]
                d = self.day_in()
                kind = "ex_partner" if rng.random() < 0.3 else "partner"
                self.tie(
                    x,
                    y,
                    kind,
                    d,
                    _choice(
                        rng,
                        (("social_care", 0.35), ("school", 0.3), ("police", 0.2), ("health", 0.15)),
                    ),
                )
                if rng.random() < 0.4:
                    self.rec(y, self.home_of(y), d, "teenage_relationship_abuse", "police")
        # associates stopped together by police
        teens = [p for p in yp if self.p_age[p] >= 13]
        for _ in range(self.n_pop // 28):
            p0 = teens[int(rng.integers(len(teens)))]
            a = self.p_live[p0]
            pool = [q for q in by_auth.get(a, []) if self.p_age[q] >= 13]
            for j in self.neigh[a]:
                pool += [
                    q for q in by_auth.get(j, []) if self.p_age[q] >= 13 and rng.random() < 0.3
                ]
            g = [p0] + [
                int(q)
                for q in rng.choice(pool, min(len(pool), int(rng.integers(1, 4))), replace=False)
                if q != p0
            ]
            c = _choice(
                rng,
                (
                    ("other", 0.45),
                    ("serious_youth_violence", 0.25),
                    ("gang_association", 0.2),
                    ("cce", 0.03),
                    ("missing_episode", 0.07),
                ),
            )
            place = self.leisure_place(a, c)
            d = self.day_in()
            rel = self.grade("police", self.l_auth[place])
            for x in g:
                self.rec(x, place, d, c, "police", rel)
            for x in range(len(g)):
                for y in range(x + 1, len(g)):
                    self.tie(g[x], g[y], "associate", d, "police", rel)
        # local gang nominal groups with their park
        for _ in range(max(1, self.n_pop // 1400)):
            a = int(rng.choice(self.na, p=self.pop_by_auth / self.pop_by_auth.sum()))
            boys = [
                p
                for p in by_auth.get(a, [])
                if self.p_sex[p] == "M" and 14 <= self.p_age[p] <= 18 and p not in self.taken
            ]
            parks = self.places_of(a, ("park", "residential"), ("park", "rec", "estate"))
            if len(boys) < 6 or not parks:
                continue
            g = [
                int(q)
                for q in rng.choice(boys, min(len(boys), int(rng.integers(6, 13))), replace=False)
            ]
            base = parks[int(rng.integers(len(parks)))]
            chat = self.online_place() if rng.random() < 0.5 else None
            for x in range(len(g)):
                for y in range(x + 1, len(g)):
                    if rng.random() < 0.35:
                        self.tie(
                            g[x],
                            g[y],
                            "group_member",
                            self.day_in(),
                            "police",
                            base=(0.05, 0.3, 0.5, 0.15),
                        )
            for _ in range(int(rng.integers(2, 5))):  # group stops
                d = self.day_in()
                grp = [q for q in g if rng.random() < 0.5]
                for q in grp:
                    self.rec(
                        q,
                        base,
                        d,
                        _choice(
                            rng,
                            (
                                ("gang_association", 0.7),
                                ("serious_youth_violence", 0.2),
                                ("other", 0.1),
                            ),
                        ),
                        "police",
                    )
            for q in g:
                for _ in range(int(rng.poisson(1.2))):
                    c = _choice(
                        rng,
                        (
                            ("serious_youth_violence", 0.45),
                            ("gang_association", 0.35),
                            ("cce", 0.08),
                            ("other", 0.12),
                        ),
                    )
                    place = base if rng.random() < 0.4 else self.leisure_place(a, c)
                    self.rec(
                        q,
                        place,
                        self.day_in(),
                        c,
                        _choice(rng, (("police", 0.7), ("youth_service", 0.15), ("school", 0.15))),
                    )
                if chat is not None and rng.random() < 0.4:
                    self.rec(q, chat, self.day_in(), "gang_association", "police")
        # isolated exploiter ties: an older youth and one or two younger ones
        olders = [p for p in yp if 16 <= self.p_age[p] <= 19 and p not in self.taken]
        for _ in range(max(1, self.n_pop // 450)):
            o = olders[int(rng.integers(len(olders)))]
            a = self.p_live[o]
            young = [
                q for q in by_auth.get(a, []) if 13 <= self.p_age[q] <= 15 and q not in self.taken
            ]
            if not young:
                continue
            for q in rng.choice(young, min(len(young), int(rng.integers(1, 3))), replace=False):
                d = self.day_in()
                self.tie(
                    o,
                    int(q),
                    "exploiter",
                    d,
                    _choice(rng, (("police", 0.5), ("social_care", 0.5))),
                    base=(0.25, 0.5, 0.2, 0.05),
                )
                c = _choice(rng, (("cce", 0.6), ("cse", 0.2), ("missing_episode", 0.2)))
                self.rec(int(q), self.leisure_place(a, c), d, c, "police")

    # -------------------------------------------------------------- hubs
    def pick_victims(
        self,
        host: int,
        n: int,
        ages: tuple[int, int],
        p_male: float,
        mix: dict[str, float],
        lo: int,
    ) -> list[int]:
        """Young people from the population; 'placed' ones are moved into care in host."""
        rng = self.rng
        out: list[int] = []
        kinds = list(mix.items())
        fails = 0
        while len(out) < n and fails < 200:
            k = _choice(rng, kinds)
            if k == "host":
                auths = [host]
            elif k in ("neighbour", "placed") and self.neigh[host]:
                auths = list(self.neigh[host])
                if k == "placed":
                    w = np.exp(-self.dist[host] / 15)
                    w[host] = 0
                    auths = [int(rng.choice(self.na, p=w / w.sum()))] if w.sum() > 0 else auths
            else:
                w = np.exp(-self.dist[host] / 12)
                w[host] = 0
                auths = [int(rng.choice(self.na, p=w / w.sum()))] if w.sum() > 0 else [host]
            want_m = rng.random() < p_male
            cands = [
                p
                for p in self.pool_by_home.get(int(rng.choice(auths)), [])
                if p not in self.taken
                and ages[0] <= self.p_age[p] <= ages[1]
                and (self.p_sex[p] == "M") == want_m
                and (k == "placed" or self.p_live[p] == self.p_home[p])
            ]
            if not cands:
                fails += 1
                continue
            p = cands[int(rng.integers(len(cands)))]
            self.taken.add(p)
            if k == "placed" and self.p_home[p] != host:
                self.p_lac[p] = True
                self.p_live[p] = host
                self.p_house[p] = -1
                self.relocs = [r for r in self.relocs if r[0] != p]
                self.reloc(
                    p, self.p_home[p], host, lo - int(rng.integers(10, 200)), "care_placement"
                )
                self.p_school[p] = -1
            out.append(p)
        return out

    def make_exploiters(
        self, host: int, n: int, ages: tuple[int, int], p_male: float = 0.95
    ) -> list[int]:
        out = []
        for _ in range(n):
            a = (
                host
                if self.rng.random() < 0.7 or not self.neigh[host]
                else int(self.rng.choice(self.neigh[host]))
            )
            sex = "M" if self.rng.random() < p_male else "F"
            p = self.add_person(
                a, int(self.rng.integers(ages[0], ages[1] + 1)), sex, False, "exploiter"
            )
            self.taken.add(p)
            out.append(p)
        return out

    def hub_window(self) -> tuple[int, int]:
        length = int(self.rng.integers(110, 300))
        lo = int(self.rng.integers(0, NDAYS - length))
        return lo, lo + length

    def n_victims(self, lo: int, hi: int) -> int:
        return max(4, round(self.rng.uniform(lo, hi) * self.scale))

    def hub_place(
        self, host: int, kind: str, subs: tuple[str, ...], create_sub: str, near_centre: bool = True
    ) -> int:
        cands = [i for i in self.places_of(host, kind, subs) if i not in self.used_places]
        if cands:
            i = cands[int(self.rng.integers(len(cands)))]
        else:
            c = self.centres[host][0]
            xy = self.points_in(host, 1, c if near_centre else None, 600)[0]
            i = self.add_place(kind, create_sub, host, xy, float(self.rng.lognormal(0, 0.5)) * 0.5)
            self.by_auth[host].append(i)
        self.used_places.add(i)
        return i

    def plant_hub(self, design: str, host: int) -> PlantedHub:
        lo, hi = self.hub_window()
        fn = getattr(self, "_hub_" + design)
        place, victims, exploiters = fn(host, lo, hi)
        auths = {self.codes[host]} | {self.codes[self.p_home[p]] for p in victims}
        auths |= {self.codes[self.p_live[p]] for p in victims}
        return PlantedHub(
            place_id=self.l_id[place],
            kind=self.l_rec_kind.get(place, self.l_kind[place]),
            design=design,
            authority=self.codes[host],
            people=tuple(self.p_id[p] for p in victims),
            exploiters=tuple(self.p_id[p] for p in exploiters),
            authorities=tuple(sorted(auths)),
        )

    def _hub_supported_accommodation(
        self, host: int, lo: int, hi: int
    ) -> tuple[int, list[int], list[int]]:
        rng = self.rng
        place = self.hub_place(host, "residential", ("supported",), "supported", False)
        if rng.random() < 0.25:
            self.l_rec_kind[place] = "other"
        v = self.pick_victims(
            host,
            self.n_victims(6, 10),
            (16, 17),
            0.6,
            {"placed": 0.6, "host": 0.2, "neighbour": 0.2},
            lo,
        )
        for p in v:
            self.p_lac[p] = True
            self.p_house[p] = place
            if self.p_live[p] != host:
                self.reloc(
                    p, self.p_live[p], host, lo - int(rng.integers(5, 150)), "care_placement"
                )
                self.p_live[p] = host
        # other residents: ordinary missing episodes from the same address
        others = self.pick_victims(
            host, int(rng.integers(3, 7)), (16, 17), 0.5, {"placed": 0.7, "host": 0.3}, lo
        )
        for p in others:
            self.p_lac[p] = True
            self.p_house[p] = place
            self.taken.discard(p)
            self.settled.add(p)
        ex = self.make_exploiters(host, int(rng.integers(2, 4)), (19, 23))
        found_at = self.nearby(place, ("transport_hub", "hotel", "fast_food"), 4)
        for p in v:
            for _ in range(1 + int(rng.poisson(2.2))):
                self.rec(
                    p,
                    place,
                    self.day_in(lo, hi),
                    "missing_episode",
                    _choice(rng, (("social_care", 0.5), ("other", 0.3), ("police", 0.2))),
                )
            for _ in range(int(rng.poisson(1.0))):
                c = _choice(rng, (("cce", 0.55), ("cse", 0.3), ("gang_association", 0.15)))
                self.rec(
                    p,
                    place,
                    self.day_in(lo, hi),
                    c,
                    _choice(rng, (("police", 0.5), ("social_care", 0.5))),
                )
            if rng.random() < 0.6:
                self.rec(p, place, self.day_in(lo, hi), "other", "other", base=(0.7, 0.3, 0.0, 0.0))
            if found_at and rng.random() < 0.7:
                f = found_at[int(rng.integers(len(found_at)))]
                self.rec(p, f, self.day_in(lo, hi), "missing_episode", "police")
        for e in ex:
            for _ in range(int(rng.integers(1, 4))):
                self.rec(
                    e,
                    place,
                    self.day_in(lo, hi),
                    _choice(rng, (("other", 0.6), ("cce", 0.4))),
                    "police",
                    base=(0.2, 0.5, 0.25, 0.05),
                )
        for p in v:
            if rng.random() < 0.35:
                e = ex[int(rng.integers(len(ex)))]
                self.tie(
                    e,
                    p,
                    "exploiter",
                    self.day_in(lo, hi),
                    _choice(rng, (("social_care", 0.55), ("police", 0.45))),
                )
        for _ in range(len(v) // 2):
            x, y = rng.choice(v, 2, replace=False)
            self.tie(
                int(x),
                int(y),
                _choice(rng, (("associate", 0.6), ("friend", 0.4))),
                self.day_in(lo, hi),
                _choice(rng, (("police", 0.5), ("social_care", 0.3), ("young_person", 0.2))),
            )
        for p in v[: int(rng.integers(0, 3))]:  # disrupted: moved on to another placement
            to = int(rng.choice(self.neigh[host])) if self.neigh[host] else host
            self.reloc(
                p,
                host,
                to,
                hi + int(rng.integers(5, 40)),
                _choice(rng, (("care_placement", 0.8), ("secure", 0.2))),
            )
        return place, v, ex

    def _border_point(self, host: int) -> tuple[float, float]:
        others = [self.geoms[j] for j in self.neigh[host]]
        pts = self.points_in(host, 300)
        if not others:
            return tuple(pts[0])
        u = shapely.union_all(others)
        d = shapely.distance(u, shapely.points(pts))
        ok = np.where((d > 150) & (d < 900))[0]
        j = int(ok[self.rng.integers(len(ok))]) if len(ok) else int(np.argmin(d))
        return tuple(pts[j])

    def _hub_estate_stairwell(
        self, host: int, lo: int, hi: int
    ) -> tuple[int, list[int], list[int]]:
        rng = self.rng
        xy = self._border_point(host)
        if rng.random() < 0.5:
            place = self.add_place("park", "park", host, xy, 0.8)
        else:
            place = self.add_place("residential", "estate", host, xy, 0.4)
        self.by_auth[host].append(place)
        self.used_places.add(place)
        v = self.pick_victims(
            host,
            self.n_victims(7, 12),
            (13, 16),
            0.92,
            {"host": 0.55, "neighbour": 0.4, "far": 0.05},
            lo,
        )
        ex = self.make_exploiters(host, int(rng.integers(2, 4)), (16, 19)) + self.make_exploiters(
            host, 1, (21, 24)
        )
        chat = self.add_place("online", "chat", -1, None, 0.2, "snapchat")
        self.online.append(chat)
        for _ in range(int(rng.integers(3, 7))):  # group stops
            d = self.day_in(lo, hi)
            grp = [
                int(q) for q in rng.choice(v, min(len(v), int(rng.integers(3, 7))), replace=False)
            ]
            if rng.random() < 0.7:
                grp.append(ex[int(rng.integers(len(ex) - 1))])
            c = _choice(rng, (("gang_association", 0.6), ("cce", 0.4)))
            rel = self.grade("police", host)
            for q in grp:
                self.rec(q, place, d, c, "police", rel)
        for p in v:
            for _ in range(int(rng.integers(1, 3))):
                self.rec(
                    p,
                    place,
                    self.day_in(lo, hi),
                    "other",
                    "youth_service",
                    base=(0.7, 0.3, 0.0, 0.0),
                )
            if rng.random() < 0.3:
                self.rec(
                    p,
                    place,
                    self.day_in(lo, hi),
                    _choice(rng, (("cce", 0.6), ("other", 0.4))),
                    _choice(rng, (("school", 0.5), ("social_care", 0.5))),
                )
            if rng.random() < 0.35:
                self.rec(p, self.home_of(p), self.day_in(lo, hi), "missing_episode", "police")
            if rng.random() < 0.45:
                self.rec(
                    p,
                    chat,
                    self.day_in(lo, hi),
                    _choice(rng, (("gang_association", 0.7), ("image_sharing", 0.3))),
                    _choice(rng, (("police", 0.6), ("school", 0.4))),
                )
        fight = self.day_in(lo, hi)
        for q in rng.choice(v, min(len(v), 3), replace=False):
            self.rec(int(q), place, fight, "serious_youth_violence", "police")
        for x in range(len(v)):
            for y in range(x + 1, len(v)):
                if rng.random() < 0.25:
                    self.tie(v[x], v[y], "group_member", self.day_in(lo, hi), "police")
        for p in v:
            if rng.random() < 0.25:
                self.tie(
                    ex[int(rng.integers(len(ex)))],
                    p,
                    "exploiter",
                    self.day_in(lo, hi),
                    "police",
                    base=(0.2, 0.5, 0.25, 0.05),
                )
        for e in ex[:-1]:
            self.rec(e, place, self.day_in(lo, hi), "gang_association", "police")
        return place, v, ex

    def _hub_shisha_lounge(self, host: int, lo: int, hi: int) -> tuple[int, list[int], list[int]]:
        rng = self.rng
        place = self.hub_place(host, "other", ("shisha",), "shisha")
        v = self.pick_victims(
            host,
            self.n_victims(6, 10),
            (14, 17),
            0.12,
            {"host": 0.35, "neighbour": 0.45, "placed": 0.1, "far": 0.1},
            lo,
        )
        ex = self.make_exploiters(host, int(rng.integers(3, 5)), (19, 24))
        for _ in range(int(rng.integers(2, 5))):  # licensing / welfare visits
            d = self.day_in(lo, hi)
            grp = [
                int(q) for q in rng.choice(v, min(len(v), int(rng.integers(2, 5))), replace=False)
            ]
            c = _choice(rng, (("other", 0.5), ("cse", 0.5)))
            rel = self.grade("police", host)
            for q in grp:
                self.rec(q, place, d, c, "police", rel)
            for e in rng.choice(ex, int(rng.integers(0, 3)), replace=False):
                self.rec(int(e), place, d, "other", "police", rel)
        station = self.nearby(place, ("transport_hub",), 2)
        for p in v:
            for _ in range(int(rng.integers(1, 3))):
                self.rec(p, place, self.day_in(lo, hi), "missing_episode", "police")
            if rng.random() < 0.5:
                self.rec(p, place, self.day_in(lo, hi), "cse", "health", base=(0.2, 0.6, 0.2, 0.0))
            if rng.random() < 0.5:
                self.rec(p, place, self.day_in(lo, hi), "cse", "social_care")
            self.rec(
                p,
                self.home_of(p),
                self.day_in(lo, hi),
                "missing_episode",
                _choice(rng, (("police", 0.6), ("social_care", 0.4))),
            )
            if station and rng.random() < 0.4:
                self.rec(p, station[0], self.day_in(lo, hi), "missing_episode", "police")
            r = rng.random()
            e = ex[int(rng.integers(len(ex)))]
            if r < 0.45:
                self.tie(
                    e,
                    p,
                    "partner",
                    self.day_in(lo, hi),
                    _choice(rng, (("young_person", 0.4), ("social_care", 0.4), ("health", 0.2))),
                    base=(0.35, 0.5, 0.15, 0.0),
                )
                if rng.random() < 0.5:
                    self.rec(
                        p, place, self.day_in(lo, hi), "teenage_relationship_abuse", "social_care"
                    )
            elif r < 0.65:
                self.tie(e, p, "exploiter", self.day_in(lo, hi), "police")
        for _ in range(len(v) // 2):
            x, y = rng.choice(v, 2, replace=False)
            self.tie(
                int(x),
                int(y),
                "friend",
                self.day_in(lo, hi),
                _choice(rng, (("young_person", 0.5), ("school", 0.5))),
            )
        return place, v, ex

    def _hub_boxing_gym(self, host: int, lo: int, hi: int) -> tuple[int, list[int], list[int]]:
        rng = self.rng
        place = self.hub_place(host, "youth_venue", ("gym",), "gym")
        if rng.random() < 0.4:
            self.l_rec_kind[place] = "other"
        self.l_w[place] = max(self.l_w[place], 1.5)  # busy with ordinary members
        v = self.pick_victims(
            host, self.n_victims(5, 8), (13, 16), 0.95, {"host": 0.6, "neighbour": 0.4}, lo
        )
        ex = self.make_exploiters(host, 2, (18, 20))
        ff = self.nearby(place, ("fast_food",), 2)
        for p in v:
            for _ in range(int(rng.integers(1, 3))):
                c = _choice(
                    rng,
                    (
                        ("other", 0.5),
                        ("cce", 0.3),
                        ("gang_association", 0.1),
                        ("missing_episode", 0.1),
                    ),
                )
                src = _choice(
                    rng,
                    (
                        ("youth_service", 0.4),
                        ("school", 0.35),
                        ("social_care", 0.15),
                        ("police", 0.1),
                    ),
                )
                self.rec(p, place, self.day_in(lo, hi), c, src, base=(0.55, 0.4, 0.05, 0.0))
            if self.p_school[p] >= 0 and rng.random() < 0.35:
                self.rec(
                    p,
                    self.p_school[p],
                    self.day_in(lo, hi, school=True),
                    _choice(rng, (("other", 0.6), ("cce", 0.4))),
                    "school",
                )
        for p in v[: max(2, len(v) // 3)]:
            if ff:
                d = self.day_in(lo, hi)
                self.rec(p, ff[0], d, "cce", "police", "reported")
                self.rec(ex[0], ff[0], d, "cce", "police", "reported")
        for e in ex:
            self.rec(e, place, self.day_in(lo, hi), "other", "youth_service", "unverified")
        for p in rng.choice(v, int(rng.integers(1, 3)), replace=False):
            self.tie(
                ex[int(rng.integers(2))],
                int(p),
                "exploiter",
                self.day_in(lo, hi),
                _choice(rng, (("youth_service", 0.5), ("social_care", 0.5))),
                base=(0.5, 0.5, 0.0, 0.0),
            )
        for _ in range(len(v) // 2):
            x, y = rng.choice(v, 2, replace=False)
            self.tie(
                int(x), int(y), "friend", self.day_in(lo, hi), "school", base=(0.6, 0.4, 0.0, 0.0)
            )
        return place, v, ex

    def _hub_off_licence(self, host: int, lo: int, hi: int) -> tuple[int, list[int], list[int]]:
        rng = self.rng
        place = self.hub_place(host, "other", ("off_licence",), "off_licence", False)
        v = self.pick_victims(
            host, self.n_victims(6, 9), (12, 15), 0.45, {"host": 0.7, "neighbour": 0.3}, lo
        )
        ex = self.make_exploiters(host, 2, (20, 24))
        chat = self.add_place("online", "chat", -1, None, 0.2, "snapchat")
        self.online.append(chat)
        visit = self.day_in(lo + 20, hi)  # police welfare visit finds several in the back room
        for q in rng.choice(v, min(len(v), int(rng.integers(2, 5))), replace=False):
            self.rec(int(q), place, visit, "other", "police", "reported")
        for p in v:
            for _ in range(1 + int(rng.poisson(0.7))):
                c = _choice(
                    rng, (("other", 0.45), ("cse", 0.2), ("cce", 0.2), ("missing_episode", 0.15))
                )
                src = _choice(
                    rng,
                    (
                        ("school", 0.4),
                        ("police", 0.2),
                        ("social_care", 0.2),
                        ("young_person", 0.1),
                        ("health", 0.1),
                    ),
                )
                self.rec(
                    p,
                    place,
                    self.day_in(lo, hi, school=src == "school"),
                    c,
                    src,
                    base=(0.5, 0.45, 0.05, 0.0),
                )
            if self.p_sex[p] == "F" and rng.random() < 0.6:
                self.rec(
                    p,
                    chat,
                    self.day_in(lo, hi),
                    _choice(rng, (("image_sharing", 0.6), ("cse", 0.4))),
                    _choice(rng, (("school", 0.5), ("young_person", 0.3), ("police", 0.2))),
                )
        for e in ex:
            if rng.random() < 0.6:
                self.rec(e, place, self.day_in(lo, hi), "other", "police", "reported")
        for p in rng.choice(v, int(rng.integers(1, 3)), replace=False):
            self.tie(
                ex[int(rng.integers(2))],
                int(p),
                "exploiter",
                self.day_in(lo, hi),
                "social_care",
                base=(0.3, 0.6, 0.1, 0.0),
            )
        for _ in range(len(v) // 2):
            x, y = rng.choice(v, 2, replace=False)
            self.tie(int(x), int(y), "friend", self.day_in(lo, hi, school=True), "school")
        return place, v, ex

    def _hub_barber(self, host: int, lo: int, hi: int) -> tuple[int, list[int], list[int]]:
        rng = self.rng
        place = self.hub_place(host, "other", ("barber",), "barber")
        v = self.pick_victims(
            host,
            self.n_victims(6, 10),
            (14, 17),
            0.95,
            {"host": 0.45, "neighbour": 0.35, "placed": 0.2},
            lo,
        )
        ex = self.make_exploiters(host, int(rng.integers(2, 4)), (18, 23))
        near = self.nearby(place, ("fast_food", "transport_hub"), 4)
        for p in v:
            for _ in range(int(rng.integers(1, 4))):
                self.rec(
                    p,
                    place,
                    self.day_in(lo, hi),
                    _choice(rng, (("cce", 0.7), ("gang_association", 0.3))),
                    "police",
                )
            if near:
                self.rec(
                    p,
                    near[int(rng.integers(len(near)))],
                    self.day_in(lo, hi),
                    _choice(rng, (("cce", 0.6), ("gang_association", 0.4))),
                    "police",
                    base=(0.1, 0.6, 0.3, 0.0),
                )
            if rng.random() < 0.5:
                self.rec(
                    p,
                    self.home_of(p),
                    self.day_in(lo, hi),
                    "missing_episode",
                    _choice(rng, (("police", 0.5), ("social_care", 0.5))),
                )
            if rng.random() < 0.4:
                self.rec(p, place, self.day_in(lo, hi), "cce", "social_care")
        warrant = self.day_in(lo + 30, hi)
        for q in list(rng.choice(v, min(len(v), int(rng.integers(3, 6))), replace=False)) + ex[:2]:
            self.rec(int(q), place, warrant, "cce", "police", "confirmed")
        for p in v:
            if rng.random() < 0.45:
                self.tie(
                    ex[int(rng.integers(len(ex)))],
                    p,
                    "exploiter",
                    self.day_in(lo, hi),
                    "police",
                    base=(0.05, 0.35, 0.5, 0.1),
                )
        for _ in range(len(v) // 2):
            x, y = rng.choice(v, 2, replace=False)
            self.tie(int(x), int(y), "associate", self.day_in(lo, hi), "police")
        return place, v, ex

    def _hub_cuckooed_flat(self, host: int, lo: int, hi: int) -> tuple[int, list[int], list[int]]:
        rng = self.rng
        estates = self.places_of(host, "residential", ("estate",))
        e = estates[int(rng.integers(len(estates)))]
        xy = self.points_in(host, 1, (self.l_x[e], self.l_y[e]), 120)[0]
        place = self.add_place("residential", "flat", host, xy, 0.0)
        self.by_auth[host].append(place)
        self.used_places.add(place)
        v = self.pick_victims(
            host,
            self.n_victims(5, 9),
            (14, 17),
            0.85,
            {"host": 0.5, "neighbour": 0.3, "placed": 0.2},
            lo,
        )
        ex = self.make_exploiters(host, 2, (18, 22)) + self.make_exploiters(host, 1, (17, 17))
        for p in v:
            for _ in range(int(rng.integers(1, 3))):
                self.rec(
                    p,
                    place,
                    self.day_in(lo, hi),
                    _choice(rng, (("cce", 0.6), ("missing_episode", 0.4))),
                    "police",
                )
            if rng.random() < 0.5:
                self.rec(p, place, self.day_in(lo, hi), "other", "other", base=(0.8, 0.2, 0.0, 0.0))
            if rng.random() < 0.5:
                self.rec(p, place, self.day_in(lo, hi), "cce", "social_care")
        warrant = self.day_in(lo + 20, hi)
        for q in list(rng.choice(v, min(len(v), 3), replace=False)) + ex[:1]:
            self.rec(int(q), place, warrant, "cce", "police", "confirmed")
        for p in v:
            if rng.random() < 0.4:
                self.tie(
                    ex[int(rng.integers(len(ex)))], p, "exploiter", self.day_in(lo, hi), "police"
                )
        return place, v, ex

    # ------------------------------------------------------------ county line
    def plant_line(self) -> PlantedLine | None:
        rng = self.rng
        pairs = [
            (i, j)
            for i in range(self.na)
            for j in range(self.na)
            if i != j and 40 <= self.dist[i, j] <= 250 and self.pop_by_auth[i] >= 40
        ]
        if not pairs:
            return None
        o, d = pairs[int(rng.integers(len(pairs)))]
        lo, hi = self.hub_window()
        stations = self.places_of(d, "transport_hub")
        st = self.pick_place(stations) if stations else None
        c = (self.l_x[st], self.l_y[st]) if st is not None else self.centres[d][0]
        addr = self.add_place("residential", "flat", d, self.points_in(d, 1, c, 900)[0], 0.0)
        self.by_auth[d].append(addr)
        self.used_places.add(addr)
        runners = self.pick_victims(o, self.n_victims(4, 8), (14, 17), 0.88, {"host": 1.0}, lo)
        ex = self.make_exploiters(o, 2, (18, 22))
        for e in ex:
            self.p_home[e] = o
            self.p_live[e] = o
        base_o = self.places_of(o, ("park", "fast_food"))
        hang = self.pick_place(base_o) if base_o else None
        for p in runners:
            for _ in range(int(rng.integers(1, 4))):
                day = self.day_in(lo, hi)
                self.rec(
                    p,
                    self.home_of(p),
                    day,
                    "missing_episode",
                    _choice(rng, (("police", 0.5), ("social_care", 0.5))),
                )
                if rng.random() < 0.6:
                    self.rec(
                        p,
                        addr,
                        day + int(rng.integers(1, 6)),
                        _choice(rng, (("missing_episode", 0.5), ("cce", 0.5))),
                        "police",
                    )
            if st is not None and rng.random() < 0.6:
                self.rec(
                    p,
                    st,
                    self.day_in(lo, hi),
                    _choice(rng, (("cce", 0.6), ("missing_episode", 0.4))),
                    "police",
                    base=(0.1, 0.6, 0.3, 0.0),
                )
            if hang is not None and rng.random() < 0.6:
                day = self.day_in(lo, hi)
                self.rec(p, hang, day, "gang_association", "police")
                if rng.random() < 0.5:
                    self.rec(ex[int(rng.integers(2))], hang, day, "gang_association", "police")
            if rng.random() < 0.4:
                self.rec(p, addr, self.day_in(lo, hi), "cce", "social_care")
        warrant = self.day_in(lo + 30, hi)
        for q in rng.choice(runners, min(len(runners), int(rng.integers(2, 4))), replace=False):
            self.rec(int(q), addr, warrant, "cce", "police", "confirmed")
        if rng.random() < 0.5:
            self.rec(ex[0], addr, warrant, "cce", "police", "confirmed")
        for p in runners:
            if rng.random() < 0.5:
                self.tie(
                    ex[int(rng.integers(2))],
                    p,
                    "exploiter",
                    self.day_in(lo, hi),
                    "police",
                    base=(0.05, 0.35, 0.45, 0.15),
                )
        for _ in range(len(runners) // 2 + 1):
            x, y = rng.choice(runners, 2, replace=False)
            self.tie(int(x), int(y), "associate", self.day_in(lo, hi), "police")
        self.tie(ex[0], ex[1], "group_member", self.day_in(lo, hi), "police")
        r = runners[int(rng.integers(len(runners)))]
        to = [a for a in range(self.na) if a not in (o, d)]
        if to:
            self.reloc(
                r,
                o,
                int(rng.choice(to)),
                min(NDAYS - 1, hi + int(rng.integers(5, 30))),
                _choice(rng, (("care_placement", 0.7), ("secure", 0.3))),
            )
        return PlantedLine(
            origin=self.codes[o],
            destination=self.codes[d],
            distance_km=round(float(self.dist[o, d]), 1),
            place_id=self.l_id[addr],
            people=tuple(self.p_id[p] for p in runners),
            exploiters=tuple(self.p_id[p] for p in ex),
            authorities=(self.codes[o], self.codes[d]),
        )

    # ----------------------------------------------------------------- decoys
    def free_people(
        self, a: int, n: int, ages: tuple[int, int], school: int | None = None, spread: bool = False
    ) -> list[int]:
        if school is not None:
            pool = [p for p in range(self.n_pop) if self.p_school[p] == school]
        elif spread:
            pool = [p for p in range(self.n_pop) if self.dist[a, self.p_live[p]] < 12]
        else:
            pool = list(self.pool_by_home.get(a, []))
        pool = [
            p
            for p in pool
            if p not in self.taken
            and ages[0] <= self.p_age[p] <= ages[1]
            and self.p_role[p] == "yp"
        ]
        if not pool:
            return []
        out = [int(q) for q in self.rng.choice(pool, min(n, len(pool)), replace=False)]
        self.taken.update(out)
        return out

    def plant_decoy(self, kind: str, a: int) -> Decoy | None:
        rng = self.rng
        if kind == "school_fight":
            schools = [
                s for s in self.places_of(a, "school", ("secondary",)) if s not in self.used_places
            ]
            if not schools:
                return None
            s = max(
                schools, key=lambda i: sum(1 for p in range(self.n_pop) if self.p_school[p] == i)
            )
            ppl = self.free_people(a, int(rng.integers(8, 16)), (12, 16), school=s)
            day = self.day_in(school=True)
            for p in ppl:
                self.rec(p, s, day, "serious_youth_violence", "school", base=(0.0, 0.2, 0.4, 0.4))
                if rng.random() < 0.5:
                    self.rec(p, s, day, "serious_youth_violence", "police")
            for x in range(len(ppl) - 1):
                if rng.random() < 0.3:
                    self.tie(ppl[x], ppl[x + 1], "associate", day, "school")
            self.used_places.add(s)
            return Decoy(
                self.l_id[s], tuple(self.p_id[p] for p in ppl), kind, START + timedelta(days=day)
            )
        if kind == "bullying_cluster":
            schools = [
                s for s in self.places_of(a, "school", ("secondary",)) if s not in self.used_places
            ]
            if not schools:
                return None
            s = schools[int(rng.integers(len(schools)))]
            ppl = self.free_people(a, int(rng.integers(6, 11)), (11, 14), school=s)
            if len(ppl) < 3:
                return None
            chat = self.add_place(
                "online",
                "chat",
                -1,
                None,
                0.1,
                _choice(rng, (("snapchat", 0.6), ("whatsapp", 0.4))),
            )
            self.online.append(chat)
            lo = int(self.term_days[rng.integers(len(self.term_days) - 60)])
            for p in ppl:
                for _ in range(int(rng.integers(1, 4))):
                    self.rec(p, s, self.day_in(lo, lo + 60, school=True), "bullying", "school")
                if rng.random() < 0.6:
                    self.rec(
                        p,
                        chat,
                        self.day_in(lo, lo + 60),
                        _choice(rng, (("online_harassment", 0.8), ("image_sharing", 0.2))),
                        _choice(rng, (("school", 0.6), ("young_person", 0.4))),
                    )
            for x in range(len(ppl)):
                for y in range(x + 1, len(ppl)):
                    if rng.random() < 0.25:
                        self.tie(ppl[x], ppl[y], "friend", lo, "school")
            self.used_places.add(s)
            return Decoy(
                self.l_id[s], tuple(self.p_id[p] for p in ppl), kind, START + timedelta(days=lo)
            )
        if kind == "station_robberies":
            sts = [s for s in self.places_of(a, "transport_hub") if s not in self.used_places]
            if not sts:
                return None
            s = max(sts, key=lambda i: self.l_w[i])
            ppl = self.free_people(a, int(rng.integers(10, 21)), (12, 18), spread=True)
            days = []
            for p in ppl:
                d = self.day_in(60, NDAYS - 30)
                days.append(d)
                self.rec(p, s, d, "serious_youth_violence", "police", base=(0.0, 0.3, 0.45, 0.25))
                if rng.random() < 0.3:
                    self.rec(
                        p,
                        s,
                        d + int(rng.integers(0, 3)),
                        "other",
                        _choice(rng, (("school", 0.5), ("health", 0.5))),
                    )
            self.used_places.add(s)
            return Decoy(
                self.l_id[s],
                tuple(self.p_id[p] for p in ppl),
                kind,
                START + timedelta(days=int(np.median(days))),
            )
        if kind == "summer_fair_fight":
            parks = [s for s in self.places_of(a, "park") if s not in self.used_places]
            if not parks:
                return None
            s = max(parks, key=lambda i: self.l_w[i])
            ppl = self.free_people(a, int(rng.integers(10, 19)), (13, 18), spread=True)
            day = (date(2026, 8, 1) - START).days + int(rng.integers(0, 25))
            for p in ppl:
                c = _choice(
                    rng, (("serious_youth_violence", 0.7), ("missing_episode", 0.1), ("other", 0.2))
                )
                self.rec(p, s, day, c, "police", base=(0.05, 0.35, 0.45, 0.15))
                if rng.random() < 0.25:
                    self.rec(p, s, day, "serious_youth_violence", "health")
            self.used_places.add(s)
            return Decoy(
                self.l_id[s], tuple(self.p_id[p] for p in ppl), kind, START + timedelta(days=day)
            )
        if kind == "pru_violence":
            prus = [s for s in self.places_of(a, "school", ("pru",)) if s not in self.used_places]
            if not prus:
                return None
            s = prus[0]
            ppl = self.free_people(a, int(rng.integers(6, 11)), (12, 16), spread=True)
            lo = int(rng.integers(0, NDAYS - 120))
            for p in ppl:
                for _ in range(int(rng.integers(1, 4))):
                    c = _choice(
                        rng, (("serious_youth_violence", 0.6), ("bullying", 0.25), ("other", 0.15))
                    )
                    self.rec(
                        p,
                        s,
                        self.day_in(lo, lo + 110, school=True),
                        c,
                        _choice(rng, (("school", 0.7), ("police", 0.3))),
                    )
            self.used_places.add(s)
            return Decoy(
                self.l_id[s], tuple(self.p_id[p] for p in ppl), kind, START + timedelta(days=lo)
            )
        if kind == "youth_club_hsb":
            clubs = [
                s
                for s in self.places_of(a, "youth_venue", ("youth_club",))
                if s not in self.used_places
            ]
            if not clubs:
                return None
            s = clubs[0]
            ppl = self.free_people(a, int(rng.integers(5, 9)), (11, 15))
            lo = int(rng.integers(0, NDAYS - 60))
            for p in ppl:
                self.rec(
                    p,
                    s,
                    self.day_in(lo, lo + 45),
                    "harmful_sexual_behaviour",
                    _choice(rng, (("youth_service", 0.4), ("social_care", 0.4), ("school", 0.2))),
                )
                if rng.random() < 0.4:
                    self.rec(p, s, self.day_in(lo, lo + 45), "other", "youth_service")
            self.used_places.add(s)
            return Decoy(
                self.l_id[s], tuple(self.p_id[p] for p in ppl), kind, START + timedelta(days=lo)
            )
        return None

    # ----------------------------------------------------- duplicate venues
    def twin_venues(self) -> None:
        """A few busy venues recorded twice, by two agencies, under two place ids."""
        rng = self.rng
        busy = [
            i
            for i in range(len(self.l_id))
            if self.l_kind[i] in ("transport_hub", "shopping_centre", "fast_food")
            and i not in self.used_places
        ]
        busy.sort(key=lambda i: -self.l_w[i])
        for i in busy[: max(2, len(busy) // 25)]:
            a = self.l_auth[i]
            pt = self.points_in(a, 1, (self.l_x[i], self.l_y[i]), 90)[0]
            j = self.add_place(self.l_kind[i], self.l_sub[i], a, pt, 0.0)
            self.by_auth[a].append(j)
            self.l_twin[i] = j
        if not self.l_twin:
            return
        out = []
        for s in self.sightings:
            j = self.l_twin.get(s[1])
            if j is not None and s[4] != "police" and rng.random() < 0.8:
                s = (s[0], j, *s[2:])
            out.append(s)
        self.sightings = out

    # ----------------------------------------------------------------- tables
    def tables(self) -> dict[str, pd.DataFrame]:
        rng = self.rng
        to_wgs = Transformer.from_crs(27700, 4326, always_xy=True)

        def enum(v: str, a: int) -> str:
            st = self.style[a] if a >= 0 else 0
            if st == 1:
                return v.replace("_", " ").title() if v not in ("cse", "cce") else v.upper()
            if st == 2 and v in ("cse", "cce"):
                return v.upper()
            return v

        def day(d: int, a: int) -> str:
            dt = START + timedelta(days=int(d))
            st = self.style[a] if a >= 0 else 0
            if st == 1:
                return dt.strftime("%d/%m/%Y")
            if st == 2 and rng.random() < 0.5:
                return (
                    dt.isoformat()
                    + f" {int(rng.integers(0, 24)):02d}:{int(rng.choice([0, 15, 30, 45])):02d}"
                )
            return dt.isoformat()

        def auth(a: int) -> str:
            return self.names[a] if a == self.writes_names else self.codes[a]

        n = len(self.p_id)
        lac_txt = []
        for p in range(n):
            st = self.style[self.p_home[p]]
            v = self.p_lac[p]
            if rng.random() < 0.04:
                lac_txt.append(None)
            elif st == 1:
                lac_txt.append("Y" if v else "N")
            elif st == 2:
                lac_txt.append("yes" if v else "no")
            else:
                lac_txt.append("true" if v else "false")
        sex = [s if rng.random() > 0.03 else None for s in self.p_sex]
        people = pd.DataFrame(
            {
                "person_id": self.p_id,
                "home_authority": [auth(a) for a in self.p_home],
                "age": pd.array(self.p_age, dtype="Int64"),
                "sex": sex,
                "looked_after": lac_txt,
            }
        )
        m = len(self.l_id)
        x = np.array(self.l_x)
        y = np.array(self.l_y)
        lon, lat = to_wgs.transform(x, y)
        mode = rng.choice(3, size=m, p=[0.35, 0.4, 0.25])  # lon/lat, grid, both
        online = np.array([k == "online" for k in self.l_kind])
        places = pd.DataFrame(
            {
                "place_id": self.l_id,
                "kind": [
                    enum(self.l_rec_kind.get(i, self.l_kind[i]), self.l_auth[i]) for i in range(m)
                ],
                "lon": np.where(online | (mode == 1), np.nan, np.round(lon, 6)),
                "lat": np.where(online | (mode == 1), np.nan, np.round(lat, 6)),
                "easting": np.where(online | (mode == 0), np.nan, np.round(x, 1)),
                "northing": np.where(online | (mode == 0), np.nan, np.round(y, 1)),
                "label": self.l_label,
                "platform": self.l_platform,
            }
        )
        # sightings: drop exact repeats before styling
        srows = sorted(set(self.sightings), key=lambda s: (s[2], s[0], s[1], s[3], s[4], s[5]))
        sa = [self.l_auth[s[1]] if self.l_auth[s[1]] >= 0 else self.p_live[s[0]] for s in srows]
        sightings = pd.DataFrame(
            {
                "person_id": [self.p_id[s[0]] for s in srows],
                "place_id": [self.l_id[s[1]] for s in srows],
                "date": [day(s[2], a) for s, a in zip(srows, sa, strict=True)],
                "context": [enum(s[3], a) for s, a in zip(srows, sa, strict=True)],
                "source": [enum(s[4], a) for s, a in zip(srows, sa, strict=True)],
                "reliability": [enum(s[5], a) for s, a in zip(srows, sa, strict=True)],
            }
        )
        seen = set()
        trows = []
        for t in self.ties:
            a, b = t[0], t[1]
            key = (a, b) if t[2] == "exploiter" else (min(a, b), max(a, b))
            k = (*key, t[2], t[3], t[4], t[5], t[6])
            if k in seen:
                continue
            seen.add(k)
            trows.append(t)
        ta = [self.p_live[t[0]] for t in trows]
        ties = pd.DataFrame(
            {
                "person_a": [self.p_id[t[0]] for t in trows],
                "person_b": [self.p_id[t[1]] for t in trows],
                "kind": [enum(t[2], a) for t, a in zip(trows, ta, strict=True)],
                "first_seen": [day(t[3], a) for t, a in zip(trows, ta, strict=True)],
                "last_seen": [
                    day(t[4], a) if t[4] is not None else None
                    for t, a in zip(trows, ta, strict=True)
                ],
                "source": [enum(t[5], a) for t, a in zip(trows, ta, strict=True)],
                "reliability": [enum(t[6], a) for t, a in zip(trows, ta, strict=True)],
            }
        )
        rrows = sorted(set(self.relocs))
        rel_date = [(START + timedelta(days=r[3])).isoformat() for r in rrows]
        relocations = pd.DataFrame(
            {
                "person_id": [self.p_id[r[0]] for r in rrows],
                "from_authority": [auth(r[1]) for r in rrows],
                "to_authority": [auth(r[2]) for r in rrows],
                "date": rel_date,
                "kind": [enum(r[4], r[1]) for r in rrows],
            }
        )
        return {
            "people": people,
            "places": places,
            "ties": ties,
            "sightings": sightings,
            "relocations": relocations,
        }


def heldout_g_scenario(
    boundaries: gpd.GeoDataFrame, *, n_people: int, seed: int
) -> tuple[peermap.Dataset, HeldOutTruth]:
    """Build held-out world G on ``boundaries`` and return the dataset and its truth.

    Parameters
    ----------
    boundaries : geopandas.GeoDataFrame
        Standard peermap boundaries (``code``, ``name``, ``geometry``).
    n_people : int
        Young people in the population (exploiters made for the hubs and the county
        line are added to the people table on top).
    seed : int
        Seed; the same seed, size and boundaries give the same world.
    """
    w = _World(boundaries, n_people, seed)
    rng = w.rng
    w.build_population()
    w.build_places()
    w.pool_by_home = {}
    for p in range(w.n_pop):
        w.pool_by_home.setdefault(w.p_home[p], []).append(p)
    w.used_places = set()
    # hubs and the line choose their young people before ordinary life is drawn
    n_hubs = 2 + int(n_people >= 1500) + int(n_people >= 6000)
    names = list(_DESIGN_WEIGHTS)
    pw = np.array([_DESIGN_WEIGHTS[d] for d in names])
    designs = [
        names[i] for i in rng.choice(len(names), size=n_hubs, replace=False, p=pw / pw.sum())
    ]
    if n_hubs >= 3 and not any(d in _HARD for d in designs):
        designs[-1] = _HARD[int(rng.integers(2))]
    pop = w.pop_by_auth.astype(float)
    pop[pop < 30] = 0
    hosts: list[int] = []
    for _ in designs:
        pw2 = pop.copy()
        pw2[hosts] *= 0.05 if len(hosts) < w.na else 1
        hosts.append(int(rng.choice(w.na, p=pw2 / pw2.sum())))
    hubs = [w.plant_hub(d, h) for d, h in zip(designs, hosts, strict=True)]
    line = w.plant_line()
    w.care_placements()
    w.other_moves()
    w.assign_schools()
    w.ordinary_sightings()
    w.ordinary_ties()
    # decoys
    decoy_kinds = ["school_fight", "bullying_cluster", "station_robberies"]
    extra = ["summer_fair_fight", "pru_violence", "youth_club_hsb"]
    n_extra = int(n_people >= 1500) + int(n_people >= 6000)
    decoy_kinds += [extra[i] for i in rng.choice(3, size=n_extra, replace=False)]
    decoys = []
    for k in decoy_kinds:
        for _ in range(5):
            a = int(rng.choice(w.na, p=pop / pop.sum()))
            dcy = w.plant_decoy(k, a)
            if dcy is not None:
                decoys.append(dcy)
                break
    w.twin_venues()
    tables = w.tables()
    ds = peermap.read_dataset(tables, boundaries=boundaries)
    truth = HeldOutTruth(
        trap_houses=tuple(hubs),
        county_lines=(line,) if line is not None else (),
        decoys=tuple(decoys),
        seed=seed,
        parameters={
            "world": "G",
            "n_people": n_people,
            "rows_people": len(tables["people"]),
            "window": (START.isoformat(), END.isoformat()),
            "designs": tuple(designs),
            "hosts": tuple(w.codes[h] for h in hosts),
            "decoy_kinds": tuple(d.kind for d in decoys),
            "county_line": (line.origin, line.destination) if line is not None else None,
            "authority_writing_names": w.codes[w.writes_names],
            "twinned_venues": len(w.l_twin),
        },
    )
    return ds, truth
