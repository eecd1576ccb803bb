"""How notifications deliver: channel providers (administrators), escalation of
unacknowledged notices, and the message templates per notice kind and language."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query

from services.contracts import notifications
from services.contracts.rpc_catalogue import notifications as notifications_rpc
from services.gateway.deps import RpcDep
from services.gateway.permissions import (
    CanReadNotificationSettings,
    CanReadTemplates,
    CanWriteNotificationSettings,
    CanWriteTemplates,
)
from services.gateway.routers.bodies import body_of, rpc_kwargs
from services.gateway.routers.common import NOT_FOUND
from services.gateway.routers.routing import Router

router = Router(prefix="/api/v1/notification-settings", tags=["notification settings"])
ChannelBody = body_of(notifications.ConfigureChannelRequest, "ChannelBody", ("channel",))
EscalationBody = body_of(notifications.ConfigureEscalationRequest, "EscalationBody", ())
TemplateBody = body_of(notifications.SaveTemplateRequest, "TemplateBody", ("kind", "language"))
LanguagePath = Annotated[str, Path(pattern=r"^[a-z]{2,3}$", examples=["vi", "jra"])]


@router.get("/channels", response_model=list[notifications.ChannelView],
            summary="Channel providers")
async def list_channels(rpc: RpcDep, _: CanReadNotificationSettings) -> Any:
    """Every channel (email, sms, zalo, telegram, webhook, inbox) with its provider settings,
    timeouts, rate limit and retry policy; secrets are never shown, only whether one is set."""
    return await rpc.call(notifications_rpc.LIST_CHANNELS)


@router.put("/channels/{channel}", response_model=notifications.ChannelView,
            summary="Configure a channel's provider (administrators)")
async def configure_channel(channel: Annotated[notifications.ChannelName, Path(examples=["email"])],
                            body: ChannelBody,  # type: ignore[valid-type]
                            rpc: RpcDep, _: CanWriteNotificationSettings) -> Any:
    """Changes the fields given (others keep their value): SMTP server and sender, provider
    URL and token, timeout, rate limit, retries, SMS length. Takes effect on the next send, no
    restart."""
    return await rpc.call(notifications_rpc.CONFIGURE_CHANNEL, **rpc_kwargs(body,
                                                                           channel=channel))


@router.get("/escalation", response_model=notifications.EscalationView,
            summary="Escalation of unacknowledged notices")
async def get_escalation(rpc: RpcDep, _: CanReadNotificationSettings) -> Any:
    """When a unit that has not acknowledged a notice gets a reminder, and when its parent
    unit (or the Department) is told, counted from the notice's ack deadline."""
    return await rpc.call(notifications_rpc.GET_ESCALATION)


@router.put("/escalation", response_model=notifications.EscalationView,
            summary="Change the escalation of unacknowledged notices (administrators)",
            responses={422: {"description": "the escalation would come before the reminder"}})
async def configure_escalation(body: EscalationBody,  # type: ignore[valid-type]
                               rpc: RpcDep, _: CanWriteNotificationSettings) -> Any:
    """Changes the delays and the unit of last resort given; the others keep their value."""
    return await rpc.call(notifications_rpc.CONFIGURE_ESCALATION, **rpc_kwargs(body))


@router.get("/templates/{kind}", response_model=notifications.TemplateView, responses=NOT_FOUND,
            summary="A notice kind's message template")
async def get_template(kind: Annotated[notifications.NoticeKindName,
                                       Path(examples=["task_assigned"])],
                       rpc: RpcDep, _: CanReadTemplates,
                       language: Annotated[str, Query(pattern=r"^[a-z]{2,3}$",
                                                      examples=["vi"])] = "vi") -> Any:
    """The Jinja2 subject, text and HTML a notice of this kind is rendered with in a language:
    the saved one, else the default file (`source`). A language without a template answers
    404 (translations are then sent as subject and body)."""
    return await rpc.call(notifications_rpc.GET_TEMPLATE, kind=kind, language=language)


@router.put("/templates/{kind}/{language}", response_model=notifications.TemplateView,
            summary="Save a notice kind's message template",
            responses={422: {"description": "a part does not compile or uses an unknown "
                                            "variable (`errors`: part, line, message)"}})
async def save_template(kind: Annotated[notifications.NoticeKindName, Path(examples=["guidance"])],
                        language: LanguagePath, body: TemplateBody,  # type: ignore[valid-type]
                        rpc: RpcDep, _: CanWriteTemplates) -> Any:
    """Checked before it is saved: every part must compile and use only the kind's variables;
    used for every notice of the kind rendered afterwards."""
    return await rpc.call(notifications_rpc.SAVE_TEMPLATE, **rpc_kwargs(
        body, kind=kind, language=language))
