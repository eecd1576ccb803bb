"""HTTP payloads of the gateway's own resources: users, API keys, webhook subscriptions,
deliveries and the event log. Requests reject unknown fields."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.contracts.events import EventType
from services.contracts.inbound import Inbound


class Role(StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    OUTLET_EDITOR = "outlet_editor"
    LOCAL_OFFICER = "local_officer"
    TRANSLATOR = "translator"
    VIEWER = "viewer"
    SYSTEM = "system"


UNIT_SCOPED_ROLES = frozenset({Role.OUTLET_EDITOR, Role.LOCAL_OFFICER})
EVENT_TYPES = frozenset(v for k, v in vars(EventType).items() if k.isupper())
# What an API key may be granted (the `system` role's permissions).
GRANTABLE_SCOPES = tuple(sorted(
    {f"{r}:read" for r in ("units", "plans", "tasks", "reports", "notices", "translations",
                           "sources", "items", "alerts", "coverage", "events",
                           "subscriptions")}
    | {"items:write", "subscriptions:write", "delivery_reports:write"}))
EventTypeName = Annotated[str, Field(json_schema_extra={"enum": sorted(EVENT_TYPES | {"*"})})]
ScopeName = Annotated[str, Field(json_schema_extra={"enum": list(GRANTABLE_SCOPES)})]


ItemT = TypeVar("ItemT")


class Request(Inbound):
    """Unknown fields are an error, not silently dropped."""


class Response(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Page(Response, Generic[ItemT]):
    """One page of a listing; `next_cursor` (always sent) is None after the last page. A
    listing names its items (`class UserPage(Page[User])`), so its schema keeps its name."""

    items: list[ItemT]
    next_cursor: str | None


# --- authentication ---------------------------------------------------------------------------

class TokenRequest(Request):
    username: str = Field(min_length=1, max_length=100, examples=["admin"])
    password: str = Field(min_length=1, max_length=200, examples=["mật-khẩu-dài-và-khó-đoán"])


class TokenForm(Inbound):
    """The OAuth2 password grant (RFC 6749, section 4.3) as a form, which the Authorize
    button of /docs sends. Text is checked like any inbound payload, but parameters it does
    not know (client_id, ...) are ignored, as OAuth2 requires."""

    model_config = ConfigDict(extra="ignore")

    grant_type: str = Field(default="password", pattern="^password$")
    username: str = Field(min_length=1, max_length=100, examples=["admin"])
    password: str = Field(min_length=1, max_length=200, examples=["mật-khẩu-dài-và-khó-đoán"])
    scope: str = Field(default="", max_length=1000,
                       description="Ignored: a user's permissions come from their role.")


# --- users ------------------------------------------------------------------------------------

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,62}$"
PASSWORD_RULES = ("At least 12 characters; not a common password or word (even with digits "
                  "or symbols added), no repeated or sequential characters, not containing "
                  "the user name (422 `weak_password` says which). Stored as an argon2id "
                  "hash.")


class UserCreate(Request):
    username: str = Field(pattern=USERNAME_PATTERN, examples=["bien-tap-bao-gia-lai"])
    password: str = Field(min_length=12, max_length=200, description=PASSWORD_RULES,
                          examples=["sông-Ba-chảy-qua-Ayun-Pa"])
    role: Role = Field(examples=[Role.OUTLET_EDITOR])
    unit_id: str | None = Field(default=None, max_length=100, examples=["bao-gia-lai"],
                                description="Required for outlet_editor and local_officer.")
    display_name: str | None = Field(default=None, max_length=200,
                                     examples=["Ban biên tập Báo Gia Lai"])


class UserUpdate(Request):
    role: Role | None = None
    unit_id: str | None = Field(default=None, max_length=100)
    display_name: str | None = Field(default=None, max_length=200)
    active: bool | None = None
    password: str | None = Field(default=None, min_length=12, max_length=200,
                                 description=f"A reset: {PASSWORD_RULES} The user's tokens "
                                             "are revoked.")


class PasswordChange(Request):
    current_password: str = Field(min_length=1, max_length=200,
                                  examples=["mật-khẩu-cũ-của-tôi"])
    new_password: str = Field(min_length=12, max_length=200, description=PASSWORD_RULES,
                              examples=["Pleiku-mưa-bụi-chiều-thu"])


class User(Response):
    id: str
    username: str
    role: Role
    unit_id: str | None = None
    display_name: str | None = None
    active: bool = True
    created_at: datetime


def _kind_required(schema: dict[str, Any]) -> None:
    """`kind` is always sent, so the schema says so: with it required, the two shapes of
    `/users/me` are mutually exclusive, as a `oneOf` with a discriminator must be."""
    required = schema.setdefault("required", [])
    if "kind" not in required:
        required.insert(0, "kind")


class CurrentUser(User):
    """`GET /users/me` of a user."""

    model_config = ConfigDict(json_schema_extra=_kind_required)

    kind: Literal["user"] = "user"
    permissions: list[str] = Field(
        description="`<resource>:<action>` the caller holds (frontends show only what the "
                    "caller may use; the gateway still checks every request).",
        examples=[["plans:read", "reports:review"]])


class CurrentApiKey(Response):
    """`GET /users/me` of an API key: the key itself, never its owner's record."""

    model_config = ConfigDict(json_schema_extra=_kind_required)

    kind: Literal["api_key"] = "api_key"
    id: str = Field(description="The key id (the part of the key after `cpk_`).")
    name: str
    scopes: list[str]
    unit_id: str | None = None
    rate_limit_per_minute: int | None = None
    owner_id: str = Field(description="The user who created the key.")
    created_at: datetime
    expires_at: datetime | None = None
    permissions: list[str] = Field(description="What the key may do: its scopes.",
                                   examples=[["events:read"]])


