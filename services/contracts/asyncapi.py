"""Build the AsyncAPI 3.0 document of every event from the contracts.

`make asyncapi` writes it to docs/asyncapi.yaml; a test fails when that file is stale.
"""

from __future__ import annotations

from typing import Any

from services.contracts.envelope import STRUCTURED_CONTENT_TYPE, Envelope
from services.contracts.events import all_event_models
from services.contracts.topology import SUBSCRIPTIONS, event_exchange


def _component_name(event_type: str, version: int) -> str:
    return "".join(p.capitalize() for p in event_type.replace("_", ".").split(".")) + f"V{version}"


def build_document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Envelope": Envelope.model_json_schema()}
    for model in all_event_models():
        name = _component_name(model.event_type, model.version)
        schemas[name] = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas[name].pop("$defs", None)
        for def_name, definition in model.model_json_schema().get("$defs", {}).items():
            schemas.setdefault(def_name, definition)
        messages[name] = {
            "name": model.event_type,
            "title": f"{model.event_type} v{model.version}",
            "summary": model.summary,
            "contentType": STRUCTURED_CONTENT_TYPE,
            "headers": {"type": "object", "properties": {
                "nameko.correlation_id": {"type": "string"}}},
            "payload": {"allOf": [
                {"$ref": "#/components/schemas/Envelope"},
                {"type": "object", "properties": {
                    "type": {"const": model.event_type},
                    "dataversion": {"const": model.version},
                    "data": {"$ref": f"#/components/schemas/{name}"}}}]},
        }
        channel_id = f"{model.event_type}"
        channel = channels.setdefault(channel_id, {
            "address": model.event_type,
            "description": f"Routing key `{model.event_type}` on the topic exchange "
                           f"`{event_exchange(model.source_service)}`.",
            "messages": {},
            "bindings": {"amqp": {"is": "routingKey", "exchange": {
                "name": event_exchange(model.source_service), "type": "topic",
                "durable": True, "autoDelete": False, "vhost": "/"}, "bindingVersion": "0.3.0"}},
        })
        channel["messages"][name] = {"$ref": f"#/components/messages/{name}"}
        operations[f"publish{name}"] = {
            "action": "send",
            "summary": f"{model.source_service} publishes {model.event_type}",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{name}"}],
        }
    for sub in SUBSCRIPTIONS:
        operations[f"{sub.consumer_service}_{sub.handler}"] = {
            "action": "receive",
            "summary": f"{sub.consumer_service} consumes {sub.event_type} from queue "
                       f"`{sub.queue}`",
            "channel": {"$ref": f"#/channels/{sub.event_type}"},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Campaign platform events",
            "version": "1",
            "description": "Events are CloudEvents 1.0 JSON envelopes in structured mode (AMQP "
                           f"content type `{STRUCTURED_CONTENT_TYPE}`, so the CloudEvents "
                           "SDKs' AMQP bindings read them as they are; messages queued before "
                           "it carry `application/json`) with the extensions `dataversion` "
                           "(payload major version) and `correlationid`. Consumers must "
                           "ignore unknown fields.",
        },
        "defaultContentType": STRUCTURED_CONTENT_TYPE,
        "servers": {"rabbitmq": {"host": "localhost:5672", "protocol": "amqp",
                                 "protocolVersion": "0.9.1"}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


if __name__ == "__main__":
    import yaml

    print(yaml.safe_dump(build_document(), allow_unicode=True, sort_keys=False), end="")
