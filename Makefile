# Family Hub: `make run` serves the demo, `make test` runs lint, types and tests.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi:app

.PHONY: run test lint types security pytest bench load setup demo clean

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

run: demo
	@echo "Serving Family Hub on http://127.0.0.1:$(PORT) (Ctrl+C to stop)"
	FAMILY_HUB_DEMO=1 $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .

types: $(STAMP)
	$(BIN)/mypy

security: $(STAMP)
	$(BIN)/bandit -q -r hub services routing -ll

pytest: $(STAMP)
	$(BIN)/python -m pytest -n 2

test: lint types security pytest

bench: $(STAMP)
	$(BIN)/python bench/routing_bench.py

clean:
	rm -rf $(VENV) instance/*.db instance/*.db-wal instance/*.db-shm
