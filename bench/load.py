"""Load test: many headless viewers against one local `streamlit run dashboard.py`.

Run with ``make load`` (or ``.venv/bin/python -m bench.load --viewers 20 --interactions 10``).

1. Starts one dashboard server on 127.0.0.1 (a free port) and samples its memory
   (psutil if installed, else /proc/<pid>/status VmRSS and VmHWM).
2. Single viewer: one headless Chromium context loads the page and makes the
   interactions; the time from each interaction to the updated map is measured.
3. Load: ``--viewers`` contexts in the same browser (asyncio Playwright) do the
   same at once, each with its own choice of toggles and date windows.

An interaction is one of: a sidebar checkbox toggle (a geographic layer or an event
category), a mouse drag of one of the slider's two thumbs (one committed value), or a
tour step (start the tour, then "Next"). Each is one script rerun: the harness counts
the ``rerun_script`` messages each page sends (``page.on("websocket")``, ``framesent``).
Its latency ends when the map frame shows
exactly the event markers the viewer's own state calls for, and the toggled layers'
shapes are present or absent as they should be. At the end every viewer checks that
its URL, checkboxes and window are still as it set them (no state leaked between
sessions). Errors are timeouts, exceptions, page errors and Streamlit exception boxes.

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

from geo.catalog import CATEGORIES, LAYER_LABELS  # noqa: E402
from geo.dataset import LAYER_KEYS, load_dataset  # noqa: E402
from geo.window import filter_window  # noqa: E402
from layers._shapes import tooltip_text  # noqa: E402
from bench import proccpu  # noqa: E402
from bench.server import start_streamlit, stop  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
SLIDER = '[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]'
CHECKBOX = '[data-testid="stSidebar"] [data-testid="stCheckbox"]'
FALLBACK_SPAN = (dt.date(2020, 11, 10), dt.date(2023, 7, 15))  # dashboard.FALLBACK_SPAN
#: Layers the viewers toggle: geographic layers whose shapes have no validity dates
#: (so a toggle always shows or hides them), and event categories.
TOGGLES = ("countries", "cat:diplomacy", "nagorno_karabakh", "cat:blockade", "stepanakert",
           "cat:protest", "places", "cat:legal")
#: Interaction kinds, in order (repeated when there are more interactions).
PLAN = ("toggle", "slider", "toggle", "tour", "slider", "toggle", "slider", "tour", "toggle", "slider")
LOAD_TIMEOUT_MS = 180_000
STEP_TIMEOUT_MS = 90_000
DEADLINE_S = 1500

#: JS (map frame): does the map show exactly ``ids`` as event markers, every tooltip of
#: ``present`` and none of ``absent``?
#: The event ids are checked first; tooltips are parsed (DOMParser, which runs no script)
#: only when they match, and only tooltips with markup: this runs every 100 ms in every
#: waiting viewer, so it is kept cheap (it is part of the clients' CPU under load).
MAP_MATCHES = """([ids, present, absent]) => {
    if (!window.map) return false;
    const ev = new Set(), raw = [];
    window.map.eachLayer(l => {
        if (l.eventId) ev.add(l.eventId);
        if (l.getTooltip && l.getTooltip()) { const c = l.getTooltip().getContent();
            if (typeof c === 'string') raw.push(c); }
    });
    if (ev.size !== ids.length || !ids.every(i => ev.has(i))) return false;
    const parser = new DOMParser(), tips = new Set(raw.map(c => c.indexOf('<') < 0 && c.indexOf('&') < 0
        ? c.trim() : parser.parseFromString(c, 'text/html').body.textContent.trim()));
    return present.every(t => tips.has(t)) && absent.every(t => !tips.has(t));
}"""
#: How often the harness re-checks the map and the URL in a waiting page (ms). Each check
#: runs in that page's renderer; 100 ms keeps it under ~1 % of a core per waiting viewer
#: (MAP_MATCHES takes ~0.3-0.6 ms with every layer on) at the price of up to 100 ms of
#: quantisation on every latency, the same alone and under load.
POLL_MS = 100
#: JS (map frame): what the map shows, for error messages.
MAP_STATE = """() => { const ev = new Set(), tips = [];
    window.map && window.map.eachLayer(l => { if (l.eventId) ev.add(l.eventId);
        if (l.getTooltip && l.getTooltip()) { const c = l.getTooltip().getContent(); if (typeof c === 'string') tips.push(c); } });
    return {events: [...ev].sort(), tips: tips.length}; }"""


# --- the data the page shows (to predict what each viewer should see) -------------------


class Model:
    """What the page shows for a given state, from the same data and geo/ functions."""

    def __init__(self, data_dir: Path):
        data = load_dataset(data_dir)
        self.events = data.events
        self.tour = data.tour
        lo = min(self.events["date_start"].min().date(), FALLBACK_SPAN[0])
        hi = max(self.events["date_end"].max().date(), FALLBACK_SPAN[1])
        self.span = (lo, hi)
        #: one tooltip per geographic layer, unique to it
        self.tips = {}
        for key, gdf in data.layers.items():
            if key in TOGGLES:
                self.tips[key] = tooltip_text(gdf.drop(columns="geometry").iloc[0].to_dict())

    def expected(self, layers: set[str], window: tuple[dt.date, dt.date]):
        rows = filter_window(self.events, *window)
        cats = {k.removeprefix("cat:") for k in layers if k.startswith("cat:")}
        ids = sorted(set(rows.loc[rows["category"].isin(cats), "id"]))
        geo = [k for k in self.tips if k in TOGGLES]
        present = [self.tips[k] for k in geo if k in layers]
        absent = [self.tips[k] for k in geo if k not in layers]
        return ids, present, absent

    def step_state(self, number: int) -> tuple[set[str], tuple[dt.date, dt.date]]:
        step = self.tour[number - 1]
        lo, hi = self.span
        return set(step.layers), tuple(min(max(d, lo), hi) for d in step.window)


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


# --- one viewer -------------------------------------------------------------------------


@dataclass
class Viewer:
    index: int
    layers: set[str] = field(default_factory=set)
    window: tuple[dt.date, dt.date] | None = None
    touring: bool = False
    step: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    load_s: float | None = None
    unmeasured: int = 0  # interactions that change nothing on the map (no latency)
    reruns_sent: int = 0  # rerun_script BackMsgs the page sent so far
    reruns: list[tuple[str, int]] = field(default_factory=list)  # (kind, reruns) per interaction
    kinds: list[str] = field(default_factory=list)  # kind of each timed latency


def _local_only(route):
    host = urlsplit(route.request.url).hostname or ""
    if host in ("127.0.0.1", "localhost") or route.request.url.startswith(("data:", "blob:", "about:")):
        return route.continue_()
    return route.abort()


async def _map_frame(page):
    handle = await page.wait_for_selector(MAP_FRAME, timeout=LOAD_TIMEOUT_MS)
    return await handle.content_frame()


async def _wait_map(page, model: Model, v: Viewer, timeout_ms: float) -> None:
    ids, present, absent = model.expected(v.layers, v.window)
    deadline = time.perf_counter() + timeout_ms / 1000
    last = None
    while (left := deadline - time.perf_counter()) > 0:
        try:
            # The page re-mounts the map (a new iframe) when the layout changes, e.g. when
            # the tour starts: look the frame up again after it is detached.
            frame = await _map_frame(page)
            if frame is None:  # the new iframe is not attached yet
                await asyncio.sleep(0.05)
                continue
            await frame.wait_for_function(MAP_MATCHES, arg=[ids, present, absent], timeout=left * 1000,
                                          polling=POLL_MS)
            return
        except Exception as exc:
            last = exc
            if "detached" not in str(exc) and "destroyed" not in str(exc):
                break
            await asyncio.sleep(0.05)
    try:
        seen = await (await _map_frame(page)).evaluate(MAP_STATE)
    except Exception:
        seen = "?"
    raise AssertionError(f"map never showed events {ids} (layers {sorted(v.layers)}, window "
                         f"{v.window}); it shows {seen}: {type(last).__name__}: {str(last)[:120]}")


def choose_toggle(model: Model, v: Viewer, t: int) -> str:
    """The layer key interaction ``t`` of viewer ``v`` toggles (and toggle it in ``v.layers``):
    the first key of TOGGLES, from the viewer's own start, whose toggle changes the map."""
    before = model.expected(v.layers, v.window)
    for shift in range(len(TOGGLES)):
        key = TOGGLES[(v.index + t + shift) % len(TOGGLES)]
        if model.expected(v.layers ^ {key}, v.window) != before:
            break
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
    """The tour button the viewer presses next ("start_tour", "next" or "prev", as the
    widget keys in dashboard.py), with the viewer's state moved to that step."""
    if not v.touring:
        v.touring, v.step, key = True, 1, "start_tour"
    elif v.step < len(model.tour):
        v.step, key = v.step + 1, "next"
    else:
        v.step, key = v.step - 1, "prev"
    v.layers, v.window = model.step_state(v.step)
    return key


