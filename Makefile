# Mötesplatser – the README's two commands are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
DEMO_PASSWORD ?= motesplatser-demo
DEMO_EVENTS ?= 400
DEMO_REGISTRATIONS ?= 4000
# In CI (CI=true) the suite runs on SQLite and then on the local PostgreSQL.
POSTGRES_TEST_URL ?= postgres://postgres@127.0.0.1:5432/postgres
PYTEST_ARGS ?=

.PHONY: help run serve test test-sqlite test-postgres lint install translations messages lock clean

help:
	@echo "make run    set up everything (.venv, database, demo data) and serve on http://$(HOST):$(PORT)"
	@echo "make test   run every test (on SQLite; with CI=true or TEST_POSTGRES=1 also on PostgreSQL)"
	@echo "            browser tests need Debian's chromium (apt-get install chromium); without it they are skipped"
	@echo "make lint   ruff, Django's system checks and a check for missing migrations"
	@echo "make messages  update locale/sv/LC_MESSAGES/django.po from the code (needs GNU gettext)"
	@echo "make lock   re-pin requirements/*.txt from requirements/*.in (with hashes)"

# The virtual environment is rebuilt only when a lock file changes.
$(VENV)/.installed: requirements/base.txt requirements/dev.txt
	@set -e; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		python=$$(scripts/find-python); \
		echo "Creating $(VENV) with $$python"; \
		rm -rf $(VENV); "$$python" -m venv $(VENV); \
	fi; \
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip; \
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes \
		-r requirements/base.txt -r requirements/dev.txt
	@touch $@

install: $(VENV)/.installed

# ical.js (npm) parses the calendar feeds in the tests, as Thunderbird and Nextcloud do.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the ical.js feed tests will be skipped (they fail in CI)"; fi

translations: install
	@$(PY) manage.py compiletranslations

run: install translations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py seed_demo --if-empty --events $(DEMO_EVENTS) --registrations $(DEMO_REGISTRATIONS) --password "$(DEMO_PASSWORD)"
	@echo
	@echo "  Mötesplatser: http://$(HOST):$(PORT)/   (English: http://$(HOST):$(PORT)/en/events/)"
	@echo "  Admin:        http://$(HOST):$(PORT)/admin/  admin@example.org / $(DEMO_PASSWORD)"
	@echo
	$(VENV)/bin/gunicorn portal.wsgi -c gunicorn.conf.py --bind $(HOST):$(PORT) --workers $(WORKERS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

test-sqlite: install translations node_modules/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

# Browser tests and the benchmark smoke run exercise pages, not the database: the PostgreSQL
# pass leaves them out.
test-postgres: install translations node_modules/.installed
	DATABASE_URL=$(POSTGRES_TEST_URL) $(PY) -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

test: lint test-sqlite
	@if [ "$${CI:-}" = "true" ] || [ -n "$${TEST_POSTGRES:-}" ]; then $(MAKE) --no-print-directory test-postgres; fi

messages: install
	$(PY) manage.py makemessages -l sv --ignore=.venv --ignore=staticfiles --ignore=bench --no-obsolete

lock:
	$(PY) -m pip install --quiet pip-tools
	cd requirements && ../$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links -o base.txt base.in
	cd requirements && ../$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links -o dev.txt dev.in

clean:
	rm -rf $(VENV) node_modules staticfiles var db.sqlite3* .pytest_cache test-results
	find locale -name '*.mo' -delete
