"""Official ONS boundary downloads: the manifest of known datasets and a verified cache.

:func:`ons_datasets` lists the boundary datasets peermap knows (a manifest shipped
with the package: URL, vintage, expected feature count and columns); :func:`fetch_ons`
downloads one once into a cache folder, verifies it against the manifest and returns
its path for :func:`peermap.load_boundaries`. This is the only module of peermap that
uses the network.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.request
from importlib import resources
from pathlib import Path
from typing import IO, Any

import pandas as pd
import platformdirs
import pyogrio
import pyogrio.errors

from peermap.exceptions import ArgumentError, BoundaryError

__all__ = ["fetch_ons", "ons_datasets"]

_BOUNDARY_DATA = "boundaries"
_MANIFEST_FILE = "ons_manifest.json"


def _manifest() -> dict[str, dict[str, Any]]:
    path = resources.files("peermap").joinpath("data", _BOUNDARY_DATA, _MANIFEST_FILE)
    text = path.read_text(encoding="utf-8")
    datasets: dict[str, dict[str, Any]] = json.loads(text)["datasets"]
    return datasets


def ons_datasets() -> pd.DataFrame:
    """List the official boundary datasets :func:`fetch_ons` knows.

    Returns
    -------
    pandas.DataFrame
        One row per dataset, indexed by the name to pass to :func:`fetch_ons`, with
        its title, vintage, resolution, coverage, expected feature count, code and
        name columns, and URL.
    """
    rows = _manifest()
    columns = [
        "title",
        "vintage",
        "resolution",
        "coverage",
        "features",
        "code_column",
        "name_column",
        "publisher",
        "url",
    ]
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "name"
    return frame[[c for c in columns if c in frame.columns]]


def _cache_root(cache_dir: str | os.PathLike[str] | None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir)
    return Path(platformdirs.user_cache_dir("peermap")) / _BOUNDARY_DATA


def _open_url(url: str, timeout: float) -> IO[bytes]:
    """Open ``url`` for reading (the one network call; tests replace it)."""
    request = urllib.request.Request(url, headers={"User-Agent": "peermap (python urllib)"})
    response: IO[bytes] = urllib.request.urlopen(request, timeout=timeout)
    return response


def _verify_download(path: Path, name: str, entry: dict[str, Any]) -> None:
    """Check a downloaded file against its manifest entry; raise BoundaryError if it fails."""
    expected_sha = entry.get("sha256")
    if expected_sha:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != expected_sha:
            raise BoundaryError(
                f"{name}: downloaded file's sha256 {digest.hexdigest()} is not the expected "
                f"{expected_sha}"
            )
    head = path.read_bytes()[:2048].lstrip()
    if head.startswith(b"{") and b'"error"' in head[:200]:
        raise BoundaryError(f"{name}: the server answered with an error: {head[:300]!r}")
    try:
        info = pyogrio.read_info(path, layer=entry.get("layer"))
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise BoundaryError(f"{name}: the downloaded file is not readable: {exc}") from exc
    fields = {str(f).upper() for f in info["fields"]}
    wanted = [c for c in (entry.get("code_column"), entry.get("name_column")) if c]
    absent = [c for c in wanted if c.upper() not in fields]
    if absent:
        raise BoundaryError(
            f"{name}: the downloaded file lacks column(s) {absent}; it has {sorted(fields)}"
        )
    features = int(info["features"])
    expected = entry.get("features")
    if (expected is not None and features != int(expected)) or features <= 0:
        raise BoundaryError(
            f"{name}: the downloaded file has {features} features, expected "
            f"{expected if expected is not None else 'some'} (truncated download, or the "
            "service changed?)"
        )


def fetch_ons(
    name: str,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    force: bool = False,
    url: str | None = None,
    timeout: float = 120.0,
) -> Path:
    """Download an official ONS boundary dataset (once) and return its cached path.

    The file is downloaded to a temporary file in the cache folder, verified
    against the manifest (sha256 where known; otherwise it must open, have the
    expected code and name columns and exactly the expected number of features)
    and only then renamed into place, so the cache never holds a partial or
    unverified file. Pass the result to :func:`load_boundaries`.

    Parameters
    ----------
    name : str
        Dataset name from :func:`ons_datasets`, e.g. ``"lad_2024_buc"``.
    cache_dir : str or os.PathLike, optional
        Folder for the cache; default ``platformdirs.user_cache_dir("peermap")/boundaries``.
    force : bool, default False
        Download again even when the file is already cached.
    url : str, optional
        Download from here instead of the manifest's URL (a mirror, or a service ONS
        has renamed); the file is verified against the manifest all the same.
    timeout : float, default 120
        Seconds to wait for the server.

    Returns
    -------
    pathlib.Path
        Path of the verified file in the cache.

    Raises
    ------
    ValueError
        Unknown dataset name.
    ConnectionError
        The download failed (offline, server error).
    peermap.BoundaryError
        The downloaded file failed verification; nothing is cached.
    """
    datasets = _manifest()
    if name not in datasets:
        close = difflib.get_close_matches(name, list(datasets), n=3)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ArgumentError(
            f"unknown ONS dataset {name!r}.{hint} Known datasets: {', '.join(sorted(datasets))}"
        )
    entry = datasets[name]
    folder = _cache_root(cache_dir)
    target = folder / f"{name}{entry.get('suffix', '.geojson')}"
    if target.is_file() and not force:
        return target
    folder.mkdir(parents=True, exist_ok=True)
    source_url = url or str(entry["url"])
    handle, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=target.suffix, dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            try:
                response = _open_url(source_url, timeout)
                with response:
                    for block in iter(lambda: response.read(1 << 20), b""):
                        out.write(block)
            except (urllib.error.URLError, OSError) as exc:
                raise ConnectionError(
                    f"could not download {name} from {source_url}: {exc}. Are you online? "
                    "You can also download it in a browser and pass the file to "
                    "load_boundaries."
                ) from exc
        _verify_download(tmp, name, entry)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
