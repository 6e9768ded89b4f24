"""A site's keys, their fingerprints, and the registry of senders a site accepts packages from.

Every installation has two key pairs, made on the laptop and never leaving it:

* an **Ed25519 signing key**: the manifest of every package it sends is signed with it, so the
  receiver knows which enrolled computer wrote it (encryption alone cannot tell: anyone with
  the recipient's public key can encrypt to it);
* an **X25519 encryption key** (HPKE, RFC 9180): packages sent *to* this site are encrypted to it.

The public halves travel in the enrolment files. People compare them by phone through a
:func:`fingerprint`: thirty digits in six groups, the same on both screens or the file was
swapped on the way.

:class:`SenderRegistry` is what a receiver trusts: site id → public keys, and, for a lost or
stolen laptop, the last (epoch, sequence) still accepted from it. A laptop's registry holds
only its district; the district's holds every enrolled laptop.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519

from .errors import REVOKED, UNKNOWN_SENDER, KeyFileRefused, PackageRefused
from .files import write_atomically

KEY_BYTES = 32
_FINGERPRINT_LABEL = b"clerk-app site fingerprint v1\x00"
_KEYFILE_KIND = "clerk-app/site-keys"
_KEYFILE_FORMAT = 1


def fingerprint(signing_public: bytes, encryption_public: bytes) -> str:
    """Thirty digits in groups of five, for reading out over the phone.

    Each group is five bytes of SHA-512 over both public keys, taken modulo 100000 (the
    scheme of Signal's safety numbers): about 99 bits, far beyond what a forger could match.
    """
    digest = hashlib.sha512(_FINGERPRINT_LABEL + signing_public + encryption_public).digest()
    groups = (int.from_bytes(digest[i:i + 5], "big") % 100_000 for i in range(0, 30, 5))
    return " ".join(f"{g:05d}" for g in groups)


def _raw_public(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class SiteKeys:
    """The private keys of this installation."""

    signing: ed25519.Ed25519PrivateKey
    encryption: x25519.X25519PrivateKey

    @classmethod
    def generate(cls) -> SiteKeys:
        return cls(ed25519.Ed25519PrivateKey.generate(), x25519.X25519PrivateKey.generate())

    @property
    def signing_public(self) -> bytes:
        return _raw_public(self.signing)

    @property
    def encryption_public(self) -> bytes:
        return _raw_public(self.encryption)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.signing_public, self.encryption_public)

    def sign(self, message: bytes) -> bytes:
        return self.signing.sign(message)

    def __repr__(self) -> str:  # never print private keys into a log
        return f"SiteKeys(fingerprint={self.fingerprint!r})"


def save_site_keys(path: Path | str, keys: SiteKeys, passphrase: bytes | None) -> Path:
    """Write the private keys (PKCS#8, encrypted with ``passphrase`` when given) to ``path``,
    readable by the owner only. ``None`` stores them unencrypted: only for a key that another
    layer already protects (an encrypted database, the OS key store)."""
    enc = (serialization.BestAvailableEncryption(passphrase) if passphrase
           else serialization.NoEncryption())

    def der(key) -> bytes:
        return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, enc)

    signing, encryption = der(keys.signing), der(keys.encryption)
    data = cbor2.dumps({"kind": _KEYFILE_KIND, "format": _KEYFILE_FORMAT, "signing": signing,
                        "encryption": encryption, "sha256": _keyfile_digest(signing, encryption)},
                       canonical=True)
    return write_atomically(path, data, mode=0o600)


def _keyfile_digest(signing: bytes, encryption: bytes) -> bytes:
    """Tells a damaged key file from a wrong passphrase (it covers the encrypted keys only)."""
    return hashlib.sha256(len(signing).to_bytes(4, "big") + signing + encryption).digest()


def load_site_keys(path: Path | str, passphrase: bytes | None) -> SiteKeys:
    try:
        doc = cbor2.loads(Path(path).read_bytes(), max_depth=2)
        ok = (isinstance(doc, dict) and doc.get("kind") == _KEYFILE_KIND
              and doc.get("format") == _KEYFILE_FORMAT
              and isinstance(doc.get("signing"), bytes) and isinstance(doc.get("encryption"), bytes))
    except (cbor2.CBORDecodeError, ValueError, TypeError):
        ok = False
    if not ok:
        raise KeyFileRefused("damaged")
    digest = doc.get("sha256")
    intact = digest == _keyfile_digest(doc["signing"], doc["encryption"])
    if digest is not None and not intact:
        raise KeyFileRefused("damaged")
    try:
        signing = serialization.load_der_private_key(doc["signing"], passphrase or None)
        encryption = serialization.load_der_private_key(doc["encryption"], passphrase or None)
    except (ValueError, TypeError) as exc:
        # The file is intact (its digest matches), so the key did not decrypt: the passphrase is
        # wrong. A wrong passphrase does not always say so: about 1 in 200 decrypts to bytes that
        # fail as "could not deserialize". Files written before the digest fall back to the text.
        text = str(exc).lower()
        wrong = intact or "password" in text or "decrypt" in text
        raise KeyFileRefused("bad_passphrase" if wrong else "damaged") from None
    if not (isinstance(signing, ed25519.Ed25519PrivateKey) and isinstance(encryption, x25519.X25519PrivateKey)):
        raise KeyFileRefused("damaged")
    return SiteKeys(signing, encryption)


@dataclass(frozen=True)
class KnownSender:
    """A site this one accepts packages from (and can encrypt packages to)."""

    site_id: str
    name: str
    signing_public: bytes
    encryption_public: bytes
    # (epoch, sequence) of the last package still accepted; None while the site is in use.
    revoked_after: tuple[int, int] | None = None

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.signing_public, self.encryption_public)

    def verify(self, signature: bytes, message: bytes) -> bool:
        try:
            ed25519.Ed25519PublicKey.from_public_bytes(self.signing_public).verify(signature, message)
        except Exception:  # InvalidSignature, or a signature of the wrong length
            return False
        return True

    def to_data(self) -> dict:
        return {"site_id": self.site_id, "name": self.name, "signing_public": self.signing_public,
                "encryption_public": self.encryption_public,
                "revoked_after": list(self.revoked_after) if self.revoked_after else None}

    @classmethod
    def from_data(cls, data: dict) -> KnownSender:
        revoked = data.get("revoked_after")
        return cls(str(data["site_id"]), str(data["name"]), bytes(data["signing_public"]),
                   bytes(data["encryption_public"]), tuple(revoked) if revoked else None)


@dataclass
class SenderRegistry:
    """Site id → :class:`KnownSender`. The receiver's whole notion of who may send."""

    senders: dict[str, KnownSender] = field(default_factory=dict)

    def add(self, sender: KnownSender) -> None:
        if len(sender.signing_public) != KEY_BYTES or len(sender.encryption_public) != KEY_BYTES:
            raise ValueError("public keys must be 32 raw bytes")
        self.senders[sender.site_id] = sender

    def get(self, site_id: str) -> KnownSender | None:
        return self.senders.get(site_id)

    def revoke(self, site_id: str, epoch: int, after_seq: int) -> KnownSender:
        """Stop accepting packages of ``site_id`` after (``epoch``, ``after_seq``): the ones it
        sent before it was lost still count, anything later is refused."""
        sender = self.senders[site_id]
        self.senders[site_id] = replace(sender, revoked_after=(epoch, after_seq))
        return self.senders[site_id]

    def check(self, site_id: str, epoch: int, seq: int) -> KnownSender:
        """The sender of a package (site, epoch, seq), or :class:`PackageRefused`."""
        sender = self.senders.get(site_id)
        if sender is None:
            raise PackageRefused(UNKNOWN_SENDER, sender=site_id)
        if sender.revoked_after is not None and (epoch, seq) > sender.revoked_after:
            raise PackageRefused(REVOKED, sender=sender.name or site_id, after=sender.revoked_after[1], seq=seq)
        return sender

    def to_bytes(self) -> bytes:
        return cbor2.dumps([s.to_data() for _, s in sorted(self.senders.items())], canonical=True)

    @classmethod
    def from_bytes(cls, data: bytes) -> SenderRegistry:
        registry = cls()
        for item in cbor2.loads(data, max_depth=4):
            registry.add(KnownSender.from_data(item))
        return registry
