"""Event markers above the shapes, with popups built in the browser.

One :class:`EventMarkers` element carries the events of one category in the
window as compact column-wise JSON: coordinates rounded to 5 decimals, ids as
they are, and each text column either as a list or, when its values repeat,
dictionary-encoded (``{"k": codes, "v": values}``, from :func:`pandas.factorize`).
Its script draws a circle marker per event with one renderer shared by all
categories, in a map pane above the shapes (:mod:`layers._canvas`: SVG up to
``BATCH_FROM`` markers, a canvas that draws circles from sprites beyond), in
slices of :data:`SLICE_MS` per browser task, and builds each popup only
when it is opened, from text nodes (never ``innerHTML``), so text from data
cannot run as script. Events placed approximately (ACLED ``geo_precision`` 2
or 3) also get a dashed circle of their uncertainty, while fewer than
``BATCH_FROM`` markers are on the map.

The columns are encoded once for the whole window (:func:`encode_events`) and
cut per category (:func:`build_groups`), not recomputed for each category.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from dataclasses import dataclass
from itertools import compress

import folium
import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.catalog import CATEGORIES
from layers._canvas import BATCH_FROM, RENDERERS_JS
from layers._script import Group, ScriptElement, js_json
from layers.format import format_event_date
from layers.palette import CATEGORY_COLORS
from layers.safe_html import DOM_JS, safe_url

#: Radius in metres of the dashed uncertainty circle by ACLED geo_precision.
UNCERTAINTY_M = {2: 5_000, 3: 25_000}

#: Markers are created in the browser in slices of about this many milliseconds each.
SLICE_MS = 80

#: Text columns sent to the browser, each a list or {"k": codes, "v": values}.
#: ``x`` holds, per event, [geo_precision, article sentence, claims, sources,
#: unconfirmed, notes]: rarely set, so encoded together.
TEXT_FIELDS = ("date", "title", "summary", "actors", "where", "x")


@dataclass
class _Codes:
    """A column as codes into a list of distinct values."""

    codes: np.ndarray  # int64, one per row
    values: list
    #: Send the codes as differences (for a column in the rows' order, such as dates: mostly 0 or 1).
    delta: bool = False

    def take(self, idx: np.ndarray):
        """The column for rows ``idx``: dictionary-encoded ({"k": codes, "v": values}, with
        ``"d": 1`` when the codes are differences) when its values repeat, else a plain list."""
        if 2 * len(self.values) > len(self.codes):  # mostly distinct: a list
            values = self.values
            return [values[j] for j in self.codes[idx].tolist()]
        sub, uniques = pd.factorize(self.codes[idx])
        out = {"k": sub.astype(np.int32), "v": [self.values[j] for j in uniques.tolist()]}
        if self.delta and len(sub):
            out["k"] = np.diff(sub, prepend=0).astype(np.int32)
            out["d"] = 1
        return out


@dataclass
class _Words:
    """Long text (summaries) as words: the words of every row, as codes into a word
    list, and each row's word count. Splitting on " " and joining with " " gives the
    text back exactly. Used for a set of rows only where it is smaller than the text."""

    text: list  # the texts, '' for missing
    lengths: np.ndarray  # characters per row
    codes: np.ndarray | None = None  # int64, the words of all rows in order
    counts: np.ndarray | None = None  # int64, words per row
    starts: np.ndarray | None = None  # int64, first word of each row
    words: list | None = None

    #: Fewer rows than this are sent as text.
    MIN_ROWS = 64

    def _split(self) -> None:
        arr = pa.array(self.text, type=pa.string())
        tokens = pc.split_pattern(arr, " ")
        self.counts = pc.list_value_length(tokens).to_numpy(zero_copy_only=False).astype(np.int64)
        enc = pc.dictionary_encode(pc.list_flatten(tokens))
        self.codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        self.words = enc.dictionary.to_pylist()
        self.starts = np.concatenate(([0], np.cumsum(self.counts)[:-1])).astype(np.int64)

    def take(self, idx: np.ndarray):
        """Rows ``idx`` as a list of texts, or as {"w": words, "k": word codes, "n": words per
        row} when that is clearly shorter as JSON."""
        if len(idx) < self.MIN_ROWS:
            return [self.text[i] for i in idx.tolist()]
        if self.codes is None:
            self._split()
        counts = self.counts[idx]
        total = int(counts.sum())
        ends = np.cumsum(counts)
        pos = np.repeat(self.starts[idx] - (ends - counts), counts) + np.arange(total, dtype=np.int64)
        sub, uniques = pd.factorize(self.codes[pos])
        words = [self.words[j] for j in uniques.tolist()]
        digits = len(str(max(len(words) - 1, 0))) + 1
        coded = total * digits + sum(map(len, words)) + 3 * len(words) + 3 * len(idx)
        if coded > 0.8 * (int(self.lengths[idx].sum()) + 3 * len(idx)):
            return [self.text[i] for i in idx.tolist()]
        return {"w": words, "k": sub.astype(np.int32), "n": counts.astype(np.int32)}


def _factorize(col: pd.Series) -> _Codes:
    """A text column as codes, '' for missing values (one Python str per distinct value)."""
    codes, uniques = pd.factorize(col)
    values = uniques.tolist()
    if not isinstance(col.dtype, pd.StringDtype):
        values = ["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in values]
    if len(codes) and codes.min() < 0:  # missing values
        codes = np.where(codes < 0, len(values), codes)
        values.append("")
    return _Codes(codes.astype(np.int64, copy=False), values)


def _words(col: pd.Series) -> _Words:
    """A text column of mostly distinct values (summaries), '' for missing."""
    values = col.tolist()
    if not isinstance(col.dtype, pd.StringDtype) or col.hasnans:
        values = ["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in values]
    if isinstance(col.dtype, pd.StringDtype) and not col.hasnans:
        lengths = col.str.len().to_numpy(dtype=np.int64)
    else:
        lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    return _Words(values, lengths)


def _first_rows(codes: np.ndarray) -> np.ndarray:
    """The first row of each code, for codes numbered in order of first appearance
    (as :func:`pandas.factorize` numbers them)."""
    if not len(codes):
        return np.empty(0, dtype=np.int64)
    seen = np.maximum.accumulate(codes)
    return np.flatnonzero(np.concatenate(([True], codes[1:] > seen[:-1])))


def _combine(*parts: _Codes) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the distinct combinations of several coded columns, and the first row of each."""
    codes = np.zeros(len(parts[0].codes), dtype=np.int64)
    for p in parts:
        codes, _ = pd.factorize(codes * (len(p.values) + 1) + p.codes)
    return codes.astype(np.int64, copy=False), _first_rows(codes)


