"""Armenia–Azerbaijan, July 2023: the map dashboard (the Streamlit page).

A thin shell: widgets and layout. The data is loaded once (geo/), the map is
built once per dataset (layers/) and handed to st_folium, which Streamlit then
sends once per session; the events go to the browser's store once per dataset
(ui/components.py). An interaction reruns only the :func:`view` fragment, which
reads the widgets into one ViewState, asks geo.page_model for what the page
shows, and sends the browser a small state that the map, the timeline and the
table apply with the data they already have.

Run with ``make run`` (or ``streamlit run dashboard.py``; options after ``--``:
``--data DIR`` and ``--events FILE``, repeatable).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

import compat
from geo.catalog import CATEGORIES, LAYER_LABELS, MAP_BOUNDS
from geo.dataset import LAYER_KEYS, Dataset, load_dataset
from geo.dates import parse_date
from geo.export_events import events_to_acled_csv, events_to_geojson
from geo.filters import Facets, Filters, event_facets, facet_options, filter_rows, filters_from_panel
from geo.imports import ImportResult
from geo.load_tour import TourStep
from geo.page_model import (
    browser_state,
    category_counts,
    feature_ids,
    feature_names,
    imports_outside,
    make_spec,
    mask_payload,
    room_query,
    step_venues,
)
from geo.view_state import StateSpec, ViewState, parse_view_state
from geo.window import EventIndex
from layers.assets import ensure_vendor_assets
from layers.basemap import BASEMAPS
from layers.compose import build_map
from layers.format import plural
from layers.presentation import presentation_filename, presentation_html
from layers.standalone import EXPORT_TITLE, export_filename, export_subtitle, standalone_page
from layers.store import BUILT_IN, events_store, tour_steps
from live.rooms import DEFAULT_TTL, MAX_QUERY, RoomError, open_store, parse_room_params
from ui import components, live, tour_editor
from ui.imports import (
    clamp_window,
    current_uploads,
    import_panel,
    report_memory,
    show_startup_problems,
    startup_imports,
)
from ui.notices import link_notice, literal, run_page

ROOT = Path(__file__).parent
compat.rerun_unknown_fragments_in_full()  # a click made while a restarted server's first run goes on
MAP_HEIGHT = 600

#: The store and state components draw nothing: no gap for them either.
#: The page's own style (no data in it): the store and state elements are hidden, and outside the
#: tour (the class dash-touring, static/js/dash-present.js) so are an empty heading and the tour's column.
HIDDEN_CSS = ("<style>.st-key-dash_data, .st-key-dash_state, .st-key-heading:empty { display: none; }"
              " html:not(.dash-touring) .st-key-tour_layout [data-testid=stColumn]:first-child { display: none; }"
              " html:not(.dash-touring) .st-key-tour_layout [data-testid=stColumn]:last-child"
              " { width: 100% !important; flex: 1 1 100% !important; }</style>")


def _options() -> argparse.Namespace:
    """Start-up options: ``streamlit run dashboard.py -- --data DIR --events FILE``,
    or the environment variables DASHBOARD_DATA / DASHBOARD_EVENTS."""
    parser = argparse.ArgumentParser(prog="dashboard.py", add_help=False)
    parser.add_argument("--data", default=os.environ.get("DASHBOARD_DATA", str(ROOT / "data")))
    parser.add_argument("--events", action="append",
                        default=[p for p in os.environ.get("DASHBOARD_EVENTS", "").split(os.pathsep) if p])
    parser.add_argument("--room-store", default=os.environ.get("DASHBOARD_ROOM_STORE", "memory"))
    parser.add_argument("--room-ttl", default=os.environ.get("DASHBOARD_ROOM_TTL", str(DEFAULT_TTL)))
    argv = sys.argv[1:] if sys.argv and sys.argv[0].endswith("dashboard.py") else []
    return parser.parse_known_args(argv)[0]


# --- cached, Streamlit-side wrappers -------------------------------------------------

@st.cache_resource(show_spinner=False)
def _vendor_assets() -> Path:
    return ensure_vendor_assets(ROOT / "static")


@st.cache_resource(show_spinner=False)
def _room_store(url: str, ttl: str):
    """The live rooms' store (``--room-store``: memory, the default, or redis://…) and a
    problem with the options, if any (then rooms live in this process's memory)."""
    try:
        seconds = float(ttl)
        if not 60 <= seconds <= 7 * 24 * 3600:
            raise ValueError
    except ValueError:
        return open_store("memory"), f"--room-ttl {ttl[:40]!r} is not a number of seconds from 60 to 604800; rooms end after {DEFAULT_TTL} s."
    try:
        return open_store(url, seconds), None
    except RoomError as exc:
        return open_store("memory", seconds), f"{exc} Rooms live in this server's memory."


def _rooms():
    opts = _options()
    return _room_store(opts.room_store, opts.room_ttl)[0]


def _signature(path: Path) -> tuple:
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.exists())


@st.cache_resource(show_spinner="Loading data…", max_entries=4)
def _dataset(data_dir: str, signature: tuple) -> Dataset:
    return load_dataset(data_dir)


@st.cache_resource(show_spinner=False, max_entries=4)
def _map(data_dir: str, signature: tuple):
    """The map of the dataset's geography (st_folium renders it on every full run;
    its message is the same each time, so the browser keeps it)."""
    return compat.prime_map(build_map(_dataset(data_dir, signature).layers))


