"""Event markers drawn on a canvas, with popups built in the browser.

One :class:`EventMarkers` element carries the events of the window as compact
JSON rows; its script draws a circle marker per event on a shared canvas
renderer and builds each popup only when it is opened, from text nodes (never
``innerHTML``), so text from data cannot run as script. Events placed
approximately (ACLED ``geo_precision`` 2 or 3) also get a dashed circle of
their uncertainty.
"""

from __future__ import annotations

import datetime as dt

import folium
import numpy as np
import orjson
import pandas as pd
from branca.element import Element, MacroElement
from jinja2 import Template

from geo.catalog import CATEGORIES
from layers.format import format_event_date
from layers.palette import CATEGORY_COLORS
from layers.safe_html import safe_url

#: Radius in metres of the dashed uncertainty circle by ACLED geo_precision.
UNCERTAINTY_M = {2: 5_000, 3: 25_000}

#: Row layout sent to the browser (index in each row array).
FIELDS = ("lat", "lon", "geo", "date", "title", "summary", "actors", "location",
          "sentence", "claims", "sources", "unconfirmed", "notes", "id", "category")


def _dumps(obj) -> str:
    # "<" is escaped so that no "</script>" can end the surrounding script tag.
    return orjson.dumps(obj).decode("utf-8").replace("<", "\\u003c")


def _text_column(events: pd.DataFrame, name: str) -> list[str]:
    """A text column as a list of str, '' for missing values."""
    col = events[name]
    return col.where(col.notna(), "").astype(str).tolist()


def _claim_lists(values) -> list[list]:
    return [[[str(c.get("side", "")), str(c.get("claim", "")), str(c.get("source", ""))]
             for c in v if isinstance(c, dict)] if v else _EMPTY for v in values]


def _source_lists(values) -> list[list]:
    return [[[str(s.get("publisher") or s.get("url") or "source"), safe_url(s.get("url")) or ""]
             for s in v if isinstance(s, dict)] if v else _EMPTY for v in values]


_EMPTY: list = []


#: (day number, precision) -> date label; dates repeat from one rerun to the next.
_DATE_LABELS: dict[tuple[int, int], str] = {}
_NS_PER_DAY = 86_400 * 10**9


