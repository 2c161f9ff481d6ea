"""The Lachin corridor: the route version(s) valid in the window, the 5 km
corridor around it and the Hakari-bridge checkpoint."""

from __future__ import annotations

import folium

from geo.valid_in_window import valid_in_window
from layers._shapes import shapes_group
from layers.palette import CORRIDOR_FILL, CORRIDOR_LINE, ROAD


def _style(props: dict) -> dict:
    kind = props.get("kind")
    if kind == "road":
        return {"color": ROAD, "weight": 3, "dashArray": "8 6", "opacity": 0.9}
    if kind == "checkpoint":
        return {"color": "#D55E00", "weight": 2, "dashArray": "3 3", "fillColor": "#ffffff",
                "fillOpacity": 1, "radius": 7}
    return {"color": CORRIDOR_LINE, "weight": 1, "fillColor": CORRIDOR_FILL, "fillOpacity": 0.4}


def build(gdf, *, name="Lachin corridor", show=True, events=None, window=None, open_id=None) -> folium.FeatureGroup:
    """Corridor features valid in ``window`` (both versions if it spans the
    switch of 30 August 2022). Roads are dashed: they are schematic."""
    if window is not None:
        gdf = valid_in_window(gdf, *window)
    order = {"corridor": 0, "road": 1, "checkpoint": 2}
    gdf = gdf.iloc[sorted(range(len(gdf)), key=lambda i: order.get(gdf.iloc[i].get("kind"), 3))]
    return shapes_group(gdf, name=name, show=show, style=_style, events=events, window=window, open_id=open_id)
