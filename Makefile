# All project commands live here; the README and .ci/run call these targets.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PORT    ?= 8501

.PHONY: setup run test test-fast browser data bench load clean

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

## Every test: functions, AppTest, real browser
test: setup browser
	$(BIN)/python -m pytest

## Tests without a browser
test-fast: setup
	$(BIN)/python -m pytest -m "not browser"

## Rebuild data/layers/*.geojson from the source packages (build time only)
data: setup
	$(BIN)/python -m geo.build_data

## Benchmark: writes bench/results.json and prints a table
bench: setup browser
	$(BIN)/python -m bench.run

## Load test: the server alone (websocket clients, test-artifacts/wsload.json), then
## many headless viewers (test-artifacts/load.json), each against its own local server
load: setup browser
	$(BIN)/python -m bench.wsload
	$(BIN)/python -m bench.load

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache
