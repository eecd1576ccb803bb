"""Gateway administration: `python -m services.gateway.cli create-admin --username NAME`.

The password is read from the terminal (twice) or, for scripts, from the environment variable
named by `--password-env`; it is never a default and never a command-line argument (it would
show in the process list and the shell history)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from services.contracts.gateway import USERNAME_PATTERN
from services.gateway import security
from services.gateway.settings import GatewaySettings
from services.gateway.store import Store, create_user_once
from services.runtime.settings import load_settings

MIN_PASSWORD = 12


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
        return await create_user_once(store, username, security.hash_password(password),
                                      "admin") is not None
    finally:
        await store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.gateway.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    admin = commands.add_parser("create-admin", help="create an admin user (once)")
    admin.add_argument("--username", required=True)
    admin.add_argument("--password-env", help="read the password from this variable")
    args = parser.parse_args(argv)
    import re

    if not re.fullmatch(USERNAME_PATTERN, args.username):
        print(f"username must match {USERNAME_PATTERN}", file=sys.stderr)
        return 2
    password = read_password(args.password_env)
    if len(password) < MIN_PASSWORD:
        print(f"password must have at least {MIN_PASSWORD} characters", file=sys.stderr)
        return 2
    settings = load_settings(GatewaySettings)
    created = asyncio.run(create_admin(settings, args.username, password))
    print(f"admin {args.username} created" if created else f"user {args.username} exists")
    return 0 if created else 1


if __name__ == "__main__":
    sys.exit(main())
