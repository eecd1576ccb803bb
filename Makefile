# Every target installs what it needs first (scripts/bootstrap.sh is idempotent).
VENV := .venv/bin
PYTEST_ARGS ?= -m "not slow" --durations=15

.PHONY: run test test-all lint openapi console-api typecheck bench bench-docs soak asyncapi definitions venv tools lint-tools console browser clean

venv:
	@scripts/bootstrap.sh

lint-tools:  ## the pinned Redocly CLI (tools/openapi-lint) that lints the OpenAPI document
	@scripts/ensure-openapi-lint.sh

tools:  ## prometheus and promtool for the deploy tests, redis-server (installed when missing)
	@scripts/ensure-prometheus.sh
	@scripts/ensure-redis.sh

console:  ## build console/dist when its sources changed (npm ci, npm run build)
	@scripts/console.sh build

browser:  ## Debian's Chromium for the console's browser tests (installed when missing)
	@scripts/ensure-chromium.sh

run: venv console  ## start the platform with demo data; Ctrl-C stops it
	@$(VENV)/python -m stack run

test: venv tools console browser  ## the whole suite (unit, integration, e2e, console in Chromium)
	@scripts/console.sh test
	@$(VENV)/python -m stack test $(PYTEST_ARGS)

test-all: venv tools console browser  ## also the slow tests (soak, long fault scenarios)
	@scripts/console.sh test
	@$(VENV)/python -m stack test

lint: venv lint-tools
	@$(VENV)/ruff check services stack tests bench
	@$(VENV)/mypy services stack
	@scripts/console.sh lint
	@$(MAKE) --no-print-directory openapi
	@REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_NOTIFICATIONS=true \
	  tools/openapi-lint/node_modules/.bin/redocly lint --format=stylish \
	  --config tools/openapi-lint/redocly.yaml var/openapi.json

openapi: venv  ## write the gateway's OpenAPI document to var/openapi.json (not committed)
	@$(VENV)/python -m services.gateway.openapi var/openapi.json

console-api: venv  ## regenerate console/openapi.json and the console's typed client from the gateway
	@$(VENV)/python -m services.gateway.openapi console/openapi.json
	@scripts/console.sh deps
	@cd console && npm run --silent generate:api

bench: venv console browser  ## benchmarks; figures printed and written to bench/results/*.json
	@$(VENV)/python -m bench

bench-docs: venv  ## docs/benchmarks.md's current table and its plots from bench/results/*.json
	@$(VENV)/python -m bench.report

soak: venv  ## 30 minutes of the mixed flow at half capacity (memory, errors, queue depths)
	@$(VENV)/python -m stack.soak --minutes 30

asyncapi: venv  ## regenerate docs/asyncapi.yaml from the contracts
	@$(VENV)/python -m services.contracts.asyncapi > docs/asyncapi.yaml

definitions: venv  ## regenerate deploy/rabbitmq/definitions.json from the topology
	@$(VENV)/python -m services.contracts.rabbitmq_definitions > deploy/rabbitmq/definitions.json
	@$(VENV)/python deploy/k8s/rabbitmq/quorum_definitions.py

clean:
	rm -rf var .venv
