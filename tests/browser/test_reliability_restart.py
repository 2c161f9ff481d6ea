"""Issue 8, part 5: the server dies and comes back on the same port while a viewer
has a view open; the page reconnects to the same view, since the URL holds it.

Checks after the reconnect: the URL is unchanged, the toggles and the date
window are what the URL says, the map shows the events of that view, and no
error or exception is shown (Streamlit's own connection notice aside).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest

from bench.server import free_port, start_streamlit
from geo.catalog import CATEGORIES, LAYER_LABELS
from geo.dataset import LAYER_KEYS, load_dataset
from geo.window import EventIndex
from tests.browser.conftest import ARTIFACTS, MAP_FRAME, ROOT, SHOWN_TITLES, is_on, stop_server, toggle, wait_idle

LAYERS = ("countries", "nagorno_karabakh", "stepanakert", "cat:protest", "cat:diplomacy", "cat:blockade")
WINDOW = (dt.date(2023, 7, 1), dt.date(2023, 7, 15))
QUERY = f"layers={','.join(LAYERS)}&from={WINDOW[0]}&to={WINDOW[1]}&sel=stepanakert&base=none"


def _start(port: int, log_name: str) -> subprocess.Popen:
    return start_streamlit(ROOT / "dashboard.py", log=ARTIFACTS / log_name, port=port, timeout=60)[0]


def _label(key: str) -> str:
    return CATEGORIES[key[4:]] if key.startswith("cat:") else LAYER_LABELS[key]


TOGGLES = '[data-testid="stSidebar"] [data-testid="stButtonGroup"] button'


class Model:
    """What the map must show for some layers and a window: the titles of the events."""

    def __init__(self, data_dir):
        self.index = EventIndex.build(load_dataset(data_dir).events)

    def expected(self, layers: set[str], window) -> list[str]:
        rows = self.index.take(self.index.rows(*window))
        return sorted(rows.loc[[f"cat:{c}" in layers for c in rows["category"]], "title"])


#: JS (in the page): the sorted titles the map shows equal the expected ones.
MAP_MATCHES = f"""(expected) => {{ const f = document.querySelector('{MAP_FRAME}');
    if (!f || !f.contentWindow.DashMap || !window.DashPage || !window.DashPage.store()) return false;
    return JSON.stringify(({SHOWN_TITLES})().sort()) === JSON.stringify(expected); }}"""


def _shows_the_view(page, layers, expected) -> None:
    """URL, toggles, slider and map all show ``layers`` and WINDOW; no error on the page."""
    query = {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items() if k not in ("c", "z")}
    assert query == {"layers": ",".join(k for k in LAYER_KEYS if k in layers), "from": str(WINDOW[0]),
                     "to": str(WINDOW[1]), "sel": "stepanakert", "base": "none"}, query
    for key in LAYER_KEYS:
        assert is_on(page, _label(key)) == (key in layers), key
    slider = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]').inner_text()
    assert "1 Jul 2023" in slider and "15 Jul 2023" in slider, slider
    assert page.evaluate(MAP_MATCHES, expected)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Some data could not be loaded").count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0


def _wait_for_view(page, expected, timeout_s: float) -> None:
    """Wait until the map (whichever frame holds it now) shows ``expected``."""
    try:
        page.wait_for_function(MAP_MATCHES, arg=expected, timeout=timeout_s * 1000)
    except Exception as exc:
        raise AssertionError(f"the map never showed the view of the URL ({exc})") from None


@contextlib.contextmanager
def _viewer_through_a_restart(context_factory):
    """A viewer opens QUERY; the server is killed and restarted on the same port; yields
    (page, model, errors) once the page has reconnected and shows the URL's view."""
    ARTIFACTS.mkdir(exist_ok=True)
    model = Model(ROOT / "data")
    expected = model.expected(set(LAYERS), WINDOW)
    assert expected, "the view should show some events"
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
        page.wait_for_function(f"""() => document.querySelector('{TOGGLES}').disabled""", timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "restart-while-down.png"))
        proc = _start(port, f"restart-{port}-b.log")

        # Streamlit reconnects by itself (health polling, then a new websocket session).
        page.mouse.move(5, 5)
        page.wait_for_function(f"""() => !document.querySelector('{TOGGLES}').disabled""", timeout=90_000)
        wait_idle(page)
        _wait_for_view(page, expected, 30)
        _shows_the_view(page, LAYERS, expected)
        page.screenshot(path=str(ARTIFACTS / "restart-after.png"))
        yield page, model, errors
        assert errors == [], errors
    finally:
        stop_server(proc)


def _click_places(page, model) -> bool:
    """Switch Places on; True if the page applied it (toggle, map and URL)."""
    toggle(page, _label("places")).click()
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


@pytest.mark.slow
def test_view_survives_a_server_restart_on_the_same_port(context_factory):
    with _viewer_through_a_restart(context_factory) as (page, model, _):
        # The new server serves this viewer, with the same state: one more layer, the rest kept.
        assert _click_places(page, model)


@pytest.mark.slow
def test_first_click_after_a_server_restart_is_applied(context_factory):
    """Regression: the new session's first run set every widget from the URL and so
    undid the click that run carried."""
    with _viewer_through_a_restart(context_factory) as (page, model, _):
        assert _click_places(page, model), "the first click after the reconnect was lost"
