"""The renderers of the event markers: SVG, or for many markers a canvas drawing sprites.

Leaflet's ``L.Canvas`` draws each layer on its own: a path, a fill and a
stroke with their style set again, for every marker. With 100,000 events one
redraw took 1.7 s of the page's main thread in headless Chromium (nearly all
of it in ``_fillStroke``), and a redraw follows every pan, zoom and window
change: the page froze.

``BATCH_CANVAS_JS`` defines ``window.__BatchCanvas``, an ``L.Canvas`` class whose
``_draw`` keeps Leaflet's own way below :data:`BATCH_FROM` layers and, from
there on, draws each circle (``L.CircleMarker`` and ``L.Circle`` up to 128 px)
by copying a sprite: a small canvas with that style and radius drawn once, as
Leaflet would draw it. The layers keep their order, so the map looks the same
(circle centres are rounded to whole pixels). Other layers, and larger
circles, are drawn by Leaflet as before, in their place. Leaflet's hit
testing, tooltips and popups are untouched (they do not depend on ``_draw``).

While markers are still being added in slices (``loading`` > 0), it redraws
at most every :data:`HOLD_MS`. (One ``Path2D`` per style, filled once, was
tried first: cheap in JavaScript, but rasterising 100,000 overlapping
sub-paths took seconds.)

``RENDERERS_JS`` defines ``window.__eventRenderer(big)``, which picks between
an SVG renderer and that canvas, both in a map pane above the shapes.
"""

from __future__ import annotations

__all__ = ["BATCH_CANVAS_JS", "BATCH_FROM", "EVENT_PANE", "RENDERERS_JS"]

#: Markers on the map from which they are drawn on the canvas from sprites (not as SVG).
BATCH_FROM = 2000
#: While markers are being added, the batch canvas redraws at most this often (ms).
HOLD_MS = 500
#: The map pane of the event markers: above the shapes' overlay pane (400), under
#: Leaflet's marker (600), tooltip and popup panes.
EVENT_PANE = "eventMarkers"
EVENT_PANE_Z = 450

BATCH_CANVAS_JS = """
    window.__BatchCanvas = window.__BatchCanvas || (function () {
        var sprites = {}, spriteCount = 0, generation = 0;  // a layer keeps its sprite while the generation lasts
        // A small canvas holding one circle of style ``o`` and radius ``r`` as Leaflet draws it.
        function sprite(o, r) {
            var key = [r, o.stroke, o.color, o.weight, o.opacity, o.dashArray, o.fill, o.fillColor,
                       o.fillOpacity].join("|");
            var s = sprites[key];
            if (s) { return s; }
            if (spriteCount > 500) { sprites = {}; spriteCount = 0; generation++; }
            var half = Math.ceil(r + (o.stroke ? o.weight : 0) / 2) + 1, c = document.createElement("canvas");
            c.width = c.height = 2 * half;
            var ctx = c.getContext("2d");
            ctx.beginPath();
            ctx.arc(half, half, r, 0, Math.PI * 2, false);
            if (o.fill) {
                ctx.globalAlpha = o.fillOpacity;
                ctx.fillStyle = o.fillColor || o.color;
                ctx.fill(o.fillRule || "evenodd");
            }
            if (o.stroke && o.weight !== 0) {
                if (o.dashArray) { ctx.setLineDash(String(o.dashArray).split(/[, ]+/).map(Number)); }
                ctx.globalAlpha = o.opacity;
                ctx.lineWidth = o.weight;
                ctx.strokeStyle = o.color;
                ctx.lineCap = o.lineCap;
                ctx.lineJoin = o.lineJoin;
                ctx.stroke();
            }
            spriteCount++;
            return sprites[key] = {canvas: c, half: half};
        }
        var BatchCanvas = L.Canvas.extend({
            // While markers are still being added (``loading`` > 0), redraw at most every
            // %(hold)d ms instead of after every slice of them.
            loading: 0,
            _redraw: function () {
                var wait = this._lastDraw ? this._lastDraw + %(hold)d - performance.now() : 0, self = this;
                this._redrawRequest = null;
                if (this.loading > 0 && wait > 0) {  // the dirty bounds keep growing meanwhile
                    this._holdTimer = this._holdTimer || setTimeout(function () {
                        self._holdTimer = null;
                        self._redraw();
                    }, wait);
                    return;
                }
                clearTimeout(this._holdTimer);
                this._holdTimer = null;
                L.Canvas.prototype._redraw.call(this);
                this._lastDraw = performance.now();
            },
            _draw: function () {
                var layer, bounds = this._redrawBounds, ctx = this._ctx, count = 0, order;
                for (order = this._drawFirst; order && count < %(batch_from)d; order = order.next) { count++; }
                if (count < %(batch_from)d) { return L.Canvas.prototype._draw.call(this); }
                ctx.save();
                if (bounds) {
                    var size = bounds.getSize();
                    ctx.beginPath();
                    ctx.rect(bounds.min.x, bounds.min.y, size.x, size.y);
                    ctx.clip();
                }
                this._drawing = true;
                for (order = this._drawFirst; order; order = order.next) {
                    layer = order.layer;
                    if (bounds && !(layer._pxBounds && layer._pxBounds.intersects(bounds))) { continue; }
                    var r = layer._radius;
                    if (!(layer instanceof L.CircleMarker) || layer._empty() || r > 128 ||
                            (layer._radiusY && Math.round(layer._radiusY) !== Math.round(r))) {
                        layer._updatePath();
                        continue;
                    }
                    r = Math.max(Math.round(r), 1);
                    var sp = layer.__spriteR === r && layer.__spriteGen === generation ? layer.__sprite
                        : (layer.__sprite = sprite(layer.options, layer.__spriteR = r)), p = layer._point;
                    layer.__spriteGen = generation;
                    ctx.drawImage(sp.canvas, Math.round(p.x) - sp.half, Math.round(p.y) - sp.half);
                }
                this._drawing = false;
                ctx.restore();
            }
        });
        return BatchCanvas;
    })();
""" % {"batch_from": BATCH_FROM, "hold": HOLD_MS}

