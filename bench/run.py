"""The benchmark of issue 19: what a real browser receives per interaction, and how soon
its map shows the result, for the dashboard and two pages a Streamlit user would write.

``make bench`` (``python -m bench.run``) writes ``bench/results.json`` and prints the
tables of bench/README.md. For each size (the built-in events, then 1,000, 10,000 and
100,000 synthetic ones from ``bench/synth.py``, which the dashboard loads with
``--events FILE`` beside its own 18), one server per system runs on 127.0.0.1 behind a
counting relay (``bench/tcpcount.py``) and one headless Chromium page does, in order:

first_load
    open the page; all of it until the map shows every event.
slider
    ``--repeats`` drags of the date slider's start thumb, each to a window not seen
    before that drops a few percent more of the events (``bench.model.Shown.slider_targets``).
toggle
    ``--repeats`` clicks on layer pills, each giving a set of layers not seen before.
selection (the dashboard only)
    ``--repeats`` clicks on rows of the events table: the event's popup opens on the map
    with its details.
tour_start, tour_step (the dashboard only)
    "Start the guided tour" (a full rerun), then ``--repeats`` presses of PageDown.

Systems: ``ours`` (dashboard.py), ``folium`` (bench/baseline_app.py: a new folium map
with a marker per event on every rerun) and ``pydeck`` (bench/pydeck_app.py:
``st.pydeck_chart`` with a ScatterplotLayer), each on the same events, and each also
as ``<system>_deflate``: the same page with Streamlit's websocket compression
(``server.enableWebsocketCompression``; the peers' only up to :data:`MAX_EVENTS`). Every answer is checked against bench/model.py (the map shows the expected
number of events, the page's state holds the window asked for); a failed check is
recorded in ``errors``. See bench/wire.py for what is measured; nothing timed is
asserted anywhere.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from bench import proccpu
from bench.model import DashboardModel, Shown
from bench.peers import event_types
from bench.server import start_streamlit, stop
from bench.synth import load_csv, write_csv
from bench.tcpcount import CountingRelay
from bench.wire import (
    CHROMIUM,
    DECK_DRAWN,
    FOLIUM_MARK,
    FOLIUM_READY,
    LAUNCH_ARGS,
    MAP_FRAME,
    OURS_MARK,
    OURS_PAINTED,
    OURS_POPUP,
    Session,
    summarise,
)
from geo.catalog import CATEGORIES, LAYER_LABELS
from geo.dataset import LAYER_KEYS, load_dataset
from geo.export_events import events_to_acled_csv
from geo.window import EventIndex

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
COMPRESSION = ("--server.enableWebsocketCompression", "true")
SYSTEMS = ("ours", "ours_deflate", "folium", "folium_deflate", "pydeck", "pydeck_deflate")
#: The largest size each system is measured at by default (``--max SYSTEM=N``): the
#: streamlit-folium page needs about 3 s per 1,000 markers per change (minutes at 100,000),
#: and the compressed peers are only there to show what compression gives them.
MAX_EVENTS = {"folium": 10_000, "folium_deflate": 1_000, "pydeck": 100_000, "pydeck_deflate": 10_000}
#: Which element of each system carries the events on first load.
EVENTS_ELEMENT = {"ours": "bidi_component:dash_data", "folium": "component_instance",
                  "pydeck": "deck_gl_json_chart"}
#: The dashboard's layer toggles, in the order the benchmark switches them off (geography
#: and event categories alternating; "Imported events" stays on, so that the synthetic
#: events stay on the map).
OURS_TOGGLES = ("countries", "cat:diplomacy", "nagorno_karabakh", "cat:blockade", "stepanakert", "cat:protest",
                "places", "cat:legal", "lachin_corridor", "cat:armed-clash", "context")
INTERACTIONS = ("first_load", "slider", "toggle", "selection", "tour_start", "tour_step")


def _label(key: str) -> str:
    return CATEGORIES[key[4:]] if key.startswith("cat:") else LAYER_LABELS[key]


# --- data ----------------------------------------------------------------------------------

def prepare(n: int, workdir: Path, builtin: pd.DataFrame) -> dict:
    """The CSV of size ``n`` (the built-in events as ACLED CSV when ``n`` is not larger than
    them), and whether the dashboard must import it."""
    if n <= len(builtin):
        csv = workdir / "events-builtin.csv"
        csv.write_bytes(events_to_acled_csv(builtin))
        return {"csv": csv, "import": False, "n_events": len(builtin), "data": "built-in"}
    return {"csv": write_csv(n, workdir / f"events-{n}.csv"), "import": True, "n_events": n, "data": "synthetic"}


# --- the dashboard -------------------------------------------------------------------------

def _state(session) -> dict:
    return session.page.evaluate("() => { const s = window.DashPage && window.DashPage.state(); "
                                 "return s ? {layers: s.layers, window: s.window, tour: s.tour} : null; }")


def _check_state(session, layers, window, what: str) -> None:
    st = _state(session)
    want = {"layers": sorted(layers), "window": [window[0].isoformat(), window[1].isoformat()]}
    if st is None or st["layers"] != want["layers"] or st["window"] != want["window"]:
        session.errors.append(f"{what}: the page's state is {st and {k: st[k] for k in want}}, expected {want}")


def run_ours(session, url: str, model: DashboardModel, repeats: int, with_tour: bool = True) -> dict:
    """The dashboard's interactions (see the module doc); returns {interaction: [Measure]}."""
    page, out = session.page, {k: [] for k in INTERACTIONS}
    layers, window = set(LAYER_KEYS), model.span
    seen: set = set()

    def painted(n_of):
        def ready(_mark):
            return session.wait_ready(OURS_PAINTED, [MAP_FRAME, holder["p0"], n_of()])
        return ready

    holder = {"p0": 0}
    n0 = model.count(layers, window)

    m = session.measure("first_load", lambda: session.open(url + "/"), painted(lambda: n0), first_load=True)
    m.detail["events_bytes"] = dict(m.elements).get(EVENTS_ELEMENT["ours"])
    out["first_load"].append(m)
    _check_state(session, layers, window, "first load")
    seen.add((window, frozenset(layers)))

    for target in model.shown.slider_targets(model.span, repeats):
        holder["p0"] = page.evaluate(OURS_MARK, MAP_FRAME)

        def act(target=target):
            holder["window"] = session.drag_thumb(0, target)

        m = session.measure("slider", act, painted(lambda: model.count(layers, holder["window"])))
        window = holder["window"]
        m.new_result = (window, frozenset(layers)) not in seen
        seen.add((window, frozenset(layers)))
        m.detail["window"] = [d.isoformat() for d in window]
        out["slider"].append(m)
        _check_state(session, layers, window, "slider")

    for key in OURS_TOGGLES[:repeats]:
        holder["p0"] = page.evaluate(OURS_MARK, MAP_FRAME)
        layers = layers ^ {key}
        m = session.measure("toggle", lambda key=key: session.pill(_label(key)).click(),
                            painted(lambda layers=layers: model.count(layers, window)))
        m.new_result = (window, frozenset(layers)) not in seen
        seen.add((window, frozenset(layers)))
        m.detail["toggled"] = key
        out["toggle"].append(m)
        _check_state(session, layers, window, f"toggle {key}")

    table_rows = page.locator("tr[data-row]")
    try:
        table_rows.first.wait_for(timeout=30_000)
    except Exception:
        session.errors.append("selection: the events table shows no rows")
    for k in range(min(repeats, table_rows.count())):
        tr = table_rows.nth(k)
        row = int(tr.get_attribute("data-row"))
        title = page.evaluate("r => window.DashPage.store().cols.title.get(r)", row)
        m = session.measure("selection", tr.click,
                            lambda _mark, row=row, title=title: session.wait_ready(OURS_POPUP, [MAP_FRAME, row, title]))
        m.detail["row"] = row
        out["selection"].append(m)

    if with_tour and model.tour:
        holder["p0"] = page.evaluate(OURS_MARK, MAP_FRAME)
        layers, window = model.step_state(1)
        m = session.measure("tour_start", page.get_by_role("button", name="Start the guided tour").click,
                            painted(lambda: model.count(layers, window)))
        out["tour_start"].append(m)
        _check_state(session, layers, window, "tour step 1")
        for number in range(2, min(len(model.tour), repeats + 1) + 1):
            holder["p0"] = page.evaluate(OURS_MARK, MAP_FRAME)
            layers, window = model.step_state(number)
            m = session.measure("tour_step", lambda: page.keyboard.press("PageDown"),
                                painted(lambda layers=layers, window=window: model.count(layers, window)))
            m.detail["step"] = number
            out["tour_step"].append(m)
            _check_state(session, layers, window, f"tour step {number}")
    return out


