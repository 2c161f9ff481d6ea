"""Shared machinery of the geographic layers: one folium object per feature,
with a tooltip of its names and a popup listing its events in the window.

Each layer module (countries, karabakh, ...) only chooses styles; this module
does the drawing, so popups look and behave the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Callable

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from geo.event_join import events_for_feature, feature_index
from layers.format import format_event_date, names
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


def window_label(window: tuple[dt.date, dt.date] | None) -> str:
    if window is None:
        return ""
    a, b = window
    return f"{a.day} {a:%b %Y} – {b.day} {b:%b %Y}"


def popup_html(props: dict, events: pd.DataFrame | None, window=None) -> str:
    """HTML of a feature popup: names, facts, approximation note, sources and
    the feature's events in the window (date, title, source link). Every piece
    of text is escaped; links are http(s) only."""
    props = {k: _text(v) if k != "sources" and k != "approximate" else v for k, v in props.items()}
    parts = [f'<div class="feature-popup"><h4>{esc(props.get("name", ""))}</h4>']
    if props.get("name_alt"):
        parts.append(f'<div class="alt">Also: {esc(props["name_alt"])}</div>')
    if props.get("description"):
        parts.append(f"<p>{esc(props['description'])}</p>")
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
        parts.append("<p>" + "<br>".join(facts) + "</p>")
    if _is_true(props.get("approximate")):
        note = props.get("approx_note") or "shape or position is approximate"
        parts.append(f'<p class="approx"><b>Approximate:</b> {esc(note)}</p>')
    if events is not None:
        label = window_label(window)
        parts.append(f'<div class="events"><b>Events {esc(label)} ({len(events)})</b>')
        if len(events):
            parts.append("<ul>")
            for ev in events.itertuples(index=False):
                srcs = " ".join(
                    link(s.get("url"), s.get("publisher") or "source")
                    for s in _as_list(ev.sources) if isinstance(s, dict)
                )
                parts.append(
                    f"<li>{esc(format_event_date(ev.event_date, ev.time_precision))}: "
                    f"{esc(ev.title)} {srcs}</li>"
                )
            parts.append("</ul>")
        else:
            parts.append("<div><i>none in this window</i></div>")
        parts.append("</div>")
    sources = _as_list(props.get("sources"))
    if sources:
        parts.append(
            '<div class="sources">Data: '
            + ", ".join(link(u, u if len(str(u)) < 40 else str(u)[:37] + "…") for u in sources)
            + "</div>"
        )
    parts.append("</div>")
    return "".join(parts)


class OpenPopup(MacroElement):
    """Opens its parent layer's popup once the layer is on the map (used for
    the feature selected in a shared link or highlighted by a tour step)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        setTimeout(function () {
            var layer = {{ this._parent.get_name() }};
            // No auto-pan: the map is already where the page (or a tour step) put it.
            if (layer._map && layer.getPopup()) { layer.getPopup().options.autoPan = false; layer.openPopup(); }
        }, 400);
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "OpenPopup"


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
    """A FeatureGroup with one GeoJson/CircleMarker per feature of ``gdf``.

    Parameters
    ----------
    gdf : GeoDataFrame in EPSG:4326 with the catalog's required properties.
    name, show : FeatureGroup name and initial visibility.
    style : function of a feature's properties returning a Leaflet path style.
    events : the events in the current window; each popup lists its feature's.
    window : the window, for the popup heading.
    open_id : id of a feature whose popup opens when the group is shown.
    """
    fg = folium.FeatureGroup(name=name, show=show)
    # One index of the events by feature id for the whole group (not one scan per feature).
    index = feature_index(events) if popups and events is not None else None
    for props, geom in zip(gdf.drop(columns="geometry").to_dict("records"), gdf.geometry):
        if geom is None or geom.is_empty:
            continue
        st = style(props)
        tip = folium.Tooltip(esc(tooltip_text(props)), permanent=permanent_labels,
                             direction="right" if permanent_labels else "auto",
                             class_name="place-label" if permanent_labels else "")
        popup = None
        if popups:
            feature_events = None
            if events is not None:
                feature_events = events_for_feature(events, props["id"], part_of=props.get("part_of") or None,
                                                    index=index)
            popup = folium.Popup(popup_html(props, feature_events, window), max_width=340)
        if geom.geom_type == "Point":
            layer = folium.CircleMarker(
                location=(geom.y, geom.x), radius=st.get("radius", point_radius),
                color=st.get("color"), weight=st.get("weight", 2), fill=True,
                fill_color=st.get("fillColor", st.get("color")),
                fill_opacity=st.get("fillOpacity", 0.9), dash_array=st.get("dashArray"),
                tooltip=tip, popup=popup,
            )
        else:
            layer = folium.GeoJson(
                {"type": "Feature", "properties": {"id": props["id"]}, "geometry": geom.__geo_interface__},
                style_function=lambda _f, st=st: st,
                highlight_function=(lambda _f: {"weight": 3}) if popups else None,
                tooltip=tip, popup=popup, name=props["id"],
            )
        if popup is not None and open_id is not None and props["id"] == open_id:
            OpenPopup().add_to(layer)
        layer.add_to(fg)
    return fg
