"""Creating the gateway's first admin, for `campaign create-admin --username NAME`
(`python -m services.gateway.cli create-admin ...` still works).

The password is read from the terminal (twice) or, for scripts, from the environment variable
named by `--password-env`; it is never a default and never a command-line argument (it would
show in the process list and the shell history)."""

from __future__ import annotations

import getpass
import os
import sys

from services.gateway import security
from services.gateway.repositories import Store
from services.gateway.settings import GatewaySettings


def read_password(env_name: str | None) -> str:
    if env_name:
        password = os.environ.get(env_name, "")
        if not password:
            raise SystemExit(f"environment variable {env_name} is empty")
        return password
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise SystemExit("passwords differ")
    return first


async def create_admin(settings: GatewaySettings, username: str, password: str) -> bool:
    store = Store(settings.mongodb_uri, settings.database_name("gateway"),
                  settings.store_timeout_ms)
    try:
        await store.ensure_indexes()
        return await store.users.add_once(username, security.hash_password(password),
                                          "admin") is not None
    finally:
        await store.close()


def main(argv: list[str] | None = None) -> int:
    """The older spelling of `campaign create-admin` (services/cli)."""
    from services.cli.main import main as campaign

    return campaign(list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
