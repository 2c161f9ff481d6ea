"""The tour editor: a presenter writes their own tour in the page.

The draft (:class:`Draft`, in Session State: kept on every rerun) is a list of
steps as typed (:mod:`geo.tour_draft`). Each run checks it with the tour
loader's own check (:func:`geo.load_tour.check_tour`), so every step shows the
loader's messages as the presenter types, and the good steps play as "Your
tour" while a bad one waits to be mended. The draft downloads as a tour file
in ``data/tour.toml``'s format (bad steps too: nothing typed is lost), and a
tour file can be loaded into it. The browser asks the page to leave with a
draft only after a warning (static/js/dash-page.js, ``draft`` in the state).

Text typed here is shown in widgets (plain text) and the loader's messages go
through :func:`ui.notices.literal`: nothing becomes Markdown or HTML.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import streamlit as st

from geo import tour_draft
from geo.load_tour import TourResult, check_tour, parse_tour_text
from ui import components
from ui.notices import literal

__all__ = ["Draft", "draft", "checked", "add_step", "editor", "DRAFT_KEY"]

#: The tour's key among the page's tours (``Page.tour_name``).
DRAFT_KEY = "@draft"
_STATE = "tour_draft"
_UNDO_DEPTH = 50


@dataclass
class Draft:
    """The presenter's tour being written: ``steps`` as typed, the file's ``title``, the
    file name its problems name, and the earlier versions for undo."""

    steps: list[dict] = field(default_factory=list)
    title: str = ""
    file: str = tour_draft.DRAFT_FILE_NAME
    undo: list[tuple[list[dict], str]] = field(default_factory=list)
    load_problem: str | None = None  # a file that could not be loaded (the draft kept as it was)
    saved: str | None = None  # the file as last downloaded

    def unsaved(self) -> bool:
        """Whether the draft has steps that were not downloaded as they are now."""
        return bool(self.steps) and tour_draft.to_toml(self.steps, self.title) != self.saved

    def remember(self) -> None:
        """Keep the draft as it is now, for Undo (call before each change)."""
        self.undo.append((copy.deepcopy(self.steps), self.title))
        del self.undo[:-_UNDO_DEPTH]


def draft() -> Draft:
    ss = st.session_state
    if _STATE not in ss:
        ss[_STATE] = Draft()
    return ss[_STATE]


def checked(d: Draft, ids: dict) -> TourResult:
    """The draft checked by the tour loader (``ids``: its layer_keys, feature_ids and event_ids)."""
    if not d.steps:
        return TourResult()
    return check_tour(tour_draft.as_doc(d.steps, d.title), d.file, **ids)


def add_step(bounds, *, layers, layer_order: Sequence[str], window, highlight: str | None,
             target: str | None = None) -> None:
    """Add the view on screen as the draft's last step (the map's "Add this view as a step"),
    or, with ``target`` (a step's ``_id``), give that step the map's view (its "Use the map's
    view"; its layers, dates and text stay)."""
    d = draft()
    if target is not None:
        step = next((s for s in d.steps if s.get("_id") == target), None)
        if step is not None:
            d.remember()
            step.pop("center", None)
            step.pop("zoom", None)
            step["bounds"] = tour_draft.view_bounds(bounds)
        return
    d.remember()
    d.steps.append(tour_draft.step_from_view(bounds=bounds, layers=layers, layer_order=layer_order, window=window,
                                             highlight=highlight, number=len(d.steps) + 1))


def copy_tour(steps, title: str) -> None:
    """The editor starts from a copy of a tour (``steps``: its checked steps)."""
    d = draft()
    d.remember()
    d.steps, d.title, d.file = tour_draft.steps_from_tour(steps), title, tour_draft.DRAFT_FILE_NAME
    _forget_widgets()


# --- changes (widget callbacks: they run before the page is drawn) -------------------------------

def _key(uid: str, name: str) -> str:
    return f"ted:{uid}:{name}"


def _forget_widgets() -> None:
    """Drop the editor's widget values, so that they are drawn from the draft again (after
    undo, a load, a move)."""
    for k in [k for k in st.session_state if isinstance(k, str) and k.startswith("ted:")]:
        del st.session_state[k]


def _edit(uid: str, name: str) -> None:
    d = draft()
    step = next((s for s in d.steps if s.get("_id") == uid), None)
    if step is None:
        return
    value = st.session_state.get(_key(uid, name))
    d.remember()
    if name == "sources":
        step["sources"] = [line.strip() for line in str(value or "").splitlines() if line.strip()]
    elif name in ("from", "to"):
        raw = step.get("window")  # a loaded file's may be anything: a list is kept, else both typed anew
        window = [*raw, "", ""][:2] if isinstance(raw, list) else ["", ""]
        window[0 if name == "from" else 1] = str(value or "").strip()
        step["window"] = window
    elif name == "layers":
        step["layers"] = list(value or [])
    else:
        step[name] = str(value or "")


def _change(op: Callable[[list[dict]], list[dict]]) -> None:
    d = draft()
    d.remember()
    d.steps = op(d.steps)
    _forget_widgets()


def _undo() -> None:
    d = draft()
    if d.undo:
        d.steps, d.title = d.undo.pop()
        _forget_widgets()


def _saved(text: str) -> None:
    draft().saved = text  # the browser no longer asks before the page is left


def _clear() -> None:
    _change(lambda steps: [])
    draft().title = ""


def _load() -> None:
    """A tour file chosen: its steps become the draft, as they are (bad steps included, to be
    mended); a file that is not a tour leaves the draft as it was, with a message."""
    d = draft()
    upload = st.session_state.get("ted_upload")
    if upload is None:
        return
    name = str(getattr(upload, "name", "tour.toml"))[:120]
    d.load_problem = None
    doc, problem = parse_tour_text(upload.getvalue(), name)  # Streamlit holds the bytes already
    if problem is not None:
        d.load_problem = str(problem)
        return
    steps = tour_draft.steps_from_doc(doc)
    if not steps:
        d.load_problem = f"{name}: no steps: the file needs at least one [[steps]] table; your tour is unchanged"
        return
    d.remember()
    d.steps, d.file = steps, name
    title = doc.get("title")
    d.title = title if isinstance(title, str) else ""
    _forget_widgets()


# --- drawing --------------------------------------------------------------------------------------

def editor(result: TourResult, *, layer_keys: Sequence[str], label: Callable[[str], str],
           name_of: Callable[[str], str], on_play: Callable[[int], None], playing: bool,
           picked: tuple[str, list] | None = None) -> None:
    """Draw the editor. ``result``: :func:`checked` of the draft; ``label``: a layer key's
    name; ``name_of``: a feature's or event's name by id (a step's highlight); ``on_play(n)``:
    start the draft's tour at its step ``n``; ``playing``: whether it is the tour on now;
    ``picked``: the picker's tour (label, steps), which the editor can start from a copy of."""
    d = draft()
    st.caption("Move the map, choose the layers and dates, select a place or an event, then add the view as "
               "a step. Each step is checked as you type; a step with a problem waits and the others play.")
    components.capture_button()
    st.file_uploader("Load a tour file (.toml)", type=["toml"], key="ted_upload", on_change=_load,
                     help="A tour downloaded from here, or one like data/tour.toml. Its steps replace your "
                          "tour's (Undo brings yours back).")
    if picked is not None and picked[1]:
        st.button("Edit a copy of the tour picked above", key="ted_copy", on_click=copy_tour, args=(picked[1], picked[0]),
                  width="stretch", help="Its steps replace your tour's (Undo brings yours back)")
    if d.load_problem:
        st.error(literal(d.load_problem))
    by_row: dict[int, list[str]] = {}
    for p in result.problems:
        if isinstance(p.row, int):
            by_row.setdefault(p.row, []).append(p.detail())
        else:
            by_row.setdefault(0, []).append(str(p))
    for text in by_row.get(0, []):
        st.error(literal(text))
    number_of = {row: i + 1 for i, row in enumerate(result.rows)}
    n = len(d.steps)
    for i, step in enumerate(d.steps):
        _step_box(i, n, step, by_row.get(i + 1, []), number_of.get(i + 1), layer_keys, label, name_of, on_play)
    if not d.steps:
        return
    good = len(result.steps)
    st.caption(f"{good} of {n} steps ready to play." if good < n else f"All {n} steps ready to play.")
    st.button("Play your tour", key="ted_play", icon=":material/play_arrow:", disabled=not good or playing,
              on_click=on_play, args=(1,), width="stretch", type="primary")
    text = tour_draft.to_toml(d.steps, d.title)
    st.download_button("Download your tour (.toml)", text, file_name=tour_draft.DRAFT_FILE_NAME,
                       mime="application/toml", key="ted_download", width="stretch",
                       on_click=_saved, args=(text,))
    a, b = st.columns(2)
    a.button("Undo", key="ted_undo", disabled=not d.undo, on_click=_undo, width="stretch",
             help="Undo the last change to your tour")
    b.button("Clear", key="ted_clear", on_click=_clear, width="stretch",
             help="Remove every step of your tour (Undo brings them back)")


def _step_box(i: int, n: int, step: dict, problems: list[str], number: int | None, layer_keys: Sequence[str],
              label: Callable[[str], str], name_of: Callable[[str], str], on_play: Callable[[int], None]) -> None:
    uid = step.get("_id") or f"i{i}"
    with st.container(border=True, key=f"ted_step_{i + 1}"):
        st.text(f"Step {i + 1}" + ("" if number is not None else " (not ready: see below)"))
        st.text_input("Title", value=_text(step.get("title")), key=_key(uid, "title"), on_change=_edit,
                      args=(uid, "title"))
        st.text_area("Narrative", value=_text(step.get("narrative")), key=_key(uid, "narrative"), on_change=_edit,
                     args=(uid, "narrative"), height=90)
        window = step.get("window") if isinstance(step.get("window"), list) else ["", ""]
        window = [*window, "", ""][:2]
        st.text_input("From (YYYY-MM-DD)", value=_text(window[0]), key=_key(uid, "from"), on_change=_edit,
                      args=(uid, "from"))
        st.text_input("To (YYYY-MM-DD)", value=_text(window[1]), key=_key(uid, "to"), on_change=_edit,
                      args=(uid, "to"))
        layers = step.get("layers") if isinstance(step.get("layers"), list) else []
        st.multiselect("Layers", list(layer_keys), default=[k for k in layers if k in layer_keys],
                       key=_key(uid, "layers"), on_change=_edit, args=(uid, "layers"), format_func=label)
        sources = step.get("sources") if isinstance(step.get("sources"), list) else []
        st.text_area("Sources (one address per line)", value="\n".join(map(_text, sources)),
                     key=_key(uid, "sources"), on_change=_edit, args=(uid, "sources"), height=68)
        st.text_area("Speaker notes", value=_text(step.get("notes")), key=_key(uid, "notes"), on_change=_edit,
                     args=(uid, "notes"), height=68)
        st.text(_view_text(step) + (f"\nHighlight: {name_of(step['highlight'])}"
                                    if isinstance(step.get("highlight"), str) else ""))
        components.capture_button(key=f"dash_capture_{uid}", target=uid)
        for text in problems:
            st.error(literal(text))
        up, down, show = st.columns(3)
        up.button("Up", key=f"ted_up_{uid}", icon=":material/arrow_upward:", disabled=i == 0, width="stretch",
                  help="Move this step up", on_click=_change, args=(lambda s, i=i: tour_draft.move(s, i, -1),))
        down.button("Down", key=f"ted_down_{uid}", icon=":material/arrow_downward:", disabled=i == n - 1,
                    width="stretch", help="Move this step down",
                    on_click=_change, args=(lambda s, i=i: tour_draft.move(s, i, 1),))
        show.button("Show", key=f"ted_show_{uid}", icon=":material/play_arrow:", disabled=number is None,
                    width="stretch", help="Preview this step on the map (the tour starts here)",
                    on_click=on_play, args=(number or 1,))
        copy_, delete, _ = st.columns(3)
        copy_.button("Copy", key=f"ted_dup_{uid}", icon=":material/content_copy:", width="stretch",
                     help="Duplicate this step (the copy comes right after it)",
                     on_click=_change, args=(lambda s, i=i: tour_draft.duplicate(s, i),))
        delete.button("Delete", key=f"ted_del_{uid}", icon=":material/delete:", width="stretch",
                      help="Delete this step (Undo brings it back)",
                      on_click=_change, args=(lambda s, i=i: tour_draft.delete(s, i),))


def _text(value) -> str:
    return "" if value is None else str(value)


def _view_text(step: dict) -> str:
    bounds = step.get("bounds")
    try:
        (s, w), (n, e) = bounds
        return f"View: {float(s):.3f}, {float(w):.3f} to {float(n):.3f}, {float(e):.3f}"
    except (TypeError, ValueError):
        pass
    if "center" in step:
        return f"View: centre {step.get('center')!s:.60}, zoom {step.get('zoom')!s:.10}"
    return "View: none (add the view again)"
