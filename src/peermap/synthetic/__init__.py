"""Seeded synthetic scenarios: a valid dataset plus the ground truth planted in it.

:func:`scenario` builds a fictional population of young people aged 10-18 on any
set of authority boundaries, with peer groups, sibling and partner ties, places of
every kind, sightings, out-of-area care placements and a few planted exploitation
contexts (trap houses drawing young people from three or more nearby authorities, and
a county-lines style link to an authority 40-250 km away). Decoys make the planted
truth hard to single out by trivial signals: genuine serious incidents at busy
ordinary venues (fights, a few exploitation records at a transport hub), background
``exploiter`` ties in no planted context, and background CSE/CCE records spread thin
over many places and young people. The tables go through
:func:`peermap.read_dataset` with the boundaries, so the returned
:class:`~peermap.Dataset` is valid by construction, and the planted contexts come
back in a :class:`GroundTruth` (with the decoys) so that tests can check that an
analysis finds them, and ranks them above the decoys.

Nothing here is real: identifiers are sequential (``yp-000001``, ``pl-00001``), labels
are generic (``hotel 12``), and the same ``seed`` gives the same tables byte for byte.
The models and their parameters are described in ``docs/synthetic.md``.

One concern per module:

* :mod:`peermap.synthetic.constants`: every number of the models, named (all re-exported
  here, such as ``TRAP_REACH_KM``);
* :mod:`peermap.synthetic.truth`: the truth records, :class:`GroundTruth` and
  :class:`Scenario`;
* :mod:`peermap.synthetic.sampling`: vectorised weighted draws;
* :mod:`peermap.synthetic.region`: the authorities and the gravity model, the calendar;
* :mod:`peermap.synthetic.population`: young people, places, background ties, peer
  groups, sightings and placements;
* :mod:`peermap.synthetic.planting`: trap houses, county lines and decoys;
* :mod:`peermap.synthetic.generate`: :func:`scenario`, which runs them in order and
  builds the tables.
"""

from __future__ import annotations

from peermap.synthetic.constants import *  # noqa: F403  (every constant, by its __all__)
from peermap.synthetic.generate import scenario
from peermap.synthetic.truth import (
    CountyLine,
    GroundTruth,
    Incident,
    OnlineContext,
    Placement,
    Scenario,
    TrapHouse,
)

__all__ = [
    "CountyLine",
    "GroundTruth",
    "Incident",
    "OnlineContext",
    "Placement",
    "Scenario",
    "TrapHouse",
    "scenario",
]
