# Two commands: `make run` serves the API on a demo district, `make test` runs
# the whole suite. Both install whatever is missing first.
SHELL      := /bin/bash
PYTHON     ?= python3
VENV       ?= .venv
BIN        := $(VENV)/bin
STAMP      := $(VENV)/.installed
HOST       ?= 127.0.0.1
PORT       ?= 8000
WORKERS    ?= 2
PYTEST_ARGS ?=
LOCK       := requirements.lock

.PHONY: run test test-fast lint format lock stop db-start db-status system install openapi bench clean-db help

help:
	@echo "make run     install what is missing, start the private PostGIS, load the demo district, serve on http://$(HOST):$(PORT)"
	@echo "make test    install what is missing and run the whole test suite"
	@echo "make lint    ruff check, ruff format --check and mypy (scripts/lint.sh; make test runs it first)"
	@echo "make format  format the tree and apply ruff's safe fixes"
	@echo "make test-fast  the suite without tests marked slow (crash, restore into a second cluster)"
	@echo "make stop    stop the private PostGIS instance under var/"
	@echo "make openapi regenerate openapi.yaml from the code"
	@echo "make lock    re-resolve requirements.lock after changing dependencies in pyproject.toml"

system:
	@bash scripts/ensure-system.sh

# Exact versions (with hashes) come from requirements.lock, so CI, developers and production
# install the same transitive versions; the package itself goes on top without resolving again.
$(STAMP): pyproject.toml $(LOCK) | system
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q --require-hashes -r $(LOCK)
	@$(BIN)/python -m pip install -q --no-deps -e .
	@touch $@

# After changing dependencies in pyproject.toml: `make lock`, then commit requirements.lock.
# (uv resolves for every platform and Python >= 3.11 and records each file's hash.)
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q uv
	@$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 \
		--generate-hashes --quiet -o $(LOCK)
	@echo "requirements.lock updated: commit it with pyproject.toml"

install: $(STAMP)

db-start: $(STAMP)
	@$(BIN)/gridwork db start

db-status: $(STAMP)
	@$(BIN)/gridwork db status

run: db-start
	@$(BIN)/gridwork db upgrade
	@$(BIN)/gridwork demo load
	@echo ">> serving on http://$(HOST):$(PORT)  (API docs: http://$(HOST):$(PORT)/api/v1/docs, Ctrl-C stops)"
	@exec $(BIN)/gridwork serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

# the checks come first: they take seconds, the suite takes many minutes
test: lint db-start
	@$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	@VENV=$(VENV) bash scripts/lint.sh

format: $(STAMP)
	@VENV=$(VENV) bash scripts/lint.sh --fix

test-fast: lint db-start
	@$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

stop:
	@if [ -x $(BIN)/gridwork ]; then $(BIN)/gridwork db stop; else echo "nothing installed, nothing to stop"; fi

openapi: $(STAMP)
	@$(BIN)/gridwork openapi write --format=yaml openapi.yaml
	@echo "openapi.yaml regenerated"
