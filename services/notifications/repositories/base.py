"""What every repository of the service holds: the database its collections are in."""

from __future__ import annotations

from typing import Any

from pymongo.collection import Collection
from pymongo.database import Database

from services.runtime.mongo_unit_of_work import collection
from services.runtime.unit_of_work import DocumentWrite

Document = dict[str, Any]


class InDatabase:
    """Mixed in before a runtime repository class (`Repository`, `AggregateRepository`)."""

    def __init__(self, db: Database[Document]) -> None:
        super().__init__()
        self.db = db

    def _collection(self, name: str) -> Collection[Document]:
        return collection(self.db, name)


def setting(name: str, key: str, fields: Document, *, upsert: bool = False) -> DocumentWrite:
    """A write of fields of one document, made at commit (created first when `upsert`)."""
    return DocumentWrite(name, key, update={"$set": fields}, upsert=upsert)
