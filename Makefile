# wiretype's tasks. `make help` lists them; `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.DEFAULT_GOAL := help
.PHONY: help run test lint bench clean venv node redis

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

redis: ## Install redis-server when missing (the tests start their own on a loopback port)
	@command -v redis-server >/dev/null || test -x /usr/bin/redis-server || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; }

test: venv node redis ## Install everything, then run the tests, ruff and mypy --strict
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory lint

lint: venv ## ruff and mypy --strict on registry/ and wiretype/
	$(BIN)/ruff check registry wiretype tests bench
	$(BIN)/mypy --strict registry
	$(BIN)/mypy --strict wiretype

BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench: venv node redis $(BENCH_STAMP) ## Measure the speed figures each issue names (see bench/README.md)
	$(BIN)/python bench/run_all.py

clean: ## Remove the environments and caches
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis bench/.work
