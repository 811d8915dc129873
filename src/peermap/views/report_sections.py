"""The sections of a report: what each says, for its audience, computed once.

Each ``*_section`` function turns the analysis of a dataset (:mod:`peermap.analysis`,
:mod:`peermap.relocations`, :mod:`peermap.data_quality`) into a :class:`Section`:
paragraphs, a :class:`Table` of text cells and notes, counts already shown as the
audience may see them (:class:`ReportContext`). :mod:`peermap.views.report` renders
them as HTML or Markdown.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from peermap._plain_words import plural, plural_noun
from peermap.cell_keys import (
    RECORD_IDENTITY,
    as_key,
    cell_key,
    cell_keys,
    people_key,
    record_keys,
    sighting_keys,
    table_key,
)
from peermap.dataset import Dataset
from peermap.disclosure import Audience, SuppressionRule
from peermap.filters import Window, filter_sightings, filter_ties
from peermap.measures import relocated_into_keys, venue_stats
from peermap.networks import data_period

__all__ = [
    "ATTENTION_ROWS",
    "WHY",
    "ReportContext",
    "Section",
    "Table",
    "attention_section",
    "contexts_section",
    "flows_section",
    "hotspots_section",
    "overview_section",
    "period_of",
    "quality_section",
    "relocations_section",
    "serious_place_keys",
]


@dataclass
class Table:
    """A table of text cells; ``numeric`` columns are right-aligned."""

    columns: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    #: Column holding sentences (the reasons): drawn wide enough to read, in HTML.
    prose: int | None = None
    #: Columns holding lists of names (authorities), kept from squeezing, in HTML.
    names: tuple[int, ...] = ()


@dataclass
class Section:
    """A section: paragraphs, a table, notes, and ready HTML/Markdown (data quality, map)."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    table: Table | None = None
    notes: list[str] = field(default_factory=list)
    html: str = ""
    markdown: str = ""
    link: tuple[str, str] | None = None
    own_heading: bool = False


@dataclass
class ReportContext:
    """What every section is given: the data, the audience, names, filters, rows listed."""

    ds: Dataset
    audience: Audience
    names: dict[str, str]
    filters: dict[str, Any]
    top: int

    @property
    def rule(self) -> SuppressionRule | None:
        """The small-count rule (``None``: exact counts)."""
        return self.audience.rule

    @property
    def public(self) -> bool:
        """Whether counts go through the small-count rule."""
        return not self.audience.exact

    def count(self, value: Any, key: Any = None) -> str:
        """Return a count of young people or records as this audience may see it.

        ``key`` is the cell key of the records counted (:mod:`peermap.cell_keys`).
        """
        shown = self.audience.count(value, as_key(key))
        return f"{shown:,}" if isinstance(shown, int) else shown

    def share(self, part: Any, whole: Any, part_key: Any = None, whole_key: Any = None) -> str:
        """Return a share in percent as this audience may see it."""
        shown = self.audience.share(
            part, whole, part_key=as_key(part_key), whole_key=as_key(whole_key)
        )
        return f"{shown}%" if isinstance(shown, int | float) else str(shown)

    def listed(self, people: Any, key: Any = None) -> bool:
        """Return whether a row about this many young people may be listed."""
        return self.audience.listed(people, as_key(key))

    def people_key(self, people: Any) -> int:
        """Return the cell key of a list of young people (their pseudonyms)."""
        return people_key(people)

    def how_many(self, count: int, noun: str) -> str:
        """Return "N nouns" for the partnership; beyond it the plural noun alone.

        How many rows were withheld is itself a count of what is too small to show:
        one more young person seen once at a home made "7 private homes" 8.
        """
        return plural(count, noun) if not self.public else plural_noun(noun)

    def agree(self, count: int, one: str, many: str) -> str:
        """Return the word that agrees with a count shown by :meth:`number`.

        Beyond the partnership the plural whatever the count: "c venue has" would give a
        withheld count away as exactly one.
        """
        return one if count == 1 and not self.public else many

    def number(self, count: int, key: Any = None) -> str:
        """Return a count of things (contexts, places, authorities) as this audience may see it."""
        return f"{count:,}" if not self.public else self.count(count, key)

    def name(self, code: Any) -> str:
        """Return an authority's name ("(outside every authority)" for none)."""
        if code is None or (isinstance(code, float) and pd.isna(code)):
            return "(outside every authority)"
        return self.names.get(str(code), str(code))


