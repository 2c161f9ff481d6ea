"""Several dashboard processes behind nginx (tools/serve.py: the files of deploy/), in real
Chromium: sticky sessions, a live room shared through Redis by a presenter on one process and
a follower on the other, and a process that dies: its follower's page reconnects through nginx
to the other process and is back in the room, at the presenter's step."""

from __future__ import annotations

import json
import urllib.request

import pytest

from geo.dataset import load_dataset
from tests.browser.conftest import ARTIFACTS, ROOT, wait_for_map
from tests.browser.test_live_browser import SIDEBAR, start_room, wait_step
from tools.serve import Cluster

TOUR = load_dataset(ROOT / "data").tour


@pytest.fixture
def cluster():
    """Two processes behind nginx, for one test (a test may stop one of them)."""
    made = Cluster(replicas=2).start()
    yield made
    made.stop()


def upstream(cluster, route: str) -> str:
    """The process nginx sends a browser with the cookie ``dash_route=route`` to."""
    req = urllib.request.Request(cluster.url + "/_stcore/health", headers={"Cookie": f"dash_route={route}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.headers["X-Dash-Upstream"]


def route_to(cluster, i: int) -> str:
    """A cookie value that nginx's hash sends to process ``i``."""
    want = f"127.0.0.1:{cluster.app_ports[i]}"
    for n in range(200):
        if upstream(cluster, f"r{n}") == want:
            return f"r{n}"
    raise AssertionError(f"no route to {want}")


def on(context_factory, cluster, i: int, **size):
    ctx_page = context_factory(**size).new_page()
    ctx_page.context.add_cookies([{"name": "dash_route", "value": route_to(cluster, i), "url": cluster.url}])
    return ctx_page


def test_a_follower_on_another_process_follows_and_survives_its_process_dying(context_factory, cluster):
    presenter = on(context_factory, cluster, 0, width=1280, height=800)
    audience, _ = start_room(presenter, cluster.url)
    assert audience.startswith(cluster.url + "/?room=")  # the link names the proxy, not a process
    presenter.locator(SIDEBAR).get_by_role("button", name="Start the guided tour").click()
    wait_step(presenter, 1)
    presenter.keyboard.press("PageDown")
    wait_step(presenter, 2)

    follower = on(context_factory, cluster, 1, width=1280, height=800)
    response = follower.goto(audience)
    assert response.headers["x-dash-upstream"] == f"127.0.0.1:{cluster.app_ports[1]}"
    wait_for_map(follower)
    wait_step(follower, 2)
    presenter.keyboard.press("PageDown")
    wait_step(follower, 3)

    cluster.kill_app(1)  # the follower's process dies
    presenter.keyboard.press("PageDown")
    wait_step(presenter, 4)
    wait_step(follower, 4, timeout=90_000)  # reconnected through nginx to process 1, back in the room
    follower.locator(".st-key-live_bar").get_by_text("Following the presenter").wait_for(timeout=30_000)
    # the new process's page agrees with the room: the date slider shows the step's window
    want = [f"{d.day} {d:%b %Y}" for d in TOUR[3].window]
    thumbs = follower.locator(f'{SIDEBAR} [data-testid="stSliderThumbValue"]')
    follower.wait_for_function(f"""() => JSON.stringify([...document.querySelectorAll(
        '[data-testid=stSidebar] [data-testid=stSliderThumbValue]')].map(e => e.innerText)) === '{json.dumps(want, separators=(",", ":"))}'""",
        timeout=30_000)
    assert thumbs.all_inner_texts() == want
    follower.screenshot(path=str(ARTIFACTS / "replicas-follower-after-failover.png"))
    presenter.keyboard.press("PageDown")
    wait_step(follower, 5, timeout=30_000)


def test_files_imported_into_a_process_that_dies_are_named(context_factory, cluster):
    """The files a viewer imported live in their process: when it dies, the page, back through
    nginx on another process, names the files to import again (not a silent loss)."""
    page = on(context_factory, cluster, 0, width=1280, height=800)
    page.goto(cluster.url + "/?from=2023-07-01&to=2023-07-15")
    wait_for_map(page)
    page.get_by_text("Import your events").click()
    page.locator('.st-key-uploads input[type="file"]').set_input_files(str(ROOT / "tests/fixtures/import/acled_current.csv"))
    page.get_by_text("acled_current.csv", exact=False).first.wait_for(timeout=30_000)
    page.wait_for_function("() => (window.DashPage.state().uploaded || []).includes('acled_current.csv')",
                           timeout=30_000)
    cluster.kill_app(0)
    toast = page.locator('[data-testid="stToast"]').get_by_text("Import again: acled_current.csv.", exact=False)
    toast.wait_for(timeout=90_000)  # the file's name first: a long toast folds after its first lines
    assert page.get_by_text("Something went wrong on this page").count() == 0  # the page itself works
    page.get_by_role("button", name="Start the guided tour").click()
    page.wait_for_function("() => (window.DashPage.state().tour || {}).step === 1", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "replicas-lost-imports.png"))
