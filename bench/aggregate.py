"""The explorer at scale (issue 15): the aggregated view and the filters at 100,000 events.

``python -m bench.aggregate [--events 100000] [--repeats 5]`` starts the dashboard
with that many synthetic ACLED events (:mod:`bench.synth`, the user's import path),
opens it in headless Chromium and measures, in one run:

switch_ms
    From a click on "Hexagons" to the hexagons painted on the map (and back to the
    points), median of ``--repeats`` switches each way, timed in the page
    (``performance.now()``), with the longest main-thread task meanwhile.
switch_bytes
    What the browser receives from the server for the switches (websocket frames):
    the switch is the browser's, so nothing is expected.
store_bytes
    What the hexagons add to the store the browser gets once per dataset: each
    event's H3 cell (the ``hex`` column) and the cells' table (``hexCells``), as Arrow
    IPC, beside the rest of the store.
filter_bytes
    What one search costs (a fragment rerun with the filters' row mask): for a word
    matching few events, about half of them, and most of them; then a slider move
    with the half-matching search on (the mask travels with every state).

It writes ``bench/aggregate.json`` and prints a Markdown table. Nothing timed is
asserted; compare the figures within one run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import pyarrow as pa

from bench.server import start_streamlit, stop
from bench.synth import load_csv, write_csv

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
MAP = 'iframe[title="streamlit_folium.st_folium"]'
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]

#: JS (page): switch the map's events view to ``mode`` ("hex" or "points") by clicking its
#: control, and resolve with the time until the new view is painted and the longest task.
SWITCH = """async (mode) => {
    const w = document.querySelector('%s').contentWindow, D = w.DashMap;
    const button = w.document.querySelector('.dash-view-switch button[data-view="' + mode + '"]');
    let longest = 0;
    const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) longest = Math.max(longest, e.duration); });
    try { obs.observe({type: 'longtask', buffered: false}); } catch (e) {}
    const before = D.paints, t0 = performance.now();
    button.click();
    await new Promise((ok) => { const poll = () => (D.paints > before + (mode === 'hex' ? 1 : 0) &&
        (mode === 'hex' ? w.document.querySelector('canvas.dash-hexes') : !w.document.querySelector('canvas.dash-hexes')))
        ? ok() : w.requestAnimationFrame(poll); poll(); });
    const ms = performance.now() - t0;
    await new Promise((ok) => setTimeout(ok, 300));
    obs.disconnect();
    return {ms: ms, longest: longest, cells: D.hexInfo ? D.hexInfo.cells : null, total: D.hexInfo ? D.hexInfo.total : null};
}""" % MAP  # noqa: UP031 (JavaScript: braces everywhere)


def store_sizes(n: int, csv: Path) -> dict:
    """Bytes of the store's events table with and without the hexagons, as Arrow IPC."""
    import pandas as pd

    from geo.dataset import load_dataset
    from geo.dates import span_of
    from geo.window import EventIndex
    from layers.store import events_store, store_columns

    data = load_dataset(ROOT / "data")
    events = pd.concat([data.events, load_csv(csv)], ignore_index=True)
    index = EventIndex.build(events)
    store = events_store(index.table, "bench", span_of(index.table))

    def ipc(table: pa.Table) -> int:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as w:
            w.write_table(table)
        return sink.getvalue().size

    without = store_columns(index.table)
    return {"events": len(index), "store_events_bytes": ipc(store["events"]), "without_hex_bytes": ipc(without),
            "hex_cells_bytes": ipc(store["hexCells"]), "cells": store["hexCells"].num_rows}


