"""Jinja2 templates per notice kind and language: validation at save time, rendering per
recipient. Sandboxed, ``StrictUndefined``; autoescape off for subject/text, on for HTML."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from .errors import InvalidTemplateError, NotFoundError, ValidationFailedError
from .notices import Notice, VariableValue
from .preferences import to_local
from .vocabulary import NoticeKind

DEFAULT_TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"

COMMON_VARIABLES: frozenset[str] = frozenset(
    {
        "recipient_name",  # name of the recipient unit
        "sender_name",  # issuing body, e.g. "Sở Văn hóa, Thể thao và Du lịch tỉnh Gia Lai"
        "notice_subject",
        "notice_body",
        "ack_url",  # signed acknowledgement link, "" when none
        "ack_deadline",  # datetime or None
    }
)

KIND_VARIABLES: Mapping[NoticeKind, frozenset[str]] = {
    NoticeKind.PLAN_ISSUED: frozenset(
        {"plan_number", "plan_title", "issued_date", "report_deadline"}
    ),
    NoticeKind.TASK_ASSIGNED: frozenset({"plan_number", "task_title", "role", "due_date"}),
    NoticeKind.TASK_DUE_SOON: frozenset({"plan_number", "task_title", "due_date", "days_left"}),
    NoticeKind.TASK_OVERDUE: frozenset({"plan_number", "task_title", "due_date", "days_overdue"}),
    NoticeKind.ALERT: frozenset(
        {"item_title", "source_name", "item_url", "risk_level", "detected_at"}
    ),
    NoticeKind.GUIDANCE: frozenset({"plan_number"}),
}

TemplateValue = VariableValue


def allowed_variables(kind: NoticeKind) -> frozenset[str]:
    return COMMON_VARIABLES | KIND_VARIABLES[kind]


@dataclass(frozen=True)
class TemplateSet:
    kind: NoticeKind
    language: str
    subject: str
    text: str
    html: str | None = None


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str | None = None


def format_dmy(value: TemplateValue) -> str:
    """dd/mm/yyyy, local time for datetimes; strings pass through."""
    if isinstance(value, datetime):
        return to_local(value).strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else str(value)


def format_dmy_hm(value: TemplateValue) -> str:
    if isinstance(value, datetime):
        return to_local(value).strftime("%H:%M ngày %d/%m/%Y")
    return format_dmy(value)


def _environment(autoescape: bool) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["dmy"] = format_dmy
    env.filters["dmy_hm"] = format_dmy_hm
    return env


_TEXT_ENV = _environment(autoescape=False)
_HTML_ENV = _environment(autoescape=True)


def validate_template(template: TemplateSet) -> None:
    """Raise ``InvalidTemplateError`` listing every syntax error and unknown variable with its
    part (subject/text/html) and line."""
    allowed = allowed_variables(template.kind)
    errors: list[dict[str, Any]] = []
    parts = {"subject": template.subject, "text": template.text, "html": template.html}
    for part, source in parts.items():
        if source is None:
            continue
        env = _HTML_ENV if part == "html" else _TEXT_ENV
        try:
            ast = env.parse(source)
            env.compile(ast)  # unknown filters/tests surface here
        except TemplateSyntaxError as exc:
            errors.append({"part": part, "line": exc.lineno, "message": exc.message or str(exc)})
            continue
        for name in sorted(meta.find_undeclared_variables(ast) - allowed):
            errors.append(
                {
                    "part": part,
                    "line": _first_line(ast, name),
                    "message": f"unknown variable {name!r}",
                }
            )
    if not template.subject.strip():
        errors.append({"part": "subject", "line": 1, "message": "subject is empty"})
    if errors:
        raise InvalidTemplateError(
            f"invalid template {template.kind.value}/{template.language}",
            {"kind": template.kind.value, "language": template.language, "errors": errors},
        )


def render(template: TemplateSet, context: Mapping[str, TemplateValue]) -> RenderedMessage:
    """Render for one recipient; the output is NFC (breves over ơ/ư keep their order)."""
    try:
        subject = _compile(template.subject, html=False).render(context)
        text = _compile(template.text, html=False).render(context)
        html = None if template.html is None else _compile(template.html, html=True).render(context)
    except TemplateSyntaxError as exc:
        raise InvalidTemplateError(
            "template does not compile", {"line": exc.lineno, "message": exc.message}
        ) from exc
    except SecurityError as exc:
        raise InvalidTemplateError(
            "template attempted an unsafe operation", {"message": str(exc)}
        ) from exc
    except TemplateError as exc:
        raise ValidationFailedError(
            f"cannot render {template.kind.value}/{template.language}: {exc.message}",
            {"kind": template.kind.value, "language": template.language},
        ) from exc
    return RenderedMessage(
        subject=_nfc(" ".join(subject.split())),
        text=_nfc(text.strip() + "\n"),
        html=None if html is None else _nfc(html),
    )


def render_text(source: str, context: Mapping[str, object]) -> str:
    """Render a free-standing text template (e.g. the digest) in the sandboxed text environment;
    the result is NFC and stripped."""
    try:
        output = _compile(source, html=False).render(context)
    except SecurityError as exc:
        raise InvalidTemplateError("template attempted an unsafe operation", {}) from exc
    except TemplateError as exc:
        raise ValidationFailedError(f"cannot render template: {exc.message}", {}) from exc
    return _nfc(output.strip())


def notice_context(
    notice: Notice,
    *,
    recipient_name: str,
    sender_name: str,
    ack_url: str = "",
) -> dict[str, TemplateValue]:
    """Context for one recipient: common variables plus the notice's kind variables."""
    context: dict[str, TemplateValue] = dict(notice.variables)
    context.update(
        recipient_name=recipient_name,
        sender_name=sender_name,
        notice_subject=notice.subject,
        notice_body=notice.body,
        ack_url=ack_url,
        ack_deadline=notice.ack_deadline,
    )
    return context