# The events' derived tables (the index, the filters' facets, the browser's store) are built once
# per set of imports. Without uploads (the data files and any start-up file: the same for every
# session) they are in the process's caches. With a session's uploads they are held by that
# session, one of each: removing an upload drops everything derived from it (issue 13: the
# process caches kept up to 16 sets, about 0.5 GB each for a 100,000-row upload).

def _build_index(frames: tuple) -> EventIndex:
    """Built-in and imported events in one table, sorted once."""
    frames = [f for f in frames if len(f)] or [frames[0]]
    return EventIndex.build(pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0])


def _build_store(version: tuple, index: EventIndex, span: tuple, tour: list, facets: Facets, layers: dict) -> dict:
    store = events_store(index.table, hashlib.sha1(repr(version).encode()).hexdigest()[:16], span, tour)
    store["filters"] = facet_options(facets)
    store["features"] = feature_names(layers, {"lachin-corridor": LAYER_LABELS["lachin_corridor"]})
    return store


@st.cache_resource(show_spinner=False, max_entries=4)
def _index(version: tuple, _frames: tuple) -> EventIndex:
    return _build_index(_frames)


@st.cache_resource(show_spinner=False, max_entries=4)
def _shared_facets(version: tuple, _index: EventIndex, _countries) -> Facets:
    return event_facets(_index.table, _countries)


@st.cache_resource(show_spinner=False, max_entries=4)
def _shared_store(version: tuple, _index: EventIndex, span: tuple, _tour: list, _facets: Facets,
                  _layers: dict) -> dict:
    return _build_store(version, _index, span, _tour, _facets, _layers)


def _uploaded(version: tuple) -> bool:
    """Whether the events' version holds a session's upload (see :func:`_version`)."""
    return any(isinstance(t, str) and t.startswith("upload:") for t in version[1:])


def _held(name: str, key: tuple, build):
    """This session's one ``name`` for ``key``, built by ``build()`` when the key changes (the
    old one is let go first)."""
    held = st.session_state.setdefault("derived", {})
    if name in held and held[name][0] == key:
        return held[name][1]
    held.pop(name, None)
    value = build()
    held[name] = (key, value)
    return value


def _facets(version: tuple, index: EventIndex, countries) -> Facets:
    """What the filters read of each event (its text, country, sources' kinds), once per set of imports."""
    if not _uploaded(version):
        return _shared_facets(version, index, countries)
    return _held("facets", version, lambda: event_facets(index.table, countries))


def _store(version: tuple, index: EventIndex, span: tuple, tour: list, facets: Facets, layers: dict) -> dict:
    if not _uploaded(version):
        return _shared_store(version, index, span, tour, facets, layers)
    return _held("store", (version, span), lambda: _build_store(version, index, span, tour, facets, layers))


# --- session ------------------------------------------------------------------------

GEO_KEYS = tuple(LAYER_LABELS)
CAT_KEYS = tuple(CATEGORIES)


@dataclass
class Page:
    """This session's page state besides the widgets' own values."""

    notices: list[str]
    initial: dict                    # the widgets' first values, from the URL
    selected: str | None = None      # selected feature id
    event: str | None = None         # selected event id (its popup opens)
    open_feature: str | None = None  # a feature whose popup opens (tour steps)
    view: dict | None = None         # a view for the map to go to, with a nonce
    nonce: int = 0
    tour_step: int | None = None
    before_tour: dict | None = None  # the widgets' values when the tour started
    filters: Filters = Filters()     # the explorer's search and filters (geo/filters.py)
    agg: str | None = None           # the events view a link asked for ("hex"); the browser keeps it after
    span: tuple | None = None        # the date span of the last run (an import that widens it extends the window)
    mask: tuple | None = None        # (version, filters, rows kept or None, mask payload) of the last filters
    pan: int = 0                     # counts selections made outside the map (the map goes to them)
    masks_sent: tuple = ()           # ids of the last masks whose bytes went to the browser (it keeps 4)
    tour_name: str = ""              # the tour on or to start: "" the built-in, a data/tours name, or the editor's
    tours_sent: tuple = ()           # ids of the tours whose steps went to the browser (it keeps them)
    lost_said: tuple = ()            # files the browser said a stopped server process had (ui: _on_lost)

    def go(self, view: dict, fly: bool = True) -> None:
        self.nonce += 1
        self.view = {**view, "nonce": self.nonce, "fly": fly}


def _page() -> Page:
    return st.session_state["page"]


def _init_session(spec: StateSpec, tours: dict) -> None:
    """On a session's first run, read the URL into the widgets' initial values.

    They are the widgets' ``value=``, not Session State: after a server
    restart the reconnecting browser sends its widget values with the new
    session's first run (the user's click among them), and those must win."""
    if "page" in st.session_state:
        return
    params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    state, notices = parse_view_state(params, spec)
    link, said = parse_room_params(lambda k: (params.get(k) or [None])[-1])
    notices += said
    if link is not None:
        live.session().link = link
        if link.drives:  # the speaker's timer counts from the room's start
            try:
                room = _rooms().get(link.code)
            except RoomError:
                room = None
            live.session().started = room.created if room is not None else time.time()
    page = Page(notices=notices, selected=state.selected, event=state.event, filters=state.filters, agg=state.agg,
                initial={"window": state.window, "base": state.basemap,
                         "geo": [k for k in GEO_KEYS if k in state.layers],
                         "cats": [c for c in CAT_KEYS if f"cat:{c}" in state.layers]})
    if state.view is not None:
        page.go({"center": [state.view[0], state.view[1]], "zoom": state.view[2]}, fly=False)
    else:
        page.go({"bounds": MAP_BOUNDS}, fly=False)
    page.open_feature = state.selected if state.event is None else None
    if state.event is not None and state.view is None:
        page.pan = 1  # a link to an event without a view: the map goes to the event
    st.session_state["page"] = page
    page.tour_name = state.tour or ""
    tour = _steps(tours, page.tour_name)
    if state.step is not None and tour:
        _apply_step(spec, tour, state.step, fly=False)


