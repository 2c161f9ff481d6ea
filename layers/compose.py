"""The whole map of one dataset, built once: every layer, every web basemap, the
far venues' distance lines, and the app that applies the page's state.

Nothing here depends on the date window, the toggles, the selection or the tour
step: the page hands the same map to ``st_folium`` on every run (so the browser
keeps it, and Streamlit sends it once), and sends the state separately.
"""

from __future__ import annotations

import folium
import geopandas as gpd

from geo.catalog import DISTANT_VENUES, LAYER_LABELS, STEPANAKERT
from geo.distances import venue_links
from layers import context, corridor, countries, distances, karabakh, places, stepanakert
from layers.basemap import BASEMAPS, build_base_map
from layers.map_app import MapApp

#: Geographic layer key -> builder.
GEO_BUILDERS = {
    "context": context.build,
    "countries": countries.build,
    "nagorno_karabakh": karabakh.build,
    "lachin_corridor": corridor.build,
    "stepanakert": stepanakert.build,
    "places": places.build,
}
#: Drawing order (bottom first): context is drawn over the countries, under the rest.
DRAW_ORDER = ("countries", "context", "nagorno_karabakh", "lachin_corridor", "places", "stepanakert")


def category_key(category: str) -> str:
    """Toggle/URL key of an event category layer."""
    return f"cat:{category}"


def build_map(layers: dict[str, gpd.GeoDataFrame], **base) -> folium.Map:
    """The map of ``layers`` (geo.dataset.Dataset.layers; missing keys are skipped).

    Every geographic layer is built (none shown until the state says so), and, if
    the places layer has the far venues, their distance lines to Stepanakert.
    ``base`` goes to :func:`layers.basemap.build_base_map`.
    """
    m, tiles = build_base_map(**base)
    for key in DRAW_ORDER:
        if key in layers:
            GEO_BUILDERS[key](layers[key], key=key, name=LAYER_LABELS[key]).add_to(m)
    if "places" in layers:
        links = venue_links(layers["places"], DISTANT_VENUES, STEPANAKERT)
        if links:
            distances.build(links).add_to(m)
    MapApp(tiles, {key: label for key, (label, _) in BASEMAPS.items()}).add_to(m)
    return m
