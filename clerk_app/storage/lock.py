"""One running app per data folder: an OS file lock held for the life of the process.

The lock is released by the operating system when the process dies, so a crash never
leaves a stale lock behind (unlike a pid file)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..domain.errors import UserError

LOCK_NAME = "clerk.lock"


class InstanceLock:
    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / LOCK_NAME
        self._fh = None

    def acquire(self) -> "InstanceLock":
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(self.path, "a+b")
        except OSError as exc:  # a read-only folder: no lock file, so no database either
            raise UserError("app.data_dir_unusable", path=str(self.path.parent)) from exc
        try:
            if sys.platform == "win32":
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            fh.close()
            raise UserError("db.locked_by_other", path=str(self.path.parent)) from exc
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()).encode())
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> "InstanceLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
