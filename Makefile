# BOI — the two set-up commands are `make run` and `make test`; everything else is optional.
SHELL := /bin/bash
UV_VERSION := 0.13.9
BOI_CACHE ?= $(HOME)/.cache/boi
UV_BOOTSTRAP := $(BOI_CACHE)/uv-$(UV_VERSION)/bin/uv
UV ?= $(shell command -v uv 2>/dev/null || echo $(UV_BOOTSTRAP))
PYTEST_ARGS ?=
# Use the system certificate store (corporate proxies, custom CAs), like pip and npm do.
export UV_SYSTEM_CERTS ?= 1

.PHONY: setup setup-python run test test-unit chaos bench eval-enrich lint schemas stack-up stack-down stack-status

$(UV_BOOTSTRAP):
	@echo "installing uv $(UV_VERSION) into $(BOI_CACHE) (PyPI)…"
	python3 -m venv $(BOI_CACHE)/uv-$(UV_VERSION)
	$(BOI_CACHE)/uv-$(UV_VERSION)/bin/pip install -q uv==$(UV_VERSION)

## setup: install what is missing (uv, the Python environment, Kafka/FerretDB/Meilisearch into ~/.cache/boi,
## and Debian's chromium for the browser tests when run as root)
setup: setup-python
	$(UV) run boi stack install
	deploy/local/scripts/ensure-chromium.sh

## setup-python: only uv and the Python environment (enough for the unit tier)
setup-python: $(if $(shell command -v uv 2>/dev/null),,$(UV_BOOTSTRAP))
	$(UV) sync --frozen

## run: the stack, all five services and the public site with demo sources (Ctrl-C stops)
run: setup
	$(UV) run boi run

## test: the whole suite on the real stack (started on free ports for the session)
test: setup
	$(UV) run pytest $(PYTEST_ARGS)

## test-unit: the tiers that need no stack: pure logic (tests/unit) and each service's handlers in memory (tests/component)
test-unit: setup-python
	$(UV) run pytest tests/unit tests/component $(PYTEST_ARGS)

## chaos: 10,000 calls through all five services under seeded faults (≤ 15 min); CHAOS_ARGS='--seed S' replays a run
CHAOS_ARGS ?=
chaos: setup
	$(UV) run python -m tests.chaos $(CHAOS_ARGS)

## bench: benchmarks, printed side by side
bench: setup
	$(UV) run python -m tests.bench

## eval-enrich: the offline enrichment against the labelled real calls in ../shared/data/calls, per field: development and held-out validation sets
eval-enrich: setup-python
	$(UV) run python services/enrich/eval/evaluate.py

## lint: ruff and mypy
lint: setup-python
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy shared/src services/*/src deploy/local/src

## schemas: regenerate the checked-in JSON Schemas, AsyncAPI documents and the catalog's OpenAPI
schemas: setup
	$(UV) run python -m boi_devtools.contracts
	$(UV) run python -m boi_catalog.web.openapi

stack-up: setup
	$(UV) run boi stack up
stack-down:
	$(UV) run boi stack down
stack-status:
	$(UV) run boi stack status
