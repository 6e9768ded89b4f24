"""Making a written file and its rename survive a power cut."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX). Windows has no directory handles to sync,
    and some file systems (FAT on a USB stick) refuse: the file's own data is synced anyway."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
