"""The audit trail's check in the window: after start-up, on the worker (a warning only when it fails), and from
the menu 设置 → 校验审计记录 (the result either way, with the anchor to compare)."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QWidget

from ..domain.messages import message
from ..services import audit_trail
from ..services.audit_trail import ChainCheck


def show_result(parent: QWidget, check: ChainCheck, anchor: audit_trail.ChainAnchor) -> QMessageBox:
    """A window-modal box (opened, not exec'd: start-up goes on behind it)."""
    if check.ok:
        box = QMessageBox(QMessageBox.Icon.Information, "审计记录", check.message, QMessageBox.StandardButton.Ok, parent)
    else:
        box = QMessageBox(QMessageBox.Icon.Warning, message("audit.broken_title"),
                          f"{check.message}\n\n{message('audit.broken_advice')}", QMessageBox.StandardButton.Ok, parent)
    box.setInformativeText(audit_trail.anchor_text(anchor))
    box.setObjectName("audit_result")
    box.open()
    return box


def warn_if_broken(window: QMainWindow, db, check: ChainCheck) -> None:
    """The status-bar note and the warning box for a chain that does not hold."""
    if not check.ok:
        note = QLabel(f"⚠ {message('audit.broken_title')}")
        note.setObjectName("audit_warning")
        note.setStyleSheet("color: #b00020; font-weight: bold;")
        note.setToolTip(check.message)
        window.statusBar().addPermanentWidget(note)
        window.audit_box = show_result(window, check, audit_trail.anchor(db))


def check_in_background(window: QMainWindow, ctx, runner, done: Callable[[ChainCheck], None]) -> None:
    """The same check on the worker's own connection once the window is up: walking every
    entry's hash is O(entries) (7 s of a 200,000-member start-up), and its result is only ever
    a warning, so the clerk need not wait for it. ``done`` gets the result on the main thread."""
    from .tasks import context_job

    def job(worker_ctx, _progress, _cancel) -> ChainCheck:
        return audit_trail.verify(worker_ctx.db)

    def finished(check: ChainCheck) -> None:
        warn_if_broken(window, ctx.db, check)
        done(check)

    runner.submit(context_job(ctx, job), on_success=finished, owner=window)