def _list_codes(values: list, convert) -> _Codes:
    """A column of lists (claims, sources) as codes of their converted form;
    only non-empty lists are converted (imported events mostly have none)."""
    n = len(values)
    codes = np.zeros(n, dtype=np.int64)
    uniques: list = [[]]
    full = list(compress(range(n), values))
    if full:
        converted = [convert(values[i]) for i in full]
        keys = np.array([orjson.dumps(c) for c in converted], dtype=object)
        sub, _ = pd.factorize(keys)
        codes[full] = sub + 1
        uniques += [converted[i] for i in _first_rows(sub).tolist()]
    return _Codes(codes, uniques)


def _claims(v) -> list:
    return [[str(c.get("side", "")), str(c.get("claim", "")), str(c.get("source", ""))]
            for c in v if isinstance(c, dict)]


def _sources(v) -> list:
    return [[str(s.get("publisher") or s.get("url") or "source"), safe_url(s.get("url")) or ""]
            for s in v if isinstance(s, dict)]


#: (day number, precision) -> date label; dates repeat from one rerun to the next.
_DATE_LABELS: dict[int, str] = {}
_NS_PER_DAY = 86_400 * 10**9


def _dates(events: pd.DataFrame) -> _Codes:
    """Date labels (format_event_date) as codes, formatting each distinct (day, precision) once per process."""
    stamps = events["event_date"]
    if stamps.dtype != "datetime64[ns]":
        stamps = pd.to_datetime(stamps).astype("datetime64[ns]")
    days = stamps.to_numpy(dtype="datetime64[ns]")
    missing = np.isnat(days)
    days = days.view("int64") // _NS_PER_DAY
    prec = events["time_precision"]
    if prec.dtype != np.int64:
        prec = pd.to_numeric(prec, errors="coerce").fillna(1)
    prec = prec.to_numpy(dtype="int64")
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
    return _Codes(codes.astype(np.int64), labels, delta=True)


