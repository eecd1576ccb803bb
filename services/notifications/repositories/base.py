"""What the service's repositories share besides `InDatabase` and `Index`
(services/runtime/mongo_repository.py): a setting written at commit."""

from __future__ import annotations

from services.runtime.mongo_repository import Document
from services.runtime.unit_of_work import DocumentWrite


def setting(name: str, key: str, fields: Document, *, upsert: bool = False) -> DocumentWrite:
    """A write of fields of one document, made at commit (created first when `upsert`)."""
    return DocumentWrite(name, key, update={"$set": fields}, upsert=upsert)
