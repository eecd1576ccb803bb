"""Shared builders for the notifications unit tests (imported, not collected)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.notifications.domain.notices import Notice
from services.notifications.domain.vocabulary import NoticeKind, Priority

T0 = datetime(2021, 2, 25, 2, 0, tzinfo=UTC)  # 09:00 in Gia Lai


def build_notice(**overrides: Any) -> Notice:
    fields: dict[str, Any] = {
        "id": "ntc-1",
        "kind": NoticeKind.TASK_ASSIGNED,
        "subject": "Giao nhiệm vụ tuyên truyền phòng, chống tội phạm",
        "body": "Xây dựng chuyên mục tuyên truyền trên cổng thông tin điện tử huyện.",
        "priority": Priority.NORMAL,
        "created_at": T0,
        "recipients": ("unit-chupah",),
        "plan_id": "plan-25",
        "task_id": "task-3",
    }
    fields.update(overrides)
    return Notice(**fields)
