"""Load test: many headless viewers against one local `streamlit run dashboard.py`.

Run with ``make load`` (or ``.venv/bin/python -m bench.load --viewers 20 --interactions 10``).

1. Starts one dashboard server on 127.0.0.1 (a free port) and samples its memory
   (psutil if installed, else /proc/<pid>/status VmRSS and VmHWM).
2. Single viewer: one headless Chromium context loads the page and makes the
   interactions; the time from each interaction to the updated map is measured.
3. Load: ``--viewers`` contexts in the same browser (asyncio Playwright) do the
   same at once, each with its own choice of toggles, windows, rows and steps.

An interaction (:data:`PLAN`) is one of: a click on a layer pill (a geographic layer or
an event category), a mouse drag of one of the slider's two thumbs (one committed
value), a click on a row of the events table (its event is selected: the server sends
its details and the map opens its popup), or a tour step ("Start the guided tour", then
PageDown, PageUp at the last step). The harness counts the ``rerun_script`` messages
each page sends (``page.on("websocket")``, ``framesent``), fragment reruns apart.

Its latency is from the input (the key press or the mouse button's release, taken in
the page) to the map frame painting the events the viewer's own state calls for
(``DashMap.paints`` incremented, ``DashMap.shown`` of the expected length, from
bench/model.py), or, for a selection, to the event's popup showing its details. At the
end every viewer checks that the page's state (``DashPage.state()``: layers, window,
tour step, the selected event), its URL, its pills and its map are still what it set
(no state leaked between sessions). Errors are timeouts, exceptions, page errors and
Streamlit exception boxes. ``--think-s`` adds a pause before each interaction.

CPU seconds are taken from /proc for each phase and split by process (bench/proccpu.py):
the server, the whole Chromium tree, Playwright's node driver, this harness, and the
rest of the machine. The server alone, without browsers, is measured by bench/wsload.py.

Prints a table and writes JSON (``--json-out``, default test-artifacts/load.json).
Everything stops by itself: each wait has a timeout and the whole run a deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import shutil
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from bench import proccpu  # noqa: E402
from bench.model import DashboardModel  # noqa: E402
from bench.server import start_streamlit, stop  # noqa: E402
from bench.wire import (  # noqa: E402
    DAY_US,
    MAP_FRAME,
    OURS_MARK,
    OURS_PAINTED,
    OURS_POPUP,
    PILLS,
    PROBE_JS,
    SLIDER,
    THUMB_GEOMETRY,
    date_us,
    rerun_request,
    us_date,
)
from geo.catalog import CATEGORIES, LAYER_LABELS  # noqa: E402
from geo.dataset import LAYER_KEYS  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]
#: Layers the viewers toggle, geographic layers and event categories alternating.
TOGGLES = ("countries", "cat:diplomacy", "nagorno_karabakh", "cat:blockade", "stepanakert",
           "cat:protest", "places", "cat:legal", "lachin_corridor", "cat:armed-clash")
#: Interaction kinds, in order (repeated when there are more interactions).
PLAN = ("toggle", "slider", "select", "tour", "slider", "toggle", "tour", "slider", "select", "toggle")
KINDS = ("toggle", "slider", "select", "tour")
LOAD_TIMEOUT_MS = 180_000
STEP_TIMEOUT_MS = 90_000
DEADLINE_S = 1500
#: How often the harness re-checks a waiting page (ms). Each check runs in that page's
#: renderer; the latency itself is taken from the page's own clock (the input's time and
#: the paint's), so the polling interval does not add to it.
POLL_MS = 100
P95_GOAL = 2.0  # issue 17: p95 under load at most 2x a single viewer's

#: JS (page): what the page shows, for the checks and error messages.
PAGE_VIEW = """(sel) => {
  const s = window.DashPage && window.DashPage.state();
  const f = document.querySelector(sel), w = f && f.contentWindow, D = w && w.DashMap;
  return {state: s ? {layers: s.layers, window: s.window, tour: s.tour, open: s.open && {kind: s.open.kind,
            row: s.open.row === undefined ? null : s.open.row, id: s.open.id || null}} : null,
          shown: D && D.shown ? D.shown.length : null, search: location.search};
}"""


# --- the data the page shows (to predict what each viewer should see) -------------------


class Model(DashboardModel):
    """What the page shows for a given state (bench/model.py), from the built-in data."""

    def __init__(self, data_dir: Path):
        super().__init__(data_dir)
        self.event_ids = set(self.events["id"].astype(str))

    def step_event(self, number: int) -> str | None:
        """The event tour step ``number`` selects (its highlight, when it names an event)."""
        highlight = self.tour[number - 1].highlight
        return highlight if highlight in self.event_ids else None


def label(key: str) -> str:
    """The pill's label of a layer key (an event category's pill also shows a count)."""
    return CATEGORIES[key[4:]] if key.startswith("cat:") else LAYER_LABELS[key]


# --- server and memory ------------------------------------------------------------------


def rss_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) of ``pid`` in MB."""
    try:
        import psutil  # optional
        info = psutil.Process(pid).memory_info()
        peak = getattr(info, "peak_wset", None) or 0
        return info.rss / 2**20, max(peak / 2**20, info.rss / 2**20)
    except ImportError:
        pass
    fields = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) / 1024
    return fields.get("VmRSS", 0.0), fields.get("VmHWM", 0.0)


