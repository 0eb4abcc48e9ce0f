# Dân vận chính quyền — `make run` (app on SQLite with demo data), `make test` (type check, then the test suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export FLASK_APP := wsgi.py

.PHONY: install translations db run worker typecheck test test-postgres test-browser browser-deps bench bench-deps extract-messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

translations: install
	$(BIN)/pybabel compile -d app/translations -D messages --statistics

db: install translations
	mkdir -p instance
	APP_ENV=development $(BIN)/flask db upgrade
	APP_ENV=development $(BIN)/flask demo

run: db
	APP_ENV=development $(BIN)/flask run --host 127.0.0.1 --port 5000

# In a second terminal beside `make run`: tells what is due each day and sends the mail (saved as
# .eml under instance/mail/ when MAIL_SERVER is not set).
worker: install translations
	APP_ENV=development $(BIN)/flask notify worker

typecheck: install
	$(BIN)/mypy

test: install translations typecheck
	$(BIN)/python -m pytest -q

test-postgres: install translations
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest -q -m "not browser"

browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Debian's chromium package (sudo apt-get install chromium) for the browser tests"; exit 1; fi; }

test-browser: install translations browser-deps
	REQUIRE_BROWSER=1 $(BIN)/python -m pytest -q -m browser

bench-deps:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "Install wrk (sudo apt-get install wrk) for the bench"; exit 1; fi; }

# Data sets on PostgreSQL (BENCH_DATABASE_URL, a scratch database) and SQLite, page timings, and wrk
# against a bare Flask app: written into bench/README.md (see bench/run.py).
bench: install translations bench-deps
	$(BIN)/python bench/run.py

extract-messages: install
	$(BIN)/pybabel extract -F app/translations/babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations -l en --no-fuzzy-matching

clean:
	rm -rf $(VENV) instance/*.sqlite3