async def _toggle(page, model: Model, v: Viewer, t: int):
    key = choose_toggle(model, v, t)
    label = CATEGORIES[key[4:]] if key.startswith("cat:") else LAYER_LABELS[key]
    box = page.locator(CHECKBOX).filter(has_text=label).locator("label")
    return lambda: box.click(timeout=STEP_TIMEOUT_MS)


#: JS (page), on a slider input: its thumb's centre, the track's left and width, min, max, value.
THUMB_GEOMETRY = """e => { const thumb = e.parentElement.parentElement, track = thumb.offsetParent;
    const r = thumb.getBoundingClientRect(), tr = track.getBoundingClientRect();
    return [r.left + r.width / 2, r.top + r.height / 2, tr.left, tr.width, +e.min, +e.max, +e.value]; }"""
DAY_US = 86_400_000_000  # the slider's values are microseconds since 1970-01-01 (UTC)


def _us_to_date(us: float) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=round(us / DAY_US))


async def _slider(page, model: Model, v: Viewer, t: int):
    """Drag one thumb with the mouse (press, move, release): react-aria commits the value
    once, on release, so this is one rerun. (Keyboard moves commit on every key press:
    Home, End and each arrow key were one rerun each, up to 22 per interaction.) The pixel
    grid is ~4 days wide, so the window is read back from the slider after the drop."""
    thumb, target = slider_target(model, v, t)
    inputs = page.locator(SLIDER)

    async def act():
        el = inputs.nth(thumb)
        cx, cy, left, width, lo, hi, value = await el.evaluate(THUMB_GEOMETRY, timeout=STEP_TIMEOUT_MS)
        px = width / ((hi - lo) / DAY_US)  # pixels per day
        goal = (target - dt.date(1970, 1, 1)).days * DAY_US
        if abs(goal - value) / DAY_US * px < 2:  # less than 2 px away: drag somewhere visible instead
            end = lo if thumb == 0 else hi
            goal = end if abs(value - end) / DAY_US * px >= 2 else value + (3 if thumb == 0 else -3) / px * DAY_US
        x = left + width * (goal - lo) / (hi - lo)
        await page.mouse.move(cx, cy)
        await page.mouse.down()
        await page.mouse.move(x, cy, steps=4)
        await page.mouse.up()
        got = [_us_to_date(float(await inputs.nth(i).input_value(timeout=STEP_TIMEOUT_MS))) for i in (0, 1)]
        v.window = (got[0], got[1])
    return act


