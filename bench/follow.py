"""What following a live room costs, and how soon followers follow (`make load`).

One server, one presenter and N followers (headless Chromium pages, `--followers`, 10 by
default), all on this machine. Three measures in one run:

- **idle cost**: server CPU seconds and the bytes one page receives over 20 s while
  nothing changes, for N followers (each polls the room once a second) against N
  ordinary viewers of the same page (no room): the difference is what polling costs;
- **lag**: the presenter presses Page Down 5 times; for each step, the seconds from the
  key press to each follower's page showing the step (its state), p50 / p95 / max.

Written to test-artifacts/follow.json and printed. The browsers share the two cores with
the server: the lag includes their own work.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench import proccpu
from bench.server import ROOT, start_streamlit, stop
from bench.wire import CHROMIUM, LAUNCH_ARGS

ARTIFACTS = ROOT / "test-artifacts"
SIDEBAR = '[data-testid="stSidebar"]'
IDLE_S = 20
READY = "() => window.DashPage && window.DashPage.state() && window.DashPage.state().window"


def _step(page) -> int:
    return page.evaluate("() => ((window.DashPage && window.DashPage.state() || {}).tour || {}).step || 0")


def _count_bytes(page, box: list) -> None:
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: box.append(len(p))))


def _idle(server_pid: int, page, box: list) -> dict:
    box.clear()
    before, t0 = proccpu.snapshot(server_pid), time.monotonic()
    page.wait_for_timeout(IDLE_S * 1000)
    wall = time.monotonic() - t0
    cpu = proccpu.diff(before, proccpu.snapshot(server_pid), wall)
    return {"seconds": round(wall, 1), "server_cpu_s": cpu["cpu_s"]["server"],
            "bytes_per_s_one_page": round(sum(box) / wall, 1), "messages_per_s_one_page": round(len(box) / wall, 2)}


def run(followers: int) -> dict:
    proc, url = start_streamlit(ROOT / "dashboard.py", log=ARTIFACTS / "follow-server.log")
    out: dict = {"followers": followers, "idle_window_s": IDLE_S}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            # N ordinary viewers, idle: the page's own cost with nothing happening.
            viewers = [browser.new_context(viewport={"width": 1280, "height": 800}).new_page() for _ in range(followers)]
            box: list = []
            _count_bytes(viewers[0], box)
            for p in viewers:
                p.goto(url)
                p.wait_for_function(READY, timeout=60_000)
            viewers[0].wait_for_timeout(3000)
            out["idle_viewers"] = _idle(proc.pid, viewers[0], box)
            for p in viewers:
                p.context.close()

            presenter = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            presenter.goto(url)
            presenter.wait_for_function(READY, timeout=60_000)
            presenter.locator(SIDEBAR).get_by_text("Present live").click()
            presenter.locator(".st-key-live_start button").click()
            code = presenter.locator(f"{SIDEBAR} [data-testid=stCode]").first
            code.wait_for(timeout=30_000)
            audience = code.inner_text().strip()
            presenter.locator(SIDEBAR).get_by_role("button", name="Start the guided tour").click()
            presenter.wait_for_function("() => !!window.DashPage && !!window.DashPage.state() && (window.DashPage.state().tour || {}).step === 1", timeout=30_000)
            fans = [browser.new_context(viewport={"width": 1280, "height": 800}).new_page() for _ in range(followers)]
            box = []
            _count_bytes(fans[0], box)
            for p in fans:
                p.goto(audience)
                p.wait_for_function("() => !!window.DashPage && !!window.DashPage.state() && (window.DashPage.state().tour || {}).step === 1", timeout=60_000)
            fans[0].wait_for_timeout(3000)
            out["idle_followers"] = _idle(proc.pid, fans[0], box)

            lags: list[float] = []
            before, t_lag = proccpu.snapshot(proc.pid), time.monotonic()
            for n in range(2, 7):
                presenter.keyboard.press("PageDown")
                t0 = time.monotonic()
                waiting = set(range(followers))
                while waiting and time.monotonic() - t0 < 60:
                    for i in list(waiting):
                        if _step(fans[i]) == n:
                            lags.append(time.monotonic() - t0)
                            waiting.discard(i)
                    fans[0].wait_for_timeout(50)
                if waiting:
                    raise RuntimeError(f"{len(waiting)} followers did not reach step {n} in 60 s")
                presenter.wait_for_timeout(2000)
            cpu = proccpu.diff(before, proccpu.snapshot(proc.pid), time.monotonic() - t_lag)
            out["changes"] = {"steps": 5, "server_cpu_s": cpu["cpu_s"]["server"],
                              "chromium_cpu_s": cpu["cpu_s"]["chromium"], "wall_s": round(cpu["wall_s"], 1),
                              "server_cpu_s_per_step_per_follower": round(cpu["cpu_s"]["server"] / 5 / followers, 3)}
            lags.sort()
            out["lag_s"] = {"n": len(lags), "p50": round(statistics.median(lags), 2),
                            "p95": round(lags[int(0.95 * (len(lags) - 1))], 2), "max": round(lags[-1], 2)}
            browser.close()
    finally:
        stop(proc)
    v, f = out["idle_viewers"], out["idle_followers"]
    out["polling_cost"] = {
        "server_cpu_share_per_follower": round((f["server_cpu_s"] - v["server_cpu_s"]) / IDLE_S / followers, 4),
        "bytes_per_s_per_follower": round(f["bytes_per_s_one_page"] - v["bytes_per_s_one_page"], 1)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.follow")
    parser.add_argument("--followers", type=int, default=10)
    args = parser.parse_args(argv)
    ARTIFACTS.mkdir(exist_ok=True)
    out = run(args.followers)
    Path(ARTIFACTS / "follow.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
