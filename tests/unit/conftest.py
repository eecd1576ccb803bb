"""What the deployment tests share: the example env files as an operator fills them in, and
the settings a deployed process would load from the environment a deployment gives it."""

from __future__ import annotations

import importlib
import os
import re
import secrets
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from pydantic import ValidationError

from services.runtime.settings import CommonSettings

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = "change-me"


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines (comments and blank lines skipped), as docker compose and
    `kubectl create secret --from-env-file` read them."""
    return dict(line.split("=", 1) for line in path.read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#"))


def filled_in(path: Path) -> dict[str, str]:
    """An example env file with every change-me value replaced by a strong random secret
    (letters and digits only, as the examples ask), as an operator is told to do."""
    return {key: secrets.token_hex(32) if PLACEHOLDER in value else value
            for key, value in read_env_file(path).items()}


# A release version (3.13.7-management, v2.54.1, 0.1.0) or a digest: never latest, never a
# moving minor line such as 3.13, so a redeploy cannot change what runs.
VERSION_TAG = re.compile(r"v?\d+\.\d+\.\d+([-.][\w.-]+)?")


def image_version(image: str) -> str | None:
    """The version an image reference is pinned to, or None (no tag, latest, 3.13, ...)."""
    if "@sha256:" in image:
        return image.split("@", 1)[1]
    name, _, tag = image.rpartition(":")
    if not name or "/" in tag:      # no tag at all (a registry port is not a tag)
        return None
    return tag if VERSION_TAG.fullmatch(tag) else None


def project_version() -> str:
    version: str = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    return version


PROJECT_IMAGE = "campaign-platform"


def is_project_image(image: str) -> bool:
    """The platform's own image (named after the project), whatever its tag."""
    return image.split("@")[0].rpartition(":")[0] == PROJECT_IMAGE or image == PROJECT_IMAGE


def platform_processes() -> set[str]:
    """The processes the platform is made of: every service package with its own settings."""
    return {path.parent.name for path in (ROOT / "services").glob("*/settings.py")
            if path.parent.name != "runtime"}


def entrypoint_modules() -> dict[str, str]:
    """Image commands that run a Python module: the entrypoint serves them with
    `campaign serve`, which runs `python -m <module>` (services/cli/main.py)."""
    from services.cli.main import MODULE_PROCESSES

    script = (ROOT / "deploy/docker-entrypoint.sh").read_text()
    assert "exec campaign serve" in script
    return dict(MODULE_PROCESSES)


def settings_class_of(args: list[str]) -> tuple[str, type[CommonSettings]]:
    """The process name and settings class the image's entrypoint loads for these args."""
    command = args[0]
    if ":" in command:     # module:Class, run by the nameko launcher
        module_name, _, class_name = command.partition(":")
        service = getattr(importlib.import_module(module_name), class_name)
        return service.name, service.settings_class
    module_name = entrypoint_modules()[command]
    try:
        module = importlib.import_module(f"{module_name}.__main__")
    except ModuleNotFoundError:
        module = importlib.import_module(module_name)
    classes = [value for value in vars(module).values()
               if isinstance(value, type) and issubclass(value, CommonSettings)]
    (settings_class,) = [c for c in classes if not any(issubclass(o, c) and o is not c
                                                      for o in classes)]
    return command, settings_class


def load_process_settings(args: list[str], env: dict[str, str], where: str) -> Any:
    """The settings of the process the image runs with `args`, read from exactly `env` (not
    the test's environment); a validation error fails the test naming the deployment."""
    name, settings_class = settings_class_of(args)
    with mock.patch.dict(os.environ, env, clear=True):
        try:
            settings = settings_class()
        except ValidationError as exc:
            pytest.fail(f"{name} would not start from {where}: {exc}")
    assert settings.environment == "production", f"{name} in {where} is not in production mode"
    return name, settings


@pytest.fixture
def process_settings() -> Callable[[list[str], dict[str, str], str], Any]:
    return load_process_settings


@pytest.fixture
def env_file() -> Callable[[Path], dict[str, str]]:
    return read_env_file


@pytest.fixture
def filled_in_env() -> Callable[[Path], dict[str, str]]:
    return filled_in


@pytest.fixture
def processes() -> set[str]:
    return platform_processes()


@pytest.fixture
def pinned_version() -> Callable[[str], str | None]:
    return image_version


@pytest.fixture
def release() -> str:
    return project_version()


@pytest.fixture
def own_image() -> Callable[[str], bool]:
    return is_project_image
