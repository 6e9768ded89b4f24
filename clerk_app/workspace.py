"""Opening a data folder for use: lock it, look at its files, unlock its key, check and open
its database, load the context of the clerk who logged in.

Shared by the window and every CLI command so they all behave the same. The folder's states
(:func:`folder_state`):

- ``new``: nothing yet, or set-up not finished. The database (empty schema) is under a key kept
  in the clear in ``keys.json`` until :meth:`Workspace.set_up` re-keys it to a key that is only
  ever stored wrapped by the first clerk's password and the recovery key.
- ``locked``: set up; opening needs a clerk's name and password (:class:`Login`).
- ``plaintext``: a database from before encryption. Opening it with a password for its clerk
  encrypts it (and its plaintext backups), then removes the plaintext securely; the recovery key
  is then in :attr:`Workspace.recovery_code`, to be shown once.

Start-up, in order (nothing writes to the database before the check has passed):

1. the instance lock (one running app per folder);
2. leftover ``.part`` files of a killed backup or restore are removed;
3. a ``-wal`` that does not belong to the database is set aside (:mod:`storage.dbfiles`);
4. a missing or empty ``clerk.db`` in a folder that was used before (backups, lock, settings)
   is not a new laptop: :class:`NeedsRestore` (``db.missing``);
5. the session marker is written (removed again at a clean exit: still there at the next start
   means the app was killed or lost power);
6. ``PRAGMA quick_check`` on a read-only connection — the full ``integrity_check`` (with
   ``foreign_key_check``) after an unclean exit or when asked (``full_check``). A failing
   database is opened read-only (``Workspace.read_only``, ``health.problems``): it is never
   written further, and the window and CLI say so and point to the restore. One SQLite cannot
   read at all raises :class:`NeedsRestore` (``db.unreadable``);
7. only then the normal open: WAL, migrations (copied first), the context.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from . import paths
from .clock import SYSTEM, Clock
from .domain.errors import NeedsRestore, UserError, ValidationFailed
from .domain.messages import message
from .services.context import Context, new_id
from .services.setup import SetupInput, is_set_up, load_context, normalised, password_issues, set_up, validate
from .storage import dbfiles, login_guard
from .storage.backup import check_file, remove_parts
from .storage.cipher import KEY_BYTES, Error, is_plaintext_file, key_of, rekey
from .storage.db import check_failed_for_space, checkpoint, contain, integrity_problems, open_db, release
from .storage.encrypt import encrypt_database, encrypt_plaintext_backups, finish_interrupted, legacy_clerk
from .storage.keyring import DEFAULT_KDF, KdfParams, Keyring
from .storage.lock import InstanceLock

BACKUP_DIR = "backups"
ENV_PASSWORD = "CLERK_APP_PASSWORD"
ENV_CLERK = "CLERK_APP_CLERK"
DEMO_PASSWORD = "demo-1234"  # the demo folder's, printed wherever a demo folder is made


@dataclass(frozen=True)
class Login:
    """Who unlocks: a clerk's name (None: the only clerk) and password."""

    clerk: str | None
    password: str = field(repr=False)


def login_from_env() -> Login | None:
    """``CLERK_APP_PASSWORD`` (and ``CLERK_APP_CLERK`` when the laptop has several clerks)."""
    password = os.environ.get(ENV_PASSWORD)
    if password is None:
        return None
    return Login(os.environ.get(ENV_CLERK) or None, password)


@dataclass(frozen=True)
class FolderState:
    kind: str  # "new" | "locked" | "plaintext"
    clerk_names: tuple[str, ...] = ()


def folder_state(data_dir: str | Path | None = None) -> FolderState:
    """What opening this folder will ask for (the window asks before it opens)."""
    folder = _folder(data_dir)
    ring = Keyring.load(folder)
    db_file = paths.db_path(folder)
    if ring is None:
        if is_plaintext_file(db_file):
            name = legacy_clerk(db_file)
            return FolderState("plaintext", (name,)) if name else FolderState("new")
        return FolderState("new")
    if ring.claimed:
        return FolderState("locked", tuple(n for _cid, n in ring.clerk_names()))
    return FolderState("new")