class MemorySampler:
    """Samples the server's RSS every 0.2 s in a thread; ``mark(name)`` starts a phase."""

    def __init__(self, pid: int):
        self.pid, self.phase = pid, "start"
        self.peaks: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            try:
                rss, _ = rss_mb(self.pid)
            except (OSError, ValueError):
                return
            self.peaks[self.phase] = max(self.peaks.get(self.phase, 0.0), rss)
            self._stop.wait(0.2)

    def mark(self, phase: str):
        self.phase = phase

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)


# --- one viewer: its plan ---------------------------------------------------------------


@dataclass
class Viewer:
    index: int
    layers: set[str] = field(default_factory=set)
    window: tuple[dt.date, dt.date] | None = None
    touring: bool = False
    step: int = 0
    event: str | None = None  # the selected event's id (its popup is open)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    load_s: float | None = None
    unmeasured: int = 0  # interactions without a latency (kept for the JSON's shape: now always 0)
    reruns_sent: int = 0  # rerun_script BackMsgs the page sent so far
    fragment_reruns_sent: int = 0  # of which fragment reruns
    reruns: list[tuple[str, int]] = field(default_factory=list)  # (kind, reruns) per interaction
    kinds: list[str] = field(default_factory=list)  # kind of each timed latency


def choose_toggle(model: Model, v: Viewer, t: int) -> str:
    """The layer key interaction ``t`` of viewer ``v`` toggles (and toggle it in ``v.layers``):
    the next of TOGGLES, from the viewer's own start. Every toggle changes the map (a
    geographic layer shows or hides; the events are painted again)."""
    key = TOGGLES[(v.index + t) % len(TOGGLES)]
    v.layers ^= {key}
    return key


def slider_target(model: Model, v: Viewer, t: int) -> tuple[int, dt.date]:
    """(thumb, date) of slider interaction ``t``: one thumb per interaction, as a person
    drags one thumb once (one value committed, one rerun). The start thumb goes to
    ``j`` days after the span's start, the end thumb to ``k`` days before its end."""
    lo, hi = model.span
    j, k = (v.index * 3 + t) % 9, (v.index * 5 + 2 * t) % 13
    thumb = (v.index + t) % 2
    return thumb, (lo + dt.timedelta(days=j)) if thumb == 0 else (hi - dt.timedelta(days=k))


def tour_press(model: Model, v: Viewer) -> str:
    """The tour input the viewer gives next ("start_tour", the button; "next" or "prev",
    the presenter's keys), with the viewer's state moved to that step."""
    if not v.touring:
        v.touring, v.step, key = True, 1, "start_tour"
    elif v.step < len(model.tour):
        v.step, key = v.step + 1, "next"
    else:
        v.step, key = v.step - 1, "prev"
    v.layers, v.window = model.step_state(v.step)
    v.event = model.step_event(v.step)
    return key