async def _tour(page, model: Model, v: Viewer, t: int):
    key = tour_press(model, v)
    name = {"start_tour": "Start the guided tour", "next": "Next ▶", "prev": "◀ Previous"}[key]
    button = page.get_by_role("button", name=name)
    return lambda: button.click(timeout=STEP_TIMEOUT_MS)


ACTIONS = {"toggle": _toggle, "slider": _slider, "tour": _tour}


URL_MATCHES = """([layers, f, t, step]) => { const q = new URLSearchParams(location.search);
    const got = (q.get('layers') || '').split(',').filter(x => x && x !== 'none').sort().join(',');
    return got === layers && q.get('from') === f && q.get('to') === t && (step === null || q.get('step') === step)
        && !document.querySelector('[data-testid="stStatusWidget"]'); }"""


async def _wait_url(page, v: Viewer, timeout_ms: float) -> bool:
    """Wait until the run is over and the URL (written at its end) holds the viewer's state."""
    arg = [",".join(sorted(v.layers)), v.window[0].isoformat(), v.window[1].isoformat(),
           str(v.step) if v.touring else None]
    try:
        await page.wait_for_function(URL_MATCHES, arg=arg, timeout=timeout_ms, polling=POLL_MS)
        return True
    except Exception:
        return False


async def _check_own_state(page, model: Model, v: Viewer) -> None:
    """The viewer's URL, checkboxes and window are what it set (no leak from others)."""
    query = {k: vals[-1] for k, vals in parse_qs(urlsplit(page.url).query, keep_blank_values=True).items()}
    url_layers = set(query.get("layers", "").split(",")) - {"none", ""}
    if url_layers != v.layers:
        v.leaks.append(f"viewer {v.index}: URL layers {sorted(url_layers)} != {sorted(v.layers)}")
    window = (query.get("from"), query.get("to"))
    if window != tuple(d.isoformat() for d in v.window):
        v.leaks.append(f"viewer {v.index}: URL window {window} != {v.window}")
    if v.touring and query.get("step") != str(v.step):
        v.leaks.append(f"viewer {v.index}: URL step {query.get('step')} != {v.step}")
    for key in LAYER_KEYS:
        label = CATEGORIES[key[4:]] if key.startswith("cat:") else LAYER_LABELS[key]
        box = page.locator(CHECKBOX).filter(has_text=label).locator("input")
        if await box.count() != 1:
            continue
        if await box.is_checked() != (key in v.layers):
            v.leaks.append(f"viewer {v.index}: checkbox {key} is {not (key in v.layers)}")
    try:
        await _wait_map(page, model, v, 10_000)
    except AssertionError as exc:
        v.leaks.append(f"viewer {v.index}: the map does not show its own layers and window: {exc}"[:400])


