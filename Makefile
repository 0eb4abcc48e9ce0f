# Dân vận chính quyền — `make run` (app on SQLite with demo data), `make test` (type check, then the test suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export FLASK_APP := wsgi.py

.PHONY: install translations db run worker typecheck test test-postgres test-browser browser-deps bench bench-deps load load-short extract-messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,load]'
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

# Every role under locust against gunicorn (4 workers), on SQLite and on PostgreSQL with Redis, with
# PostgreSQL restarted and Redis stopped in the middle and a full disk under evidence uploads; then every
# acknowledged write is looked for in the database (load/run.py). PostgreSQL and Redis are instances of
# the run's own (cluster `load` on port 5433, redis-server on 6380). `load` writes its figures into
# bench/README.md; `load-short` is the same checks, shorter (in .ci/run).
load: install translations
	$(BIN)/python load/run.py --users 64 --seconds 60 --write-readme

load-short: install translations
	$(BIN)/python load/run.py --users 16 --seconds 20

extract-messages: install
	$(BIN)/pybabel extract -F app/translations/babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations -l en --no-fuzzy-matching

clean:
	rm -rf $(VENV) instance/*.sqlite3

# Backups of the whole database (evidence files included): `make backup` writes a dated file under
# instance/backups/ (TO=folder/ or TO=file elsewhere); `make restore FILE=...` replaces the whole
# database with it after checking it (stop the app first). Run with the app's own environment.
.PHONY: backup restore
backup:
	APP_ENV=$${APP_ENV:-development} $(BIN)/flask backup create $(if $(TO),--to "$(TO)")

restore:
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=instance/backups/dan-van-YYYY-MM-DD-HHMMSS.zip"; exit 2; }
	APP_ENV=$${APP_ENV:-development} $(BIN)/flask backup restore "$(FILE)"
