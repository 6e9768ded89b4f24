"""The sync package file: one file per export, verified completely before any of it is used.

Layout (format 1)::

    "GHSYNC"            6 bytes, magic
    format              2 bytes, big-endian (1)
    header length       2 bytes, big-endian (at most 1 KiB)
    header              canonical CBOR map: suite, sender, epoch, recipient, seq
    HPKE payload        enc (32 bytes) ‖ ChaCha20-Poly1305 ciphertext and tag

The payload is RFC 9180 HPKE base mode (X25519, HKDF-SHA256, ChaCha20-Poly1305) to the
recipient's encryption key, from ``cryptography`` — no home-made crypto. The whole cleartext
prefix (magic to header) is the HPKE ``info``, so changing one bit of it makes decryption fail.
Inside the encryption::

    manifest length     4 bytes, big-endian
    manifest            canonical CBOR map (see :class:`Manifest`)
    signature           64 bytes, Ed25519 by the sender over label ‖ prefix ‖ manifest
    body                zstd frame of the canonical CBOR map {"changes": [...], "audit": [...]}
                        and, when the package carries attachment files, "files": {sha256 hex: bytes}

The files section (hardship attachments, see services.sync_attachments) is checked here, after
the body hash: each key is the SHA-256 of its bytes and each file within
:attr:`Limits.max_attachment`, else the whole package is refused (``attachment_mismatch``). A
package without files has no "files" key, so its bytes are what they were before the section.

The manifest names the body by its SHA-256 and uncompressed size, counts its changes per
table, and gives its stamp range, so the signature covers everything, and :func:`open_package`
checks in this order, each step only once the previous one passed: file size (``stat``, before
reading), magic and format, header, recipient, decryption, sender in the registry (revocation),
signature, manifest against header, body hash, capped decompression, body structure, every
record's shape, counts and stamp range against the manifest. Any failure raises
:class:`~.errors.PackageRefused` with a reason code.

Determinism: the same input gives the same prefix and the same plaintext byte for byte
(canonical CBOR, a fixed zstd level, Ed25519 signatures are deterministic). Only the HPKE part
differs between two exports: each encryption draws a fresh ephemeral key (``enc``), as RFC
9180 requires. :attr:`Package.digest` — the SHA-256 of the signed manifest — is therefore the
package's identity (for the per-sender hash chain and replay detection), not the file's hash.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import cbor2
import zstandard
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

from .. import __version__
from .errors import (ATTACHMENT_MISMATCH, BAD_RECORD, BODY_MISMATCH, BOMB, DAMAGED, NEWER_FORMAT, NEWER_SCHEMA, NOT_A_PACKAGE,
                     NOT_FOR_US, OLD_FORMAT, TOO_LARGE, UNKNOWN_SENDER, UNKNOWN_SUITE, PackageRefused)
from .files import read_capped, write_atomically
from .keys import KnownSender, SenderRegistry, SiteKeys
from .shape import BadRecord, ShapeRules, check_audit_entry, check_plain, check_record

MAGIC = b"GHSYNC"
FORMAT = 1
SUITE = "hpke-x25519-hkdfsha256-chacha20poly1305+ed25519"
EXTENSION = ".ghsync"
_HPKE = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.CHACHA20_POLY1305)
_INFO_LABEL = b"clerk-app sync package\x00"
_SIGN_LABEL = b"clerk-app sync manifest v1\x00"
_PREFIX = struct.Struct(">6sHH")
_MAX_HEADER = 1024
_SIG = 64
_ENC = 32          # X25519 encapsulated key
_TAG = 16          # Poly1305
ZSTD_LEVEL = 3
_HEADER_KEYS = frozenset({"suite", "sender", "epoch", "recipient", "seq"})
_MANIFEST_KEYS = frozenset({"format", "schema", "app_version", "sender", "epoch", "recipient", "seq", "prev",
                            "stamps", "counts", "audit", "body_sha256", "body_size", "acks"})
_MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_file: int = 256 * _MIB       # the package file, checked with stat() before reading
    max_body: int = 1024 * _MIB      # the body after decompression
    max_manifest: int = 4 * _MIB
    max_attachment: int = 64 * _MIB  # one attachment file in the files section
    max_files: int = 10_000          # attachment files in one package


@dataclass(frozen=True)
class Header:
    """The cleartext header: enough to route the file and pick the key, bound into HPKE."""

    sender: str
    epoch: int
    recipient: str
    seq: int
    suite: str = SUITE


@dataclass(frozen=True)
class Manifest:
    format: int
    schema: int
    app_version: str
    sender: str
    epoch: int
    recipient: str
    seq: int
    prev: bytes | None                      # digest of this sender's previous package
    stamps: tuple[str, str] | None          # lowest and highest change stamp in the body
    counts: dict[str, int]                  # changes per table
    audit: int                              # audit entries in the body
    body_sha256: bytes                      # of the zstd frame
    body_size: int                          # of the CBOR body before compression
    acks: dict = field(default_factory=dict)  # what the sender has imported, per peer


@dataclass(frozen=True)
class Package:
    header: Header
    manifest: Manifest
    changes: list[dict]
    audit: list[dict]
    digest: bytes                           # SHA-256 of the signed manifest: the package's identity
    sender: KnownSender
    files: dict[str, bytes] = field(default_factory=dict)  # attachment bytes by SHA-256 (hex)


def _canonical(value) -> bytes:
    return cbor2.dumps(value, canonical=True)


def _is_id(value) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 64


def _is_count(value, low: int = 0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value < 2 ** 53


# ----------------------------------------------------------------------------------------- seal

def _stamp_range(changes: Iterable[dict], stamp_key: str) -> tuple[str, str] | None:
    stamps = [c[stamp_key] for c in changes if isinstance(c.get(stamp_key), str)]
    return (min(stamps), max(stamps)) if stamps else None


def seal_package(*, keys: SiteKeys, sender: str, epoch: int, recipient: KnownSender, seq: int,
                 changes: list[dict], audit: list[dict] = (), acks: Mapping | None = None,
                 prev: bytes | None = None, schema: int, app_version: str = __version__,
                 rules: ShapeRules | None = None, stamp_key: str = "hlc",
                 files: Mapping[str, bytes] | None = None) -> bytes:
    """The bytes of a package (see :func:`seal_package_digest`)."""
    return seal_package_digest(keys=keys, sender=sender, epoch=epoch, recipient=recipient, seq=seq,
                               changes=changes, audit=audit, acks=acks, prev=prev, schema=schema,
                               app_version=app_version, rules=rules, stamp_key=stamp_key, files=files)[0]


def seal_package_digest(*, keys: SiteKeys, sender: str, epoch: int, recipient: KnownSender, seq: int,
                        changes: list[dict], audit: list[dict] = (), acks: Mapping | None = None,
                        prev: bytes | None = None, schema: int, app_version: str = __version__,
                        rules: ShapeRules | None = None, stamp_key: str = "hlc",
                        files: Mapping[str, bytes] | None = None) -> tuple[bytes, bytes]:
    """The bytes of a package from ``sender`` (this site, signing with ``keys``) to ``recipient``.

    ``changes`` and ``audit`` are lists of plain-data maps; each change names its table under
    ``rules.table_key`` (``"tbl"``) and may carry a stamp under ``stamp_key``. They are checked
    with the same rules the receiver applies, so a package this site writes is never one the
    receiver refuses for its shape (``ValueError`` instead: that is our bug, not the clerk's).
    ``files``: attachment bytes by their SHA-256 (hex), checked like the receiver checks them.
    Also returns the package's :attr:`Package.digest` (the sender keeps it for its hash chain).
    """
    rules = rules or ShapeRules()
    changes, audit = list(changes), list(audit)
    try:
        for change in changes:
            check_record(change, rules)
        for entry in audit:
            check_audit_entry(entry, rules)
        check_plain(dict(acks or {}), rules)
        files = dict(files or {})
        check_files(files, Limits())
    except (BadRecord, PackageRefused) as exc:
        raise ValueError(f"refusing to write a package the receiver would refuse: {exc}") from None
    header = Header(sender, epoch, recipient.site_id, seq)
    prefix = _encode_header(header)
    body = _canonical({"changes": changes, "audit": audit, **({"files": files} if files else {})})
    body_z = zstandard.ZstdCompressor(level=ZSTD_LEVEL, write_content_size=True, threads=0).compress(body)
    manifest = {
        "format": FORMAT, "schema": schema, "app_version": app_version, "sender": sender, "epoch": epoch,
        "recipient": recipient.site_id, "seq": seq, "prev": prev,
        "stamps": list(_stamp_range(changes, stamp_key) or ()) or None,
        "counts": dict(Counter(c[rules.table_key] for c in changes)), "audit": len(audit),
        "body_sha256": hashlib.sha256(body_z).digest(), "body_size": len(body), "acks": dict(acks or {}),
    }
    manifest_bytes = _canonical(manifest)
    signature = keys.sign(_SIGN_LABEL + prefix + manifest_bytes)
    plaintext = struct.pack(">I", len(manifest_bytes)) + manifest_bytes + signature + body_z
    public = x25519.X25519PublicKey.from_public_bytes(recipient.encryption_public)
    return (prefix + _HPKE.encrypt(plaintext, public, info=_INFO_LABEL + prefix),
            hashlib.sha256(manifest_bytes).digest())


def _encode_header(header: Header) -> bytes:
    raw = _canonical({"suite": header.suite, "sender": header.sender, "epoch": header.epoch,
                      "recipient": header.recipient, "seq": header.seq})
    if len(raw) > _MAX_HEADER:
        raise ValueError("site ids too long for the header")
    return _PREFIX.pack(MAGIC, FORMAT, len(raw)) + raw


# ----------------------------------------------------------------------------------------- open

def read_header(data: bytes) -> tuple[Header, bytes]:
    """The cleartext header and the prefix bytes it was read from; refuses a file that is not
    a package, a newer or retired format, an unknown cipher suite, or a mangled header."""
    if len(data) < _PREFIX.size or data[:len(MAGIC)] != MAGIC:
        raise PackageRefused(NOT_A_PACKAGE)
    _magic, version, size = _PREFIX.unpack_from(data)
    if version > FORMAT:
        raise PackageRefused(NEWER_FORMAT, version=version)
    if version < FORMAT:
        raise PackageRefused(OLD_FORMAT, version=version)
    end = _PREFIX.size + size
    if size > _MAX_HEADER or len(data) < end + _ENC + _TAG:
        raise PackageRefused(DAMAGED)
    raw = data[_PREFIX.size:end]
    try:
        doc = cbor2.loads(raw, max_depth=1, allow_indefinite=False, allow_duplicate_keys=False)
    except Exception:  # any decoding failure of untrusted bytes is damage, never a crash
        raise PackageRefused(DAMAGED) from None
    if not (isinstance(doc, dict) and set(doc) == _HEADER_KEYS and _canonical(doc) == raw):
        raise PackageRefused(DAMAGED)
    if doc["suite"] != SUITE:
        raise PackageRefused(UNKNOWN_SUITE, suite=str(doc["suite"])[:60])
    if not (_is_id(doc["sender"]) and _is_id(doc["recipient"]) and _is_count(doc["epoch"])
            and _is_count(doc["seq"], 1)):
        raise PackageRefused(DAMAGED)
    return Header(doc["sender"], doc["epoch"], doc["recipient"], doc["seq"], doc["suite"]), data[:end]


def read_package(path: Path | str, *, me: str, keys: SiteKeys, registry: SenderRegistry,
                 max_schema: int | None = None, rules: ShapeRules | None = None,
                 limits: Limits = Limits(), stamp_key: str = "hlc") -> Package:
    """:func:`open_package` on a file, whose size is checked before a byte of it is read."""
    data = read_capped(path, limits.max_file)
    if data is None:
        raise PackageRefused(TOO_LARGE, size=_size_text(Path(path).stat().st_size),
                             limit=_size_text(limits.max_file))
    return open_package(data, me=me, keys=keys, registry=registry, max_schema=max_schema, rules=rules,
                        limits=limits, stamp_key=stamp_key)


def open_package(data: bytes, *, me: str, keys: SiteKeys, registry: SenderRegistry,
                 max_schema: int | None = None, rules: ShapeRules | None = None,
                 limits: Limits = Limits(), stamp_key: str = "hlc") -> Package:
    """Verify and unpack a package addressed to site ``me`` (whose private ``keys`` decrypt it),
    from a sender in ``registry``. ``max_schema``: the newest data schema this app understands."""
    rules = rules or ShapeRules()
    if len(data) > limits.max_file:
        raise PackageRefused(TOO_LARGE, size=_size_text(len(data)), limit=_size_text(limits.max_file))
    header, prefix = read_header(data)
    if header.recipient != me:
        raise PackageRefused(NOT_FOR_US, recipient=header.recipient)
    try:
        plaintext = _HPKE.decrypt(data[len(prefix):], keys.encryption, info=_INFO_LABEL + prefix)
    except (InvalidTag, ValueError):
        raise PackageRefused(DAMAGED) from None
    # Inside the encryption: only the sender (or whoever holds our public key) wrote this.
    if len(plaintext) < 4:
        raise PackageRefused(DAMAGED)
    (manifest_len,) = struct.unpack_from(">I", plaintext)
    body_at = 4 + manifest_len + _SIG
    if manifest_len > limits.max_manifest or len(plaintext) < body_at:
        raise PackageRefused(DAMAGED)
    manifest_bytes = plaintext[4:4 + manifest_len]
    signature = plaintext[4 + manifest_len:body_at]
    sender = registry.check(header.sender, header.epoch, header.seq)
    if not sender.verify(signature, _SIGN_LABEL + prefix + manifest_bytes):
        raise PackageRefused(UNKNOWN_SENDER, sender=header.sender)
    # Signed by a registered sender: from here on a failure is that computer's bug or worse.
    manifest = _parse_manifest(manifest_bytes, header)
    if max_schema is not None and manifest.schema > max_schema:
        raise PackageRefused(NEWER_SCHEMA, schema=manifest.schema)
    body_z = plaintext[body_at:]
    if hashlib.sha256(body_z).digest() != manifest.body_sha256:
        raise PackageRefused(BODY_MISMATCH, what="校验值")
    body = _decompress(body_z, manifest.body_size, limits.max_body)
    changes, audit, files = _parse_body(body, rules)
    check_files(files, limits)
    _check_against_manifest(manifest, changes, audit, rules, stamp_key)
    return Package(header, manifest, changes, audit, hashlib.sha256(manifest_bytes).digest(), sender, files)


def _parse_manifest(raw: bytes, header: Header) -> Manifest:
    try:
        doc = cbor2.loads(raw, max_depth=4, allow_indefinite=False, allow_duplicate_keys=False)
    except Exception:
        raise PackageRefused(BODY_MISMATCH, what="清单无法读取") from None
    if not (isinstance(doc, dict) and set(doc) == _MANIFEST_KEYS):
        raise PackageRefused(BODY_MISMATCH, what="清单字段")
    stamps, counts, prev = doc["stamps"], doc["counts"], doc["prev"]
    ok = (doc["format"] == FORMAT and _is_count(doc["schema"]) and isinstance(doc["app_version"], str)
          and len(doc["app_version"]) <= 40
          and (prev is None or (isinstance(prev, bytes) and len(prev) == 32))
          and (stamps is None or (isinstance(stamps, list) and len(stamps) == 2
                                  and all(isinstance(s, str) and len(s) <= 64 for s in stamps)))
          and isinstance(counts, dict) and all(isinstance(k, str) and _is_count(v, 1) for k, v in counts.items())
          and _is_count(doc["audit"]) and isinstance(doc["body_sha256"], bytes) and len(doc["body_sha256"]) == 32
          and _is_count(doc["body_size"]) and isinstance(doc["acks"], dict))
    if not ok:
        raise PackageRefused(BODY_MISMATCH, what="清单字段")
    if (doc["sender"], doc["epoch"], doc["recipient"], doc["seq"]) != \
            (header.sender, header.epoch, header.recipient, header.seq):
        raise PackageRefused(BODY_MISMATCH, what="清单与文件头")
    return Manifest(doc["format"], doc["schema"], doc["app_version"], doc["sender"], doc["epoch"],
                    doc["recipient"], doc["seq"], prev, tuple(stamps) if stamps else None, dict(counts),
                    doc["audit"], doc["body_sha256"], doc["body_size"], dict(doc["acks"]))


def _decompress(body_z: bytes, size: int, cap: int) -> bytes:
    """Exactly ``size`` bytes out of the zstd frame, never more than ``cap`` read: a frame that
    would inflate beyond either is refused without being inflated."""
    if size > cap:
        raise PackageRefused(BOMB, limit=_size_text(cap))
    want = size + 1
    parts, got = [], 0
    try:
        with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(body_z), read_across_frames=False) as reader:
            while got < want:
                chunk = reader.read(min(want - got, 4 * _MIB))
                if not chunk:
                    break
                parts.append(chunk)
                got += len(chunk)
    except zstandard.ZstdError:
        raise PackageRefused(BODY_MISMATCH, what="压缩数据") from None
    if got > size:
        raise PackageRefused(BOMB, limit=_size_text(size))
    if got < size:
        raise PackageRefused(BODY_MISMATCH, what="数据长度")
    return b"".join(parts)


def _parse_body(body: bytes, rules: ShapeRules) -> tuple[list[dict], list[dict], dict]:
    try:
        doc = cbor2.loads(body, max_depth=rules.max_depth + 16, allow_indefinite=False,
                          allow_duplicate_keys=False)
    except Exception:
        raise PackageRefused(BODY_MISMATCH, what="内容无法读取") from None
    if not (isinstance(doc, dict) and set(doc) in ({"changes", "audit"}, {"changes", "audit", "files"})
            and isinstance(doc["changes"], list) and isinstance(doc["audit"], list)
            and isinstance(doc.get("files", {}), dict) and doc.get("files") != {}):
        raise PackageRefused(BODY_MISMATCH, what="内容结构")
    changes, audit = doc["changes"], doc["audit"]
    for index, change in enumerate(changes, 1):
        try:
            check_record(change, rules)
        except BadRecord as exc:
            raise PackageRefused(BAD_RECORD, index=index, problem=str(exc)[:200]) from None
    for index, entry in enumerate(audit, 1):
        try:
            check_audit_entry(entry, rules)
        except BadRecord as exc:
            raise PackageRefused(BAD_RECORD, index=len(changes) + index, problem=str(exc)[:200]) from None
    return changes, audit, doc.get("files", {})


_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def check_files(files: Mapping, limits: Limits) -> None:
    """The files section: at most ``limits.max_files`` files, each key the SHA-256 (lower-case
    hex) of its bytes and each within ``limits.max_attachment``; else ``attachment_mismatch``."""
    if len(files) > limits.max_files:
        raise PackageRefused(ATTACHMENT_MISMATCH, digest="", problem=f"超过 {limits.max_files} 个")
    for digest, data in files.items():
        shown = str(digest)[:12]
        if not (isinstance(digest, str) and _SHA256_HEX.fullmatch(digest) and isinstance(data, bytes)):
            raise PackageRefused(ATTACHMENT_MISMATCH, digest=shown, problem="格式不对")
        if len(data) > limits.max_attachment:
            raise PackageRefused(ATTACHMENT_MISMATCH, digest=shown,
                                 problem=f"超过单个附件上限 {_size_text(limits.max_attachment)}")
        if hashlib.sha256(data).hexdigest() != digest:
            raise PackageRefused(ATTACHMENT_MISMATCH, digest=shown, problem="与其校验值不符")


def _check_against_manifest(manifest: Manifest, changes, audit, rules: ShapeRules, stamp_key: str) -> None:
    if dict(Counter(c[rules.table_key] for c in changes)) != manifest.counts:
        raise PackageRefused(BODY_MISMATCH, what="各表条数")
    if len(audit) != manifest.audit:
        raise PackageRefused(BODY_MISMATCH, what="审计记录条数")
    if _stamp_range(changes, stamp_key) != manifest.stamps:
        raise PackageRefused(BODY_MISMATCH, what="时间戳范围")
    try:
        check_plain(manifest.acks, rules)
    except BadRecord as exc:
        raise PackageRefused(BODY_MISMATCH, what=f"确认信息：{exc}") from None


# ---------------------------------------------------------------------------------------- files

_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')


def package_filename(site_label: str, seq: int, day: date) -> str:
    """A name people can read on a USB stick: ``黄村镇总工会-第000012号-2026-12-03.ghsync``.
    Informative only; the content is what counts."""
    label = _UNSAFE.sub("_", site_label).strip(" ._")[:40] or "同步包"
    return f"{label}-第{seq:06d}号-{day.isoformat()}{EXTENSION}"


def write_package(folder: Path | str, site_label: str, seq: int, day: date, data: bytes) -> Path:
    """Write ``data`` under :func:`package_filename` in ``folder``, complete or not at all."""
    return write_atomically(Path(folder) / package_filename(site_label, seq, day), data)


def _size_text(n: int) -> str:
    return f"{n / _MIB:.1f} MB" if n >= _MIB else f"{n / 1024:.0f} KB"