#: Header of the column that puts a context's or venue's concern score in words.
WHY = "Why it ranks here"


def _q(value: Any) -> str:
    """Show a q-value (false discovery rate) in a table cell."""
    if value is None or pd.isna(value):
        return "z"
    q = float(value)
    return "<0.001" if q < 0.001 else f"{q:.2g}"


def _concern(value: Any) -> str:
    """Show a concern score in a table cell."""
    return "z" if value is None or pd.isna(value) else f"{float(value):.1f}"


def _date(value: Any, *, month: bool = False) -> str:
    if value is None or pd.isna(value):
        return ""
    stamp = pd.Timestamp(value)
    return f"{stamp:%Y-%m}" if month else f"{stamp:%Y-%m-%d}"


def _span(first: Any, last: Any, *, month: bool) -> str:
    a, b = _date(first, month=month), _date(last, month=month)
    if not a:
        return ""
    return a if a == b else f"{a} to {b}"


def _within(window: Window, first: Any, last: Any) -> tuple[Any, Any]:
    """Clamp the dates a row states to the window.

    A tie running past ``until`` made a context "active" to December.
    """
    if window.since is not None and first is not None and not pd.isna(first):
        first = max(pd.Timestamp(first), window.since)
    if window.until is not None and last is not None and not pd.isna(last):
        last = min(pd.Timestamp(last), window.until)
    return first, last


def period_of(ds: Dataset) -> tuple[Any, Any]:
    """Return the first and last date of the data."""
    return data_period(ds)


def _filters_text(filters: dict[str, Any]) -> str:
    parts = []
    # The bounds as the selection read them (a date with slashes is day first).
    window = Window(since=filters.get("since"), until=filters.get("until"))
    if window.since is not None or window.until is not None:
        since = _date(window.since) or "the start"
        until = _date(window.until) or "the end"
        parts.append(f"records dated from {since} to {until}")
    grade = filters.get("min_reliability", "unverified")
    if grade == "unverified":
        parts.append("ties and sightings of every reliability grade (unverified included)")
    else:
        parts.append(f"ties and sightings graded {grade} or better")
    return "; ".join(parts)


def overview_section(c: ReportContext) -> Section:
    """Build the overview: what the dataset holds, its period and filters."""
    ds = c.ds
    counts = ds.counts
    first, last = period_of(ds)
    section = Section("Overview")
    keys = {name: table_key(ds, name) for name in ("people", "ties", "sightings", "relocations")}
    rows = [
        ["young people", c.count(counts["people"], keys["people"])],
        ["places", c.number(counts["places"], people_key(ds.places["place_id"]))],
        ["ties", c.count(counts["ties"], keys["ties"])],
        ["sightings", c.count(counts["sightings"], keys["sightings"])],
        ["relocations", c.count(counts["relocations"], keys["relocations"])],
    ]
    if ds.boundaries is not None:
        rows.append(["authorities in the boundaries", f"{len(ds.boundaries):,}"])
    if c.public:
        # An authority home to one young person is not counted: one more young person
        # homed in a new authority made 6 authorities 7.
        members = ds.people.groupby("home_authority", observed=True)["person_id"]
        homes = sum(c.listed(len(ids), c.people_key(ids)) for _, ids in members if len(ids))
        label = f"home authorities of {c.rule.min_count if c.rule else 0} or more young people"
        rows.append([label, f"{homes:,}"])
    else:
        homes = ds.people["home_authority"].nunique()
        rows.append(["home authorities of the young people", f"{homes:,}"])
    section.table = Table(["", "count"], rows, [False, True])
    if first is not None:
        # Beyond the partnership dates are published to the month, never the day.
        month = c.public
        section.paragraphs.append(
            f"Data period: {_date(first, month=month)} to {_date(last, month=month)}."
        )
    section.paragraphs.append(f"Findings rest on {_filters_text(c.filters)}.")
    if (
        not c.public
        and not len(filter_ties(ds, **c.filters))
        and not len(filter_sightings(ds, **c.filters))
    ):
        # Said at once: an empty report from a window beside the data is not "nothing
        # found". Not in public: none is a count under the threshold, never shown as 0.
        section.paragraphs.append(
            "No tie or sighting falls in this selection: nothing below is found in it."
        )
    if ds.boundaries is None:
        section.notes.append(
            "Read without boundaries: authorities are shown as recorded and places are not "
            "assigned to authorities, so flows into places and reach cannot be given."
        )
    return section