@dataclass
class Health:
    """What the start-up found."""

    full: bool = False  # the full integrity_check ran (else quick_check)
    unclean_exit: bool = False  # the previous session did not end cleanly
    problems: list[str] = field(default_factory=list)  # empty: the database is sound
    stray_wal: dbfiles.StrayWal | None = None
    parts_removed: int = 0  # bytes of leftover .part files removed

    @property
    def ok(self) -> bool:
        return not self.problems

    def stray_notice(self) -> str:
        if self.stray_wal is None:
            return ""
        return message("db.stray_wal", reason=message(f"db.stray_wal_{self.stray_wal.reason}"),
                       name=self.stray_wal.moved_to.name)

    def notices(self) -> list[str]:
        """Sentences for the clerk about what the start-up did (empty when nothing to say)."""
        out = [self.stray_notice()] if self.stray_wal is not None else []
        if self.problems:
            out.append(damage_message(self.problems))
        return out


def problem_lines(problems: list[str]) -> list[str]:
    """SQLite's report, one finding a line (page numbers and index names, no stored values)."""
    return [line for p in problems for line in p.splitlines() if line.strip() and "*** in database" not in line]


def damage_message(problems: list[str]) -> str:
    return message("db.damaged", count=len(problem_lines(problems)) or 1)


@dataclass
class Workspace:
    folder: Path
    db: Database
    lock: InstanceLock | None
    clock: Clock = SYSTEM
    keyring: Keyring = field(default_factory=Keyring)
    clerk_id: str | None = None  # who unlocked (None until set-up on a new folder)
    kdf: KdfParams = DEFAULT_KDF
    recovery_code: str | None = None  # set once, by set-up or encryption: show it, then forget it
    health: Health = field(default_factory=Health)
    read_only: bool = False

    @property
    def ready(self) -> bool:
        return is_set_up(self.db)

    @property
    def key(self) -> bytes:
        return key_of(self.db.conn) or b""

    def context(self) -> Context:
        return load_context(self.db, self.clock, self.clerk_id)

    def set_up(self, inp: SetupInput) -> Context:
        """Name the laptop, its union and first clerk (管理员), and lock the database: it is
        re-keyed to a new random key that is stored only wrapped by the clerk's password and by
        a recovery key (:attr:`recovery_code`)."""
        inp = normalised(inp)
        validate(inp)
        if self.keyring.claimed and self.ready:
            raise RuntimeError("this laptop is already set up")
        clerk_id = new_id(self.clock)
        new_key = os.urandom(KEY_BYTES)
        ring = Keyring(setup_key=self.key)  # still unclaimed: a crash before the re-key keeps the old key
        ring.set_clerk(clerk_id, inp.clerk_name.strip(), inp.password, new_key, self.kdf)
        code = ring.set_recovery(new_key)
        ring.save(self.folder)
        rekey(self.db.conn, new_key)
        checkpoint(self.db)  # no frame under the old key stays in the WAL
        ring.setup_key = None
        ring.save(self.folder)
        self.keyring, self.recovery_code = ring, code
        ctx = set_up(self.db, inp, self.clock, clerk_id=clerk_id)
        self.clerk_id = clerk_id
        return ctx

    # -- clerks on a shared laptop ----------------------------------------------------------
    def switch(self, login: Login) -> Context:
        """Another clerk takes over (their password must unwrap this database's key)."""
        clerk_id, key = _unlock(self.folder, self.keyring, login, self.clock)
        if key != self.key:
            raise UserError("db.wrong_key", path=str(self.folder))
        ctx = load_context(self.db, self.clock, clerk_id)
        self.clerk_id = clerk_id
        return ctx

    def verify(self, password: str) -> None:
        """The current clerk proves it is still them (unlocking after the idle lock)."""
        name = self.keyring.clerks[self.clerk_id].name if self.clerk_id in self.keyring.clerks else None
        clerk_id, _key = _unlock(self.folder, self.keyring, Login(name, password), self.clock)
        if clerk_id != self.clerk_id:
            raise UserError("auth.bad_login")

    def add_login(self, clerk_id: str, name: str, password: str) -> None:
        """Let a clerk unlock this database (new clerk, or a new password): one keyring entry,
        the database itself is not re-encrypted. The caller checked the acting clerk's role."""
        issues = password_issues(password)
        if issues:
            raise ValidationFailed(issues)
        self.keyring.set_clerk(clerk_id, name, password, self.key, self.kdf)
        self.keyring.save(self.folder)

    def remove_login(self, clerk_id: str) -> None:
        self.keyring.remove_clerk(clerk_id)
        self.keyring.save(self.folder)

    def new_recovery_code(self) -> str:
        """Replace the recovery key (the old printout stops working); returns the new one."""
        code = self.keyring.set_recovery(self.key)
        self.keyring.save(self.folder)
        return code

    def check(self, *, full: bool = True) -> list[str]:
        """Check the open database now (menu 检查数据库, ``clerk-app db check``)."""
        return integrity_problems(self.db, full=full)

    def close(self) -> None:
        """Fold the WAL in, close the database, release the lock (a second call does nothing)."""
        if getattr(self, "_closed", False):
            return
        self._closed = True
        try:
            if not self.read_only:
                try:
                    checkpoint(self.db)  # a clean exit leaves no WAL content (see storage.dbfiles)
                except Error:
                    pass  # e.g. the disk is full: the WAL keeps the commits, SQLite recovers them
            self.db.close()
            if self.read_only:
                release(paths.db_path(self.folder))
            # Clean only if the WAL really is empty now: the next start sets aside a WAL found
            # after a clean exit, so a WAL still holding commits must keep the marker.
            if self.lock and not dbfiles.wal_has_frames(paths.db_path(self.folder)):
                dbfiles.mark_clean_exit(self.folder)
        finally:
            if self.lock:
                self.lock.release()


