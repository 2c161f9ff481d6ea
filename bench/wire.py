"""What a real browser receives per interaction, and how soon its map shows the result.

One :class:`Session` is one headless Chromium page on one app, behind a
:class:`bench.tcpcount.CountingRelay`. For each interaction it records

- the websocket messages the page receives (Playwright's ``framereceived``: their
  number and bytes, each parsed as Streamlit's ``ForwardMsg`` to tell a whole
  element from a reference to one the browser already holds, and to name the
  largest elements);
- the bytes the relay carried from the server on the websocket (after compression,
  when the server compresses) and over HTTP;
- the time from the input that makes the change (the key press, or the release of
  the mouse button) to the map showing it, by each page's own signal
  (:data:`OURS_PAINTED`, :data:`FOLIUM_READY`, :data:`DECK_DRAWN`);
- the page's main-thread long tasks meanwhile (PerformanceObserver ``longtask``, in
  every frame: the map frames share the page's thread).

An interaction ends when its script run has finished and nothing more arrives for
``quiet_ms``. Events of the sync Playwright API are only dispatched during its
calls, so every wait here is a Playwright wait (never ``time.sleep``).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
SLIDER = '[data-testid="stSidebar"] [data-testid="stSlider"] input[type="range"]'
PILLS = '[data-testid="stSidebar"] [data-testid="stButtonGroup"] button'
DAY_US = 86_400_000_000  # Streamlit's date slider values: microseconds since 1970-01-01 (UTC)
EPOCH = dt.date(1970, 1, 1)

#: Runs in every frame before its own scripts: the time of the last input (top page:
#: keydown, pointerup), the long tasks, and each WebGL draw call (time, instance count).
PROBE_JS = """(() => {
  const now = () => performance.timeOrigin + performance.now();
  const B = window.__bench = {input: null, tasks: [], draws: []};
  if (window === window.top) {
    for (const type of ['keydown', 'pointerup']) {
      window.addEventListener(type, () => { B.input = now(); }, true);
    }
  }
  try {
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) B.tasks.push([performance.timeOrigin + e.startTime, e.duration]);
    }).observe({type: 'longtask', buffered: true});
  } catch (e) { /* no longtask support */ }
  for (const C of [window.WebGL2RenderingContext, window.WebGLRenderingContext]) {
    if (!C) continue;
    for (const name of ['drawArraysInstanced', 'drawElementsInstanced']) {
      const f = C.prototype[name];
      if (!f) continue;
      C.prototype[name] = function (...a) {
        B.draws.push([now(), a[a.length - 1]]);
        if (B.draws.length > 400) B.draws.splice(0, 200);
        return f.apply(this, a);
      };
    }
  }
})();"""

#: (page) The dashboard's map frame shows ``n`` rows and has painted the events since the mark
#: (``[paints, applied]`` from :data:`OURS_MARK`), or, when the events did not change (a tour
#: step with the same window and categories), has applied a new state: its time (ms since the
#: epoch), else false. A new frame (the page re-mounted the map) counts from its first paint.
OURS_PAINTED = """([sel, mark, n]) => {
  const f = document.querySelector(sel), w = f && f.contentWindow, D = w && w.DashMap;
  if (!D || !D.shown || D.shown.length !== n) return false;
  const [p0, a0] = Array.isArray(mark) ? mark : [mark, Infinity];
  if (!w.__benchSeen) return (D.paints || 0) >= 1 ? w.performance.timeOrigin + D.paintedAt : false;
  if ((D.paints || 0) > p0) return w.performance.timeOrigin + D.paintedAt;
  if ((D.applied || 0) > a0 && D.appliedAt) return w.performance.timeOrigin + D.appliedAt;
  return false;
}"""
#: (page) Mark the map frame as seen; its counts of paints and of states applied.
OURS_MARK = """(sel) => { const f = document.querySelector(sel), w = f && f.contentWindow;
  if (!w) return [0, 0]; w.__benchSeen = true;
  return [(w.DashMap && w.DashMap.paints) || 0, (w.DashMap && w.DashMap.applied) || 0]; }"""
#: (page) The event popup of ``row`` is open with its details (not "Loading…"): the time, else false.
OURS_POPUP = """([sel, row, title]) => {
  const f = document.querySelector(sel), w = f && f.contentWindow;
  const st = window.DashPage && window.DashPage.state();
  if (!w || !st || !st.open || st.open.row !== row) return false;
  const p = w.document.querySelector('.leaflet-popup-content .event-popup');
  if (!p || p.querySelector('.loading')) return false;
  const h = p.querySelector('h4');
  return h && h.textContent === title ? w.performance.timeOrigin + w.performance.now() : false;
}"""
#: (page) A new folium map (not marked) holds ``n`` markers: the time, else false.
FOLIUM_READY = """([sel, n]) => {
  const f = document.querySelector(sel), w = f && f.contentWindow;
  if (!w || !w.map || !w.L || w.map.__benchSeen) return false;
  let c = 0;
  w.map.eachLayer(l => { if (l instanceof w.L.Marker) c += 1; });
  return c === n ? w.performance.timeOrigin + w.performance.now() : false;
}"""
FOLIUM_MARK = """(sel) => { const f = document.querySelector(sel), w = f && f.contentWindow;
  if (w && w.map) w.map.__benchSeen = true; return 0; }"""
#: (page) deck.gl drew ``n`` instances (the points) after time ``t``: that draw's time, else false.
DECK_DRAWN = """([t, n]) => { for (const [at, count] of window.__bench.draws) { if (at > t && count === n) return at; }
  return false; }"""
NOW = "() => performance.timeOrigin + performance.now()"
#: (page, on a slider input) its thumb's centre, the track's left and width, min, max, value.
THUMB_GEOMETRY = """e => { const thumb = e.parentElement.parentElement, track = thumb.offsetParent;
    const r = thumb.getBoundingClientRect(), tr = track.getBoundingClientRect();
    return [r.left + r.width / 2, r.top + r.height / 2, tr.left, tr.width, +e.min, +e.max, +e.value]; }"""


def rerun_request(payload):
    """The ``rerun_script`` of a websocket frame the page sent (BackMsg), or None for any other
    frame (text, another message, bytes that do not parse)."""
    if not isinstance(payload, (bytes, bytearray)):
        return None
    msg = BackMsg()
    try:
        msg.ParseFromString(bytes(payload))
    except Exception:
        return None
    return msg.rerun_script if msg.WhichOneof("type") == "rerun_script" else None


def date_us(d: dt.date) -> float:
    return float((d - EPOCH).days * DAY_US)


def us_date(us: float) -> dt.date:
    return EPOCH + dt.timedelta(days=round(float(us) / DAY_US))


def describe(payload) -> dict:
    """One websocket message: its size and what it is (ForwardMsg type; for an element,
    its type and key; whether it is a reference to a message the browser holds)."""
    if isinstance(payload, str):
        return {"bytes": len(payload.encode()), "type": "text"}
    msg = ForwardMsg()
    try:
        msg.ParseFromString(payload)
    except Exception:
        return {"bytes": len(payload), "type": "?"}
    kind = msg.WhichOneof("type")
    out = {"bytes": len(payload), "type": kind}
    if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        el = msg.delta.new_element
        etype = el.WhichOneof("type")
        eid = getattr(getattr(el, etype), "id", "") if etype else ""
        key = eid.rsplit("-", 1)[-1] if "-" in eid else ""
        out["element"] = etype + (":" + key if key and len(key) < 24 else "")
    return out


def _local_only(blocked: list):
    def handle(route):
        url = route.request.url
        if (urlsplit(url).hostname or "") in ("127.0.0.1", "localhost") or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()
    return handle


@dataclass
class Measure:
    """One interaction."""

    kind: str
    messages: int
    wire_bytes: int           # websocket messages received, as the browser reports them
    tcp_bytes: int            # websocket bytes on the wire (the relay), after compression if any
    http_bytes: int           # other bytes from the server (HTML, scripts, styles)
    references: int           # elements sent as a reference to a message the browser holds
    runs: int                 # script runs the server finished (script_finished messages)
    reruns_requested: int     # script runs the page asked for (BackMsg rerun_script)
    elements: list            # the elements received, largest first: [[name, bytes], ...]
    ms: float | None          # input -> map updated
    longest_task_ms: float
    blocking_ms: float        # sum of each long task's part over 50 ms
    new_result: bool = True   # a result this page had not shown before
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


class Session:
    """A headless Chromium page on ``relay.url``, recording what it receives."""

    def __init__(self, browser, relay, *, timeout_ms: float = 300_000, quiet_ms: float = 500):
        self.relay, self.timeout_ms, self.quiet_ms = relay, timeout_ms, quiet_ms
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.frames: list[tuple[float, dict]] = []
        self.reruns_requested = 0
        self.ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        self.ctx.route("**/*", _local_only(self.blocked))
        self.ctx.add_init_script(PROBE_JS)
        self.page = self.ctx.new_page()
        self.page.set_default_timeout(timeout_ms)
        self.page.on("websocket", self._websocket)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"[:300]))

    def close(self) -> None:
        self.ctx.close()

    def open(self, url: str) -> None:
        """Go to ``url`` (the pointer moved once: Streamlit 1.67 paints some widgets after
        a first pointer event)."""
        self.page.goto(url)
        self.page.mouse.move(2, 2)

    def _websocket(self, ws) -> None:
        if "/_stcore/stream" in ws.url:
            ws.on("framereceived", lambda p: self.frames.append((time.perf_counter(), describe(p))))
            ws.on("framesent", self._sent)

    def _sent(self, payload) -> None:
        """Count the page's requests for a script run (BackMsg ``rerun_script``)."""
        if rerun_request(payload) is not None:
            self.reruns_requested += 1

    # --- waiting ------------------------------------------------------------------------

    def settle(self, since: int, need_finish: bool = True) -> None:
        """Wait until a run finished after frame ``since`` and nothing arrived for quiet_ms.

        The pause is taken on the page's main thread (a timer in the page, not in the
        driver): the browser reports a websocket message when the page handles it, so a
        page busy for seconds reports late; waiting for its main thread first keeps a
        message of this interaction from being counted with the next one."""
        deadline = time.perf_counter() + self.timeout_ms / 1000
        last_n, last_bytes, quiet_from = -1, -1, time.perf_counter()
        while time.perf_counter() < deadline:
            self.page.evaluate("() => new Promise(ok => setTimeout(ok, 50))")
            n, b = len(self.frames), self.relay.down["ws"] + self.relay.down["http"]
            if (n, b) != (last_n, last_bytes):
                last_n, last_bytes, quiet_from = n, b, time.perf_counter()
                continue
            finished = any(f["type"] == "script_finished" for _, f in self.frames[since:])
            if (finished or not need_finish) and (time.perf_counter() - quiet_from) * 1000 >= self.quiet_ms:
                return
        raise TimeoutError(f"the page did not settle in {self.timeout_ms / 1000:.0f} s")

    def wait_ready(self, js: str, arg) -> float | None:
        """Poll ``js`` (page) at every animation frame until it returns a time; None on timeout."""
        # An exception on the page (the app failed) ends the wait at once, as an error.
        guarded = "(a) => document.querySelector('[data-testid=stException]') ? -1 : (" + js + ")(a)"
        try:
            at = float(self.page.wait_for_function(guarded, arg=arg, polling="raf", timeout=self.timeout_ms).json_value())
            if at == -1:
                box = self.page.locator('[data-testid="stException"]').first.inner_text()[:300]
                self.errors.append(f"the page shows an exception: {box}")
                return None
            return at
        except Exception as exc:
            self.errors.append(f"not ready: {type(exc).__name__}: {str(exc)[:200]}")
            return None

    def long_tasks(self, t0: float, t1: float) -> list[tuple[float, float]]:
        """Long tasks starting between t0 and t1 (ms since the epoch), from every frame, once each."""
        seen = {}
        for frame in self.page.frames:
            try:
                tasks = frame.evaluate("() => (window.__bench && window.__bench.tasks) || []")
            except Exception:
                continue
            for start, dur in tasks:
                if t0 <= start <= t1:
                    seen[(round(start), round(dur))] = (start, dur)
        return sorted(seen.values())

    # --- one interaction ------------------------------------------------------------------

    def measure(self, kind: str, act, ready=None, *, first_load: bool = False, new_result: bool = True,
                need_finish: bool = True) -> Measure:
        """Run ``act()``; ``ready(mark)`` waits for the map and returns the time it was
        updated (ms since the epoch, the page's clock; ``mark`` is the page's time just
        before ``act``). Then wait for quiet and collect."""
        since, asked0 = len(self.frames), self.reruns_requested
        down0, up0 = dict(self.relay.down), dict(self.relay.up)
        mark = None
        if not first_load:
            self.page.evaluate("() => { window.__bench.input = null; }")
            mark = self.page.evaluate(NOW)
        act()
        ready_at = ready(mark) if ready is not None else None
        self.settle(since, need_finish=need_finish)
        end = self.page.evaluate(NOW)
        t0 = self.page.evaluate("() => performance.timeOrigin") if first_load else \
            (self.page.evaluate("() => window.__bench.input") or mark)
        tasks = self.long_tasks(t0, end)
        got = [f for _, f in self.frames[since:]]
        elements: dict[str, int] = {}
        for f in got:
            if "element" in f:
                elements[f["element"]] = elements.get(f["element"], 0) + f["bytes"]
        top = sorted(elements.items(), key=lambda kv: -kv[1])
        return Measure(
            kind=kind, messages=len(got), wire_bytes=sum(f["bytes"] for f in got),
            tcp_bytes=self.relay.down["ws"] - down0["ws"], http_bytes=self.relay.down["http"] - down0["http"],
            references=sum(1 for f in got if f["type"] == "ref_hash"), elements=[list(e) for e in top],
            runs=sum(1 for f in got if f["type"] == "script_finished"), reruns_requested=self.reruns_requested - asked0,
            ms=round(ready_at - t0, 1) if ready_at is not None and t0 else None,
            longest_task_ms=round(max((d for _, d in tasks), default=0.0), 1),
            blocking_ms=round(sum(max(0.0, d - 50) for _, d in tasks), 1), new_result=new_result,
            detail={"sent_bytes": self.relay.up["ws"] - up0["ws"]})

    # --- inputs ---------------------------------------------------------------------------

    def drag_thumb(self, index: int, target: dt.date) -> tuple[dt.date, dt.date]:
        """Drag slider thumb ``index`` (0: start, 1: end) to ``target`` with the mouse (press,
        move, release: one committed value, one rerun); returns the window it settled on
        (the pixel grid is a few days wide)."""
        inputs = self.page.locator(SLIDER)
        cx, cy, left, width, lo, hi, _ = inputs.nth(index).evaluate(THUMB_GEOMETRY)
        x = left + width * (date_us(target) - lo) / (hi - lo)
        self.page.mouse.move(cx, cy)
        self.page.mouse.down()
        self.page.mouse.move(x, cy, steps=4)
        self.page.mouse.up()
        got = [us_date(float(inputs.nth(i).input_value())) for i in (0, 1)]
        return got[0], got[1]

    def slider_window(self) -> tuple[dt.date, dt.date]:
        inputs = self.page.locator(SLIDER)
        got = [us_date(float(inputs.nth(i).input_value())) for i in (0, 1)]
        return got[0], got[1]

    def pill(self, label: str):
        """The sidebar pill whose text starts with ``label`` (the dashboard's category pills
        end with a count)."""
        return self.page.locator(PILLS).filter(has_text=label).first

    def user_agent(self) -> str:
        return self.page.evaluate("() => navigator.userAgent")


def summarise(measures: list[Measure]) -> dict | None:
    """Medians of bytes and time over the repeats of one interaction; the worst long task."""
    if not measures:
        return None
    ms = [m.ms for m in measures if m.ms is not None]

    def med(key):
        return round(statistics.median(getattr(m, key) for m in measures))

    return {
        "repeats": len(measures), "new_results": sum(m.new_result for m in measures),
        "wire_bytes": med("wire_bytes"), "tcp_bytes": med("tcp_bytes"), "http_bytes": med("http_bytes"),
        "messages": med("messages"), "references": max(m.references for m in measures),
        "runs": max(m.runs for m in measures), "reruns_requested": max(m.reruns_requested for m in measures),
        "ms": round(statistics.median(ms), 1) if ms else None, "ms_max": round(max(ms), 1) if ms else None,
        "longest_task_ms": max(m.longest_task_ms for m in measures),
        "blocking_ms": round(statistics.median(m.blocking_ms for m in measures), 1),
        "elements": measures[len(measures) // 2].elements[:4],
        "samples": [m.as_dict() for m in measures],
    }