def _widget(key: str):
    """A widget's current value, or its initial value before it is first drawn."""
    ss = st.session_state
    return ss[key] if key in ss else _page().initial[key]


def _current_state(spec: StateSpec) -> ViewState:
    page = _page()
    layers = {*(_widget("geo") or ()), *(f"cat:{c}" for c in (_widget("cats") or ()))}
    named = page.tour_name not in ("", tour_editor.DRAFT_KEY)
    # The editor's tour lives in this session only: a link to it names no tour and no step.
    step = page.tour_step if page.tour_name != tour_editor.DRAFT_KEY else None
    return ViewState(layers=frozenset(k for k in spec.layer_keys if k in layers), window=tuple(_widget("window")),
                     selected=page.selected, basemap=_widget("base"), step=step, event=page.event,
                     filters=page.filters, tour=page.tour_name if named and step is not None else None)


# --- tour ------------------------------------------------------------------------------

def _apply_step(spec: StateSpec, tour: list[TourStep], number: int, fly: bool = True) -> None:
    """Set layers, window, highlight and map view to tour step ``number``.
    Called from callbacks (before widgets are drawn) or at start-up."""
    ss, page = st.session_state, _page()
    number = min(max(int(number), 1), len(tour))
    step = tour[number - 1]
    if page.tour_step is None and page.before_tour is None:
        page.before_tour = {k: _widget(k) for k in ("window", "geo", "cats")}
        page.before_tour.update(selected=page.selected, event=page.event)
    page.tour_step = number
    lo, hi = spec.span
    ss.window = tuple(min(max(d, lo), hi) for d in step.window)
    ss.geo = [k for k in GEO_KEYS if k in step.layers]
    ss.cats = [c for c in CAT_KEYS if f"cat:{c}" in step.layers]
    page.selected = step.highlight if step.highlight in spec.feature_ids else None
    page.event = step.highlight if step.highlight in spec.event_ids else None
    page.open_feature = step.highlight if page.selected else None
    if step.bounds is not None:
        (s, w), (n, e) = step.bounds
        page.go({"bounds": [[s, w], [n, e]]}, fly=fly)
    else:
        page.go({"center": list(step.center), "zoom": step.zoom}, fly=fly)


def _start_tour(spec: StateSpec, tour: list[TourStep]) -> None:
    _apply_step(spec, tour, 1)


def _steps(tours: dict, name: str) -> list[TourStep]:
    """The steps of tour ``name`` among ``tours`` (:func:`_tours`), or the built-in tour's."""
    return (tours.get(name) or tours[""])[1]


def _tours(data: Dataset, draft_steps: list[TourStep]) -> dict[str, tuple[str, list[TourStep]]]:
    """The tours this session can play: key -> (label, steps). "" is the built-in tour, then
    data/tours' files by name, then the editor's tour when it has a step ready to play."""
    out = {"": ("Guided tour (built-in)", data.tour)}
    out.update((name, (t.title or name, t.steps)) for name, t in data.tours.items())
    if draft_steps:
        out[tour_editor.DRAFT_KEY] = ("Your tour (editor)", draft_steps)
    return out


def _pick_tour(spec: StateSpec, tours: dict, key: str) -> None:
    """The tour picker: the chosen tour starts over at its first step if a tour is on."""
    page, name = _page(), st.session_state.get(key, "")
    page.tour_name = name if name in tours else ""
    if page.tour_step is not None:
        _apply_step(spec, _steps(tours, page.tour_name), 1)


def _play_draft(spec: StateSpec):
    """The editor's Play and Preview (a callback taking a step ``number``): the editor's tour,
    at that step."""
    def run(number: int) -> None:
        steps = tour_editor.checked(tour_editor.draft(), _tour_ids(spec)).steps
        if steps:
            _page().tour_name = tour_editor.DRAFT_KEY
            _apply_step(spec, steps, number)
    return run


def _tour_ids(spec: StateSpec) -> dict:
    """What a tour step may name (the tour loader's layer_keys, feature_ids and event_ids)."""
    return {"layer_keys": spec.layer_keys, "feature_ids": spec.feature_ids, "event_ids": spec.event_ids}


def _leave_tour(view: dict | None = None) -> None:
    """Back to what the user had before the tour started: the layers, the window, the
    selection and, when the browser sends it (``view``: the map's centre and zoom then),
    the map's view; else the default view."""
    ss, page = st.session_state, _page()
    before = page.before_tour or {}
    for key in ("window", "geo", "cats"):
        if key in before:
            ss[key] = before[key]
    page.before_tour = None
    page.tour_step = None
    page.open_feature = None
    page.event = before.get("event")
    page.selected = before.get("selected")
    page.go(_valid_view(view) or {"bounds": MAP_BOUNDS})
    ss.full_rerun = True  # the layout changes


def _valid_view(view) -> dict | None:
    """A map view the browser sent ({lat, lon, zoom}) as a view to go to, or None if it is not one."""
    if not isinstance(view, dict):
        return None
    lat, lon, zoom = view.get("lat"), view.get("lon"), view.get("zoom")
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v) for v in (lat, lon, zoom))
    if not numbers or not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 <= zoom <= 20):
        return None
    return {"center": [float(lat), float(lon)], "zoom": int(round(zoom))}