def contexts_section(c: ReportContext) -> Section:
    """Build the contexts spanning authorities, most concerning first."""
    from peermap.analysis import CUT_Q, CUT_SPAN, contexts

    table = contexts(c.ds, **c.filters)
    window = Window(**c.filters)
    serious = _serious_records(c) if c.public else None
    spanning = table[table["spans_authorities"].astype(bool)]
    distant = spanning[spanning["reach"] == "distant"]
    section = Section("Contexts spanning authorities")
    section.paragraphs.append(
        f"{c.number(len(table))} {c.agree(len(table), 'context', 'contexts')} (connected "
        f"groups of young people and the places they share) "
        f"{c.agree(len(table), 'was', 'were')} found; {c.number(len(spanning))} "
        f"{c.agree(len(spanning), 'spans', 'span')} more than one authority, "
        f"{c.number(len(distant))} of them "
        "with a link between authorities that do not border each other (a county-lines "
        "pattern). They are listed most concerning first: by the harm recorded about their "
        "young people beyond what their activity would bring, weighted by how serious and how "
        "reliable the records are, with their exploiter ties, and by how far they reach "
        "across authorities. A group that the community method cut from a larger network "
        "counts its own harm by how much that stands out (in full at a q-value of "
        f"{CUT_Q / CUT_SPAN:g} or less, half at {CUT_Q:g}, not at all from "
        f"{CUT_Q * CUT_SPAN:g}); where it does not, the venues it holds rank it."
    )
    if not c.public:
        section.paragraphs.append(_WHY_TEXT)
    keys = [c.people_key(p) for p in spanning["people"]]
    keep = [c.listed(n, k) for n, k in zip(spanning["n_people"], keys, strict=True)]
    listed = spanning[pd.Series(keep, index=spanning.index, dtype=bool)]
    listed_keys = [k for k, on in zip(keys, keep, strict=True) if on]
    left_out = len(spanning) - len(listed)
    shown = listed.head(c.top)
    home = c.ds.people.set_index("person_id")["home_authority"]
    rows: list[list[str]] = []
    for i, row in enumerate(shown.to_dict("records"), start=1):
        authorities = ", ".join(c.name(a) for a in row["authorities"])
        if c.public:
            # Name only the authorities home to enough of the context's young people.
            of_home = home.reindex(list(row["people"]))
            named = [
                a
                for a in row["authorities"]
                if c.listed(int((of_home == a).sum()), c.people_key(of_home.index[of_home == a]))
            ]
            others = len(row["authorities"]) - len(named)
            authorities = ", ".join(c.name(a) for a in named)
            if others:
                other = " other" if authorities else ""  # "5 authorities" when none is named
                more = f"{others}{other} authorit{'y' if others == 1 else 'ies'}"
                authorities = f"{authorities} and {more}" if authorities else more
        key = listed_keys[i - 1]
        if c.public:
            # The reasons, the score and its q-value rest on exact counts: not shown.
            rows.append(
                [
                    str(i),
                    authorities,
                    str(row["reach"]),
                    c.count(row["n_people"], key),
                    c.number(row["n_places"], people_key(row["places"])),
                    c.count(
                        row["serious"], _serious_key(row["people"], *serious) if serious else None
                    ),
                    _span(*_within(window, row["first_date"], row["last_date"]), month=True),
                ]
            )
        else:
            rows.append(
                [
                    str(row["context_id"]),
                    str(row["reasons"]),
                    _concern(row["concern"]),
                    _q(row["q_value"]),
                    authorities,
                    str(row["reach"]),
                    c.count(row["n_people"]),
                    f"{row['n_places']:,}",
                    c.count(row["n_ties"]),
                    c.count(row["exploiter_ties"]),
                    c.count(row["serious"]),
                    c.count(row["n_relocated"]),
                    _span(*_within(window, row["first_date"], row["last_date"]), month=False),
                ]
            )
    if c.public:
        columns = ["#", "authorities", "reach", "young people", "places", "serious", "active"]
        numeric = [True, False, False, True, True, True, False]
    else:
        columns = [
            "context",
            WHY,
            "concern",
            "q-value",
            "authorities",
            "reach",
            "young people",
            "places",
            "ties",
            "exploiter ties",
            "serious",
            "relocated",
            "active",
        ]
        numeric = [True, False, True, True, False, False, True, True, True, True, True, True, False]
    if rows:
        if c.public:
            section.table = Table(columns, rows, numeric)
        else:
            section.table = Table(columns, rows, numeric, prose=1, names=(4,))
    if len(listed) > len(shown):
        section.notes.append(
            f"The {len(shown)} most concerning are listed; {c.number(len(listed))} qualify."
        )
    if left_out:
        section.notes.append(
            f"Not listed: {c.how_many(left_out, 'context')} spanning authorities with fewer than "
            f"{c.rule.min_count if c.rule else 0} young people."
        )
    section.notes.append(
        "'serious' counts sightings of child sexual or criminal exploitation, serious youth "
        "violence, harmful sexual behaviour and image sharing, plus exploiter ties. A "
        "context is only as complete as the records: treat it as a lead for a peer-group "
        "or location assessment, not as fact."
    )
    return section


