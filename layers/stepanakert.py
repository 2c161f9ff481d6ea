"""Stepanakert / Khankendi and Renaissance Square."""

from __future__ import annotations

import folium

from layers._shapes import shapes_group
from layers.palette import KARABAKH


def _style(props: dict) -> dict:
    if props.get("kind") == "city":
        return {"color": "#ffffff", "weight": 2, "fillColor": KARABAKH, "fillOpacity": 1, "radius": 9}
    return {"color": KARABAKH, "weight": 2, "fillColor": "#ffffff", "fillOpacity": 1, "radius": 5}


def build(gdf, *, key="stepanakert", name="Stepanakert / Khankendi") -> folium.FeatureGroup:
    """The city and the square as markers with popups listing their events, and their names
    as labels (the city's is kept at every zoom from the regional view in; the square's
    shows where it does not overlap it)."""
    return shapes_group(gdf, key=key, name=name, style=_style, permanent_labels=True)
