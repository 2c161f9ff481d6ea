"""The baseline page: the usual streamlit-folium app, for the benchmark.

Same date slider and same CSV as the dashboard, but every rerun builds a new
``folium.Map`` with one ``Marker`` + ``Popup`` per event in the window and
hands it to ``st_folium`` whole. Run it as the benchmark does::

    streamlit run bench/baseline_app.py -- --events FILE.csv [--start 2022-07-15]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script by `streamlit run`

from bench.baseline import baseline_map  # noqa: E402
from bench.synth import load_csv  # noqa: E402
from geo.window import filter_window  # noqa: E402
from layers.assets import ensure_vendor_assets  # noqa: E402


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="baseline_app.py")
    parser.add_argument("--events", required=True)
    parser.add_argument("--start", type=dt.date.fromisoformat, default=None)
    return parser.parse_known_args(sys.argv[1:])[0]


@st.cache_resource
def _events(path: str) -> pd.DataFrame:
    ensure_vendor_assets(Path(__file__).parent / "static")
    return load_csv(path)


opts = _options()
events = _events(opts.events)
span = (events["date_start"].min().date(), events["date_end"].max().date())
start = max(opts.start, span[0]) if opts.start else span[0]
window = st.sidebar.slider("Date window", min_value=span[0], max_value=span[1], value=(start, span[1]),
                           step=dt.timedelta(days=1), format="D MMM YYYY")
in_window = filter_window(events, *window)
st.sidebar.caption(f"{len(in_window)} events in the window.")
st_folium(baseline_map(in_window), height=620, use_container_width=True)
