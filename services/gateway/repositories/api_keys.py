"""API keys (`api_keys`): `_id` the key id, the key itself only as a hash."""

from __future__ import annotations

from services.gateway.repositories.base import Credentials, Doc, utc_now

API_KEYS = "api_keys"


class ApiKeysRepository(Credentials):
    name = API_KEYS

    async def add(self, fields: Doc) -> Doc:
        doc = {"created_at": utc_now(), "revoked_at": None, **fields}
        await self.records.insert_one(doc)
        return doc

    async def revoke(self, key_id: str) -> Doc | None:
        """The key revoked now; None when it was revoked before (or does not exist)."""
        return await self._update_and_forget({"_id": key_id, "revoked_at": None},
                                             {"$set": {"revoked_at": utc_now()}})
