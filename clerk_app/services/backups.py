"""The clerk's backups: when they are taken, where they go, which are kept.

* **Automatic**: once a day while the app is open (:func:`backup_if_due`, which the window's
  timer calls at start and every half hour), and before and after every roster import
  (:func:`auto_backup`; sync import/export will call it too).
* **Where**: ``<data folder>/backups/`` and, when the clerk picked one, a second folder (a USB
  stick). A second folder that is not there (the stick is not plugged in) is a warning, never
  an error: the backup in the data folder is made anyway.
* **How**: every copy goes through :mod:`storage.backup` (``.part`` → fsync → integrity_check
  → rename); leftover ``.part`` files of a killed backup are removed first.
* **Which are kept**: :func:`retained` (7 daily, 4 weekly, 12 monthly, plus all of today's),
  applied to each folder after each backup. Only files named like ours are ever deleted.

Backups are named ``clerk-YYYYMMDD-HHMMSS-KIND.db`` (the clerk's local time), so a listing
needs no database: the date and kind are in the name; the counts are read from the file.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..domain.errors import UserError
from ..domain.messages import message
from ..storage import backup as files
from ..storage.cipher import key_of
from ..storage.db import database_file, is_read_only
from . import access
from .context import Context

BACKUP_DIR = "backups"
SETTINGS_FILE = "backup-settings.json"
KINDS = {"daily": "每日自动", "manual": "手动", "before-import": "导入前", "after-import": "导入后",
         "before-sync": "同步前", "after-sync": "同步后", "before-restore": "恢复前的数据"}
_NAME = re.compile(r"^clerk-(\d{8})-(\d{6})(?:-\d+)?-([a-z-]+)\.db$")
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 7, 4, 12
DAILY_CHECK_MS = 30 * 60 * 1000  # how often the window asks whether today's backup is due


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken: _dt.datetime  # local time, from the name
    kind: str
    size: int
    second: bool = False  # in the second folder (the USB stick)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def taken_text(self) -> str:
        return self.taken.strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class BackupRun:
    path: Path | None = None
    second: Path | None = None
    warnings: list[str] = field(default_factory=list)
    removed: int = 0  # old backups removed by the retention rule


# ---------------------------------------------------------------- names and retention (pure)

def backup_name(taken: _dt.datetime, kind: str, n: int = 1) -> str:
    suffix = "" if n <= 1 else f"-{n}"
    return f"clerk-{taken:%Y%m%d-%H%M%S}{suffix}-{kind}.db"


def parse_name(name: str) -> tuple[_dt.datetime, str] | None:
    m = _NAME.match(name)
    if not m:
        return None
    try:
        return _dt.datetime.strptime(m[1] + m[2], "%Y%m%d%H%M%S"), m[3]
    except ValueError:
        return None


def retained(taken: Iterable[_dt.datetime], today: _dt.date, *, daily: int = KEEP_DAILY,
             weekly: int = KEEP_WEEKLY, monthly: int = KEEP_MONTHLY) -> set[_dt.datetime]:
    """The backup times to keep: every backup of ``today`` (the one before this morning's
    import is still wanted this afternoon), the newest backup of each of the ``daily`` most
    recent days that have one, of each of the ``weekly`` most recent ISO weeks, and of each of
    the ``monthly`` most recent months. Backups dated after ``today`` (a clock that was
    ahead) are kept, never judged. The newest backup is always kept."""
    times = sorted(set(taken), reverse=True)
    keep = {t for t in times if t.date() >= today}
    if times:
        keep.add(times[0])
    for bucket, count in ((lambda t: t.date(), daily), (lambda t: t.isocalendar()[:2], weekly),
                          (lambda t: (t.year, t.month), monthly)):
        seen: list = []
        for t in times:
            key = bucket(t)
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.append(key)
            keep.add(t)  # newest first: the first of each bucket is its newest
    return keep


# ---------------------------------------------------------------- folders and settings

def data_folder(ctx: Context) -> Path:
    return database_file(ctx.db).parent


def backup_dir(folder: Path) -> Path:
    return Path(folder) / BACKUP_DIR


def _settings(folder: Path) -> dict:
    try:
        return json.loads((Path(folder) / SETTINGS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def second_folder(folder: Path) -> Path | None:
    value = _settings(folder).get("second_folder")
    return Path(value) if value else None


def set_second_folder(ctx: Context, path: str | Path | None) -> None:
    """The laptop's second backup folder (e.g. on a USB stick); None or "" removes it. A 管理员
    only (``access.ACTIONS["backup"]``): it says where copies of every member's data go."""
    access.require(ctx, "backup")
    folder = data_folder(ctx)
    settings = _settings(folder)
    settings["second_folder"] = str(path) if path else ""
    target = Path(folder) / SETTINGS_FILE
    tmp = target.with_name(target.name + files.PART)
    tmp.write_text(json.dumps(settings, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(target)


def list_backups(folder: Path, *, include_second: bool = True) -> list[BackupFile]:
    """The backups in the data folder (and the second folder when it is there), newest first."""
    found = []
    places = [(backup_dir(folder), False)]
    second = second_folder(folder) if include_second else None
    if second is not None and second.is_dir():
        places.append((second, True))
    for place, is_second in places:
        if not place.is_dir():
            continue
        for path in place.iterdir():
            parsed = parse_name(path.name)
            if parsed and path.is_file():
                found.append(BackupFile(path, parsed[0], parsed[1], path.stat().st_size, is_second))
    return sorted(found, key=lambda b: (b.taken, not b.second), reverse=True)


def find_backup(folder: Path, name: str) -> BackupFile:
    """A backup by its file name (as ``backup list`` shows it) or a path to a backup file."""
    for b in list_backups(folder):
        if b.name == name or str(b.path) == name:
            return b
    path = Path(name)
    if path.is_file():
        parsed = parse_name(path.name)
        taken, kind = parsed if parsed else (_dt.datetime.fromtimestamp(path.stat().st_mtime), "manual")
        return BackupFile(path, taken, kind, path.stat().st_size)
    raise UserError("backup.not_found", name=name)


# ---------------------------------------------------------------- taking a backup

def prune(place: Path, today: _dt.date) -> int:
    """Apply :func:`retained` to one folder; returns how many backups were removed."""
    mine = [(p, parse_name(p.name)) for p in Path(place).iterdir()] if Path(place).is_dir() else []
    mine = [(p, parsed[0]) for p, parsed in mine if parsed]
    keep = retained([t for _p, t in mine], today)
    removed = 0
    for path, taken in mine:
        if taken not in keep:
            try:
                path.unlink()
                removed += 1
            except OSError:
                continue
    return removed


def _free_name(places: list[Path], taken: _dt.datetime, kind: str) -> str:
    n = 1
    while any((p / backup_name(taken, kind, n)).exists() for p in places):
        n += 1
    return backup_name(taken, kind, n)


def create_backup(ctx: Context, kind: str = "manual") -> BackupRun:
    """Back the database up now into ``backups/`` and the second folder (if set and there),
    then apply the retention rule in each. A problem with the second folder is a warning."""
    if kind not in KINDS:
        raise ValueError(kind)
    if is_read_only(ctx.db):
        raise UserError("backup.read_only")
    folder = data_folder(ctx)
    taken = ctx.clock.now().replace(tzinfo=None, microsecond=0)
    place = backup_dir(folder)
    second = second_folder(folder)
    files.remove_parts(place)
    run = BackupRun()
    name = _free_name([place] + ([second] if second else []), taken, kind)
    run.path = files.backup_to(ctx.db, place / name)
    run.removed += prune(place, taken.date())
    if second is not None:
        if not second.is_dir():
            run.warnings.append(message("backup.second_missing", path=str(second)))
        else:
            try:
                files.remove_parts(second)
                run.second = files.copy_backup(run.path, second / name, key_of(ctx.db.conn))
                run.removed += prune(second, taken.date())
            except (OSError, UserError) as exc:
                detail = exc.message if isinstance(exc, UserError) else (exc.strerror or type(exc).__name__)
                run.warnings.append(message("backup.second_failed", path=str(second), detail=detail))
    return run


def auto_backup(ctx: Context, kind: str) -> BackupRun:
    """A backup around an import or a sync (``before-import`` … ``after-sync``)."""
    return create_backup(ctx, kind)


def around_import(ctx: Context, kind: str, *, required: bool = True) -> list[str]:
    """The backup before (``required``: a failure stops the import) or after an import or a
    sync; returns the warnings to show. Skipped inside the caller's open transaction (a copy
    cannot be taken mid-transaction) and on a read-only database (the import will refuse)."""
    if ctx.db.conn.in_transaction or is_read_only(ctx.db):
        return []
    try:
        return auto_backup(ctx, kind).warnings
    except (OSError, UserError) as exc:
        if required:
            raise
        return [message("backup.after_failed", detail=exc.message if isinstance(exc, UserError)
                        else (exc.strerror or type(exc).__name__))]


def backup_due(folder: Path, today: _dt.date) -> bool:
    """Whether today's automatic backup is still to be made (no backup dated today yet)."""
    return not any(b.taken.date() == today for b in list_backups(folder, include_second=False))


def backup_if_due(ctx: Context) -> BackupRun | None:
    """The daily backup, if none was made today; None when none was due (or the database is
    read-only: a damaged database never replaces good backups)."""
    if is_read_only(ctx.db) or not backup_due(data_folder(ctx), ctx.today()):
        return None
    return create_backup(ctx, "daily")


@dataclass(frozen=True)
class BackupListing:
    """One backup as the restore dialog lists it: its file and what it holds."""

    file: BackupFile
    facts: files.BackupFacts | None
    problem: str = ""  # why its contents could not be read

    @property
    def id(self) -> str:
        return str(self.file.path)


def listings(folder: Path, key: bytes | None) -> list[BackupListing]:
    """Every backup, newest first, with its counts read from the file (members, cards, events)
    opened with the laptop's data key ``key``."""
    out = []
    for b in list_backups(folder):
        try:
            out.append(BackupListing(b, files.read_facts(b.path, key)))
        except UserError as exc:
            out.append(BackupListing(b, None, exc.message))
    return out
