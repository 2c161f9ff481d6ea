"""`make bench` (bench/run.py): its results file has the documented shape, and its wire
figures come from a real browser run (a browser's user agent, websocket messages counted).

Nothing timed is asserted. The committed bench/results.json is checked without a browser;
``--quick`` (the built-in events, 2 repeats) runs end to end in headless Chromium.
"""

from __future__ import annotations

import json
import statistics
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench.run import INTERACTIONS, SYSTEMS, main, table

ROOT = Path(__file__).resolve().parents[1]
OURS_ONLY = ("selection", "tour_start", "tour_step")


def check_results(results: dict, sizes: list[int], systems: tuple[str, ...] = SYSTEMS) -> None:
    """Assert that ``results`` (bench/results.json) has the documented shape and browser-made figures."""
    meta = results["meta"]
    assert meta["date"] and meta["machine"]["cpus"] >= 1 and meta["repeats"] >= 1
    assert meta["browser"].startswith("Chromium ")
    assert [r["n_events"] for r in results["runs"]][:len(sizes)] == sizes
    for run in results["runs"]:
        assert run["ours_events"] >= run["n_events"]
        for key in ("wire_bytes", "tcp_bytes", "ms", "longest_task_ms"):
            assert set(run[key]) == set(INTERACTIONS)
        for system in systems:
            if system not in run["systems"]:
                assert system in run["notes"], f"{system} at {run['n_events']}: neither measured nor explained"
                continue
            res = run["systems"][system]
            assert res["errors"] == [], res["errors"]
            assert res["blocked_requests"] == []  # nothing left 127.0.0.1
            assert "HeadlessChrome" in res["user_agent"]  # measured by a browser, not computed
            assert res["frames_received"] > 0
            first = res["first_load"]
            assert first["messages"] > 0 and first["wire_bytes"] > 1000 and first["http_bytes"] > 0
            assert first["tcp_bytes"] > 0 and first["detail"]["events_bytes"] > 0
            assert run["wire_bytes"]["first_load"][system] == first["wire_bytes"]
            kinds = ("slider", "toggle") + (OURS_ONLY if system.startswith("ours") else ())
            for kind in kinds:
                part = res[kind]
                assert part["repeats"] >= 1 and len(part["samples"]) == part["repeats"]
                assert all(s["messages"] > 0 and s["wire_bytes"] > 0 for s in part["samples"])
                assert part["wire_bytes"] == round(statistics.median(s["wire_bytes"] for s in part["samples"]))
                assert run["wire_bytes"][kind][system] == part["wire_bytes"]
            if not system.startswith("ours"):
                assert all(res[k] is None for k in OURS_ONLY)
            if system.endswith("_deflate"):  # compressed on the wire: fewer bytes than the messages
                assert res["compression"] and first["tcp_bytes"] < first["wire_bytes"]
    for goal in results.get("goals", []):
        assert set(goal) >= {"goal", "measured", "met"}


def test_committed_results_come_from_a_browser_run_of_every_size_and_system():
    results = json.loads((ROOT / "bench" / "results.json").read_text())
    check_results(results, [18, 1_000, 10_000, 100_000])
    assert {g["goal"].split(":")[0] for g in results["goals"]} >= {"slider at built-in events",
                                                                   "slider at 100,000 events"}
    text = table(results)
    assert "| 100,000 | slider move |" in text and "| goal (issue 19) |" in text


@pytest.mark.browser
def test_quick_bench_measures_every_system_in_a_browser(tmp_path):
    out = tmp_path / "results.json"
    args = ["--quick", "--workdir", str(tmp_path / "data"), "--out", str(out)]
    # In its own thread: a browser test's sync Playwright may already run an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(main, args).result(timeout=1800)
    results = json.loads(out.read_text())
    check_results(results, [18])
    systems = results["runs"][0]["systems"]
    # ours sends the events and the map once, with the first load; a slider move sends the state
    first = dict(systems["ours"]["first_load"]["elements"])
    assert "bidi_component:dash_data" in first and "component_instance" in first
    for sample in systems["ours"]["slider"]["samples"]:
        assert not {"bidi_component:dash_data", "component_instance"} & set(dict(sample["elements"]))
        assert "bidi_component:dash_state" in dict(sample["elements"])
    # the usual streamlit-folium app sends a new map with every move
    assert all("component_instance" in dict(s["elements"]) for s in systems["folium"]["slider"]["samples"])
