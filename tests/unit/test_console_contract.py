"""The console's typed API client is generated from the gateway's OpenAPI document: both
committed copies must match the gateway as it is (`make console-api` regenerates them)."""

import hashlib
import json
from pathlib import Path

from services.gateway.openapi.__main__ import document, main

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "console" / "openapi.json"
GENERATED = (ROOT / "console" / "src" / "api" / "schema.d.ts",
             ROOT / "console" / "src" / "api" / "paths.ts")
HINT = "run `make console-api` and commit console/"


def test_console_openapi_document_is_not_stale():
    committed = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    assert committed == document(), HINT


def test_console_typed_client_was_generated_from_the_committed_document():
    digest = hashlib.sha256(DOCUMENT.read_bytes()).hexdigest()
    for generated in GENERATED:
        header = generated.read_text(encoding="utf-8").splitlines()[1]
        assert header == f"// openapi.json sha256: {digest}", f"{generated.name}: {HINT}"


def test_the_document_is_written_byte_for_byte_as_committed(tmp_path: Path):
    # The typed client's hash covers bytes, so the writer must be deterministic.
    written = tmp_path / "openapi.json"
    main([str(written)])
    assert written.read_bytes() == DOCUMENT.read_bytes(), HINT