def hotspots_section(c: ReportContext) -> Section:
    """Build the hotspot venues, most concerning first."""
    from peermap.analysis import hotspots

    table = hotspots(c.ds, **c.filters)
    table = table[table["people"] > 0]
    section = Section("Hotspot venues")
    section.paragraphs.append(
        f"{c.number(len(table))} {c.agree(len(table), 'venue', 'venues')} "
        f"{c.agree(len(table), 'has', 'have')} sightings. "
        "They are listed most concerning first: by the "
        "harm recorded there, weighted by how serious and how reliable the records are, "
        "beyond what is usual for a place of its kind this busy, weighed by how far the young "
        "people harmed there come from and how many of them are in exploiter ties. A busy "
        "place is not a hotspot for being busy."
    )
    if not c.public:
        section.paragraphs.append(_WHY_TEXT)
    private = table["kind"].isin(c.audience.hidden_place_kinds)
    stats = venue_stats(c.ds, **c.filters) if c.public else None
    serious_keys = serious_place_keys(c) if c.public else {}
    keys = (
        stats["people_key"].reindex(table["place_id"].to_numpy()).to_numpy()
        if stats is not None
        else [None] * len(table)
    )
    small = pd.Series(
        [not c.listed(n, k) for n, k in zip(table["people"], keys, strict=True)],
        index=table.index,
        dtype=bool,
    )
    listed = table[~private & ~small]
    shown = listed.head(c.top)
    has_auth = "authority_code" in shown
    rows: list[list[str]] = []
    for i, row in enumerate(shown.to_dict("records"), start=1):
        people = int(row["people"])
        share = row["outside_share"]
        outside = None if pd.isna(share) else round(float(share) * people)
        where = c.name(row["authority_code"]) if has_auth else ""
        kind = str(row["kind"]).replace("_", " ")
        if c.public and stats is not None:
            # The reasons, the score and its q-value rest on exact counts: not shown.
            st = stats.loc[row["place_id"]]
            rows.append(
                [
                    str(i),
                    kind,
                    where,
                    c.count(people, st["people_key"]),
                    c.share(st["away"], st["known"], st["away_key"], st["known_key"])
                    if int(st["known"])
                    else "z",
                    c.count(row["serious"], serious_keys.get(row["place_id"])),
                ]
            )
        else:
            label = row.get("label")
            place = str(row["place_id"])
            if label is not None and not pd.isna(label) and str(label).strip():
                place += f" ({str(label).strip()})"
            rows.append(
                [
                    str(i),
                    str(row["reasons"]),
                    _concern(row["concern"]),
                    _q(row["q_value"]),
                    place,
                    kind,
                    where,
                    c.count(people),
                    c.count(row["sightings"]),
                    f"{int(row['home_authorities']):,}",
                    c.share(outside, people) if outside is not None else "z",
                    c.count(row["serious"]),
                    f"{float(row['betweenness']):.3f}",
                ]
            )
    if c.public:
        columns = [
            "#",
            "kind",
            "authority",
            "young people",
            "from other authorities",
            "serious sightings",
        ]
        numeric = [True, False, False, True, True, True]
    else:
        columns = [
            "#",
            WHY,
            "concern",
            "q-value",
            "place (label)",
            "kind",
            "authority",
            "young people",
            "sightings",
            "home authorities",
            "from other authorities",
            "serious sightings",
            "betweenness",
        ]
        numeric = [True, False, True, True, False, False, False]
        numeric += [True, True, True, True, True, True]
    if rows:
        section.table = Table(columns, rows, numeric, prose=None if c.public else 1)
    if c.public:
        n_private = int(private.sum())
        n_small = int((small & ~private).sum())
        if n_private:
            section.notes.append(
                f"Not listed: {c.how_many(n_private, 'private home')} (residential places)."
            )
        if n_small:
            section.notes.append(
                f"Not listed: {c.how_many(n_small, 'venue')} with fewer than "
                f"{c.rule.min_count if c.rule else 0} young people."
            )
    return section


