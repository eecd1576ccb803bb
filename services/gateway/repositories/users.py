"""Users (`users`): unique usernames, a credential version that revokes issued tokens."""

from __future__ import annotations

from pymongo.errors import DuplicateKeyError

from services.gateway.repositories.base import (
    Credentials,
    Doc,
    Taken,
    matching,
    new_id,
    utc_now,
)
from services.gateway.security import CREDENTIAL_VERSION

USERS = "users"


class UsersRepository(Credentials):
    name = USERS

    async def ensure_indexes(self) -> None:
        await self.records.create_index("username", unique=True)

    async def add(self, fields: Doc) -> Doc:
        """A new active user; `Taken` when the username exists."""
        doc = {"_id": new_id(), "created_at": utc_now(), "active": True, **fields}
        try:
            await self.records.insert_one(doc)
        except DuplicateKeyError:
            raise Taken(fields.get("username")) from None
        return doc

    async def add_once(self, username: str, password_hash: str, role: str,
                       unit_id: str | None = None) -> Doc | None:
        """Create a user unless one with that name exists; None if it existed."""
        if await self.by_name(username) is not None:
            return None
        try:
            return await self.add({"username": username, "password_hash": password_hash,
                                   "role": role, "unit_id": unit_id, "display_name": None})
        except Taken:
            return None

    async def by_name(self, username: str) -> Doc | None:
        return await self.records.find_one({"username": username})

    async def any(self) -> bool:
        return await self.records.count_documents({}, limit=1) > 0

    async def listed(self, role: str | None, unit_id: str | None, after: str | None,
                     limit: int) -> tuple[list[Doc], str | None]:
        return await self.page(matching(role=role, unit_id=unit_id), after, limit)

    async def update(self, user_id: str, changes: Doc, revoke_tokens: bool = False
                     ) -> Doc | None:
        """Apply `changes`; `revoke_tokens` also refuses every token issued before (through
        this replica at once, through others within `credential_ttl_seconds`)."""
        update: Doc = {"$set": changes} if changes else {}
        if revoke_tokens:
            update["$inc"] = {CREDENTIAL_VERSION: 1}
        return await self._update_and_forget({"_id": user_id}, update)
