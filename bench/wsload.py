"""Server-only load test: many light websocket clients against one local `streamlit run dashboard.py`.

Run with ``make load`` (or ``.venv/bin/python -m bench.wsload --clients 20 --interactions 10``).

The browser load test (bench/load.py) times interaction -> updated map in Chromium,
so it measures the server and 20 renderers sharing the same CPUs. This one leaves the
browsers out: each client is a pure-Python websocket (the ``websockets`` package) that
speaks Streamlit's own protocol (``BackMsg`` / ``ForwardMsg`` protobufs) on
``/_stcore/stream``, as the page does:

- it opens a session and sends ``rerun_script`` with an empty query string (the page at
  ``/``), learns the widget ids and values from the elements the run sends, and keeps the
  query string the script writes (``page_info_changed``), as the browser keeps its URL;
- each interaction is the viewer plan of bench/load.py (same PLAN, same toggles, the
  same slider thumb and target date, the same tour buttons): one ``rerun_script`` with
  every widget's value, as the page sends after a click or a thumb drop, and a trigger
  for a button;
- its latency is from sending that message to the ``script_finished`` ForwardMsg.

After each run the client checks what the server sent back: the run finished
successfully, no exception element, the query string holds the client's own layers,
window and tour step (no state from another session), and the map component's
arguments hold exactly the event ids the client's state calls for (the same
``Model`` as the browser test). A mismatch is an error.

Phases, in one run on one server: 1 client alone, then ``--clients`` at once. There is
no think time between interactions (as in the browser test) unless ``--think-s`` is given.
Traffic goes only to 127.0.0.1; every wait has a timeout and the run a deadline.
Writes JSON (``--json-out``, default test-artifacts/wsload.json) and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from bench import proccpu  # noqa: E402
from bench.load import (PLAN, DAY_US, Model, Viewer, _fmt, _pct, choose_toggle, finish,  # noqa: E402
                        slider_target, table, tour_press)
from bench.server import start_streamlit, stop  # noqa: E402
from geo.dataset import LAYER_KEYS  # noqa: E402

STEP_TIMEOUT_S = 90
DEADLINE_S = 900
FINISHED_OK = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")
EPOCH = dt.date(1970, 1, 1)


def _date_us(d: dt.date) -> float:
    return float((d - EPOCH).days * DAY_US)


@dataclass
class Run:
    """What one script run sent back."""
    seconds: float
    status: int | None = None
    widgets: dict[str, tuple[str, object]] = field(default_factory=dict)  # id -> (type, proto)
    map_args: str | None = None
    exceptions: list[str] = field(default_factory=list)
    bytes_in: int = 0
    messages: int = 0


class Client:
    """One Streamlit session over a websocket, keeping the widget values the way the page does."""

    def __init__(self, url: str):
        self.url = url
        self.ws = None
        self.query = ""
        self.page_hash = ""
        self.values: dict[str, tuple[str, object]] = {}  # widget id -> (WidgetState field, value)
        self.ids: dict[str, str] = {}  # user key -> widget id (ids end with "-<key>")
        self.cache: dict[str, ForwardMsg] = {}  # cacheable messages by hash, as the page keeps them

    async def connect(self):
        ws_url = self.url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = await asyncio.wait_for(
            websockets.connect(ws_url, subprotocols=["streamlit"], origin=self.url, max_size=None,
                               open_timeout=STEP_TIMEOUT_S, ping_interval=None),
            STEP_TIMEOUT_S)

    async def close(self):
        if self.ws is not None:
            await self.ws.close()

    def set(self, key: str, value) -> None:
        wid = self.ids[key]
        kind, _ = self.values[wid]
        self.values[wid] = (kind, value)

    def get(self, key: str):
        return self.values[self.ids[key]][1]

    def _message(self, trigger: str | None) -> bytes:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self.page_hash
        for wid, (kind, value) in self.values.items():
            w = cs.widget_states.widgets.add()
            w.id = wid
            if kind == "bool_value":
                w.bool_value = value
            elif kind == "string_value":
                w.string_value = value
            elif kind == "double_array_value":
                w.double_array_value.data.extend(value)
            elif kind == "file_uploader_state_value":
                w.file_uploader_state_value.SetInParent()
        if trigger:
            w = cs.widget_states.widgets.add()
            w.id = self.ids[trigger]
            w.trigger_value = True
        cs.cached_message_hashes.extend(self.cache)
        ci = cs.context_info
        ci.timezone, ci.timezone_offset, ci.locale, ci.url = "UTC", 0, "en-US", self.url + "/"
        return msg.SerializeToString()

    async def rerun(self, trigger: str | None = None) -> Run:
        """Send one rerun_script (with a button trigger if given); wait for script_finished."""
        data = self._message(trigger)
        t0 = time.perf_counter()
        await self.ws.send(data)
        run = Run(0.0)
        deadline = t0 + STEP_TIMEOUT_S
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"no script_finished in {STEP_TIMEOUT_S} s")
            raw = await asyncio.wait_for(self.ws.recv(), left)
            run.bytes_in += len(raw)
            run.messages += 1
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "ref_hash":  # the server sends a reference to a message we already hold
                cached = self.cache.get(fwd.ref_hash)
                if cached is None:
                    raise AssertionError(f"reference to a message never received: {fwd.ref_hash}")
                fwd, kind = cached, cached.WhichOneof("type")
            elif fwd.hash and fwd.metadata.cacheable:
                self.cache[fwd.hash] = fwd
            if kind == "new_session":
                self.page_hash = fwd.new_session.page_script_hash
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                etype = el.WhichOneof("type")
                proto = getattr(el, etype) if etype else None
                if etype == "exception":
                    run.exceptions.append(f"{proto.type}: {proto.message}"[:300])
                elif etype == "component_instance":
                    run.map_args = proto.json_args
                elif getattr(proto, "id", ""):
                    run.widgets[proto.id] = (etype, proto)
            elif kind == "script_finished":
                run.seconds = time.perf_counter() - t0
                run.status = fwd.script_finished
                if run.status == FINISHED_OK:
                    self._take_widgets(run.widgets)
                    return run
                if run.status != ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN"):
                    return run

    def _take_widgets(self, widgets: dict[str, tuple[str, object]]) -> None:
        """The widgets of the run just finished, with the values the page would hold:
        a value the script set (``set_value``), else the one we had, else the default."""
        values, ids = {}, {}
        for wid, (etype, w) in widgets.items():
            ids[wid.split("-", 2)[-1]] = wid
            old = self.values.get(wid, (None, None))[1]
            if etype == "checkbox":
                values[wid] = ("bool_value", w.value if w.set_value else (w.default if old is None else old))
            elif etype == "slider":
                values[wid] = ("double_array_value",
                               list(w.value) if w.set_value else (list(w.default) if old is None else old))
            elif etype == "selectbox":
                default = w.options[w.default] if w.options else ""
                values[wid] = ("string_value", w.raw_value if w.set_value else (default if old is None else old))
            elif etype == "file_uploader":
                values[wid] = ("file_uploader_state_value", None)
            # buttons and download buttons hold no value (a press is a trigger)
        self.values, self.ids = values, ids


#: an event id as a JSON string inside the map component's arguments (a script in a JSON string)
def _ids_in(args: str, all_ids: list[str]) -> list[str]:
    return sorted(i for i in all_ids if re.search(r'\\*"' + re.escape(i) + r'\\*"', args))


@dataclass
class WsViewer(Viewer):
    bytes_per_run: list[int] = field(default_factory=list)
    runs: int = 0


def _check(run: Run, client: Client, model: Model, v: WsViewer, what: str) -> None:
    """Errors if the run did not finish, showed an exception, or sent another state than v's."""
    if run.status != FINISHED_OK:
        raise AssertionError(f"{what}: script finished with status {run.status}")
    if run.exceptions:
        raise AssertionError(f"{what}: exception on the page: {run.exceptions[0]}")
    q = {k: vals[-1] for k, vals in parse_qs(client.query, keep_blank_values=True).items()}
    layers = set(q.get("layers", "").split(",")) - {"none", ""}
    window = (q.get("from"), q.get("to"))
    if layers != v.layers:
        v.leaks.append(f"client {v.index}, {what}: query layers {sorted(layers)} != {sorted(v.layers)}")
    if window != tuple(d.isoformat() for d in v.window):
        v.leaks.append(f"client {v.index}, {what}: query window {window} != {v.window}")
    if v.touring and q.get("step") != str(v.step):
        v.leaks.append(f"client {v.index}, {what}: query step {q.get('step')} != {v.step}")
    if run.map_args is None:
        raise AssertionError(f"{what}: the run sent no map")
    ids = model.expected(v.layers, v.window)[0]
    got = _ids_in(run.map_args, model.all_ids)
    if got != ids:
        raise AssertionError(f"{what}: the map holds events {got}, expected {ids}")


