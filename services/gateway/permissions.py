"""The permission each route requires, one FastAPI dependency per permission: a handler
that takes `_: CanReadPlans` runs only for a caller holding `plans:read` (else 403 naming the
scope) and gets that caller. Declared once here, so every router asks for a permission the
same way and FastAPI checks it once per request however many parameters name it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.gateway.access import Principal
from services.gateway.deps import require

CanReadAlertRules = Annotated[Principal, Depends(require("alert_rules:read"))]
CanWriteAlertRules = Annotated[Principal, Depends(require("alert_rules:write"))]
CanReadAlerts = Annotated[Principal, Depends(require("alerts:read"))]
CanWriteAlerts = Annotated[Principal, Depends(require("alerts:write"))]
CanReadApiKeys = Annotated[Principal, Depends(require("api_keys:read"))]
CanWriteApiKeys = Annotated[Principal, Depends(require("api_keys:write"))]
CanReadAudit = Annotated[Principal, Depends(require("audit:read"))]
CanReadCoverage = Annotated[Principal, Depends(require("coverage:read"))]
CanReadDeadLetters = Annotated[Principal, Depends(require("dead_letters:read"))]
CanWriteDeadLetters = Annotated[Principal, Depends(require("dead_letters:write"))]
CanWriteDeliveryReports = Annotated[Principal, Depends(require("delivery_reports:write"))]
CanReadItems = Annotated[Principal, Depends(require("items:read"))]
CanWriteItems = Annotated[Principal, Depends(require("items:write"))]
# Officers' labels on items (confirm or correct the machine), their listing and export.
CanReviewItems = Annotated[Principal, Depends(require("items:review"))]
# The learned model's versions: train, activate, restore (admins).
CanReadModels = Annotated[Principal, Depends(require("models:read"))]
CanWriteModels = Annotated[Principal, Depends(require("models:write"))]
CanAckNotices = Annotated[Principal, Depends(require("notices:ack"))]
CanReadNotices = Annotated[Principal, Depends(require("notices:read"))]
CanWriteNotices = Annotated[Principal, Depends(require("notices:write"))]
CanReadNotificationSettings = Annotated[Principal, Depends(require("notification_settings:read"))]
CanWriteNotificationSettings = Annotated[Principal, Depends(require("notification_settings:write"))]
CanReadPlans = Annotated[Principal, Depends(require("plans:read"))]
CanWritePlans = Annotated[Principal, Depends(require("plans:write"))]
CanReadPreferences = Annotated[Principal, Depends(require("preferences:read"))]
CanWritePreferences = Annotated[Principal, Depends(require("preferences:write"))]
CanReadRecipients = Annotated[Principal, Depends(require("recipients:read"))]
CanWriteRecipients = Annotated[Principal, Depends(require("recipients:write"))]
CanReadReports = Annotated[Principal, Depends(require("reports:read"))]
CanReviewReports = Annotated[Principal, Depends(require("reports:review"))]
CanWriteReports = Annotated[Principal, Depends(require("reports:write"))]
CanReadSources = Annotated[Principal, Depends(require("sources:read"))]
CanWriteSources = Annotated[Principal, Depends(require("sources:write"))]
CanReadSubscriptions = Annotated[Principal, Depends(require("subscriptions:read"))]
CanWriteSubscriptions = Annotated[Principal, Depends(require("subscriptions:write"))]
CanReadTasks = Annotated[Principal, Depends(require("tasks:read"))]
CanWriteTasks = Annotated[Principal, Depends(require("tasks:write"))]
CanReadTemplates = Annotated[Principal, Depends(require("templates:read"))]
CanWriteTemplates = Annotated[Principal, Depends(require("templates:write"))]
CanReadTopics = Annotated[Principal, Depends(require("topics:read"))]
CanWriteTopics = Annotated[Principal, Depends(require("topics:write"))]
CanReadTranslations = Annotated[Principal, Depends(require("translations:read"))]
CanWriteTranslations = Annotated[Principal, Depends(require("translations:write"))]
CanReadUnits = Annotated[Principal, Depends(require("units:read"))]
CanWriteUnits = Annotated[Principal, Depends(require("units:write"))]
CanReadUsers = Annotated[Principal, Depends(require("users:read"))]
CanWriteUsers = Annotated[Principal, Depends(require("users:write"))]