def _reset_view(spec: StateSpec) -> None:
    """The page's default view from anywhere: every layer, the whole span, no selection,
    the map's default extent (a tour is left). The basemap stays as chosen."""
    ss, page = st.session_state, _page()
    if page.tour_step is not None:
        _leave_tour()
    default = spec.default()
    ss.window = tuple(default.window)
    ss.geo = [k for k in GEO_KEYS if k in default.layers]
    ss.cats = [c for c in CAT_KEYS if f"cat:{c}" in default.layers]
    page.selected = page.event = page.open_feature = None
    page.go({"bounds": MAP_BOUNDS})


# --- live rooms (ui/live.py) -----------------------------------------------------------

def _follow_room(spec: StateSpec, tours: dict) -> None:
    """A follower's page: the room's state, if it changed since it was last applied, as a
    link's (parse_view_state: the room gives nothing a link could not). The tour step is
    fitted to this screen; the presenter's own map view (they panned or zoomed) is followed."""
    lv = live.session()
    room = live.poll(_rooms(), lv)
    if room is None or not room.query:
        return
    state, _ = parse_view_state(parse_qs(room.query[:MAX_QUERY]), spec)
    ss, page = st.session_state, _page()
    at = (state.tour or "", state.step)
    if state.step is not None and at != lv.step:
        page.tour_name = state.tour or ""
        _apply_step(spec, _steps(tours, page.tour_name), state.step)
    elif state.step is None and page.tour_step is not None:
        page.tour_step = page.before_tour = None
    lv.step = at if state.step is not None else None
    ss.window = tuple(state.window)
    ss.geo = [k for k in GEO_KEYS if k in state.layers]
    ss.cats = [c for c in CAT_KEYS if f"cat:{c}" in state.layers]
    ss.base = state.basemap
    page.selected, page.event, page.filters = state.selected, state.event, state.filters
    page.open_feature = state.selected if state.event is None else None
    if state.agg:
        page.agg = state.agg
    own = state.view if (room.moved or state.step is None) else None
    if own is not None and own != lv.view:
        page.go({"center": [own[0], own[1]], "zoom": own[2]})
    lv.view = own


def _on_follow(ctx: Context):
    """A follower's browser relays that the room changed: applied here, in the controls' fragment
    (a whole run only when the page's layout changes: into or out of the tour, another tour or
    basemap)."""
    def run():
        page, ss = _page(), st.session_state
        before = (page.tour_step is None, page.tour_name, _widget("base"))
        _follow_room(ctx.spec, ctx.tours)
        if (page.tour_step is None, page.tour_name, _widget("base")) != before or not live.session().following:
            ss.full_rerun = True
    return run


def _on_room(ctx: Context):
    """The presenter's page as a link's query (the browser sends it after each change): kept in
    the room, as parse_view_state reads it (nothing a link could not say)."""
    def run():
        asked = _trigger("room")
        if not isinstance(asked, dict) or not isinstance(asked.get("query"), str):
            return
        state, _ = parse_view_state(parse_qs(asked["query"][:MAX_QUERY]), ctx.spec)
        live.publish(_rooms(), live.session(), room_query(state, ctx.spec), asked.get("moved") is True)
    return run


def _on_lost() -> None:
    """The page reconnected to a server process that does not have the files it had imported
    (the one it was on stopped): say so, naming them (the browser's list: shown literally)."""
    asked = _trigger("lost")
    files = [f[:120] for f in (asked.get("files") or [])[:20] if isinstance(f, str)] if isinstance(asked, dict) else []
    if files:
        st.session_state["lost_notice"] = (
            f"Import again: {', '.join(files)}. The server process this page was on stopped, and the files "
            "you had imported went with it (the uploader may still list them, but their events are not on "
            "the map).")
        _page().lost_said = tuple(files)  # the state says it was heard (the browser stops sending it)
        st.session_state.full_rerun = True  # the notice is shown by the whole page's run


def _end_room() -> None:
    lv = live.session()
    lv.link, lv.problem, lv.started = None, None, None


def _room_payload() -> dict | None:
    lv = live.session()
    if lv.link is None:
        return None
    return {"code": lv.link.code, "role": lv.link.role, "drives": lv.link.drives,
            "since": int(lv.started * 1000) if lv.started else None}


# --- browser messages -----------------------------------------------------------------

def _noop() -> None:
    """The browser reconnected after a server restart: the trigger itself reruns the whole
    page (it comes from outside the fragment), which is all that is needed."""


def _trigger(name: str):
    value = st.session_state.get("dash_state")
    return value.get(name) if value is not None and hasattr(value, "get") else None


def _on_select(ctx: Context):
    def run():
        picked = _trigger("select")
        if not isinstance(picked, dict):
            return
        page = _page()
        if picked.get("kind") == "feature" and picked.get("id") in ctx.spec.feature_ids:
            page.selected, page.event, page.open_feature = picked["id"], None, None
        elif picked.get("kind") == "event" and isinstance(picked.get("row"), int):
            row = picked["row"]
            if 0 <= row < len(ctx.index):
                page.event = str(ctx.index.table["id"].iat[row])
                page.open_feature = None
                if picked.get("from") in ("table", "timeline", "search"):
                    page.pan += 1  # selected outside the map: the map goes to it
        elif picked.get("kind") == "none":
            page.selected = page.event = page.open_feature = None
    return run