async def run_client(url: str, model: Model, v: WsViewer, interactions: int, gate: asyncio.Event,
                     think_s: float = 0.0) -> None:
    client = Client(url)
    pause = random.Random(v.index)  # think time: uniform in [0.5, 1.5] x think_s, fixed per client
    try:
        await gate.wait()
        t0 = time.perf_counter()
        await client.connect()
        run = await client.rerun()
        v.load_s = time.perf_counter() - t0
        v.layers, v.window = set(LAYER_KEYS), model.span
        _check(run, client, model, v, "first run")
        for t in range(interactions):
            kind = PLAN[t % len(PLAN)]
            if think_s > 0:
                await asyncio.sleep(think_s * pause.uniform(0.5, 1.5))
            try:
                trigger = None
                if kind == "toggle":
                    key = choose_toggle(model, v, t)
                    client.set(f"show:{key}", key in v.layers)
                elif kind == "slider":
                    thumb, target = slider_target(model, v, t)
                    lo, hi = model.span
                    window = list(v.window)
                    # as the browser harness: a target within 2 px (~9 days) of the thumb is
                    # replaced by the span's end, or 3 px (~13 days) inwards if already there
                    if abs((target - window[thumb]).days) < 9:
                        end = (lo, hi)[thumb]
                        target = end if abs((window[thumb] - end).days) >= 9 else \
                            window[thumb] + dt.timedelta(days=13 if thumb == 0 else -13)
                    window[thumb] = target
                    v.window = (window[0], window[1])
                    client.set("window", [_date_us(d) for d in v.window])
                else:
                    trigger = tour_press(model, v)
                run = await client.rerun(trigger)
                v.runs += 1
                v.latencies.append(run.seconds)
                v.kinds.append(kind)
                v.reruns.append((kind, 1))
                v.bytes_per_run.append(run.bytes_in)
                _check(run, client, model, v, f"{kind} {t}")
            except Exception as exc:
                v.errors.append(f"client {v.index}, {kind} {t}: {type(exc).__name__}: {exc}"[:400])
                break
    except Exception as exc:
        v.errors.append(f"client {v.index}: {type(exc).__name__}: {exc}"[:400])
    finally:
        try:
            await asyncio.wait_for(client.close(), 10)
        except Exception:
            pass


