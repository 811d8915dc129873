"""Linkage of three partners' messy extracts against a blind identity set (session 28).

    python benchmarks/bench_linkage_partners.py [--keys 5]

The set (``benchmarks/data/linkage_partners/``) was written by a helper who read only
the linkage page, the public signatures and the domain notes, never the linker, the
other identity sets or ``bench_linkage.py``: 760 young people held by children's social
care (326 records), a school census (696) and the police (218), with typos, British
nicknames and short forms, middle names used as first names, transliterations,
step-family surnames, US-style and transposed dates of birth, moves, missing fields;
and hard negatives (twins, siblings, cousins of one name, namesakes). ``truth.csv``
says which records are one person and which corruptions each carries; ``people.csv``
the people themselves (synthetic).

Per key (a fresh random linkage key each): ``encode_identities`` for each partner (a
date of birth the encoder refuses, naming its rows, is blanked, as an analyst would
have to), ``link_identities`` for each pair of partners and ``cluster_identities`` for
the three. Prints precision, recall and F1 of ``match``, the true pairs in ``review``,
where the missed pairs went (not a candidate, held back by a rule, in review), recall
by corruption and false links by relation. Every miss and false link of the first key
is written to ``--examples`` (a file in the temporary folder by default).
"""

import argparse
import collections
import itertools
import os
import re
import secrets
import tempfile

import pandas as pd

import peermap

HERE = os.path.dirname(os.path.abspath(__file__))
PARTNERS = ["csc", "school", "police"]
HARMLESS = {"case", "spaces", "pc_format"}  # formatting only


def load(data):
    frames = {p: pd.read_csv(os.path.join(data, f"{p}.csv"), dtype=str) for p in PARTNERS}
    truth = pd.read_csv(os.path.join(data, "truth.csv"), dtype=str).fillna("")
    people = pd.read_csv(os.path.join(data, "people.csv"), dtype=str).fillna("").set_index("person")
    return frames, truth, people


def encode(frame, key, name, notes):
    frame = frame.copy()
    for _ in range(5):
        try:
            return peermap.encode_identities(frame, key=key), frame
        except peermap.ValidationError as e:  # analyst: blank the cells it cannot read
            msg = str(e)
            m = re.search(r"column (\w+) .* in row\(s\) ([\d, ]+)", msg)
            if not m:
                raise
            col, rows = m.group(1), [int(x) for x in m.group(2).split(",")]
            notes.append(f"{name}: {msg}")
            frame.loc[frame.index[[r - 1 for r in rows]], col] = None
    raise RuntimeError("could not clean")


def relation(pa, pb, people):
    a, b = people.loc[pa], people.loc[pb]
    if a["household"] == b["household"]:
        return "twin" if a["twin_of"] == pb else "sibling"
    if a["cousin_of"] == pb:
        return "cousin (same name)"
    if a["first"] == b["first"] and a["last"] == b["last"]:
        return "namesake" + (" same dob" if a["dob"] == b["dob"] else "")
    if a["last"] == b["last"]:
        return "same surname"
    if a["first"] == b["first"]:
        return "same first name"
    return "other"


def describe(pid, people):
    p = people.loc[pid]
    middle = p["middle"] + " " if p["middle"] else ""
    return f"{p['first']} {middle}{p['last']} {p['dob']} {p['postcode']}"


def rec(frame, lid):
    r = frame.loc[frame.person_id == lid].iloc[0]
    return "|".join(
        "" if pd.isna(r[c]) else str(r[c])
        for c in ["first_name", "last_name", "dob", "sex", "postcode"]
    )


def causes(tags):
    t = [x for x in tags if x not in HARMLESS]
    return t