def _on_filter(ctx: Context):
    """The filter panel's search and filters (one fragment rerun; the mask follows)."""
    def run():
        _page().filters = filters_from_panel(_trigger("filter"), ctx.spec.countries)
    return run


def _on_window(ctx: Context):
    """A window from the browser: play paused there, or "show all" (the whole span)."""
    def run():
        asked = _trigger("window")
        if not isinstance(asked, dict):
            return
        lo, hi = ctx.spec.span
        if asked.get("all"):
            st.session_state.window = (lo, hi)
            return
        first, last = (parse_date(str(asked.get(k))[:20], iso_only=True)[0] for k in ("from", "to"))
        if first is None or last is None or first > last:
            return
        st.session_state.window = (min(max(first, lo), hi), min(max(last, lo), hi))
    return run


def _on_base(ctx: Context):
    """The map's notice "use the offline basemap": basemap None, with the context layer on."""
    def run():
        asked = _trigger("base")
        if isinstance(asked, dict) and asked.get("base") in BASEMAPS:
            ss = st.session_state
            ss.base = asked["base"]
            geo = list(_widget("geo") or [])
            if asked["base"] == "none" and "context" not in geo:
                ss.geo = [k for k in GEO_KEYS if k in {*geo, "context"}]
            ss.full_rerun = True  # the basemap's chooser is outside the fragment
    return run


def _on_key(ctx: Context):
    """The tour's keys and buttons: next, prev, first, last, goto (a step), back (this
    step's view again)."""
    def run():
        pressed = _trigger("key")
        page = _page()
        tour = _steps(ctx.tours, page.tour_name)
        if not isinstance(pressed, dict) or page.tour_step is None or not tour:
            return
        n, action = len(tour), pressed.get("action")
        target = {"next": page.tour_step + 1, "prev": page.tour_step - 1, "first": 1, "last": n,
                  "back": page.tour_step}.get(action)
        if action == "goto" and isinstance(pressed.get("step"), int):
            target = pressed["step"]
        if target is not None and 1 <= target <= n and (target != page.tour_step or action == "back"):
            _apply_step(ctx.spec, tour, target)
    return run


def _on_tour(ctx: Context):
    """The tour panel's "Leave tour" (with the map's view before the tour) and the map's
    "Reset view"."""
    def run():
        asked = _trigger("tour")
        if not isinstance(asked, dict):
            return
        if asked.get("action") == "leave" and _page().tour_step is not None:
            _leave_tour(asked.get("view"))
        elif asked.get("action") == "reset":
            _reset_view(ctx.spec)
        elif asked.get("action") == "capture":
            bounds = _valid_bounds(asked.get("bounds"))
            if bounds is not None:
                state, page = _current_state(ctx.spec), _page()
                target = asked.get("target")
                tour_editor.add_step(bounds, layers=state.layers, layer_order=ctx.spec.layer_keys,
                                     window=state.window, highlight=page.event or page.selected,
                                     target=target if isinstance(target, str) else None)
                st.session_state.full_rerun = True  # the editor is outside the fragment
        elif asked.get("action") == "steps":  # the browser lacks a tour's steps: send them again
            _page().tours_sent = tuple(t for t in _page().tours_sent if t != asked.get("id"))
    return run


def _valid_bounds(value) -> list | None:
    """Map bounds the browser sent ([[south, west], [north, east]]) or None if they are not."""
    try:
        (s, w), (n, e) = value
        nums = [float(v) for v in (s, w, n, e) if isinstance(v, (int, float)) and not isinstance(v, bool)]
    except (TypeError, ValueError):
        return None
    if len(nums) != 4 or not all(np.isfinite(nums)):
        return None
    s, w, n, e = nums
    s, n = max(s, -90.0), min(n, 90.0)
    w, e = max(w, -180.0), min(e, 180.0)
    return [[s, w], [n, e]] if s < n and w < e else None


# --- page parts ------------------------------------------------------------------------

@dataclass
class Context:
    """What the full run computed, for the fragment."""

    data: Dataset
    index: EventIndex
    spec: StateSpec
    venue_points: dict
    downloads: object  # the sidebar container of the downloads
    facets: Facets | None = None  # what the filters read (geo/filters.py)
    version: tuple = ()           # the events' version (data files and imports)
    tours: dict = None            # the tours this session can play (:func:`_tours`)
    uploaded: tuple = ()          # the names of the files imported in this session (not at start-up)


