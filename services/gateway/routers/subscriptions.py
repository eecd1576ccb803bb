"""Webhook subscriptions of other systems: register a URL and event types, receive signed
deliveries; rotate the secret; read the delivery log. Only the owner (or an admin) sees one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request, Response, status

from services.contracts.errors import ErrorCode, ServiceError
from services.contracts.gateway import (
    DeliveryPage,
    Role,
    Subscription,
    SubscriptionCreate,
    SubscriptionPage,
    SubscriptionUpdate,
    SubscriptionWithSecret,
)
from services.gateway.access import Principal
from services.gateway.deps import StoreDep, found, not_found
from services.gateway.events.outbound import UrlNotAllowed, check_url
from services.gateway.events.webhooks import new_secret, rotated_secrets
from services.gateway.permissions import CanReadSubscriptions, CanWriteSubscriptions
from services.gateway.repositories import Store, public
from services.gateway.routers.common import NOT_FOUND, Cursor, Limit, PathId, no_store
from services.gateway.routers.routing import Router

router = Router(prefix="/api/v1/subscriptions", tags=["subscriptions"])


def view(doc: dict[str, Any]) -> dict[str, Any]:
    out = public(doc)
    out.pop("secrets", None)
    return out


async def owned(store: Store, sub_id: str, principal: Principal) -> dict[str, Any]:
    doc = await store.subscriptions.get(sub_id)
    if doc is None or (principal.role is not Role.ADMIN
                       and doc.get("owner_id") != principal.account_id):
        raise not_found("subscription", sub_id)
    return doc


async def allowed_url(url: str, request: Request) -> None:
    try:
        await check_url(url, request.app.state.settings.allowlist())
    except UrlNotAllowed as exc:
        raise ServiceError(ErrorCode.VALIDATION_FAILED, f"URL not allowed: {exc}", {
            "reason": exc.reason,
            "errors": [{"loc": ["body", "url"], "msg": f"not allowed: {exc.reason}",
                        "type": "url_not_allowed"}]}) from None


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SubscriptionWithSecret,
             summary="Subscribe a URL to event types (the secret is shown once)")
async def create_subscription(body: SubscriptionCreate, request: Request, store: StoreDep,
                              principal: CanWriteSubscriptions, response: Response) -> Any:
    """Registers a URL to receive the chosen event types as signed webhook deliveries. The URL
    must resolve to a public address (or one in `OUTBOUND_ALLOWLIST`). The signing secret is
    in the answer only."""
    await allowed_url(body.url, request)
    no_store(response)
    secret = new_secret()
    doc = await store.subscriptions.add({
        **body.model_dump(mode="json"), "owner_id": principal.account_id,
        "secrets": [{"value": secret, "expires_at": None}]})
    return {**view(doc), "secret": secret}


@router.get("", response_model=SubscriptionPage, summary="List subscriptions")
async def list_subscriptions(store: StoreDep, principal: CanReadSubscriptions,
                             cursor: Cursor = None,
                             limit: Limit = 50,
                             active: Annotated[bool | None, Query()] = None) -> Any:
    """Pages through the caller's subscriptions (all of them for an admin), optionally only
    active or disabled ones."""
    owner = None if principal.role is Role.ADMIN else principal.account_id
    rows, next_cursor = await store.subscriptions.listed(owner, active, cursor, limit)
    return {"items": [view(r) for r in rows], "next_cursor": next_cursor}


@router.get("/{subscription_id}", response_model=Subscription, summary="Read a subscription",
            responses=NOT_FOUND)
async def get_subscription(subscription_id: PathId, store: StoreDep,
                           principal: CanReadSubscriptions) -> Any:
    """One subscription of the caller (any for an admin): URL, event types, state and failure
    streak."""
    return view(await owned(store, subscription_id, principal))


@router.patch("/{subscription_id}", response_model=Subscription, responses=NOT_FOUND,
              summary="Change event types or description; re-enable with active=true")
async def update_subscription(subscription_id: PathId, body: SubscriptionUpdate, store: StoreDep,
                              principal: CanWriteSubscriptions) -> Any:
    """Changes event types or description; `active: true` re-enables a subscription that was
    disabled after repeated failures and resets its failure streak."""
    await owned(store, subscription_id, principal)
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    if changes.get("active"):
        changes.update(failure_streak=0, disabled_reason=None, disabled_at=None)
    doc = await store.subscriptions.change(subscription_id, changes) if changes \
        else await store.subscriptions.get(subscription_id)
    if doc is None:
        raise not_found("subscription", subscription_id)
    return view(doc)


@router.delete("/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, summary="Delete a subscription", responses=NOT_FOUND)
async def delete_subscription(subscription_id: PathId, store: StoreDep,
                              principal: CanWriteSubscriptions) -> Response:
    """Deletes a subscription: nothing more is delivered to it."""
    await owned(store, subscription_id, principal)
    await store.subscriptions.delete(subscription_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{subscription_id}/rotate-secret", response_model=SubscriptionWithSecret,
             responses=NOT_FOUND,
             summary="New signing secret; the old one keeps signing for a grace period")
async def rotate_subscription_secret(
        subscription_id: PathId, request: Request, store: StoreDep,
        principal: CanWriteSubscriptions,
        response: Response,
        revoke_previous: Annotated[bool, Query(description=(
            "Stop signing with every previous secret at once (a leaked secret) instead of "
            "keeping them for the grace period"))] = False) -> Any:
    """Issues a new signing secret (in the answer only). Deliveries are signed with the new
    secret and each previous one for `WEBHOOK_SECRET_GRACE_SECONDS` after it was replaced (a
    day), one signature per secret in `webhook-signature`, so the receiver can switch without
    losing a delivery (at most 10 previous secrets: more rotations within a day retire the
    oldest). `?revoke_previous=true` drops the previous secrets at once."""
    doc = await owned(store, subscription_id, principal)
    no_store(response)
    secret, secrets = rotated_secrets(doc,
                                      request.app.state.settings.webhook_secret_grace_seconds,
                                      revoke_previous=revoke_previous)
    updated = found(await store.subscriptions.change(subscription_id, {"secrets": secrets}),
                    "subscription", subscription_id)
    return {**view(updated), "secret": secret}


@router.get("/{subscription_id}/deliveries", response_model=DeliveryPage, responses=NOT_FOUND,
            summary="The delivery log of a subscription")
async def list_subscription_deliveries(
        subscription_id: PathId, store: StoreDep, principal: CanReadSubscriptions,
        cursor: Cursor = None,
        limit: Limit = 50,
        status_: Annotated[str | None, Query(alias="status",
                                             pattern="^(pending|delivered|failed)$")] = None,
        event_id: Annotated[str | None, Query(max_length=200)] = None) -> Any:
    """The delivery log of a subscription: each attempt's event, status, HTTP answer and next
    retry, optionally filtered by status or event."""
    await owned(store, subscription_id, principal)
    rows, next_cursor = await store.deliveries.listed(subscription_id, status_ or None,
                                                      event_id or None, cursor, limit)
    return {"items": [public(r) for r in rows], "next_cursor": next_cursor}
