"""What the campaign workflow's end-to-end test uses beside the gateway: a user's HTTP client
that waits out a busy platform, a real SMTP server the units' mail lands in, and readers of
the PDF and DOCX reports. Nothing here knows the services' code: only the public API."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.message import EmailMessage
from typing import Any

import httpx

from stack.infra import free_port

# A loaded machine answers 503 (timeout, service unavailable) with Retry-After: a real client
# waits and tries again, within this bound.
BUSY_RETRY_SECONDS = 90.0
LOGIN_SECONDS = 60.0


def sign_in(base_url: str, username: str, password: str) -> str:
    deadline = time.monotonic() + LOGIN_SECONDS
    while True:
        reply = httpx.post(f"{base_url}/api/v1/auth/token", timeout=LOGIN_SECONDS,
                           json={"username": username, "password": password})
        if reply.status_code != 503 or time.monotonic() > deadline:
            assert reply.status_code == 200, f"{username} cannot sign in: {reply.text}"
            token: str = reply.json()["access_token"]
            return token
        time.sleep(1)


@dataclass
class User:
    """One signed-in person (or the admin) talking to /api/v1 as a browser would."""

    who: str
    base_url: str
    token: str
    user_id: str = ""
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=f"{self.base_url}/api/v1", timeout=120,
                                   headers={"Authorization": f"Bearer {self.token}"})
        if not self.user_id:
            self.user_id = self.get("/users/me")["id"]

    def call(self, method: str, path: str, expect: tuple[int, ...] = (200, 201),
             **kwargs: Any) -> httpx.Response:
        """The answer, after waiting out 503s; asserts its status is one of `expect`. A
        command whose first try timed out may have been done: its retry's 409 is accepted
        (the caller checks the state it expects)."""
        deadline = time.monotonic() + BUSY_RETRY_SECONDS
        timed_out = False
        while True:
            reply = self.client.request(method, path, **kwargs)
            if reply.status_code != 503 or time.monotonic() > deadline:
                break
            timed_out = timed_out or reply.json().get("code") == "timeout"
            time.sleep(min(float(reply.headers.get("Retry-After", "1")), 3.0))
        done_before = timed_out and method != "GET" and reply.status_code == 409
        assert reply.status_code in expect or done_before, (
            f"{self.who}: {method} {path} {kwargs.get('params') or kwargs.get('json') or ''}"
            f" answered {reply.status_code} (expected {expect}): {reply.text[:1500]}")
        return reply

    def get(self, path: str, **params: Any) -> Any:
        return self.call("GET", path, (200,), params=params).json()

    def post(self, path: str, body: dict[str, Any] | None = None,
             expect: tuple[int, ...] = (200, 201)) -> Any:
        reply = self.call("POST", path, expect, json=body)
        return reply.json() if reply.content else None

    def status_of(self, method: str, path: str, body: dict[str, Any] | None = None,
                  **params: Any) -> int:
        """The status code alone (for refusals), after waiting out 503s."""
        return self.call(method, path, tuple(range(200, 600)), json=body,
                         params=params).status_code

    def pages(self, path: str, limit: int = 200, **params: Any) -> list[dict[str, Any]]:
        """Every item of a cursor-paged list."""
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.get(path, limit=limit, **({"cursor": cursor} if cursor else {}),
                            **params)
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items


def standing_for(user: User, unit_id: str, on: date) -> dict[str, Any]:
    """The unit that stands for `unit_id` on a date: itself while valid, else its recorded
    successors followed (one each step: the Department's line has no splits)."""
    unit = user.get(f"/units/{unit_id}")
    while unit["valid_to"] is not None and date.fromisoformat(unit["valid_to"]) < on:
        assert len(unit["successor_ids"]) == 1, f"{unit['id']}: {unit['successor_ids']}"
        unit = user.get(f"/units/{unit['successor_ids'][0]}")
    return user.get(f"/units/{unit['id']}", as_of=on.isoformat())


def email_of(user: User, unit_id: str) -> str:
    unit = user.get(f"/units/{unit_id}")
    return next(c["address"] for c in unit["contacts"] if c["kind"] == "email")


@dataclass(frozen=True)
class Mail:
    to: str
    message: EmailMessage
    at: datetime

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        assert body is not None, f"no text part in {self.message['subject']}"
        return str(body.get_content())


class MailSink:
    """A real SMTP server on 127.0.0.1 that keeps what it receives; it answers 550 for the
    addresses in `refused`, as for a mailbox that does not exist."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received: list[Mail] = []
        self.refused: set[str] = set()
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refused:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        at = datetime.now(UTC)
        with self._lock:
            self.received += [Mail(rcpt, message, at) for rcpt in envelope.rcpt_tos]
        return "250 Message accepted"

    def start(self) -> MailSink:
        self._controller.start()
        return self

    @property
    def port(self) -> int:
        return int(self._controller.port)

    def stop(self) -> None:
        self._controller.stop()

    def to(self, address: str, subject: str) -> list[Mail]:
        with self._lock:
            return [m for m in self.received
                    if m.to == address and str(m.message["subject"]) == subject]


def pdf_text_and_images(content: bytes) -> tuple[str, int]:
    """The PDF's text with runs of white space made single, and how many images it holds."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    return text, sum(len(page.images) for page in reader.pages)


def docx_tables_and_images(content: bytes) -> tuple[list[list[list[str]]], int, str]:
    """The DOCX's tables (rows of cell texts), its inline images and its paragraphs' text."""
    from docx import Document

    document = Document(io.BytesIO(content))
    tables = [[[" ".join(cell.text.split()) for cell in row.cells] for row in table.rows]
              for table in document.tables]
    paragraphs = " ".join(p.text for p in document.paragraphs)
    return tables, len(document.inline_shapes), paragraphs


def table_with(tables: list[list[list[str]]], header: str) -> list[list[str]]:
    found = [t for t in tables if any(header in cell for cell in t[0])]
    assert found, f"no table headed {header!r} among {[t[0] for t in tables]}"
    return found[0]


def column(table: list[list[str]], header: str) -> int:
    """The index of the first column whose heading starts with `header`."""
    found = [i for i, cell in enumerate(table[0]) if cell.startswith(header)]
    assert found, f"no column {header!r} in {table[0]}"
    return found[0]


def rows(user: User, notice_id: str, **filters: Any) -> list[dict[str, Any]]:
    """A notice's status per recipient (every page)."""
    return user.pages(f"/notices/{notice_id}/deliveries", **filters)


def statuses(user: User, notice_id: str, **filters: Any) -> set[tuple[str, str]]:
    """(language, status) of a notice's deliveries."""
    return {(r["language"], r["status"]) for r in rows(user, notice_id, **filters)}


def kpi_achieved(user: User, plan_id: str, task_id: str, period: str) -> int:
    """What the plan's KPI export (CSV) counts for a task and period."""
    exported = user.call("GET", f"/plans/{plan_id}/export",
                         params={"format": "csv", "view": "kpis", "language": "en"})
    found = [r for r in csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig")))
             if (r["task_id"], r["period"]) == (task_id, period)]
    assert found, f"no {period} KPI row for {task_id} in {exported.text[:500]}"
    return int(found[0]["achieved"])


@dataclass
class Campaign:
    """The people of one campaign run (by role), their shared mailbox server and what one
    step leaves for the next (`ids`)."""

    sink: MailSink
    people: dict[str, User]
    run: str = field(default_factory=lambda: secrets.token_hex(3))
    number: str = field(default_factory=lambda: f"{9001 + secrets.randbelow(998)}/KH-STTTT")
    ids: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, role: str) -> User:
        if role == "people":  # not set yet (copying, unpickling)
            raise AttributeError(role)
        return self.people[role]

    @classmethod
    def open(cls, base_url: str, admin: httpx.Client, admin_token: str, sink: MailSink,
             roles: dict[str, tuple[str, str | None, str]]) -> Campaign:
        """An account per role (role, unit, display name) created by the admin and signed in;
        the admin points the email channel at the sink (the platform's SMTP server)."""
        from stack.console_testkit import create_account

        people = {"admin": User("admin", base_url, admin_token)}
        people["admin"].call("PUT", "/notification-settings/channels/email", json={
            "smtp_host": "127.0.0.1", "smtp_port": sink.port, "timeout_seconds": 2})
        for name, (role, unit, display_name) in roles.items():
            account = create_account(admin, role, unit, display_name)
            people[name] = User(name, base_url,
                                sign_in(base_url, account.username, account.password))
        return cls(sink, people)


def inbox_item(user: User, notice_id: str) -> dict[str, Any]:
    """The notice as it stands in the user's unit's inbox."""
    found = [i for i in user.pages("/inbox") if i["notice_id"] == notice_id]
    assert found, f"{notice_id} is not in the inbox of {user.who}"
    return found[0]


def summary_counts_rows(user: User, notice_id: str) -> bool:
    """Whether the notice's summary counts the statuses of the rows the user sees."""
    listed = Counter(r["status"] for r in rows(user, notice_id))
    return bool(user.get(f"/notices/{notice_id}")["deliveries"] == dict(listed))
