"""Shared machinery of the geographic layers: each feature drawn with a
tooltip of its names and a popup listing its events in the window.

Each layer module (countries, karabakh, ...) only chooses styles; this module
does the drawing, so popups look and behave the same everywhere.

A layer is one :class:`GeoShapes` element in a FeatureGroup. What does not
depend on the date window (geometry, styles, tooltips, the escaped static part
of each popup) is one JSON payload computed once per distinct layer content
and kept in a small module-level cache; what does (the window's label, the
events naming each feature, the feature to open) is a small part computed on
every call. The script draws SVG paths and circle markers into the group and
fills each popup's "Events" list when it opens, from text nodes only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import weakref
from collections import OrderedDict
from typing import Callable

import folium
import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import shapely

from layers._script import Group, ScriptElement, js_json
from layers.format import format_event_date, names
from layers.safe_html import DOM_JS, esc, link, safe_url

Style = dict[str, object]


def _as_list(value: object) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                return list(json.loads(text))
            except ValueError:
                return [text]
        return [text] if text else []
    try:
        return list(value)
    except TypeError:
        return []


def _text(value: object) -> str:
    """A property as text: '' for missing values (None, NaN, empty)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def _is_true(value: object) -> bool:
    return value is True or str(value).lower() in ("true", "1", "yes")


def tooltip_text(props: dict) -> str:
    """Plain tooltip text of a feature: its names, and '(approximate)' if so."""
    text = names(props)
    if _is_true(props.get("approximate")):
        text += " (approximate)"
    return text


def window_label(window: tuple[dt.date, dt.date] | None) -> str:
    if window is None:
        return ""
    a, b = window
    return f"{a.day} {a:%b %Y} – {b.day} {b:%b %Y}"


def popup_parts(props: dict) -> tuple[str, str]:
    """The parts of a feature popup that do not depend on the window, as HTML:
    (names, facts and approximation note; data sources). The window's events go
    between them. Every piece of text is escaped; links are http(s) only."""
    props = {k: _text(v) if k != "sources" and k != "approximate" else v for k, v in props.items()}
    head = [f'<h4>{esc(props.get("name", ""))}</h4>']
    if props.get("name_alt"):
        head.append(f'<div class="alt">Also: {esc(props["name_alt"])}</div>')
    if props.get("description"):
        head.append(f"<p>{esc(props['description'])}</p>")
    facts = []
    area = props.get("area_km2")
    if area:
        facts.append(f"Area: {float(area):,.0f} km²")
    if props.get("facts"):
        facts.append(esc(props["facts"]))
    if props.get("valid_from") or props.get("valid_to"):
        since = props.get("valid_from") or "…"
        until = props.get("valid_to") or "…"
        facts.append(f"In use: {esc(since)} to {esc(until)}")
    if facts:
        head.append("<p>" + "<br>".join(facts) + "</p>")
    if _is_true(props.get("approximate")):
        note = props.get("approx_note") or "shape or position is approximate"
        head.append(f'<p class="approx"><b>Approximate:</b> {esc(note)}</p>')
    tail = ""
    sources = _as_list(props.get("sources"))
    if sources:
        tail = ('<div class="sources">Data: '
                + ", ".join(link(u, u if len(str(u)) < 40 else str(u)[:37] + "…") for u in sources)
                + "</div>")
    return "".join(head), tail


# --- the payload that does not depend on the window ------------------------------------------

def _feature_payload(props: dict, geom, style: Style, point_radius: int, popups: bool) -> dict:
    if geom.geom_type == "Point":
        opts = {"radius": style.get("radius", point_radius), "color": style.get("color"),
                "weight": style.get("weight", 2), "fill": True,
                "fillColor": style.get("fillColor", style.get("color")),
                "fillOpacity": style.get("fillOpacity", 0.9)}
        if style.get("dashArray"):
            opts["dashArray"] = style["dashArray"]
    else:
        opts = {k: v for k, v in style.items() if k != "radius"}
    feature = {"id": str(props["id"]), "g": shapely.geometry.mapping(geom), "s": opts,
               "t": f"<div>{esc(tooltip_text(props))}</div>"}
    if popups:
        feature["h"], feature["x"] = popup_parts(props)
    return feature


#: (style, options, content digest) -> (payload JSON, [(feature id, part_of), ...])
_PAYLOADS: OrderedDict[tuple, tuple[str, list[tuple[str, str | None]]]] = OrderedDict()
_PAYLOADS_MAX = 64
_LOCK = threading.Lock()


#: id(frame) -> (weak reference to the frame, its digest): a frame seen before is not hashed again.
_DIGESTS: dict[int, tuple[weakref.ref, bytes]] = {}


