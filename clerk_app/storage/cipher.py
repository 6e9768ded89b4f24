"""Connections to the app's SQLCipher database: the one place that knows how a key is applied.

Every file the app writes its data to (the database, its WAL, backups made with ``VACUUM INTO``)
is encrypted with one random 32-byte *data key* (SQLCipher 4 defaults: AES-256 pages, HMAC per
page, so a changed page is refused, not misread). The key itself never touches the disk in the
clear once the laptop is set up: :mod:`.keyring` keeps it wrapped per clerk.

``key=None`` opens a plaintext SQLite file with the same library (and so the same SQLite
version): only for migrating an old plaintext database, ``db decrypt`` and benchmarks."""

from __future__ import annotations

from pathlib import Path

from sqlcipher3 import dbapi2 as sqlcipher

from ..domain.errors import UserError

KEY_BYTES = 32
SQLITE_HEADER = b"SQLite format 3\x00"
# Errors of the machine, not of the key or the file: said as what they are by the caller.
_ENVIRONMENT = ("SQLITE_IOERR", "SQLITE_FULL", "SQLITE_BUSY", "SQLITE_LOCKED")

Error = sqlcipher.Error
DatabaseError = sqlcipher.DatabaseError
IntegrityError = sqlcipher.IntegrityError
OperationalError = sqlcipher.OperationalError
ProgrammingError = sqlcipher.ProgrammingError


class KeyedConnection(sqlcipher.Connection):
    """A connection that remembers its data key, so a worker thread or a backup can open
    another connection to the same file (:func:`key_of`) without the clerk's password."""

    data_key: bytes | None = None


def key_pragma(key: bytes) -> str:
    if len(key) != KEY_BYTES:
        raise ValueError("a data key is 32 bytes")
    return f"\"x'{key.hex()}'\""


def is_plaintext_file(path: Path) -> bool:
    """Whether ``path`` starts like an unencrypted SQLite file (an encrypted one starts with
    random bytes)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == SQLITE_HEADER
    except OSError:
        return False


def connect(path: str | Path, key: bytes | None, *, timeout: float = 5.0,
            read_only: bool = False, immutable: bool = False) -> KeyedConnection:
    """Open ``path`` with ``key`` (or plaintext with ``None``) and prove the key right by reading
    the schema. A wrong key, or a file that is not a database, raises ``db.wrong_key`` /
    ``db.not_a_database`` (Chinese, no traceback); the connection is closed then.
    ``read_only``: ``mode=ro`` (never creates or writes the file: a backup being checked, a
    damaged database). ``immutable``: read-only without even the ``-shm`` / ``-wal`` a WAL
    database's reader creates (only for a file no one writes and whose WAL is folded in)."""
    if read_only or immutable:
        query = "?immutable=1" if immutable else "?mode=ro"
        conn = sqlcipher.connect(Path(path).resolve().as_uri() + query, uri=True, isolation_level=None,
                                 check_same_thread=True, timeout=timeout, factory=KeyedConnection)
    else:
        conn = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=True, timeout=timeout,
                                 factory=KeyedConnection)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our message, not stderr noise
        if key is not None:
            conn.execute(f"PRAGMA key = {key_pragma(key)}")
        conn.execute("PRAGMA temp_store = MEMORY")  # sorts and temp indexes never spill plaintext to disk
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError as exc:
        conn.close()
        if str(getattr(exc, "sqlite_errorname", "")).startswith(_ENVIRONMENT):
            raise  # the disk, a file size limit, another process: not the key, not the file
        if key is not None and not is_plaintext_file(Path(path)):
            raise UserError("db.wrong_key", path=str(path)) from exc
        raise UserError("db.not_a_database", path=str(path)) from exc
    except BaseException:
        conn.close()
        raise
    conn.data_key = key
    return conn


def key_of(conn) -> bytes | None:
    """The data key ``conn`` was opened with (None: plaintext)."""
    return getattr(conn, "data_key", None)


def export(conn, target: Path, key: bytes | None) -> None:
    """Write the whole database behind ``conn`` to a new file ``target`` encrypted with ``key``
    (``None``: plaintext) through ``sqlcipher_export``. ``target`` must not exist."""
    attach_key = key_pragma(key) if key is not None else "''"
    conn.execute(f"ATTACH DATABASE ? AS export_target KEY {attach_key}", [str(target)])
    try:
        conn.execute("SELECT sqlcipher_export('export_target')")
        version = conn.execute("PRAGMA main.user_version").fetchone()[0]
        conn.execute(f"PRAGMA export_target.user_version = {int(version)}")
    finally:
        conn.execute("DETACH DATABASE export_target")


def rekey(conn, key: bytes) -> None:
    """Re-encrypt every page under ``key`` (one transaction inside SQLCipher; then the caller
    checkpoints so no frame under the old key stays in the WAL)."""
    conn.execute(f"PRAGMA rekey = {key_pragma(key)}")
    conn.data_key = key
