"""What a service's repository on MongoDB holds: the database its collections are in, the
collection it keeps (`stored_in`) and the indexes it needs, declared as data so that one
`ensure_indexes` makes them for every repository of every service; and a unit of work's
repositories made from what its class declares."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, ClassVar

from pymongo.collection import Collection
from pymongo.database import Database

from services.runtime.mongo_unit_of_work import collection
from services.runtime.unit_of_work import UnitOfWork

Document = dict[str, Any]


@dataclass(frozen=True)
class Index:
    collection: str
    name: str
    keys: tuple[tuple[str, int], ...]
    sparse: bool = False
    unique: bool = False


class InDatabase:
    """Mixed in before a runtime repository class (`Repository`, `AggregateRepository`)."""

    stored_in: ClassVar[str]
    indexes: ClassVar[tuple[Index, ...]] = ()

    def __init__(self, db: Database[Document]) -> None:
        super().__init__()
        self.db = db

    @classmethod
    def ensure_indexes(cls, db: Database[Document]) -> None:
        for index in cls.indexes:
            # Options only where wanted: the indexes made before were declared without them.
            options: dict[str, Any] = {name: True for name in ("sparse", "unique")
                                       if getattr(index, name)}
            db[index.collection].create_index(list(index.keys), name=index.name, **options)

    @property
    def _records(self) -> Collection[Document]:
        """The collection this repository keeps."""
        return self._collection(self.stored_in)

    def _collection(self, name: str) -> Collection[Document]:
        return collection(self.db, name)


def in_database(unit_of_work: type[UnitOfWork]) -> dict[str, type[InDatabase]]:
    """The repositories a unit of work's class declares, each one on a database."""
    declared: dict[str, type[InDatabase]] = {}
    for name, repository in unit_of_work.declared_repositories().items():
        if not issubclass(repository, InDatabase):
            raise TypeError(f"{repository.__name__} does not mix in InDatabase")
        declared[name] = repository
    return declared


class _OpenedOnUse:
    """A repository the class declares, made on its first use in each unit of work: a use
    case pays for the repositories it reads, not for every one its unit of work could."""

    def __init__(self, name: str, repository: type[InDatabase]) -> None:
        self.name = name
        self.repository = repository

    def __get__(self, uow: UnitOfWork | None, owner: type) -> Any:
        if uow is None:
            return self
        opened = self.repository(vars(uow)[_DATABASE])
        vars(uow)[self.name] = opened  # the instance's own attribute from now on
        return opened


_DATABASE = "_repositories_database"


@functools.cache
def _open_on_use(unit_of_work: type[UnitOfWork]) -> None:
    for name, repository in in_database(unit_of_work).items():
        setattr(unit_of_work, name, _OpenedOnUse(name, repository))


def open_repositories(uow: UnitOfWork, db: Database[Document]) -> None:
    """Give the unit of work each repository its class declares, on this database (each made
    when the use case first reads it)."""
    _open_on_use(type(uow))
    vars(uow)[_DATABASE] = db


def ensure_indexes_of(unit_of_work: type[UnitOfWork], db: Database[Document]) -> None:
    """The indexes of every repository a unit of work's class declares."""
    for repository in in_database(unit_of_work).values():
        repository.ensure_indexes(db)
