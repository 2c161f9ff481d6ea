"""Armenia–Azerbaijan, July 2023: the map dashboard (the Streamlit page).

A thin shell: it reads the URL and the widgets into one ViewState, asks geo/
for the data in the window and layers/ for the map, and hands the map to
st_folium. Run with ``make run`` (or ``streamlit run dashboard.py``; options
after ``--``: ``--data DIR`` and ``--events FILE``, repeatable).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.catalog import CATEGORIES, DISTANT_VENUES, LAYER_LABELS
from geo.counts import count_by_category
from geo.dataset import LAYER_KEYS, Dataset, load_dataset
from geo.distances import venue_links
from geo.export_events import events_to_acled_csv, events_to_geojson
from geo.fit_view import fit_view
from geo.import_events import ImportResult, import_events
from geo.load_events import empty_events
from geo.load_tour import TourStep
from geo.problems import DataProblem
from geo.view_state import StateSpec, ViewState, parse_view_state, to_query
from geo.window import EventIndex
from layers import distances as distance_layer
from layers import fast_dedent
from layers._shapes import tooltip_text
from layers.assets import ensure_vendor_assets
from layers.basemap import BASEMAPS, build_base_map
from layers.compose import dynamic_groups
from layers.format import format_dates
from layers.safe_html import safe_url
from layers.standalone import EXPORT_TITLE, export_filename, export_subtitle, standalone_html
from layers.timeline import timeline_data, timeline_spec

ROOT = Path(__file__).parent
fast_dedent.install()  # streamlit-folium dedents every script: same result, a fraction of the time
#: URL key -> basemap label
BASEMAP_KEYS = dict(zip(("none", "osm", "carto"), BASEMAPS))
FALLBACK_SPAN = (dt.date(2020, 11, 10), dt.date(2023, 7, 15))
REGION_BOUNDS = [[38.3, 43.4], [42.0, 50.5]]
STEPANAKERT = ("Stepanakert", 39.8153, 46.7519)
MAP_HEIGHT = 600

PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] { display: none; }
.block-container { padding-top: 1rem; padding-bottom: 0; max-width: 100%; }
.st-key-narrative p { font-size: 1.3rem; line-height: 1.45; }
.st-key-narrative h3 { font-size: 1.8rem; padding-top: 0; }
</style>
"""
HIDDEN_KEYS_CSS = "<style>.st-key-clicker_keys { display: none; }</style>"


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


def _signature(path: Path) -> tuple:
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.exists())


@st.cache_resource(show_spinner="Loading data…", max_entries=4)
def _dataset(data_dir: str, signature: tuple) -> Dataset:
    return load_dataset(data_dir)


@st.cache_resource(show_spinner="Importing events…", max_entries=8)
def _startup_import(path: str, signature: tuple) -> ImportResult:
    """Events given with ``--events FILE`` (read once per file version)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return ImportResult(events=empty_events(), fatal=DataProblem(path, f"cannot be read: {exc.strerror or exc}"))
    return import_events(Path(path).name, data)


# --- state -----------------------------------------------------------------------------

def _spec(data: Dataset, events: pd.DataFrame, feature_ids: frozenset[str]) -> StateSpec:
    span = FALLBACK_SPAN
    if len(events):
        span = (min(pd.Timestamp(events["date_start"].min()).date(), FALLBACK_SPAN[0]),
                max(pd.Timestamp(events["date_end"].max()).date(), FALLBACK_SPAN[1]))
    return StateSpec(
        layer_keys=LAYER_KEYS,
        span=span,
        feature_ids=feature_ids,
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


@st.cache_resource(show_spinner=False, max_entries=4)
def _tooltips(data_dir: str, signature: tuple) -> dict[str, str]:
    return _tooltip_ids(_dataset(data_dir, signature))


def _init_session(spec: StateSpec, tour: list[TourStep]) -> None:
    """On a session's first run, read the URL into the widgets' initial values.

    They are the widgets' ``value=``, not Session State: after a server
    restart the reconnecting browser sends its widget values with the new
    session's first run (the user's click among them), and those must win."""
    ss = st.session_state
    if "ready" in ss:
        return
    params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    state, notices = parse_view_state(params, spec)
    ss.notices = notices
    ss.selected = state.selected
    ss.open_id = state.selected
    ss.initial = {"window": state.window, "base": state.basemap,
                  **{f"show:{key}": key in state.layers for key in spec.layer_keys}}
    ss.tour_step = None
    ss.view = None  # (center, zoom) to send to the map, or None to leave it alone
    ss.view_nonce = 0
    ss.imports = {}
    ss.ready = True
    if state.step is not None and tour:
        _apply_step(spec, tour, state.step)


def _widget(key: str):
    """A widget's current value, or its initial value before it is first drawn."""
    ss = st.session_state
    return ss[key] if key in ss else ss.initial[key]


