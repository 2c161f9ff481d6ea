"""The local several-process setup (`make serve`, tools/serve.py) and the containers
(deploy/Dockerfile, deploy/compose.yaml) use the same nginx configuration and the same
app start command, and that configuration is one nginx accepts."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT
from tools import serve

DEPLOY = ROOT / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_the_local_setup_uses_the_deploy_files():
    assert serve.NGINX_CONF == DEPLOY / "nginx.conf"
    assert serve.APP_COMMAND == ["sh", "deploy/start-app.sh"]


def test_compose_runs_the_same_nginx_configuration_and_start_command():
    nginx, app = COMPOSE["services"]["nginx"], COMPOSE["services"]["app"]
    mounts = {m.split(":")[1]: m.split(":")[0] for m in nginx["volumes"]}
    assert mounts["/etc/nginx/nginx.conf"] == "./nginx.conf"  # the very file tools/serve.py copies
    for name in serve.INCLUDES:  # the files it includes, the compose setup's own
        assert mounts[f"/etc/nginx/{name}"] == f"./compose/{name}"
        assert (DEPLOY / "compose" / name).is_file()
    assert app["command"] == serve.APP_COMMAND
    assert 'CMD ["sh", "deploy/start-app.sh"]' in (DEPLOY / "Dockerfile").read_text()
    assert app["environment"]["DASHBOARD_ROOM_STORE"].startswith("redis://redis:")
    assert "STREAMLIT_SERVER_COOKIE_SECRET" in app["environment"]  # one secret for every replica
    assert "redis" in COMPOSE["services"]


def test_the_includes_hold_only_where_to_listen_and_the_processes():
    conf = (DEPLOY / "nginx.conf").read_text()
    for name in serve.INCLUDES:
        assert f"include {name};" in conf
    lines = [ln.strip() for ln in (DEPLOY / "compose" / "listen.conf").read_text().splitlines() if ln.strip()]
    assert lines and all(ln.startswith("listen ") for ln in lines)
    lines = [ln.strip() for ln in (DEPLOY / "compose" / "upstream.conf").read_text().splitlines()
             if ln.strip() and not ln.strip().startswith("#")]
    assert lines and all(ln.startswith("server ") for ln in lines)


def test_nginx_accepts_the_configuration(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed (apt-get install nginx)")
        pytest.skip("nginx is not installed")
    shutil.copyfile(DEPLOY / "nginx.conf", tmp_path / "nginx.conf")
    (tmp_path / "listen.conf").write_text("listen 127.0.0.1:1;\n")
    (tmp_path / "upstream.conf").write_text("server 127.0.0.1:2;\nserver 127.0.0.1:3;\n")
    done = subprocess.run([nginx, "-t", "-e", "stderr", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr
