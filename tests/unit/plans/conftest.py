"""The in-memory documents and the context the plans use-case tests run on (a test module
overrides `documents` to start from stored ones)."""

from __future__ import annotations

import pytest
from fake_unit_of_work import InMemoryDocuments
from plans_fakes import NOW, fake_context

from services.plans.use_cases.context import Context


@pytest.fixture
def documents() -> InMemoryDocuments:
    return InMemoryDocuments()


@pytest.fixture
def ctx(documents: InMemoryDocuments) -> Context:
    return fake_context(documents, lambda: NOW)
