"""The Lachin corridor: the route version(s) valid in the window, the 5 km
corridor around it and the Hakari-bridge checkpoint."""

from __future__ import annotations

import threading
import weakref

import folium
import numpy as np
import pandas as pd

from geo.valid_in_window import valid_in_window
from layers._shapes import shapes_group
from layers.palette import CORRIDOR_FILL, CORRIDOR_LINE, ROAD

#: Drawing order by kind (bottom first); other kinds last.
_ORDER = {"corridor": 0, "road": 1, "checkpoint": 2}


def _style(props: dict) -> dict:
    kind = props.get("kind")
    if kind == "road":
        return {"color": ROAD, "weight": 3, "dashArray": "8 6", "opacity": 0.9}
    if kind == "checkpoint":
        return {"color": "#D55E00", "weight": 2, "dashArray": "3 3", "fillColor": "#ffffff",
                "fillOpacity": 1, "radius": 7}
    return {"color": CORRIDOR_LINE, "weight": 1, "fillColor": CORRIDOR_FILL, "fillOpacity": 0.4}


def _boundaries(gdf) -> np.ndarray:
    """The distinct validity dates of ``gdf``, sorted (datetime64[D])."""
    days = []
    for col in ("valid_from", "valid_to"):
        if col in gdf.columns:
            parsed = pd.to_datetime(gdf[col].replace("", None), errors="coerce").dropna()
            days.append(parsed.to_numpy(dtype="datetime64[D]"))
    return np.unique(np.concatenate(days)) if days else np.empty(0, dtype="datetime64[D]")


#: id(frame) -> (weak reference, validity boundaries, {cell of the window: selected frame})
_SELECTIONS: dict[int, tuple] = {}
_LOCK = threading.Lock()


def _selected(gdf, window):
    """``valid_in_window(gdf, *window)`` in drawing order (corridor, road, checkpoint).

    The selection can only change where the window's start or end crosses a
    validity date, so it is computed once per cell (each end strictly between two
    dates, or on one) and the same frame returned for every window in that cell."""
    with _LOCK:
        entry = _SELECTIONS.get(id(gdf))
    if entry is None or entry[0]() is not gdf:
        try:
            ref = weakref.ref(gdf, lambda _r, key=id(gdf): _SELECTIONS.pop(key, None))
        except TypeError:
            ref = None
        entry = (ref, _boundaries(gdf), {})
        if ref is not None:
            with _LOCK:
                _SELECTIONS[id(gdf)] = entry
    _, bounds, cells = entry
    start, end = (np.datetime64(d, "D") for d in window)
    cell = tuple(int(np.searchsorted(bounds, d, side)) for d in (start, end) for side in ("left", "right"))
    frame = cells.get(cell)
    if frame is None:
        frame = valid_in_window(gdf, *window)
        kinds = frame["kind"].map(_ORDER).fillna(len(_ORDER)) if "kind" in frame.columns else None
        if kinds is not None:
            frame = frame.iloc[np.argsort(kinds.to_numpy(), kind="stable")]
        cells[cell] = frame
    return frame


def build(gdf, *, name="Lachin corridor", show=True, events=None, window=None, open_id=None) -> folium.FeatureGroup:
    """Corridor features valid in ``window`` (both versions if it spans the
    switch of 30 August 2022). Roads are dashed: they are schematic."""
    if window is not None:
        gdf = _selected(gdf, window)
    elif "kind" in gdf.columns:
        gdf = gdf.iloc[np.argsort(gdf["kind"].map(_ORDER).fillna(len(_ORDER)).to_numpy(), kind="stable")]
    return shapes_group(gdf, name=name, show=show, style=_style, events=events, window=window, open_id=open_id)
