"""RabbitMQ definitions (exchanges, event queues, bindings) generated from the topology, for
`deploy/rabbitmq/definitions.json`: loaded at broker start so that no event is dropped for
want of a queue, even before a consumer has ever run. `make definitions` regenerates it.

Users are not here: their credentials live in the environment, and
`deploy/k8s/rabbitmq/render-definitions.sh` adds them in front of this file at every broker
start (the platform's user, and one user per system that follows our events)."""

from __future__ import annotations

import json
from typing import Any

from services.contracts.topology import (
    EVENT_SOURCES,
    GATEWAY_EVENT_QUEUE,
    RPC_EXCHANGE,
    SUBSCRIPTIONS,
    event_exchange,
)


def build_definitions(vhost: str = "/") -> dict[str, Any]:
    exchanges = [{"name": RPC_EXCHANGE, "vhost": vhost, "type": "topic", "durable": True,
                  "auto_delete": False, "internal": False, "arguments": {}}]
    exchanges += [{"name": event_exchange(s), "vhost": vhost, "type": "topic", "durable": True,
                   "auto_delete": False, "internal": False, "arguments": {}}
                  for s in EVENT_SOURCES]
    queues = [{"name": s.queue, "vhost": vhost, "durable": True, "auto_delete": False,
               "arguments": {}} for s in SUBSCRIPTIONS]
    bindings = [{"source": s.exchange, "vhost": vhost, "destination": s.queue,
                 "destination_type": "queue", "routing_key": s.event_type, "arguments": {}}
                for s in SUBSCRIPTIONS]
    queues.append({"name": GATEWAY_EVENT_QUEUE, "vhost": vhost, "durable": True,
                   "auto_delete": False, "arguments": {}})
    bindings += [{"source": event_exchange(s), "vhost": vhost, "destination": GATEWAY_EVENT_QUEUE,
                  "destination_type": "queue", "routing_key": "#", "arguments": {}}
                 for s in EVENT_SOURCES]
    return {"vhosts": [{"name": vhost}], "exchanges": exchanges, "queues": queues,
            "bindings": bindings}


if __name__ == "__main__":
    print(json.dumps(build_definitions(), indent=2))
