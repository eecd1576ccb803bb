"""Writes deploy/k8s/rabbitmq/definitions.json: the generated topology of
deploy/rabbitmq/definitions.json with quorum queues, for the RabbitMQ cluster in Kubernetes.

    python deploy/k8s/rabbitmq/quorum_definitions.py

Each event queue gets `x-queue-type: quorum`, and the virtual host gets the default queue type
`quorum`: nameko (and the outbox relay) declare the same queues without arguments, and in a
virtual host whose default queue type is quorum such a declaration is equivalent to the quorum
queue (RabbitMQ >= 3.10 fills in the default type; >= 3.13 also at validation). Exclusive and
auto-delete queues (RPC reply queues) stay classic. tests/unit/test_deploy_k8s.py fails when
this file is stale. The init container renders the users in front of it
(render-definitions.sh).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SOURCE = HERE.parents[1] / "rabbitmq" / "definitions.json"
TARGET = HERE / "definitions.json"


def quorum(definitions: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(definitions)
    for vhost in out["vhosts"]:
        vhost["default_queue_type"] = "quorum"
        vhost["metadata"] = {"description": "campaign platform",
                             "default_queue_type": "quorum", "tags": []}
    for queue in out["queues"]:
        queue["arguments"] = {**queue.get("arguments", {}), "x-queue-type": "quorum"}
    return out


def render() -> str:
    return json.dumps(quorum(json.loads(SOURCE.read_text())), indent=2) + "\n"


if __name__ == "__main__":
    TARGET.write_text(render())
    print(TARGET)