def select_row(model: Model, v: Viewer, t: int, rows: list[int]) -> int:
    """The row of the events table the viewer selects (one of ``rows``, the table's
    first rows), with the viewer's selected event set to it."""
    row = rows[(v.index * 7 + t) % len(rows)]
    v.event = str(model.events["id"].iat[row])
    return row


# --- one viewer: in the browser -----------------------------------------------------------


def _local_only(route):
    host = urlsplit(route.request.url).hostname or ""
    if host in ("127.0.0.1", "localhost") or route.request.url.startswith(("data:", "blob:", "about:")):
        return route.continue_()
    return route.abort()


async def _ready(page, js: str, arg, timeout_ms: float) -> float:
    """Wait until ``js`` (page) returns a time (ms since the epoch, page clock); return it."""
    handle = await page.wait_for_function(js, arg=arg, timeout=timeout_ms, polling=POLL_MS)
    return float(await handle.json_value())


def _brief(seen: dict) -> str:
    """What the page shows, short enough for an error message."""
    st = seen.get("state") or {}
    return (f"layers {st.get('layers')}, window {st.get('window')}, step {(st.get('tour') or {}).get('step')}, "
            f"{seen.get('shown')} events on the map" if st else str(seen)[:200])


async def _view(page) -> dict:
    try:
        return await page.evaluate(PAGE_VIEW, MAP_FRAME)
    except Exception as exc:
        return {"error": str(exc)[:100]}


async def _wait_map(page, model: Model, v: Viewer, p0, timeout_ms: float) -> float:
    """Wait for the map to paint the viewer's events; the paint's time (page clock)."""
    n = model.count(v.layers, v.window)
    try:
        return await _ready(page, OURS_PAINTED, [MAP_FRAME, p0, n], timeout_ms)
    except Exception as exc:
        raise AssertionError(f"map never painted {n} events (layers {sorted(v.layers)}, window "
                             f"{v.window[0]}..{v.window[1]}, step {v.step if v.touring else None}); "
                             f"the page shows {_brief(await _view(page))}: {type(exc).__name__}") from None


async def _slider(page, model: Model, v: Viewer, t: int) -> None:
    """Drag one thumb with the mouse (press, move, release): react-aria commits the value
    once, on release, so this is one rerun. The pixel grid is a few days wide, so the
    window is read back from the slider after the drop."""
    thumb, target = slider_target(model, v, t)
    inputs = page.locator(SLIDER)
    el = inputs.nth(thumb)
    cx, cy, left, width, lo, hi, value = await el.evaluate(THUMB_GEOMETRY, timeout=STEP_TIMEOUT_MS)
    px = width / ((hi - lo) / DAY_US)  # pixels per day
    goal = date_us(target)
    if abs(goal - value) / DAY_US * px < 2:  # less than 2 px away: drag somewhere visible instead
        end = lo if thumb == 0 else hi
        goal = end if abs(value - end) / DAY_US * px >= 2 else value + (3 if thumb == 0 else -3) / px * DAY_US
    x = left + width * (goal - lo) / (hi - lo)
    await page.mouse.move(cx, cy)
    await page.mouse.down()
    await page.mouse.move(x, cy, steps=4)
    await page.mouse.up()
    got = [us_date(float(await inputs.nth(i).input_value(timeout=STEP_TIMEOUT_MS))) for i in (0, 1)]
    v.window = (got[0], got[1])


async def _table_rows(page) -> list[int]:
    rows = page.locator("tr[data-row]")
    await rows.first.wait_for(timeout=STEP_TIMEOUT_MS)
    return [int(x) for x in await rows.evaluate_all("els => els.slice(0, 20).map(e => e.dataset.row)")]


