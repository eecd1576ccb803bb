"""Polling sources: leasing due ones (so that two replicas never poll one at once), fetching
and ingesting what is new, recording the outcome and the source's health."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from services.contracts import monitoring
from services.monitoring.domain import Alert, FeedError, PollOutcome, RawItem, Source, parse_feed
from services.monitoring.fetching import (
    FetchError,
    decode,
    extract_article,
    feed_text,
    looks_like_feed,
)
from services.monitoring.ingestion.signals import raise_alerts
from services.monitoring.metrics import SOURCE_FETCHES, SOURCES_UNHEALTHY
from services.monitoring.use_cases.context import Context
from services.runtime.unit_of_work import StaleWrite, retrying

log = logging.getLogger(__name__)

LEASE_SECONDS = 120
CLAIM_CANDIDATES = 8  # due sources read per claim, in case another replica leases some first


class Running(Protocol):
    def wait(self) -> Any: ...


class Pool(Protocol):
    """A bounded pool of threads (a green pool in the service)."""

    def free(self) -> int: ...

    def spawn(self, function: Callable[..., Any], *args: Any) -> Running: ...


def poll_due(ctx: Context, pool: Pool) -> int:
    """Lease due sources while the pool has room and poll each in a thread of its own (a slow
    source only holds its own); returns how many were polled."""
    running = []
    while pool.free() > 0 and (source := claim_due_source(ctx)) is not None:
        running.append(pool.spawn(poll_source, source, ctx.fresh()))
    for thread in running:
        thread.wait()
    return len(running)


def claim_due_source(ctx: Context) -> Source | None:
    """Lease the most overdue free source: the lease is written guarded by the lease read,
    so of two replicas leasing one source only one succeeds."""
    now = ctx.now()
    for source_id in ctx.uow.sources.due_ids(now, CLAIM_CANDIDATES):
        with ctx.uow as uow:
            source = uow.sources.get(source_id)
            if source is None or not source.lease(now, now + timedelta(seconds=LEASE_SECONDS)):
                continue
            try:
                uow.commit()
            except StaleWrite:  # another replica leased it first
                continue
            return source
    return None


def poll_source(source: Source, ctx: Context) -> monitoring.PollResult:
    """Fetch one source, ingest what is new, and record the outcome; never raises for the
    source's own faults (they are outcomes)."""
    url = str(source.url)
    headers: dict[str, str] = {}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    result = monitoring.PollResult(source_id=source.id, outcome="ok")
    validators: dict[str, Any] = {}
    try:
        if not ctx.fetcher.allowed_by_robots(url):
            raise FetchError("robots_disallowed", url)
        response = ctx.fetcher.get(url, headers)
        result.http_status = response.status
        if response.status == 304:
            result.outcome = "not_modified"
        elif response.status >= 400:
            outcome = f"http_{response.status}" if response.status in (404, 410) else "http_error"
            raise FetchError(outcome, f"HTTP {response.status}", response.status)
        else:
            validators = {"etag": response.headers.get("etag"),
                          "last_modified": response.headers.get("last-modified")}
            raw = items_of(source, response, ctx.now())
            result.fetched = len(raw)
            batch = ctx.ingestion.ingest(raw, ctx.now())
            result.stored, result.duplicates = batch.stored, batch.duplicates
    except FetchError as exc:
        result.outcome = exc.outcome
        result.detail = exc.detail[:500] or None
        result.http_status = exc.status or result.http_status
    except Exception as exc:  # a bug or the database: recorded, never blocks other sources
        log.exception("poll failed", extra={"source_id": source.id})
        result.outcome, result.detail = "error", f"{type(exc).__name__}: {exc}"[:500]
    SOURCE_FETCHES.labels(result.outcome).inc()
    record_poll(source.id, PollOutcome(result.outcome, result.detail, result.stored,
                                       validators.get("etag"), validators.get("last_modified")),
                result, ctx)
    return result


def items_of(source: Source, response: Any, now: datetime) -> list[RawItem | None]:
    base: dict[str, Any] = {"source_id": source.id, "source_kind": source.kind,
            "outlet_unit_id": source.outlet_unit_id, "channel": source.channel,
            "default_place": source.default_place}
    if source.kind == "feed" or looks_like_feed(response):
        try:
            feed = parse_feed(feed_text(response.body, response.charset), now=now)
        except FeedError as exc:
            raise FetchError("malformed", str(exc)[:300], response.status) from exc
        return [RawItem(title=e.title, body=e.content or e.summary, url=e.link, guid=e.guid,
                        published=e.published, **base) for e in feed.items]
    html = decode(response.body, response.charset)
    article = extract_article(html, response.url, now)
    if article is None:
        raise FetchError("not_article", "no article text found", response.status)
    return [RawItem(title=article.title, body=article.text, url=response.url,
                    published=article.published, **base)]


def record_poll(source_id: str, poll: PollOutcome, result: monitoring.PollResult,
                ctx: Context) -> None:
    """The poll's outcome on the source (read again: it changed while we fetched), and an
    alert when it made the source unhealthy."""
    def record() -> None:
        now = ctx.now()
        with ctx.uow as uow:
            source = uow.sources.get(source_id)
            if source is None:
                return
            became_unhealthy = source.record_poll(poll, now, ctx.max_failures)
            alerts = [] if became_unhealthy is None else [Alert.for_source(
                source.id, source.name, source.unhealthy_transitions, became_unhealthy, now)]
            raise_alerts(uow, alerts)
            result.next_poll_at = source.next_poll_at

    retrying(record)
    refresh_unhealthy_gauge(ctx)


def scan_health(ctx: Context) -> int:
    """Mark sources silent beyond their rhythm unhealthy; returns how many became so."""
    now = ctx.now()
    marked = 0
    for candidate in ctx.uow.sources.silence_candidates():
        if candidate.check_silence(now, ctx.max_failures) is None:
            continue

        def mark(source_id: str = candidate.id) -> int:
            with ctx.uow as uow:
                source = uow.sources.get(source_id)
                reason = None if source is None else source.check_silence(now, ctx.max_failures)
                if source is None or reason is None:
                    return 0
                raise_alerts(uow, [Alert.for_source(source.id, source.name,
                                                    source.unhealthy_transitions, reason, now)])
                return 1

        marked += retrying(mark)
    refresh_unhealthy_gauge(ctx)
    return marked


def refresh_unhealthy_gauge(ctx: Context) -> None:
    SOURCES_UNHEALTHY.set(ctx.uow.sources.unhealthy_count())
