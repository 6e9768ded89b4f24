"""A bug is not a user error: log it and say so plainly.

Uncaught exceptions (main thread, or a background task that failed with something other than
a :class:`UserError`) are written to ``<data folder>/logs/clerk-app.log`` and shown in a crash
dialog.  The log holds the exception *type* and the stack (files, lines, functions) but never
the exception's message or local variables, which could contain a member's name or ID number.
"""

from __future__ import annotations

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


def redacted_traceback(exc_type: type[BaseException], tb: TracebackType | None) -> str:
    """The stack without the message or source text: ``File ..., line N, in func`` + type name
    (with the version in the log header, file and line locate the code)."""
    lines = ["Traceback (most recent call last):\n"]
    lines += [f'  File "{f.filename}", line {f.lineno}, in {f.name}\n' for f in traceback.extract_tb(tb)]
    lines.append(f"{exc_type.__module__}.{exc_type.__qualname__} (message withheld: may hold personal data)\n")
    return "".join(lines)


def log_path() -> Path | None:
    return _state["log"]


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
    text = redacted_traceback(type(exc), exc.__traceback__)
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
