"""``make serve REPLICAS=N``: N dashboard processes behind Debian's nginx, with a Redis of
their own for the live rooms, all on 127.0.0.1 (the local twin of deploy/compose.yaml).

The same files as the containers: ``deploy/nginx.conf`` verbatim (with the two files it
includes written here: where nginx listens, and one ``server`` line per process) and
``deploy/start-app.sh`` to start each process. Every process gets the same cookie secret, so
a browser that a failover moves to another process keeps a valid XSRF cookie.

    python -m tools.serve --replicas 2 --port 8080

:class:`Cluster` is what the tests start and stop (tests/browser/test_replicas_browser.py).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.server import ROOT, free_port

DEPLOY = ROOT / "deploy"
NGINX_CONF = DEPLOY / "nginx.conf"
#: The app's start command, as the containers run it (deploy/Dockerfile, deploy/compose.yaml).
APP_COMMAND = ["sh", "deploy/start-app.sh"]
#: The files deploy/nginx.conf includes (each setup writes its own).
INCLUDES = ("listen.conf", "upstream.conf")


def _wait_http(url: str, proc: subprocess.Popen, what: str, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{what} did not answer {url} in {timeout:.0f} s; see {log}")


class Cluster:
    """Redis, ``replicas`` dashboard processes and nginx in front, started in that order."""

    def __init__(self, replicas: int = 2, port: int | None = None, room_store: str | None = None,
                 workdir: Path | None = None):
        if replicas < 1:
            raise ValueError("replicas must be 1 or more")
        self.replicas = replicas
        self.port = port or free_port()
        self.room_store = room_store
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="dashboard-serve-"))
        self.redis: subprocess.Popen | None = None
        self.apps: list[subprocess.Popen] = []
        self.app_ports: list[int] = []
        self.nginx: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app_url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.app_ports[i]}"

    def _log(self, name: str):
        return open(self.workdir / name, "w")

    def start(self) -> Cluster:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        if self.room_store is None:
            exe = shutil.which("redis-server")
            if exe is None:
                raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
            port = free_port()
            self.redis = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                           "--appendonly", "no", "--dir", str(self.workdir)],
                                          stdout=self._log("redis.log"), stderr=subprocess.STDOUT)
            self.room_store = f"redis://127.0.0.1:{port}/0"
        secret = secrets.token_hex(32)
        for i in range(self.replicas):
            port = free_port()
            env = {**os.environ, "PORT": str(port), "ADDRESS": "127.0.0.1", "PYTHON": sys.executable,
                   "DASHBOARD_ROOM_STORE": self.room_store, "STREAMLIT_SERVER_COOKIE_SECRET": secret,
                   "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}
            self.apps.append(subprocess.Popen(APP_COMMAND, cwd=ROOT, env=env, stdout=self._log(f"app-{i + 1}.log"),
                                              stderr=subprocess.STDOUT))
            self.app_ports.append(port)
        for i, proc in enumerate(self.apps):
            _wait_http(self.app_url(i) + "/_stcore/health", proc, f"dashboard process {i + 1}",
                       self.workdir / f"app-{i + 1}.log")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise RuntimeError("nginx is not installed (apt-get install nginx)")
        shutil.copyfile(NGINX_CONF, self.workdir / "nginx.conf")
        (self.workdir / "listen.conf").write_text(f"listen 127.0.0.1:{self.port};\n")
        (self.workdir / "upstream.conf").write_text("".join(
            f"server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;\n" for p in self.app_ports))
        self.nginx = subprocess.Popen([nginx, "-e", "stderr", "-p", str(self.workdir), "-c",
                                       str(self.workdir / "nginx.conf")],
                                      stdout=self._log("nginx.log"), stderr=subprocess.STDOUT)
        _wait_http(self.url + "/_stcore/health", self.nginx, "nginx", self.workdir / "nginx.log", timeout=30)

    def kill_app(self, i: int) -> None:
        """Stop dashboard process ``i`` at once (a replica that dies)."""
        self.apps[i].kill()
        self.apps[i].wait(10)

    def stop(self) -> None:
        for proc in [self.nginx, *self.apps, self.redis]:
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.serve", description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--room-store", default=None, help="a Redis of yours (redis://...); default: start one")
    args = parser.parse_args(argv)
    cluster = Cluster(args.replicas, args.port, args.room_store)
    cluster.start()
    print(f"{args.replicas} dashboard processes behind nginx on {cluster.url} (logs in {cluster.workdir}); "
          "Ctrl+C stops them.", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while all(p.poll() is None for p in [cluster.nginx, *cluster.apps]):
            time.sleep(1)
        print("A process ended; stopping the rest.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
