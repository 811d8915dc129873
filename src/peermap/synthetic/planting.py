"""Planting the truth: trap houses, county lines and decoy incidents.

:class:`Planter` picks young people and places for each planted context (and for each
decoy), adds their ties and sightings before the background ones, and returns the truth
record (:class:`~peermap.synthetic.TrapHouse`, :class:`~peermap.synthetic.CountyLine`,
:class:`~peermap.synthetic.Incident`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from peermap.exceptions import ArgumentError
from peermap.schema import CONTEXTS, RELIABILITIES, SOURCES, TIE_KINDS
from peermap.schema import PHYSICAL_PLACE_KINDS as PLACE_KINDS
from peermap.synthetic.constants import (
    COUNTY_LINE_CONTEXTS,
    COUNTY_LINE_KM,
    COUNTY_LINE_PEOPLE,
    COUNTY_LINE_VISITS,
    DECOY_BUSY_QUANTILE,
    DECOY_CYCLE,
    DECOY_FIGHT_AUTHORITIES,
    DECOY_FIGHT_CONTEXTS,
    DECOY_FIGHT_DAYS,
    DECOY_FIGHT_GAP_DAYS,
    DECOY_FIGHT_PEOPLE,
    DECOY_HUB_AUTHORITIES,
    DECOY_HUB_CONTEXTS,
    DECOY_HUB_PEOPLE,
    DECOY_HUB_WINDOW_DAYS,
    DECOY_PLACE_KINDS,
    DECOY_RELIABILITY,
    DECOY_SOURCES,
    DECOY_VISITS,
    LAST_SEEN_MEAN_DAYS,
    LAST_SEEN_SHARE,
    PLANTED_RELIABILITY,
    PLANTED_SOURCES,
    THIN_RELIABILITY,
    THIN_SHARE,
    TRAP_AUTHORITIES,
    TRAP_CONTEXTS,
    TRAP_PER_AUTHORITY,
    TRAP_REACH_KM,
    TRAP_VISITS,
    TRAP_WINDOW_DAYS,
)
from peermap.synthetic.population import People, Places, Sightings, Ties
from peermap.synthetic.region import Calendar, Region
from peermap.synthetic.sampling import BoolArray, IntArray, enum_draw
from peermap.synthetic.truth import CountyLine, Incident, TrapHouse

__all__: list[str] = []


def _planted_sightings(
    rng: np.random.Generator,
    out: Sightings,
    who: IntArray,
    place: int,
    per: IntArray,
    days: IntArray,
    contexts: Mapping[str, float],
    required: Sequence[str],
    reliability: Mapping[str, float],
    sources: Mapping[str, float] = PLANTED_SOURCES,
) -> tuple[str, ...]:
    """``per[i]`` sightings of ``who[i]`` at ``place``, on days drawn from ``days``.

    Contexts are drawn from ``contexts``, and every one of ``required`` appears (the
    first sightings take them in turn). Returns the contexts drawn, in schema order.
    """
    person = np.repeat(who, per)
    n = len(person)
    day = days[rng.integers(0, len(days), n)]
    ctx = enum_draw(rng, contexts, CONTEXTS, n)
    need = np.array([CONTEXTS.index(c) for c in required], dtype=np.int64)[:n]
    ctx[: len(need)] = need
    out.add(
        person=person,
        place=np.full(n, place, dtype=np.int64),
        day=day,
        context=ctx,
        source=enum_draw(rng, sources, SOURCES, n),
        reliability=enum_draw(rng, reliability, RELIABILITIES, n),
    )
    return tuple(CONTEXTS[i] for i in sorted(set(ctx.tolist())))


@dataclass
class Planter:
    """Plants trap houses, county lines and decoys into the shared ties and sightings."""

    rng: np.random.Generator
    region: Region
    people: People
    places: Places
    cal: Calendar
    ties: Ties
    sightings: Sightings
    used: BoolArray  # young people already in a planted context or a decoy

    def pick_people(self, authority: int, count: int) -> IntArray:
        """``count`` young people homed in ``authority`` not yet in a planted context."""
        starts = self.people.starts()
        pool = self.people.order[
            starts[authority] : starts[authority] + self.people.counts[authority]
        ]
        pool = pool[~self.used[pool]]
        if len(pool) < count:
            raise ArgumentError(
                f"too few young people in {self.region.codes[authority]} to plant the "
                "exploitation contexts: raise n_people, or lower n_trap_houses/n_county_lines"
            )
        chosen = np.sort(self.rng.choice(pool, size=count, replace=False)).astype(np.int64)
        self.used[chosen] = True
        return chosen

    def room(self) -> IntArray:
        """Young people not yet in a planted context or a decoy, per authority."""
        free = np.bincount(self.people.home[~self.used], minlength=self.region.k).astype(np.int64)
        return free

    def linked(self) -> BoolArray:
        """K x K: neighbours, or centroids within ``TRAP_REACH_KM``; False on the diagonal."""
        region = self.region
        out: BoolArray = region.neighbour | (region.dist_km <= TRAP_REACH_KM)
        np.fill_diagonal(out, False)
        return out

    def free_places(self, taken: set[int], kinds: Sequence[str]) -> BoolArray:
        """Places of ``kinds`` not yet taken by a planted context or a decoy."""
        ok: BoolArray = np.isin(self.places.kind, [PLACE_KINDS.index(c) for c in kinds])
        if taken:
            ok[np.array(sorted(taken), dtype=np.int64)] = False
        return ok

    def pick_place(self, authority: int, kinds: Sequence[str], taken: set[int]) -> int:
        """Pick a place in ``authority`` of the first of ``kinds`` it has (else any)."""
        in_auth = np.flatnonzero(self.places.authority == authority)
        in_auth = np.array([p for p in in_auth if p not in taken], dtype=np.int64)
        for kind in kinds:
            hits = in_auth[self.places.kind[in_auth] == PLACE_KINDS.index(kind)]
            if len(hits):
                return int(self.rng.choice(hits))
        if not len(in_auth):
            raise ArgumentError(
                f"no place left in {self.region.codes[authority]} for a planted context: "
                "raise n_places"
            )
        return int(self.rng.choice(in_auth))

    def window(self, length_range: tuple[int, int] = TRAP_WINDOW_DAYS) -> tuple[int, int]:
        """Draw a window of days (first and last offsets), its length in ``length_range``."""
        lo, hi = length_range
        length = min(int(self.rng.integers(lo, hi + 1)), self.cal.n_days)
        w0 = int(self.rng.integers(0, self.cal.n_days - length + 1))
        return w0, w0 + length - 1

    def reliability(self) -> Mapping[str, float]:
        """How well a planted context is documented: thinly with ``THIN_SHARE``."""
        return THIN_RELIABILITY if self.rng.random() < THIN_SHARE else PLANTED_RELIABILITY

    def add_ties(
        self,
        a: IntArray,
        b: IntArray,
        kind: str,
        window: tuple[int, int],
        reliability: Mapping[str, float],
        sources: Mapping[str, float] = PLANTED_SOURCES,
    ) -> None:
        """Ties first seen in ``window``; some with a ``last_seen``, like background ties."""
        n = len(a)
        first = self.rng.integers(window[0], window[1] + 1, n)
        span = np.round(self.rng.exponential(LAST_SEEN_MEAN_DAYS, n)).astype(np.int64)
        last = np.minimum(first + span, self.cal.n_days - 1)
        last = np.where(self.rng.random(n) < LAST_SEEN_SHARE, last, -1)
        self.ties.add(
            a,
            b,
            np.full(n, TIE_KINDS.index(kind), dtype=np.int64),
            first,
            last,
            enum_draw(self.rng, sources, SOURCES, n),
            enum_draw(self.rng, reliability, RELIABILITIES, n),
        )

    def exploit(
        self,
        exploiters: IntArray,
        victims: IntArray,
        window: tuple[int, int],
        reliability: Mapping[str, float],
    ) -> None:
        """Exploiter ties: the first exploiter to every victim, others to about half."""
        a_list: list[IntArray] = []
        b_list: list[IntArray] = []
        for i, e in enumerate(exploiters):
            who = victims if i == 0 else victims[self.rng.random(len(victims)) < 0.5]
            a_list.append(np.full(len(who), e, dtype=np.int64))
            b_list.append(who)
        self.add_ties(
            np.concatenate(a_list), np.concatenate(b_list), "exploiter", window, reliability
        )

    def set_ages(self, victims: IntArray, exploiters: IntArray) -> None:
        """Victims are 13-17, exploiters 17-18."""
        self.people.age[victims] = self.rng.integers(13, 18, len(victims))
        self.people.age[exploiters] = self.rng.integers(17, 19, len(exploiters))

    def visits(self, size: int, bounds: tuple[int, int]) -> IntArray:
        """Sightings per young person: 1 to a ceiling drawn in ``bounds``."""
        ceiling = int(self.rng.integers(bounds[0], bounds[1] + 1))
        out: IntArray = self.rng.integers(1, ceiling + 1, size).astype(np.int64)
        return out

    def trap_house(self, number: int, taken: set[int]) -> TrapHouse:
        """Plant a trap house drawing young people from three or more linked authorities."""
        rng, region = self.rng, self.region
        k = region.k
        n_auth = int(rng.integers(TRAP_AUTHORITIES[0], TRAP_AUTHORITIES[1] + 1))
        per_lo = TRAP_PER_AUTHORITY[0]
        # The place's authority: by weight, among those with enough people left and
        # with at least two linked authorities (neighbours or nearby) that have too.
        room = self.room()
        linked = self.linked() & (room >= per_lo)[None, :] & (region.weight > 0)[None, :]
        host_ok = (
            (room >= per_lo + 2)
            & (self.places.counts > 0)
            & (linked.sum(axis=1) >= TRAP_AUTHORITIES[0] - 1)
        )
        if not host_ok.any():
            raise ArgumentError(
                "too few young people to plant a trap house drawing on three authorities "
                f"that are neighbours or within {TRAP_REACH_KM:g} km of each other: raise "
                "n_people, or lower n_trap_houses"
            )
        p = region.weight * host_ok
        host = int(rng.choice(k, p=p / p.sum()))
        # Other home authorities by gravity from the host, among the linked ones.
        g = region.gravity[host] * linked[host]
        n_other = min(n_auth - 1, int((g > 0).sum()))
        others = rng.choice(k, size=n_other, replace=False, p=g / g.sum())
        homes = [host, *sorted(int(o) for o in others)]
        victims_l: list[IntArray] = []
        for a in homes:
            hi = min(TRAP_PER_AUTHORITY[1], int(room[a]) - (2 if a == host else 0))
            count = int(rng.integers(per_lo, max(hi, per_lo) + 1))
            victims_l.append(self.pick_people(a, count))
        victims = np.sort(np.concatenate(victims_l))
        exploiters = self.pick_people(host, int(rng.integers(1, 3)))
        self.set_ages(victims, exploiters)
        kinds = ("hotel", "residential") if number % 2 == 0 else ("residential", "hotel")
        place = self.pick_place(host, kinds, taken)
        taken.add(place)
        w0, w1 = self.window()
        days = np.arange(w0, w1 + 1, dtype=np.int64)
        rel = self.reliability()
        required = ("cse", "cce")
        seen = _planted_sightings(
            rng,
            self.sightings,
            victims,
            place,
            self.visits(len(victims), TRAP_VISITS),
            days,
            TRAP_CONTEXTS,
            required,
            rel,
        )
        seen += _planted_sightings(
            rng,
            self.sightings,
            exploiters,
            place,
            self.visits(len(exploiters), TRAP_VISITS),
            days,
            TRAP_CONTEXTS,
            required,
            rel,
        )
        self.exploit(exploiters, victims, (w0, w1), rel)
        # The young people drawn in come to know each other: a chain of associate ties.
        chain = rng.permutation(victims)
        self.add_ties(chain[:-1], chain[1:], "associate", (w0, w1), rel)
        return TrapHouse(
            place_id=str(self.places.ids[place]),
            kind=PLACE_KINDS[int(self.places.kind[place])],
            authority=str(region.codes[host]),
            people=tuple(str(v) for v in self.people.ids[victims]),
            authorities=tuple(sorted({str(region.codes[a]) for a in homes})),
            exploiters=tuple(str(v) for v in self.people.ids[np.sort(exploiters)]),
            contexts=_schema_order(seen),
            first_date=self.cal.day(w0),
            last_date=self.cal.day(w1),
        )

    def county_line(self, taken: set[int]) -> CountyLine:
        """Plant a county-lines link from one authority to a distant non-neighbour."""
        rng, region = self.rng, self.region
        k = region.k
        lo = COUNTY_LINE_PEOPLE[0] + 1
        near_km, far_km = COUNTY_LINE_KM
        room = self.room()
        far = (
            ~region.neighbour
            & ~np.eye(k, dtype=bool)
            & (region.dist_km <= far_km)
            & (self.places.counts > 0)[None, :]
        )
        origin_ok = (room >= lo) & far.any(axis=1)
        if not origin_ok.any():
            raise ArgumentError(
                "cannot plant a county line: it needs an authority with enough young people "
                f"and another authority that is not its neighbour, within {far_km:g} km, with "
                "a place (set n_county_lines=0)"
            )
        p = region.weight * origin_ok
        origin = int(rng.choice(k, p=p / p.sum()))
        # Destination: a non-neighbour 40-250 km away, by weight; where there is none,
        # the farther half of the non-neighbours within 250 km.
        cand = np.flatnonzero(far[origin])
        d = region.dist_km[origin, cand]
        band = cand[d >= near_km]
        cand = band if len(band) else cand[d >= np.median(d)]
        q = region.weight[cand] + 1e-12
        dest = int(rng.choice(cand, p=q / q.sum()))
        n_people = int(rng.integers(COUNTY_LINE_PEOPLE[0], COUNTY_LINE_PEOPLE[1] + 1))
        n_people = min(n_people, int(room[origin]) - 1)
        victims = self.pick_people(origin, n_people)
        exploiters = self.pick_people(origin, 1)
        self.set_ages(victims, exploiters)
        place = self.pick_place(dest, ("residential", "transport_hub"), taken)
        taken.add(place)
        w0, w1 = self.window()
        rel = self.reliability()
        everyone = np.concatenate([victims, exploiters])
        seen = _planted_sightings(
            rng,
            self.sightings,
            everyone,
            place,
            rng.integers(COUNTY_LINE_VISITS[0], COUNTY_LINE_VISITS[1] + 1, len(everyone)),
            np.arange(w0, w1 + 1, dtype=np.int64),
            COUNTY_LINE_CONTEXTS,
            ("cce",),
            rel,
        )
        self.exploit(exploiters, victims, (w0, w1), rel)
        return CountyLine(
            origin=str(region.codes[origin]),
            destination=str(region.codes[dest]),
            distance_km=round(float(region.dist_km[origin, dest]), 1),
            people=tuple(str(v) for v in self.people.ids[victims]),
            exploiters=tuple(str(v) for v in self.people.ids[exploiters]),
            place_id=str(self.places.ids[place]),
            contexts=seen,
            first_date=self.cal.day(w0),
            last_date=self.cal.day(w1),
        )

    def decoy(self, number: int, taken: set[int]) -> Incident:
        """Plant a genuine serious incident at a busy ordinary venue (not a trap house)."""
        rng, region, places = self.rng, self.region, self.places
        k = region.k
        kind = DECOY_CYCLE[number % len(DECOY_CYCLE)]
        fight = kind == "fight"
        room = self.room()
        venue_kinds: Sequence[str] = DECOY_PLACE_KINDS if fight else ("transport_hub",)
        venue = self.free_places(taken, venue_kinds)
        venue &= (room >= 2)[places.authority]
        if not fight and not venue.any():  # no hub left: any busy kind of venue
            venue = self.free_places(taken, DECOY_PLACE_KINDS) & (room >= 2)[places.authority]
        if not venue.any():
            raise ArgumentError(
                "too few young people or places left to plant the decoy incidents: raise "
                "n_people or n_places, or lower n_decoys"
            )
        # The venue: a busy one. Expected footfall is the young people homed in the
        # authority times the place's share of the authority's pull; the venue is drawn
        # by it among the free venues at or above its DECOY_BUSY_QUANTILE over all places.
        pull = places.pull()
        share = pull / np.bincount(places.authority, weights=pull, minlength=k)[places.authority]
        footfall = self.people.counts[places.authority] * share
        busy = venue & (footfall >= np.quantile(footfall, DECOY_BUSY_QUANTILE))
        cand = np.flatnonzero(busy if busy.any() else venue)
        place = int(rng.choice(cand, p=footfall[cand] / footfall[cand].sum()))
        host = int(places.authority[place])
        taken.add(place)
        # Home authorities: the host and the nearest linked ones, by gravity.
        people_range = DECOY_FIGHT_PEOPLE if fight else DECOY_HUB_PEOPLE
        auth_range = DECOY_FIGHT_AUTHORITIES if fight else DECOY_HUB_AUTHORITIES
        n_auth = int(rng.integers(auth_range[0], auth_range[1] + 1))
        g = region.gravity[host] * self.linked()[host] * (room >= 1)
        n_other = min(n_auth - 1, int((g > 0).sum()))
        others = (
            rng.choice(k, size=n_other, replace=False, p=g / g.sum())
            if n_other
            else np.zeros(0, dtype=np.int64)
        )
        homes = np.array([host, *sorted(int(o) for o in others)], dtype=np.int64)
        n_people = max(int(rng.integers(people_range[0], people_range[1] + 1)), len(homes))
        counts = 1 + rng.multinomial(n_people - len(homes), np.full(len(homes), 1 / len(homes)))
        counts = np.minimum(counts, room[homes])  # at least two in all: the host has two
        sides = [self.pick_people(int(a), int(c)) for a, c in zip(homes, counts, strict=True)]
        who = np.sort(np.concatenate(sides))
        required: tuple[str, ...]
        if fight:
            d0 = int(rng.integers(0, self.cal.n_days))
            n_days = int(rng.integers(DECOY_FIGHT_DAYS[0], DECOY_FIGHT_DAYS[1] + 1))
            later = min(d0 + int(rng.integers(1, DECOY_FIGHT_GAP_DAYS + 1)), self.cal.n_days - 1)
            days = np.unique(np.array([d0, later][:n_days], dtype=np.int64))
            contexts, required = DECOY_FIGHT_CONTEXTS, ("serious_youth_violence",)
        else:
            w0, w1 = self.window((DECOY_HUB_WINDOW_DAYS, DECOY_HUB_WINDOW_DAYS))
            days = np.arange(w0, w1 + 1, dtype=np.int64)
            contexts, required = DECOY_HUB_CONTEXTS, ("cse", "cce")
        seen = _planted_sightings(
            rng,
            self.sightings,
            who,
            place,
            rng.integers(DECOY_VISITS[0], DECOY_VISITS[1] + 1, len(who)),
            days,
            contexts,
            required,
            DECOY_RELIABILITY,
            DECOY_SOURCES,
        )
        if fight:  # each side of a fight is known to be together: associate ties
            for side in sides:
                if len(side) >= 2:
                    chain = rng.permutation(side)
                    self.add_ties(
                        chain[:-1],
                        chain[1:],
                        "associate",
                        (int(days[0]), int(days[0])),
                        DECOY_RELIABILITY,
                        DECOY_SOURCES,
                    )
        return Incident(
            place_id=str(places.ids[place]),
            place_kind=PLACE_KINDS[int(places.kind[place])],
            kind=kind,
            authority=str(region.codes[host]),
            people=tuple(str(v) for v in self.people.ids[who]),
            authorities=tuple(sorted({str(region.codes[int(a)]) for a in homes})),
            contexts=seen,
            first_date=self.cal.day(int(days.min())),
            last_date=self.cal.day(int(days.max())),
        )


def _schema_order(contexts: Sequence[str]) -> tuple[str, ...]:
    """Distinct ``contexts`` in the order of ``peermap.schema.CONTEXTS``."""
    return tuple(c for c in CONTEXTS if c in set(contexts))
