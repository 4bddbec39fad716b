# affiliate-data: two commands to see it work (`make demo`, `make test`); the rest are conveniences.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DBT_DIR := dbt_project
DOCS_PORT ?= 8580
UI_PORT ?= 3000
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
# Every command below runs with DATABASE_URL / DAGSTER_PG_URL from `affiliate env` (embedded server
# when DATABASE_URL is unset).
WITH_ENV = eval "$$($(BIN)/affiliate env)" &&

.PHONY: help install system-deps test-deps dbt-parse demo test ui flow docs db-url db-stop lint format bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(STAMP) dbt-parse  ## create .venv, install the project and the system packages it needs

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	./scripts/install-system-deps.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

system-deps:  ## install Tesseract (+por), espeak-ng, sox when missing
	./scripts/install-system-deps.sh

test-deps: $(STAMP)
	./scripts/install-system-deps.sh --browser

dbt-parse: $(STAMP)  ## prepare the dbt manifest Dagster loads (install/CI time, never at import)
	cd $(DBT_DIR) && ../$(BIN)/dbt parse --quiet --profiles-dir .

demo: install  ## start the embedded PostgreSQL, materialize everything offline, print the tables
	$(BIN)/affiliate demo

test: install test-deps  ## run the test suite against real PostgreSQL
	$(BIN)/pytest

ui: install  ## open the Dagster UI (webserver + daemon) on http://127.0.0.1:$(UI_PORT)
	$(WITH_ENV) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dagster dev -m affiliate_assets.definitions -h 127.0.0.1 -p $(UI_PORT)

flow: install  ## time a dropped sales file → new recommendation under dagster dev (isolated database)
	$(WITH_ENV) ./scripts/flow-demo.sh

docs: install  ## generate and serve the dbt docs on http://127.0.0.1:$(DOCS_PORT)
	$(WITH_ENV) eval "$$($(PY) -c 'from affiliate_assets.lib.warehouse import dbt_env; import os; [print(f"export {k}={v!r}") for k, v in dbt_env(os.environ["DATABASE_URL"]).items()]')" && \
	cd $(DBT_DIR) && ../$(BIN)/dbt docs generate --profiles-dir . && ../$(BIN)/dbt docs serve --profiles-dir . --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

db-url: $(STAMP)  ## print the warehouse URL
	$(BIN)/affiliate db url

db-stop:  ## stop the embedded PostgreSQL
	@if [ -x $(BIN)/affiliate ]; then $(BIN)/affiliate db stop; fi

lint: $(STAMP)  ## ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check affiliate_assets tests bench || true

format: $(STAMP)
	$(BIN)/ruff check --fix .

bench: install  ## run every benchmark in bench/
	@for f in bench/*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:  ## remove build outputs (keeps data/ and the embedded database)
	rm -rf $(DBT_DIR)/target $(DBT_DIR)/logs .pytest_cache .ruff_cache
