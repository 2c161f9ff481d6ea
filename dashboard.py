"""Armenia–Azerbaijan, July 2023: the map dashboard (the Streamlit page).

A thin shell: it reads the URL and the widgets into one ViewState, asks geo/
for the data in the window and layers/ for the map, and hands the map to
st_folium. Run with ``make run`` (or ``streamlit run dashboard.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.catalog import CATEGORIES, LAYER_LABELS
from geo.counts import count_by_category
from geo.dataset import LAYER_KEYS, Dataset, load_dataset
from geo.view_state import StateSpec, ViewState, parse_view_state, to_query
from geo.window import filter_window
from layers._shapes import tooltip_text
from layers.assets import ensure_vendor_assets
from layers.basemap import BASEMAPS, build_base_map
from layers.compose import dynamic_groups
from layers.format import format_dates
from layers.palette import CATEGORY_COLORS
from layers.timeline import timeline_chart

ROOT = Path(__file__).parent
#: URL key -> basemap label
BASEMAP_KEYS = dict(zip(("none", "osm", "carto"), BASEMAPS))
FALLBACK_SPAN = (dt.date(2020, 11, 10), dt.date(2023, 7, 15))
REGION_BOUNDS = [[38.3, 43.4], [42.0, 50.5]]


def _options() -> argparse.Namespace:
    """Start-up options: ``streamlit run dashboard.py -- --data DIR --events FILE``,
    or the environment variables DASHBOARD_DATA / DASHBOARD_EVENTS."""
    parser = argparse.ArgumentParser(prog="dashboard.py", add_help=False)
    parser.add_argument("--data", default=os.environ.get("DASHBOARD_DATA", str(ROOT / "data")))
    parser.add_argument("--events", action="append",
                        default=[p for p in os.environ.get("DASHBOARD_EVENTS", "").split(os.pathsep) if p])
    argv = sys.argv[1:] if sys.argv and sys.argv[0].endswith("dashboard.py") else []
    return parser.parse_known_args(argv)[0]


# --- cached, Streamlit-side wrappers -------------------------------------------------

@st.cache_resource(show_spinner=False)
def _vendor_assets() -> Path:
    return ensure_vendor_assets(ROOT / "static")


def _data_signature(data_dir: Path) -> tuple:
    files = sorted(p for p in data_dir.rglob("*") if p.is_file())
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


@st.cache_resource(show_spinner="Loading data…", max_entries=4)
def _dataset(data_dir: str, signature: tuple) -> Dataset:
    return load_dataset(data_dir)


@st.cache_data(show_spinner=False, max_entries=64)
def _window_events(_events: pd.DataFrame, events_key: tuple, start: dt.date, end: dt.date) -> pd.DataFrame:
    return filter_window(_events, start, end)


# --- state -----------------------------------------------------------------------------

def _spec(data: Dataset) -> StateSpec:
    events = data.events
    span = FALLBACK_SPAN
    if len(events):
        span = (pd.Timestamp(events["date_start"].min()).date(), pd.Timestamp(events["date_end"].max()).date())
    return StateSpec(
        layer_keys=LAYER_KEYS,
        span=span,
        feature_ids=frozenset(_tooltip_ids(data).values()),
        basemaps=tuple(BASEMAP_KEYS),
        n_steps=len(data.tour),
    )


def _tooltip_ids(data: Dataset) -> dict[str, str]:
    """Tooltip text -> feature id, to know which shape a click selected."""
    out = {}
    for gdf in data.layers.values():
        for props in gdf.drop(columns="geometry").to_dict("records"):
            out[tooltip_text(props)] = str(props["id"])
    return out


def _init_session(spec: StateSpec) -> None:
    """On a session's first run, set the widgets from the URL."""
    if "ready" in st.session_state:
        return
    params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    state, notices = parse_view_state(params, spec)
    st.session_state.notices = notices
    st.session_state.selected = state.selected
    st.session_state.open_selected = state.selected is not None
    st.session_state.window = state.window
    st.session_state.base = state.basemap
    for key in spec.layer_keys:
        st.session_state[f"show:{key}"] = key in state.layers
    st.session_state.ready = True


def _current_state(spec: StateSpec) -> ViewState:
    ss = st.session_state
    return ViewState(
        layers=frozenset(k for k in spec.layer_keys if ss.get(f"show:{k}")),
        window=tuple(ss.window),
        selected=ss.get("selected"),
        basemap=ss.base,
    )


