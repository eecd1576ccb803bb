"""One error type: what a domain raises is what the gateway gets, under the wire name callers
have always read."""

from __future__ import annotations

import pytest
from nameko.exceptions import serialize

from services.contracts.errors import DomainError, ErrorCode, ServiceError, as_service_error
from services.runtime.rpc_client import remote_error

pytestmark = pytest.mark.unit


def test_a_domain_error_crosses_the_wire_unchanged() -> None:
    raised = DomainError(ErrorCode.NOT_FOUND, "source bgl-rss not found", {"id": "bgl-rss"})
    wire = serialize(as_service_error(raised))
    assert wire["exc_type"] == "ServiceError"
    assert wire["exc_args"] == ["not_found", "source bgl-rss not found", {"id": "bgl-rss"}]
    received = remote_error(wire)
    assert isinstance(received, DomainError)
    assert received.to_dict() == raised.to_dict()


def test_errors_shaped_like_domain_errors_are_carried_too() -> None:
    class Refused(Exception):
        def __init__(self) -> None:
            super().__init__("the plan is closed")
            self.code = "invalid_transition"
            self.message = "the plan is closed"
            self.details = {"status": "closed"}

    error = as_service_error(Refused())
    assert isinstance(error, ServiceError) and error.details == {"status": "closed"}
    assert as_service_error(KeyError("x")) is None
