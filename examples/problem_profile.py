"""Static figures for a written problem profile, notebook style.

Each ``# %%`` cell runs on its own in an editor that understands cells (VS Code,
Spyder, Jupyter's jupytext), or the whole file runs as a script. The figures are for
a profile circulated beyond the partnership, so every count they show follows the
public small-count rule (under 10 withheld as ``c``, others rounded to 5) and no
young person, place id or private home appears.

Run: ``python examples/problem_profile.py [OUTPUT_FOLDER]``
"""

# %% Setup: a synthetic dataset on the fictional demo region (no real data)
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import peermap
from peermap.analysis import SERIOUS_CONTEXTS
from peermap.disclosure import SuppressionRule
from peermap.synthetic import scenario

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="peermap-"))
out.mkdir(parents=True, exist_ok=True)
rule = SuppressionRule.from_settings(min_count=10, round_to=5)

ds = scenario(peermap.demo_boundaries(), n_people=2500, seed=3).dataset
names = dict(zip(ds.boundaries["code"], ds.boundaries["name"], strict=True))
since, until = "2024-04-01", "2024-12-31"
print(f"problem profile, {since} to {until}: synthetic data on the fictional demo region")
print(f"disclosure rule: {rule.describe()}")


def saved(fig: Figure, name: str) -> Path:
    path = out / name
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=150)
    print(f"saved: {path.name}")
    return path


# %% Figure 1: the public map as a static picture
peermap.plot_static(
    ds,
    out / "fig1_map.png",
    audience="public",
    min_count=10,
    round_to=5,
    since=since,
    until=until,
    choropleth="cross_border_share",
    title="Where young people are seen, and who comes from elsewhere",
)
print("saved: fig1_map.png")

# %% Figure 2: flows between authorities (home -> where seen), small counts withheld
table = peermap.flows(ds, kind="sightings", since=since, until=until)
matrix = peermap.flow_matrix(table, value="people", authorities=sorted(names))
shown = matrix.map(rule.display)
withheld = shown.map(lambda v: v == rule.marker).to_numpy()
values = np.where(withheld, np.nan, shown.where(~withheld, 0).to_numpy(dtype=float))
np.fill_diagonal(values, np.nan)  # within one authority: not a flow between authorities

fig = Figure(figsize=(8.5, 7), layout="constrained")
ax = fig.add_subplot()
image = ax.imshow(np.ma.masked_invalid(values), cmap="Purples")
ax.set_facecolor("#d9d9d9")
labels = [names[c] for c in matrix.index]
ax.set_xticks(range(len(labels)), labels, rotation=40, ha="right")
ax.set_yticks(range(len(labels)), labels)
ax.set_xlabel("seen in")
ax.set_ylabel("home authority")
for i in range(len(labels)):
    for j in range(len(labels)):
        if i != j:
            text = str(shown.iat[i, j])
            dark = not np.isnan(values[i, j]) and values[i, j] > np.nanmax(values) * 0.6
            ax.text(j, i, text, ha="center", va="center", color="white" if dark else "black")
fig.colorbar(image, ax=ax, label="young people (rounded to 5)")
ax.set_title("Young people seen outside their home authority")
fig.text(0.01, 0.005, rule.describe() + " Grey: withheld or within one authority.", fontsize=7)
saved(fig, "fig2_flows.png")
cross = table[~table["within"].astype(bool) & table["destination"].notna()]
largest = cross.iloc[0]
print(
    f"largest flow: {names[largest['origin']]} -> {names[largest['destination']]}, "
    f"{rule.display(largest['people'])} young people; "
    f"{int((withheld & ~np.eye(len(labels), dtype=bool)).sum())} pairs of authorities withheld "
    "(fewer than 10 young people, or none)"
)

