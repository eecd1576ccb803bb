"""Acknowledgements: `acks`, one document per (notice, unit), `_id` "<notice>:<unit>", so a
unit's first acknowledgement is the one kept; it carries its event (`_outbox`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pymongo import ASCENDING

from services.notifications.domain.ack import Acknowledgement
from services.notifications.domain.vocabulary import AckVia
from services.notifications.repositories.changing import Changing
from services.runtime.mongo_repository import InDatabase, Index
from services.runtime.unit_of_work import AggregateRepository

ACKS = "acks"
Document = dict[str, Any]
HIDDEN = {"_outbox": 0}


def ack_to_domain(doc: Mapping[str, Any]) -> Acknowledgement:
    return Acknowledgement(doc["notice_id"], doc["unit_id"], doc["at"], AckVia(doc["via"]),
                           doc.get("actor"), bool(doc.get("late")))


class AcknowledgementsRepository(InDatabase, AggregateRepository[Changing[Acknowledgement]]):
    collection = ACKS

    stored_in = ACKS
    indexes = (Index(ACKS, "notice", (("notice_id", ASCENDING),)),)

    def document_of(self, aggregate: Changing[Acknowledgement]) -> Document:
        ack = aggregate.value
        return {"_id": ack.key, "notice_id": ack.notice_id, "unit_id": ack.unit_id,
                "at": ack.at, "via": ack.via.value, "actor": ack.actor, "late": ack.late}

    def aggregate_of(self, document: Mapping[str, Any]) -> Changing[Acknowledgement]:
        return Changing(ack_to_domain(document))

    def get(self, key: str) -> Changing[Acknowledgement] | None:
        found = self._records.find_one({"_id": key}, HIDDEN)
        return None if found is None else self._loaded(found)

    def of_notice(self, notice_id: str) -> list[Acknowledgement]:
        return [ack_to_domain(a) for a in self._records.find({"notice_id": notice_id}, HIDDEN)]

    def acknowledged_units(self, notice_id: str) -> list[str]:
        return [a["unit_id"] for a in self._records.find({"notice_id": notice_id},
                                                      {"unit_id": 1})]

    def acknowledged_by(self, unit_id: str) -> dict[str, datetime]:
        """When the unit acknowledged each notice it acknowledged, by notice id."""
        return {a["notice_id"]: a["at"] for a in self._records.find({"unit_id": unit_id})}

    def by_key(self, keys: list[str]) -> dict[str, Document]:
        """Acknowledgements as stored (without their events), by "<notice>:<unit>"."""
        if not keys:
            return {}
        return {a["_id"]: a for a in self._records.find({"_id": {"$in": keys}}, HIDDEN)}
