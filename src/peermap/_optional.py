"""Optional dependencies: which extra brings each, and the error when one is missing.

The core install reads, validates, analyses and exchanges records. Maps, diagrams'
static figures, timelines and reports need the ``maps`` extra, Excel workbooks the
``xlsx`` extra and the dask engine the ``dask`` extra (``pip install 'peermap[all]'``
brings every one). A missing one raises :class:`~peermap.exceptions.MissingDependencyError`
naming the extra, never a bare ``No module named ...``.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Final

from peermap.exceptions import MissingDependencyError

__all__ = ["EXTRAS", "WHAT", "missing_dependency", "require"]

#: Top-level import name of each optional library -> the extra that installs it.
EXTRAS: Final[dict[str, str]] = {
    "folium": "maps",
    "branca": "maps",
    "matplotlib": "maps",
    "js_lib_leaflet": "maps",
    "openpyxl": "xlsx",
    "dask": "dask",
    "dask_geopandas": "dask",
    "distributed": "dask",
    "anonlink": "linkage",
    "bitarray": "linkage",
    "nicknames": "linkage",
}

#: What each extra is for, in the words of the error message.
WHAT: Final[dict[str, str]] = {
    "maps": "maps, static figures, timelines and reports",
    "xlsx": "Excel workbooks",
    "dask": "the dask engine",
    "linkage": "linking young people across partners",
}


def _error(module: str, extra: str) -> MissingDependencyError:
    return MissingDependencyError(
        f"the optional dependency '{module}' (for {WHAT[extra]}) is not installed: "
        f"pip install 'peermap[{extra}]' (or 'peermap[all]' for every optional feature)",
        name=module,
    )


def missing_dependency(exc: ImportError) -> MissingDependencyError | None:
    """Return the project's error for a failed import of an optional library, else None.

    Parameters
    ----------
    exc : ImportError
        The error an import raised.

    Returns
    -------
    MissingDependencyError or None
        ``exc`` itself when it already is one; a new one naming the extra when the
        missing module belongs to an optional library; None for any other module.
    """
    if isinstance(exc, MissingDependencyError):
        return exc
    root = (exc.name or "").split(".")[0]
    extra = EXTRAS.get(root)
    return None if extra is None else _error(root, extra)


def require(name: str) -> ModuleType:
    """Import an optional library, or raise the error naming the extra that brings it.

    Parameters
    ----------
    name : str
        Import name of a library listed in :data:`EXTRAS` (or one of its submodules).

    Returns
    -------
    module
        The imported module.

    Raises
    ------
    MissingDependencyError
        When the library is not installed.
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        error = missing_dependency(exc)
        if error is None:
            raise
        raise error from exc
