"""The tour editor's draft: steps as the presenter types them.

A draft step is a plain dict shaped like one ``[[steps]]`` table of
``data/tour.toml`` (title, narrative, sources, bounds, layers, window,
highlight, notes), plus an ``_id`` that keeps the page's widgets of a step
together when steps move. Nothing here checks a step: :func:`as_doc` hands the
draft to :func:`geo.load_tour.check_tour`, the loader's own check, so the editor
shows the loader's messages. The operations return new lists (the editor keeps
the old ones for undo). Pure: no Streamlit.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from typing import Any

import tomli_w

from geo.load_tour import STEP_FIELDS, TourStep

__all__ = ["step_from_view", "view_bounds", "steps_from_tour", "steps_from_doc", "move", "duplicate", "delete", "as_doc", "to_toml",
           "DRAFT_FILE_NAME"]

#: The name the editor's tour downloads as (and the name its problems give).
DRAFT_FILE_NAME = "my-tour.toml"

#: The file's header: what it is and where its format is described.
_HEADER = """\
# A presenter tour written in the dashboard's tour editor.
# Same format as data/tour.toml (its header describes every field); load it
# again with "Load a tour file" in the page, or put it in data/tours/.

"""

_ids = itertools.count(1)


def _new_id() -> str:
    return f"s{next(_ids)}"


def _day(value: Any) -> str:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)


def step_from_view(*, bounds: Sequence[Sequence[float]], layers: Iterable[str], layer_order: Sequence[str],
                   window: Sequence[Any], highlight: str | None, number: int) -> dict:
    """A new step of what is on screen: the map's bounds ``[[south, west], [north, east]]``,
    the layers on (in ``layer_order``), the date window and the selected feature or event.
    Title ``Step N``; narrative, notes and sources are left for the presenter.

    >>> s = step_from_view(bounds=[[39.5, 46.0], [40.1, 47.0]], layers={"cat:protest", "countries"},
    ...                    layer_order=["countries", "cat:protest"], window=[dt.date(2023, 7, 1), "2023-07-15"],
    ...                    highlight=None, number=2)
    >>> s["title"], s["layers"], s["window"], s["narrative"]
    ('Step 2', ['countries', 'cat:protest'], ['2023-07-01', '2023-07-15'], '')
    """
    on = set(layers)
    step = {
        "_id": _new_id(),
        "title": f"Step {number}",
        "narrative": "",
        "sources": [],
        "bounds": view_bounds(bounds),
        "layers": [k for k in layer_order if k in on],
        "window": [_day(window[0]), _day(window[1])],
        "notes": "",
    }
    if highlight:
        step["highlight"] = highlight
    return step


def view_bounds(bounds: Sequence[Sequence[float]]) -> list[list[float]]:
    """A map's bounds as a step's ``bounds`` (degrees to 5 decimals, about 1 m).

    >>> view_bounds([[39.123456789, 46.0], [40.0, 47.987654321]])
    [[39.12346, 46.0], [40.0, 47.98765]]
    """
    (south, west), (north, east) = bounds
    return [[round(float(south), 5), round(float(west), 5)], [round(float(north), 5), round(float(east), 5)]]


def steps_from_tour(steps: Iterable[TourStep]) -> list[dict]:
    """Draft steps of a loaded tour (to edit a copy of it)."""
    out = []
    for s in steps:
        step: dict[str, Any] = {"_id": _new_id(), "title": s.title, "narrative": s.narrative,
                                "sources": list(s.sources)}
        if s.bounds is not None:
            (south, west), (north, east) = s.bounds
            step["bounds"] = [[south, west], [north, east]]
        else:
            step["center"], step["zoom"] = list(s.center), s.zoom
        step.update(layers=list(s.layers), window=[s.window[0].isoformat(), s.window[1].isoformat()],
                    notes=s.notes)
        if s.highlight:
            step["highlight"] = s.highlight
        out.append(step)
    return out


def steps_from_doc(doc: dict) -> list[dict]:
    """Draft steps of a tour file's tables as they are (a bad step stays, to be mended):
    only the tables of ``doc["steps"]``; anything else in the file is left out."""
    raw = doc.get("steps") if isinstance(doc, dict) else None
    if not isinstance(raw, list):
        return []
    return [{"_id": _new_id(), **{k: v for k, v in s.items() if not k.startswith("_")}}
            for s in raw if isinstance(s, dict)]


def move(steps: Sequence[dict], index: int, delta: int) -> list[dict]:
    """Step ``index`` moved ``delta`` places (clamped to the ends).

    >>> [s["title"] for s in move([{"title": "a"}, {"title": "b"}, {"title": "c"}], 0, 1)]
    ['b', 'a', 'c']
    """
    out = list(steps)
    if not 0 <= index < len(out):
        return out
    target = min(max(index + delta, 0), len(out) - 1)
    out.insert(target, out.pop(index))
    return out


def duplicate(steps: Sequence[dict], index: int) -> list[dict]:
    """A copy of step ``index`` right after it (its own ``_id``; lists copied)."""
    out = list(steps)
    if 0 <= index < len(out):
        copy = {k: (list(v) if isinstance(v, list) else v) for k, v in out[index].items()}
        copy["_id"] = _new_id()
        out.insert(index + 1, copy)
    return out


def delete(steps: Sequence[dict], index: int) -> list[dict]:
    """The steps without step ``index``."""
    return [s for i, s in enumerate(steps) if i != index]


def _clean(step: dict) -> dict:
    """A step as the file has it: no ``_`` keys, no empty optional text or highlight."""
    out = {}
    for key, value in step.items():
        if key.startswith("_") or value is None:
            continue
        if key in ("notes", "highlight") and value == "":
            continue
        out[key] = value
    return out


def as_doc(steps: Iterable[dict], title: str = "") -> dict:
    """The draft as a parsed tour file, for :func:`geo.load_tour.check_tour`."""
    doc: dict[str, Any] = {"title": title} if title else {}
    doc["steps"] = [_clean(s) for s in steps]
    return doc


def to_toml(steps: Iterable[dict], title: str = "") -> str:
    """The draft as a tour file in ``data/tour.toml``'s format (bad steps too, as typed:
    nothing is lost; the loader reports them again when the file is loaded).

    >>> import tomllib
    >>> text = to_toml([{"_id": "s1", "title": "A", "narrative": "x\\ny", "layers": [], "notes": ""}])
    >>> tomllib.loads(text)
    {'steps': [{'title': 'A', 'narrative': 'x\\ny', 'layers': []}]}
    """
    doc = as_doc(steps, title)
    ordered = {"steps": [{k: s[k] for k in (*STEP_FIELDS, *s) if k in s} for s in doc["steps"]]}
    if title:
        ordered = {"title": title, **ordered}
    return _HEADER + tomli_w.dumps(_tomlable(ordered), multiline_strings=True)


def _tomlable(value: Any) -> Any:
    """Values TOML can hold: tuples as lists, anything unknown as its text."""
    if isinstance(value, dict):
        return {str(k): _tomlable(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_tomlable(v) for v in value if v is not None]
    if isinstance(value, (str, bool, int, float, dt.date, dt.datetime)):
        return value
    return str(value)
