"""Present live in real Chromium: a presenter's page, a follower's phone and the speaker
view, three browser contexts on one server (the rooms in its memory)."""

from __future__ import annotations

import time

from geo.dataset import load_dataset
from tests.browser.conftest import (
    ARTIFACTS,
    AS_USER,
    MAP_FRAME,
    ROOT,
    map_eval,
    start_server,
    stop_server,
    wait_for_map,
    wait_idle,
)

TOUR = load_dataset(ROOT / "data").tour
SIDEBAR = '[data-testid="stSidebar"]'
PANEL = ".st-key-dash_tour .dash-tour"


def step_of(page) -> int:
    return page.evaluate("() => (window.DashPage.state().tour || {}).step || 0")


def wait_step(page, n, timeout=20_000) -> float:
    """Wait until ``page`` shows step ``n`` (state and panel); returns the seconds it took."""
    t0 = time.monotonic()
    page.wait_for_function(f"() => (window.DashPage.state().tour || {{}}).step === {n}", timeout=timeout)
    page.locator(PANEL).get_by_text(f"{n} / {len(TOUR)}", exact=True).wait_for(timeout=timeout)
    return time.monotonic() - t0


def start_room(page, server) -> tuple[str, str]:
    page.goto(server)
    wait_for_map(page)
    wait_idle(page)
    page.locator(SIDEBAR).get_by_text("Present live").click()
    page.locator(".st-key-live_start button").click()
    codes = page.locator(f"{SIDEBAR} [data-testid=stCode]")
    codes.nth(1).wait_for(timeout=30_000)
    audience, speaker = (codes.nth(i).inner_text().strip() for i in (0, 1))
    return audience, speaker


def test_followers_follow_the_presenter_explore_and_come_back(context_factory, server):
    presenter = context_factory(width=1280, height=800).new_page()
    audience, speaker = start_room(presenter, server)
    assert audience.startswith(server) and "key=" not in audience and "key=" in speaker
    presenter.locator(SIDEBAR).get_by_role("button", name="Start the guided tour").click()
    wait_step(presenter, 1)
    presenter.keyboard.press("PageDown")
    wait_step(presenter, 2)

    follower = context_factory(width=390, height=844).new_page()  # a phone in the room
    follower.goto(audience)
    wait_for_map(follower)
    wait_step(follower, 2)  # joined late: lands on the presenter's step
    follower.locator(".st-key-live_bar").get_by_text("Following the presenter").wait_for()
    follower.screenshot(path=str(ARTIFACTS / "live-follower-step-2.png"))

    lags = []
    for n in (3, 4):
        presenter.keyboard.press("PageDown")
        t0 = time.monotonic()
        wait_step(presenter, n)
        wait_step(follower, n)
        lags.append(time.monotonic() - t0)
    (ARTIFACTS / "live-follow-lag.txt").write_text(" ".join(f"{x:.2f}" for x in lags) + " s\n")

    # The presenter pans and zooms: the follower's map goes there.
    map_eval(presenter, "() => { " + AS_USER + " window.map.setView([39.8153, 46.7519], 12, {animate: false}); }")
    follower.wait_for_function(f"""() => {{ const m = document.querySelector('{MAP_FRAME}').contentWindow.map;
        const c = m.getCenter(); return m.getZoom() === 12 && Math.abs(c.lat - 39.8153) < 1e-3
            && Math.abs(c.lng - 46.7519) < 1e-3; }}""", timeout=20_000)

    # Exploring: the presenter's next step waits until "Follow again".
    follower.locator(".st-key-live_explore button").click()
    follower.locator(".st-key-live_bar").get_by_text("Exploring on your own.").wait_for(timeout=20_000)
    presenter.keyboard.press("PageDown")
    wait_step(presenter, 5)
    follower.wait_for_timeout(3000)  # three polls
    assert step_of(follower) == 4
    follower.locator(".st-key-live_follow button").click()
    wait_step(follower, 5)
    follower.screenshot(path=str(ARTIFACTS / "live-follower-followed-again.png"))

    # The speaker view drives the same room: notes open, the next step's title, a timer.
    spk = context_factory(width=1280, height=800).new_page()
    spk.goto(speaker)
    wait_for_map(spk)
    wait_idle(spk)
    spk.locator(SIDEBAR).get_by_role("button", name="Start the guided tour").click()
    wait_step(spk, 1)
    spk.keyboard.press("End")
    wait_step(spk, len(TOUR))
    box = spk.locator(f"{PANEL} .dash-speaker-box")
    assert box.locator(".next-title").inner_text() == "Last step"
    first = box.locator(".timer").inner_text()
    spk.wait_for_timeout(1200)
    assert box.locator(".timer").inner_text() != first  # it ticks
    if TOUR[-1].notes:
        assert spk.locator(f"{PANEL} details.notes").evaluate("d => d.open")
    spk.keyboard.press("PageUp")
    wait_step(spk, len(TOUR) - 1)
    assert spk.locator(f"{PANEL} .dash-speaker-box .next-title").inner_text() == f"Next: {TOUR[-1].title}"
    spk.screenshot(path=str(ARTIFACTS / "live-speaker-view.png"))
    wait_step(follower, len(TOUR) - 1)


