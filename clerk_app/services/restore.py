"""Restore a backup into the data folder, starting a new epoch of this laptop.

A backup is older than the database it replaces: after it was taken, the laptop may have
issued cards and written change records that went to the district. The restored database
does not know them, so it must never give those numbers out again:

* **New site id** (a new sequence space for sync): the change records written from now on
  carry a site id no package has ever carried; the old ids are kept in ``site_history``.
* **Change-record numbers** continue above the highest the replaced database had given out
  (or, if that database cannot be read, :data:`SEQ_GAP` above the backup's).
* **Card issuing is paused** until a new card code is set: every code either database knew
  is marked used (with its highest number), and the current code is retired. A card code
  used only after the backup in a database that cannot be read any more is unknown here —
  the district, which assigned it, knows it; that is why a *new* code is asked for.
* The hybrid clock keeps the later of the two stamps, so change stamps still only go forward.

Before anything is replaced, the current database is kept: a verified backup
(``…-before-restore.db``) when it can be read, else a raw copy of its files (with the WAL)
in ``backups/damaged-STAMP/``. The restored file itself is copied through
:func:`storage.backup.copy_backup` (verified, then renamed into place), and the old ``-wal``
/ ``-shm`` are removed first, so no log of the old database is folded into the restored one.
The attachments the backup carries are checked against their hashes before anything is
replaced, then written back into ``attachments/`` (a fresh machine gets every one).

Only a 管理员 restores (``access.ACTIONS["backup"]``): the clerk who unlocked the data key must
be 管理员 in the current database when it can be read, else in the backup being restored (both
are under the same key). The check reads both read-only and comes before anything on disk is
touched, so a refusal changes nothing.

The caller holds the data folder's instance lock and has closed its own connections.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from ..clock import SYSTEM, Clock
from ..domain.errors import UserError
from ..storage import attachments
from ..storage import backup as files
from ..storage import dbfiles
from ..storage.cipher import Error
from ..storage.changes import HLC_KEY, SITE_HISTORY_KEY, last_seq, reserve_seq
from ..storage.clerks_repo import active_roles
from ..storage.db import DB_FILENAME, open_db, transaction
from ..storage.hlc import parse_stamp
from ..storage.meta import get_meta, set_meta
from . import access, cards
from .backups import BackupFile, backup_dir, backup_name
from .context import Context, new_id
from .setup import is_set_up, load_context

SEQ_GAP = 1_000_000


@dataclass
class EpochState:
    """What the database being replaced had given out (carried into the restored one)."""

    site_id: str = ""
    history: list[dict] = field(default_factory=list)
    used_prefixes: list[str] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    last_seq: int = 0
    hlc: str | None = None


@dataclass(frozen=True)
class RestoreResult:
    backup: BackupFile
    facts: files.BackupFacts
    kept: Path | None  # the copy of the replaced database (None: there was none)
    site_id: str  # the laptop's new site id
    previous_site_id: str
    attachments: int = 0  # attachment files written back from the backup
    missing_attachments: tuple[str, ...] = ()  # listed by the backup, in neither it nor the folder


def _history(db: Database) -> list[dict]:
    try:
        return json.loads(get_meta(db, SITE_HISTORY_KEY, "[]") or "[]")
    except ValueError:
        return []


def epoch_state(db: Database) -> EpochState:
    """Read what ``db`` had given out (site id, card codes and numbers, sequence, clock)."""
    state = EpochState(last_seq=last_seq(db), hlc=get_meta(db, HLC_KEY), history=_history(db))
    if is_set_up(db):
        ctx = load_context(db)
        state.site_id = ctx.site_id
        state.used_prefixes, state.counters = cards.known_numbering(ctx)
    return state


def _read_current(db_file: Path, key: bytes) -> tuple[EpochState | None, Database | None]:
    if dbfiles.db_is_empty(db_file):
        return None, None
    try:
        db = open_db(db_file, key=key, read_only=True)
    except UserError:
        return None, None
    try:
        return epoch_state(db), db
    except Exception:  # noqa: BLE001 - too damaged to read: the raw copy below keeps it
        return None, db


def _keep_current(folder: Path, db_file: Path, stamp_name: str, clock: Clock,
                  key: bytes) -> tuple[EpochState | None, Path | None]:
    """Keep the database about to be replaced; returns what it had given out and the copy
    (both encrypted: the verified copy under the same key, the raw files as they are)."""
    state, db = _read_current(db_file, key)
    kept = None
    if db is not None:
        try:
            kept = files.backup_to(db, backup_dir(folder) / stamp_name)
        except Exception:  # noqa: BLE001 - a damaged database may not copy: keep its raw files
            kept = None
        finally:
            db.close()
    if kept is None and db_file.exists() and db_file.stat().st_size:
        raw = backup_dir(folder) / f"damaged-{clock.now():%Y%m%d-%H%M%S}"
        raw.mkdir(parents=True, exist_ok=True)
        for path in (db_file, dbfiles.wal_path(db_file), dbfiles.shm_path(db_file)):
            if path.exists():
                shutil.copy2(path, raw / path.name)
        kept = raw
    return state, kept


def _roles(path: Path, key: bytes) -> dict[str, str] | None:
    """The active clerks' roles in the database file ``path`` (None: it cannot be read). Read
    without leaving a ``-shm`` / ``-wal`` behind when it has no WAL (the caller holds the lock)."""
    if dbfiles.db_is_empty(path):
        return None
    try:
        conn = files.open_file_readonly(path, key, immutable=not dbfiles.wal_path(path).exists())
    except (UserError, Error):
        return None
    try:
        return active_roles(conn)
    except Error:
        return None
    finally:
        conn.close()


def require_restorer(folder: Path, backup: BackupFile, *, key: bytes, clerk_id: str | None) -> None:
    """Raise ``auth.forbidden`` unless ``clerk_id`` (who unlocked ``key``; None: nobody, the
    laptop is not set up) is 管理员 in the folder's database, or — when that cannot be read — in
    ``backup``. A database without clerks (never set up) has nobody to protect it from."""
    roles = _roles(Path(folder) / DB_FILENAME, key)
    if roles is None:
        roles = _roles(backup.path, key) or {}
    if not roles:
        return
    role = roles.get(clerk_id or "", "")
    needed, label = access.ACTIONS["backup"]
    if access.rank(role) < access.rank(needed):
        raise UserError("auth.forbidden", role=role or "未登记", action=label, needed=needed)


def restore_backup(folder: Path, backup: BackupFile, clock: Clock = SYSTEM, *, key: bytes,
                   clerk_id: str | None) -> RestoreResult:
    """Replace the data folder's database with ``backup`` (see the module's rules) as the clerk
    ``clerk_id`` (must be 管理员: :func:`require_restorer`). ``key`` is the laptop's data key
    (from keys.json, unwrapped by that clerk's password): the backup must open with it, and the
    restored database stays under it, so keys.json keeps unlocking it."""
    folder = Path(folder)
    problems = files.check_file(backup.path, key)
    if problems:
        raise UserError("backup.damaged", name=backup.name, detail="；".join(problems[:3]))
    require_restorer(folder, backup, key=key, clerk_id=clerk_id)
    facts = files.read_facts(backup.path, key)
    bundled = files.bundled_attachments(backup.path, key)  # every one checked before anything changes
    db_file = folder / DB_FILENAME
    taken = clock.now().replace(tzinfo=None, microsecond=0)
    state, kept = _keep_current(folder, db_file, backup_name(taken, "before-restore"), clock, key)

    for path in (dbfiles.wal_path(db_file), dbfiles.shm_path(db_file)):
        path.unlink(missing_ok=True)  # the old database's log must not be folded into the backup
    files.copy_backup(backup.path, db_file, key)
    files.drop_bundle(db_file, key)
    written = files.unpack_attachments(backup.path, key, folder, bundled.held)
    missing = tuple(d for d in bundled.missing if not attachments.is_sound(folder, d, key))

    db = open_db(db_file, key=key, backup_dir=backup_dir(folder))
    try:
        previous = get_meta(db, "site_id") or ""
        new_site = _new_epoch(db, state, backup, clock) if is_set_up(db) else previous
    finally:
        db.close()
    return RestoreResult(backup, facts, kept, new_site, previous, written, missing)


def _new_epoch(db: Database, state: EpochState | None, backup: BackupFile, clock: Clock) -> str:
    old = load_context(db, clock)
    new_site = new_id(clock)
    ctx = Context(db, old.clerk, new_site, clock)
    with transaction(db):
        now = clock.stamp()
        history = _history(db)
        known = {h.get("site_id") for h in history}
        for entry in (state.history if state else []):
            if entry.get("site_id") not in known:
                history.append(entry)
                known.add(entry.get("site_id"))
        for site in (state.site_id if state else "", old.site_id):
            if site and site not in known:
                history.append({"site_id": site, "until": now, "reason": "restore"})
                known.add(site)
        set_meta(db, SITE_HISTORY_KEY, json.dumps(history, ensure_ascii=False))
        set_meta(db, "site_id", new_site)
        reserve_seq(db, state.last_seq if state else last_seq(db) + SEQ_GAP)
        stamps = [s for s in (get_meta(db, HLC_KEY), state.hlc if state else None) if s]
        if stamps:
            set_meta(db, HLC_KEY, max(stamps, key=parse_stamp))
        cards.pause_issuing(ctx, used_prefixes=state.used_prefixes if state else [],
                            counters=state.counters if state else {}, backup=backup.name)
        ctx.audit("restore", "database", new_site, backup=backup.name, backup_taken=backup.taken_text,
                  previous_site=state.site_id if state else "", backup_site=old.site_id)
    return new_site