async def run_phase(url: str, model: Model, n: int, interactions: int, first_index: int = 0,
                    think_s: float = 0.0) -> list[WsViewer]:
    viewers = [WsViewer(first_index + i) for i in range(n)]
    gate = asyncio.Event()
    tasks = [asyncio.create_task(run_client(url, model, v, interactions, gate, think_s)) for v in viewers]
    await asyncio.sleep(0.1)
    gate.set()
    await asyncio.gather(*tasks)
    return viewers


def _summary(viewers: list[WsViewer]) -> dict:
    lat = [x for v in viewers for x in v.latencies]
    loads = [v.load_s for v in viewers if v.load_s is not None]
    by_kind = {k: [x for v in viewers for x, kk in zip(v.latencies, v.kinds) if kk == k] for k in set(PLAN)}
    sent = [b for v in viewers for b in v.bytes_per_run]
    return {
        "clients": len(viewers),
        "interactions_timed": len(lat),
        "p50_s": _pct(lat, 50), "p95_s": _pct(lat, 95), "max_s": max(lat) if lat else None,
        "p50_by_kind_s": {k: _pct(x, 50) for k, x in by_kind.items()},
        "first_run_p50_s": _pct(loads, 50), "first_run_max_s": max(loads) if loads else None,
        "kb_received_per_run_p50": (_pct([float(b) for b in sent], 50) or 0) / 1024,
        "errors": [e for v in viewers for e in v.errors],
        "leaks": [x for v in viewers for x in v.leaks],
    }


