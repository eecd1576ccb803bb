"""The gateway's own data in MongoDB (`<DB_PREFIX>gateway`), through pymongo's asyncio API
(never blocks the event loop): users, API keys, webhook subscriptions and deliveries, and the
event log."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, AsyncMongoClient, ReturnDocument
from pymongo.errors import DuplicateKeyError

from services.gateway.credentials import ExpiringCache
from services.gateway.security import CREDENTIAL_VERSION

USERS = "users"
API_KEYS = "api_keys"
SUBSCRIPTIONS = "subscriptions"
DELIVERIES = "deliveries"
EVENTS = "events"
COUNTERS = "counters"

Doc = dict[str, Any]


def new_id() -> str:
    """Roughly time-ordered, so `_id` order is creation order (cursor pagination)."""
    return f"{time.time_ns():016x}{secrets.token_hex(4)}"


def utc_now() -> datetime:
    return datetime.now(UTC)


def public(doc: Doc) -> Doc:
    out = {k: v for k, v in doc.items() if not k.startswith("_") or k == "_id"}
    out["id"] = out.pop("_id")
    return out


class Store:
    def __init__(self, uri: str, database: str, timeout_ms: int = 5000,
                 credential_ttl_seconds: float = 0.0) -> None:
        # A database that is down fails a request after `timeout_ms` (503); one that stalls
        # mid-answer, after the socket timeout: no request waits on it for ever.
        self.client: AsyncMongoClient[Doc] = AsyncMongoClient(
            uri, tz_aware=True, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms,
            socketTimeoutMS=max(10_000, timeout_ms), maxPoolSize=50)
        self.db = self.client[database]
        # What authentication reads on every request; every write to users and API keys
        # below drops the entry it changed (see credentials.py for the bound elsewhere).
        self._users_for_auth: ExpiringCache[str, Doc] = ExpiringCache(credential_ttl_seconds)
        self._api_keys_for_auth: ExpiringCache[str, Doc] = ExpiringCache(
            credential_ttl_seconds)

    async def close(self) -> None:
        await self.client.close()

    async def ensure_indexes(self) -> None:
        await self.db[USERS].create_index("username", unique=True)
        await self.db[SUBSCRIPTIONS].create_index("owner_id")
        await self.db[DELIVERIES].create_index([("subscription_id", ASCENDING),
                                                ("_id", ASCENDING)])
        await self.db[DELIVERIES].create_index([("status", ASCENDING),
                                                ("next_attempt_at", ASCENDING)])
        await self.db[EVENTS].create_index("seq", unique=True)
        await self.db[EVENTS].create_index("received_at")

    async def ping(self) -> None:
        await self.db.command("ping")

    # --- generic pagination --------------------------------------------------------------

    async def page(self, collection: str, query: Doc, after: str | None, limit: int,
                   key: str = "_id") -> tuple[list[Doc], str | None]:
        q = dict(query)
        if after is not None:
            q[key] = {"$gt": int(after) if key == "seq" else after}
        rows = await self.db[collection].find(q).sort(key, ASCENDING).limit(limit + 1) \
            .to_list(limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        return rows, (str(rows[-1][key]) if more and rows else None)

    # --- users -----------------------------------------------------------------------------

    async def insert_user(self, doc: Doc) -> Doc:
        doc = {"_id": new_id(), "created_at": utc_now(), "active": True, **doc}
        await self.db[USERS].insert_one(doc)
        return doc

    async def user(self, user_id: str) -> Doc | None:
        return await self.db[USERS].find_one({"_id": user_id})

    async def user_for_auth(self, user_id: str) -> Doc | None:
        """The user as authentication sees it: at most `credential_ttl_seconds` old.
        Read-only: the document is shared by concurrent requests."""
        return await self._users_for_auth.get(user_id, self.user)

    async def user_by_name(self, username: str) -> Doc | None:
        return await self.db[USERS].find_one({"username": username})

    async def update_user(self, user_id: str, changes: Doc,
                          revoke_tokens: bool = False) -> Doc | None:
        """Apply `changes`; `revoke_tokens` also refuses every token issued before (through
        this replica at once, through others within `credential_ttl_seconds`)."""
        update: Doc = {"$set": changes} if changes else {}
        if revoke_tokens:
            update["$inc"] = {CREDENTIAL_VERSION: 1}
        try:
            return await self.db[USERS].find_one_and_update(
                {"_id": user_id}, update, return_document=ReturnDocument.AFTER)
        finally:
            self._users_for_auth.invalidate(user_id)

    # --- API keys --------------------------------------------------------------------------

    async def insert_api_key(self, doc: Doc) -> Doc:
        doc = {"created_at": utc_now(), "revoked_at": None, **doc}
        await self.db[API_KEYS].insert_one(doc)
        return doc

    async def api_key(self, key_id: str) -> Doc | None:
        return await self.db[API_KEYS].find_one({"_id": key_id})

    async def api_key_for_auth(self, key_id: str) -> Doc | None:
        """The API key as authentication sees it: at most `credential_ttl_seconds` old.
        Read-only: the document is shared by concurrent requests."""
        return await self._api_keys_for_auth.get(key_id, self.api_key)

    async def revoke_api_key(self, key_id: str) -> Doc | None:
        try:
            return await self.db[API_KEYS].find_one_and_update(
                {"_id": key_id, "revoked_at": None}, {"$set": {"revoked_at": utc_now()}},
                return_document=ReturnDocument.AFTER)
        finally:
            self._api_keys_for_auth.invalidate(key_id)

    # --- subscriptions ---------------------------------------------------------------------

    async def insert_subscription(self, doc: Doc) -> Doc:
        doc = {"_id": new_id(), "created_at": utc_now(), "active": True, "failure_streak": 0,
               "disabled_reason": None, "disabled_at": None, **doc}
        await self.db[SUBSCRIPTIONS].insert_one(doc)
        return doc

    async def subscription(self, sub_id: str) -> Doc | None:
        return await self.db[SUBSCRIPTIONS].find_one({"_id": sub_id})

    async def update_subscription(self, sub_id: str, update: Doc) -> Doc | None:
        return await self.db[SUBSCRIPTIONS].find_one_and_update(
            {"_id": sub_id}, update, return_document=ReturnDocument.AFTER)

    async def delete_subscription(self, sub_id: str) -> bool:
        result = await self.db[SUBSCRIPTIONS].delete_one({"_id": sub_id})
        return bool(result.deleted_count)

    async def active_subscriptions(self) -> list[Doc]:
        return await self.db[SUBSCRIPTIONS].find({"active": True}).to_list(None)

    # --- deliveries ------------------------------------------------------------------------

    async def insert_deliveries(self, docs: list[Doc]) -> None:
        if docs:
            await self.db[DELIVERIES].insert_many(docs, ordered=False)

    async def delivery(self, delivery_id: str) -> Doc | None:
        return await self.db[DELIVERIES].find_one({"_id": delivery_id})

    async def update_delivery(self, delivery_id: str, changes: Doc) -> None:
        await self.db[DELIVERIES].update_one({"_id": delivery_id}, {"$set": changes})

    async def pending_deliveries(self, limit: int = 10_000) -> list[Doc]:
        return await self.db[DELIVERIES].find({"status": "pending"}).sort("_id", ASCENDING) \
            .limit(limit).to_list(limit)

    # --- event log -------------------------------------------------------------------------

    async def next_seq(self) -> int:
        doc = await self.db[COUNTERS].find_one_and_update(
            {"_id": EVENTS}, {"$inc": {"seq": 1}}, upsert=True,
            return_document=ReturnDocument.AFTER)
        assert doc is not None
        return int(doc["seq"])

    async def store_event(self, envelope: Doc) -> Doc | None:
        """Store an event once; None when it was stored before (a redelivery)."""
        if await self.db[EVENTS].find_one({"_id": envelope["id"]}, {"_id": 1}):
            return None
        doc = {**{k: v for k, v in envelope.items() if k != "id"}, "_id": envelope["id"],
               "seq": await self.next_seq(), "received_at": utc_now()}
        try:
            await self.db[EVENTS].insert_one(doc)
        except DuplicateKeyError:
            return None
        return doc

    async def event(self, event_id: str) -> Doc | None:
        return await self.db[EVENTS].find_one({"_id": event_id})

    async def events_after(self, seq: int, limit: int) -> list[Doc]:
        return await self.db[EVENTS].find({"seq": {"$gt": seq}}).sort("seq", ASCENDING) \
            .limit(limit).to_list(limit)

    async def purge_before(self, cutoff: datetime) -> int:
        events = await self.db[EVENTS].delete_many({"received_at": {"$lt": cutoff}})
        await self.db[DELIVERIES].delete_many({"created_at": {"$lt": cutoff},
                                               "status": {"$ne": "pending"}})
        return int(events.deleted_count)


async def create_user_once(store: Store, username: str, password_hash: str, role: str,
                           unit_id: str | None = None) -> Doc | None:
    """Create a user unless one with that name exists; None if it existed."""
    if await store.user_by_name(username) is not None:
        return None
    try:
        return await store.insert_user({"username": username, "password_hash": password_hash,
                                        "role": role, "unit_id": unit_id,
                                        "display_name": None})
    except DuplicateKeyError:
        return None
