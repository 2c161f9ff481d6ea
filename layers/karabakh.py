"""Nagorno-Karabakh: the boundary of the former autonomous oblast (approximate)."""

from __future__ import annotations

import folium

from layers._shapes import shapes_group
from layers.palette import KARABAKH


def _style(props: dict) -> dict:
    return {"color": KARABAKH, "weight": 2.5, "dashArray": "6 4", "fillColor": KARABAKH, "fillOpacity": 0.15}


def build(gdf, *, key="nagorno_karabakh", name="Nagorno-Karabakh") -> folium.FeatureGroup:
    """The NKAO polygon, dashed because its boundary is approximate, with its name as a label."""
    return shapes_group(gdf, key=key, name=name, style=_style, permanent_labels=True, label_direction="center",
                        label_class="place-label area-label")
