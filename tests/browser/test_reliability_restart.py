"""Issue 8, part 5: the server dies and comes back on the same port while a viewer
has a view open; the page reconnects to the same view, since the URL holds it.

Checks after the reconnect: the URL is unchanged, the checkboxes and the date
window are what the URL says, the map shows the event markers of that view,
and no error or exception is shown (Streamlit's own connection notice aside).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import subprocess
import time
from urllib.parse import parse_qs, urlsplit


from bench.load import MAP_MATCHES, Model
from geo.catalog import CATEGORIES, LAYER_LABELS
from geo.dataset import LAYER_KEYS
from bench.server import free_port, start_streamlit
from tests.browser.conftest import ARTIFACTS, MAP_FRAME, ROOT, map_eval, stop_server, wait_idle

LAYERS = ("countries", "nagorno_karabakh", "stepanakert", "cat:protest", "cat:diplomacy", "cat:blockade")
WINDOW = (dt.date(2023, 7, 1), dt.date(2023, 7, 15))
QUERY = f"layers={','.join(LAYERS)}&from={WINDOW[0]}&to={WINDOW[1]}&sel=stepanakert&base=none"


def _start(port: int, log_name: str) -> subprocess.Popen:
    return start_streamlit(ROOT / "dashboard.py", log=ARTIFACTS / log_name, port=port, timeout=60)[0]


def _label(key: str) -> str:
    return CATEGORIES[key[4:]] if key.startswith("cat:") else LAYER_LABELS[key]


CHECKBOXES = '[data-testid="stSidebar"] [data-testid="stCheckbox"]'


def _shows_the_view(page, layers, expected) -> None:
    """URL, checkboxes, slider and map all show ``layers`` and WINDOW; no error on the page."""
    query = {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}
    assert query == {"layers": ",".join(k for k in LAYER_KEYS if k in layers), "from": str(WINDOW[0]),
                     "to": str(WINDOW[1]), "sel": "stepanakert", "base": "none"}, query
    for key in LAYER_KEYS:
        box = page.locator(CHECKBOXES).filter(has_text=_label(key))
        assert box.locator("input").is_checked() == (key in layers), key
    slider = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]').inner_text()
    assert "1 Jul 2023" in slider and "15 Jul 2023" in slider, slider
    assert map_eval(page, MAP_MATCHES, list(expected))
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Some data could not be loaded").count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0


def _wait_for_view(page, expected, timeout_s: float) -> None:
    """Poll the map frame (looked up again each time: it may be replaced) until it shows ``expected``."""
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        try:
            frame = page.query_selector(MAP_FRAME)
            frame = frame and frame.content_frame()
            if frame and frame.evaluate("() => !!window.map") and frame.evaluate(MAP_MATCHES, list(expected)):
                return
        except Exception as exc:  # the frame went away mid-call
            last = exc
        page.wait_for_timeout(200)
    raise AssertionError(f"the map never showed the view of the URL ({last})")


@contextlib.contextmanager
def _viewer_through_a_restart(context_factory):
    """A viewer opens QUERY; the server is killed and restarted on the same port; yields
    (page, model, errors) once the page has reconnected and shows the URL's view."""
    ARTIFACTS.mkdir(exist_ok=True)
    model = Model(ROOT / "data")
    expected = model.expected(set(LAYERS), WINDOW)
    assert expected[0], "the view should show some events"
    port = free_port()
    proc = _start(port, f"restart-{port}-a.log")
    page = context_factory().new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"http://127.0.0.1:{port}/?{QUERY}")
        page.mouse.move(2, 2)
        page.wait_for_selector(MAP_FRAME, timeout=45_000)
        _wait_for_view(page, expected, 45)
        wait_idle(page)
        _shows_the_view(page, LAYERS, expected)

        proc.kill()  # a crash, not a clean shutdown
        proc.wait(10)
        # While the server is down Streamlit greys the widgets out (its own connection notice).
        page.wait_for_function(f"""() => document.querySelector('{CHECKBOXES} input').disabled""",
                               timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "restart-while-down.png"))
        proc = _start(port, f"restart-{port}-b.log")

        # Streamlit reconnects by itself (health polling, then a new websocket session).
        page.mouse.move(5, 5)
        page.wait_for_function(f"""() => !document.querySelector('{CHECKBOXES} input').disabled""",
                               timeout=90_000)
        wait_idle(page)
        _wait_for_view(page, expected, 30)
        _shows_the_view(page, LAYERS, expected)
        page.screenshot(path=str(ARTIFACTS / "restart-after.png"))
        yield page, model, errors
        assert errors == [], errors
    finally:
        stop_server(proc)


def _click_places(page, model) -> bool:
    """Switch Places on; True if the page applied it (checkbox, map and URL)."""
    page.locator(CHECKBOXES).filter(has_text=_label("places")).locator("label").click()
    page.wait_for_timeout(500)
    wait_idle(page)
    more = (*LAYERS, "places")
    try:
        _wait_for_view(page, model.expected(set(more), WINDOW), 20)
    except AssertionError:
        return False
    page.wait_for_function("() => new URLSearchParams(location.search).get('layers').includes('places')",
                           timeout=30_000)
    wait_idle(page)
    _shows_the_view(page, more, model.expected(set(more), WINDOW))
    return True


def test_view_survives_a_server_restart_on_the_same_port(context_factory):
    with _viewer_through_a_restart(context_factory) as (page, model, _):
        # The new server serves this viewer, with the same state: one more layer, the rest kept.
        assert _click_places(page, model)


def test_first_click_after_a_server_restart_is_applied(context_factory):
    """Regression: the new session's first run set every widget from the URL and so
    undid the click that run carried."""
    with _viewer_through_a_restart(context_factory) as (page, model, _):
        assert _click_places(page, model), "the first click after the reconnect was lost"
