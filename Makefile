# Laogan: `make run` serves the demo centre on http://127.0.0.1:8000; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
DEB_PACKAGES := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 chromium gettext poppler-utils
export DJANGO_SETTINGS_MODULE := laogan.settings

.PHONY: run test test-sqlite test-postgres install sysdeps python-check messages catalogue bench clean

python-check:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { \
	  echo "Laogan needs Python 3.12 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Install Python 3.12+ (with pyenv the .python-version file here selects it) or run: make PYTHON=python3.12 ..."; exit 1; }

$(VENV)/.installed: pyproject.toml | python-check
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $@

install: $(VENV)/.installed

# Debian packages the app and the suite need (CJK fonts for PDFs, pango for WeasyPrint, chromium for browser tests).
sysdeps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null; then echo "Missing system packages: $$missing (install them with your package manager)"; exit 1; fi; \
	  SUDO=$$([ $$(id -u) -eq 0 ] || echo sudo); \
	  echo "Installing system packages: $$missing"; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

messages: install
	@mkdir -p laogan/locale
	cd laogan && ../$(PY) ../manage.py compilemessages -l zh_Hans -v 0

# After changing user-facing text: refresh the zh_Hans catalogue, then translate its new entries.
catalogue: install
	cd laogan && ../$(PY) ../manage.py makemessages -l zh_Hans --no-location --no-obsolete -v 0

run: install sysdeps messages
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py collectstatic --noinput -v 0
	@echo "Serving http://127.0.0.1:8000 (gunicorn + worker); Ctrl-C stops both."
	@trap 'kill $$worker 2>/dev/null; wait' EXIT; \
	$(PY) manage.py worker & worker=$$!; \
	$(VENV)/bin/gunicorn laogan.wsgi --bind 127.0.0.1:8000 --workers 3 --access-logfile - --graceful-timeout 5

test: install sysdeps messages
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgres

test-sqlite:
	@echo "== test suite on SQLite =="
	env -u DATABASE_URL $(PY) -m pytest

test-postgres:
	@if $(PY) scripts/pg_reachable.py "$(PG_URL)"; then \
	  echo "== test suite on PostgreSQL ($(PG_URL)) =="; \
	  DATABASE_URL="$(PG_URL)" $(PY) -m pytest; \
	else \
	  echo; echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo "!!  PostgreSQL is NOT reachable at $(PG_URL): the PostgreSQL run was SKIPPED."; \
	  echo "!!  Start it with: pg_ctlcluster --skip-systemctl-redirect \$$(ls /etc/postgresql) main start"; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; echo; \
	fi

# Benchmark suite (docs/PERFORMANCE.md): make bench MEMBERS=100000 DB=sqlite|postgres IMPORT_ROWS=100000 REPEATS=5
MEMBERS ?= 100000
DB ?= sqlite
IMPORT_ROWS ?= 100000
REPEATS ?= 5
PEER_REPEATS ?= 1
CLIENTS ?= 20
DURATION ?= 10
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/laogan_bench
BENCH_ARGS ?=

bench: install
	@$(PY) -c 'import import_export' 2>/dev/null || $(PY) -m pip install -q -e '.[bench]'
	@command -v wrk >/dev/null || { command -v apt-get >/dev/null && \
	  SUDO=$$([ $$(id -u) -eq 0 ] || echo sudo) && \
	  { $$SUDO apt-get install -y -q wrk >/dev/null 2>&1 || { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q wrk >/dev/null; }; }; } || \
	  echo "wrk is not installed: the HTTP measures use the suite's own threaded client"
	env -u DATABASE_URL $(PY) bench/run.py --members $(MEMBERS) --db $(DB) --pg-url "$(BENCH_PG_URL)" \
	  --import-rows $(IMPORT_ROWS) --repeats $(REPEATS) --peer-repeats $(PEER_REPEATS) --clients $(CLIENTS) \
	  --duration $(DURATION) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var bench/var
