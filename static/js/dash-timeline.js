/* dash-timeline.js: the timeline, one dot per event and category over the whole span, the window shaded.
 *
 * Registered with DashPage.registerView("timeline", ...); drawn from the page's store and
 * state (static/js/dash-page.js), nothing fetched.
 */
(function () {
    "use strict";
    var C = window.DashCore;
    var P = window.DashPage;
    var send = P.send;

    // --- the timeline ------------------------------------------------------------------------

    function timelineView(root, config) {
        var doc = root.ownerDocument || document;
        var wrap = C.el(doc, "div", null, "dash-timeline");
        var canvas = C.el(doc, "canvas");
        var tip = C.el(doc, "div", null, "dash-tip");
        wrap.appendChild(canvas);
        wrap.appendChild(tip);
        root.appendChild(wrap);
        var ctx = canvas.getContext("2d"), hits = [], lastStore = null, lastState = null;
        var H = config.height || 190, LEFT = config.labelWidth || 150, TOP = 8, BOTTOM = 26;

        var background = null;  // {key, canvas}: labels, axis and dots, drawn once per data, filters and size
        var geometry = null;    // the last drawing's scales

        /** Where the dot of ``row`` is drawn, in the canvas's CSS pixels (for tests and keyboard users). */
        wrap.dotOf = function (row) {
            if (!geometry || !lastStore) { return null; }
            return [geometry.x(lastStore.cols.start[row]), geometry.y(lastStore.cols.cat[row])];
        };

        function layout() {
            var width = Math.max(wrap.clientWidth || root.host && root.host.clientWidth || 600, 200);
            var ratio = window.devicePixelRatio || 1;
            if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(H * ratio)) {
                canvas.width = Math.round(width * ratio);
                canvas.height = Math.round(H * ratio);
                canvas.style.width = width + "px";
                canvas.style.height = H + "px";
            }
            ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
            return {width: width, ratio: ratio};
        }

        /** Labels, axis and every dot (each pixel and category once, the last row on top),
         *  on an offscreen canvas; ``hits`` keeps the dots for the pointer. */
        function drawBackground(s, st, width, ratio, g) {
            var off = doc.createElement("canvas");
            off.width = Math.round(width * ratio);
            off.height = Math.round(H * ratio);
            var octx = off.getContext("2d");
            octx.setTransform(ratio, 0, 0, ratio, 0, 0);
            octx.font = "12px sans-serif";
            octx.textBaseline = "middle";
            var cats = s.categories;
            cats.forEach(function (cat, k) {
                var y = g.y(k);
                octx.fillStyle = "#333";
                octx.textAlign = "right";
                wrapText(octx, cat.label, LEFT - 10, y, LEFT - 16);
                octx.strokeStyle = "#eee";
                octx.beginPath();
                octx.moveTo(g.x0, y);
                octx.lineTo(g.x1, y);
                octx.stroke();
            });
            axis(octx, g.x, g.d0, g.d1, g.x0, g.x1, H - BOTTOM);
            var c = s.cols, n = c.n, mask = P.maskOf(st), W = Math.ceil(width) + 2;
            var seen = new Int32Array(W * Math.max(cats.length, 1)).fill(-1);
            hits = [];
            for (var i = 0; i < n; i++) {
                if (mask && !mask[i]) { continue; }
                var px = Math.round(g.x(c.start[i])), k2 = c.cat[i], key = k2 * W + Math.min(Math.max(px, 0), W - 1);
                if (seen[key] >= 0) { hits[seen[key]].rows.push(i); continue; }
                seen[key] = hits.length;
                hits.push({x: px, y: g.y(k2), rows: [i], cat: k2});
            }
            hits.forEach(function (h) {
                octx.beginPath();
                octx.arc(h.x, h.y, 5, 0, 2 * Math.PI);
                octx.fillStyle = (cats[h.cat] || {}).color || "#009E73";
                octx.globalAlpha = 0.9;
                octx.fill();
                octx.globalAlpha = 1;
                octx.strokeStyle = "#fff";
                octx.stroke();
            });
            wrap.dataset.dots = String(hits.length);
            return off;
        }

        function draw() {
            var s = lastStore, st = lastState;
            if (!s || !st) { return; }
            var size = layout(), width = size.width, cats = s.categories;
            var rowH = (H - TOP - BOTTOM) / Math.max(cats.length, 1);
            var d0 = s.span[0], d1 = s.span[1];
            if (st.span) { d0 = C.dayOf(st.span[0]); d1 = C.dayOf(st.span[1]); }
            var x0 = LEFT, x1 = width - 12, per = (x1 - x0) / Math.max(d1 - d0, 1);
            var g = {x0: x0, x1: x1, d0: d0, d1: d1, x: function (day) { return x0 + (day - d0) * per; },
                y: function (k) { return TOP + rowH * (k + 0.5); }};
            var key = [s.version, st.mask, width, size.ratio, d0, d1].join("|");
            if (!background || background.key !== key) {
                background = {key: key, canvas: drawBackground(s, st, width, size.ratio, g)};
            }
            ctx.clearRect(0, 0, width, H);
            // the window, under the dots
            var first = C.dayOf(st.window[0]), last = C.dayOf(st.window[1]);
            ctx.fillStyle = "rgba(76,120,168,0.15)";
            ctx.fillRect(g.x(first), TOP, Math.max(g.x(last + 1) - g.x(first), 2), H - TOP - BOTTOM);
            ctx.drawImage(background.canvas, 0, 0, width, H);
            var c = s.cols, sel = st.sel && st.sel.kind === "event" ? st.sel.row : null;
            wrap.dataset.selected = sel !== null && sel !== undefined ? String(sel) : "";
            wrap.dataset.window = st.window.join("/");
            geometry = g;
            if (sel !== null && sel !== undefined && sel < c.n) {
                ctx.beginPath();
                ctx.arc(g.x(c.start[sel]), g.y(c.cat[sel]), 8, 0, 2 * Math.PI);
                ctx.lineWidth = 2.5;
                ctx.strokeStyle = "#111";
                ctx.stroke();
                ctx.lineWidth = 1;
            }
        }

        function wrapText(ctx, text, x, y, max) {
            var words = String(text).split(" "), lines = [], line = "";
            words.forEach(function (w) {
                var t = line ? line + " " + w : w;
                if (ctx.measureText(t).width > max && line) { lines.push(line); line = w; } else { line = t; }
            });
            lines.push(line);
            lines.forEach(function (l, i) { ctx.fillText(l, x, y + (i - (lines.length - 1) / 2) * 13); });
        }

        /** The time axis: ticks and labels from DashCore.axisTicks (years, quarters, months,
         *  weeks or days as the width allows; the year on the first label and where it changes). */
        function axis(ctx, x, d0, d1, x0, x1, y) {
            ctx.strokeStyle = "#999";
            ctx.beginPath();
            ctx.moveTo(x0, y);
            ctx.lineTo(x1, y);
            ctx.stroke();
            ctx.textAlign = "center";
            ctx.fillStyle = "#333";
            var ticks = C.axisTicks(d0, d1, x1 - x0, 52), labels = [];
            ticks.forEach(function (t) {
                var px = x(t.day);
                ctx.beginPath();
                ctx.moveTo(px, y);
                ctx.lineTo(px, y + (t.major ? 6 : 3));
                ctx.stroke();
                var w = ctx.measureText(t.label).width, left = Math.min(Math.max(px - w / 2, x0 - 20), x1 + 10 - w);
                ctx.fillText(t.label, left + w / 2, y + 15);
                labels.push(t.label);
            });
            wrap.dataset.axis = labels.join("|");
        }

        function at(ev) {
            var r = canvas.getBoundingClientRect(), px = ev.clientX - r.left, py = ev.clientY - r.top, best = null, bd = 64;
            hits.forEach(function (h) {
                var d = (h.x - px) * (h.x - px) + (h.y - py) * (h.y - py);
                if (d <= bd) { bd = d; best = h; }
            });
            return best;
        }

        canvas.addEventListener("mousemove", function (ev) {
            var h = at(ev);
            canvas.style.cursor = h ? "pointer" : "";
            if (!h) { tip.style.display = "none"; return; }
            var row = h.rows[h.rows.length - 1], more = h.rows.length > 1 ? " (+" + (h.rows.length - 1) + " more)" : "";
            tip.textContent = lastStore.dateLabel(row) + ": " + lastStore.cols.title.get(row) + more;
            tip.style.display = "block";
            tip.style.left = Math.min(h.x + 10, canvas.clientWidth - 260) + "px";
            tip.style.top = (h.y - 30) + "px";
        });
        canvas.addEventListener("mouseleave", function () { tip.style.display = "none"; });
        canvas.addEventListener("click", function (ev) {
            var h = at(ev);
            if (h) { send("select", {kind: "event", row: h.rows[h.rows.length - 1], from: "timeline", at: Date.now()}); }
        });
        if (window.ResizeObserver) { new window.ResizeObserver(function () { draw(); }).observe(wrap); }

        return {
            update: function (s, st) {
                lastStore = s;
                lastState = st;
                draw();
            }
        };
    }

    P.registerView("timeline", timelineView);
})();
