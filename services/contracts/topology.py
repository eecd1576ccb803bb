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


_EVENT_NAMES = {value: name for name, value in vars(EventType).items() if name.isupper()}


def consumed_by(service: str, *event_types: str) -> tuple[Subscription, ...]:
    """A service's subscriptions, each handled by the method its event names
    (`on_plan_created` for EventType.PLAN_CREATED): the handler's name is not written twice."""
    return tuple(Subscription(t, service, f"on_{_EVENT_NAMES[t].lower()}") for t in event_types)


SUBSCRIPTIONS: tuple[Subscription, ...] = (
    # plans learns receipts and automatic evidence
    *consumed_by("plans", EventType.COVERAGE_MATCHED, EventType.NOTIFICATION_ACKNOWLEDGED),
    # notifications turns plan activity and alerts into notices
    *consumed_by("notifications", EventType.PLAN_CREATED, EventType.PLAN_ISSUED,
                 EventType.TASK_ASSIGNED, EventType.TASK_DUE_SOON, EventType.TASK_OVERDUE,
                 EventType.ALERT_RAISED),
    # monitoring learns which topics to watch and which outlet covers which task
    *consumed_by("monitoring", EventType.PLAN_CREATED, EventType.PLAN_ISSUED,
                 EventType.PLAN_CLOSED, EventType.TASK_ASSIGNED),
)

# The gateway keeps an event log and fans events out to webhooks and SSE: one durable queue
# bound to every event exchange with "#".
GATEWAY_EVENT_QUEUE = "gateway.event-log"


EVENT_SOURCES = ("plans", "notifications", "monitoring")


def event_exchange(service: str) -> str:
    return f"{service}.events"


def subscriptions_from(source_service: str) -> list[Subscription]:
    return [s for s in SUBSCRIPTIONS if s.source_service == source_service]


def subscription_for(event_type: str, consumer_service: str, handler: str) -> Subscription:
    wanted = Subscription(event_type, consumer_service, handler)
    if wanted not in SUBSCRIPTIONS:
        raise LookupError(
            f"{consumer_service}.{handler} consumes {event_type!r} but is not declared in "
            "services/contracts/topology.py SUBSCRIPTIONS")
    return wanted
