"""Demo data: the seed plan 25/KH-STTTT and its organisation units, loaded through the same
RPC the gateway uses. Safe to run again: loading is idempotent."""

from __future__ import annotations

from typing import Any

from services.contracts.errors import ErrorCode, ServiceError
from services.runtime.rpc_sync import BlockingRpc

SEED_PLAN: dict[str, Any] = {
    "number": "25/KH-STTTT",
    "issuer_unit_id": "so-tttt-gia-lai",
    "title": ("Kế hoạch Thông tin, tuyên truyền phòng, chống tội phạm, tệ nạn xã hội và xây "
              "dựng phong trào Toàn dân bảo vệ an ninh Tổ quốc năm 2021 trên địa bàn tỉnh "
              "Gia Lai"),
    "year": 2021,
    "issued_on": "2021-02-25",
    "place": "Gia Lai",
    "topics": ["drugs", "human_trafficking", "loan_sharking", "high_tech_crime",
               "child_abuse", "weapons_gangs", "murder", "robbery", "resisting_officers",
               "youth_crime", "cross_border_crime"],
    "idempotency_key": "demo-seed-25-KH-STTTT-2021",
}


def load_demo_data(amqp_uri: str) -> dict[str, Any]:
    with BlockingRpc(amqp_uri, timeout=30, client_name="demo-loader") as rpc:
        try:
            plan: dict[str, Any] = rpc.call("plans", "create_plan", **SEED_PLAN)
        except ServiceError as exc:
            if exc.code != ErrorCode.CONFLICT:
                raise
            plans = rpc.call("plans", "list_plans", year=2021, limit=200)["items"]
            plan = next(p for p in plans if p["number"] == SEED_PLAN["number"])
        return plan