def _current_state(spec: StateSpec) -> ViewState:
    ss = st.session_state
    return ViewState(
        layers=frozenset(k for k in spec.layer_keys if _widget(f"show:{k}")),
        window=tuple(_widget("window")),
        selected=ss.get("selected"),
        basemap=_widget("base"),
        step=ss.get("tour_step"),
    )


# --- tour ------------------------------------------------------------------------------

def _apply_step(spec: StateSpec, tour: list[TourStep], number: int) -> None:
    """Set layers, window, highlight and map view to tour step ``number``.
    Called from widget callbacks (before widgets are drawn) or at start-up."""
    ss = st.session_state
    number = min(max(int(number), 1), len(tour))
    step = tour[number - 1]
    ss.tour_step = number
    ss.tour_pick = number
    lo, hi = spec.span
    start, end = (min(max(d, lo), hi) for d in step.window)
    ss.window = (start, end)
    for key in spec.layer_keys:
        ss[f"show:{key}"] = key in step.layers
    ss.selected = step.highlight if step.highlight in spec.feature_ids else None
    ss.open_id = step.highlight
    if step.bounds is not None:
        center, zoom = fit_view(step.bounds)
    else:
        center, zoom = step.center, step.zoom
    ss.view_nonce = ss.get("view_nonce", 0) + 1
    # A tiny alternating offset makes the map re-apply an identical view ("back to this step").
    eps = 1e-9 * (ss.view_nonce % 2)
    ss.view = ((center[0] + eps, center[1]), zoom + eps)


def _step_callback(spec, tour, delta=None, to=None):
    def run():
        ss = st.session_state
        current = ss.get("tour_step") or 1
        target = ss.tour_pick if to == "pick" else (to if to is not None else current + (delta or 0))
        _apply_step(spec, tour, min(max(target, 1), len(tour)))
    return run


def _leave_tour() -> None:
    ss = st.session_state
    ss.tour_step = None
    ss.view = None
    ss.open_id = None
    ss.presenting = False


def tour_controls(spec: StateSpec, tour: list[TourStep]) -> None:
    """Previous / next (with clicker shortcuts), "Step n of N", a step picker,
    back-to-this-step, the presentation switch and leaving the tour."""
    ss = st.session_state
    n = ss.tour_step
    with st.container(horizontal=True, vertical_alignment="center", key="tour_controls"):
        st.button("◀ Previous", key="prev", on_click=_step_callback(spec, tour, delta=-1), disabled=n <= 1,
                  shortcut="Left", help="Left arrow or Page Up")
        st.button("Next ▶", key="next", on_click=_step_callback(spec, tour, delta=1), disabled=n >= len(tour),
                  shortcut="Right", type="primary", help="Right arrow or Page Down")
        st.markdown(f"**Step {n} of {len(tour)}**")
        st.selectbox("Step", range(1, len(tour) + 1), key="tour_pick", label_visibility="collapsed",
                     format_func=lambda i: f"{i}. {tour[i - 1].title}",
                     on_change=_step_callback(spec, tour, to="pick"), width=260)
        st.button("Back to this step", key="back", on_click=_step_callback(spec, tour, delta=0),
                  help="Restore this step's view after panning or zooming")
        st.toggle("Presentation view", key="presenting")
        st.button("Leave tour", key="leave", on_click=_leave_tour)
    with st.container(key="clicker_keys"):  # presentation clickers send Page Down / Page Up
        st.button("next page", key="next_pg", on_click=_step_callback(spec, tour, delta=1), shortcut="PageDown")
        st.button("previous page", key="prev_pg", on_click=_step_callback(spec, tour, delta=-1), shortcut="PageUp")
    st.markdown(HIDDEN_KEYS_CSS, unsafe_allow_html=True)


