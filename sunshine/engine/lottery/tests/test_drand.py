"""drand rounds checked offline against the League of Entropy's public keys."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest

from sunshine.engine.lottery.drand import (
    DrandRound,
    DrandVerificationError,
    drand_source,
    verify_round,
)

# Published rounds, as answered by the drand HTTP API /public/ROUND:
# quicknet (chain 52db9ba7…c84e971) round 123, and the default chained network
# (chain 8990e7a9…e51b2ce) round 72785 with its previous signature.
QUICKNET_123 = DrandRound(
    chain="quicknet",
    round=123,
    signature=(
        "b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486d591aa9d43765482"
        "e26cd02df835d3546d23c4b13e0dfc92"
    ),
)
DEFAULT_72785 = DrandRound(
    chain="default",
    round=72785,
    signature=(
        "82f5d3d2de4db19d40a6980e8aa37842a0e55d1df06bd68bddc8d60002e8e959"
        "eb9cfa368b3c1b77d18f02a54fe047b80f0989315f83b12a74fd8679c4f12aae"
        "86eaf6ab5690b34f1fddd50ee3cc6f6cdf59e95526d5a5d82aaa84fa6f181e42"
    ),
    previous_signature=(
        "a609e19a03c2fcc559e8dae14900aaefe517cb55c840f6e69bc8e4f66c8d18e8"
        "a609685d9917efbfb0c37f058c2de88f13d297c7e19e0ab24813079efe57a182"
        "554ff054c7638153f9b26a60e7111f71a0ff63d9571704905d3ca6df0b031747"
    ),
)


@pytest.mark.parametrize("beacon", [QUICKNET_123, DEFAULT_72785], ids=["quicknet", "default"])
def test_published_rounds_verify_against_the_network_key(beacon: DrandRound) -> None:
    verify_round(beacon)


def test_a_signature_presented_for_another_round_is_refused() -> None:
    with pytest.raises(DrandVerificationError, match="round 124"):
        verify_round(replace(QUICKNET_123, round=124))


def test_a_chained_round_with_a_wrong_previous_signature_is_refused() -> None:
    tampered = "6" + DEFAULT_72785.previous_signature[1:]
    with pytest.raises(DrandVerificationError):
        verify_round(replace(DEFAULT_72785, previous_signature=tampered))


def test_a_chained_round_without_its_previous_signature_cannot_be_checked() -> None:
    with pytest.raises(DrandVerificationError, match="previous signature"):
        verify_round(replace(DEFAULT_72785, previous_signature=""))


def test_a_malformed_signature_is_refused() -> None:
    with pytest.raises(DrandVerificationError):
        verify_round(replace(QUICKNET_123, signature="00" * 48))


def test_randomness_is_sha256_of_the_signature() -> None:
    expected = hashlib.sha256(bytes.fromhex(QUICKNET_123.signature)).hexdigest()
    source = drand_source(QUICKNET_123, check_signature=False)
    assert source.value == expected
    assert source.name == "drand:quicknet:123"
    assert source.evidence["signature"] == QUICKNET_123.signature


def test_unknown_chain_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown drand chain"):
        DrandRound(chain="fastnet", round=1, signature="00")
