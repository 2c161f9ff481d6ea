/* dash-tour.js: the tour's step: its buttons, progress and date, title, narrative, the
 * step's subject (what its popup would say), sources and speaker notes.
 *
 * Registered with DashPage.registerView("tour", ...); drawn from the page's store and
 * state (static/js/dash-page.js), nothing fetched. The projector view and full screen
 * are dash-present.js's (window.DashPresent).
 */
(function () {
    "use strict";
    var C = window.DashCore;
    var P = window.DashPage;
    var send = P.send;

    function present() { return window.DashPresent || null; }

    function presenting() { return !!(present() && present().presenting()); }

    function dateOf(step) {
        var a = C.dayOf(step.window[0]), b = C.dayOf(step.window[1]);
        return a === b ? C.formatEventDate(a, 1) : C.windowLabel(a, b);
    }

    /** The step's subject as its popup would show it: date and category, title, place,
     *  each side's claim, what is UNCONFIRMED, and its sources (plain text, links http(s) only). */
    function subjectBox(doc, s, st) {
        var sel = st.sel, o = st.open;
        if (!sel || sel.kind !== "event" || sel.row === null || sel.row === undefined || !o || !o.subject) { return null; }
        var row = sel.row, c = s.cols;
        if (row < 0 || row >= c.n) { return null; }
        var d = s.details[row] || o.details || {};
        var cat = s.categories[c.cat[row]] || {};
        var box = C.el(doc, "section", null, "subject");
        box.setAttribute("aria-label", "On the map");
        var head = C.el(doc, "div", null, "subject-date");
        var dot = C.el(doc, "span", null, "dot");
        dot.style.background = cat.color || "#009E73";
        head.appendChild(dot);
        head.appendChild(doc.createTextNode(s.dateLabel(row) + " \u00b7 " + (cat.label || "")));
        box.appendChild(head);
        box.appendChild(C.el(doc, "h4", c.title.get(row)));
        var where = c.where.get(row);
        if (where) { box.appendChild(C.el(doc, "div", "Where: " + where + (c.geo[row] > 1 ? " (approximate location)" : ""), "where")); }
        C.eventClaims(doc, box, d);
        C.eventSources(doc, box, d.sources || s.sources(row), "Event sources: ");
        return box;
    }

    function tourView(root) {
        var doc = root.ownerDocument || document;
        var wrap = C.el(doc, "div", null, "dash-tour");
        wrap.setAttribute("aria-live", "polite");
        root.appendChild(wrap);
        var shownStep = null, presentBox = null;

        function button(label, cls, title, onClick) {
            var b = C.el(doc, "button", label, cls);
            b.type = "button";
            if (title) { b.title = title; }
            b.addEventListener("click", onClick);
            return b;
        }

        function syncPresenting() {
            wrap.classList.toggle("presenting", presenting());
            if (presentBox) { presentBox.checked = presenting(); }
        }
        window.addEventListener("dash-presenting", syncPresenting);

        function render(s, st) {
            var steps = P.tourSteps(s, st);
            if (!s || !st || !st.tour || !steps.length) { wrap.textContent = ""; shownStep = null; clearInterval(clock); return; }
            var n = st.tour.step, step = steps[n - 1];
            if (!step) { return; }
            var key = n + "|" + s.version + "|" + (st.tour.id || "") + "|" + (st.open && st.open.subject ? st.open.id : "") +
                "|" + (st.room ? st.room.role : "");
            if (key === shownStep) { return; }
            shownStep = key;
            wrap.textContent = "";
            var bar = C.el(doc, "div", null, "dash-tour-bar");
            bar.appendChild(button("\u25c0 Previous", "prev", "Left arrow, Page Up or Shift+Space", function () { send("key", {action: "prev", at: Date.now()}); }));
            bar.lastChild.disabled = n <= 1;
            bar.appendChild(button("Next \u25b6", "next primary", "Right arrow, Space or Page Down", function () { send("key", {action: "next", at: Date.now()}); }));
            bar.lastChild.disabled = n >= steps.length;
            var pick = C.el(doc, "select", null, "pick");
            pick.setAttribute("aria-label", "Step");
            steps.forEach(function (st2, i) {
                var o = C.el(doc, "option", (i + 1) + ". " + st2.title);
                o.value = String(i + 1);
                if (i + 1 === n) { o.selected = true; }
                pick.appendChild(o);
            });
            pick.addEventListener("change", function () { send("key", {action: "goto", step: +pick.value, at: Date.now()}); });
            bar.appendChild(pick);
            bar.appendChild(button("Back to this step", "back", "Restore this step's view after panning or zooming", function () { send("key", {action: "back", at: Date.now()}); }));
            var label = C.el(doc, "label", null, "present");
            var box = C.el(doc, "input");
            box.type = "checkbox";
            box.setAttribute("role", "switch");
            box.checked = presenting();
            box.addEventListener("change", function () { if (present()) { present().setPresenting(box.checked); } });
            presentBox = box;
            label.appendChild(box);
            label.appendChild(doc.createTextNode(" Presentation view"));
            bar.appendChild(label);
            bar.appendChild(button("Full screen", "fullscreen", "The page full screen, in the presentation view (F11 works too)", function () {
                if (present()) { present().toggleFullscreen(); return; }
                var d = doc.documentElement;  // the offline presentation file: no projector view
                if (doc.fullscreenElement) { doc.exitFullscreen(); } else if (d.requestFullscreen) { d.requestFullscreen(); }
            }));
            bar.appendChild(button("Leave tour", "leave", "Back to the view you had before the tour", function () {
                var before = present() ? present().viewBeforeTour() : null;
                if (present()) { present().setPresenting(false); }
                if (doc.fullscreenElement && doc.exitFullscreen) { doc.exitFullscreen(); }
                send("tour", before ? {action: "leave", view: before, at: Date.now()} : {action: "leave", at: Date.now()});
            }));
            wrap.appendChild(bar);
            var progress = C.el(doc, "div", null, "dash-tour-progress");
            progress.appendChild(C.el(doc, "span", n + " / " + steps.length, "count"));
            var dots = C.el(doc, "span", null, "dots");
            dots.setAttribute("aria-hidden", "true");
            steps.forEach(function (x, i) { dots.appendChild(C.el(doc, "span", null, i + 1 === n ? "on" : (i + 1 < n ? "done" : ""))); });
            progress.appendChild(dots);
            progress.appendChild(C.el(doc, "span", dateOf(step), "date"));
            progress.setAttribute("aria-label", "Step " + n + " of " + steps.length + ", " + dateOf(step));
            wrap.appendChild(progress);
            wrap.appendChild(C.el(doc, "h3", step.title));
            String(step.narrative).split(/\n\s*\n/).forEach(function (para) {
                if (para.trim()) { wrap.appendChild(C.el(doc, "p", para.trim(), "narrative")); }
            });
            var subject = subjectBox(doc, s, st);
            if (subject) { wrap.appendChild(subject); }
            if (step.sources.length) {
                var src = C.el(doc, "div", "Sources: ", "sources");
                C.links(doc, src, step.sources, " \u00b7 ");
                wrap.appendChild(src);
            }
            var speaker = !!(st.room && st.room.role === "speaker");
            if (step.notes) {
                var notes = C.el(doc, "details", null, "notes");
                notes.appendChild(C.el(doc, "summary", "Speaker notes"));
                notes.appendChild(C.el(doc, "p", step.notes));
                notes.open = speaker;
                wrap.appendChild(notes);
            }
            if (speaker) { wrap.insertBefore(speakerBox(doc, steps, n, st.room.since), wrap.firstChild); }
            syncPresenting();
        }

        // The speaker view (a live room's role=speaker): the next step's title and the time
        // since the room started, above the step; the notes are open.
        var clock = null;

        function speakerBox(doc, steps, n, since) {
            var box = C.el(doc, "div", null, "dash-speaker-box");
            var time = C.el(doc, "span", "", "timer");
            time.setAttribute("role", "timer");
            box.appendChild(time);
            box.appendChild(C.el(doc, "span", n < steps.length ? "Next: " + steps[n].title : "Last step", "next-title"));
            var start = typeof since === "number" ? since : Date.now();
            var tick = function () {
                var s = Math.max(0, Math.floor((Date.now() - start) / 1000));
                var mm = Math.floor(s / 60), ss = s % 60;
                time.textContent = (mm < 10 ? "0" : "") + mm + ":" + (ss < 10 ? "0" : "") + ss;
            };
            tick();
            clearInterval(clock);
            clock = setInterval(tick, 1000);
            return box;
        }

        return {update: function (s, st) { render(s, st); }};
    }

    /** The tour editor's "Add this view as a step": sends the map's bounds; Python adds the
     *  step with the layers, the window and the selection it has (ui/tour_editor.py). */
    function captureView(root, config) {
        var doc = root.ownerDocument || document;
        var target = config && config.target ? String(config.target) : null;
        var b = C.el(doc, "button", target ? "Use the map's view" : "+ Add this view as a step",
            target ? "capture again" : "capture primary");
        b.type = "button";
        b.title = target ? "This step shows what the map shows now (its layers, dates and text stay)" :
            "The map's view, layers, dates and selection become a new step of your tour";
        b.addEventListener("click", function () {
            var bounds = P.mapBounds();
            if (!bounds) { return; }
            var msg = {action: "capture", bounds: bounds, at: Date.now()};
            if (target) { msg.target = target; }
            send("tour", msg);
        });
        root.appendChild(b);
        return {update: function () { /* always the same button */ }};
    }

    P.registerView("tour", tourView);
    P.registerView("capture", captureView);
})();
