"""Offline basemap context: lakes, the Caspian coast, rivers, land borders."""

from __future__ import annotations

import folium

from layers._shapes import shapes_group
from layers.palette import BORDER, WATER, WATER_LINE


def _style(props: dict) -> dict:
    kind = props.get("kind")
    if kind == "lake" or kind == "sea":
        return {"color": WATER_LINE, "weight": 1, "fillColor": WATER, "fillOpacity": 0.8}
    if kind == "river":
        return {"color": WATER_LINE, "weight": 1.5, "opacity": 0.9}
    if kind == "coast":
        return {"color": WATER_LINE, "weight": 2, "fill": False}
    return {"color": BORDER, "weight": 1, "dashArray": "4 3", "opacity": 0.8}


def build(gdf, *, key="context", name="Basemap context") -> folium.FeatureGroup:
    """Context shapes with name tooltips and no event popups."""
    return shapes_group(gdf, key=key, name=name, style=_style, popups=False)
