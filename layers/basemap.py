"""The base map: offline assets, an optional web tile layer, scale bar,
fullscreen button and legend. Everything that changes with the window or the
toggles is added as dynamic FeatureGroups by the page, not here."""

from __future__ import annotations

import folium
import xyzservices.providers as xyz
from branca.element import Element

from layers.assets import STATIC_URL, use_offline_assets
from layers.controls import FullscreenControl, Legend

#: Basemap choices: label -> xyzservices provider (None: no tiles, offline).
BASEMAPS = {
    "None (offline)": None,
    "OpenStreetMap": xyz.OpenStreetMap.Mapnik,
    "CARTO light": xyz.CartoDB.Positron,
}

_CSS = """
<style>
.leaflet-container { background: #f4f1ea; font-family: sans-serif; }
.leaflet-popup-content { font-size: 13px; line-height: 1.4; }
.feature-popup h4, .event-popup h4 { margin: 2px 0 4px; font-size: 15px; }
.feature-popup .alt { color: #555; font-style: italic; margin-bottom: 4px; }
.feature-popup ul { padding-left: 16px; margin: 4px 0; }
.approx, .unconfirmed { color: #8a4b00; }
.event-popup blockquote { margin: 6px 0; padding-left: 8px; border-left: 3px solid #ccc; color: #333; }
.event-popup .event-date { color: #555; font-size: 12px; }
.event-popup .claims ul { padding-left: 16px; margin: 2px 0; }
.leaflet-tooltip.place-label { background: rgba(255,255,255,.75); border: 0; box-shadow: none;
  padding: 0 3px; font-size: 11px; }
.leaflet-tooltip.place-label:before { display: none; }
</style>
"""


def build_base_map(basemap: str = "None (offline)", *, center=(40.0, 46.5), zoom: int = 7,
                   asset_url: str = STATIC_URL) -> folium.Map:
    """A folium Map that loads nothing from a CDN.

    Parameters
    ----------
    basemap : a key of :data:`BASEMAPS`; unknown keys mean no tiles.
    center, zoom : the initial view.
    asset_url : where Leaflet and jQuery are served.
    """
    m = folium.Map(location=list(center), zoom_start=zoom, tiles=None, control_scale=True,
                   prefer_canvas=False, zoom_control=True, world_copy_jump=False)
    use_offline_assets(m, asset_url)
    provider = BASEMAPS.get(basemap)
    if provider is not None:
        folium.TileLayer(tiles=provider.build_url(), attr=provider.html_attribution,
                         name=basemap, max_zoom=provider.get("max_zoom", 19)).add_to(m)
    m.get_root().header.add_child(Element(_CSS))
    FullscreenControl().add_to(m)
    Legend().add_to(m)
    return m