def verify_clerk(ctx: Context, password: str) -> None:
    """The acting clerk proves it is them (ending kiosk mode) from what a page has: its context.
    Rate-limited like a login."""
    from .storage.db import database_file

    folder = database_file(ctx.db).parent
    ring = Keyring.load(folder)
    if ring is None or not ring.claimed:
        raise UserError("auth.bad_login")
    clerk_id, _key = _unlock(folder, ring, Login(ctx.clerk.name, password), ctx.clock)
    if clerk_id != ctx.clerk.id:
        raise UserError("auth.bad_login")


def _evidence(folder: Path) -> list[str]:
    """:func:`dbfiles.folder_evidence`, where keys.json counts only once the laptop was set up
    (a new folder writes its keys.json before its database)."""
    found = dbfiles.folder_evidence(folder)
    if "keys.json" in found:
        try:
            ring = Keyring.load(folder)
        except UserError:
            ring = None  # damaged: it still shows the folder was used
        if ring is not None and not ring.claimed:
            found.remove("keys.json")
    return found


def _missing(folder: Path, db_file: Path, evidence: list[str]) -> NeedsRestore:
    names = {"backups": "备份", "clerk.lock": "锁文件", "window.ini": "窗口设置", "backup-settings.json": "备份设置",
             dbfiles.SESSION_MARKER: "运行标记", "logs": "日志", "keys.json": "密钥文件"}
    state = "db.missing_state_gone" if not db_file.exists() else "db.missing_state_empty"
    return NeedsRestore("db.missing", folder, path=str(folder), evidence="、".join(names[e] for e in evidence),
                        state=message(state))


def _not_damage(exc: BaseException, db_file: Path, folder: Path) -> UserError:
    if check_failed_for_space(exc, db_file):
        return UserError("disk.full", where=f"（位置：{folder}）")
    return UserError("db.check_failed", detail=getattr(exc, "sqlite_errorname", "") or type(exc).__name__)


def _check(db_file: Path, folder: Path, key: bytes | None, *, full: bool, used: bool) -> list[str]:
    """Integrity problems of the database file, read-only (nothing is written by a check).
    ``used``: the folder was used before, so an unreadable file is a lost database (restore),
    not some other file (refused and left alone)."""
    if not db_file.exists():
        return []  # a new laptop: open_db creates it
    try:
        db = open_db(db_file, key=key, read_only=True)
    except UserError:
        if not used:
            raise
        raise NeedsRestore("db.unreadable", folder, path=str(db_file)) from None
    except Error as exc:  # the disk, not the database (cipher.connect lets these through)
        raise _not_damage(exc, db_file, folder) from None
    try:
        try:
            problems = integrity_problems(db, full=full)
        except Error as exc:  # not damage: say what it is, change nothing
            raise _not_damage(exc, db_file, folder) from None
    finally:
        db.close()
    if problems:
        # Can the app read anything at all? On a new connection: SQLCipher refuses every read
        # of a connection that met a page failing its HMAC (the check just did).
        try:
            probe = open_db(db_file, key=key, read_only=True)
        except (UserError, Error):
            raise NeedsRestore("db.unreadable", folder, path=str(db_file)) from None
        try:
            is_set_up(probe)
        except Exception:  # noqa: BLE001 - SQLite cannot read it: only a restore helps
            raise NeedsRestore("db.unreadable", folder, path=str(db_file)) from None
        finally:
            probe.close()
    return problems