# --- page parts ------------------------------------------------------------------------

def sidebar(spec: StateSpec, counts: dict[str, int]) -> None:
    sb = st.sidebar
    sb.selectbox("Basemap", list(BASEMAP_KEYS), key="base", format_func=BASEMAP_KEYS.get,
                 help="Web tiles need a network. 'None (offline)' draws lakes, rivers, coast and borders from local data.")
    sb.slider("Date window", min_value=spec.span[0], max_value=spec.span[1], key="window",
              step=dt.timedelta(days=1), format="D MMM YYYY")
    sb.markdown("**Geography**")
    for key, label in LAYER_LABELS.items():
        sb.checkbox(label, key=f"show:{key}")
    sb.markdown("**Events in the window**")
    for cat, label in CATEGORIES.items():
        sb.checkbox(f"{label} ({counts.get(cat, 0)})", key=f"show:cat:{cat}")
    sb.caption(f"{sum(counts.values())} events in the window.")


def show_problems(data: Dataset) -> None:
    if not data.problems:
        return
    files = sorted({p.file for p in data.problems})
    st.error(f"Some data could not be loaded ({len(data.problems)} problem(s) in {', '.join(files)}); "
             "everything else is shown.")
    with st.expander("What is wrong with the data"):
        for p in data.problems:
            st.text(str(p))


def event_table(events: pd.DataFrame) -> None:
    if events.empty:
        st.caption("No events in this window.")
        return
    table = pd.DataFrame({
        "Date": format_dates(events["event_date"], events["time_precision"]),
        "Event": events["title"].astype(str),
        "Category": events["category"].map(CATEGORIES).fillna(events["category"]),
        "Where": events["location"].astype(str),
        "Source": [next((s.get("url") for s in (src or []) if isinstance(s, dict) and s.get("url")), None)
                   for src in events["sources"]],
    })
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"Source": st.column_config.LinkColumn("Source", display_text="source")})


def main() -> None:
    st.set_page_config(page_title="Armenia–Azerbaijan, July 2023", page_icon="🗺️", layout="wide")
    _vendor_assets()
    opts = _options()
    data_dir = Path(opts.data)
    data = _dataset(str(data_dir), _data_signature(data_dir))
    spec = _spec(data)
    _init_session(spec)

    state = _current_state(spec)
    events_key = (id(data.events), len(data.events))
    window_events = _window_events(data.events, events_key, *state.window)
    counts = count_by_category(window_events)
    sidebar(spec, counts)
    state = _current_state(spec)
    if state.window != tuple(window_events.attrs.get("window", state.window)):
        window_events = _window_events(data.events, events_key, *state.window)

    st.title("Armenia–Azerbaijan, July 2023")
    st.caption("The Lachin corridor blockade, the Stepanakert rally, the ICJ order and the talks in Brussels "
               "and Moscow, on one map. Shapes marked approximate are drawn dashed.")
    for note in st.session_state.get("notices", []):
        st.warning(note, icon="⚠️")
    show_problems(data)

    m = build_base_map(BASEMAP_KEYS[state.basemap])
    m.fit_bounds(REGION_BOUNDS)
    open_id = state.selected if st.session_state.get("open_selected") else None
    groups = dynamic_groups(data.layers, window_events, state.layers, state.window, open_id=open_id)
    out = st_folium(m, key="map", height=620, use_container_width=True,
                    returned_objects=["last_object_clicked_tooltip"], feature_group_to_add=groups)
    clicked = (out or {}).get("last_object_clicked_tooltip")
    if clicked:
        fid = _tooltip_ids(data).get(clicked)
        if fid and fid != st.session_state.get("selected"):
            st.session_state.selected = fid
            st.session_state.open_selected = False  # the user already sees its popup
            state = state.with_(selected=fid)

    st.subheader("Timeline")
    st.altair_chart(timeline_chart(data.events, state.window, spec.span), width="stretch")
    st.subheader(f"Events from {state.window[0]:%d %b %Y} to {state.window[1]:%d %b %Y}")
    event_table(window_events)

    query = to_query(state, spec)
    if dict(st.query_params) != query:
        st.query_params.from_dict(query)


main()