# --- the peers -------------------------------------------------------------------------------

def run_peer(session, url: str, kind: str, table: pd.DataFrame, repeats: int) -> dict:
    """A comparison page's interactions: first load, slider moves, event type toggles."""
    page, out = session.page, {k: [] for k in INTERACTIONS}
    shown = Shown(table, table["event_type"].fillna("").astype(str))
    types = event_types(table)
    on = set(types)
    span = (table["date_start"].min().date(), table["date_end"].max().date())
    window = span
    holder = {}

    def ready_for(n_of):
        def ready(mark):
            if kind == "folium":
                return session.wait_ready(FOLIUM_READY, [MAP_FRAME, n_of()])
            return session.wait_ready(DECK_DRAWN, [mark or 0, n_of()])
        return ready

    def mark():
        if kind == "folium":
            page.evaluate(FOLIUM_MARK, MAP_FRAME)

    n0 = shown.count(window, on)
    m = session.measure("first_load", lambda: session.open(url + "/"), ready_for(lambda: n0), first_load=True)
    m.detail["events_bytes"] = dict(m.elements).get(EVENTS_ELEMENT[kind])
    out["first_load"].append(m)
    seen = {shown.signature(window, on)}

    for target in shown.slider_targets(span, repeats):
        mark()

        def act(target=target):
            holder["window"] = session.drag_thumb(0, target)

        m = session.measure("slider", act, ready_for(lambda: shown.count(holder["window"], on)))
        window = holder["window"]
        sig = shown.signature(window, on)
        m.new_result, m.detail["window"] = sig not in seen, [d.isoformat() for d in window]
        seen.add(sig)
        out["slider"].append(m)
        if session.slider_window() != window:
            session.errors.append(f"slider: the slider shows {session.slider_window()}, expected {window}")

    for _ in range(repeats):
        # the flip of one type giving a set of events not shown before, with as many events as possible
        options = []
        for t in types:
            flipped = on ^ {t}
            n = shown.count(window, flipped)
            sig = shown.signature(window, flipped)
            if n and sig not in seen:
                options.append((-n, types.index(t), t, flipped, sig))
        if not options:
            break
        _, _, t, flipped, sig = min(options)
        mark()
        on = flipped
        m = session.measure("toggle", lambda t=t: session.pill(t).click(), ready_for(lambda on=on: shown.count(window, on)))
        m.new_result, m.detail["toggled"] = True, t
        seen.add(sig)
        out["toggle"].append(m)
    return out


