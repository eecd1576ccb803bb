"""What editing reference data (topics, alert rules) shares: an edit applies to the next batch
of every replica because the data's version counter moves in the same commit."""

from __future__ import annotations

from services.contracts.errors import not_found
from services.monitoring.repositories.reference import ReferenceRepository
from services.monitoring.use_cases.context import Context


def delete_reference(ctx: Context, data: ReferenceRepository, key: str) -> None:
    """Delete one document of `data` (a repository of `ctx.uow`); not_found when absent."""
    with ctx.uow as uow:
        if not data.exists(key):
            raise not_found(f"{data.label} {key}")
        data.delete(key)
        uow.state.bump(data.version)
        uow.commit()
