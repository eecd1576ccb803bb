"""Operator commands against a running platform (over RPC):

    python -m services.runtime.ops_cli dead-letters list notifications [--status pending]
    python -m services.runtime.ops_cli dead-letters replay notifications ID [ID ...] | --all
    python -m services.runtime.ops_cli event-status EVENT_ID

AMQP_URI selects the broker (default: the local one).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from services.contracts.topology import SUBSCRIPTIONS
from services.runtime.rpc_sync import BlockingRpc
from services.runtime.settings import CommonSettings, load_settings

CONSUMER_SERVICES = sorted({s.consumer_service for s in SUBSCRIPTIONS} - {"gateway"})


def _print(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ops_cli", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    letters = commands.add_parser("dead-letters", help="inspect or replay dead letters")
    actions = letters.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list")
    listing.add_argument("service", choices=CONSUMER_SERVICES)
    listing.add_argument("--status", default="pending", choices=["pending", "replayed"])
    listing.add_argument("--limit", type=int, default=100)
    replay = actions.add_parser("replay")
    replay.add_argument("service", choices=CONSUMER_SERVICES)
    replay.add_argument("ids", nargs="*")
    replay.add_argument("--all", action="store_true", help="every pending dead letter")
    status = commands.add_parser("event-status", help="how each consumer applied an event")
    status.add_argument("event_id")
    args = parser.parse_args(argv)

    settings = load_settings(CommonSettings)
    with BlockingRpc(settings.amqp_uri, timeout=30, client_name="ops-cli") as rpc:
        if args.command == "event-status":
            _print({s: rpc.call(s, "ops_event_status", event_id=args.event_id)
                    for s in CONSUMER_SERVICES})
        elif args.action == "list":
            _print(rpc.call(args.service, "ops_dead_letters", status=args.status,
                            limit=args.limit))
        else:
            ids = list(args.ids)
            if args.all:
                ids += [d["id"] for d in rpc.call(args.service, "ops_dead_letters", limit=1000)]
            if not ids:
                parser.error("name dead-letter ids or use --all")
            _print(rpc.call(args.service, "ops_replay_dead_letters", ids=ids))
    return 0


if __name__ == "__main__":
    sys.exit(main())
