"""Nagorno-Karabakh: the boundary of the former autonomous oblast (approximate)."""

from __future__ import annotations

import folium

from layers._shapes import shapes_group
from layers.palette import KARABAKH


def _style(props: dict) -> dict:
    return {"color": KARABAKH, "weight": 2.5, "dashArray": "6 4", "fillColor": KARABAKH, "fillOpacity": 0.15}


def build(gdf, *, name="Nagorno-Karabakh", show=True, events=None, window=None, open_id=None) -> folium.FeatureGroup:
    """The NKAO polygon, dashed because its boundary is approximate."""
    return shapes_group(gdf, name=name, show=show, style=_style, events=events, window=window, open_id=open_id)
