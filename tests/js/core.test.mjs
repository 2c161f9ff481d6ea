// Unit tests of static/js/dash-core.js against cases computed by the Python twins of
// the same rules (tests/js/make_fixtures.py): dates, the window filter, the corridor's
// dated versions, masks, URLs, and the store's columns.
import {test} from "node:test";
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {createRequire} from "node:module";

const require = createRequire(import.meta.url);
const C = require("../../static/js/dash-core.js");
const cases = JSON.parse(readFileSync(new URL("./fixtures/core-cases.json", import.meta.url), "utf8"));

test("day numbers and ISO dates round-trip, and impossible dates are refused", () => {
    for (const iso of ["1800-01-01", "1970-01-01", "2020-02-29", "2023-07-15", "2200-12-31"]) {
        assert.equal(C.isoOf(C.dayOf(iso)), iso);
    }
    assert.equal(C.dayOf("1970-01-02"), 1);
    for (const bad of ["2023-02-30", "2023-13-01", "20230701", "2023-7-1", "", null]) {
        assert.equal(C.dayOf(bad), null, String(bad));
    }
});

test("event dates read as the Python formatter writes them, for every precision", () => {
    assert.ok(cases.labels.length > 100);
    for (const c of cases.labels) {
        assert.equal(C.formatEventDate(c.day, c.prec), c.label, JSON.stringify(c));
    }
    assert.equal(C.formatEventDate(null, 1), "date unknown");
});

test("the window filter keeps the rows the server's EventIndex keeps", () => {
    const t = cases.table, starts = Int32Array.from(t.starts), ends = Int32Array.from(t.ends);
    const mask = C.maskFromBits(t.mask, starts.length);
    assert.deepEqual(Array.from(mask), t.keep);
    for (const w of t.windows) {
        assert.deepEqual(Array.from(C.rowsInWindow(starts, ends, w.first, w.last)), w.rows);
        assert.deepEqual(Array.from(C.rowsInWindow(starts, ends, w.first, w.last, mask)), w.masked);
    }
    assert.ok(t.windows.some((w) => w.rows.length > 0) && t.windows.some((w) => w.masked.length < w.rows.length));
});

test("dated feature versions follow geo/valid_in_window.py", () => {
    for (const c of cases.validity) {
        const got = cases.versions.map(([from, to]) => C.validInWindow(from, to, c.first, c.last));
        assert.deepEqual(got, c.valid, JSON.stringify(c));
    }
});

test("a URL is a link only when the Python check accepts it", () => {
    for (const c of cases.urls) {
        assert.equal(C.safeUrl(c.url), c.safe, c.url);
    }
});

test("the store's JSON columns decode to the rows they were made from", () => {
    const cols = C.eventColumns(cases.store.payload.events);
    assert.equal(cols.n, cases.store.decoded.length);
    cases.store.decoded.forEach((row, i) => {
        assert.equal(cols.lat[i], row.lat);
        assert.equal(cols.lon[i], row.lon);
        assert.equal(cols.start[i], row.start);
        assert.equal(cols.end[i], row.end);
        assert.equal(cols.day[i], row.day);
        assert.equal(cols.prec[i], row.prec);
        assert.equal(cols.geo[i], row.geo);
        assert.equal(cols.title.get(i), row.title);
        assert.equal(cols.where.get(i), row.where);
    });
    // Sources: http(s) links kept as they are, anything else without a URL.
    assert.deepEqual(JSON.parse(cols.src.get(0)), [["AFP", "https://example.org/a"]]);
    assert.deepEqual(JSON.parse(cols.src.get(2)), [["X", ""]]);
    assert.equal(cols.src.get(1), "");
});

test("the view is written into the query without losing its other parameters", () => {
    assert.equal(C.withView("layers=countries&from=2023-07-01&c=1,2&z=3", 39.81534, 46.75189, 9),
        "layers=countries&from=2023-07-01&c=39.81534,46.75189&z=9");
    assert.equal(C.withView("", 1, 2, 7.5), "c=1.00000,2.00000&z=7.5");
});

test("counts read naturally", () => {
    assert.equal(C.plural(1, "event"), "1 event");
    assert.equal(C.plural(0, "event"), "0 events");
    assert.equal(C.plural(60000, "event"), "60,000 events");
    assert.equal(C.windowLabel(C.dayOf("2023-07-01"), C.dayOf("2023-07-15")), "1 Jul 2023 \u2013 15 Jul 2023");
});

test("row masks decode as geo/filters.py encode_rows packed them, in each encoding", () => {
    const encodings = new Set();
    for (const m of cases.masks) {
        const bytes = Uint8Array.from(Buffer.from(m.b64, "base64"));
        const mask = C.decodeMask(m.enc, bytes, m.n);
        const kept = [];
        mask.forEach((v, i) => { if (v) { kept.push(i); } });
        assert.deepEqual(kept, m.kept, m.enc + " of " + m.n);
        encodings.add(m.enc);
    }
    assert.deepEqual([...encodings].sort(), ["bits", "rows", "skip"]);
});

