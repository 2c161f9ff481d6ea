"""Shared test set-up: tests under tests/browser/ carry the ``browser`` marker."""

import os
import re
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]

#: Hypothesis: the full number of examples in CI (CI=true, as .ci/run sets it) or with
#: HYPOTHESIS_PROFILE=full; a fifth of it (at least 10) otherwise, for a quick local run.
FULL_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "full" if os.environ.get("CI") else "quick") == "full"
settings.register_profile("full", deadline=None, print_blob=True)
settings.register_profile("quick", deadline=None)
settings.load_profile("full" if FULL_PROFILE else "quick")


def examples(full: int) -> int:
    """How many examples a property test runs: ``full`` in the full profile, a fifth otherwise."""
    return full if FULL_PROFILE else max(10, full // 5)


def rendered(markdown: str) -> str:
    """The text a viewer reads from Markdown made by ``ui.notices.literal`` (AppTest gives
    the Markdown source): backslash escapes resolved, code spans as their content, hard
    line breaks as newlines."""
    text = markdown.replace("  \n", "\n")
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        elif ch == "`":
            fence = re.match(r"`+", text[i:]).group()
            end = re.compile(rf"(?<!`){fence}(?!`)").search(text, i + len(fence))
            body = text[i + len(fence):end.start()]
            if len(body) > 1 and body.startswith(" ") and body.endswith(" "):
                body = body[1:-1]
            out.append(body)
            i = end.end()
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def pytest_collection_modifyitems(items):
    for item in items:
        if "browser" in Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A redis-server of its own on 127.0.0.1 (Debian's redis-server; .ci/run installs it),
    stopped after the session. Without redis-server: skipped on a developer's machine, an
    error in CI (CI=true), where the Redis tests must run."""
    import shutil
    import socket
    import subprocess
    import time

    from bench.server import free_port

    exe = shutil.which("redis-server")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed (apt-get install redis-server)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    where = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(where), "--daemonize", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as c:
                c.sendall(b"PING\r\n")
                if c.recv(16).startswith(b"+PONG"):
                    break
        except OSError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail("redis-server did not start")
        time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)
