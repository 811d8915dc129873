"""Held-out world D for the ranking benchmark, written from the schema and domain notes only.

Written without reading how peermap ranks (its ranking, kernels, analysis, synthetic
generator, the earlier held-out worlds or the analysis docs): only the record schema, the
exchange format, the domain notes, the interface of ``docs/synthetic.md`` and the truth
dataclasses of ``_heldout_c.py`` (so the benchmark reads this truth the same way; they
now live in ``_truth.py``, shared by the worlds C, D and E).

The world is a partnership's pooled, pseudonymised records over two years (2024-2025):

- **Ordinary life**: young people (10-18, plus a few young adults: care leavers, older
  partners, older members of street groups) at schools, a pupil referral unit and a college
  per authority, fast food outlets, parks, stations, shopping centres, youth venues, the
  local hospital (A&E), gyms, car parks and stairwells, group chats, and home, foster,
  children's-home and supported-accommodation addresses. Records are thin and mostly
  low-grade; a few young people (looked-after, excluded, street-involved) account for a
  large share of them, as in real caseloads.
- **Genuine harm everywhere**: fights at stations and takeaways, assaults seen at A&E,
  missing episodes from children's homes (whose residents come from many authorities),
  bullying and image sharing at schools, street groups stopped together, older
  boyfriends and isolated exploiter ties that belong to no hub.
- **Partners record differently**: per authority, dates in ISO or UK form, places by
  grid or longitude/latitude, home authorities by code or name, enumerations in lower or
  title case, a grading habit (cautious, vague, standard, confident) and a recording
  volume; the same incident recorded by two agencies; mistyped person and place ids;
  exploitation recorded as "other", relationship abuse or a missing episode; a hotel
  entered twice under two ids; ages mistyped.
- **Planted hubs** (2-4, at most one per authority; designs in ``DESIGNS``), a **county
  line** on regions big enough to have distant authorities (London), and 3-4 **decoys**
  (real, non-exploitative serious harm).

Deterministic in ``seed`` (one ``numpy`` generator, fixed order, no set or dict-order
dependence on hashing).
"""

from __future__ import annotations

import warnings
from datetime import date, timedelta
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from _truth import Decoy, HeldOutTruth, PlantedHub, PlantedLine
from pyproj import Transformer

import peermap

START = date(2024, 1, 1)
END = date(2025, 12, 31)
W = (END - START).days + 1

