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
    """Wait until the map frame shows Leaflet with at least ``min_paths`` SVG/canvas shapes."""
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
            return d.querySelectorAll('.leaflet-overlay-pane path').length >= n;
        }""",
        arg=[MAP_FRAME, min_paths], timeout=timeout,
    )
    return frame


def map_eval(page, script: str, arg=None):
    """Evaluate ``script`` (a function source) inside the map frame's window."""
    handle = page.wait_for_selector(MAP_FRAME)
    frame = handle.content_frame()
    return frame.evaluate(script, arg)


def wait_idle(page, timeout: float = 30_000):
    """Wait until Streamlit has finished the current run."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout
    )
