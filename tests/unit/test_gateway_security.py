"""Tokens, passwords and API keys of the gateway: every way a token can be bad is refused."""

import base64
import json
import time

import jwt
import pytest
from pydantic import ValidationError

from services.gateway import security
from services.gateway.settings import GatewaySettings

SECRET = "s" * 48
CONFIG = security.TokenConfig(secret=SECRET, algorithm="HS256", issuer="campaign-gateway",
                              audience="campaign-api", ttl_seconds=900, leeway_seconds=10)


def claims(**overrides):
    now = int(time.time())
    base = {"sub": "u1", "role": "admin", "iss": CONFIG.issuer, "aud": CONFIG.audience,
            "iat": now, "nbf": now, "exp": now + 60}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def reason(token):
    with pytest.raises(security.InvalidToken) as caught:
        security.decode_token(CONFIG, token)
    return caught.value.reason


def b64(obj):
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def test_a_token_we_issue_is_accepted_with_its_claims():
    token = security.issue_token(CONFIG, "user-1", {"role": "officer", "unit": None})
    decoded = security.decode_token(CONFIG, token)
    assert decoded["sub"] == "user-1" and decoded["role"] == "officer"
    assert decoded["exp"] - decoded["iat"] == 900


def test_expired_token():
    past = int(time.time()) - 3600
    token = jwt.encode(claims(iat=past, nbf=past, exp=past + 60), SECRET, algorithm="HS256")
    assert reason(token) == "expired"


def test_token_not_yet_valid():
    future = int(time.time()) + 3600
    token = jwt.encode(claims(nbf=future, exp=future + 60), SECRET, algorithm="HS256")
    assert reason(token) == "not_yet_valid"


def test_wrong_audience_and_issuer():
    assert reason(jwt.encode(claims(aud="other-api"), SECRET, algorithm="HS256")) == \
        "wrong_audience"
    assert reason(jwt.encode(claims(iss="someone-else"), SECRET, algorithm="HS256")) == \
        "wrong_issuer"


def test_alg_none_is_refused():
    token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims())}."
    assert reason(token) == "algorithm_not_allowed"


def test_other_algorithms_than_the_configured_one_are_refused():
    # HS/RS confusion: a token claiming RS256, or HS512 with the right secret, is refused
    # before any key is used.
    header = b64({"alg": "RS256", "typ": "JWT"})
    assert reason(f"{header}.{b64(claims())}.c2ln") == "algorithm_not_allowed"
    assert reason(jwt.encode(claims(), SECRET * 2, algorithm="HS512")) == \
        "algorithm_not_allowed"


def test_tampered_signature_and_payload():
    token = security.issue_token(CONFIG, "user-1", {"role": "viewer"})
    head, body, sig = token.split(".")
    forged_body = b64({**jwt.decode(token, options={"verify_signature": False}),
                       "role": "admin"})
    assert reason(f"{head}.{forged_body}.{sig}") == "bad_signature"
    flipped = sig[:-2] + ("AA" if not sig.endswith("AA") else "BB")
    assert reason(f"{head}.{body}.{flipped}") == "bad_signature"
    assert reason(jwt.encode(claims(), "x" * 48, algorithm="HS256")) == "bad_signature"


def test_malformed_tokens():
    for token in ("", "abc", "a.b", "a.b.c", "!!!.???.###"):
        assert reason(token) in {"malformed", "algorithm_not_allowed"}


def test_missing_required_claims():
    assert reason(jwt.encode(claims(exp=None), SECRET, algorithm="HS256")) == "malformed"
    assert reason(jwt.encode(claims(sub=None), SECRET, algorithm="HS256")) == "malformed"


