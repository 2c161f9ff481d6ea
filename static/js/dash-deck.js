/* dash-deck.js: the offline presentation file (layers/presentation.py).
 *
 * The file holds the map, the events, the tour and one browser state per step
 * (geo.page_model.step_state). This script walks them with the page's own code:
 * DashPage applies a step's state to the map, dash-tour.js draws the step's text,
 * and the page's keys (PageDown/PageUp, arrows, Space, Home/End, B) arrive here as
 * the messages Python would get (DashPage.setOffline). S opens the speaker notes in a
 * second window, which follows this one. Nothing is fetched; text is text.
 *
 *     DashDeck.start(states, panel)   // states: one per step; panel: the tour's element
 */
(function () {
    "use strict";
    var C = window.DashCore;
    var P = window.DashPage;

    var states = [], at = 0, nonce = 1000, notesWin = null, started = null;

    function steps() { return (P.store() && P.store().tour) || []; }

    function show(n, again) {
        if (n < 1 || n > states.length || (n === at && !again)) { return; }
        at = n;
        nonce += 1;
        var st = JSON.parse(JSON.stringify(states[n - 1]));
        if (st.view) { st.view.nonce = nonce; }
        st.standalone = true;
        P.setState(st);
        if (window.history && window.history.replaceState) {
            try { window.history.replaceState(null, "", "#step=" + n); } catch (e) { /* file:// may refuse */ }
        }
        document.title = document.title.replace(/^\(\d+\/\d+\) /, "");
        document.title = "(" + n + "/" + states.length + ") " + document.title;
        renderNotes();
    }

    /** A message the page would send to Python: the tour's keys and buttons. */
    function onMessage(kind, value) {
        if (kind !== "key" && kind !== "tour") { return; }
        var v = value || {};
        if (kind === "tour") {  // "Leave tour" / "Reset view": back to the step's own view
            show(at, true);
            return;
        }
        var target = {next: at + 1, prev: at - 1, first: 1, last: states.length, back: at}[v.action];
        if (v.action === "goto" && typeof v.step === "number") { target = v.step; }
        if (target !== undefined) { show(target, v.action === "back"); }
    }

    // --- the speaker notes window -------------------------------------------------------------

    var NOTES_CSS = "body{font:20px/1.45 system-ui,sans-serif;margin:0;padding:18px 22px;background:#111;color:#eee}" +
        "h1{font-size:16px;color:#aaa;margin:0 0 6px;font-weight:500}h2{font-size:26px;margin:0 0 12px}" +
        ".notes{white-space:pre-wrap;font-size:24px}.next{margin-top:22px;color:#aaa;font-size:17px}" +
        ".clock{float:right;color:#aaa;font-size:16px}.none{color:#888;font-style:italic}";

    function openNotes() {
        if (notesWin && !notesWin.closed) { notesWin.focus(); renderNotes(); return; }
        notesWin = window.open("", "dash-deck-notes", "width=720,height=520");
        if (!notesWin) { return; }  // blocked: the notes stay in the panel's "Speaker notes"
        var d = notesWin.document;
        d.title = "Speaker notes";
        var style = d.createElement("style");
        style.textContent = NOTES_CSS;
        d.head.appendChild(style);
        d.body.textContent = "";
        var main = d.createElement("main");
        main.id = "notes";
        d.body.appendChild(main);
        // keys in the notes window drive the presentation too
        d.addEventListener("keydown", function (e) {
            var action = {PageDown: "next", ArrowRight: "next", " ": "next", PageUp: "prev", ArrowLeft: "prev",
                Home: "first", End: "last"}[e.key];
            if (e.key === " " && e.shiftKey) { action = "prev"; }
            if (action) { e.preventDefault(); onMessage("key", {action: action}); }
        });
        if (!started) { started = Date.now(); }
        renderNotes();
    }

    function renderNotes() {
        if (!notesWin || notesWin.closed) { return; }
        var d = notesWin.document, main = d.getElementById("notes"), list = steps();
        if (!main) { return; }
        var step = list[at - 1] || {}, next = list[at];
        main.textContent = "";
        var mins = started ? Math.floor((Date.now() - started) / 60000) : 0;
        main.appendChild(C.el(d, "span", mins + " min", "clock"));
        main.appendChild(C.el(d, "h1", "Step " + at + " of " + list.length));
        main.appendChild(C.el(d, "h2", step.title || ""));
        main.appendChild(C.el(d, "div", step.notes || "No notes for this step.", step.notes ? "notes" : "notes none"));
        main.appendChild(C.el(d, "div", next ? "Next: " + next.title : "Last step.", "next"));
        main.setAttribute("data-step", String(at));
    }

    function typing(t) {
        var tag = t && t.tagName ? t.tagName.toLowerCase() : "";
        return tag === "input" || tag === "textarea" || tag === "select" || (t && t.isContentEditable);
    }

    document.addEventListener("keydown", function (e) {
        if ((e.key === "s" || e.key === "S") && !e.ctrlKey && !e.metaKey && !e.altKey && !typing(e.target)) {
            e.preventDefault();
            openNotes();
        }
    });
    window.addEventListener("beforeunload", function () { if (notesWin && !notesWin.closed) { notesWin.close(); } });

    function start(list, panel) {
        states = list;
        P.setOffline(onMessage);
        if (panel) {
            P.mount({data: {kind: "tour"}, parentElement: panel});
        }
        var m = /step=(\d+)/.exec(window.location.hash || "");
        show(m ? Math.min(Math.max(+m[1], 1), states.length) : 1, true);
    }

    window.DashDeck = {
        start: start,
        step: function () { return at; },
        notes: function () { return notesWin; },
        openNotes: openNotes
    };
})();