#: Defines ``window.__eventRenderer(big)``: the one renderer of all event markers, in
#: the map pane EVENT_PANE above the shapes (created on first use). Up to BATCH_FROM
#: events it is SVG: its root lets the pointer through, so the shapes underneath keep
#: their tooltips and popups and each marker has its own. Beyond, it is the batch
#: canvas, as SVG with that many elements would freeze the page. A canvas would take
#: every pointer event over the map, so it lets them through too, and the map's
#: container hands it each mouse move and click first (capture phase): over a marker,
#: the marker gets the event (as Leaflet's canvas would fire it) and the shapes do not.
#: The markers are made with ``bubblingMouseEvents: false`` so that an event fired on
#: one does not reach the shape under it.
RENDERERS_JS = BATCH_CANVAS_JS + """
    window.__eventRenderer = window.__eventRenderer || (function () {
        function inPane(Base) {
            return Base.extend({
                onAdd: function (map) {
                    if (!map.getPane("%(pane)s")) { map.createPane("%(pane)s").style.zIndex = %(z)d; }
                    Base.prototype.onAdd.call(this, map);
                }
            });
        }
        var Svg = inPane(L.SVG), canvas = null, svg = null, active = false;
        // The canvas lets the pointer through to the shapes underneath; the map's container
        // asks it first (capture phase) whether a marker is under the pointer, and only then
        // keeps the event from the shapes.
        var PaneCanvas = inPane(window.__BatchCanvas);
        var Canvas = PaneCanvas.extend({
            onAdd: function (map) {
                PaneCanvas.prototype.onAdd.call(this, map);
                this._container.style.pointerEvents = "none";
                if (this._forwarding !== map) { this._forwarding = map; forward(map, this); }
            }
        });
        function hit(r, e, click) {
            var map = r._map, point = map.mouseEventToLayerPoint(e), found = null;
            for (var order = r._drawFirst; order; order = order.next) {
                var layer = order.layer;
                if (layer.options.interactive && layer._containsPoint(point) &&
                        !(click && map._draggableMoved(layer))) { found = layer; }
            }
            return found;
        }
        function forward(map, r) {
            var box = map.getContainer(), throttled = false;
            box.addEventListener("mousemove", function (e) {
                if (!active || r._map !== map || map.dragging.moving() || map._animatingZoom) { return; }
                if (throttled) { if (r._hoveredLayer) { e.stopPropagation(); } return; }
                throttled = true;
                setTimeout(function () { throttled = false; }, 32);
                var layer = hit(r, e, false);
                if (layer !== r._hoveredLayer) {
                    if (r._hoveredLayer) { map._fireDOMEvent(e, "mouseout", [r._hoveredLayer]); }
                    r._hoveredLayer = layer;
                    box.style.cursor = layer ? "pointer" : "";
                    if (layer) {
                        map.eachLayer(function (other) {  // the shape's tooltip the pointer came from
                            var tip = other.getTooltip && other.getTooltip();
                            if (tip && other !== layer && !tip.options.permanent && other.isTooltipOpen()) {
                                other.closeTooltip();
                            }
                        });
                        map._fireDOMEvent(e, "mouseover", [layer]);
                    }
                }
                if (layer) { map._fireDOMEvent(e, "mousemove", [layer]); e.stopPropagation(); }
            }, true);
            box.addEventListener("mouseleave", function (e) {
                if (r._hoveredLayer) {
                    map._fireDOMEvent(e, "mouseout", [r._hoveredLayer]);
                    r._hoveredLayer = null;
                    box.style.cursor = "";
                }
            });
            ["click", "dblclick", "contextmenu"].forEach(function (type) {
                box.addEventListener(type, function (e) {
                    if (!active || r._map !== map) { return; }
                    var layer = hit(r, e, true);
                    if (layer) { map._fireDOMEvent(e, type, [layer]); e.stopPropagation(); }
                }, true);
            });
        }
        return function (big) {
            active = big;
            if (big) { return canvas = canvas || new Canvas({padding: 0.5, pane: "%(pane)s"}); }
            return svg = svg || new Svg({pane: "%(pane)s"});
        };
    })();
""" % {"pane": EVENT_PANE, "z": EVENT_PANE_Z}