@dataclass
class EncodedEvents:
    """The window's events, encoded once for every category layer."""

    lat: np.ndarray
    lon: np.ndarray
    ids: np.ndarray  # object array of str
    category: _Codes
    text: dict[str, _Codes | _Words]

    def __len__(self) -> int:
        return len(self.ids)

    def payload(self, idx: np.ndarray) -> dict:
        """The JSON-ready columns of rows ``idx``."""
        out = {"n": int(len(idx)), "lat": self.lat[idx], "lon": self.lon[idx], "id": self.ids[idx].tolist()}
        for name in TEXT_FIELDS:
            out[name] = self.text[name].take(idx)
        return out

    def rows_of(self, category: str) -> np.ndarray:
        """Row positions of the events of ``category``."""
        try:
            code = self.category.values.index(category)
        except ValueError:
            return np.empty(0, dtype=np.int64)
        return np.flatnonzero(self.category.codes == code)


def encode_events(events: pd.DataFrame) -> EncodedEvents:
    """Encode the columns the markers and popups need (EVENT_COLUMNS frame).

    Column-wise, with Python work only per distinct value; the ``notes`` of an
    imported event are left out when they repeat its summary (ACLED's notes are
    the summary)."""
    n = len(events)
    if n == 0:
        empty = _Codes(np.empty(0, np.int64), [])
        return EncodedEvents(np.empty(0), np.empty(0), np.empty(0, dtype=object), empty,
                             {name: empty for name in TEXT_FIELDS})
    a1, a2 = _factorize(events["actor1"]), _factorize(events["actor2"])
    pair, first = _combine(a1, a2)
    actors = _Codes(pair, [f"{a1.values[a1.codes[i]]} / {a2.values[a2.codes[i]]}".strip(" /") for i in first])

    geo = pd.to_numeric(events["geo_precision"], errors="coerce").fillna(1).astype(int).to_numpy()
    geo_codes, geo_values = pd.factorize(np.where(geo == 0, 1, geo))
    geo = _Codes(geo_codes.astype(np.int64), geo_values.tolist())
    summary = events["summary"]
    origin = _factorize(events["origin"])
    imported = np.array([v.startswith("imported") for v in origin.values], dtype=bool)[origin.codes]
    # Notes only where imported and not a repeat of the summary (usually none: factorize those only).
    keep = np.flatnonzero(imported)
    if len(keep):
        keep = np.flatnonzero(imported & (events["notes"] != summary).to_numpy(dtype=bool, na_value=True))
    notes = _Codes(np.zeros(n, dtype=np.int64), [""])
    if len(keep):
        kept = _factorize(events["notes"].iloc[keep])
        notes.codes[keep] = kept.codes + 1
        notes.values += kept.values
    parts = [geo, _factorize(events["article_sentence"]), _list_codes(events["claims"].tolist(), _claims),
             _list_codes(events["sources"].tolist(), _sources), _factorize(events["unconfirmed"]), notes]
    combo, first = _combine(*parts)
    extra = _Codes(combo, [[p.values[p.codes[i]] for p in parts] for i in first])

    text = {"date": _dates(events), "title": _factorize(events["title"]), "summary": _words(summary),
            "actors": actors, "where": _factorize(events["location"]), "x": extra}
    return EncodedEvents(
        lat=events["latitude"].to_numpy(dtype=float).round(5), lon=events["longitude"].to_numpy(dtype=float).round(5),
        ids=events["id"].astype(str).to_numpy(dtype=object), category=_factorize(events["category"].astype(str)),
        text=text)


