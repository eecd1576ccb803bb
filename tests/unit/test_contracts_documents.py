"""Generated documents (AsyncAPI, RabbitMQ definitions) must match the contracts."""

import json
from pathlib import Path

import yaml

from services.contracts.asyncapi import build_document
from services.contracts.events import all_event_models
from services.contracts.rabbitmq_definitions import build_definitions
from services.contracts.topology import SUBSCRIPTIONS

ROOT = Path(__file__).resolve().parents[2]


def test_asyncapi_document_is_not_stale():
    committed = yaml.safe_load((ROOT / "docs/asyncapi.yaml").read_text(encoding="utf-8"))
    assert committed == build_document(), "run `make asyncapi` and commit docs/asyncapi.yaml"


def test_asyncapi_lists_every_event_model():
    doc = build_document()
    assert doc["asyncapi"].startswith("3.")
    titles = {m["title"] for m in doc["components"]["messages"].values()}
    for model in all_event_models():
        assert f"{model.event_type} v{model.version}" in titles


def test_rabbitmq_definitions_are_not_stale():
    committed = json.loads((ROOT / "deploy/rabbitmq/definitions.json").read_text())
    assert committed == build_definitions(), "run `make definitions`"


def test_every_subscription_queue_is_declared_and_bound():
    definitions = build_definitions()
    queues = {q["name"] for q in definitions["queues"]}
    bindings = {(b["source"], b["destination"], b["routing_key"])
                for b in definitions["bindings"]}
    for sub in SUBSCRIPTIONS:
        assert sub.queue in queues
        assert (sub.exchange, sub.queue, sub.event_type) in bindings