def tour_narrative(tour: list[TourStep]) -> None:
    """The step's title, narrative, sources and speaker notes (all plain text)."""
    step = tour[st.session_state.tour_step - 1]
    with st.container(key="narrative"):
        st.subheader(step.title, anchor=False)
        st.markdown(_plain(step.narrative))
        links = [u for u in step.sources if safe_url(u)]
        if links:
            st.caption("Sources: " + " · ".join(f"[{_plain(_host(u))}]({u})" for u in links))
        if step.notes:
            with st.expander("Speaker notes"):
                st.markdown(_plain(step.notes))


def _host(url: str) -> str:
    return url.split("//", 1)[-1].split("/", 1)[0]


def _plain(text: str) -> str:
    """Markdown that shows ``text`` literally (no links, HTML or formatting from data)."""
    out = []
    for ch in str(text):
        out.append("\\" + ch if ch in "\\`*_{}[]()<>#+-.!|~$&" else ch)
    return "".join(out)


# --- page parts ------------------------------------------------------------------------

def sidebar(spec: StateSpec, data: Dataset, counts: dict[str, int]) -> None:
    sb = st.sidebar
    if data.tour and st.session_state.get("tour_step") is None:
        sb.button("▶ Start the guided tour", key="start_tour", type="primary", width="stretch",
                  on_click=_step_callback(spec, data.tour, to=1))
    initial = st.session_state.initial
    sb.selectbox("Basemap", list(BASEMAP_KEYS), key="base", format_func=BASEMAP_KEYS.get,
                 index=list(BASEMAP_KEYS).index(initial["base"]),
                 help="Web tiles need a network. 'None (offline)' draws lakes, rivers, coast and borders from local data.")
    sb.slider("Date window", min_value=spec.span[0], max_value=spec.span[1], key="window",
              value=initial["window"], step=dt.timedelta(days=1), format="D MMM YYYY")
    sb.markdown("**Geography**")
    for key, label in LAYER_LABELS.items():
        sb.checkbox(label, key=f"show:{key}", value=initial[f"show:{key}"])
    sb.markdown("**Events in the window**")
    for cat, label in CATEGORIES.items():
        sb.checkbox(f"{label} ({counts.get(cat, 0)})", key=f"show:cat:{cat}", value=initial[f"show:cat:{cat}"])
    sb.caption(f"{sum(counts.values())} events in the window.")


def import_panel(startup: list[ImportResult]) -> list[ImportResult]:
    """Upload your own events; every import result of this session (uploads and --events)."""
    ss = st.session_state
    with st.sidebar.expander("Import your events", expanded=False):
        files = st.file_uploader("ACLED or UCDP CSV, or GeoJSON points", type=["csv", "json", "geojson"],
                                 accept_multiple_files=True, key="uploads")
        for f in files or []:
            if f.file_id not in ss.imports:
                bar = st.progress(0.0, text=f"Importing {f.name}…")
                ss.imports[f.file_id] = import_events(f.name, f.getvalue(),
                                                      progress=lambda x, bar=bar: bar.progress(min(max(x, 0.0), 1.0)))
                bar.empty()
        current = {f.file_id for f in files or []}
        results = list(startup) + [r for fid, r in ss.imports.items() if fid in current]
        for i, res in enumerate(results):
            name = res.fatal.file if res.fatal else (res.events["origin"].iat[0].removeprefix("imported: ")
                                                     if len(res.events) else "file")
            if res.fatal is not None:
                st.error(str(res.fatal))
                continue
            st.success(f"{name}: {res.summary}")
            if res.problems:
                st.caption("\n\n".join(_plain(str(p)) for p in res.problems[:5])
                           + (f"\n\n… and {len(res.problems) - 5} more" if len(res.problems) > 5 else ""))
            if len(res.rejected):
                st.download_button("Download rejected rows", res.rejected_csv, file_name=f"rejected-{name}.csv",
                                   mime="text/csv", key=f"rejected:{i}")
    return results