def decode_payload(payload: dict) -> list[dict]:
    """The events of an :class:`EventMarkers` payload as one dict per event (for tests and tools)."""
    def undelta(col):
        if isinstance(col, dict) and col.get("d"):
            col = {**col, "k": np.cumsum(col["k"]).tolist(), "d": 0}
        return col

    payload = {k: undelta(v) for k, v in payload.items()}
    starts = {}

    def get(col, i):
        if isinstance(col, dict) and "w" in col:
            if id(col) not in starts:
                starts[id(col)] = np.concatenate(([0], np.cumsum(col["n"]))).tolist()
            a, b = starts[id(col)][i], starts[id(col)][i + 1]
            return " ".join(col["w"][j] for j in col["k"][a:b])
        return col["v"][col["k"][i]] if isinstance(col, dict) else col[i]

    out = []
    for i in range(payload["n"]):
        geo, sentence, claims, sources, unconfirmed, notes = get(payload["x"], i)
        out.append({"lat": payload["lat"][i], "lon": payload["lon"][i], "id": payload["id"][i],
                    "date": get(payload["date"], i), "title": get(payload["title"], i),
                    "summary": get(payload["summary"], i), "actors": get(payload["actors"], i),
                    "where": get(payload["where"], i), "geo": geo, "sentence": sentence, "claims": claims,
                    "sources": sources, "unconfirmed": unconfirmed, "notes": notes})
    return out


_JS = """
(function () {
    var group = %(group)s;
    var columns = %(data)s;
    var d = columns;
    var color = %(color)s;
    var label = %(label)s;
    var uncertainty = %(uncertainty)s;
    var openId = %(open)s;
%(renderers)s
    var renderer = window.__eventRenderer(%(big)s);
    function get(c, i) {
        if (c.d) {  // codes sent as differences: sum them once
            for (var j = 1; j < c.k.length; j++) { c.k[j] += c.k[j - 1]; }
            c.d = 0;
        }
        if (c.w) {  // text as words: offsets of each row's words, once
            if (!c.o) {
                c.o = [0];
                for (var r = 0; r < c.n.length; r++) { c.o.push(c.o[r] + c.n[r]); }
            }
            var words = [];
            for (var q = c.o[i]; q < c.o[i + 1]; q++) { words.push(c.w[c.k[q]]); }
            return words.join(" ");
        }
        return c.k ? c.v[c.k[i]] : c[i];
    }
%(dom)s
    function esc(s) {
        return String(s).replace(/[&<>"'`]/g, function (c) {
            return "&#" + c.charCodeAt(0) + ";";
        });
    }
    function popup(i) {
        var x = get(d.x, i), where = get(d.where, i), actors = get(d.actors, i), summary = get(d.summary, i);
        var box = el("div", null, "event-popup");
        box.appendChild(el("div", get(d.date, i) + " \\u00b7 " + label, "event-date"));
        box.appendChild(el("h4", get(d.title, i)));
        if (summary) { box.appendChild(el("p", summary)); }
        if (actors) { box.appendChild(el("div", "Actors: " + actors)); }
        if (where) { box.appendChild(el("div", "Where: " + where + (x[0] > 1 ? " (approximate location)" : ""))); }
        if (x[1]) { box.appendChild(el("blockquote", "Article: \\u201c" + x[1] + "\\u201d")); }
        if (x[2].length) {
            var cl = el("div", null, "claims");
            cl.appendChild(el("b", "Claims differ:"));
            var ul = el("ul");
            x[2].forEach(function (c) {
                ul.appendChild(el("li", c[0] + ": " + c[1] + (c[2] ? " (" + c[2] + ")" : "")));
            });
            cl.appendChild(ul);
            box.appendChild(cl);
        }
        if (x[4]) { box.appendChild(el("div", "UNCONFIRMED: " + x[4], "unconfirmed")); }
        if (x[5]) { box.appendChild(el("div", "Notes: " + x[5])); }
        if (x[3].length) {
            var src = el("div", "Sources: ", "sources");
            links(src, x[3], ", ");
            box.appendChild(src);
        }
        return box;
    }
    function marker(i) {
        var ll = [d.lat[i], d.lon[i]], radius = uncertainty[get(d.x, i)[0]];
        if (radius) {
            L.circle(ll, {radius: radius, renderer: renderer, color: color, weight: 1.5, dashArray: "5 5",
                fill: true, fillOpacity: 0.06, interactive: false}).addTo(group);
        }
        var m = L.circleMarker(ll, {renderer: renderer, radius: 7, color: "#ffffff", weight: 1.5,
            fillColor: color, fillOpacity: 0.95, bubblingMouseEvents: false});
        m.eventId = d.id[i];
        m.bindTooltip(esc(get(d.title, i) + " (" + get(d.date, i) + ")"));
        m.bindPopup(function () { return popup(i); }, {maxWidth: 340, maxHeight: 260});
        m.addTo(group);
        if (openId !== null && d.id[i] === openId) {
            setTimeout(function () {
                if (m._map) { m.getPopup().options.autoPan = false; m.openPopup(); }
            }, 400);
        }
    }
    // In slices of about %(slice_ms)s ms, each its own task, so that a large window never
    // blocks the page for long. The adding stops once a newer run has taken the group
    // off the map.
    var next = 0;
    if (renderer.loading !== undefined) { renderer.loading++; }
    function more() {
        if (group._map) { group.__shown = true; } else if (group.__shown) { next = d.n; }
        var until = performance.now() + %(slice_ms)s;
        while (next < d.n) {
            for (var end = Math.min(next + 256, d.n); next < end; next++) { marker(next); }
            if (performance.now() > until) { break; }
        }
        if (next < d.n) { setTimeout(more, 0); return; }
        if (renderer.loading !== undefined && --renderer.loading === 0 && renderer._map && !renderer._redrawRequest) {
            renderer._redrawRequest = L.Util.requestAnimFrame(renderer._redraw, renderer);  // the last one
        }
    }
    more();
})();
"""


