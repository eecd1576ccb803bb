"""Demo data: the seed plan 25/KH-STTTT and its organisation units, loaded through the same
RPC the gateway uses, and the plan issued. Safe to run again: a second run changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from services.runtime.rpc_sync import BlockingRpc

SEED_DIR = Path(__file__).resolve().parent.parent / "services" / "plans" / "seed"
UNITS_FILE = SEED_DIR / "units-gia-lai.yaml"
PLAN_FILE = SEED_DIR / "plan-25-KH-STTTT-2021.yaml"
ACTOR = "demo-loader"


def load_units(rpc: BlockingRpc) -> None:
    """The seed organisation units (idempotent)."""
    rpc.call("plans", "import_units", content=UNITS_FILE.read_text(encoding="utf-8"),
             format="yaml", actor=ACTOR)


def load_demo_data(amqp_uri: str) -> dict[str, Any]:
    """Import the seed units and plan, issue the plan; returns the plan summary."""
    with BlockingRpc(amqp_uri, timeout=60, client_name="demo-loader") as rpc:
        load_units(rpc)
        result = rpc.call("plans", "import_plan", content=PLAN_FILE.read_text(encoding="utf-8"),
                          format="yaml", issue=True, actor=ACTOR)
        plan: dict[str, Any] = result["plan"]
        return plan
