"""Opening a data folder for use: lock it, open and migrate its database, load the context.

Shared by the window and every CLI command so they all behave the same."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from . import paths
from .clock import SYSTEM, Clock
from .domain.errors import UserError
from .services.context import Context
from .services.setup import SetupInput, is_set_up, load_context, set_up
from .storage.db import checkpoint, open_db
from .storage.lock import InstanceLock


@dataclass
class Workspace:
    folder: Path
    db: Database
    lock: InstanceLock | None
    clock: Clock = SYSTEM

    @property
    def ready(self) -> bool:
        return is_set_up(self.db)

    def context(self) -> Context:
        return load_context(self.db, self.clock)

    def set_up(self, inp: SetupInput) -> Context:
        return set_up(self.db, inp, self.clock)

    def close(self) -> None:
        try:
            checkpoint(self.db)
            self.db.close()
        finally:
            if self.lock:
                self.lock.release()


def open_workspace(data_dir: str | Path | None = None, *, lock: bool = True, clock: Clock = SYSTEM) -> Workspace:
    try:
        folder = paths.data_dir(data_dir)
    except OSError:  # a file in the way, no permission: the clerk picks another folder
        raise UserError("app.data_dir_unusable", path=str(data_dir or "")) from None
    held = InstanceLock(folder).acquire() if lock else None
    try:
        db = open_db(paths.db_path(folder), backup_dir=folder / "backups")
    except BaseException:
        if held:
            held.release()
        raise
    return Workspace(folder, db, held, clock)


DEMO_SETUP = SetupInput(laptop_name="演示笔记本", union_name="大兴区黄村镇总工会（演示）",
                        clerk_name="演示经办人")


def ensure_context(ws: Workspace, default: SetupInput = DEMO_SETUP) -> Context:
    """The laptop's context, setting it up with ``default`` names if this is a fresh folder
    (used by batch commands such as ``demo`` that must work on an empty data folder)."""
    return ws.context() if ws.ready else ws.set_up(default)