_WHY_TEXT = (
    f"'{WHY}' puts the concern score in words: the young people, how far they reach, the "
    "kinds of harm that stand out and how far above the expected rate, with its q-value "
    "(the false discovery rate across all that were scored: under 0.05, unlikely to be "
    "chance). The concern score orders the list; it has no unit."
)


def _reach_of(c: ReportContext) -> Callable[[Any, Any], str]:
    if c.ds.region is None:
        return lambda a, b: ""
    graph = c.ds.region.neighbour_graph()

    def reach(a: Any, b: Any) -> str:
        if a is None or b is None or pd.isna(a) or pd.isna(b):
            return ""
        return "neighbours" if graph.has_edge(a, b) else "distant"

    return reach


def flows_section(c: ReportContext) -> Section:
    """Build the flows of young people seen outside their home authority."""
    from peermap.analysis import flow_keys, flows

    section = Section("Flows between authorities")
    section.paragraphs.append(
        "Young people seen at places in an authority other than their home authority: "
        "home authority to the authority of the place, by distinct young people."
    )
    if "authority_code" not in c.ds.places:
        section.notes.append("Not available: places are not assigned to authorities.")
        return section
    table = flows(c.ds, kind="sightings", **c.filters)
    if table.empty:
        section.notes.append("No sightings to count.")
        return section
    cross = table[~table["within"].astype(bool) & table["destination"].notna()]
    if cross.empty:
        if table["destination"].notna().any():
            section.notes.append("Every young person was seen only in their home authority.")
        else:  # nobody was seen in any authority: "only at home" would be false
            section.notes.append(
                "No sighting is at a place inside an authority (the places are online, or "
                "outside every authority of the boundaries): there are no flows to count."
            )
        return section
    reach = _reach_of(c)
    keys = flow_keys(c.ds, kind="sightings", **c.filters)
    pairs = pd.MultiIndex.from_arrays(
        [cross["origin"].astype(str), cross["destination"].astype(str)]
    )
    cross = cross.assign(
        people_key=keys["people_key"].reindex(pairs).to_numpy(),
        events_key=keys["events_key"].reindex(pairs).to_numpy(),
    )
    keep = [c.listed(n, k) for n, k in zip(cross["people"], cross["people_key"], strict=True)]
    listed = cross[pd.Series(keep, index=cross.index, dtype=bool)]
    shown = listed.head(c.top)
    rows = [
        [
            c.name(row["origin"]),
            c.name(row["destination"]),
            reach(row["origin"], row["destination"]),
            c.count(row["people"], row["people_key"]),
            c.count(row["events"], row["events_key"]),
        ]
        for row in shown.to_dict("records")
    ]
    if rows:
        section.table = Table(
            ["home authority", "seen in", "reach", "young people", "sightings"],
            rows,
            [False, False, False, True, True],
        )
    if len(listed) > len(shown):
        section.notes.append(
            f"The {len(shown)} largest are listed; {c.number(len(listed))} qualify."
        )
    left_out = len(cross) - len(listed)
    if left_out:
        section.notes.append(
            f"Not listed: {c.how_many(left_out, 'flow')} of fewer than "
            f"{c.rule.min_count if c.rule else 0} young people."
        )
    return section


