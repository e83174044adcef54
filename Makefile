# wiretype's tasks. `make help` lists them; `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.DEFAULT_GOAL := help
.PHONY: help run test test-ts lint ops bench clean venv node system

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Bytecode is compiled here, as installing a wheel would, so that the command line starts from it
# even where PYTHONDONTWRITEBYTECODE=1 stops Python writing it on first import (only changed
# files are compiled again).
venv: $(STAMP) ## Create .venv and install wiretype with its dev tools
	@$(BIN)/python -m compileall -q registry wiretype

$(NODE_STAMP): package.json package-lock.json clients/typescript/package.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

node: $(NODE_STAMP) ## Install the Node tools the tests use and build @wiretype/client (clients/typescript/dist)
	node_modules/.bin/tsc -p clients/typescript

# Debian's packages that the tests start themselves on loopback ports: redis-server, prometheus
# and promtool, chromium (never a downloaded browser). apt-get runs only for what is missing.
SYSTEM_TOOLS := redis-server:redis-server prometheus:prometheus promtool:prometheus chromium:chromium
system: ## Install the Debian packages the tests use (redis-server, prometheus, chromium) when missing
	@missing=""; for pair in $(SYSTEM_TOOLS); do \
		command -v $${pair%%:*} >/dev/null 2>&1 || test -x /usr/bin/$${pair%%:*} || test -x /usr/sbin/$${pair%%:*} || missing="$$missing $${pair##*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
		packages=$$(printf '%s\n' $$missing | sort -u | tr '\n' ' '); \
		echo "installing from Debian: $$packages"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$packages; \
	fi

run: venv ## The tour: check and generate examples/chat, serve it, a v1 and a v3 client exchange messages
	@bash scripts/tour.sh $(abspath $(BIN)/wiretype) $(abspath $(BIN)/python)

test: venv node system ## Install everything, then run the tests, ruff and mypy --strict
	$(MAKE) --no-print-directory ops
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory test-ts
	$(MAKE) --no-print-directory lint

test-ts: node ## The TypeScript client's tests (node --test; Chromium and the Python server)
	WIRETYPE_PYTHON=$(abspath $(BIN)/python) node --test --test-timeout=600000 tests/ts_client/*.test.mjs

lint: venv node ## ruff and mypy --strict on registry/ and wiretype/; tsc on the packages' support code
	$(BIN)/ruff check registry wiretype tests bench ops templates/python/static examples
	$(BIN)/ruff format --check registry wiretype tests bench ops templates/python/static examples
	$(BIN)/mypy --strict registry
	$(BIN)/mypy --strict wiretype
	$(BIN)/mypy --strict templates/python/static
	MYPYPATH=examples/chat/generated/python $(BIN)/mypy --strict examples/chat/server.py examples/chat/client.py examples/chat/tour.py
	node_modules/.bin/tsc -p templates/typescript/static

PROMTOOL := $(shell command -v promtool 2>/dev/null || echo /usr/bin/promtool)
ops: venv system ## The alert rules: rendered from thresholds.yml, promtool check rules and test rules
	$(BIN)/python ops/prometheus/render.py --check
	$(PROMTOOL) check rules ops/prometheus/wiretype-alerts.yml
	cd ops/prometheus && $(PROMTOOL) test rules wiretype-alerts.test.yml

BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench: venv node system $(BENCH_STAMP) ## Measure the speed figures each issue names (see bench/README.md)
	$(BIN)/python bench/run_all.py

clean: ## Remove the environments and caches
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis bench/.work build clients/typescript/dist
