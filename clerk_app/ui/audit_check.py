"""The audit trail's check in the window: at start-up (a warning only when it fails) and from
the menu 设置 → 校验审计记录 (the result either way, with the anchor to compare)."""

from __future__ import annotations

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


def check_at_start(window: QMainWindow, db) -> ChainCheck:
    """Verify; when the chain is broken, a lasting red note in the status bar and a warning."""
    check = audit_trail.verify(db)
    if not check.ok:
        note = QLabel(f"⚠ {message('audit.broken_title')}")
        note.setObjectName("audit_warning")
        note.setStyleSheet("color: #b00020; font-weight: bold;")
        note.setToolTip(check.message)
        window.statusBar().addPermanentWidget(note)
        window.audit_box = show_result(window, check, audit_trail.anchor(db))
    return check
