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
    # plans learns receipts and automatic evidence
    Subscription(EventType.COVERAGE_MATCHED, "plans", "on_coverage_matched"),
    Subscription(EventType.NOTIFICATION_ACKNOWLEDGED, "plans", "on_notification_acknowledged"),
    # notifications turns plan activity and alerts into notices
    Subscription(EventType.PLAN_CREATED, "notifications", "on_plan_created"),
    Subscription(EventType.PLAN_ISSUED, "notifications", "on_plan_issued"),
    Subscription(EventType.TASK_ASSIGNED, "notifications", "on_task_assigned"),
    Subscription(EventType.TASK_DUE_SOON, "notifications", "on_task_due_soon"),
    Subscription(EventType.TASK_OVERDUE, "notifications", "on_task_overdue"),
    Subscription(EventType.ALERT_RAISED, "notifications", "on_alert_raised"),
    # monitoring learns which topics to watch and which outlet covers which task
    Subscription(EventType.PLAN_CREATED, "monitoring", "on_plan_created"),
    Subscription(EventType.PLAN_ISSUED, "monitoring", "on_plan_issued"),
    Subscription(EventType.PLAN_CLOSED, "monitoring", "on_plan_closed"),
    Subscription(EventType.TASK_ASSIGNED, "monitoring", "on_task_assigned"),
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
