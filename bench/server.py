"""Start and stop a `streamlit run` server on 127.0.0.1, for the benchmark,
the load test and the browser tests (one implementation for all three)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(app: Path, *args: str, log: Path, port: int | None = None, env: dict | None = None,
                    timeout: float = 90, flags: tuple[str, ...] = ()) -> tuple[subprocess.Popen, str]:
    """Run ``streamlit run app [flags] -- *args`` on 127.0.0.1 and wait until /_stcore/health answers.

    ``flags`` are Streamlit's own options, e.g. ``("--server.enableWebsocketCompression", "true")``.

    Returns (process, base URL). The server's output goes to ``log``; a server
    that exits or does not answer within ``timeout`` seconds raises RuntimeError
    naming the log.
    """
    port = port or free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *flags]
    if args:
        cmd += ["--", *args]
    log = Path(log)
    log.parent.mkdir(parents=True, exist_ok=True)
    out = open(log, "w")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                            env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"streamlit did not become healthy in {timeout}s; see {log}")


def stop(proc: subprocess.Popen) -> None:
    """Terminate a server started by :func:`start_streamlit` (kill it after 10 s)."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
