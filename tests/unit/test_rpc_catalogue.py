"""The typed RPC catalogue against the code: every method a service serves is declared, every
declared method is served, and every method is reachable through the gateway or declared
internal with a reason (issue: every capability a person or system needs has a route)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any

import pytest
from nameko.rpc import Rpc

from services.contracts.rpc import CATALOGUE, RpcMethod
from services.contracts.rpc_catalogue import declared
from services.monitoring.service import MonitoringService
from services.notifications.service import NotificationsService
from services.plans.service import PlansService

pytestmark = pytest.mark.unit

SERVICES = {"plans": PlansService, "notifications": NotificationsService,
            "monitoring": MonitoringService}
GATEWAY = Path(__file__).resolve().parents[2] / "services" / "gateway"
CATALOGUE_PACKAGE = "services.contracts.rpc_catalogue"


def served_methods(service_class: type) -> set[str]:
    names = set()
    for name, member in inspect.getmembers(service_class, inspect.isfunction):
        entrypoints = getattr(member, "nameko_entrypoints", ())
        if any(isinstance(entrypoint, Rpc) for entrypoint in entrypoints):
            names.add(name)
    return names


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_served_method_is_declared_and_every_declared_method_served(service: str) -> None:
    served = served_methods(SERVICES[service])
    declared_names = {method.name for method in declared(service)}
    assert sorted(served - declared_names) == [], (
        f"served by {service} but not declared in {CATALOGUE_PACKAGE}.{service}")
    assert sorted(declared_names - served) == [], (
        f"declared in {CATALOGUE_PACKAGE} but not served by {service}")


def catalogue_entries_used_in(tree: ast.AST) -> set[tuple[str, str]]:
    """The catalogue methods a module calls: entries named through an imported catalogue module
    (`plans_rpc.ADD_TASK`, `ops.DEAD_LETTERS[service]`), names imported from one, and calls by
    strings (`rpc("plans", "add_task")`) that the catalogue has not replaced yet."""
    modules: dict[str, Any] = {}
    names: dict[str, Any] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                local = alias.asname or alias.name
                if node.module == CATALOGUE_PACKAGE:
                    modules[local] = __import__(f"{CATALOGUE_PACKAGE}.{alias.name}",
                                                fromlist=["_"])
                elif node.module.startswith(CATALOGUE_PACKAGE + "."):
                    module = __import__(node.module, fromlist=["_"])
                    names[local] = getattr(module, alias.name)
    used: set[tuple[str, str]] = set()

    def record(value: Any) -> None:
        if isinstance(value, RpcMethod):
            used.add((value.service, value.name))
        elif isinstance(value, dict):
            for item in value.values():
                record(item)

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in modules:
            record(getattr(modules[node.value.id], node.attr, None))
        elif isinstance(node, ast.Name) and node.id in names:
            record(names[node.id])
        elif isinstance(node, ast.Call) and len(node.args) >= 2 and all(
                isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                for arg in node.args[:2]):
            used.add((node.args[0].value, node.args[1].value))  # type: ignore[attr-defined]
    return used


def gateway_calls() -> set[tuple[str, str]]:
    used: set[tuple[str, str]] = set()
    for path in GATEWAY.rglob("*.py"):
        used |= catalogue_entries_used_in(ast.parse(path.read_text(encoding="utf-8")))
    return used


# Methods whose routes are being built (issue 16); remove each as its route lands. The test
# fails both for a new unrouted method and for a listed one that is routed already.
BEING_ROUTED: set[str] = set()


def test_every_method_is_routed_or_internal_with_a_reason() -> None:
    called = gateway_calls()
    unreachable = {f"{m.service}.{m.name}" for m in declared()
                   if (m.service, m.name) not in called and not m.internal}
    assert sorted(unreachable - BEING_ROUTED) == [], (
        "no gateway route calls these RPC methods: route them (through the catalogue) or "
        "declare them internal=\"<why no person or system needs them>\"")
    assert sorted(BEING_ROUTED - unreachable) == [], (
        "these are routed now: remove them from BEING_ROUTED")


def test_internal_methods_are_not_routed_and_say_why() -> None:
    called = gateway_calls()
    for method in declared():
        if method.internal is not None:
            assert len(method.internal) >= 15, f"{method.routing_key}: give a real reason"
            assert (method.service, method.name) not in called, (
                f"{method.routing_key} is routed by the gateway but declared internal")


def test_the_registry_holds_each_method_once() -> None:
    assert len(CATALOGUE) == len({(m.service, m.name) for m in declared()})
    with pytest.raises(ValueError, match="declared twice"):
        RpcMethod("plans", "get_plan", None)


def test_a_typed_method_checks_the_request_and_returns_the_declared_model() -> None:
    from pydantic import BaseModel, ValidationError

    class Echo(BaseModel):
        text: str

    method: RpcMethod[Echo, list[Echo]] = RpcMethod("tests", "echo_typed", Echo, list[Echo])
    try:
        assert method.request_kwargs(None, {"text": "Gia Lai"}) == {"text": "Gia Lai"}
        with pytest.raises(ValidationError):
            method.request_kwargs(None, {"text": 3, "extra": True})
        assert method.parse_reply([{"text": "Pleiku"}]) == [Echo(text="Pleiku")]
        untyped: RpcMethod[Echo] = RpcMethod("tests", "echo_raw", Echo)
        assert untyped.parse_reply({"any": "json"}) == {"any": "json"}
    finally:
        CATALOGUE.pop(("tests", "echo_typed"), None)
        CATALOGUE.pop(("tests", "echo_raw"), None)
