"""A bug is not a user error: log it and say so plainly.

Uncaught exceptions (main thread, or a background task that failed with something other than
a :class:`UserError`) are written to ``<data folder>/logs/clerk-app.log`` and shown in a crash
dialog.  The log holds the exception *type* and the stack (files, lines, functions) but never
local variables, and the exception's message only for the kinds whose messages cannot hold a
stored value (:func:`safe_detail`): others could contain a member's name or ID number.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ..crashlog import LOG_DIR, LOG_FILE, WITHHELD, append_log, log_path, redacted_traceback, safe_detail
from ..domain.errors import is_disk_full
from ..domain.messages import message
from ..storage import cipher

__all__ = ["LOG_DIR", "LOG_FILE", "WITHHELD", "install", "redacted_traceback", "report_bug", "safe_detail",
           "write_log"]

_state: dict = {"log": None, "showing": False}


def write_log(text: str) -> Path | None:
    path = _state["log"]
    return None if path is None else append_log(path, text)


def environment_message(exc: BaseException) -> str | None:
    """The clerk's sentence for what the machine did, not our code: the disk is full, or the
    database turned out damaged (then nothing may be promised about the saved data)."""
    if is_disk_full(exc):
        return message("disk.full", where="")
    if isinstance(exc, (sqlite3.DatabaseError, cipher.DatabaseError)) and getattr(exc, "sqlite_errorname", "") in (
            "SQLITE_CORRUPT", "SQLITE_NOTADB"):
        return ("数据库文件读出错误，可能已损坏。刚才的操作没有完成。请立即用“文件 → 检查数据库”检查；"
                "如检查未通过，请用“文件 → 从备份恢复…”恢复，并请技术支持人员查看。")
    return None


def report_bug(exc: BaseException, parent: QWidget | None = None) -> None:
    """Log ``exc`` and show the crash dialog (once at a time; never raises). A full disk or a
    damaged database is said as such (logged too), not as an internal error."""
    text = redacted_traceback(type(exc), exc.__traceback__, exc)
    logged = write_log(text)
    sys.stderr.write(text)
    if _state["showing"] or QApplication.instance() is None:
        return
    plain = environment_message(exc)
    if plain is not None:
        _state["showing"] = True
        try:
            QMessageBox(QMessageBox.Icon.Warning, "未能完成", plain, QMessageBox.StandardButton.Ok, parent).exec()
        finally:
            _state["showing"] = False
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
    _state["log"] = log_path(data_folder)
    sys.excepthook = _hook