test("an event's H3 cell climbs to its parents at every resolution", () => {
    const h = cases.hexes;
    // the store's events decode their cell from the "hex" column
    const cols = C.eventColumns(cases.store.payload.events);
    assert.equal(cols.hex.length, cols.n);
    const cells = cases.store.payload.hexCells;
    for (let i = 0; i < cols.n; i++) { assert.equal(cells.res[cols.hex[i]], 5); }
    // two rallies in Stepanakert share a cell; Brussels is elsewhere
    assert.equal(cols.hex[0], cols.hex[1]);
    assert.notEqual(cols.hex[0], cols.hex[2]);
    for (const code of h.code) {
        let j = code, res = h.res[j];
        while (h.up[j] >= 0) {
            assert.equal(h.res[h.up[j]], res - 1);
            j = h.up[j];
            res -= 1;
        }
        assert.equal(res, 1);
    }
});

test("the time axis names the year at every width", () => {
    const spans = [["2020-11-10", "2023-07-15"], ["2023-07-01", "2023-07-15"], ["2023-06-01", "2023-09-15"],
        ["2023-12-20", "2024-01-10"], ["1990-01-01", "2023-12-31"]];
    for (const [a, b] of spans) {
        for (const width of [200, 390, 800, 1400]) {
            const ticks = C.axisTicks(C.dayOf(a), C.dayOf(b), width, 52);
            assert.ok(ticks.length >= 1, a + " " + width);
            assert.match(ticks[0].label, /\b(1[89]|20)\d\d\b/, a + " " + width + " " + ticks[0].label);
            // the labels fit: no two ticks closer than the gap asked for (with one day of rounding)
            for (let i = 1; i < ticks.length; i++) {
                assert.ok((ticks[i].day - ticks[i - 1].day) * width / (C.dayOf(b) - C.dayOf(a)) >= 30, a + " " + width);
            }
            // where the year changes, the label says the new year
            for (let i = 1; i < ticks.length; i++) {
                const y0 = C.isoOf(ticks[i - 1].day).slice(0, 4), y1 = C.isoOf(ticks[i].day).slice(0, 4);
                if (y0 !== y1) { assert.ok(ticks[i].label.includes(y1), ticks[i].label); }
            }
        }
    }
    assert.equal(C.axisTicks(C.dayOf("2020-11-10"), C.dayOf("2023-07-15"), 300, 52).map((t) => t.label).join("|"),
        "2021|2022|2023");
});

test("playing moves the window one step at a time and stops at the span's end", () => {
    const s0 = C.dayOf("2020-11-10"), s1 = C.dayOf("2023-07-15");
    // the whole span: start with one step from its start
    assert.deepEqual(C.playStart(s0, s1, s0, s1, "week").map(C.isoOf), ["2020-11-10", "2020-11-16"]);
    assert.deepEqual(C.playStart(s0, s1, s0, s1, "month").map(C.isoOf), ["2020-11-10", "2020-12-09"]);
    // a window that already ends at the span's end starts again from the start, same length
    assert.deepEqual(C.playStart(C.dayOf("2023-07-01"), s1, s0, s1, "day").map(C.isoOf), ["2020-11-10", "2020-11-24"]);
    // steps keep the window's length; a month keeps the day of the month where it can
    assert.deepEqual(C.playNext(C.dayOf("2023-07-01"), C.dayOf("2023-07-07"), s1, "week").map(C.isoOf),
        ["2023-07-08", "2023-07-14"]);
    assert.deepEqual(C.playNext(C.dayOf("2023-01-31"), C.dayOf("2023-02-27"), s1, "month").map(C.isoOf),
        ["2023-02-28", "2023-03-27"]);
    assert.deepEqual(C.playNext(C.dayOf("2023-07-08"), C.dayOf("2023-07-14"), s1, "week").map(C.isoOf),
        ["2023-07-15", "2023-07-15"]);
    assert.equal(C.playNext(C.dayOf("2023-07-09"), s1, s1, "day"), null);
});

test("hexagon counts fall into a few classes of nice bounds", () => {
    assert.deepEqual(C.countBreaks(1, 8), [1]);
    assert.deepEqual(C.countBreaks(17, 6), [1, 2, 5, 10]);
    const big = C.countBreaks(100000, 8);
    assert.equal(big[0], 1);
    assert.ok(big.length >= 5 && big.every((b, i) => i === 0 || b > big[i - 1]));
    assert.equal(C.classOf(1, [1, 5, 20]), 0);
    assert.equal(C.classOf(19, [1, 5, 20]), 1);
    assert.equal(C.classOf(20, [1, 5, 20]), 2);
    assert.equal(C.shortCount(1234), "1.2k");
    assert.equal(C.shortCount(34567), "35k");
});

test("the browser's own URL parameters are set and removed without touching the others", () => {
    assert.equal(C.withParams("layers=countries&c=1,2&z=3", {agg: "hex"}), "layers=countries&c=1,2&z=3&agg=hex");
    assert.equal(C.withParams("layers=countries&agg=hex&z=3", {agg: null}), "layers=countries&z=3");
});
