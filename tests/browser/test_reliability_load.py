"""Issue 8, part 4 (CI size): bench/load.py with 5 viewers x 4 interactions.

Each viewer toggles a layer pill, drags a slider thumb, selects a row of the events
table and starts the tour, and waits each time for its map to paint its own events
(or the selected event's popup to show its details). Asserts correctness only: no
errors, no state leaked between sessions (each page's state, URL, pills and map), one
rerun per interaction, of the controls fragment except for the tour's start (a full
rerun). The timings and memory are reported by ``make load`` (20 x 10) in RELIABILITY.md.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bench import load
from tests.browser.conftest import ARTIFACTS


def test_five_viewers_at_once_get_no_error_and_keep_their_own_state():
    ARTIFACTS.mkdir(exist_ok=True)
    assert load.PLAN[:4] == ("toggle", "slider", "select", "tour")
    args = ["--viewers", "5", "--interactions", "4", "--json-out", str(ARTIFACTS / "load-ci.json")]
    # In its own thread: the session's sync Playwright already runs an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(load.main, args).result(timeout=load.DEADLINE_S + 60)
    assert result["errors"] == 0, result["single"]["errors"] + result["load"]["errors"]
    assert result["leaks"] == 0, result["single"]["leaks"] + result["load"]["leaks"]
    assert result["load"]["viewers"] == 5
    assert result["load"]["interactions_measured"] == 5 * 4
    reruns = result["load"]["reruns_per_interaction"]
    assert reruns["total"] == 5 * 4 and reruns["max"] == 1
    assert reruns["fragment_reruns"] == 5 * 3  # toggle, slider, selection; the tour's start reruns the page
