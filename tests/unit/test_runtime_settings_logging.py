import json
import logging

import pytest

from services.runtime.logging import JsonFormatter, correlation_id
from services.runtime.mongo import redact
from services.runtime.settings import ServiceSettings, load_settings


def test_bad_settings_stop_the_process_naming_the_variable(monkeypatch, capsys):
    monkeypatch.setenv("AMQP_URI", "http://not-amqp")
    monkeypatch.setenv("METRICS_PORT", "99999")
    with pytest.raises(SystemExit) as exit_info:
        load_settings(ServiceSettings)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "AMQP_URI: Value error, must start with amqp://" in err
    assert "METRICS_PORT" in err


def test_settings_from_environment(monkeypatch):
    monkeypatch.setenv("DB_PREFIX", "t1_")
    settings = load_settings(ServiceSettings)
    assert settings.database_name("plans") == "t1_plans"


def test_json_logs_keep_vietnamese_and_carry_service_and_correlation_id():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "Đã gửi chỉ đạo tới %s",
                               ("Báo Gia Lai",), None)
    record.plan = "25/KH-STTTT"
    token = correlation_id.set("corr-1")
    try:
        line = JsonFormatter("notifications").format(record)
    finally:
        correlation_id.reset(token)
    assert "Đã gửi chỉ đạo tới Báo Gia Lai" in line  # not \u-escaped
    entry = json.loads(line)
    assert entry["service"] == "notifications"
    assert entry["correlation_id"] == "corr-1"
    assert entry["plan"] == "25/KH-STTTT"


def test_passwords_are_redacted_from_uris():
    assert redact("amqp://app:s3cret@rabbit:5672//") == "amqp://app:***@rabbit:5672//"
    assert redact("mongodb://db:27017/") == "mongodb://db:27017/"