def score_pairs(links, left, right, truth, people, clean, examples, out):
    ta = truth[truth.partner == left].set_index("local_id")
    tb = truth[truth.partner == right].set_index("local_id")
    person_a = ta.person.to_dict()
    person_b = tb.person.to_dict()
    true_pairs = set()
    inv_b = {v: k for k, v in person_b.items()}
    for la, pa in person_a.items():
        if pa in inv_b:
            true_pairs.add((la, inv_b[pa]))
    m = links[links.match]
    rv = links[links.review]
    predicted = set(zip(m.id_a, m.id_b, strict=True))
    tp = len(predicted & true_pairs)
    fp = len(predicted - true_pairs)
    fn = len(true_pairs - predicted)
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec_ = tp / len(true_pairs)
    f1 = 2 * prec * rec_ / (prec + rec_) if prec + rec_ else 0
    rev_true = len(set(zip(rv.id_a, rv.id_b, strict=True)) & true_pairs)
    res = dict(
        pair=f"{left}-{right}",
        true=len(true_pairs),
        match=len(predicted),
        tp=tp,
        fp=fp,
        fn=fn,
        P=prec,
        R=rec_,
        F1=f1,
        review=len(rv),
        review_true=rev_true,
        missed_in_review=rev_true,
    )
    # causes
    miss_cause = collections.Counter()
    fp_cause = collections.Counter()
    byid = links.set_index(["id_a", "id_b"])
    miss_rows, fp_rows = [], []
    where_cnt = collections.Counter()
    single = collections.Counter()
    for la, lb in sorted(true_pairs - predicted):
        tags = sorted(
            set(
                causes(ta.loc[la, "tags"].split(";") if ta.loc[la, "tags"] else [])
                + causes(tb.loc[lb, "tags"].split(";") if tb.loc[lb, "tags"] else [])
            )
        )
        key = "+".join(tags) if tags else "(formatting only / none)"
        for t in tags or ["(formatting only / none)"]:
            miss_cause[t] += 1
        where = "absent"
        if len(tags) == 1:
            single[tags[0]] += 1
        if (la, lb) in byid.index:
            r = byid.loc[(la, lb)]
            where = (
                f"{'review' if r.review else 'runner-up'} p={r.probability:.2f} "
                f"rule={r.rule or '-'} score={r.score:.2f}"
            )
            where_cnt[
                ("review" if r.review else "not in review")
                + (f" (rule {r.rule})" if r.rule else "")
            ] += 1
        else:
            where_cnt["not a candidate (absent from links)"] += 1
        # what did left's record link to instead?
        other = m[(m.id_a == la) | (m.id_b == lb)]
        miss_rows.append(
            (
                key,
                where,
                describe(person_a[la], people),
                rec(clean[left], la),
                rec(clean[right], lb),
                len(other),
            )
        )
    for la, lb in sorted(predicted - true_pairs):
        rel = relation(person_a[la], person_b[lb], people)
        fp_cause[rel] += 1
        r = byid.loc[(la, lb)]
        fp_rows.append(
            (
                rel,
                f"p={r.probability:.4f} score={r.score:.2f}",
                rec(clean[left], la),
                rec(clean[right], lb),
                describe(person_a[la], people),
                describe(person_b[lb], people),
            )
        )
    res["miss_cause"] = miss_cause
    res["where"] = where_cnt
    res["single"] = single
    res["fp_cause"] = fp_cause
    if examples:
        print(f"\n=== {left}-{right}: {fn} missed true pairs", file=out)
        for row in sorted(miss_rows):
            print(
                "  MISS",
                row[0],
                "|",
                row[1],
                "| truth:",
                row[2],
                "|",
                left,
                row[3],
                "|",
                right,
                row[4],
                "| linked elsewhere" if row[5] else "",
                file=out,
            )
        print(f"=== {left}-{right}: {fp} false links", file=out)
        for row in sorted(fp_rows):
            print(
                "  FALSE",
                row[0],
                "|",
                row[1],
                "|",
                left,
                row[2],
                "|",
                right,
                row[3],
                "| truth a:",
                row[4],
                "| truth b:",
                row[5],
                file=out,
            )
    return res