CTX: tuple[str, ...] = (
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
SRC: tuple[str, ...] = (
    "police",
    "social_care",
    "school",
    "health",
    "youth_service",
    "voluntary_sector",
    "young_person",
    "other",
)
REL: tuple[str, ...] = ("unverified", "reported", "corroborated", "confirmed")
TIE: tuple[str, ...] = (
    "friend",
    "partner",
    "ex_partner",
    "sibling",
    "associate",
    "group_member",
    "exploiter",
)
CI = {c: i for i, c in enumerate(CTX)}
SI = {s: i for i, s in enumerate(SRC)}
TI = {t: i for i, t in enumerate(TIE)}

# -- background models (my own judgement of what pooled partnership records look like) ---

# context of an ordinary record, by the class of place it is made at
BG_CONTEXT: dict[str, dict[str, float]] = {
    "school": {
        "bullying": 0.33,
        "online_harassment": 0.08,
        "harmful_sexual_behaviour": 0.07,
        "serious_youth_violence": 0.09,
        "teenage_relationship_abuse": 0.06,
        "image_sharing": 0.06,
        "missing_episode": 0.04,
        "cse": 0.02,
        "cce": 0.02,
        "gang_association": 0.02,
        "other": 0.21,
    },
    "pru": {
        "serious_youth_violence": 0.2,
        "gang_association": 0.12,
        "bullying": 0.12,
        "cce": 0.07,
        "cse": 0.04,
        "missing_episode": 0.08,
        "harmful_sexual_behaviour": 0.05,
        "teenage_relationship_abuse": 0.04,
        "other": 0.28,
    },
    "fast_food": {
        "serious_youth_violence": 0.22,
        "gang_association": 0.13,
        "bullying": 0.05,
        "missing_episode": 0.11,
        "cce": 0.07,
        "cse": 0.04,
        "teenage_relationship_abuse": 0.05,
        "harmful_sexual_behaviour": 0.02,
        "other": 0.31,
    },
    "park": {
        "serious_youth_violence": 0.21,
        "gang_association": 0.14,
        "missing_episode": 0.1,
        "cce": 0.06,
        "cse": 0.04,
        "harmful_sexual_behaviour": 0.05,
        "bullying": 0.06,
        "teenage_relationship_abuse": 0.06,
        "other": 0.28,
    },
    "transport_hub": {
        "serious_youth_violence": 0.21,
        "missing_episode": 0.21,
        "gang_association": 0.1,
        "cce": 0.08,
        "cse": 0.04,
        "harmful_sexual_behaviour": 0.03,
        "bullying": 0.04,
        "other": 0.29,
    },
    "shopping_centre": {
        "serious_youth_violence": 0.19,
        "missing_episode": 0.1,
        "gang_association": 0.1,
        "bullying": 0.07,
        "cce": 0.05,
        "cse": 0.04,
        "harmful_sexual_behaviour": 0.03,
        "teenage_relationship_abuse": 0.05,
        "other": 0.37,
    },
    "youth_venue": {
        "bullying": 0.14,
        "serious_youth_violence": 0.14,
        "gang_association": 0.1,
        "teenage_relationship_abuse": 0.07,
        "harmful_sexual_behaviour": 0.05,
        "cse": 0.04,
        "cce": 0.04,
        "missing_episode": 0.06,
        "other": 0.36,
    },
    "hotel": {
        "missing_episode": 0.3,
        "other": 0.3,
        "cse": 0.1,
        "cce": 0.08,
        "serious_youth_violence": 0.1,
        "teenage_relationship_abuse": 0.12,
    },
    "other": {
        "serious_youth_violence": 0.19,
        "gang_association": 0.13,
        "cce": 0.08,
        "missing_episode": 0.1,
        "cse": 0.04,
        "harmful_sexual_behaviour": 0.03,
        "bullying": 0.04,
        "teenage_relationship_abuse": 0.03,
        "other": 0.36,
    },
    "hospital": {
        "serious_youth_violence": 0.42,
        "other": 0.34,
        "cse": 0.03,
        "harmful_sexual_behaviour": 0.04,
        "teenage_relationship_abuse": 0.08,
        "missing_episode": 0.04,
        "cce": 0.02,
        "gang_association": 0.03,
    },
    "home": {
        "missing_episode": 0.38,
        "teenage_relationship_abuse": 0.15,
        "other": 0.26,
        "serious_youth_violence": 0.06,
        "cse": 0.04,
        "cce": 0.04,
        "harmful_sexual_behaviour": 0.05,
        "bullying": 0.02,
    },
    "care_home": {
        "missing_episode": 0.55,
        "other": 0.19,
        "serious_youth_violence": 0.08,
        "cse": 0.06,
        "cce": 0.06,
        "harmful_sexual_behaviour": 0.03,
        "gang_association": 0.03,
    },
    "online": {
        "online_harassment": 0.34,
        "image_sharing": 0.3,
        "bullying": 0.15,
        "cse": 0.07,
        "harmful_sexual_behaviour": 0.05,
        "other": 0.09,
    },
}
CLASSES: tuple[str, ...] = tuple(BG_CONTEXT)
CLI = {c: i for i, c in enumerate(CLASSES)}
# how a young person's sex shifts what is recorded about them
SEX_SHIFT = {
    "F": {
        "cse": 2.2,
        "teenage_relationship_abuse": 1.6,
        "image_sharing": 1.4,
        "cce": 0.5,
        "gang_association": 0.4,
        "serious_youth_violence": 0.6,
    },
    "M": {
        "cse": 0.35,
        "teenage_relationship_abuse": 0.6,
        "cce": 1.7,
        "gang_association": 1.8,
        "serious_youth_violence": 1.4,
    },
}
BG_SOURCE: dict[str, dict[str, float]] = {
    "school": {
        "school": 0.68,
        "social_care": 0.1,
        "police": 0.08,
        "youth_service": 0.04,
        "health": 0.04,
        "young_person": 0.04,
        "other": 0.02,
    },
    "hospital": {"health": 0.74, "police": 0.15, "social_care": 0.11},
    "home": {
        "social_care": 0.45,
        "police": 0.4,
        "health": 0.05,
        "voluntary_sector": 0.05,
        "other": 0.05,
    },
    "care_home": {"police": 0.58, "social_care": 0.38, "other": 0.04},
    "online": {
        "school": 0.4,
        "police": 0.22,
        "social_care": 0.15,
        "young_person": 0.12,
        "voluntary_sector": 0.05,
        "other": 0.06,
    },
    "youth_venue": {
        "youth_service": 0.55,
        "police": 0.15,
        "voluntary_sector": 0.15,
        "social_care": 0.1,
        "other": 0.05,
    },
    "public": {
        "police": 0.55,
        "social_care": 0.11,
        "youth_service": 0.08,
        "school": 0.08,
        "voluntary_sector": 0.06,
        "health": 0.04,
        "young_person": 0.05,
        "other": 0.03,
    },
}
SOURCE_OF_CLASS = {
    "school": "school",
    "pru": "school",
    "hospital": "hospital",
    "home": "home",
    "care_home": "care_home",
    "online": "online",
    "youth_venue": "youth_venue",
}
# how much a young person of an age band is drawn to each kind of place
ATTRACT = {
    "fast_food": (1.2, 3.0),
    "park": (2.0, 2.0),
    "transport_hub": (0.8, 2.4),
    "shopping_centre": (1.4, 2.0),
    "youth_venue": (2.2, 1.2),
    "hotel": (0.02, 0.08),
    "other": (0.4, 0.8),
    "hospital": (0.4, 0.5),
}
GRADING = ("standard", "cautious", "vague", "confident")
BASE_REL = np.array([0.25, 0.45, 0.22, 0.08])
WELL_REL = np.array([0.12, 0.4, 0.33, 0.15])
THIN_REL = np.array([0.45, 0.42, 0.11, 0.02])
TIE_SOURCE: dict[str, dict[str, float]] = {
    "friend": {
        "school": 0.35,
        "social_care": 0.2,
        "young_person": 0.15,
        "youth_service": 0.12,
        "police": 0.1,
        "other": 0.08,
    },
    "group_member": {
        "police": 0.45,
        "youth_service": 0.2,
        "school": 0.15,
        "social_care": 0.15,
        "other": 0.05,
    },
    "associate": {"police": 0.6, "social_care": 0.2, "youth_service": 0.1, "other": 0.1},
    "sibling": {"social_care": 0.65, "school": 0.25, "health": 0.1},
    "partner": {
        "social_care": 0.35,
        "school": 0.25,
        "police": 0.2,
        "health": 0.1,
        "young_person": 0.1,
    },
    "exploiter": {"police": 0.45, "social_care": 0.4, "youth_service": 0.1, "other": 0.05},
}

# -- planted designs ---------------------------------------------------------------------

DESIGNS: dict[str, dict[str, Any]] = {
    # a budget hotel by a station: girls, several looked-after and placed out of area,
    # found there when reported missing; older men book the rooms and are rarely seen.
    "hotel_cse": {
        "venue": "hotel",
        "weight": 1.2,
        "victims": (5, 8),
        "ages": (13, 16),
        "female": 0.9,
        "auths": (3, 4),
        "distant": True,
        "lac": 0.5,
        "peers": (0, 1),
        "adults": (2, 3),
        "period": (120, 210),
        "visits": (1, 4),
        "joint": 0.55,
        "ctx": {
            "missing_episode": 0.34,
            "cse": 0.3,
            "other": 0.16,
            "teenage_relationship_abuse": 0.08,
            "harmful_sexual_behaviour": 0.05,
            "cce": 0.07,
        },
        "src": {
            "police": 0.55,
            "social_care": 0.22,
            "health": 0.1,
            "voluntary_sector": 0.08,
            "other": 0.05,
        },
        "satellites": ("transport_hub", "fast_food"),
        "duplicate": 0.2,
        "thin": 0.35,
    },
    # a vulnerable tenant's flat taken over for dealing: boys from the estate and next
    # door, seen together when police execute warrants, a local older lad running it and
    # an adult known only from intelligence.
    "cuckooed_flat": {
        "venue": "new_flat",
        "weight": 1.0,
        "victims": (4, 7),
        "ages": (14, 17),
        "female": 0.1,
        "auths": (2, 3),
        "distant": False,
        "lac": 0.25,
        "peers": (1, 2),
        "adults": (1, 1),
        "period": (90, 180),
        "visits": (1, 3),
        "joint": 0.7,
        "ctx": {
            "cce": 0.3,
            "gang_association": 0.18,
            "missing_episode": 0.22,
            "other": 0.2,
            "serious_youth_violence": 0.1,
        },
        "src": {"police": 0.7, "social_care": 0.15, "other": 0.1, "youth_service": 0.05},
        "satellites": ("other", "park"),
        "duplicate": 0.0,
        "thin": 0.4,
    },
    # a busy takeaway: free food, lifts and "boyfriends"; young girls, mostly local,
    # recorded as relationship abuse and missing episodes as often as as CSE.
    "takeaway": {
        "venue": "busy_fast_food",
        "weight": 1.0,
        "victims": (6, 9),
        "ages": (12, 15),
        "female": 0.95,
        "auths": (2, 3),
        "distant": False,
        "lac": 0.25,
        "peers": (1, 1),
        "adults": (2, 2),
        "period": (180, 300),
        "visits": (1, 3),
        "joint": 0.35,
        "ctx": {
            "cse": 0.22,
            "teenage_relationship_abuse": 0.18,
            "missing_episode": 0.18,
            "image_sharing": 0.08,
            "harmful_sexual_behaviour": 0.06,
            "other": 0.28,
        },
        "src": {
            "police": 0.35,
            "social_care": 0.25,
            "school": 0.15,
            "health": 0.1,
            "youth_service": 0.1,
            "young_person": 0.05,
        },
        "satellites": ("park", "shopping_centre"),
        "duplicate": 0.0,
        "thin": 0.4,
    },
    # a park on a borough boundary where older boys recruit younger ones to deal;
    # stop-and-search records of groups, boys from three authorities.
    "park_cce": {
        "venue": "boundary_park",
        "weight": 0.9,
        "victims": (5, 8),
        "ages": (12, 15),
        "female": 0.1,
        "auths": (3, 3),
        "distant": False,
        "lac": 0.15,
        "peers": (2, 2),
        "adults": (0, 1),
        "period": (100, 240),
        "visits": (1, 4),
        "joint": 0.6,
        "ctx": {
            "cce": 0.26,
            "gang_association": 0.24,
            "serious_youth_violence": 0.18,
            "missing_episode": 0.1,
            "other": 0.22,
        },
        "src": {
            "police": 0.65,
            "youth_service": 0.12,
            "school": 0.08,
            "social_care": 0.1,
            "voluntary_sector": 0.05,
        },
        "satellites": ("fast_food", "transport_hub"),
        "duplicate": 0.0,
        "thin": 0.4,
    },
    # a short-let flat rented for "parties" over a few weeks: girls and some boys from
    # many authorities, brought by a 16-17-year-old recruiter; then it closes.
    "short_let": {
        "venue": "new_short_let",
        "weight": 0.9,
        "victims": (6, 10),
        "ages": (14, 17),
        "female": 0.8,
        "auths": (3, 5),
        "distant": True,
        "lac": 0.4,
        "peers": (1, 1),
        "peer_female": True,
        "adults": (2, 3),
        "period": (35, 70),
        "visits": (1, 3),
        "joint": 0.8,
        "ctx": {
            "missing_episode": 0.4,
            "cse": 0.26,
            "other": 0.16,
            "harmful_sexual_behaviour": 0.08,
            "cce": 0.1,
        },
        "src": {"police": 0.6, "social_care": 0.3, "health": 0.05, "other": 0.05},
        "satellites": ("transport_hub",),
        "duplicate": 0.0,
        "thin": 0.3,
    },
    # the bus station as a meeting and dispatch point: boys from several authorities
    # (some placed out of area) picked up there; transport police records.
    "bus_station": {
        "venue": "busy_transport_hub",
        "weight": 0.8,
        "victims": (4, 7),
        "ages": (13, 16),
        "female": 0.2,
        "auths": (3, 4),
        "distant": True,
        "lac": 0.35,
        "peers": (1, 1),
        "adults": (1, 1),
        "period": (120, 240),
        "visits": (1, 3),
        "joint": 0.3,
        "ctx": {
            "cce": 0.28,
            "missing_episode": 0.3,
            "gang_association": 0.12,
            "other": 0.22,
            "serious_youth_violence": 0.08,
        },
        "src": {"police": 0.7, "social_care": 0.15, "youth_service": 0.05, "other": 0.1},
        "satellites": ("hotel", "fast_food"),
        "duplicate": 0.0,
        "thin": 0.4,
    },
    # a gym / barber run by older men grooming boys: known mostly from youth workers and
    # the voluntary sector, thinly graded.
    "gym_barber": {
        "venue": "new_other",
        "weight": 0.7,
        "victims": (4, 6),
        "ages": (14, 17),
        "female": 0.0,
        "auths": (2, 3),
        "distant": False,
        "lac": 0.15,
        "peers": (0, 1),
        "adults": (2, 2),
        "period": (150, 300),
        "visits": (1, 2),
        "joint": 0.3,
        "ctx": {
            "cce": 0.25,
            "gang_association": 0.25,
            "other": 0.4,
            "serious_youth_violence": 0.1,
        },
        "src": {
            "youth_service": 0.3,
            "voluntary_sector": 0.25,
            "police": 0.3,
            "school": 0.1,
            "young_person": 0.05,
        },
        "satellites": ("park",),
        "duplicate": 0.0,
        "thin": 1.0,
    },
}

IntArray = np.ndarray


# -- truth ---------------------------------------------------------------------------------


HeldOutDTruth = HeldOutTruth


# -- helpers -------------------------------------------------------------------------------


def _vec(probs: dict[str, float], universe: tuple[str, ...]) -> np.ndarray:
    p = np.array([probs.get(k, 0.0) for k in universe], dtype=float)
    return p / p.sum()


def _rowdraw(rng: np.random.Generator, table: np.ndarray, rows: IntArray) -> IntArray:
    """One categorical draw per entry of ``rows`` from that row of ``table``."""
    if len(rows) == 0:
        return np.zeros(0, dtype=np.int64)
    cum = np.cumsum(table, axis=1)
    cum = cum / cum[:, -1:]
    u = rng.random(len(rows))
    out = (u[:, None] >= cum[rows]).sum(axis=1)
    return np.minimum(out, table.shape[1] - 1).astype(np.int64)


def _choose(rng: np.random.Generator, weights: np.ndarray, counts: IntArray) -> IntArray:
    """For each row ``i`` of ``weights``, ``counts[i]`` draws of a column (with replacement)."""
    m, c = weights.shape
    rows = np.repeat(np.arange(m), counts)
    if len(rows) == 0:
        return np.zeros(0, dtype=np.int64)
    w = weights + 1e-12
    cum = np.cumsum(w, axis=1)
    cum = cum / cum[:, -1:]
    flat = (cum + np.arange(m)[:, None]).ravel()
    u = rng.random(len(rows)) * 0.999999 + rows
    j = np.searchsorted(flat, u, side="right") - rows * c
    return np.clip(j, 0, c - 1).astype(np.int64)


def _pairs(n: int) -> tuple[IntArray, IntArray]:
    i, j = np.triu_indices(n, 1)
    return i, j


def _day_strings(days: IntArray, uk: np.ndarray) -> np.ndarray:
    d = np.datetime64(START.isoformat(), "D") + np.asarray(days, dtype="timedelta64[D]")
    iso = np.datetime_as_string(d, unit="D").astype(object)
    s = pd.Series(iso, dtype=object)
    ukform = (s.str[8:10] + "/" + s.str[5:7] + "/" + s.str[0:4]).to_numpy(dtype=object)
    return np.where(uk, ukform, iso)


def _title(values: np.ndarray, title: np.ndarray) -> np.ndarray:
    v = pd.Series(values, dtype=object)
    t = v.str.replace("_", " ").str.title().to_numpy(dtype=object)
    return np.where(title, t, values.astype(object))


# -- the region ----------------------------------------------------------------------------


class _Region:
    def __init__(self, boundaries: gpd.GeoDataFrame) -> None:
        b = boundaries
        if b.crs is not None and b.crs.to_epsg() != 27700:
            b = b.to_crs(27700)
        b = b.sort_values("code").reset_index(drop=True)
        self.codes = b["code"].astype(str).to_numpy()
        self.names = b["name"].astype(str).to_numpy()
        self.geoms = list(b.geometry.to_numpy())
        for g in self.geoms:
            shapely.prepare(g)
        self.n = len(b)
        rp = b.geometry.representative_point()
        self.cx = rp.x.to_numpy()
        self.cy = rp.y.to_numpy()
        self.area = (b.geometry.area / 1e6).to_numpy()
        self.bbox = b.geometry.bounds.to_numpy()
        tree = shapely.STRtree(self.geoms)
        buffered = [g.buffer(60) for g in self.geoms]
        left, right = tree.query(buffered, predicate="intersects")
        nb = np.zeros((self.n, self.n), dtype=bool)
        nb[left, right] = True
        np.fill_diagonal(nb, False)
        self.nb = nb
        self.dist = np.hypot(self.cx[:, None] - self.cx, self.cy[:, None] - self.cy) / 1000.0
        self.span_km = float(self.dist.max()) if self.n > 1 else 0.0

    def sample(
        self,
        rng: np.random.Generator,
        a: int,
        k: int,
        cx: np.ndarray | float | None = None,
        cy: np.ndarray | float | None = None,
        sd: float = 500.0,
    ) -> tuple[np.ndarray, np.ndarray]:
        """``k`` points inside authority ``a``: around (cx, cy) when given, else uniform."""
        g = self.geoms[a]
        x0, y0, x1, y1 = self.bbox[a]
        x = np.empty(k)
        y = np.empty(k)
        todo = np.arange(k)
        if cx is not None:
            cxa = np.broadcast_to(np.asarray(cx, dtype=float), (k,))
            cya = np.broadcast_to(np.asarray(cy, dtype=float), (k,))
            for _ in range(8):
                if not len(todo):
                    break
                px = cxa[todo] + rng.normal(0, sd, len(todo))
                py = cya[todo] + rng.normal(0, sd, len(todo))
                ok = shapely.contains_xy(g, px, py)
                x[todo[ok]] = px[ok]
                y[todo[ok]] = py[ok]
                todo = todo[~ok]
        while len(todo):
            m = max(16, 4 * len(todo))
            px = rng.uniform(x0, x1, m)
            py = rng.uniform(y0, y1, m)
            ok = np.flatnonzero(shapely.contains_xy(g, px, py))[: len(todo)]
            x[todo[: len(ok)]] = px[ok]
            y[todo[: len(ok)]] = py[ok]
            todo = todo[len(ok) :]
        return x, y


# -- places --------------------------------------------------------------------------------


class _Places:
    def __init__(self) -> None:
        self.kind: list[str] = []
        self.role: list[str] = []
        self.auth: list[int] = []
        self.x: list[float] = []
        self.y: list[float] = []
        self.busy: list[float] = []
        self.platform: list[str | None] = []

    def add(
        self,
        kind: str,
        role: str,
        auth: int,
        x: np.ndarray | float,
        y: np.ndarray | float,
        busy: np.ndarray | float,
        platform: str | None = None,
    ) -> IntArray:
        xs = np.atleast_1d(np.asarray(x, dtype=float))
        ys = np.broadcast_to(np.asarray(y, dtype=float), xs.shape)
        bs = np.broadcast_to(np.asarray(busy, dtype=float), xs.shape)
        start = len(self.kind)
        k = len(xs)
        self.kind += [kind] * k
        self.role += [role] * k
        self.auth += [auth] * k
        self.x += xs.tolist()
        self.y += ys.tolist()
        self.busy += bs.tolist()
        self.platform += [platform] * k
        return np.arange(start, start + k)

    def freeze(self) -> None:
        self.karr = np.array(self.kind, dtype=object)
        self.rarr = np.array(self.role, dtype=object)
        self.aarr = np.array(self.auth, dtype=np.int64)
        self.xarr = np.array(self.x)
        self.yarr = np.array(self.y)
        self.barr = np.array(self.busy)

    def __len__(self) -> int:
        return len(self.kind)


def _class_of(kind: str, role: str) -> str:
    if role in ("pru",):
        return "pru"
    if role == "hospital":
        return "hospital"
    if role in ("childrens_home", "supported"):
        return "care_home"
    if kind == "residential":
        return "home"
    if kind == "school":
        return "school"
    return kind


# -- the world -----------------------------------------------------------------------------


class _World:
    def __init__(self, boundaries: gpd.GeoDataFrame, n: int, seed: int) -> None:
        self.rng = np.random.Generator(np.random.PCG64([seed, 4404]))
        self.reg = _Region(boundaries)
        self.n = n
        self.pl = _Places()
        self.sight: list[dict[str, np.ndarray]] = []
        self.ties: list[dict[str, np.ndarray]] = []
        self.reloc: list[tuple[int, int, int, int, str]] = []
        self.cast = np.zeros(n, dtype=bool)

    # ---- styles of the partners ----------------------------------------------------
    def styles(self) -> None:
        rng, na = self.rng, self.reg.n
        self.date_uk = rng.random(na) < 0.4
        self.lonlat = rng.random(na) < 0.35
        self.by_name = rng.random(na) < 0.3
        self.title = rng.random(na) < 0.3
        self.grading = rng.choice(len(GRADING), size=na, p=[0.45, 0.2, 0.15, 0.2])
        self.intensity = np.clip(rng.lognormal(0.0, 0.45, na), 0.4, 2.5)
        self.sex_unknown = np.where(rng.random(na) < 0.25, 0.12, 0.025)
        self.bool_style = rng.integers(0, 4, na)
        area = np.minimum(self.reg.area, np.median(self.reg.area))
        self.pop = area**0.7 * rng.lognormal(0.0, 0.25, na)
        self.pop = self.pop / self.pop.sum()

    # ---- people ----------------------------------------------------------------------
    def people(self) -> None:
        rng, n, na = self.rng, self.n, self.reg.n
        self.home = rng.choice(na, size=n, p=self.pop)
        ages = np.arange(10, 19)
        aw = np.array([3, 5, 8, 11, 14, 16, 16, 14, 9], dtype=float)
        self.age = rng.choice(ages, size=n, p=aw / aw.sum())
        n_adult = max(6, round(0.012 * n))
        adult_idx = rng.choice(n, size=n_adult, replace=False)
        self.adult = np.zeros(n, dtype=bool)
        self.adult[adult_idx] = True
        self.age[adult_idx] = rng.integers(19, 25, n_adult)
        sex_p = np.array([0.48, 0.48, 0.01, 0.03])
        self.sex = np.array(["F", "M", "X", "unknown"], dtype=object)[
            rng.choice(4, size=n, p=sex_p)
        ]
        older = np.clip((self.age - 10) / 8.0, 0, 1)
        self.lac = (rng.random(n) < 0.05 + 0.06 * older) & ~self.adult
        self.pru = (rng.random(n) < 0.045) & (self.age >= 12) & (self.age <= 16) & ~self.adult
        self.pru &= ~self.lac | (rng.random(n) < 0.5)
        self.vul = rng.gamma(0.6, 1 / 0.6, n)
        self.living = self.home.copy()
        self.placed = np.zeros(n, dtype=bool)

    # ---- non-residential places ----------------------------------------------------------
    def venues(self) -> None:
        rng, reg, pl = self.rng, self.reg, self.pl
        self.centres: list[np.ndarray] = []
        self.estates: list[np.ndarray] = []
        n_a = np.bincount(self.home, minlength=reg.n).astype(float)
        for a in range(reg.n):
            k = int(np.clip(round(reg.area[a] / 15.0), 1, 3))
            cx, cy = reg.sample(rng, a, k)
            self.centres.append(np.column_stack([cx, cy]))
            ke = int(rng.integers(3, 8))
            ex, ey = reg.sample(rng, a, ke)
            self.estates.append(np.column_stack([ex, ey]))
        spec = (
            # kind, role, per young people, minimum, near a centre, busyness
            ("school", "school", 170, 2, 0.1, 1.0),
            ("fast_food", "fast_food", 55, 3, 0.75, 1.0),
            ("park", "park", 80, 2, 0.1, 1.0),
            ("transport_hub", "transport_hub", 220, 1, 0.8, 1.3),
            ("shopping_centre", "shopping_centre", 600, 1, 0.9, 1.4),
            ("youth_venue", "youth_venue", 180, 1, 0.3, 0.9),
            ("hotel", "hotel", 450, 1, 0.8, 0.8),
            ("other", "other", 100, 2, 0.5, 0.8),
        )
        for a in range(reg.n):
            cen = self.centres[a]
            for kind, role, per, lo, near, busy in spec:
                k = max(lo, round(n_a[a] / per))
                on = rng.random(k) < near
                ci = rng.integers(0, len(cen), k)
                x, y = reg.sample(rng, a, k, cen[ci, 0], cen[ci, 1], sd=700.0)
                ux, uy = reg.sample(rng, a, k)
                x = np.where(on, x, ux)
                y = np.where(on, y, uy)
                b = busy * rng.lognormal(0.0, 0.8, k)
                if kind == "transport_hub":
                    b[0] *= 2.5  # the main station
                pl.add(kind, role, a, x, y, b)
            # one pupil referral unit, one college, the hospital (A&E)
            x, y = reg.sample(rng, a, 3, cen[0, 0], cen[0, 1], sd=1500.0)
            pl.add("school", "pru", a, x[0], y[0], 1.0)
            pl.add("school", "college", a, x[1], y[1], 1.5)
            pl.add("other", "hospital", a, x[2], y[2], 1.0)
            # children's homes and supported accommodation
            kh = 1 + int(n_a[a] > 350) + int(rng.random() < 0.4)
            x, y = reg.sample(rng, a, kh + 1)
            pl.add("residential", "childrens_home", a, x[:kh], y[:kh], 1.0)
            pl.add("residential", "supported", a, x[kh], y[kh], 1.0)
        # group chats
        k_on = max(3, round(self.n / 300))
        plats = rng.choice(
            ["snapchat", "whatsapp", "instagram", "tiktok", "gaming", "telegram"],
            size=k_on,
            p=[0.42, 0.25, 0.14, 0.08, 0.07, 0.04],
        )
        for plat in plats:
            pl.add("online", "chat", -1, np.nan, np.nan, 1.0, platform=str(plat))

    def _places_of(self, role: str | tuple[str, ...], a: int | None = None) -> IntArray:
        roles = (role,) if isinstance(role, str) else role
        pl = self.pl
        if getattr(pl, "rarr", None) is None or len(pl.rarr) != len(pl):
            pl.freeze()
        m = np.isin(pl.rarr, roles)
        if a is not None:
            m &= pl.aarr == a
        return np.flatnonzero(m)

    # ---- choosing people for roles -----------------------------------------------------
    def _pick(
        self,
        k: int,
        auth: int,
        ages: tuple[int, int],
        female: float,
        *,
        weight_vul: bool = True,
        adult: bool = False,
    ) -> list[int]:
        rng = self.rng
        out: list[int] = []
        for _ in range(k):
            want_f = rng.random() < female
            sex = "F" if want_f else "M"
            relax = 0
            while True:
                m = ~self.cast & (self.adult == adult)
                if relax < 3:
                    m &= self.home == auth
                else:
                    m &= (self.home == auth) | self.reg.nb[auth][self.home]
                if not adult:
                    lo, hi = ages[0] - (relax >= 2), ages[1] + (relax >= 2)
                    m &= (self.age >= lo) & (self.age <= hi)
                if relax < 1:
                    m &= self.sex == sex
                idx = np.flatnonzero(m)
                if len(idx) or relax >= 4:
                    break
                relax += 1
            if not len(idx):
                idx = np.flatnonzero(~self.cast & (self.adult == adult))
            w = np.ones(len(idx))
            if weight_vul:
                w = 0.6 + self.vul[idx] + 1.5 * self.pru[idx] + 1.5 * self.lac[idx]
            i = int(rng.choice(idx, p=w / w.sum()))
            self.cast[i] = True
            out.append(i)
        return out

    def _adult(self, auth: int, age: tuple[int, int] = (19, 24)) -> int:
        rng = self.rng
        near = (self.home == auth) | self.reg.nb[auth][self.home]
        idx = np.flatnonzero(~self.cast & self.adult & near)
        if not len(idx):
            idx = np.flatnonzero(~self.cast & ~self.adult & (self.home == auth) & (self.age >= 17))
            if not len(idx):
                idx = np.flatnonzero(~self.cast)
            i = int(rng.choice(idx))
            self.adult[i] = True
            self.lac[i] = False
            self.pru[i] = False
            self.age[i] = int(rng.integers(age[0], age[1] + 1))
        else:
            i = int(rng.choice(idx))
        self.cast[i] = True
        return i

    def _place_out(self, i: int, to: int, when: int) -> None:
        """Looked-after young person ``i`` placed (out of area) into authority ``to``."""
        self.lac[i] = True
        if self.home[i] != to:
            self.living[i] = to
            self.placed[i] = True
            kind = "care_placement" if self.rng.random() < 0.9 else "secure"
            self.reloc.append((i, int(self.home[i]), to, when, kind))

    # ---- planting plan ---------------------------------------------------------------------
    def plan_hubs(self) -> list[dict[str, Any]]:
        rng, reg = self.rng, self.reg
        names = tuple(DESIGNS)
        k = int(min(rng.integers(2, 5), reg.n))
        w = np.array([DESIGNS[d]["weight"] for d in names])
        chosen = rng.choice(len(names), size=k, replace=False, p=w / w.sum())
        hosts = rng.choice(reg.n, size=k, replace=False, p=self.pop)
        hubs = []
        for di, host in zip(chosen, hosts, strict=True):
            d = DESIGNS[names[int(di)]]
            host = int(host)
            lo, hi = d["period"]
            length = int(rng.integers(lo, hi + 1))
            start = int(rng.integers(45, W - length - 20))
            hub: dict[str, Any] = {
                "design": names[int(di)],
                "d": d,
                "host": host,
                "start": start,
                "end": start + length,
                "thin": bool(rng.random() < d["thin"]),
            }
            # authorities the victims come from
            n_auth = int(rng.integers(d["auths"][0], d["auths"][1] + 1))
            nbs = np.flatnonzero(reg.nb[host])
            others = [int(x) for x in nbs]
            rng.shuffle(others)
            auths = [host, *others[: n_auth - 1]]
            far = np.flatnonzero(~reg.nb[host] & (np.arange(reg.n) != host))
            if d["distant"] and len(far):
                fw = self.pop[far] / np.maximum(reg.dist[host, far], 2.0)
                f = int(rng.choice(far, p=fw / fw.sum()))
                if f not in auths:
                    if len(auths) >= n_auth and len(auths) > 1:
                        auths[-1] = f
                    else:
                        auths.append(f)
            while len(auths) < n_auth:  # few neighbours: fill with the nearest others
                rest = [int(a) for a in np.argsort(reg.dist[host]) if int(a) not in auths]
                if not rest:
                    break
                auths.append(rest[0])
            hub["auths"] = auths
            nv = int(rng.integers(d["victims"][0], d["victims"][1] + 1))
            share = np.full(len(auths), 1.0)
            share[0] = 1.6
            per = rng.multinomial(nv - len(auths), share / share.sum()) + 1
            victims: list[int] = []
            for a, m in zip(auths, per, strict=True):
                victims += self._pick(int(m), a, d["ages"], d["female"])
            # looked-after victims: children from elsewhere placed into the host (or next
            # door), and some of the host's own
            for v in victims:
                if rng.random() < d["lac"]:
                    if self.home[v] != host:
                        to = host if rng.random() < 0.7 or not len(nbs) else int(rng.choice(nbs))
                        when = int(rng.integers(-500, max(-499, start - 20)))
                        self._place_out(v, to, when)
                    else:
                        self.lac[v] = True
            hub["victims"] = victims
            npeer = int(rng.integers(d["peers"][0], d["peers"][1] + 1))
            pf = 1.0 if d.get("peer_female") else 0.05
            hub["peers"] = self._pick(npeer, host, (16, 18), pf) if npeer else []
            nad = int(rng.integers(d["adults"][0], d["adults"][1] + 1))
            hub["adults"] = [self._adult(host) for _ in range(nad)]
            hubs.append(hub)
        return hubs

    def plan_line(self, hubs: list[dict[str, Any]]) -> dict[str, Any] | None:
        rng, reg = self.rng, self.reg
        if reg.n < 8:
            return None
        hosts = {h["host"] for h in hubs}
        # origins: authorities with a non-neighbour far away; destination: farther half
        options = []
        for o in range(reg.n):
            cand = np.flatnonzero(~reg.nb[o] & (np.arange(reg.n) != o))
            cand = np.array([c for c in cand if int(c) not in hosts and int(c) != o])
            if len(cand) == 0:
                continue
            dd = reg.dist[o, cand]
            far = cand[dd >= np.median(dd)]
            if len(far) and reg.dist[o, far].max() >= 15:
                options.append((o, far))
        if not options:
            return None
        ow = np.array([self.pop[o] for o, _ in options])
        oi = int(rng.choice(len(options), p=ow / ow.sum()))
        o, far = options[oi]
        dest = int(rng.choice(far))
        length = int(rng.integers(100, 220))
        start = int(rng.integers(60, W - length - 20))
        nr = int(rng.integers(3, 7))
        runners = self._pick(nr - 1, o, (14, 17), 0.08)
        nbo = np.flatnonzero(reg.nb[o])
        if len(nbo):
            runners += self._pick(1, int(rng.choice(nbo)), (14, 17), 0.08)
        else:
            runners += self._pick(1, o, (14, 17), 0.08)
        locals_ = self._pick(int(rng.integers(1, 3)), dest, (15, 17), 0.15)
        holders = [self._adult(o, (18, 21)) for _ in range(int(rng.integers(1, 3)))]
        return {
            "o": int(o),
            "d": dest,
            "dist": float(reg.dist[o, dest]),
            "start": start,
            "end": start + length,
            "runners": runners,
            "locals": locals_,
            "holders": holders,
        }

    # ---- where people live, go to school, and who they go about with ---------------------
    def homes(self) -> None:
        rng, reg, pl, n = self.rng, self.reg, self.pl, self.n
        self.x = np.zeros(n)
        self.y = np.zeros(n)
        self.addr = np.full(n, -1, dtype=np.int64)
        # looked-after placement out of area (those not already placed by a plan)
        for i in np.flatnonzero(self.lac & ~self.placed & ~self.cast):
            if rng.random() < 0.41:
                h = int(self.home[i])
                nbs = np.flatnonzero(reg.nb[h])
                far = np.flatnonzero(~reg.nb[h] & (np.arange(reg.n) != h))
                if len(nbs) and (rng.random() < 0.72 or not len(far)):
                    to = int(rng.choice(nbs, p=self.pop[nbs] / self.pop[nbs].sum()))
                elif len(far):
                    to = int(rng.choice(far, p=self.pop[far] / self.pop[far].sum()))
                else:
                    continue
                self._place_out(int(i), to, int(rng.integers(-900, W - 90)))
        pl.freeze()
        ch = {a: self._places_of("childrens_home", a) for a in range(reg.n)}
        sup = {a: self._places_of("supported", a) for a in range(reg.n)}
        for a in range(reg.n):
            live = np.flatnonzero(self.living == a)
            est = self.estates[a]
            # families at home
            fam = live[~self.lac[live]]
            k = len(fam)
            on = rng.random(k) < 0.7
            ei = rng.integers(0, len(est), k)
            x, y = reg.sample(rng, a, k, est[ei, 0], est[ei, 1], sd=500.0)
            ux, uy = reg.sample(rng, a, k)
            self.x[fam] = np.where(on, x, ux)
            self.y[fam] = np.where(on, y, uy)
            # looked-after: children's homes, supported accommodation, foster carers
            for i in live[self.lac[live]]:
                u = rng.random()
                if self.age[i] >= 16 and u < 0.35:
                    p = int(sup[a][0])
                elif u < 0.4:
                    p = int(rng.choice(ch[a]))
                else:
                    fx, fy = reg.sample(rng, a, 1)
                    p = int(pl.add("residential", "foster", a, fx[0], fy[0], 1.0)[0])
                self.addr[i] = p
                self.x[i] = pl.x[p]
                self.y[i] = pl.y[p]
        # siblings: pairs of young people living in one family home
        fam_all = np.flatnonzero(~self.lac & ~self.adult)
        order = rng.permutation(fam_all)
        order = order[np.argsort(self.living[order], kind="stable")]
        self.sib_a: list[int] = []
        self.sib_b: list[int] = []
        i = 0
        while i + 1 < len(order):
            a_, b_ = int(order[i]), int(order[i + 1])
            if self.living[a_] == self.living[b_] and rng.random() < 0.14:
                self.x[b_], self.y[b_] = self.x[a_], self.y[a_]
                self.sib_a.append(a_)
                self.sib_b.append(b_)
                i += 2
            else:
                i += 1
        # the addresses known to agencies (home visits, missing returns, police call-outs)
        sib_of = dict(zip(self.sib_b, self.sib_a, strict=True))
        known = (rng.random(n) < 0.22 + 0.25 * np.minimum(self.vul, 1.5)) & ~self.lac & ~self.adult
        for i in np.flatnonzero(self.cast & ~self.lac & ~self.adult):
            known[i] = True  # planted young people are all known at an address
        for i in range(n):
            if not known[i] or self.addr[i] >= 0:
                continue
            j = sib_of.get(i)
            if j is not None and self.addr[j] >= 0:
                self.addr[i] = self.addr[j]
                continue
            p = int(
                pl.add("residential", "home", int(self.living[i]), self.x[i], self.y[i], 1.0)[0]
            )
            self.addr[i] = p
            if j is not None:
                self.addr[j] = p
        pl.freeze()

    def schools(self) -> None:
        rng, reg, pl, n = self.rng, self.reg, self.pl, self.n
        self.school = np.full(n, -1, dtype=np.int64)
        for a in range(reg.n):
            live = np.flatnonzero((self.living == a) & ~self.adult)
            mains = self._places_of("school", a)
            nbs = np.flatnonzero(reg.nb[a])
            pru = self._places_of("pru", a)
            col = self._places_of("college", a)
            for i in live:
                age = self.age[i]
                if self.pru[i]:
                    self.school[i] = pru[0]
                    continue
                if age >= 17:
                    u = rng.random()
                    if u < 0.5:
                        if len(nbs) and rng.random() < 0.2:
                            self.school[i] = self._places_of("college", int(rng.choice(nbs)))[0]
                        else:
                            self.school[i] = col[0]
                        continue
                    if u < 0.75:
                        continue  # not in education, or in work
                pool = mains
                if len(nbs) and rng.random() < 0.09:
                    pool = self._places_of("school", int(rng.choice(nbs)))
                d = np.hypot(pl.xarr[pool] - self.x[i], pl.yarr[pool] - self.y[i]) / 1000.0
                w = np.exp(-d / 2.0) * pl.barr[pool] + 1e-9
                self.school[i] = int(rng.choice(pool, p=w / w.sum()))
        # how much each young person is recorded: heavy-tailed, as real caseloads
        agef = np.clip(0.45 + 0.12 * (self.age - 10), 0.45, 1.25)
        act = self.vul * agef * (1 + 1.3 * self.lac) * (1 + 1.0 * self.pru)
        act *= self.intensity[self.living]
        act = np.where(self.adult, 0.25 * act, act)
        act = np.where(self.adult & self.cast, 0.3 * act, act)  # exploiters: seen rarely
        self.act = act
        self.t0 = rng.integers(0, W, n)

    def groups(self) -> None:
        rng, n = self.rng, self.n
        self.group_list: list[IntArray] = []
        self.group_street: list[bool] = []
        schools = np.unique(self.school[self.school >= 0])
        for s in schools:
            pupils = np.flatnonzero(self.school == s)
            pupils = pupils[rng.random(len(pupils)) < 0.7]
            pupils = rng.permutation(pupils)
            pupils = pupils[np.argsort(self.age[pupils], kind="stable")]
            i = 0
            while i + 2 < len(pupils):
                size = min(3 + int(rng.geometric(0.35)) - 1, 9)
                g = pupils[i : i + size]
                if len(g) >= 3:
                    self.group_list.append(g)
                    self.group_street.append(False)
                i += size
        # street groups: older boys (and a young adult or two) seen together by police
        for a in range(self.reg.n):
            k = int(rng.poisson(np.sum(self.living == a) / 250.0))
            for _ in range(min(k, 3)):
                pool = np.flatnonzero(
                    (self.living == a) & (self.sex == "M") & (self.age >= 14) & ~self.adult
                )
                if len(pool) < 5:
                    break
                w = 0.3 + self.vul[pool] + self.pru[pool]
                size = int(rng.integers(5, 11))
                g = rng.choice(pool, size=min(size, len(pool)), replace=False, p=w / w.sum())
                ad = np.flatnonzero(
                    self.adult & ((self.home == a) | self.reg.nb[a][self.home]) & ~self.cast
                )
                if len(ad) and rng.random() < 0.6:
                    g = np.append(g, rng.choice(ad))
                self.group_list.append(np.sort(g))
                self.group_street.append(True)
                self.act[g] *= 1.4
        self.in_group = np.zeros(n, dtype=bool)
        for g in self.group_list:
            self.in_group[g] = True

    # ---- record makers ---------------------------------------------------------------------
    def _rel(self, base: np.ndarray, auth: IntArray, src: IntArray) -> IntArray:
        """Reliability: a base grade, shifted by the recording partner's habit and source."""
        rng = self.rng
        k = len(src)
        r = rng.choice(4, size=k, p=base)
        g = self.grading[np.where(auth >= 0, auth, 0)]
        u = rng.random(k)
        down = ((g == 1) & (u < 0.3)) | ((g == 2) & (u < 0.55))
        up = (g == 3) & (u < 0.35)
        r = r - down + up
        weak = np.isin(src, [SI["young_person"], SI["other"], SI["voluntary_sector"]])
        strong = np.isin(src, [SI["police"], SI["health"]])
        u = rng.random(k)
        r = r - (weak & (u < 0.35)) + (strong & (u < 0.1))
        return np.clip(r, 0, 3).astype(np.int64)

    def _add_sight(
        self,
        p: IntArray,
        v: IntArray,
        d: IntArray,
        c: IntArray,
        s: IntArray,
        r: IntArray,
    ) -> None:
        self.sight.append(
            {
                "p": np.asarray(p, dtype=np.int64),
                "v": np.asarray(v, dtype=np.int64),
                "d": np.clip(np.asarray(d, dtype=np.int64), 0, W - 1),
                "c": np.asarray(c, dtype=np.int64),
                "s": np.asarray(s, dtype=np.int64),
                "r": np.asarray(r, dtype=np.int64),
            }
        )

    def _sightings(
        self,
        p: IntArray,
        v: IntArray,
        d: IntArray,
        ctx: dict[str, float],
        src: dict[str, float],
        base: np.ndarray,
    ) -> None:
        rng = self.rng
        k = len(p)
        c = rng.choice(len(CTX), size=k, p=_vec(ctx, CTX))
        s = rng.choice(len(SRC), size=k, p=_vec(src, SRC))
        r = self._rel(base, self.pl.aarr[v], s)
        self._add_sight(p, v, d, c, s, r)

    def _add_ties(
        self,
        a: IntArray,
        b: IntArray,
        kind: IntArray | int,
        first: IntArray,
        src: IntArray,
        rel: IntArray,
        last: IntArray | None = None,
    ) -> None:
        rng = self.rng
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        k = len(a)
        first = np.clip(np.asarray(first, dtype=np.int64), 0, W - 1)
        if last is None:
            has = rng.random(k) < 0.45
            last = np.where(has, first + rng.exponential(100, k).astype(np.int64), -1)
        last = np.where(last >= 0, np.clip(last, first, W - 1), -1)
        self.ties.append(
            {
                "a": a,
                "b": b,
                "k": np.broadcast_to(np.asarray(kind, dtype=np.int64), (k,)).copy(),
                "f": first,
                "l": np.asarray(last, dtype=np.int64),
                "s": np.asarray(src, dtype=np.int64),
                "r": np.asarray(rel, dtype=np.int64),
            }
        )

    def _ties(
        self,
        a: IntArray,
        b: IntArray,
        kind: str,
        first: IntArray,
        base: np.ndarray = BASE_REL,
        src: dict[str, float] | None = None,
        last: IntArray | None = None,
    ) -> None:
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        keep = a != b
        a, b = a[keep], b[keep]
        first = np.broadcast_to(np.asarray(first), keep.shape)[keep]
        if last is not None:
            last = np.broadcast_to(np.asarray(last), keep.shape)[keep]
        if not len(a):
            return
        table = src or TIE_SOURCE["partner" if kind == "ex_partner" else kind]
        s = self.rng.choice(len(SRC), size=len(a), p=_vec(table, SRC))
        r = self._rel(base, self.home[a], s)
        self._add_ties(a, b, TI[kind], first, s, r, last)

    def _dates_for(self, people: IntArray, spread: float = 150.0) -> IntArray:
        rng = self.rng
        k = len(people)
        d = self.t0[people] + rng.normal(0, spread, k)
        d = np.where(rng.random(k) < 0.12, rng.integers(0, W, k), d)
        d = np.abs(d)
        d = np.where(d >= W, 2 * (W - 1) - d, d)
        return np.clip(d, 0, W - 1).astype(np.int64)

    # ---- ordinary life ---------------------------------------------------------------------
    def background(self) -> None:
        rng, reg, pl, n = self.rng, self.reg, self.pl, self.n
        pl.freeze()
        cls = np.array([CLI[_class_of(k, r)] for k, r in zip(pl.kind, pl.role, strict=True)])
        self.cls = cls
        # context tables: class x sex (F, M, other)
        ctx_tab = np.zeros((len(CLASSES) * 3, len(CTX)))
        for ci, cname in enumerate(CLASSES):
            base = _vec(BG_CONTEXT[cname], CTX)
            for si, sx in enumerate(("F", "M", "O")):
                v = base.copy()
                for c, f in SEX_SHIFT.get(sx, {}).items():
                    v[CI[c]] *= f
                ctx_tab[ci * 3 + si] = v / v.sum()
        src_tab = np.array(
            [_vec(BG_SOURCE[SOURCE_OF_CLASS.get(c, "public")], SRC) for c in CLASSES]
        )
        self.ctx_tab, self.src_tab = ctx_tab, src_tab
        sexi = np.where(self.sex == "F", 0, np.where(self.sex == "M", 1, 2))
        self.sexi = sexi

        # where a young person goes: venues of their authority and next door
        free = np.isin(pl.karr, ["fast_food", "park", "transport_hub", "shopping_centre"])
        free |= np.isin(pl.karr, ["youth_venue", "hotel", "other"]) & np.isin(
            pl.rarr, ["youth_venue", "hotel", "other", "hospital"]
        )
        att = np.zeros((len(pl), 2))
        for i in np.flatnonzero(free):
            key = "hospital" if pl.rarr[i] == "hospital" else pl.karr[i]
            att[i] = ATTRACT[key]
        self.att = att
        self.free = free
        counts = rng.poisson(3.1 * self.act)
        ch_u = rng.random(counts.sum())
        people = np.repeat(np.arange(n), counts)
        has_school = self.school[people] >= 0
        has_addr = self.addr[people] >= 0
        online_ok = self.age[people] >= 12
        chan = np.full(len(people), 3)  # 0 school, 1 address, 2 online, 3 out and about
        chan = np.where(has_school & (ch_u < 0.32), 0, chan)
        chan = np.where((chan == 3) & has_addr & (ch_u >= 0.32) & (ch_u < 0.46), 1, chan)
        chan = np.where((chan == 3) & online_ok & (ch_u >= 0.46) & (ch_u < 0.5), 2, chan)
        v = np.full(len(people), -1, dtype=np.int64)
        v[chan == 0] = self.school[people[chan == 0]]
        v[chan == 1] = self.addr[people[chan == 1]]
        # online: chats shared within a school (or an authority)
        chats = self._places_of("chat")
        on = np.flatnonzero(chan == 2)
        key = np.where(
            self.school[people[on]] >= 0, self.school[people[on]], 10_000 + self.living[people[on]]
        )
        pick = (key * 7 + rng.integers(0, 2, len(on))) % len(chats)
        v[on] = chats[pick]
        # out and about: gravity over nearby venues, sometimes anywhere in the region
        out = np.flatnonzero(chan == 3)
        far = rng.random(len(out)) < 0.06
        older = (self.age >= 15).astype(np.int64)
        for a in range(reg.n):
            sel = out[~far & (self.living[people[out]] == a)]
            if not len(sel):
                continue
            cand = np.flatnonzero(free & ((pl.aarr == a) | reg.nb[a][np.maximum(pl.aarr, 0)]))
            who, cnt = np.unique(people[sel], return_counts=True)
            d = (
                np.hypot(self.x[who, None] - pl.xarr[cand], self.y[who, None] - pl.yarr[cand])
                / 1000.0
            )
            w = pl.barr[cand] * att[cand][:, older[who]].T * np.exp(-d / 2.5)
            w[:, pl.aarr[cand] != a] *= 0.5
            cols = _choose(rng, w, cnt)
            order = np.argsort(people[sel], kind="stable")
            v[sel[order]] = cand[cols]
        far_idx = out[far]
        if len(far_idx):
            fw = (
                pl.barr
                * (att[:, 1] + att[:, 0])
                * np.isin(pl.karr, ["transport_hub", "shopping_centre"])
            )
            fw = fw + 1e-9 * free
            v[far_idx] = rng.choice(len(pl), size=len(far_idx), p=fw / fw.sum())
        ok = v >= 0
        people, v = people[ok], v[ok]
        c = _rowdraw(rng, ctx_tab, cls[v] * 3 + sexi[people])
        s = _rowdraw(rng, src_tab, cls[v])
        r = self._rel(BASE_REL, pl.aarr[v], s)
        d = self._dates_for(people)
        self._add_sight(people, v, d, c, s, r)

    def group_life(self) -> None:
        rng, reg, pl = self.rng, self.reg, self.pl
        grp_ctx = _vec(
            {
                "serious_youth_violence": 0.22,
                "gang_association": 0.14,
                "bullying": 0.1,
                "missing_episode": 0.14,
                "cce": 0.04,
                "cse": 0.03,
                "harmful_sexual_behaviour": 0.03,
                "other": 0.3,
            },
            CTX,
        )
        street_ctx = _vec(
            {
                "gang_association": 0.38,
                "serious_youth_violence": 0.24,
                "cce": 0.1,
                "missing_episode": 0.05,
                "other": 0.23,
            },
            CTX,
        )
        grp_src = _vec(BG_SOURCE["public"], SRC)
        street_src = _vec({"police": 0.82, "youth_service": 0.08, "social_care": 0.1}, SRC)
        cand_of: dict[int, IntArray] = {}
        ps, vs, ds, cs, ss = [], [], [], [], []
        ta, tb, tk, tf = [], [], [], []
        for g, street in zip(self.group_list, self.group_street, strict=True):
            a = int(np.bincount(self.living[g]).argmax())
            if a not in cand_of:
                cand_of[a] = np.flatnonzero(
                    self.free
                    & ((pl.aarr == a) | reg.nb[a][np.maximum(pl.aarr, 0)])
                    & (pl.rarr != "hospital")
                    & (pl.rarr != "hotel")
                )
            cand = cand_of[a]
            gx, gy = self.x[g].mean(), self.y[g].mean()
            dist = np.hypot(pl.xarr[cand] - gx, pl.yarr[cand] - gy) / 1000.0
            w = pl.barr[cand] * self.att[cand, 1] * np.exp(-dist / 2.0)
            if street:  # a few spots of their own
                turf = rng.choice(cand, size=min(3, len(cand)), replace=False, p=w / w.sum())
                n_ev = int(rng.poisson(4 + 1.2 * self.act[g].mean() * len(g) ** 0.5))
            else:
                turf = cand
                n_ev = int(rng.poisson(0.5 * self.act[g].mean() * len(g) ** 0.5))
            tw = w / w.sum() if not street else np.full(len(turf), 1.0 / len(turf))
            t0 = int(np.median(self.t0[g]))
            for _ in range(n_ev):
                who = g[rng.random(len(g)) < 0.55]
                if len(who) < 2:
                    who = rng.choice(g, size=2, replace=False)
                place = int(rng.choice(turf, p=tw))
                day = int(np.clip(t0 + rng.normal(0, 160), 0, W - 1))
                c = int(rng.choice(len(CTX), p=street_ctx if street else grp_ctx))
                s = int(rng.choice(len(SRC), p=street_src if street else grp_src))
                cc = np.where(
                    rng.random(len(who)) < 0.8, c, rng.choice(len(CTX), size=len(who), p=grp_ctx)
                )
                ps.append(who)
                vs.append(np.full(len(who), place))
                ds.append(np.full(len(who), day))
                cs.append(cc)
                ss.append(np.full(len(who), s))
                if s == SI["police"] and c != CI["other"] and rng.random() < 0.35:
                    i, j = _pairs(len(who))
                    ta.append(who[i])
                    tb.append(who[j])
                    tk.append(np.full(len(i), TI["associate"]))
                    tf.append(np.full(len(i), day))
            # ties inside the group
            i, j = _pairs(len(g))
            m = rng.random(len(i)) < (0.6 if street else 0.5)
            kinds = rng.choice(
                [TI["friend"], TI["group_member"], TI["associate"]],
                size=m.sum(),
                p=[0.25, 0.45, 0.3] if street else [0.6, 0.22, 0.18],
            )
            ta.append(g[i[m]])
            tb.append(g[j[m]])
            tk.append(kinds)
            tf.append(self._dates_for(g[i[m]], 200.0))
            if street and rng.random() < 0.4:
                # an older member recorded as exploiting a younger one (intelligence)
                old = g[np.argmax(self.age[g])]
                young = g[np.argmin(self.age[g])]
                if old != young:
                    self._ties(
                        [old],
                        [young],
                        "exploiter",
                        self._dates_for(np.array([young])),
                        base=THIN_REL,
                    )
        if ps:
            p = np.concatenate(ps)
            v = np.concatenate(vs)
            s = np.concatenate(ss)
            self._add_sight(
                p,
                v,
                np.concatenate(ds),
                np.concatenate(cs),
                s,
                self._rel(BASE_REL, pl.aarr[v], s),
            )
        if ta:
            a = np.concatenate(ta)
            b = np.concatenate(tb)
            k = np.concatenate(tk)
            f = np.concatenate(tf)
            for kind in ("friend", "group_member", "associate"):
                m = k == TI[kind]
                self._ties(a[m], b[m], kind, f[m])

    def background_ties(self) -> None:
        rng, reg, n = self.rng, self.reg, self.n
        # school friendships beyond the groups
        for s in np.unique(self.school[self.school >= 0]):
            pupils = np.flatnonzero(self.school == s)
            if len(pupils) < 2:
                continue
            k = rng.poisson(0.45, len(pupils))
            a = np.repeat(pupils, k)
            b = rng.choice(pupils, size=len(a))
            self._ties(a, b, "friend", self._dates_for(a, 200.0))
        # siblings
        if self.sib_a:
            a = np.array(self.sib_a)
            b = np.array(self.sib_b)
            self._ties(
                a,
                b,
                "sibling",
                rng.integers(0, W, len(a)),
                base=np.array([0.03, 0.2, 0.3, 0.47]),
                last=np.full(len(a), -1),
            )
        # partners and ex-partners, a few with a big age gap
        older = np.flatnonzero(self.age >= 14)
        starters = older[rng.random(len(older)) < 0.035]
        pa, pb = [], []
        for i in starters:
            other_sex = "M" if self.sex[i] == "F" else "F"
            near = (self.living == self.living[i]) | (
                reg.nb[self.living[i]][self.living] & (rng.random() < 0.3)
            )
            gap = np.abs(self.age - self.age[i])
            pool = np.flatnonzero(near & (self.sex == other_sex) & (gap <= 3) & (self.age >= 13))
            if not len(pool):
                continue
            pa.append(int(i))
            pb.append(int(rng.choice(pool)))
        if pa:
            a, b = np.array(pa), np.array(pb)
            first = self._dates_for(a, 200.0)
            ex = rng.random(len(a)) < 0.4
            self._ties(a[~ex], b[~ex], "partner", first[~ex])
            self._ties(a[ex], b[ex], "ex_partner", first[ex], src=TIE_SOURCE["partner"])
            # relationship abuse recorded for some couples
            abuse = rng.random(len(a)) < 0.3
            for i, j, f in zip(a[abuse], b[abuse], first[abuse], strict=True):
                place = self.addr[i] if self.addr[i] >= 0 else self.addr[j]
                if place < 0:
                    continue
                who = np.array([i, j])
                self._sightings(
                    who,
                    np.full(2, place),
                    np.full(2, f + int(rng.integers(0, 60))),
                    {"teenage_relationship_abuse": 0.8, "other": 0.2},
                    BG_SOURCE["home"],
                    BASE_REL,
                )
        # associates across authorities (police), and online friendships
        k = rng.poisson(0.08, n)
        a = np.repeat(np.arange(n), k)
        if len(a):
            near = reg.nb[self.living[a]]
            b = np.empty(len(a), dtype=np.int64)
            for idx in range(len(a)):
                nbs = np.flatnonzero(near[idx])
                to = (
                    int(rng.choice(nbs)) if len(nbs) and rng.random() < 0.5 else self.living[a[idx]]
                )
                pool = np.flatnonzero(self.living == to)
                b[idx] = int(rng.choice(pool))
            self._ties(a, b, "associate", self._dates_for(a))
        # isolated exploiter ties: an older boyfriend, an older lad and a younger boy
        olds = np.flatnonzero((self.age >= 17) & ~self.cast)
        k = max(2, round(0.003 * n))
        ex = rng.choice(olds, size=min(k, len(olds)), replace=False)
        for e in ex:
            near = (self.living == self.living[e]) | reg.nb[self.living[e]][self.living]
            pool = np.flatnonzero(near & (self.age <= self.age[e] - 2) & (self.age >= 12))
            if not len(pool):
                continue
            vic = rng.choice(pool, size=min(int(rng.integers(1, 3)), len(pool)), replace=False)
            self._ties(
                np.full(len(vic), e),
                vic,
                "exploiter",
                self._dates_for(vic),
                base=THIN_REL,
            )
        # looked-after young people placed out: new friends where they live now
        for i in np.flatnonzero(self.placed & ~self.cast):
            if rng.random() < 0.5:
                pool = np.flatnonzero((self.living == self.living[i]) & ~self.placed)
                if not len(pool):
                    continue
                b = rng.choice(pool, size=min(int(rng.integers(1, 4)), len(pool)), replace=False)
                kind = "friend" if rng.random() < 0.6 else "associate"
                self._ties(np.full(len(b), i), b, kind, self._dates_for(np.full(len(b), i)))

    def other_relocations(self) -> None:
        rng, reg = self.rng, self.reg
        for i in np.flatnonzero(~self.lac & ~self.adult):
            u = rng.random()
            if u < 0.012:
                h = int(self.home[i])
                nbs = np.flatnonzero(reg.nb[h])
                if not len(nbs):
                    continue
                frm = int(rng.choice(nbs))
                kind = "housing" if rng.random() < 0.7 else "family"
                self.reloc.append((int(i), frm, h, int(rng.integers(-400, W - 30)), kind))
            elif u < 0.017 and self.school[i] >= 0:
                sa = int(self.pl.aarr[self.school[i]])
                if sa != self.home[i]:
                    self.reloc.append(
                        (
                            int(i),
                            int(self.home[i]),
                            sa,
                            int(rng.integers(-300, W - 30)),
                            "education",
                        )
                    )

    # ---- planted hubs --------------------------------------------------------------------
    def _nearest(self, kind: str, a: int, x: float, y: float, exclude: int = -1) -> int:
        pl = self.pl
        idx = np.flatnonzero((pl.karr == kind) & (pl.aarr == a) & (np.arange(len(pl)) != exclude))
        idx = idx[pl.rarr[idx] != "hospital"] if kind == "other" else idx
        if kind == "school":
            idx = idx[pl.rarr[idx] == "school"]
        if kind == "residential":
            idx = idx[pl.rarr[idx] == "home"]
        if not len(idx):
            return -1
        d = np.hypot(pl.xarr[idx] - x, pl.yarr[idx] - y)
        return int(idx[np.argmin(d)])

    def hub_venue(self, hub: dict[str, Any]) -> None:
        rng, reg, pl = self.rng, self.reg, self.pl
        a = hub["host"]
        how = hub["d"]["venue"]
        pl.freeze()
        cen = self.centres[a]
        if how in ("hotel", "busy_fast_food", "busy_transport_hub"):
            kind = {"hotel": "hotel", "busy_fast_food": "fast_food"}.get(how, "transport_hub")
            idx = np.flatnonzero((pl.karr == kind) & (pl.aarr == a) & (pl.rarr == kind))
            if how == "hotel":
                v = int(rng.choice(idx))
            else:  # among the busier half
                top = idx[pl.barr[idx] >= np.median(pl.barr[idx])]
                v = int(rng.choice(top))
        elif how == "boundary_park":
            idx = np.flatnonzero((pl.karr == "park") & (pl.aarr == a))
            nbs = np.flatnonzero(reg.nb[a])
            g = (
                shapely.union_all([reg.geoms[int(b)] for b in nbs])
                if len(nbs)
                else reg.geoms[a].boundary
            )
            d = shapely.distance(g, shapely.points(pl.xarr[idx], pl.yarr[idx]))
            v = int(idx[np.argmin(d + rng.uniform(0, 300, len(idx)))])
        elif how == "new_flat":
            est = self.estates[a][int(rng.integers(0, len(self.estates[a])))]
            x, y = reg.sample(rng, a, 1, est[0], est[1], sd=300.0)
            v = int(pl.add("residential", "home", a, x[0], y[0], 1.0)[0])
        elif how == "new_short_let":
            c = cen[int(rng.integers(0, len(cen)))]
            x, y = reg.sample(rng, a, 1, c[0], c[1], sd=600.0)
            v = int(pl.add("residential", "home", a, x[0], y[0], 1.0)[0])
        else:  # new_other: a gym or barber
            c = cen[int(rng.integers(0, len(cen)))]
            x, y = reg.sample(rng, a, 1, c[0], c[1], sd=600.0)
            v = int(pl.add("other", "other", a, x[0], y[0], 0.6)[0])
        hub["venue"] = v
        # a second id for the same venue, as another agency entered it
        if hub["d"]["duplicate"] > 0:
            hub["dup"] = int(
                pl.add(
                    "other", "dup", a, pl.x[v] + rng.normal(0, 40), pl.y[v] + rng.normal(0, 40), 0.3
                )[0]
            )
        pl.freeze()
        sats = []
        for kind in hub["d"]["satellites"]:
            s = self._nearest(kind, a, pl.x[v], pl.y[v], exclude=v)
            if s >= 0:
                sats.append(s)
        hub["sats"] = sats

    def hub_records(self, hub: dict[str, Any]) -> None:
        rng = self.rng
        d = hub["d"]
        v0 = hub["venue"]
        victims = np.array(hub["victims"], dtype=np.int64)
        start, end = hub["start"], hub["end"]
        base = THIN_REL if hub["thin"] else WELL_REL
        nv = len(victims)
        # some victims are never recorded at the venue itself (known from ties, disclosures)
        absent = rng.random(nv) < 0.15
        if (~absent).sum() < max(3, int(0.6 * nv)):
            absent[:] = False
            absent[rng.choice(nv, size=max(0, nv - max(3, int(0.8 * nv))), replace=False)] = True
        visits = rng.integers(d["visits"][0], d["visits"][1] + 1, nv)
        visits[absent] = 0
        n_nights = max(2, int(visits.sum() * (1 - d["joint"])) + 1)
        nights = np.sort(rng.integers(start, end + 1, n_nights))
        ps, ds = [], []
        for i, k in zip(victims, visits, strict=True):
            if k == 0:
                continue
            own = rng.random(k) < 0.25
            day = np.where(own, rng.integers(start, end + 1, k), rng.choice(nights, size=k))
            ps.append(np.full(k, i))
            ds.append(day)
        p = np.concatenate(ps)
        dd = np.concatenate(ds)
        v = np.full(len(p), v0)
        if "dup" in hub:
            moved = rng.random(len(p)) < d["duplicate"]
            v[moved] = hub["dup"]
        self._sightings(p, v, dd, d["ctx"], d["src"], base)
        # exploiters: peers a few times, adults rarely or never
        for e in hub["peers"]:
            k = int(rng.integers(1, 4))
            self._sightings(
                np.full(k, e),
                np.full(k, v0),
                rng.choice(nights, size=k),
                {"cce": 0.3, "gang_association": 0.3, "other": 0.4}
                if self.sex[e] != "F"
                else {"cse": 0.3, "missing_episode": 0.3, "other": 0.4},
                d["src"],
                THIN_REL,
            )
        for e in hub["adults"]:
            u = rng.random()
            if u < 0.4:
                where = v0
            elif u < 0.55 and hub["sats"]:
                where = int(rng.choice(hub["sats"]))
            else:
                continue
            self._sightings(
                np.array([e]),
                np.array([where]),
                rng.integers(start, end + 1, 1),
                {"other": 0.6, "cse": 0.2, "cce": 0.2},
                {"police": 0.7, "social_care": 0.2, "other": 0.1},
                THIN_REL,
            )
        # satellites: victims seen near the venue, low grade
        if hub["sats"]:
            ks = rng.integers(0, 3, nv)
            p = np.repeat(victims, ks)
            if len(p):
                self._sightings(
                    p,
                    rng.choice(hub["sats"], size=len(p)),
                    rng.integers(start - 30, end + 1, len(p)),
                    {
                        "missing_episode": 0.35,
                        "other": 0.35,
                        "cse": 0.1,
                        "cce": 0.1,
                        "gang_association": 0.1,
                    },
                    BG_SOURCE["public"],
                    THIN_REL,
                )
        # missing from home or care, recorded at the address they went missing from
        ks = np.where(rng.random(nv) < 0.6, rng.integers(1, 4, nv), 0)
        m = (ks > 0) & (self.addr[victims] >= 0)
        p = np.repeat(victims[m], ks[m])
        if len(p):
            self._sightings(
                p,
                self.addr[p],
                rng.integers(start, end + 1, len(p)),
                {"missing_episode": 0.85, "other": 0.15},
                {"police": 0.6, "social_care": 0.4},
                WELL_REL,
            )
        # ties: exploiters to victims (some mis-coded), victims to each other
        ex = np.array(hub["peers"] + hub["adults"], dtype=np.int64)
        ea, eb = [], []
        for i in victims:
            if rng.random() < 0.65:
                ea.append(int(rng.choice(ex)))
                eb.append(int(i))
            if rng.random() < 0.2:
                ea.append(int(rng.choice(ex)))
                eb.append(int(i))
        for e in ex:  # every exploiter is tied to someone
            if e not in ea:
                ea.append(int(e))
                eb.append(int(rng.choice(victims)))
        ea_, eb_ = np.array(ea), np.array(eb)
        first = rng.integers(start, end + 1, len(ea_))
        female = d["female"] >= 0.5
        u = rng.random(len(ea_))
        miscoded = u < 0.3
        miscoded[0] = False  # at least one is recorded as exploitation
        self._ties(ea_[~miscoded], eb_[~miscoded], "exploiter", first[~miscoded], base=base)
        self._ties(
            ea_[miscoded],
            eb_[miscoded],
            "partner" if female else "associate",
            first[miscoded],
            base=THIN_REL,
        )
        i, j = _pairs(nv)
        same = self.home[victims[i]] == self.home[victims[j]]
        m = rng.random(len(i)) < np.where(same, 0.45, 0.2)
        if m.any():
            kind_f = rng.random(m.sum()) < 0.6
            a, b = victims[i[m]], victims[j[m]]
            f = rng.integers(start - 60, end + 1, m.sum())
            self._ties(a[kind_f], b[kind_f], "friend", f[kind_f])
            self._ties(a[~kind_f], b[~kind_f], "associate", f[~kind_f])
        if len(hub["peers"]) and len(hub["adults"]):
            self._ties(
                np.array(hub["adults"][:1] * len(hub["peers"])),
                np.array(hub["peers"]),
                "associate",
                rng.integers(start, end + 1, len(hub["peers"])),
                base=THIN_REL,
            )
        # a mistyped id puts an unrelated young person at the venue
        stray = rng.choice(np.flatnonzero(~self.cast & ~self.adult), size=1)
        self._sightings(
            stray,
            np.array([v0]),
            rng.integers(start, end + 1, 1),
            d["ctx"],
            d["src"],
            THIN_REL,
        )
        # after it, some victims are moved away for their safety
        for i in victims:
            if rng.random() < 0.25 and end + 20 < W:
                frm = int(self.living[i])
                far = np.flatnonzero(~self.reg.nb[frm] & (np.arange(self.reg.n) != frm))
                if len(far):
                    self.reloc.append(
                        (
                            int(i),
                            frm,
                            int(rng.choice(far)),
                            int(rng.integers(end, W)),
                            "care_placement",
                        )
                    )

    # ---- the county line -------------------------------------------------------------------
    def line_records(self, line: dict[str, Any]) -> None:
        rng, reg, pl = self.rng, self.reg, self.pl
        o, dst = line["o"], line["d"]
        est = self.estates[dst][int(rng.integers(0, len(self.estates[dst])))]
        x, y = reg.sample(rng, dst, 1, est[0], est[1], sd=400.0)
        v = int(pl.add("residential", "home", dst, x[0], y[0], 1.0)[0])
        line["venue"] = v
        pl.freeze()
        station = self._nearest("transport_hub", dst, x[0], y[0])
        start, end = line["start"], line["end"]
        runners = np.array(line["runners"], dtype=np.int64)
        trips = np.sort(rng.integers(start, end + 1, int(rng.integers(4, 8))))
        for t in trips:
            who = runners[rng.random(len(runners)) < 0.45]
            if not len(who):
                who = rng.choice(runners, size=1)
            # reported missing at home the day before or on the day
            m = who[(rng.random(len(who)) < 0.7) & (self.addr[who] >= 0)]
            if len(m):
                self._sightings(
                    m,
                    self.addr[m],
                    np.full(len(m), t - int(rng.integers(0, 2))),
                    {"missing_episode": 0.9, "other": 0.1},
                    {"police": 0.55, "social_care": 0.45},
                    WELL_REL,
                )
            # found at the address, or stopped at the station
            found = who[rng.random(len(who)) < 0.6]
            if len(found):
                self._sightings(
                    found,
                    np.full(len(found), v),
                    np.full(len(found), t + int(rng.integers(1, 6))),
                    {"cce": 0.55, "missing_episode": 0.3, "other": 0.15},
                    {"police": 0.8, "social_care": 0.2},
                    WELL_REL if rng.random() < 0.6 else THIN_REL,
                )
            at_st = who[rng.random(len(who)) < 0.3]
            if len(at_st) and station >= 0:
                self._sightings(
                    at_st,
                    np.full(len(at_st), station),
                    np.full(len(at_st), t + int(rng.integers(0, 6))),
                    {"cce": 0.6, "missing_episode": 0.2, "other": 0.2},
                    {"police": 1.0},
                    WELL_REL,
                )
        loc = np.array(line["locals"], dtype=np.int64)
        k = rng.integers(1, 4, len(loc))
        p = np.repeat(loc, k)
        self._sightings(
            p,
            np.full(len(p), v),
            rng.integers(start, end + 1, len(p)),
            {"cce": 0.35, "gang_association": 0.25, "other": 0.4},
            {"police": 0.7, "youth_service": 0.15, "social_care": 0.15},
            THIN_REL,
        )
        # in the origin: the runners seen together at a takeaway
        ff = self._nearest(
            "fast_food", o, float(self.x[runners].mean()), float(self.y[runners].mean())
        )
        if ff >= 0:
            who = runners[rng.random(len(runners)) < 0.7]
            self._sightings(
                who,
                np.full(len(who), ff),
                np.full(len(who), int(rng.integers(start - 30, start + 30))),
                {"gang_association": 0.6, "serious_youth_violence": 0.2, "other": 0.2},
                {"police": 1.0},
                BASE_REL,
            )
        hold = np.array(line["holders"], dtype=np.int64)
        ea = []
        eb = []
        for i in np.concatenate([runners, loc]):
            if rng.random() < (0.7 if i in runners else 0.5):
                ea.append(int(rng.choice(hold)))
                eb.append(int(i))
        for h in hold:
            if h not in ea:
                ea.append(int(h))
                eb.append(int(rng.choice(runners)))
        self._ties(
            np.array(ea),
            np.array(eb),
            "exploiter",
            rng.integers(start, end + 1, len(ea)),
            base=WELL_REL,
        )
        i, j = _pairs(len(runners))
        m = rng.random(len(i)) < 0.5
        self._ties(runners[i[m]], runners[j[m]], "associate", rng.integers(start, end + 1, m.sum()))
        if ff >= 0 and rng.random() < 0.6:
            self._sightings(
                hold[:1],
                np.array([ff]),
                rng.integers(start, end + 1, 1),
                {"gang_association": 0.7, "other": 0.3},
                {"police": 1.0},
                THIN_REL,
            )
        for i in runners:
            if rng.random() < 0.3 and end + 10 < W:
                far = np.flatnonzero(~reg.nb[o] & (np.arange(reg.n) != o))
                if len(far):
                    kind = "secure" if rng.random() < 0.3 else "care_placement"
                    self.reloc.append(
                        (int(i), o, int(rng.choice(far)), int(rng.integers(end, W)), kind)
                    )

    # ---- decoys ------------------------------------------------------------------------------
    def decoys(self, busy_exclude: set[int]) -> list[dict[str, Any]]:
        rng, reg, pl = self.rng, self.reg, self.pl
        pl.freeze()
        kinds = ["fight", "bullying_cluster", "stabbing", "party_assault"]
        k = int(rng.integers(3, 5))
        chosen = [kinds[int(i)] for i in rng.choice(4, size=k, replace=False)]
        # how busy each venue actually is in the records so far
        s_v = np.concatenate([s["v"] for s in self.sight])
        seen = np.bincount(s_v, minlength=len(pl))
        out = []
        used_auth: list[int] = []
        for kind in chosen:
            aw = self.pop.copy()
            for a in used_auth:
                aw[a] *= 0.2
            a = int(rng.choice(reg.n, p=aw / aw.sum()))
            used_auth.append(a)
            ordinary = ~self.cast & ~self.adult
            if kind == "fight":
                pool = np.flatnonzero(
                    np.isin(pl.karr, ["transport_hub", "shopping_centre", "fast_food"])
                    & (pl.aarr == a)
                    & np.isin(pl.rarr, ["transport_hub", "shopping_centre", "fast_food"])
                )
            elif kind == "stabbing":
                pool = np.flatnonzero((pl.karr == "fast_food") & (pl.aarr == a))
            elif kind == "bullying_cluster":
                pool = np.flatnonzero((pl.rarr == "school") & (pl.aarr == a))
            else:
                pool = np.array([], dtype=np.int64)
            pool = np.array([p for p in pool if int(p) not in busy_exclude], dtype=np.int64)
            if kind != "party_assault":
                if not len(pool):
                    continue
                top = pool[seen[pool] >= np.quantile(seen[pool], 0.5)]
                v = int(rng.choice(top))
            else:
                est = self.estates[a][int(rng.integers(0, len(self.estates[a])))]
                x, y = reg.sample(rng, a, 1, est[0], est[1], sd=600.0)
                v = int(pl.add("residential", "home", a, x[0], y[0], 1.0)[0])
                pl.freeze()
            day = int(rng.integers(30, W - 80))
            nbs = [int(x) for x in np.flatnonzero(reg.nb[a])]
            if kind == "bullying_cluster":
                pupils = np.flatnonzero((self.school == v) & ordinary)
                if len(pupils) < 5:
                    continue
                who = rng.choice(
                    pupils, size=min(len(pupils), int(rng.integers(7, 13))), replace=False
                )
                k_each = rng.integers(1, 4, len(who))
                p = np.repeat(who, k_each)
                self._sightings(
                    p,
                    np.full(len(p), v),
                    day + rng.integers(0, int(rng.integers(40, 71)), len(p)),
                    {
                        "bullying": 0.45,
                        "online_harassment": 0.2,
                        "image_sharing": 0.15,
                        "harmful_sexual_behaviour": 0.1,
                        "other": 0.1,
                    },
                    {"school": 0.8, "social_care": 0.1, "police": 0.1},
                    np.array([0.05, 0.5, 0.35, 0.1]),
                )
                chats = self._places_of("chat")
                on = who[rng.random(len(who)) < 0.4]
                if len(on):
                    self._sightings(
                        on,
                        np.full(len(on), int(rng.choice(chats))),
                        day + rng.integers(0, 40, len(on)),
                        {"image_sharing": 0.5, "online_harassment": 0.5},
                        {"school": 0.7, "police": 0.3},
                        BASE_REL,
                    )
            else:
                sides = [a] + (nbs[:1] if not nbs else [int(rng.choice(nbs))])
                if kind in ("fight",) and len(nbs) > 1 and rng.random() < 0.5:
                    sides.append(int(rng.choice(nbs)))
                size = {"fight": (5, 9), "stabbing": (3, 5), "party_assault": (5, 8)}[kind]
                total = int(rng.integers(size[0], size[1] + 1))
                who_l: list[int] = []
                per_side: list[list[int]] = []
                for si, sa in enumerate(sides):
                    m = total // len(sides) + (si < total % len(sides))
                    pool_p = np.flatnonzero(
                        ordinary
                        & (self.living == sa)
                        & (self.age >= 13)
                        & ~np.isin(np.arange(self.n), who_l)
                    )
                    if kind != "party_assault":
                        pool_p = pool_p[self.sex[pool_p] != "F"] if rng.random() < 0.85 else pool_p
                    if not len(pool_p):
                        continue
                    got = [
                        int(x) for x in rng.choice(pool_p, size=min(m, len(pool_p)), replace=False)
                    ]
                    per_side.append(got)
                    who_l += got
                who = np.array(who_l, dtype=np.int64)
                if len(who) < 2:
                    continue
                k_each = rng.integers(1, 3, len(who))
                p = np.repeat(who, k_each)
                two_days = kind == "fight" and rng.random() < 0.4
                dd = day + (rng.integers(0, 2, len(p)) * int(rng.integers(1, 8)) if two_days else 0)
                ctx = {
                    "fight": {
                        "serious_youth_violence": 0.75,
                        "gang_association": 0.15,
                        "other": 0.1,
                    },
                    "stabbing": {"serious_youth_violence": 0.85, "gang_association": 0.15},
                    "party_assault": {
                        "harmful_sexual_behaviour": 0.35,
                        "cse": 0.2,
                        "serious_youth_violence": 0.2,
                        "other": 0.15,
                        "teenage_relationship_abuse": 0.1,
                    },
                }[kind]
                src = {
                    "fight": {"police": 0.7, "health": 0.15, "school": 0.1, "other": 0.05},
                    "stabbing": {"police": 0.6, "health": 0.3, "school": 0.1},
                    "party_assault": {"police": 0.5, "social_care": 0.35, "school": 0.15},
                }[kind]
                self._sightings(
                    p,
                    np.full(len(p), v),
                    np.broadcast_to(np.asarray(dd), p.shape),
                    ctx,
                    src,
                    np.array([0.0, 0.3, 0.45, 0.25]),
                )
                for side in per_side:
                    if len(side) > 1:
                        s = np.array(side)
                        self._ties(
                            s[:-1],
                            s[1:],
                            "associate",
                            np.full(len(s) - 1, day),
                            base=np.array([0.0, 0.35, 0.45, 0.2]),
                            src={"police": 1.0},
                        )
                if kind == "stabbing":  # retaliation a week or so later, at a park
                    park = self._nearest("park", a, pl.x[v], pl.y[v])
                    if park >= 0:
                        ret = np.array(per_side[-1][:2])
                        self._sightings(
                            ret,
                            np.full(len(ret), park),
                            np.full(len(ret), day + int(rng.integers(5, 11))),
                            {"serious_youth_violence": 1.0},
                            {"police": 1.0},
                            np.array([0.0, 0.3, 0.45, 0.25]),
                        )
                    hosp = self._places_of("hospital", a)
                    vic = np.array(per_side[0][:1])
                    self._sightings(
                        vic,
                        np.full(1, hosp[0]),
                        np.full(1, day),
                        {"serious_youth_violence": 1.0},
                        {"health": 1.0},
                        np.array([0.0, 0.1, 0.4, 0.5]),
                    )
            self.cast[who] = True
            out.append({"venue": v, "people": who, "kind": kind, "day": day, "authority": a})
        return out

    # ---- noise of pooled records -------------------------------------------------------------
    def noisy_sightings(self) -> pd.DataFrame:
        rng, pl = self.rng, self.pl
        s = pd.DataFrame({k: np.concatenate([part[k] for part in self.sight]) for k in "pvdcsr"})
        n = len(s)
        # the same incident recorded by a second agency, sometimes a few days later
        dup = rng.random(n) < 0.07
        d2 = s[dup].copy()
        d2["s"] = rng.choice(len(SRC), size=len(d2), p=_vec(BG_SOURCE["public"], SRC))
        lag = (rng.random(len(d2)) < 0.3) * rng.integers(1, 5, len(d2))
        d2["d"] = np.clip(d2["d"].to_numpy() + lag, 0, W - 1)
        d2["r"] = np.clip(d2["r"].to_numpy() - (rng.random(len(d2)) < 0.3).astype(np.int64), 0, 3)
        # exploitation recorded under a softer heading by some agencies
        c = s["c"].to_numpy().copy()
        soft = np.isin(c, [CI["cse"], CI["cce"]]) & (rng.random(n) < 0.12)
        c[soft] = rng.choice(
            [
                CI["other"],
                CI["missing_episode"],
                CI["teenage_relationship_abuse"],
                CI["gang_association"],
            ],
            size=soft.sum(),
        )
        s["c"] = c
        # mistyped person and place ids
        bad_p = rng.random(n) < 0.007
        s.loc[bad_p, "p"] = rng.integers(0, self.n, bad_p.sum())
        physical = np.flatnonzero(pl.karr != "online")
        bad_v = (rng.random(n) < 0.005) & (pl.karr[s["v"].to_numpy()] != "online")
        s.loc[bad_v, "v"] = rng.choice(physical, size=bad_v.sum())
        s = pd.concat([s, d2], ignore_index=True)
        return s.drop_duplicates(list("pvdcsr"))


# -- export --------------------------------------------------------------------------------


def _ids(rng: np.random.Generator, prefix: np.ndarray, digits: int) -> np.ndarray:
    """Unique local reference numbers: a letter prefix and ``digits`` digits."""
    n = len(prefix)
    nums = rng.choice(np.arange(10 ** (digits - 1), 10**digits), size=n, replace=False)
    return np.char.add(prefix.astype(str), nums.astype(str)).astype(object)


def heldout_d_scenario(
    boundaries: gpd.GeoDataFrame, *, n_people: int, seed: int
) -> tuple[peermap.Dataset, HeldOutDTruth]:
    """Build held-out world D on ``boundaries`` and return the dataset and its truth.

    Parameters
    ----------
    boundaries : geopandas.GeoDataFrame
        Standard peermap boundaries (``code``, ``name``, ``geometry``).
    n_people : int
        Rows of the people table (young people, plus a few young adults: care leavers,
        older partners, and the exploiters, who are seen rarely or never).
    seed : int
        Seed; the same seed, size and boundaries give the same world.
    """
    w = _World(boundaries, n_people, seed)
    reg, rng = w.reg, w.rng
    w.styles()
    w.people()
    w.venues()
    hubs = w.plan_hubs()
    line = w.plan_line(hubs)
    w.homes()
    w.schools()
    w.groups()
    for h in hubs:
        w.hub_venue(h)
    w.pl.freeze()
    w.background()
    w.group_life()
    w.background_ties()
    w.other_relocations()
    for h in hubs:
        w.hub_records(h)
    if line is not None:
        w.line_records(line)
    planted_venues = {h["venue"] for h in hubs} | ({line["venue"]} if line else set())
    decoys = w.decoys(planted_venues)
    pl = w.pl
    pl.freeze()
    n = w.n
    codes, names = reg.codes, reg.names

    # ---- ids --------------------------------------------------------------------------------
    id_style = rng.integers(0, 3, reg.n)
    pref = np.array(["YP-", "CS-", "P-"], dtype=object)[id_style[w.home]]
    pid = _ids(rng, pref, 7)
    vid = _ids(rng, np.full(len(pl), "LOC-", dtype=object), 6)

    # ---- people -----------------------------------------------------------------------------
    age = w.age.copy()
    typo = rng.random(n) < 0.003
    age[typo] = np.clip(age[typo] + rng.choice([-2, -1, 1, 2], typo.sum()), 8, 25)
    sex = w.sex.copy()
    unk = rng.random(n) < w.sex_unknown[w.home]
    sex[unk] = "unknown"
    bool_forms = [("true", "false"), ("Y", "N"), ("yes", "no"), ("1", "0")]
    lac_txt = np.array(
        [
            bool_forms[int(w.bool_style[h])][0 if la else 1]
            for h, la in zip(w.home, w.lac, strict=True)
        ],
        dtype=object,
    )
    lac_txt[rng.random(n) < 0.06] = None
    people = pd.DataFrame(
        {
            "person_id": pid,
            "home_authority": np.where(w.by_name[w.home], names[w.home], codes[w.home]),
            "age": age.astype(np.int64),
            "sex": np.where(w.title[w.home], pd.Series(sex).str.upper(), sex),
            "looked_after": lac_txt,
        }
    ).sort_values("person_id", ignore_index=True)

    # ---- places -----------------------------------------------------------------------------
    online = pl.karr == "online"
    pa = np.maximum(pl.aarr, 0)
    tr = Transformer.from_crs(27700, 4326, always_xy=True)
    lon, lat = tr.transform(pl.xarr, pl.yarr)
    use_ll = w.lonlat[pa] & ~online
    both = (rng.random(len(pl)) < 0.05) & ~online
    east = np.where(use_ll & ~both, np.nan, np.round(pl.xarr, 0))
    north = np.where(use_ll & ~both, np.nan, np.round(pl.yarr, 0))
    lon_c = np.where(use_ll | both, np.round(lon, 6), np.nan)
    lat_c = np.where(use_ll | both, np.round(lat, 6), np.nan)
    east[online] = north[online] = lon_c[online] = lat_c[online] = np.nan
    kind_txt = _title(pl.karr.astype(object), w.title[pa] & ~online)
    places = pd.DataFrame(
        {
            "place_id": vid,
            "kind": kind_txt,
            "easting": east,
            "northing": north,
            "lon": lon_c,
            "lat": lat_c,
            "platform": np.array(pl.platform, dtype=object),
        }
    ).sort_values("place_id", ignore_index=True)

    # ---- sightings ----------------------------------------------------------------------------
    s = w.noisy_sightings()
    va = np.maximum(pl.aarr[s["v"].to_numpy()], 0)
    title = w.title[va]
    ctx = np.array(CTX, dtype=object)[s["c"].to_numpy()]
    src = np.array(SRC, dtype=object)[s["s"].to_numpy()]
    sightings = pd.DataFrame(
        {
            "person_id": pid[s["p"].to_numpy()],
            "place_id": vid[s["v"].to_numpy()],
            "date": _day_strings(s["d"].to_numpy(), w.date_uk[va]),
            "context": _title(ctx, title),
            "source": _title(src, title),
            "reliability": np.array(REL, dtype=object)[s["r"].to_numpy()],
            "_d": s["d"].to_numpy(),
        }
    )
    sightings = (
        sightings.sort_values(["_d", "person_id", "place_id"], kind="stable")
        .drop(columns="_d")
        .reset_index(drop=True)
    )

    # ---- ties ------------------------------------------------------------------------------------
    t = pd.DataFrame({k: np.concatenate([part[k] for part in w.ties]) for k in "abkflsr"})
    t = t[t["a"] != t["b"]]
    und = (t["k"] != TI["exploiter"]).to_numpy()
    lo = np.minimum(t["a"].to_numpy(), t["b"].to_numpy())
    hi = np.maximum(t["a"].to_numpy(), t["b"].to_numpy())
    t["a"] = np.where(und, lo, t["a"])
    t["b"] = np.where(und, hi, t["b"])
    t = t.drop_duplicates(["a", "b", "k"])
    ha = w.home[t["a"].to_numpy()]
    uk = w.date_uk[ha]
    last = t["l"].to_numpy()
    last_s = _day_strings(np.maximum(last, 0), uk)
    last_s[last < 0] = None
    ties = pd.DataFrame(
        {
            "person_a": pid[t["a"].to_numpy()],
            "person_b": pid[t["b"].to_numpy()],
            "kind": np.array(TIE, dtype=object)[t["k"].to_numpy()],
            "first_seen": _day_strings(t["f"].to_numpy(), uk),
            "last_seen": last_s,
            "source": np.array(SRC, dtype=object)[t["s"].to_numpy()],
            "reliability": np.array(REL, dtype=object)[t["r"].to_numpy()],
            "_f": t["f"].to_numpy(),
        }
    )
    ties = (
        ties.sort_values(["_f", "person_a", "person_b"], kind="stable")
        .drop(columns="_f")
        .reset_index(drop=True)
    )

    # ---- relocations -------------------------------------------------------------------------
    rl = pd.DataFrame(w.reloc, columns=["p", "frm", "to", "d", "kind"])
    rl = rl[rl["frm"] != rl["to"]].drop_duplicates(["p", "frm", "to"], keep="last")
    rd = np.clip(rl["d"].to_numpy(), -1500, W - 1)
    rdate = (pd.Timestamp(START) + pd.to_timedelta(rd, unit="D")).strftime("%Y-%m-%d")
    named = w.by_name[rl["to"].to_numpy()]
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
    ).sort_values(["date", "person_id"], ignore_index=True)

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

    # ---- truth -------------------------------------------------------------------------------
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
                kind=str(pl.karr[h["venue"]]),
                design=h["design"],
                authority=str(codes[h["host"]]),
                people=tuple(str(x) for x in pid[v]),
                exploiters=tuple(str(x) for x in pid[ex]),
                authorities=auths([h["host"]], w.home[v], w.living[v]),
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
                distance_km=round(line["dist"], 1),
                place_id=str(vid[line["venue"]]),
                people=tuple(str(x) for x in pid[ppl]),
                exploiters=tuple(str(x) for x in pid[ex]),
                authorities=auths([line["o"], line["d"]], w.home[ppl]),
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
        "hub_thin": tuple(h["thin"] for h in hubs),
        "hub_periods": tuple(
            (
                (START + timedelta(days=h["start"])).isoformat(),
                (START + timedelta(days=h["end"])).isoformat(),
            )
            for h in hubs
        ),
        "hub_duplicate_place": tuple(str(vid[h["dup"]]) if "dup" in h else None for h in hubs),
        "decoy_kinds": tuple(dc["kind"] for dc in decoys),
        "adults_in_people_table": int(w.adult.sum()),
        "looked_after_share": round(float(w.lac.mean()), 3),
        "placed_out_share_of_looked_after": round(float(w.placed.sum() / max(1, w.lac.sum())), 3),
        "rows": {k: len(v) for k, v in tables.items()},
        "partner_grading": tuple(GRADING[g] for g in w.grading),
    }
    truth = HeldOutDTruth(
        trap_houses=tuple(hub_truth),
        county_lines=tuple(line_truth),
        decoys=decoy_truth,
        seed=seed,
        parameters=parameters,
    )
    return ds, truth
