"""The gateway's OpenAPI document, for generated clients, linters and /docs."""

from services.gateway.openapi.document import build_document, operation_id

__all__ = ["build_document", "operation_id"]
