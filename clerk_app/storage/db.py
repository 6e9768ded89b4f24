"""One way to open the database, and one way to write to it (a transaction)."""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path
from typing import Iterator

from sqlite_utils import Database

from ..domain.errors import UserError, is_disk_full
from . import known
from .cipher import DatabaseError, Error, OperationalError, connect, is_plaintext_file, key_of

DB_FILENAME = "clerk.db"
CACHE_KIB = 64 * 1024

# Databases this process found damaged: every connection opened to them (a worker's too) is
# read-only until the workspace that found them is closed (see :func:`contain`).
_CONTAINED: set[Path] = set()


def contain(path: Path) -> None:
    """From now on, in this process, ``path`` opens read-only only (it failed its check)."""
    _CONTAINED.add(Path(path).resolve())


def release(path: Path) -> None:
    _CONTAINED.discard(Path(path).resolve())


def open_db(path: str | Path, *, key: bytes | None, migrate: bool = True,
            backup_dir: Path | None = None, read_only: bool = False) -> Database:
    """Open (creating if needed) the app's database with its data key (``key``, 32 bytes, from
    :mod:`.keyring`; ``None`` only for a plaintext file: migrating an old database, decrypting a
    copy, benchmarks) and the settings every connection needs: WAL, synchronous=FULL (a commit
    survives a power cut), foreign keys on, a busy timeout, secure_delete (erased personal data
    leaves no residue in free pages), temp_store=MEMORY (no plaintext temp files).

    A connection belongs to the thread that opened it (``check_same_thread``): used from another
    thread it raises ``ProgrammingError`` instead of interleaving two threads' transactions.
    The window's background worker opens its own.

    Transactions are explicit (``isolation_level=None`` + :func:`transaction`), so their
    boundaries are visible in the code. With ``migrate`` the schema is brought up to date
    (the file is copied first, see :mod:`.migrations`).

    ``read_only``: a database that failed its integrity check is opened so that nothing can
    write to it (``mode=ro`` + ``query_only``; no migration, no journal-mode change); a write
    attempt is refused by :func:`transaction` with ``db.read_only``."""
    path = Path(path)
    if path.exists() and path.stat().st_size >= 16:
        plain = is_plaintext_file(path)
        if key is not None and plain:
            raise UserError("db.not_encrypted", path=str(path))
        if key is None and not plain:
            raise UserError("db.not_a_database", path=str(path))
    if read_only or path.resolve() in _CONTAINED:
        return _open_read_only(path, key)
    conn = connect(path, key)
    try:
        if migrate:
            from .migrations import foreign_tables

            if foreign_tables(conn):  # another program's SQLite file: leave it untouched
                raise UserError("db.not_a_database", path=str(path))
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        conn.execute("PRAGMA secure_delete=ON")
        conn.execute("PRAGMA trusted_schema=OFF")
        conn.execute("PRAGMA case_sensitive_like=OFF")
        # Decrypting a page costs more than reading it: keep up to 64 MiB of decrypted pages
        # (SQLite's default is 2 MiB), so a name search that scans the members table decrypts
        # it once, not on every keystroke. Memory is only taken as pages are read.
        conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        # Sorts and materialised subqueries (the reports' GROUP BYs over every member) in memory:
        # a temporary file would be encrypted page by page too, which made them twice as slow.
        conn.execute("PRAGMA temp_store=MEMORY")
    except DatabaseError as exc:
        conn.close()
        raise UserError("db.not_a_database", path=str(path)) from exc
    except BaseException:
        conn.close()
        raise
    db = Database(conn, execute_plugins=False)
    if migrate:
        from .migrations import migrate as _migrate

        try:
            _migrate(db, db_path=path, backup_dir=backup_dir or path.parent / "backups")
        except BaseException:
            db.close()  # refused (newer version, not ours) or failed: leave no open handle
            raise
    return db


def another_connection(db: Database) -> Database:
    """A second connection to the same database with the same key, for a worker thread (which
    must not share the window's connection). Not migrated: the first one did that."""
    return open_db(database_file(db), key=key_of(db.conn), migrate=False)


def _open_read_only(path: Path, key: bytes | None) -> Database:
    if not path.is_file():
        raise UserError("db.not_a_database", path=str(path))
    conn = connect(path, key, read_only=True)  # a wrong key or no database at all: UserError
    conn.text_factory = _lenient_text  # a damaged page may hold bytes that are not UTF-8
    try:
        conn.execute("PRAGMA query_only=ON")
        conn.execute("PRAGMA trusted_schema=OFF")
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("PRAGMA case_sensitive_like=OFF")
    except DatabaseError:
        pass  # too damaged even for that: the caller's reads will say so
    return Database(conn, execute_plugins=False)


def is_read_only(db: Database) -> bool:
    try:
        return bool(db.conn.execute("PRAGMA query_only").fetchone()[0])
    except Error:
        return True


