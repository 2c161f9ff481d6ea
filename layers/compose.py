"""Assemble the dynamic FeatureGroups for one view state.

The page hands the result to ``st_folium(feature_group_to_add=...)``: the base
map stays mounted, and only these groups are replaced when the window or the
toggles change.
"""

from __future__ import annotations

import datetime as dt

import folium
import geopandas as gpd
import numpy as np
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


def _naming_features(events: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``events`` whose ``features`` list is not empty (same columns)."""
    if "features" not in events.columns or not len(events):
        return events
    lists = events["features"].tolist()
    named = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists)) > 0
    return events if named.all() else events.loc[named].reset_index(drop=True)


def dynamic_groups(
    layers: dict[str, gpd.GeoDataFrame],
    window_events: pd.DataFrame,
    visible: frozenset[str] | set[str],
    window: tuple[dt.date, dt.date],
    open_id: str | None = None,
    all_events: pd.DataFrame | None = None,
    rows: np.ndarray | None = None,
) -> list[folium.FeatureGroup]:
    """The FeatureGroups of every visible layer.

    Parameters
    ----------
    layers : loaded geographic layers by key (missing keys are skipped).
    window_events : the events inside ``window`` (built-in and imported).
    visible : layer keys to draw: geographic keys and ``"cat:<category>"``.
    window : the inclusive date window, for popups and the corridor version.
    open_id : a feature or event id whose popup opens when the map shows it.
    all_events : optional, the table ``window_events`` was filtered from. It is
        encoded once and kept while it lives, so that a window change only picks
        rows (the page passes its table of built-in and imported events).
    rows : optional, with ``all_events``: the positions in it of the rows of
        ``window_events``, in their order (:meth:`geo.window.EventIndex.rows`).
    """
    groups: list[folium.FeatureGroup] = []
    # Feature popups list the events that name a feature: hand the shape layers only
    # those rows (imported events name none), not every event in the window.
    naming = None
    if any(key in visible and key in layers for key in DRAW_ORDER):
        naming = _naming_features(window_events)
    for key in DRAW_ORDER:
        if key in visible and key in layers:
            groups.append(GEO_BUILDERS[key](layers[key], name=LAYER_LABELS[key],
                                            events=naming, window=window, open_id=open_id))
    shown = [cat for cat in CATEGORIES if category_key(cat) in visible]
    if shown:
        # The events are encoded once for all the category layers.
        groups += event_layer.build_groups(window_events, shown, open_id=open_id, all_events=all_events,
                                           rows=rows)
    return groups
