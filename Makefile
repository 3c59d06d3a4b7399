# Family Hub: `make run` serves the demo, `make test` runs lint, types and tests.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi:app

.PHONY: run test lint types security pytest browser bench load setup demo clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependency list changes, so a second run is quick.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	FAMILY_HUB_DEMO=1 $(BIN)/flask db upgrade
	FAMILY_HUB_DEMO=1 $(BIN)/flask demo load

# The job worker (queue in instance/jobs.db) runs as a second process beside the server
# and stops with it, so the demo's emails, reminders and schedule really run.
run: demo
	@echo "Serving Family Hub on http://127.0.0.1:$(PORT), with a job worker (Ctrl+C to stop)"
	@FAMILY_HUB_DEMO=1 HOST=127.0.0.1 PORT=$(PORT) $(BIN)/flask jobs worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	FAMILY_HUB_DEMO=1 HOST=127.0.0.1 PORT=$(PORT) $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .

types: $(STAMP)
	$(BIN)/mypy

security: $(STAMP)
	$(BIN)/bandit -q -r hub services routing -ll

TEST_NICE ?= 0
pytest: $(STAMP)
	nice -n $(TEST_NICE) $(BIN)/python -m pytest -n 2 --dist loadgroup

# The journeys mostly wait (on Chromium, gunicorn and their own set-up) while pytest
# keeps both cores busy: side by side the whole run takes minutes less. pytest runs
# at a lower priority (TEST_NICE) so that the journeys' pages still answer within
# their time limits. Each part's output is printed whole when it ends.
test: lint types security
	$(MAKE) --no-print-directory -j2 --output-sync=target pytest browser TEST_NICE=10

# Browser journeys (Playwright + Debian's /usr/bin/chromium, axe-core): one process, in
# order, against gunicorn. They skip with a reason when chromium or playwright is absent.
browser: $(STAMP)
	# Exit 5 is pytest's "nothing ran": the journeys skip where Chromium is absent.
	$(BIN)/python -m pytest tests/browser -p no:xdist || [ $$? -eq 5 ]

bench: $(STAMP)
	$(BIN)/python bench/routing_bench.py

# Load test: gunicorn (2 workers) on the demo grown to 10,000 services and 50,000
# referrals (SQLite, or LOAD_DATABASE_URL), driven from this machine for 20 s a scenario.
load: $(STAMP)
	@# wrk (Debian's package) drives the load far more cheaply than Python threads;
	@# without it (and without root to install it) the Python generator is used.
	@command -v wrk >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || { apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || true
	$(BIN)/python bench/load/run.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) instance/*.db instance/*.db-wal instance/*.db-shm
