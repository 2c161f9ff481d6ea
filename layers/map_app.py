"""The element that starts the map frame's app (``static/js/dash-map.js``).

Added last to the map by :func:`layers.compose.build_map`: by then every layer's
script has drawn its features (``DashMap.shapes``), and ``DashMap.init`` hands
the app the map, its settings and the web tile layers, and connects it to the
page (the events and the state come from there, not from this script).
"""

from __future__ import annotations

import folium

from geo.catalog import MAP_BOUNDS
from layers._script import ScriptElement, js_json

#: Radius in metres of the dashed uncertainty circle by ACLED geo_precision.
UNCERTAINTY_M = {2: 5_000, 3: 25_000}
#: Events on the map from which they are drawn on one canvas from their typed arrays
#: (no object per event, no uncertainty rings) instead of as SVG circles.
BATCH_FROM = 2000
#: The map pane of the event markers: above the shapes' overlay pane (400), under
#: Leaflet's marker (600), tooltip and popup panes.
EVENT_PANE = "eventMarkers"
EVENT_PANE_Z = 450


class MapApp(ScriptElement):
    """``DashMap.init(map, settings, tile layers)``."""

    def __init__(self, tiles: dict[str, folium.TileLayer], labels: dict[str, str] | None = None):
        super().__init__()
        self._name = "MapApp"
        self.tiles = tiles
        self.config_json = js_json({"eventPane": EVENT_PANE, "eventPaneZ": EVENT_PANE_Z, "batchFrom": BATCH_FROM,
                                    "uncertainty": {str(k): v for k, v in UNCERTAINTY_M.items()},
                                    "basemaps": dict(labels or {}),
                                    "home": [list(MAP_BOUNDS[0]), list(MAP_BOUNDS[1])]})

    def script_text(self) -> str:
        tiles = ", ".join(f"{js_json(key)}: {layer.get_name()}" for key, layer in self.tiles.items())
        return f"DashMap.init({self._parent.get_name()}, {self.config_json}, {{{tiles}}});"
