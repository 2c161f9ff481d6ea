"""Armenia and Azerbaijan (Natural Earth 10m)."""

from __future__ import annotations

import folium

from layers._shapes import shapes_group
from layers.palette import COUNTRY_FILL


def _style(props: dict) -> dict:
    return {"color": "#555555", "weight": 1.2, "fillColor": COUNTRY_FILL.get(props["id"], "#dddddd"),
            "fillOpacity": 0.55}


def build(gdf, *, name="Armenia and Azerbaijan", show=True, events=None, window=None, open_id=None) -> folium.FeatureGroup:
    """Country polygons with popups (names, area, description, events)."""
    return shapes_group(gdf, name=name, show=show, style=_style, events=events, window=window, open_id=open_id)
