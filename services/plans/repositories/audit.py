"""The audit journal: who did what and when, with the change (`AuditEntry` values)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from services.plans.domain import AuditEntry
from services.plans.repositories.base import StoreBase, now


class AuditStore(StoreBase):
    def journal(self, entries: Iterable[AuditEntry], plan_id: str | None) -> None:
        docs = []
        for entry in entries:
            doc = entry.to_dict()
            doc["at"] = entry.at
            # Time-ordered ids make the journal's cursor chronological.
            doc["_id"] = f"{int(now().timestamp() * 1e6):017d}-{uuid.uuid4().hex[:8]}"
            doc["plan_id"] = plan_id
            docs.append(doc)
        if docs:
            self.audit.insert_many(docs)

    def audit_page(self, query: dict[str, Any], after: str | None,
                   limit: int) -> list[dict[str, Any]]:
        if after:
            query = {**query, "_id": {"$gt": after}}
        return list(self.audit.find(query).sort("_id", 1).limit(limit))