def relocations_section(c: ReportContext) -> Section:
    """Build the relocations each authority received and what followed."""
    from peermap.relocations import relocations_received

    window = Window(**c.filters)
    table = relocations_received(c.ds, since=window.since, until=window.until)
    section = Section("Relocations received")
    section.paragraphs.append(
        "Young people relocated into each authority (care placements, housing, education, "
        "secure and family moves) and what followed the move in the receiving authority: new "
        "ties with young people homed there, and places there where they were seen. Host "
        "authorities must be notified of placements into their area."
    )
    if table.empty:
        section.notes.append("The dataset records no relocations.")
        return section
    rows: list[list[str]] = []
    hidden = 0
    keys = relocated_into_keys(c.ds, window=window) if c.public else pd.Series(dtype="int64")
    for row in table.to_dict("records"):
        if c.public and not c.listed(row["received"], keys.get(str(row["authority"]))):
            # A row about fewer than min_count young people is not listed: one
            # relocation into an authority added its name, every count withheld.
            hidden += 1
            continue
        line = [
            c.name(row["authority"]),
            c.count(row["received"]),
            c.count(row["relocations"]),
            c.count(row["ties_after"]),
            c.count(row["places_after"]),
        ]
        if not c.public:
            line.append(", ".join(c.name(a) for a in row["from_authorities"]))
            line.append(", ".join(str(x).replace("_", " ") for x in row["contexts_joined"]))
        rows.append(line)
    columns = ["authority", "young people received", "relocations", "new ties", "places seen"]
    numeric = [False, True, True, True, True]
    if not c.public:
        columns += ["from", "contexts joined"]
        numeric += [False, False]
    if rows:
        section.table = Table(columns, rows, numeric)
    if hidden:
        section.notes.append(
            f"Not listed: {c.how_many(hidden, 'authority')} receiving fewer than "
            f"{c.rule.min_count if c.rule else 0} young people."
        )
    if c.public:
        section.notes.append(
            "Where young people came from and the abuse contexts they were seen in afterwards "
            "are in the partnership report only."
        )
    return section


