"""The gateway application: FastAPI over RPC to the services, with its own small database
(users, API keys, webhook subscriptions and deliveries, the event log)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from services.gateway import passwords, security
from services.gateway.errors import install_error_handlers
from services.gateway.events.consumer import EventLogConsumer, purge_periodically
from services.gateway.events.hub import EventHub
from services.gateway.events.webhooks import WebhookDispatcher
from services.gateway.headers import SecurityHeaders
from services.gateway.limits import BodySizeLimit
from services.gateway.metrics import RequestMetrics
from services.gateway.openapi import build_document, operation_id
from services.gateway.rate_limits import RateLimiter
from services.gateway.repositories import Store
from services.gateway.routers import (
    alert_rules,
    alerts,
    api_keys,
    audit,
    auth,
    committee_report,
    console,
    coverage,
    dead_letters,
    delivery_reports,
    events,
    health,
    items,
    labels,
    meta,
    models,
    notice_deliveries,
    notices,
    notification_settings,
    plan_reports,
    plans,
    recipients,
    reports,
    sources,
    subscriptions,
    tasks,
    topics,
    unit_groups,
    units,
    users,
)
from services.gateway.settings import GatewaySettings
from services.gateway.units import UnitDirectory
from services.runtime.rpc_client import RpcClient

log = logging.getLogger("gateway")
# The order of the API documentation.
ROUTERS = (health, meta, auth, users, api_keys, subscriptions, events, units, unit_groups,
           plans, committee_report, tasks, audit, reports, plan_reports, notices,
           notice_deliveries, delivery_reports, recipients, notification_settings, sources,
           items, labels, alerts, coverage, alert_rules, topics, models, dead_letters)
# The order requests are matched in: FastAPI tries the routes of the included routers one by
# one (docs/decisions/0004-the-gateway-request-path.md), so the domain routers that
# carry the traffic come first and logins, health checks and account management last. No
# path is served by two routers, so the order changes no answer (nor the OpenAPI document,
# built in the ROUTERS order below).
MATCH_ORDER = (plans, committee_report, tasks, audit, reports, plan_reports, notices,
               notice_deliveries, delivery_reports, units, unit_groups, items, labels, sources,
               alerts, coverage, alert_rules, topics, models, recipients,
               notification_settings,
               dead_letters,
               events, subscriptions, users, api_keys, auth, meta, health, console)

DESCRIPTION = """Plans, notices and monitoring of a provincial information campaign.

Authenticate with `POST /api/v1/auth/token` (users; JSON, or the OAuth2 password form that
the Authorize button of /docs sends) and send `Authorization: Bearer <token>`, or send an API
key (`X-API-Key: cpk_...`, systems). Errors are RFC 9457 problem details with a
stable `code`. Lists take `cursor` and `limit` (at most 200) and answer `next_cursor`.
"""


def token_config(settings: GatewaySettings) -> security.TokenConfig:
    return security.TokenConfig(
        secret=settings.jwt_secret(), algorithm=settings.auth_jwt_algorithm,
        issuer=settings.auth_jwt_issuer, audience=settings.auth_jwt_audience,
        ttl_seconds=settings.auth_token_ttl_seconds,
        leeway_seconds=settings.auth_clock_skew_seconds)


async def bootstrap_admin(store: Store, settings: GatewaySettings) -> None:
    name = settings.bootstrap_admin_username
    password = settings.bootstrap_admin_password
    if name and password:  # strong enough: the settings refuse a weak one
        hashed = await run_in_threadpool(security.hash_password, password.get_secret_value())
        if await store.users.add_once(name, hashed, "admin") is not None:
            log.info("bootstrap admin created", extra={"username": name})
    elif not await store.users.any():
        log.warning("no users yet: create the first admin with "
                    "`campaign create-admin --username NAME` or set "
                    "BOOTSTRAP_ADMIN_USERNAME and BOOTSTRAP_ADMIN_PASSWORD")


def create_app(settings: GatewaySettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = RpcClient(settings.amqp_uri, timeout=settings.rpc_timeout_seconds,
                           client_name="gateway")
        store = Store(settings.mongodb_uri, settings.database_name("gateway"),
                      settings.store_timeout_ms,
                      credential_ttl_seconds=settings.auth_cache_seconds)
        hub = EventHub(settings.sse_queue_size)
        dispatcher = WebhookDispatcher(store, settings)
        consumer = EventLogConsumer(settings.amqp_uri, store, hub, dispatcher,
                                    settings.event_consumer_prefetch)
        app.state.rpc = client
        app.state.store = store
        app.state.hub = hub
        app.state.dispatcher = dispatcher
        app.state.consumer = consumer
        app.state.units = UnitDirectory(client)
        app.state.rate_limiter = RateLimiter(settings.rate_limit_storage_uri,
                                             settings.database_name("gateway"),
                                             settings.rate_limit_storage_timeout_ms)
        await run_in_threadpool(passwords.load)
        await client.start(retry_in_background=True)
        await store.ensure_indexes()
        await bootstrap_admin(store, settings)
        await dispatcher.start()
        tasks: list[asyncio.Task[None]] = []
        if settings.event_consumer_enabled:
            tasks = [asyncio.create_task(consumer.run(), name="event-log"),
                     asyncio.create_task(purge_periodically(store,
                                                            settings.event_retention_days),
                                         name="event-log-retention")]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await consumer.close()
            await dispatcher.close()
            await client.close()
            await store.close()
            await app.state.rate_limiter.close()

    app = FastAPI(title="Campaign platform API", version="1", description=DESCRIPTION,
                  lifespan=lifespan, generate_unique_id_function=operation_id)
    app.state.settings = settings
    app.state.token_config = token_config(settings)
    app.state.tokens = security.VerifiedTokens(app.state.token_config)
    install_error_handlers(app)
    for module in MATCH_ORDER:
        app.include_router(module.router)
    app.add_middleware(RequestMetrics)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)

    doc_rank = {id(module.router): rank for rank, module in enumerate(ROUTERS)}

    def doc_order(route: Any) -> int:
        return doc_rank.get(id(getattr(route, "original_router", None)), -1)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_document(app, sorted(app.routes, key=doc_order))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
