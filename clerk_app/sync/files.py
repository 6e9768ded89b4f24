"""Writing a file so that it is either absent or complete: temp file, fsync, rename, fsync dir.

A package or enrolment file copied to a USB stick while it is being written, or a laptop that
loses power mid-export, must never leave a half file under the real name.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..storage.durable import fsync_dir


def write_atomically(path: Path | str, data: bytes, *, mode: int = 0o644) -> Path:
    """Write ``data`` to ``path``: a temporary file in the same folder, flushed and fsynced,
    then renamed over ``path``. On any error the temporary file is removed and ``path`` is
    untouched."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(path.parent)
    return path


def read_capped(path: Path | str, limit: int) -> bytes | None:
    """The file's bytes, or None when it is larger than ``limit``: the size is taken with
    ``stat`` before anything is read, and the read itself stops after ``limit + 1`` bytes in
    case the file grows in between."""
    path = Path(path)
    if path.stat().st_size > limit:
        return None
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    return None if len(data) > limit else data