def _count_rerun(v: Viewer, payload) -> None:
    """Count the rerun_script BackMsgs (one per script rerun the page asks for)."""
    if isinstance(payload, (bytes, bytearray)):
        msg = BackMsg()
        try:
            msg.ParseFromString(bytes(payload))
        except Exception:
            return
        if msg.WhichOneof("type") == "rerun_script":
            v.reruns_sent += 1


async def run_viewer(browser, url: str, model: Model, v: Viewer, interactions: int, start_gate: asyncio.Event):
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    await ctx.route("**/*", _local_only)
    page = await ctx.new_page()
    page.on("pageerror", lambda e: v.errors.append(f"viewer {v.index}: page error {e}"))
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: _count_rerun(v, payload)))
    try:
        await start_gate.wait()
        t0 = time.perf_counter()
        await page.goto(url + "/", timeout=LOAD_TIMEOUT_MS)
        await page.mouse.move(2, 2)  # Streamlit 1.67 paints widgets after the first pointer input
        await page.locator(CHECKBOX).first.wait_for(timeout=LOAD_TIMEOUT_MS)
        v.layers, v.window = set(LAYER_KEYS), model.span
        await _wait_map(page, model, v, LOAD_TIMEOUT_MS)
        v.load_s = time.perf_counter() - t0
        for t in range(interactions):
            kind = PLAN[t % len(PLAN)]
            try:
                before = model.expected(v.layers, v.window)
                act = await ACTIONS[kind](page, model, v, t)
                sent0 = v.reruns_sent
                t1 = time.perf_counter()
                await act()
                if model.expected(v.layers, v.window) != before:
                    await _wait_map(page, model, v, STEP_TIMEOUT_MS)
                    v.latencies.append(time.perf_counter() - t1)
                    v.kinds.append(kind)
                else:  # nothing to see on the map: wait for the page's own record of the state
                    v.unmeasured += 1
                    await page.wait_for_timeout(300)
                    if not await _wait_url(page, v, STEP_TIMEOUT_MS):
                        raise AssertionError(f"the URL never showed layers {sorted(v.layers)}, window {v.window}")
                v.reruns.append((kind, v.reruns_sent - sent0))
                if await page.locator('[data-testid="stException"]').count():
                    v.errors.append(f"viewer {v.index}, {kind} {t}: exception box on the page")
            except Exception as exc:
                v.errors.append(f"viewer {v.index}, {kind} {t}: {exc}"[:400])
                break  # its model no longer matches the page
        else:
            # The URL is written at the end of the script run, after the map is drawn:
            # poll until the run is over and the URL matches, then compare everything once.
            await page.wait_for_timeout(300)
            await _wait_url(page, v, STEP_TIMEOUT_MS)  # a mismatch is reported as a leak below
            await _check_own_state(page, model, v)
    except Exception as exc:
        v.errors.append(f"viewer {v.index}: {type(exc).__name__}: {exc}"[:400])
    finally:
        await ctx.close()