class EventMarkers(ScriptElement):
    """Circle markers for the events of one category (SVG, or canvas from BATCH_FROM on).

    Either ``events`` (a table, filtered to ``category`` here) or ``payload``
    (rows already encoded, from :meth:`EncodedEvents.payload`)."""

    def __init__(self, events: pd.DataFrame | None, category: str, open_id: str | None = None, *,
                 payload: dict | None = None, on_map: int | None = None, define_renderers: bool = True):
        super().__init__()
        self._name = "EventMarkers"
        if payload is None:
            enc = encode_events(events)
            payload = enc.payload(enc.rows_of(category))
        #: Markers on the map in all (this and the other categories): from BATCH_FROM on,
        #: they are drawn on the batch canvas instead of as SVG (layers._canvas).
        self.big = (payload["n"] if on_map is None else on_map) >= BATCH_FROM
        #: Whether the script defines the renderers (once per page run is enough: the
        #: definitions stay on the map frame's window; the groups' scripts run in order).
        self.define_renderers = define_renderers
        self.data_json = js_json(payload)
        self.color_json = js_json(CATEGORY_COLORS.get(category, "#009E73"))
        self.label_json = js_json(CATEGORIES.get(category, category))
        # With that many markers the rings of approximate places would cover the map and
        # cost most of each redraw: only the popup says "approximate location" then.
        self.uncertainty_json = js_json({} if self.big else {str(k): v for k, v in UNCERTAINTY_M.items()})
        self.open_json = js_json(open_id)

    def script_text(self) -> str:
        return _JS % {"group": self._parent.get_name(), "data": self.data_json, "color": self.color_json,
                      "label": self.label_json, "uncertainty": self.uncertainty_json, "open": self.open_json,
                      "dom": DOM_JS, "renderers": RENDERERS_JS if self.define_renderers else "", "slice_ms": SLICE_MS,
                      "big": "true" if self.big else "false"}


