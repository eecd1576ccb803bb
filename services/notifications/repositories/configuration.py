"""What officers configure at run time: `channels` (provider settings per channel, over the
service's defaults), `templates` (saved overrides of the default files, `_id`
"<kind>:<language>") and `config` (the escalation policy); and `known_plans`, what the plans
service's events told of each plan."""

from __future__ import annotations

from typing import Any

from services.notifications.domain.templates import TemplateSet
from services.notifications.domain.vocabulary import NoticeKind
from services.notifications.repositories.base import setting
from services.runtime.mongo_repository import InDatabase
from services.runtime.unit_of_work import Repository

CHANNELS = "channels"
TEMPLATES = "templates"
CONFIG = "config"
KNOWN_PLANS = "known_plans"
ESCALATION = "escalation"
Document = dict[str, Any]


class ConfigurationRepository(InDatabase, Repository):
    # -- channels ---------------------------------------------------------------------------

    def channel(self, channel: str) -> Document:
        """The stored settings of a channel (empty: the defaults hold)."""
        return self._collection(CHANNELS).find_one({"_id": channel}) or {}

    def configure_channel(self, channel: str, changes: Document) -> None:
        self.queue(setting(CHANNELS, channel, changes, upsert=True))

    # -- templates --------------------------------------------------------------------------

    def saved_templates(self) -> list[TemplateSet]:
        return [TemplateSet(NoticeKind(row["kind"]), row["language"], row["subject"],
                            row["text"], row.get("html"))
                for row in self._collection(TEMPLATES).find()]

    def saved_template(self, kind: str, language: str) -> Document | None:
        return self._collection(TEMPLATES).find_one({"_id": f"{kind}:{language}"})

    def save_template(self, template: Document) -> None:
        """The template's every field (it replaces the one saved before)."""
        key = f"{template['kind']}:{template['language']}"
        self.queue(setting(TEMPLATES, key, template, upsert=True))

    # -- escalation policy ------------------------------------------------------------------

    def escalation(self) -> Document:
        return self._collection(CONFIG).find_one({"_id": ESCALATION}) or {}

    def configure_escalation(self, changes: Document) -> None:
        self.queue(setting(CONFIG, ESCALATION, changes, upsert=True))

    # -- plans known from their events ------------------------------------------------------

    def record_known_plan(self, plan_id: str, fields: Document) -> None:
        """What notifications knows of a plan (its number, issuer, year, issue date), keyed
        by plan id: applying the same event twice leaves one record."""
        self.queue(setting(KNOWN_PLANS, plan_id,
                           {k: v for k, v in fields.items() if v is not None}, upsert=True))

    def known_plan(self, plan_id: str) -> Document | None:
        return self._collection(KNOWN_PLANS).find_one({"_id": plan_id})
