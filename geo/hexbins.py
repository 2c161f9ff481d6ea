"""Hexagonal bins of the events (Uber's H3 grid, through the ``h3`` library).

The explorer's aggregated view counts the events of the window in hexagons, in
the browser, per frame of a play-through: so the binning is done here once per
dataset. :func:`hex_bins` gives each event its H3 cell at the finest resolution
the page uses (:data:`FINEST`), and a table of every cell the events fall in at
each resolution from :data:`COARSEST` to :data:`FINEST`: its resolution, the row
of its parent cell (one resolution coarser), and its boundary. The browser climbs
from an event's finest cell to the resolution that suits the zoom and counts.

Pure: numpy, pandas and h3; no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import h3.api.numpy_int as h3
import numpy as np
import pandas as pd

__all__ = ["HexBins", "hex_bins", "COARSEST", "FINEST", "edge_km"]

#: The resolutions the page uses: 1 (hexagons about 1,000 km across, for the far venues)
#: to 5 (about 20 km across, for the region at zoom 9 and closer).
COARSEST = 1
FINEST = 5
#: Vertices kept per cell (hexagons have 6; a pentagon's last vertex is repeated).
VERTICES = 6


@dataclass(frozen=True, eq=False)
class HexBins:
    """Each event's finest cell and the cells' table.

    code : int32 per event: the row in the cells' table of its cell at :data:`FINEST`
        (-1 for an event without a valid position).
    res : int8 per cell: its resolution.
    up : int32 per cell: the row of its parent (one resolution coarser); -1 at :data:`COARSEST`.
    lat, lon : float32 (cells x 6): the boundary's vertices.
    """

    code: np.ndarray
    res: np.ndarray
    up: np.ndarray
    lat: np.ndarray
    lon: np.ndarray

    def __len__(self) -> int:
        return len(self.res)


def edge_km(res: int) -> float:
    """The average edge of an H3 hexagon at ``res``, in km (a hexagon is about twice as wide).

    >>> round(edge_km(5), 1)
    9.9
    """
    return float(h3.average_hexagon_edge_length(res, "km"))


def hex_bins(lat, lon) -> HexBins:
    """The H3 cells of points given as latitude and longitude arrays (degrees).

    Examples
    --------
    >>> bins = hex_bins([39.8153, 39.82, 50.84], [46.7519, 46.75, 4.38])
    >>> bins.code[0] == bins.code[1], int(bins.res.min()), int(bins.res.max())
    (np.True_, 1, 5)
    """
    lat = pd.to_numeric(pd.Series(np.asarray(lat, dtype=float)), errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(pd.Series(np.asarray(lon, dtype=float)), errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    pairs = np.unique(np.stack([lat[ok], lon[ok]], axis=1), axis=0) if ok.any() else np.empty((0, 2))
    pair_cells = np.fromiter((h3.latlng_to_cell(a, b, FINEST) for a, b in pairs), dtype=np.uint64, count=len(pairs))

    # Cells of every resolution, finest first, each with its parent.
    levels: dict[int, np.ndarray] = {FINEST: np.unique(pair_cells)}
    for res in range(FINEST - 1, COARSEST - 1, -1):
        levels[res] = np.unique(np.fromiter((h3.cell_to_parent(int(c), res) for c in levels[res + 1]),
                                            dtype=np.uint64, count=len(levels[res + 1])))
    order = [r for r in range(COARSEST, FINEST + 1)]
    cells = np.concatenate([levels[r] for r in order]) if pairs.size else np.empty(0, dtype=np.uint64)
    res_of = np.concatenate([np.full(len(levels[r]), r, dtype=np.int8) for r in order]) if pairs.size \
        else np.empty(0, dtype=np.int8)
    row_of = {int(c): i for i, c in enumerate(cells)}
    up = np.array([row_of[int(h3.cell_to_parent(int(c), int(r) - 1))] if r > COARSEST else -1
                   for c, r in zip(cells, res_of)], dtype=np.int32)
    blat = np.zeros((len(cells), VERTICES), dtype=np.float32)
    blon = np.zeros((len(cells), VERTICES), dtype=np.float32)
    for i, c in enumerate(cells):
        ring = h3.cell_to_boundary(int(c))
        for k in range(VERTICES):
            a, b = ring[min(k, len(ring) - 1)]
            blat[i, k], blon[i, k] = a, b

    code = np.full(len(lat), -1, dtype=np.int32)
    if pairs.size:
        pair_row = np.array([row_of[int(c)] for c in pair_cells], dtype=np.int32)
        idx = np.flatnonzero(ok)
        found = np.empty(len(idx), dtype=np.int64)
        # each valid event's pair, by a join on (lat, lon)
        keys = pd.MultiIndex.from_arrays([pairs[:, 0], pairs[:, 1]])
        found = keys.get_indexer(pd.MultiIndex.from_arrays([lat[idx], lon[idx]]))
        code[idx] = pair_row[found]
    return HexBins(code=code, res=res_of, up=up, lat=blat, lon=blon)
