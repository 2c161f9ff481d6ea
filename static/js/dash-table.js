/* dash-table.js: the events of the window as a table, page by page, the selected one marked.
 *
 * Registered with DashPage.registerView("table", ...); drawn from the page's store and
 * state (static/js/dash-page.js), nothing fetched.
 */
(function () {
    "use strict";
    var C = window.DashCore;
    var P = window.DashPage;
    var send = P.send;

    // --- the events table ------------------------------------------------------------------

    function tableView(root, config) {
        var doc = root.ownerDocument || document;
        var wrap = C.el(doc, "div", null, "dash-table");
        root.appendChild(wrap);
        var pageSize = config.pageSize || 100, shown = pageSize, lastKey = null, lastStore = null, lastState = null;
        var allFor = null;   // a selected shape whose events the user asked to see among all

        /** The selected shape, if any: {id, name, rows: rows naming it or its group}. */
        function shapeOf(s, st) {
            if (!st.sel || st.sel.kind !== "feature") { return null; }
            var f = s.features[st.sel.id] || [st.sel.id, ""], seen = {}, rows = [];
            (s.featureRows[st.sel.id] || []).concat(f[1] ? s.featureRows[f[1]] || [] : []).forEach(function (r) {
                if (!seen[r]) { seen[r] = true; rows.push(r); }
            });
            return {id: st.sel.id, name: f[0] || st.sel.id, rows: seen};
        }

        function rowsOf(s, st, shape) {
            var first = C.dayOf(st.window[0]), last = C.dayOf(st.window[1]);
            var mask = P.maskOf(st);
            var rows = C.rowsInWindow(s.cols.start, s.cols.end, first, last, mask), out = [];
            var on = {};
            (st.layers || []).forEach(function (k) { on[k] = true; });
            for (var i = 0; i < rows.length; i++) {
                var cat = s.categories[s.cols.cat[rows[i]]];
                if (shape && !shape.rows[rows[i]]) { continue; }
                if (!config.onlyShown || (cat && on["cat:" + cat.key])) { out.push(rows[i]); }
            }
            return out;
        }

        function render() {
            var s = lastStore, st = lastState;
            if (!s || !st) { return; }
            var shape = shapeOf(s, st);
            if (shape && allFor === shape.id) { shape = null; } else if (!shape) { allFor = null; }
            var rows = rowsOf(s, st, shape);
            var key = st.window.join() + "|" + st.mask + "|" + s.version + "|" + (config.onlyShown ? st.layers : "") +
                "|" + (shape ? shape.id : "");
            if (key !== lastKey) { shown = pageSize; lastKey = key; }
            var sel = st.sel && st.sel.kind === "event" ? st.sel.row : null;
            if (sel !== null && rows.indexOf(sel) >= shown) { shown = rows.indexOf(sel) + pageSize; }
            wrap.textContent = "";
            var first = C.dayOf(st.window[0]), last = C.dayOf(st.window[1]);
            var heading = C.plural(rows.length, "event") + (shape ? " naming " + shape.name : "") + " from " +
                C.windowLabel(first, last).replace(" \u2013 ", " to ") + (st.mask ? ", matching the filters" : "");
            var title = C.el(doc, "div", heading, "dash-table-head");
            if (shape) {
                var all = C.el(doc, "button", "Show all events", "dash-table-all");
                all.type = "button";
                all.addEventListener("click", function () { allFor = shape.id; render(); });
                title.appendChild(doc.createTextNode(" "));
                title.appendChild(all);
            }
            wrap.appendChild(title);
            wrap.dataset.shape = shape ? shape.id : "";
            if (!rows.length) {
                wrap.appendChild(C.el(doc, "p", shape ? "No event in this window names it." :
                    st.mask ? "No event in this window matches the filters." : "No events in this window.", "dash-empty"));
                return;
            }
            var box = C.el(doc, "div", null, "dash-table-scroll");
            var table = C.el(doc, "table"), head = C.el(doc, "tr");
            ["Date", "Event", "Category", "Where", "Sources"].forEach(function (h) { head.appendChild(C.el(doc, "th", h)); });
            var thead = C.el(doc, "thead");
            thead.appendChild(head);
            table.appendChild(thead);
            var body = C.el(doc, "tbody"), selectedTr = null;
            rows.slice(0, shown).forEach(function (row) {
                var tr = C.el(doc, "tr"), cat = s.categories[s.cols.cat[row]] || {};
                tr.dataset.row = String(row);
                tr.tabIndex = 0;
                tr.appendChild(C.el(doc, "td", s.dateLabel(row), "date"));
                tr.appendChild(C.el(doc, "td", s.cols.title.get(row), "title"));
                var tdc = C.el(doc, "td");
                var dot = C.el(doc, "span", null, "dot");
                dot.style.background = cat.color || "#999";
                tdc.appendChild(dot);
                tdc.appendChild(doc.createTextNode(cat.label || ""));
                tdc.className = "cat";
                tr.appendChild(tdc);
                var tdw = C.el(doc, "td", s.cols.where.get(row), "where");
                tdw.dataset.label = "Where";
                tr.appendChild(tdw);
                var tds = C.el(doc, "td", null, "sources");
                tds.dataset.label = "Sources";
                C.links(doc, tds, s.sources(row), " \u00b7 ");
                tr.appendChild(tds);
                if (row === sel) { tr.className = "selected"; tr.setAttribute("aria-selected", "true"); selectedTr = tr; }
                tr.addEventListener("click", function (ev) {
                    if (ev.target && ev.target.tagName === "A") { return; }
                    send("select", {kind: "event", row: row, from: "table", at: Date.now()});
                });
                tr.addEventListener("keydown", function (ev) {
                    if (ev.key === "Enter") { send("select", {kind: "event", row: row, from: "table", at: Date.now()}); }
                });
                body.appendChild(tr);
            });
            table.appendChild(body);
            box.appendChild(table);
            wrap.appendChild(box);
            var foot = C.el(doc, "div", null, "dash-table-foot");
            foot.appendChild(doc.createTextNode("Showing " + Math.min(shown, rows.length).toLocaleString("en-US") +
                " of " + C.plural(rows.length, "event") + (shape ? " naming " + shape.name : "") + " in the window."));
            if (rows.length > shown) {
                var more = C.el(doc, "button", "Show " + Math.min(pageSize, rows.length - shown) + " more");
                more.type = "button";
                more.addEventListener("click", function () { shown += pageSize; render(); });
                foot.appendChild(more);
            }
            wrap.appendChild(foot);
            wrap.dataset.rows = String(rows.length);
            if (selectedTr) {
                var top = selectedTr.offsetTop - box.clientHeight / 2;
                box.scrollTop = Math.max(top, 0);
            }
        }

        return {update: function (s, st) { lastStore = s; lastState = st; render(); }};
    }

    P.registerView("table", tableView);
})();
