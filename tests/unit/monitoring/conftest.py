from __future__ import annotations

import pytest

from services.monitoring.domain.pipeline import DATA_DIR, Pipeline, load_data_file
from services.monitoring.domain.places import load_places


@pytest.fixture(scope="session")
def pipeline_data() -> tuple[dict, dict, dict]:
    return (
        load_data_file(DATA_DIR / "topics.yaml"),
        load_places(DATA_DIR / "places.yaml"),
        load_data_file(DATA_DIR / "harmful.yaml"),
    )


@pytest.fixture()
def pipeline(pipeline_data: tuple[dict, dict, dict]) -> Pipeline:
    return Pipeline.from_data(*pipeline_data)