def score_clusters(cl, truth, people):
    t = truth.set_index(["partner", "local_id"]).person.to_dict()
    cl = cl.copy()
    cl["person"] = [t[(p, i)] for p, i in zip(cl.partner, cl.person_id, strict=True)]
    pred, true = set(), set()
    for _, g in cl.groupby("cluster"):
        recs = list(zip(g.partner, g.person_id, strict=True))
        for x, y in itertools.combinations(sorted(recs), 2):
            pred.add((x, y))
    for _, g in cl.groupby("person"):
        recs = list(zip(g.partner, g.person_id, strict=True))
        for x, y in itertools.combinations(sorted(recs), 2):
            true.add((x, y))
    tp = len(pred & true)
    prec = tp / len(pred) if pred else 1.0
    rec_ = tp / len(true)
    # whole people: everyone held by 3 partners in one cluster of exactly their 3 records
    three = cl.groupby("person").filter(lambda g: len(g) == 3)
    whole = sum(
        1
        for _, g in three.groupby("person")
        if g.cluster.nunique() == 1 and (cl.cluster == g.cluster.iloc[0]).sum() == 3
    )
    wrong = collections.Counter()
    for x, y in pred - true:
        wrong[relation(t[x], t[y], people)] += 1
    return dict(
        P=prec,
        R=rec_,
        F1=2 * prec * rec_ / (prec + rec_),
        tp=tp,
        fp=len(pred - true),
        fn=len(true - pred),
        true=len(true),
        three=three.person.nunique(),
        whole=whole,
        wrong=wrong,
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", type=int, default=5)
    ap.add_argument("--data", default=os.path.join(HERE, "data", "linkage_partners"))
    ap.add_argument(
        "--examples",
        default=os.path.join(tempfile.gettempdir(), "linkage_partners_errors.txt"),
        help="file for every miss and false link under the first key",
    )
    args = ap.parse_args()
    frames, truth, people = load(args.data)
    rows, clus = [], []
    agg_miss = collections.defaultdict(collections.Counter)
    agg_fp = collections.defaultdict(collections.Counter)
    agg_where = collections.Counter()
    agg_single = collections.Counter()
    notes = []
    for k in range(args.keys):
        key = secrets.token_bytes(32)  # fresh linkage key for this run
        enc, clean = {}, {}
        for p in PARTNERS:
            enc[p], clean[p] = encode(frames[p], key, p, notes if k == 0 else [])
        out = open(args.examples, "w") if k == 0 else None  # noqa: SIM115
        for left, right in itertools.combinations(PARTNERS, 2):
            links = peermap.link_identities(enc[left], enc[right], labels=(left, right))
            r = score_pairs(links, left, right, truth, people, clean, k == 0, out)
            r["key"] = k + 1
            agg_miss[r["pair"]].update(r.pop("miss_cause"))
            agg_fp[r["pair"]].update(r.pop("fp_cause"))
            agg_where.update(r.pop("where"))
            agg_single.update(r.pop("single"))
            rows.append(r)
        if out:
            out.close()
        cl = peermap.cluster_identities(enc)
        c = score_clusters(cl, truth, people)
        c["key"] = k + 1
        clus.append(c)
    print("analyst cleaning (first key):")
    for n in notes:
        print("  ", n)
    df = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print("\nTwo partners, per key (match = links.match; review = links.review):")
    print(
        df[
            [
                "key",
                "pair",
                "true",
                "match",
                "tp",
                "fp",
                "fn",
                "P",
                "R",
                "F1",
                "review",
                "review_true",
            ]
        ]
        .round(3)
        .to_string(index=False)
    )
    print("\nMean over keys:")
    print(
        df.groupby("pair")[["P", "R", "F1", "fp", "fn", "review", "review_true"]]
        .mean()
        .round(3)
        .to_string()
    )
    tot = df.groupby("key")[["tp", "fp", "fn", "review_true", "true"]].sum()
    tot["P"] = tot.tp / (tot.tp + tot.fp)
    tot["R"] = tot.tp / tot.true
    tot["F1"] = 2 * tot.P * tot.R / (tot.P + tot.R)
    print("\nAll three partner pairs pooled, per key:")
    print(tot.round(3).to_string())
    print("\nThree-partner clustering (pairwise over records in one cluster):")
    cdf = pd.DataFrame(clus)
    print(
        cdf[["key", "true", "tp", "fp", "fn", "P", "R", "F1", "three", "whole"]]
        .round(3)
        .to_string(index=False)
    )
    w = collections.Counter()
    for c in clus:
        w.update(c["wrong"])
    print("  wrong cluster pairs by relation, summed over keys:", dict(w))
    print(
        "\nMissed true pairs by cause (non-formatting corruption tags of either record; a pair may"
        " count under several), summed over keys:"
    )
    for pair, cnt in agg_miss.items():
        print(f"  {pair}: " + ", ".join(f"{t} {n}" for t, n in cnt.most_common()))
    print("False links by relation of the two young people, summed over keys:")
    for pair, cnt in agg_fp.items():
        print(f"  {pair}: " + ", ".join(f"{t} {n}" for t, n in cnt.most_common()))
    print(
        "\nWhere the missed true pairs were, all partner pairs, summed over keys:", dict(agg_where)
    )
    print(
        "Misses whose only non-formatting corruption is one tag, summed over keys:",
        ", ".join(f"{t} {n}" for t, n in agg_single.most_common()),
    )
    # recall by tag, all partner pairs pooled
    den = collections.Counter()
    allmiss = collections.Counter()
    for cnt in agg_miss.values():
        allmiss.update(cnt)
    for left, right in itertools.combinations(PARTNERS, 2):
        ta = truth[truth.partner == left].set_index("person").tags
        tb = truth[truth.partner == right].set_index("person").tags
        for p in ta.index.intersection(tb.index):
            den.update(
                set(causes((ta[p] + ";" + tb[p]).split(";"))) - {""} or ["(formatting only / none)"]
            )
    print(
        "\nRecall by tag, three partner pairs pooled, mean over keys "
        "(pairs with tag; missed per key):"
    )
    for t, n in den.most_common():
        miss = allmiss[t] / args.keys
        print(f"  {t:28s} n={n:4d}  missed={miss:5.1f}  recall={1 - miss / n:.2f}")
    # exposure to hard negatives: cross-partner record pairs of two related young people
    expo = collections.Counter()
    for left, right in itertools.combinations(PARTNERS, 2):
        pa = truth[truth.partner == left].person.tolist()
        pb = set(truth[truth.partner == right].person)
        for x in pa:
            p = people.loc[x]
            rel_cands = set(
                people.index[
                    (people.household == p["household"])
                    | ((people["first"] == p["first"]) & (people["last"] == p["last"]))
                ]
            )
            if p["cousin_of"]:
                rel_cands.add(p["cousin_of"])
            for y in rel_cands - {x}:
                if y in pb:
                    expo[relation(x, y, people)] += 1
    print("Hard-negative record pairs across partners (all three partner pairs):", dict(expo))
    # denominators: how many true pairs carry each tag
    print("\nTrue pairs carrying each tag (denominator, per key):")
    for left, right in itertools.combinations(PARTNERS, 2):
        ta = truth[truth.partner == left].set_index("person").tags
        tb = truth[truth.partner == right].set_index("person").tags
        both = ta.index.intersection(tb.index)
        cnt = collections.Counter()
        for p in both:
            tags = set(causes((ta[p] + ";" + tb[p]).split(";"))) - {""}
            cnt.update(tags or ["(formatting only / none)"])
        print(f"  {left}-{right}: " + ", ".join(f"{t} {n}" for t, n in cnt.most_common()))


if __name__ == "__main__":
    main()
