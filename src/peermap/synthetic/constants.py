"""The generator's knobs: every number of the synthetic models, named.

``docs/synthetic.md`` quotes each one in its "All the constants" table, and
``tests/test_synthetic_docs.py`` checks that the table and this module agree: a constant
added here is added there. :mod:`peermap.synthetic` re-exports them all.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ACTIVITY_SHAPE",
    "AGE_WEIGHTS",
    "BACKGROUND_EXPLOITER_AGE_GAP",
    "BACKGROUND_EXPLOITER_CROSS",
    "BACKGROUND_EXPLOITER_MIN_AGE",
    "BACKGROUND_EXPLOITER_RELIABILITY",
    "BACKGROUND_EXPLOITER_SHARE",
    "BACKGROUND_EXPLOITER_SOURCES",
    "BACKGROUND_EXPLOITER_VICTIMS",
    "BETA_DEFAULT",
    "COUNTY_LINE_CONTEXTS",
    "COUNTY_LINE_KM",
    "COUNTY_LINE_PEOPLE",
    "COUNTY_LINE_VISITS",
    "DECOY_BUSY_QUANTILE",
    "DECOY_CYCLE",
    "DECOY_FIGHT_AUTHORITIES",
    "DECOY_FIGHT_CONTEXTS",
    "DECOY_FIGHT_DAYS",
    "DECOY_FIGHT_GAP_DAYS",
    "DECOY_FIGHT_PEOPLE",
    "DECOY_HUB_AUTHORITIES",
    "DECOY_HUB_CONTEXTS",
    "DECOY_HUB_PEOPLE",
    "DECOY_HUB_WINDOW_DAYS",
    "DECOY_PLACE_KINDS",
    "DECOY_RELIABILITY",
    "DECOY_SOURCES",
    "DECOY_VISITS",
    "DISTANCE_FLOOR_KM",
    "EX_PARTNER_SHARE",
    "GROUP_CROSS",
    "GROUP_MAX",
    "GROUP_MIN",
    "GROUP_P",
    "GROUP_SHARE",
    "GROUP_TIE_KINDS",
    "HUB_CLUSTERED",
    "HUB_RADIUS_M",
    "HUB_SHARE",
    "INDIVIDUAL_CROSS",
    "INDIVIDUAL_TIE_KINDS",
    "LAST_SEEN_MEAN_DAYS",
    "LAST_SEEN_SHARE",
    "NEIGHBOUR_PLACEMENT",
    "OUT_OF_AREA_DEFAULT",
    "PARTNER_CROSS",
    "PARTNER_MAX_AGE_GAP",
    "PARTNER_MIN_AGE",
    "PLACEMENT_KINDS",
    "PLACE_ATTRACTION",
    "PLACE_BUSYNESS_SIGMA",
    "PLACE_MIX",
    "PLANTED_RELIABILITY",
    "PLANTED_SOURCES",
    "RECEIVING_TIE_SHARE",
    "SEX_WEIGHTS",
    "SIBLING_RELIABILITY",
    "SIBLING_SOURCES",
    "SIGHTING_CONTEXTS",
    "SIGHTING_CROSS",
    "SIGHTING_RELIABILITY",
    "SIGHTING_SOURCES",
    "THIN_RELIABILITY",
    "THIN_SHARE",
    "TIE_MIX",
    "TIE_RELIABILITY",
    "TIE_SOURCES",
    "TRAP_AUTHORITIES",
    "TRAP_CONTEXTS",
    "TRAP_PER_AUTHORITY",
    "TRAP_REACH_KM",
    "TRAP_VISITS",
    "TRAP_WINDOW_DAYS",
]

#: Ages 10-18 and their relative frequency (peer-on-peer abuse peaks mid-teens).
AGE_WEIGHTS: Final = {10: 4, 11: 5, 12: 8, 13: 11, 14: 13, 15: 15, 16: 16, 17: 15, 18: 13}
SEX_WEIGHTS: Final = {"F": 0.47, "M": 0.49, "X": 0.01, "unknown": 0.03}

#: Share of young people who belong to a peer group.
GROUP_SHARE: Final = 0.85
#: Peer-group size: 3 + (geometric(p) - 1), at most 12 (mean about 5.5).
GROUP_MIN, GROUP_MAX, GROUP_P = 3, 12, 0.28
#: Probability that a group member's group is based outside their home authority.
GROUP_CROSS: Final = 0.10
#: Shares of the background tie budget; the rest (about 28%) are ties outside groups.
TIE_MIX: Final = {"group": 0.63, "sibling": 0.04, "partner": 0.045}
#: Of partner ties, the share that are past relationships (``ex_partner``).
EX_PARTNER_SHARE: Final = 0.4
#: Kinds of tie inside a peer group, and of ties outside groups.
GROUP_TIE_KINDS: Final = {"friend": 0.5, "group_member": 0.35, "associate": 0.15}
INDIVIDUAL_TIE_KINDS: Final = {"friend": 0.55, "associate": 0.45}
#: Probability that a tie outside a group, or a partner, is with someone homed elsewhere.
INDIVIDUAL_CROSS: Final = 0.30
PARTNER_CROSS: Final = 0.15
PARTNER_MIN_AGE, PARTNER_MAX_AGE_GAP = 13, 3

#: Where ties come from, and how reliable they are (most are reported, few confirmed).
TIE_SOURCES: Final = {
    "school": 0.24,
    "social_care": 0.24,
    "police": 0.22,
    "youth_service": 0.09,
    "young_person": 0.08,
    "health": 0.05,
    "voluntary_sector": 0.05,
    "other": 0.03,
}
TIE_RELIABILITY: Final = {
    "unverified": 0.30,
    "reported": 0.45,
    "corroborated": 0.18,
    "confirmed": 0.07,
}
SIBLING_SOURCES: Final = {"social_care": 0.6, "school": 0.3, "health": 0.1}
SIBLING_RELIABILITY: Final = {"reported": 0.2, "corroborated": 0.3, "confirmed": 0.5}
#: Share of ties with a ``last_seen`` date, and the mean time from first to last seen (days).
LAST_SEEN_SHARE, LAST_SEEN_MEAN_DAYS = 0.55, 90.0

#: Sightings: where they come from and how reliable, and their harm contexts.
SIGHTING_SOURCES: Final = {
    "police": 0.35,
    "social_care": 0.20,
    "school": 0.15,
    "youth_service": 0.10,
    "health": 0.05,
    "voluntary_sector": 0.05,
    "young_person": 0.05,
    "other": 0.05,
}
SIGHTING_RELIABILITY: Final = {
    "unverified": 0.25,
    "reported": 0.45,
    "corroborated": 0.20,
    "confirmed": 0.10,
}
SIGHTING_CONTEXTS: Final = {
    "bullying": 0.18,
    "serious_youth_violence": 0.15,
    "missing_episode": 0.14,
    "gang_association": 0.11,
    "teenage_relationship_abuse": 0.10,
    "harmful_sexual_behaviour": 0.07,
    "cce": 0.06,
    "cse": 0.05,
    "other": 0.14,
}
#: Probability that a sighting is outside the young person's base authority.
SIGHTING_CROSS: Final = 0.20
#: Gamma shape of how unevenly sightings fall on young people (1 = exponential).
ACTIVITY_SHAPE: Final = 0.8
#: How much each kind of place draws sightings.
PLACE_ATTRACTION: Final = {
    "school": 3.0,
    "hotel": 0.3,
    "park": 2.0,
    "transport_hub": 2.5,
    "fast_food": 3.0,
    "shopping_centre": 2.5,
    "residential": 1.0,
    "youth_venue": 2.0,
    "other": 0.7,
}
#: Share of places of each kind.
PLACE_MIX: Final = {
    "school": 0.15,
    "hotel": 0.06,
    "park": 0.14,
    "transport_hub": 0.08,
    "fast_food": 0.14,
    "shopping_centre": 0.05,
    "residential": 0.25,
    "youth_venue": 0.08,
    "other": 0.05,
}
#: Kinds that cluster near transport hubs, the share of them that do, and the radius (m).
HUB_CLUSTERED: Final = ("hotel", "fast_food")
HUB_SHARE, HUB_RADIUS_M = 0.85, 400.0
#: Places of one kind are not equally busy: each place's attraction is multiplied by a
#: log-normal busyness of mean 1 and this log-scale spread.
PLACE_BUSYNESS_SIGMA: Final = 0.5

#: Gravity model: exponent and distance floor (km).
BETA_DEFAULT, DISTANCE_FLOOR_KM = 2.0, 2.0

#: Out-of-area placements: share placed outside the home authority (about 41% in
#: England, 2018), and of those the share placed in a neighbouring authority.
OUT_OF_AREA_DEFAULT, NEIGHBOUR_PLACEMENT = 0.41, 0.75
PLACEMENT_KINDS: Final = {"care_placement": 0.9, "secure": 0.1}
#: Share of young people placed out of area who form ties in the receiving authority.
RECEIVING_TIE_SHARE: Final = 0.5

#: Background ``exploiter`` ties, in no planted context: their share of the background
#: tie budget; the older young person's minimum age and the smallest age gap; how many
#: younger young people each one has; the probability that the younger one is homed in a
#: neighbouring authority (otherwise the same one); where they come from and how
#: reliable they are (mostly unverified or reported).
BACKGROUND_EXPLOITER_SHARE: Final = 0.004
BACKGROUND_EXPLOITER_MIN_AGE, BACKGROUND_EXPLOITER_AGE_GAP = 15, 2
BACKGROUND_EXPLOITER_VICTIMS: Final = (1, 3)
BACKGROUND_EXPLOITER_CROSS: Final = 0.25
BACKGROUND_EXPLOITER_SOURCES: Final = {
    "police": 0.35,
    "social_care": 0.30,
    "school": 0.15,
    "youth_service": 0.10,
    "young_person": 0.05,
    "other": 0.05,
}
BACKGROUND_EXPLOITER_RELIABILITY: Final = {
    "unverified": 0.45,
    "reported": 0.40,
    "corroborated": 0.12,
    "confirmed": 0.03,
}

#: Planted contexts: young people per home authority, home authorities per trap house.
TRAP_PER_AUTHORITY, TRAP_AUTHORITIES = (2, 4), (3, 5)
#: A trap house's other home authorities are its host's neighbours or lie within this
#: distance of it (centroids, km): never authorities that nothing links.
TRAP_REACH_KM: Final = 25.0
#: Sightings per young person at a trap house: 1 to a ceiling drawn per house from
#: ``TRAP_VISITS`` (so some houses see each young person only once or twice), within a
#: window whose length (days) is drawn per house from ``TRAP_WINDOW_DAYS``.
TRAP_VISITS, TRAP_WINDOW_DAYS = (2, 5), (60, 180)
#: Contexts of trap-house sightings (``cse`` and ``cce`` always both appear).
TRAP_CONTEXTS: Final = {"cse": 0.36, "cce": 0.36, "missing_episode": 0.16, "gang_association": 0.12}
#: County lines: young people sent, sightings per young person (1 to the upper bound).
COUNTY_LINE_PEOPLE, COUNTY_LINE_VISITS = (3, 6), (1, 4)
#: Contexts of county-line sightings (``cce`` always appears).
COUNTY_LINE_CONTEXTS: Final = {"cce": 0.8, "missing_episode": 0.2}
#: Distance from origin to destination (centroids, km): the destination is drawn from the
#: non-neighbours in this band; if the origin has none there, from the farther half of its
#: non-neighbours closer than the upper bound (never farther, never a neighbour).
COUNTY_LINE_KM: Final = (40.0, 250.0)
#: Where planted records come from and how reliable they are. A planted context is
#: thinly documented with probability ``THIN_SHARE``: its records are then mostly
#: unverified or reported (``THIN_RELIABILITY``).
PLANTED_SOURCES: Final = {
    "police": 0.45,
    "social_care": 0.25,
    "youth_service": 0.12,
    "school": 0.08,
    "health": 0.05,
    "voluntary_sector": 0.05,
}
PLANTED_RELIABILITY: Final = {
    "unverified": 0.10,
    "reported": 0.40,
    "corroborated": 0.35,
    "confirmed": 0.15,
}
THIN_SHARE: Final = 0.4
THIN_RELIABILITY: Final = {"unverified": 0.45, "reported": 0.45, "corroborated": 0.10}

#: Decoys: busy ordinary venues with genuine serious incidents that are not trap houses.
#: The kinds of venue, and the incidents in turn (``DECOY_CYCLE``): a ``fight`` or an
#: ``exploitation`` incident seen at a busy transport hub.
DECOY_PLACE_KINDS: Final = ("school", "fast_food", "transport_hub", "shopping_centre", "park")
DECOY_CYCLE: Final = ("fight", "exploitation", "fight", "fight")
#: A fight: young people, their home authorities (the venue's and linked ones drawn by
#: the gravity model), the days it spans (a second day at most ``DECOY_FIGHT_GAP_DAYS``
#: after the first: a retaliation), and its contexts.
DECOY_FIGHT_PEOPLE, DECOY_FIGHT_AUTHORITIES = (4, 8), (2, 3)
DECOY_FIGHT_DAYS, DECOY_FIGHT_GAP_DAYS = (1, 2), 7
DECOY_FIGHT_CONTEXTS: Final = {
    "serious_youth_violence": 0.8,
    "gang_association": 0.1,
    "bullying": 0.1,
}
#: Exploitation at a hub: young people, home authorities, window (days), contexts.
DECOY_HUB_PEOPLE, DECOY_HUB_AUTHORITIES, DECOY_HUB_WINDOW_DAYS = (3, 5), (1, 3), 30
DECOY_HUB_CONTEXTS: Final = {"cse": 0.45, "cce": 0.45, "missing_episode": 0.10}
#: Decoy venues are among the busiest: at or above this quantile of expected footfall.
DECOY_BUSY_QUANTILE: Final = 0.75
#: Sightings per young person in a decoy incident.
DECOY_VISITS: Final = (1, 2)
#: Decoy records come mostly from the police and schools, and are well corroborated.
DECOY_SOURCES: Final = {
    "police": 0.5,
    "school": 0.2,
    "social_care": 0.15,
    "youth_service": 0.1,
    "other": 0.05,
}
DECOY_RELIABILITY: Final = {"reported": 0.35, "corroborated": 0.40, "confirmed": 0.25}
