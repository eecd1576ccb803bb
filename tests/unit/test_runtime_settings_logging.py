import json
import logging
import socket

import pytest

from services.runtime.logging import JsonFormatter, correlation_id
from services.runtime.mongo import redact
from services.runtime.nameko_ext.ops_http import open_listener
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


def outward_address() -> str:
    """The address this host uses towards other networks (no packet is sent)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.255", 9))
        address: str = probe.getsockname()[0]
        return address
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


def test_the_ops_endpoint_listens_on_loopback_unless_a_deployment_opens_it(monkeypatch):
    monkeypatch.delenv("METRICS_HOST", raising=False)
    monkeypatch.setenv("METRICS_PORT", "0")
    listener = open_listener(load_settings(ServiceSettings))
    try:
        host, port = listener.getsockname()
        assert host == "127.0.0.1"
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
        outward = outward_address()
        if not outward.startswith("127."):   # a host with a network: not reachable there
            with pytest.raises(OSError):
                socket.create_connection((outward, port), timeout=2).close()
    finally:
        listener.close()
    monkeypatch.setenv("METRICS_HOST", "0.0.0.0")
    opened = open_listener(load_settings(ServiceSettings))
    try:
        assert opened.getsockname()[0] == "0.0.0.0"
    finally:
        opened.close()
