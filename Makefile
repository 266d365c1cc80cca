# Puente: `make run` and `make test` are the two commands a newcomer needs (see README).
SHELL := /bin/bash
.DEFAULT_GOAL := run
PORT ?= 8000
# Links in emails and text messages (check-backs, notifications) point at the port the app is served on.
export PUENTE_BASE_URL ?= http://127.0.0.1:$(PORT)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Find a Python >= 3.12: distribution names, pyenv shims (with PYENV_VERSION), pyenv's own versions, python3.
find-python = $(shell for c in python3.13 python3.12 \
	  "env PYENV_VERSION=$$(ls $$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions 2>/dev/null | grep -E '^3\.1[2-9]' | sort -V | tail -1) python3" \
	  $$(ls -d $$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions/3.1[2-9]*/bin/python 2>/dev/null | sort -rV) python3; do \
	  $$c -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1 && { echo "$$c"; break; }; done)

.PHONY: run test install install-test worker lint migrations-check demo-data clean help

help:
	@echo "make run   - install, migrate, load demo data, serve on http://127.0.0.1:$(PORT) (+ background worker)"
	@echo "make test  - install test needs (incl. Debian chromium) and run every test"

$(STAMP): requirements.txt requirements-dev.txt
	@PYBIN='$(call find-python)'; \
	if [ -z "$$PYBIN" ]; then echo "ERROR: Puente needs Python >= 3.12. Tried python3.13, python3.12, pyenv versions 3.12+, python3. Install one (e.g. apt install python3.12 or pyenv install 3.12)." >&2; exit 1; fi; \
	echo "Using $$PYBIN ($$($$PYBIN --version))"; \
	[ -x $(PY) ] || $$PYBIN -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check uv
	@UV_SYSTEM_CERTS=1 $(VENV)/bin/uv pip install -q --python $(PY) -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

install-test: install
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || { \
	  echo "Installing Debian chromium for the browser tests..."; \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium >/dev/null); \
	  else sudo apt-get install -y -q chromium >/dev/null; fi; }
	@[ -f node_modules/axe-core/axe.min.js ] || npm install --no-audit --no-fund --silent

run: install
	@mkdir -p var
	@PUENTE_MODE=$${PUENTE_MODE:-demo} DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput -v 0
	@PUENTE_MODE=$${PUENTE_MODE:-demo} DEBUG=$${DEBUG:-true} $(PY) manage.py seed_demo
	@PUENTE_MODE=$${PUENTE_MODE:-demo} DEBUG=$${DEBUG:-true} $(PY) manage.py run_clocks --schedule
	@PUENTE_MODE=$${PUENTE_MODE:-demo} DEBUG=$${DEBUG:-true} $(PY) manage.py send_referral_checkbacks --schedule
	@PUENTE_MODE=$${PUENTE_MODE:-demo} DEBUG=$${DEBUG:-true} $(PY) manage.py db_worker & WORKER=$$!; \
	trap "kill $$WORKER 2>/dev/null" EXIT INT TERM; \
	echo ""; echo "Puente is running at http://127.0.0.1:$(PORT)/  (background worker pid $$WORKER)"; echo ""; \
	PUENTE_MODE=$${PUENTE_MODE:-demo} DEBUG=$${DEBUG:-true} $(PY) manage.py runserver 0.0.0.0:$(PORT) --skip-checks

test: install-test
	@mkdir -p var
	PUENTE_MODE=test $(PY) -m pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check: install
	@mkdir -p var
	PUENTE_MODE=test $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) node_modules var staticfiles

# Benchmark (docs/performance.md): its own database, var/bench.sqlite3 unless DATABASE_URL is set; demo mode
# (the database task queue, as `make run`), DEBUG off (DEBUG keeps every query in memory). BENCH_ARGS="--scale 0.3".
.PHONY: bench
bench: install
	@mkdir -p var
	@export PUENTE_MODE=demo DEBUG=false DATABASE_URL="$${DATABASE_URL:-sqlite:///$(CURDIR)/var/bench.sqlite3}"; \
	$(PY) manage.py migrate --noinput -v 0 && $(PY) manage.py bench $(BENCH_ARGS)

# Load test (docs/performance.md): gunicorn + db_worker + locust on loopback against DATABASE_URL (PostgreSQL),
# after `make bench` (or generate_scale) has built the data. Not part of `make test`.
.PHONY: loadtest
loadtest: install
	@UV_SYSTEM_CERTS=1 $(VENV)/bin/uv pip install -q --python $(PY) -r requirements-loadtest.txt
	@mkdir -p var
	@PUENTE_MODE=demo DEBUG=false $(PY) manage.py loadtest $(LOADTEST_ARGS)
