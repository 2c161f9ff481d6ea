"""Issue 8 (many viewers, server only): bench/wsload.py's websocket clients.

The clients speak Streamlit's protocol without a browser; these tests check that they
drive the real page as the browser does (the pills and the slider rerun the controls
fragment, a selection and the tour's keys are trigger values of the state component,
the tour's start button reruns the page), that the server's answer holds the client's
own state, and that their checks fail when the state is wrong. Timings are reported
by ``make load``, not asserted.
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


def test_two_clients_four_interactions_finish_with_their_own_state():
    ARTIFACTS.mkdir(exist_ok=True)
    assert wsload.PLAN[:4] == ("toggle", "slider", "select", "tour")
    args = ["--clients", "2", "--interactions", "4", "--json-out", str(ARTIFACTS / "wsload-ci.json")]
    result = _in_thread(wsload.main, args, timeout=wsload.DEADLINE_S + 60)
    assert result["errors"] == 0, result["single"]["errors"] + result["load"]["errors"]
    assert result["leaks"] == 0, result["single"]["leaks"] + result["load"]["leaks"]
    assert result["single"]["interactions_timed"] == 4 and result["single"]["fragment_reruns"] == 3
    assert result["load"]["clients"] == 2 and result["load"]["interactions_timed"] == 2 * 4
    assert result["load"]["p95_s"] > 0 and result["cpu_load"]["cpu_s"]["server"] > 0


def test_a_client_drives_the_page_and_its_checks_can_fail(server):
    model = Model(ROOT / "data")
    diplomacy = int((model.events["category"] == "diplomacy").sum())
    assert diplomacy

    async def scenario():
        client = wsload.Client(server)
        v = wsload.WsViewer(0)
        await client.connect()
        try:
            run = await client.rerun()
            v.layers, v.window = set(LAYER_KEYS), model.span
            wsload._check(run, client, model, v, "first run")
            assert {"window", "geo", "cats", "start_tour"} <= set(client.ids)
            assert run.store_rows() == len(model.events)  # the events, once
            assert client.fragment_of("window") and client.fragment_of("window") == client.fragment_of("cats")
            assert f"Diplomacy · {diplomacy}" in client.pill_labels("cats")

            # switch Diplomacy off and move the start thumb: one rerun of the controls fragment,
            # whose state follows; neither the events nor the map are sent again
            v.layers -= {"cat:diplomacy"}
            v.window = (dt.date(2023, 7, 1), model.span[1])
            client.set_layers(v.layers)
            client.set("window", [wsload.date_us(d) for d in v.window])
            run = await client.rerun(fragment=client.fragment_of("window"))
            wsload._check(run, client, model, v, "toggle and window")
            state = run.state()
            assert "cat:diplomacy" not in state["layers"] and state["window"][0] == "2023-07-01"
            assert "from=2023-07-01" in state["query"]
            assert set(run.components) == {"dash_state"} and run.store_rows() is None
            assert f"Diplomacy · {model.shown.count(v.window, {'cat:diplomacy'})}" in client.pill_labels("cats")

            # a client that believes Diplomacy is still on is told of the leak
            wrong = wsload.WsViewer(1, layers=v.layers | {"cat:diplomacy"}, window=v.window)
            wsload._check(run, client, model, wrong, "wrong state")
            assert wrong.leaks and "state layers" in wrong.leaks[0]
            # counts that are not the window's are an error
            stale = wsload.WsViewer(2, layers=set(v.layers), window=model.span)
            with pytest.raises(AssertionError, match="category pills count"):
                wsload._check(run, client, model, stale, "stale window")

            # a selection is a trigger value of the state component: the state opens the event's row
            # (a built-in event: its details are in the store the page has, not sent again)
            row = int(model.shown.rows(v.window, {"cat:blockade"})[0])
            v.event = str(model.events["id"].iat[row])
            run = await client.rerun(event=("select", {"kind": "event", "row": row}),
                                     fragment=client.fragment_of("window"))
            wsload._check(run, client, model, v, "selection")
            assert run.state()["open"]["row"] == row and run.state()["open"]["id"] == v.event
            assert "details" not in run.state()["open"] and "dash_data" not in run.components

            # the tour: its start button reruns the page; PageDown is a key trigger (a fragment rerun)
            key = wsload.tour_press(model, v)
            run = await client.rerun(trigger=key)
            wsload._check(run, client, model, v, "tour step 1")
            assert run.state()["tour"] == {"step": 1, "of": len(model.tour)} and "dash_tour" in run.components
            key = wsload.tour_press(model, v)
            assert key == "next"
            run = await client.rerun(event=("key", {"action": key, "at": 1}), fragment=client.fragment_of("window"))
            wsload._check(run, client, model, v, "tour step 2")
            assert run.state()["tour"]["step"] == 2
            assert not v.leaks
        finally:
            await client.close()

    _in_thread(lambda: asyncio.run(asyncio.wait_for(scenario(), 120)))
