"""Held-out world E: a partnership's pooled records, written blind to the ranking.

What the author read (and nothing else of peermap): /work/shared/domain-notes.md;
docs/schema.md, docs/exchange-format.md (opening), docs/getting-started.md,
docs/geography.md, docs/validation.md, docs/privacy.md (the identifier rules and the
pseudonym format), the interface section of docs/synthetic.md; src/peermap/__init__.py,
src/peermap/dataset.py, the table specs in src/peermap/schema.py and the opening of
src/peermap/privacy/pseudonyms.py; benchmarks/_regions.py; and of
benchmarks/_heldout_d.py only its truth dataclasses (now shared, ``_truth.py``), its entry point's
signature and its last 60 lines. Not read: the ranking, the analysis package, the
kernels, the synthetic generator, the other held-out worlds, the ranking docs. Nothing
here was tuned on what ``peermap.contexts``/``peermap.hotspots`` return.

The world
---------
One financial year (1 April 2025 to 31 March 2026) of records pooled by a partnership of
every authority in ``boundaries``: each authority is a partner with its own export
habits (codes or names for authorities, ISO or UK dates, sometimes a time of day,
British National Grid or longitude/latitude or both, upper/title/lower case for listed
values, how it grades reliability, whether it fills ``looked_after``) and its own volume
(some partners send a fraction of what they hold). Identifiers are peermap-shaped keyed
pseudonyms (``pm`` + 16 base32 characters) for young people and places alike.

Ordinary life: young people aged 10-18 (plus about 1.5% young adults: care leavers,
older partners, the exploiters) with a home authority weighted by a noisy area power;
schools (a minority cross the border), town centres with fast food, shopping centres,
transport hubs, parks, youth venues, hotels and "other" venues (barbers, stairwells,
car parks) of heavy-tailed popularity; homes only where something was recorded at one;
siblings sharing a home; looked-after children (children's homes pooling residents
from several authorities, semi-independent units, foster homes), about 45% of them
placed out of their authority, some keeping their old school; housing, family,
education and secure moves; school group chats online. Most young people have one to
four low-grade records; a tenth have a dozen or more; a handful (persistent missing
children, prolific offenders) have 60-180. Background records carry every context,
CSE and CCE included (disclosures made at schools and youth clubs are recorded there);
one-to-one grooming concerns (an ``exploiter`` tie from an older young person or
young adult to one child, mostly unverified, a third with a CSE or CCE record or two at
the older one's home or a local takeaway or park); street groups with group-member
ties and gang-association records at their patch; partners and ex-partners, some
older than the child. Recording quirks: missing episodes recorded by police and again by
social care days later; the same child under two pseudonyms when one agency's system
did not link (about 0.6% of the people table, those records moved to the alias);
hotels some partners record as ``other`` (aparthotels); ties first recorded before the
year; authority names instead of codes.

Trap-house hubs (two or three on small worlds, three or four on larger; designs drawn
without replacement from four, each possibly "thin"):

- ``cuckooed_flat``: a vulnerable adult's flat on an estate (``residential``) taken over
  for months; four to seven mostly male 13-17 year-olds from the host and its
  neighbours (one looked-after child placed into the host when there is one), two or
  three exploiters (young adults and an older peer) seen rarely. Records on visit days:
  police welfare checks and stops (CCE, gang association, found while missing), return
  interviews by social care, youth service notes; exploiter and associate ties; missing
  episodes at the victims' homes; stops at a nearby takeaway with an exploiter. One
  victim may be moved away mid-period and keeps returning.
- ``hotel_rooms``: an ordinary hotel of the host (with its ordinary records) used on
  Friday and Saturday nights; seven to twelve mostly female 13-17 year-olds from three to
  five authorities, looked-after children placed out of area among them; each recorded
  only once to three times there (welfare checks, hotel staff calls recorded as
  ``other``, health and voluntary sector notes) with missing episodes at home the same
  night; older "boyfriends" recorded as ``partner`` ties (unverified or reported) as much
  as ``exploiter`` ties; a peer recruiter; a Snapchat group with image sharing.
- ``raided_flat``: a short-lived, under-recorded address (``residential`` or ``other``):
  three to five boys, some from authorities far away, seen there once or twice in soft
  intelligence (youth service, voluntary sector, young people's own accounts: unverified
  or reported) until either a police warrant (one day: two to four of them and an adult
  recorded as confirmed CCE, exploiter ties first recorded that day, a strategy meeting
  the next) or, without a raid, two police finds of missing children there.
- ``takeaway_flat``: a flat above a takeaway: police record the flat, everybody else
  records the takeaway (a busy venue with its own background) twelve to twenty-five
  metres away, so the evidence is split across two place ids; five to eight younger
  recruits (12-16); a stabbing at the takeaway. The truth's place is the flat; the
  takeaway is in ``parameters["hub_duplicate_place"]``.

County line (when a pair of non-neighbouring authorities 40-250 km apart exists; none
does in the 30 km demo region): a line holder and one or two middle-men in an urban
origin, three to six runners from the origin (and its neighbours), one to three local
recruits in the destination; the destination address (a cuckooed flat) is the place.
Trips leave missing episodes at the runners' homes, stops at the destination's
transport hub, police records at the address, return interviews at home; exploiter
ties from the holder; one runner relocated late.

Decoys (four on small worlds, five on larger; genuine harm, not exploitation):
``fight`` (serious youth violence at the busiest hub or takeaway of an authority, two
groups from two or three authorities, A&E records, retaliation in a park),
``bullying`` (a school cluster over a term, with its group chat),
``missing_from_care`` (a children's home whose residents, placed from other authorities,
go missing again and again all year, with a few unverified CSE concerns),
``party_assault`` (a house party: harmful sexual behaviour, violence, images shared),
``gang_feud`` (two street groups from neighbouring authorities fighting over months at a
park).

Sizes: the people table has exactly ``n_people`` rows; about 4 sightings and 2 ties per
row (a quarter of the people appear in ties only; median 2 sightings, 99th percentile
about 30, a few up to 190); places about a tenth of ``n_people`` plus the homes where
something was recorded (about 45% of places at 10,000 people). Nearly all the time at
50,000 people is ``peermap.read_dataset`` (its identifier scan of the pseudonym columns).
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
from pyproj import Transformer

import peermap

START = date(2025, 4, 1)
END = date(2026, 3, 31)
N_DAYS = (END - START).days + 1
EARLIEST = -540  # ties and placements may be first recorded up to 18 months earlier
NEVER = 10**6

CONTEXTS = (
    "cse",
    "cce",
    "teenage_relationship_abuse",
    "serious_youth_violence",
    "bullying",
    "harmful_sexual_behaviour",
    "missing_episode",
    "gang_association",
    "image_sharing",
    "online_harassment",
    "other",
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
RELIABILITY = ("unverified", "reported", "corroborated", "confirmed")
KINDS = (
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
TIE_KINDS = ("friend", "partner", "ex_partner", "sibling", "associate", "group_member", "exploiter")
RELOC_KINDS = ("care_placement", "housing", "education", "secure", "family", "other")
PLATFORMS = ("snapchat", "instagram", "whatsapp", "tiktok", "telegram", "gaming", "other")

CX = {c: i for i, c in enumerate(CONTEXTS)}
SX = {s: i for i, s in enumerate(SOURCES)}
KX = {k: i for i, k in enumerate(KINDS)}
TX = {k: i for i, k in enumerate(TIE_KINDS)}
RX = {k: i for i, k in enumerate(RELOC_KINDS)}

VENUE_KINDS = (
    "school",
    "fast_food",
    "park",
    "transport_hub",
    "shopping_centre",
    "youth_venue",
    "hotel",
    "other",
)
VENUE_SHARE = {
    "school": 0.14,
    "fast_food": 0.2,
    "park": 0.14,
    "transport_hub": 0.08,
    "shopping_centre": 0.05,
    "youth_venue": 0.09,
    "hotel": 0.06,
    "other": 0.24,
}
VENUE_MIN = {
    "school": 2,
    "fast_food": 2,
    "park": 1,
    "transport_hub": 1,
    "shopping_centre": 0,
    "youth_venue": 1,
    "hotel": 1,
    "other": 1,
}
VENUE_POP = {
    "school": 1.0,
    "fast_food": 1.0,
    "park": 1.0,
    "transport_hub": 2.5,
    "shopping_centre": 2.0,
    "youth_venue": 0.8,
    "hotel": 0.35,
    "other": 0.6,
}
PERSONAL_KINDS = (
    "fast_food",
    "park",
    "transport_hub",
    "shopping_centre",
    "youth_venue",
    "hotel",
    "other",
)
LABELS = {
    "school": ("secondary school", "academy", "high school", "college", "pupil referral unit"),
    "fast_food": ("chicken shop", "takeaway", "burger bar", "kebab shop", "pizza takeaway"),
    "park": ("park", "rec ground", "playing fields", "skate park", "common"),
    "transport_hub": ("bus station", "train station", "tube station", "interchange"),
    "shopping_centre": ("shopping centre", "retail park", "precinct"),
    "youth_venue": ("youth club", "youth centre", "boxing gym", "sports centre"),
    "hotel": ("hotel", "budget hotel", "b&b", "travel inn"),
    "other": (
        "barbers",
        "corner shop",
        "stairwell",
        "garages",
        "car park",
        "vape shop",
        "flat above shop",
        "short-let flat",
    ),
}

PROFILES = ("school", "street", "missing", "relationship", "mixed")


def _vec(probs: dict[str, float], universe: tuple[str, ...]) -> np.ndarray:
    v = np.array([probs.get(u, 0.0) for u in universe], dtype=float)
    return v / v.sum()


PROFILE_CTX = np.stack(
    [
        _vec(
            {
                "bullying": 0.3,
                "other": 0.25,
                "online_harassment": 0.12,
                "image_sharing": 0.07,
                "harmful_sexual_behaviour": 0.06,
                "teenage_relationship_abuse": 0.05,
                "serious_youth_violence": 0.06,
                "missing_episode": 0.03,
                "cse": 0.02,
                "cce": 0.02,
                "gang_association": 0.02,
            },
            CONTEXTS,
        ),
        _vec(
            {
                "serious_youth_violence": 0.28,
                "gang_association": 0.2,
                "other": 0.16,
                "cce": 0.1,
                "missing_episode": 0.08,
                "bullying": 0.05,
                "cse": 0.02,
                "teenage_relationship_abuse": 0.03,
                "harmful_sexual_behaviour": 0.03,
                "online_harassment": 0.03,
                "image_sharing": 0.02,
            },
            CONTEXTS,
        ),
        _vec(
            {
                "missing_episode": 0.45,
                "other": 0.15,
                "cse": 0.1,
                "cce": 0.07,
                "teenage_relationship_abuse": 0.05,
                "serious_youth_violence": 0.05,
                "bullying": 0.04,
                "image_sharing": 0.03,
                "gang_association": 0.03,
                "harmful_sexual_behaviour": 0.01,
                "online_harassment": 0.02,
            },
            CONTEXTS,
        ),
        _vec(
            {
                "teenage_relationship_abuse": 0.3,
                "image_sharing": 0.15,
                "other": 0.15,
                "cse": 0.1,
                "online_harassment": 0.08,
                "harmful_sexual_behaviour": 0.07,
                "bullying": 0.06,
                "missing_episode": 0.05,
                "serious_youth_violence": 0.04,
            },
            CONTEXTS,
        ),
        _vec(dict.fromkeys(CONTEXTS, 1.0), CONTEXTS),
    ]
)

CTX_KIND = np.stack(
    [
        _vec(p, KINDS)
        for p in (
            # cse
            {
                "residential": 0.25,
                "hotel": 0.07,
                "park": 0.12,
                "fast_food": 0.12,
                "transport_hub": 0.1,
                "shopping_centre": 0.1,
                "school": 0.1,
                "youth_venue": 0.06,
                "online": 0.08,
            },
            # cce
            {
                "transport_hub": 0.2,
                "park": 0.2,
                "fast_food": 0.15,
                "residential": 0.15,
                "other": 0.12,
                "shopping_centre": 0.08,
                "school": 0.05,
                "youth_venue": 0.05,
            },
            # teenage relationship abuse
            {
                "residential": 0.35,
                "school": 0.25,
                "park": 0.12,
                "fast_food": 0.08,
                "shopping_centre": 0.05,
                "online": 0.15,
            },
            # serious youth violence
            {
                "park": 0.25,
                "fast_food": 0.2,
                "transport_hub": 0.2,
                "shopping_centre": 0.1,
                "school": 0.1,
                "other": 0.1,
                "residential": 0.05,
            },
            # bullying
            {"school": 0.7, "youth_venue": 0.08, "park": 0.08, "online": 0.1, "fast_food": 0.04},
            # harmful sexual behaviour
            {"school": 0.5, "park": 0.15, "residential": 0.2, "youth_venue": 0.1, "online": 0.05},
            # missing episode
            {
                "residential": 0.5,
                "transport_hub": 0.18,
                "fast_food": 0.07,
                "park": 0.07,
                "hotel": 0.03,
                "shopping_centre": 0.08,
                "other": 0.07,
            },
            # gang association
            {
                "park": 0.3,
                "residential": 0.12,
                "fast_food": 0.15,
                "transport_hub": 0.1,
                "other": 0.18,
                "youth_venue": 0.1,
                "shopping_centre": 0.05,
            },
            # image sharing
            {"online": 0.55, "school": 0.35, "residential": 0.1},
            # online harassment
            {"online": 0.6, "school": 0.35, "other": 0.05},
            # other
            {
                "school": 0.3,
                "residential": 0.2,
                "youth_venue": 0.15,
                "park": 0.1,
                "fast_food": 0.1,
                "transport_hub": 0.05,
                "shopping_centre": 0.05,
                "other": 0.05,
            },
        )
    ]
)

SRC_BY_CTX = np.array(
    [
        [0.2, 0.35, 0.07, 0.15, 0.08, 0.08, 0.04, 0.03],  # cse
        [0.45, 0.25, 0.05, 0.03, 0.1, 0.07, 0.03, 0.02],  # cce
        [0.25, 0.3, 0.2, 0.1, 0.05, 0.05, 0.03, 0.02],  # tra
        [0.6, 0.07, 0.07, 0.15, 0.06, 0.02, 0.01, 0.02],  # syv
        [0.03, 0.05, 0.75, 0.02, 0.08, 0.02, 0.04, 0.01],  # bullying
        [0.25, 0.3, 0.3, 0.08, 0.03, 0.02, 0.01, 0.01],  # hsb
        [0.5, 0.4, 0.02, 0.02, 0.01, 0.02, 0.0, 0.03],  # missing
        [0.62, 0.12, 0.05, 0.01, 0.12, 0.04, 0.01, 0.03],  # gang
        [0.3, 0.15, 0.4, 0.02, 0.03, 0.03, 0.05, 0.02],  # image sharing
        [0.15, 0.1, 0.6, 0.01, 0.05, 0.03, 0.05, 0.01],  # online harassment
        [0.15, 0.3, 0.25, 0.08, 0.1, 0.05, 0.02, 0.05],  # other
    ]
)
SRC_KIND_OVERRIDE = {
    KX["school"]: (0.7, np.array([0.06, 0.1, 0.72, 0.04, 0.04, 0.01, 0.02, 0.01])),
    KX["online"]: (0.7, np.array([0.25, 0.12, 0.4, 0.01, 0.05, 0.05, 0.1, 0.02])),
    KX["youth_venue"]: (0.7, np.array([0.08, 0.07, 0.02, 0.03, 0.65, 0.1, 0.04, 0.01])),
    KX["hotel"]: (0.5, np.array([0.55, 0.2, 0.0, 0.05, 0.02, 0.05, 0.0, 0.13])),
}
REL_BY_SRC = np.array(
    [
        [0.15, 0.45, 0.32, 0.08],  # police
        [0.2, 0.5, 0.25, 0.05],  # social care
        [0.25, 0.55, 0.17, 0.03],  # school
        [0.15, 0.5, 0.3, 0.05],  # health
        [0.45, 0.45, 0.08, 0.02],  # youth service
        [0.45, 0.45, 0.08, 0.02],  # voluntary sector
        [0.6, 0.35, 0.05, 0.0],  # young person
        [0.5, 0.4, 0.08, 0.02],  # other
    ]
)

DESIGNS = ("cuckooed_flat", "hotel_rooms", "raided_flat", "takeaway_flat")
DECOY_KINDS = ("fight", "bullying", "missing_from_care", "party_assault", "gang_feud")


# -- truth ---------------------------------------------------------------------------------


HeldOutETruth = HeldOutTruth


# -- helpers -------------------------------------------------------------------------------


def _maybe(mask: np.ndarray, text: str) -> np.ndarray:
    """``text`` where ``mask``, else missing, as an object array."""
    out = np.full(len(mask), np.nan, dtype=object)
    out[np.asarray(mask, dtype=bool)] = text
    return out


def _draw_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category per row of ``probs`` (rows sum to one)."""
    if len(probs) == 0:
        return np.zeros(0, dtype=np.int64)
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cum[:, -1]
    return np.minimum((u[:, None] > cum).sum(axis=1), probs.shape[1] - 1)