def measure(n: int, repeats: int, workdir: Path) -> dict:
    from playwright.sync_api import sync_playwright

    csv = write_csv(n, workdir / f"events-{n}.csv")
    out: dict = {"n_events": n, "store": store_sizes(n, csv)}
    proc, url = start_streamlit(ROOT / "dashboard.py", "--events", str(csv), log=workdir / "aggregate-server.log",
                                timeout=180)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS, headless=True)
            page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            frames: list[int] = []
            page.on("websocket", lambda ws: ws.on("framereceived", lambda p: frames.append(len(p))))
            page.goto(url + "/")
            page.mouse.move(2, 2)
            page.wait_for_function(f"""(n) => {{ const f = document.querySelector('{MAP}');
                return f && f.contentWindow.DashMap && f.contentWindow.DashMap.paints > 0 && window.DashPage
                    && window.DashPage.store() && window.DashPage.store().cols.n >= n; }}""", arg=n, timeout=300_000)
            page.wait_for_timeout(3000)
            out["first_load_bytes"] = sum(frames)

            frames.clear()
            to_hex, to_points = [], []
            for _ in range(repeats):
                to_hex.append(page.evaluate(SWITCH, "hex"))
                to_points.append(page.evaluate(SWITCH, "points"))
            page.wait_for_timeout(1000)
            out["switch_bytes"] = sum(frames)
            out["switch_ms"] = {"to_hex": statistics.median(r["ms"] for r in to_hex),
                                "to_points": statistics.median(r["ms"] for r in to_points)}
            out["switch_longest_task_ms"] = {"to_hex": max(r["longest"] for r in to_hex),
                                             "to_points": max(r["longest"] for r in to_points)}
            out["hexagons"] = {"cells_drawn": to_hex[-1]["cells"], "events_counted": to_hex[-1]["total"]}

            out["filter_bytes"] = {}
            for word in ("drone", "fighting", "2023", "slider with 'fighting'"):
                frames.clear()
                if word.startswith("slider"):
                    box = page.locator(".st-key-dash_filters input[type=search]")
                    box.fill("fighting")
                    box.press("Enter")
                    page.wait_for_function("() => window.DashPage.state().filters", timeout=60_000)
                    page.wait_for_timeout(2000)
                    frames.clear()
                    thumb = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]').nth(1)
                    thumb.focus()
                    page.keyboard.press("ArrowLeft")
                    page.keyboard.press("Tab")
                    page.wait_for_function("() => window.DashPage.state().window[1] < window.DashPage.state().span[1]",
                                           timeout=60_000)
                else:
                    box = page.locator(".st-key-dash_filters input[type=search]")
                    box.fill(word)
                    box.press("Enter")
                    page.wait_for_function("(q) => { const f = window.DashPage.state().filters; return f && f.q === q; }",
                                           arg=word, timeout=60_000)
                page.wait_for_timeout(2000)
                state = page.evaluate("() => window.DashPage.state()")
                out["filter_bytes"][word] = {"bytes": sum(frames), "matches": state.get("matches")}
            browser.close()
    finally:
        stop(proc)
    return out


def table(r: dict) -> str:
    s = r["store"]
    rows = [
        f"Aggregated view and filters at {r['n_events']:,} events (one run, headless Chromium, 2 cores):",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| switch points -> hexagons, ms (median of {r['repeats']}) | {r['switch_ms']['to_hex']:,.0f} |",
        f"| switch hexagons -> points, ms (median) | {r['switch_ms']['to_points']:,.0f} |",
        f"| longest main-thread task during a switch, ms | {max(r['switch_longest_task_ms'].values()):,.0f} |",
        f"| bytes received for all {2 * r['repeats']} switches | {r['switch_bytes']:,} |",
        f"| hexagons drawn / events counted | {r['hexagons']['cells_drawn']:,} / {r['hexagons']['events_counted']:,} |",
        f"| store: events table with the hex column, bytes (without) | {s['store_events_bytes']:,} "
        f"({s['without_hex_bytes']:,}) |",
        f"| store: H3 cells table ({s['cells']:,} cells), bytes | {s['hex_cells_bytes']:,} |",
    ]
    for word, v in r["filter_bytes"].items():
        rows.append(f"| search '{word}' ({v['matches']:,} matches): bytes received |" if not word.startswith("slider")
                    else "| slider move with 'fighting' on: bytes received |")
        rows[-1] += f" {v['bytes']:,} |"
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--out", type=Path, default=HERE / "aggregate.json")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    result = measure(args.events, args.repeats, args.workdir)
    result["repeats"] = args.repeats
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
