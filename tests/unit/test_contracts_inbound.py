"""Inbound payloads check text as sent, then trim it, so the JSON Schema the gateway publishes
says exactly what is accepted (schemathesis holds us to that)."""

import re
from datetime import date
from enum import StrEnum

import pytest
from pydantic import Field, ValidationError, field_validator

from services.contracts.gateway import ApiKeyCreate
from services.contracts.inbound import NOT_BLANK, WHITESPACE, Inbound
from services.contracts.notifications import PreferencesModel
from services.contracts.plans_tasks import TaskChanges
from services.gateway.routers.bodies import body_of


class Colour(StrEnum):
    RED = "red"


class Sample(Inbound):
    name: str = Field(min_length=1, max_length=5)
    nickname: str | None = Field(default=None, min_length=2, max_length=5)
    note: str = Field(default="", max_length=5)
    colour: Colour = Colour.RED
    tags: list[str] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _sees_a_trimmed_value(cls, value: str) -> str:
        if value != value.strip():
            raise ValueError("saw an untrimmed value")
        return value


def _error(**fields: object) -> str:
    with pytest.raises(ValidationError) as caught:
        Sample(**fields)
    return str(caught.value)


def test_text_is_trimmed_after_the_checks_and_before_the_models_own_validators():
    sample = Sample(name=" ab\u3000", note="\t", tags=[" x ", "y"], colour="red")
    assert (sample.name, sample.note, sample.tags) == ("ab", "", ["x", "y"])
    assert type(sample.colour) is Colour


@pytest.mark.parametrize("fields", [{"name": " "}, {"name": "a", "nickname": "\n\xa0"}])
def test_a_blank_value_is_refused_where_text_is_needed(fields):
    assert "must not be blank" in _error(**fields)


def test_lengths_count_the_value_as_sent():
    assert "at most 5 characters" in _error(name="abcd  ")
    assert Sample(name="a", nickname=" b").nickname == "b"


def test_the_not_blank_pattern_and_the_trimmed_set_agree_on_every_character():
    pattern = re.compile(NOT_BLANK)
    disagreeing = [hex(code) for code in range(0x10000)
                   if bool(pattern.search(chr(code))) == (chr(code) in WHITESPACE)]
    assert disagreeing == []


def test_the_schema_declares_not_blank_exactly_on_fields_that_need_text():
    properties = Sample.model_json_schema()["properties"]
    assert properties["name"]["pattern"] == NOT_BLANK
    assert properties["nickname"]["anyOf"][0]["pattern"] == NOT_BLANK
    assert "pattern" not in properties["note"]


@pytest.mark.parametrize("model", [ApiKeyCreate, TaskChanges])
def test_gateway_bodies_keep_the_rule(model):
    """The failure schemathesis found: POST /api-keys with name " " was refused although the
    schema allowed it. Strict bodies move optional fields' bounds into the annotation."""
    for strict in (False, True):
        body = body_of(model, f"{model.__name__}Probe{strict}", strict=strict)
        field = next(name for name, prop in body.model_json_schema()["properties"].items()
                     if NOT_BLANK in (b.get("pattern") for b in (prop, *prop.get("anyOf", ()))))
        with pytest.raises(ValidationError, match="must not be blank"):
            body.model_validate({field: " "})


class Typed(Inbound):
    seconds: float | None = Field(default=None, ge=0)
    count: int = 0
    day: date | None = None
    flag: bool = False


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("seconds", False, "a number is expected here, not false"),
    ("count", True, "a number is expected here, not true"),
    ("day", 0, "a date is expected here as text (YYYY-MM-DD), not 0"),
    ("day", 1.5, "a date is expected here as text"),
    ("flag", 0, "true or false is expected here, not 0"),
])
def test_scalars_pydantic_would_coerce_against_the_schema_are_refused(field, value, reason):
    with pytest.raises(ValidationError, match=re.escape(reason)):
        Typed.model_validate({field: value})


def test_scalars_of_the_schemas_type_are_taken():
    typed = Typed.model_validate({"seconds": 5, "count": 3, "day": "2021-02-25", "flag": True})
    assert (typed.seconds, typed.count, typed.day, typed.flag) == (5.0, 3, date(2021, 2, 25),
                                                                  True)


@pytest.mark.parametrize(("quiet", "reason"), [
    ({"start": "06:30", "end": "06:30"}, "must end at another time than they start"),
    ({"start": "24:00", "end": "06:30"}, "should match pattern"),
    ({"start": "21:60", "end": "06:30"}, "should match pattern"),
])
def test_preferences_are_real_times_of_day_and_each_channel_once(quiet, reason):
    with pytest.raises(ValidationError, match=reason):
        PreferencesModel.model_validate({"quiet_hours": quiet})
    assert PreferencesModel.model_validate(
        {"quiet_hours": {"start": "21:00", "end": "06:30"}}).quiet_hours is not None
    for order in ([], ["email", "email"]):
        with pytest.raises(ValidationError):
            PreferencesModel.model_validate({"channel_order": order})
