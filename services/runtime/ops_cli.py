"""The older spelling of the operator commands, kept for scripts: the same arguments as
`campaign dead-letters list|replay ...` and `campaign event-status ...` (services/cli), which
these delegate to:

    python -m services.runtime.ops_cli dead-letters list notifications [--status pending]
    python -m services.runtime.ops_cli dead-letters replay notifications ID [ID ...] | --all
    python -m services.runtime.ops_cli event-status EVENT_ID
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from services.cli.main import main as campaign

    return campaign(list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