async def _act(page, model: Model, v: Viewer, kind: str, t: int) -> tuple[str, list]:
    """Do interaction ``t`` of ``kind``; returns (what to wait for, its argument)."""
    if kind == "toggle":
        key = choose_toggle(model, v, t)
        await page.locator(PILLS).filter(has_text=label(key)).first.click(timeout=STEP_TIMEOUT_MS)
        return "map", []
    if kind == "slider":
        await _slider(page, model, v, t)
        return "map", []
    if kind == "select":
        row = select_row(model, v, t, await _table_rows(page))
        await page.locator(f'tr[data-row="{row}"]').click(timeout=STEP_TIMEOUT_MS)
        title = await page.evaluate("r => window.DashPage.store().cols.title.get(r)", row)
        return "popup", [MAP_FRAME, row, title]
    key = tour_press(model, v)
    if key == "start_tour":
        await page.get_by_role("button", name="Start the guided tour").click(timeout=STEP_TIMEOUT_MS)
    else:
        await page.evaluate("() => document.activeElement && document.activeElement.blur()")
        await page.keyboard.press("PageDown" if key == "next" else "PageUp")
    return "map", []


async def _check_own_state(page, model: Model, v: Viewer) -> None:
    """The page's state, URL, pills and map are what the viewer set (no leak from others)."""
    seen = await _view(page)
    st = seen.get("state") or {}
    who = f"viewer {v.index}"
    if sorted(st.get("layers") or []) != sorted(v.layers):
        v.leaks.append(f"{who}: state layers {st.get('layers')} != {sorted(v.layers)}")
    if st.get("window") != [d.isoformat() for d in v.window]:
        v.leaks.append(f"{who}: state window {st.get('window')} != {v.window}")
    step = (st.get("tour") or {}).get("step")
    if step != (v.step if v.touring else None):
        v.leaks.append(f"{who}: tour step {step} != {v.step if v.touring else None}")
    open_ = st.get("open") or {}
    got_event = open_.get("id") if open_.get("kind") == "event" else None
    if got_event != v.event:
        v.leaks.append(f"{who}: selected event {got_event} != {v.event}")
    query = {k: vals[-1] for k, vals in parse_qs(seen.get("search", "").lstrip("?"), keep_blank_values=True).items()}
    url_layers = set(query.get("layers", "").split(",")) - {"none", ""}
    if url_layers != v.layers:
        v.leaks.append(f"{who}: URL layers {sorted(url_layers)} != {sorted(v.layers)}")
    if (query.get("from"), query.get("to")) != tuple(d.isoformat() for d in v.window):
        v.leaks.append(f"{who}: URL window {(query.get('from'), query.get('to'))} != {v.window}")
    pressed = await page.locator(PILLS).evaluate_all(
        "els => els.filter(e => e.getAttribute('aria-pressed') === 'true').map(e => e.innerText)")
    on = {k for k in LAYER_KEYS if any(p.startswith(label(k)) for p in pressed)}
    if on != v.layers:
        v.leaks.append(f"{who}: pills on {sorted(on)} != {sorted(v.layers)}")
    n = model.count(v.layers, v.window)
    if seen.get("shown") != n:
        v.leaks.append(f"{who}: the map shows {seen.get('shown')} events, expected {n}")


def _count_rerun(v: Viewer, payload) -> None:
    """Count the rerun_script BackMsgs (one per script or fragment rerun the page asks for)."""
    rerun = rerun_request(payload)
    if rerun is not None:
        v.reruns_sent += 1
        if rerun.fragment_id:
            v.fragment_reruns_sent += 1


