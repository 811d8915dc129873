"""Accuracy and speed of privacy-preserving record linkage (peermap.linkage).

    python benchmarks/bench_linkage.py            # 10,000 people per partner
    python benchmarks/bench_linkage.py --full     # and the 100,000 x 100,000 timing
    python benchmarks/bench_linkage.py --hand     # only the hand-written identity set
    python benchmarks/bench_linkage.py --names en_GB   # names from Faker's en_GB lists only
    python benchmarks/bench_linkage.py --full --two    # two partners only (no three)

Synthetic identities: first names and surnames drawn from Faker's name lists, each
family from one locale with the shares of :data:`LOCALES` (en_GB's 182 boys' and 182
girls' names and 500 surnames weighted by frequency for three quarters of families;
Irish, Indian, Polish, Romanian, Yoruba and Ghanaian lists for the rest), dates of birth
uniform over 2008-2015 (young people aged 10 to 17), synthetic postcodes in the UK
pattern. A share of the population lives in families: siblings share a surname and a
postcode (:data:`SIBLINGS`), and :data:`TWINS` of them are twins (the same date of
birth too). Each partner holds a share of the people (:data:`OVERLAP`); the copy a
second or third partner holds is corrupted, each corruption independently with the
probability in :data:`CORRUPTIONS`:

- ``typo``: one edit (substitution, deletion, insertion or swap of neighbours) in the
  first or the last name;
- ``nickname``: the first name replaced by one of its nicknames (``nicknames`` package);
- ``swap``: first and last names swapped;
- ``transpose``: day and month of the date of birth swapped (when the day is 12 or less);
- ``dob_typo``: the day of birth one off;
- ``moved``: another postcode;
- ``missing``: the postcode, the sex or the date of birth left blank (one of them);
- ``case``: the names in capitals, with an accent or a hyphen where the name has one.

Prints precision, recall and F1 of links at the default threshold (version 3 CLKs:
match probability 0.9; and, for two partners, precision and recall at other match
probabilities, and version 2's linking, the record filters alone with rivals, on the
same CLKs under the same key: at 10,000 records, and at 100,000 with ``--versions``),
the same for exact
keyed pseudonyms of normalised first name, last name and date of birth (what partners
can do without peermap.linkage), for two partners and for three, and the time per
10,000 records of encoding and linking. The hand sets (``--hand``,
benchmarks/data/linkage_hand.csv, and linkage_heldout.csv, written in session 25 by
another hand who read neither the first set nor the linker) were written by hand, with
corruptions the generator does not make.
"""

from __future__ import annotations

import argparse
import base64
import csv
import datetime as dt
import importlib
import itertools
import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from nicknames import NickNamer

from peermap import cluster_identities, encode_identities, link_identities
from peermap.linkage.linking import DEFAULT_PROBABILITY
from peermap.linkage.normalise import normalise_name
from peermap.privacy import generate_key, pseudonym

HAND = Path(__file__).parent / "data" / "linkage_hand.csv"
#: A second set, 135 pairs, written by another hand (session 25) without reading the first.
HELD_OUT = Path(__file__).parent / "data" / "linkage_heldout.csv"
#: Share of people living with a sibling, and of those, the share who are twins.
SIBLINGS = 0.25
TWINS = 0.2
#: Share of a partner's people that another partner also holds.
OVERLAP = 0.5
#: Probability of each corruption of a second or third partner's copy.
CORRUPTIONS = {
    "typo": 0.15,
    "nickname": 0.10,
    "swap": 0.03,
    "transpose": 0.05,
    "dob_typo": 0.05,
    "moved": 0.20,
    "missing": 0.10,
    "case": 0.20,
}
_AREAS = ["SE", "SW", "N", "NW", "E", "W", "CR", "BR", "M", "B", "L", "LS", "BS", "NG"]


@dataclass
class People:
    """The population: one row per person, with the truth id."""

    frame: pd.DataFrame