def _draw(rng: np.random.Generator, probs: dict[str, float], universe: tuple[str, ...], n: int):
    return rng.choice(len(universe), size=n, p=_vec(probs, universe))


def _reflect(d: np.ndarray, lo: int, hi: int) -> np.ndarray:
    d = np.where(d < lo, 2 * lo - d, d)
    d = np.where(d > hi, 2 * hi - d, d)
    return np.clip(d, lo, hi).astype(np.int64)


_B32 = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype=np.uint8)


def _pseudonyms(rng: np.random.Generator, n: int, taken: set[str]) -> np.ndarray:
    """``n`` distinct pseudonyms shaped like peermap's (``pm`` + 16 base32 characters)."""
    out: list[str] = []
    while len(out) < n:
        m = n - len(out)
        chars = _B32[rng.integers(0, 32, size=(m, 16))]
        for row in chars.view("S16").ravel():
            text = "pm" + row.decode("ascii")
            if text not in taken:
                taken.add(text)
                out.append(text)
    return np.array(out, dtype=object)


def _school_days() -> np.ndarray:
    """Nearest term-time weekday to each day of the window (England's usual holidays)."""
    holidays = [
        (date(2025, 4, 7), date(2025, 4, 21)),
        (date(2025, 5, 26), date(2025, 5, 30)),
        (date(2025, 7, 23), date(2025, 9, 2)),
        (date(2025, 10, 27), date(2025, 10, 31)),
        (date(2025, 12, 22), date(2026, 1, 2)),
        (date(2026, 2, 16), date(2026, 2, 20)),
    ]
    ok = np.zeros(N_DAYS, dtype=bool)
    for i in range(N_DAYS):
        d = START + timedelta(days=i)
        ok[i] = d.weekday() < 5 and not any(a <= d <= b for a, b in holidays)
    good = np.flatnonzero(ok)
    idx = np.searchsorted(good, np.arange(N_DAYS))
    lo = good[np.clip(idx - 1, 0, len(good) - 1)]
    hi = good[np.clip(idx, 0, len(good) - 1)]
    days = np.arange(N_DAYS)
    return np.where(np.abs(days - lo) <= np.abs(hi - days), lo, hi)


WEEKDAY = np.array([(START + timedelta(days=i)).weekday() for i in range(N_DAYS)])


class _Records:
    """Columns of integer-coded rows, gathered in chunks."""

    def __init__(self, *cols: str) -> None:
        self.cols = cols
        self.parts: dict[str, list[np.ndarray]] = {c: [] for c in cols}

    def add(self, **values: Any) -> None:
        arrs = np.broadcast_arrays(*(np.asarray(values[c]) for c in self.cols))
        for c, a in zip(self.cols, arrs, strict=True):
            self.parts[c].append(np.array(a, dtype=np.int64).ravel())

    def frame(self) -> dict[str, np.ndarray]:
        return {
            c: (np.concatenate(p) if p else np.zeros(0, dtype=np.int64))
            for c, p in self.parts.items()
        }


# -- the world -----------------------------------------------------------------------------


