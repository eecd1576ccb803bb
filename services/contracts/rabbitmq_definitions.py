"""RabbitMQ definitions (exchanges, event queues, bindings) generated from the topology, for
`deploy/rabbitmq/definitions.json`: loaded at broker start so that no event is dropped for
want of a queue, even before a consumer has ever run. `make definitions` regenerates it."""

from __future__ import annotations

import json
import re
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
    return {"vhosts": [{"name": vhost}], "users": [subscriber_user()],
            "permissions": [subscriber_permissions(vhost)], "exchanges": exchanges,
            "queues": queues, "bindings": bindings}


# Other provincial systems read our events with their own queues, through a user that may
# only read the event exchanges and manage queues named `ext.<system>.*`. No password is
# stored here (an empty hash: password login is disabled until an operator sets one with
# `rabbitmqctl change_password event-subscriber '<secret>'`; see services/gateway/README.md).
EVENT_SUBSCRIBER_USER = "event-subscriber"
EXTERNAL_QUEUE_PATTERN = r"^ext\..+"


def subscriber_user() -> dict[str, Any]:
    return {"name": EVENT_SUBSCRIBER_USER, "password_hash": "",
            "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": []}


def subscriber_permissions(vhost: str = "/") -> dict[str, str]:
    exchanges = "|".join(re.escape(event_exchange(s)) for s in EVENT_SOURCES)
    return {"user": EVENT_SUBSCRIBER_USER, "vhost": vhost,
            # declare/delete only its own queues; bind them (write on the queue) to our
            # exchanges (read on the exchange); consume them (read on the queue).
            "configure": EXTERNAL_QUEUE_PATTERN,
            "write": EXTERNAL_QUEUE_PATTERN,
            "read": rf"^({exchanges})$|{EXTERNAL_QUEUE_PATTERN}"}


if __name__ == "__main__":
    print(json.dumps(build_definitions(), indent=2))
