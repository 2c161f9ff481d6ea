"""Issue 8, part 4 (CI size): bench/load.py with 5 viewers x 3 interactions.

Asserts correctness only (no errors, no state leaked between sessions); the
timings and memory are reported by ``make load`` (20 x 10) in RELIABILITY.md.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bench import load
from tests.browser.conftest import ARTIFACTS


def test_five_viewers_at_once_get_no_error_and_keep_their_own_state():
    ARTIFACTS.mkdir(exist_ok=True)
    args = ["--viewers", "5", "--interactions", "3", "--json-out", str(ARTIFACTS / "load-ci.json")]
    # In its own thread: the session's sync Playwright already runs an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(load.main, args).result(timeout=load.DEADLINE_S + 60)
    assert result["errors"] == 0, result["single"]["errors"] + result["load"]["errors"]
    assert result["leaks"] == 0, result["single"]["leaks"] + result["load"]["leaks"]
    assert result["load"]["viewers"] == 5
    measured = result["load"]["interactions_measured"] + result["load"]["interactions_without_map_change"]
    assert measured == 5 * 3
