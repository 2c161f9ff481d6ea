"""Map controls without external assets: a fullscreen button and a legend."""

from __future__ import annotations

from branca.element import MacroElement
from jinja2 import Template

from geo.catalog import CATEGORIES
from layers.map_app import BATCH_FROM
from layers.palette import CATEGORY_COLORS, CORRIDOR_FILL, KARABAKH, ROAD
from layers.safe_html import esc


class FullscreenControl(MacroElement):
    """A fullscreen toggle built on the browser's Fullscreen API (no plugin JS)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var Ctl = L.Control.extend({
                options: {position: "topleft"},
                onAdd: function () {
                    var box = L.DomUtil.create("div", "leaflet-bar leaflet-control");
                    var a = L.DomUtil.create("a", "fullscreen-button", box);
                    a.href = "#"; a.title = "Full screen"; a.setAttribute("role", "button");
                    a.setAttribute("aria-label", "Full screen");
                    a.innerHTML = '<svg width="16" height="16" viewBox="0 0 16 16" style="margin-top:7px" aria-hidden="true">' +
                        '<path d="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5" fill="none" stroke="#333" stroke-width="2"/></svg>';
                    L.DomEvent.on(a, "click", function (e) {
                        L.DomEvent.preventDefault(e);
                        var page = null;  // in the tour: the page full screen, the step's text beside the map
                        try { page = window.parent !== window ? window.parent.DashPresent : null; } catch (err) { page = null; }
                        if (page && page.touring()) { page.toggleFullscreen(); return; }
                        var c = map.getContainer();
                        if (document.fullscreenElement) { document.exitFullscreen(); }
                        else if (c.requestFullscreen) { c.requestFullscreen(); }
                    });
                    L.DomEvent.disableClickPropagation(box);
                    return box;
                }
            });
            map.addControl(new Ctl());
            document.addEventListener("fullscreenchange", function () { map.invalidateSize(); });
        })();
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "FullscreenControl"


class Legend(MacroElement):
    """A collapsible legend of the event categories and the geographic symbols."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var Ctl = L.Control.extend({
                options: {position: "bottomright"},
                onAdd: function () {
                    var d = L.DomUtil.create("details", "map-legend");
                    d.open = window.innerWidth > 600;
                    d.innerHTML = {{ this.html_json }};
                    L.DomEvent.disableClickPropagation(d);
                    L.DomEvent.disableScrollPropagation(d);
                    return d;
                }
            });
            map.addControl(new Ctl());
        })();
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "Legend"
        rows = []
        for key, label in CATEGORIES.items():
            rows.append(f'<div><span class="dot" style="background:{CATEGORY_COLORS[key]}"></span>{esc(label)}</div>')
        rows.append(f'<div><span class="sw" style="border:2px dashed {KARABAKH}"></span>Nagorno-Karabakh (approx.)</div>')
        rows.append(f'<div><span class="sw" style="background:{CORRIDOR_FILL}"></span>Lachin corridor, 5 km</div>')
        rows.append(f'<div><span class="ln" style="border-top:3px dashed {ROAD}"></span>Road (schematic)</div>')
        # Rings are not drawn with BATCH_FROM or more markers on the map (static/js/dash-map.js).
        rows.append(f'<div><span class="ring"></span>Approximate event location (dashed ring; not drawn '
                    f'when {BATCH_FROM:,} or more events are shown)</div>')
        style = (
            "<style>.map-legend{background:#fff;padding:4px 8px;border-radius:4px;font:12px/1.5 sans-serif;"
            "box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:220px}.map-legend summary{cursor:pointer;font-weight:600}"
            ".map-legend .dot{display:inline-block;width:11px;height:11px;border-radius:50%;margin-right:6px;"
            "border:1px solid #fff;vertical-align:middle}.map-legend .sw{display:inline-block;width:14px;height:10px;"
            "margin-right:6px;vertical-align:middle}.map-legend .ln{display:inline-block;width:16px;margin-right:6px;"
            "vertical-align:middle}.map-legend .ring{display:inline-block;width:12px;height:12px;border-radius:50%;"
            "border:1.5px dashed #555;margin-right:6px;vertical-align:middle}</style>"
        )
        import json

        self.html_json = json.dumps(style + "<summary>Legend</summary>" + "".join(rows)).replace("<", "\\u003c")