def _digest(gdf: gpd.GeoDataFrame) -> bytes:
    """A digest of a layer's content (column names, properties, geometry), to key the payload cache.

    Remembered per frame object while it lives: layers are not changed in place
    once loaded (the page's data are a cached resource)."""
    with _LOCK:
        seen = _DIGESTS.get(id(gdf))
    if seen is not None and seen[0]() is gdf:
        return seen[1]
    h = hashlib.blake2b(digest_size=20)
    geometry = gdf.geometry.name
    columns = [c for c in gdf.columns if c != geometry]
    h.update(orjson.dumps([str(c) for c in columns]))
    for c in columns:
        h.update(orjson.dumps(gdf[c].tolist(), default=str,
                              option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS))
    for wkb in shapely.to_wkb(np.asarray(gdf.geometry.to_numpy(), dtype=object)):
        h.update(b"\0" if wkb is None else wkb)
    digest = h.digest()
    try:
        ref = weakref.ref(gdf, lambda _r, key=id(gdf): _DIGESTS.pop(key, None))
    except TypeError:
        return digest
    with _LOCK:
        _DIGESTS[id(gdf)] = (ref, digest)
    return digest


def layer_payload(gdf: gpd.GeoDataFrame, style: Callable[[dict], Style], *, point_radius: int = 6,
                  permanent_labels: bool = False, popups: bool = True) -> tuple[str, list[tuple[str, str | None]]]:
    """The window-independent JSON of a layer and its features' (id, part_of), in drawing order.

    Cached on the layer's content (properties and geometry), the style function
    and the options: an unchanged layer costs a digest (or, for a frame seen
    before, a look-up), not a rebuild."""
    key = (style, point_radius, permanent_labels, popups, _digest(gdf))
    with _LOCK:
        hit = _PAYLOADS.get(key)
        if hit is not None:
            _PAYLOADS.move_to_end(key)
            return hit
    props = gdf.drop(columns=gdf.geometry.name).to_dict("records")
    geoms = gdf.geometry.to_numpy()
    feats, ids = [], []
    for p, geom in zip(props, geoms):
        if geom is None or geom.is_empty:
            continue
        feats.append(_feature_payload(p, geom, style(p), point_radius, popups))
        ids.append((str(p["id"]), _text(p.get("part_of")) or None))
    payload = {"f": feats, "popups": popups,
               "tip": ({"sticky": True, "permanent": True, "direction": "right", "className": "place-label"}
                       if permanent_labels else {"sticky": True, "direction": "auto"})}
    value = (js_json(payload), ids)
    with _LOCK:
        _PAYLOADS[key] = value
        while len(_PAYLOADS) > _PAYLOADS_MAX:
            _PAYLOADS.popitem(last=False)
    return value


# --- the part that depends on the window ------------------------------------------------------

class _NamedEvents:
    """The events naming features, ready for popups: sorted by start date then id,
    each as [date label, title, [[publisher, http(s) url or ""], ...]], and
    feature id -> positions in that order."""

    def __init__(self, events: pd.DataFrame):
        n = len(events)
        starts = events["date_start"].to_numpy(dtype="datetime64[ns]").view("int64").tolist() if n else []
        ids = events["id"].astype(str).tolist() if n else []
        order = sorted(range(n), key=lambda i: (starts[i] if starts[i] != _NAT else _LAST, ids[i]))
        cols = {c: events[c].tolist() for c in ("features", "title", "event_date", "time_precision", "sources")}
        self.rows = []
        self.index: dict[str, list[int]] = {}
        for rank, i in enumerate(order):
            for fid in cols["features"][i] or ():
                positions = self.index.setdefault(str(fid), [])
                if not positions or positions[-1] != rank:
                    positions.append(rank)
            sources = [[str(s.get("publisher") or "source"), safe_url(s.get("url")) or ""]
                       for s in _as_list(cols["sources"][i]) if isinstance(s, dict)]
            self.rows.append([format_event_date(cols["event_date"][i], cols["time_precision"][i]),
                              _text(cols["title"][i]), sources])


_NAT = np.iinfo(np.int64).min
_LAST = np.iinfo(np.int64).max
#: The last events table seen and its _NamedEvents: every layer of one map gets the same table.
_LAST_NAMED = threading.local()


def _named(events: pd.DataFrame) -> _NamedEvents:
    seen = getattr(_LAST_NAMED, "value", None)
    if seen is not None and seen[0]() is events:
        return seen[1]
    named = _NamedEvents(events)
    try:
        _LAST_NAMED.value = (weakref.ref(events), named)
    except TypeError:
        pass
    return named


