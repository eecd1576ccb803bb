"""Channel providers: configuration as data (the `channels` collection over settings
defaults) and one small adapter per protocol.

- email: SMTP (smtplib; eventlet-patched inside nameko)
- webhook: HTTP POST signed with Standard Webhooks headers (HMAC-SHA256)
- sms, zalo, telegram: an HTTP provider (`POST <base>/messages`, bearer token,
  `Idempotency-Key`); SMS and Zalo answer later with delivery reports
- inbox: stored only; the gateway reads it through RPC

Every adapter returns a `SendResult`; none raises for a provider's fault.
"""

from __future__ import annotations

import http.client
import json
import smtplib
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr
from typing import Any
from urllib.parse import urlsplit

from services.contracts.errors import DomainError
from services.notifications.context import Context
from services.notifications.domain.delivery import RetryPolicy, classify_http_status, message_key
from services.notifications.domain.errors import OversizeBodyError
from services.notifications.domain.ratelimit import DEFAULT_RATE_LIMITS
from services.notifications.domain.sms import OversizePolicy, SmsPolicy, UnaccentMode, prepare_sms
from services.notifications.domain.vocabulary import AttemptOutcome, Channel
from services.notifications.domain.webhook_signing import signing_headers
from services.notifications.settings import NotificationsSettings
from services.runtime.ssrf import UrlNotAllowed, check_url_allowed

PROVIDER_CHANNELS = (Channel.SMS, Channel.ZALO, Channel.TELEGRAM)
SECRET_FIELDS = ("provider_token", "smtp_password")


@dataclass(frozen=True)
class SendResult:
    outcome: AttemptOutcome
    reason: str | None = None
    provider_message_id: str | None = None
    acknowledged: bool = False  # the receiver acknowledged in its reply (webhook)


def default_config(channel: Channel, settings: NotificationsSettings) -> dict[str, Any]:
    limit = DEFAULT_RATE_LIMITS[channel]
    return {
        "channel": channel.value, "enabled": True,
        "smtp_host": settings.smtp_host, "smtp_port": settings.smtp_port,
        "smtp_sender": settings.smtp_sender, "smtp_starttls": False,
        "smtp_username": None, "smtp_password": None,
        "provider_base_url": settings.provider_base_url or None,
        "provider_token": settings.provider_token.get_secret_value() or None,
        "timeout_seconds": settings.webhook_timeout_seconds,
        "rate_capacity": limit.capacity, "rate_per_second": limit.refill_per_second,
        "max_attempts": 5, "retry_base_seconds": 30.0, "retry_max_seconds": 3600.0,
        "sms_max_parts": 5, "sms_unaccent": "if_oversize", "max_body_bytes": 256_000,
    }


def load_config(ctx: Context, channel: Channel) -> dict[str, Any]:
    stored = ctx.uow.configuration.channel(channel.value)
    config = default_config(channel, ctx.settings)
    config.update({k: v for k, v in stored.items() if k != "_id" and v is not None})
    return config


def configure(ctx: Context, channel: Channel, changes: dict[str, Any]) -> dict[str, Any]:
    if changes:
        with ctx.uow as uow:
            uow.configuration.configure_channel(channel.value, changes)
            uow.commit()
    return view(load_config(ctx, channel))


def view(config: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in config.items() if k not in SECRET_FIELDS}
    out["has_provider_token"] = bool(config.get("provider_token"))
    return out


def retry_policy(config: dict[str, Any]) -> RetryPolicy:
    return RetryPolicy(max_attempts=int(config["max_attempts"]),
                       base_delay=timedelta(seconds=float(config["retry_base_seconds"])),
                       max_delay=timedelta(seconds=float(config["retry_max_seconds"])))


# --- outbound HTTP ---------------------------------------------------------------------------

def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float,
              allowlist: list[str]) -> tuple[int, bytes]:
    """POST to a public address (or an allow-listed one); raises UrlNotAllowed, OSError,
    http.client.HTTPException, TimeoutError."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        resolved = sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port)})
    except OSError as exc:
        raise UrlNotAllowed("unresolved", f"{host}: {exc}") from exc
    check_url_allowed(url, resolved, allowlist)
    connection_class = (http.client.HTTPSConnection if parts.scheme == "https"
                        else http.client.HTTPConnection)
    connection = connection_class(host, port, timeout=timeout)
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        connection.request("POST", path, body=body, headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "campaign-notifications/1", **headers})
        response = connection.getresponse()
        return response.status, response.read(64_000)
    finally:
        connection.close()


def _http_outcome(status: int, reply: bytes) -> tuple[AttemptOutcome, str | None]:
    outcome = classify_http_status(status)
    if outcome is AttemptOutcome.OK:
        return outcome, None
    text = reply.decode("utf-8", errors="replace").strip()[:300]
    return outcome, f"HTTP {status}" + (f": {text}" if text else "")


def _transport_failure(exc: Exception) -> SendResult:
    if isinstance(exc, UrlNotAllowed):
        return SendResult(AttemptOutcome.PERMANENT, f"address not allowed: {exc}")
    if isinstance(exc, TimeoutError | socket.timeout):
        return SendResult(AttemptOutcome.TRANSIENT, "timeout")
    return SendResult(AttemptOutcome.TRANSIENT, f"{type(exc).__name__}: {str(exc)[:200]}")


# --- adapters --------------------------------------------------------------------------------

def send_email(delivery: dict[str, Any], config: dict[str, Any]) -> SendResult:
    # compat32 MIME classes with an explicit UTF-8 Header: the default policy's folding of
    # long encoded subjects drops the space after a comma ("phòng,chống").
    plain = MIMEText(delivery["text"], "plain", "utf-8")
    message: Message = plain
    if delivery.get("html"):
        message = MIMEMultipart("alternative")
        message.attach(plain)
        message.attach(MIMEText(delivery["html"], "html", "utf-8"))
    message["Subject"] = Header(delivery["subject"], "utf-8")  # type: ignore[assignment]
    message["From"] = formataddr((delivery.get("sender_name") or "", config["smtp_sender"]),
                                 charset="utf-8")
    message["To"] = delivery["address"]
    message["Message-ID"] = f"<{_message_key(delivery)}@campaign-notifications>"
    message["Content-Language"] = delivery["language"]
    try:
        with smtplib.SMTP(config["smtp_host"], int(config["smtp_port"]),
                          timeout=float(config["timeout_seconds"])) as smtp:
            if config.get("smtp_starttls"):
                smtp.starttls()
            if config.get("smtp_username"):
                smtp.login(config["smtp_username"], config.get("smtp_password") or "")
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        return _smtp_reply(code, text)
    except smtplib.SMTPResponseException as exc:
        return _smtp_reply(exc.smtp_code, exc.smtp_error)
    except (OSError, smtplib.SMTPException) as exc:
        return _transport_failure(exc)
    return SendResult(AttemptOutcome.OK)


def _smtp_reply(code: int, text: bytes | str) -> SendResult:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    outcome = AttemptOutcome.PERMANENT if 500 <= code < 600 else AttemptOutcome.TRANSIENT
    return SendResult(outcome, f"SMTP {code}: {text[:200]}")


def webhook_body(delivery: dict[str, Any]) -> bytes:
    payload = {
        "type": "notification", "id": delivery["_id"], "notice_id": delivery["notice_id"],
        "unit_id": delivery["unit_id"], "kind": delivery.get("kind"),
        "priority": delivery.get("priority"), "language": delivery["language"],
        "plan_id": delivery.get("plan_id"), "task_id": delivery.get("task_id"),
        "subject": delivery["subject"], "text": delivery["text"],
        "ack_url": delivery.get("ack_url") or None,
        "ack_deadline": delivery["ack_deadline"].isoformat()
        if delivery.get("ack_deadline") else None,
    }
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def send_webhook(delivery: dict[str, Any], config: dict[str, Any], secret: str | None,
                 allowlist: list[str]) -> SendResult:
    if not secret:
        return SendResult(AttemptOutcome.PERMANENT, "unit has no webhook secret")
    body = webhook_body(delivery)
    if len(body) > int(config["max_body_bytes"]):
        return SendResult(AttemptOutcome.PERMANENT,
                          f"oversize body: {len(body)} bytes > {config['max_body_bytes']}")
    # webhook-id is the delivery key: a resend after a crash carries the same id, so the
    # receiver deduplicates (at-least-once on this channel); an officer's resend has its own.
    headers = signing_headers(secret, _message_key(delivery), int(time.time()), body)
    try:
        status, reply = post_json(delivery["address"], body, headers,
                                  float(config["timeout_seconds"]), allowlist)
    except Exception as exc:
        return _transport_failure(exc)
    outcome, reason = _http_outcome(status, reply)
    return SendResult(outcome, reason, acknowledged=outcome is AttemptOutcome.OK
                      and _acknowledged(reply))


def _message_key(delivery: dict[str, Any]) -> str:
    return message_key(delivery["_id"], int(delivery.get("resends") or 0))


def _acknowledged(reply: bytes) -> bool:
    try:
        parsed = json.loads(reply or b"{}")
    except ValueError:
        return False
    return isinstance(parsed, dict) and parsed.get("acknowledged") is True


def provider_text(delivery: dict[str, Any], channel: Channel, config: dict[str, Any]
                  ) -> tuple[str, dict[str, Any]]:
    """SMS carries the subject and the ack link (UCS-2 parts are 67 characters); chat apps
    carry the full text. Raises OversizeBodyError."""
    if channel is not Channel.SMS:
        text = delivery["text"]
        if len(text.encode("utf-8")) > int(config["max_body_bytes"]):
            raise OversizeBodyError("message body too large for the provider",
                                    {"bytes": len(text.encode("utf-8"))})
        return text, {}
    text = delivery["subject"] + (f" {delivery['ack_url']}" if delivery.get("ack_url") else "")
    policy = SmsPolicy(max_parts=int(config["sms_max_parts"]),
                       on_oversize=OversizePolicy.REJECT,
                       unaccent=UnaccentMode(config["sms_unaccent"]))
    sms = prepare_sms(text, policy)
    return sms.text, {"encoding": sms.encoding.value, "parts": len(sms.parts),
                      "unaccented": sms.unaccented}


def send_via_provider(delivery: dict[str, Any], channel: Channel, config: dict[str, Any],
                      allowlist: list[str]) -> SendResult:
    base = config.get("provider_base_url")
    if not base:
        return SendResult(AttemptOutcome.PERMANENT, f"no provider configured for {channel}")
    try:
        text, extra = provider_text(delivery, channel, config)
    except DomainError as exc:
        return SendResult(AttemptOutcome.PERMANENT, f"{exc.code}: {exc.message}")
    body = json.dumps({"channel": channel.value, "to": delivery["address"], "text": text,
                       "reference": delivery["_id"], **extra},
                      ensure_ascii=False).encode("utf-8")
    headers = {"Idempotency-Key": _message_key(delivery)}
    if config.get("provider_token"):
        headers["Authorization"] = f"Bearer {config['provider_token']}"
    try:
        status, reply = post_json(base.rstrip("/") + "/messages", body, headers,
                                  float(config["timeout_seconds"]), allowlist)
    except Exception as exc:
        return _transport_failure(exc)
    outcome, reason = _http_outcome(status, reply)
    message_id = None
    if outcome is AttemptOutcome.OK:
        try:
            message_id = str(json.loads(reply).get("message_id") or "") or None
        except (ValueError, AttributeError):
            message_id = None
        message_id = message_id or f"{channel.value}-{uuid.uuid4().hex[:12]}"
    return SendResult(outcome, reason, message_id)