# %% Figure 3: sightings by month and abuse context (serious contexts stacked)
s = ds.sightings[(ds.sightings["date"] >= since) & (ds.sightings["date"] <= until)]
monthly = (
    s.assign(month=s["date"].dt.to_period("M"))
    .groupby(["month", "context"])
    .size()
    .unstack(fill_value=0)
    .reindex(columns=list(SERIOUS_CONTEXTS), fill_value=0)
)
display = monthly.map(rule.display)
fig = Figure(figsize=(9, 4.8), layout="constrained")
ax = fig.add_subplot()
bottom = np.zeros(len(monthly))
colours = ["#762a83", "#af8dc3", "#7fbf7b", "#1b7837", "#d9f0d3"]
for context, colour in zip(SERIOUS_CONTEXTS, colours, strict=True):
    heights = display[context].map(lambda v: 0 if v == rule.marker else v).to_numpy(dtype=float)
    ax.bar(
        range(len(monthly)),
        heights,
        bottom=bottom,
        color=colour,
        label=context.upper() if len(context) == 3 else context.replace("_", " "),
    )
    bottom += heights
ax.set_xticks(range(len(monthly)), [str(p) for p in monthly.index], rotation=30)
ax.set_ylabel("sightings (rounded to 5; under 10 withheld)")
ax.set_title("Sightings in serious abuse contexts by month")
fig.legend(loc="outside right upper", frameon=False, fontsize=8)
saved(fig, "fig3_months.png")
print(
    "serious sightings per month: "
    + ", ".join(f"{p}: {rule.display(n)}" for p, n in monthly.sum(axis=1).items())
)

# %% Figure 4: the kinds of venue that draw young people from several authorities
spots = peermap.hotspots(ds, since=since, until=until)
public = spots[(spots["kind"] != "residential") & (spots["people"] >= rule.min_count)]
reach = public[public["home_authorities"] >= 3]
by_kind = reach["kind"].value_counts().reindex(peermap.schema.PLACE_KINDS, fill_value=0)
by_kind = by_kind.drop("residential")
fig = Figure(figsize=(7, 4), layout="constrained")
ax = fig.add_subplot()
ax.barh([k.replace("_", " ") for k in by_kind.index], by_kind.to_numpy(), color="#fe9929")
ax.invert_yaxis()
ax.set_xlabel("venues (with at least 10 young people)")
ax.set_title("Venues drawing young people from three or more authorities")
saved(fig, "fig4_venues.png")
top_kind = by_kind.idxmax().replace("_", " ")
print(f"{len(reach)} venues draw from three or more authorities; most are {top_kind} venues")

# %% Figure 5: when the largest context spanning authorities formed, and whether it grows
from peermap.views.timelines import timeline  # noqa: E402

contexts = peermap.contexts(ds, since=since, until=until)
spanning = contexts[contexts["spans_authorities"].astype(bool)]
widest = spanning.iloc[0]
timeline(
    ds,
    context=int(widest["context_id"]),
    contexts_table=contexts,
    audience="public",
    min_count=10,
    round_to=5,
    since=since,
    until=until,
    path=out / "fig5_timeline.png",
    title="The widest context across authorities, month by month",
)
print(
    f"saved: fig5_timeline.png (a context spanning {len(widest['authorities'])} authorities, "
    f"{rule.display(widest['n_people'])} young people)"
)

# %% Summary for the text of the profile
print(
    f"{len(spanning)} contexts span authorities, "
    f"{int((spanning['reach'] == 'distant').sum())} of them linking authorities that do not "
    "border each other"
)
pd.DataFrame(
    {
        "figure": [
            "fig1_map.png",
            "fig2_flows.png",
            "fig3_months.png",
            "fig4_venues.png",
            "fig5_timeline.png",
        ],
        "caption": [
            "Public map: venues, links and the share of young people seen who live elsewhere",
            "Young people seen outside their home authority, by home and place authority",
            "Sightings in serious abuse contexts by month",
            "Venues drawing young people from three or more authorities, by kind",
            "The widest context across authorities: young people, sightings, ties, moves",
        ],
    }
).to_csv(out / "figures.csv", index=False)
print("saved: figures.csv (captions)")
