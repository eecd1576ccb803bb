"""What every gateway repository shares: the database (pymongo's asyncio API, which never
blocks the event loop), ids in creation order, and pages by cursor."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from typing import Any, ClassVar

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from services.gateway.credentials import ExpiringCache

Doc = dict[str, Any]


def new_id() -> str:
    """Roughly time-ordered, so `_id` order is creation order (cursor pagination)."""
    return f"{time.time_ns():016x}{secrets.token_hex(4)}"


def utc_now() -> datetime:
    return datetime.now(UTC)


def public(doc: Doc) -> Doc:
    """A stored record as the API shows it: `id` for `_id`, no runtime fields."""
    out = {k: v for k, v in doc.items() if not k.startswith("_") or k == "_id"}
    out["id"] = out.pop("_id")
    return out


def matching(**fields: Any) -> Doc:
    """A filter on the fields given a value (None: not filtered on)."""
    return {name: value for name, value in fields.items() if value is not None}


class Taken(Exception):
    """A record with this unique value (a username) exists already."""


class Collection:
    """The records of one collection."""

    name: ClassVar[str]

    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.db = db
        self.records: AsyncCollection[Doc] = db[self.name]

    async def get(self, record_id: str) -> Doc | None:
        return await self.records.find_one({"_id": record_id})

    async def page(self, query: Doc, after: str | None, limit: int
                   ) -> tuple[list[Doc], str | None]:
        """Records in `_id` order after the cursor `after`, and the next page's cursor."""
        if after is not None:
            query = {**query, "_id": {"$gt": after}}
        rows = await self.records.find(query).sort("_id", ASCENDING).limit(limit + 1) \
            .to_list(limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        return rows, (str(rows[-1]["_id"]) if more and rows else None)


class Credentials(Collection):
    """Records that authentication reads on every request (users, API keys), kept for at
    most `credential_ttl_seconds`; every write through this process drops the entry it
    changed (credentials.py says why the bound holds elsewhere)."""

    def __init__(self, db: AsyncDatabase[Doc], credential_ttl_seconds: float = 0.0) -> None:
        super().__init__(db)
        self._for_auth: ExpiringCache[str, Doc] = ExpiringCache(credential_ttl_seconds)

    async def for_auth(self, record_id: str) -> Doc | None:
        """The record as authentication sees it: at most `credential_ttl_seconds` old.
        Read-only: the document is shared by concurrent requests."""
        return await self._for_auth.get(record_id, self.get)

    async def _update_and_forget(self, selector: Doc, update: Doc) -> Doc | None:
        """The record after `update`, None when `selector` matched none; dropped from the
        cache in every case."""
        try:
            return await self.records.find_one_and_update(
                selector, update, return_document=ReturnDocument.AFTER)
        finally:
            self._for_auth.invalidate(selector["_id"])
