"""Shared machinery of the geographic layers: each feature drawn with a
tooltip of its names and a popup listing its events in the window.

Each layer module (countries, karabakh, ...) only chooses styles; this module
builds the data, so popups look and behave the same everywhere.

A layer is one :class:`GeoShapes` element in a FeatureGroup, holding one JSON
payload: geometry, style, tooltip, the escaped static parts of each popup and
each feature's validity dates. Nothing in it depends on the date window, the
toggles or the selection: the browser (``static/js/dash-map.js``,
``DashMap.shapes``) draws the features once, shows the versions valid in the
window, and fills each popup's "Events" list from the events it already has
when the popup opens, from text nodes only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import folium
import geopandas as gpd
import pandas as pd
import shapely

from layers._script import Group, ScriptElement, js_json
from layers.format import names
from layers.safe_html import esc, link

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


#: Names of the data sources the layers cite, by the host of their URL (a listed domain covers
#: its subdomains); a source on another host is named by its host.
SOURCE_NAMES = {
    "naturalearthdata.com": "Natural Earth",
    "geonames.org": "GeoNames",
    "packages.debian.org": "Debian package",
    "soest.hawaii.edu": "GSHHG / WDBII",
}


def source_name(url: object) -> str:
    """A data source's name for its link, from its URL's host (never the URL cut short).

    >>> source_name("https://www.naturalearthdata.com/downloads/10m-cultural-vectors/")
    'Natural Earth'
    >>> source_name("https://example.org/a/b")
    'example.org'
    """
    from urllib.parse import urlsplit

    try:
        host = (urlsplit(str(url).strip()).hostname or "").lower()
    except ValueError:
        host = ""
    name = host[4:] if host.startswith("www.") else host
    probe = host
    while probe:
        if probe in SOURCE_NAMES:
            return SOURCE_NAMES[probe]
        probe = probe.partition(".")[2]
    return name or "source"


def _day(text: object) -> str:
    try:
        day = dt.date.fromisoformat(str(text))
    except ValueError:
        return str(text)
    return f"{day.day} {day:%B %Y}"


def in_use(valid_from: object, valid_to: object) -> str:
    """When a dated version was in use, in words (``valid_to`` is the first day it no longer was).

    >>> in_use("2022-08-30", "2023-04-01"), in_use("2023-04-01", "")
    ('In use from 30 August 2022 until 1 April 2023', 'In use since 1 April 2023')
    """
    if valid_from and valid_to:
        return f"In use from {_day(valid_from)} until {_day(valid_to)}"
    if valid_from:
        return f"In use since {_day(valid_from)}"
    return f"In use until {_day(valid_to)}"


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
        facts.append(esc(in_use(props.get("valid_from"), props.get("valid_to"))))
    if facts:
        head.append("<p>" + "<br>".join(facts) + "</p>")
    if _is_true(props.get("approximate")):
        note = props.get("approx_note") or "shape or position is approximate"
        head.append(f'<p class="approx"><b>Approximate:</b> {esc(note)}</p>')
    tail = ""
    sources = _as_list(props.get("sources"))
    if sources:
        tail = ('<div class="sources">Data: '
                + " · ".join(link(u, source_name(u)) for u in sources)
                + "</div>")
    return "".join(head), tail


# --- the payload --------------------------------------------------------------------------------

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
    part_of = _text(props.get("part_of"))
    if part_of:
        feature["p"] = part_of
    for key, name in (("valid_from", "vf"), ("valid_to", "vt")):
        if _text(props.get(key)):
            feature[name] = _text(props.get(key))
    if popups:
        feature["h"], feature["x"] = popup_parts(props)
    return feature


def layer_payload(gdf: gpd.GeoDataFrame, style: Callable[[dict], Style], *, point_radius: int = 6,
                  permanent_labels: bool = False, popups: bool = True, label_direction: str = "right",
                  label_class: str = "place-label") -> dict:
    """The JSON-ready payload of a layer: its features in drawing order (id, GeoJSON
    geometry, Leaflet style, tooltip HTML, part_of, validity dates, and the popup's
    escaped static parts), whether features have popups, and the tooltip options
    (permanent labels: ``label_direction`` from the feature, CSS class ``label_class``;
    the map frame moves or hides labels that would overlap, static/js/dash-view.js)."""
    props = gdf.drop(columns=gdf.geometry.name).to_dict("records")
    feats = [_feature_payload(p, geom, style(p), point_radius, popups)
             for p, geom in zip(props, gdf.geometry.to_numpy()) if geom is not None and not geom.is_empty]
    return {"f": feats, "popups": popups,
            "tip": ({"sticky": True, "permanent": True, "direction": label_direction, "className": label_class}
                    if permanent_labels else {"sticky": True, "direction": "auto"})}


class GeoShapes(ScriptElement):
    """The features of one geographic layer, drawn into the parent FeatureGroup by
    ``DashMap.shapes`` (static/js/dash-map.js)."""

    def __init__(self, key: str, payload: dict):
        super().__init__()
        self._name = "GeoShapes"
        self.key = key
        self.payload_json = js_json(payload)

    def script_text(self) -> str:
        return f"DashMap.shapes({self._parent.get_name()}, {js_json(self.key)}, {self.payload_json});"


def shapes_group(
    gdf: gpd.GeoDataFrame,
    *,
    key: str,
    name: str,
    style: Callable[[dict], Style],
    point_radius: int = 6,
    permanent_labels: bool = False,
    popups: bool = True,
    label_direction: str = "right",
    label_class: str = "place-label",
) -> folium.FeatureGroup:
    """A FeatureGroup (not added to the map: the page's state shows it) drawing
    every feature of ``gdf``: SVG paths for shapes, circle markers for points,
    each with its names as tooltip and a popup.

    Parameters
    ----------
    gdf : GeoDataFrame in EPSG:4326 with the catalog's required properties.
    key : the layer's key (geo.catalog.LAYER_FILES), as the state names it.
    name : FeatureGroup name.
    style : function of a feature's properties returning a Leaflet path style.
    permanent_labels : names always shown (``label_direction`` of the feature, class ``label_class``)
        instead of on hover.
    """
    fg = Group(name=name, show=False)
    GeoShapes(key, layer_payload(gdf, style, point_radius=point_radius, permanent_labels=permanent_labels,
                                 popups=popups, label_direction=label_direction,
                                 label_class=label_class)).add_to(fg)
    return fg
