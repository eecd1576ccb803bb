"""What the gateway's RPC client puts on the wire and reads back: the fast (orjson) paths
must say exactly what nameko's JSON says, and fail the way the standard library failed."""

import json

import pytest

from services.contracts.errors import ErrorCode, ServiceError
from services.runtime.rpc_client import decode_reply, encode_request, remote_error


def test_requests_are_the_json_nameko_expects_in_utf8():
    kwargs = {"unit_id": "gl-stttt", "title": "Kế hoạch tuyên truyền", "limit": 50,
              "filters": {"year": 2021, "status": None}, "ids": ["a", "b"], "ok": True}
    body = encode_request(kwargs)
    assert json.loads(body) == {"args": [], "kwargs": kwargs}
    assert "Kế hoạch".encode() in body  # UTF-8, not \\u escapes


def test_text_no_service_could_store_fails_as_before():
    # A lone surrogate: orjson refuses it; the standard library's UnicodeEncodeError is what
    # the gateway maps to 422.
    with pytest.raises(UnicodeEncodeError):
        encode_request({"title": "bad \ud800 text"})
    # Integers JSON can carry but orjson cannot (beyond 64 bits) still travel.
    assert json.loads(encode_request({"n": 2**70}))["kwargs"]["n"] == 2**70


def test_replies_are_decoded_with_kombu_type_markers_unwrapped():
    plain = b'{"result": {"id": "p1", "title": "K\xe1\xba\xbf"}, "error": null}'
    assert decode_reply(plain) == {"result": {"id": "p1", "title": "Kế"}, "error": None}
    tagged = json.dumps({"result": {"at": {"__type__": "datetime",
                                           "__value__": "2021-02-25T00:00:00+00:00"},
                                    "items": [{"__type__": "decimal", "__value__": "1.5"}]},
                         "error": None}).encode()
    assert decode_reply(tagged)["result"] == {"at": "2021-02-25T00:00:00+00:00",
                                              "items": ["1.5"]}


def test_undecodable_replies_are_value_errors():
    for body in (b"not json", b"[1, 2]", b"\xff\xfe"):
        with pytest.raises(ValueError):
            decode_reply(body)


def test_remote_errors_keep_their_code():
    error = remote_error({"exc_type": "ServiceError",
                          "exc_args": ["not_found", "unit x not found", {"unit_id": "x"}]})
    assert isinstance(error, ServiceError) and error.code == "not_found"
    assert error.details == {"unit_id": "x"}
    assert remote_error({"exc_type": "KeyError", "exc_args": []}).code == ErrorCode.INTERNAL