def integrity_problems(db: Database, *, full: bool = False) -> list[str]:
    """``PRAGMA quick_check`` (or the full ``integrity_check``, which also checks every index
    and UNIQUE constraint) plus ``foreign_key_check`` when full. An empty list means sound;
    a database SQLite cannot read at all is one problem."""
    conn = db.conn
    factory = conn.text_factory
    conn.text_factory = _lenient_text  # the report may quote damaged bytes
    try:
        pragma = "integrity_check" if full else "quick_check"
        rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}(20)")]
        problems = [] if rows == ["ok"] else rows
        if full and not problems:
            bad = conn.execute("PRAGMA foreign_key_check").fetchall()
            problems = [f"foreign key: {r[0]} row {r[1]} -> {r[2]}" for r in bad[:20]]
    except ValueError as exc:  # text that is not UTF-8 where the schema says text
        problems = [str(exc)]
    except MemoryError:
        # SQLCipher's answer once this connection met a page that failed its HMAC check: it
        # refuses every further read (SQLITE_NOMEM), so the page is damaged, not the memory short.
        problems = ["SQLCipher: a page failed its HMAC check; this connection reads no further"]
    except DatabaseError as exc:
        if not is_corruption(exc):
            raise  # the disk is full, the file cannot be opened, it is busy: not damage
        problems = [str(exc)]
    finally:
        conn.text_factory = factory
    return problems


def is_corruption(exc: BaseException) -> bool:
    """SQLite says the file is damaged (SQLITE_CORRUPT*, SQLITE_NOTADB), as opposed to an
    error of the environment (I/O, full disk, no permission, busy)."""
    name = str(getattr(exc, "sqlite_errorname", ""))
    if name:
        return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
    text = str(exc)
    return "malformed" in text or "not a database" in text


def _lenient_text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _translated(exc: BaseException, conn) -> UserError | None:
    """A clerk-facing error for what the environment did to a write: the disk is full, or
    the database is read-only (damaged and contained)."""
    if is_disk_full(exc) or (_io_error(exc) and _db_out_of_space(conn)):
        return UserError("disk.full", where="")
    if isinstance(exc, OperationalError) and "readonly" in str(exc).replace("-", "").replace(" ", ""):
        return UserError("db.read_only")
    return None


def _io_error(exc: BaseException) -> bool:
    return str(getattr(exc, "sqlite_errorname", "")).startswith("SQLITE_IOERR") or "disk I/O error" in str(exc)


def check_failed_for_space(exc: BaseException, path: Path) -> bool:
    """Whether an error while reading ``path`` came from a full disk (or a file size limit)."""
    from .diskspace import out_of_space

    if is_disk_full(exc):
        return True
    return _io_error(exc) and out_of_space(path, path.with_name(path.name + "-wal"),
                                           path.with_name(path.name + "-shm"))


def _db_out_of_space(conn) -> bool:
    from .diskspace import out_of_space

    try:
        files = [Path(r[2]) for r in conn.execute("PRAGMA database_list") if r[1] == "main" and r[2]]
    except Error:
        return False
    return bool(files) and out_of_space(files[0], files[0].with_name(files[0].name + "-wal"))


@contextlib.contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """One business action = one transaction. Nested use becomes a savepoint.

    ``BEGIN IMMEDIATE`` takes the write lock up front, so two writers queue on the busy
    timeout instead of failing half way through."""
    conn = db.conn
    if conn.in_transaction:
        try:
            with db.atomic():
                yield db
        except BaseException:
            known.forget(db)  # the savepoint's writes are undone: so is what was kept of them
            raise
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
    except Error as exc:
        raise (_translated(exc, conn) or exc) from exc
    _TXN_IDS[conn] = str(uuid.uuid4())
    try:
        yield db
        conn.execute("COMMIT")
    except BaseException as exc:
        # A COMMIT that fails (a deferred constraint, disk full, an I/O error) leaves the
        # transaction open; the next transaction() would then only be a savepoint inside it
        # and its save would vanish at close. Undo it here so nothing is left half done.
        known.forget(db)
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        mapped = _translated(exc, conn) if isinstance(exc, Error) else None
        if mapped is not None:
            raise mapped from exc  # the disk is full: rolled back, nothing half saved
        raise
    finally:
        _TXN_IDS.pop(conn, None)


# The id of the business action each connection is in (see :func:`transaction`): every change
# record written in one transaction carries it, so a package holds an action back whole.
_TXN_IDS: dict[object, str] = {}  # connection -> txn id


def current_txn_id(db: Database) -> str | None:
    """The transaction id of the business action ``db`` is in, or None outside :func:`transaction`."""
    return _TXN_IDS.get(db.conn)


def database_file(db: Database) -> Path:
    """The file behind the connection (a worker thread opens its own connection to it)."""
    for _seq, name, file in db.conn.execute("PRAGMA database_list"):
        if name == "main" and file:
            return Path(file)
    raise RuntimeError("the database has no file")


def checkpoint(db: Database) -> None:
    """Fold the write-ahead log into the database file (before closing it for good)."""
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