def window_part(ids: list[tuple[str, str | None]], events: pd.DataFrame | None, window=None,
                open_id: str | None = None) -> dict:
    """The window's data for one layer's popups.

    ``ev``: the events naming any of the layer's features (or the group a feature
    is part of), each once, sorted by start date then id, as [date label, title,
    [[publisher, http(s) url or ""], ...]]; ``ix``: per feature (drawing order)
    the positions of its events in ``ev``; ``label``: the window; ``open``: the
    feature whose popup opens. ``ev`` is None when ``events`` is None (no list)."""
    out = {"label": window_label(window), "ev": None, "ix": None, "open": open_id}
    if events is None:
        return out
    named = _named(events)
    hits = []
    for fid, part_of in ids:
        found = set(named.index.get(fid, ()))
        if part_of and part_of != fid:
            found.update(named.index.get(part_of, ()))
        hits.append(sorted(found))
    used = sorted(set().union(*hits)) if hits else []
    new = {old: i for i, old in enumerate(used)}
    out["ev"] = [named.rows[i] for i in used]
    out["ix"] = [[new[i] for i in h] for h in hits]
    return out


_JS = """
(function () {
    var group = %(group)s;
    var data = %(data)s;
    var win = %(win)s;
%(dom)s
    function events(k) {
        var hits = win.ix[k] || [];
        var box = el("div", null, "events");
        box.appendChild(el("b", "Events " + win.label + " (" + hits.length + ")"));
        if (!hits.length) {
            var none = el("div");
            none.appendChild(el("i", "none in this window"));
            box.appendChild(none);
            return box;
        }
        var ul = el("ul");
        hits.forEach(function (i) {
            var e = win.ev[i], li = el("li", e[0] + ": " + e[1] + " ");
            links(li, e[2], " ");
            ul.appendChild(li);
        });
        box.appendChild(ul);
        return box;
    }
    function popup(k) {
        var f = data.f[k], box = el("div", null, "feature-popup");
        box.insertAdjacentHTML("beforeend", f.h);  // escaped in Python, no window data
        if (win.ev) { box.appendChild(events(k)); }
        if (f.x) { box.insertAdjacentHTML("beforeend", f.x); }
        return box;
    }
    function draw(f, k) {
        var g = f.g, layer;
        if (g.type === "Point") {
            layer = L.circleMarker([g.coordinates[1], g.coordinates[0]], f.s);
        } else {
            layer = L.GeoJSON.geometryToLayer(g, f.s);
            if (data.popups) {
                var weight = f.s.weight === undefined ? 3 : f.s.weight;
                layer.on("mouseover", function () { layer.setStyle({weight: 3}); });
                layer.on("mouseout", function () { layer.setStyle({weight: weight}); });
            }
        }
        layer.bindTooltip(f.t, data.tip);
        if (data.popups) {
            layer.bindPopup(function () { return popup(k); }, {maxWidth: 340, maxHeight: 260});
            if (win.open !== null && win.open === f.id) {
                setTimeout(function () {
                    // No auto-pan: the map is already where the page (or a tour step) put it.
                    if (layer._map) { layer.getPopup().options.autoPan = false; layer.openPopup(); }
                }, 400);
            }
        }
        layer.addTo(group);
    }
    data.f.forEach(draw);
})();
"""


class GeoShapes(ScriptElement):
    """The features of one geographic layer, drawn into the parent FeatureGroup."""

    def __init__(self, payload_json: str, window: dict):
        super().__init__()
        self._name = "GeoShapes"
        self.payload_json = payload_json
        self.window_json = js_json(window)

    def script_text(self) -> str:
        return _JS % {"group": self._parent.get_name(), "data": self.payload_json, "win": self.window_json,
                      "dom": DOM_JS}


def shapes_group(
    gdf: gpd.GeoDataFrame,
    *,
    name: str,
    show: bool = True,
    style: Callable[[dict], Style],
    events: pd.DataFrame | None = None,
    window: tuple[dt.date, dt.date] | None = None,
    point_radius: int = 6,
    permanent_labels: bool = False,
    popups: bool = True,
    open_id: str | None = None,
) -> folium.FeatureGroup:
    """A FeatureGroup drawing every feature of ``gdf``: SVG paths for shapes,
    circle markers for points, each with its names as tooltip and a popup.

    Parameters
    ----------
    gdf : GeoDataFrame in EPSG:4326 with the catalog's required properties.
    name, show : FeatureGroup name and initial visibility.
    style : function of a feature's properties returning a Leaflet path style.
    events : the events in the current window; each popup lists its feature's
        (only rows naming features matter; None: no events list).
    window : the window, for the popup heading.
    open_id : id of a feature whose popup opens when the group is shown.
    """
    fg = Group(name=name, show=show)
    payload, ids = layer_payload(gdf, style, point_radius=point_radius, permanent_labels=permanent_labels,
                                 popups=popups)
    part = window_part(ids, events if popups else None, window, open_id if popups else None)
    GeoShapes(payload, part).add_to(fg)
    return fg
