"""Towns, capitals and the distant venues of the story."""

from __future__ import annotations

import folium

from layers._shapes import shapes_group
from layers.palette import PLACE, VENUE


def _style(props: dict) -> dict:
    if props.get("kind") == "venue":
        return {"color": "#ffffff", "weight": 2, "fillColor": VENUE, "fillOpacity": 1, "radius": 8}
    radius = 6 if props.get("kind") == "capital" else 4
    return {"color": "#ffffff", "weight": 1.5, "fillColor": PLACE, "fillOpacity": 1, "radius": radius}


def build(gdf, *, key="places", name="Places") -> folium.FeatureGroup:
    """Place markers with permanent name labels, so the map reads offline."""
    return shapes_group(gdf, key=key, name=name, style=_style, permanent_labels=True)
