"""Whole-body examples of the OpenAPI document, kept as data in `examples.yaml` (Vietnamese
data of Gia Lai units and plan 25/KH-STTTT): one per request body schema, and one per
realistic response schema; a page (`{items, next_cursor}`) of an exemplified item gets one
derived from it."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

EXAMPLES_FILE = Path(__file__).with_name("examples.yaml")
REF_PREFIX = "#/components/schemas/"


@cache
def load_examples() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(EXAMPLES_FILE.read_text(encoding="utf-8")) or {}
    return {"request_bodies": data.get("request_bodies") or {},
            "responses": data.get("responses") or {}}


def schema_name(schema: dict[str, Any]) -> str | None:
    """The component name of a body schema: its $ref, the $ref of an optional body
    (`anyOf: [$ref, null]`), or the title of an inline one."""
    ref = schema.get("$ref", "")
    if ref.startswith(REF_PREFIX):
        return str(ref[len(REF_PREFIX):])
    for branch in schema.get("anyOf", ()):
        if branch.get("$ref", "").startswith(REF_PREFIX):
            return str(branch["$ref"][len(REF_PREFIX):])
    title = schema.get("title")
    return str(title) if title and schema.get("type") == "object" else None


def page_example(name: str, schemas: dict[str, Any], known: dict[str, Any]) -> Any:
    """`{"items": [an item], "next_cursor": null}` for a page of an exemplified item."""
    properties = schemas.get(name, {}).get("properties", {})
    if set(properties) != {"items", "next_cursor"}:
        return None
    item = schema_name(properties["items"].get("items", {}))
    return {"items": [known[item]], "next_cursor": None} if item in known else None


def apply_examples(document: dict[str, Any]) -> None:
    examples = load_examples()
    schemas = document.get("components", {}).get("schemas", {})
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            body = operation.get("requestBody", {})
            for media in body.get("content", {}).values():
                name = schema_name(media.get("schema", {}))
                if name in examples["request_bodies"] and "example" not in media:
                    media["example"] = examples["request_bodies"][name]
            for status, response in operation.get("responses", {}).items():
                if not str(status).startswith("2"):
                    continue
                for media in response.get("content", {}).values():
                    name = schema_name(media.get("schema", {}))
                    if name is None or "example" in media:
                        continue
                    found = examples["responses"].get(name) or page_example(
                        name, schemas, examples["responses"])
                    if found is not None:
                        media["example"] = found
