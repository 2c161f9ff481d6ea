"""The benchmark of issue #7: the cost of one date-window change, ours against
the usual streamlit-folium approach, from 17 to 100,000 events.

``make bench`` (``python -m bench.run``) writes ``bench/results.json`` and
prints a Markdown table. Measures, each the median of ``--repeats`` runs,
ours and the baseline alternating:

server_ms
    In-process: filter the window, build the layers and produce the
    component arguments st_folium would send (:mod:`bench.stfolium`),
    serialised to JSON as Streamlit does.
bytes
    The size of those arguments as JSON.
floor_ms
    Serialising only the window's events (every column, column-wise) with
    orjson: no way of sending them is faster.
browser_ms
    Headless Chromium against ``streamlit run``: from the key press that moves
    the date slider to the map holding the new window's markers.
main_thread (extra, with browser_ms)
    Whether the page froze meanwhile: its longest main-thread task, the total
    blocking time (each long task's part over 50 ms) and the longest gap
    between two animation frames, from the press until 0.5 s after the
    markers are all there.

The change measured is the slider's start thumb moved to the first day
(Home): the window grows from the last year to the whole span, so the map
must show every event. Nothing timed is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import orjson
import pandas as pd

from bench.baseline import baseline_map
from bench.server import start_streamlit, stop
from bench.stfolium import component_args
from bench.synth import load_csv, write_csv
from geo.dataset import LAYER_KEYS, load_dataset
from geo.export_events import events_to_acled_csv
from geo.window import EventIndex, filter_window
from layers import fast_dedent
from layers.basemap import build_base_map
from layers.compose import dynamic_groups

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
fast_dedent.install()  # as dashboard.py does: streamlit-folium dedents with it
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
REGION_BOUNDS = [[38.3, 43.4], [42.0, 50.5]]  # as the page fits the map
FALLBACK_SPAN = (dt.date(2020, 11, 10), dt.date(2023, 7, 15))  # the page's slider span
#: First day of the window before the measured change (the last year of the data).
START_BEFORE = dt.date(2022, 7, 15)


# --- what one change costs on the server ---------------------------------------------------

def ours_change(data, index: EventIndex, window) -> int:
    """The dashboard's work for one window: returns the bytes sent. As on the page, the
    events table is sorted and encoded once (kept between reruns in ``index`` and the
    layer's cache) and a window picks its rows."""
    rows = index.rows(*window)
    in_window = index.take(rows)
    m = build_base_map("None (offline)")
    m.fit_bounds(REGION_BOUNDS)
    groups = dynamic_groups(data.layers, in_window, frozenset(LAYER_KEYS), window, all_events=index.table,
                            rows=rows)
    return len(json.dumps(component_args(m, groups)))


def baseline_change(events: pd.DataFrame, window) -> int:
    """The usual app's work for one window: a new Map with a Marker+Popup per event."""
    in_window = filter_window(events, *window)
    m = baseline_map(in_window)
    return len(json.dumps(component_args(m, None, returned_objects=())))


def floor_json(in_window: pd.DataFrame) -> bytes:
    """The window's events as JSON, column-wise, with orjson (numbers and dates straight from numpy)."""
    out = {}
    for name in in_window.columns:
        col = in_window[name]
        if col.dtype.kind in "fiubM":
            out[name] = col.to_numpy()
        else:
            out[name] = col.tolist()
    return orjson.dumps(out, option=orjson.OPT_SERIALIZE_NUMPY, default=str)


def _timed(fn, *args) -> tuple[float, object]:
    gc.collect()
    t = time.perf_counter()
    out = fn(*args)
    return (time.perf_counter() - t) * 1000, out


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


# --- data ------------------------------------------------------------------------------------

def page_span(events: pd.DataFrame) -> tuple[dt.date, dt.date]:
    """The dashboard's slider span for these events (as dashboard._spec computes it)."""
    if not len(events):
        return FALLBACK_SPAN
    return (min(events["date_start"].min().date(), FALLBACK_SPAN[0]),
            max(events["date_end"].max().date(), FALLBACK_SPAN[1]))


def prepare(n: int, data, workdir: Path) -> dict:
    """Events for size ``n``: the CSV both apps read, ours (built-in + imported, as the
    page concatenates them) and the baseline's (the CSV only)."""
    if n <= len(data.events):
        csv = workdir / "events-builtin.csv"
        csv.write_bytes(events_to_acled_csv(data.events))
        return {"csv": None, "baseline_csv": csv, "ours": data.events, "baseline": load_csv(csv)}
    csv = write_csv(n, workdir / f"events-{n}.csv")
    imported = load_csv(csv)
    return {"csv": csv, "baseline_csv": csv, "ours": pd.concat([data.events, imported], ignore_index=True),
            "baseline": imported}


# --- browser -----------------------------------------------------------------------------------

def _local_only(route):
    url = route.request.url
    if (urlsplit(url).hostname or "") in ("127.0.0.1", "localhost") or url.startswith(("data:", "blob:", "about:")):
        route.continue_()
    else:
        route.abort()


#: JS run in the page: does the map frame hold exactly ``n`` markers?
COUNT_JS = {
    "ours": "l => l.eventId !== undefined",
    "baseline": "(l, w) => l instanceof w.L.Marker",
}


def _count_fn(kind: str) -> str:
    return f"""(n) => {{
        const f = document.querySelector('{MAP_FRAME}');
        const w = f && f.contentWindow;
        if (!w || !w.map || !w.L) return false;
        const test = {COUNT_JS[kind]};
        let c = 0;
        w.map.eachLayer(l => {{ if (test(l, w)) c += 1; }});
        return c === n;
    }}"""


#: JS (page): start recording main-thread long tasks (PerformanceObserver "longtask", which
#: also reports those of the same-origin map frame: they share the page's main thread) and
#: the longest gap between animation frames.
FREEZE_PROBE = """() => {
    if (window.__freeze) return;
    const f = window.__freeze = {tasks: [], gap: 0, last: performance.now(), on: false};
    new PerformanceObserver(list => { for (const e of list.getEntries()) f.tasks.push([e.startTime, e.duration]); })
        .observe({type: 'longtask', buffered: true});
    const tick = () => { const now = performance.now(); if (f.on) f.gap = Math.max(f.gap, now - f.last);
                         f.last = now; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
}"""
FREEZE_START = "() => { const f = window.__freeze; f.t0 = performance.now(); f.gap = 0; f.last = f.t0; f.on = true; }"
#: JS (page): the longest task and the total blocking time (the part of each task over
#: 50 ms) since FREEZE_START, and the longest gap between two painted frames.
FREEZE_READ = """() => { const f = window.__freeze; f.on = false;
    const d = f.tasks.filter(([t]) => t >= f.t0).map(([, d]) => d);
    return {longest_task_ms: d.length ? Math.max(...d) : 0, blocking_ms: d.reduce((a, x) => a + Math.max(0, x - 50), 0),
            long_tasks: d.length, longest_frame_gap_ms: f.gap}; }"""


def browser_change(browser, kind: str, url: str, expected: dict, repeats: int,
                   timeout_ms: float) -> tuple[list[float], list[dict]]:
    """Times (ms) from pressing Home on the slider's start thumb to the map showing
    ``expected['full']`` markers; between repeats, End brings the window back to one day.
    Also, per repeat, how long the page's main thread was blocked meanwhile (FREEZE_READ)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.route("**/*", _local_only)
    page = ctx.new_page()
    try:
        page.goto(url)
        page.wait_for_selector(MAP_FRAME, timeout=timeout_ms)
        page.mouse.move(2, 2)  # Streamlit 1.67 paints some widgets after a first pointer event
        count = _count_fn(kind)
        page.wait_for_function(count, arg=expected["before"], timeout=timeout_ms)
        page.evaluate(FREEZE_PROBE)
        thumb = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]').nth(0)
        times, freezes = [], []
        for _ in range(repeats):
            thumb.focus()
            page.evaluate(FREEZE_START)
            t = time.perf_counter()
            page.keyboard.press("Home")
            page.keyboard.press("Tab")
            page.wait_for_function(count, arg=expected["full"], timeout=timeout_ms)
            times.append((time.perf_counter() - t) * 1000)
            page.wait_for_timeout(500)  # tasks still running after the markers are there count too
            freezes.append(page.evaluate(FREEZE_READ))
            thumb.focus()
            page.keyboard.press("End")
            page.keyboard.press("Tab")
            page.wait_for_function(count, arg=expected["last_day"], timeout=timeout_ms)
        return times, freezes
    except Exception:
        page.screenshot(path=str(HERE / "data" / f"failed-{kind}.png"))
        raise
    finally:
        ctx.close()


def _median_freeze(freezes: list[dict]) -> dict | None:
    """Per measure, the median over the repeats (rounded)."""
    if not freezes:
        return None
    return {k: round(statistics.median(f[k] for f in freezes), 1) for k in freezes[0]}


def measure_browser(n: int, prep: dict, repeats: int, with_baseline: bool, workdir: Path,
                    timeout_ms: float) -> tuple[dict, dict]:
    from playwright.sync_api import sync_playwright

    out, notes, freeze = {"ours": None, "baseline": None}, {}, {"ours": None, "baseline": None}
    ours_span, base_span = page_span(prep["ours"]), (prep["baseline"]["date_start"].min().date(),
                                                      prep["baseline"]["date_end"].max().date())

    def expected(events, span):
        return {"before": len(filter_window(events, START_BEFORE, span[1])), "full": len(filter_window(events, *span)),
                "last_day": len(filter_window(events, span[1], span[1]))}

    apps = {"ours": (ROOT / "dashboard.py",
                     (["--events", str(prep["csv"])] if prep["csv"] else []),
                     f"?from={START_BEFORE}&to={ours_span[1]}", expected(prep["ours"], ours_span))}
    if with_baseline:
        apps["baseline"] = (HERE / "baseline_app.py", ["--events", str(prep["baseline_csv"]),
                                                       "--start", str(START_BEFORE)],
                            "", expected(prep["baseline"], base_span))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            servers = {k: start_streamlit(app, *args, log=workdir / f"streamlit-{k}-{n}.log",
                                          env={"PYTHONPATH": str(ROOT)})
                       for k, (app, args, _, _) in apps.items()}
            try:
                for kind, (_, _, query, exp) in apps.items():
                    times, freezes = browser_change(browser, kind, servers[kind][1] + "/" + query, exp, repeats,
                                                    timeout_ms)
                    out[kind], freeze[kind] = _median(times), _median_freeze(freezes)
            finally:
                for proc, _ in servers.values():
                    stop(proc)
        finally:
            browser.close()
    if not with_baseline:
        notes["browser_ms.baseline"] = "not measured: above --baseline-max"
    return out, notes, freeze


# --- the run -------------------------------------------------------------------------------------

def run(sizes, repeats, browser_sizes, baseline_max, browser_repeats, workdir: Path, out: Path,
        timeout_ms: float = 300_000) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    data = load_dataset(ROOT / "data")
    results = {"runs": [], "meta": {"repeats": repeats, "browser_repeats": browser_repeats,
                                    "change": f"start thumb from {START_BEFORE} to the first day (Home)",
                                    "python": sys.version.split()[0]}}
    for n in sizes:
        prep = prepare(n, data, workdir)
        run_ = {"n_events": n, "server_ms": {"ours": None, "baseline": None, "floor": None},
                "bytes": {"ours": None, "baseline": None}, "browser_ms": {"ours": None, "baseline": None},
                "main_thread": {"ours": None, "baseline": None}, "notes": {}}
        ours_window, base_window = page_span(prep["ours"]), page_span(prep["baseline"])
        do_base = n <= baseline_max
        times = {"ours": [], "baseline": [], "floor": []}
        floor_input = filter_window(prep["ours"], *ours_window)
        index = EventIndex.build(prep["ours"])  # the page builds it once per set of imports
        for _ in range(repeats):
            ms, run_["bytes"]["ours"] = _timed(ours_change, data, index, ours_window)
            times["ours"].append(ms)
            if do_base:
                ms, run_["bytes"]["baseline"] = _timed(baseline_change, prep["baseline"], base_window)
                times["baseline"].append(ms)
            times["floor"].append(_timed(floor_json, floor_input)[0])
        run_["server_ms"] = {k: _median(v) for k, v in times.items()}
        if not do_base:
            run_["notes"]["baseline"] = (f"baseline not measured above --baseline-max={baseline_max}: "
                                         "it grows linearly, about 3 ms per event (minutes per change)")
        if n in browser_sizes:
            run_["browser_ms"], notes, run_["main_thread"] = measure_browser(n, prep, browser_repeats, do_base,
                                                                             workdir, timeout_ms)
            run_["notes"].update(notes)
        else:
            run_["notes"]["browser_ms"] = "not measured at this size (see --browser-sizes)"
        run_["in_window"] = {"ours": len(floor_input), "baseline": len(filter_window(prep["baseline"], *base_window))}
        results["runs"].append(run_)
        print(f"N={n}: {json.dumps({k: run_[k] for k in ('server_ms', 'bytes', 'browser_ms')})}", file=sys.stderr)
        out.write_text(json.dumps(results, indent=2) + "\n")
    return results


def _ratio(a, b, fmt="{:.1f}×") -> str:
    return fmt.format(a / b) if a and b else "–"


def _n(v, fmt="{:,.0f}") -> str:
    return "–" if v is None else fmt.format(v)


def table(results: dict) -> str:
    """The results as a Markdown table, with a line per measure not taken."""
    lines = [
        "| events | server ms ours | baseline | floor | baseline/ours | ours/floor "
        "| KB sent ours | baseline | baseline/ours | browser ms ours | baseline | baseline/ours |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    notes = []
    for r in results["runs"]:
        s, b, w = r["server_ms"], r["bytes"], r["browser_ms"]
        kb = lambda v: None if v is None else v / 1024  # noqa: E731
        lines.append(
            f"| {r['n_events']:,} | {_n(s['ours'], '{:,.1f}')} | {_n(s['baseline'], '{:,.1f}')} "
            f"| {_n(s['floor'], '{:,.1f}')} | {_ratio(s['baseline'], s['ours'])} | {_ratio(s['ours'], s['floor'])} "
            f"| {_n(kb(b['ours']))} | {_n(kb(b['baseline']))} | {_ratio(b['baseline'], b['ours'])} "
            f"| {_n(w['ours'])} | {_n(w['baseline'])} | {_ratio(w['baseline'], w['ours'])} |")
        notes += [f"- {r['n_events']:,} events, {k}: {v}" for k, v in r.get("notes", {}).items()]
    freeze = [r for r in results["runs"] if any((r.get("main_thread") or {}).values())]
    if freeze:
        lines += ["", "Main thread of the page during the change (median of the repeats; a task over 50 ms is "
                  "a long task, blocking = the part of each over 50 ms):", "",
                  "| events | longest task ms ours | baseline | blocking ms ours | baseline "
                  "| longest frame gap ms ours | baseline |",
                  "|---:|---:|---:|---:|---:|---:|---:|"]
        for r in freeze:
            o, b = r["main_thread"].get("ours") or {}, r["main_thread"].get("baseline") or {}
            lines.append(f"| {r['n_events']:,} | {_n(o.get('longest_task_ms'))} | {_n(b.get('longest_task_ms'))} "
                         f"| {_n(o.get('blocking_ms'))} | {_n(b.get('blocking_ms'))} "
                         f"| {_n(o.get('longest_frame_gap_ms'))} | {_n(b.get('longest_frame_gap_ms'))} |")
    return "\n".join(lines + ([""] + notes if notes else []))


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=_ints, default=[17, 1_000, 10_000, 100_000])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--browser-sizes", type=_ints, default=[17, 1_000, 10_000, 100_000])
    p.add_argument("--browser-repeats", type=int, default=5)
    p.add_argument("--no-browser", action="store_true")
    p.add_argument("--baseline-max", type=int, default=10_000,
                   help="largest size at which the baseline runs (it takes about 3 ms per event and change)")
    p.add_argument("--workdir", type=Path, default=HERE / "data")
    p.add_argument("--out", type=Path, default=HERE / "results.json")
    a = p.parse_args(argv)
    results = run(a.sizes, a.repeats, [] if a.no_browser else a.browser_sizes, a.baseline_max,
                  a.browser_repeats, a.workdir, a.out)
    print(table(results))
    return results


if __name__ == "__main__":
    main()
