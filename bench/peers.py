"""What the two comparison pages share: their data and their controls.

The benchmark compares the dashboard with two pages a Streamlit user would write
for the same events (``bench/baseline_app.py``: streamlit-folium with a marker
per event; ``bench/pydeck_app.py``: ``st.pydeck_chart``). Both read the same
ACLED CSV through the user's import path, and have the same controls in the
sidebar as the dashboard's main ones: the date slider and pills that toggle the
events of each ACLED event type. Every interaction reruns the whole script, as
is usual for such pages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import pandas as pd
import streamlit as st

from bench.synth import load_csv
from geo.window import EventIndex

#: Colours of the event types (Okabe-Ito, as the dashboard's categories), cycled.
COLORS = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#999999"]


def options(argv: list[str] | None = None) -> argparse.Namespace:
    """``streamlit run bench/<app>.py -- --events FILE.csv``."""
    parser = argparse.ArgumentParser(prog="peer app")
    parser.add_argument("--events", required=True)
    return parser.parse_known_args(sys.argv[1:] if argv is None else argv)[0]


@st.cache_resource(show_spinner="Loading events…")
def events_index(path: str) -> EventIndex:
    """The CSV's events, sorted once (as the dashboard keeps them)."""
    return EventIndex.build(load_csv(Path(path)))


def event_types(events: pd.DataFrame) -> list[str]:
    """The event types in the order the pills show them (most frequent first, then by name)."""
    counts = events["event_type"].fillna("").astype(str).value_counts()
    return sorted(counts.index, key=lambda t: (-counts[t], t))


def color_of(types: list[str]) -> dict[str, str]:
    return {t: COLORS[i % len(COLORS)] for i, t in enumerate(types)}


def controls(index: EventIndex) -> tuple[tuple[dt.date, dt.date], list[str], pd.DataFrame]:
    """The sidebar's slider (key "window") and pills (key "types"); returns the window, the
    selected types and the events to draw."""
    events = index.table
    span = (events["date_start"].min().date(), events["date_end"].max().date())
    types = event_types(events)
    window = st.sidebar.slider("Date window", min_value=span[0], max_value=span[1], value=span, key="window",
                               step=dt.timedelta(days=1), format="D MMM YYYY")
    chosen = st.sidebar.pills("Event types", types, selection_mode="multi", default=types, key="types") or []
    in_window = index.take(index.rows(*window))
    shown = in_window[in_window["event_type"].fillna("").astype(str).isin(chosen)].reset_index(drop=True)
    st.sidebar.caption(f"{len(shown):,} events shown.")
    return window, chosen, shown
