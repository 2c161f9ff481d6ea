"""Issue 8 (many viewers, server only): bench/wsload.py's websocket clients.

The clients speak Streamlit's protocol without a browser; these tests check that they
drive the real page (widget changes and tour buttons take effect, the server's answer
holds the client's own state and the right event markers) and that their checks fail
when the state is wrong. Timings are reported by ``make load``, not asserted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench import wsload
from bench.load import Model
from geo.dataset import LAYER_KEYS
from tests.browser.conftest import ARTIFACTS, ROOT


def _in_thread(fn, *args, timeout=300):
    # In its own thread: the session's sync Playwright may already run an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result(timeout=timeout)


def test_two_clients_two_interactions_finish_with_their_own_state():
    ARTIFACTS.mkdir(exist_ok=True)
    args = ["--clients", "2", "--interactions", "2", "--json-out", str(ARTIFACTS / "wsload-ci.json")]
    result = _in_thread(wsload.main, args, timeout=wsload.DEADLINE_S + 60)
    assert result["errors"] == 0, result["single"]["errors"] + result["load"]["errors"]
    assert result["leaks"] == 0, result["single"]["leaks"] + result["load"]["leaks"]
    assert result["single"]["interactions_timed"] == 2
    assert result["load"]["clients"] == 2 and result["load"]["interactions_timed"] == 2 * 2
    assert result["load"]["p95_s"] > 0 and result["cpu_load"]["cpu_s"]["server"] > 0


def test_a_client_drives_the_page_and_its_checks_can_fail(server):
    model = Model(ROOT / "data")
    model.all_ids = sorted(model.events["id"].astype(str))
    diplomacy = set(model.events.loc[model.events["category"] == "diplomacy", "id"])
    assert diplomacy

    async def scenario():
        client = wsload.Client(server)
        v = wsload.WsViewer(0)
        await client.connect()
        try:
            run = await client.rerun()
            v.layers, v.window = set(LAYER_KEYS), model.span
            wsload._check(run, client, model, v, "first run")
            assert {"window", "show:cat:diplomacy", "start_tour"} <= set(client.ids)
            first = wsload._ids_in(run.map_args, model.all_ids)

            # untick Diplomacy and move the start thumb: the answer follows, and drops those markers
            v.layers -= {"cat:diplomacy"}
            v.window = (dt.date(2023, 7, 1), model.span[1])
            client.set("show:cat:diplomacy", False)
            client.set("window", [wsload._date_us(d) for d in v.window])
            run = await client.rerun()
            wsload._check(run, client, model, v, "toggle and window")
            assert "cat%3Adiplomacy" not in client.query and "from=2023-07-01" in client.query
            shown = wsload._ids_in(run.map_args, model.all_ids)
            assert shown and not set(shown) & diplomacy and len(shown) < len(first)

            # a viewer that believes Diplomacy is still on is told its map is wrong
            wrong = wsload.WsViewer(1, layers=v.layers | {"cat:diplomacy"}, window=v.window)
            with pytest.raises(AssertionError):
                wsload._check(run, client, model, wrong, "wrong state")
            assert wrong.leaks  # the query string does not hold its layers either

            # a tour button is a trigger: the step's layers and window come back set by the script
            key = wsload.tour_press(model, v)
            run = await client.rerun(key)
            wsload._check(run, client, model, v, "tour step 1")
            assert "step=1" in client.query and "next" in client.ids
            assert not v.leaks
        finally:
            await client.close()

    _in_thread(lambda: asyncio.run(asyncio.wait_for(scenario(), 120)))
