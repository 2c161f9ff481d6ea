/* dash-map.js: the map frame's side of the dashboard.
 *
 * The folium map (built once per dataset by layers/) holds the geography; this
 * script draws it (DashMap.shapes), and applies the page's state to it: which
 * layers show, the date window (the corridor version in use, the events in the
 * window), the selection, the popup to open and the view. The events come from
 * the page's store (window.parent.DashPage, or window.DashPage in a standalone
 * file) as typed arrays, once per dataset; a state change sends no data.
 *
 * Nothing from data is inserted as HTML here except the feature popups' static
 * parts, which layers/_shapes.py escapes in Python; every other text goes in as
 * text nodes (DashCore.el).
 */
(function () {
    "use strict";
    var C = window.DashCore;
    var L = window.L;
    var DashMap = window.DashMap = {};

    var map = null, cfg = null, host = null;
    var state = null, store = null;
    var groups = {};            // layer key -> FeatureGroup (geography, distances)
    var tiles = {};             // basemap key -> tile layer
    var features = {};          // feature id -> [{layer, data, group}]
    var dated = [];             // features with a validity interval: {layer, group, from, to}
    var shapeRenderer = null;   // SVG renderer of the shapes, padded so a drag shows no cut edges
    var markerLayer = null;     // the event markers (L.LayerGroup, SVG) or the points canvas
    var openPopup = null;       // {kind, id|row, popup}
    var viewNonce = null;
    var selectedLayers = [];

    // --- geography -----------------------------------------------------------------------

    function renderer() {
        if (!shapeRenderer) { shapeRenderer = L.svg({padding: 1.0}); }
        return shapeRenderer;
    }

    function eventsOfFeature(fid, partOf) {
        if (!store || !state) { return null; }
        var rows = (store.featureRows[fid] || []).concat(partOf && partOf !== fid ? store.featureRows[partOf] || [] : []);
        var seen = {}, out = [];
        rows.forEach(function (r) {
            if (seen[r]) { return; }
            seen[r] = true;
            var c = store.cols;
            if (c.start[r] <= state.last && c.end[r] >= state.first && (!state.mask || state.mask[r])) { out.push(r); }
        });
        out.sort(function (a, b) { return a - b; });
        return out;
    }

    function featurePopup(f) {
        var doc = document, box = C.el(doc, "div", null, "feature-popup");
        box.insertAdjacentHTML("beforeend", f.h);  // escaped in Python (layers/_shapes.py)
        var rows = eventsOfFeature(f.id, f.p);
        if (rows) {
            var list = C.el(doc, "div", null, "events");
            list.appendChild(C.el(doc, "b", "Events " + C.windowLabel(state.first, state.last) + " (" +
                rows.length + ")"));
            if (!rows.length) {
                var none = C.el(doc, "div");
                none.appendChild(C.el(doc, "i", "none in this window"));
                list.appendChild(none);
            } else {
                var ul = C.el(doc, "ul");
                rows.forEach(function (r) {
                    var li = C.el(doc, "li", store.dateLabel(r) + ": " + store.cols.title.get(r) + " \u2014 ");
                    C.links(doc, li, store.sources(r), " \u00b7 ");
                    ul.appendChild(li);
                });
                list.appendChild(ul);
            }
            box.appendChild(list);
        }
        if (f.x) { box.insertAdjacentHTML("beforeend", f.x); }  // escaped in Python
        return box;
    }

    /** Draw the features of one layer into ``group`` (called by the layers' scripts). */
    DashMap.shapes = function (group, key, payload) {
        group.dashKey = key;
        groups[key] = group;
        payload.f.forEach(function (f) {
            var g = f.g, layer;
            var style = L.extend({renderer: renderer()}, f.s);
            if (g.type === "Point") {
                layer = L.circleMarker([g.coordinates[1], g.coordinates[0]], style);
            } else {
                layer = L.GeoJSON.geometryToLayer(g, style);
                if (payload.popups) {
                    var weight = f.s.weight === undefined ? 3 : f.s.weight;
                    layer.on("mouseover", function () { if (!layer.dashSelected) { layer.setStyle({weight: 3}); } });
                    layer.on("mouseout", function () { if (!layer.dashSelected) { layer.setStyle({weight: weight}); } });
                }
            }
            layer.dashFeature = f;
            layer.dashKey = key;
            layer.bindTooltip(f.t, payload.tip);
            if (payload.popups) {
                layer.bindPopup(function () { return featurePopup(f); }, {maxWidth: 340, maxHeight: 260});
                layer.on("click", function () { send("select", {kind: "feature", id: f.id}); });
            }
            (features[f.id] = features[f.id] || []).push({layer: layer, data: f, group: group});
            (group.dashOrder = group.dashOrder || []).push(layer);
            if (f.vf || f.vt) {
                dated.push({layer: layer, group: group, from: f.vf, to: f.vt});
            } else {
                layer.addTo(group);
            }
        });
    };

    /** The far venues' distance lines (layers/distances.py): all built here, shown per
     *  venue as the state says (state.distances), with one label listing their distances. */
    DashMap.distances = function (group, data) {
        groups.distances = group;
        DashMap.distanceTarget = data.target;
        group.dashLines = data.lines.map(function (line) {
            var label = line.name + " \u2192 " + (data.target ? data.target.name : "") + ": " +
                line.km.toLocaleString("en-US") + " km";
            var layer = L.polyline(line.path, {color: "#56B4E9", weight: 2.5, dashArray: "8 8", renderer: renderer()});
            layer.bindTooltip(document.createTextNode(label));
            return {venue: line.venue, layer: layer, name: line.name, km: line.km};
        });
        group.dashLabel = function (venues) {
            var shown = group.dashLines.filter(function (l) { return venues.indexOf(l.venue) >= 0; });
            shown.sort(function (a, b) { return a.km - b.km; });
            var box = document.createElement("div");
            box.appendChild(C.el(document, "b", "To " + (data.target ? data.target.name : "")));
            shown.forEach(function (l) {
                box.appendChild(document.createElement("br"));
                box.appendChild(document.createTextNode(l.name + ": " + l.km.toLocaleString("en-US") + " km"));
            });
            return L.circleMarker(data.target.at, {radius: 3, color: "#56B4E9", fill: true, fillOpacity: 1,
                renderer: renderer()}).bindTooltip(box, {permanent: true, direction: "left", className: "distance-label"});
        };
    };

    // --- events ---------------------------------------------------------------------------

    function eventPopup(row, details) {
        var doc = document, c = store.cols, cat = store.categories[c.cat[row]] || {};
        var box = C.el(doc, "div", null, "event-popup");
        box.appendChild(C.el(doc, "div", store.dateLabel(row) + " \u00b7 " + (cat.label || ""), "event-date"));
        box.appendChild(C.el(doc, "h4", c.title.get(row)));
        if (!details) {
            box.appendChild(C.el(doc, "p", "Loading the details\u2026", "loading"));
            return box;
        }
        if (details.summary) { box.appendChild(C.el(doc, "p", details.summary)); }
        if (details.actors) { box.appendChild(C.el(doc, "div", "Actors: " + details.actors)); }
        var where = c.where.get(row);
        if (where) {
            box.appendChild(C.el(doc, "div", "Where: " + where + (c.geo[row] > 1 ? " (approximate location)" : "")));
        }
        if (details.sentence) {
            var art = C.el(doc, "div", "In the article: ", "article");
            if (details.article && details.article.length) { C.links(doc, art, [details.article], ""); }
            box.appendChild(art);
            box.appendChild(C.el(doc, "blockquote", details.sentence));
        }
        C.eventClaims(doc, box, details);
        if (details.notes) {  // about the sources and the position: folded, out of the way
            var notes = C.el(doc, "details", null, "notes");
            notes.appendChild(C.el(doc, "summary", "Notes on the sources and the position"));
            notes.appendChild(C.el(doc, "div", details.notes));
            box.appendChild(notes);
        }
        C.eventSources(doc, box, details.sources || store.sources(row), "Sources: ");
        return box;
    }

    function markerStyle(row) {
        var cat = store.categories[store.cols.cat[row]] || {};
        return {radius: 7, color: "#ffffff", weight: 1.5, fillColor: cat.color || "#009E73", fillOpacity: 0.95,
            bubblingMouseEvents: false, pane: cfg.eventPane};
    }

    function shownRows() {
        if (!store || !state) { return new Uint32Array(0); }
        var c = store.cols, rows = C.rowsInWindow(c.start, c.end, state.first, state.last, state.mask), n = 0;
        var out = new Uint32Array(rows.length);
        for (var i = 0; i < rows.length; i++) {
            if (state.cats[c.cat[rows[i]]]) { out[n++] = rows[i]; }
        }
        return out.subarray(0, n);
    }

    var SvgPane = L.SVG.extend({
        onAdd: function (m) {
            if (!m.getPane(cfg.eventPane)) { m.createPane(cfg.eventPane).style.zIndex = cfg.eventPaneZ; }
            L.SVG.prototype.onAdd.call(this, m);
        }
    });

    function svgMarkers(rows) {
        var group = L.layerGroup(), r = new SvgPane({pane: cfg.eventPane, padding: 1.0});
        // Events at the same or nearly the same place: one count that spreads them out (dash-view.js).
        var stack = DashMap.stackGroup ? DashMap.stackGroup(cfg) : group;
        var byRow = {};
        rows.forEach(function (row) {
            var ll = [store.cols.lat[row], store.cols.lon[row]];
            var radius = cfg.uncertainty[store.cols.geo[row]];
            if (radius) {
                L.circle(ll, {radius: radius, renderer: r, color: markerStyle(row).fillColor, weight: 1.5,
                    dashArray: "5 5", fill: true, fillOpacity: 0.06, interactive: false}).addTo(group);
            }
            var m = L.circleMarker(ll, L.extend({renderer: r}, markerStyle(row)));
            m.eventRow = row;
            m.bindTooltip(document.createTextNode(store.cols.title.get(row) + " (" + store.dateLabel(row) + ")"));
            m.bindPopup(function () { return eventPopup(row, detailsFor(row)); }, popupOptions());
            m.on("click", function () { send("select", {kind: "event", row: row}); });
            byRow[row] = m;
            m.addTo(stack);
        });
        if (stack !== group) { stack.addTo(group); }
        group.markerOf = function (row) { return byRow[row] || null; };
        /** Show the marker of ``row`` (spread its stack out first), then call ``done``. */
        group.reveal = function (row, done) {
            var m = byRow[row];
            if (m && stack !== group && DashMap.revealIn) { DashMap.revealIn(stack, m, done); } else { done(); }
        };
        return group;
    }

    /** Popups fit the map and stay clear of its controls (dash-view.js measures them). */
    function popupOptions(extra) {
        var o = DashMap.popupFit ? DashMap.popupFit() : {maxWidth: 340, maxHeight: 260};
        return L.extend({}, o, extra || {});
    }

    function detailsFor(row) {
        var o = state && state.open;
        if (store && store.details[row]) { return store.details[row]; }
        return o && o.kind === "event" && o.row === row ? o.details || null : null;
    }

    // The points canvas: many events drawn from the store's typed arrays, no object per event.
    var PointsCanvas = L.Canvas.extend({
        initialize: function (options) {
            L.Canvas.prototype.initialize.call(this, options);
            this._rows = new Uint32Array(0);
            this._sprites = {};
        },
        onAdd: function (m) {
            if (!m.getPane(cfg.eventPane)) { m.createPane(cfg.eventPane).style.zIndex = cfg.eventPaneZ; }
            L.Canvas.prototype.onAdd.call(this, m);
            this._container.style.pointerEvents = "none";
            this._container.className += " dash-points";
            this._hook(m);
        },
        onRemove: function (m) {
            this._unhook(m);
            L.Canvas.prototype.onRemove.call(this, m);
        },
        setRows: function (rows) {
            this._rows = rows;
            if (this._map && !this._redrawRequest) { this._redrawRequest = L.Util.requestAnimFrame(this._redraw, this); }
        },
        _sprite: function (color) {
            var s = this._sprites[color];
            if (s) { return s; }
            var half = 9, c = document.createElement("canvas");
            c.width = c.height = 2 * half;
            var ctx = c.getContext("2d");
            ctx.beginPath();
            ctx.arc(half, half, 7, 0, Math.PI * 2);
            ctx.fillStyle = color;
            ctx.globalAlpha = 0.95;
            ctx.fill();
            ctx.globalAlpha = 1;
            ctx.lineWidth = 1.5;
            ctx.strokeStyle = "#ffffff";
            ctx.stroke();
            return (this._sprites[color] = {canvas: c, half: half});
        },
        _draw: function () {
            var m = this._map, b = this._bounds, ctx = this._ctx, rows = this._rows, c = store.cols;
            if (!m || !b || !rows.length) { this._hits = null; return; }
            var scale = 256 * Math.pow(2, m.getZoom()), origin = m.getPixelOrigin();
            var minx = b.min.x - 9, miny = b.min.y - 9, maxx = b.max.x + 9, maxy = b.max.y + 9;
            var w = Math.ceil((maxx - minx) / 2) + 1, h = Math.ceil((maxy - miny) / 2) + 1;
            var taken = new Uint8Array(w * h), cell = 16, gw = Math.ceil((maxx - minx) / cell) + 1;
            var hits = {}, mx = store.mx, my = store.my, sprites = [];
            for (var k = 0; k < store.categories.length; k++) {
                sprites.push(this._sprite((store.categories[k] || {}).color || "#009E73"));
            }
            // Topmost first (the last rows are drawn on top): a 2x2 px cell already covered is skipped.
            var drawn = [];
            for (var i = rows.length - 1; i >= 0; i--) {
                var row = rows[i], x = mx[row] * scale - origin.x, y = my[row] * scale - origin.y;
                if (x < minx || x > maxx || y < miny || y > maxy) { continue; }
                var t = ((y - miny) >> 1) * w + ((x - minx) >> 1);
                if (taken[t]) { continue; }
                taken[t] = 1;
                drawn.push(row, x, y);
                var g = Math.floor((y - miny) / cell) * gw + Math.floor((x - minx) / cell);
                (hits[g] = hits[g] || []).push(row, x, y);
            }
            for (var j = drawn.length - 3; j >= 0; j -= 3) {
                var sp = sprites[c.cat[drawn[j]]];
                ctx.drawImage(sp.canvas, Math.round(drawn[j + 1]) - sp.half, Math.round(drawn[j + 2]) - sp.half);
            }
            this._hits = {cells: hits, minx: minx, miny: miny, gw: gw, cell: cell};
            painted();
        },
        hit: function (layerPoint) {
            var hs = this._hits;
            if (!hs) { return null; }
            var best = null, bestRow = -1;
            var gx = Math.floor((layerPoint.x - hs.minx) / hs.cell), gy = Math.floor((layerPoint.y - hs.miny) / hs.cell);
            for (var dy = -1; dy <= 1; dy++) {
                for (var dx = -1; dx <= 1; dx++) {
                    var list = hs.cells[(gy + dy) * hs.gw + gx + dx];
                    if (!list) { continue; }
                    for (var i = 0; i < list.length; i += 3) {
                        var ex = list[i + 1] - layerPoint.x, ey = list[i + 2] - layerPoint.y;
                        if (ex * ex + ey * ey <= 64 && list[i] > bestRow) { bestRow = list[i]; best = list[i]; }
                    }
                }
            }
            return best;
        },
        // The canvas lets the pointer through to the shapes; the map's container asks it
        // first (capture phase) whether an event is under the pointer.
        _hook: function (m) {
            var self = this, box = m.getContainer(), tip = L.tooltip({direction: "top", offset: [0, -6]});
            var busy = false;
            this._onMove = function (e) {
                if (busy || m.dragging.moving() || m._animatingZoom) { return; }
                busy = true;
                setTimeout(function () { busy = false; }, 32);
                var p = m.mouseEventToLayerPoint(e), row = self.hit(p);
                box.style.cursor = row === null ? "" : "pointer";
                if (row === null) { if (m.hasLayer(tip)) { m.removeLayer(tip); } return; }
                e.stopPropagation();
                // the shape's tooltip the pointer came from, or one its mouseover opened after this move
                m.eachLayer(function (other) {
                    var t = other.getTooltip && other.getTooltip();
                    if (t && !t.options.permanent && other.isTooltipOpen()) { other.closeTooltip(); }
                });
                tip.setLatLng([store.cols.lat[row], store.cols.lon[row]])
                    .setContent(document.createTextNode(store.cols.title.get(row) + " (" + store.dateLabel(row) + ")"));
                if (!m.hasLayer(tip)) { tip.addTo(m); }
            };
            this._onClick = function (e) {
                var row = self.hit(m.mouseEventToLayerPoint(e));
                if (row === null) { return; }
                e.stopPropagation();
                if (m.hasLayer(tip)) { m.removeLayer(tip); }
                showEventPopup(row);
                send("select", {kind: "event", row: row});
            };
            box.addEventListener("mousemove", this._onMove, true);
            box.addEventListener("click", this._onClick, true);
        },
        _unhook: function (m) {
            var box = m.getContainer();
            box.removeEventListener("mousemove", this._onMove, true);
            box.removeEventListener("click", this._onClick, true);
        }
    });

    var pointsCanvas = null;

    function drawEvents() {
        if (!map || !store || !state) { return; }
        var rows = shownRows();
        var big = rows.length >= cfg.batchFrom;
        if (markerLayer && markerLayer !== pointsCanvas) { map.removeLayer(markerLayer); }
        if (DashMap.drawRows && DashMap.drawRows(rows, state, store)) {  // hexagons instead (dash-explore.js)
            if (pointsCanvas && map.hasLayer(pointsCanvas)) { map.removeLayer(pointsCanvas); }
            markerLayer = null;
            painted();
        } else if (big) {
            pointsCanvas = pointsCanvas || new PointsCanvas({pane: cfg.eventPane, padding: 0.5});
            if (!map.hasLayer(pointsCanvas)) { pointsCanvas.addTo(map); }
            pointsCanvas.setRows(rows);
            markerLayer = pointsCanvas;
        } else {
            if (pointsCanvas && map.hasLayer(pointsCanvas)) { map.removeLayer(pointsCanvas); }
            markerLayer = svgMarkers(Array.prototype.slice.call(rows)).addTo(map);
            painted();
        }
        DashMap.shown = rows;
    }

    /** Open the state's popup again (after a change of zoom folded its marker's group: dash-view.js). */
    DashMap.reopen = function () {
        // Only the state's own popup, once opened and since folded away: one still opening (its
        // group spreading out) is left to finish, or it would open twice.
        var o = state && state.open;
        var mine = o && openPopup && openPopup.kind === o.kind && (o.kind === "event" ? openPopup.row === o.row : openPopup.id === o.id);
        if (!o || !map || !mine || openPopup.popup.isOpen()) { return; }
        DashMap.openNonce = null;
        openPopup = null;
        applyOpen();
    };

    /** Count the paints of the events (tests and the benchmark wait for the next one). */
    function painted() {
        DashMap.paints = (DashMap.paints || 0) + 1;
        DashMap.paintedAt = performance.now();
    }

    function showEventPopup(row, noPan) {
        var ll = [store.cols.lat[row], store.cols.lon[row]], details = detailsFor(row);
        var marker = markerLayer && markerLayer.markerOf ? markerLayer.markerOf(row) : null;
        var free = function () {
            var p = L.popup(popupOptions({autoPan: !noPan})).setLatLng(ll).setContent(eventPopup(row, details));
            p.openOn(map);
            openPopup = {kind: "event", row: row, popup: p};
        };
        if (marker) {
            markerLayer.reveal(row, function () {
                if (!marker._map) { free(); return; }  // still inside its folded group: a popup at its place
                L.extend(marker.getPopup().options, popupOptions({autoPan: !noPan}));
                marker.openPopup();
                marker.getPopup().setContent(eventPopup(row, details));
                openPopup = {kind: "event", row: row, popup: marker.getPopup()};
            });
            openPopup = {kind: "event", row: row, popup: marker.getPopup()};
        } else {
            free();
        }
    }

    // --- state ----------------------------------------------------------------------------

    function send(kind, value) {
        if (host && host.send) { host.send(kind, value); }
    }

    function applyLayers() {
        var on = {}, added = false;
        (state.layers || []).forEach(function (k) { on[k] = true; });
        Object.keys(groups).forEach(function (key) {
            if (key === "distances") { return; }
            var g = groups[key];
            if (on[key] && !map.hasLayer(g)) { g.addTo(map); added = true; }
            if (!on[key] && map.hasLayer(g)) { map.removeLayer(g); }
        });
        dated.forEach(function (d) {
            var valid = C.validInWindow(d.from, d.to, state.first, state.last);
            if (valid && !d.group.hasLayer(d.layer)) { d.group.addLayer(d.layer); added = true; }
            if (!valid && d.group.hasLayer(d.layer)) { d.group.removeLayer(d.layer); }
        });
        if (added) {
            // A layer added now would lie over the ones drawn after it: restore the drawing
            // order of the layers' scripts (layers/compose.py DRAW_ORDER), and within a
            // layer, the order of its features.
            Object.keys(groups).forEach(function (key) {
                if (key !== "distances" && map.hasLayer(groups[key])) { bringToFront(groups[key]); }
            });
        }
        var dg = groups.distances;
        if (dg) {
            var venues = state.distances || [];
            dg.clearLayers();
            (dg.dashLines || []).forEach(function (line) {
                if (venues.indexOf(line.venue) >= 0) { dg.addLayer(line.layer); }
            });
            // With the edge markers (dash-view.js) each venue's distance is on its marker.
            if (venues.length && dg.dashLabel && !DashMap.edgeMarkers) { dg.addLayer(dg.dashLabel(venues)); }
            if (venues.length && !map.hasLayer(dg)) { dg.addTo(map); }
            if (!venues.length && map.hasLayer(dg)) { map.removeLayer(dg); }
        }
    }

    function bringToFront(group) {
        var order = group.dashOrder || [];
        order.forEach(function (layer) {
            if (group.hasLayer(layer) && layer.bringToFront && layer._map) { layer.bringToFront(); }
        });
    }

    function applyBasemap() {
        Object.keys(tiles).forEach(function (key) {
            var t = tiles[key];
            if (key === state.basemap && !map.hasLayer(t)) { t.addTo(map); }
            if (key !== state.basemap && map.hasLayer(t)) { map.removeLayer(t); }
        });
    }

    function applySelection() {
        selectedLayers.forEach(function (l) {
            l.dashSelected = false;
            if (l.setStyle && l.dashFeature) { l.setStyle({weight: l.dashFeature.s.weight === undefined ? 3 : l.dashFeature.s.weight}); }
        });
        selectedLayers = [];
        var sel = state.sel;
        if (DashMap.markSelected) { DashMap.markSelected(markerLayer, sel && sel.kind === "event" ? sel.row : null); }
        if (sel && sel.kind === "feature") {
            (features[sel.id] || []).forEach(function (f) {
                if (f.layer.setStyle && f.data.g.type !== "Point") {
                    f.layer.dashSelected = true;
                    f.layer.setStyle({weight: 4});
                    selectedLayers.push(f.layer);
                }
            });
        }
    }

    function applyOpen() {
        var o = state.open;
        if (!o) { return; }
        if (o.subject && state.tour) { return; }  // a tour step's subject: its details are in the step's text (dash-tour.js)
        var same = openPopup && openPopup.kind === o.kind && (o.kind === "event" ? openPopup.row === o.row : openPopup.id === o.id);
        if (same && openPopup.popup.isOpen()) {
            if (o.kind === "event") { openPopup.popup.setContent(eventPopup(o.row, detailsFor(o.row))); }
            return;
        }
        if (o.nonce !== undefined && o.nonce === DashMap.openNonce) { return; }
        DashMap.openNonce = o.nonce;
        if (o.kind === "event") {
            if (o.row === null || o.row === undefined) { return; }
            showEventPopup(o.row, !o.pan);
        } else {
            var entry = (features[o.id] || []).filter(function (f) { return f.group.hasLayer(f.layer) && map.hasLayer(f.group); })[0];
            if (!entry) { return; }
            var popup = entry.layer.getPopup();
            popup.options.autoPan = !!o.pan;
            entry.layer.openPopup();
            openPopup = {kind: "feature", id: o.id, popup: popup};
        }
    }

    /** Go to the state's view if it is new; true when the map flies there (the rest of the
     *  state is applied when it arrives). */
    function applyView() {
        var v = state.view;
        if (!v || v.nonce === viewNonce) { return false; }
        viewNonce = v.nonce;
        if (DashMap.beforeView) { DashMap.beforeView(v, state); }
        var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
        var animate = !!v.fly && !reduce && DashMap.started;
        if (v.bounds) {
            // Padding that keeps the view clear of the map's controls and legend (dash-view.js).
            var opts = L.extend({maxZoom: v.maxZoom || 18}, DashMap.fitPadding ? DashMap.fitPadding() : {padding: [20, 20]});
            var target = map._getBoundsCenterZoom(L.latLngBounds(v.bounds), opts);
            if (animate && !sameView(target.center, target.zoom)) {
                map.flyToBounds(v.bounds, L.extend({duration: 0.8}, opts));
                return true;
            }
            // a jump, not a zoom animation (Leaflet's default): the first view, a link's, reduced motion
            map.fitBounds(v.bounds, L.extend({animate: false}, opts));
        } else if (v.center) {
            if (animate && !sameView(L.latLng(v.center), v.zoom)) { map.flyTo(v.center, v.zoom, {duration: 0.8}); return true; }
            map.setView(v.center, v.zoom, {animate: false});
        }
        return false;
    }

    function sameView(center, zoom) {
        return zoom === map.getZoom() && map.latLngToContainerPoint(center).distanceTo(map.getSize().divideBy(2)) < 1;
    }

    /** The page's state with what this frame derives from it: day numbers of the window,
     *  the filters' row mask and the shown categories (by the store's category codes). */
    function derive(s) {
        var d = L.extend({}, s, {first: C.dayOf(s.window[0]), last: C.dayOf(s.window[1]), cats: {}, raw: s});
        d.mask = host && host.maskOf ? host.maskOf(s) : null;
        store.categories.forEach(function (cat, k) { d.cats[k] = (s.layers || []).indexOf("cat:" + cat.key) >= 0; });
        return d;
    }

    var drawnRaw = null;  // the last state whose layers and events are drawn

    function apply(s) {
        state = derive(s);
        if (applyView()) {
            // Moves, not jumps: the layers change once the map has arrived.
            var arrived = function () {
                map.off("moveend", arrived);
                clearTimeout(late);
                if (latest === s) { applyRest(s); }
            };
            var late = setTimeout(arrived, 1500);
            map.on("moveend", arrived);
            return;
        }
        applyRest(s);
    }

    function applyRest(s) {
        applyBasemap();
        applyLayers();
        var was = drawnRaw;
        var eventsChanged = !was || was.window[0] !== s.window[0] || was.window[1] !== s.window[1] ||
            was.mask !== s.mask || String(was.layers) !== String(s.layers) || DashMap.storeVersion !== store.version;
        drawnRaw = s;
        if (eventsChanged) {
            DashMap.storeVersion = store.version;
            drawEvents();
        }
        applySelection();
        applyOpen();
        (DashMap.hooks || []).forEach(function (h) { h(state, store, map); });  // dash-explore.js
        if (DashMap.afterApply) { DashMap.afterApply(state); }
        DashMap.started = true;
        DashMap.applied = (DashMap.applied || 0) + 1;
        DashMap.appliedAt = performance.now();
    }

    // --- wiring ---------------------------------------------------------------------------

    var latest = null;  // the page's last state, as it came

    var api = {
        setStore: function (s) {
            store = s;
            store.mx = new Float64Array(s.cols.n);
            store.my = new Float64Array(s.cols.n);
            for (var i = 0; i < s.cols.n; i++) {
                var lat = Math.max(Math.min(s.cols.lat[i], 85.0511287798), -85.0511287798);
                var sin = Math.sin(lat * Math.PI / 180);
                store.mx[i] = (s.cols.lon[i] + 180) / 360;
                store.my[i] = 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI);
            }
            if (latest) { apply(latest); }
        },
        setState: function (s) {
            latest = s;
            if (store) { apply(s); }
        },
        map: function () { return map; }
    };

    function forwardKeys() {
        // With a tour on, the presenter's keys move through the steps even when the map has focus.
        document.addEventListener("keydown", function (e) {
            // In a standalone file the page's code shares this document and has the keys already.
            if (!host || host === window.DashPage || !host.wantsKey || !host.wantsKey(e)) { return; }
            e.preventDefault();
            e.stopPropagation();
            host.key(e);
        }, true);
    }

    function connect(tries) {
        var h;
        try { h = (window.parent && window.parent !== window && window.parent.DashPage) || window.DashPage; } catch (e) { h = window.DashPage; }
        if (h && h.attachMap) {
            host = h;
            host.attachMap(api);
            return;
        }
        if (tries < 600) { setTimeout(function () { connect(tries + 1); }, 50); }
    }

    /** Start: ``m`` the folium map, ``config`` the layers' settings (layers/map_app.py). */
    DashMap.init = function (m, config, tileLayers) {
        map = m;
        cfg = DashMap.config = config;
        tiles = tileLayers || {};
        map.on("movestart", function () { DashMap.moving = true; });
        map.on("moveend", function () {
            DashMap.moving = false;
            var c = map.getCenter();
            send("view", {lat: c.lat, lon: c.lng, zoom: map.getZoom(), moved: !!(DashMap.userMoved && DashMap.userMoved())});
        });
        forwardKeys();
        connect(0);
    };

    DashMap.api = api;
    DashMap.renderer = renderer;
    /** Draw the events again (the events' view changed: points or hexagons). */
    DashMap.redrawEvents = function () { if (state) { drawEvents(); } };
    DashMap.send = send;
})();