@st.fragment
def controls(ctx: Context) -> None:
    """Everything an interaction changes: the date window and the layer toggles with
    their counts, and the state the browser applies (the map, the timeline, the table
    and the tour panel draw the rest from the data they already have)."""
    ss, page = st.session_state, _page()
    if ss.pop("full_rerun", False):
        st.rerun(scope="app")
    spec, initial = ctx.spec, page.initial
    st.slider("Date window", min_value=spec.span[0], max_value=spec.span[1], key="window",
              value=initial["window"], step=dt.timedelta(days=1), format="D MMM YYYY")
    st.pills("Geography", GEO_KEYS, selection_mode="multi", key="geo", default=initial["geo"],
             format_func=LAYER_LABELS.get)
    keep, mask = _mask(ctx, page.filters)
    rows = ctx.index.rows(*_widget("window"))
    counts = category_counts(ctx.index, rows[keep[rows]] if keep is not None else rows)
    st.pills("Events in the window", CAT_KEYS, selection_mode="multi", key="cats", default=initial["cats"],
             format_func=lambda c: f"{CATEGORIES[c]} · {counts.get(c, 0):,}")
    state = _current_state(spec)
    steps = _steps(ctx.tours, page.tour_name)
    touring = page.tour_step is not None and bool(steps)
    step = steps[min(page.tour_step, len(steps)) - 1] if touring else None
    open_event = None
    if page.event is not None:
        hits = np.flatnonzero(ctx.index.table["id"].to_numpy() == page.event)
        if len(hits):
            open_event = ctx.index.table.iloc[int(hits[0])].to_dict()
    payload = browser_state(
        state, spec, index=ctx.index, open_event=open_event, open_feature=page.open_feature, view=page.view,
        in_store=open_event is not None and open_event.get("origin") == BUILT_IN,
        tour=_tour_payload(page, ctx.tours, step) if touring else None,
        distances=step_venues(ctx.index, state, step.view_bounds(), ctx.venue_points) if step is not None else [],
        mask=mask["id"] if mask else None, matches=int(keep.sum()) if keep is not None else None,
        imports=imports_outside(ctx.index, state.window))
    if page.agg:
        payload["aggFromUrl"] = page.agg
    if tour_editor.draft().unsaved():
        payload["draft"] = len(tour_editor.draft().steps)  # the browser asks before the page is left
    if payload["open"] is not None and payload["open"]["kind"] == "event":
        payload["open"]["pan"] = page.pan
    if ctx.uploaded:  # a page that reconnects to another server process says which files it lost
        payload["uploaded"] = list(ctx.uploaded)
    if page.lost_said:
        payload["lostSaid"] = list(page.lost_said)
    room = _room_payload()
    if room is not None:  # the room's link stays in the address bar; a presenter's page publishes
        payload["room"] = room
        payload["query"] += "&" + urlencode(live.session().link.query())
    if step is not None and payload["open"] is not None and payload["open"]["id"] == step.highlight:
        payload["open"]["subject"] = True  # the step's subject: shown in the step's text, not as a popup
    components.page_state(payload, mask=_once(mask), on_select_change=_on_select(ctx), on_key_change=_on_key(ctx),
                          on_tour_change=_on_tour(ctx), on_filter_change=_on_filter(ctx),
                          on_window_change=_on_window(ctx), on_base_change=_on_base(ctx),
                          on_mask_change=_on_mask, on_room_change=_on_room(ctx), on_lost_change=_on_lost,
                          on_follow_change=_on_follow(ctx))
    export_panel(ctx, state, ctx.downloads)


def _tour_payload(page: Page, tours: dict, step: TourStep) -> dict:
    """The state's tour: the step and the number of steps; for a tour other than the built-in
    one (whose steps are in the store) its id and title, and its steps the first time."""
    out = {"step": step.number, "of": len(_steps(tours, page.tour_name))}
    if page.tour_name in tours and page.tour_name:
        label, steps = tours[page.tour_name]
        shown = tour_steps(steps)
        tour_id = hashlib.sha1(repr((page.tour_name, label, shown)).encode()).hexdigest()[:12]
        out.update(id=tour_id, title=label)
        if tour_id not in page.tours_sent:
            out["steps"] = shown
            page.tours_sent = (*page.tours_sent, tour_id)[-8:]
    return out


def _mask(ctx: Context, filters: Filters) -> tuple:
    """The rows the filters keep (booleans, or None for every row) and the mask
    component's payload, computed once per dataset and filters (not on every rerun)."""
    page = _page()
    key = (ctx.version, filters)
    if page.mask is None or page.mask[0] != key:
        keep = filter_rows(ctx.facets, filters)
        page.mask = (key, keep, mask_payload(keep))
    return page.mask[1], page.mask[2]


def _once(mask: dict | None) -> dict | None:
    """The mask to send with the state: its bytes only the first time (the browser keeps the
    last 4 by id; a slider move with a filter on does not send them again)."""
    page = _page()
    if mask is None:
        return None
    if mask["id"] in page.masks_sent:
        return {k: v for k, v in mask.items() if k not in ("b64", "arrow")}
    page.masks_sent = (*page.masks_sent, mask["id"])[-4:]
    return mask


def _on_mask() -> None:
    """The browser lacks a mask the state names (it dropped it): send its bytes again."""
    asked = _trigger("mask")
    if isinstance(asked, dict):
        _page().masks_sent = tuple(m for m in _page().masks_sent if m != asked.get("id"))


def export_panel(ctx: Context, state: ViewState, sb) -> None:
    """Downloads, each built only when clicked: the map as a standalone HTML file, the
    events of the window as CSV (ACLED columns) and GeoJSON, a PNG of the view, and the
    tour as an offline presentation file and as one PNG per step."""
    window = state.window
    stamp = f"{window[0]:%Y-%m-%d}_{window[1]:%Y-%m-%d}"

    def events():
        return ctx.index.take(ctx.index.rows(*window))

    def map_html() -> str:
        return standalone_page(ctx.data.layers, events(), state, title=EXPORT_TITLE,
                               subtitle=export_subtitle(state.layers, window))

    page = _page()  # read here: the download runs its callable in another thread, without the session
    steps = _steps(ctx.tours, page.tour_name)
    touring = page.tour_step is not None and bool(steps)
    step_bounds = steps[min(page.tour_step, len(steps)) - 1].view_bounds() if touring else None
    selected = state.selected or page.event

    def view_png() -> bytes:
        from slides.image import DEFAULT_BOUNDS, render_view_png  # matplotlib: only when asked

        return render_view_png(ctx.data, layers=state.layers, window=window, bounds=step_bounds or DEFAULT_BOUNDS,
                               selected=selected, events=ctx.index.table, distances=touring)

    with sb.expander("Download this view", expanded=False):
        st.download_button("Map as standalone HTML", map_html, file_name=export_filename(window),
                           mime="text/html", key="dl_html", type="primary", width="stretch")
        st.download_button("Events of the window as CSV (ACLED columns)", lambda: events_to_acled_csv(events()),
                           file_name=f"events-{stamp}.csv", mime="text/csv", key="dl_csv", width="stretch")
        st.download_button("Events of the window as GeoJSON", lambda: events_to_geojson(events()),
                           file_name=f"events-{stamp}.geojson", mime="application/geo+json", key="dl_geojson",
                           width="stretch")
        st.download_button("Image of this view (PNG, 1920×1080)", view_png, file_name=f"map-{stamp}.png",
                           mime="image/png", key="dl_png", width="stretch")


