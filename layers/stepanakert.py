"""Stepanakert / Khankendi and Renaissance Square."""

from __future__ import annotations

import folium

from layers._shapes import shapes_group
from layers.palette import KARABAKH


def _style(props: dict) -> dict:
    if props.get("kind") == "city":
        return {"color": "#ffffff", "weight": 2, "fillColor": KARABAKH, "fillOpacity": 1, "radius": 9}
    return {"color": KARABAKH, "weight": 2, "fillColor": "#ffffff", "fillOpacity": 1, "radius": 5}


def build(gdf, *, name="Stepanakert / Khankendi", show=True, events=None, window=None, open_id=None) -> folium.FeatureGroup:
    """The city and the square as markers with popups listing their events."""
    return shapes_group(gdf, name=name, show=show, style=_style, events=events, window=window, open_id=open_id)
