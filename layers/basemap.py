"""The base map: offline assets, the web tile layers a user may choose, scale bar,
fullscreen button and legend. The geography and the events are added by
:func:`layers.compose.build_map`; what shows is set by the page's state in the
browser, not here."""

from __future__ import annotations

import warnings

import folium
import xyzservices.providers as xyz
from branca.element import Element

from layers.assets import STATIC_URL, use_offline_assets
from layers.controls import FullscreenControl, Legend

#: Basemap choices: URL key -> (label, xyzservices provider or None: no tiles, offline).
BASEMAPS = {
    "none": ("None (offline)", None),
    "osm": ("OpenStreetMap", xyz.OpenStreetMap.Mapnik),
    "carto": ("CARTO light", xyz.CartoDB.Positron),
}

#: The map frame's styles. ``--dash-scale`` is the projector view's scale (static/js/dash-view.js
#: DashMap.setScale: 1, or the window's height / 600 px): labels, legend, controls and popups grow with it.
_CSS = """
<style>
:root { --dash-scale: 1; }
.leaflet-container { background: #f4f1ea; font-family: sans-serif; }
/* In the page (st_folium's #map_div) the map fills its frame, which the page sizes (static/js/dash-present.js). */
#map_div.leaflet-container { height: 100vh !important; }
.leaflet-popup-content { font-size: calc(13px * var(--dash-scale)); line-height: 1.4; }
.feature-popup h4, .event-popup h4 { margin: 2px 0 4px; font-size: calc(15px * var(--dash-scale)); }
.feature-popup .alt { color: #555; font-style: italic; margin-bottom: 4px; }
.feature-popup ul { padding-left: 16px; margin: 4px 0; }
.approx, .unconfirmed { color: #8a4b00; }
.event-popup blockquote { margin: 6px 0; padding-left: 8px; border-left: 3px solid #ccc; color: #333; }
.event-popup .event-date { color: #555; font-size: 12px; }
.event-popup .claims ul { padding-left: 16px; margin: 2px 0; }
.event-popup .loading { color: #777; font-style: italic; }
.leaflet-tooltip.place-label { background: rgba(255,255,255,.75); border: 0; box-shadow: none;
  padding: 0 3px; font-size: calc(11px * var(--dash-scale)); }
.leaflet-tooltip.place-label:before { display: none; }
.leaflet-tooltip.area-label { font-style: italic; color: #4a2a73; white-space: normal; width: 14em; text-align: center;
  background: transparent; text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; }
.leaflet-tooltip.dash-label-hidden { visibility: hidden !important; }
.leaflet-tooltip { font-size: calc(12px * var(--dash-scale)); }
.leaflet-control-container .leaflet-control { zoom: var(--dash-scale); }
.dash-reset a { font-size: 20px; line-height: 30px; text-align: center; }
/* Focus rings for the keyboard only: none on a clicked shape or on the map. */
.leaflet-interactive:focus, .leaflet-container:focus, .leaflet-container svg:focus { outline: none; }
.leaflet-interactive:focus-visible, .leaflet-container:focus-visible { outline: 2px solid #1c6dd0; }
/* Events at one place: their count, spread out on click (leaflet.markercluster). */
.dash-stack { display: flex; align-items: center; justify-content: center; border-radius: 50%;
  background: #262730; color: #fff; border: 2px solid #fff; box-shadow: 0 1px 4px rgba(0,0,0,.4);
  font: bold calc(12px * var(--dash-scale)) sans-serif; cursor: pointer; box-sizing: border-box; }
/* Far venues at the map's edge (their line leaves the map there). */
.dash-edges { position: absolute; inset: 0; pointer-events: none; z-index: 650; }
.dash-edge { position: absolute; pointer-events: auto; font: calc(12px * var(--dash-scale))/1.3 sans-serif;
  background: #fff; border: 2px solid #56B4E9; border-radius: 6px; padding: 2px 8px; text-align: left;
  white-space: nowrap; cursor: pointer; color: #1d1d1d; box-shadow: 0 1px 4px rgba(0,0,0,.25); }
.dash-edge:focus-visible { outline: 2px solid #1c6dd0; }
.dash-edge-dot { position: absolute; width: 10px; height: 10px; margin: -5px 0 0 -5px; border-radius: 50%;
  background: #56B4E9; }
</style>
"""


def build_base_map(*, center=(40.0, 46.5), zoom: int = 7, asset_url: str = STATIC_URL) -> tuple[folium.Map, dict]:
    """A folium Map that loads nothing from a CDN, and its web tile layers.

    Parameters
    ----------
    center, zoom : the view before the page's state sets one.
    asset_url : where Leaflet is served.

    Returns
    -------
    (map, tiles): the map, and basemap key -> folium.TileLayer for each web
    basemap of :data:`BASEMAPS` (built, not shown: the state picks one).
    """
    m = folium.Map(location=list(center), zoom_start=zoom, tiles=None, control_scale=True,
                   prefer_canvas=False, zoom_control=True, world_copy_jump=False)
    use_offline_assets(m, asset_url)
    tiles = {}
    for key, (label, provider) in BASEMAPS.items():
        if provider is not None:
            with warnings.catch_warnings():  # xyzservices: "CartoDB tiles now require an API key"
                warnings.simplefilter("ignore", UserWarning)
                url = provider.build_url()
            tiles[key] = folium.TileLayer(tiles=url, attr=provider.html_attribution, name=label,
                                          max_zoom=provider.get("max_zoom", 19), show=False).add_to(m)
    m.get_root().header.add_child(Element(_CSS))
    FullscreenControl().add_to(m)
    Legend().add_to(m)
    return m, tiles