def _check_or_probe(db_file: Path, folder: Path, key: bytes | None, health: Health, *, used: bool, probe: bool,
                    stamp: str) -> list[str]:
    """:func:`_check`; when it fails after an unclean exit on an encrypted database, a WAL
    beside it may be another database's (rule 2 of :mod:`storage.dbfiles`, by trying)."""
    try:
        problems = _check(db_file, folder, key, full=health.full, used=used)
    except NeedsRestore:
        if not probe:
            raise
        problems = None
    if probe and problems != []:
        stray = dbfiles.probe_wal(db_file, lambda: not check_file(db_file, key, full=False), stamp=stamp)
        if stray is not None:
            health.stray_wal = stray
            return _check(db_file, folder, key, full=health.full, used=used)
    if problems is None:
        raise NeedsRestore("db.unreadable", folder, path=str(db_file))
    return problems


def _folder(data_dir: str | Path | None) -> Path:
    try:
        return paths.data_dir(data_dir)
    except OSError:  # a file in the way, no permission: the clerk picks another folder
        raise UserError("app.data_dir_unusable", path=str(data_dir or "")) from None


def _unlock(folder: Path, ring: Keyring, login: Login | None, clock: Clock) -> tuple[str, bytes]:
    """The clerk id and data key for ``login``, rate-limited per name across restarts."""
    if login is None:
        raise UserError("auth.password_required")
    name = (login.clerk or "").strip() or (ring.clerk_names()[0][1] if len(ring.clerks) == 1 else "")
    login_guard.check(folder, name, clock.wall_ms())
    try:
        clerk_id = ring.find_clerk(name)
        key = ring.unlock(clerk_id, login.password)
    except UserError as exc:
        if exc.code != "auth.bad_login":
            raise
        key = None
    if key is None:
        login_guard.record_failure(folder, name, clock.wall_ms())
        raise UserError("auth.bad_login")
    login_guard.record_success(folder, name)
    return clerk_id, key


def open_workspace(data_dir: str | Path | None = None, *, login: Login | None = None, lock: bool = True,
                   clock: Clock = SYSTEM, kdf: KdfParams = DEFAULT_KDF, recovery_code: str | None = None,
                   full_check: bool = False, allow_empty: bool = False) -> Workspace:
    """Open the data folder as the clerk ``login`` names (not needed for a new folder; default:
    :func:`login_from_env`, for scripts — the window always asks). ``kdf``:
    the Argon2id cost for passwords set through this workspace (tests pass a cheap one).
    ``recovery_code`` unlocks instead of a password (the clerk then acts as the laptop's first
    clerk; meant for setting a new password). See the module's start-up steps; ``allow_empty``:
    the clerk chose to start again with an empty database in a used folder whose database is gone."""
    folder = _folder(data_dir)
    login = login or login_from_env()
    evidence = _evidence(folder)  # before the lock file is created
    held = InstanceLock(folder).acquire() if lock else None
    try:
        return _open(folder, held, login, clock, kdf, recovery_code, full_check=full_check,
                     allow_empty=allow_empty, evidence=evidence)
    except BaseException:
        if held:
            held.release()
        raise


def _open(folder: Path, held: InstanceLock | None, login: Login | None, clock: Clock, kdf: KdfParams,
          recovery_code: str | None, *, full_check: bool, allow_empty: bool, evidence: list[str]) -> Workspace:
    db_file = paths.db_path(folder)
    finish_interrupted(db_file)
    health = Health(unclean_exit=not dbfiles.last_exit_clean(folder))
    if held:
        health.parts_removed = remove_parts(folder / BACKUP_DIR) + remove_parts(folder)
        health.stray_wal = dbfiles.check_wal(db_file, clean_exit=not health.unclean_exit,
                                             stamp=f"{clock.now():%Y%m%d-%H%M%S}")
    if dbfiles.db_is_empty(db_file) and evidence and not allow_empty:
        raise _missing(folder, db_file, evidence)
    if held:
        dbfiles.mark_session_start(folder, clock.stamp())
    ring = Keyring.load(folder)
    clerk_id: str | None = None
    code: str | None = None
    if ring is None:
        if is_plaintext_file(db_file):
            ring, clerk_id, code = _claim_plaintext(folder, db_file, login, kdf)
        elif db_file.exists() and db_file.stat().st_size > 0:
            raise UserError("db.missing_keys", path=str(db_file))
        else:
            ring = Keyring(setup_key=os.urandom(KEY_BYTES))
            ring.save(folder)
    if not ring.claimed and ring.clerks and db_file.exists() and not _opens(db_file, ring.setup_key):
        ring.setup_key = None  # set-up re-keyed the database, then stopped before saving this
        ring.save(folder)
    if ring.claimed:
        if recovery_code is not None:
            key = ring.unlock_recovery(recovery_code)
        else:
            clerk_id, key = _unlock(folder, ring, login, clock)
    else:
        key = ring.setup_key
    if is_plaintext_file(db_file):  # keyring saved, encryption cut short: finish it
        encrypt_database(db_file, key)
    encrypt_plaintext_backups(folder / BACKUP_DIR, key)
    health.full = full_check or health.unclean_exit
    probe = held is not None and health.stray_wal is None and health.unclean_exit and not is_plaintext_file(db_file)
    health.problems = _check_or_probe(db_file, folder, key, health, used=bool(evidence), probe=probe,
                                      stamp=f"{clock.now():%Y%m%d-%H%M%S}")
    if health.problems:
        contain(db_file)  # a worker's connection to it is read-only too
        db = open_db(db_file, key=key, read_only=True)
    else:
        db = open_db(db_file, key=key, backup_dir=folder / BACKUP_DIR)
    ws = Workspace(folder, db, held, clock, ring, clerk_id, kdf, code, health, read_only=bool(health.problems))
    if recovery_code is not None and ws.ready:
        ws.clerk_id = None  # load_context falls back to the clerk who set the laptop up
    return ws


