"""Settings: one module of typed attributes.

Change a setting by assignment before calling peermap, for example::

    import peermap
    peermap.settings.min_count = 5

Attributes
----------
metric_crs : str
    CRS for storage and all metric work: British National Grid.
map_crs : str
    CRS for web maps: WGS84 longitude/latitude.
min_count : int
    Small-count suppression threshold: aggregate counts below it are withheld
    in maps and aggregate exports (ONS practice is 10; DfE marks such cells ``c``).
round_to : int
    Counts at or above ``min_count`` are rounded to a multiple of this (ONS practice
    is 5; 1 shows them exactly).
suppressed_marker : str
    What a withheld count shows as in tables.
key_env : str
    Environment variable holding the partnership key.
key_file_env : str
    Environment variable naming a file that holds the partnership key.
min_key_bits : int
    Shortest partnership key accepted.
max_problems_in_message : int
    How many problems a ``ValidationError`` message lists before "and N more".
gb_bounds_wgs84 : tuple of float
    (min lon, min lat, max lon, max lat) beyond which a coordinate is "far outside
    Great Britain".
gb_bounds_bng : tuple of float
    The same box in British National Grid metres.
cell_key_secret : str or None
    Secret behind the record keys of the cell-key method (:mod:`peermap.cell_keys`):
    set it to a partnership secret so that nobody holding the pseudonyms can work out
    the noise added to public counts. ``None`` uses a fixed, published secret: the
    noise is then still the same for the same records everywhere, but only the
    pseudonyms (never published) keep it unpredictable.
graph_backend : str
    Where Louvain, betweenness and components run when a function is not told:
    ``"igraph"`` (C, about ten times faster than networkx at London scale),
    ``"networkx"`` (networkx's own code), or an installed networkx backend such as
    ``"parallel"`` (nx-parallel).
"""

from __future__ import annotations

metric_crs: str = "EPSG:27700"
map_crs: str = "EPSG:4326"

min_count: int = 10
round_to: int = 5
suppressed_marker: str = "c"

key_env: str = "PEERMAP_KEY"
key_file_env: str = "PEERMAP_KEY_FILE"
min_key_bits: int = 128

max_problems_in_message: int = 20

cell_key_secret: str | None = None

# Great Britain with a margin (Scilly to Shetland, with Northern Ireland's longitudes).
gb_bounds_wgs84: tuple[float, float, float, float] = (-11.0, 49.0, 3.0, 61.5)
# British National Grid's valid area with a margin.
gb_bounds_bng: tuple[float, float, float, float] = (-120_000.0, -20_000.0, 760_000.0, 1_300_000.0)

graph_backend: str = "igraph"
