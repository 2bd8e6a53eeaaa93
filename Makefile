# M100 Hub — the README's commands. `make run` serves the hub; `make test` runs every test.
SHELL := /bin/bash
#: the one place that names the Python version (pyproject's requires-python follows it)
PYTHON_VERSION := $(shell cat .python-version)
PYTHON ?= python$(PYTHON_VERSION)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py

.PHONY: run serve test worker bench install install-dev lock frontend translations extract \
	migrate seed lint clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python $(PYTHON_VERSION) ($(PYTHON)) is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Python packages come from the lock files, every file checked against its hash; the project
# itself then goes in editable, built by the locked setuptools (no unpinned build download).
$(VENV)/.installed: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

# Regenerate the lock files from pyproject.toml (pip-tools). Pins are kept unless
# LOCK_ARGS=--upgrade (everything) or LOCK_ARGS="--upgrade-package flask" asks for newer ones.
# The dev lock is constrained by the runtime one, so both install the same versions.
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock: $(VENV)/.installed-dev
	$(PIP_COMPILE) --build-deps-for wheel -o requirements.txt pyproject.toml
	$(PIP_COMPILE) --extra dev -c requirements.txt -o requirements-dev.txt pyproject.toml

install: $(VENV)/.installed frontend translations

install-dev: $(VENV)/.installed-dev frontend translations

# Front-end packages from npm, copied into an ignored static/vendor/.
frontend: m100hub/static/vendor/socket.io.min.js m100hub/static/vendor/swagger-ui/swagger-ui-bundle.js

m100hub/static/vendor/socket.io.min.js: package.json
	npm install --no-audit --no-fund --silent
	mkdir -p m100hub/static/vendor
	cp node_modules/socket.io-client/dist/socket.io.min.js m100hub/static/vendor/

# Swagger UI, the open-data page's browsable reference of the API
m100hub/static/vendor/swagger-ui/swagger-ui-bundle.js: m100hub/static/vendor/socket.io.min.js
	mkdir -p m100hub/static/vendor/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
		node_modules/swagger-ui-dist/LICENSE m100hub/static/vendor/swagger-ui/

translations:
	$(BIN)/pybabel -q compile -d m100hub/translations

# Refresh the catalogues after changing user-visible strings.
extract: | $(BIN)/python
	$(BIN)/pybabel -q extract --no-location --sort-output -F babel.cfg -k _l -k lazy_gettext -o m100hub/translations/messages.pot .
	$(BIN)/pybabel -q update -N -i m100hub/translations/messages.pot -d m100hub/translations

migrate: install
	$(BIN)/flask db upgrade

# The development commands use Redis when it answers now (a laptop may have none: then tasks
# run inside the one process), unless USE_REDIS says; every other process uses Redis.
DEV_USE_REDIS = USE_REDIS=$${USE_REDIS:-$$($(BIN)/python -m m100hub.devserver --redis-answers)}

seed: migrate
	$(DEV_USE_REDIS) $(BIN)/flask m100 seed-demo

run: seed
	$(DEV_USE_REDIS) $(BIN)/python -m m100hub.devserver

# Production-like: gunicorn with WebSockets, the command docs/deploy.md gives (HOST, PORT,
# WEB_THREADS in gunicorn.conf.py). With Redis in use, tasks wait for `make worker`.
serve: migrate
	$(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

worker: install
	$(BIN)/celery -A celery_worker worker --beat --loglevel=INFO

test: install-dev
	bash scripts/test-deps.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install-dev
	@for b in bench/foundation.py bench/forums.py bench/consultations.py bench/events.py bench/signed_in.py bench/fanout.py bench/cities.py bench/resources.py bench/api.py bench/pageload.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# ruff, the import-linter contract of the feature layers, and mypy (pyproject.toml)
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

clean:
	rm -rf $(VENV) node_modules m100hub/static/vendor