async def main_async(args) -> dict:
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    model = Model(ROOT / "data")
    model.all_ids = sorted(model.events["id"].astype(str))
    proc, url = start_streamlit(ROOT / "dashboard.py", log=artifacts / "wsload-server.log")
    result: dict = {"clients": args.clients, "interactions": args.interactions, "think_s": args.think_s, "url": url}
    try:
        # warm the server's caches as the browser test's page loads do, untimed
        await run_phase(url, model, 1, 0, first_index=99)
        t0, cpu0 = time.perf_counter(), proccpu.snapshot(proc.pid)
        single = await run_phase(url, model, 1, args.interactions, think_s=args.think_s)
        result["cpu_single"] = proccpu.diff(cpu0, proccpu.snapshot(proc.pid), time.perf_counter() - t0)
        await asyncio.sleep(1)
        t0, cpu0 = time.perf_counter(), proccpu.snapshot(proc.pid)
        many = await run_phase(url, model, args.clients, args.interactions, first_index=1, think_s=args.think_s)
        result["load_wall_s"] = time.perf_counter() - t0
        result["cpu_load"] = proccpu.diff(cpu0, proccpu.snapshot(proc.pid), result["load_wall_s"])
    finally:
        stop(proc)
    result["single"], result["load"] = _summary(single), _summary(many)
    result["errors"] = len(result["single"]["errors"]) + len(result["load"]["errors"])
    result["leaks"] = len(result["single"]["leaks"]) + len(result["load"]["leaks"])
    s95, l95 = result["single"]["p95_s"], result["load"]["p95_s"]
    result["p95_ratio"] = (l95 / s95) if (s95 and l95) else None
    result["p95_goal_met"] = result["p95_ratio"] is not None and result["p95_ratio"] <= 3.0
    return result


def report(r: dict) -> str:
    s, l = r["single"], r["load"]
    rows = [
        ("websocket clients x interactions", f"{r['clients']} x {r['interactions']} (plus 1 x {r['interactions']} alone), "
                                             f"think time {r['think_s']:g} s"),
        ("errors / state leaks", f"{r['errors']} / {r['leaks']}"),
        ("1 client: send -> script_finished p50 / p95",
         f"{_fmt(s['p50_s'], ' s')} / {_fmt(s['p95_s'], ' s')} ({s['interactions_timed']} runs)"),
        (f"{r['clients']} clients: p50 / p95",
         f"{_fmt(l['p50_s'], ' s')} / {_fmt(l['p95_s'], ' s')} ({l['interactions_timed']} runs, max {_fmt(l['max_s'], ' s')})"),
        ("p95 load / single (server only)", f"{_fmt(r['p95_ratio'], 'x')} (goal <= 3x: {'met' if r['p95_goal_met'] else 'NOT met'})"),
        ("p50 by kind alone / load", ", ".join(f"{k} {_fmt(s['p50_by_kind_s'].get(k), ' s')} / {_fmt(l['p50_by_kind_s'].get(k), ' s')}"
                                              for k in ("toggle", "slider", "tour"))),
        ("first run p50 / max (load)", f"{_fmt(l['first_run_p50_s'], ' s')} / {_fmt(l['first_run_max_s'], ' s')}"),
        ("KB received per run (p50)", _fmt(l["kb_received_per_run_p50"], " KB", 0)),
        ("load phase wall time", _fmt(r.get("load_wall_s"), " s", 1)),
        ("CPU s (cores), 1 client", proccpu.fmt(r["cpu_single"])),
        ("CPU s (cores), load", proccpu.fmt(r["cpu_load"])),
    ]
    return table(rows, s, l)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--interactions", type=int, default=10)
    parser.add_argument("--think-s", type=float, default=0.0,
                        help="pause before each interaction, uniform in [0.5, 1.5] x this (default 0: none, "
                             "as the browser test)")
    parser.add_argument("--json-out", default=str(ROOT / "test-artifacts" / "wsload.json"))
    args = parser.parse_args(argv)
    result = asyncio.run(asyncio.wait_for(main_async(args), DEADLINE_S))
    return finish(result, args.json_out, report(result))


if __name__ == "__main__":
    res = main()
    sys.exit(1 if res["errors"] or res["leaks"] else 0)