def tour_downloads(ctx: Context) -> None:
    """The tour as an offline presentation file and as one PNG per step (outside the
    controls' fragment: they do not change with the state, so an interaction does not
    send them again)."""
    name = _page().tour_name
    steps = _steps(ctx.tours, name)
    if not steps:
        return
    with st.expander("Download the tour", expanded=False):
        if name:
            st.text(f"Tour: {ctx.tours[name][0]}")
        st.download_button("Offline presentation (one HTML file)", lambda: presentation_html(
            ctx.data, steps, events=ctx.index.table), file_name=presentation_filename(), mime="text/html",
            key="dl_deck", type="primary", width="stretch",
            help="Opens from a laptop with no network: the map, every step, the same keys "
                 "(Page Down/Up, arrows, Space, Home/End, B to blank) and S for speaker notes.")
        st.download_button("Every step as a PNG image (ZIP)", lambda: _tour_zip(ctx, steps),
                           file_name="armenia-azerbaijan-tour-images.zip", mime="application/zip", key="dl_zip",
                           width="stretch")


def _tour_zip(ctx: Context, steps: list[TourStep]) -> bytes:
    from slides.bundle import tour_images_zip  # matplotlib: only when asked

    return tour_images_zip(ctx.data, steps, events=ctx.index.table)


def show_problems(data: Dataset) -> None:
    if not data.problems:
        return
    files = sorted({p.file for p in data.problems})
    st.error(literal(f"Some data could not be loaded ({plural(len(data.problems), 'problem')} in {', '.join(files)}); "
                     "everything else is shown."))
    with st.expander("What is wrong with the data"):
        for p in data.problems:
            st.text(str(p))


def main() -> None:
    st.set_page_config(page_title="Armenia–Azerbaijan, July 2023", page_icon="🗺️", layout="wide")
    _vendor_assets()
    opts = _options()
    data_dir = Path(opts.data)
    signature = _signature(data_dir)
    data = _dataset(str(data_dir), signature)
    startup = startup_imports(opts.events)
    imports = startup + current_uploads()
    index = _events(data, signature, imports)
    facets = _facets(_version(signature, imports), index, data.layers.get("countries"))
    features = feature_ids(data.layers)
    spec = _spec(data, index, features, facets)
    draft_check = tour_editor.checked(tour_editor.draft(), _tour_ids(spec))
    tours = _tours(data, draft_check.steps)
    _init_session(spec, tours)
    page = _page()
    lv = live.session()
    _follow_room(spec, tours)
    follow_span(page, spec.span)
    clamp_window(spec.span, page.initial)
    _keep_tour_playable(tours)

    sb = st.sidebar
    if len(tours) > 1:
        # Keyed by the tour on: a tour started elsewhere (the editor's Play, a link) shows here
        # as a new widget, never as a change the user did not make.
        names, pick = list(tours), f"tour_pick:{page.tour_name}"
        sb.selectbox("Tour", names, key=pick, index=names.index(page.tour_name), format_func=lambda k: tours[k][0],
                     on_change=_pick_tour, args=(spec, tours, pick))
    if tours[page.tour_name][1] and page.tour_step is None:
        sb.button("▶ Start the guided tour", key="start_tour", type="primary", width="stretch",
                  on_click=_start_tour, args=(spec, tours[page.tour_name][1]))
    controls_box = sb.container(key="controls")
    filters_box = sb.container(key="filters_box")
    keys = list(BASEMAPS)
    sb.selectbox("Basemap", keys, key="base", format_func=lambda k: BASEMAPS[k][0],
                 index=keys.index(page.initial["base"]),
                 help="Web tiles need a network. 'None (offline)' draws lakes, rivers, coast and borders from local data.")
    downloads = sb.container(key="downloads")
    with sb.expander("Present live", expanded=lv.link is not None):
        store_problem = _room_store(opts.room_store, opts.room_ttl)[1]
        if store_problem:
            st.warning(literal(store_problem))
        live.present_panel(_rooms(), lv, st.context.url or "", on_end=_end_room)
    with sb.expander("Write your own tour", expanded=bool(tour_editor.draft().steps)):
        tour_editor.editor(draft_check, layer_keys=LAYER_KEYS, label=_layer_label, name_of=_namer(data, index),
                           on_play=_play_draft(spec), playing=page.tour_name == tour_editor.DRAFT_KEY
                           and page.tour_step is not None,
                           picked=tours[page.tour_name] if page.tour_name != tour_editor.DRAFT_KEY else None)
    imports = import_panel(startup)
    index = _events(data, signature, imports)
    version = _version(signature, imports)
    facets = _facets(version, index, data.layers.get("countries"))
    spec = _spec(data, index, features, facets)
    follow_span(page, spec.span)
    touring = page.tour_step is not None and bool(tours[page.tour_name][1])

    st.markdown(HIDDEN_CSS, unsafe_allow_html=True)
    # The page's parts keep their places in and out of the tour, so the map frame stays mounted
    # (Streamlit remounts an element whose place changes: the map would load again).
    with st.container(key="live_bar"):  # a follower's: following or exploring (polls the room)
        if lv.follower:
            live.follow_bar(_rooms())
    with st.container(key="heading"):
        if not touring:  # in the tour the step's title heads the page, so the map stays in view
            st.title("Armenia–Azerbaijan, July 2023")
            st.caption("The Lachin corridor blockade, the Stepanakert rally, the ICJ order and the talks in Brussels "
                       "and Moscow, on one map. Shapes marked approximate are drawn dashed.")
    if page.notices:  # once, floating over the page (it does not push the map down), dismissible
        st.toast(literal(link_notice(page.notices)), icon="⚠️", duration="infinite")
        page.notices = []
    if lost := st.session_state.pop("lost_notice", None):
        st.toast(literal(lost), icon="⚠️", duration="infinite")
    show_startup_problems(startup)
    show_problems(data)
    components.data_store(_store(version, index, spec.span, data.tour, facets, data.layers),
                          on_reconnected_change=_noop)

    places = data.layers.get("places")
    points = ({str(r.id): (r.geometry.y, r.geometry.x) for r in places.itertuples()} if places is not None else {})
    ctx = Context(data=data, index=index, spec=spec, venue_points=points, downloads=downloads, facets=facets,
                  version=version, tours=tours,
                  uploaded=tuple(r.name for r in imports if r.fatal is None and not any(r is s for s in startup)))
    with controls_box:
        controls(ctx)
    with downloads:
        tour_downloads(ctx)
    with filters_box:
        components.filter_panel()
    # The tour's text beside the map (below it on a phone). Outside the tour the panel is empty and
    # its column hidden (HIDDEN_CSS), in the tour the browser lays it out (static/js/dash-present.js).
    left, map_area = st.container(key="tour_layout").columns([1, 2])
    with left:
        components.tour_panel()
    with map_area:
        st_folium(_map(str(data_dir), signature), key="map", height=MAP_HEIGHT, use_container_width=True,
                  returned_objects=[])
    components.player()
    with st.container(key="timeline_heading"):
        st.subheader("Timeline", anchor=False)
    components.timeline()
    components.event_table()
    report_memory()


