# wiretype's tasks. `make help` lists them; `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.DEFAULT_GOAL := help
.PHONY: help run test lint bench clean venv node

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-6s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP) ## Create .venv and install wiretype with its dev tools

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

node: $(NODE_STAMP) ## Install the Node tools (TypeScript) the tests use

run: venv ## Check the example registry in schemas/ and run every command on it
	@bash scripts/run-example.sh $(BIN)/wiretype

test: venv node ## Install everything, then run the tests, ruff and mypy --strict
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory lint

lint: venv node ## ruff and mypy --strict on registry/ and wiretype/; tsc on the packages' support code
	$(BIN)/ruff check registry wiretype tests bench templates/python/static
	$(BIN)/ruff format --check registry/render templates/python/static
	$(BIN)/mypy --strict registry
	$(BIN)/mypy --strict wiretype
	$(BIN)/mypy --strict templates/python/static
	node_modules/.bin/tsc -p templates/typescript/static

bench: venv node ## Measure the speed figures each issue names (see bench/README.md)
	$(BIN)/python bench/run_all.py

clean: ## Remove the environments and caches
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis bench/.work
