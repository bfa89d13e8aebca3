"""AES-GCM encryption of personal data at rest, and HMAC blind indexes.

A stored value reads ``v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>``.
The key id lets old values be decrypted after the current key changes, so
keys rotate without downtime. The field's purpose is the associated data,
so a ciphertext copied into another column does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1"
_NONCE_BYTES = 12
# URL-safe base64 (RFC 4648 §5) as base64.urlsafe_b64encode writes it, without its wrappers.
_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")
_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")


@dataclass(frozen=True)
class KeyRing:
    current_id: str
    keys: dict[str, bytes]


def parse_key_ring(spec: str) -> KeyRing:
    """Parse ``"id:base64,id2:base64"``; the first key is the one that encrypts."""
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key_id, _, encoded = item.partition(":")
        key = base64.b64decode(encoded)
        if not key_id or "." in key_id or len(key) not in (16, 24, 32):
            raise ImproperlyConfigured(f"Bad field key {key_id!r}: need 'id:base64' of 32 bytes")
        keys[key_id] = key
        order.append(key_id)
    if not order:
        raise ImproperlyConfigured("No field-encryption key configured")
    return KeyRing(current_id=order[0], keys=keys)


@cache
def _key_ring(spec: str) -> KeyRing:
    return parse_key_ring(spec)


def key_ring() -> KeyRing:
    return _key_ring(settings.SUNSHINE_FIELD_KEYS)


# Setting up a key's cipher costs more than sealing a short value with it.
@cache
def _cipher(key: bytes) -> AESGCM:
    return AESGCM(key)


def encrypt(plaintext: str, purpose: str) -> str:
    return encryptor(purpose)(plaintext)


def encryptor(purpose: str) -> Callable[[str], str]:
    """``encrypt`` for many values of one purpose, the current key looked up once."""
    ring = key_ring()
    cipher = _cipher(ring.keys[ring.current_id])
    prefix = f"{PREFIX}.{ring.current_id}."
    associated = purpose.encode()

    def seal(plaintext: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = cipher.encrypt(nonce, plaintext.encode(), associated)
        token = binascii.b2a_base64(nonce + sealed, newline=False).translate(_TO_URLSAFE)
        return prefix + token.rstrip(b"=").decode()

    return seal


def key_id_of(stored: str) -> str:
    return stored.split(".", 2)[1]


def decrypt(stored: str, purpose: str) -> str:
    return decryptor(purpose)(stored)


def decryptor(purpose: str) -> Callable[[str], str]:
    """``decrypt`` for many values of one purpose, the keys looked up once."""
    ring = key_ring()
    associated = purpose.encode()

    def open_sealed(stored: str) -> str:
        prefix, key_id, token = stored.split(".", 2)
        if prefix != PREFIX:
            raise ValueError("not an encrypted value")
        if key_id not in ring.keys:
            raise ImproperlyConfigured(f"Field key {key_id!r} is not configured")
        padded = token + "=" * (-len(token) % 4)
        raw = binascii.a2b_base64(padded.encode("ascii").translate(_FROM_URLSAFE))
        nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
        return _cipher(ring.keys[key_id]).decrypt(nonce, sealed, associated).decode()

    return open_sealed


@cache
def _index_key(spec: str) -> bytes:
    return base64.b64decode(spec)


def blind_index(value: str, purpose: str) -> str:
    """A keyed hash for exact look-ups of an encrypted value without decrypting."""
    key = _index_key(settings.SUNSHINE_BLIND_INDEX_KEY)
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def blind_indexer(purpose: str) -> Callable[[str], str]:
    """``blind_index`` for many values of one purpose.

    The HMAC over the purpose, which every message begins with, is computed
    once; each value continues a copy of it.
    """
    keyed = hmac.new(
        _index_key(settings.SUNSHINE_BLIND_INDEX_KEY), f"{purpose}\x00".encode(), hashlib.sha256
    )

    def index(value: str) -> str:
        mac = keyed.copy()
        mac.update(value.encode())
        return mac.hexdigest()[:32]

    return index
