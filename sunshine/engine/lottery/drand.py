"""drand rounds (League of Entropy randomness beacon), verified offline.

A round's randomness is SHA-256 of its BLS signature. The signature is checked
against the network's public key, pinned here, so nobody needs to trust the
server the round was fetched from:

* ``quicknet`` (scheme ``bls-unchained-g1-rfc9380``): signature on G1, public key
  on G2, message SHA-256(round as 8 big-endian bytes), hash to G1 per RFC 9380
  with DST ``BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_``;
* ``default`` (scheme ``pedersen-bls-chained``): signature on G2, public key on G1,
  message SHA-256(previous signature || round as 8 big-endian bytes), hash to G2
  with DST ``BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_``.

Pairings use ``py_ecc`` (pure Python), imported only when a signature is checked.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sunshine.engine.lottery.sources import KIND_DRAND, Source

_HEX = re.compile(r"(?:[0-9a-f]{2})+\Z")


@dataclass(frozen=True, slots=True)
class DrandChain:
    """A drand network: chain hash, group public key, scheme and timing (from its /info)."""

    name: str
    chain_hash: str
    public_key: str
    scheme: str
    genesis_time: int
    period_seconds: int


QUICKNET = DrandChain(
    name="quicknet",
    chain_hash="52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    public_key=(
        "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c"
        "8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb"
        "5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a"
    ),
    scheme="bls-unchained-g1-rfc9380",
    genesis_time=1692803367,
    period_seconds=3,
)

DEFAULT = DrandChain(
    name="default",
    chain_hash="8990e7a9aaed2ffed73dbd7092123d6f289930540d7651336225dc172e51b2ce",
    public_key=(
        "868f005eb8e6e4ca0a47c8a77ceaa5309a47978a7c71bc5cce96366b5d7a5699"
        "37c529eeda66c7293784a9402801af31"
    ),
    scheme="pedersen-bls-chained",
    genesis_time=1595431050,
    period_seconds=30,
)

CHAINS: dict[str, DrandChain] = {chain.name: chain for chain in (QUICKNET, DEFAULT)}

_DST_G1 = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"


class DrandVerificationError(ValueError):
    """A drand round whose signature or randomness does not check out."""


@dataclass(frozen=True, slots=True)
class DrandRound:
    """One published round: what the beacon's /public/ROUND answer holds."""

    chain: str
    round: int
    signature: str
    previous_signature: str = ""

    def __post_init__(self) -> None:
        if self.chain not in CHAINS:
            raise ValueError(f"unknown drand chain {self.chain!r}; known: {sorted(CHAINS)}")
        if isinstance(self.round, bool) or not isinstance(self.round, int) or self.round < 1:
            raise ValueError(f"a drand round is a positive integer, not {self.round!r}")
        if not _HEX.match(self.signature):
            raise ValueError("the drand signature must be lower-case hex")
        if self.previous_signature and not _HEX.match(self.previous_signature):
            raise ValueError("the drand previous signature must be lower-case hex")

    @property
    def randomness(self) -> str:
        """SHA-256 of the signature, hex: the round's randomness as drand defines it."""
        return hashlib.sha256(bytes.fromhex(self.signature)).hexdigest()

    def message(self) -> bytes:
        """The bytes the network signed for this round."""
        round_bytes = self.round.to_bytes(8, "big")
        if CHAINS[self.chain].scheme == "pedersen-bls-chained":
            if not self.previous_signature:
                raise DrandVerificationError(
                    f"drand {self.chain} round {self.round}: the chained scheme needs the"
                    " previous signature"
                )
            return hashlib.sha256(bytes.fromhex(self.previous_signature) + round_bytes).digest()
        return hashlib.sha256(round_bytes).digest()


def source_name(chain: str, round_number: int) -> str:
    return f"{KIND_DRAND}:{chain}:{round_number}"


def drand_source(beacon: DrandRound, *, check_signature: bool = True) -> Source:
    """The seed source for a drand round; its signature is verified first by default."""
    if check_signature:
        verify_round(beacon)
    evidence = {
        "chain": beacon.chain,
        "chain_hash": CHAINS[beacon.chain].chain_hash,
        "round": beacon.round,
        "signature": beacon.signature,
        "previous_signature": beacon.previous_signature,
    }
    return Source(
        name=source_name(beacon.chain, beacon.round),
        kind=KIND_DRAND,
        value=beacon.randomness,
        evidence=evidence,
    )


def verify_round(beacon: DrandRound) -> None:
    """Raise DrandVerificationError unless the signature is the network's for this round."""
    chain = CHAINS[beacon.chain]
    signature = bytes.fromhex(beacon.signature)
    public_key = bytes.fromhex(chain.public_key)
    message = beacon.message()
    try:
        if chain.scheme == "pedersen-bls-chained":
            valid = _verify_signature_on_g2(public_key, message, signature)
        else:
            valid = _verify_signature_on_g1(public_key, message, signature)
    except ImportError as error:
        raise DrandVerificationError(
            "checking a drand signature needs the py-ecc package (pip install py-ecc)"
        ) from error
    if not valid:
        raise DrandVerificationError(
            f"drand {beacon.chain} round {beacon.round}: the signature is not the network's"
            " signature of this round"
        )


def _verify_signature_on_g2(public_key: bytes, message: bytes, signature: bytes) -> bool:
    # Basic BLS with the NUL ciphersuite is exactly drand's chained scheme.
    from eth_typing import BLSPubkey, BLSSignature
    from py_ecc.bls.ciphersuites import G2Basic

    return bool(G2Basic.Verify(BLSPubkey(public_key), message, BLSSignature(signature)))


def _verify_signature_on_g1(public_key: bytes, message: bytes, signature: bytes) -> bool:
    from py_ecc.bls.hash_to_curve import hash_to_G1
    from py_ecc.bls.point_compression import decompress_G1, decompress_G2
    from py_ecc.bls.typing import G1Compressed, G2Compressed
    from py_ecc.fields import optimized_bls12_381_FQ12 as FQ12
    from py_ecc.optimized_bls12_381.optimized_curve import G2, curve_order, is_inf, multiply, neg
    from py_ecc.optimized_bls12_381.optimized_pairing import final_exponentiate, miller_loop

    if len(signature) != 48 or len(public_key) != 96:
        return False
    try:
        signature_point = decompress_G1(G1Compressed(int.from_bytes(signature, "big")))
        key_point = decompress_G2(
            G2Compressed(
                (int.from_bytes(public_key[:48], "big"), int.from_bytes(public_key[48:], "big"))
            )
        )
    except ValueError:
        return False
    if is_inf(signature_point) or not is_inf(multiply(signature_point, curve_order)):
        return False
    hashed = hash_to_G1(message, _DST_G1, hashlib.sha256)  # type: ignore[arg-type]
    # e(signature, g2) == e(H(m), pk)  <=>  e(-signature, g2) * e(H(m), pk) == 1
    product = miller_loop(G2, neg(signature_point), False) * miller_loop(key_point, hashed, False)
    return bool(final_exponentiate(product) == FQ12.one())
