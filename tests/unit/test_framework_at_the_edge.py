"""nameko and eventlet stay at the edge (docs/architecture.md): only entrypoints and dependency
providers import them, so domain, use cases and repositories would run unchanged under another
runner (eventlet is in maintenance mode). Every `domain/`, `use_cases/` and `repositories/`
package of a service is checked, through the project modules it imports too; a package joins
the check by existing."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "services"
RUNNERS = {"nameko", "eventlet"}
# What domain code may not lean on: runners, brokers, databases, web and HTTP frameworks, and
# the project's own I/O layers. Libraries that only compute (pydantic, yaml, jinja2, numpy) are
# fine: the contracts are pydantic models, and an aggregate records its events as those.
FRAMEWORKS = RUNNERS | {"kombu", "amqp", "aio_pika", "aiormq", "pymongo", "bson", "motor",
                       "fastapi", "starlette", "uvicorn", "httpx", "requests", "redis",
                       "prometheus_client"}
LAYERS = ("domain", "use_cases", "repositories")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_path(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


@cache
def imports_of(path: Path) -> frozenset[str]:
    """Every module a file imports, at its top or inside a function, relative ones resolved."""
    package = module_name(path) if path.name == "__init__.py" else \
        module_name(path).rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return frozenset(names)


def project_modules_imported(path: Path) -> set[str]:
    """The project's modules a file imports, with the packages that importing them runs."""
    found: set[str] = set()
    for name in imports_of(path):
        parts = name.split(".")
        if parts[0] in {"services", "stack"}:
            found |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)
                      if module_path(".".join(parts[:i])) is not None}
    return found


def frameworks_reached(path: Path, forbidden: set[str]) -> dict[str, list[str]]:
    """Each forbidden package the file imports, directly or through project modules, with the
    chain of modules that leads to it."""
    reached: dict[str, list[str]] = {}
    queue = [(path, [module_name(path)])]
    seen = {module_name(path)}
    while queue:
        current, chain = queue.pop(0)
        for name in sorted(imports_of(current)):
            top = name.split(".")[0]
            if top in forbidden:
                reached.setdefault(top, chain)
        for name in sorted(project_modules_imported(current) - seen):
            seen.add(name)
            found = module_path(name)
            if found is not None:
                queue.append((found, [*chain, name]))
    return reached


def layer_packages() -> list[Path]:
    return sorted(path for service in SERVICES.iterdir() for layer in LAYERS
                  if (path := service / layer).is_dir())


def package_id(path: Path) -> str:
    return str(path.relative_to(SERVICES))


@pytest.mark.parametrize("package", layer_packages(), ids=package_id)
def test_no_domain_use_case_or_repository_reaches_nameko_or_eventlet(package: Path) -> None:
    offending = {module_name(path): {runner: " -> ".join(chain) for runner, chain in
                                     frameworks_reached(path, RUNNERS).items()}
                 for path in sorted(package.rglob("*.py"))}
    assert {name: why for name, why in offending.items() if why} == {}


@pytest.mark.parametrize("package", [p for p in layer_packages() if p.name == "domain"],
                         ids=package_id)
def test_the_domain_imports_no_framework_and_no_io_layer(package: Path) -> None:
    service = package.parent.name
    allowed_project = (f"services.{service}.domain", "services.contracts")
    for path in sorted(package.rglob("*.py")):
        names = imports_of(path)
        assert {n.split(".")[0] for n in names} & FRAMEWORKS == set(), module_name(path)
        project = {n for n in names if n.split(".")[0] in {"services", "stack"}}
        assert {n for n in project if not n.startswith(allowed_project)} == set(), \
            module_name(path)


def test_the_check_follows_project_imports_to_a_framework() -> None:
    # base.py imports no runner itself, only the providers that do: one hop must be enough.
    base = SERVICES / "runtime" / "nameko_ext" / "base.py"
    assert not {n.split(".")[0] for n in imports_of(base)} & RUNNERS
    chain = frameworks_reached(base, RUNNERS)["nameko"]
    assert chain[0] == "services.runtime.nameko_ext.base" and len(chain) > 1
    assert frameworks_reached(SERVICES / "plans" / "domain" / "tasks.py", RUNNERS) == {}


# Services whose every module but the edge (entrypoints, providers) is free of the runners.
EDGE = {"service.py", "dependencies.py"}
OFF_THE_EDGE_SERVICES = ["notifications"]


@pytest.mark.parametrize("service", OFF_THE_EDGE_SERVICES)
def test_only_the_edge_of_a_service_reaches_nameko_or_eventlet(service: str) -> None:
    root = SERVICES / service
    offending = {module_name(path): {runner: " -> ".join(chain) for runner, chain in
                                     frameworks_reached(path, RUNNERS).items()}
                 for path in sorted(root.rglob("*.py"))
                 if str(path.relative_to(root)) not in EDGE}
    assert {name: why for name, why in offending.items() if why} == {}
