"""Write the gateway's OpenAPI document without starting anything:
`python -m services.gateway.openapi [FILE]` (standard output without FILE). `make lint`
lints what this writes."""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr


def document() -> dict[str, Any]:
    from services.gateway.app import create_app
    from services.gateway.settings import GatewaySettings

    # The app is only built, never started: a throwaway secret keeps settings quiet.
    settings = GatewaySettings(auth_jwt_secret=SecretStr(secrets.token_urlsafe(48)))
    return create_app(settings).openapi()


def main(argv: list[str]) -> int:
    text = json.dumps(document(), ensure_ascii=False, indent=2) + "\n"
    if argv:
        out = Path(argv[0])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