class _World:
    def __init__(self, boundaries: gpd.GeoDataFrame, n_people: int, seed: int) -> None:
        if n_people < 300:
            raise ValueError("world E needs at least 300 people")
        self.rng = np.random.default_rng(seed)
        self.n = int(n_people)
        self.seed = seed
        self.school_day = _school_days()
        self._region(boundaries)
        self.bg = _Records("p", "pl", "d", "c", "s", "r")
        self.pl_rec = _Records("p", "pl", "d", "c", "s", "r")
        self.ties = _Records("a", "b", "k", "f", "l", "s", "r")
        # places, gathered as lists and frozen into arrays by _freeze_places
        self.p_kind: list[int] = []
        self.p_x: list[float] = []
        self.p_y: list[float] = []
        self.p_auth: list[int] = []
        self.p_label: list[Any] = []
        self.p_platform: list[int] = []
        self.p_force: list[bool] = []

    # -- region ------------------------------------------------------------------------

    def _region(self, boundaries: gpd.GeoDataFrame) -> None:
        rng = self.rng
        b = boundaries
        if b.crs is None or b.crs.to_epsg() != 27700:
            b = b.to_crs(27700)
        b = b.reset_index(drop=True)
        self.codes = b["code"].astype(str).to_numpy()
        self.names = b["name"].astype(str).to_numpy()
        self.A = len(b)
        geoms = np.asarray(b.geometry.to_numpy())
        inner = shapely.buffer(geoms, -40.0)
        ok = shapely.area(inner) > 0.25 * shapely.area(geoms)
        self.inner = np.where(ok, inner, geoms)
        shapely.prepare(self.inner)
        self.area_km2 = shapely.area(geoms) / 1e6
        graph = peermap.authority_graph(b)
        pos = {c: i for i, c in enumerate(self.codes)}
        cen = np.array([graph.nodes[c]["centroid_bng"] for c in self.codes], dtype=float)
        self.cen = cen
        self.adj = np.zeros((self.A, self.A), dtype=bool)
        for u, v in graph.edges():
            self.adj[pos[u], pos[v]] = self.adj[pos[v], pos[u]] = True
        self.deg = self.adj.sum(axis=1)
        maxdeg = max(1, int(self.deg.max()))
        self.nb = np.full((self.A, maxdeg), -1, dtype=np.int64)
        for a in range(self.A):
            nbrs = np.flatnonzero(self.adj[a])
            self.nb[a, : len(nbrs)] = nbrs
        dx = cen[:, None, 0] - cen[None, :, 0]
        dy = cen[:, None, 1] - cen[None, :, 1]
        self.dist_km = np.hypot(dx, dy) / 1000.0
        w = self.area_km2**0.2 * rng.lognormal(0.0, 0.35, self.A)
        self.w = w / w.sum()
        # town centres: one to three per authority
        self.centres: list[np.ndarray] = []
        for a in range(self.A):
            k = 1 + int(rng.integers(0, 3)) if self.area_km2[a] > 15 else 1
            x, y = self._points_in(a, k)
            self.centres.append(np.column_stack([x, y]))
        self.span_km = float(self.dist_km.max())

    def _points_in(self, a: int, k: int, around: tuple | None = None) -> tuple:
        rng = self.rng
        geom = self.inner[a]
        minx, miny, maxx, maxy = shapely.bounds(geom)
        xs = np.empty(k)
        ys = np.empty(k)
        pending = np.arange(k)
        for attempt in range(200):
            m = len(pending)
            if m == 0:
                break
            if around is not None and attempt < 30:
                px = around[0][pending] + rng.normal(0.0, 1.0, m) * around[2][pending]
                py = around[1][pending] + rng.normal(0.0, 1.0, m) * around[2][pending]
            else:
                px = rng.uniform(minx, maxx, m)
                py = rng.uniform(miny, maxy, m)
            ok = shapely.contains_xy(geom, px, py)
            xs[pending[ok]] = px[ok]
            ys[pending[ok]] = py[ok]
            pending = pending[~ok]
        if len(pending):
            rp = shapely.point_on_surface(geom)
            xs[pending], ys[pending] = rp.x, rp.y
        return xs, ys

    def points(self, auth: np.ndarray, spread: float | None) -> tuple[np.ndarray, np.ndarray]:
        """A point inside ``auth[i]`` for each i: around a town centre, or uniform."""
        rng = self.rng
        auth = np.asarray(auth, dtype=np.int64)
        x = np.empty(len(auth))
        y = np.empty(len(auth))
        for a in np.unique(auth):
            idx = np.flatnonzero(auth == a)
            around = None
            if spread is not None:
                cs = self.centres[a][rng.integers(0, len(self.centres[a]), len(idx))]
                sd = np.full(len(idx), spread * np.sqrt(self.area_km2[a]) * 1000.0)
                around = (cs[:, 0], cs[:, 1], sd)
            x[idx], y[idx] = self._points_in(int(a), len(idx), around)
        return x, y

    def random_neighbour(self, auth: np.ndarray) -> np.ndarray:
        auth = np.asarray(auth, dtype=np.int64)
        deg = self.deg[auth]
        j = np.floor(self.rng.random(len(auth)) * np.maximum(deg, 1)).astype(np.int64)
        out = self.nb[auth, j]
        return np.where(deg > 0, out, auth)

    def target_auth(self, auth: np.ndarray, p_home: float, p_nb: float) -> np.ndarray:
        """Home authority, a neighbour, or anywhere (by weight)."""
        rng = self.rng
        auth = np.asarray(auth, dtype=np.int64)
        u = rng.random(len(auth))
        out = auth.copy()
        nbm = (u >= p_home) & (u < p_home + p_nb)
        out[nbm] = self.random_neighbour(auth[nbm])
        far = u >= p_home + p_nb
        out[far] = rng.choice(self.A, size=int(far.sum()), p=self.w)
        return out

    # -- places --------------------------------------------------------------------------

    def add_places(self, kind, x, y, auth, label, platform=-1, force=False) -> np.ndarray:
        kind, x, y, auth, label, platform, force = np.broadcast_arrays(
            np.asarray(kind),
            np.asarray(x, dtype=float),
            np.asarray(y, dtype=float),
            np.asarray(auth),
            np.asarray(label, dtype=object),
            np.asarray(platform),
            np.asarray(force),
        )
        start = len(self.p_kind)
        self.p_kind.extend(int(v) for v in kind.ravel())
        self.p_x.extend(float(v) for v in x.ravel())
        self.p_y.extend(float(v) for v in y.ravel())
        self.p_auth.extend(int(v) for v in auth.ravel())
        self.p_label.extend(label.ravel().tolist())
        self.p_platform.extend(int(v) for v in platform.ravel())
        self.p_force.extend(bool(v) for v in force.ravel())
        return np.arange(start, len(self.p_kind))

    def labels(self, kind: str, n: int, p_missing: float = 0.35) -> np.ndarray:
        rng = self.rng
        choices = LABELS[kind]
        lab = np.array([choices[i] for i in rng.integers(0, len(choices), n)], dtype=object)
        lab[rng.random(n) < p_missing] = np.nan
        return lab

    def venues(self) -> None:
        rng = self.rng
        total = max(self.n // 9, 14 * self.A)
        self.pool: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
        self.v_pop: dict[int, float] = {}
        for kind in VENUE_KINDS:
            k = KX[kind]
            counts = np.maximum(
                VENUE_MIN[kind],
                rng.poisson(np.maximum(0.2, total * VENUE_SHARE[kind] * self.w)),
            )
            auth = np.repeat(np.arange(self.A), counts)
            spread = {"park": 0.35, "school": 0.3}.get(kind, 0.15)
            x, y = self.points(auth, spread)
            if kind == "park":
                # half the parks anywhere in the authority
                half = rng.random(len(auth)) < 0.5
                ux, uy = self.points(auth[half], None)
                x[half], y[half] = ux, uy
            kinds = np.full(len(auth), k)
            labels = self.labels(kind, len(auth))
            if kind == "hotel":
                # some partners record aparthotels and serviced flats as "other"
                oth = rng.random(len(auth)) < 0.15
                kinds[oth] = KX["other"]
                labels[oth] = _maybe(rng.random(int(oth.sum())) < 0.5, "aparthotel")
            idx = self.add_places(kinds, x, y, auth, labels)
            pop = rng.lognormal(0.0, 0.9, len(idx)) * VENUE_POP[kind]
            for i, p in zip(idx, pop, strict=True):
                self.v_pop[int(i)] = float(p)
            pools = []
            for a in range(self.A):
                sel = auth == a  # hotels recorded as "other" are still hotels to visit
                ids = idx[sel]
                pools.append((ids, np.cumsum(pop[sel])))
            self.pool[k] = pools
        # authorities without a venue of a kind borrow the nearest authority's
        self.fallback: dict[int, np.ndarray] = {}
        for k, pools in self.pool.items():
            have = np.array([len(p[0]) > 0 for p in pools])
            fb = np.arange(self.A)
            if not have.all():
                d = self.dist_km.copy()
                d[:, ~have] = np.inf
                fb = np.where(have, fb, np.argmin(d, axis=1))
            self.fallback[k] = fb
        # online spaces: school group chats and wider groups
        n_online = max(4, self.n // 250)
        plat = _draw(
            rng,
            {
                "snapchat": 0.4,
                "whatsapp": 0.25,
                "instagram": 0.12,
                "tiktok": 0.08,
                "telegram": 0.05,
                "gaming": 0.07,
                "other": 0.03,
            },
            PLATFORMS,
            n_online,
        )
        lab = np.array(
            [
                ("group chat", "year group chat", "gaming server", "snap group")[i]
                for i in rng.integers(0, 4, n_online)
            ],
            dtype=object,
        )
        lab[rng.random(n_online) < 0.4] = np.nan
        self.online = self.add_places(KX["online"], np.nan, np.nan, -1, lab, platform=plat)

    def pick_venue(self, kind: int, auth: np.ndarray) -> np.ndarray:
        rng = self.rng
        auth = self.fallback[kind][np.asarray(auth, dtype=np.int64)]
        out = np.empty(len(auth), dtype=np.int64)
        for a in np.unique(auth):
            idx = np.flatnonzero(auth == a)
            ids, cum = self.pool[kind][a]
            out[idx] = ids[np.searchsorted(cum, rng.random(len(idx)) * cum[-1], side="right")]
        return out

    def busiest(self, kind: int, a: int, rank: int = 0) -> int:
        ids, _ = self.pool[kind][self.fallback[kind][a]]
        pops = np.array([self.v_pop[int(i)] for i in ids])
        order = ids[np.argsort(-pops)]
        return int(order[min(rank, len(order) - 1)])

    # -- people ------------------------------------------------------------------------

    def people(self) -> None:
        rng = self.rng
        n = self.n
        self.n_alias = max(2, round(0.006 * n))
        self.n_adult = max(24, round(0.015 * n))
        n_young = n - self.n_alias - self.n_adult
        self.adult = np.zeros(n, dtype=bool)
        self.adult[n_young : n_young + self.n_adult] = True
        self.alias_slot = np.zeros(n, dtype=bool)
        self.alias_slot[n_young + self.n_adult :] = True
        self.home = rng.choice(self.A, size=n, p=self.w)
        ages = np.arange(10, 19)
        pa = np.array([2, 3, 5, 9, 13, 16, 17, 15, 8], dtype=float)
        self.age = rng.choice(ages, size=n, p=pa / pa.sum())
        aa = np.arange(18, 25)
        pad = np.array([10, 9, 8, 6, 5, 3, 2], dtype=float)
        self.age[self.adult] = rng.choice(aa, size=self.n_adult, p=pad / pad.sum())
        self.sex = rng.choice(
            np.array(["F", "M", "X", "unknown", ""], dtype=object),
            size=n,
            p=[0.46, 0.5, 0.005, 0.02, 0.015],
        )
        self.sex[self.adult] = rng.choice(
            np.array(["M", "F"], dtype=object), size=self.n_adult, p=[0.8, 0.2]
        )
        young = ~self.adult & ~self.alias_slot
        self.lac = young & (rng.random(n) < np.where(self.age >= 14, 0.11, 0.06))
        # care leavers among the young adults
        self.lac |= self.adult & (self.age <= 20) & (rng.random(n) < 0.25)
        p_prof = np.tile(np.array([0.5, 0.2, 0.12, 0.1, 0.08]), (n, 1))
        male = self.sex == "M"
        p_prof[male, 1] += 0.12
        p_prof[~male, 3] += 0.08
        p_prof[self.lac, 2] += 0.35
        p_prof[self.age <= 12, 0] += 0.4
        p_prof[self.adult, 1] += 0.5
        p_prof /= p_prof.sum(axis=1, keepdims=True)
        self.profile = _draw_rows(rng, p_prof)
        # expected records per young person: thin and heavy-tailed
        mu = rng.gamma(0.9, 4.0, n)
        frequent = rng.random(n) < 0.08
        mu[frequent] += rng.gamma(3.0, 5.0, int(frequent.sum()))
        self.prolific = young & (rng.random(n) < 0.0025) & (self.age >= 13)
        mu[self.prolific] = rng.uniform(60, 180, int(self.prolific.sum()))
        self.profile[self.prolific] = rng.choice([1, 2, 4], size=int(self.prolific.sum()))
        mu[self.adult] = rng.gamma(0.6, 1.2, self.n_adult)
        mu[self.alias_slot] = 0.0
        self.mu = mu
        self.phase_c = rng.uniform(0, N_DAYS, n)
        self.phase_s = rng.uniform(20, 130, n)
        self.phase_s[self.prolific] = 400.0
        self.used = self.alias_slot.copy()
        self.pre_auth = self.home.copy()
        self.post_auth = self.home.copy()
        self.rday = np.full(n, NEVER, dtype=np.int64)
        self.rkind = np.full(n, -1, dtype=np.int64)
        self.home_rec = self.home.copy()  # the authority the people table states
        self.care = np.full(n, "", dtype=object)  # children's home / semi / foster
        self.forced_res = np.full(n, -1, dtype=np.int64)
        self.keep_school = np.zeros(n, dtype=bool)

    def relocate(self, p: int, to: int, day: int, kind: str) -> None:
        self.post_auth[p] = to
        self.rday[p] = day
        self.rkind[p] = RX[kind]

    def relocations_background(self) -> None:
        rng = self.rng
        n = self.n
        lac = np.flatnonzero(self.lac & ~self.adult)
        out = lac[rng.random(len(lac)) < 0.45]
        for p in out:
            a = int(self.home[p])
            if self.deg[a] > 0 and rng.random() < 0.55:
                to = int(self.random_neighbour(np.array([a]))[0])
            else:
                wt = self.w * np.exp(-self.dist_km[a] / 30.0)
                wt[a] = 0.0
                if wt.sum() <= 0:
                    continue
                to = int(rng.choice(self.A, p=wt / wt.sum()))
            day = (
                int(rng.integers(EARLIEST, 0))
                if rng.random() < 0.65
                else int(rng.integers(0, N_DAYS))
            )
            self.relocate(int(p), to, day, "care_placement")
            self.keep_school[p] = rng.random() < 0.3
        lac_all = np.flatnonzero(self.lac)
        self.care[lac_all] = rng.choice(
            np.array(["childrens_home", "semi", "foster"], dtype=object),
            size=len(lac_all),
            p=[0.33, 0.17, 0.5],
        )
        self.care[lac_all[(self.care[lac_all] == "semi") & (self.age[lac_all] < 16)]] = "foster"
        others = np.flatnonzero(~self.lac & ~self.adult & ~self.alias_slot)
        kinds = rng.choice(
            np.array(["none", "housing", "family", "education", "secure", "other"]),
            size=len(others),
            p=[0.9765, 0.012, 0.005, 0.003, 0.0015, 0.002],
        )
        for p, kind in zip(others, kinds, strict=True):
            if kind == "none":
                continue
            a = int(self.home[p])
            if self.deg[a] > 0 and rng.random() < 0.7:
                to = int(self.random_neighbour(np.array([a]))[0])
            else:
                to = int(rng.choice(self.A, p=self.w))
            if to == a:
                continue
            self.relocate(int(p), to, int(rng.integers(-200, N_DAYS)), str(kind))
            if kind in ("housing", "family") and rng.random() < 0.5:
                self.home_rec[p] = to
        del n

    def living(self, day: int) -> np.ndarray:
        return np.where(self.rday <= day, self.post_auth, self.pre_auth)

    def pick(
        self,
        k: int,
        auths: Any,
        *,
        ages: tuple[int, int] = (13, 17),
        p_male: float = 0.5,
        day: int = 0,
        adult: bool = False,
        lac: bool | None = None,
        unrelocated: bool = False,
    ) -> np.ndarray:
        """Choose ``k`` unused people living in ``auths`` around ``day``."""
        rng = self.rng
        living = self.living(day)
        base = ~self.used & (self.adult == adult) & (self.age >= ages[0]) & (self.age <= ages[1])
        if lac is not None:
            base &= self.lac == lac
        if unrelocated:
            base &= self.rday == NEVER
        ok = base & np.isin(living, np.asarray(auths))
        cand = np.flatnonzero(ok)
        if len(cand) < k:
            cand = np.flatnonzero(base)
        if len(cand) == 0 or k <= 0:
            return np.zeros(0, dtype=np.int64)
        wt = np.where(self.sex[cand] == "M", p_male, 1.0 - p_male) + 0.02
        chosen = rng.choice(cand, size=min(k, len(cand)), replace=False, p=wt / wt.sum())
        self.used[chosen] = True
        return np.sort(chosen)

    # -- residences, schools, personal venues ------------------------------------------

    def residences(self) -> None:
        rng = self.rng
        n = self.n
        self.res_pre = np.full(n, -1, dtype=np.int64)
        self.res_post = np.full(n, -1, dtype=np.int64)
        people = np.flatnonzero(~self.alias_slot)
        # households: one to three young people sharing a home in their first authority
        order = people[np.lexsort((rng.random(len(people)), self.pre_auth[people]))]
        sizes = rng.choice([1, 2, 3], size=len(order), p=[0.62, 0.28, 0.1])
        hh = np.empty(len(order), dtype=np.int64)
        pos = 0
        h = 0
        auth_sorted = self.pre_auth[order]
        while pos < len(order):
            s = int(sizes[h])
            end = min(pos + s, len(order))
            # a household does not cross an authority
            same = auth_sorted[pos:end] == auth_sorted[pos]
            end = pos + int(np.argmin(same)) if not same.all() else end
            hh[pos:end] = h
            pos = end
            h += 1
        self.household = np.full(n, -1, dtype=np.int64)
        self.household[order] = hh
        hh_auth = np.zeros(h, dtype=np.int64)
        hh_auth[hh] = auth_sorted
        x, y = self.points(hh_auth, 0.35)
        lab = np.full(h, np.nan, dtype=object)
        r = rng.random(h)
        lab[r < 0.08] = "flat"
        lab[(r >= 0.08) & (r < 0.12)] = "house"
        self.hh_place = self.add_places(KX["residential"], x, y, hh_auth, lab)
        self.hh_by_auth = [self.hh_place[hh_auth == a] for a in range(self.A)]
        home_place = self.hh_place[self.household[people]]
        self.res_pre[people] = home_place
        self.res_post[people] = home_place
        # care: children's homes and semi-independent units pool residents
        for care, cap in (("childrens_home", (3, 6)), ("semi", (4, 8))):
            members = np.flatnonzero((self.care == care) & (self.forced_res < 0))
            cauth = self.post_auth[members]
            for a in np.unique(cauth):
                mem = members[cauth == a]
                rng.shuffle(mem)
                i = 0
                while i < len(mem):
                    c = int(rng.integers(cap[0], cap[1] + 1))
                    grp = mem[i : i + c]
                    label = (
                        "children's home" if care == "childrens_home" else "supported accommodation"
                    )
                    if rng.random() < 0.4:
                        label = np.nan
                    px, py = self.points(np.array([a]), 0.4)
                    pl = self.add_places(KX["residential"], px, py, a, label)[0]
                    self.res_post[grp] = pl
                    i += c
        foster = np.flatnonzero((self.care == "foster") & (self.forced_res < 0))
        if len(foster):
            px, py = self.points(self.post_auth[foster], 0.4)
            fl = _maybe(rng.random(len(foster)) < 0.2, "foster home")
            self.res_post[foster] = self.add_places(
                KX["residential"], px, py, self.post_auth[foster], fl
            )
        forced = np.flatnonzero(self.forced_res >= 0)
        self.res_post[forced] = self.forced_res[forced]
        # in-area looked-after children live in care from the start
        inarea = self.lac & (self.rday == NEVER)
        self.res_pre[inarea] = self.res_post[inarea]
        early = self.lac & (self.rday < 0)
        self.res_pre[early] = self.res_post[early]
        # other movers: a new home in the authority they moved to
        movers = np.flatnonzero(~self.lac & (self.rday < NEVER) & (self.forced_res < 0))
        if len(movers):
            px, py = self.points(self.post_auth[movers], 0.35)
            lab = np.full(len(movers), np.nan, dtype=object)
            lab[self.rkind[movers] == RX["secure"]] = "secure unit"
            self.res_post[movers] = self.add_places(
                KX["residential"], px, py, self.post_auth[movers], lab
            )

    def schools(self) -> None:
        rng = self.rng
        n = self.n
        self.school_pre = np.full(n, -1, dtype=np.int64)
        self.school_post = np.full(n, -1, dtype=np.int64)
        pupils = np.flatnonzero(~self.adult & ~self.alias_slot)
        tgt = self.target_auth(self.pre_auth[pupils], 0.88, 0.12)
        self.school_pre[pupils] = self.pick_venue(KX["school"], tgt)
        self.school_post[pupils] = self.school_pre[pupils]
        moved = pupils[(self.rday[pupils] < NEVER) & ~self.keep_school[pupils]]
        if len(moved):
            tgt = self.target_auth(self.post_auth[moved], 0.9, 0.1)
            self.school_post[moved] = self.pick_venue(KX["school"], tgt)
        # a school group chat for some schools, others share a wider group
        schools = np.unique(self.school_pre[pupils])
        chats = self.online
        assign = rng.integers(0, len(chats), len(schools))
        has = rng.random(len(schools)) < 0.55
        chat_of = dict(
            zip(schools.tolist(), np.where(has, chats[assign], -1).tolist(), strict=True)
        )
        self.chat = np.array(
            [chat_of.get(int(s), -1) if s >= 0 else -1 for s in self.school_pre], dtype=np.int64
        )
        self.personal: dict[int, np.ndarray] = {}
        for kind in PERSONAL_KINDS:
            k = KX[kind]
            arr = np.empty((n, 2, 2), dtype=np.int64)
            for phase, auth in ((0, self.pre_auth), (1, self.post_auth)):
                for slot in range(2):
                    tgt = self.target_auth(auth, 0.72, 0.23)
                    arr[:, phase, slot] = self.pick_venue(k, tgt)
            self.personal[k] = arr

    # -- sources and grades ------------------------------------------------------------

    def partners(self) -> None:
        rng = self.rng
        n_auth = self.A
        self.keep = rng.uniform(0.65, 1.0, n_auth)
        if n_auth >= 3:
            self.keep[rng.integers(0, n_auth)] = rng.uniform(0.35, 0.5)
        self.grading = rng.choice(
            4, size=n_auth, p=[0.65, 0.15, 0.12, 0.08]
        )  # normal flat cautious generous
        self.date_style = rng.choice(3, size=n_auth, p=[0.6, 0.3, 0.1])  # iso uk iso+time
        self.coord_style = rng.choice(3, size=n_auth, p=[0.6, 0.25, 0.15])  # bng lonlat both
        self.case_style = rng.choice(3, size=n_auth, p=[0.6, 0.25, 0.15])  # lower title upper
        self.auth_style = rng.choice(3, size=n_auth, p=[0.7, 0.2, 0.1])  # code name NAME
        self.bool_style = rng.choice(4, size=n_auth)
        self.la_supplied = rng.random(n_auth) < 0.85

    def src(self, probs: dict[str, float], n: int = 1) -> np.ndarray:
        return _draw(self.rng, probs, SOURCES, n)

    def rel(self, probs: dict[str, float], n: int = 1) -> np.ndarray:
        return _draw(self.rng, probs, RELIABILITY, n)

    def rel_of_src(self, src: np.ndarray) -> np.ndarray:
        return _draw_rows(self.rng, REL_BY_SRC[np.asarray(src)])

    # -- background records ------------------------------------------------------------

    def background(self) -> None:
        rng = self.rng
        n = self.n
        k = rng.poisson(self.mu)
        pid = np.repeat(np.arange(n), k)
        m = len(pid)
        uni = rng.random(m) < 0.3
        d = np.where(
            uni,
            rng.integers(0, N_DAYS, m),
            np.rint(self.phase_c[pid] + rng.normal(0.0, 1.0, m) * self.phase_s[pid]),
        )
        d = _reflect(d, 0, N_DAYS - 1)
        post = d >= self.rday[pid]
        auth = np.where(post, self.post_auth[pid], self.pre_auth[pid])
        ctx = _draw_rows(rng, PROFILE_CTX[self.profile[pid]])
        kind = _draw_rows(rng, CTX_KIND[ctx])
        school = np.where(post, self.school_post[pid], self.school_pre[pid])
        kind[(kind == KX["school"]) & (school < 0)] = KX["fast_food"]
        place = np.full(m, -1, dtype=np.int64)
        # schools: their own, sometimes another (a college, a fixture, a transfer)
        sm = kind == KX["school"]
        place[sm] = school[sm]
        other = sm & (rng.random(m) < 0.12)
        place[other] = self.pick_venue(KX["school"], self.target_auth(auth[other], 0.7, 0.3))
        d[sm] = self.school_day[d[sm]]
        # homes: their own, a friend's, another home in the area
        rm = np.flatnonzero(kind == KX["residential"])
        res = np.where(post, self.res_post[pid], self.res_pre[pid])
        place[rm] = res[rm]
        u = rng.random(len(rm))
        friend = rm[u < 0.25]
        for a in np.unique(auth[friend]):
            sel = friend[auth[friend] == a]
            pool = self.hh_by_auth[a]
            if len(pool):
                place[sel] = pool[rng.integers(0, len(pool), len(sel))]
        # online: the school chat or another group
        om = np.flatnonzero(kind == KX["online"])
        chat = self.chat[pid[om]]
        rnd = (chat < 0) | (rng.random(len(om)) < 0.3)
        chat[rnd] = self.online[rng.integers(0, len(self.online), int(rnd.sum()))]
        place[om] = chat
        # venues: one of their usual ones, or somewhere else nearby
        for kname in PERSONAL_KINDS:
            kk = KX[kname]
            vm = np.flatnonzero(kind == kk)
            usual = rng.random(len(vm)) < 0.75
            slot = rng.integers(0, 2, len(vm))
            place[vm] = self.personal[kk][pid[vm], post[vm].astype(np.int64), slot]
            far = vm[~usual]
            place[far] = self.pick_venue(kk, self.target_auth(auth[far], 0.6, 0.3))
        hm = kind == KX["hotel"]
        # hotel records mostly at weekends (missing children found, parties)
        wk = np.flatnonzero(hm & (rng.random(m) < 0.6))
        d[wk] = np.minimum(N_DAYS - 1, d[wk] + (4 - WEEKDAY[d[wk]]) % 7)
        assert (place >= 0).all()
        src = self.sources_for(ctx, kind)
        rel = self.rel_of_src(src)
        # partners send only part of what they hold
        pauth = self.place_auth_arr()[place]
        pauth = np.where(pauth < 0, self.home[pid], pauth)
        keep = rng.random(m) < self.keep[pauth]
        self.bg.add(p=pid[keep], pl=place[keep], d=d[keep], c=ctx[keep], s=src[keep], r=rel[keep])
        # missing episodes recorded by police, then by social care after the return
        mm = keep & (ctx == CX["missing_episode"]) & (src == SX["police"]) & (rng.random(m) < 0.22)
        dd = np.minimum(N_DAYS - 1, d[mm] + rng.integers(1, 5, int(mm.sum())))
        self.bg.add(
            p=pid[mm],
            pl=place[mm],
            d=dd,
            c=CX["missing_episode"],
            s=SX["social_care"],
            r=self.rel({"reported": 0.7, "corroborated": 0.2, "unverified": 0.1}, int(mm.sum())),
        )

    def place_auth_arr(self) -> np.ndarray:
        return np.asarray(self.p_auth, dtype=np.int64)

    def sources_for(self, ctx: np.ndarray, kind: np.ndarray) -> np.ndarray:
        probs = SRC_BY_CTX[ctx].copy()
        for k, (wt, vec) in SRC_KIND_OVERRIDE.items():
            sel = kind == k
            probs[sel] = (1.0 - wt) * probs[sel] + wt * vec
        return _draw_rows(self.rng, probs)

    # -- background ties ---------------------------------------------------------------

    def tie_dates(self, m: int) -> tuple[np.ndarray, np.ndarray]:
        rng = self.rng
        f = np.where(rng.random(m) < 0.8, rng.integers(0, N_DAYS, m), rng.integers(EARLIEST, 0, m))
        last = np.where(
            rng.random(m) < 0.35,
            np.minimum(N_DAYS - 1, f + rng.integers(0, 200, m)),
            -(10**7),
        )
        return f, last

    def add_ties(self, a, b, kind, src, rel, f=None, last=None) -> None:
        a, b, kind, src, rel = np.broadcast_arrays(
            *(np.atleast_1d(np.asarray(x)) for x in (a, b, kind, src, rel))
        )
        m = a.size
        if f is None:
            f, last = self.tie_dates(m)
        elif last is None:
            last = np.full(m, -(10**7))
        f = np.broadcast_to(np.atleast_1d(np.asarray(f)), a.shape)
        last = np.broadcast_to(np.atleast_1d(np.asarray(last)), a.shape)
        ok = a != b
        self.ties.add(a=a[ok], b=b[ok], k=kind[ok], f=f[ok], l=last[ok], s=src[ok], r=rel[ok])

    def by_auth(self, mask: np.ndarray) -> list[np.ndarray]:
        idx = np.flatnonzero(mask)
        order = idx[np.argsort(self.pre_auth[idx], kind="stable")]
        cuts = np.searchsorted(self.pre_auth[order], np.arange(self.A + 1))
        return [order[cuts[a] : cuts[a + 1]] for a in range(self.A)]

    def random_in(self, lists: list[np.ndarray], auth: np.ndarray) -> np.ndarray:
        rng = self.rng
        out = np.full(len(auth), -1, dtype=np.int64)
        for a in np.unique(auth):
            pool = lists[a]
            sel = np.flatnonzero(auth == a)
            if len(pool):
                out[sel] = pool[rng.integers(0, len(pool), len(sel))]
        return out

    def background_ties(self) -> None:
        rng = self.rng
        n = self.n
        real = ~self.alias_slot
        # peer groups within schools
        pupils = np.flatnonzero(real & (self.school_pre >= 0))
        order = pupils[np.lexsort((rng.random(len(pupils)), self.school_pre[pupils]))]
        sch = self.school_pre[order]
        first = np.searchsorted(sch, sch, side="left")
        rank = np.arange(len(order)) - first
        gsize = rng.integers(3, 9, int(sch.max()) + 1)
        group = sch * 1000 + rank // gsize[sch]
        a_parts, b_parts = [], []
        for off in range(1, 8):
            same = group[:-off] == group[off:]
            keep = same & (rng.random(len(same)) < 0.42)
            a_parts.append(order[:-off][keep])
            b_parts.append(order[off:][keep])
        a = np.concatenate(a_parts)
        b = np.concatenate(b_parts)
        m = len(a)
        kind = _draw(
            rng,
            {"friend": 0.55, "group_member": 0.12, "associate": 0.28, "partner": 0.05},
            TIE_KINDS,
            m,
        )
        src = _draw(
            rng,
            {
                "school": 0.35,
                "police": 0.15,
                "social_care": 0.2,
                "youth_service": 0.1,
                "young_person": 0.1,
                "other": 0.1,
            },
            SOURCES,
            m,
        )
        self.add_ties(a, b, kind, src, self.rel_of_src(src))
        # friends and associates further afield
        lists = self.by_auth(real & ~self.adult)
        who = np.flatnonzero(real & (rng.random(n) < 0.75))
        who = np.concatenate([who, who[rng.random(len(who)) < 0.3]])
        tgt = self.target_auth(self.pre_auth[who], 0.65, 0.28)
        other = self.random_in(lists, tgt)
        ok = (other >= 0) & (
            (np.abs(self.age[np.maximum(other, 0)] - self.age[who]) <= 2)
            | (rng.random(len(who)) < 0.2)
        )
        a, b = who[ok], other[ok]
        kind = _draw(
            rng, {"friend": 0.55, "associate": 0.4, "group_member": 0.05}, TIE_KINDS, len(a)
        )
        src = _draw(
            rng,
            {
                "police": 0.25,
                "social_care": 0.25,
                "school": 0.15,
                "youth_service": 0.15,
                "young_person": 0.1,
                "voluntary_sector": 0.05,
                "other": 0.05,
            },
            SOURCES,
            len(a),
        )
        self.add_ties(a, b, kind, src, self.rel_of_src(src))
        # siblings sharing a home
        hh = self.household
        members = np.flatnonzero(real & (hh >= 0))
        order = members[np.argsort(hh[members], kind="stable")]
        for off in (1, 2):
            same = hh[order[:-off]] == hh[order[off:]]
            keep = same & (rng.random(len(same)) < 0.7)
            a, b = order[:-off][keep], order[off:][keep]
            src = _draw(rng, {"social_care": 0.6, "school": 0.3, "health": 0.1}, SOURCES, len(a))
            rel = self.rel({"confirmed": 0.45, "corroborated": 0.35, "reported": 0.2}, len(a))
            self.add_ties(a, b, TX["sibling"], src, rel)
        # partners and ex-partners; some much older than the child
        inrel = np.flatnonzero(real & ~self.adult & (self.age >= 13) & (rng.random(n) < 0.07))
        tgt = self.target_auth(self.pre_auth[inrel], 0.7, 0.25)
        partner = self.random_in(lists, tgt)
        older = rng.random(len(inrel)) < 0.1
        adults = np.flatnonzero(self.adult)
        partner[older] = adults[rng.integers(0, len(adults), int(older.sum()))]
        ok = partner >= 0
        a, b = inrel[ok], partner[ok]
        kind = np.where(rng.random(len(a)) < 0.7, TX["partner"], TX["ex_partner"])
        src = _draw(
            rng,
            {
                "social_care": 0.35,
                "school": 0.2,
                "police": 0.2,
                "health": 0.15,
                "young_person": 0.1,
            },
            SOURCES,
            len(a),
        )
        self.add_ties(a, b, kind, src, self.rel_of_src(src))
        # one-to-one grooming concerns in no planted context: an older young person or
        # young adult and one child, mostly soft, a third with a record or two together
        n_ex = max(6, round(0.003 * n))
        older_pool = np.flatnonzero(real & (self.age >= 16) & ~self.used)
        exp = older_pool[rng.integers(0, len(older_pool), n_ex)]
        tgt = self.target_auth(self.pre_auth[exp], 0.6, 0.35)
        young = self.by_auth(real & ~self.adult & (self.age <= 16))
        vic = self.random_in(young, tgt)
        ok = vic >= 0
        src = _draw(
            rng,
            {
                "police": 0.35,
                "social_care": 0.35,
                "youth_service": 0.15,
                "voluntary_sector": 0.1,
                "other": 0.05,
            },
            SOURCES,
            int(ok.sum()),
        )
        rel = self.rel({"unverified": 0.5, "reported": 0.4, "corroborated": 0.1}, int(ok.sum()))
        self.add_ties(exp[ok], vic[ok], TX["exploiter"], src, rel)
        for e, v in zip(exp[ok], vic[ok], strict=True):
            if rng.random() >= 0.33:
                continue
            u = rng.random()
            if u < 0.4:
                where = int(self.res_pre[e])
            else:
                kind = KX["fast_food"] if u < 0.75 else KX["park"]
                where = int(self.pick_venue(kind, np.array([self.pre_auth[v]]))[0])
            m = int(rng.integers(1, 4))
            dd = rng.integers(0, N_DAYS, m)
            ctx = CX["cse"] if self.sex[v] == "F" else CX["cce"]
            s = self.src({"social_care": 0.4, "police": 0.35, "youth_service": 0.25}, m)
            self.bg.add(
                p=v, pl=where, d=dd, c=ctx, s=s, r=self.rel({"unverified": 0.5, "reported": 0.5}, m)
            )
            if rng.random() < 0.5:
                self.bg.add(
                    p=e, pl=where, d=dd[0], c=ctx, s=SX["police"], r=RELIABILITY.index("reported")
                )
        self.street_groups()

    def street_groups(self) -> None:
        """Groups recorded for serious youth violence and gang association at their patch."""
        rng = self.rng
        n_groups = max(3, self.n // 400)
        street = ~self.alias_slot & (self.profile == 1) & ~self.used & (self.age >= 13)
        lists = self.by_auth(street)
        self.groups: list[tuple[int, np.ndarray, int]] = []
        auths = rng.choice(self.A, size=n_groups, p=self.w)
        taken = np.zeros(self.n, dtype=bool)
        for a in auths:
            pool = lists[a][~taken[lists[a]]]
            if len(pool) < 4:
                continue
            size = min(len(pool), int(rng.integers(5, 14)))
            mem = rng.choice(pool, size=size, replace=False)
            taken[mem] = True
            patch = int(
                self.pick_venue(KX["park"] if rng.random() < 0.6 else KX["other"], np.array([a]))[0]
            )
            self.groups.append((int(a), mem, patch))
            ia, ib = np.triu_indices(size, 1)
            keep = rng.random(len(ia)) < 0.45
            src = _draw(
                rng,
                {"police": 0.7, "youth_service": 0.15, "social_care": 0.15},
                SOURCES,
                int(keep.sum()),
            )
            rel = self.rel(
                {"reported": 0.45, "corroborated": 0.4, "unverified": 0.1, "confirmed": 0.05},
                int(keep.sum()),
            )
            self.add_ties(mem[ia[keep]], mem[ib[keep]], TX["group_member"], src, rel)
            k = rng.integers(1, 7, size)
            p = np.repeat(mem, k)
            d = rng.integers(0, N_DAYS, len(p))
            c = np.where(
                rng.random(len(p)) < 0.6, CX["gang_association"], CX["serious_youth_violence"]
            )
            s = _draw(
                rng,
                {"police": 0.75, "youth_service": 0.15, "health": 0.05, "other": 0.05},
                SOURCES,
                len(p),
            )
            self.bg.add(p=p, pl=patch, d=d, c=c, s=s, r=self.rel_of_src(s))

    # -- helpers for planted records -------------------------------------------------

    def res_at(self, p: np.ndarray, d: np.ndarray) -> np.ndarray:
        p, d = np.broadcast_arrays(np.asarray(p), np.asarray(d))
        return np.where(d >= self.rday[p], self.res_post[p], self.res_pre[p])

    def auth_at(self, p: np.ndarray, d: np.ndarray) -> np.ndarray:
        p, d = np.broadcast_arrays(np.asarray(p), np.asarray(d))
        return np.where(d >= self.rday[p], self.post_auth[p], self.pre_auth[p])

    def sight(self, p, pl, d, c, s, r) -> None:
        self.pl_rec.add(p=p, pl=pl, d=np.clip(np.asarray(d), 0, N_DAYS - 1), c=c, s=s, r=r)

    def weekend(self, d: np.ndarray) -> np.ndarray:
        d = np.asarray(d)
        shift = (4 - WEEKDAY[d]) % 7 + (self.rng.random(d.shape) < 0.5)
        out = d + shift
        return np.where(out >= N_DAYS, d, out)

    def new_place(self, kind: str, a: int, label: Any, near: tuple | None = None) -> int:
        if near is None:
            x, y = self.points(np.array([a]), 0.2)
        else:
            x, y = np.array([near[0]]), np.array([near[1]])
        return int(self.add_places(KX[kind], x, y, a, label, force=True)[0])

    def period(self, lo: int, hi: int) -> tuple[int, int]:
        rng = self.rng
        length = int(rng.integers(lo, hi + 1))
        start = int(rng.integers(0, max(1, N_DAYS - length)))
        return start, min(N_DAYS - 1, start + length)

    # -- planning (before ordinary life is drawn) --------------------------------------

    def plan(self) -> None:
        rng = self.rng
        small = self.n < 5000
        n_hubs = int(rng.integers(2, 4)) if small else int(rng.integers(3, 5))
        self.hubs: list[dict[str, Any]] = []
        hosts_used: list[int] = []
        for design in [str(x) for x in rng.permutation(DESIGNS)[:n_hubs]]:
            wt = self.w * (self.deg > 0) + 1e-9
            if len(hosts_used) < self.A:
                wt[hosts_used] = 0.0
            if wt.sum() <= 0:
                wt = np.ones(self.A)
            host = int(rng.choice(self.A, p=wt / wt.sum()))
            hosts_used.append(host)
            thin = bool(design == "raided_flat" or rng.random() < 0.3)
            h: dict[str, Any] = {"design": design, "host": host, "thin": thin}
            getattr(self, f"plan_{design}")(h)
            self.hubs.append(h)
        self.line = self.plan_line()
        n_dec = 4 if small else 5
        rest = [k for k in DECOY_KINDS if k != "missing_from_care"]
        kinds = ["missing_from_care", *[str(x) for x in rng.permutation(rest)[: n_dec - 1]]]
        self.decoy_plans = [{"kind": k} for k in kinds]
        for dc in self.decoy_plans:
            if dc["kind"] == "missing_from_care":
                self.plan_missing_from_care(dc)

    def area_of(self, host: int) -> np.ndarray:
        nb = np.flatnonzero(self.adj[host])
        return np.concatenate([[host], nb]).astype(np.int64)

    def move_away(self, p: int, host: int, day: int, kind: str) -> None:
        """A safeguarding move of a victim to an authority well away from ``host``."""
        rng = self.rng
        far = np.flatnonzero(~self.adj[host] & (np.arange(self.A) != host))
        far = far[far != self.pre_auth[p]]
        if len(far) == 0:
            return
        wt = self.dist_km[host, far] + 1.0
        to = int(rng.choice(far, p=wt / wt.sum()))
        self.relocate(p, to, day, kind)
        if kind == "care_placement":
            self.lac[p] = True
            self.care[p] = "childrens_home" if rng.random() < 0.6 else "foster"

    def plan_cuckooed_flat(self, h: dict[str, Any]) -> None:
        rng = self.rng
        host = h["host"]
        h["start"], h["end"] = self.period(120, 220)
        area = self.area_of(host)
        k = int(rng.integers(4, 8))
        placed = np.flatnonzero(
            ~self.used
            & self.lac
            & (self.post_auth == host)
            & (self.rday < h["start"])
            & (self.pre_auth != host)
            & (self.age >= 13)
            & (self.age <= 17)
            & ~self.adult
        )
        vic = []
        if len(placed) and rng.random() < 0.8:
            v = int(rng.choice(placed))
            self.used[v] = True
            vic.append(v)
        vic.extend(self.pick(k - len(vic), area, p_male=0.75, day=h["start"]).tolist())
        h["victims"] = np.array(vic, dtype=np.int64)
        ex = self.pick(int(rng.integers(1, 3)), area, ages=(18, 22), p_male=0.9, adult=True)
        peer = (
            self.pick(1, area, ages=(17, 18), p_male=0.9, day=h["start"])
            if rng.random() < 0.6
            else []
        )
        h["exploiters"] = np.concatenate([ex, np.asarray(peer, dtype=np.int64)])
        h["place"] = self.new_place("residential", host, np.nan if rng.random() < 0.7 else "flat")
        self.profile[h["victims"]] = rng.choice([1, 2], size=len(h["victims"]))
        self.mu[h["victims"]] = rng.uniform(3, 12, len(h["victims"]))
        self.mu[h["exploiters"]] = rng.uniform(0.3, 2.0, len(h["exploiters"]))
        cand = [v for v in h["victims"] if self.rday[v] == NEVER]
        if cand and rng.random() < 0.5:
            v = int(rng.choice(cand))
            self.move_away(
                v, host, h["start"] + int(0.6 * (h["end"] - h["start"])), "care_placement"
            )
            h["moved"] = v

    def plan_hotel_rooms(self, h: dict[str, Any]) -> None:
        rng = self.rng
        host = h["host"]
        h["start"], h["end"] = self.period(180, 300)
        ids, _ = self.pool[KX["hotel"]][self.fallback[KX["hotel"]][host]]
        proper = np.array([i for i in ids if self.p_kind[i] == KX["hotel"]], dtype=np.int64)
        h["place"] = int(rng.choice(proper if len(proper) else ids))
        host = h["host"] = int(self.p_auth[h["place"]])
        area = self.area_of(host)
        k = int(rng.integers(7, 13))
        lac_near = self.pick(
            min(3, int(rng.integers(1, 4))),
            area,
            ages=(13, 17),
            p_male=0.15,
            day=h["start"],
            lac=True,
        )
        local = self.pick(max(0, k - len(lac_near) - 2), area, p_male=0.2, day=h["start"])
        further = self.pick(2, np.arange(self.A), p_male=0.2, day=h["start"])
        h["victims"] = np.sort(np.concatenate([lac_near, local, further]))
        men = self.pick(int(rng.integers(2, 5)), area, ages=(18, 24), p_male=1.0, adult=True)
        recruiter = self.pick(1, area, ages=(16, 17), p_male=0.0, day=h["start"])
        h["exploiters"] = np.concatenate([men, recruiter])
        h["recruiter"] = recruiter
        self.profile[h["victims"]] = rng.choice([2, 3], size=len(h["victims"]))
        self.mu[h["victims"]] = rng.uniform(2, 9, len(h["victims"]))
        self.mu[h["exploiters"]] = rng.uniform(0.2, 1.5, len(h["exploiters"]))
        cand = [v for v in h["victims"] if self.rday[v] == NEVER]
        if cand and rng.random() < 0.6:
            v = int(rng.choice(cand))
            self.move_away(
                v, host, h["start"] + int(0.5 * (h["end"] - h["start"])), "care_placement"
            )
            h["moved"] = v

    def plan_raided_flat(self, h: dict[str, Any]) -> None:
        rng = self.rng
        host = h["host"]
        h["start"], h["end"] = self.period(60, 120)
        area = self.area_of(host)
        k = int(rng.integers(3, 6))
        n_far = int(rng.integers(1, 3))
        far = np.flatnonzero(~np.isin(np.arange(self.A), area))
        local = self.pick(k - n_far, area, ages=(14, 17), p_male=0.9, day=h["start"])
        away = self.pick(
            n_far,
            far if len(far) else area,
            ages=(14, 17),
            p_male=0.9,
            day=h["start"],
            unrelocated=True,
        )
        h["victims"] = np.sort(np.concatenate([local, away]))
        h["away"] = away
        h["exploiters"] = self.pick(
            int(rng.integers(1, 3)), np.arange(self.A), ages=(19, 23), p_male=1.0, adult=True
        )
        kind = "residential" if rng.random() < 0.6 else "other"
        label = (
            np.nan
            if kind == "residential"
            else ("flat above shop" if rng.random() < 0.5 else np.nan)
        )
        h["place"] = self.new_place(kind, host, label)
        h["raid"] = bool(rng.random() < 0.6)
        self.profile[h["victims"]] = 1
        self.mu[h["victims"]] = rng.uniform(1.5, 6, len(h["victims"]))
        self.mu[h["exploiters"]] = rng.uniform(0.0, 1.0, len(h["exploiters"]))

    def plan_takeaway_flat(self, h: dict[str, Any]) -> None:
        rng = self.rng
        host = h["host"]
        h["start"], h["end"] = self.period(150, 260)
        ids, _ = self.pool[KX["fast_food"]][self.fallback[KX["fast_food"]][host]]
        pops = np.array([self.v_pop[int(i)] for i in ids])
        upper = ids[pops >= np.median(pops)]
        h["dup"] = int(rng.choice(upper))
        host = h["host"] = int(self.p_auth[h["dup"]])
        tx, ty = self.p_x[h["dup"]], self.p_y[h["dup"]]
        for _ in range(50):
            ang = rng.uniform(0, 2 * np.pi)
            r = rng.uniform(12, 25)
            fx, fy = tx + r * np.cos(ang), ty + r * np.sin(ang)
            if shapely.contains_xy(self.inner[host], fx, fy):
                break
        else:
            fx, fy = tx + 1.0, ty
        h["place"] = self.new_place(
            "residential", host, np.nan if rng.random() < 0.6 else "flat", near=(fx, fy)
        )
        area = self.area_of(host)
        h["victims"] = self.pick(
            int(rng.integers(5, 9)), area, ages=(12, 16), p_male=0.75, day=h["start"]
        )
        h["exploiters"] = self.pick(
            int(rng.integers(1, 3)), area, ages=(18, 24), p_male=1.0, adult=True
        )
        self.profile[h["victims"]] = rng.choice([0, 1], size=len(h["victims"]))
        self.mu[h["victims"]] = rng.uniform(2, 10, len(h["victims"]))
        self.mu[h["exploiters"]] = rng.uniform(0.3, 2.0, len(h["exploiters"]))

    def plan_line(self) -> dict[str, Any] | None:
        rng = self.rng
        ok = ~self.adj & (self.dist_km >= 40.0) & (self.dist_km <= 250.0)
        np.fill_diagonal(ok, False)
        if not ok.any():
            self.line_skipped = "no pair of non-neighbouring authorities 40-250 km apart"
            return None
        self.line_skipped = None
        oi, di = np.nonzero(ok)
        dens = 1.0 / np.sqrt(self.area_km2)
        wt = dens[oi] ** 2 * np.exp(-(((self.dist_km[oi, di] - 90.0) / 90.0) ** 2))
        j = int(rng.choice(len(oi), p=wt / wt.sum()))
        o, d = int(oi[j]), int(di[j])
        line: dict[str, Any] = {"o": o, "d": d, "dist": float(self.dist_km[o, d])}
        line["start"], line["end"] = self.period(150, 300)
        o_area = self.area_of(o)
        runners = self.pick(
            int(rng.integers(3, 7)),
            [o],
            ages=(14, 17),
            p_male=0.8,
            day=line["start"],
            unrelocated=True,
        )
        extra = self.pick(
            int(rng.integers(0, 2)),
            o_area,
            ages=(14, 17),
            p_male=0.8,
            day=line["start"],
            unrelocated=True,
        )
        line["runners"] = np.concatenate([runners, extra])
        line["locals"] = self.pick(
            int(rng.integers(1, 4)), [d], ages=(13, 17), p_male=0.6, day=line["start"]
        )
        line["holder"] = self.pick(1, [o], ages=(19, 23), p_male=1.0, adult=True)
        line["middle"] = self.pick(
            int(rng.integers(1, 3)), o_area, ages=(17, 19), p_male=1.0, day=line["start"]
        )
        line["place"] = self.new_place("residential", d, np.nan)
        allp = np.concatenate([line["runners"], line["locals"]])
        self.profile[allp] = rng.choice([1, 2], size=len(allp))
        self.mu[allp] = rng.uniform(2, 9, len(allp))
        ex = np.concatenate([line["holder"], line["middle"]])
        self.mu[ex] = rng.uniform(0.2, 1.5, len(ex))
        if len(line["runners"]) and rng.random() < 0.7:
            v = int(rng.choice(line["runners"]))
            day = line["start"] + int(rng.uniform(0.55, 0.9) * (line["end"] - line["start"]))
            far = np.flatnonzero((np.arange(self.A) != o) & (np.arange(self.A) != d))
            if len(far):
                to = int(rng.choice(far))
                kind = "secure" if rng.random() < 0.3 else "care_placement"
                self.relocate(v, to, day, kind)
                if kind == "care_placement":
                    self.lac[v] = True
                    self.care[v] = "childrens_home"
                line["moved"] = v
        return line

    def plan_missing_from_care(self, dc: dict[str, Any]) -> None:
        rng = self.rng
        a = int(rng.choice(self.A, p=self.w))
        place = self.new_place(
            "residential", a, "children's home" if rng.random() < 0.5 else np.nan
        )
        others = np.flatnonzero(np.arange(self.A) != a)
        k = int(rng.integers(4, 7))
        res = self.pick(k, others, ages=(13, 17), p_male=0.45, unrelocated=True)
        for p in res:
            day = (
                int(rng.integers(EARLIEST, 0)) if rng.random() < 0.7 else int(rng.integers(0, 120))
            )
            self.relocate(int(p), a, day, "care_placement")
            self.lac[p] = True
            self.care[p] = "childrens_home"
            self.forced_res[p] = place
        self.profile[res] = 2
        self.mu[res] = rng.uniform(4, 14, len(res))
        dc.update(place=place, people=res, auth=a)

    # -- planted records ---------------------------------------------------------------

    def exploit_ties(self, ex, vic, p_exp, p_assoc, srcs, rels, start, end) -> None:
        rng = self.rng
        for v in vic:
            e = int(rng.choice(ex))
            u = rng.random()
            if u < p_exp:
                kind = TX["exploiter"]
            elif u < p_exp + p_assoc:
                kind = TX["associate"]
                if rng.random() < 0.5:
                    e, v = int(v), e
            else:
                continue
            f = int(rng.integers(start, end + 1))
            last = min(N_DAYS - 1, f + int(rng.integers(0, 120))) if rng.random() < 0.4 else None
            self.add_ties(
                e,
                v,
                kind,
                self.src(srcs)[0],
                self.rel(rels)[0],
                np.array(f),
                np.array(last if last is not None else -(10**7)),
            )

    def among(self, people, p, kinds, srcs, rels, start, end) -> None:
        rng = self.rng
        people = np.asarray(people)
        if len(people) < 2:
            return
        ia, ib = np.triu_indices(len(people), 1)
        keep = rng.random(len(ia)) < p
        m = int(keep.sum())
        f = rng.integers(start, end + 1, m)
        self.add_ties(
            people[ia[keep]],
            people[ib[keep]],
            _draw(rng, kinds, TIE_KINDS, m),
            self.src(srcs, m),
            self.rel(rels, m),
            f,
            np.full(m, -(10**7)),
        )

    def records_cuckooed_flat(self, h: dict[str, Any]) -> None:
        rng = self.rng
        vic, ex, pl = h["victims"], h["exploiters"], h["place"]
        scale = 0.55 if h["thin"] else 1.0
        n_visits = max(4, int(rng.integers(10, 18) * scale))
        days = np.sort(rng.integers(h["start"], h["end"] + 1, n_visits))
        involve = rng.dirichlet(np.ones(len(vic)) * 1.5)
        for d in days:
            k = int(min(len(vic), rng.integers(1, 4)))
            present = rng.choice(vic, size=k, replace=False, p=involve)
            s = self.src(
                {
                    "police": 0.5,
                    "social_care": 0.2,
                    "youth_service": 0.1,
                    "voluntary_sector": 0.1,
                    "young_person": 0.05,
                    "health": 0.05,
                }
            )[0]
            rels = (
                {"unverified": 0.1, "reported": 0.45, "corroborated": 0.4, "confirmed": 0.05}
                if s == SX["police"]
                else {"unverified": 0.35, "reported": 0.5, "corroborated": 0.15}
            )
            if h["thin"]:
                rels = {"unverified": 0.45, "reported": 0.45, "corroborated": 0.1}
            c = _draw(
                rng,
                {
                    "cce": 0.4,
                    "gang_association": 0.15,
                    "missing_episode": 0.15,
                    "other": 0.15,
                    "serious_youth_violence": 0.05,
                    "cse": 0.05,
                },
                CONTEXTS,
                k,
            )
            dd = d if s == SX["police"] else d + rng.integers(0, 6, k)
            self.sight(present, pl, dd, c, s, self.rel(rels, k))
            if len(ex) and rng.random() < 0.25:
                e = int(rng.choice(ex))
                self.sight(
                    e,
                    pl,
                    d,
                    CX["gang_association"] if rng.random() < 0.5 else CX["cce"],
                    SX["police"],
                    self.rel({"reported": 0.5, "corroborated": 0.5})[0],
                )
        # missing episodes at home during the period, and stops nearby with an exploiter
        for v in vic:
            m = int(rng.integers(2, 5) * (0.6 if h["thin"] else 1.0))
            dd = rng.integers(h["start"], h["end"] + 1, m)
            self.sight(
                v,
                self.res_at(v, dd),
                dd,
                CX["missing_episode"],
                self.src({"police": 0.6, "social_care": 0.4}, m),
                self.rel({"reported": 0.6, "corroborated": 0.3, "unverified": 0.1}, m),
            )
            if rng.random() < 0.6:
                d = int(rng.integers(h["start"], h["end"] + 1))
                ff = self.pick_venue(
                    KX["fast_food"] if rng.random() < 0.6 else KX["transport_hub"],
                    np.array([h["host"]]),
                )[0]
                self.sight(
                    v,
                    ff,
                    d,
                    CX["cce"],
                    SX["police"],
                    self.rel({"reported": 0.6, "corroborated": 0.4})[0],
                )
                if len(ex) and rng.random() < 0.6:
                    self.sight(
                        int(rng.choice(ex)),
                        ff,
                        d,
                        CX["cce"],
                        SX["police"],
                        RELIABILITY.index("reported"),
                    )
        p_exp = 0.35 if h["thin"] else 0.6
        self.exploit_ties(
            ex,
            vic,
            p_exp,
            0.3,
            {"police": 0.6, "social_care": 0.4},
            {"unverified": 0.2, "reported": 0.5, "corroborated": 0.3},
            h["start"],
            h["end"],
        )
        self.among(
            vic,
            0.4,
            {"associate": 0.6, "group_member": 0.25, "friend": 0.15},
            {"police": 0.7, "youth_service": 0.2, "school": 0.1},
            {"unverified": 0.25, "reported": 0.5, "corroborated": 0.25},
            h["start"],
            h["end"],
        )

    def records_hotel_rooms(self, h: dict[str, Any]) -> None:
        rng = self.rng
        vic, ex, pl = h["victims"], h["exploiters"], h["place"]
        men = np.setdiff1d(ex, h["recruiter"])
        thin = h["thin"]
        n_nights = max(6, int(rng.integers(15, 26) * (0.55 if thin else 1.0)))
        nights = self.weekend(rng.integers(h["start"], h["end"] + 1, n_nights))
        p_rec = 0.35 if thin else 0.55
        hub = self.busiest(KX["transport_hub"], h["host"])
        for d in nights:
            k = int(min(len(vic), rng.integers(1, 4)))
            present = rng.choice(vic, size=k, replace=False)
            rec = present[rng.random(k) < p_rec]
            if len(rec):
                m = len(rec)
                s = self.src(
                    {
                        "police": 0.45,
                        "social_care": 0.2,
                        "health": 0.1,
                        "voluntary_sector": 0.1,
                        "other": 0.15,
                    }
                )[0]
                c = _draw(
                    rng,
                    {
                        "cse": 0.45,
                        "missing_episode": 0.3,
                        "other": 0.1,
                        "cce": 0.1,
                        "teenage_relationship_abuse": 0.05,
                    },
                    CONTEXTS,
                    m,
                )
                rels = (
                    {"reported": 0.45, "corroborated": 0.45, "confirmed": 0.1}
                    if s == SX["police"]
                    else {"unverified": 0.4, "reported": 0.5, "corroborated": 0.1}
                )
                dd = d if s in (SX["police"], SX["other"]) else d + rng.integers(1, 10, m)
                self.sight(rec, pl, dd, c, s, self.rel(rels, m))
                if len(men) and s == SX["police"] and rng.random() < 0.3:
                    self.sight(
                        int(rng.choice(men)),
                        pl,
                        d,
                        CX["cse"],
                        SX["police"],
                        self.rel({"reported": 0.6, "corroborated": 0.4})[0],
                    )
            # reported missing from home or care the same night
            miss = present[rng.random(k) < 0.6]
            if len(miss):
                self.sight(
                    miss,
                    self.res_at(miss, d),
                    d,
                    CX["missing_episode"],
                    self.src({"police": 0.55, "social_care": 0.45}, len(miss)),
                    self.rel(
                        {"reported": 0.65, "corroborated": 0.25, "unverified": 0.1}, len(miss)
                    ),
                )
            if rng.random() < 0.2:
                v = int(rng.choice(present))
                self.sight(
                    v,
                    hub,
                    d,
                    CX["cse"] if rng.random() < 0.5 else CX["missing_episode"],
                    SX["police"],
                    self.rel({"reported": 0.7, "corroborated": 0.3})[0],
                )
        # a Snapchat group some of them share
        chat = int(
            self.add_places(
                KX["online"],
                np.nan,
                np.nan,
                -1,
                np.nan,
                platform=PLATFORMS.index("snapchat"),
                force=True,
            )[0]
        )
        h["chat"] = chat
        members = rng.choice(vic, size=min(len(vic), int(rng.integers(3, 6))), replace=False)
        for v in members:
            d = int(rng.integers(h["start"], h["end"] + 1))
            self.sight(
                v,
                chat,
                d,
                CX["image_sharing"] if rng.random() < 0.6 else CX["cse"],
                self.src({"school": 0.4, "young_person": 0.3, "police": 0.3})[0],
                self.rel({"unverified": 0.4, "reported": 0.5, "corroborated": 0.1})[0],
            )
        # "boyfriends": partner ties as often as exploiter ties
        for v in vic:
            if not len(men):
                break
            e = int(rng.choice(men))
            u = rng.random()
            f = np.array(rng.integers(h["start"], h["end"] + 1))
            if u < 0.35:
                self.add_ties(
                    v,
                    e,
                    TX["partner"],
                    self.src({"health": 0.4, "social_care": 0.3, "young_person": 0.3})[0],
                    self.rel({"unverified": 0.55, "reported": 0.45})[0],
                    f,
                )
            elif u < (0.55 if thin else 0.7):
                self.add_ties(
                    e,
                    v,
                    TX["exploiter"],
                    self.src({"social_care": 0.6, "police": 0.4})[0],
                    self.rel({"reported": 0.6, "corroborated": 0.3, "unverified": 0.1})[0],
                    f,
                )
        for r in h["recruiter"]:
            for v in vic[rng.random(len(vic)) < 0.5]:
                self.add_ties(
                    r,
                    v,
                    TX["friend"] if rng.random() < 0.6 else TX["associate"],
                    self.src({"school": 0.4, "social_care": 0.4, "young_person": 0.2})[0],
                    self.rel({"reported": 0.6, "unverified": 0.4})[0],
                    np.array(rng.integers(h["start"], h["end"] + 1)),
                )
        self.among(
            men,
            0.7,
            {"associate": 1.0},
            {"police": 1.0},
            {"reported": 0.4, "corroborated": 0.6},
            h["start"],
            h["end"],
        )
        self.among(
            vic,
            0.2,
            {"friend": 0.8, "associate": 0.2},
            {"school": 0.5, "social_care": 0.5},
            {"reported": 0.6, "unverified": 0.4},
            h["start"],
            h["end"],
        )

    def records_raided_flat(self, h: dict[str, Any]) -> None:
        rng = self.rng
        vic, ex, pl = h["victims"], h["exploiters"], h["place"]
        for v in vic:
            m = int(rng.integers(1, 3))
            dd = rng.integers(h["start"], h["end"] - 3, m)
            self.sight(
                v,
                pl,
                dd,
                _draw(
                    rng,
                    {"cce": 0.45, "gang_association": 0.2, "other": 0.25, "missing_episode": 0.1},
                    CONTEXTS,
                    m,
                ),
                self.src(
                    {
                        "youth_service": 0.35,
                        "voluntary_sector": 0.25,
                        "young_person": 0.25,
                        "school": 0.15,
                    },
                    m,
                ),
                self.rel({"unverified": 0.6, "reported": 0.4}, m),
            )
        anon = int(rng.choice(vic))
        self.sight(
            anon,
            pl,
            int(rng.integers(h["start"], h["end"])),
            CX["cce"],
            SX["other"],
            RELIABILITY.index("unverified"),
        )
        for v in h["away"]:
            m = int(rng.integers(2, 4))
            dd = rng.integers(h["start"], h["end"] + 1, m)
            self.sight(
                v,
                self.res_at(v, dd),
                dd,
                CX["missing_episode"],
                self.src({"police": 0.5, "social_care": 0.5}, m),
                self.rel({"reported": 0.7, "corroborated": 0.3}, m),
            )
        end = h["end"]
        if h["raid"]:
            k = int(min(len(vic), rng.integers(2, 5)))
            caught = rng.choice(vic, size=k, replace=False)
            self.sight(caught, pl, end, CX["cce"], SX["police"], RELIABILITY.index("confirmed"))
            self.sight(ex[0], pl, end, CX["cce"], SX["police"], RELIABILITY.index("confirmed"))
            self.sight(
                caught[0],
                pl,
                end,
                CX["missing_episode"],
                SX["police"],
                RELIABILITY.index("confirmed"),
            )
            sc = caught[: int(rng.integers(1, 3))]
            self.sight(
                sc, pl, end + 1, CX["other"], SX["social_care"], RELIABILITY.index("reported")
            )
            for v in caught[: max(2, k - 1)]:
                self.add_ties(
                    ex[0],
                    v,
                    TX["exploiter"],
                    SX["police"],
                    self.rel({"confirmed": 0.5, "corroborated": 0.5})[0],
                    np.array(end),
                )
        else:
            for d in np.sort(rng.integers(h["start"], end + 1, 2)):
                v = int(rng.choice(vic))
                self.sight(
                    v, pl, d, CX["missing_episode"], SX["police"], RELIABILITY.index("corroborated")
                )
            self.sight(
                int(rng.choice(vic)),
                pl,
                int(rng.integers(h["start"], end + 1)),
                CX["cce"],
                SX["police"],
                RELIABILITY.index("reported"),
            )
            for v in rng.choice(vic, size=min(2, len(vic)), replace=False):
                self.add_ties(
                    ex[0],
                    v,
                    TX["exploiter"],
                    SX["social_care"],
                    RELIABILITY.index("reported"),
                    np.array(rng.integers(h["start"], end + 1)),
                )
        self.among(
            vic,
            0.35,
            {"associate": 1.0},
            {"youth_service": 0.6, "police": 0.4},
            {"unverified": 0.7, "reported": 0.3},
            h["start"],
            end,
        )

    def records_takeaway_flat(self, h: dict[str, Any]) -> None:
        rng = self.rng
        vic, ex, flat, shop = h["victims"], h["exploiters"], h["place"], h["dup"]
        thin = h["thin"]
        n_flat = max(4, int(rng.integers(8, 15) * (0.55 if thin else 1.0)))
        n_shop = max(4, int(rng.integers(8, 15) * (0.55 if thin else 1.0)))
        p = rng.choice(vic, size=n_flat)
        dd = rng.integers(h["start"], h["end"] + 1, n_flat)
        self.sight(
            p,
            flat,
            dd,
            _draw(
                rng,
                {"cce": 0.5, "gang_association": 0.25, "missing_episode": 0.25},
                CONTEXTS,
                n_flat,
            ),
            SX["police"],
            self.rel({"reported": 0.55, "corroborated": 0.4, "confirmed": 0.05}, n_flat),
        )
        if len(ex):
            self.sight(
                ex,
                flat,
                rng.integers(h["start"], h["end"] + 1, len(ex)),
                CX["cce"],
                SX["police"],
                self.rel({"reported": 0.6, "corroborated": 0.4}, len(ex)),
            )
        p = rng.choice(vic, size=n_shop)
        dd = rng.integers(h["start"], h["end"] + 1, n_shop)
        self.sight(
            p,
            shop,
            dd,
            _draw(
                rng,
                {"cce": 0.35, "gang_association": 0.2, "cse": 0.1, "other": 0.35},
                CONTEXTS,
                n_shop,
            ),
            self.src(
                {
                    "youth_service": 0.3,
                    "school": 0.25,
                    "social_care": 0.3,
                    "voluntary_sector": 0.15,
                },
                n_shop,
            ),
            self.rel({"unverified": 0.4, "reported": 0.5, "corroborated": 0.1}, n_shop),
        )
        # a stabbing at the takeaway: two of them and two others
        d = int(rng.integers(h["start"], h["end"] + 1))
        hurt = rng.choice(vic, size=min(2, len(vic)), replace=False)
        others = np.flatnonzero(
            ~self.alias_slot & (self.pre_auth == h["host"]) & ~self.adult & (self.age >= 14)
        )
        others = np.setdiff1d(others, vic)
        bystanders = (
            rng.choice(others, size=min(2, len(others)), replace=False) if len(others) else []
        )
        involved = np.concatenate([hurt, np.asarray(bystanders, dtype=np.int64)])
        self.sight(
            involved,
            shop,
            d,
            CX["serious_youth_violence"],
            SX["police"],
            self.rel({"corroborated": 0.5, "confirmed": 0.5}, len(involved)),
        )
        self.sight(
            hurt, shop, d, CX["serious_youth_violence"], SX["health"], RELIABILITY.index("reported")
        )
        p_exp = 0.3 if thin else 0.45
        self.exploit_ties(
            ex,
            vic,
            p_exp,
            0.4,
            {"social_care": 0.5, "police": 0.5},
            {"unverified": 0.25, "reported": 0.5, "corroborated": 0.25},
            h["start"],
            h["end"],
        )
        self.among(
            vic,
            0.35,
            {"group_member": 0.4, "associate": 0.4, "friend": 0.2},
            {"police": 0.5, "school": 0.3, "youth_service": 0.2},
            {"unverified": 0.3, "reported": 0.5, "corroborated": 0.2},
            h["start"],
            h["end"],
        )

    def records_line(self, line: dict[str, Any]) -> None:
        rng = self.rng
        o, d_auth, pl = line["o"], line["d"], line["place"]
        runners, locals_ = line["runners"], line["locals"]
        holder, middle = line["holder"], line["middle"]
        hub_d = self.busiest(KX["transport_hub"], d_auth)
        hub_o = self.busiest(KX["transport_hub"], o, rank=int(rng.integers(0, 2)))
        n_trips = int(rng.integers(6, 13))
        for t in np.sort(rng.integers(line["start"], line["end"] - 5, n_trips)):
            go = rng.choice(runners, size=int(min(len(runners), rng.integers(1, 3))), replace=False)
            for v in go:
                if rng.random() < 0.7:
                    self.sight(
                        v,
                        self.res_at(v, t),
                        t,
                        CX["missing_episode"],
                        self.src({"police": 0.5, "social_care": 0.5})[0],
                        self.rel({"reported": 0.7, "corroborated": 0.2, "unverified": 0.1})[0],
                    )
                if rng.random() < 0.2:
                    self.sight(
                        v,
                        hub_o,
                        t,
                        CX["missing_episode"],
                        SX["police"],
                        RELIABILITY.index("reported"),
                    )
                if rng.random() < 0.35:
                    self.sight(
                        v,
                        hub_d,
                        t + int(rng.integers(0, 2)),
                        CX["cce"],
                        SX["police"],
                        self.rel({"reported": 0.6, "corroborated": 0.4})[0],
                    )
                if rng.random() < 0.45:
                    c = CX["cce"] if rng.random() < 0.7 else CX["missing_episode"]
                    self.sight(
                        v,
                        pl,
                        t + int(rng.integers(1, 5)),
                        c,
                        SX["police"],
                        self.rel({"reported": 0.3, "corroborated": 0.5, "confirmed": 0.2})[0],
                    )
                if rng.random() < 0.5:
                    self.sight(
                        v,
                        self.res_at(v, t + 4),
                        t + int(rng.integers(3, 8)),
                        CX["cce"],
                        SX["social_care"],
                        self.rel({"reported": 0.7, "unverified": 0.3})[0],
                    )
            if len(locals_) and rng.random() < 0.25:
                self.sight(
                    int(rng.choice(locals_)),
                    pl,
                    t + int(rng.integers(1, 5)),
                    CX["cce"],
                    SX["police"],
                    self.rel({"reported": 0.6, "corroborated": 0.4})[0],
                )
        for v in locals_:
            m = int(rng.integers(1, 4))
            dd = rng.integers(line["start"], line["end"] + 1, m)
            self.sight(
                v,
                pl,
                dd,
                _draw(rng, {"cce": 0.6, "gang_association": 0.25, "other": 0.15}, CONTEXTS, m),
                self.src({"youth_service": 0.4, "police": 0.4, "voluntary_sector": 0.2}, m),
                self.rel({"unverified": 0.4, "reported": 0.5, "corroborated": 0.1}, m),
            )
        if rng.random() < 0.5:
            self.sight(
                holder,
                pl,
                int(rng.integers(line["start"], line["end"])),
                CX["cce"],
                SX["police"],
                RELIABILITY.index("corroborated"),
            )
        self.exploit_ties(
            holder,
            runners,
            0.6,
            0.2,
            {"police": 0.5, "social_care": 0.5},
            {"unverified": 0.15, "reported": 0.55, "corroborated": 0.3},
            line["start"],
            line["end"],
        )
        if len(middle):
            self.exploit_ties(
                middle,
                runners,
                0.3,
                0.4,
                {"police": 0.7, "youth_service": 0.3},
                {"unverified": 0.4, "reported": 0.5, "corroborated": 0.1},
                line["start"],
                line["end"],
            )
            self.add_ties(
                holder[0],
                middle,
                TX["associate"],
                SX["police"],
                RELIABILITY.index("corroborated"),
                np.array(rng.integers(EARLIEST, line["start"] + 1)),
            )
        self.among(
            runners,
            0.45,
            {"associate": 0.7, "friend": 0.3},
            {"police": 0.6, "school": 0.4},
            {"reported": 0.6, "unverified": 0.2, "corroborated": 0.2},
            line["start"],
            line["end"],
        )
        for v in locals_:
            for r in runners[rng.random(len(runners)) < 0.4]:
                self.add_ties(
                    v,
                    r,
                    TX["associate"],
                    SX["police"],
                    self.rel({"reported": 0.7, "unverified": 0.3})[0],
                    np.array(rng.integers(line["start"], line["end"] + 1)),
                )
            if rng.random() < 0.2:
                self.add_ties(
                    holder[0],
                    v,
                    TX["exploiter"],
                    SX["youth_service"],
                    RELIABILITY.index("unverified"),
                    np.array(rng.integers(line["start"], line["end"] + 1)),
                )

    # -- decoys ------------------------------------------------------------------------

    def decoys(self) -> list[dict[str, Any]]:
        out = []
        for dc in self.decoy_plans:
            getattr(self, f"decoy_{dc['kind']}")(dc)
            out.append(dc)
        return out

    def decoy_fight(self, dc: dict[str, Any]) -> None:
        rng = self.rng
        a = int(rng.choice(self.A, p=self.w))
        kind = KX["transport_hub"] if rng.random() < 0.5 else KX["fast_food"]
        venue = self.busiest(kind, a)
        a = int(self.p_auth[venue])
        other = int(self.random_neighbour(np.array([a]))[0])
        g1 = self.pick(int(rng.integers(3, 6)), [a], ages=(14, 17), p_male=0.75)
        g2 = self.pick(int(rng.integers(3, 6)), [other], ages=(14, 17), p_male=0.75)
        ppl = np.concatenate([g1, g2])
        d = int(rng.integers(10, N_DAYS - 20))
        m = len(ppl)
        self.sight(
            ppl,
            venue,
            d,
            CX["serious_youth_violence"],
            SX["police"],
            self.rel({"reported": 0.2, "corroborated": 0.5, "confirmed": 0.3}, m),
        )
        hurt = rng.choice(ppl, size=min(3, m), replace=False)
        self.sight(
            hurt,
            venue,
            d + rng.integers(0, 2, len(hurt)),
            CX["serious_youth_violence"],
            SX["health"],
            RELIABILITY.index("reported"),
        )
        gang = ppl[rng.random(m) < 0.3]
        self.sight(
            gang, venue, d, CX["gang_association"], SX["police"], RELIABILITY.index("reported")
        )
        for p in ppl[rng.random(m) < 0.4]:
            if self.school_pre[p] >= 0:
                self.sight(
                    p,
                    self.school_pre[p],
                    self.school_day[min(N_DAYS - 1, d + 1)],
                    CX["serious_youth_violence"],
                    SX["school"],
                    RELIABILITY.index("reported"),
                )
        park = self.busiest(KX["park"], other)
        back = rng.choice(ppl, size=min(m, int(rng.integers(3, 6))), replace=False)
        self.sight(
            back,
            park,
            min(N_DAYS - 1, d + int(rng.integers(5, 13))),
            CX["serious_youth_violence"],
            SX["police"],
            self.rel({"reported": 0.3, "corroborated": 0.6, "confirmed": 0.1}, len(back)),
        )
        for g in (g1, g2):
            self.among(
                g,
                0.5,
                {"group_member": 0.5, "associate": 0.5},
                {"police": 1.0},
                {"corroborated": 0.6, "reported": 0.4},
                d,
                d,
            )
        dc.update(place=venue, people=ppl, day=d)

    def decoy_bullying(self, dc: dict[str, Any]) -> None:
        rng = self.rng
        pupils = np.flatnonzero(
            ~self.used & (self.school_pre >= 0) & (self.rday == NEVER) & (self.age <= 16)
        )
        counts = np.bincount(self.school_pre[pupils])
        big = np.flatnonzero(counts >= 8)
        school = int(rng.choice(big)) if len(big) else int(np.argmax(counts))
        mem = pupils[self.school_pre[pupils] == school]
        k = int(min(len(mem), rng.integers(8, 15)))
        ppl = np.sort(rng.choice(mem, size=k, replace=False))
        self.used[ppl] = True
        start = int(rng.choice([160, 200, 240, 280]))
        chat = self.chat[ppl[0]]
        if chat < 0:
            chat = int(
                self.add_places(
                    KX["online"],
                    np.nan,
                    np.nan,
                    -1,
                    "year group chat",
                    platform=PLATFORMS.index("whatsapp"),
                    force=True,
                )[0]
            )
        for p in ppl:
            m = int(rng.integers(1, 5))
            dd = self.school_day[rng.integers(start, min(N_DAYS, start + 80), m)]
            self.sight(
                p,
                school,
                dd,
                _draw(
                    rng,
                    {"bullying": 0.75, "harmful_sexual_behaviour": 0.1, "other": 0.15},
                    CONTEXTS,
                    m,
                ),
                self.src({"school": 0.85, "young_person": 0.1, "social_care": 0.05}, m),
                self.rel({"reported": 0.6, "corroborated": 0.3, "unverified": 0.1}, m),
            )
            if rng.random() < 0.5:
                d = int(rng.integers(start, min(N_DAYS, start + 80)))
                self.sight(
                    p,
                    chat,
                    d,
                    CX["online_harassment"] if rng.random() < 0.7 else CX["image_sharing"],
                    self.src({"school": 0.8, "police": 0.2})[0],
                    self.rel({"reported": 0.7, "corroborated": 0.3})[0],
                )
        self.among(
            ppl,
            0.25,
            {"friend": 0.7, "associate": 0.3},
            {"school": 1.0},
            {"reported": 0.8, "corroborated": 0.2},
            start,
            start + 80,
        )
        dc.update(place=school, people=ppl, day=start)

    def decoy_missing_from_care(self, dc: dict[str, Any]) -> None:
        rng = self.rng
        ppl, home = dc["people"], dc["place"]
        first = N_DAYS
        for p in ppl:
            m = int(rng.integers(3, 9))
            dd = rng.integers(max(0, int(self.rday[p])), N_DAYS, m)
            first = min(first, int(dd.min()))
            self.sight(
                p,
                home,
                dd,
                CX["missing_episode"],
                self.src({"police": 0.55, "social_care": 0.45}, m),
                self.rel({"reported": 0.5, "corroborated": 0.4, "confirmed": 0.1}, m),
            )
            found = dd[rng.random(m) < 0.4]
            if len(found):
                hubs = self.pick_venue(
                    KX["transport_hub"], self.target_auth(np.full(len(found), dc["auth"]), 0.4, 0.4)
                )
                self.sight(
                    p,
                    hubs,
                    found,
                    CX["missing_episode"],
                    SX["police"],
                    RELIABILITY.index("reported"),
                )
        worried = rng.choice(ppl, size=min(2, len(ppl)), replace=False)
        self.sight(
            worried,
            home,
            rng.integers(0, N_DAYS, len(worried)),
            CX["cse"],
            SX["social_care"],
            RELIABILITY.index("unverified"),
        )
        self.among(
            ppl,
            0.5,
            {"friend": 0.7, "associate": 0.3},
            {"social_care": 1.0},
            {"reported": 0.6, "corroborated": 0.4},
            0,
            N_DAYS - 1,
        )
        dc["day"] = first

    def decoy_party_assault(self, dc: dict[str, Any]) -> None:
        rng = self.rng
        a = int(rng.choice(self.A, p=self.w))
        host = self.pick(1, [a], ages=(15, 17))
        area = self.area_of(a)
        guests = self.pick(int(rng.integers(5, 11)), area, ages=(14, 17))
        ppl = np.concatenate([host, guests])
        d = int(self.weekend(np.array([rng.integers(0, N_DAYS - 14)]))[0])
        house = int(self.res_at(host[0], d))
        victim, perp = ppl[1], ppl[2]
        self.sight(
            [victim, perp],
            house,
            d,
            CX["harmful_sexual_behaviour"],
            SX["police"],
            self.rel({"corroborated": 0.7, "reported": 0.3}, 2),
        )
        self.sight(
            victim,
            house,
            d + 1,
            CX["harmful_sexual_behaviour"],
            SX["health"],
            RELIABILITY.index("reported"),
        )
        fight = ppl[3 : 3 + int(rng.integers(2, 4))]
        self.sight(
            fight,
            house,
            d,
            CX["serious_youth_violence"],
            SX["police"],
            self.rel({"reported": 0.5, "corroborated": 0.5}, len(fight)),
        )
        rest = ppl[3 + len(fight) :]
        self.sight(rest, house, d, CX["other"], SX["police"], RELIABILITY.index("reported"))
        for p in rng.choice(ppl, size=min(4, len(ppl)), replace=False):
            if self.school_pre[p] >= 0:
                self.sight(
                    p,
                    self.school_pre[p],
                    self.school_day[min(N_DAYS - 1, d + int(rng.integers(2, 6)))],
                    CX["image_sharing"],
                    SX["school"],
                    RELIABILITY.index("reported"),
                )
        self.add_ties(
            perp,
            victim,
            TX["associate"],
            SX["police"],
            RELIABILITY.index("corroborated"),
            np.array(d),
        )
        self.among(
            ppl, 0.15, {"friend": 1.0}, {"school": 0.5, "police": 0.5}, {"reported": 1.0}, d, d
        )
        dc.update(place=house, people=ppl, day=d)

    def decoy_gang_feud(self, dc: dict[str, Any]) -> None:
        rng = self.rng
        groups = self.groups
        pair = None
        for i in rng.permutation(len(groups)):
            for j in rng.permutation(len(groups)):
                ai, aj = groups[i][0], groups[j][0]
                if i != j and (ai == aj or self.adj[ai, aj]):
                    pair = (groups[i], groups[j])
                    break
            if pair:
                break
        if pair is None:
            a = int(rng.choice(self.A, p=self.w))
            g1 = self.pick(6, [a], ages=(14, 18), p_male=0.9)
            g2 = self.pick(6, self.area_of(a), ages=(14, 18), p_male=0.9)
            pair = ((a, g1, -1), (a, g2, -1))
        (a1, m1, _), (_, m2, _) = pair
        self.used[m1] = True
        self.used[m2] = True
        park = self.busiest(KX["park"], a1, rank=int(rng.integers(0, 2)))
        start = int(rng.integers(0, N_DAYS - 100))
        days = np.sort(rng.integers(start, start + 95, int(rng.integers(4, 8))))
        ppl: list[int] = []
        for d in days:
            k1 = int(min(len(m1), rng.integers(2, 4)))
            k2 = int(min(len(m2), rng.integers(1, 3)))
            inv = np.concatenate(
                [rng.choice(m1, k1, replace=False), rng.choice(m2, k2, replace=False)]
            )
            ppl.extend(int(x) for x in inv)
            c = np.where(
                rng.random(len(inv)) < 0.7, CX["serious_youth_violence"], CX["gang_association"]
            )
            self.sight(
                inv,
                park,
                d,
                c,
                SX["police"],
                self.rel({"reported": 0.3, "corroborated": 0.55, "confirmed": 0.15}, len(inv)),
            )
            if rng.random() < 0.4:
                self.sight(
                    inv[0],
                    park,
                    d,
                    CX["serious_youth_violence"],
                    SX["health"],
                    RELIABILITY.index("reported"),
                )
        dc.update(place=park, people=np.array(sorted(set(ppl)), dtype=np.int64), day=int(days[0]))

    # -- quirks and tables -------------------------------------------------------------

    def aliases(
        self, srec: dict[str, np.ndarray], trec: dict[str, np.ndarray]
    ) -> list[tuple[int, int]]:
        """Some children appear under a second pseudonym from one agency's system."""
        rng = self.rng
        slots = np.flatnonzero(self.alias_slot)
        counts = np.bincount(srec["p"], minlength=self.n)
        cand = np.flatnonzero(~self.alias_slot & ~self.adult & (counts >= 4))
        chosen = rng.choice(cand, size=min(len(slots), len(cand)), replace=False)
        pairs = []
        for slot, p in zip(slots, chosen, strict=False):
            agency = int(
                rng.choice(
                    [
                        SX["health"],
                        SX["school"],
                        SX["youth_service"],
                        SX["voluntary_sector"],
                        SX["police"],
                    ]
                )
            )
            self.home_rec[slot] = self.home_rec[p]
            self.age[slot] = min(25, self.age[p] + int(rng.random() < 0.3))
            self.sex[slot] = self.sex[p] if rng.random() < 0.7 else "unknown"
            self.lac[slot] = self.lac[p]
            sm = (srec["p"] == p) & (srec["s"] == agency)
            srec["p"][sm] = slot
            tm_a = (trec["a"] == p) & (trec["s"] == agency)
            tm_b = (trec["b"] == p) & (trec["s"] == agency)
            trec["a"][tm_a] = slot
            trec["b"][tm_b] = slot
            pairs.append((int(p), int(slot)))
        self.alias_slot[slots[len(pairs) :]] = False  # unused slots stay as thin records
        return pairs

    def grade(self, auth: np.ndarray, rel: np.ndarray) -> np.ndarray:
        rng = self.rng
        style = self.grading[auth]
        u = rng.random(len(rel))
        rel = rel.copy()
        flat = (style == 1) & (u < 0.8)
        rel[flat] = 1
        down = (style == 2) & (u < 0.35)
        rel[down] = np.maximum(0, rel[down] - 1)
        up = (style == 3) & (u < 0.3)
        rel[up] = np.minimum(3, rel[up] + 1)
        return rel


def _enum_text(values: tuple[str, ...], codes: np.ndarray, style: np.ndarray) -> np.ndarray:
    lower = list(values)
    title = [v.upper() if v in ("cse", "cce") else v.replace("_", " ").title() for v in values]
    upper = [v.upper().replace("_", " ") if i % 2 else v.upper() for i, v in enumerate(values)]
    table = np.array([lower, title, upper], dtype=object)
    return table[style, codes]


def _date_text(days: np.ndarray, style: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Dates as a partner writes them: ISO, UK day-first, or ISO with a time of day."""
    lo = int(min(days.min(), 0)) if len(days) else 0
    span = np.arange(lo, N_DAYS + 10)
    dates = [START + timedelta(days=int(i)) for i in span]
    iso = np.array([d.isoformat() for d in dates], dtype=object)
    uk = np.array([d.strftime("%d/%m/%Y") for d in dates], dtype=object)
    idx = days - lo
    out = np.where(style == 1, uk[idx], iso[idx])
    timed = np.flatnonzero(style == 2)
    if len(timed):
        hh = rng.integers(0, 24, len(timed))
        mm = 5 * rng.integers(0, 12, len(timed))
        out[timed] = [
            f"{iso[i]} {h:02d}:{m:02d}" for i, h, m in zip(idx[timed], hh, mm, strict=True)
        ]
    return out


def _police_times(style: np.ndarray, src: np.ndarray) -> np.ndarray:
    """Only police systems export a time of day with the date."""
    return np.where((style == 2) & (src != SX["police"]), 0, style)


def _dedupe(cols: dict[str, np.ndarray], keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    if not len(cols[keys[0]]):
        return cols
    mat = np.column_stack([cols[k] for k in keys])
    _, first = np.unique(mat, axis=0, return_index=True)
    first = np.sort(first)
    return {k: v[first] for k, v in cols.items()}


def heldout_e_scenario(
    boundaries: gpd.GeoDataFrame, *, n_people: int, seed: int
) -> tuple[peermap.Dataset, HeldOutETruth]:
    """Build held-out world E on ``boundaries`` and return the dataset and its truth.

    Parameters
    ----------
    boundaries : geopandas.GeoDataFrame
        Standard peermap boundaries (``code``, ``name``, ``geometry``).
    n_people : int
        Rows of the people table (young people, a few young adults, and second
        pseudonyms of some children).
    seed : int
        Seed; the same seed, size and boundaries give the same world.
    """
    t0 = time.perf_counter()
    w = _World(boundaries, n_people, seed)
    rng = w.rng
    w.partners()
    w.people()
    w.venues()
    w.relocations_background()
    w.plan()
    w.residences()
    w.schools()
    w.background()
    w.background_ties()
    for h in w.hubs:
        getattr(w, f"records_{h['design']}")(h)
    if w.line is not None:
        w.records_line(w.line)
    decoys = w.decoys()

    # -- assemble ----------------------------------------------------------------------
    srec_bg = w.bg.frame()
    srec_pl = w.pl_rec.frame()
    srec = {k: np.concatenate([srec_bg[k], srec_pl[k]]) for k in srec_bg}
    trec = w.ties.frame()
    alias_pairs = w.aliases(srec, trec)
    pauth = w.place_auth_arr()
    srec["r"] = w.grade(
        np.where(pauth[srec["pl"]] < 0, w.home_rec[srec["p"]], pauth[srec["pl"]]), srec["r"]
    )
    trec["r"] = w.grade(w.pre_auth[trec["a"]], trec["r"])
    srec = _dedupe(srec, ("p", "pl", "d", "c", "s", "r"))
    trec = _dedupe(trec, ("a", "b", "k", "f", "l", "s", "r"))
    # an undirected tie written both ways with the same content is one record
    undirected = trec["k"] != TX["exploiter"]
    lo = np.where(undirected, np.minimum(trec["a"], trec["b"]), trec["a"])
    hi = np.where(undirected, np.maximum(trec["a"], trec["b"]), trec["b"])
    trec = _dedupe({**trec, "lo": lo, "hi": hi}, ("lo", "hi", "k", "f", "l", "s", "r"))
    moved = np.flatnonzero((w.rday < NEVER) & (w.pre_auth != w.post_auth))
    rrec = {
        "p": moved,
        "fa": w.pre_auth[moved],
        "ta": w.post_auth[moved],
        "d": w.rday[moved],
        "k": w.rkind[moved],
    }

    # places kept: every venue and online space, homes only where something was recorded
    n_pl = len(w.p_kind)
    used = np.zeros(n_pl, dtype=bool)
    used[srec["pl"]] = True
    kinds = np.asarray(w.p_kind)
    keep = used | (kinds != KX["residential"]) | np.asarray(w.p_force)
    place_idx = np.flatnonzero(keep)
    taken: set[str] = set()
    pid = _pseudonyms(rng, n_people, taken)
    vid = np.full(n_pl, None, dtype=object)
    vid[place_idx] = _pseudonyms(rng, len(place_idx), taken)

    # -- people --------------------------------------------------------------------
    ha = w.home_rec
    astyle = w.auth_style[ha]
    upper_names = np.array([s.upper() for s in w.names], dtype=object)
    home_text = np.where(
        astyle == 0, w.codes[ha], np.where(astyle == 1, w.names[ha], upper_names[ha])
    )
    bool_tbl = np.array([["false", "true"], ["N", "Y"], ["no", "yes"], ["0", "1"]], dtype=object)
    la = bool_tbl[w.bool_style[ha], w.lac.astype(np.int64)]
    la = np.where(w.la_supplied[ha] & (rng.random(n_people) < 0.97), la, np.nan)
    sex = np.where(w.sex == "", np.nan, w.sex)
    people = pd.DataFrame(
        {
            "person_id": pid,
            "home_authority": home_text,
            "age": w.age.astype(str),
            "sex": sex,
            "looked_after": la,
        }
    )

    # -- places --------------------------------------------------------------------
    pk = kinds[place_idx]
    pa = pauth[place_idx]
    px = np.asarray(w.p_x)[place_idx]
    py = np.asarray(w.p_y)[place_idx]
    online = pk == KX["online"]
    partner = np.where(pa < 0, 0, pa)
    cstyle = np.where(online, -1, w.coord_style[partner])
    lon, lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(
        np.where(online, 0.0, px), np.where(online, 0.0, py)
    )
    east = np.where((cstyle == 0) | (cstyle == 2), np.round(px).astype(object), np.nan)
    north = np.where((cstyle == 0) | (cstyle == 2), np.round(py).astype(object), np.nan)
    lon_t = np.where((cstyle == 1) | (cstyle == 2), np.round(lon, 6).astype(object), np.nan)
    lat_t = np.where((cstyle == 1) | (cstyle == 2), np.round(lat, 6).astype(object), np.nan)
    plat = np.asarray(w.p_platform)[place_idx]
    places = pd.DataFrame(
        {
            "place_id": vid[place_idx],
            "kind": _enum_text(KINDS, pk, w.case_style[partner]),
            "lon": lon_t,
            "lat": lat_t,
            "easting": east,
            "northing": north,
            "label": np.asarray(w.p_label, dtype=object)[place_idx],
            "platform": np.where(
                plat >= 0, np.array(PLATFORMS, dtype=object)[np.maximum(plat, 0)], np.nan
            ),
        }
    )

    # -- sightings -----------------------------------------------------------------
    spart = np.where(pauth[srec["pl"]] < 0, w.home_rec[srec["p"]], pauth[srec["pl"]])
    cs = w.case_style[spart]
    sightings = pd.DataFrame(
        {
            "person_id": pid[srec["p"]],
            "place_id": vid[srec["pl"]],
            "date": _date_text(srec["d"], _police_times(w.date_style[spart], srec["s"]), rng),
            "context": _enum_text(CONTEXTS, srec["c"], cs),
            "source": _enum_text(SOURCES, srec["s"], cs),
            "reliability": _enum_text(RELIABILITY, srec["r"], cs),
        }
    )

    # -- ties ------------------------------------------------------------------------
    tpart = w.pre_auth[trec["a"]]
    ts = w.case_style[tpart]
    tstyle = _police_times(w.date_style[tpart], trec["s"])
    last = np.where(trec["l"] < -(10**6), 0, trec["l"])
    last_text = _date_text(last, tstyle, rng)
    last_text[trec["l"] < -(10**6)] = np.nan
    ties = pd.DataFrame(
        {
            "person_a": pid[trec["a"]],
            "person_b": pid[trec["b"]],
            "kind": _enum_text(TIE_KINDS, trec["k"], ts),
            "first_seen": _date_text(trec["f"], tstyle, rng),
            "last_seen": last_text,
            "source": _enum_text(SOURCES, trec["s"], ts),
            "reliability": _enum_text(RELIABILITY, trec["r"], ts),
        }
    )

    # -- relocations -------------------------------------------------------------------
    rpart = rrec["fa"]
    rs = w.auth_style[rpart]

    def auth_text(a: np.ndarray) -> np.ndarray:
        return np.where(rs == 0, w.codes[a], np.where(rs == 1, w.names[a], upper_names[a]))

    relocations = pd.DataFrame(
        {
            "person_id": pid[rrec["p"]],
            "from_authority": auth_text(rrec["fa"]),
            "to_authority": auth_text(rrec["ta"]),
            "date": _date_text(rrec["d"], np.minimum(w.date_style[rpart], 1), rng),
            "kind": _enum_text(RELOC_KINDS, rrec["k"], w.case_style[rpart]),
        }
    )
    t_gen = time.perf_counter() - t0

    # exports are ordered by their own keys, never by how the world was made
    people = people.sort_values("person_id", kind="stable").reset_index(drop=True)
    places = places.sort_values("place_id", kind="stable").reset_index(drop=True)
    s_order = np.lexsort((rng.random(len(sightings)), srec["d"]))
    sightings = sightings.iloc[s_order].reset_index(drop=True)
    t_order = np.lexsort((rng.random(len(ties)), trec["f"]))
    ties = ties.iloc[t_order].reset_index(drop=True)
    relocations = relocations.iloc[np.argsort(rrec["d"], kind="stable")].reset_index(drop=True)
    tables = {
        "people": people,
        "places": places,
        "ties": ties,
        "sightings": sightings,
        "relocations": relocations,
    }
    ds = peermap.read_dataset(tables, boundaries=boundaries, strict=True)
    t_val = time.perf_counter() - t0 - t_gen

    # -- truth -------------------------------------------------------------------------
    codes = w.codes

    def auths(fixed: list[int], *groups: np.ndarray) -> tuple[str, ...]:
        s = set(int(x) for x in fixed)
        for g in groups:
            s.update(int(x) for x in np.asarray(g).ravel())
        return tuple(sorted(str(codes[x]) for x in s))

    hub_truth = []
    for h in w.hubs:
        v = np.asarray(h["victims"], dtype=np.int64)
        ex = np.asarray(h["exploiters"], dtype=np.int64)
        hub_truth.append(
            PlantedHub(
                place_id=str(vid[h["place"]]),
                kind=KINDS[w.p_kind[h["place"]]],
                design=h["design"],
                authority=str(codes[h["host"]]),
                people=tuple(str(x) for x in pid[v]),
                exploiters=tuple(str(x) for x in pid[ex]),
                authorities=auths([h["host"]], w.home[v], w.post_auth[v]),
            )
        )
    line_truth = []
    line = w.line
    if line is not None:
        ppl = np.concatenate([line["runners"], line["locals"]]).astype(np.int64)
        ex = np.concatenate([line["holder"], line["middle"]]).astype(np.int64)
        line_truth.append(
            PlantedLine(
                origin=str(codes[line["o"]]),
                destination=str(codes[line["d"]]),
                distance_km=round(line["dist"], 1),
                place_id=str(vid[line["place"]]),
                people=tuple(str(x) for x in pid[ppl]),
                exploiters=tuple(str(x) for x in pid[ex]),
                authorities=auths([line["o"], line["d"]], w.home[ppl]),
            )
        )
    decoy_truth = tuple(
        Decoy(
            place_id=str(vid[dc["place"]]),
            people=tuple(str(x) for x in pid[np.asarray(dc["people"], dtype=np.int64)]),
            kind=dc["kind"],
            day=START + timedelta(days=int(dc["day"])),
        )
        for dc in decoys
    )
    planted_places = [h["place"] for h in w.hubs] + ([line["place"]] if line else [])
    s_pl = srec["pl"]
    parameters: dict[str, Any] = {
        "n_people": n_people,
        "authorities": w.A,
        "region_span_km": round(w.span_km, 1),
        "window": (START.isoformat(), END.isoformat()),
        "designs": tuple(h["design"] for h in w.hubs),
        "hub_thin": tuple(bool(h["thin"]) for h in w.hubs),
        "hub_periods": tuple(
            (
                (START + timedelta(days=h["start"])).isoformat(),
                (START + timedelta(days=h["end"])).isoformat(),
            )
            for h in w.hubs
        ),
        "hub_duplicate_place": tuple(str(vid[h["dup"]]) if "dup" in h else None for h in w.hubs),
        "hub_raid": tuple(h.get("raid") for h in w.hubs),
        "hub_moved_victim": tuple(str(pid[h["moved"]]) if "moved" in h else None for h in w.hubs),
        "planted_place_sightings": tuple(int((s_pl == p).sum()) for p in planted_places),
        "county_line_skipped": w.line_skipped,
        "decoy_kinds": tuple(dc["kind"] for dc in decoys),
        "split_identities": tuple((str(pid[a]), str(pid[b])) for a, b in alias_pairs),
        "adults_in_people_table": int(w.adult.sum()),
        "looked_after_share": round(float(w.lac.mean()), 3),
        "rows": {k: len(v) for k, v in tables.items()},
        "partner_styles": {
            "grading": tuple(("normal", "flat", "cautious", "generous")[g] for g in w.grading),
            "keep": tuple(round(float(k), 2) for k in w.keep),
        },
        "timings": {"generation": round(t_gen, 2), "validation": round(t_val, 2)},
    }
    truth = HeldOutETruth(
        trap_houses=tuple(hub_truth),
        county_lines=tuple(line_truth),
        decoys=decoy_truth,
        seed=seed,
        parameters=parameters,
    )
    return ds, truth
