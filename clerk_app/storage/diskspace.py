"""Is the disk (or a file size limit) full? Asked when a write failed with a plain I/O error.

A full disk makes SQLite say SQLITE_FULL ("database or disk is full"), which
:func:`domain.errors.is_disk_full` recognises. A *file size limit* — FAT32's 4 GB on a USB
stick, a quota, a process limit (``RLIMIT_FSIZE``, which the tests use) — makes the write fail
with EFBIG, which SQLite reports only as a disk I/O error. Then the environment is asked:
is there (almost) no free space where the files live, or has one of them reached the
process's file size limit? Only then is the clerk told the disk is full.
"""

from __future__ import annotations

import shutil
from pathlib import Path

FREE_MARGIN = 1 << 20  # less than 1 MB free on the file system: full for our purposes
LIMIT_MARGIN = 1 << 16  # within 64 KB (a few pages) of the file size limit


def _file_size_limit() -> int | None:
    try:
        import resource
    except ImportError:  # Windows: no per-process file size limit
        return None
    soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    return None if soft == resource.RLIM_INFINITY else soft


def out_of_space(*files: Path) -> bool:
    """Whether writing ``files`` (the database and its WAL, a backup being written) failed for
    want of space: little free space on their file system, or one of them at the size limit."""
    paths = [Path(f) for f in files]
    for path in paths:
        folder = path if path.is_dir() else path.parent
        try:
            if shutil.disk_usage(folder).free < FREE_MARGIN:
                return True
        except OSError:
            continue
    limit = _file_size_limit()
    if limit is None:
        return False
    for path in paths:
        try:
            if path.is_file() and path.stat().st_size + LIMIT_MARGIN >= limit:
                return True
        except OSError:
            continue
    return False