#: Where the benchmark's names come from: Faker locales and the share of families drawn
#: from each, roughly the make-up of young people in England (2021 census: about three
#: quarters White British; Irish, Polish and Romanian the largest other White groups;
#: Indian the largest Asian group; Nigerian and Ghanaian the largest Black African
#: groups). Faker's en_GB list alone holds 364 first names and 500 surnames, so at
#: 100,000 people per partner most people would share their name with many others;
#: ``--names en_GB`` keeps that harder population.
LOCALES = {
    "en_GB": 0.75,
    "en_IE": 0.07,
    "en_IN": 0.07,
    "pl_PL": 0.04,
    "ro_RO": 0.03,
    "yo_NG": 0.02,
    "tw_GH": 0.02,
}


@dataclass
class Names:
    """One locale's name lists: boys', girls', surnames and the surnames' weights."""

    boys: list[str]
    girls: list[str]
    surnames: list[str]
    weights: np.ndarray


def _names(locale: str) -> Names:
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    # the locale's own list: pl_PL has no ``last_names`` of its own, and the one it
    # inherits from Faker's base provider is the single name "Doe"
    own = vars(provider)
    last = own.get("last_names") or own["unisex_last_names"]
    if isinstance(last, dict):
        surnames, weights = list(last), np.asarray(list(last.values()), dtype=float)
    else:
        surnames, weights = list(last), np.ones(len(last))
    return Names(
        list(provider.first_names_male),
        list(provider.first_names_female),
        surnames,
        weights / weights.sum(),
    )


def _postcode(rng: np.random.Generator) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return (
        f"{rng.choice(_AREAS)}{rng.integers(1, 30)} {rng.integers(0, 10)}"
        f"{letters[rng.integers(len(letters))]}{letters[rng.integers(len(letters))]}"
    )


def population(n: int, rng: np.random.Generator, locales: dict[str, float]) -> pd.DataFrame:
    """``n`` people, some in families (shared surname and postcode) and some twins."""
    lists = {locale: _names(locale) for locale in locales}
    shares = np.asarray(list(locales.values()), dtype=float)
    shares /= shares.sum()
    start = dt.date(2008, 1, 1).toordinal()
    span = dt.date(2015, 12, 31).toordinal() - start
    rows = []
    while len(rows) < n:
        names = lists[list(locales)[rng.choice(len(shares), p=shares)]]
        surname = names.surnames[rng.choice(len(names.surnames), p=names.weights)]
        postcode = _postcode(rng)
        size = 2 if rng.random() < SIBLINGS else 1
        dob = dt.date.fromordinal(start + int(rng.integers(span)))
        twins = size == 2 and rng.random() < TWINS
        for member in range(size):
            sex = "M" if rng.random() < 0.5 else "F"
            first = str(rng.choice(names.boys if sex == "M" else names.girls))
            while member and rows and first == rows[-1][0]:
                first = str(rng.choice(names.boys if sex == "M" else names.girls))
            if member and not twins:
                dob = dt.date.fromordinal(start + int(rng.integers(span)))
            rows.append((first, surname, dob.isoformat(), sex, postcode))
    frame = pd.DataFrame(rows[:n], columns=["first_name", "last_name", "dob", "sex", "postcode"])
    frame.insert(0, "truth", np.arange(n))
    return frame


def _typo(name: str, rng: np.random.Generator) -> str:
    if len(name) < 3:
        return name
    i = int(rng.integers(1, len(name) - 1))
    letter = "abcdefghijklmnopqrstuvwxyz"[rng.integers(26)]
    kind = rng.integers(4)
    if kind == 0:
        return name[:i] + letter + name[i + 1 :]
    if kind == 1:
        return name[:i] + name[i + 1 :]
    if kind == 2:
        return name[:i] + letter + name[i:]
    return name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]


_NICKNAMER = NickNamer()


