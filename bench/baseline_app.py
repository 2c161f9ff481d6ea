"""The usual streamlit-folium app, for the benchmark.

Same data and controls as the other pages (bench/peers.py: date slider, event
type pills), and every rerun builds a new ``folium.Map`` with one ``Marker`` +
``Popup`` per event shown and hands it to ``st_folium`` whole. Run it as the
benchmark does::

    streamlit run bench/baseline_app.py -- --events FILE.csv
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script by `streamlit run`

from bench import peers  # noqa: E402
from bench.baseline import baseline_map, ensure_baseline_assets  # noqa: E402


@st.cache_resource
def _assets() -> Path:
    return ensure_baseline_assets(Path(__file__).resolve().parent / "static")  # the app folder's static/


st.set_page_config(page_title="streamlit-folium baseline", layout="wide")
_assets()
index = peers.events_index(peers.options().events)
window, types, shown = peers.controls(index)
st_folium(baseline_map(shown), height=600, use_container_width=True)
