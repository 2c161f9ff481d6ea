/* dash-view.js: what the map frame does so that nothing hides a view's subject.
 *
 * Loaded after dash-map.js (layers/assets.py MAP_JS); it hooks into DashMap:
 *   - fitPadding: a view's bounds are fitted clear of the map's controls and legend;
 *     the legend folds at each tour step; a resize re-fits the view (unless the user
 *     has moved the map since);
 *   - popupFit: popups fit the map and pan clear of the controls;
 *   - stackGroup / revealIn / markSelected: events at the same or nearly the same place
 *     are grouped with their count (leaflet.markercluster) and spread out on click; the
 *     selected event is drawn larger and its group spread out;
 *   - edge markers: a far venue (Brussels, Moscow, The Hague) whose distance line leaves
 *     the map is named at the map's edge with its distance, so the region stays readable;
 *   - labels: permanent labels are placed by priority (Stepanakert first), each tries
 *     right, left, above and below its point, and one that still overlaps is hidden;
 *   - setScale: the projector view scales labels, legend, controls and popups;
 *   - a "Reset view" control (the page's default view; in a standalone file, the map's).
 */
(function () {
    "use strict";
    var L = window.L;
    var DashMap = window.DashMap;
    if (!L || !DashMap) { return; }

    var map = null, cfg = null;
    var scale = 1;
    var lastView = null;       // the last view the state asked for
    var userMoved = false;     // the user has panned or zoomed since
    var blind = false;         // the last view was fitted while the map had no size (a frame not laid out yet)
    var touring = false;       // the last view was a tour step's
    var selectedMarker = null;
    var stack = null;          // the events' group (leaflet.markercluster) now drawn
    var edgeBox = null;

    function reduceMotion() {
        return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
    }

    function host() {
        try { return (window.parent && window.parent !== window && window.parent.DashPage) || window.DashPage; } catch (e) { return window.DashPage; }
    }

    // --- the controls' boxes -----------------------------------------------------------------

    /** Boxes (container pixels) of the map's controls, by corner. */
    function controlBoxes() {
        var box = map.getContainer().getBoundingClientRect(), out = [];
        var corners = map._controlCorners || {};
        Object.keys(corners).forEach(function (corner) {
            Array.prototype.forEach.call(corners[corner].children, function (el) {
                var r = el.getBoundingClientRect();
                if (!r.width || !r.height) { return; }
                out.push({corner: corner, left: r.left - box.left, top: r.top - box.top,
                    right: r.right - box.left, bottom: r.bottom - box.top, legend: el.matches("details.map-legend")});
            });
        });
        return out;
    }

    /** The part of the map clear of its controls: padding for fitBounds (a strip along the left
     *  for the buttons at the top left, one along the top for the top right's controls, one
     *  along the bottom for the scale bar, the legend and the attribution). */
    function safePadding() {
        var size = map.getSize(), m = 10;
        var pad = {left: m, top: m, right: m, bottom: m};
        if (!styled()) {  // Leaflet's stylesheet is not applied yet: room for the usual controls, fit again soon
            refitSoon();
            return {left: 60, top: m, right: m, bottom: 50};
        }
        controlBoxes().forEach(function (b) {
            if (b.legend && !touring) { return; }  // outside the tour the open legend may cover the edge of a view
            if (b.corner === "topleft") {
                pad.left = Math.max(pad.left, b.right + m);
            } else if (b.corner === "topright") {
                pad.top = Math.max(pad.top, b.bottom + m);
            } else {  // the scale bar, the legend and the attribution: a strip along the bottom
                pad.bottom = Math.max(pad.bottom, size.y - b.top + m);
            }
        });
        return pad;
    }

    /** Whether Leaflet's stylesheet places the controls yet (the frame may run before it applies). */
    function styled() {
        var corner = map._controlCorners && map._controlCorners.topleft;
        return !!corner && window.getComputedStyle(corner).position === "absolute";
    }

    DashMap.fitPadding = function () {
        var p = safePadding();
        return {paddingTopLeft: [p.left, p.top], paddingBottomRight: [p.right, p.bottom]};
    };
    DashMap.controlBoxes = function () { return controlBoxes(); };
    /** Whether the user has panned or zoomed since the last view the state gave (a live room's
     *  followers then follow this view, not the tour step's). */
    DashMap.userMoved = function () { return userMoved; };

    DashMap.popupFit = function () {
        // The popup's box is its content plus about 50 px of margins (Leaflet's CSS), 30 px of tip.
        var p = safePadding(), size = map ? map.getSize() : L.point(800, 600), room = size.x - p.left - p.right - 56;
        return {maxWidth: Math.max(120, Math.min(340 * scale, room)), minWidth: Math.max(80, Math.min(200, room)),
            maxHeight: Math.max(100, Math.min(260 * scale, size.y - p.top - p.bottom - 80)),
            autoPanPaddingTopLeft: [p.left, p.top], autoPanPaddingBottomRight: [p.right, p.bottom]};
    };

    function legend() { return map.getContainer().querySelector("details.map-legend"); }

    DashMap.beforeView = function (v, state) {
        var lg = legend();
        touring = !!(state && state.tour);
        if (touring && lg) { lg.open = false; }  // folded in the tour: it never covers the step
        lastView = v;
        userMoved = false;
        blind = !hasSize();
    };

    function hasSize() {
        var size = map.getSize();
        return size.x > 0 && size.y > 0;
    }

    /** The last view again, for the map's new size (unless the user has moved the map since);
     *  a popup the state opened, and folded away by a change of zoom, opens again. */
    function refit() {
        if (!lastView || userMoved || DashMap.moving || !hasSize()) { return; }
        blind = false;
        if (lastView.bounds) {
            map.fitBounds(lastView.bounds, L.extend({maxZoom: lastView.maxZoom || 18, animate: false}, DashMap.fitPadding()));
        } else if (lastView.center) {
            map.setView(lastView.center, lastView.zoom, {reset: true});  // exactly: a resize pans by whole pixels
        }
        if (DashMap.reopen) { setTimeout(DashMap.reopen, 400); }  // once the groups follow the map (on moveend)
    }

    var refitTimer = null;

    /** refit() once the map rests (a resize's own "moveend" comes 200 ms later; a flight ends). */
    function refitSoon(tries) {
        clearTimeout(refitTimer);
        refitTimer = setTimeout(function () {
            if (DashMap.moving && (tries || 0) < 10) { refitSoon((tries || 0) + 1); } else { refit(); }
        }, 250);
    }

    // --- stacked events --------------------------------------------------------------------------

    DashMap.stackGroup = function () {
        if (!L.markerClusterGroup) { return null; }
        var group = L.markerClusterGroup({
            maxClusterRadius: 18, showCoverageOnHover: false, zoomToBoundsOnClick: false,
            spiderfyOnMaxZoom: false, animate: !reduceMotion(), spiderfyDistanceMultiplier: 1.6 * scale,
            iconCreateFunction: function (cluster) {
                var n = cluster.getChildCount(), d = Math.round(26 * scale);
                return L.divIcon({html: "<span>" + n + "</span>", className: "dash-stack", iconSize: [d, d]});
            }
        });
        stack = group;
        group.on("clustermouseover", function (e) {
            var el = e.layer.getElement && e.layer.getElement();
            if (el) { el.title = e.layer.getChildCount() + " events at this place: click to spread them out"; }
        });
        group.on("animationend", layoutSoon);
        return group;
    };

    /** Spread out the group that holds ``marker`` (if any), then call ``done``. */
    DashMap.revealIn = function (group, marker, done) {
        var parent = group.getVisibleParent(marker);
        if (!parent || parent === marker || group._spiderfied === parent || !parent.spiderfy) { done(); return; }
        // The selection and the popup both ask for the same group: spread it out once, then answer both
        // (a second spiderfy while the first animates folds the group and closes the popup).
        if (group.dashSpreading === parent) { group.dashWaiting.push(done); return; }
        group.dashSpreading = parent;
        group.dashWaiting = [done];
        var called = false;
        var finish = function () {
            if (called) { return; }
            called = true;
            var waiting = group.dashWaiting;
            group.dashSpreading = null;
            group.dashWaiting = [];
            waiting.forEach(function (f) { f(); });
        };
        group.once("spiderfied", finish);
        parent.spiderfy();
        setTimeout(finish, 600);
    };

    DashMap.markSelected = function (markers, row) {
        if (selectedMarker && selectedMarker.dashBefore) {
            selectedMarker.setStyle(selectedMarker.dashBefore);
            selectedMarker.dashBefore = null;
        }
        selectedMarker = null;
        var m = row !== null && row !== undefined && markers && markers.markerOf ? markers.markerOf(row) : null;
        if (!m) { return; }
        m.dashBefore = {radius: m.options.radius, weight: m.options.weight, color: m.options.color};
        m.setStyle({radius: 10 * Math.max(1, scale * 0.8), weight: 3, color: "#111111"});
        selectedMarker = m;
        markers.reveal(row, function () { if (m._map) { m.bringToFront(); } });
    };

    // --- far venues at the map's edge ---------------------------------------------------------------

    DashMap.edgeMarkers = true;

    function distanceGroup() {
        var found = null;
        map.eachLayer(function (l) { if (l.dashLines) { found = l; } });
        return found;
    }

    /** Where the segment a->b (inside -> outside the box) leaves the box. */
    function exitPoint(a, b, box) {
        var t = 1;
        if (b.x < box.left) { t = Math.min(t, (box.left - a.x) / (b.x - a.x)); }
        if (b.x > box.right) { t = Math.min(t, (box.right - a.x) / (b.x - a.x)); }
        if (b.y < box.top) { t = Math.min(t, (box.top - a.y) / (b.y - a.y)); }
        if (b.y > box.bottom) { t = Math.min(t, (box.bottom - a.y) / (b.y - a.y)); }
        return L.point(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t);
    }

    var ARROWS = ["\u2192", "\u2198", "\u2193", "\u2199", "\u2190", "\u2196", "\u2191", "\u2197"];

    function arrow(from, to) {
        var a = Math.atan2(to.y - from.y, to.x - from.x);
        return ARROWS[(Math.round(a / (Math.PI / 4)) + 8) % 8];
    }

    function inside(p, box) { return p.x >= box.left && p.x <= box.right && p.y >= box.top && p.y <= box.bottom; }

    function updateEdges() {
        if (!map) { return; }
        if (!edgeBox) {
            edgeBox = L.DomUtil.create("div", "dash-edges", map.getContainer());
            L.DomEvent.disableClickPropagation(edgeBox);
        }
        edgeBox.textContent = "";
        var dg = distanceGroup();
        if (!dg) { return; }
        var size = map.getSize(), pad = safePadding();
        var box = {left: pad.left, top: pad.top, right: size.x - pad.right, bottom: size.y - pad.bottom};
        var placed = [];
        dg.dashLines.forEach(function (line) {
            if (!dg.hasLayer(line.layer)) { return; }
            var path = line.layer.getLatLngs().map(function (ll) { return map.latLngToContainerPoint(ll); });
            var venue = path[0];
            if (inside(venue, box)) { return; }
            var at = null;
            for (var i = path.length - 1; i > 0; i--) {
                if (inside(path[i], box) && !inside(path[i - 1], box)) { at = exitPoint(path[i], path[i - 1], box); break; }
            }
            if (!at) { return; }
            var el = L.DomUtil.create("button", "dash-edge", edgeBox);
            el.type = "button";
            el.appendChild(document.createTextNode(arrow(at, venue) + " " + line.name));
            el.appendChild(document.createElement("br"));
            el.appendChild(document.createTextNode(line.km.toLocaleString("en-US") + " km from " +
                (DashMap.distanceTarget ? DashMap.distanceTarget.name : "")));
            el.title = "Show " + line.name + " and the region";
            el.dataset.venue = line.venue;
            L.DomEvent.on(el, "click", function () {
                userMoved = true;
                map.flyToBounds(L.latLngBounds([line.layer.getLatLngs()[0], line.layer.getLatLngs().slice(-1)[0]]),
                    L.extend({duration: reduceMotion() ? 0 : 0.8, animate: !reduceMotion()}, DashMap.fitPadding()));
            });
            var dot = L.DomUtil.create("span", "dash-edge-dot", edgeBox);
            dot.style.left = at.x + "px";
            dot.style.top = at.y + "px";
            var w = el.offsetWidth, h = el.offsetHeight;
            var x = Math.min(Math.max(at.x - w / 2, box.left), box.right - w);
            var y = Math.min(Math.max(at.y - h / 2, box.top), box.bottom - h);
            placed.forEach(function (p) {  // Brussels and The Hague leave at nearly one point: stack them
                if (x < p.x + p.w && p.x < x + w && y < p.y + p.h && p.y < y + h) {
                    y = p.y + p.h + 4 <= box.bottom - h ? p.y + p.h + 4 : p.y - h - 4;
                }
            });
            el.style.left = x + "px";
            el.style.top = y + "px";
            placed.push({x: x, y: y, w: w, h: h});
        });
    }

    // --- labels --------------------------------------------------------------------------------------

    function labelPriority(layer) {
        var key = layer.dashKey, r = layer.options && layer.options.radius;
        if (key === "stepanakert") { return r >= 8 ? 100 : 20; }   // the city; then its square
        if (key === "places") { return r >= 8 ? 60 : (r >= 6 ? 80 : 40); }  // venue, capital, town
        if (key === "nagorno_karabakh") { return 70; }
        return 30;
    }

    function overlaps(a, b) {
        return a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
    }

    var DIRECTIONS = {right: ["right", "left", "top", "bottom"], center: ["center", "top", "bottom"]};

    /** Place the permanent labels: by priority, each at the first of its directions where it
     *  overlaps no label already placed (nor a control, nor an edge marker); else hidden. */
    function layoutLabels() {
        if (!map) { return; }
        var labels = [];
        map.eachLayer(function (l) {
            var t = l.getTooltip && l.getTooltip();
            if (t && t.options.permanent && t._container && l._map && l.isTooltipOpen()) {
                if (!t.dashHome) { t.dashHome = t.options.direction; }
                labels.push({layer: l, tip: t, prio: labelPriority(l)});
            }
        });
        labels.sort(function (a, b) { return b.prio - a.prio; });
        var taken = [];
        controlBoxes().forEach(function (b) { taken.push(b); });
        var origin = map.getContainer().getBoundingClientRect();
        var rel = function (r) { return {left: r.left - origin.left, top: r.top - origin.top, right: r.right - origin.left, bottom: r.bottom - origin.top}; };
        if (edgeBox) {
            Array.prototype.forEach.call(edgeBox.querySelectorAll(".dash-edge"), function (e) { taken.push(rel(e.getBoundingClientRect())); });
        }
        var size = map.getSize();
        labels.forEach(function (lb) {
            var el = lb.tip._container, tries = DIRECTIONS[lb.tip.dashHome] || DIRECTIONS.right, ok = false;
            el.style.visibility = "";
            for (var i = 0; i < tries.length && !ok; i++) {
                lb.tip.options.direction = tries[i];
                lb.tip.update();
                var r = rel(el.getBoundingClientRect());
                // A label lies wholly on the map, clear of the others (one cut by the edge is hidden).
                var within = r.left >= 0 && r.top >= 0 && r.right <= size.x && r.bottom <= size.y;
                ok = within && !taken.some(function (t) { return overlaps(r, t); });
                if (ok) { taken.push(r); }
            }
            if (!ok) { lb.tip.options.direction = tries[0]; lb.tip.update(); }
            el.style.visibility = ok ? "" : "hidden";
            L.DomUtil[ok ? "removeClass" : "addClass"](el, "dash-label-hidden");
        });
        DashMap.labelsLaidOut = (DashMap.labelsLaidOut || 0) + 1;
    }

    var layoutTimer = null;

    function layoutSoon() {
        clearTimeout(layoutTimer);
        layoutTimer = setTimeout(function () { updateEdges(); layoutLabels(); }, 30);
    }

    DashMap.layout = function () { updateEdges(); layoutLabels(); };

    DashMap.afterApply = function () { updateEdges(); layoutLabels(); };

    // --- the projector view's scale ------------------------------------------------------------------

    /** Scale labels, legend, controls and popups by ``s`` (the page's projector view). */
    DashMap.setScale = function (s) {
        s = Math.max(1, Math.min(4, +s || 1));
        if (s === scale) { return; }
        scale = s;
        document.documentElement.style.setProperty("--dash-scale", String(s));
        if (!map) { return; }
        map.invalidateSize({pan: false});
        map.eachLayer(function (l) {
            var t = l.getTooltip && l.getTooltip();
            if (t && t.options.permanent && l.isTooltipOpen()) { t.update(); }
        });
        refitSoon();
        layoutSoon();
    };

    // --- reset ---------------------------------------------------------------------------------------

    function resetControl() {
        var Ctl = L.Control.extend({
            options: {position: "topleft"},
            onAdd: function () {
                var box = L.DomUtil.create("div", "leaflet-bar leaflet-control dash-reset");
                var a = L.DomUtil.create("a", "reset-button", box);
                a.href = "#";
                a.title = "Reset view";
                a.setAttribute("role", "button");
                a.setAttribute("aria-label", "Reset view");
                a.textContent = "\u2302";
                L.DomEvent.on(a, "click", function (e) {
                    L.DomEvent.preventDefault(e);
                    var h = host();
                    var page = h && h.state && h.state();
                    if (h && h.send && page && !page.standalone && h.canSend && h.canSend()) {
                        h.send("tour", {action: "reset", at: Date.now()});
                    } else if (cfg && cfg.home) {
                        map.fitBounds(cfg.home, DashMap.fitPadding());
                    }
                });
                L.DomEvent.disableClickPropagation(box);
                return box;
            }
        });
        map.addControl(new Ctl());
    }

    // --- start ---------------------------------------------------------------------------------------

    var init = DashMap.init;
    DashMap.init = function (m, config, tiles) {
        map = m;
        cfg = config;
        if (!m.options.maxZoom) { m.options.maxZoom = 19; }  // markercluster needs one; no tiles may give it
        resetControl();
        var box = m.getContainer();
        ["mousedown", "wheel", "touchstart", "keydown", "dblclick"].forEach(function (ev) {
            box.addEventListener(ev, function (e) {
                var t = e.target && e.target.closest ? e.target : null;  // the legend, reset and edge markers do not move it
                if (t && t.closest(".map-legend, .dash-reset, .dash-edges")) { return; }
                // A view fitted while the map had no size (at zoom 18 or so) is fitted first:
                // the user acts on the view they were given, not on that one.
                if (blind && !userMoved) {
                    map.invalidateSize({pan: false});  // the frame's size now, not Leaflet's cached one
                    if (hasSize()) { clearTimeout(refitTimer); refit(); }
                }
                userMoved = true;
            }, true);
        });
        m.on("resize", function () { refitSoon(); layoutSoon(); });
        window.addEventListener("load", function () { refitSoon(); layoutSoon(); });
        m.on("zoomend moveend", layoutSoon);
        // A click on a group's count spreads it out, once the map's own click (which folds any group
        // spread out) is done. The press is taken on the count itself: the map's dragging takes the
        // pointer, so the click's target is the map, and "clusterclick" never comes.
        var pressed = null;
        var clusterOf = function (icon) {
            var found = null;
            if (icon && stack && stack._featureGroup) {
                stack._featureGroup.eachLayer(function (c) { if (c._icon === icon && c.spiderfy) { found = c; } });
            }
            return found;
        };
        box.addEventListener("pointerdown", function (e) {
            var c = clusterOf(e.target && e.target.closest ? e.target.closest(".dash-stack") : null);
            pressed = c ? {at: c.getLatLng(), t: Date.now()} : null;
        }, true);
        box.addEventListener("click", function (e) {
            var p = pressed;
            pressed = null;
            // (Not by position: focusing the map on the press may scroll the page under the pointer.)
            if (!p || Date.now() - p.t > 1000) { return; }
            setTimeout(function () {
                if (!stack || !stack._featureGroup) { return; }
                stack._featureGroup.eachLayer(function (c) { if (c.spiderfy && c.getLatLng().equals(p.at)) { c.spiderfy(); } });
            }, 0);
        }, true);
        box.addEventListener("keydown", function (e) {  // Enter on a focused count
            var c = e.key === "Enter" && e.target && e.target.closest ? clusterOf(e.target.closest(".dash-stack")) : null;
            if (c) { c.spiderfy(); }
        });
        m.on("popupopen", function (e) {  // sized for the map as it is now (a phone, the projector view)
            L.extend(e.popup.options, DashMap.popupFit());
            e.popup.update();
        });
        m.on("move", function () { if (DashMap.moving) { updateEdges(); } });
        m.on("layeradd layerremove", function (e) { if (e.layer && e.layer.getTooltip) { layoutSoon(); } });
        var lg = legend();
        if (lg) { lg.addEventListener("toggle", function () { refitSoon(); layoutSoon(); }); }
        init(m, config, tiles);
    };
})();