# --- one system at one size --------------------------------------------------------------------

def _machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu_model": model, "platform": platform.platform(),
            "python": sys.version.split()[0]}


def _commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip() or None
    except OSError:
        return None


def measure_system(browser, system: str, prep: dict, repeats: int, workdir: Path, timeout_ms: float,
                   model: DashboardModel | None, peer_table: pd.DataFrame | None) -> dict:
    """Start the system's server behind a relay, run its interactions in a fresh page."""
    base = system.removesuffix("_deflate")
    flags = COMPRESSION if system.endswith("_deflate") else ()
    if base == "ours":
        app, args = ROOT / "dashboard.py", (["--events", str(prep["csv"])] if prep["import"] else [])
    else:
        app, args = HERE / ("baseline_app.py" if base == "folium" else "pydeck_app.py"), ["--events", str(prep["csv"])]
    log = workdir / f"streamlit-{system}-{prep['n_events']}.log"
    proc, url = start_streamlit(app, *args, log=log, env={"PYTHONPATH": str(ROOT)}, flags=flags, timeout=180)
    t0, cpu0, load0 = time.perf_counter(), proccpu.snapshot(proc.pid), os.getloadavg()
    result: dict = {"system": system, "compression": bool(flags)}
    try:
        with CountingRelay(int(url.rsplit(":", 1)[1])) as relay:
            # A first viewer, untimed, fills the server's caches (data, map, imports): the
            # measured page is a new viewer of a running server.
            warm = Session(browser, relay, timeout_ms=timeout_ms)
            try:
                warm.measure("warm-up", lambda: warm.open(relay.url + "/"), first_load=True)
            finally:
                warm.close()
            session = Session(browser, relay, timeout_ms=timeout_ms)
            try:
                result["user_agent"] = session.user_agent()
                if base == "ours":
                    measures = run_ours(session, relay.url, model, repeats)
                else:
                    measures = run_peer(session, relay.url, base, peer_table, repeats)
                result["frames_received"] = len(session.frames)
            except Exception as exc:
                session.errors.append(f"{type(exc).__name__}: {exc}"[:500])
                measures = {}
                try:
                    session.page.screenshot(path=str(workdir / f"failed-{system}-{prep['n_events']}.png"))
                except Exception:
                    pass
            finally:
                result["errors"], result["blocked_requests"] = session.errors, session.blocked[:10]
                result.setdefault("frames_received", len(session.frames))
                session.close()
    finally:
        result["cpu"] = proccpu.diff(cpu0, proccpu.snapshot(proc.pid), time.perf_counter() - t0)
        result["load_average"] = {"before": [round(x, 2) for x in load0], "after": [round(x, 2) for x in os.getloadavg()]}
        stop(proc)
    for kind in INTERACTIONS:
        got = measures.get(kind) or []
        if kind == "first_load" and got:
            result[kind] = got[0].as_dict()
        else:
            result[kind] = summarise(got)
    return result


