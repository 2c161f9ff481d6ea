/* dash-explore.js: the explorer's parts of the map frame, loaded after dash-map.js.
 *
 *   - The events as hexagonal bins: each event's H3 cell comes with the store
 *     (geo/hexbins.py); the map counts the events it shows (window, filters,
 *     categories) per cell at the resolution that suits the zoom, and draws them on
 *     a canvas with their counts. A control switches points and hexagons and
 *     explains the colours; the choice is the browser's (DashPage.setAgg, agg= in
 *     the URL): switching sends nothing to the server.
 *   - Events off screen: a count and an arrow at the map's edge, toward them; a click
 *     goes there.
 *   - Notices on the map: a web basemap that cannot load (once, with the offline one
 *     offered) and imported events outside the window ("show all").
 *   - An event selected outside the map (table, timeline, search) is flown to.
 *   - A popup that scrolls says that there is more.
 *
 * Every text from data goes in as text (DashCore.el / textContent).
 */
(function () {
    "use strict";
    var C = window.DashCore;
    var L = window.L;
    var D = window.DashMap;
    if (!D || !L) { return; }

    var map = null, state = null, store = null, started = false;
    var agg = null;               // "hex" or null (points)
    var hexLayer = null;
    var HEX_PANE = "dashHexes";
    /** H3 resolution by zoom: hexagons some 40-90 px across. */
    var RES_BY_ZOOM = [1, 1, 1, 1, 2, 2, 3, 4, 4, 5];
    /** Colours of the count classes (viridis, light to dark: more events darker). */
    var HEX_COLORS = ["#fde725", "#a0da39", "#4ac16d", "#1fa187", "#277f8e", "#365c8d", "#46327e", "#440154"];

    function host() {
        try { return (window.parent && window.parent !== window && window.parent.DashPage) || window.DashPage; } catch (e) { return window.DashPage; }
    }

    function doc() { return document; }

    function reduceMotion() {
        return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
    }

    // --- the hexagons -------------------------------------------------------------------------

    function column(table, name) {
        if (!table) { return null; }
        if (typeof table.getChild === "function") {
            var c = table.getChild(name);
            return c ? c.toArray() : null;
        }
        return table[name] || null;
    }

    /** The store's cells, read once per store: res, up, boundaries, and per resolution the
     *  row of each cell's ancestor at that resolution (computed when first needed). */
    function cells() {
        if (!store || !store.hexCells) { return null; }
        if (store.dashHex) { return store.dashHex; }
        var t = store.hexCells, res = Int8Array.from(column(t, "res") || []), up = Int32Array.from(column(t, "up") || []);
        var ys = [], xs = [];
        for (var k = 0; k < 6; k++) {
            ys.push(Float32Array.from(column(t, "y" + k) || []));
            xs.push(Float32Array.from(column(t, "x" + k) || []));
        }
        var anc = {};
        store.dashHex = {
            n: res.length, res: res, up: up, ys: ys, xs: xs,
            finest: res.length ? Math.max.apply(null, Array.prototype.slice.call(res)) : 0,
            coarsest: res.length ? Math.min.apply(null, Array.prototype.slice.call(res)) : 0,
            /** For each cell, the row of its ancestor at resolution ``r`` (itself at r). */
            ancestors: function (r) {
                if (anc[r]) { return anc[r]; }
                var out = new Int32Array(res.length);
                for (var i = 0; i < res.length; i++) {
                    var j = i;
                    while (j >= 0 && res[j] > r) { j = up[j]; }
                    out[i] = j;
                }
                return (anc[r] = out);
            }
        };
        return store.dashHex;
    }

    function resolutionFor(zoom, hx) {
        var r = RES_BY_ZOOM[Math.max(0, Math.min(RES_BY_ZOOM.length - 1, Math.round(zoom)))];
        return Math.max(hx.coarsest, Math.min(hx.finest, r));
    }

    /** Events per cell at resolution ``r`` among ``rows``: {cells: [row...], counts: [n...], max}. */
    function countCells(rows, r) {
        var hx = cells(), code = store.cols.hex, up = hx.ancestors(r), counts = new Int32Array(hx.n), seen = [];
        for (var i = 0; i < rows.length; i++) {
            var c = code[rows[i]];
            if (c < 0 || c >= hx.n) { continue; }
            var a = up[c];
            if (a < 0) { continue; }
            if (!counts[a]) { seen.push(a); }
            counts[a]++;
        }
        var max = 0, outCounts = new Int32Array(seen.length);
        for (var j = 0; j < seen.length; j++) { outCounts[j] = counts[seen[j]]; if (outCounts[j] > max) { max = outCounts[j]; } }
        return {cells: seen, counts: outCounts, max: max, res: r};
    }

    var HexCanvas = L.Canvas.extend({
        initialize: function (options) {
            L.Canvas.prototype.initialize.call(this, options);
            this._rows = new Uint32Array(0);
            this._drawn = [];
        },
        onAdd: function (m) {
            if (!m.getPane(HEX_PANE)) { m.createPane(HEX_PANE).style.zIndex = 445; }
            L.Canvas.prototype.onAdd.call(this, m);
            this._container.className += " dash-hexes";
            this._container.style.pointerEvents = "none";
            this._hook(m);
        },
        onRemove: function (m) {
            this._unhook(m);
            L.Canvas.prototype.onRemove.call(this, m);
        },
        setRows: function (rows) {
            this._rows = rows;
            this._bins = null;
            if (this._map && !this._redrawRequest) { this._redrawRequest = L.Util.requestAnimFrame(this._redraw, this); }
        },
        _draw: function () {
            var m = this._map, ctx = this._ctx, hx = cells();
            this._drawn = [];
            if (!m || !hx || !store) { return; }
            var r = resolutionFor(m.getZoom(), hx);
            if (!this._bins || this._bins.res !== r) { this._bins = countCells(this._rows, r); }
            var bins = this._bins, breaks = C.countBreaks(bins.max, HEX_COLORS.length), b = this._bounds;
            D.hexInfo = {res: r, cells: bins.cells.length, max: bins.max, breaks: breaks,
                total: bins.counts.reduce(function (a, x) { return a + x; }, 0)};
            ctx.lineWidth = 1;
            ctx.strokeStyle = "rgba(255,255,255,0.9)";
            ctx.font = "bold 11px sans-serif";
            ctx.textAlign = "center";
            ctx.textBaseline = "middle";
            for (var i = 0; i < bins.cells.length; i++) {
                var cell = bins.cells[i], pts = [], minx = Infinity, maxx = -Infinity, miny = Infinity, maxy = -Infinity;
                for (var k = 0; k < 6; k++) {
                    var p = m.latLngToLayerPoint([hx.ys[k][cell], hx.xs[k][cell]]);
                    pts.push(p);
                    minx = Math.min(minx, p.x); maxx = Math.max(maxx, p.x); miny = Math.min(miny, p.y); maxy = Math.max(maxy, p.y);
                }
                if (b && (maxx < b.min.x || minx > b.max.x || maxy < b.min.y || miny > b.max.y)) { continue; }
                var cls = C.classOf(bins.counts[i], breaks);
                ctx.beginPath();
                ctx.moveTo(pts[0].x, pts[0].y);
                for (var q = 1; q < 6; q++) { ctx.lineTo(pts[q].x, pts[q].y); }
                ctx.closePath();
                ctx.globalAlpha = 0.78;
                ctx.fillStyle = HEX_COLORS[cls];
                ctx.fill();
                ctx.globalAlpha = 1;
                ctx.stroke();
                var cx = (minx + maxx) / 2, cy = (miny + maxy) / 2;
                if (maxx - minx >= 26) {
                    ctx.fillStyle = cls >= HEX_COLORS.length / 2 ? "#ffffff" : "#1a1a1a";
                    ctx.fillText(C.shortCount(bins.counts[i]), cx, cy);
                }
                this._drawn.push({cell: cell, count: bins.counts[i], pts: pts});
            }
            D.paints = (D.paints || 0) + 1;
            D.paintedAt = performance.now();
            var key = r + "|" + breaks.join(",") + "|" + bins.max;
            if (key !== this._legendKey) { this._legendKey = key; drawControl(); }  // the legend follows the counts
        },
        hit: function (lp) {
            for (var i = this._drawn.length - 1; i >= 0; i--) {
                var pts = this._drawn[i].pts, inside = false;
                for (var a = 0, b = pts.length - 1; a < pts.length; b = a++) {
                    if ((pts[a].y > lp.y) !== (pts[b].y > lp.y) &&
                            lp.x < (pts[b].x - pts[a].x) * (lp.y - pts[a].y) / (pts[b].y - pts[a].y) + pts[a].x) {
                        inside = !inside;
                    }
                }
                if (inside) { return this._drawn[i]; }
            }
            return null;
        },
        _hook: function (m) {
            var self = this, box = m.getContainer(), tip = L.tooltip({direction: "top", sticky: true});
            this._onMove = function (e) {
                if (m.dragging.moving() || m._animatingZoom) { return; }
                var h = self.hit(m.mouseEventToLayerPoint(e));
                box.style.cursor = h ? "zoom-in" : "";
                if (!h) { if (m.hasLayer(tip)) { m.removeLayer(tip); } return; }
                var km = store.hexEdgeKm[String(self._bins.res)];
                tip.setLatLng(m.mouseEventToLatLng(e)).setContent(doc().createTextNode(
                    C.plural(h.count, "event") + " in this hexagon" + (km ? " (about " + Math.round(2 * km) + " km across)" : "") +
                    "; click to zoom in"));
                if (!m.hasLayer(tip)) { tip.addTo(m); }
            };
            this._onClick = function (e) {
                var h = self.hit(m.mouseEventToLayerPoint(e));
                if (!h) { return; }
                e.stopPropagation();
                if (m.hasLayer(tip)) { m.removeLayer(tip); }
                var hx = cells(), ll = [];
                for (var k = 0; k < 6; k++) { ll.push([hx.ys[k][h.cell], hx.xs[k][h.cell]]); }
                m.fitBounds(L.latLngBounds(ll), {animate: !reduceMotion(), maxZoom: Math.max(m.getZoom() + 2, 8)});
            };
            this._onLeave = function () { if (m.hasLayer(tip)) { m.removeLayer(tip); } };
            box.addEventListener("mousemove", this._onMove, true);
            box.addEventListener("click", this._onClick, true);
            box.addEventListener("mouseleave", this._onLeave);
        },
        _unhook: function (m) {
            var box = m.getContainer();
            box.removeEventListener("mousemove", this._onMove, true);
            box.removeEventListener("click", this._onClick, true);
            box.removeEventListener("mouseleave", this._onLeave);
            box.style.cursor = "";
        }
    });

    /** dash-map.js asks this first: with hexagons on, they show the events instead of markers. */
    D.drawRows = function (rows, s, st) {
        map = map || D.api.map();
        state = s || state;
        store = st || store;
        if (agg !== "hex" || !cells() || !map) {
            if (hexLayer && map && map.hasLayer(hexLayer)) { map.removeLayer(hexLayer); }
            return false;
        }
        hexLayer = hexLayer || new HexCanvas({pane: HEX_PANE, padding: 0.5});
        if (!map.hasLayer(hexLayer)) { hexLayer.addTo(map); }
        hexLayer.setRows(rows);
        return true;
    };

    /** The page sets the events' view (DashPage.setAgg): "hex" or null. */
    D.api.setAgg = function (mode) {
        var next = mode === "hex" ? "hex" : null;
        if (next === agg) { return; }
        agg = next;
        var t0 = performance.now();
        if (map && state) { D.redrawEvents(); }
        D.switchedIn = performance.now() - t0;
        drawControl();
    };
    D.agg = function () { return agg; };

    // --- the control: points or hexagons, and the hexagons' legend --------------------------------

    var control = null, controlBox = null;

    function drawControl() {
        if (!controlBox || !store) { return; }
        var d = doc(), box = controlBox;
        box.textContent = "";
        var head = C.el(d, "div", null, "dash-view-switch");
        head.setAttribute("role", "radiogroup");
        head.setAttribute("aria-label", "Events shown as");
        head.appendChild(C.el(d, "span", "Events as", "dash-view-label"));
        [["points", "Points"], ["hex", "Hexagons"]].forEach(function (o) {
            var b = C.el(d, "button", o[1]);
            b.type = "button";
            b.dataset.view = o[0];
            var on = (agg || "points") === o[0];
            b.setAttribute("role", "radio");
            b.setAttribute("aria-checked", on ? "true" : "false");
            if (on) { b.className = "on"; }
            b.addEventListener("click", function () {
                var h = host();
                if (h && h.setAgg) { h.setAgg(o[0] === "hex" ? "hex" : null); } else { D.api.setAgg(o[0] === "hex" ? "hex" : null); }
            });
            head.appendChild(b);
        });
        box.appendChild(head);
        var shown = D.shown ? D.shown.length : 0;
        if (agg === "hex") {
            var info = D.hexInfo || {breaks: [1]}, km = store.hexEdgeKm[String(info.res)];
            var leg = C.el(d, "div", null, "dash-hex-legend");
            leg.appendChild(C.el(d, "div", "Events per hexagon" + (km ? " (about " + Math.round(2 * km) + " km across)" : "")));
            info.breaks.forEach(function (lo, k) {
                var hi = k + 1 < info.breaks.length ? info.breaks[k + 1] - 1 : null;
                var row = C.el(d, "div");
                var sw = C.el(d, "span", null, "sw");
                sw.style.background = HEX_COLORS[k];
                row.appendChild(sw);
                row.appendChild(d.createTextNode(hi === null ? lo.toLocaleString("en-US") + (info.max > lo ? "\u2013" + info.max.toLocaleString("en-US") : "") :
                    (hi === lo ? lo.toLocaleString("en-US") : lo.toLocaleString("en-US") + "\u2013" + hi.toLocaleString("en-US"))));
                leg.appendChild(row);
            });
            leg.appendChild(C.el(d, "div", "Counts of the events in the window and the filters, binned on Uber's H3 grid. " +
                "Click a hexagon to zoom in.", "note"));
            box.appendChild(leg);
        } else if (shown >= (D.config && D.config.batchFrom || 2000)) {
            box.appendChild(C.el(d, "div", C.plural(shown, "event") + " on the map: hexagons show where they are dense.", "note"));
        }
    }

    function ensureControl() {
        if (control || !map) { return; }
        var Ctl = L.Control.extend({
            options: {position: "bottomright"},
            onAdd: function () {
                controlBox = L.DomUtil.create("div", "dash-view-control leaflet-control");
                L.DomEvent.disableClickPropagation(controlBox);
                L.DomEvent.disableScrollPropagation(controlBox);
                return controlBox;
            }
        });
        control = new Ctl();
        map.addControl(control);
    }

    // --- events off screen: a count and an arrow at the edge -------------------------------------

    var hintsBox = null;
    var SECTORS = ["east", "south-east", "south", "south-west", "west", "north-west", "north", "north-east"];

    function drawHints() {
        if (!map || !store || !state) { return; }
        if (!hintsBox) {
            hintsBox = C.el(doc(), "div", null, "dash-offscreen");
            map.getContainer().appendChild(hintsBox);
        }
        hintsBox.textContent = "";
        var rows = D.shown;
        if (!rows || !rows.length || state.tour) { hintsBox.dataset.total = "0"; return; }
        var z = map.getZoom(), scale = 256 * Math.pow(2, z), pb = map.getPixelBounds(), size = map.getSize();
        var cx = (pb.min.x + pb.max.x) / 2, cy = (pb.min.y + pb.max.y) / 2;
        var groups = [], total = 0;
        for (var i = 0; i < rows.length; i++) {
            var row = rows[i], x = store.mx[row] * scale, y = store.my[row] * scale;
            if (x >= pb.min.x && x <= pb.max.x && y >= pb.min.y && y <= pb.max.y) { continue; }
            var angle = Math.atan2(y - cy, x - cx), s = ((Math.round(angle / (Math.PI / 4)) % 8) + 8) % 8;
            var g = groups[s] || (groups[s] = {n: 0, sx: 0, sy: 0, rows: [], places: {}});
            g.n++;
            g.sx += x - cx;
            g.sy += y - cy;
            if (g.rows.length < 5000) { g.rows.push(row); }
            var place = store.cols.where.get(row);
            if (place && Object.keys(g.places).length < 4) { g.places[place] = true; }
            total++;
        }
        hintsBox.dataset.total = String(total);
        var noticeH = noticesBox ? noticesBox.offsetHeight : 0;
        groups.forEach(function (g, s) {
            if (!g) { return; }
            // placed at the edge in the middle of its sector (so two never overlap), the arrow toward them
            var a = Math.atan2(g.sy, g.sx), mid = s * Math.PI / 4, dx = Math.cos(mid), dy = Math.sin(mid);
            var left = s >= 3 && s <= 5 ? 62 : 40, hh = size.y / 2 - 24;
            var px = dx > 0.1 ? size.x - 40 : dx < -0.1 ? left : size.x / 2;
            var py = dy > 0.1 ? size.y - 24 - hh * 0 : dy < -0.1 ? 24 : size.y / 2;
            if (py < 24 + noticeH) { py = 24 + noticeH; }
            var b = C.el(doc(), "button", null, "dash-offscreen-hint");
            b.type = "button";
            var arrow = C.el(doc(), "span", "\u279c", "arrow");
            arrow.style.transform = "rotate(" + Math.round(a * 180 / Math.PI) + "deg)";
            b.appendChild(arrow);
            b.appendChild(C.el(doc(), "span", g.n.toLocaleString("en-US"), "n"));
            var places = Object.keys(g.places);
            var label = C.plural(g.n, "event") + " off screen to the " + SECTORS[s] +
                (places.length ? ": " + places.slice(0, 3).join("; ") + (places.length > 3 ? "; \u2026" : "") : "") +
                ". Click to show them.";
            b.title = label;
            b.setAttribute("aria-label", label);
            b.dataset.sector = SECTORS[s];
            b.dataset.count = String(g.n);
            b.style.left = Math.round(px) + "px";
            b.style.top = Math.round(py) + "px";
            L.DomEvent.disableClickPropagation(b);
            b.addEventListener("click", function () {
                var ll = g.rows.map(function (r) { return [store.cols.lat[r], store.cols.lon[r]]; });
                var bounds = L.latLngBounds(ll);
                map.flyToBounds(bounds, {padding: [40, 40], maxZoom: Math.max(map.getZoom(), 6), animate: !reduceMotion(), duration: 0.8});
            });
            hintsBox.appendChild(b);
        });
    }

    // --- notices on the map ------------------------------------------------------------------------

    var noticesBox = null, notices = {}, dismissed = {};

    /** Show (or, with text null, remove) the notice ``key``: text, and an action {label, run}. */
    function notice(key, text, action, id) {
        if (!map) { return; }
        if (!noticesBox) {
            noticesBox = C.el(doc(), "div", null, "dash-map-notices");
            noticesBox.setAttribute("role", "status");
            L.DomEvent.disableClickPropagation(noticesBox);
            L.DomEvent.disableScrollPropagation(noticesBox);
            map.getContainer().appendChild(noticesBox);
        }
        var old = notices[key];
        if (!text || dismissed[key] === (id || text)) {
            if (old) { old.remove(); delete notices[key]; }
            return;
        }
        if (old && old.dataset.id === (id || text)) { return; }
        if (old) { old.remove(); }
        var d = doc(), box = C.el(d, "div", null, "dash-map-notice");
        box.dataset.key = key;
        box.dataset.id = id || text;
        box.appendChild(C.el(d, "span", text, "text"));
        if (action) {
            var b = C.el(d, "button", action.label, "action");
            b.type = "button";
            b.addEventListener("click", function () { action.run(); box.remove(); delete notices[key]; });
            box.appendChild(b);
        }
        var x = C.el(d, "button", "\u00d7", "close");
        x.type = "button";
        x.title = "Dismiss";
        x.setAttribute("aria-label", "Dismiss");
        x.addEventListener("click", function () { dismissed[key] = box.dataset.id; box.remove(); delete notices[key]; drawHints(); });
        box.appendChild(x);
        noticesBox.appendChild(box);
        notices[key] = box;
    }

    function importsNotice() {
        var im = state && state.imports;
        if (!im || !im.outside || state.tour) { notice("imports", null); return; }
        var text = im.outside.toLocaleString("en-US") + " of " + C.plural(im.n, "imported event") + " " +
            (im.outside === 1 ? "is" : "are") + " outside the date window.";
        notice("imports", text, {label: "Show all", run: function () { D.send("window", {all: true, at: Date.now()}); }},
            im.n + "/" + im.outside);
    }

    // A web basemap that cannot load: its tiles fail and none arrives.
    var tileFailures = {}, tileLoaded = {}, told = {};

    function watchTiles(layer) {
        if (layer.dashWatched) { return; }
        layer.dashWatched = true;
        layer.on("tileload", function () { if (state) { tileLoaded[state.basemap] = true; } });
        layer.on("tileerror", function () {
            if (!state || !state.basemap || state.basemap === "none") { return; }
            var key = state.basemap;
            tileFailures[key] = (tileFailures[key] || 0) + 1;
            if (tileFailures[key] >= 2 && !tileLoaded[key] && !told[key]) {
                told[key] = true;
                var label = (D.config && D.config.basemaps && D.config.basemaps[key]) || key;
                var offline = (D.config && D.config.basemaps && D.config.basemaps.none) || "the offline basemap";
                notice("basemap", label + " could not be loaded (no network?), so the map has no web basemap.",
                    {label: "Use " + offline, run: function () { D.send("base", {base: "none", at: Date.now()}); }}, key);
            }
        });
    }

    // --- an event selected elsewhere: the map goes to it -------------------------------------------

    var lastPan = 0;

    function goToSelection() {
        var o = state && state.open;
        if (!o || o.kind !== "event" || !o.pan || o.pan === lastPan || o.row === null || o.row === undefined) { return; }
        lastPan = o.pan;
        var ll = L.latLng(store.cols.lat[o.row], store.cols.lon[o.row]);
        if (map.getBounds().pad(-0.2).contains(ll) && map.getZoom() >= 6) { return; }
        var zoom = Math.max(map.getZoom(), 8);
        // Off screen, its marker (or its group of stacked events) was not drawn, so its popup could
        // not open: open it once the map is there.
        map.once("moveend", function () { if (D.reopen) { D.reopen(); } });
        if (D.started && !reduceMotion()) { map.flyTo(ll, zoom, {duration: 0.8}); } else { map.setView(ll, zoom); }
    }

    // --- popups that scroll say so ------------------------------------------------------------------

    function scrollCue(popup) {
        var el = popup.getElement && popup.getElement();
        var box = el && el.querySelector(".leaflet-popup-content-wrapper .leaflet-popup-content");
        var wrap = box && box.parentNode;
        if (!box) { return; }
        var scroller = box.scrollHeight > box.clientHeight + 4 ? box : (wrap && wrap.scrollHeight > wrap.clientHeight + 4 ? wrap : null);
        var old = el.querySelector(".dash-more");
        if (old) { old.remove(); }
        if (!scroller) { return; }
        var cue = C.el(doc(), "div", "More below \u25be", "dash-more");
        cue.setAttribute("aria-hidden", "true");
        box.appendChild(cue);
        var update = function () {
            cue.style.visibility = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 6 ? "hidden" : "visible";
        };
        scroller.addEventListener("scroll", update);
        update();
    }

    var STYLE = [
        ".dash-view-control{background:#fff;padding:5px 8px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);",
        "font:12px/1.4 sans-serif;max-width:230px}",
        ".dash-view-switch{display:flex;gap:4px;align-items:center;flex-wrap:wrap}",
        ".dash-view-label{font-weight:600;margin-right:2px}",
        ".dash-view-switch button{font:inherit;padding:1px 8px;border:1px solid #bbb;border-radius:10px;background:#fff;cursor:pointer}",
        ".dash-view-switch button.on{background:#1c6dd0;border-color:#1c6dd0;color:#fff}",
        ".dash-view-switch button:focus-visible,.dash-offscreen-hint:focus-visible,.dash-map-notice button:focus-visible{outline:2px solid #1c6dd0;outline-offset:1px}",
        ".dash-hex-legend{margin-top:4px}.dash-hex-legend .sw{display:inline-block;width:14px;height:10px;margin-right:6px;vertical-align:middle;opacity:.85}",
        ".dash-view-control .note{color:#555;margin-top:3px}",
        ".dash-offscreen{position:absolute;inset:0;pointer-events:none;z-index:650}",
        ".dash-offscreen-hint{position:absolute;transform:translate(-50%,-50%);pointer-events:auto;display:flex;align-items:center;gap:3px;",
        "background:rgba(255,255,255,.92);border:1px solid #888;border-radius:12px;padding:1px 7px;font:600 12px sans-serif;",
        "color:#222;cursor:pointer;box-shadow:0 1px 3px rgba(0,0,0,.25)}",
        ".dash-offscreen-hint .arrow{display:inline-block;color:#1c6dd0;font-size:14px}",
        ".dash-map-notices{position:absolute;top:8px;left:50%;transform:translateX(-50%);z-index:1000;display:flex;",
        "flex-direction:column;gap:4px;max-width:min(92%,520px);pointer-events:none}",
        ".dash-map-notice{pointer-events:auto;display:flex;gap:8px;align-items:center;background:#fff8e1;border:1px solid #e0b000;",
        "border-radius:6px;padding:4px 6px 4px 10px;font:13px/1.35 sans-serif;color:#3b2f00;box-shadow:0 1px 4px rgba(0,0,0,.2)}",
        ".dash-map-notice .text{flex:1}",
        ".dash-map-notice button{font:inherit;cursor:pointer;border-radius:4px}",
        ".dash-map-notice .action{border:1px solid #1c6dd0;background:#1c6dd0;color:#fff;padding:1px 8px;white-space:nowrap}",
        ".dash-map-notice .close{border:0;background:none;font-size:16px;line-height:1;padding:0 4px;color:#555}",
        ".leaflet-popup-content .dash-more{position:sticky;bottom:-1px;text-align:center;font-size:11px;color:#1c6dd0;",
        "background:linear-gradient(rgba(255,255,255,0),#fff 55%);padding-top:10px;margin-top:-10px}"
    ].join("");

    function injectStyle() {
        if (doc().getElementById("dash-explore-style")) { return; }
        var st = doc().createElement("style");
        st.id = "dash-explore-style";
        st.textContent = STYLE;
        doc().head.appendChild(st);
    }

    // --- wiring --------------------------------------------------------------------------------------

    function start(m) {
        started = true;
        map = m;
        injectStyle();
        ensureControl();
        map.eachLayer(function (l) { if (l instanceof L.TileLayer) { watchTiles(l); } });
        map.on("layeradd", function (e) { if (e.layer instanceof L.TileLayer) { watchTiles(e.layer); } });
        map.on("moveend zoomend resize", function () { drawHints(); if (agg === "hex") { drawControl(); } });
        map.on("popupopen", function (e) { setTimeout(function () { scrollCue(e.popup); }, 0); });
        map.on("popupopen", function (e) {
            // a popup whose content changes (details arriving) is checked again
            var p = e.popup, seen = p.dashCue;
            if (!seen) {
                p.dashCue = true;
                p.on("contentupdate", function () { setTimeout(function () { scrollCue(p); }, 0); });
            }
        });
    }

    (D.hooks = D.hooks || []).push(function (s, st, m) {
        if (!started) { start(m); }
        var storeChanged = store !== st;
        state = s;
        store = st;
        if (storeChanged) { drawControl(); }
        goToSelection();
        importsNotice();
        drawHints();
        drawControl();
    });
})();
