"""Who can unlock the database: ``keys.json`` in the data folder.

The database is encrypted with one random data key (:mod:`.cipher`). This file holds that key
*wrapped* (AES-256-GCM) once per clerk, under a key derived from the clerk's password with
Argon2id, and once under the recovery key printed at set-up for the union chair's safe. Adding a
clerk or changing a password rewrites one entry here and never re-encrypts the database.

It lives beside the database, not inside it, because it is needed before the database can be
opened. It holds no personal data of members: clerk names (the login list), salts, Argon2
parameters and ciphertexts. Whoever copies it still faces Argon2id (64 MiB, t=3, p=4, RFC 9106's
low-memory option) per password guess; roles live in the encrypted database, so editing this
file grants nothing. Written atomically (temp file, fsync, replace).

Before set-up there is no password yet: a fresh folder keeps its key in ``setup_key`` (the
database then holds only the empty schema), and set-up re-keys the database to a new key that is
only ever stored wrapped (:func:`clerk_app.workspace.Workspace.set_up`)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..domain.errors import UserError
from .cipher import KEY_BYTES
from .durable import fsync_dir

KEYRING_FILENAME = "keys.json"
FORMAT = 1
RECOVERY_ID = "recovery"


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. The default is RFC 9106's second recommended option (low memory); tests
    pass a cheaper one explicitly. Stored with each entry, so old entries stay readable."""

    memory_kib: int = 65536
    time_cost: int = 3
    parallelism: int = 4

    def as_json(self) -> dict:
        return {"alg": "argon2id", "m": self.memory_kib, "t": self.time_cost, "p": self.parallelism}

    @classmethod
    def from_json(cls, d: dict) -> "KdfParams":
        if d.get("alg") != "argon2id":
            raise ValueError(f"unknown key derivation {d.get('alg')!r}")  # load() says keys.json is damaged
        return cls(int(d["m"]), int(d["t"]), int(d["p"]))


DEFAULT_KDF = KdfParams()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def derive(password: str, salt: bytes, kdf: KdfParams) -> bytes:
    return hash_secret_raw(password.encode("utf-8"), salt, time_cost=kdf.time_cost, memory_cost=kdf.memory_kib,
                           parallelism=kdf.parallelism, hash_len=32, type=Type.ID)


def _aad(entry_id: str) -> bytes:
    return f"clerk-app keyring v{FORMAT}|{entry_id}".encode()


@dataclass
class Entry:
    """One wrapping of the data key: a clerk's (with its name and KDF) or the recovery key's."""

    name: str
    nonce: bytes
    wrapped: bytes
    salt: bytes = b""
    kdf: KdfParams | None = None

    def as_json(self) -> dict:
        d = {"name": self.name, "nonce": _b64(self.nonce), "wrapped": _b64(self.wrapped)}
        if self.kdf is not None:
            d.update(salt=_b64(self.salt), kdf=self.kdf.as_json())
        return d

    @classmethod
    def from_json(cls, d: dict) -> "Entry":
        kdf = KdfParams.from_json(d["kdf"]) if "kdf" in d else None
        return cls(str(d["name"]), _unb64(d["nonce"]), _unb64(d["wrapped"]),
                   _unb64(d["salt"]) if "salt" in d else b"", kdf)


def _wrap(entry_id: str, name: str, data_key: bytes, wrapping_key: bytes, salt: bytes = b"",
          kdf: KdfParams | None = None) -> Entry:
    nonce = os.urandom(12)  # each wrapping key is fresh (new salt or recovery key): one use each
    return Entry(name, nonce, AESGCM(wrapping_key).encrypt(nonce, data_key, _aad(entry_id)), salt, kdf)


def _unwrap(entry_id: str, entry: Entry, wrapping_key: bytes) -> bytes | None:
    try:
        key = AESGCM(wrapping_key).decrypt(entry.nonce, entry.wrapped, _aad(entry_id))
    except InvalidTag:
        return None
    return key if len(key) == KEY_BYTES else None


# -- the recovery key: 200 random bits as 8 groups of 5 base32 letters/digits -----------------

def new_recovery_code() -> str:
    text = base64.b32encode(secrets.token_bytes(25)).decode("ascii")
    return "-".join(text[i:i + 5] for i in range(0, 40, 5))


