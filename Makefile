# Every target installs what it needs first (scripts/bootstrap.sh is idempotent).
VENV := .venv/bin
PYTEST_ARGS ?= -m "not slow" --durations=15

.PHONY: run test test-all lint openapi typecheck bench soak asyncapi definitions venv tools lint-tools clean

venv:
	@scripts/bootstrap.sh

lint-tools:  ## the pinned Redocly CLI (tools/openapi-lint) that lints the OpenAPI document
	@scripts/ensure-openapi-lint.sh

tools:  ## prometheus and promtool for the deploy tests (installed when missing)
	@scripts/ensure-prometheus.sh

run: venv  ## start the platform with demo data; Ctrl-C stops it
	@$(VENV)/python -m stack run

test: venv tools  ## the whole suite (unit, integration, e2e) against real RabbitMQ and database
	@$(VENV)/python -m stack test $(PYTEST_ARGS)

test-all: venv tools  ## also the slow tests (soak, long fault scenarios)
	@$(VENV)/python -m stack test

lint: venv lint-tools
	@$(VENV)/ruff check services stack tests bench
	@$(VENV)/mypy services stack
	@$(MAKE) --no-print-directory openapi
	@REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_NOTIFICATIONS=true \
	  tools/openapi-lint/node_modules/.bin/redocly lint --format=stylish \
	  --config tools/openapi-lint/redocly.yaml var/openapi.json

openapi: venv  ## write the gateway's OpenAPI document to var/openapi.json (not committed)
	@$(VENV)/python -m services.gateway.openapi var/openapi.json

bench: venv  ## benchmarks; figures printed and written to bench/results/*.json
	@$(VENV)/python -m bench

soak: venv  ## 30 minutes of the mixed flow at half capacity (memory, errors, queue depths)
	@$(VENV)/python -m stack.soak --minutes 30

asyncapi: venv  ## regenerate docs/asyncapi.yaml from the contracts
	@$(VENV)/python -m services.contracts.asyncapi > docs/asyncapi.yaml

definitions: venv  ## regenerate deploy/rabbitmq/definitions.json from the topology
	@$(VENV)/python -m services.contracts.rabbitmq_definitions > deploy/rabbitmq/definitions.json
	@$(VENV)/python deploy/k8s/rabbitmq/quorum_definitions.py

clean:
	rm -rf var .venv
