"""Fixtures of the plans use-case tests: a private database with the plans indexes, a clock
the test sets, the use cases' context, and the seed units imported."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from plans_handlers_kit import UNITS_TEXT, Clock

from services.contracts.plans_units import ImportUnitsRequest
from services.plans.repositories.unit_of_work import ensure_indexes
from services.plans.use_cases.context import Context
from services.plans.use_cases.units import import_units


@pytest.fixture(scope="module")
def db(infra):
    with infra.indexed_database("plans_it", ensure_indexes) as database:
        yield database


@pytest.fixture
def clock():
    return Clock(datetime.now(UTC))


@pytest.fixture
def ctx(db, clock):
    return Context.on(db, "test-correlation", clock)


@pytest.fixture
def units(ctx):
    return import_units(ImportUnitsRequest(content=UNITS_TEXT, actor="officer-1"), ctx)
