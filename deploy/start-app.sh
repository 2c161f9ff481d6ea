#!/bin/sh
# One dashboard process: the start command of `make serve` (tools/serve.py) and of each app
# container (deploy/Dockerfile, deploy/compose.yaml). PORT and ADDRESS say where it listens;
# DASHBOARD_ROOM_STORE (redis://...) where the live rooms are shared; every process behind one
# proxy needs the same STREAMLIT_SERVER_COOKIE_SECRET (a browser moved to another process after a
# failover keeps a valid XSRF cookie for its uploads).
set -eu
cd "$(dirname "$0")/.."
exec "${PYTHON:-python}" -m streamlit run dashboard.py \
    --server.port "${PORT:-8501}" --server.address "${ADDRESS:-0.0.0.0}" \
    --server.headless true --browser.gatherUsageStats false
