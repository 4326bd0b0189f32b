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

.PHONY: run test test-fast stop db-start db-status system install openapi bench clean-db help

help:
	@echo "make run     install what is missing, start the private PostGIS, load the demo district, serve on http://$(HOST):$(PORT)"
	@echo "make test    install what is missing and run the whole test suite"
	@echo "make test-fast  the suite without tests marked slow (crash, restore into a second cluster)"
	@echo "make stop    stop the private PostGIS instance under var/"
	@echo "make openapi regenerate openapi.yaml from the code"

system:
	@bash scripts/ensure-system.sh

$(STAMP): pyproject.toml | system
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

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

test: db-start
	@$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: db-start
	@$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

stop:
	@if [ -x $(BIN)/gridwork ]; then $(BIN)/gridwork db stop; else echo "nothing installed, nothing to stop"; fi

openapi: $(STAMP)
	@$(BIN)/gridwork openapi write --format=yaml openapi.yaml
	@echo "openapi.yaml regenerated"