def _opens(db_file: Path, key: bytes | None) -> bool:
    from .storage.cipher import connect

    try:
        connect(db_file, key).close()
    except UserError:
        return False
    return True


def _claim_plaintext(folder: Path, db_file: Path, login: Login | None, kdf: KdfParams):
    """An old plaintext database: save a keyring for a new key (with the clerk's new password
    if it was set up), then encrypt the file under it."""
    key = os.urandom(KEY_BYTES)
    from .storage.encrypt import legacy_clerk_id

    name, clerk_id = legacy_clerk(db_file), legacy_clerk_id(db_file)
    if name is None or clerk_id is None:  # never set up: nothing to protect with a password yet
        ring = Keyring(setup_key=key)
        ring.save(folder)
        encrypt_database(db_file, key)
        return ring, None, None
    if login is None:
        raise UserError("auth.password_required")
    issues = password_issues(login.password)
    if issues:
        raise ValidationFailed(issues)
    ring = Keyring()
    ring.set_clerk(clerk_id, name, login.password, key, kdf)
    code = ring.set_recovery(key)
    ring.save(folder)
    encrypt_database(db_file, key)
    return ring, clerk_id, code


def unlock_data(folder: Path, login: Login | None, clock: Clock = SYSTEM) -> tuple[str | None, bytes]:
    """The clerk id and the laptop's data key from ``keys.json``, unwrapped by ``login``
    (rate-limited like a login) without opening the database: listing and restoring backups
    work when the database is missing or damaged. The clerk id is None while the laptop is not
    set up (the key then needs no password). No keys.json: the backups cannot be read
    (``keyring.missing``)."""
    ring = Keyring.load(Path(folder))
    if ring is None:
        raise UserError("keyring.missing", path=str(Path(folder) / "keys.json"))
    if not ring.claimed:
        return None, ring.setup_key
    return _unlock(Path(folder), ring, login, clock)


def data_key(folder: Path, login: Login | None, clock: Clock = SYSTEM) -> bytes:
    """The data key alone (:func:`unlock_data`)."""
    return unlock_data(folder, login, clock)[1]


def restore_into(folder: Path, backup, clock: Clock = SYSTEM, *, login: Login | None = None,
                 unlocked: tuple[str | None, bytes] | None = None):
    """Restore ``backup`` into ``folder`` under its instance lock (no workspace open), as the
    clerk who unlocked the data key (a 管理员 only: services.restore.require_restorer).
    ``unlocked``: (clerk id, data key) the caller already holds; else ``login`` unlocks them
    from keys.json."""
    from .services.restore import restore_backup

    with InstanceLock(Path(folder)):
        clerk_id, key = unlocked if unlocked is not None else unlock_data(Path(folder), login, clock)
        return restore_backup(Path(folder), backup, clock, key=key, clerk_id=clerk_id)


DEMO_SETUP = SetupInput(laptop_name="演示笔记本", union_name="大兴区黄村镇总工会（演示）",
                        clerk_name="演示经办人", password=DEMO_PASSWORD)


def ensure_context(ws: Workspace, default: SetupInput = DEMO_SETUP) -> Context:
    """The laptop's context, setting it up with ``default`` names if this is a fresh folder
    (used by batch commands such as ``demo`` that must work on an empty data folder)."""
    return ws.context() if ws.ready else ws.set_up(default)
