import base64

import pytest

from services.notifications.domain.errors import (
    ExpiredError,
    InvalidSignatureError,
    ValidationFailedError,
)
from services.notifications.domain.webhook_signing import (
    WebhookSecret,
    sign,
    signing_headers,
    verify,
)

# Test vector published with the Standard Webhooks reference libraries
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TS = 1614265330
SPEC_BODY = '{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

OLD = WebhookSecret(b"o" * 32)
NEW = WebhookSecret(b"n" * 32)
BODY = '{"type":"notification.acknowledged","data":{"unit":"Xã Ia Hrung"}}'.encode()


def test_matches_the_standard_webhooks_reference_vector() -> None:
    assert sign(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY) == SPEC_SIGNATURE
    headers = {
        "webhook-id": SPEC_ID,
        "webhook-timestamp": str(SPEC_TS),
        "webhook-signature": SPEC_SIGNATURE,
    }
    assert verify(SPEC_SECRET, headers, SPEC_BODY, now=SPEC_TS + 10) == SPEC_ID


def test_secret_round_trips_through_whsec_form() -> None:
    secret = WebhookSecret.generate()
    serialized = secret.serialize()
    assert serialized.startswith("whsec_")
    assert WebhookSecret.parse(serialized) == secret
    assert "whsec" not in repr(secret) and serialized[6:] not in repr(secret)
    with pytest.raises(ValidationFailedError):
        WebhookSecret.parse("whsec_not base64!!")
    with pytest.raises(ValidationFailedError):
        WebhookSecret.parse("whsec_" + base64.b64encode(b"short").decode())


def test_rotation_signs_with_all_and_verifies_with_either() -> None:
    headers = signing_headers([OLD, NEW], "evt_1", 1000, BODY)
    assert len(headers["webhook-signature"].split()) == 2
    assert verify([NEW], headers, BODY, now=1000) == "evt_1"
    assert verify([OLD], headers, BODY, now=1000) == "evt_1"
    only_new = signing_headers(NEW, "evt_2", 1000, BODY)
    assert verify([OLD, NEW], only_new, BODY, now=1000) == "evt_2"


def test_header_names_are_case_insensitive() -> None:
    headers = {k.title(): v for k, v in signing_headers(NEW, "evt_1", 1000, BODY).items()}
    assert verify(NEW, headers, BODY, now=1000) == "evt_1"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda h, b: (h, b + b" "),
        lambda h, b: ({**h, "webhook-id": "evt_other"}, b),
        lambda h, b: ({**h, "webhook-timestamp": "1001"}, b),
        lambda h, b: ({**h, "webhook-signature": "v2," + h["webhook-signature"][3:]}, b),
    ],
)
def test_tampering_is_an_invalid_signature(tamper) -> None:  # type: ignore[no-untyped-def]
    headers, body = tamper(signing_headers(NEW, "evt_1", 1000, BODY), BODY)
    with pytest.raises(InvalidSignatureError) as info:
        verify(NEW, headers, body, now=1000)
    assert info.value.code == "invalid_signature"
    assert info.value.details["reason"] == "no_matching_signature"


def test_wrong_secret_fails() -> None:
    with pytest.raises(InvalidSignatureError):
        verify(OLD, signing_headers(NEW, "evt_1", 1000, BODY), BODY, now=1000)


def test_missing_headers_and_bad_timestamp() -> None:
    with pytest.raises(InvalidSignatureError) as info:
        verify(NEW, {"webhook-id": "evt_1"}, BODY, now=1000)
    assert info.value.details["headers"] == ["webhook-timestamp", "webhook-signature"]
    headers = {**signing_headers(NEW, "evt_1", 1000, BODY), "webhook-timestamp": "soon"}
    with pytest.raises(InvalidSignatureError) as info:
        verify(NEW, headers, BODY, now=1000)
    assert info.value.details["reason"] == "bad_timestamp"


@pytest.mark.parametrize(
    ("now", "reason"), [(1301, "timestamp_too_old"), (699, "timestamp_too_new")]
)
def test_timestamp_tolerance_defaults_to_five_minutes(now: int, reason: str) -> None:
    headers = signing_headers(NEW, "evt_1", 1000, BODY)
    assert verify(NEW, headers, BODY, now=1300) == "evt_1"
    assert verify(NEW, headers, BODY, now=700) == "evt_1"
    with pytest.raises(ExpiredError) as info:
        verify(NEW, headers, BODY, now=now)
    assert info.value.details["reason"] == reason


def test_message_id_must_be_a_single_token() -> None:
    with pytest.raises(ValidationFailedError):
        sign(NEW, "evt 1", 1000, BODY)
