"""The Lachin corridor: its dated route versions (road and 5 km corridor each) and
the Hakari-bridge checkpoint.

Every version is in the layer; the browser shows the versions valid in the date
window (``valid_from`` inclusive, ``valid_to`` exclusive, the rule of
:func:`geo.valid_in_window.valid_in_window`), so a window that spans a switch
shows both routes."""

from __future__ import annotations

import folium
import numpy as np

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


def build(gdf, *, key="lachin_corridor", name="Lachin corridor") -> folium.FeatureGroup:
    """Corridor features, corridors under roads under the checkpoint. Roads are
    dashed: they are schematic."""
    if "kind" in gdf.columns:
        gdf = gdf.iloc[np.argsort(gdf["kind"].map(_ORDER).fillna(len(_ORDER)).to_numpy(), kind="stable")]
    return shapes_group(gdf, key=key, name=name, style=_style)
