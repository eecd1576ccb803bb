"""Who consumes which event: the single table behind queue pre-declaration, the RabbitMQ
definitions in deploy/ and the AsyncAPI document.

Queue names follow nameko's service-pool convention so that nameko's own `event_handler`
consumes from the queues declared here: `evt-<source>-<type>--<consumer service>.<method>`.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.contracts.events import EventType, source_service_of

SERVICES = ("plans", "notifications", "monitoring", "gateway")
RPC_EXCHANGE = "nameko-rpc"


@dataclass(frozen=True)
class Subscription:
    event_type: str
    consumer_service: str
    handler: str

    @property
    def source_service(self) -> str:
        return source_service_of(self.event_type)

    @property
    def exchange(self) -> str:
        return event_exchange(self.source_service)

    @property
    def queue(self) -> str:
        return (f"evt-{self.source_service}-{self.event_type}--"
                f"{self.consumer_service}.{self.handler}")


SUBSCRIPTIONS: tuple[Subscription, ...] = (
    Subscription(EventType.PLAN_CREATED, "notifications", "on_plan_created"),
    Subscription(EventType.PLAN_CREATED, "monitoring", "on_plan_created"),
)


def event_exchange(service: str) -> str:
    return f"{service}.events"


def subscriptions_from(source_service: str) -> list[Subscription]:
    return [s for s in SUBSCRIPTIONS if s.source_service == source_service]


def subscriptions_of(consumer_service: str) -> list[Subscription]:
    return [s for s in SUBSCRIPTIONS if s.consumer_service == consumer_service]


def subscription_for(event_type: str, consumer_service: str, handler: str) -> Subscription:
    wanted = Subscription(event_type, consumer_service, handler)
    if wanted not in SUBSCRIPTIONS:
        raise LookupError(
            f"{consumer_service}.{handler} consumes {event_type!r} but is not declared in "
            "services/contracts/topology.py SUBSCRIPTIONS")
    return wanted