def quality_section(c: ReportContext) -> Section | None:
    """Build the data-quality section (partnership reports only)."""
    if c.public:
        return None
    report = c.ds.report
    section = Section("Data quality")
    section.paragraphs.append(
        f"Validation: {len(report.errors):,} error(s), {len(report.warnings):,} warning(s), "
        f"{report.n_rejected:,} row(s) set aside when the data was read."
    )
    if importlib.util.find_spec("peermap.data_quality") is not None:
        from peermap.data_quality import quality

        profile = quality(c.ds)
        section.html = str(profile.to_html(level=2))
        section.markdown = str(profile.to_markdown(level=2))
        section.own_heading = True
    return section


#: Rows of each list the report's first section repeats.
ATTENTION_ROWS = 3


def attention_section(contexts: Section, venues: Section) -> Section:
    """Build the first section: the contexts and venues that need attention first.

    The first rows of the contexts and venues sections, as those sections show them (so
    the same disclosure rule applies), in a few columns: what, where, and why it ranks
    there (partnership) or how far it reaches (public).
    """
    section = Section("Read first: what needs attention")
    section.paragraphs.append(
        "The contexts and venues of most concern, from the lists below (same order, same "
        "rule for who may see what)."
    )
    rows: list[list[str]] = []
    for noun, source in (("context", contexts), ("venue", venues)):
        table = source.table
        if table is None:
            continue
        at = {name: i for i, name in enumerate(table.columns)}
        for row in table.rows[:ATTENTION_ROWS]:
            if noun == "context":
                number = row[at["context"]] if "context" in at else row[at["#"]]
                what = f"context {number}"
                where = row[at["authorities"]]
            else:
                place = row[at["place (label)"]] if "place (label)" in at else ""
                what = f"{row[at['kind']]} {place}".strip()
                where = row[at["authority"]]
            detail = row[at[WHY]] if WHY in at else row[at["young people"]]
            rows.append([what, where, detail])
    if rows:
        why = WHY if contexts.table is not None and WHY in contexts.table.columns else None
        columns = ["what", "where", why or "young people"]
        section.table = Table(
            columns, rows, [False, False, why is None], prose=2 if why else None, names=(1,)
        )
    else:
        section.notes.append("No context spans authorities and no venue may be listed.")
    return section


def _serious_sightings(c: ReportContext) -> pd.DataFrame:
    from peermap.analysis import SERIOUS_CONTEXTS

    s = filter_sightings(c.ds, **c.filters)
    return s[s["context"].astype(str).isin(SERIOUS_CONTEXTS)]


def _serious_records(c: ReportContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the selection's serious sightings and exploiter ties, selected once."""
    t = filter_ties(c.ds, **c.filters)
    return _serious_sightings(c), t[t["kind"].astype(str) == "exploiter"]


def _serious_key(people: Any, sightings: pd.DataFrame, ties: pd.DataFrame) -> int:
    """Return the cell key of a context's serious records.

    Its young people's serious sightings and the exploiter ties between them (of
    :func:`_serious_records`), so that its "serious" count carries the noise of its own
    records (one record more or less moves it unpredictably).
    """
    members = {str(p) for p in people}
    s = sightings[sightings["person_id"].astype(str).isin(members)]
    t = ties[
        ties["person_a"].astype(str).isin(members) & ties["person_b"].astype(str).isin(members)
    ]
    keys = [*sighting_keys(s).tolist()]
    if len(t):
        keys += record_keys(t[list(RECORD_IDENTITY["ties"])]).tolist()
    return cell_key(keys)


def serious_place_keys(c: ReportContext) -> dict[Any, int]:
    """Return the cell key of each place's serious sightings."""
    s = _serious_sightings(c)
    if not len(s):
        return {}
    return cell_keys(s["place_id"], sighting_keys(s)).to_dict()
