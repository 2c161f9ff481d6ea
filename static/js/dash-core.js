/* dash-core.js: the dashboard's browser logic that needs no page and no map.
 *
 * Pure functions over plain arrays and typed arrays: dates as day numbers, the
 * date-window filter, the dated versions of a feature, event columns decoded
 * from Arrow or JSON, row masks, the URL's view part, and the text-only DOM
 * helpers every popup and panel uses. Loaded as a classic script in the page and
 * in the map frame (window.DashCore), and as a CommonJS module by the unit tests
 * (node --test tests/js).
 */
(function (root, factory) {
    "use strict";
    var api = factory();
    if (typeof module === "object" && module.exports) {
        module.exports = api;
    } else {
        root.DashCore = api;
    }
})(typeof self !== "undefined" ? self : this, function () {
    "use strict";

    var MS_PER_DAY = 86400000;
    var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December"];
    var SHORT_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    var ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

    /** Days since 1970-01-01 of an ISO date "YYYY-MM-DD" (UTC), or null. */
    function dayOf(iso) {
        var m = ISO_DAY.exec(String(iso));
        if (!m) { return null; }
        var t = Date.UTC(+m[1], +m[2] - 1, +m[3]);
        var d = new Date(t);
        if (d.getUTCFullYear() !== +m[1] || d.getUTCMonth() !== +m[2] - 1 || d.getUTCDate() !== +m[3]) {
            return null;
        }
        return Math.round(t / MS_PER_DAY);
    }

    function pad(n, width) {
        var s = String(n);
        while (s.length < width) { s = "0" + s; }
        return s;
    }

    /** The ISO date "YYYY-MM-DD" of a day number. */
    function isoOf(day) {
        var d = new Date(day * MS_PER_DAY);
        return pad(d.getUTCFullYear(), 4) + "-" + pad(d.getUTCMonth() + 1, 2) + "-" + pad(d.getUTCDate(), 2);
    }

    /** An event's date as the page writes it (layers/format.py format_event_date):
     *  "14 July 2023", "week of 10 July 2023" (precision 2) or "July 2023" (3). */
    function formatEventDate(day, precision) {
        if (day === null || day === undefined || isNaN(day)) { return "date unknown"; }
        var d = new Date(day * MS_PER_DAY);
        if (precision === 3) { return MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear(); }
        if (precision === 2) {
            var monday = new Date((day - (d.getUTCDay() + 6) % 7) * MS_PER_DAY);
            return "week of " + monday.getUTCDate() + " " + MONTHS[monday.getUTCMonth()] + " " +
                monday.getUTCFullYear();
        }
        return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
    }

    /** "1 Jul 2023 – 15 Jul 2023": a window as popups and panels head it. */
    function windowLabel(first, last) {
        function short(day) {
            var d = new Date(day * MS_PER_DAY);
            return d.getUTCDate() + " " + SHORT_MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
        }
        return short(first) + " \u2013 " + short(last);
    }

    /** First index i in the ascending array ``a`` with a[i] > value. */
    function upperBound(a, value) {
        var lo = 0, hi = a.length;
        while (lo < hi) {
            var mid = (lo + hi) >>> 1;
            if (a[mid] <= value) { lo = mid + 1; } else { hi = mid; }
        }
        return lo;
    }

    /** Rows (ascending) of the events that may have happened in the window [first, last]
     *  (day numbers, both inclusive): start <= last and end >= first. ``starts`` is
     *  ascending (the store's order), so only rows before the first later start are looked
     *  at. ``mask`` (optional, a Uint8Array of 0/1 per row) keeps only the rows it marks. */
    function rowsInWindow(starts, ends, first, last, mask) {
        var stop = upperBound(starts, last), out = new Uint32Array(stop), n = 0;
        for (var i = 0; i < stop; i++) {
            if (ends[i] >= first && (!mask || mask[i])) { out[n++] = i; }
        }
        return out.subarray(0, n);
    }

    /** Whether a dated feature version (valid from ``from`` inclusive to ``to`` exclusive,
     *  ISO dates or empty for open) overlaps the window [first, last] (day numbers). Same
     *  rule as geo/valid_in_window.py. */
    function validInWindow(from, to, first, last) {
        var a = from ? dayOf(from) : null, b = to ? dayOf(to) : null;
        return (a === null || a <= last) && (b === null || b > first);
    }

    /** A dictionary-encoded or plain text column as {codes, values} or {values} (one per row). */
    function textColumn(col) {
        if (!col) { return {get: function () { return ""; }}; }
        if (col.codes && col.values) {
            return {get: function (i) { var k = col.codes[i]; return k < 0 ? "" : (col.values[k] || ""); },
                codes: col.codes, values: col.values};
        }
        return {get: function (i) { var v = col[i]; return v === null || v === undefined ? "" : String(v); }};
    }

    var NUMERIC = {lat: Float32Array, lon: Float32Array, start: Int32Array, dur: Int32Array, off: Int32Array,
        cat: Int16Array, prec: Int8Array, geo: Int8Array, hex: Int32Array};
    var TEXT = ["title", "where", "src"];

    /** The store's event columns from an Arrow table (apache-arrow, as Streamlit hands it
     *  to components) or from the same columns as JSON (the standalone export). Numeric
     *  columns become typed arrays; text columns objects with ``get(row)``; ``end`` (last
     *  possible day) and ``day`` (the reported day) are derived from ``start``, ``dur``
     *  and ``off``. */
    function eventColumns(source) {
        var out = {n: 0}, raw = {};
        var names = Object.keys(NUMERIC);
        if (source && typeof source.getChild === "function") {
            out.n = source.numRows;
            names.forEach(function (name) {
                var child = source.getChild(name);
                if (child) { out[name] = NUMERIC[name].from(child.toArray()); }
            });
            TEXT.forEach(function (name) {
                var child = source.getChild(name);
                if (!child) { return; }
                var data = child.data && child.data[0];
                if (data && data.dictionary && child.data.length === 1) {
                    raw[name] = {codes: Int32Array.from(data.values), values: data.dictionary.toArray()};
                } else {
                    raw[name] = Array.prototype.slice.call(child.toArray());
                }
            });
        } else if (source) {
            out.n = source.n || 0;
            names.forEach(function (name) {
                if (source[name]) { out[name] = NUMERIC[name].from(source[name]); }
            });
            TEXT.forEach(function (name) {
                var col = source[name];
                if (col) { raw[name] = col.k ? {codes: Int32Array.from(col.k), values: col.v} : col; }
            });
        }
        names.forEach(function (name) {
            if (!out[name]) { out[name] = new NUMERIC[name](out.n); }
        });
        out.end = new Int32Array(out.n);
        out.day = new Int32Array(out.n);
        for (var i = 0; i < out.n; i++) {
            out.end[i] = out.start[i] + out.dur[i];
            out.day[i] = out.start[i] + out.off[i];
        }
        TEXT.forEach(function (name) { out[name] = textColumn(raw[name]); });
        return out;
    }

    /** A row mask from a base64 bitset (bit i of byte i >> 3, least significant first), or
     *  null for "every row". */
    function maskFromBits(b64, n) {
        if (b64 === null || b64 === undefined) { return null; }
        var bin = typeof atob === "function" ? atob(b64) : Buffer.from(b64, "base64").toString("binary");
        var mask = new Uint8Array(n);
        for (var i = 0; i < n; i++) {
            var byte = bin.charCodeAt(i >> 3);
            mask[i] = (byte >> (i & 7)) & 1;
        }
        return mask;
    }

    /** A row mask from the bytes geo/filters.py encode_rows made: "bits" (a bitset, bit i of
     *  byte i >> 3, least significant first), "rows" (the rows kept) or "skip" (the rows
     *  dropped), the last two as LEB128 gaps (row - previous row - 1, previous of the first
     *  -1). ``bytes``: a Uint8Array (or array of numbers); ``n``: rows in the store. */
    function decodeMask(enc, bytes, n) {
        var mask = new Uint8Array(n), i, len = bytes ? bytes.length : 0;
        if (enc === "bits") {
            for (i = 0; i < n; i++) { mask[i] = ((bytes[i >> 3] || 0) >> (i & 7)) & 1; }
            return mask;
        }
        var keep = enc === "rows" ? 1 : 0;
        if (!keep) { mask.fill(1); }
        var row = -1, value = 0, shift = 0;
        for (i = 0; i < len; i++) {
            var b = bytes[i];
            value += (b & 0x7f) * Math.pow(2, shift);
            if (b & 0x80) { shift += 7; continue; }
            row += value + 1;
            if (row < n) { mask[row] = keep; }
            value = 0;
            shift = 0;
        }
        return mask;
    }

    /** Counts of rows per category code (an array of length ``ncat``). */
    function countByCategory(rows, cats, ncat) {
        var counts = new Array(ncat).fill(0);
        for (var i = 0; i < rows.length; i++) { counts[cats[rows[i]]]++; }
        return counts;
    }

    /** The map view in the URL: "c=lat,lon&z=zoom" (5 decimals, about 1 m). */
    function viewParams(lat, lon, zoom) {
        return "c=" + (+lat).toFixed(5) + "," + (+lon).toFixed(5) + "&z=" + Math.round(zoom * 100) / 100;
    }

    /** The page's query string (without "?") with the view's c= and z= set. ``query`` is
     *  the part the server computes (layers, window, selection, tour step, ...). */
    function withView(query, lat, lon, zoom) {
        var kept = String(query || "").split("&").filter(function (p) {
            return p && p.indexOf("c=") !== 0 && p.indexOf("z=") !== 0;
        });
        kept.push(viewParams(lat, lon, zoom));
        return kept.join("&");
    }

    /** ``query`` with each parameter of ``params`` set (a value) or removed (null or ""),
     *  others kept in their order: the URL's parts the browser owns (``agg``). */
    function withParams(query, params) {
        var names = Object.keys(params);
        var kept = String(query || "").split("&").filter(function (p) {
            return p && names.indexOf(p.split("=")[0]) < 0;
        });
        names.forEach(function (k) {
            var v = params[k];
            if (v !== null && v !== undefined && v !== "") { kept.push(k + "=" + encodeURIComponent(v)); }
        });
        return kept.join("&");
    }

    // --- time: the axis and playing through the window ----------------------------------------

    function utc(day) { return new Date(day * MS_PER_DAY); }
    function dayUTC(y, m, d) { return Math.round(Date.UTC(y, m, d) / MS_PER_DAY); }

    /** Ticks of a time axis from day ``d0`` to ``d1`` over ``width`` pixels: the finest of
     *  years, quarters, months, weeks or days whose labels fit (about ``minGap`` px apart).
     *  Each tick {day, label, major}; a tick's label names its year where the year starts
     *  and on the first tick, so the year shows at every width. */
    function axisTicks(d0, d1, width, minGap) {
        minGap = minGap || 48;
        var days = Math.max(d1 - d0, 1), perDay = width / days, units = [
            {years: 50}, {years: 20}, {years: 10}, {years: 5}, {years: 2}, {months: 12}, {months: 3}, {months: 1},
            {days: 7}, {days: 1}];
        var unit = units[0];
        for (var u = 0; u < units.length; u++) {
            var span = units[u].years ? units[u].years * 365.25 : units[u].months ? units[u].months * 30.4 : units[u].days;
            if (span * perDay >= minGap) { unit = units[u]; } else { break; }
        }
        var out = [], a = utc(d0), day, lastYear = null;
        if (unit.years) {
            for (var yy = Math.ceil(a.getUTCFullYear() / unit.years) * unit.years; (day = dayUTC(yy, 0, 1)) <= d1; yy += unit.years) {
                if (day >= d0) { out.push({day: day, major: true, label: String(yy)}); }
            }
            if (!out.length) { out.push({day: d0, major: true, label: String(a.getUTCFullYear())}); }
        } else if (unit.months) {
            var m = a.getUTCMonth() - a.getUTCMonth() % unit.months, y = a.getUTCFullYear();
            for (day = dayUTC(y, m, 1); day <= d1; day = dayUTC(y, m, 1)) {
                if (day >= d0) {
                    var yearStart = m === 0 || lastYear === null;
                    out.push({day: day, major: m === 0, label: unit.months === 12 ? String(y) :
                        (m === 0 ? String(y) : SHORT_MONTHS[m] + (yearStart ? " " + y : ""))});
                    lastYear = y;
                }
                m += unit.months;
                if (m >= 12) { m -= 12; y += 1; }
            }
            if (!out.length) { out.push({day: d0, major: true, label: SHORT_MONTHS[a.getUTCMonth()] + " " + a.getUTCFullYear()}); }
        } else {
            var start = unit.days === 7 ? d0 + (7 - (a.getUTCDay() + 6) % 7) % 7 : d0;
            for (day = start; day <= d1; day += unit.days) {
                var d = utc(day), first = lastYear === null, newYear = lastYear !== null && d.getUTCFullYear() !== lastYear;
                out.push({day: day, major: d.getUTCDate() === 1, label: d.getUTCDate() + " " + SHORT_MONTHS[d.getUTCMonth()] +
                    (first || newYear ? " " + d.getUTCFullYear() : "")});
                lastYear = d.getUTCFullYear();
            }
        }
        return out;
    }

    /** ``day`` moved by ``n`` steps of "day", "week" or "month" (a month keeps the day of
     *  the month, or the month's last day). */
    function addSteps(day, step, n) {
        if (step === "day") { return day + n; }
        if (step === "week") { return day + 7 * n; }
        var d = utc(day), y = d.getUTCFullYear(), m = d.getUTCMonth() + n;
        var last = dayUTC(y, m + 1, 0), want = dayUTC(y, m, d.getUTCDate());
        return Math.min(want, last);
    }

    /** Where playing starts from the window [first, last] in the span [s0, s1]: the same
     *  window, or, when it is the whole span, one ``step`` from the span's start; and from the
     *  start again when the window already ends at the span's end. Returns [first, last]. */
    function playStart(first, last, s0, s1, step) {
        if (first <= s0 && last >= s1) { return [s0, Math.min(addSteps(s0, step, 1) - 1, s1)]; }
        if (last >= s1) { return [s0, Math.min(s0 + (last - first), s1)]; }
        return [first, last];
    }

    /** The next window of a play-through: [first, last] moved one ``step`` forward, its end
     *  kept inside the span; null when the window already ends at the span's end ``s1``. */
    function playNext(first, last, s1, step) {
        if (last >= s1) { return null; }
        var a = addSteps(first, step, 1), b = addSteps(last, step, 1);
        if (a > s1) { return null; }
        return [a, Math.min(b, s1)];
    }

    /** Class breaks for counts from 1 to ``max``: at most ``classes`` lower bounds, each a
     *  "nice" number (1, 2, 5 times a power of ten), rising about evenly on a log scale; the
     *  first is 1. A count's class is the last bound it reaches. */
    function countBreaks(max, classes) {
        classes = classes || 6;
        var out = [1];
        if (!(max > 1)) { return out; }
        var step = Math.log(max) / classes;
        for (var k = 1; k < classes; k++) {
            var v = Math.exp(step * k), p = Math.pow(10, Math.floor(Math.log(v) / Math.LN10)), m = v / p;
            var nice = (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
            if (nice > out[out.length - 1] && nice <= max) { out.push(nice); }
        }
        return out;
    }

    /** The class of ``count`` among ``breaks`` (countBreaks): the index of the last bound it reaches. */
    function classOf(count, breaks) {
        var k = 0;
        while (k + 1 < breaks.length && count >= breaks[k + 1]) { k++; }
        return k;
    }

    /** "1.2k", "34k", "1.5M": a count in a few characters (a hexagon's label). */
    function shortCount(n) {
        if (n < 1000) { return String(n); }
        if (n < 1e6) { return (n < 1e4 ? (Math.round(n / 100) / 10) : Math.round(n / 1000)) + "k"; }
        return (Math.round(n / 1e5) / 10) + "M";
    }

    var UNSAFE_IN_URL = /[ "'<>`{}|\\^\u0000-\u001f\u007f]/g;  // eslint-disable-line no-control-regex

    /** An absolute http(s) URL with a host, safe to put in an href, or null: the rule of
     *  geo/urls.py http_url (trimmed; spaces, quotes, <, >, backticks, braces, backslashes
     *  and control characters percent-encoded; at most 8,192 characters). */
    function safeUrl(url) {
        if (typeof url !== "string") { return null; }
        var text = url.trim();
        if (!text || text.length > 8192) { return null; }
        var m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/.exec(text.replace(/[\t\r\n]/g, ""));
        if (!m || !/^https?$/i.test(m[1])) { return null; }
        var host = m[2].slice(m[2].lastIndexOf("@") + 1);
        host = host.charAt(0) === "[" ? host.slice(1, host.indexOf("]")) : host.replace(/:[0-9]*$/, "");
        if (!host) { return null; }
        return text.replace(UNSAFE_IN_URL, function (c) {
            var code = c.charCodeAt(0).toString(16).toUpperCase();
            return "%" + (code.length < 2 ? "0" + code : code);
        });
    }

    /** An element of ``doc`` holding ``text`` as text (never HTML). */
    function el(doc, tag, text, cls) {
        var e = doc.createElement(tag);
        if (text !== undefined && text !== null && text !== "") { e.textContent = String(text); }
        if (cls) { e.className = cls; }
        return e;
    }

    /** Append [label, url] pairs to ``parent``: links only for http(s) URLs, else text. */
    function links(doc, parent, sources, sep) {
        sources.forEach(function (s, j) {
            if (j) { parent.appendChild(doc.createTextNode(sep)); }
            var url = safeUrl(s[1]);
            if (url) {
                var a = el(doc, "a", s[0] || url);
                a.href = url;
                a.target = "_blank";
                a.rel = "noopener noreferrer";
                parent.appendChild(a);
            } else {
                parent.appendChild(doc.createTextNode(s[0]));
            }
        });
    }

    /** Append an event's contested and unconfirmed parts to ``box`` as text: "Claims differ:"
     *  with each side's claim (``details.claims``: [side, claim, source]), then what is
     *  UNCONFIRMED. The map's popup and the tour's subject show them alike. */
    function eventClaims(doc, box, details) {
        if (details.claims && details.claims.length) {
            var cl = el(doc, "div", null, "claims");
            cl.appendChild(el(doc, "b", "Claims differ:"));
            var ul = el(doc, "ul");
            details.claims.forEach(function (k) {
                ul.appendChild(el(doc, "li", k[0] + ": " + k[1] + (k[2] ? " (" + k[2] + ")" : "")));
            });
            cl.appendChild(ul);
            box.appendChild(cl);
        }
        if (details.unconfirmed) { box.appendChild(el(doc, "div", "UNCONFIRMED: " + details.unconfirmed, "unconfirmed")); }
    }

    /** Append an event's sources ([label, url] pairs) after ``label`` to ``box``, if it has any. */
    function eventSources(doc, box, sources, label) {
        if (!sources.length) { return; }
        var src = el(doc, "div", label, "sources");
        links(doc, src, sources, " \u00b7 ");
        box.appendChild(src);
    }

    /** "1 event", "2 events", "1,234 events". */
    function plural(n, one, many) {
        return n.toLocaleString("en-US") + " " + (n === 1 ? one : (many || one + "s"));
    }

    return {
        MS_PER_DAY: MS_PER_DAY,
        dayOf: dayOf,
        isoOf: isoOf,
        formatEventDate: formatEventDate,
        windowLabel: windowLabel,
        upperBound: upperBound,
        rowsInWindow: rowsInWindow,
        validInWindow: validInWindow,
        eventColumns: eventColumns,
        maskFromBits: maskFromBits,
        decodeMask: decodeMask,
        withParams: withParams,
        axisTicks: axisTicks,
        addSteps: addSteps,
        playStart: playStart,
        playNext: playNext,
        countBreaks: countBreaks,
        classOf: classOf,
        shortCount: shortCount,
        countByCategory: countByCategory,
        viewParams: viewParams,
        withView: withView,
        safeUrl: safeUrl,
        el: el,
        links: links,
        eventClaims: eventClaims,
        eventSources: eventSources,
        plural: plural
    };
});
