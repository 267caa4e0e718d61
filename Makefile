# Two commands on a fresh machine with Python 3.11+ and make:
#   make run    install into .venv, migrate, serve on http://127.0.0.1:8000 (SQLite in ./data)
#   make test   install into .venv and run the whole suite (SQLite; PostgreSQL when
#               LEGAL_TRACKER_TEST_DATABASE_URL names one)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint deadcode typecheck install seed clean screenshots

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/legal-tracker serve

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

# Unused code at vulture's confidence >= 80; vulture_whitelist.py lists the false positives.
deadcode: $(STAMP)
	$(BIN)/vulture legal_tracker api calendars documents web vulture_whitelist.py --min-confidence 80

typecheck: $(STAMP)
	$(BIN)/mypy legal_tracker api calendars documents web

# The web app's pages at 360 and 1280 px, as docs/web.md shows them (needs chromium).
screenshots: $(STAMP)
	LEGAL_TRACKER_SCREENSHOT_DIR=docs/screenshots $(BIN)/pytest -q tests/web -k browser

seed: $(STAMP)
	$(BIN)/legal-tracker seed-demo

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
