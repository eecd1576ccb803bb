"""The unit directory on the unit of work: organisation units and unit groups as
`DirectoryEntry` aggregates, whose changes a commit writes with their journal entries. A
change of the units is counted in the directory's progress stamp, after it, so that a
progress reader at the new count sees it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, Generic

from pymongo.database import Database

from services.contracts.envelope import Envelope
from services.plans import codec
from services.plans.domain import (
    ALL_CULTURE_OFFICES,
    ALL_PRESS_OUTLETS,
    AuditEntry,
    DirectoryEntry,
    FieldChange,
    NotFound,
    OrgUnit,
    UnitDirectory,
    UnitGroup,
)
from services.plans.domain.audit import diff
from services.plans.domain.units import Listed
from services.plans.repositories.audit import recorded_document
from services.plans.repositories.base import (
    GROUPS,
    STAMPS,
    UNITS,
    UNITS_STAMP,
    now,
    stamp_update,
)
from services.plans.repositories.stored import StoredRepository
from services.runtime.mongo_repository import Index
from services.runtime.unit_of_work import DocumentWrite

Document = dict[str, Any]


class DirectoryRepository(StoredRepository[DirectoryEntry[Listed]], Generic[Listed]):
    """Entries of one collection of the directory, read whole (it holds hundreds)."""

    def __init__(self, db: Database[Document] | None, document: Callable[[Listed], Document],
                 value: Callable[[Document], Listed]) -> None:
        super().__init__(db, lambda entry: document(entry.value),
                         lambda stored: DirectoryEntry(value(stored)))
        self._document = document
        self._value = value

    def all(self) -> list[Listed]:
        """Every value, for reading (a change goes through `find`)."""
        return [self._value(document) for document in self._find({})]

    def find(self, entry_id: str) -> DirectoryEntry[Listed] | None:
        """The entry, written at commit if the use case changes it."""
        found = self._read(entry_id)
        return None if found is None else self._loaded(found)

    def value(self, entry_id: str) -> Listed | None:
        """The value, for reading: not tracked, so a query copies no document to diff later."""
        found = self._read(entry_id)
        return None if found is None else self._value(found)

    def register(self, value: Listed, entry: AuditEntry | None) -> DirectoryEntry[Listed]:
        """A new entry, inserted at commit with its journal entry (if it has one)."""
        added: DirectoryEntry[Listed] = DirectoryEntry(value, [entry] if entry else [])
        self.add(added)
        return added

    def changes(self, entry: DirectoryEntry[Listed] | None,
                value: Listed) -> tuple[FieldChange, ...]:
        """What the journal records of a change: the fields that differ between the stored
        document (none for a new entry) and the value's."""
        document = self._document(value)
        before = (self.original_of(entry) if entry is not None else None) or {}
        return diff({name: stored for name, stored in before.items() if name in document},
                    document)

    def reply(self, value: Listed) -> Document:
        return self._document(value)

    def save(self, value: Listed) -> None:
        """The value stored, new or over the stored one, without a journal entry."""
        found = self.find(self._document(value)["_id"])
        if found is None:
            self.register(value, None)
        else:
            found.change(value, None)

    def audit_document(self, aggregate: DirectoryEntry[Listed], entry: AuditEntry) -> Document:
        return recorded_document(entry, aggregate.audit, None, None)

    def pending_writes(self, envelopes: Callable[[DirectoryEntry[Listed]], list[Envelope]],
                       command: tuple[str, str] | None = None) -> list[DocumentWrite]:
        writes = super().pending_writes(envelopes, command)
        stamp = now()
        for write in writes:
            if write.collection != self.collection:
                continue
            if write.insert is not None:
                write.insert["updated_at"] = stamp
            elif not write.delete:
                write.update.setdefault("$set", {})["updated_at"] = stamp
        return writes + self._counted(write.key for write in writes
                                      if write.collection == self.collection)

    def _counted(self, keys: Iterable[str]) -> list[DocumentWrite]:
        """Writes that count the changes of these entries (none by default)."""
        return []


class UnitsRepository(DirectoryRepository[OrgUnit]):
    collection = UNITS
    indexes = (Index(UNITS, "type", (("type", 1),)),)

    def __init__(self, db: Database[Document] | None) -> None:
        super().__init__(db, codec.unit_to_doc, codec.unit_from)

    def read(self, unit_id: str) -> OrgUnit:
        """The unit, for reading (a change goes through `find`)."""
        found = self.value(unit_id)
        if found is None:
            raise NotFound(f"unit {unit_id} not found", {"unit_id": unit_id})
        return found

    def page(self, *, unit_type: str | None = None, parent_id: str | None = None,
             valid_on: date | None = None, after: str | None = None,
             limit: int) -> list[OrgUnit]:
        """Units in id order after the cursor, of a type, under a parent, valid on a day."""
        query: Document = {}
        if unit_type:
            query["type"] = unit_type
        if parent_id:
            query["parent_id"] = parent_id
        if valid_on:
            # The unit directory is small (hundreds): a range and `$or` here cost nothing.
            day = valid_on.isoformat()
            query["valid_from"] = {"$lte": day}
            query["$or"] = [{"valid_to": None}, {"valid_to": {"$gte": day}}]
        return [self._value(document) for document in self._page(query, after, limit)]

    def directory(self) -> UnitDirectory:
        return UnitDirectory(self.all())

    def reply(self, value: OrgUnit) -> Document:
        return codec.unit_reply(codec.unit_to_doc(value))

    def _counted(self, keys: Iterable[str]) -> list[DocumentWrite]:
        changes = [{"unit": key} for key in keys]
        return [DocumentWrite(STAMPS, UNITS_STAMP, update=stamp_update(changes),
                              upsert=True)] if changes else []


class GroupsRepository(DirectoryRepository[UnitGroup]):
    collection = GROUPS

    def __init__(self, db: Database[Document] | None) -> None:
        super().__init__(db, codec.group_to_doc, codec.group_from)

    def known(self) -> dict[str, UnitGroup]:
        """The groups a recipient may name: the built-in ones and the saved ones."""
        groups = {group.id: group for group in (ALL_PRESS_OUTLETS, ALL_CULTURE_OFFICES)}
        groups.update({group.id: group for group in self.all()})
        return groups

    def reply(self, value: UnitGroup) -> Document:
        return codec.group_reply(codec.group_to_doc(value))