def test_a_follower_cannot_drive_and_an_ended_room_is_said(context_factory, server):
    presenter = context_factory(width=1280, height=800).new_page()
    audience, _ = start_room(presenter, server)
    presenter.locator(SIDEBAR).get_by_role("button", name="Start the guided tour").click()
    wait_step(presenter, 1)
    follower = context_factory(width=1280, height=800).new_page()
    follower.goto(audience)
    wait_for_map(follower)
    wait_step(follower, 1)
    follower.keyboard.press("PageDown")  # the follower walks on by themself: only their page moves
    wait_step(follower, 2)
    other = context_factory(width=1280, height=800).new_page()
    other.goto(audience)
    wait_for_map(other)
    wait_step(other, 1)
    presenter.locator(".st-key-live_end button").click()
    warning = other.locator(".st-key-live_bar").get_by_text("has ended", exact=False)
    warning.wait_for(timeout=20_000)
    assert "The map stays as it is" in warning.inner_text()
    other.keyboard.press("PageDown")  # the page goes on
    wait_step(other, 2)


def test_two_server_processes_share_rooms_through_redis(context_factory, redis_url):
    """Two dashboard processes with ``--room-store redis://…`` (as behind a proxy): the
    presenter on one, a follower on the other, and a follower of the first process's link
    moved to the second (a replica gone) lands on the room's step."""
    one, url_one = start_server("--room-store", redis_url)
    two, url_two = start_server("--room-store", redis_url)
    try:
        presenter = context_factory(width=1280, height=800).new_page()
        audience, _ = start_room(presenter, url_one)
        presenter.locator(SIDEBAR).get_by_role("button", name="Start the guided tour").click()
        wait_step(presenter, 1)
        presenter.keyboard.press("PageDown")
        wait_step(presenter, 2)
        follower = context_factory(width=1280, height=800).new_page()
        follower.goto(audience.replace(url_one, url_two))
        wait_for_map(follower)
        wait_step(follower, 2)
        presenter.keyboard.press("PageDown")
        wait_step(follower, 3)
    finally:
        stop_server(one)
        stop_server(two)


def test_a_room_store_that_cannot_be_reached_is_said_and_the_page_works(context_factory):
    """``--room-store`` naming a Redis nobody runs: starting a room says why it cannot, the
    rest of the page works."""
    proc, url = start_server("--room-store", "redis://127.0.0.1:1/0")
    try:
        page = context_factory(width=1280, height=800).new_page()
        page.goto(url)
        wait_for_map(page)
        wait_idle(page)
        page.locator(SIDEBAR).get_by_text("Present live").click()
        page.locator(".st-key-live_start button").click()
        error = page.locator(SIDEBAR).get_by_text("The room store redis://127.0.0.1:1/0 cannot be reached", exact=False)
        error.wait_for(timeout=30_000)
        page.locator(SIDEBAR).get_by_role("button", name="Start the guided tour").click()
        wait_step(page, 1)
    finally:
        stop_server(proc)
