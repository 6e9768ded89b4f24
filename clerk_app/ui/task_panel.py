"""Background work shown inside a page (a wizard step) instead of a separate progress dialog.

A :class:`TaskPanel` is a label, a progress bar and a 取消 button that appear while a
:class:`~clerk_app.ui.tasks.Task` runs (on the application's runner) and disappear when it
ends. Results come back on the main thread through the callbacks given to :meth:`TaskPanel.run`.
A task that the page no longer wants (the clerk went back a step) is *abandoned*: cancelled,
and its callbacks are dropped from the runner, so a late result cannot overwrite newer state."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from .tasks import DbJob, Task, TaskFn, runner


class TaskPanel(QWidget):
    finished = Signal()  # a task ended (succeeded, failed or cancelled; abandoned ones too)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.task: Task | None = None
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton("取消")
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addLayout(row)
        self.hide()

    def is_busy(self) -> bool:
        """True from :meth:`run` until the task's result has been handed over."""
        return self.task is not None

    def run(self, label: str, fn: TaskFn | DbJob, *, on_success: Callable[[Any], None],
            on_error: Callable[[BaseException], None], cancellable: bool = True) -> Task:
        self.abandon()
        self.label.setText(label)
        self.bar.setRange(0, 0)  # busy until the first progress report
        self.cancel_button.setEnabled(cancellable)
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setText("取消")
        self.show()

        def succeeded(value: Any) -> None:
            self._ended()
            try:
                on_success(value)
            finally:
                self.finished.emit()

        def failed(exc: BaseException) -> None:
            self._ended()
            try:
                on_error(exc)
            finally:
                self.finished.emit()

        self.task = runner().submit(fn, on_success=succeeded, on_error=failed, on_progress=self._progress,
                                    owner=self)
        return self.task

    def cancel(self) -> None:
        if self.is_busy():
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText("正在取消……")

    def abandon(self) -> None:
        """Cancel the running task and drop its result."""
        if self.task is not None:
            runner().abandon(self.task)
            self.task = None
            self.finished.emit()
        self.hide()

    def _ended(self) -> None:
        self.task = None
        self.hide()

    def _progress(self, done: int, total: int) -> None:
        if total > 0:
            if self.bar.maximum() != total:
                self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
            self.bar.setFormat(f"{min(done, total)} / {total}")
