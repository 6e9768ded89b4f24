"""The line under a form field that says what is wrong (red), doubtful (amber) or derived (green)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QWidget

ERROR, WARNING, OK, HINT = "error", "warning", "ok", "hint"
_COLOURS = {ERROR: "#c62828", WARNING: "#a15c00", OK: "#2e7d32", HINT: "#616161"}


class FieldError(QLabel):
    """Hidden while empty, so a form without problems stays compact."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.level = ""
        self.hide()

    def show_message(self, text: str, level: str) -> None:
        self.level = level if text else ""
        self.setText(text)
        self.setStyleSheet(f"color: {_COLOURS.get(level, _COLOURS[HINT])};")
        self.setVisible(bool(text))

    def show_error(self, text: str) -> None:
        self.show_message(text, ERROR)

    def clear_error(self) -> None:
        self.show_message("", "")

    @property
    def has_error(self) -> bool:
        return self.level == ERROR


def ask_choice(parent: QWidget | None, title: str, text: str, choices: list[str], *,
               icon: QMessageBox.Icon = QMessageBox.Icon.Question, escape: int | None = None,
               default: int = 0) -> int:
    """A message box with our own Chinese buttons; returns the index of the one clicked
    (``escape``, default the last, when the clerk presses Esc or closes the box). Enter
    presses ``default`` (the first button unless told)."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    buttons = [box.addButton(label, QMessageBox.ButtonRole.ActionRole) for label in choices]
    box.setDefaultButton(buttons[default])
    box.setEscapeButton(buttons[-1 if escape is None else escape])
    run_modal(box)
    clicked = box.clickedButton()
    return buttons.index(clicked) if clicked in buttons else (len(choices) - 1 if escape is None else escape)


def run_modal(dialog: QDialog) -> int:
    """``exec()`` a dialog, then let Qt delete it. A dialog made with a parent otherwise lives as
    long as that parent, hidden: one more for every member registered or card issued that day."""
    try:
        return dialog.exec()
    finally:
        dialog.deleteLater()  # after the caller has read its results (deferred to the event loop)