def export_panel(data: Dataset, window_events: pd.DataFrame, state: ViewState) -> None:
    """Downloads, each built only when clicked: the map as a standalone HTML
    file (fresh map and groups: st_folium keeps the ones it shows), and the
    events of the window as CSV (ACLED columns) and GeoJSON."""
    window = state.window
    stamp = f"{window[0]:%Y-%m-%d}_{window[1]:%Y-%m-%d}"

    def map_html() -> str:
        m = build_base_map(BASEMAP_KEYS[state.basemap])
        m.fit_bounds(REGION_BOUNDS)
        groups = dynamic_groups(data.layers, window_events, state.layers, window)
        return standalone_html(m, groups, title=EXPORT_TITLE, subtitle=export_subtitle(state.layers, window))

    with st.container(horizontal=True):
        st.download_button("Map as standalone HTML", map_html, file_name=export_filename(window),
                           mime="text/html", key="dl_html", type="primary")
        st.download_button("Events as CSV (ACLED columns)", lambda: events_to_acled_csv(window_events),
                           file_name=f"events-{stamp}.csv", mime="text/csv", key="dl_csv")
        st.download_button("Events as GeoJSON", lambda: events_to_geojson(window_events),
                           file_name=f"events-{stamp}.geojson", mime="application/geo+json", key="dl_geojson")


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
    shown = events.head(2000)
    ss = st.session_state
    if ss.get("event_table_of") is not events:  # the window's events are memoised: so is this
        ss.event_table, ss.event_table_of = _table_rows(shown), events
    st.dataframe(ss.event_table, hide_index=True, width="stretch",
                 column_config={"Source": st.column_config.LinkColumn("Source", display_text="source")})
    if len(events) > len(shown):
        st.caption(f"Showing the first {len(shown):,} of {len(events):,} events; download them all below.")


def _table_rows(shown: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Date": format_dates(shown["event_date"], shown["time_precision"]),
        "Event": shown["title"].astype(str),
        "Category": shown["category"].map(CATEGORIES).fillna(shown["category"]),
        "Where": shown["location"].astype(str),
        "Source": [next((safe_url(s.get("url")) for s in (src or []) if isinstance(s, dict) and safe_url(s.get("url"))),
                        None) for src in shown["sources"]],
    })


def event_index(data: Dataset, imports: list[ImportResult]) -> EventIndex:
    """Built-in and imported events in one table, sorted once for window queries
    (memoised per set of imports)."""
    ss = st.session_state
    # Keyed by the objects themselves (kept alive by the key), not their ids, which
    # Python reuses once an object is freed.
    sources = (data.events, *imports)
    old = ss.get("event_index_of", ())
    if len(old) != len(sources) or any(a is not b for a, b in zip(old, sources)):
        frames = [data.events, *[r.events for r in imports if len(r.events)]]
        ss.event_index = EventIndex.build(pd.concat(frames, ignore_index=True) if len(frames) > 1 else data.events)
        ss.event_index_of = sources
    return ss.event_index


def timeline_dots(events: pd.DataFrame) -> pd.DataFrame:
    """The timeline's dots for ``events`` (memoised per events table)."""
    ss = st.session_state
    if ss.get("timeline_of") is not events:
        ss.timeline_dots, ss.timeline_of = timeline_data(events), events
    return ss.timeline_dots


