"""Which passwords the gateway refuses (NIST SP 800-63B: common, repetitive, sequential or
context-specific values), and that every way of setting one goes through the same check:
the API (integration tests), the bootstrap admin setting and the CLI."""

import pytest
from pydantic import ValidationError

from services.gateway import cli, passwords
from services.gateway.settings import GatewaySettings


def reason(password: str, username: str | None = None) -> str:
    with pytest.raises(passwords.WeakPassword) as refused:
        passwords.check(password, username)
    return refused.value.reason


@pytest.mark.parametrize("password", [
    "password1234", "p@ssw0rd2024!", "Dragon!!2024", "iloveyou2024!", "information1",
    "mật-khẩu-12345", "MATKHAU123456", "gialai2024!!", "!!!!dragon!!!!"])
def test_common_passwords_and_words_with_a_few_characters_added_are_refused(password):
    assert "most common passwords" in reason(password)


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "abcabcabcabc", "121212121212",
                                      "aabbaabbaabb"])
def test_repetitions_are_refused(password):
    assert "repeats" in reason(password)


@pytest.mark.parametrize("password", ["abcdefghijklmn", "qwertyuiop123", "0123456789ab",
                                      "zyxwvutsrqpo", "9876543210987", "123456qwerty"])
def test_sequences_are_refused(password):
    assert "sequence" in reason(password)


def test_the_user_name_inside_is_refused_whatever_its_case_or_accents():
    assert "user name" in reason("Bien-Tap-2024-Gia-Lai", "bien-tap")
    assert "user name" in reason("xyz-pat-neib-2024", "bien-tap")  # reversed
    passwords.check("Kon-Ka-Kinh-sương-sớm", "ab")  # too short a name to look for


def test_short_passwords_are_refused_and_say_the_length():
    assert "fewer than 12" in reason("Pleiku-mưa")


@pytest.mark.parametrize("password", [
    "sông-Ba-chảy-qua-Ayun-Pa", "Pleiku-mưa-bụi-chiều-thu", "correct horse battery staple",
    "monkey8472910365", "mật-khẩu-thử-nghiệm-123", "sunshine19871988", "Tq7#vL2@pX9!mR4"])
def test_long_phrases_and_random_strings_are_accepted(password):
    passwords.check(password, "bien-tap")


def test_the_advice_says_why_and_what_to_do():
    with pytest.raises(passwords.WeakPassword) as refused:
        passwords.check("password1234")
    advice = refused.value.advice
    assert advice.startswith("This password is too easy to guess: it is one of the most")
    assert "Choose a longer phrase of several unrelated words" in advice


def test_a_weak_bootstrap_admin_password_stops_the_gateway_naming_the_setting():
    with pytest.raises(ValidationError) as refused:
        GatewaySettings(bootstrap_admin_username="admin",
                        bootstrap_admin_password="change-me-admin")
    assert "BOOTSTRAP_ADMIN_PASSWORD: This password is too easy to guess" in str(refused.value)
    GatewaySettings(bootstrap_admin_username="admin",
                    bootstrap_admin_password="Pleiku-mưa-bụi-chiều-thu")


def test_the_cli_refuses_a_weak_admin_password_before_touching_the_database(
        monkeypatch, capsys):
    monkeypatch.setenv("NEW_ADMIN_PASSWORD", "aaaaaaaaaaaa")
    code = cli.main(["create-admin", "--username", "quan-tri",
                     "--password-env", "NEW_ADMIN_PASSWORD"])
    assert code == 2
    said = " ".join(capsys.readouterr().err.replace("│", " ").split())  # a wrapped panel
    assert "repeats the same few characters" in said


def test_rate_limit_storage_is_memory_or_redis():
    assert GatewaySettings().rate_limit_storage_uri == "memory://"
    GatewaySettings(rate_limit_storage_uri="redis://:secret@redis:6379/0")
    with pytest.raises(ValidationError, match="memory:// or start with redis://"):
        GatewaySettings(rate_limit_storage_uri="memcached://127.0.0.1:11211")
