"""Real-browser fixtures: one `streamlit run dashboard.py` server per session,
Debian's headless Chromium driven by Playwright, no network beyond 127.0.0.1.

Every page gets a screenshot in ``test-artifacts/`` when its test ends.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.server import free_port, start_streamlit, stop

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def start_server(*extra_args: str, env: dict | None = None, timeout: float = 60):
    """Start the dashboard (options after ``--``); return (process, base_url)."""
    port = free_port()
    return start_streamlit(ROOT / "dashboard.py", *extra_args, log=ARTIFACTS / f"server-{port}.log",
                           port=port, env=env, timeout=timeout)


stop_server = stop


@pytest.fixture(scope="session")
def server():
    ARTIFACTS.mkdir(exist_ok=True)
    proc, url = start_server()
    yield url
    stop_server(proc)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's chromium is not installed at {CHROMIUM}: run `make browser`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        yield b
        b.close()


def local_only(blocked: list[str]):
    """A route handler that lets only 127.0.0.1 through and records the rest."""

    def handle(route):
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if host in ("127.0.0.1", "localhost") or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    return handle


@pytest.fixture
def context_factory(browser, request):
    """New browser contexts that can reach 127.0.0.1 only; screenshots at teardown."""
    contexts = []
    blocked: list[str] = []

    def make(width=1280, height=900):
        ctx = browser.new_context(viewport={"width": width, "height": height})
        ctx.route("**/*", local_only(blocked))
        contexts.append(ctx)
        return ctx

    make.blocked = blocked
    yield make
    ARTIFACTS.mkdir(exist_ok=True)
    for i, ctx in enumerate(contexts):
        for j, page in enumerate(ctx.pages):
            name = request.node.name.replace("/", "_").replace("[", "_").replace("]", "")
            suffix = f"-{i}-{j}" if (i or j) else ""
            try:
                page.screenshot(path=str(ARTIFACTS / f"{name}{suffix}.png"), full_page=False)
            except Exception as exc:  # a crashed page still lets the others be saved
                print(f"screenshot of {name} failed: {exc}")
        ctx.close()


@pytest.fixture
def page(context_factory):
    return context_factory().new_page()


def wait_for_map(page, min_paths: int = 1, timeout: float = 45_000):
    """Wait until the map frame shows Leaflet with at least ``min_paths`` SVG/canvas shapes,
    and has applied the page's state with the store's events, at rest (no flight or zoom animation)."""
    # Streamlit 1.67 paints some widgets only after the first pointer input in headless Chromium.
    page.mouse.move(2, 2)
    page.wait_for_selector(MAP_FRAME, timeout=timeout)
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-container").wait_for(timeout=timeout)
    page.wait_for_function(
        """([sel, n]) => {
            const f = document.querySelector(sel);
            if (!f || !f.contentDocument) return false;
            const d = f.contentDocument;
            const w = f.contentWindow;
            // at rest: Leaflet ignores a setView (a test's, a user's key) during a zoom animation
            return d.querySelectorAll('.leaflet-overlay-pane path').length >= n
                && w.DashMap && w.DashMap.paints > 0 && !w.DashMap.moving && w.map && !w.map._animatingZoom;
        }""",
        arg=[MAP_FRAME, min_paths], timeout=timeout,
    )
    return frame


def map_eval(page, script: str, arg=None):
    """Evaluate ``script`` (a function source) inside the map frame's window."""
    handle = page.wait_for_selector(MAP_FRAME)
    frame = handle.content_frame()
    if any(move in script for move in ("setView(", "fitBounds(", "panBy(", "panTo(", "setZoom(")):
        frame.evaluate("() => { " + AS_USER + " }")  # a test's move stands for the user's (see AS_USER)
    return frame.evaluate(script, arg)


#: JS (in the page): Streamlit is connected and runs nothing (its own test attributes).
IDLE = """() => { const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.dataset.testScriptState === 'notRunning' && app.dataset.testConnectionState === 'CONNECTED'
        && !document.querySelector('[data-testid="stStatusWidget"]'); }"""


def wait_idle(page, timeout: float = 30_000):
    """Wait until Streamlit has finished the current run (it is connected and running nothing).

    After an action that starts a run, wait for what the run shows (a URL, a state, a
    paint) rather than on this alone: the run may not have started yet."""
    page.wait_for_function(IDLE, timeout=timeout)


# --- the dashboard's own state, read in the browser ------------------------------------------

#: JS (in the page): the titles of the events the map draws now, in row order.
SHOWN_TITLES = f"""() => {{ const w = document.querySelector('{MAP_FRAME}').contentWindow;
    const s = window.DashPage.store(); return Array.from(w.DashMap.shown).map(r => s.cols.title.get(r)); }}"""


def shown_titles(page) -> list[str]:
    """Titles of the events on the map."""
    return page.evaluate(SHOWN_TITLES)


def paints(page) -> int:
    """How many times the map has drawn its events (wait for it to grow after a change)."""
    return page.evaluate(f"() => document.querySelector('{MAP_FRAME}').contentWindow.DashMap.paints")


def wait_painted(page, since: int, timeout: float = 30_000) -> None:
    """Wait until the map has drawn its events again after ``since`` paints."""
    page.wait_for_function(f"(n) => document.querySelector('{MAP_FRAME}').contentWindow.DashMap.paints > n",
                           arg=since, timeout=timeout)


def toggle(page, label: str):
    """The sidebar's layer toggle (a pill) whose text starts with ``label``."""
    return page.locator('[data-testid="stSidebar"] [data-testid="stButtonGroup"] button').filter(has_text=label)


def is_on(page, label: str) -> bool:
    return toggle(page, label).get_attribute("aria-pressed") == "true"


def page_state(page) -> dict:
    """The state the page last sent the browser."""
    return page.evaluate("() => window.DashPage.state()")


def in_view(page, component: str):
    """A locator inside one of the dashboard's views (their shadow roots): "dash_table",
    "dash_timeline", "dash_tour"."""
    return page.locator(f".st-key-{component}")


#: JS (map frame), put before a programmatic setView that stands for a user's zoom or pan: the
#: map then counts as moved by the user (static/js/dash-view.js does not re-fit it to the
#: state's view on a resize), as after a real wheel, drag or key.
AS_USER = "window.map.getContainer().dispatchEvent(new KeyboardEvent('keydown', {key: 'Shift', bubbles: true}));"

#: JS (map frame): ``visit(marker)`` for every event marker, on the map or in a group of
#: stacked events (leaflet.markercluster).
EACH_EVENT_MARKER = """const eachEventMarker = (visit) => window.map.eachLayer(l => {
    if (l.eventRow !== undefined) visit(l);
    if (l.getVisibleParent && l.getLayers) l.getLayers().forEach(x => { if (x.eventRow !== undefined) visit(x); }); });"""


def same_view(view, expected) -> bool:
    """Whether a map view [lat, lon, zoom] is ``expected`` to within one screen pixel (Web
    Mercator, 256-pixel tiles): a reopened link lands on whole pixels, as any Leaflet map."""
    import math

    (lat, lon, zoom), (lat0, lon0, zoom0) = view, expected
    deg = 360 / (256 * 2 ** zoom0)  # one pixel of longitude
    return zoom == zoom0 and abs(lon - lon0) <= deg and abs(lat - lat0) <= deg * math.cos(math.radians(lat0))