class TemplateRegistry:
    """Templates by (kind, language); saving validates first."""

    def __init__(self) -> None:
        self._templates: dict[tuple[NoticeKind, str], TemplateSet] = {}

    def save(self, template: TemplateSet) -> None:
        validate_template(template)
        self._templates[(template.kind, template.language)] = template

    def get(self, kind: NoticeKind, language: str) -> TemplateSet:
        try:
            return self._templates[(kind, language)]
        except KeyError:
            raise NotFoundError("no template", {"kind": kind.value, "language": language}) from None

    def has(self, kind: NoticeKind, language: str) -> bool:
        return (kind, language) in self._templates


def load_default_templates(directory: Path = DEFAULT_TEMPLATE_DIR) -> TemplateRegistry:
    """Read ``<language>/<kind>.subject.j2``, ``.text.j2`` and optional ``.html.j2``."""
    registry = TemplateRegistry()
    for lang_dir in sorted(p for p in directory.iterdir() if p.is_dir()):
        for kind in NoticeKind:
            subject_file = lang_dir / f"{kind.value}.subject.j2"
            text_file = lang_dir / f"{kind.value}.text.j2"
            if not subject_file.exists() or not text_file.exists():
                continue
            html_file = lang_dir / f"{kind.value}.html.j2"
            registry.save(
                TemplateSet(
                    kind=kind,
                    language=lang_dir.name,
                    subject=subject_file.read_text(encoding="utf-8"),
                    text=text_file.read_text(encoding="utf-8"),
                    html=html_file.read_text(encoding="utf-8") if html_file.exists() else None,
                )
            )
    return registry


@lru_cache(maxsize=256)
def _compile(source: str, *, html: bool) -> Any:
    return (_HTML_ENV if html else _TEXT_ENV).from_string(source)


def _first_line(ast: nodes.Template, name: str) -> int:
    lines = [n.lineno for n in ast.find_all(nodes.Name) if n.name == name and n.ctx == "load"]
    return min(lines) if lines else 1


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