async def run_viewer(browser, url: str, model: Model, v: Viewer, interactions: int, start_gate: asyncio.Event,
                     think_s: float = 0.0):
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    await ctx.route("**/*", _local_only)
    await ctx.add_init_script(PROBE_JS)
    page = await ctx.new_page()
    page.on("pageerror", lambda e: v.errors.append(f"viewer {v.index}: page error {e}"))
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: _count_rerun(v, payload)))
    pause = random.Random(v.index)  # think time: uniform in [0.5, 1.5] x think_s, fixed per viewer
    try:
        await start_gate.wait()
        t0 = time.perf_counter()
        await page.goto(url + "/", timeout=LOAD_TIMEOUT_MS)
        await page.mouse.move(2, 2)  # Streamlit 1.67 paints widgets after the first pointer input
        await page.locator(PILLS).first.wait_for(timeout=LOAD_TIMEOUT_MS)
        v.layers, v.window = set(LAYER_KEYS), model.span
        await _wait_map(page, model, v, 0, LOAD_TIMEOUT_MS)
        v.load_s = time.perf_counter() - t0
        for t in range(interactions):
            kind = PLAN[t % len(PLAN)]
            if think_s > 0:
                await asyncio.sleep(think_s * pause.uniform(0.5, 1.5))
            try:
                p0 = await page.evaluate(OURS_MARK, MAP_FRAME)
                await page.evaluate("() => { window.__bench.input = null; }")
                sent0 = v.reruns_sent
                t1 = time.perf_counter()
                wait, arg = await _act(page, model, v, kind, t)
                if wait == "map":
                    done = await _wait_map(page, model, v, p0, STEP_TIMEOUT_MS)
                else:
                    try:
                        done = await _ready(page, OURS_POPUP, arg, STEP_TIMEOUT_MS)
                    except Exception as exc:
                        raise AssertionError(f"the popup of row {arg[1]} never showed its details; the page "
                                             f"shows {_brief(await _view(page))}: {type(exc).__name__}") from None
                wall = time.perf_counter() - t1
                pressed = await page.evaluate("() => window.__bench.input")
                v.latencies.append((done - pressed) / 1000 if pressed else wall)
                v.kinds.append(kind)
                v.reruns.append((kind, v.reruns_sent - sent0))
                if await page.locator('[data-testid="stException"]').count():
                    v.errors.append(f"viewer {v.index}, {kind} {t}: exception box on the page")
            except Exception as exc:
                v.errors.append(f"viewer {v.index}, {kind} {t}: {exc}"[:600])
                break  # its model no longer matches the page
        else:
            await page.wait_for_timeout(300)  # the URL is written as the state arrives
            await _check_own_state(page, model, v)
    except Exception as exc:
        v.errors.append(f"viewer {v.index}: {type(exc).__name__}: {exc}"[:400])
    finally:
        await ctx.close()


async def run_phase(browser, url: str, model: Model, n: int, interactions: int, first_index: int = 0,
                    think_s: float = 0.0) -> list[Viewer]:
    viewers = [Viewer(first_index + i) for i in range(n)]
    gate = asyncio.Event()
    tasks = [asyncio.create_task(run_viewer(browser, url, model, v, interactions, gate, think_s)) for v in viewers]
    await asyncio.sleep(0.1)
    gate.set()
    await asyncio.gather(*tasks)
    return viewers


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def _reruns(viewers: list[Viewer]) -> dict:
    """Script reruns the pages asked for per interaction: total, mean, max, and a histogram per kind."""
    out = {"total": sum(n for v in viewers for _, n in v.reruns),
           "fragment_reruns": sum(v.fragment_reruns_sent for v in viewers)}
    every = [n for v in viewers for _, n in v.reruns]
    out["mean"] = statistics.fmean(every) if every else None
    out["max"] = max(every) if every else None
    for kind in KINDS:
        counts = [n for v in viewers for k, n in v.reruns if k == kind]
        out[kind] = {str(n): counts.count(n) for n in sorted(set(counts))}
    return out


