"""The event envelope: CloudEvents 1.0 structured JSON, plus `dataversion` and `correlationid`.

https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md
Extension attribute names follow the spec (lower-case letters and digits only).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SOURCE_PREFIX = "/campaign/"
# The AMQP message content type of an event: CloudEvents structured mode (the whole envelope
# in the body), which the CloudEvents SDKs' AMQP and RabbitMQ bindings recognise. A message
# sent as plain `application/json` reads to them as binary mode (attributes in headers).
STRUCTURED_CONTENT_TYPE = "application/cloudevents+json"
# What our consumers accept: the structured type, and plain JSON published before it.
EVENT_CONTENT_TYPES = (STRUCTURED_CONTENT_TYPE, "application/json")


class Envelope(BaseModel):
    """What travels on the bus. `data` is the event payload, validated by its event model."""

    # Consumers tolerate attributes added by newer producers.
    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1, max_length=200, examples=["/campaign/plans"])
    type: str = Field(min_length=1, max_length=100, examples=["plan.created"])
    time: datetime
    subject: str | None = Field(default=None, max_length=200)
    datacontenttype: Literal["application/json"] = "application/json"
    dataversion: int = Field(ge=1, description="Major version of the payload schema of `type`.")
    correlationid: str | None = Field(default=None, max_length=200)
    data: dict[str, Any]


def source_of(service: str) -> str:
    return f"{SOURCE_PREFIX}{service}"


def new_event_id() -> str:
    return uuid.uuid4().hex


def utc_now() -> datetime:
    return datetime.now(UTC)
