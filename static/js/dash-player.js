/* dash-player.js: play through time.
 *
 * Registered with DashPage.registerView("player", ...). Play moves the date window
 * forward one step (a day, a week or a month) per tick, at the chosen speed, in the
 * browser: each frame is DashPage.preview(window), which the map, the timeline and
 * the table draw from the data they have (no rerun, nothing sent). Pause keeps the
 * window where it is and sends it to Python once (the "window" trigger), so the
 * slider, the counts and the URL follow.
 */
(function () {
    "use strict";
    var C = window.DashCore;
    var P = window.DashPage;
    var SPEEDS = [["0.5", "0.5\u00d7", 2000], ["1", "1\u00d7", 1000], ["2", "2\u00d7", 500], ["4", "4\u00d7", 250]];

    function playerView(root) {
        var doc = root.ownerDocument || document;
        var wrap = C.el(doc, "div", null, "dash-player");
        root.appendChild(wrap);
        var lastStore = null, lastState = null, timer = null, frame = null, pausedAt = null;

        var play = C.el(doc, "button", "\u25b6 Play", "play");
        play.type = "button";
        play.setAttribute("aria-pressed", "false");
        var step = doc.createElement("select");
        [["day", "a day"], ["week", "a week"], ["month", "a month"]].forEach(function (o) {
            var op = doc.createElement("option");
            op.value = o[0];
            op.textContent = o[1];
            step.appendChild(op);
        });
        step.value = "week";
        var speed = doc.createElement("select");
        SPEEDS.forEach(function (o) {
            var op = doc.createElement("option");
            op.value = o[0];
            op.textContent = o[1];
            speed.appendChild(op);
        });
        speed.value = "1";
        var label = C.el(doc, "span", "", "window");
        label.setAttribute("aria-live", "polite");

        function labelled(text, input) {
            var l = C.el(doc, "label");
            l.appendChild(doc.createTextNode(text + " "));
            l.appendChild(input);
            return l;
        }

        wrap.appendChild(play);
        wrap.appendChild(labelled("Step", step));
        wrap.appendChild(labelled("Speed", speed));
        wrap.appendChild(label);

        function span() {
            var st = lastState, s = lastStore;
            if (st && st.span) { return [C.dayOf(st.span[0]), C.dayOf(st.span[1])]; }
            return s ? s.span : null;
        }

        function showWindow(first, last) {
            label.textContent = C.windowLabel(first, last);
            wrap.dataset.window = C.isoOf(first) + "/" + C.isoOf(last);
        }

        function interval() {
            for (var i = 0; i < SPEEDS.length; i++) { if (SPEEDS[i][0] === speed.value) { return SPEEDS[i][2]; } }
            return 1000;
        }

        function tick() {
            var sp = span(), next = frame && sp ? C.playNext(frame[0], frame[1], sp[1], step.value) : null;
            if (!next) { pause(); return; }
            frame = next;
            P.preview([C.isoOf(frame[0]), C.isoOf(frame[1])]);
            showWindow(frame[0], frame[1]);
            timer = setTimeout(tick, interval());
        }

        function start() {
            var st = lastState, sp = span();
            if (!st || !sp) { return; }
            frame = C.playStart(C.dayOf(st.window[0]), C.dayOf(st.window[1]), sp[0], sp[1], step.value);
            play.textContent = "\u25ae\u25ae Pause";
            play.setAttribute("aria-pressed", "true");
            wrap.dataset.playing = "true";
            P.preview([C.isoOf(frame[0]), C.isoOf(frame[1])]);
            showWindow(frame[0], frame[1]);
            timer = setTimeout(tick, interval());
        }

        /** Stop where the window is, and tell Python (the slider, the counts and the URL follow). */
        function pause() {
            clearTimeout(timer);
            timer = null;
            play.textContent = "\u25b6 Play";
            play.setAttribute("aria-pressed", "false");
            wrap.dataset.playing = "false";
            if (frame) {
                var w = [C.isoOf(frame[0]), C.isoOf(frame[1])];
                frame = null;
                // keep showing it until Python's next state (which has it)
                pausedAt = P.state();
                wrap.dataset.waiting = w.join("/");
                P.send("window", {from: w[0], to: w[1], at: Date.now()});
            }
        }

        play.addEventListener("click", function () { if (timer) { pause(); } else { start(); } });
        speed.addEventListener("change", function () {
            if (timer) { clearTimeout(timer); timer = setTimeout(tick, interval()); }
        });

        return {
            update: function (s, st) {
                lastStore = s;
                lastState = st;
                if (!st) { return; }
                wrap.style.display = st.tour ? "none" : "";
                if (wrap.dataset.waiting && P.state() !== pausedAt) {
                    delete wrap.dataset.waiting;
                    pausedAt = null;
                    P.preview(null);
                    return;
                }
                if (!timer && !wrap.dataset.waiting) { showWindow(C.dayOf(st.window[0]), C.dayOf(st.window[1])); }
            }
        };
    }

    P.registerView("player", playerView);
})();
