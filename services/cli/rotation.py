"""Secret rotation behind `campaign rotate-secret`. What rotating means differs per secret:

- AUTH_JWT_SECRET (gateway) signs access tokens. A new value is generated here; once every
  gateway runs with it, tokens signed with the old one are refused (`bad_signature`) and
  people sign in again (tokens live AUTH_TOKEN_TTL_SECONDS anyway). API keys do not depend on
  it.
- ACK_LINK_SECRET (notifications) signs the acknowledgement links in notices. Links already
  sent stop working with a new value; units can still acknowledge through the API.
- Webhook subscription secrets (gateway database) sign deliveries to other systems. A new
  secret is stored first and the previous ones keep signing for
  WEBHOOK_SECRET_GRACE_SECONDS (or stop at once with --revoke-previous), exactly as
  `POST /subscriptions/{id}/rotate-secret` does.
- A unit's webhook secret (notifications directory) signs notices delivered to that unit's
  webhook channel; it holds one secret, so the unit must switch when it changes.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from services.gateway.events.webhooks import new_secret, rotated_secrets
from services.gateway.repositories import Store
from services.gateway.settings import GatewaySettings

SECRET_BYTES = 48


def new_env_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def write_env_file(path: Path, name: str, value: str) -> None:
    """Set `name=value` in an env file, replacing the variable's line or appending one."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    pattern = re.compile(rf"^\s*(export\s+)?{re.escape(name)}=")
    replaced = [f"{name}={value}" if pattern.match(line) else line for line in lines]
    if replaced == lines:
        replaced.append(f"{name}={value}")
    # A new file holds a secret: readable by its owner only (an existing one keeps its mode).
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write("\n".join(replaced) + "\n")


async def rotate_subscriptions(settings: GatewaySettings, ids: list[str] | None,
                               revoke_previous: bool = False,
                               advance: Callable[[int], None] | None = None,
                               on_total: Callable[[int], None] | None = None
                               ) -> list[dict[str, Any]]:
    """New signing secrets for the named subscriptions (every active one when `ids` is
    None); answers the id, URL and new secret of each, and None as secret for unknown ids."""
    store = Store(settings.mongodb_uri, settings.database_name("gateway"),
                  settings.store_timeout_ms)
    try:
        if ids is None:
            docs = await store.subscriptions.active()
        else:
            docs = [await store.subscriptions.get(i) or {"_id": i} for i in ids]
        if on_total:
            on_total(len(docs))
        rotated = []
        for doc in docs:
            secret = None
            if "url" in doc:
                secret, kept = rotated_secrets(doc, settings.webhook_secret_grace_seconds,
                                               revoke_previous)
                await store.subscriptions.change(doc["_id"], {"secrets": kept})
            rotated.append({"id": doc["_id"], "url": doc.get("url"), "secret": secret})
            if advance:
                advance(1)
        return rotated
    finally:
        await store.close()


def rotate_unit_webhook(call: Callable[..., Any], unit_id: str) -> str:
    """A new webhook secret for a unit of the notifications directory (over RPC)."""
    from services.contracts.notifications import RecipientUnitModel

    current = call("notifications", "get_recipient", unit_id=unit_id)
    fields = {k: v for k, v in current.items() if k in RecipientUnitModel.model_fields}
    secret = new_secret()
    call("notifications", "upsert_recipient", **{**fields, "webhook_secret": secret})
    return secret
