"""Signed requests between the platform and the departments (HMAC-SHA256).

A request carries a key id, a timestamp (Unix seconds), a random nonce and a
signature over the method, path, timestamp, nonce and the SHA-256 of the body.
The receiver refuses a timestamp outside its replay window and a nonce it has
already seen inside that window, so a captured request cannot be sent again.
The answer is signed the same way and bound to the request's nonce, so an
answer cannot be swapped for another. HMAC is RFC 2104 over SHA-256 (FIPS 180-4).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

KEY_ID_HEADER = "X-Sunshine-Key"
TIMESTAMP_HEADER = "X-Sunshine-Timestamp"
NONCE_HEADER = "X-Sunshine-Nonce"
SIGNATURE_HEADER = "X-Sunshine-Signature"
REPLAY_WINDOW_SECONDS = 300


class SignatureError(Exception):
    """A request or answer whose signature cannot be accepted; ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    secret: bytes

    @classmethod
    def parse(cls, spec: str) -> SigningKey:
        """``"key-id:base64"``, as in the settings."""
        key_id, _, encoded = spec.partition(":")
        secret = base64.b64decode(encoded) if encoded else b""
        if not key_id or len(secret) < 16:
            raise ValueError("a signing key is 'id:base64' of at least 16 bytes")
        return cls(key_id, secret)


def _message(kind: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join((kind, method.upper(), path, timestamp, nonce, digest)).encode()


def signature(
    secret: bytes, kind: str, method: str, path: str, timestamp: str, nonce: str, body: bytes
) -> str:
    message = _message(kind, method, path, timestamp, nonce, body)
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def request_headers(
    key: SigningKey, method: str, path: str, body: bytes, *, now: float, nonce: str
) -> dict[str, str]:
    timestamp = str(int(now))
    return {
        KEY_ID_HEADER: key.key_id,
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: signature(key.secret, "request", method, path, timestamp, nonce, body),
    }


def response_headers(
    key: SigningKey, path: str, request_nonce: str, body: bytes, *, now: float
) -> dict[str, str]:
    timestamp = str(int(now))
    return {
        KEY_ID_HEADER: key.key_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(
            key.secret, "response", "POST", path, timestamp, request_nonce, body
        ),
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    raise SignatureError("missing_header")


def _fresh(timestamp: str, now: float, window: int) -> int:
    try:
        sent = int(timestamp)
    except ValueError:
        raise SignatureError("bad_timestamp") from None
    if abs(now - sent) > window:
        raise SignatureError("stale")
    return sent


def verify_response(
    key: SigningKey,
    path: str,
    request_nonce: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float,
    window: int = REPLAY_WINDOW_SECONDS,
) -> None:
    timestamp = _header(headers, TIMESTAMP_HEADER)
    _fresh(timestamp, now, window)
    expected = signature(key.secret, "response", "POST", path, timestamp, request_nonce, body)
    if not hmac.compare_digest(expected, _header(headers, SIGNATURE_HEADER)):
        raise SignatureError("bad_signature")


@dataclass
class RequestVerifier:
    """The receiving side: known keys, the replay window, and the nonces seen in it."""

    keys: Mapping[str, SigningKey]
    window: int = REPLAY_WINDOW_SECONDS
    _seen: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def verify(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes, *, now: float
    ) -> SigningKey:
        """The key that signed the request; SignatureError when it is not acceptable."""
        key = self.keys.get(_header(headers, KEY_ID_HEADER))
        if key is None:
            raise SignatureError("unknown_key")
        timestamp = _header(headers, TIMESTAMP_HEADER)
        sent = _fresh(timestamp, now, self.window)
        nonce = _header(headers, NONCE_HEADER)
        if not 16 <= len(nonce) <= 64:
            raise SignatureError("bad_nonce")
        expected = signature(key.secret, "request", method, path, timestamp, nonce, body)
        if not hmac.compare_digest(expected, _header(headers, SIGNATURE_HEADER)):
            raise SignatureError("bad_signature")
        with self._lock:
            self._forget_expired(now)
            if nonce in self._seen:
                raise SignatureError("replayed")
            self._seen[nonce] = sent + self.window
        return key

    def _forget_expired(self, now: float) -> None:
        # Past its expiry a nonce's timestamp is stale anyway, so the nonce need not be kept.
        expired = [nonce for nonce, until in self._seen.items() if until < now]
        for nonce in expired:
            del self._seen[nonce]
