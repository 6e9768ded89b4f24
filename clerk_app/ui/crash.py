"""A bug is not a user error: log it and say so plainly.

Uncaught exceptions (main thread, or a background task that failed with something other than
a :class:`UserError`) are written to ``<data folder>/logs/clerk-app.log`` and shown in a crash
dialog.  The log holds the exception *type* and the stack (files, lines, functions) but never
local variables, and the exception's message only for the kinds whose messages cannot hold a
stored value (:func:`safe_detail`): others could contain a member's name or ID number.
"""

from __future__ import annotations

import errno as _errno
import sqlite3
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from .. import __version__
from ..clock import SYSTEM

LOG_DIR = "logs"
LOG_FILE = "clerk-app.log"

_state: dict = {"log": None, "showing": False}


WITHHELD = "(message withheld: may hold personal data)"


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
    if isinstance(exc, sqlite3.Error):
        kind = getattr(exc, "sqlite_errorname", None)
        kind = kind if isinstance(kind, str) and kind.startswith("SQLITE_") else None
        if isinstance(exc, sqlite3.IntegrityError) and _integrity_message(str(exc)):
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
    :func:`safe_detail` allows it."""
    lines = ["Traceback (most recent call last):\n"]
    lines += [f'  File "{f.filename}", line {f.lineno}, in {f.name}\n' for f in traceback.extract_tb(tb)]
    detail = safe_detail(exc)
    lines.append(f"{exc_type.__module__}.{exc_type.__qualname__}: {detail if detail is not None else WITHHELD}\n")
    return "".join(lines)


def write_log(text: str) -> Path | None:
    path = _state["log"]
    if path is None:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        stamp = SYSTEM.stamp()  # the machine's time (shifted only where CLERK_APP_TODAY says)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"--- {stamp} clerk-app {__version__} python {sys.version.split()[0]}\n{text}\n")
    except OSError:
        return None
    return path


def report_bug(exc: BaseException, parent: QWidget | None = None) -> None:
    """Log ``exc`` and show the crash dialog (once at a time; never raises)."""
    text = redacted_traceback(type(exc), exc.__traceback__, exc)
    logged = write_log(text)
    sys.stderr.write(text)
    if _state["showing"] or QApplication.instance() is None:
        return
    _state["showing"] = True
    try:
        where = f"错误详情已记录在：\n{logged}" if logged else "错误详情未能写入日志文件。"
        box = QMessageBox(QMessageBox.Icon.Critical, "程序内部错误",
                          "程序遇到了一个内部错误（这不是您的操作问题）。\n"
                          "已保存的数据不受影响；刚才的操作可能没有完成，请核对。\n"
                          "如果反复出现，请把日志文件交给技术支持人员。\n\n" + where,
                          QMessageBox.StandardButton.Ok, parent)
        box.setDetailedText(text)
        box.exec()
    finally:
        _state["showing"] = False


def _hook(exc_type, exc, tb) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    if exc is None:
        exc = exc_type()
    if exc.__traceback__ is None:
        exc = exc.with_traceback(tb)
    report_bug(exc, QApplication.activeWindow())


def install(data_folder: Path) -> None:
    """Log into ``data_folder`` and route uncaught exceptions to the crash dialog."""
    _state["log"] = Path(data_folder) / LOG_DIR / LOG_FILE
    sys.excepthook = _hook