def corrupt(row: dict[str, str], rng: np.random.Generator) -> dict[str, str]:
    """A partner's copy of one person, with the corruptions of :data:`CORRUPTIONS`."""
    out = dict(row)
    made = []
    if rng.random() < CORRUPTIONS["nickname"]:
        nicks = sorted(_NICKNAMER.nicknames_of(out["first_name"]))
        if nicks:
            out["first_name"] = str(rng.choice(nicks)).title()
            made.append("nickname")
    if rng.random() < CORRUPTIONS["typo"]:
        field = "first_name" if rng.random() < 0.5 else "last_name"
        out[field] = _typo(out[field], rng)
        made.append("typo")
    if rng.random() < CORRUPTIONS["swap"]:
        out["first_name"], out["last_name"] = out["last_name"], out["first_name"]
        made.append("swap")
    year, month, day = (int(p) for p in out["dob"].split("-"))
    if rng.random() < CORRUPTIONS["transpose"] and day <= 12 and day != month:
        month, day = day, month
        made.append("transpose")
    if rng.random() < CORRUPTIONS["dob_typo"]:
        day = day + 1 if day < 28 else day - 1
        made.append("dob_typo")
    out["dob"] = f"{day:02d}/{month:02d}/{year}"  # the UK form
    if rng.random() < CORRUPTIONS["moved"]:
        out["postcode"] = _postcode(rng)
        made.append("moved")
    if rng.random() < CORRUPTIONS["missing"]:
        field = str(rng.choice(["postcode", "sex", "dob"]))
        out[field] = ""
        made.append(f"missing {field}")
    if rng.random() < CORRUPTIONS["case"]:
        out["first_name"] = out["first_name"].upper()
        out["last_name"] = out["last_name"].upper().replace("O", "Ó", 1)
    out["corruptions"] = ",".join(made)
    return out


def partners(
    n: int, count: int, rng: np.random.Generator, locales: dict[str, float] | None = None
) -> list[pd.DataFrame]:
    """``count`` partners of ``n`` records each; each pair shares about OVERLAP of them."""
    people = population(n * count, rng, LOCALES if locales is None else locales)
    shared = int(n * OVERLAP)
    pool = rng.permutation(len(people))
    common = pool[:shared]  # held by every partner
    rest = pool[shared:]
    out = []
    for p in range(count):
        own = rest[p * (n - shared) : (p + 1) * (n - shared)]
        chosen = np.concatenate([common, own])
        rows = people.iloc[chosen].assign(corruptions="").to_dict("records")
        if p:
            rows = [corrupt(r, rng) for r in rows]
        frame = pd.DataFrame(rows)
        frame.insert(0, "person_id", [f"p{p}-{i:07d}" for i in range(len(frame))])
        out.append(frame.sample(frac=1.0, random_state=int(rng.integers(1 << 31))))
    return out


def scores(
    predicted: set[tuple[str, str]], truth: set[tuple[str, str]]
) -> tuple[float, float, float]:
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def true_pairs(a: pd.DataFrame, b: pd.DataFrame) -> set[tuple[str, str]]:
    joined = a[["person_id", "truth"]].merge(b[["person_id", "truth"]], on="truth")
    return set(zip(joined.person_id_x, joined.person_id_y, strict=True))


def exact_pseudonyms(frame: pd.DataFrame, key: str) -> pd.Series:
    """The baseline: a keyed pseudonym of normalised first name, last name and date of birth."""
    from peermap.linkage.normalise import normalise_date

    def one(row: pd.Series) -> str:
        date = normalise_date(row["dob"]) if row["dob"] else None
        text = "|".join(
            [normalise_name(row["first_name"]), normalise_name(row["last_name"]), str(date)]
        )
        return pseudonym(text, key=key)

    return frame.apply(one, axis=1)


def baseline_pairs(a: pd.DataFrame, b: pd.DataFrame, key: str) -> set[tuple[str, str]]:
    pa = pd.DataFrame({"a": a.person_id, "k": exact_pseudonyms(a, key)})
    pb = pd.DataFrame({"b": b.person_id, "k": exact_pseudonyms(b, key)})
    joined = pa.merge(pb, on="k")
    return set(zip(joined.a, joined.b, strict=True))


def line(label: str, p: float, r: float, f: float) -> None:
    print(f"  {label:34s} precision {p:.4f}  recall {r:.4f}  F1 {f:.4f}")


def _record_filters(encoded: pd.DataFrame) -> pd.DataFrame:
    """Version 2 CLKs from version 3 ones: the record-level filters alone."""
    record = [base64.b64decode(c)[1:129] for c in encoded.clk]
    return encoded.assign(clk=[base64.b64encode(r).decode("ascii") for r in record])