#: id(table) -> (weak reference, its encoding, its ids as an Index if unique else None)
_ENCODED: dict[int, tuple] = {}
_LOCK = threading.Lock()


def _encoded_table(events: pd.DataFrame) -> tuple[EncodedEvents, pd.Index | None]:
    """The encoding of a whole events table, kept while the table lives (tables
    are not changed in place: the page builds a new one when imports change)."""
    with _LOCK:
        entry = _ENCODED.get(id(events))
    if entry is not None and entry[0]() is events:
        return entry[1], entry[2]
    enc = encode_events(events)
    ids = pd.Index(events["id"]) if len(events) else pd.Index([])
    index = ids if ids.is_unique else None
    try:
        ref = weakref.ref(events, lambda _r, key=id(events): _ENCODED.pop(key, None))
    except TypeError:
        return enc, index
    with _LOCK:
        _ENCODED[id(events)] = (ref, enc, index)
    return enc, index


def _rows_in(all_events: pd.DataFrame, window_events: pd.DataFrame) -> tuple[EncodedEvents, np.ndarray] | None:
    """The cached encoding of ``all_events`` and the positions in it of the rows of
    ``window_events`` (in their order), or None if they cannot be matched by id."""
    enc, index = _encoded_table(all_events)
    if index is None or not len(window_events):
        return None
    if window_events["id"].dtype != index.dtype:
        return None
    pos = index.get_indexer(window_events["id"])
    if (pos < 0).any():
        return None
    # The same rows, not only the same ids (cheap check of the coordinates).
    lat = window_events["latitude"].to_numpy(dtype=float).round(5)
    lon = window_events["longitude"].to_numpy(dtype=float).round(5)
    if not (np.array_equal(enc.lat[pos], lat, equal_nan=True) and np.array_equal(enc.lon[pos], lon, equal_nan=True)):
        return None
    return enc, pos


def build_groups(events: pd.DataFrame, categories, open_id: str | None = None,
                 all_events: pd.DataFrame | None = None, rows: np.ndarray | None = None) -> list[folium.FeatureGroup]:
    """One FeatureGroup of markers per category in ``categories`` (in that order).

    The events are encoded once for all the categories. With ``all_events``, the
    table ``events`` was filtered from (the page keeps it between reruns), that
    table is encoded once and kept, and a window only picks its rows: ``rows``,
    the positions in ``all_events`` of the rows of ``events`` in their order
    (:meth:`geo.window.EventIndex.rows`), or else found by id."""
    found = None
    if all_events is not None and rows is not None and len(rows) == len(events):
        found = _encoded_table(all_events)[0], np.asarray(rows, dtype=np.int64)
    elif all_events is not None:
        found = _rows_in(all_events, events)
    if found is None:
        enc = encode_events(events)
        pos = np.arange(len(events), dtype=np.int64)
    else:
        enc, pos = found
    cats = enc.category.codes[pos]
    picked = []
    for category in categories:
        try:
            picked.append(pos[cats == enc.category.values.index(category)])
        except ValueError:
            picked.append(pos[:0])
    on_map = sum(map(len, picked))
    groups = []
    for i, (category, rows) in enumerate(zip(categories, picked)):
        fg = Group(name=CATEGORIES.get(category, category), show=True)
        EventMarkers(None, category, open_id, payload=enc.payload(rows), on_map=on_map,
                     define_renderers=i == 0).add_to(fg)
        groups.append(fg)
    return groups


def build(events: pd.DataFrame, *, category: str, name: str | None = None, show: bool = True,
          open_id: str | None = None) -> folium.FeatureGroup:
    """A FeatureGroup with the markers of ``events`` whose category is ``category``;
    the popup of the event ``open_id`` opens when the group is shown.

    Examples
    --------
    >>> fg = build(events, category="protest")  # doctest: +SKIP
    """
    fg = Group(name=name or CATEGORIES.get(category, category), show=show)
    EventMarkers(events, category, open_id).add_to(fg)
    return fg
