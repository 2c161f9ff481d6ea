"""Present live: the presenter's page drives a room, the audience's pages follow it.

The room itself is :mod:`live.rooms` (in memory, or in Redis for several server
processes). This module is the page's side:

- :func:`present_panel`: the sidebar's "Present live": start a room, its audience and
  speaker links (as literal text with a copy button), end it;
- the presenter's browser sends its page's query (the link it would share, with the
  map's centre and zoom) after each change, and :func:`publish` keeps it in the room
  (static/js/dash-page.js, the ``room`` trigger);
- :func:`follow_bar`: on a follower's page, "Following the presenter" with "Explore on
  my own", or "Follow again"; inside it a fragment asks the store for the room's version
  every second and, when it changed, draws a signal that the browser relays to the
  controls' fragment, which applies the room's query as it would a link's
  (dashboard._on_follow; a whole run only when the layout changes).

Everything shown here from a link or a store goes through :func:`ui.notices.literal`
or widgets that show plain text.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

from live.rooms import Room, RoomError, RoomLink, RoomStore
from ui import components
from ui.notices import literal

__all__ = ["Live", "session", "publish", "poll", "present_panel", "follow_bar", "POLL_SECONDS"]

_STATE = "live"
#: How often a follower's page asks whether the room changed.
POLL_SECONDS = 1.0


@dataclass
class Live:
    """This session's part in a room."""

    link: RoomLink | None = None
    following: bool = True
    seen: int = -1                  # the room's version last applied (followers)
    step: tuple | None = None       # (tour, step) last applied (followers)
    view: tuple | None = None       # the presenter's own view last applied (followers)
    problem: str | None = None      # the last thing that went wrong, for the user
    started: float | None = None    # when this presenter started the room (the speaker's timer)

    @property
    def follower(self) -> bool:
        return self.link is not None and not self.link.drives


def session() -> Live:
    return st.session_state.setdefault(_STATE, Live())


def publish(store: RoomStore, lv: Live, query: str, moved: bool) -> None:
    """Keep the presenter's page (``query``) in the room; a problem is kept for the panel."""
    if lv.link is None or not lv.link.drives:
        return
    try:
        store.publish(lv.link.code, lv.link.key, query, moved)
        lv.problem = None
    except RoomError as exc:
        lv.problem = str(exc)


def poll(store: RoomStore, lv: Live) -> Room | None:
    """The room a follower follows, if it changed since it was last applied. A room that
    has ended is said once, and the page goes on as it is."""
    if not lv.follower or not lv.following:
        return None
    try:
        room = store.get(lv.link.code)
    except RoomError as exc:
        lv.problem = str(exc)
        return None
    if room is None:
        lv.problem = (f"The live room {lv.link.code} has ended (or the link is wrong). The map stays as it is; "
                      "explore on your own.")
        lv.following = False
        return None
    lv.problem = None
    if room.version == lv.seen:
        return None
    lv.seen = room.version
    return room


def _link(base: str, link: RoomLink, role: str) -> str:
    params = {"room": link.code}
    if role != "audience":
        params["key"] = link.key
    if role == "speaker":
        params["role"] = "speaker"
    return f"{base.rstrip('/')}/?{urlencode(params)}"


def present_panel(store: RoomStore, lv: Live, base_url: str, *, on_end) -> None:
    """The sidebar's "Present live" (inside an expander the page opens)."""
    if lv.link is None:
        st.caption("Start a room: everyone who opens its audience link follows your steps, dates, layers and "
                   "map view, on their own laptop or phone.")
        if st.button("Start a live room", key="live_start", width="stretch"):
            try:
                code, key = store.create()
            except RoomError as exc:
                lv.problem = str(exc)
            else:
                lv.link, lv.started, lv.problem = RoomLink(code, key, "presenter"), time.time(), None
                st.rerun(scope="app")  # the state carries the room from now on
        if lv.problem:
            st.error(literal(lv.problem))
        return
    if lv.follower:
        st.caption(literal(f"You follow the live room {lv.link.code}."))
        return
    try:
        gone = store.get(lv.link.code) is None
    except RoomError as exc:
        gone, lv.problem = False, str(exc)
    if gone:  # ended from another page of the presenter's, or expired: a new one can start
        code, lv.link = lv.link.code, None
        lv.problem = f"The live room {code} has ended."
        present_panel(store, lv, base_url, on_end=on_end)
        return
    st.markdown(literal(f"Room {lv.link.code} is live."))
    st.caption("Audience link (share this one, not your address bar: that holds your key, so that a reload "
               "goes on presenting; the audience link cannot change the room):")
    st.code(_link(base_url, lv.link, "audience"), language=None, wrap_lines=True)
    st.caption("Speaker view (notes, next step, timer; keep it to yourself: it drives the room):")
    st.code(_link(base_url, lv.link, "speaker"), language=None, wrap_lines=True)
    if lv.problem:
        st.error(literal(lv.problem))
    if st.button("End the room", key="live_end", width="stretch"):
        try:
            store.end(lv.link.code, lv.link.key)
        except RoomError as exc:
            lv.problem = str(exc)
            return
        on_end()
        st.rerun(scope="app")


def follow_bar(store: RoomStore) -> None:
    """A follower's bar: which room, following or exploring (its buttons rerun the page), and
    the room's poll (:func:`_poll`)."""
    lv = session()
    if lv.link is None:
        return
    box = st.container(horizontal=True, vertical_alignment="center", key="live_bar_row")
    if lv.problem:
        box.warning(literal(lv.problem))
    if lv.following:
        box.markdown(literal(f"● Following the presenter (room {lv.link.code})"))
        box.button("Explore on my own", key="live_explore", on_click=_explore, args=(lv,))
    elif not lv.problem:
        box.markdown(literal("Exploring on your own."))
        box.button("Follow again", key="live_follow", type="primary", on_click=_follow_again, args=(lv,))
    with box:
        _poll(store)


@st.fragment(run_every=dt.timedelta(seconds=POLL_SECONDS))
def _poll(store: RoomStore) -> None:
    """Once a second: the room's version (one store read). Unchanged, nothing is drawn (the
    tick costs a few hundred bytes); changed, a signal the browser relays to the controls'
    fragment, which applies the room (no whole run); ended, a whole run, which says so."""
    lv = session()
    if lv.link is None or not lv.following:
        return
    try:
        version = store.version(lv.link.code)
    except RoomError as exc:
        lv.problem = str(exc)
        return
    if version is None:
        st.rerun(scope="app")
    if version != lv.seen:
        session_ticks = st.session_state.setdefault("live_ticks", [0])
        session_ticks[0] += 1  # sent again each tick until applied (a relay lost in a run is retried)
        components.follow_signal(version, nonce=session_ticks[0])


def _explore(lv: Live) -> None:
    lv.following = False


def _follow_again(lv: Live) -> None:
    lv.following, lv.seen, lv.step, lv.view = True, -1, None, None