async def run_phase(browser, url: str, model: Model, n: int, interactions: int, first_index: int = 0) -> list[Viewer]:
    viewers = [Viewer(first_index + i) for i in range(n)]
    gate = asyncio.Event()
    tasks = [asyncio.create_task(run_viewer(browser, url, model, v, interactions, gate)) for v in viewers]
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
    out = {"total": sum(n for v in viewers for _, n in v.reruns)}
    every = [n for v in viewers for _, n in v.reruns]
    out["mean"] = statistics.fmean(every) if every else None
    out["max"] = max(every) if every else None
    for kind in ACTIONS:
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
                                  for k in ACTIONS},
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
    result: dict = {"viewers": args.viewers, "interactions": args.interactions, "cpus": os.cpu_count()}
    try:
        with MemorySampler(proc.pid) as mem:
            result["rss_idle_mb"] = rss_mb(proc.pid)[0]
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
                try:
                    mem.mark("single")
                    t0, cpu0 = time.perf_counter(), proccpu.snapshot(proc.pid)
                    single = await run_phase(browser, url, model, 1, args.interactions)
                    result["cpu_single"] = proccpu.diff(cpu0, proccpu.snapshot(proc.pid), time.perf_counter() - t0)
                    mem.mark("between")
                    await asyncio.sleep(1)
                    mem.mark("load")
                    t0, cpu0 = time.perf_counter(), proccpu.snapshot(proc.pid)
                    many = await run_phase(browser, url, model, args.viewers, args.interactions, first_index=1)
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
    result["p95_goal_met"] = result["p95_ratio"] is not None and result["p95_ratio"] <= 3.0
    if result["rss_load_peak_mb"] and result["rss_single_peak_mb"] and args.viewers > 1:
        result["mb_per_extra_viewer"] = ((result["rss_load_peak_mb"] - result["rss_single_peak_mb"])
                                         / (args.viewers - 1))
    return result


def _fmt(x, unit="", nd=2):
    return "-" if x is None else f"{x:.{nd}f}{unit}"


def _fmt_reruns(rr: dict) -> str:
    hist = "; ".join(f"{k} " + ", ".join(f"{n}x{c}" for n, c in rr[k].items()) for k in ACTIONS if rr.get(k))
    return f"mean {_fmt(rr['mean'])}, max {rr['max']} ({hist}; reruns x interactions)"


def report(r: dict) -> str:
    s, l = r["single"], r["load"]
    rows = [
        ("viewers x interactions", f"{r['viewers']} x {r['interactions']} (plus 1 x {r['interactions']} alone)"),
        ("errors", str(r["errors"])),
        ("state leaks", str(r["leaks"])),
        ("single viewer p50 / p95", f"{_fmt(s['p50_s'], ' s')} / {_fmt(s['p95_s'], ' s')} ({s['interactions_measured']} interactions)"),
        ("under load p50 / p95", f"{_fmt(l['p50_s'], ' s')} / {_fmt(l['p95_s'], ' s')} ({l['interactions_measured']} interactions, max {_fmt(l['max_s'], ' s')})"),
        ("p95 load / single", f"{_fmt(r['p95_ratio'], 'x')} (goal <= 3x: {'met' if r['p95_goal_met'] else 'NOT met'})"),
        ("page load p50 / max (load)", f"{_fmt(l['page_load_p50_s'], ' s')} / {_fmt(l['page_load_max_s'], ' s')}"),
        ("server RSS idle / 1 viewer / load peak", f"{_fmt(r['rss_idle_mb'], ' MB', 0)} / {_fmt(r['rss_single_peak_mb'], ' MB', 0)} / {_fmt(r['rss_load_peak_mb'], ' MB', 0)} (VmHWM {_fmt(r['rss_hwm_mb'], ' MB', 0)})"),
        ("memory per extra viewer", _fmt(r.get("mb_per_extra_viewer"), " MB", 1)),
        ("load phase wall time", _fmt(r.get("load_wall_s"), " s", 1)),
        ("server CPU during load", f"{_fmt(r.get('server_cpu_share'), '', 2)} of one core ({r['cpus']} cores shared with Chromium)"),
        ("CPU s (cores), 1 viewer", proccpu.fmt(r["cpu_single"]) if r.get("cpu_single") else "-"),
        ("CPU s (cores), load", proccpu.fmt(r["cpu_load"]) if r.get("cpu_load") else "-"),
        ("reruns per interaction, 1 viewer", _fmt_reruns(s["reruns_per_interaction"])),
        ("reruns per interaction, load", _fmt_reruns(l["reruns_per_interaction"])),
        ("p50 by kind alone / load", ", ".join(f"{k} {_fmt(s['latency_p50_by_kind_s'][k], ' s')} / "
                                                f"{_fmt(l['latency_p50_by_kind_s'][k], ' s')}" for k in ACTIONS)),
    ]
    return table(rows, s, l)


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
    parser.add_argument("--json-out", default=str(ROOT / "test-artifacts" / "load.json"))
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Debian's chromium is not installed at {CHROMIUM}: run `make browser`")
    result = asyncio.run(asyncio.wait_for(main_async(args), DEADLINE_S))
    return finish(result, args.json_out, report(result))


if __name__ == "__main__":
    res = main()
    sys.exit(1 if res["errors"] or res["leaks"] else 0)
