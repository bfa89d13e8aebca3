"""Signed requests: what a department gateway accepts and what it refuses."""

from __future__ import annotations

import pytest

from sunshine.verification.signing import (
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    RequestVerifier,
    SignatureError,
    SigningKey,
    request_headers,
    response_headers,
    verify_response,
)

KEY = SigningKey("k1", b"0123456789abcdef0123456789abcdef")
OTHER = SigningKey("k1", b"another secret of the same length")
NOW = 1_720_000_000.0
BODY = b'{"key":"430702201803010011","kind":"hukou"}'


def signed(body: bytes = BODY, *, key: SigningKey = KEY, now: float = NOW, nonce: str = "a" * 32):
    return request_headers(key, "POST", "/v1/hukou", body, now=now, nonce=nonce)


def verifier() -> RequestVerifier:
    return RequestVerifier({KEY.key_id: KEY}, window=300)


def refusal(headers, body: bytes = BODY, now: float = NOW, guard: RequestVerifier | None = None):
    with pytest.raises(SignatureError) as refused:
        (guard or verifier()).verify("POST", "/v1/hukou", headers, body, now=now)
    return refused.value.code


def test_a_correctly_signed_request_is_accepted():
    assert verifier().verify("POST", "/v1/hukou", signed(), BODY, now=NOW + 5) == KEY


def test_a_changed_body_breaks_the_signature():
    assert refusal(signed(), BODY.replace(b"0011", b"0029")) == "bad_signature"


def test_a_signature_for_another_path_is_refused():
    headers = request_headers(KEY, "POST", "/v1/property", BODY, now=NOW, nonce="b" * 32)
    assert refusal(headers) == "bad_signature"


def test_a_request_signed_with_the_wrong_secret_is_refused():
    assert refusal(signed(key=OTHER)) == "bad_signature"


def test_an_unknown_key_id_is_refused():
    assert refusal(signed(key=SigningKey("k2", KEY.secret))) == "unknown_key"


def test_a_timestamp_outside_the_replay_window_is_refused_either_way():
    assert refusal(signed(now=NOW - 301)) == "stale"
    assert refusal(signed(now=NOW + 301)) == "stale"
    assert verifier().verify("POST", "/v1/hukou", signed(now=NOW - 299), BODY, now=NOW) == KEY


def test_the_same_request_sent_twice_is_refused_the_second_time():
    guard = verifier()
    headers = signed()
    guard.verify("POST", "/v1/hukou", headers, BODY, now=NOW)
    assert refusal(headers, now=NOW + 1, guard=guard) == "replayed"


def test_a_nonce_is_forgotten_once_its_timestamp_could_no_longer_be_accepted():
    guard = verifier()
    guard.verify("POST", "/v1/hukou", signed(), BODY, now=NOW)
    # 10 minutes later the old nonce is gone, and a new request may reuse it
    later = signed(now=NOW + 600)
    assert guard.verify("POST", "/v1/hukou", later, BODY, now=NOW + 600) == KEY


@pytest.mark.parametrize("missing", [SIGNATURE_HEADER, TIMESTAMP_HEADER, NONCE_HEADER])
def test_a_request_without_a_signature_header_is_refused(missing):
    headers = {k: v for k, v in signed().items() if k != missing}
    assert refusal(headers) == "missing_header"


def test_header_names_are_matched_without_regard_to_case():
    headers = {k.lower(): v for k, v in signed().items()}
    assert verifier().verify("POST", "/v1/hukou", headers, BODY, now=NOW) == KEY


def test_an_answer_is_bound_to_the_request_it_answers():
    answer = b'{"found": false}'
    headers = response_headers(KEY, "/v1/hukou", "n" * 32, answer, now=NOW)
    verify_response(KEY, "/v1/hukou", "n" * 32, headers, answer, now=NOW)
    with pytest.raises(SignatureError, match="bad_signature"):
        verify_response(KEY, "/v1/hukou", "m" * 32, headers, answer, now=NOW)
    with pytest.raises(SignatureError, match="bad_signature"):
        verify_response(KEY, "/v1/hukou", "n" * 32, headers, b'{"found": true}', now=NOW)


def test_a_key_spec_needs_an_id_and_enough_secret():
    assert SigningKey.parse("gw:MDEyMzQ1Njc4OWFiY2RlZg==").secret == b"0123456789abcdef"
    with pytest.raises(ValueError):
        SigningKey.parse("gw:c2hvcnQ=")
    with pytest.raises(ValueError):
        SigningKey.parse(":MDEyMzQ1Njc4OWFiY2RlZg==")