def _summary(viewers: list[Viewer]) -> dict:
    lat = [x for v in viewers for x in v.latencies]
    loads = [v.load_s for v in viewers if v.load_s is not None]
    return {
        "viewers": len(viewers),
        "interactions_measured": len(lat),
        "interactions_without_map_change": sum(v.unmeasured for v in viewers),
        "p50_s": _pct(lat, 50), "p95_s": _pct(lat, 95), "max_s": max(lat) if lat else None,
        "page_load_p50_s": _pct(loads, 50), "page_load_max_s": max(loads) if loads else None,
        "latency_p50_by_kind_s": {k: _pct([x for v in viewers for x, kk in zip(v.latencies, v.kinds) if kk == k], 50)
                                  for k in KINDS},
        "reruns_per_interaction": _reruns(viewers),
        "errors": [e for v in viewers for e in v.errors],
        "leaks": [x for v in viewers for x in v.leaks],
    }


async def main_async(args) -> dict:
    from playwright.async_api import async_playwright

    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    model = Model(ROOT / "data")
    proc, url = start_streamlit(ROOT / "dashboard.py", log=artifacts / "load-server.log")
    result: dict = {"viewers": args.viewers, "interactions": args.interactions, "think_s": args.think_s,
                    "cpus": os.cpu_count()}
    try:
        with MemorySampler(proc.pid) as mem:
            result["rss_idle_mb"] = rss_mb(proc.pid)[0]
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
                try:
                    mem.mark("single")
                    t0, cpu0 = time.perf_counter(), proccpu.snapshot(proc.pid)
                    single = await run_phase(browser, url, model, 1, args.interactions, think_s=args.think_s)
                    result["cpu_single"] = proccpu.diff(cpu0, proccpu.snapshot(proc.pid), time.perf_counter() - t0)
                    mem.mark("between")
                    await asyncio.sleep(1)
                    mem.mark("load")
                    t0, cpu0 = time.perf_counter(), proccpu.snapshot(proc.pid)
                    many = await run_phase(browser, url, model, args.viewers, args.interactions, first_index=1,
                                           think_s=args.think_s)
                    result["load_wall_s"] = time.perf_counter() - t0
                    # CPU seconds per process group (server, Chromium tree, node driver, this
                    # harness, the rest of the machine) during the load phase; cores = share of one core
                    result["cpu_load"] = proccpu.diff(cpu0, proccpu.snapshot(proc.pid), result["load_wall_s"])
                    result["server_cpu_share"] = result["cpu_load"]["cores"]["server"]
                    mem.mark("after")
                    await asyncio.sleep(1)
                finally:
                    await browser.close()
            result["rss_after_mb"], result["rss_hwm_mb"] = rss_mb(proc.pid)
        result["rss_single_peak_mb"] = mem.peaks.get("single")
        result["rss_load_peak_mb"] = mem.peaks.get("load")
    finally:
        stop(proc)
    result["single"], result["load"] = _summary(single), _summary(many)
    result["errors"] = len(result["single"]["errors"]) + len(result["load"]["errors"])
    result["leaks"] = len(result["single"]["leaks"]) + len(result["load"]["leaks"])
    s95, l95 = result["single"]["p95_s"], result["load"]["p95_s"]
    result["p95_ratio"] = (l95 / s95) if (s95 and l95) else None
    result["p95_goal"] = P95_GOAL
    result["p95_goal_met"] = result["p95_ratio"] is not None and result["p95_ratio"] <= P95_GOAL
    if result["rss_load_peak_mb"] and result["rss_single_peak_mb"] and args.viewers > 1:
        result["mb_per_extra_viewer"] = ((result["rss_load_peak_mb"] - result["rss_single_peak_mb"])
                                         / (args.viewers - 1))
    return result


def _fmt(x, unit="", nd=2):
    return "-" if x is None else f"{x:.{nd}f}{unit}"


def _fmt_reruns(rr: dict) -> str:
    hist = "; ".join(f"{k} " + ", ".join(f"{n}x{c}" for n, c in rr[k].items()) for k in KINDS if rr.get(k))
    return f"mean {_fmt(rr['mean'])}, max {rr['max']}, fragment reruns {rr.get('fragment_reruns', 0)} of " \
           f"{rr['total']} ({hist}; reruns x interactions)"


