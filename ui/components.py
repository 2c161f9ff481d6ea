"""The dashboard's browser components (Streamlit components v2, in the page's own document).

One component, mounted by kind (``static/js/dash-page.js``):

- :func:`data_store`: the events of the dataset, once per dataset version. Its
  message is the same on every run, so Streamlit sends it once per session and
  after that only a reference to it.
- :func:`page_state`: the state after each run (small JSON). It is also the way
  back: the browser's selections, keys and window changes arrive as its trigger
  values, each one rerun of the fragment it sits in.
- :func:`timeline` and :func:`event_table`: views drawn in the browser from the
  store and the state, so that a window change sends neither the timeline's dots
  nor the table's rows.

The component's own script is a small loader: it loads ``dash-core.js`` and
``dash-page.js`` from ``/app/static/js`` once per page, then hands each mount to
``DashPage.mount``.
"""

from __future__ import annotations

from collections.abc import Callable

import orjson
import streamlit as st

from layers.assets import APP_URL, PAGE_CSS, PAGE_JS, app_url

__all__ = ["data_store", "page_state", "timeline", "tour_panel", "capture_button", "event_table", "filter_panel", "player",
           "follow_signal", "TRIGGERS"]

#: Trigger values the browser sends with the state component (on_<name>_change callbacks):
#: a selection, the tour's keys and buttons, leaving the tour, the filter panel's filters,
#: a window (play paused, "show all"), a basemap (the map's "use the offline basemap"), a
#: mask the browser no longer has (its bytes are sent once per id), a live room's presenter's
#: page (its query, ui/live.py), files imported into a server process the page lost, and a live
#: room's new version (:func:`follow_signal`).
TRIGGERS = ("select", "key", "tour", "filter", "window", "base", "mask", "room", "lost", "follow")

#: Loads PAGE_JS once per page, in order, then mounts (short: it travels with every mount;
#: the newline tells Streamlit it is inline code, not a file path).
_LOADER = ("export default function(c){\nvar w=window;if(w.DashPage)return w.DashPage.mount(c);"
           "w.__dl=w.__dl||%s.reduce(function(p,u){return p.then(function(){return new Promise(function(ok,no){"
           "var s=document.createElement('script');s.src=%s+u;s.onload=ok;s.onerror=no;document.head.appendChild(s)})})},"
           "Promise.resolve());w.__dl.then(function(){w.DashPage.mount(c)})}")

#: The scripts' URLs, without their common folder (the loader travels with every mount: keep it short).
_BASE = APP_URL + "/js/"
_dash = st.components.v2.component(
    "dashboard.dash", js=_LOADER % (orjson.dumps([app_url(n)[len(_BASE):] for n in PAGE_JS]).decode(),
                                    orjson.dumps(_BASE).decode()),
    isolate_styles=True)


def data_store(payload: dict, *, key: str = "dash_data", on_reconnected_change: Callable[[], None] | None = None) -> None:
    """Mount the store with ``payload`` (:func:`layers.store.events_store`).

    It is outside every fragment: its one trigger, ``reconnected`` (the browser's
    websocket came back after a server restart), reruns the whole page, so that the new
    server process knows the page's fragments before the next click asks for one
    (Streamlit drops a rerun of a fragment the session does not know)."""
    _dash(key=key, data=payload, height=0, on_reconnected_change=on_reconnected_change)


def page_state(state: dict, *, key: str = "dash_state", mask: dict | None = None,
               **callbacks: Callable[[], None] | None) -> dict:
    """Mount the state (:func:`geo.page_model.browser_state`) and the filters' row mask it
    names (:func:`geo.page_model.mask_payload`; a large one's bytes go as a top-level Arrow
    table, which Streamlit sends as binary); ``callbacks`` are ``on_<trigger>_change``
    functions for :data:`TRIGGERS`. Returns the trigger values."""
    data = {"kind": "state", "state": state}
    if mask is not None:
        data["mask"] = {k: v for k, v in mask.items() if k != "arrow"}
        if "arrow" in mask:
            data["maskBytes"] = mask["arrow"]
    return _dash(key=key, data=data, height=0, **callbacks)


def follow_signal(version: int, nonce: int, *, key: str = "dash_follow") -> None:
    """A follower's page learns that its live room changed (``version``): the browser sends the
    ``follow`` trigger of the state component, whose fragment applies the room (once per
    ``nonce``: a signal drawn again is sent again)."""
    _dash(key=key, data={"kind": "follow", "version": version, "nonce": nonce}, height=0)


def _view(kind: str, key: str, config: dict | None = None, **layout) -> None:
    _dash(key=key, data={"kind": kind, "config": config or {}, "css": app_url(PAGE_CSS)}, **layout)


def timeline(*, key: str = "dash_timeline", height: int = 190) -> None:
    """The timeline: one dot per event and category, the window shaded, years on the axis."""
    _view("timeline", key, {"height": height}, height=height)


def tour_panel(*, key: str = "dash_tour") -> None:
    """The tour's step: progress, title, narrative, sources, speaker notes and its buttons."""
    _view("tour", key)


def capture_button(*, key: str = "dash_capture", target: str | None = None) -> None:
    """The tour editor's "Add this view as a step" (or, with ``target``, a step's "Use the map's
    view"): sends the map's bounds with the "tour" trigger."""
    _view("capture", key, {"target": target} if target else None, height=44 if target is None else 36)


def filter_panel(*, key: str = "dash_filters") -> None:
    """Search and filters (actor, country, fatalities, source kind), the matches listed."""
    _view("filters", key)


def player(*, key: str = "dash_player") -> None:
    """Play through time: play/pause, step (day, week, month) and speed, played in the browser."""
    _view("player", key)


def event_table(*, key: str = "dash_table", page_size: int = 100) -> None:
    """The events of the window, page by page, the selected one marked."""
    _view("table", key, {"pageSize": page_size})
