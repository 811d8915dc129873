"""Every example runs on synthetic data and says what it should."""

from __future__ import annotations

import contextlib
import io
import re
import runpy
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PNG = b"\x89PNG\r\n\x1a\n"


def _run_in_a_process(name: str, *args: str) -> str:
    """Run ``python -W error examples/NAME ARGS``; return what it printed."""
    result = subprocess.run(
        [sys.executable, "-W", "error", str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _run(name: str, *args: str) -> str:
    """Run ``examples/NAME ARGS`` as a script (``__name__ == "__main__"``) in this process;
    return what it printed.

    The same as :func:`_run_in_a_process` without starting Python and importing the
    libraries again for each example (1.5-2 s each); warnings are errors here too
    (``filterwarnings`` in pyproject.toml). The dask example, which starts worker
    processes, runs in its own process.
    """
    path = EXAMPLES / name
    printed = io.StringIO()
    argv = sys.argv
    sys.argv = [str(path), *args]
    try:
        with contextlib.redirect_stdout(printed):
            runpy.run_path(str(path), run_name="__main__")
    except SystemExit as exit_:
        assert exit_.code in (0, None), (exit_.code, printed.getvalue())
    finally:
        sys.argv = argv
    return printed.getvalue()


def test_validate_exports_example(tmp_path: Path) -> None:
    out = _run("validate_exports.py", str(tmp_path))
    assert "refused:" in out and "nhs" in out.lower()
    assert "9434765919" not in out  # the identifier never appears in any output
    assert "date of birth" in out  # a note's date of birth is refused, never echoed
    assert "03/02/2010" not in out and "Elm Grove" not in out
    assert "expected a whole number" in out
    assert "rejected_reference" not in out  # messages, not rule names, are shown
    text = "".join(p.read_text() for p in tmp_path.glob("*.csv"))
    assert "9434765919" not in text
    assert "whose row 4" in out  # the tie to the rejected person is set aside, with reason


def test_hotspot_map_example(tmp_path: Path) -> None:
    from peermap._assets import external_references

    out = _run("hotspot_map.py", str(tmp_path))
    html = tmp_path / "northmere_hotspots.html"
    assert html.is_file() and (tmp_path / "northmere_hotspots.png").is_file()
    assert "opens offline" in out and "public map:" in out
    assert "read exports/*.csv: 0 error(s), 0 warning(s)" in out  # from CSV exports
    assert {p.name for p in (tmp_path / "exports").glob("*.csv")} >= {"people.csv", "places.csv"}
    assert "yp-" not in out  # a public map's report names no young person
    page = html.read_text(encoding="utf-8")
    assert "yp-" not in page
    assert external_references(page) == []


def test_cluster_exchange_example(tmp_path: Path) -> None:
    import networkx as nx

    out = _run("cluster_exchange.py", str(tmp_path))
    packages = sorted(p.name for p in tmp_path.glob("X09*.gpkg"))
    assert len(packages) == 4
    for name in packages:
        assert re.search(rf"received {re.escape(name)} from .*: verified", out), name
    merged = re.search(r"merged 4 packages: (\d+) young people \(from (\d+) rows\)", out)
    assert merged and int(merged.group(1)) < int(merged.group(2))  # nobody counted twice
    assert "refused a tampered copy" in out and "another partnership's key" in out
    nodes = re.search(r"cluster_peer\.graphml \((\d+) nodes, (\d+) edges\)", out)
    assert nodes
    graph = nx.read_graphml(tmp_path / "cluster_peer.graphml")
    assert graph.number_of_nodes() == int(nodes.group(1)) == int(merged.group(1))
    assert graph.number_of_edges() == int(nodes.group(2))
    assert (tmp_path / "cluster_aggregate.gpkg").is_file()


def test_relocations_review_example(tmp_path: Path) -> None:
    from peermap._assets import external_references

    out = _run("relocations_review.py", str(tmp_path))
    host = re.search(r"^(.+) \((X09\d{6})\): (\d+) notification\(s\)", out, re.MULTILINE)
    assert host, out
    name, code, count = host.group(1), host.group(2), int(host.group(3))
    notices = pd.read_csv(tmp_path / f"host_notifications_{code}.csv")
    assert len(notices) == count > 0
    assert list(notices.columns) == [
        "person_id",
        "date",
        "from_authority",
        "kind",
        "age",
        "looked_after",
    ]
    assert (notices["from_authority"] != code).all()
    review = pd.read_csv(tmp_path / f"relocations_review_{code}.csv")
    assert len(review) == count and (review["to_authority"] == code).all()
    formed = int(re.search(r"(\d+) formed ties with young people homed in", out).group(1))  # type: ignore[union-attr]
    assert formed == int((review["ties_after"] > 0).sum())
    truth = re.search(r"new ties found for (\d+) of (\d+) arrivals", out)
    assert truth and truth.group(1) == truth.group(2)  # every planted tie is seen
    assert f"young people into {name}" in out
    page = (tmp_path / "relocations_map.html").read_text(encoding="utf-8")
    assert external_references(page) == [] and "PARTNERSHIP ONLY" in page


def test_problem_profile_example(tmp_path: Path) -> None:
    out = _run("problem_profile.py", str(tmp_path))
    figures = pd.read_csv(tmp_path / "figures.csv")
    assert len(figures) == 5
    for name in figures["figure"]:
        path = tmp_path / name
        assert path.read_bytes()[:8] == PNG, name
        assert f"saved: {name}" in out
    assert "disclosure rule: Counts under 10 are suppressed" in out
    assert "yp-" not in out and "pl-" not in out
    # Every count the profile prints is withheld or rounded to 5.
    months = re.search(r"serious sightings per month: (.*)", out)
    assert months
    for value in re.findall(r"\d{4}-\d{2}: (\w+)", months.group(1)):
        assert value == "c" or int(value) % 5 == 0


@contextlib.contextmanager
def _port_taken(port: int) -> Iterator[None]:
    """Hold ``port`` on localhost while the block runs (if something else holds it, fine)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with contextlib.suppress(OSError):  # already in use: taken either way
            sock.bind(("127.0.0.1", port))
            sock.listen()
        yield


def test_regional_dask_example(tmp_path: Path) -> None:
    """The example binds no fixed port: it runs while dask's dashboard port 8787 (and the
    scheduler's 8786) is taken, as on a machine where another cluster runs."""
    import pytest

    pytest.importorskip("dask_geopandas", reason="the dask engine's extra is not installed")
    with _port_taken(8787), _port_taken(8786):
        out = _run_in_a_process("regional_dask.py", str(tmp_path))
    assert "12 monthly files" in out and "read on 12 partitions" in out
    assert re.search(r"set aside: \d{4}-\d{2}\.parquet row 1: no such person", out)
    assert "'rejected': 1" in out
    assert "same tables as in memory: True" in out


def test_what_to_look_at_first_example() -> None:
    out = _run("what_to_look_at_first.py")
    assert "contexts, most concerning first:" in out and "venues, most concerning first:" in out
    found = re.search(r"planted places in the top 5 venues: (\d+) of (\d+)", out)
    assert found and found.group(1) == found.group(2)  # every planted place leads
    first_venue = out.split("venues, most concerning first:")[1].splitlines()[1]
    assert "<- " in first_venue  # the first venue read is a planted one
    assert "the rate usual for a" in out and "× " in out
    assert "(its own excess " in out and "; its place " in out  # the parts of the score
    assert "in exploiter ties that meet here  <- " in first_venue  # its exploiter ties meet there


def test_one_window_example(tmp_path: Path) -> None:
    out = _run("one_window.py", str(tmp_path))
    kept = re.search(r"records the window keeps: \{.*'sightings': (\d+)", out)
    every = re.search(r"records in the dataset: +\{.*'sightings': (\d+)", out)
    assert kept and every and 0 < int(kept.group(1)) < int(every.group(1))
    assert f"sightings at them: {kept.group(1)}" in out  # hotspots count the same records
    assert f"pairs of authorities, {kept.group(1)} sightings" in out  # and so do flows
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "records dated from 2024-03-01 to 2024-09-30" in report
    assert "graded corroborated or better" in report


def test_emerging_hotspots_example(tmp_path: Path) -> None:
    out = _run("emerging_hotspots.py", str(tmp_path))
    assert "12 months from 2024-01 to 2024-12" in out
    listing = out.split("cells with a pattern (months")[1].split("\npublic: ")[0]
    rows = [line for line in listing.splitlines() if line.startswith("  cell ")]
    assert rows
    for line in rows:  # each cell's pattern agrees with its months (+ hot, - cold)
        found = re.search(r"  ([+\-.]{12})  ", line)
        assert found, line
        months = found.group(1)
        if "New Hot Spot" in line:
            assert months == "." * 11 + "+"
        if "Persistent Hot Spot" in line or "Intensifying Hot Spot" in line:
            assert months.count("+") >= 11 and months.endswith("+")
        if "Sporadic Hot Spot" in line:
            assert months.count("+") < 11 and "-" not in months
    assert "sightings at private homes left out" in out
    assert "layers: authorities, gi_star, emerging" in out
    assert (tmp_path / "emerging_hotspots.html").is_file()


def test_investigate_example(tmp_path: Path) -> None:
    import networkx as nx

    import peermap

    out = _run("investigate.py", str(tmp_path))
    assert "shortest chain" in out and "in date order" in out
    shortest = int(re.search(r"shortest chain \S+ -> \S+: (\d+) step", out).group(1))  # type: ignore[union-attr]
    ordered = int(re.search(r"in date order .*: (\d+) step", out).group(1))  # type: ignore[union-attr]
    assert ordered >= shortest >= 1
    assert "read back equal: True" in out and "brokers in" in out
    chart = peermap.read_anx(tmp_path / "county_line.anx")
    assert len(chart.people) >= 7
    assert nx.read_gexf(tmp_path / "peer_network.gexf").graph["mode"] == "dynamic"
    assert "PARTNERSHIP ONLY" in out


def test_link_partners_example(tmp_path: Path) -> None:
    out = _run("link_partners.py", str(tmp_path))
    assert "N-101 is S-7" in out and "N-104 is S-9" in out
    assert "north N-101, south S-7, east E-1" in out
    assert "N-102" not in out  # the twin is linked to no one
    for name in ("Thomas", "Okafor", "2009-03-14", "SE15"):  # no identity leaves
        assert name not in out
        assert name not in (tmp_path / "north_clks.csv").read_text()
    assert set(pd.read_csv(tmp_path / "clusters.csv").columns) == {
        "cluster",
        "partner",
        "person_id",
    }


def test_online_spaces_example(tmp_path: Path) -> None:
    out = _run("online_spaces.py", str(tmp_path))
    assert "planted: recruitment in online-001" in out and "planted: image_sharing" in out
    recruitment = re.search(
        r"recruitment: context #\d+ .* holds (\d+) of the (\d+) .* reach (\w+)", out
    )
    assert recruitment and recruitment.group(1) == recruitment.group(2)
    assert recruitment.group(3) == "distant"
    assert "package: record schema 1.1, 2 online places read back with no geometry: True" in out
    assert (tmp_path / "online_partnership.html").is_file()
    public = (tmp_path / "online_public_report.html").read_text(encoding="utf-8")
    assert "Online spaces" in public and "online-00" not in public and "yp-" not in public


def test_merge_linked_packages_example(tmp_path: Path) -> None:
    out = _run("merge_linked_packages.py", str(tmp_path))
    assert "linked: N-101 is S-7" in out and "merged: 3 young people" in out
    assert "X09000002 held them as S-7" in out
    assert "seen: N-101 on 2024-03-10 (reported by X09000002)" in out
    for name in ("Thomas", "Okafor", "2009-03-14", "SE15"):  # no identity is printed
        assert name not in out