def window_events(index: EventIndex, window) -> tuple[pd.DataFrame, np.ndarray]:
    """The events in ``window`` and their positions in ``index.table`` (memoised per window)."""
    ss = st.session_state
    index_of, window_of = ss.get("window_events_of", (None, None))
    if index_of is not index or window_of != tuple(window):
        rows = index.rows(*window)
        ss.window_events = index.take(rows), rows
        ss.window_events_of = (index, tuple(window))
    return ss.window_events


def main() -> None:
    st.set_page_config(page_title="Armenia–Azerbaijan, July 2023", page_icon="🗺️", layout="wide")
    _vendor_assets()
    opts = _options()
    data_dir = Path(opts.data)
    signature = _signature(data_dir)
    data = _dataset(str(data_dir), signature)
    startup = [_startup_import(p, _signature(Path(p))) for p in opts.events]
    ss = st.session_state
    events = event_index(data, startup + [r for r in ss.get("imports", {}).values()]).table
    tooltip_ids = _tooltips(str(data_dir), signature)
    spec = _spec(data, events, frozenset(tooltip_ids.values()))
    _init_session(spec, data.tour)

    imports = import_panel(startup)
    index = event_index(data, imports)
    events = index.table
    state = _current_state(spec)
    counts = count_by_category(window_events(index, state.window)[0])
    sidebar(spec, data, counts)
    state = _current_state(spec)
    in_window, rows = window_events(index, state.window)

    touring = ss.tour_step is not None and bool(data.tour)
    presenting = touring and ss.get("presenting", False)
    if presenting:
        st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
    if not touring:  # in the tour the step's title heads the page, so the map stays in view
        st.title("Armenia–Azerbaijan, July 2023")
        st.caption("The Lachin corridor blockade, the Stepanakert rally, the ICJ order and the talks in Brussels "
                   "and Moscow, on one map. Shapes marked approximate are drawn dashed.")
    for note in ss.get("notices", []):
        st.warning(note, icon="⚠️")
    show_problems(data)

    if touring:
        # The same layout with and without the presentation view, so that
        # switching it never remounts (reloads) the map.
        tour_controls(spec, data.tour)
        left, map_area = st.columns([1, 2])
        with left:
            tour_narrative(data.tour)
    else:
        map_area = st.container()

    m = build_base_map(BASEMAP_KEYS[state.basemap])
    if not touring:
        # In the tour the step's view is sent as centre and zoom instead: a fitBounds
        # in the map script would race with it when the map first loads.
        m.fit_bounds(REGION_BOUNDS)
    # all_events: the whole table is encoded once and kept; a window change only picks its rows.
    groups = dynamic_groups(data.layers, in_window, state.layers, state.window, open_id=ss.get("open_id"),
                            all_events=events, rows=rows)
    if touring and "places" in data.layers:
        step = data.tour[ss.tour_step - 1]
        links = venue_links(data.layers["places"], DISTANT_VENUES, STEPANAKERT, bounds=step.view_bounds())
        if links:
            groups.append(distance_layer.build(links))
    center, zoom = ss.view if (touring and ss.get("view")) else (None, None)
    with map_area:
        out = st_folium(m, key="map", height=MAP_HEIGHT, use_container_width=True,
                        returned_objects=["last_object_clicked_tooltip"], feature_group_to_add=groups,
                        center=center, zoom=zoom)
    clicked = (out or {}).get("last_object_clicked_tooltip")
    if clicked:
        fid = tooltip_ids.get(clicked)
        if fid and fid != ss.get("selected"):
            ss.selected = fid
            ss.open_id = None  # the user already sees its popup
            state = state.with_(selected=fid)

    if not presenting:
        st.subheader("Timeline", anchor=False)
        st.vega_lite_chart(timeline_dots(events), timeline_spec(state.window, spec.span), width="stretch")
        st.subheader(f"Events from {state.window[0]:%d %b %Y} to {state.window[1]:%d %b %Y}", anchor=False)
        event_table(in_window)
        export_panel(data, in_window, state)

    query = to_query(state, spec)
    if dict(st.query_params) != query:
        st.query_params.from_dict(query)


main()
