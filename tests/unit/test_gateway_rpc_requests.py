"""A request that breaks a service's contract before it leaves the gateway (an id longer than
the service accepts, say) answers 422 naming the field, not 500."""

from __future__ import annotations

import asyncio

import pytest

from services.contracts.errors import ErrorCode, ServiceError
from services.contracts.rpc_catalogue import plans as plans_rpc
from services.gateway.deps import Rpc


class NeverCalled:
    async def call(self, *args: object, **kwargs: object) -> object:
        raise AssertionError("an invalid request must not be sent")


def test_a_request_the_service_would_refuse_is_a_validation_error_naming_the_field():
    rpc = Rpc(NeverCalled(), "correlation")  # type: ignore[arg-type]
    with pytest.raises(ServiceError) as raised:
        asyncio.run(rpc.call(plans_rpc.RETIRE_UNIT, unit_id="u" * 200, valid_to="2025-06-30"))
    assert raised.value.code == ErrorCode.VALIDATION_FAILED
    assert ["unit_id"] in [e["loc"] for e in raised.value.details["errors"]]
