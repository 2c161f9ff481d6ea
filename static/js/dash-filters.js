/* dash-filters.js: search and filters, and the events they match, listed and selectable.
 *
 * Registered with DashPage.registerView("filters", ...). The search runs on the
 * server, over what the browser's store does not hold (summaries, actors, the
 * sources' kinds, each event's country): the panel sends its filters (the "filter"
 * trigger, one rerun), and the state comes back naming the row mask the map, the
 * timeline and the table then draw. The options (countries, source kinds, actors)
 * come once with the store. The matches in the window are listed here; a click
 * selects one, as a marker, a table row or a timeline dot does.
 */
(function () {
    "use strict";
    var C = window.DashCore;
    var P = window.DashPage;
    var LISTED = 8;

    function filtersView(root) {
        var doc = root.ownerDocument || document;
        var wrap = C.el(doc, "div", null, "dash-filters");
        root.appendChild(wrap);
        var lastStore = null, lastState = null, built = null, pending = null, pendingState = null, timer = null;
        var ui = {};

        function current() {
            var countries = [], kinds = [];
            (ui.countries || []).forEach(function (b) { if (b.checked) { countries.push(b.value); } });
            (ui.kinds || []).forEach(function (b) { if (b.checked) { kinds.push(b.value); } });
            return {q: ui.q.value.trim(), actor: ui.actor.value.trim(), countries: countries,
                fatalities: ui.fat.value, kinds: kinds};
        }

        function same(a, b) {
            return JSON.stringify([a.q, a.actor, a.countries, a.fatalities, a.kinds]) ===
                JSON.stringify([b.q, b.actor, b.countries, b.fatalities, b.kinds]);
        }

        function applied() {
            var f = lastState && lastState.filters;
            return f || {q: "", actor: "", countries: [], fatalities: "", kinds: []};
        }

        function submit() {
            clearTimeout(timer);
            var f = current();
            if (same(f, applied()) && !pending) { return; }
            pending = f;
            pendingState = lastState;
            ui.status.textContent = "Searching\u2026";
            P.send("filter", {q: f.q, actor: f.actor, countries: f.countries, fatalities: f.fatalities, kinds: f.kinds,
                at: Date.now()});
        }

        function later() {
            clearTimeout(timer);
            timer = setTimeout(submit, 600);
        }

        function field(label, input) {
            var l = C.el(doc, "label", null, "field");
            l.appendChild(C.el(doc, "span", label));
            l.appendChild(input);
            return l;
        }

        function checks(name, options) {
            var box = C.el(doc, "fieldset", null, "checks"), out = [];
            box.appendChild(C.el(doc, "legend", name));
            options.forEach(function (o) {
                var l = C.el(doc, "label"), b = doc.createElement("input");
                b.type = "checkbox";
                b.value = o[0];
                b.addEventListener("change", submit);
                l.appendChild(b);
                l.appendChild(doc.createTextNode(" " + o[1] + " (" + o[2].toLocaleString("en-US") + ")"));
                box.appendChild(l);
                out.push(b);
            });
            return {box: box, inputs: out};
        }

        function build(s) {
            wrap.textContent = "";
            ui = {};
            var opts = s.filters || {countries: [], kinds: [], fatalities: [], actors: []};
            var q = doc.createElement("input");
            q.type = "search";
            q.placeholder = "Words in titles, summaries, places, actors";
            q.setAttribute("aria-label", "Search the events");
            q.addEventListener("input", later);
            q.addEventListener("keydown", function (e) { if (e.key === "Enter") { submit(); } });
            ui.q = q;
            wrap.appendChild(C.el(doc, "div", "Search and filter", "dash-filters-head"));
            wrap.appendChild(q);

            var more = C.el(doc, "details", null, "more");
            more.appendChild(C.el(doc, "summary", "Filters: actor, country, fatalities, source"));
            var actor = doc.createElement("input");
            actor.type = "text";
            actor.placeholder = "Any actor";
            var listId = "dash-actors-" + Math.random().toString(36).slice(2);
            actor.setAttribute("list", listId);
            var dl = doc.createElement("datalist");
            dl.id = listId;
            (opts.actors || []).forEach(function (a) { var o = doc.createElement("option"); o.value = a; dl.appendChild(o); });
            actor.addEventListener("input", later);
            actor.addEventListener("change", submit);
            ui.actor = actor;
            more.appendChild(field("Actor", actor));
            more.appendChild(dl);

            var fat = doc.createElement("select");
            [["", "Any"]].concat(opts.fatalities || []).forEach(function (o) {
                var op = doc.createElement("option");
                op.value = o[0];
                op.textContent = o[1];
                fat.appendChild(op);
            });
            fat.addEventListener("change", submit);
            ui.fat = fat;
            more.appendChild(field("Fatalities", fat));

            var cs = checks("Country (where it happened; internationally recognised borders)", opts.countries.map(function (c) {
                return [c[0], c[0], c[1]];
            }));
            ui.countries = cs.inputs;
            more.appendChild(cs.box);
            var ks = checks("Source kind (an event cites at least one)", opts.kinds || []);
            ui.kinds = ks.inputs;
            more.appendChild(ks.box);
            wrap.appendChild(more);
            ui.more = more;

            var bar = C.el(doc, "div", null, "bar");
            var status = C.el(doc, "span", "", "status");
            status.setAttribute("role", "status");
            ui.status = status;
            var clear = C.el(doc, "button", "Clear");
            clear.type = "button";
            clear.addEventListener("click", function () {
                q.value = "";
                actor.value = "";
                fat.value = "";
                ui.countries.concat(ui.kinds).forEach(function (b) { b.checked = false; });
                submit();
            });
            ui.clear = clear;
            bar.appendChild(status);
            bar.appendChild(clear);
            wrap.appendChild(bar);
            var list = C.el(doc, "ol", null, "matches");
            list.setAttribute("aria-label", "Matching events in the window");
            ui.list = list;
            wrap.appendChild(list);
            ui.rest = C.el(doc, "div", "", "rest");
            wrap.appendChild(ui.rest);
        }

        function setInputs(f) {
            ui.q.value = f.q || "";
            ui.actor.value = f.actor || "";
            ui.fat.value = f.fatalities || "";
            ui.countries.forEach(function (b) { b.checked = (f.countries || []).indexOf(b.value) >= 0; });
            ui.kinds.forEach(function (b) { b.checked = (f.kinds || []).indexOf(b.value) >= 0; });
            if (f.actor || f.fatalities || (f.countries || []).length || (f.kinds || []).length) { ui.more.open = true; }
        }

        function rowsInWindow(s, st, mask) {
            return C.rowsInWindow(s.cols.start, s.cols.end, C.dayOf(st.window[0]), C.dayOf(st.window[1]), mask);
        }

        function render() {
            var s = lastStore, st = lastState;
            if (!s || !st) { return; }
            if (built !== s.version) {
                build(s);
                built = s.version;
                setInputs(applied());
            }
            var f = applied();
            if (pending && (same(pending, f) || st !== pendingState)) { pending = null; }
            if (!pending && doc.activeElement !== ui.q && !(root.activeElement && root.activeElement === ui.q)) { setInputs(f); }
            ui.list.textContent = "";
            ui.rest.textContent = "";
            wrap.dataset.matches = "";
            if (!st.mask) {
                ui.status.textContent = pending ? "Searching\u2026" : "";
                ui.clear.disabled = true;
                return;
            }
            ui.clear.disabled = false;
            var mask = P.maskOf(st), rows = rowsInWindow(s, st, mask), sel = st.sel && st.sel.kind === "event" ? st.sel.row : null;
            var total = st.matches || 0;
            wrap.dataset.matches = String(rows.length);
            ui.status.textContent = pending ? "Searching\u2026" : C.plural(rows.length, "match", "matches") + " in the window" +
                (total !== rows.length ? " (" + total.toLocaleString("en-US") + " in all dates)" : "");
            // the latest first; the selected event stays listed when it matches
            var listed = Array.prototype.slice.call(rows, Math.max(rows.length - LISTED, 0)).reverse();
            if (sel !== null && mask && mask[sel] && listed.indexOf(sel) < 0 && Array.prototype.indexOf.call(rows, sel) >= 0) {
                listed = [sel].concat(listed.slice(0, LISTED - 1));
            }
            listed.forEach(function (row) {
                var li = C.el(doc, "li"), b = C.el(doc, "button");
                b.type = "button";
                b.dataset.row = String(row);
                b.appendChild(C.el(doc, "span", s.dateLabel(row), "date"));
                b.appendChild(C.el(doc, "span", s.cols.title.get(row), "title"));
                var where = s.cols.where.get(row);
                if (where) { b.appendChild(C.el(doc, "span", where, "where")); }
                if (row === sel) { b.className = "selected"; b.setAttribute("aria-current", "true"); }
                b.addEventListener("click", function () { P.send("select", {kind: "event", row: row, from: "search", at: Date.now()}); });
                li.appendChild(b);
                ui.list.appendChild(li);
            });
            if (rows.length > LISTED) {
                ui.rest.textContent = "\u2026 and " + (rows.length - LISTED).toLocaleString("en-US") + " more in the events table.";
            } else if (!rows.length && total) {
                ui.rest.textContent = "None in the window; widen it to see them.";
            }
        }

        return {update: function (s, st) { lastStore = s; lastState = st; render(); }};
    }

    P.registerView("filters", filtersView);
})();