def _flat(run: dict, key: str) -> dict:
    """{interaction: {system: value}} of one figure (medians) for the run's systems."""
    out = {}
    for kind in INTERACTIONS:
        row = {}
        for system, res in run["systems"].items():
            part = res.get(kind)
            row[system] = None if not part else part.get(key)
        out[kind] = row
    return out


def run(sizes, repeats, systems, workdir: Path, out: Path, timeout_ms: float = 300_000,
        max_events: dict | None = None, peer_repeats: int | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    workdir.mkdir(parents=True, exist_ok=True)
    data = load_dataset(ROOT / "data")
    results = {"meta": {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                        "commit": _commit(), "machine": _machine(), "repeats": repeats,
                        "peer_repeats": peer_repeats or repeats,
                        "systems": list(systems), "method": __doc__.split("\n\n")[0]},
               "runs": []}
    started = time.perf_counter()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        results["meta"]["browser"] = f"Chromium {browser.version} (headless)"
        try:
            for n in sizes:
                prep = prepare(n, workdir, data.events)
                peer_table = EventIndex.build(load_csv(prep["csv"])).table
                model = DashboardModel(ROOT / "data", [peer_table] if prep["import"] else [])
                run_ = {"n_events": prep["n_events"], "data": prep["data"],
                        "ours_events": len(model.events), "systems": {}, "notes": {}}
                for system in systems:
                    base = system.removesuffix("_deflate")
                    limit = (max_events or MAX_EVENTS).get(system)
                    if limit is not None and prep["n_events"] > limit:
                        run_["notes"][system] = f"not measured above {limit:,} events (--max {system}=N)"
                        continue
                    reps = repeats if base == "ours" or peer_repeats is None else peer_repeats
                    print(f"[bench] {prep['n_events']:,} events: {system} ...", file=sys.stderr, flush=True)
                    res = measure_system(browser, system, prep, reps, workdir, timeout_ms, model, peer_table)
                    run_["systems"][system] = res
                    if res["errors"]:
                        print(f"[bench]   errors: {res['errors'][:3]}", file=sys.stderr, flush=True)
                for key in ("wire_bytes", "tcp_bytes", "ms", "longest_task_ms"):
                    run_[key] = _flat(run_, key)
                run_["first_load_events_bytes"] = {
                    s: (r.get("first_load") or {}).get("detail", {}).get("events_bytes")
                    for s, r in run_["systems"].items()}
                results["runs"].append(run_)
                results["meta"]["wall_s"] = round(time.perf_counter() - started)
                out.write_text(json.dumps(results, indent=2) + "\n")
        finally:
            browser.close()
    results["goals"] = goals(results)
    out.write_text(json.dumps(results, indent=2) + "\n")
    return results


# --- goals and tables ------------------------------------------------------------------------------

def _run_at(results: dict, n: int | str) -> dict | None:
    for r in results["runs"]:
        if (n == "built-in" and r["data"] == "built-in") or r["n_events"] == n:
            return r
    return None


def goals(results: dict, system: str = "ours") -> list[dict]:
    """Issue 19's goals, each with what was measured and whether it is met (None: not measured)."""
    out = []
    limits = (("built-in", 5 * 1024), (10_000, 20 * 1024), (100_000, 20 * 1024))
    for n, limit in limits:
        r = _run_at(results, n)
        for kind in ("slider", "toggle", "tour_step", "selection"):
            v = r and r["wire_bytes"][kind].get(system)
            worst = None
            if r and system in r["systems"] and r["systems"][system].get(kind):
                worst = max(s["wire_bytes"] for s in r["systems"][system][kind]["samples"])
            out.append({"goal": f"{kind} at {n if isinstance(n, str) else f'{n:,}'} events: <= {limit // 1024} KB",
                        "measured": worst, "median": v, "met": None if worst is None else worst <= limit})
    for n in (10_000, 100_000):
        r = _run_at(results, n)
        fl = r and (r["systems"].get(system) or {}).get("first_load")
        per = None
        if fl and fl["detail"].get("events_bytes"):
            per = round(fl["detail"]["events_bytes"] / r["ours_events"], 1)
        out.append({"goal": f"first load at {n:,} events, events part: <= 30 bytes per event", "measured": per,
                    "met": None if per is None else per <= 30})
    r = _run_at(results, 100_000)
    res = r and r["systems"].get(system)
    if res:
        ms = [s["ms"] for k in ("slider", "toggle", "tour_step") for s in (res.get(k) or {}).get("samples", [])
              if s["ms"] is not None]
        tasks = [s["longest_task_ms"] for k in ("slider", "toggle", "tour_step")
                 for s in (res.get(k) or {}).get("samples", [])]
        out.append({"goal": "100,000 events: key to updated map <= 300 ms (slider, toggle, tour step; worst)",
                    "measured": max(ms) if ms else None, "median": statistics.median(ms) if ms else None,
                    "met": None if not ms else max(ms) <= 300})
        out.append({"goal": "100,000 events: no main-thread task > 100 ms (slider, toggle, tour step)",
                    "measured": max(tasks) if tasks else None, "met": None if not tasks else max(tasks) <= 100})
    return out


NAMES = {"ours": "ours", "ours_deflate": "ours, compressed", "folium": "streamlit-folium",
         "folium_deflate": "streamlit-folium, compressed", "pydeck": "st.pydeck_chart",
         "pydeck_deflate": "st.pydeck_chart, compressed"}
KIND_NAMES = {"first_load": "first load", "slider": "slider move", "toggle": "layer toggle",
              "selection": "selection", "tour_start": "tour start", "tour_step": "tour step"}


def _kb(v) -> str:
    if v is None:
        return "–"
    return f"{v / 1024:,.1f}" if v < 100 * 1024 else f"{v / 1024:,.0f}"


def _n(v, fmt="{:,.0f}") -> str:
    return "–" if v is None else fmt.format(v)


def _size(r: dict) -> str:
    return f"{r['n_events']:,} (built-in)" if r["data"] == "built-in" else f"{r['n_events']:,}"


def table(results: dict) -> str:
    """The results as Markdown tables: bytes per interaction, then time and longest task."""
    systems = [s for s in SYSTEMS if any(s in r["systems"] for r in results["runs"])]
    lines = ["KB received per interaction (median of the repeats): websocket messages as the browser "
             "reports them; for \"compressed\", the bytes on the wire (the relay's count).", "",
             "| events | interaction | " + " | ".join(NAMES[s] for s in systems) + " |",
             "|---:|---|" + "---:|" * len(systems)]
    for r in results["runs"]:
        for kind in INTERACTIONS:
            vals = []
            for s in systems:
                res = r["systems"].get(s) or {}
                part = res.get(kind)
                v = None if not part else part["tcp_bytes" if s.endswith("_deflate") else "wire_bytes"]
                vals.append(_kb(v))
            if all(v == "–" for v in vals):
                continue
            lines.append(f"| {_size(r)} | {KIND_NAMES[kind]} | " + " | ".join(vals) + " |")
        ev, http = [], []
        for s in systems:
            v = r["first_load_events_bytes"].get(s)
            n = r["ours_events"] if s.startswith("ours") else r["n_events"]
            ev.append("–" if not v or s.endswith("_deflate") else f"{_kb(v)} ({v / n:,.0f} B/event)")
            first = (r["systems"].get(s) or {}).get("first_load")
            http.append(_kb(first["http_bytes"]) if first else "–")
        lines.append(f"| {_size(r)} | first load: the events part | " + " | ".join(ev) + " |")
        lines.append(f"| {_size(r)} | first load: scripts, styles (HTTP) | " + " | ".join(http) + " |")
    lines += ["", "Time from the input to the updated map, ms (median; longest main-thread task in brackets, "
              "the worst of the repeats):", "",
              "| events | interaction | " + " | ".join(NAMES[s] for s in systems) + " |",
              "|---:|---|" + "---:|" * len(systems)]
    for r in results["runs"]:
        for kind in INTERACTIONS:
            vals = []
            for s in systems:
                part = (r["systems"].get(s) or {}).get(kind)
                if not part:
                    vals.append("–")
                    continue
                vals.append(f"{_n(part.get('ms'))} ({_n(part.get('longest_task_ms'))})")
            if all(v == "–" for v in vals):
                continue
            lines.append(f"| {_size(r)} | {KIND_NAMES[kind]} | " + " | ".join(vals) + " |")
    problems = [f"- {_size(r)}, {s}: {e}" for r in results["runs"] for s, res in r["systems"].items()
                for e in res.get("errors", [])]
    notes = [f"- {_size(r)}, {s}: {v}" for r in results["runs"] for s, v in r.get("notes", {}).items()]
    stale = [f"- {_size(r)}, {s}, {KIND_NAMES[k]}: {res[k]['repeats'] - res[k]['new_results']} of "
             f"{res[k]['repeats']} repeats showed a result seen before"
             for r in results["runs"] for s, res in r["systems"].items() for k in INTERACTIONS
             if k != "first_load" and res.get(k) and res[k]["new_results"] < res[k]["repeats"]]
    stale += [f"- {_size(r)}, {s}, {KIND_NAMES[k]}: up to {res[k]['runs']} script runs per interaction "
              f"({res[k]['reruns_requested']} asked for by the page)"
              for r in results["runs"] for s, res in r["systems"].items() for k in INTERACTIONS
              if k != "first_load" and res.get(k) and res[k].get("runs", 1) > 1]
    if results.get("goals"):
        lines += ["", "| goal (issue 19) | measured | met? |", "|---|---:|---|"]
        for g in results["goals"]:
            v = g["measured"]
            if v is None:
                continue
            shown = "–" if v is None else (f"{v / 1024:.1f} KB" if "KB" in g["goal"] else
                                          f"{v:,.1f} B" if "bytes per" in g["goal"] else f"{v:,.0f} ms")
            lines.append(f"| {g['goal']} | {shown} | {'–' if g['met'] is None else ('yes' if g['met'] else 'no')} |")
    return "\n".join(lines + ([""] + notes + stale + problems if notes or stale or problems else []))


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=_ints, default=[17, 1_000, 10_000, 100_000],
                   help="event counts; one not above the built-in events' count means the built-in events")
    p.add_argument("--repeats", type=int, default=5, help="repeats of each interaction")
    p.add_argument("--peer-repeats", type=int, default=3, help="repeats for the comparison pages")
    p.add_argument("--systems", type=lambda s: [x for x in s.split(",") if x], default=list(SYSTEMS),
                   help=f"comma-separated, of {', '.join(SYSTEMS)}")
    p.add_argument("--max", action="append", default=[], metavar="SYSTEM=N",
                   help="largest size at which SYSTEM is measured (defaults: "
                        + ", ".join(f"{k}={v}" for k, v in MAX_EVENTS.items()) + ")")
    p.add_argument("--quick", action="store_true", help="smoke test: built-in events only, 2 repeats")
    p.add_argument("--timeout-s", type=float, default=300, help="longest wait for one page or one interaction")
    p.add_argument("--workdir", type=Path, default=HERE / "data")
    p.add_argument("--out", type=Path, default=HERE / "results.json")
    p.add_argument("--table", type=Path, default=None, help="only print the tables of this results file")
    a = p.parse_args(argv)
    if a.table is not None:
        results = json.loads(a.table.read_text())
        print(table(results))
        return results
    unknown = set(a.systems) - set(SYSTEMS)
    if unknown:
        p.error(f"unknown system(s) {sorted(unknown)}")
    limits = dict(MAX_EVENTS)
    for item in a.max:
        name, _, value = item.partition("=")
        if name not in SYSTEMS or not value.isdigit():
            p.error(f"--max {item}: expected SYSTEM=N with SYSTEM one of {', '.join(SYSTEMS)}")
        limits[name] = int(value)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Debian's chromium is not installed at {CHROMIUM}: run `make browser`")
    sizes, repeats, peer_repeats = ([17], 2, 2) if a.quick else (a.sizes, a.repeats, a.peer_repeats)
    results = run(sizes, repeats, a.systems, a.workdir, a.out, timeout_ms=a.timeout_s * 1000,
                  max_events=limits, peer_repeats=peer_repeats)
    print(table(results))
    return results


if __name__ == "__main__":
    main()