def _dates(events: pd.DataFrame) -> list[str]:
    """format_dates for each row, formatting each distinct (day, precision) once per process."""
    stamps = pd.to_datetime(events["event_date"])
    missing = stamps.isna().to_numpy()
    days = stamps.to_numpy(dtype="datetime64[ns]").view("int64") // _NS_PER_DAY
    prec = pd.to_numeric(events["time_precision"], errors="coerce").fillna(1).to_numpy(dtype="int64")
    key = np.where(missing, -1, days * 8 + np.clip(prec, 0, 7))
    codes, uniques = pd.factorize(key)
    labels = []
    for k in uniques.tolist():
        label = _DATE_LABELS.get(k)
        if label is None:
            if k == -1:
                label = "date unknown"
            else:
                label = format_event_date(dt.date(1970, 1, 1) + dt.timedelta(days=k // 8), k % 8)
            _DATE_LABELS[k] = label
        labels.append(label)
    return np.asarray(labels, dtype=object)[codes].tolist()


def _columns(events: pd.DataFrame) -> list[list]:
    """The columns of :func:`event_rows`, in :data:`FIELDS` order."""
    if events.empty:
        return []
    actors = (events["actor1"].fillna("").astype(str) + " / " + events["actor2"].fillna("").astype(str))
    actors = actors.str.strip(" /").tolist()
    geo = pd.to_numeric(events["geo_precision"], errors="coerce").fillna(1).astype(int)
    geo = geo.where(geo != 0, 1).tolist()
    summary = _text_column(events, "summary")
    notes = events["notes"].where(events["notes"].notna(), "").astype(str)
    keep = events["origin"].astype(str).str.startswith("imported") & (notes != pd.Series(summary, index=events.index))
    notes = notes.where(keep, "").tolist()
    columns = [
        events["latitude"].astype(float).round(5).tolist(), events["longitude"].astype(float).round(5).tolist(),
        geo, _dates(events), _text_column(events, "title"), summary, actors,
        _text_column(events, "location"), _text_column(events, "article_sentence"),
        _claim_lists(events["claims"].tolist()), _source_lists(events["sources"].tolist()),
        _text_column(events, "unconfirmed"), notes, events["id"].astype(str).tolist(),
        events["category"].astype(str).tolist(),
    ]
    return columns


def event_rows(events: pd.DataFrame) -> list[list]:
    """The compact rows of :data:`FIELDS` for ``events`` (EVENT_COLUMNS frame).

    Built column by column (no Python work per row beyond the final zip); the
    ``notes`` of an imported event are left out when they repeat its summary
    (ACLED's notes are the summary)."""
    return [list(row) for row in zip(*_columns(events))]


def _rows_json(events: pd.DataFrame) -> str:
    """``event_rows(events)`` as JSON, without building a list per row (orjson writes tuples as arrays)."""
    return _dumps(list(zip(*_columns(events))))


class _Script(Element):
    """Script text added to the figure as is (branca's Element would compile
    the text, data included, as a Jinja template: 150 ms for 10,000 events)."""

    _template = Template("{{ this.text }}")

    def __init__(self, text: str):
        super().__init__()
        self.text = text


class EventMarkers(MacroElement):
    """Canvas circle markers for a table of events of one category."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var group = {{ this._parent.get_name() }};
            var rows = {{ this.rows_json }};
            var color = {{ this.color_json }};
            var label = {{ this.label_json }};
            var uncertainty = {{ this.uncertainty_json }};
            var openId = {{ this.open_json }};
            var renderer = window.__eventCanvas || (window.__eventCanvas = L.canvas({padding: 0.5}));
            function el(tag, text, cls) {
                var e = document.createElement(tag);
                if (text) { e.textContent = text; }
                if (cls) { e.className = cls; }
                return e;
            }
            function esc(s) {
                return String(s).replace(/[&<>"'`]/g, function (c) {
                    return "&#" + c.charCodeAt(0) + ";";
                });
            }
            function popup(r) {
                var box = el("div", null, "event-popup");
                box.appendChild(el("div", r[3] + " \u00b7 " + label, "event-date"));
                box.appendChild(el("h4", r[4]));
                if (r[5]) { box.appendChild(el("p", r[5])); }
                if (r[6]) { box.appendChild(el("div", "Actors: " + r[6])); }
                if (r[7]) { box.appendChild(el("div", "Where: " + r[7] + (r[2] > 1 ? " (approximate location)" : ""))); }
                if (r[8]) { box.appendChild(el("blockquote", "Article: \u201c" + r[8] + "\u201d")); }
                if (r[9].length) {
                    var cl = el("div", null, "claims");
                    cl.appendChild(el("b", "Claims differ:"));
                    var ul = el("ul");
                    r[9].forEach(function (c) {
                        ul.appendChild(el("li", c[0] + ": " + c[1] + (c[2] ? " (" + c[2] + ")" : "")));
                    });
                    cl.appendChild(ul);
                    box.appendChild(cl);
                }
                if (r[11]) { box.appendChild(el("div", "UNCONFIRMED: " + r[11], "unconfirmed")); }
                if (r[12]) { box.appendChild(el("div", "Notes: " + r[12])); }
                if (r[10].length) {
                    var src = el("div", "Sources: ", "sources");
                    r[10].forEach(function (s, i) {
                        if (i) { src.appendChild(document.createTextNode(", ")); }
                        if (/^https?:[/][/]/i.test(s[1])) {
                            var a = el("a", s[0]);
                            a.href = s[1]; a.target = "_blank"; a.rel = "noopener noreferrer";
                            src.appendChild(a);
                        } else {
                            src.appendChild(document.createTextNode(s[0]));
                        }
                    });
                    box.appendChild(src);
                }
                return box;
            }
            rows.forEach(function (r) {
                if (uncertainty[r[2]]) {
                    L.circle([r[0], r[1]], {radius: uncertainty[r[2]], renderer: renderer, color: color,
                        weight: 1.5, dashArray: "5 5", fill: true, fillOpacity: 0.06,
                        interactive: false}).addTo(group);
                }
                var m = L.circleMarker([r[0], r[1]], {renderer: renderer, radius: 7, color: "#ffffff",
                    weight: 1.5, fillColor: color, fillOpacity: 0.95});
                m.eventId = r[13];
                m.bindTooltip(esc(r[4] + " (" + r[3] + ")"));
                m.bindPopup(function () { return popup(r); }, {maxWidth: 340});
                m.addTo(group);
                if (openId !== null && r[13] === openId) {
                    setTimeout(function () {
                        if (m._map) { m.getPopup().options.autoPan = false; m.openPopup(); }
                    }, 400);
                }
            });
        })();
        {% endmacro %}
        """
    )

    def render(self, **kwargs):
        """As MacroElement.render (this template has only a script macro), without
        compiling the rendered script as a template."""
        script = self._template.module.__dict__["script"]
        self.get_root().script.add_child(_Script(script(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)

    def __init__(self, events: pd.DataFrame, category: str, open_id: str | None = None):
        super().__init__()
        self._name = "EventMarkers"
        self.rows_json = _rows_json(events)
        self.color_json = _dumps(CATEGORY_COLORS.get(category, "#009E73"))
        self.label_json = _dumps(CATEGORIES.get(category, category))
        self.uncertainty_json = _dumps({str(k): v for k, v in UNCERTAINTY_M.items()})
        self.open_json = _dumps(open_id)


def build(events: pd.DataFrame, *, category: str, name: str | None = None, show: bool = True,
          open_id: str | None = None) -> folium.FeatureGroup:
    """A FeatureGroup with the markers of ``events`` whose category is ``category``;
    the popup of the event ``open_id`` opens when the group is shown.

    Examples
    --------
    >>> fg = build(events, category="protest")  # doctest: +SKIP
    """
    fg = folium.FeatureGroup(name=name or CATEGORIES.get(category, category), show=show)
    subset = events[events["category"] == category] if len(events) else events
    EventMarkers(subset, category, open_id).add_to(fg)
    return fg
