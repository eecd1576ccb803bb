from datetime import timedelta

import pytest
from notifications_fixtures import T0, build_notice

from services.notifications.domain.ack import make_ack_token, record_ack, verify_ack_token
from services.notifications.domain.errors import (
    ExpiredError,
    InvalidSignatureError,
    UnknownRecipientError,
)
from services.notifications.domain.vocabulary import AckVia

SECRET = b"ack-secret-for-tests-0123456789"
EXPIRY = T0 + timedelta(days=3)


def test_token_round_trip() -> None:
    token = make_ack_token(SECRET, "ntc-1", "xã Ia Hrung", EXPIRY)
    claims = verify_ack_token(SECRET, token, T0)
    assert (claims.notice_id, claims.unit_id, claims.expires_at) == ("ntc-1", "xã Ia Hrung", EXPIRY)
    assert all(c.isalnum() or c in "-_." for c in token)  # URL-safe


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: t.replace(t.split(".")[1], t.split(".")[1][::-1]),
        lambda t: "a2" + t[2:],
        lambda t: t.split(".")[0] + "." + t.split(".")[1],
        lambda t: "garbage",
    ],
)
def test_tampered_or_malformed_tokens_are_rejected(mutate) -> None:  # type: ignore[no-untyped-def]
    token = make_ack_token(SECRET, "ntc-1", "unit-a", EXPIRY)
    with pytest.raises(InvalidSignatureError) as info:
        verify_ack_token(SECRET, mutate(token), T0)
    assert info.value.code == "invalid_signature"


def test_token_from_another_secret_is_rejected() -> None:
    token = make_ack_token(b"another-secret-of-32-bytes-xxxxx", "ntc-1", "unit-a", EXPIRY)
    with pytest.raises(InvalidSignatureError):
        verify_ack_token(SECRET, token, T0)


def test_expired_token() -> None:
    token = make_ack_token(SECRET, "ntc-1", "unit-a", EXPIRY)
    with pytest.raises(ExpiredError) as info:
        verify_ack_token(SECRET, token, EXPIRY)
    assert info.value.code == "expired"


def test_ack_is_recorded_once() -> None:
    notice = build_notice(recipients=("unit-a", "unit-b"), ack_deadline=T0 + timedelta(days=1))
    first = record_ack(notice, "unit-a", [], T0 + timedelta(hours=1), AckVia.LINK)
    assert first.created and not first.ack.late
    again = record_ack(notice, "unit-a", [first.ack], T0 + timedelta(hours=2), AckVia.API, "u1")
    assert not again.created
    assert again.ack == first.ack
    late = record_ack(notice, "unit-b", [first.ack], T0 + timedelta(days=2), AckVia.WEBHOOK_REPLY)
    assert late.created and late.ack.late


def test_ack_from_a_unit_that_is_not_a_recipient() -> None:
    with pytest.raises(UnknownRecipientError):
        record_ack(build_notice(), "unit-stranger", [], T0, AckVia.API)
