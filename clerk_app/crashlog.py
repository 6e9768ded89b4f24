"""Crash logs that never hold a member's data (matrix row 38), for the window and the CLI alike.

A bug is logged as the exception *type* and the stack (files, lines, functions) — never
local variables or source text, and the exception's message only for the kinds whose
messages cannot hold a stored value (:func:`safe_detail`). As a last line of defence every
text written to a log goes through :func:`redact`, which blanks anything shaped like an ID
number or a mobile phone number. Names cannot be recognised by shape; they are kept out by
withholding messages, not by the filter.
"""

from __future__ import annotations

import errno as _errno
import re
import sqlite3
import sys
import traceback
from pathlib import Path
from types import TracebackType

from sqlcipher3 import dbapi2 as _sqlcipher

from . import __version__
from .clock import SYSTEM

LOG_DIR = "logs"
LOG_FILE = "clerk-app.log"
WITHHELD = "(message withheld: may hold personal data)"

# 18-digit resident ID (last may be X), the old 15-digit ones, and mainland mobiles
# (optionally +86 / 86 in front, optionally split by spaces or dashes as people write them).
_ID = re.compile(r"(?<![0-9A-Za-z])\d{6}(?:\d{8}|\d{6})\d{3}[0-9Xx]?(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")


def redact(text: str) -> str:
    """``text`` with ID-number-shaped and phone-shaped digit runs replaced by a marker."""
    text = _ID.sub("[证件号已隐去]", text)
    return _PHONE.sub("[手机号已隐去]", text)


def safe_detail(exc: BaseException | None) -> str | None:
    """What may be logged of ``exc``'s message, or None to withhold it.

    - ImportError / ModuleNotFoundError: names a module or a shared library (a broken install).
    - OSError: the error number and the system's text for it (``ENOENT: No such file or
      directory``), never the file names (a path can hold a member's name: 王小明.xlsx).
    - sqlite3 errors: SQLite's error kind (``SQLITE_BUSY``); for an IntegrityError also the
      message, which names only schema items (``UNIQUE constraint failed: members.id_number``).
      Other sqlite3 messages can quote SQL text or a search the clerk typed: withheld.
    - RecursionError, MemoryError: fixed texts."""
    if exc is None:
        return None
    if isinstance(exc, ImportError):
        return str(exc)
    if isinstance(exc, OSError):
        if not isinstance(exc.errno, int):
            return None
        name = _errno.errorcode.get(exc.errno, str(exc.errno))
        text = exc.strerror if isinstance(exc.strerror, str) else ""
        return f"[{name}] {text}".rstrip()
    if isinstance(exc, (sqlite3.Error, _sqlcipher.Error)):  # stdlib or the app's SQLCipher
        kind = getattr(exc, "sqlite_errorname", None)
        kind = kind if isinstance(kind, str) and kind.startswith("SQLITE_") else None
        if isinstance(exc, (sqlite3.IntegrityError, _sqlcipher.IntegrityError)) and _integrity_message(str(exc)):
            return f"[{kind}] {exc}" if kind else str(exc)
        return f"[{kind}] {WITHHELD}" if kind else None
    if isinstance(exc, (RecursionError, MemoryError)):
        return str(exc)
    return None


def _integrity_message(text: str) -> bool:
    """SQLite's own constraint texts (schema names only), not a trigger's RAISE() message."""
    return text.startswith(("UNIQUE constraint failed: ", "NOT NULL constraint failed: ",
                            "CHECK constraint failed: ", "FOREIGN KEY constraint failed"))


def redacted_traceback(exc_type: type[BaseException], tb: TracebackType | None,
                       exc: BaseException | None = None) -> str:
    """The stack without source text: ``File ..., line N, in func`` + type name (with the
    version in the log header, file and line locate the code) + the message only if
    :func:`safe_detail` allows it. Chained causes come first, as Python prints them."""
    chain = [(exc_type, tb, exc)]
    seen = {id(exc)}
    while exc is not None:
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
        if exc is None or id(exc) in seen:
            break
        seen.add(id(exc))
        chain.append((type(exc), exc.__traceback__, exc))
    parts = []
    for kind, frames, err in reversed(chain):
        lines = ["Traceback (most recent call last):\n"]
        lines += [f'  File "{f.filename}", line {f.lineno}, in {f.name}\n' for f in traceback.extract_tb(frames)]
        detail = safe_detail(err)
        lines.append(f"{kind.__module__}.{kind.__qualname__}: {detail if detail is not None else WITHHELD}\n")
        parts.append("".join(lines))
    return redact("\nThe above exception led to the following one:\n\n".join(parts))


def log_path(folder: Path) -> Path:
    return Path(folder) / LOG_DIR / LOG_FILE


def append_log(path: Path, text: str) -> Path | None:
    """Append one entry (redacted) to the log at ``path``; the path, or None if it could not
    be written (the caller then says so instead of naming a file that does not exist)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        stamp = SYSTEM.stamp()  # the machine's time (shifted only where CLERK_APP_TODAY says)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"--- {stamp} clerk-app {__version__} python {sys.version.split()[0]}\n{redact(text)}\n")
    except OSError:
        return None
    return path