def two_partners(n: int, seed: int, locales: dict[str, float], versions: bool = False) -> None:
    rng = np.random.default_rng(seed)
    key = generate_key()
    a, b = partners(n, 2, rng, locales)
    t0, c0 = time.perf_counter(), time.process_time()
    ea = encode_identities(a.drop(columns=["truth", "corruptions"]), key=key)
    eb = encode_identities(b.drop(columns=["truth", "corruptions"]), key=key)
    t1, c1 = time.perf_counter(), time.process_time()
    links = link_identities(ea, eb)
    t2, c2 = time.perf_counter(), time.process_time()
    truth = true_pairs(a, b)
    matched = links[links.match]
    predicted = set(zip(matched.id_a, matched.id_b, strict=True))
    print(f"two partners, {n:,} records each, {len(truth):,} people in both (seed {seed}):")
    line(f"CLK linkage (probability {DEFAULT_PROBABILITY:.2f})", *scores(predicted, truth))
    reviewed = predicted | set(zip(links[links.review].id_a, links[links.review].id_b, strict=True))
    line("  with the review band accepted", *scores(reviewed, truth))
    print(
        f"  review band: {int(links.review.sum()):,} pairs "
        f"({len(reviewed & truth) - len(predicted & truth):,} true)"
    )
    # the matches at another threshold are the solution's picks (matches and review
    # band) whose match probability is at least that threshold
    chosen = links[links.match | links.review]
    steps = []
    for t in (0.2, 0.5, 0.8, 0.9, 0.95, 0.99):
        above = chosen[(chosen.probability >= t) & chosen.rule.eq("")]
        p, r, _ = scores(set(zip(above.id_a, above.id_b, strict=True)), truth)
        steps.append(f"{t:.2f}: {p:.4f}/{r:.4f}")
    print("  precision/recall by probability  " + ", ".join(steps))
    if n <= 20_000 or versions:
        # version 2's linking (the record filters alone: Dice score and rivals) on the
        # same CLKs, under the same key
        t3, c3 = time.perf_counter(), time.process_time()
        old = link_identities(_record_filters(ea), _record_filters(eb))
        t4, c4 = time.perf_counter(), time.process_time()
        pairs = set(zip(old.id_a[old.match], old.id_b[old.match], strict=True))
        line("  version 2 (record filter, rivals)", *scores(pairs, truth))
        print(f"    version 2 linking: {t4 - t3:.1f} s (CPU {c4 - c3:.1f} s)")
    line("exact keyed pseudonyms (baseline)", *scores(baseline_pairs(a, b, key), truth))
    by_id = dict(zip(b.person_id, b.corruptions, strict=True))
    for kind in [*CORRUPTIONS, "missing postcode", "missing sex", "missing dob", "two or more"]:
        wanted = {
            (x, y)
            for x, y in truth
            if (kind == "two or more" and by_id[y].count(",") >= 1) or kind in by_id[y].split(",")
        }
        if wanted and kind not in ("missing", "case"):
            found = len(wanted & predicted)
            print(f"    recall, {kind:18s} {found / len(wanted):.3f} of {len(wanted):,}")
    per = 10_000 / (2 * n)
    print(
        f"  time per 10,000 records: encode {(t1 - t0) * per:.2f} s, "
        f"link {(t2 - t1) * per:.2f} s ({n:,} x {n:,}: link {t2 - t1:.1f} s; "
        f"CPU time: encode {(c1 - c0) * per:.2f} s per 10,000, link {c2 - c1:.1f} s)"
    )
    print(f"  load average while it ran: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def three_partners(n: int, seed: int, locales: dict[str, float]) -> None:
    rng = np.random.default_rng(seed + 1)
    key = generate_key()
    frames = partners(n, 3, rng, locales)
    encoded = {
        str(i): encode_identities(f.drop(columns=["truth", "corruptions"]), key=key)
        for i, f in enumerate(frames)
    }
    t0, c0 = time.perf_counter(), time.process_time()
    clusters = cluster_identities(encoded)
    t1, c1 = time.perf_counter(), time.process_time()
    old = cluster_identities({k: _record_filters(v) for k, v in encoded.items()})
    truth: set[tuple[str, str]] = set()
    base: set[tuple[str, str]] = set()
    for x, y in itertools.combinations(frames, 2):
        truth |= true_pairs(x, y)
        base |= baseline_pairs(x, y, key)
    predicted = _cluster_pairs(clusters)
    truth = {tuple(sorted(p)) for p in truth}
    base = {tuple(sorted(p)) for p in base}
    print(f"three partners, {n:,} records each (pairs across partners, {len(truth):,} true):")
    line(f"CLK clusters (probability {DEFAULT_PROBABILITY:.2f})", *scores(predicted, truth))
    line("  version 2 (record filter, rivals)", *scores(_cluster_pairs(old), truth))
    line("exact keyed pseudonyms (baseline)", *scores(base, truth))
    print(f"  cluster_identities on {3 * n:,} records: {t1 - t0:.1f} s (CPU {c1 - c0:.1f} s)")


def _cluster_pairs(clusters: pd.DataFrame) -> set[tuple[str, str]]:
    predicted: set[tuple[str, str]] = set()
    for _, group in clusters.groupby("cluster"):
        ids = sorted(group.person_id)
        predicted |= set(itertools.combinations(ids, 2))
    return predicted


def hand_set(path: Path = HAND, keys: int = 1) -> None:
    """A hand-written identity set: pairs with the answer a reviewer gave.

    With ``keys`` above 1, the mean, lowest and highest precision and recall over that
    many random keys, and each row wrong under any key with how many.
    """
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    a = pd.DataFrame([{k[2:]: v for k, v in r.items() if k.startswith("a_")} for r in rows])
    b = pd.DataFrame([{k[2:]: v for k, v in r.items() if k.startswith("b_")} for r in rows])
    a.insert(0, "person_id", [f"a{i}" for i in range(len(rows))])
    b.insert(0, "person_id", [f"b{i}" for i in range(len(rows))])
    same = [r["same"] == "yes" for r in rows]
    truth = {(f"a{i}", f"b{i}") for i, s in enumerate(same) if s}
    print(f"{path.name}, {len(rows)} pairs ({sum(same)} the same person):")
    figures, wrong = [], Counter()
    for _ in range(keys):
        key = generate_key()
        links = link_identities(encode_identities(a, key=key), encode_identities(b, key=key))
        found = {(x, y) for x, y, m in zip(links.id_a, links.id_b, links.match, strict=True) if m}
        figures.append(scores(found, truth))
        wrong.update(i for i in range(len(rows)) if ((f"a{i}", f"b{i}") in found) != same[i])
    if keys == 1:
        line(f"CLK linkage (probability {DEFAULT_PROBABILITY:.2f})", *figures[0])
    else:
        for name, values in (
            ("precision", [f[0] for f in figures]),
            ("recall", [f[1] for f in figures]),
        ):
            print(
                f"  CLK linkage over {keys} keys: {name} {np.mean(values):.3f} "
                f"(lowest {min(values):.3f}, highest {max(values):.3f})"
            )
    line("exact keyed pseudonyms (baseline)", *scores(baseline_pairs(a, b, key), truth))
    for i, count in sorted(wrong.items(), key=lambda item: (-item[1], item[0])):
        verb = "not linked" if same[i] else "linked"
        under = "" if keys == 1 else f" under {count} of {keys} keys"
        print(f"  wrong: row {i + 2} ({rows[i]['note']}): {verb}{under}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=10_000, help="records per partner")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--full", action="store_true", help="also 100,000 x 100,000")
    parser.add_argument("--hand", action="store_true", help="only the hand-written sets")
    parser.add_argument(
        "--versions",
        action="store_true",
        help="also version 2's linking at 100,000 (it always runs at 10,000)",
    )
    parser.add_argument("--two", action="store_true", help="two partners only (no three)")
    parser.add_argument("--keys", type=int, default=1, help="random keys for the hand sets")
    parser.add_argument(
        "--names",
        default="mixed",
        help="'mixed' (LOCALES, the default) or one Faker locale, such as en_GB",
    )
    args = parser.parse_args()
    locales = LOCALES if args.names == "mixed" else {args.names: 1.0}
    for path in (HAND, HELD_OUT):
        if path.exists():
            hand_set(path, args.keys)
    if args.hand:
        return
    print(f"names: {args.names} ({', '.join(f'{k} {v:.0%}' for k, v in locales.items())})")
    two_partners(args.n, args.seed, locales)
    if not args.two:
        three_partners(args.n, args.seed, locales)
    if args.full:
        two_partners(100_000, args.seed, locales, versions=args.versions)


if __name__ == "__main__":
    main()
