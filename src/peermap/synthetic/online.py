"""Planted online contexts (schema 1.1): a recruiting group chat and a year group's chat.

Two patterns local areas describe:

- **a group chat used to recruit** across three authorities: a host authority and
  two others, at least one of them not a neighbour of the host; three to five young
  people from each, recorded there for criminal (and some sexual) exploitation, and
  one or two older young people of the host in exploiter ties with them;
- **image sharing inside a school year group**: eight to twelve young people of one
  age homed in one authority, recorded in their year group's chat for the sharing of
  explicit images and for harassment online.

They are planted after the tables are built, from their own random generator (seeded
from the scenario's seed), so a scenario's other tables are the same with or without
them. :func:`peermap.synthetic.scenario` plants them with ``online_spaces=True``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from peermap.synthetic.region import Calendar, Region
from peermap.synthetic.truth import OnlineContext

__all__ = ["ONLINE_SEED", "plant_online"]

#: Second word of the seed of the online contexts' generator: ``PCG64([seed, 24])``.
ONLINE_SEED = 24


def _days(rng: np.random.Generator, cal: Calendar, n: int) -> np.ndarray:
    start = int(rng.integers(0, max(cal.n_days - 90, 1)))
    return np.sort(rng.integers(start, min(start + 90, cal.n_days), n))


def plant_online(
    tables: Mapping[str, pd.DataFrame], region: Region, cal: Calendar, seed: int
) -> tuple[dict[str, pd.DataFrame], tuple[OnlineContext, ...]]:
    """Add the two online contexts to a scenario's text tables; return them and the truth.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        The five tables as text (before reading).
    region : Region
        The authorities, their neighbours and weights.
    cal : Calendar
        The period.
    seed : int
        The scenario's seed.

    Returns
    -------
    tables : dict of str to DataFrame
        The tables with two online places, their sightings and exploiter ties added.
    truth : tuple of OnlineContext
        What was planted.
    """
    rng = np.random.Generator(np.random.PCG64([seed, ONLINE_SEED]))
    people = tables["people"]
    ages = people["age"].astype(int).to_numpy()
    homes = people["home_authority"].to_numpy(dtype=object)
    ids = people["person_id"].to_numpy(dtype=object)
    counts = pd.Series(homes).value_counts()
    places, sightings, ties = [tables["places"]], [tables["sightings"]], [tables["ties"]]
    truth: list[OnlineContext] = []
    used: set[str] = set()

    def pick(authority: str, n: int, lo: int, hi: int) -> list[str]:
        ok = np.flatnonzero(
            (homes == authority) & (ages >= lo) & (ages <= hi) & ~np.isin(ids, list(used))
        )
        chosen = sorted(str(ids[i]) for i in rng.choice(ok, size=min(n, len(ok)), replace=False))
        used.update(chosen)
        return chosen

    def add(
        place: str, platform: str, label: str, members: list[str], ctx: dict[str, float]
    ) -> tuple[dt.date, dt.date, tuple[str, ...]]:
        n = len(members) * 2
        who = np.tile(np.asarray(members, dtype=object), 2)  # each member twice
        day = _days(rng, cal, n)
        contexts = rng.choice(list(ctx), size=n, p=np.array(list(ctx.values())))
        contexts[: len(members)] = next(iter(ctx))  # every member has the main record
        places.append(
            pd.DataFrame(
                {"place_id": [place], "kind": ["online"], "platform": [platform], "label": [label]}
            )
        )
        sightings.append(
            pd.DataFrame(
                {
                    "person_id": who,
                    "place_id": place,
                    "date": cal.text[day],
                    "context": contexts,
                    "source": rng.choice(["police", "social_care", "school"], size=n),
                    "reliability": rng.choice(["reported", "corroborated", "confirmed"], size=n),
                }
            ).drop_duplicates()  # the same record twice is one record
        )
        return cal.day(int(day.min())), cal.day(int(day.max())), tuple(sorted(set(contexts)))

    # A group chat recruiting across three authorities, one of them not a neighbour.
    big = [i for i in range(region.k) if counts.get(region.codes[i], 0) >= 12]
    hosts = [i for i in big if any(not region.neighbour[i, j] for j in big if j != i)]
    if len(big) >= 3 and hosts:
        host = int(rng.choice(hosts))
        far = [j for j in big if j != host and not region.neighbour[host, j]]
        first = int(rng.choice(far))
        rest = [j for j in big if j not in (host, first)]
        second = int(rng.choice(rest))
        authorities = [str(region.codes[a]) for a in (host, first, second)]
        members = sorted(p for a in authorities for p in pick(a, int(rng.integers(3, 6)), 12, 16))
        exploiters = pick(authorities[0], int(rng.integers(1, 3)), 17, 18)
        start, end, ctxs = add(
            "online-001", "snapchat", "group chat 1", members, {"cce": 0.8, "cse": 0.2}
        )
        for x in exploiters:
            ties.append(
                pd.DataFrame(
                    {
                        "person_a": x,
                        "person_b": members,
                        "kind": "exploiter",
                        "first_seen": start.isoformat(),
                        "last_seen": "",
                        "source": "police",
                        "reliability": "corroborated",
                    }
                )
            )
        truth.append(
            OnlineContext(
                "online-001",
                "recruitment",
                "snapchat",
                tuple(members),
                tuple(exploiters),
                tuple(sorted(authorities)),
                ctxs,
                start,
                end,
            )
        )
    # Image sharing inside one school year group.
    by_age = people.assign(age=ages).groupby(["home_authority", "age"]).size()
    year = by_age[(by_age.index.get_level_values("age") >= 13) & (by_age >= 10)]
    if len(year):
        authority, age = year.index[int(rng.integers(0, len(year)))]
        members = pick(str(authority), int(rng.integers(8, 13)), int(age), int(age))
        start, end, ctxs = add(
            "online-002",
            "snapchat",
            "year group chat",
            members,
            {"image_sharing": 0.7, "online_harassment": 0.3},
        )
        truth.append(
            OnlineContext(
                "online-002",
                "image_sharing",
                "snapchat",
                tuple(members),
                (),
                (str(authority),),
                ctxs,
                start,
                end,
            )
        )
    out = dict(tables)
    out["places"] = pd.concat(places, ignore_index=True)
    out["sightings"] = pd.concat(sightings, ignore_index=True)
    out["ties"] = pd.concat(ties, ignore_index=True)
    return out, tuple(truth)