def bad_tokens():
    past, future = int(time.time()) - 3600, int(time.time()) + 3600
    token = security.issue_token(CONFIG, "user-1", {"role": "viewer"})
    head, _, sig = token.split(".")
    return {
        "expired": jwt.encode(claims(iat=past, nbf=past, exp=past + 60), SECRET,
                              algorithm="HS256"),
        "not_yet_valid": jwt.encode(claims(nbf=future, exp=future + 60), SECRET,
                                    algorithm="HS256"),
        "wrong_audience": jwt.encode(claims(aud="other-api"), SECRET, algorithm="HS256"),
        "algorithm_not_allowed": f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims())}.",
        "bad_signature": f"{head}.{b64({**claims(), 'role': 'admin'})}.{sig}",
        "malformed": "a.b.c",
    }


def test_the_token_memory_refuses_every_bad_token_every_time():
    tokens = security.VerifiedTokens(CONFIG)
    for expected, token in bad_tokens().items():
        for _ in range(2):  # a refused token is not remembered
            with pytest.raises(security.InvalidToken) as caught:
                tokens.decode(token)
            assert caught.value.reason == expected, token
    assert len(tokens) == 0


def test_a_remembered_token_skips_the_signature_check_but_not_its_expiry(monkeypatch):
    tokens = security.VerifiedTokens(CONFIG)
    token = security.issue_token(CONFIG, "user-1", {"role": "officer"})
    checks = []
    real_decode = security.decode_token
    monkeypatch.setattr(security, "decode_token",
                        lambda config, t: checks.append(t) or real_decode(config, t))
    now = time.time()
    assert tokens.decode(token, now=now)["sub"] == "user-1"
    assert tokens.decode(token, now=now + 60)["role"] == "officer"
    assert len(checks) == 1
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    assert tokens.decode(token, now=expires + CONFIG.leeway_seconds - 1)["sub"] == "user-1"
    with pytest.raises(security.InvalidToken) as caught:
        tokens.decode(token, now=expires + CONFIG.leeway_seconds)
    assert caught.value.reason == "expired"


def test_the_token_memory_is_bounded():
    tokens = security.VerifiedTokens(CONFIG, max_entries=2)
    for n in range(5):
        tokens.decode(security.issue_token(CONFIG, f"user-{n}", {"role": "viewer"}))
    assert len(tokens) == 2


def test_passwords_are_argon2id_and_verified():
    hashed = security.hash_password("mật khẩu đủ dài 123")
    assert hashed.startswith("$argon2id$")
    assert security.verify_password(hashed, "mật khẩu đủ dài 123")
    assert not security.verify_password(hashed, "mật khẩu sai")
    assert not security.verify_password(None, "anything")  # unknown user: same work, False
    assert not security.verify_password("not-a-hash", "anything")


def test_api_keys_are_random_hashed_and_parsed():
    key_id, key = security.new_api_key()
    assert key.startswith("cpk_") and security.api_key_id(key) == key_id
    stored = security.hash_api_key(key)
    assert key not in stored and security.api_key_matches(stored, key)
    assert not security.api_key_matches(stored, key + "x")
    assert security.api_key_id("cpk_short_x") is None
    assert security.api_key_id("not-a-key") is None
    assert security.new_api_key()[1] != key


def test_production_refuses_a_missing_or_weak_secret(monkeypatch):
    monkeypatch.delenv("AUTH_JWT_SECRET", raising=False)
    with pytest.raises(ValidationError, match="production"):
        GatewaySettings(environment="production")
    with pytest.raises(ValidationError, match="at least 32"):
        GatewaySettings(environment="production", auth_jwt_secret="short")
    with pytest.raises(ValidationError, match="shorter"):
        GatewaySettings(environment="test", auth_jwt_secret="short")
    ok = GatewaySettings(environment="production", auth_jwt_secret="k" * 40)
    assert ok.jwt_secret() == "k" * 40


def test_development_generates_an_ephemeral_secret(monkeypatch, caplog):
    monkeypatch.delenv("AUTH_JWT_SECRET", raising=False)
    first = GatewaySettings(environment="development")
    second = GatewaySettings(environment="development")
    assert len(first.jwt_secret()) >= 32 and first.jwt_secret() != second.jwt_secret()
    assert "ephemeral" in caplog.text