def report(r: dict) -> str:
    one, many = r["single"], r["load"]
    goal = r.get("p95_goal", P95_GOAL)
    rows = [
        ("viewers x interactions", f"{r['viewers']} x {r['interactions']} (plus 1 x {r['interactions']} alone), "
                                   f"think time {r.get('think_s', 0):g} s"),
        ("errors", str(r["errors"])),
        ("state leaks", str(r["leaks"])),
        ("single viewer p50 / p95", f"{_fmt(one['p50_s'], ' s')} / {_fmt(one['p95_s'], ' s')} ({one['interactions_measured']} interactions)"),
        ("under load p50 / p95", f"{_fmt(many['p50_s'], ' s')} / {_fmt(many['p95_s'], ' s')} ({many['interactions_measured']} interactions, max {_fmt(many['max_s'], ' s')})"),
        ("p95 load / single", f"{_fmt(r['p95_ratio'], 'x')} (goal <= {goal:g}x: {'met' if r['p95_goal_met'] else 'NOT met'})"),
        ("page load p50 / max (load)", f"{_fmt(many['page_load_p50_s'], ' s')} / {_fmt(many['page_load_max_s'], ' s')}"),
        ("server RSS idle / 1 viewer / load peak", f"{_fmt(r['rss_idle_mb'], ' MB', 0)} / {_fmt(r['rss_single_peak_mb'], ' MB', 0)} / {_fmt(r['rss_load_peak_mb'], ' MB', 0)} (VmHWM {_fmt(r['rss_hwm_mb'], ' MB', 0)})"),
        ("memory per extra viewer", _fmt(r.get("mb_per_extra_viewer"), " MB", 1)),
        ("load phase wall time", _fmt(r.get("load_wall_s"), " s", 1)),
        ("server CPU during load", f"{_fmt(r.get('server_cpu_share'), '', 2)} of one core ({r['cpus']} cores shared with Chromium)"),
        ("CPU s (cores), 1 viewer", proccpu.fmt(r["cpu_single"]) if r.get("cpu_single") else "-"),
        ("CPU s (cores), load", proccpu.fmt(r["cpu_load"]) if r.get("cpu_load") else "-"),
        ("reruns per interaction, 1 viewer", _fmt_reruns(one["reruns_per_interaction"])),
        ("reruns per interaction, load", _fmt_reruns(many["reruns_per_interaction"])),
        ("p50 by kind alone / load", ", ".join(f"{k} {_fmt(one['latency_p50_by_kind_s'][k], ' s')} / "
                                                f"{_fmt(many['latency_p50_by_kind_s'][k], ' s')}" for k in KINDS)),
    ]
    return table(rows, one, many)


def table(rows: list[tuple[str, str]], *summaries: dict) -> str:
    """``rows`` as aligned "label  value" lines, then the first 20 errors and leaks of ``summaries``."""
    width = max(len(a) for a, _ in rows)
    lines = [f"{a.ljust(width)}  {b}" for a, b in rows]
    problems = [e for key in ("errors", "leaks") for x in summaries for e in x[key]]
    lines += ["  ! " + e for e in problems[:20]]
    return "\n".join(lines)


def finish(result: dict, json_out: str, text: str) -> dict:
    """Write ``result`` as JSON to ``json_out`` and print ``text`` (the report) and where the JSON is."""
    Path(json_out).parent.mkdir(parents=True, exist_ok=True)
    Path(json_out).write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    print(text)
    print(f"\nJSON: {json_out}")
    return result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--interactions", type=int, default=10)
    parser.add_argument("--think-s", type=float, default=0.0,
                        help="pause before each interaction, uniform in [0.5, 1.5] x this (default 0: none)")
    parser.add_argument("--json-out", default=str(ROOT / "test-artifacts" / "load.json"))
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Debian's chromium is not installed at {CHROMIUM}: run `make browser`")
    result = asyncio.run(asyncio.wait_for(main_async(args), DEADLINE_S))
    return finish(result, args.json_out, report(result))


if __name__ == "__main__":
    res = main()
    sys.exit(1 if res["errors"] or res["leaks"] else 0)
