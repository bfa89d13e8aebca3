# Two commands a newcomer needs: `make demo` and `make test`.
# Each creates .venv from the lock file on first use.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CHILDREN ?= 10000
# Browser tests drive Debian's Chromium; CJK fonts make screenshots legible.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test lint format serve bench clean lock audit

$(INSTALLED): requirements/lock.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/sunshine demo --children $(CHILDREN)

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-wqy-zenhei

test: $(INSTALLED) $(CHROMIUM) lint
	$(BIN)/pytest -n 2

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

serve: $(INSTALLED)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py runserver 127.0.0.1:8000

bench: $(INSTALLED)
	$(BIN)/sunshine bench engine --students 1000000 --baseline-c
	$(BIN)/sunshine bench lottery --entries 1000000
	$(BIN)/sunshine bench placement --pupils 2000 --classes 45
	$(BIN)/sunshine bench demo --children 10000

# Re-pin every dependency after editing pyproject.toml.
lock: $(INSTALLED)
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --extra dev --output-file requirements/lock.txt pyproject.toml

# Known vulnerabilities in every pinned dependency, from PyPI's advisory feed (or OSV with
# AUDIT_SERVICE=osv). Fails when a package cannot be looked up: an audit that could not
# look is not a pass. Kept out of `make test` because it needs those services.
AUDIT_SERVICE ?= pypi
audit:
	$(PYTHON) -m venv .venv-audit
	.venv-audit/bin/python -m pip install --quiet --disable-pip-version-check pip-audit==2.10.1
	.venv-audit/bin/pip-audit --requirement requirements/lock.txt --no-deps --disable-pip \
		--strict --progress-spinner off --vulnerability-service $(AUDIT_SERVICE)

clean:
	rm -rf $(VENV) .venv-audit var .pytest_cache .mypy_cache .ruff_cache .hypothesis

# Production serving on this machine: gunicorn (WORKERS processes), whitenoise, PostgreSQL,
# TASK_WORKERS SMS workers. The keys below are the demo's, for local use only.
DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/sunshine
WORKERS ?= 4
TASK_WORKERS ?= 1
# Threads per web process. A process answers a read with 429 while its recent mean time
# per request is above SHED_AFTER_MS, when the read waited longer than SHED_AFTER_QUEUED_MS
# for a thread, or past MAX_IN_FLIGHT requests at once (0: off).
WEB_THREADS ?= 2
MAX_IN_FLIGHT ?= 0
SHED_AFTER_MS ?= 100
SHED_AFTER_QUEUED_MS ?= 100
PROD_ENV = DEBUG=0 DATABASE_URL=$(DATABASE_URL) CONN_MAX_AGE=600 \
	ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=0 \
	SECRET_KEY=local-production-rehearsal-secret-key-not-for-a-real-city-0123456789 \
	SUNSHINE_FIELD_KEYS=demo1:ZGVtby1vbmx5LWZpZWxkLWtleS0zMi1ieXRlcyEhISE= \
	SUNSHINE_BLIND_INDEX_KEY=ZGVtby1vbmx5LWJsaW5kLWluZGV4LWtleS0zMmJ5dGU= \
	BIN=$(BIN) WORKERS=$(WORKERS) TASK_WORKERS=$(TASK_WORKERS) WEB_THREADS=$(WEB_THREADS) \
	SUNSHINE_MAX_CONCURRENT_REQUESTS=$(MAX_IN_FLIGHT) SUNSHINE_SHED_AFTER_MS=$(SHED_AFTER_MS) \
	SUNSHINE_SHED_AFTER_QUEUED_MS=$(SHED_AFTER_QUEUED_MS)

.PHONY: serve-prod load
serve-prod: $(INSTALLED)
	$(PROD_ENV) deploy/serve_prod.sh

# Opening-day load test against 127.0.0.1 (see deploy/load_test.sh for the knobs:
# CHILDREN, USERS, RUN_TIME, MAX_REQUESTS, WORKERS); the last line is the figures in JSON.
load: $(INSTALLED)
	$(PROD_ENV) CHILDREN=$(LOAD_CHILDREN) deploy/load_test.sh
LOAD_CHILDREN ?= 6000
