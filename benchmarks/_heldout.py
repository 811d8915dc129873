"""An independently written scenario for ``bench_ranking.py`` (the "held-out" row).

Written without reading ``peermap.synthetic`` or ``peermap.analysis``, so that it shares
none of their assumptions: a ranking that only works on the package's own generator shows
up here. The design, in short:

- young people live in authorities of uneven size; each attends one school (a few cross
  into a neighbouring authority) and belongs to a friend group of 3-8 schoolmates; ties
  are mostly within the group and the school, some in the same authority, few across
  authorities; siblings, partners, ex-partners; a handful of background exploiter ties;
- many ordinary venues of every kind, with lognormal busy-ness (schools and fast food
  busiest); every young person has a school, a few haunts (mostly at home, some next
  door) and a home street, and background harm records fall on them at low rates that
  depend on the kind of venue (bullying at school, violence at fast food and transport
  hubs, missing episodes at homes, a little cse and cce anywhere);
- genuine serious incidents at busy venues (decoys): a fight between two friend groups
  of neighbouring authorities at a fast-food shop or transport hub, and a robbery;
- 2-4 planted trap houses of four designs (a hotel used for cse, a flat used for cce, a
  mixed one, a quiet one with few, soft records): 5-15 young people from 2-4
  authorities, recruited partly through friends, seen there over 2-5 months; 1-3 older
  exploiters, whose exploiter ties are recorded for only some of the victims;
- one county line: a friend group from one authority repeatedly seen at a flat in an
  authority that does not border theirs (cce and missing episodes), with missing
  episodes at a transport hub at home.

``heldout_scenario(boundaries, n_people=..., seed=...)`` returns ``(ds, truth)``; the
truth has ``trap_houses`` (``place_id``, ``people``, ``authorities``, ``exploiters``),
``county_lines`` (also ``origin``, ``destination``, ``distance_km``) and ``decoys``
(``place_id``, ``people``, ``kind``), like ``peermap.synthetic``'s ground truth.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import peermap

__all__ = ["HeldOutTruth", "Incident", "PlantedCountyLine", "PlantedTrapHouse", "heldout_scenario"]

YEAR_START = dt.date(2024, 1, 1)
YEAR_DAYS = 366
RELIABILITY = ("unverified", "reported", "corroborated", "confirmed")

# kind: (share of places, base busy-ness)
PLACE_KINDS = {
    "school": (0.08, 6.0),
    "fast_food": (0.14, 5.0),
    "transport_hub": (0.06, 3.0),
    "shopping_centre": (0.04, 3.0),
    "park": (0.10, 2.0),
    "youth_venue": (0.06, 1.5),
    "other": (0.10, 1.0),
    "hotel": (0.04, 0.4),
    "residential": (0.38, 0.3),
}

# Background harm records by kind of venue (shares of that venue's records).
BACKGROUND_CONTEXTS: dict[str, dict[str, float]] = {
    "school": {
        "bullying": 0.40,
        "other": 0.28,
        "teenage_relationship_abuse": 0.14,
        "harmful_sexual_behaviour": 0.05,
        "serious_youth_violence": 0.06,
        "gang_association": 0.03,
        "cse": 0.02,
        "cce": 0.02,
    },
    "fast_food": {
        "other": 0.40,
        "serious_youth_violence": 0.20,
        "gang_association": 0.15,
        "bullying": 0.10,
        "missing_episode": 0.07,
        "cce": 0.05,
        "cse": 0.03,
    },
    "transport_hub": {
        "other": 0.25,
        "missing_episode": 0.25,
        "serious_youth_violence": 0.20,
        "gang_association": 0.15,
        "cce": 0.08,
        "cse": 0.04,
        "bullying": 0.03,
    },
    "shopping_centre": {
        "other": 0.40,
        "bullying": 0.15,
        "serious_youth_violence": 0.15,
        "gang_association": 0.10,
        "cce": 0.08,
        "cse": 0.05,
        "missing_episode": 0.07,
    },
    "park": {
        "other": 0.30,
        "serious_youth_violence": 0.15,
        "gang_association": 0.15,
        "teenage_relationship_abuse": 0.10,
        "harmful_sexual_behaviour": 0.08,
        "bullying": 0.10,
        "cse": 0.06,
        "cce": 0.06,
    },
    "youth_venue": {
        "other": 0.40,
        "bullying": 0.20,
        "serious_youth_violence": 0.13,
        "gang_association": 0.10,
        "teenage_relationship_abuse": 0.12,
        "cse": 0.025,
        "cce": 0.025,
    },
    "other": {
        "other": 0.50,
        "missing_episode": 0.15,
        "serious_youth_violence": 0.10,
        "bullying": 0.10,
        "gang_association": 0.08,
        "cse": 0.035,
        "cce": 0.035,
    },
    "hotel": {"other": 0.45, "missing_episode": 0.35, "cse": 0.10, "cce": 0.10},
    "residential": {
        "missing_episode": 0.35,
        "teenage_relationship_abuse": 0.20,
        "other": 0.20,
        "harmful_sexual_behaviour": 0.08,
        "cse": 0.07,
        "cce": 0.05,
        "serious_youth_violence": 0.05,
    },
}

SOURCE_BY_CONTEXT = {
    "bullying": ("school", "youth_service", "young_person"),
    "other": ("school", "youth_service", "health", "voluntary_sector", "other"),
    "teenage_relationship_abuse": ("school", "social_care", "health"),
    "harmful_sexual_behaviour": ("school", "social_care", "police"),
    "serious_youth_violence": ("police", "health", "school"),
    "gang_association": ("police", "youth_service", "social_care"),
    "missing_episode": ("social_care", "police"),
    "cse": ("social_care", "police", "health"),
    "cce": ("police", "social_care", "youth_service"),
}

# Trap-house designs: contexts of the victims' records, reliability weights, records per
# victim (base + Poisson mean), share of victims with a recorded exploiter tie.
DESIGNS: dict[str, dict[str, Any]] = {
    "hotel_cse": {
        "kind": ("hotel",),
        "contexts": {
            "cse": 0.45,
            "missing_episode": 0.30,
            "cce": 0.10,
            "gang_association": 0.05,
            "other": 0.10,
        },
        "reliability": (0.25, 0.35, 0.25, 0.15),
        "victims": (7, 15),
        "records": (2, 2.0),
        "tie_share": 0.55,
    },
    "flat_cce": {
        "kind": ("residential",),
        "contexts": {
            "cce": 0.45,
            "missing_episode": 0.25,
            "gang_association": 0.20,
            "serious_youth_violence": 0.10,
        },
        "reliability": (0.25, 0.35, 0.25, 0.15),
        "victims": (6, 13),
        "records": (2, 2.0),
        "tie_share": 0.5,
    },
    "mixed": {
        "kind": ("hotel", "residential"),
        "contexts": {"cse": 0.25, "cce": 0.25, "missing_episode": 0.30, "gang_association": 0.20},
        "reliability": (0.3, 0.35, 0.2, 0.15),
        "victims": (5, 12),
        "records": (2, 1.5),
        "tie_share": 0.5,
    },
    "quiet": {
        "kind": ("residential", "hotel"),
        "contexts": {"missing_episode": 0.4, "cse": 0.2, "cce": 0.2, "other": 0.2},
        "reliability": (0.45, 0.4, 0.1, 0.05),
        "victims": (5, 7),
        "records": (1, 1.0),
        "tie_share": 0.3,
    },
}


@dataclass(frozen=True)
class PlantedTrapHouse:
    """A planted trap house: a venue visited by exploited young people."""

    place_id: str
    kind: str
    design: str
    authority: str
    people: tuple[str, ...]
    authorities: tuple[str, ...]
    exploiters: tuple[str, ...]


@dataclass(frozen=True)
class PlantedCountyLine:
    """A planted county line: young people of one authority run to a distant flat."""

    origin: str
    destination: str
    distance_km: float
    place_id: str
    people: tuple[str, ...]
    exploiters: tuple[str, ...]
    authorities: tuple[str, ...] = ()


@dataclass(frozen=True)
class Incident:
    """A genuine serious incident at a busy venue (a decoy for the ranking)."""

    place_id: str
    kind: str
    people: tuple[str, ...]


@dataclass(frozen=True)
class HeldOutTruth:
    """What was planted in a held-out scenario."""

    trap_houses: tuple[PlantedTrapHouse, ...]
    county_lines: tuple[PlantedCountyLine, ...]
    decoys: tuple[Incident, ...]
    seed: int
    parameters: dict[str, Any] = field(default_factory=dict)


class _Builder:
    def __init__(self, boundaries: gpd.GeoDataFrame, n_people: int, seed: int) -> None:
        self.rng = np.random.default_rng([seed, 4715])
        bounds = boundaries if boundaries.crs is None else boundaries.to_crs(27700)
        self.codes = [str(c) for c in bounds["code"]]
        self.geoms = list(bounds.geometry)
        n_auth = len(self.codes)
        cent = np.array([[g.centroid.x, g.centroid.y] for g in self.geoms])
        self.dist_km = np.hypot(*(cent[:, None, :] - cent[None, :, :]).transpose(2, 0, 1)) / 1000
        tree = shapely.STRtree([g.buffer(50) for g in self.geoms])
        pairs = tree.query(self.geoms, predicate="intersects")
        self.neighbours: list[list[int]] = [[] for _ in range(n_auth)]
        for i, j in zip(*pairs, strict=True):
            if i != j:
                self.neighbours[int(i)].append(int(j))
        self.n_people = n_people
        self.people: list[dict[str, Any]] = []
        self.places: list[dict[str, Any]] = []
        self.place_auth: list[int] = []
        self.place_pop: list[float] = []
        self.ties: list[dict[str, Any]] = []
        self.sightings: list[dict[str, Any]] = []
        self.relocations: list[dict[str, Any]] = []
        self.used: set[int] = set()
        self.adj: dict[int, set[int]] = {}

    # -- helpers ---------------------------------------------------------------------
    def date(self, lo: int = 0, hi: int = YEAR_DAYS) -> str:
        day = int(self.rng.integers(lo, max(hi, lo + 1)))
        return (YEAR_START + dt.timedelta(days=min(day, YEAR_DAYS - 1))).isoformat()

    def pick(self, options: dict[str, float] | tuple[str, ...]) -> str:
        if isinstance(options, dict):
            keys = list(options)
            p = np.array(list(options.values()), dtype=float)
            return str(keys[int(self.rng.choice(len(keys), p=p / p.sum()))])
        return str(options[int(self.rng.integers(len(options)))])

    def reliability(self, weights: tuple[float, ...] = (0.3, 0.4, 0.2, 0.1)) -> str:
        p = np.array(weights) / sum(weights)
        return RELIABILITY[int(self.rng.choice(4, p=p))]

    def point_in(self, auth: int) -> tuple[float, float]:
        geom = self.geoms[auth]
        x0, y0, x1, y1 = geom.bounds
        for _ in range(200):
            xs = self.rng.uniform(x0, x1, 32)
            ys = self.rng.uniform(y0, y1, 32)
            inside = shapely.contains_xy(geom, xs, ys)
            if inside.any():
                k = int(np.flatnonzero(inside)[0])
                return round(float(xs[k]), 1), round(float(ys[k]), 1)
        p = geom.representative_point()
        return float(p.x), float(p.y)

    def add_place(self, auth: int, kind: str, busy: float) -> int:
        idx = len(self.places)
        x, y = self.point_in(auth)
        self.places.append(
            {"place_id": f"ho-pl-{idx + 1:05d}", "kind": kind, "easting": x, "northing": y}
        )
        self.place_auth.append(auth)
        self.place_pop.append(busy)
        return idx

    def pid(self, person: int) -> str:
        return str(self.people[person]["person_id"])

    def tie(
        self, a: int, b: int, kind: str, *, lo: int = -400, hi: int = YEAR_DAYS, **kw: Any
    ) -> None:
        if a == b:
            return
        first = self.rng.integers(lo, hi)
        first_date = YEAR_START + dt.timedelta(days=int(min(first, YEAR_DAYS - 1)))
        last = None
        if self.rng.random() < 0.6:
            span = int(self.rng.integers(0, 200))
            last_date = min(first_date + dt.timedelta(days=span), dt.date(2024, 12, 31))
            last = last_date.isoformat()
        if kind != "exploiter" and b < a:  # undirected: one order, so copies are exact
            a, b = b, a
        self.ties.append(
            {
                "person_a": self.pid(a),
                "person_b": self.pid(b),
                "kind": kind,
                "first_seen": first_date.isoformat(),
                "last_seen": last,
                "source": kw.get("source") or self.pick(("school", "police", "social_care")),
                "reliability": kw.get("reliability") or self.reliability(),
            }
        )
        self.adj.setdefault(a, set()).add(b)
        self.adj.setdefault(b, set()).add(a)

    def sight(
        self,
        person: int,
        place: int,
        context: str,
        *,
        date: str | None = None,
        source: str | None = None,
        reliability: str | None = None,
    ) -> None:
        self.sightings.append(
            {
                "person_id": self.pid(person),
                "place_id": self.places[place]["place_id"],
                "date": date or self.date(),
                "context": context,
                "source": source or self.pick(SOURCE_BY_CONTEXT[context]),
                "reliability": reliability or self.reliability(),
            }
        )

    # -- the population ----------------------------------------------------------------
    def population(self) -> None:
        rng = self.rng
        n_auth = len(self.codes)
        weights = rng.gamma(4.0, 1.0, n_auth)
        counts = rng.multinomial(self.n_people, weights / weights.sum())
        self.home = np.repeat(np.arange(n_auth), counts)
        rng.shuffle(self.home)
        ages = rng.choice(np.arange(10, 19), self.n_people, p=_age_weights())
        sexes = rng.choice(["F", "M", "X", "unknown"], self.n_people, p=[0.48, 0.48, 0.01, 0.03])
        looked_after = rng.random(self.n_people) < 0.04
        for i in range(self.n_people):
            self.people.append(
                {
                    "person_id": f"ho-{i + 1:06d}",
                    "home_authority": self.codes[int(self.home[i])],
                    "age": int(ages[i]),
                    "sex": str(sexes[i]),
                    "looked_after": "yes" if looked_after[i] else "no",
                }
            )
        self.by_auth = [np.flatnonzero(self.home == a) for a in range(n_auth)]
        self.ages = ages
        for i in np.flatnonzero(looked_after):
            if rng.random() < 0.4:
                home = int(self.home[i])
                options = [a for a in range(n_auth) if a != home]
                if options:
                    to = int(rng.choice(options))
                    self.relocations.append(
                        {
                            "person_id": self.pid(int(i)),
                            "from_authority": self.codes[home],
                            "to_authority": self.codes[to],
                            "date": self.date(),
                            "kind": self.pick(
                                {"care_placement": 0.8, "secure": 0.05, "family": 0.15}
                            ),
                        }
                    )

    def venues(self) -> None:
        rng = self.rng
        kinds = list(PLACE_KINDS)
        shares = np.array([PLACE_KINDS[k][0] for k in kinds])
        self.kind_places: dict[tuple[int, str], list[int]] = {}
        for auth, members in enumerate(self.by_auth):
            n = max(14, round(len(members) / 7))
            drawn = list(rng.choice(kinds, n, p=shares / shares.sum()))
            for must in (*PLACE_KINDS, "residential"):  # every kind in every authority
                drawn.append(must)
            for kind in drawn:
                busy = PLACE_KINDS[kind][1] * float(rng.lognormal(0.0, 0.8))
                idx = self.add_place(auth, kind, busy)
                self.kind_places.setdefault((auth, kind), []).append(idx)

    def _draw_place(self, auth: int, kinds: tuple[str, ...]) -> int:
        options = [p for k in kinds for p in self.kind_places.get((auth, k), [])]
        pop = np.array([self.place_pop[p] for p in options])
        return int(options[int(self.rng.choice(len(options), p=pop / pop.sum()))])

    def _near(self, auth: int, share_away: float) -> int:
        if self.neighbours[auth] and self.rng.random() < share_away:
            return int(self.rng.choice(self.neighbours[auth]))
        return auth

    def social(self) -> None:
        rng = self.rng
        self.school = np.empty(self.n_people, dtype=int)
        for i in range(self.n_people):
            self.school[i] = self._draw_place(self._near(int(self.home[i]), 0.08), ("school",))
        self.groups: list[list[int]] = []
        for school in np.unique(self.school):
            pupils = np.flatnonzero(self.school == school)
            rng.shuffle(pupils)
            start = 0
            while start < len(pupils):
                size = int(rng.integers(3, 9))
                group = [int(p) for p in pupils[start : start + size]]
                start += size
                self.groups.append(group)
                for x in range(len(group)):
                    for y in range(x + 1, len(group)):
                        if rng.random() < 0.55:
                            self.tie(
                                group[x], group[y], self.pick({"friend": 0.7, "group_member": 0.3})
                            )
            for p in pupils:
                for _ in range(int(rng.poisson(1.2))):
                    other = int(rng.choice(pupils))
                    self.tie(int(p), other, self.pick({"friend": 0.6, "associate": 0.4}))
        self.group_of = np.empty(self.n_people, dtype=int)
        for g, members in enumerate(self.groups):
            self.group_of[members] = g
        for i in range(self.n_people):
            home = int(self.home[i])
            for _ in range(int(rng.poisson(0.5))):
                self.tie(
                    i,
                    int(rng.choice(self.by_auth[home])),
                    self.pick({"friend": 0.5, "associate": 0.5}),
                )
            if rng.random() < 0.15:
                auth = self._near(home, 1.0)
                if len(self.by_auth[auth]):
                    kind = self.pick(
                        {"friend": 0.5, "associate": 0.3, "partner": 0.1, "ex_partner": 0.1}
                    )
                    self.tie(i, int(rng.choice(self.by_auth[auth])), kind)
            if rng.random() < 0.03:
                self.tie(i, int(rng.choice(self.by_auth[home])), "sibling", source="social_care")
            if rng.random() < 0.03:
                self.tie(
                    i,
                    int(rng.choice(self.by_auth[home])),
                    self.pick({"partner": 0.6, "ex_partner": 0.4}),
                )
        # A handful of background exploiter ties (older to younger, same authority).
        older = np.flatnonzero(self.ages >= 16)
        for _ in range(max(2, self.n_people // 500)):
            a = int(rng.choice(older))
            b = int(rng.choice(self.by_auth[int(self.home[a])]))
            self.tie(
                a,
                b,
                "exploiter",
                source="police",
                reliability=self.reliability((0.4, 0.4, 0.15, 0.05)),
            )

    def background(self) -> None:
        rng = self.rng
        haunt_kinds = (
            "fast_food",
            "transport_hub",
            "shopping_centre",
            "park",
            "youth_venue",
            "other",
        )
        activity = rng.gamma(1.5, 5.5 / 1.5, self.n_people)
        for i in range(self.n_people):
            home = int(self.home[i])
            venues = [int(self.school[i])]
            for _ in range(3 + int(rng.poisson(1.5))):
                venues.append(self._draw_place(self._near(home, 0.2), haunt_kinds))
            venues.append(self._draw_place(home, ("residential",)))
            if rng.random() < 0.2:
                venues.append(self._draw_place(home, ("hotel", "other")))
            pop = np.array([self.place_pop[v] for v in venues])
            pop[0] *= 1.5  # school time
            for _ in range(int(rng.poisson(activity[i]))):
                place = venues[int(rng.choice(len(venues), p=pop / pop.sum()))]
                context = self.pick(BACKGROUND_CONTEXTS[self.places[place]["kind"]])
                self.sight(i, place, context)

    # -- genuine serious incidents (decoys) ----------------------------------------------
    def incidents(self) -> list[Incident]:
        rng = self.rng
        out: list[Incident] = []
        auths = [a for a in range(len(self.codes)) if len(self.by_auth[a]) >= 10]
        for kind in ("fight", "fight", "robbery"):
            auth = int(rng.choice(auths))
            place_kinds = (
                ("fast_food", "transport_hub")
                if kind == "fight"
                else ("shopping_centre", "transport_hub")
            )
            options = [p for k in place_kinds for p in self.kind_places.get((auth, k), [])]
            place = max(options, key=lambda p: self.place_pop[p])
            day = int(rng.integers(0, YEAR_DAYS - 14))
            date = (YEAR_START + dt.timedelta(days=day)).isoformat()
            sides = [auth, self._near(auth, 0.8)] if kind == "fight" else [auth]
            people: list[int] = []
            for side in sides:
                group = self._group_in(side, exclude=self.used | set(people))
                take = group[: int(rng.integers(3, 7))] if kind == "fight" else group[:3]
                people += take
            if kind == "robbery":
                victims = rng.choice(self.by_auth[self._near(auth, 0.5)], 2, replace=False)
                people += [int(v) for v in victims if int(v) not in people]
            for p in people:
                self.sight(
                    p,
                    place,
                    "serious_youth_violence",
                    date=date,
                    source="police",
                    reliability="confirmed",
                )
                if rng.random() < 0.3:
                    self.sight(
                        p,
                        place,
                        "gang_association",
                        date=date,
                        source="police",
                        reliability="corroborated",
                    )
                if rng.random() < 0.4:
                    later = (
                        YEAR_START + dt.timedelta(days=day + int(rng.integers(1, 14)))
                    ).isoformat()
                    self.sight(
                        p,
                        place,
                        "serious_youth_violence",
                        date=later,
                        source="health",
                        reliability="reported",
                    )
            self.used.update(people)
            out.append(
                Incident(self.places[place]["place_id"], kind, tuple(self.pid(p) for p in people))
            )
        return out

    def _group_in(self, auth: int, *, exclude: set[int], min_size: int = 3) -> list[int]:
        groups = [g for g in self.groups if len(g) >= min_size and not exclude & set(g)]
        here = [g for g in groups if int(self.home[g[0]]) == auth]
        pool = here or groups
        return list(pool[int(self.rng.integers(len(pool)))])

    # -- planted exploitation ----------------------------------------------------------
    def _recruit(self, auth: int, n: int) -> list[int]:
        """``n`` young people of ``auth`` aged 12-17, half recruited through friends."""
        rng = self.rng
        chosen: list[int] = []
        candidates = [
            int(p)
            for p in self.by_auth[auth]
            if 12 <= self.ages[p] <= 17 and int(p) not in self.used
        ]
        while len(chosen) < n and candidates:
            friends = [
                f
                for c in chosen
                for f in self.adj.get(c, ())
                if f in candidates and f not in chosen
            ]
            if friends and rng.random() < 0.5:
                nxt = int(rng.choice(friends))
            else:
                nxt = int(rng.choice(candidates))
            chosen.append(nxt)
            candidates.remove(nxt)
        self.used.update(chosen)
        return chosen

    def _exploiters(self, auths: list[int], n: int) -> list[int]:
        pool = [
            int(p)
            for a in auths
            for p in self.by_auth[a]
            if self.ages[p] >= 16 and int(p) not in self.used
        ]
        chosen = [int(p) for p in self.rng.choice(pool, min(n, len(pool)), replace=False)]
        self.used.update(chosen)
        return chosen

    def trap_houses(self, n: int) -> list[PlantedTrapHouse]:
        rng = self.rng
        designs = ["hotel_cse", "flat_cce", "mixed", "quiet"]
        rng.shuffle(designs)
        hosts: list[int] = []
        out: list[PlantedTrapHouse] = []
        big = [a for a in range(len(self.codes)) if len(self.by_auth[a]) >= 15]
        for design in designs[:n]:
            spec = DESIGNS[design]
            host = int(rng.choice([a for a in big if a not in hosts] or big))
            hosts.append(host)
            kind = self.pick(spec["kind"])
            place = self.add_place(host, kind, 0.3)
            n_auth = int(rng.integers(2, 5))
            auths = [host]
            while len(auths) < n_auth:
                near = [a for a in self.neighbours[host] if a not in auths and a in big]
                far = [a for a in big if a not in auths]
                pool = near if near and rng.random() < 0.7 else far
                if not pool:
                    break
                auths.append(int(rng.choice(pool)))
            n_victims = max(
                int(rng.integers(spec["victims"][0], spec["victims"][1] + 1)), len(auths)
            )
            split = np.ones(len(auths), dtype=int) + rng.multinomial(
                n_victims - len(auths), np.ones(len(auths)) / len(auths)
            )
            victims: list[int] = []
            for auth, k in zip(auths, split, strict=True):
                victims += self._recruit(auth, int(k))
            exploiters = self._exploiters(
                auths[:2], 1 if design == "quiet" else int(rng.integers(1, 4))
            )
            start = int(rng.integers(0, 240))
            end = start + int(rng.integers(60, 151))
            base, extra = spec["records"]
            sources = {
                "police": 0.35,
                "social_care": 0.35,
                "health": 0.1,
                "young_person": 0.05,
                "voluntary_sector": 0.05,
                "other": 0.1,
            }
            for v in victims:
                for _ in range(base + int(rng.poisson(extra))):
                    self.sight(
                        v,
                        place,
                        self.pick(spec["contexts"]),
                        date=self.date(start, end),
                        source=self.pick(sources),
                        reliability=self.reliability(spec["reliability"]),
                    )
                if rng.random() < spec["tie_share"]:
                    self.tie(
                        int(rng.choice(exploiters)),
                        v,
                        "exploiter",
                        lo=start,
                        hi=end,
                        source=self.pick(("police", "social_care")),
                        reliability=self.reliability(spec["reliability"]),
                    )
                if rng.random() < 0.3:  # a missing episode recorded at home
                    self.sight(
                        v,
                        self._draw_place(int(self.home[v]), ("residential",)),
                        "missing_episode",
                        date=self.date(start, end),
                        source="social_care",
                    )
            for x in range(len(victims)):
                for y in range(x + 1, len(victims)):
                    if self.home[victims[x]] != self.home[victims[y]] and rng.random() < 0.08:
                        self.tie(
                            victims[x], victims[y], "associate", lo=start, hi=end, source="police"
                        )
            for e in exploiters:
                for _ in range(int(rng.integers(0, 3))):
                    self.sight(
                        e,
                        place,
                        self.pick({"gang_association": 0.6, "cce": 0.4}),
                        date=self.date(start, end),
                        source="police",
                        reliability=self.reliability((0.5, 0.4, 0.1, 0.0)),
                    )
            if len(exploiters) > 1:
                self.tie(exploiters[0], exploiters[1], "associate", source="police")
            if kind == "hotel":  # ordinary guests' records at the same hotel
                for _ in range(int(rng.integers(0, 4))):
                    self.sight(
                        int(rng.integers(self.n_people)),
                        place,
                        self.pick({"other": 0.7, "missing_episode": 0.3}),
                    )
            authorities = sorted(
                {self.codes[host]} | {self.codes[int(self.home[v])] for v in victims}
            )
            out.append(
                PlantedTrapHouse(
                    place_id=self.places[place]["place_id"],
                    kind=kind,
                    design=design,
                    authority=self.codes[host],
                    people=tuple(self.pid(v) for v in victims),
                    authorities=tuple(authorities),
                    exploiters=tuple(self.pid(e) for e in exploiters),
                )
            )
        return out

    def county_line(self) -> PlantedCountyLine | None:
        rng = self.rng
        n_auth = len(self.codes)
        big = [a for a in range(n_auth) if len(self.by_auth[a]) >= 10]
        origins = [
            a for a in big if any(b not in self.neighbours[a] and b != a for b in range(n_auth))
        ]
        if not origins:
            return None
        origin = int(rng.choice(origins))
        far = [b for b in range(n_auth) if b != origin and b not in self.neighbours[origin]]
        dist = self.dist_km[origin, far]
        dest = int(far[int(rng.choice(len(far), p=dist / dist.sum()))])
        group = [p for p in self._group_in(origin, exclude=self.used) if 13 <= self.ages[p] <= 17]
        runners = group[:6]
        if len(runners) < 3:
            runners += self._recruit(origin, 3 - len(runners))
        self.used.update(runners)
        exploiters = self._exploiters([origin], int(rng.integers(1, 3)))
        flat = self.add_place(dest, "residential", 0.3)
        hub = self._draw_place(origin, ("transport_hub",))
        start = int(rng.integers(0, 250))
        end = start + int(rng.integers(60, 121))
        for r in runners:
            for _ in range(3 + int(rng.poisson(2.0))):
                self.sight(
                    r,
                    flat,
                    self.pick({"cce": 0.55, "missing_episode": 0.35, "gang_association": 0.10}),
                    date=self.date(start, end),
                    source=self.pick({"police": 0.5, "social_care": 0.4, "other": 0.1}),
                    reliability=self.reliability((0.2, 0.35, 0.3, 0.15)),
                )
            for _ in range(int(rng.integers(1, 3))):
                self.sight(
                    r, hub, "missing_episode", date=self.date(start, end), source="social_care"
                )
            if rng.random() < 0.6:
                self.tie(
                    int(rng.choice(exploiters)), r, "exploiter", lo=start, hi=end, source="police"
                )
        for e in exploiters:
            if rng.random() < 0.5:
                self.sight(
                    e,
                    flat,
                    "cce",
                    date=self.date(start, end),
                    source="police",
                    reliability="reported",
                )
        return PlantedCountyLine(
            origin=self.codes[origin],
            destination=self.codes[dest],
            distance_km=round(float(self.dist_km[origin, dest]), 1),
            place_id=self.places[flat]["place_id"],
            people=tuple(self.pid(r) for r in runners),
            exploiters=tuple(self.pid(e) for e in exploiters),
            authorities=(self.codes[origin], self.codes[dest]),
        )


def _age_weights() -> np.ndarray:
    w = np.array([0.5, 0.7, 0.9, 1.0, 1.1, 1.2, 1.2, 1.1, 0.9])
    return w / w.sum()


def heldout_scenario(
    boundaries: gpd.GeoDataFrame,
    *,
    n_people: int = 2000,
    seed: int = 0,
    n_trap_houses: int | None = None,
) -> tuple[peermap.Dataset, HeldOutTruth]:
    """Build a held-out scenario on ``boundaries`` and read it with peermap.

    Returns the dataset (read with :func:`peermap.read_dataset` against the boundaries)
    and what was planted. ``n_trap_houses`` defaults to 2-4, drawn from the seed.
    """
    b = _Builder(boundaries, n_people, seed)
    b.population()
    b.venues()
    b.social()
    b.background()
    decoys = b.incidents()
    n_th = int(b.rng.integers(2, 5)) if n_trap_houses is None else n_trap_houses
    traps = b.trap_houses(n_th)
    line = b.county_line()
    tables = {
        "people": pd.DataFrame(b.people),
        "places": pd.DataFrame(b.places),
        # The same record drawn twice would be a duplicate row (an error): keep one.
        "ties": pd.DataFrame(b.ties).drop_duplicates(ignore_index=True),
        "sightings": pd.DataFrame(b.sightings).drop_duplicates(ignore_index=True),
        "relocations": pd.DataFrame(
            b.relocations,
            columns=["person_id", "from_authority", "to_authority", "date", "kind"],
        ),
    }
    ds = peermap.read_dataset(tables, boundaries=boundaries)
    truth = HeldOutTruth(
        trap_houses=tuple(traps),
        county_lines=(line,) if line is not None else (),
        decoys=tuple(decoys),
        seed=seed,
        parameters={"n_people": n_people, "n_trap_houses": n_th},
    )
    return ds, truth
