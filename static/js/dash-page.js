/* dash-page.js: the page's side of the dashboard, in Streamlit's own document.
 *
 * One object, window.DashPage, that the dashboard's components (ui/components.py)
 * mount into by kind:
 *   - "data": the events of the dataset, once per dataset version (an Arrow table
 *     and a few lists): kept in the store, decoded once.
 *   - "state": the page state after each run (layers, window, selection, popup,
 *     view, tour, the URL's query): handed to the map frame, the timeline and the
 *     table, which apply it with the data they already have. This component is
 *     also the way back: selections, keys and window changes go to Python as its
 *     trigger values.
 *   - "timeline", "table", "tour", "filters", "player": views drawn here from the store
 *     and the state (dash-timeline.js, dash-table.js, dash-tour.js, dash-filters.js,
 *     dash-player.js, registered with registerView).
 * Playing through time changes the window here, frame by frame, without Python
 * (``preview``); the events' view (points or hexagons, ``setAgg``) is the browser's too,
 * and both reach the URL as the map's view does.
 * The map frame (dash-map.js) attaches itself with DashPage.attachMap.
 */
(function () {
    "use strict";
    var C = window.DashCore;
    if (window.DashPage) { return; }

    var store = null;           // {version, cols, categories, featureRows, sourceList, ...}
    var state = null;           // the last state from Python
    var trigger = null;         // setTriggerValue of the mounted state component
    var maps = [];              // attached map frames' APIs
    var views = [];             // timeline and table views: {update(store, state)}
    var lastView = null;        // the map's centre and zoom, for the URL
    var dataTrigger = null;     // setTriggerValue of the store component (outside every fragment)
    var offline = null;         // the offline presentation's handler of messages (dash-deck.js)
    var stateListeners = [];    // functions called with each new state, before the map applies it

    // --- store -------------------------------------------------------------------------

    function makeStore(data) {
        var cols = C.eventColumns(data.events);
        var sourceCache = {};
        var s = {
            version: data.version,
            cols: cols,
            categories: data.categories || [],
            featureRows: data.featureRows || {},
            tour: data.tour || [],
            details: data.details || {},
            hexCells: data.hexCells || null,
            hexEdgeKm: data.hexEdgeKm || {},
            filters: data.filters || null,
            features: data.features || {},
            span: [C.dayOf(data.span[0]), C.dayOf(data.span[1])],
            dateLabel: function (row) { return C.formatEventDate(cols.day[row], cols.prec[row] || 1); },
            sources: function (row) {
                var code = cols.src.codes ? cols.src.codes[row] : -1;
                var text = cols.src.get(row);
                if (code >= 0 && sourceCache[code]) { return sourceCache[code]; }
                var list;
                try { list = text ? JSON.parse(text) : []; } catch (e) { list = [[text, ""]]; }
                if (code >= 0) { sourceCache[code] = list; }
                return list;
            }
        };
        return s;
    }

    var masks = {};            // mask id -> {enc, bytes, n, decoded}
    var maskIds = [];          // the last few ids, oldest first

    function arrowBytes(value) {
        if (value && typeof value.getChild === "function") {
            var col = value.getChild("b");
            return col ? col.toArray() : new Uint8Array(0);
        }
        return value || new Uint8Array(0);
    }

    function fromBase64(text) {
        var bin = atob(text || ""), out = new Uint8Array(bin.length);
        for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
        return out;
    }

    var asked = {};            // mask ids asked for again

    /** Keep a mask that came with a state: ``data`` {id, enc, n, b64}, or its bytes as Arrow.
     *  Python sends a mask's bytes once; if this page no longer has them, it asks again. */
    function setMask(data, arrow) {
        if (!data || !data.id || masks[data.id]) { return; }
        if (!arrow && data.b64 === undefined) {
            if (!asked[data.id] && trigger) {
                asked[data.id] = true;
                setTimeout(function () { send("mask", {id: data.id, at: Date.now()}); }, 0);
            }
            return;
        }
        masks[data.id] = {enc: data.enc, bytes: arrow ? arrowBytes(arrow) : fromBase64(data.b64), n: data.n, decoded: null};
        maskIds.push(data.id);
        while (maskIds.length > 4) { delete masks[maskIds.shift()]; }
    }

    /** The filters' row mask of a state (a Uint8Array, or null for every row), decoded once. */
    function maskOf(st) {
        if (!st || st.mask === undefined || st.mask === null || !store) { return null; }
        var m = masks[st.mask];
        if (!m) { return new Uint8Array(store.cols.n); }  // not here yet: nothing matches
        if (!m.decoded || m.decoded.length !== store.cols.n) { m.decoded = C.decodeMask(m.enc, m.bytes, store.cols.n); }
        return m.decoded;
    }

    // --- the browser's own parts of the state: a window while playing, the events' view ----

    var playing = null;        // [first, last] ISO dates while a play-through shows them
    var agg = null;            // "hex" (hexagonal bins) or null (points)
    var aggSet = false;        // the user chose (else a link's agg= applies)

    /** The state the map and the views draw: Python's, with the play-through's window. */
    function effective() {
        if (!state || !playing) { return state; }
        var s = {};
        Object.keys(state).forEach(function (k) { s[k] = state[k]; });
        s.window = playing;
        s.playing = true;
        return s;
    }

    function broadcast() {
        var st = effective();
        if (store && st) { eachMap(function (m) { m.setState(st); }); }
        views.forEach(function (v) { v.update(store, st); });
    }

    /** Show the window [first, last] (ISO dates) without Python (a play-through's frame);
     *  null goes back to the state's own window. */
    function preview(window) {
        playing = window ? [window[0], window[1]] : null;
        broadcast();
    }

    /** The events' view: "hex" or null (points). Kept in the URL (agg=). */
    function setAgg(mode) {
        agg = mode === "hex" ? "hex" : null;
        aggSet = true;
        writeUrl();
        eachMap(function (m) { if (m.setAgg) { m.setAgg(agg); } });
    }

    function eachMap(fn) {
        maps = maps.filter(function (m) {
            try { fn(m); return true; } catch (e) { return false; }  // a frame that went away
        });
    }

    function setData(data, setTrigger) {
        if (setTrigger) { dataTrigger = setTrigger; }
        if (store && store.version === data.version) { return; }
        store = makeStore(data);
        eachMap(function (m) { m.setStore(store); if (state) { m.setState(effective()); } });
        views.forEach(function (v) { v.update(store, effective()); });
    }

    // --- state and the URL ----------------------------------------------------------------

    function writeUrl() {
        if (!state || state.query === undefined || state.standalone) { return; }
        var query = state.query;
        if (lastView) { query = C.withView(query, lastView.lat, lastView.lon, lastView.zoom); }
        query = C.withParams(query, {agg: agg});
        var url = window.location.pathname + (query ? "?" + query : "");
        if (url !== window.location.pathname + window.location.search) {
            window.history.replaceState(window.history.state, "", url);
        }
        publishRoom(query);
    }

    // --- a live room's presenter (ui/live.py): the page's link, with the map's view, goes to the
    // room after each change (once it rests a quarter of a second); followers apply it as a link ---

    var roomSent = null, roomTimer = null;

    function publishRoom(query) {
        if (!state || !state.room || !state.room.drives || !trigger) { return; }
        var moved = !!(lastView && lastView.moved);
        var said = query + "|" + moved;
        clearTimeout(roomTimer);
        if (said === roomSent) { return; }
        roomTimer = setTimeout(function () {
            roomSent = said;
            send("room", {query: query, moved: moved, at: Date.now()});
        }, 250);
    }

    // --- tours other than the store's (named, the editor's): their steps come with a state,
    // once per tour version; a page that lacks them asks again ---------------------------------

    var tours = {};            // tour id -> steps
    var tourAsked = {};

    function keepTour(t) {
        if (!t || !t.id) { return; }
        if (t.steps) { tours[t.id] = t.steps; return; }
        if (!tours[t.id] && !tourAsked[t.id] && trigger) {
            tourAsked[t.id] = true;
            setTimeout(function () { send("tour", {action: "steps", id: t.id, at: Date.now()}); }, 0);
        }
    }

    /** The steps of the tour a state shows: the store's (the built-in tour) or the state's own. */
    function tourSteps(s, st) {
        if (st && st.tour && st.tour.id) { return tours[st.tour.id] || []; }
        return (s && s.tour) || [];
    }

    /** The map's bounds [[south, west], [north, east]], or null before a map is there. */
    function mapBounds() {
        var out = null;
        eachMap(function (m) {
            if (out || !m.map || !m.map()) { return; }
            var b = m.map().getBounds();
            out = [[b.getSouth(), b.getWest()], [b.getNorth(), b.getEast()]];
        });
        return out;
    }

    // A tour being written (state.draft: its number of steps) is asked about before the page is left.
    window.addEventListener("beforeunload", function (e) {
        if (state && state.draft) {
            e.preventDefault();
            e.returnValue = "Your tour is not saved: download it first.";
            return e.returnValue;
        }
        return undefined;
    });

    // Files imported into a server process that stopped are gone: after a reconnect, the first state
    // of the new process tells which of this page's files it lacks, and Python names them.
    // A message sent while the new process's first run goes on can be dropped: it is sent again
    // until a state says it was heard (``lostSaid``), at most 6 times.
    var uploaded = [];          // the names of the files the last state had imported
    var lostCheck = null;       // after a reconnect: the names to look for in the next state
    var lostPending = null, lostTries = 0, lostTimer = null;

    function checkLost(s) {
        var now = s.uploaded || [];
        if (lostCheck) {
            var lost = lostCheck.filter(function (n) { return now.indexOf(n) < 0; });
            lostCheck = null;
            if (lost.length) { lostPending = lost.slice(0, 20); lostTries = 0; }
        }
        if (lostPending && JSON.stringify(s.lostSaid || null) === JSON.stringify(lostPending)) { lostPending = null; }
        if (lostPending) { sendLostSoon(); }
        uploaded = now;
    }

    function sendLostSoon() {
        clearTimeout(lostTimer);
        lostTimer = setTimeout(function () {
            if (!lostPending) { return; }
            if (lostTries >= 6) { lostPending = null; return; }
            lostTries += 1;
            send("lost", {files: lostPending, at: Date.now()});
            sendLostSoon();
        }, lostTries ? 2000 : 500);
    }

    function setState(s, setTrigger) {
        state = s;
        if (setTrigger) { trigger = setTrigger; }
        checkLost(s);
        keepTour(s.tour);
        if (s.viewFromUrl && !lastView) { lastView = s.viewFromUrl; }
        if (s.aggFromUrl && !aggSet) {
            agg = s.aggFromUrl === "hex" ? "hex" : null;
            aggSet = true;
            eachMap(function (m) { if (m.setAgg) { m.setAgg(agg); } });
        }
        stateListeners.forEach(function (fn) { fn(s); });
        writeUrl();
        broadcast();
    }

    /** A message for Python (a trigger value of the state component: one rerun of its fragment). */
    function send(kind, value) {
        if (kind === "view") {
            lastView = value;
            writeUrl();
            return;
        }
        if (trigger) { trigger(kind, value); } else if (offline) { offline(kind, value); }
    }

    // --- a server restart -----------------------------------------------------------------------

    // Streamlit reconnects by itself after a server restart, but the new process knows none of
    // the page's fragments until the page runs once, and drops a click's fragment rerun. So when
    // its websocket opens again, the page asks for one whole run (the store's trigger: it is
    // outside every fragment), with the widgets as they are.
    var reconnects = 0;

    /** Ask for a whole run until one comes (a new state): messages sent before Streamlit
     *  has finished reconnecting are not delivered. */
    function askForARun(before, tries) {
        if (tries > 8 || (state !== before && tries > 0)) { return; }
        setTimeout(function () {
            if (state !== before) { return; }
            if (dataTrigger) { dataTrigger("reconnected", Date.now()); }
            askForARun(before, tries + 1);
        }, tries ? 1000 : 250);
    }

    (function watchReconnects() {
        var Native = window.WebSocket;
        if (!Native || Native.__dashWatched) { return; }
        var Watched = function (url, protocols) {
            var ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
            if (/_stcore\/stream/.test(String(url))) {
                ws.addEventListener("open", function () {
                    reconnects += 1;
                    // (this code loads after the page's first connection: every open seen here is a reconnect)
                    if (uploaded.length) { lostCheck = uploaded.slice(); }
                    askForARun(state, 0);
                });
            }
            return ws;
        };
        Watched.prototype = Native.prototype;
        ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (k) { Watched[k] = Native[k]; });
        Watched.__dashWatched = true;
        window.WebSocket = Watched;
    })();

    // --- keys (the presenter's clicker and keyboard) ---------------------------------------

    var KEYS = {PageDown: "next", ArrowRight: "next", " ": "next", PageUp: "prev", ArrowLeft: "prev",
        Home: "first", End: "last", b: "blank", B: "blank", ".": "blank"};

    function typing(target) {
        if (!target || !target.tagName) { return false; }
        var tag = target.tagName.toLowerCase(), type = (target.type || "").toLowerCase();
        if (target.isContentEditable || tag === "textarea") { return true; }
        if (tag === "input") {
            if (target.getAttribute("role") === "combobox" && target.getAttribute("aria-expanded") !== "true") { return false; }
            return ["checkbox", "radio", "range", "button", "submit"].indexOf(type) < 0;
        }
        return false;
    }

    function wantsKey(e) {
        if (!state || !state.tour || e.altKey || e.ctrlKey || e.metaKey) { return false; }
        if (!KEYS[e.key] || typing(e.target)) { return false; }
        // A slider's own arrow keys stay with the slider.
        if ((e.key === "ArrowRight" || e.key === "ArrowLeft" || e.key === "Home" || e.key === "End") &&
                e.target && e.target.type === "range") { return false; }
        return true;
    }

    function key(e) {
        var action = KEYS[e.key];
        if (e.key === " " && e.shiftKey) { action = "prev"; }
        if (action === "blank") { toggleBlank(); return; }
        send("key", {action: action, at: Date.now()});
    }

    function toggleBlank() {
        var id = "dash-blank", d = document.getElementById(id);
        if (d) { d.remove(); return; }
        d = document.createElement("div");
        d.id = id;
        d.setAttribute("role", "presentation");
        d.style.cssText = "position:fixed;inset:0;background:#000;z-index:2147483647;cursor:none";
        d.addEventListener("click", function () { d.remove(); });
        document.body.appendChild(d);
    }

    document.addEventListener("keydown", function (e) {
        if (document.getElementById("dash-blank") && (KEYS[e.key] || e.key === "Escape")) {
            e.preventDefault();
            toggleBlank();
            return;
        }
        if (!wantsKey(e)) { return; }
        e.preventDefault();
        e.stopPropagation();
        key(e);
    }, true);

    /** The views' stylesheet, linked into a view's shadow root (once). */
    function styled(root, css) {
        var doc = root.ownerDocument || document;
        if (css && root.querySelector && !root.querySelector("link.dash-style")) {
            var link = doc.createElement("link");
            link.className = "dash-style";
            link.rel = "stylesheet";
            link.href = css;
            root.appendChild(link);
        }
    }

    // --- mounting ---------------------------------------------------------------------------

    var mounted = new WeakMap();
    var VIEWS = {};   // kind -> function (root, config) returning {update(store, state)}
    var pending = []; // components of a kind not registered yet

    /** Called by the components' loader with Streamlit's component object. */
    var followed = null;        // the nonce of the last follow signal relayed

    function mount(component) {
        var data = component.data || {};
        if (data.kind === "data") {
            setData(data, component.setTriggerValue);
        } else if (data.kind === "state") {
            if (component.setTriggerValue) { trigger = component.setTriggerValue; }
            setMask(data.mask, data.maskBytes);
            setState(data.state, component.setTriggerValue);
        } else if (data.kind === "follow") {
            // A live room changed (ui/live.follow_bar): the state component's fragment applies it,
            // not a rerun of the whole page.
            if (data.nonce !== followed) {
                followed = data.nonce;
                setTimeout(function () { send("follow", {version: data.version, at: Date.now()}); }, 0);
            }
        } else if (!VIEWS[data.kind]) {
            // its script is still loading (the loader runs mounts once dash-page.js is in,
            // the views' scripts come after it): mounted when it registers
            pending.push(component);
        } else {
            var root = component.parentElement, view = mounted.get(root);
            if (!view) {
                styled(root, data.css);
                view = VIEWS[data.kind](root, data.config || {});
                mounted.set(root, view);
                views.push(view);
            }
            view.update(store, effective());
        }
    }

    window.DashPage = {
        mount: mount,
        /** A view the components can mount by ``kind`` (dash-timeline.js, dash-table.js, dash-tour.js). */
        registerView: function (kind, factory) {
            VIEWS[kind] = factory;
            var waiting = pending.filter(function (c) { return (c.data || {}).kind === kind; });
            pending = pending.filter(function (c) { return (c.data || {}).kind !== kind; });
            waiting.forEach(mount);
        },
        setData: setData,
        setState: setState,
        send: send,
        key: key,
        wantsKey: wantsKey,
        attachMap: function (api) {
            maps.push(api);
            if (api.setAgg) { api.setAgg(agg); }
            if (store) { api.setStore(store); }
            if (state && store) { api.setState(effective()); }
        },
        preview: preview,
        tourSteps: tourSteps,
        mapBounds: mapBounds,
        playing: function () { return playing; },
        setAgg: setAgg,
        agg: function () { return agg; },
        store: function () { return store; },
        maskOf: maskOf,
        reconnects: function () { return reconnects; },
        /** Call ``fn(state)`` with each new state, before the map and the views apply it (dash-present.js). */
        /** Handle messages with ``fn(kind, value)`` where no Python listens (the offline presentation file). */
        setOffline: function (fn) { offline = fn; },
        onState: function (fn) { stateListeners.push(fn); if (state) { fn(state); } },
        /** The map's last centre and zoom ({lat, lon, zoom}) or null. */
        view: function () { return lastView; },
        /** Whether messages reach Python (false in a standalone file). */
        canSend: function () { return !!trigger; },
        state: function () { return state; }
    };
})();