def _recovery_wrapping_key(code: str) -> bytes:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    cleaned = cleaned.replace("0", "O").replace("1", "I").replace("8", "B")  # misread from paper
    try:
        raw = base64.b32decode(cleaned)
    except ValueError:  # binascii.Error is one
        raise UserError("keyring.bad_recovery_code") from None
    if len(raw) != 25:
        raise UserError("keyring.bad_recovery_code")
    return hashlib.sha256(b"clerk-app recovery v1|" + raw).digest()  # 200 random bits: no stretching needed


@dataclass
class Keyring:
    clerks: dict[str, Entry] = field(default_factory=dict)
    recovery: Entry | None = None
    setup_key: bytes | None = None

    # -- file ---------------------------------------------------------------------------------
    @staticmethod
    def path(folder: Path) -> Path:
        return Path(folder) / KEYRING_FILENAME

    @classmethod
    def load(cls, folder: Path) -> "Keyring | None":
        """The folder's keyring, or None when it has none (a new folder, or an old plaintext one)."""
        path = cls.path(folder)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            d = json.loads(raw.decode("utf-8"))
            if d.get("format") != FORMAT:
                raise ValueError(d.get("format"))
            ring = cls({cid: Entry.from_json(e) for cid, e in d.get("clerks", {}).items()},
                       Entry.from_json(d["recovery"]) if d.get("recovery") else None,
                       bytes.fromhex(d["setup_key"]) if d.get("setup_key") else None)
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise UserError("keyring.damaged", path=str(path)) from exc
        return ring

    def save(self, folder: Path) -> None:
        d: dict = {"format": FORMAT, "cipher": "sqlcipher4",
                   "clerks": {cid: e.as_json() for cid, e in self.clerks.items()}}
        if self.recovery is not None:
            d["recovery"] = self.recovery.as_json()
        if self.setup_key is not None:
            d["setup_key"] = self.setup_key.hex()
        atomic_write(self.path(folder), json.dumps(d, ensure_ascii=False, indent=1).encode("utf-8"))

    # -- unlocking ---------------------------------------------------------------------------
    @property
    def claimed(self) -> bool:
        """Whether the key is only kept wrapped (the laptop has been set up)."""
        return self.setup_key is None

    def clerk_names(self) -> list[tuple[str, str]]:
        return sorted(((cid, e.name) for cid, e in self.clerks.items()), key=lambda x: x[1])

    def find_clerk(self, name: str | None) -> str:
        """The clerk id for a login name; with no name, the only clerk (if there is one)."""
        if not name:
            if len(self.clerks) == 1:
                return next(iter(self.clerks))
            raise UserError("auth.clerk_required")
        wanted = name.strip()
        for cid, entry in self.clerks.items():
            if entry.name == wanted:
                return cid
        raise UserError("auth.bad_login")

    def unlock(self, clerk_id: str, password: str) -> bytes | None:
        entry = self.clerks[clerk_id]
        assert entry.kdf is not None
        return _unwrap(clerk_id, entry, derive(password, entry.salt, entry.kdf))

    def unlock_recovery(self, code: str) -> bytes:
        if self.recovery is None:
            raise UserError("keyring.no_recovery")
        key = _unwrap(RECOVERY_ID, self.recovery, _recovery_wrapping_key(code))
        if key is None:
            raise UserError("keyring.bad_recovery_code")
        return key

    # -- changing who can unlock (never the data key itself) ---------------------------------
    def set_clerk(self, clerk_id: str, name: str, password: str, data_key: bytes, kdf: KdfParams = DEFAULT_KDF) -> None:
        """Add a clerk, or give one a new password (or name)."""
        salt = os.urandom(16)
        self.clerks[clerk_id] = _wrap(clerk_id, name, data_key, derive(password, salt, kdf), salt, kdf)

    def remove_clerk(self, clerk_id: str) -> None:
        self.clerks.pop(clerk_id, None)

    def set_recovery(self, data_key: bytes) -> str:
        """Wrap the key under a new recovery code and return the code (shown once)."""
        code = new_recovery_code()
        self.recovery = _wrap(RECOVERY_ID, "recovery", data_key, _recovery_wrapping_key(code))
        return code


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so a crash leaves the old file or the new one, never half."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)  # owner only
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def secure_remove(path: Path) -> None:
    """Overwrite a file with zeros (synced) before deleting it. On an SSD or a copy-on-write file
    system old blocks may survive; it still keeps the plaintext out of the file system's view and
    out of the recycle bin."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    with open(path, "r+b") as fh:
        chunk = b"\0" * 65536
        left = size
        while left > 0:
            n = min(left, len(chunk))
            fh.write(chunk[:n])
            left -= n
        fh.flush()
        os.fsync(fh.fileno())
    path.unlink()
