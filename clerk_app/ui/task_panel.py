"""Background work shown inside a page (a wizard step) instead of a separate progress dialog.

A :class:`TaskPanel` is a label, a progress bar and a 取消 button that appear while a
:class:`~clerk_app.ui.tasks.Task` runs and disappear when it ends. Results come back on the
main thread through the callbacks given to :meth:`TaskPanel.run`. A task that the page no
longer wants (the clerk went back a step) is *abandoned*: cancelled, and its callbacks are
never called, so a late result cannot overwrite newer state."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from .tasks import Task, TaskFn


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

    def run(self, label: str, fn: TaskFn, *, on_success: Callable[[Any], None],
            on_error: Callable[[BaseException], None], cancellable: bool = True) -> Task:
        self.abandon()
        task = Task(fn)
        self.task = task
        self.label.setText(label)
        self.bar.setRange(0, 0)  # busy until the first progress report
        self.cancel_button.setEnabled(cancellable)
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setText("取消")
        task.progressed.connect(self._progress)
        task.done.connect(lambda: self._finish(task, on_success, on_error))
        self.show()
        task.start()
        return task

    def cancel(self) -> None:
        if self.is_busy():
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText("正在取消……")

    def abandon(self) -> None:
        """Cancel the running task and drop its result."""
        if self.task is not None:
            self.task.cancel()
            self.task = None
        self.hide()

    def _progress(self, done: int, total: int) -> None:
        if total > 0:
            if self.bar.maximum() != total:
                self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
            self.bar.setFormat(f"{min(done, total)} / {total}")

    def _finish(self, task: Task, on_success, on_error) -> None:
        try:
            if task is not self.task:
                return  # abandoned
            self.task = None
            self.hide()
            if task.error is None:
                on_success(task.result)
            else:
                on_error(task.error)
        finally:
            self.finished.emit()
