"""The database connection: one pymongo client per process, with timeouts, and start-up waits."""

from __future__ import annotations

import logging
import time
from typing import Any

import mongoengine
from pymongo import MongoClient, monitoring
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError

from services.runtime.settings import CommonSettings

log = logging.getLogger(__name__)


class SlowCommandLog(monitoring.CommandListener):
    """A warning per command slower than `threshold_ms`: which command on which collection,
    never its arguments (they carry personal data and secrets)."""

    def __init__(self, threshold_ms: int) -> None:
        self.threshold_micros = threshold_ms * 1000
        self._targets: dict[tuple[int, Any], str] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        self._targets[(event.request_id, event.connection_id)] = (
            target if isinstance(target, str) else "")

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._finished(event)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._finished(event)

    def _finished(self, event: monitoring.CommandSucceededEvent | monitoring.CommandFailedEvent
                  ) -> None:
        target = self._targets.pop((event.request_id, event.connection_id), "")
        if event.duration_micros >= self.threshold_micros:
            log.warning("slow database command", extra={
                "command": event.command_name, "collection": target,
                "database": event.database_name,
                "duration_ms": round(event.duration_micros / 1000, 1)})


def client_options(settings: CommonSettings) -> dict[str, Any]:
    options: dict[str, Any] = {
        "serverSelectionTimeoutMS": settings.mongodb_timeout_ms,
        "connectTimeoutMS": settings.mongodb_timeout_ms,
        "socketTimeoutMS": max(30_000, settings.mongodb_timeout_ms),
        "tz_aware": True,
        "uuidRepresentation": "standard",
        "appname": "campaign-platform",
    }
    if settings.mongodb_slow_ms:
        options["event_listeners"] = [SlowCommandLog(settings.mongodb_slow_ms)]
    return options


_connected: dict[str, Database] = {}


def connect(settings: CommonSettings, service: str) -> Database:
    """The service's database on the process-wide client (mongoengine's default alias).

    Idempotent: every dependency of a service shares one client and its connection pool.
    """
    name = settings.database_name(service)
    if name not in _connected:
        mongoengine.connect(db=name, host=settings.mongodb_uri, alias="default",
                            **client_options(settings))
        _connected[name] = mongoengine.get_db(alias="default")
    return _connected[name]


def wait_for_database(settings: CommonSettings, attempts: int = 60) -> None:
    """Block until the database answers a ping, backing off and saying why meanwhile."""
    delay = 0.5
    client: MongoClient = MongoClient(settings.mongodb_uri, **client_options(settings))
    try:
        for attempt in range(1, attempts + 1):
            try:
                client.admin.command("ping")
                return
            except Exception as exc:
                log.warning("database not reachable, retrying", extra={
                    "uri": redact(settings.mongodb_uri), "attempt": attempt,
                    "retry_in_s": delay, "error": str(exc)[:200]})
                time.sleep(delay)
                delay = min(delay * 2, 10.0)
        raise SystemExit(f"database at {redact(settings.mongodb_uri)} did not answer")
    finally:
        client.close()


def redact(uri: str) -> str:
    """Hide the password of a URI before it is logged."""
    if "@" not in uri or "://" not in uri:
        return uri
    scheme, rest = uri.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


DUPLICATE_KEY = 11000


def refused_as_duplicates(exc: BulkWriteError) -> set[int]:
    """Positions an unordered `insert_many` refused because they were already stored (the
    idempotent case); any other write error is raised again."""
    errors = exc.details.get("writeErrors", [])
    if any(error.get("code") != DUPLICATE_KEY for error in errors):
        raise exc
    return {int(error["index"]) for error in errors}


def keyset_after(collection: Collection[Any], after: str, field: str,
                 newest_first: bool = False) -> dict[str, Any]:
    """The filter for the rows after the row `after` (its `_id`) in (`field`, `_id`) order,
    ascending or newest first, so a page's cursor is a plain id and stays stable while rows
    are added; empty (from the start) when that row is gone."""
    anchor = collection.find_one({"_id": after}, {field: 1})
    if anchor is None:
        return {}
    beyond = "$lt" if newest_first else "$gt"
    return {"$or": [{field: {beyond: anchor[field]}},
                    {field: anchor[field], "_id": {beyond: after}}]}
