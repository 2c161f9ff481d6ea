"""Assemble the dynamic FeatureGroups for one view state.

The page hands the result to ``st_folium(feature_group_to_add=...)``: the base
map stays mounted, and only these groups are replaced when the window or the
toggles change.
"""

from __future__ import annotations

import datetime as dt

import folium
import geopandas as gpd
import pandas as pd

from geo.catalog import CATEGORIES, LAYER_LABELS
from layers import context, corridor, countries, events as event_layer, karabakh, places, stepanakert

#: Geographic layer key -> builder, in drawing order (bottom first).
GEO_BUILDERS = {
    "context": context.build,
    "countries": countries.build,
    "nagorno_karabakh": karabakh.build,
    "lachin_corridor": corridor.build,
    "stepanakert": stepanakert.build,
    "places": places.build,
}
#: Drawing order differs from the toggle order for context (drawn first, under the rest).
DRAW_ORDER = ("countries", "context", "nagorno_karabakh", "lachin_corridor", "places", "stepanakert")


def category_key(category: str) -> str:
    """Toggle/URL key of an event category layer."""
    return f"cat:{category}"


def dynamic_groups(
    layers: dict[str, gpd.GeoDataFrame],
    window_events: pd.DataFrame,
    visible: frozenset[str] | set[str],
    window: tuple[dt.date, dt.date],
    open_id: str | None = None,
) -> list[folium.FeatureGroup]:
    """The FeatureGroups of every visible layer.

    Parameters
    ----------
    layers : loaded geographic layers by key (missing keys are skipped).
    window_events : the events inside ``window`` (built-in and imported).
    visible : layer keys to draw: geographic keys and ``"cat:<category>"``.
    window : the inclusive date window, for popups and the corridor version.
    open_id : a feature or event id whose popup opens when the map shows it.
    """
    groups: list[folium.FeatureGroup] = []
    for key in DRAW_ORDER:
        if key in visible and key in layers:
            groups.append(GEO_BUILDERS[key](layers[key], name=LAYER_LABELS[key],
                                            events=window_events, window=window, open_id=open_id))
    for cat in CATEGORIES:
        if category_key(cat) in visible:
            groups.append(event_layer.build(window_events, category=cat, open_id=open_id))
    return groups
