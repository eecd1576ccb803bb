"""Demo data: the seed plan 25/KH-STTTT and its organisation units, loaded through the same
RPC the gateway uses, and the plan issued; beside that 2021 record, the same plan rolled over
to the current year (under the units that succeeded 2021's) and issued, so a newcomer sees a
live campaign. Safe to run again: a second run changes nothing."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

from services.contracts.errors import ServiceError
from services.contracts.rpc_catalogue import plans as plans_rpc
from services.runtime.rpc_sync import BlockingRpc

SEED_DIR = Path(__file__).resolve().parent.parent / "services" / "plans" / "seed"
UNITS_FILE = SEED_DIR / "units-gia-lai.yaml"
PLAN_FILE = SEED_DIR / "plan-25-KH-STTTT-2021.yaml"
ACTOR = "demo-loader"
log = logging.getLogger(__name__)


def load_units(rpc: BlockingRpc, timeout: float | None = None) -> None:
    """The seed organisation units (idempotent)."""
    rpc.invoke(plans_rpc.IMPORT_UNITS, timeout, content=UNITS_FILE.read_text(encoding="utf-8"),
               format="yaml", actor=ACTOR)


def load_demo_data(amqp_uri: str) -> dict[str, Any]:
    """Import the seed units and plan, issue the plan; returns the plan summary."""
    with BlockingRpc(amqp_uri, timeout=60, client_name="demo-loader") as rpc:
        load_units(rpc)
        result = rpc.invoke(plans_rpc.IMPORT_PLAN, content=PLAN_FILE.read_text(encoding="utf-8"),
                            format="yaml", issue=True, actor=ACTOR)
        plan: dict[str, Any] = result.plan.model_dump(mode="json")
        plan["rolled_over"] = live_campaign(rpc, plan["id"], date.today().year)
        return plan


def live_campaign(rpc: BlockingRpc, plan_id: str, year: int) -> dict[str, Any] | None:
    """The seed plan rolled over to ``year`` and issued (once; None if it cannot be)."""
    try:
        rolled = rpc.invoke(plans_rpc.ROLL_OVER_PLAN, plan_id=plan_id, target_year=year,
                            actor=ACTOR, idempotency_key=f"demo-roll-over-{plan_id}-{year}")
        live = rolled.plan
        if live.status == "draft":
            live = rpc.invoke(plans_rpc.ISSUE_PLAN, plan_id=live.id, actor=ACTOR,
                              idempotency_key=f"demo-issue-{live.id}")
    except ServiceError as exc:  # the 2021 record still makes a demo
        log.warning("the seed plan could not be rolled over to %s: %s", year, exc)
        return None
    summary: dict[str, Any] = live.model_dump(mode="json")
    summary["unmapped"] = len(rolled.unmapped)
    return summary
