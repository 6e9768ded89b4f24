"""The package's encryption is plain RFC 9180 HPKE, base mode, single shot — so the city tier
or any other HPKE implementation can open it.

A small reference opener written from the RFC's text (test only; the app uses ``cryptography``'s
HPKE) is first checked against the RFC's own test vector for DHKEM(X25519, HKDF-SHA256),
HKDF-SHA256, ChaCha20Poly1305 (Appendix A.2.1), then opens a real package."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from clerk_app.sync import container

from .conftest import make_changes

KEM_ID, KDF_ID, AEAD_ID = 0x0020, 0x0001, 0x0003
KEM_SUITE = b"KEM" + KEM_ID.to_bytes(2, "big")
HPKE_SUITE = b"HPKE" + KEM_ID.to_bytes(2, "big") + KDF_ID.to_bytes(2, "big") + AEAD_ID.to_bytes(2, "big")


def labeled_extract(salt: bytes, label: bytes, ikm: bytes, suite: bytes) -> bytes:
    return hmac.new(salt or bytes(32), b"HPKE-v1" + suite + label + ikm, hashlib.sha256).digest()


def labeled_expand(prk: bytes, label: bytes, info: bytes, length: int, suite: bytes) -> bytes:
    labeled = length.to_bytes(2, "big") + b"HPKE-v1" + suite + label + info
    return HKDFExpand(hashes.SHA256(), length, labeled).derive(prk)


def reference_context(sk_r: bytes, enc: bytes, info: bytes) -> tuple[bytes, bytes, bytes]:
    """(shared_secret, key, base_nonce) of the receiver, RFC 9180 §4.1 Decap and §5.1 base mode."""
    private = x25519.X25519PrivateKey.from_private_bytes(sk_r)
    pk_r = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    dh = private.exchange(x25519.X25519PublicKey.from_public_bytes(enc))
    eae_prk = labeled_extract(b"", b"eae_prk", dh, KEM_SUITE)
    shared = labeled_expand(eae_prk, b"shared_secret", enc + pk_r, 32, KEM_SUITE)
    context = (b"\x00" + labeled_extract(b"", b"psk_id_hash", b"", HPKE_SUITE)
               + labeled_extract(b"", b"info_hash", info, HPKE_SUITE))
    secret = labeled_extract(shared, b"secret", b"", HPKE_SUITE)
    return (shared, labeled_expand(secret, b"key", context, 32, HPKE_SUITE),
            labeled_expand(secret, b"base_nonce", context, 12, HPKE_SUITE))


# RFC 9180 Appendix A.2.1 (mode 0, kem 32, kdf 1, aead 3)
A21 = {
    "info": "4f6465206f6e2061204772656369616e2055726e",
    "skRm": "8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb",
    "enc": "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a",
    "shared_secret": "0bbe78490412b4bbea4812666f7916932b828bba79942424abb65244930d69a7",
    "key": "ad2744de8e17f4ebba575b3f5f5a8fa1f69c2a07f6e7500bc60ca6e3e3ec1c91",
    "base_nonce": "5c4d98150661b848853b547f",
    "pt": "4265617574792069732074727574682c20747275746820626561757479",
    "aad": "436f756e742d30",
    "ct": "1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28",
}


def test_reference_opener_reproduces_the_rfc_vector():
    v = {k: bytes.fromhex(x) for k, x in A21.items()}
    shared, key, nonce = reference_context(v["skRm"], v["enc"], v["info"])
    assert (shared, key, nonce) == (v["shared_secret"], v["key"], v["base_nonce"])
    assert ChaCha20Poly1305(key).decrypt(nonce, v["ct"], v["aad"]) == v["pt"]


def test_a_package_opens_with_the_reference_opener(world):
    data = world.seal(make_changes(5))
    _, prefix = container.read_header(data)
    payload = data[len(prefix):]
    enc, sealed = payload[:32], payload[32:]
    sk = world.district.encryption.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    _, key, nonce = reference_context(sk, enc, container._INFO_LABEL + prefix)
    inner = ChaCha20Poly1305(key).decrypt(nonce, sealed, b"")  # single shot: sequence 0, empty aad
    assert inner == container._HPKE.decrypt(payload, world.district.encryption, info=container._INFO_LABEL + prefix)
    # and the header really is bound: the same payload under another header's info does not open
    _, key2, nonce2 = reference_context(sk, enc, container._INFO_LABEL + prefix[:-1] + bytes([prefix[-1] ^ 1]))
    with pytest.raises(InvalidTag):
        ChaCha20Poly1305(key2).decrypt(nonce2, sealed, b"")
