"""Event payload models, one class per event type and major version, and their registry.

Adding a field with a default is a minor change (same `version`); removing or retyping one is a
breaking change: add a new class with `version = 2` and keep publishing v1 until consumers move.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from services.contracts.envelope import Envelope, new_event_id, source_of, utc_now


class EventType:
    """Event type names: the AMQP routing keys and the CloudEvents `type` attribute."""

    PLAN_CREATED = "plan.created"
    PLAN_ISSUED = "plan.issued"
    PLAN_AMENDED = "plan.amended"
    PLAN_CLOSED = "plan.closed"
    TASK_ASSIGNED = "task.assigned"
    TASK_STATUS_CHANGED = "task.status_changed"
    TASK_DUE_SOON = "task.due_soon"
    TASK_OVERDUE = "task.overdue"
    REPORT_SUBMITTED = "report.submitted"
    REPORT_REVIEWED = "report.reviewed"
    KPI_PROGRESSED = "kpi.progressed"
    NOTIFICATION_SENT = "notification.sent"
    NOTIFICATION_DELIVERED = "notification.delivered"
    NOTIFICATION_FAILED = "notification.failed"
    NOTIFICATION_ACKNOWLEDGED = "notification.acknowledged"
    NOTIFICATION_ESCALATED = "notification.escalated"
    TRANSLATION_REQUESTED = "translation.requested"
    TRANSLATION_APPROVED = "translation.approved"
    ITEM_CLASSIFIED = "monitoring.item_classified"
    ALERT_RAISED = "monitoring.alert_raised"
    COVERAGE_MATCHED = "monitoring.coverage_matched"
    ITEM_LABELLED = "monitoring.item_labelled"


class EventPayload(BaseModel):
    """Base of every event payload. Consumers ignore fields they do not know."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    version: ClassVar[int] = 1
    source_service: ClassVar[str]
    summary: ClassVar[str] = ""
    # The field naming the thing the event is about (its CloudEvents `subject`).
    subject_field: ClassVar[str | None] = None

    def subject(self) -> str | None:
        """The CloudEvents `subject`: the id of the thing the event is about."""
        if self.subject_field is None:
            return None
        value = getattr(self, self.subject_field)
        return None if value is None else str(value)

    def to_envelope(self, correlation_id: str | None = None, event_id: str | None = None,
                    time: datetime | None = None) -> Envelope:
        return Envelope(
            id=event_id or new_event_id(),
            source=source_of(self.source_service),
            type=self.event_type,
            time=time or utc_now(),
            subject=self.subject(),
            dataversion=self.version,
            correlationid=correlation_id,
            data=self.model_dump(mode="json"),
        )


Payload = TypeVar("Payload", bound=EventPayload)
_REGISTRY: dict[tuple[str, int], type[EventPayload]] = {}


def register(model: type[EventPayload]) -> type[EventPayload]:
    key = (model.event_type, model.version)
    if key in _REGISTRY:
        raise ValueError(f"event {key} registered twice")
    _REGISTRY[key] = model
    return model


def event(event_type: str, summary: str, *,
          subject: str | None = None) -> Callable[[type[Payload]], type[Payload]]:
    """Declares a payload class as the event `event_type` (with the class's `version`), says
    what it means, names the field it is about when its base does not, and registers it."""

    def declare(model: type[Payload]) -> type[Payload]:
        model.event_type = event_type
        model.summary = summary
        if subject is not None:
            model.subject_field = subject
        register(model)
        return model

    return declare


def event_model(event_type: str, version: int) -> type[EventPayload] | None:
    return _REGISTRY.get((event_type, version))


def all_event_models() -> list[type[EventPayload]]:
    return [model for _, model in sorted(_REGISTRY.items())]


def source_service_of(event_type: str) -> str:
    for (name, _), model in _REGISTRY.items():
        if name == event_type:
            return model.source_service
    raise KeyError(f"unknown event type {event_type!r}")


class EnvelopeError(ValueError):
    """A message that is not a valid event of the expected type and version."""


def parse_event(body: Any, expected_type: str) -> tuple[Envelope, EventPayload]:
    """Validate a raw message body into its envelope and typed payload, or raise EnvelopeError."""
    from pydantic import ValidationError

    if isinstance(body, bytes | bytearray):
        body = body.decode("utf-8", errors="replace")
    if isinstance(body, str):
        import json

        try:
            body = json.loads(body)
        except json.JSONDecodeError as exc:
            raise EnvelopeError(f"body is not valid JSON: {exc.msg} at {exc.pos}") from exc
    if not isinstance(body, dict):
        raise EnvelopeError(f"body is a {type(body).__name__}, not a CloudEvents object")
    try:
        envelope = Envelope.model_validate(body)
    except ValidationError as exc:
        raise EnvelopeError(f"invalid envelope: {_first_errors(exc)}") from exc
    if envelope.type != expected_type:
        raise EnvelopeError(f"event type {envelope.type!r} where {expected_type!r} was expected")
    model = event_model(envelope.type, envelope.dataversion)
    if model is None:
        raise EnvelopeError(f"unsupported version {envelope.dataversion} of {envelope.type}")
    try:
        payload = model.model_validate(envelope.data)
    except ValidationError as exc:
        raise EnvelopeError(f"invalid {envelope.type} v{envelope.dataversion} data: "
                            f"{_first_errors(exc)}") from exc
    return envelope, payload


def _first_errors(exc: Any, limit: int = 3) -> str:
    parts = []
    for err in exc.errors()[:limit]:
        where = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


# The payload modules register themselves on import; importing them here makes the registry
# complete wherever `services.contracts.events` is imported.
from services.contracts.events import monitoring, notifications, plans  # noqa: E402, F401
from services.contracts.events.plans import PlanCreated  # noqa: E402, F401  (re-export)
