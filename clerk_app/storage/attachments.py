"""Attachment files in the data folder: ``attachments/<sha256>.bin``, named by the hash of their
content (the same file added twice is stored once; a moved or deleted original loses nothing)
and encrypted like the database — AES-256-GCM under a key derived (HKDF-SHA256) from the
database's data key, the hash as associated data, so a file swapped for another's is refused.

Written through ``<name>.part``, flushed and renamed, so a crash never leaves half a file."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FOLDER = "attachments"
MAGIC = b"CLKA1"
NONCE = 12


class AttachmentDamaged(Exception):
    """The stored file is missing, altered or not for this database's key."""


def _key(data_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"clerk-app attachments v1").derive(data_key)


def path_of(folder: Path, digest: str) -> Path:
    return Path(folder) / FOLDER / f"{digest}.bin"


def store(folder: Path, data: bytes, data_key: bytes | None) -> str:
    """Encrypt and keep ``data``; return its SHA-256 (hex). ``data_key`` None (a plaintext
    database: tests, benchmarks) keeps the bytes as they are."""
    digest = hashlib.sha256(data).hexdigest()
    if path_of(folder, digest).exists() and is_sound(folder, digest, data_key):
        return digest
    if data_key is None:
        body = data
    else:
        nonce = os.urandom(NONCE)
        body = MAGIC + nonce + AESGCM(_key(data_key)).encrypt(nonce, data, digest.encode())
    put_raw(folder, digest, body)
    return digest


def raw(folder: Path, digest: str) -> bytes | None:
    """The stored file as it is on disk (encrypted when the database is): what a backup
    carries. None when it is not there."""
    try:
        return path_of(folder, digest).read_bytes()
    except OSError:
        return None


def put_raw(folder: Path, digest: str, body: bytes) -> Path:
    """Put a stored file back as it was (a restore): through ``.part``, flushed and renamed.
    The caller has checked it with :func:`open_body` under the same key."""
    target = path_of(folder, digest)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    with open(tmp, "wb") as fh:
        fh.write(body)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    return target


def open_body(body: bytes, digest: str, data_key: bytes | None) -> bytes:
    """The content of a stored file's ``body``, checked against ``digest`` (its SHA-256):
    raises :class:`AttachmentDamaged` when it was altered, swapped or is under another key."""
    if data_key is None:
        data = body
    else:
        if not body.startswith(MAGIC):
            raise AttachmentDamaged(digest)
        nonce = body[len(MAGIC):len(MAGIC) + NONCE]
        try:
            data = AESGCM(_key(data_key)).decrypt(nonce, body[len(MAGIC) + NONCE:], digest.encode())
        except InvalidTag as exc:
            raise AttachmentDamaged(digest) from exc
    if hashlib.sha256(data).hexdigest() != digest:
        raise AttachmentDamaged(digest)
    return data


def is_sound(folder: Path, digest: str, data_key: bytes | None) -> bool:
    try:
        load(folder, digest, data_key)
    except AttachmentDamaged:
        return False
    return True


def load(folder: Path, digest: str, data_key: bytes | None) -> bytes:
    body = raw(folder, digest)
    if body is None:
        raise AttachmentDamaged(digest)
    return open_body(body, digest, data_key)
