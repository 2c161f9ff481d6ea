"""The ``st.pydeck_chart`` page, for the benchmark: what a Streamlit user would pick for
many points.

Same data and controls as the other pages (bench/peers.py: date slider, event type
pills). Every rerun hands ``st.pydeck_chart`` a deck with one ``ScatterplotLayer`` of
the events shown (position, colour of the type, and the title, date and place its
tooltip shows). Streamlit's frontend bundles deck.gl, so it draws offline;
``map_provider=None`` leaves out the basemap, whose style and tiles would come from
the network (CARTO by default). Run it as the benchmark does::

    streamlit run bench/pydeck_app.py -- --events FILE.csv
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pydeck as pdk
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script by `streamlit run`

from bench import peers  # noqa: E402
from geo.catalog import MAP_BOUNDS  # noqa: E402


def _rgb(color: str) -> list[int]:
    return [int(color[i:i + 2], 16) for i in (1, 3, 5)]


def deck(shown: pd.DataFrame, colors: dict[str, str]) -> pdk.Deck:
    """A deck of the events ``shown``: one point each, coloured by event type, with a tooltip."""
    data = pd.DataFrame({
        "lon": shown["longitude"].astype(float), "lat": shown["latitude"].astype(float),
        "title": shown["title"].astype(str), "date": shown["event_date"].dt.strftime("%d %b %Y"),
        "where": shown["location"].fillna("").astype(str),
        "color": [_rgb(colors.get(t, "#999999")) for t in shown["event_type"].fillna("").astype(str)],
    })
    (s, w), (n, e) = MAP_BOUNDS
    # Radius in metres, kept between 3 and 8 pixels (pydeck would turn a units string such as
    # radius_units="pixels" into an expression).
    layer = pdk.Layer("ScatterplotLayer", data=data, get_position=["lon", "lat"], get_fill_color="color",
                      get_radius=1500, radius_min_pixels=3, radius_max_pixels=8, pickable=True, id="events")
    view = pdk.ViewState(latitude=(s + n) / 2, longitude=(w + e) / 2, zoom=6.3)
    return pdk.Deck(layers=[layer], initial_view_state=view, map_provider=None,
                    tooltip={"text": "{title}\n{date}\n{where}"})


st.set_page_config(page_title="st.pydeck_chart peer", layout="wide")
index = peers.events_index(peers.options().events)
window, types, shown = peers.controls(index)
st.pydeck_chart(deck(shown, peers.color_of(peers.event_types(index.table))), height=600)
