/* dash-present.js: the tour's layout and the projector view, in the page's document.
 *
 * In the tour (a state with ``tour``) the page gets the class ``dash-touring``: the
 * map takes the window's height beside the step's text (on a phone: the map first,
 * the text below). The projector view (``dash-presenting``, switched in the tour
 * panel or by going full screen) shows only the step's text and the map, over the
 * whole viewport, with sizes for a room: the map frame scales its labels, legend,
 * controls and popups with the window's height (DashMap.setScale). The presenter's
 * keys are the page's (dash-page.js): they work in full screen too.
 *
 * window.DashPresent: presenting(), setPresenting(on), toggleFullscreen(), touring(),
 * viewBeforeTour().
 */
(function () {
    "use strict";
    var P = window.DashPage;
    if (!P || window.DashPresent) { return; }
    var MAP_FRAME = "iframe[title=\"streamlit_folium.st_folium\"]";
    var LAYOUT = ".st-key-tour_layout";

    var CSS = [
        // The tour: the map as tall as the window beside the step's text, which scrolls on its own.
        "html.dash-touring .block-container {padding-top: 3.75rem; padding-bottom: 1rem}",
        "html.dash-touring " + LAYOUT + " " + MAP_FRAME + " {height: calc(100vh - 5rem) !important}",
        "html.dash-touring " + LAYOUT + " [data-testid=stColumn]:first-child {max-height: calc(100vh - 5rem);" +
            " overflow-y: auto}",
        // The projector view: the step's text and the map over the whole viewport, nothing else.
        "html.dash-presenting [data-testid=stSidebar], html.dash-presenting [data-testid=stSidebarCollapsedControl]," +
            " html.dash-presenting header[data-testid=stHeader], html.dash-presenting .st-key-dash_timeline," +
            " html.dash-presenting .st-key-dash_table, html.dash-presenting .st-key-timeline_heading" +
            " {display: none !important}",
        "html.dash-presenting " + LAYOUT + " {position: fixed; inset: 0; z-index: 999990; background: #fff}",
        "html.dash-presenting " + LAYOUT + " [data-testid=stHorizontalBlock] {gap: 0; height: 100vh; flex-wrap: nowrap}",
        "html.dash-presenting " + LAYOUT + " [data-testid=stColumn]:first-child {flex: 0 0 36% !important;" +
            " width: 36% !important; max-height: 100vh; height: 100vh; overflow-y: auto; padding: 2vh 1.6vw;" +
            " box-sizing: border-box}",
        "html.dash-presenting " + LAYOUT + " [data-testid=stColumn]:last-child {flex: 1 1 auto !important;" +
            " width: auto !important; min-width: 0}",
        "html.dash-presenting " + LAYOUT + " " + MAP_FRAME + " {height: 100vh !important}",
        "html.dash-presenting " + LAYOUT + " [data-testid=stElementContainer] {margin: 0}",
        // A phone: the map on the first screen, the step's text below it.
        "@media (max-width: 640px) {",
        "  html.dash-touring .block-container {padding-left: .75rem; padding-right: .75rem}",
        "  html.dash-touring " + LAYOUT + " [data-testid=stHorizontalBlock] {flex-direction: column}",
        "  html.dash-touring " + LAYOUT + " [data-testid=stColumn] {width: 100% !important; flex: 1 1 auto !important}",
        "  html.dash-touring " + LAYOUT + " [data-testid=stColumn]:last-child {order: -1}",
        "  html.dash-touring " + LAYOUT + " " + MAP_FRAME + " {height: 62vh !important}",
        "  html.dash-touring " + LAYOUT + " [data-testid=stColumn]:first-child {max-height: none; overflow: visible;" +
            " height: auto; padding: 1vh 2vw}",
        "  html.dash-presenting " + LAYOUT + " {position: static}",
        "  html.dash-presenting " + LAYOUT + " [data-testid=stHorizontalBlock] {height: auto}",
        "}"
    ].join("\n");

    var touring = false;
    var before = null;          // the map's view when the tour started

    function injectCss() {
        if (document.getElementById("dash-present-css")) { return; }
        var style = document.createElement("style");
        style.id = "dash-present-css";
        style.textContent = CSS;
        document.head.appendChild(style);
    }

    function presenting() {
        return document.documentElement.classList.contains("dash-presenting");
    }

    /** The map frame's scale in the projector view: 1 at 600 px of height, 1.8 at 1080, 3.6 at 2160. */
    function scale() {
        return presenting() && window.innerWidth > 640 ? Math.max(1, Math.min(4, window.innerHeight / 600)) : 1;
    }

    function pushScale() {
        var s = scale();
        Array.prototype.forEach.call(document.querySelectorAll(MAP_FRAME), function (f) {
            try {
                var w = f.contentWindow;
                if (w && w.DashMap && w.DashMap.setScale) { w.DashMap.setScale(s); }
            } catch (e) { /* a frame of another origin */ }
        });
    }

    function setPresenting(on) {
        injectCss();
        on = !!on && touring;
        document.documentElement.classList.toggle("dash-presenting", on);
        window.dispatchEvent(new CustomEvent("dash-presenting", {detail: on}));
        window.dispatchEvent(new Event("resize"));
        pushScale();
    }

    function fullscreen() { return document.fullscreenElement || null; }

    /** The page full screen, in the projector view (the browser's own F11 works too). */
    function toggleFullscreen() {
        if (fullscreen()) {
            if (document.exitFullscreen) { document.exitFullscreen(); }
            return;
        }
        setPresenting(true);
        var root = document.documentElement;
        if (root.requestFullscreen) {
            root.requestFullscreen().catch(function () { /* refused: the projector view still shows */ });
        }
    }

    document.addEventListener("fullscreenchange", function () {
        if (fullscreen() && touring && !presenting()) { setPresenting(true); }
        window.dispatchEvent(new CustomEvent("dash-presenting", {detail: presenting()}));
        pushScale();
    });

    var resizeTimer = null;
    window.addEventListener("resize", function () {
        clearTimeout(resizeTimer);
        resizeTimer = setTimeout(pushScale, 100);
    });

    P.onState(function (s) {
        injectCss();
        var now = !!s.tour;
        if (now && !touring) { before = P.view(); }
        if (!now && touring) {
            before = null;
            touring = false;
            setPresenting(false);
        }
        touring = now;
        document.documentElement.classList.toggle("dash-touring", now);
        setTimeout(pushScale, 0);  // a map frame that attached since
    });

    window.DashPresent = {
        presenting: presenting,
        setPresenting: setPresenting,
        toggleFullscreen: toggleFullscreen,
        fullscreen: function () { return !!fullscreen(); },
        touring: function () { return touring; },
        scale: scale,
        /** The map's centre and zoom when the tour started (for "Leave tour"), or null. */
        viewBeforeTour: function () { return before; }
    };
})();
