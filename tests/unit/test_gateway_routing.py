"""The gateway's routers skip paths outside their prefix without trying their routes: every
path still reaches the route it reached before, a parameter in a prefix matches any text, and
an unknown path or method answers 404 or 405 as FastAPI's own routers do."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.gateway.routers.routing import Router

plans = Router(prefix="/api/v1/plans")
tasks = Router(prefix="/api/v1/plans/{plan_id}/tasks")
units = Router(prefix="/api/v1/units")
operations = Router()


@plans.get("/{plan_id}")
async def get_plan(plan_id: str) -> dict[str, str]:
    return {"route": "plan", "id": plan_id}


@tasks.get("/{task_id}")
async def get_task(plan_id: str, task_id: str) -> dict[str, str]:
    return {"route": "task", "id": f"{plan_id}/{task_id}"}


@units.get("/{unit_id}")
async def get_unit(unit_id: str) -> dict[str, str]:
    return {"route": "unit", "id": unit_id}


@operations.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"route": "health", "id": ""}


def client() -> TestClient:
    app = FastAPI()
    for router in (plans, tasks, units, operations):
        app.include_router(router)
    return TestClient(app)


def test_each_path_reaches_the_route_of_its_router():
    http = client()
    assert http.get("/api/v1/units/u-1").json() == {"route": "unit", "id": "u-1"}
    assert http.get("/api/v1/plans/p-1").json() == {"route": "plan", "id": "p-1"}
    assert http.get("/api/v1/plans/p-1/tasks/t-2").json() == {"route": "task", "id": "p-1/t-2"}
    assert http.get("/healthz").json() == {"route": "health", "id": ""}


def test_an_unknown_path_is_404_and_a_wrong_method_405():
    http = client()
    assert http.get("/api/v1/reports/r-1").status_code == 404
    assert http.get("/api/v1/units").status_code == 404
    assert http.delete("/api/v1/units/u-1").status_code == 405
