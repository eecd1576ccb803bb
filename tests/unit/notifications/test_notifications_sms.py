import pytest

from services.notifications.domain.errors import OversizeBodyError
from services.notifications.domain.sms import (
    OversizePolicy,
    SmsEncoding,
    SmsPolicy,
    UnaccentMode,
    count_units,
    detect_encoding,
    prepare_sms,
    segment,
    unaccent,
)

VI = "Đề nghị Phòng Văn hóa và Thông tin báo cáo kết quả trước ngày 15/12/2021."


def test_encoding_detection() -> None:
    assert detect_encoding("De nghi bao cao truoc ngay 15/12/2021") is SmsEncoding.GSM7
    assert detect_encoding("Price 5€ [x]") is SmsEncoding.GSM7
    assert detect_encoding(VI) is SmsEncoding.UCS2


def test_extension_characters_count_twice_in_gsm7() -> None:
    assert count_units("a{b}€", SmsEncoding.GSM7) == 8


def test_astral_characters_count_as_two_utf16_units() -> None:
    assert count_units("á😀", SmsEncoding.UCS2) == 3


@pytest.mark.parametrize(
    ("text", "parts"),
    [("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3), ("{" * 80, 1), ("{" * 81, 2)],
)
def test_gsm7_limits(text: str, parts: int) -> None:
    assert len(segment(text)) == parts


@pytest.mark.parametrize(
    ("text", "parts"), [("ă" * 70, 1), ("ă" * 71, 2), ("ă" * 134, 2), ("ă" * 135, 3)]
)
def test_ucs2_limits(text: str, parts: int) -> None:
    assert len(segment(text)) == parts


def test_gsm7_never_splits_an_escape_sequence() -> None:
    parts = segment("a" * 152 + "€" + "b" * 10, SmsEncoding.GSM7)
    assert parts[0] == "a" * 152
    assert parts[1].startswith("€")


def test_never_splits_a_surrogate_pair() -> None:
    parts = segment("á" * 66 + "😀" + "b" * 10, SmsEncoding.UCS2)
    assert parts[0] == "á" * 66
    assert parts[1].startswith("😀")
    for part in parts:
        assert count_units(part, SmsEncoding.UCS2) <= 67
        part.encode("utf-16")  # raises on a lone surrogate


def test_unaccent_strips_vietnamese_diacritics_and_d_bar() -> None:
    assert (
        unaccent(VI) == "De nghi Phong Van hoa va Thong tin bao cao ket qua truoc ngay 15/12/2021."
    )
    assert unaccent("ĐƯỜNG đi Pơ̆ng") == "DUONG di Pong"
    assert detect_encoding(unaccent(VI)) is SmsEncoding.GSM7


def test_unaccent_always_fits_gsm7() -> None:
    message = prepare_sms(VI, SmsPolicy(unaccent=UnaccentMode.ALWAYS))
    assert message.encoding is SmsEncoding.GSM7
    assert message.unaccented
    assert message.parts == (unaccent(VI),)


def test_unaccent_only_if_oversize() -> None:
    long_vi = (VI + " ") * 3  # ~3 UCS-2 parts, 2 GSM-7 parts
    policy = SmsPolicy(max_parts=2, unaccent=UnaccentMode.IF_OVERSIZE)
    assert not prepare_sms(VI, policy).unaccented
    message = prepare_sms(long_vi, policy)
    assert message.unaccented
    assert message.encoding is SmsEncoding.GSM7
    assert len(message.parts) == 2


def test_oversize_body_is_a_typed_error_by_default() -> None:
    with pytest.raises(OversizeBodyError) as info:
        prepare_sms("ă" * 200, SmsPolicy(max_parts=2))
    assert info.value.code == "oversize_body"
    assert info.value.details["parts"] == 3
    assert info.value.details["max_parts"] == 2


def test_truncation_policy_fits_max_parts_with_ellipsis() -> None:
    message = prepare_sms("ă" * 200, SmsPolicy(max_parts=2, on_oversize=OversizePolicy.TRUNCATE))
    assert message.truncated
    assert len(message.parts) == 2
    assert message.text.endswith("...")
    assert count_units(message.text, SmsEncoding.UCS2) == 134


def test_truncation_to_single_part_uses_single_limit() -> None:
    message = prepare_sms("a" * 500, SmsPolicy(max_parts=1, on_oversize=OversizePolicy.TRUNCATE))
    assert message.parts == ("a" * 157 + "...",)
