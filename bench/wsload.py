"""Server-only load test: many light websocket clients against one local `streamlit run dashboard.py`.

Run with ``make load`` (or ``.venv/bin/python -m bench.wsload --clients 20 --interactions 10``).

The browser load test (bench/load.py) times interaction -> updated map in Chromium,
so it measures the server and 20 renderers sharing the same CPUs. This one leaves the
browsers out: each client is a pure-Python websocket (the ``websockets`` package) that
speaks Streamlit's own protocol (``BackMsg`` / ``ForwardMsg`` protobufs) on
``/_stcore/stream``, as the page does:

- it opens a session and sends ``rerun_script`` with an empty query string (the page at
  ``/``), learns the widgets (ids, values, the fragment each belongs to) from the elements
  the run sends, and keeps the messages Streamlit lets a browser cache (a later run may
  send only a reference to them);
- each interaction is the viewer plan of bench/load.py (same PLAN, toggles, slider thumb
  and target date, rows and tour steps): one ``rerun_script`` with every widget's value,
  as the page sends after a click or a thumb drop. The slider (``double_array_value``,
  microseconds) and the pills (``string_array_value``: the labels of the selected options,
  as the server last formatted them) are widgets of the ``controls`` fragment, so a change
  of them reruns that fragment only (``fragment_id``); so do a selection and the tour's
  keys, which the page sends as trigger values of its state component
  (``json_trigger_value`` ``[{"event": "select"|"key", "value": ...}]``). "Start the
  guided tour" is a button (``trigger_value``) and reruns the whole page;
- its latency is from sending that message to the ``script_finished`` ForwardMsg.

After each run the client checks what the server sent back: the run finished
successfully, no exception element, and the state the page hands the browser (the
``dash_state`` component's JSON) holds the client's own layers, window, tour step and
selected event (no state from another session), and the category pills' counts are the
model's for that window (bench/model.py). On the first run, the events store holds every
event. A mismatch is an error, or a leak when the state is another one.

Phases, in one run on one server: 1 client alone, then ``--clients`` at once. There is
no think time between interactions unless ``--think-s`` is given.
Traffic goes only to 127.0.0.1; every wait has a timeout and the run a deadline.
Writes JSON (``--json-out``, default test-artifacts/wsload.json) and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyarrow as pa  # noqa: E402
import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from bench import proccpu  # noqa: E402
from bench.load import (  # noqa: E402
    PLAN,
    Model,
    Viewer,
    _fmt,
    _pct,
    choose_toggle,
    finish,
    label,
    select_row,
    slider_target,
    table,
    tour_press,
)
from bench.server import start_streamlit, stop  # noqa: E402
from bench.wire import date_us  # noqa: E402
from geo.catalog import CATEGORIES  # noqa: E402
from geo.dataset import LAYER_KEYS  # noqa: E402

STEP_TIMEOUT_S = 90
DEADLINE_S = 900
DONE = {ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY"),
        ForwardMsg.ScriptFinishedStatus.Value("FINISHED_FRAGMENT_RUN_SUCCESSFULLY")}
EARLY = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
#: The widget id of a component's trigger values (streamlit.components.v2: "<prefix>_<id>__events").
TRIGGER_ID = "$$STREAMLIT_INTERNAL_KEY_{}__events"


@dataclass
class Run:
    """What one script run sent back."""
    seconds: float
    status: int | None = None
    widgets: dict[str, tuple[str, object, str]] = field(default_factory=dict)  # id -> (type, proto, fragment)
    components: dict[str, object] = field(default_factory=dict)  # key -> BidiComponent proto
    exceptions: list[str] = field(default_factory=list)
    bytes_in: int = 0
    messages: int = 0

    def state(self) -> dict | None:
        """The state the page hands the browser (the ``dash_state`` component's data)."""
        comp = self.components.get("dash_state")
        if comp is None:
            return None
        data = json.loads(comp.json or comp.mixed.json or "null")
        return data.get("state") if isinstance(data, dict) else None

    def store_rows(self) -> int | None:
        """Rows of the events store's Arrow table, if this run sent the store."""
        comp = self.components.get("dash_data")
        if comp is None:
            return None
        for blob in comp.mixed.arrow_blobs.values():  # the events table (beside it: the hexagons' cells)
            table = pa.ipc.open_stream(blob.data).read_all()
            if "lat" in table.column_names and "cat" in table.column_names:
                return table.num_rows
        return None


class Client:
    """One Streamlit session over a websocket, keeping the widget values the way the page does."""

    def __init__(self, url: str):
        self.url = url
        self.ws = None
        self.query = ""
        self.page_hash = ""
        self.values: dict[str, tuple[str, object]] = {}  # widget id -> (WidgetState field, value)
        self.fragment: dict[str, str] = {}  # widget id -> id of the fragment it belongs to ("" if none)
        self.options: dict[str, list[str]] = {}  # pills' widget id -> option labels, as last sent
        self.ids: dict[str, str] = {}  # user key -> widget id (ids end with "-<key>")
        self.components: dict[str, str] = {}  # user key -> component id
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

    # --- widget values ----------------------------------------------------------------------

    def set(self, key: str, value) -> None:
        wid = self.ids[key]
        kind, _ = self.values[wid]
        self.values[wid] = (kind, value)

    def get(self, key: str):
        return self.values[self.ids[key]][1]

    def pill_labels(self, key: str) -> list[str]:
        """The option labels of pills ``key`` as the server last sent them."""
        return self.options[self.ids[key]]

    def set_layers(self, layers: set[str]) -> None:
        """Select exactly ``layers`` in the two pills (as clicks would), by their current labels
        (a category's label is followed by its count: "Diplomacy · 6")."""
        for pills in ("geo", "cats"):
            picked = []
            for text in self.pill_labels(pills):
                keys = [k for k in LAYER_KEYS if text == label(k) or text.startswith(label(k) + " · ")]
                if not keys:
                    raise AssertionError(f"pill {text!r} names no layer")
                if keys[0] in layers:
                    picked.append(text)
            self.set(pills, picked)

    def fragment_of(self, key: str) -> str:
        return self.fragment.get(self.ids[key], "")

    def _message(self, trigger: str | None, event: tuple[str, dict] | None, fragment: str) -> bytes:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self.page_hash
        if fragment:
            cs.fragment_id = fragment
        for wid, (kind, value) in self.values.items():
            w = cs.widget_states.widgets.add()
            w.id = wid
            if kind == "bool_value":
                w.bool_value = value
            elif kind == "string_value":
                w.string_value = value
            elif kind == "double_array_value":
                w.double_array_value.data.extend(value)
            elif kind == "string_array_value":
                w.string_array_value.data.extend(value)
                if not value:
                    w.string_array_value.SetInParent()
            elif kind == "file_uploader_state_value":
                w.file_uploader_state_value.SetInParent()
        if trigger:
            w = cs.widget_states.widgets.add()
            w.id = self.ids[trigger]
            w.trigger_value = True
        if event:
            w = cs.widget_states.widgets.add()
            w.id = TRIGGER_ID.format(self.components["dash_state"])
            w.json_trigger_value = json.dumps([{"event": event[0], "value": event[1]}])
        cs.cached_message_hashes.extend(self.cache)
        ci = cs.context_info
        ci.timezone, ci.timezone_offset, ci.locale, ci.url = "UTC", 0, "en-US", self.url + "/"
        return msg.SerializeToString()

    async def rerun(self, trigger: str | None = None, event: tuple[str, dict] | None = None,
                    fragment: str = "") -> Run:
        """Send one rerun_script (a button trigger, or a trigger value of the state component,
        and the fragment to rerun, if given); wait for script_finished."""
        data = self._message(trigger, event, fragment)
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
                elif etype == "bidi_component":
                    run.components[proto.id.rsplit("-", 1)[-1]] = proto
                    self.components[proto.id.rsplit("-", 1)[-1]] = proto.id
                elif getattr(proto, "id", ""):
                    run.widgets[proto.id] = (etype, proto, fwd.delta.fragment_id)
            elif kind == "script_finished":
                run.seconds = time.perf_counter() - t0
                run.status = fwd.script_finished
                if run.status in DONE:
                    self._take_widgets(run.widgets, full=not fragment)
                    return run
                if run.status != EARLY:
                    return run

    def _take_widgets(self, widgets: dict, full: bool) -> None:
        """The widgets of the run just finished, with the values the page would hold:
        a value the script set (``set_value``), else the one we had, else the default.
        A fragment run sends only its own widgets: the others keep their values."""
        values, ids = ({}, {}) if full else (dict(self.values), dict(self.ids))
        for wid, (etype, w, fragment) in widgets.items():
            ids[wid.split("-", 2)[-1]] = wid
            self.fragment[wid] = fragment
            old = self.values.get(wid, (None, None))[1]
            if etype == "checkbox":
                values[wid] = ("bool_value", w.value if w.set_value else (w.default if old is None else old))
            elif etype == "slider":
                values[wid] = ("double_array_value",
                               list(w.value) if w.set_value else (list(w.default) if old is None else old))
            elif etype == "selectbox":
                default = w.options[w.default] if w.options else ""
                values[wid] = ("string_value", w.raw_value if w.set_value else (default if old is None else old))
            elif etype == "button_group":
                labels = [o.content for o in w.options]
                self.options[wid] = labels
                values[wid] = ("string_array_value", list(w.raw_values) if w.set_value else
                               ([labels[i] for i in w.default] if old is None else old))
            elif etype == "file_uploader":
                values[wid] = ("file_uploader_state_value", None)
            # buttons and download buttons hold no value (a press is a trigger)
        self.values, self.ids = values, ids


@dataclass
class WsViewer(Viewer):
    bytes_per_run: list[int] = field(default_factory=list)
    runs: int = 0


def _counts(client: Client) -> dict[str, int]:
    """Events per category in the window, as the category pills show them ("Diplomacy · 6")."""
    by_label = {v: k for k, v in CATEGORIES.items()}
    out = {}
    for text in client.pill_labels("cats"):
        name, _, count = text.rpartition(" · ")
        if name in by_label:
            out[by_label[name]] = int(count.replace(",", ""))
    return out


def _check(run: Run, client: Client, model: Model, v: WsViewer, what: str) -> None:
    """Errors if the run did not finish, showed an exception or sent no state; leaks if the
    state is not v's."""
    if run.status not in DONE:
        raise AssertionError(f"{what}: script finished with status {run.status}")
    if run.exceptions:
        raise AssertionError(f"{what}: exception on the page: {run.exceptions[0]}")
    st = run.state()
    if st is None:
        raise AssertionError(f"{what}: the run sent no state")
    who = f"client {v.index}, {what}"
    if set(st["layers"]) != v.layers:
        v.leaks.append(f"{who}: state layers {sorted(st['layers'])} != {sorted(v.layers)}")
    if st["window"] != [d.isoformat() for d in v.window]:
        v.leaks.append(f"{who}: state window {st['window']} != {v.window}")
    step = (st.get("tour") or {}).get("step")
    if step != (v.step if v.touring else None):
        v.leaks.append(f"{who}: tour step {step} != {v.step if v.touring else None}")
    open_ = st.get("open") or {}
    event = open_.get("id") if open_.get("kind") == "event" else None
    if event != v.event:
        v.leaks.append(f"{who}: selected event {event} != {v.event}")
    # The built-in events' details are in the store (sent once); others come with the state.
    in_store = event is not None and event in set(model.events.loc[model.events["origin"] == "built-in", "id"])
    if event is not None and not in_store and (open_.get("details") or {}).get("id") != event:
        raise AssertionError(f"{what}: the selected event's details are {open_.get('details')}")
    if in_store and open_.get("row") is None:
        raise AssertionError(f"{what}: the selected built-in event has no row of the store")
    query = {k: vals[-1] for k, vals in parse_qs(st.get("query", ""), keep_blank_values=True).items()}
    if set(query.get("layers", "").split(",")) - {"none", ""} != v.layers:
        v.leaks.append(f"{who}: the state's URL query {st.get('query')} does not hold layers {sorted(v.layers)}")
    counts = _counts(client)
    want = {c: model.shown.count(v.window, {f"cat:{c}"}) for c in CATEGORIES}
    if counts != want:
        raise AssertionError(f"{what}: the category pills count {counts}, expected {want} for {v.window}")


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
        rows = run.store_rows()
        if rows is not None and rows != len(model.events):
            raise AssertionError(f"first run: the events store holds {rows} rows, expected {len(model.events)}")
        table_rows = [int(r) for r in model.shown.rows(model.span, {f"cat:{c}" for c in CATEGORIES})[:20]]
        for t in range(interactions):
            kind = PLAN[t % len(PLAN)]
            if think_s > 0:
                await asyncio.sleep(think_s * pause.uniform(0.5, 1.5))
            try:
                trigger, event, fragment = None, None, client.fragment_of("window")
                if kind == "toggle":
                    choose_toggle(model, v, t)
                    client.set_layers(v.layers)
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
                    client.set("window", [date_us(d) for d in v.window])
                elif kind == "select":
                    row = select_row(model, v, t, table_rows)
                    event = ("select", {"kind": "event", "row": row})
                else:
                    key = tour_press(model, v)
                    if key == "start_tour":
                        trigger, fragment = key, ""
                    else:
                        event = ("key", {"action": key, "at": int(time.time() * 1000)})
                run = await client.rerun(trigger, event, fragment)
                v.runs += 1
                v.latencies.append(run.seconds)
                v.kinds.append(kind)
                v.reruns.append((kind, 1))
                v.fragment_reruns_sent += bool(fragment)
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
        "fragment_reruns": sum(v.fragment_reruns_sent for v in viewers),
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
    one, many = r["single"], r["load"]
    rows = [
        ("websocket clients x interactions", f"{r['clients']} x {r['interactions']} (plus 1 x {r['interactions']} alone), "
                                             f"think time {r['think_s']:g} s"),
        ("errors / state leaks", f"{r['errors']} / {r['leaks']}"),
        ("1 client: send -> script_finished p50 / p95",
         f"{_fmt(one['p50_s'], ' s')} / {_fmt(one['p95_s'], ' s')} ({one['interactions_timed']} runs, "
         f"{one['fragment_reruns']} of them fragment reruns)"),
        (f"{r['clients']} clients: p50 / p95",
         f"{_fmt(many['p50_s'], ' s')} / {_fmt(many['p95_s'], ' s')} ({many['interactions_timed']} runs, max {_fmt(many['max_s'], ' s')})"),
        ("p95 load / single (server only)", f"{_fmt(r['p95_ratio'], 'x')} (goal <= 3x: {'met' if r['p95_goal_met'] else 'NOT met'})"),
        ("p50 by kind alone / load", ", ".join(f"{k} {_fmt(one['p50_by_kind_s'].get(k), ' s')} / {_fmt(many['p50_by_kind_s'].get(k), ' s')}"
                                              for k in ("toggle", "slider", "select", "tour"))),
        ("first run p50 / max (load)", f"{_fmt(many['first_run_p50_s'], ' s')} / {_fmt(many['first_run_max_s'], ' s')}"),
        ("KB received per run (p50)", _fmt(many["kb_received_per_run_p50"], " KB", 1)),
        ("load phase wall time", _fmt(r.get("load_wall_s"), " s", 1)),
        ("CPU s (cores), 1 client", proccpu.fmt(r["cpu_single"])),
        ("CPU s (cores), load", proccpu.fmt(r["cpu_load"])),
    ]
    return table(rows, one, many)


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