CurrentPrincipalView = Annotated[CurrentUser | CurrentApiKey, Field(discriminator="kind")]


class TokenResponse(Response):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")
    user: CurrentUser | None = Field(
        default=None, description="The signed-in user as `GET /users/me` answers it, so a "
                                  "frontend needs no second call after signing in.")


class UserPage(Page[User]):
    pass


# --- API keys ---------------------------------------------------------------------------------

class ApiKeyCreate(Request):
    name: str = Field(min_length=1, max_length=100, examples=["Cổng thông tin điện tử tỉnh"])
    scopes: list[ScopeName] = Field(min_length=1, max_length=30, examples=[["events:read"]],
                              description="`<resource>:<action>` pairs the key may use.")
    unit_id: str | None = Field(default=None, max_length=100)
    # The bounds sit on the int itself so that they survive into the OpenAPI document of
    # the gateway's strict body model (bounds on an optional field were lost there).
    rate_limit_per_minute: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    expires_at: datetime | None = None


class ApiKey(Response):
    id: str
    name: str
    prefix: str = Field(description="The first characters of the key, to recognise it.")
    scopes: list[str]
    unit_id: str | None = None
    rate_limit_per_minute: int | None = None
    owner_id: str
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None


class ApiKeyCreated(ApiKey):
    key: str = Field(description="The secret key. Shown once; store it now.")


class ApiKeyPage(Page[ApiKey]):
    pass


# --- webhook subscriptions --------------------------------------------------------------------

def known_event_types(values: list[str]) -> list[str]:
    unknown = sorted({v for v in values if v != "*" and v not in EVENT_TYPES})
    if unknown:
        raise ValueError(f"unknown event types: {', '.join(unknown)}")
    return sorted(set(values))


class SubscriptionCreate(Request):
    url: str = Field(min_length=8, max_length=2000, pattern=r"^https?://",
                     examples=["https://hethong.gialai.gov.vn/hooks/campaign"])
    event_types: list[EventTypeName] = Field(min_length=1, max_length=50,
                                             examples=[["plan.issued", "task.assigned"]],
                                   description="Event types to receive, or `*` for all.")
    description: str | None = Field(default=None, max_length=300,
                                    examples=["Hệ thống một cửa điện tử tỉnh Gia Lai"])

    _types = field_validator("event_types")(known_event_types)


class SubscriptionUpdate(Request):
    event_types: list[EventTypeName] | None = Field(default=None, min_length=1, max_length=50)
    description: str | None = Field(default=None, max_length=300)
    active: bool | None = Field(default=None, description="Re-enable a disabled subscription.")

    @field_validator("event_types")
    @classmethod
    def _check(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else known_event_types(value)


class Subscription(Response):
    id: str
    url: str
    event_types: list[str]
    description: str | None = None
    owner_id: str
    active: bool
    failure_streak: int = 0
    disabled_reason: str | None = None
    disabled_at: datetime | None = None
    created_at: datetime


class SubscriptionWithSecret(Subscription):
    secret: str = Field(description="Signing secret (`whsec_...`). Shown once; store it now.")


class SubscriptionPage(Page[Subscription]):
    pass


class Delivery(Response):
    id: str
    subscription_id: str
    event_id: str
    event_type: str
    status: str = Field(description="pending, delivered or failed")
    attempts: int
    last_status_code: int | None = None
    last_error: str | None = None
    created_at: datetime
    delivered_at: datetime | None = None
    replay_of: str | None = None


class DeliveryPage(Page[Delivery]):
    pass


class ReplayRequest(Request):
    subscription_id: str = Field(min_length=1, max_length=100)
    event_ids: list[str] | None = Field(default=None, min_length=1, max_length=500)
    delivery_ids: list[str] | None = Field(default=None, min_length=1, max_length=500)
    since: datetime | None = None
    until: datetime | None = None


class ReplayResult(Response):
    scheduled: int
    delivery_ids: list[str]


# --- the event log ----------------------------------------------------------------------------

class EventRecord(Response):
    id: str
    type: str
    source: str
    time: datetime
    subject: str | None = None
    dataversion: int
    correlationid: str | None = None
    data: dict[str, Any]
    received_at: datetime


class EventPage(Page[EventRecord]):
    pass