def _spec(data: Dataset, index: EventIndex, features: frozenset[str], facets: Facets) -> StateSpec:
    """The valid values of the page's state for these events (before and after the import panel)."""
    return make_spec(LAYER_KEYS, index.table, features, tuple(BASEMAPS), len(data.tour), frozenset(facets.country),
                     tours={k: t.steps for k, t in data.tours.items()})


def _namer(data: Dataset, index: EventIndex):
    """A feature's or an event's name by its id (the editor names a step's highlight)."""
    features = {k: v[0] for k, v in feature_names(data.layers).items()}

    def name_of(fid: str) -> str:
        if fid in features:
            return features[fid]
        hits = np.flatnonzero(index.table["id"].astype(str).to_numpy() == fid) if len(index) else []
        return str(index.table["title"].iat[int(hits[0])]) if len(hits) else fid
    return name_of


def _layer_label(key: str) -> str:
    """A layer key's name in the editor: a layer's label, or "Events: <category>"."""
    if key.startswith("cat:"):
        return f"Events: {CATEGORIES.get(key[4:], key[4:])}"
    return LAYER_LABELS.get(key, key)


def _keep_tour_playable(tours: dict) -> None:
    """The tour on lost its steps (the editor's last good step was deleted or broken): leave
    it; it has fewer steps than the step on: go to its last."""
    page = _page()
    if page.tour_name not in tours:
        page.tour_name = ""
        if page.tour_step is not None:
            _leave_tour()
    elif page.tour_step is not None and page.tour_step > len(tours[page.tour_name][1]):
        page.tour_step = len(tours[page.tour_name][1]) or None


def follow_span(page: Page, span: tuple) -> None:
    """An import (or its removal) changed the date span: a window that was the whole
    span becomes the whole new span (its handles follow the data)."""
    if page.span is not None and tuple(page.span) != tuple(span):
        ss = st.session_state
        if tuple(_widget("window")) == tuple(page.span):
            if "window" in ss:
                ss["window"] = tuple(span)
            page.initial["window"] = tuple(span)
    page.span = tuple(span)


def _version(signature: tuple, imports: list[ImportResult]) -> tuple:
    """The dataset's version token: the data files' signature and each import's token
    (:attr:`ImportResult.token`: its upload's file id, unique on this server, or the
    start-up file's signature)."""
    return (signature, *(r.token for r in imports))


def _events(data: Dataset, signature: tuple, imports: list[ImportResult]) -> EventIndex:
    ok = [r for r in imports if r.fatal is None and len(r.events)]
    version, frames = _version(signature, ok), (data.events, *(r.events for r in ok))
    if not _uploaded(version):
        st.session_state.pop("derived", None)  # no upload now: nothing derived from one is kept
        return _index(version, frames)
    return _held("index", version, lambda: _build_index(frames))


run_page(main)
