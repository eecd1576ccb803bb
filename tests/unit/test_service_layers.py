"""The shape of a converted service (docs/architecture.md): the database driver and
collections only in repositories (nameko and eventlet only at the edge is checked for every
service by test_framework_at_the_edge.py). A service joins `CONVERTED` when it takes the
shape."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

SERVICES = Path(__file__).resolve().parents[2] / "services"
CONVERTED = ["monitoring", "notifications", "plans"]
FRAMEWORKS = {"nameko", "eventlet"}
DRIVER = {"pymongo"}
# The runtime's storage-neutral parts: what use cases and the tests' fakes build on.
NEUTRAL_RUNTIME = ["unit_of_work.py"]


def imported(path: Path) -> set[str]:
    """The top-level packages a module imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def modules(service: str) -> dict[str, Path]:
    root = SERVICES / service
    return {str(path.relative_to(root)): path for path in sorted(root.rglob("*.py"))}


@pytest.mark.parametrize("service", CONVERTED)
def test_only_repositories_know_the_database(service: str) -> None:
    def storage(name: str) -> bool:
        return name.startswith("repositories/") or name == "dependencies.py"

    driver = sorted(name for name, path in modules(service).items()
                    if not storage(name) and imported(path) & DRIVER)
    assert driver == [], f"{service}: pymongo imported outside its repositories"
    collections = sorted(name for name, path in modules(service).items()
                         if not storage(name) and "db[" in path.read_text(encoding="utf-8"))
    assert collections == [], f"{service}: collections reached outside its repositories"


def test_only_the_gateways_repositories_reach_its_collections() -> None:
    """The gateway has no domain of its own, but its storage is in `repositories/` too."""
    collections = sorted(name for name, path in modules("gateway").items()
                         if not name.startswith("repositories/")
                         and "db[" in path.read_text(encoding="utf-8"))
    assert collections == [], f"gateway: collections reached outside repositories: {collections}"


@pytest.mark.parametrize("module", NEUTRAL_RUNTIME)
def test_the_unit_of_work_itself_needs_no_framework_and_no_driver(module: str) -> None:
    assert imported(SERVICES / "runtime" / module) & (FRAMEWORKS | DRIVER) == set()
