import json

import pytest

from services.contracts.envelope import Envelope
from services.contracts.events import EnvelopeError, PlanCreated, parse_event


def plan_created() -> PlanCreated:
    return PlanCreated(plan_id="p1", number="25/KH-STTTT", issuer_unit_id="so-tttt",
                       title="Kế hoạch tuyên truyền phòng, chống ma túy", year=2021,
                       status="draft", topics=["drugs"])


def test_envelope_carries_cloudevents_attributes_and_payload():
    env = plan_created().to_envelope(correlation_id="c-1")
    wire = env.model_dump(mode="json")
    assert wire["specversion"] == "1.0"
    assert wire["type"] == "plan.created"
    assert wire["source"] == "/campaign/plans"
    assert wire["subject"] == "p1"
    assert wire["datacontenttype"] == "application/json"
    assert wire["dataversion"] == 1
    assert wire["correlationid"] == "c-1"
    assert wire["data"]["title"] == "Kế hoạch tuyên truyền phòng, chống ma túy"
    assert wire["time"].endswith("Z") or "+00:00" in wire["time"]


def test_parse_round_trip_from_json_text_and_unknown_fields_are_tolerated():
    wire = plan_created().to_envelope().model_dump(mode="json")
    wire["newattribute"] = "from a newer producer"
    wire["data"]["new_field"] = 42
    envelope, payload = parse_event(json.dumps(wire, ensure_ascii=False), "plan.created")
    assert isinstance(envelope, Envelope)
    assert isinstance(payload, PlanCreated)
    assert payload.topics == ["drugs"]


@pytest.mark.parametrize("body, reason", [
    (b"{not json", "not valid JSON"),
    ([1, 2, 3], "not a CloudEvents object"),
    ({"id": "x"}, "invalid envelope"),
])
def test_malformed_bodies_are_rejected_with_a_reason(body, reason):
    with pytest.raises(EnvelopeError, match=reason):
        parse_event(body, "plan.created")


def test_wrong_type_unknown_version_and_bad_data_are_rejected():
    wire = plan_created().to_envelope().model_dump(mode="json")
    with pytest.raises(EnvelopeError, match=r"where 'plan\.issued' was expected"):
        parse_event(wire, "plan.issued")
    with pytest.raises(EnvelopeError, match="unsupported version 9"):
        parse_event({**wire, "dataversion": 9}, "plan.created")
    with pytest.raises(EnvelopeError, match="year"):
        parse_event({**wire, "data": {**wire["data"], "year": "last year"}}, "plan.created")
