from datetime import UTC, datetime, timedelta

import pytest

from services.monitoring.domain.dates import DEFAULT_TZ, DateParseError, parse_date

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=DEFAULT_TZ)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25/11/2026", datetime(2026, 11, 25, tzinfo=DEFAULT_TZ)),
        ("25-11-2026", datetime(2026, 11, 25, tzinfo=DEFAULT_TZ)),
        ("Thứ ba, 25/11/2026, 08:30 (GMT+7)", datetime(2026, 11, 25, 8, 30, tzinfo=DEFAULT_TZ)),
        ("08:30 25/11/2026", datetime(2026, 11, 25, 8, 30, tzinfo=DEFAULT_TZ)),
        ("ngày 25 tháng 11 năm 2026", datetime(2026, 11, 25, tzinfo=DEFAULT_TZ)),
        ("2 giờ trước", NOW - timedelta(hours=2)),
        ("30 phút trước", NOW - timedelta(minutes=30)),
        ("hôm qua", NOW - timedelta(days=1)),
        ("2026-11-25T01:30:00Z", datetime(2026, 11, 25, 1, 30, tzinfo=UTC)),
        ("Tue, 25 Nov 2026 08:30:00 +0700", datetime(2026, 11, 25, 1, 30, tzinfo=UTC)),
    ],
)
def test_parse_date(text: str, expected: datetime) -> None:
    got = parse_date(text, now=NOW)
    assert got.tzinfo is not None
    assert got == expected


def test_default_zone_is_vietnam() -> None:
    assert parse_date("01/01/2026").utcoffset() == timedelta(hours=7)


def test_invalid_dates_raise() -> None:
    with pytest.raises(DateParseError):
        parse_date("không có ngày")
    with pytest.raises(DateParseError):
        parse_date("31/02/2026")
