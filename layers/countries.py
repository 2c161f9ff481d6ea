"""Armenia and Azerbaijan (Natural Earth 10m)."""

from __future__ import annotations

import folium

from layers._shapes import shapes_group
from layers.palette import COUNTRY_FILL


def _style(props: dict) -> dict:
    return {"color": "#555555", "weight": 1.2, "fillColor": COUNTRY_FILL.get(props["id"], "#dddddd"),
            "fillOpacity": 0.55}


def build(gdf, *, key="countries", name="Armenia and Azerbaijan") -> folium.FeatureGroup:
    """Country polygons with popups (names, area, description, events)."""
    return shapes_group(gdf, key=key, name=name, style=_style)
