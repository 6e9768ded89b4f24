"""Background work with progress and cancel, results delivered on the main thread.

A :class:`Task` runs one callable ``fn(progress, cancel)`` on a worker thread.  ``progress``
is ``progress(done, total)``; ``cancel()`` returns True once the clerk pressed 取消.  The
task's signals live in the main thread, so every slot connected to them runs there: the
worker never touches a widget.

Database rule: an SQLite connection is never shared across threads mid-transaction.  Work
that writes goes through :func:`db_job`, which opens the worker's *own* connection and
context and closes it afterwards; while it runs, :func:`run_with_progress` keeps a modal
progress dialog up so the window's own connection does not write at the same time.
Quick reads and single saves stay on the main thread.

Garbage rule: Python's cycle collector runs on whichever thread happens to allocate. Run on a
worker, it can free Qt objects that belong to the main thread, and PySide then crashes the
process (seen in CI: a segfault while a card sheet was being laid out). So while any task
runs the collector is paused, and it is resumed, and run once, on the main thread when
the last task has ended.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from ..clock import SYSTEM, Clock
from . import gc_policy

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]
TaskFn = Callable[[Progress, CancelCheck], Any]


class Task(QObject):
    """One piece of background work. Create it in the main thread, connect, then ``start()``."""

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    done = Signal()  # always, after succeeded or failed

    def __init__(self, fn: TaskFn, parent: QObject | None = None):
        super().__init__(parent)
        self._fn = fn
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self.result: Any = None
        self.error: BaseException | None = None

    def start(self) -> "Task":
        # Collection happens on the main thread only (gc_policy); a finished task's result and
        # its cycles are collected there, queued like every slot of a task.
        self.done.connect(gc_policy.collect)
        self._thread = threading.Thread(target=self._run, name="clerk-task", daemon=True)
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker ends (for shutdown and tests); True if it has ended."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        # Runs on the worker thread: only emits signals, which Qt queues to the main thread.
        try:
            result = self._fn(self.progressed.emit, self._cancel.is_set)
        except BaseException as exc:  # noqa: BLE001 - delivered to the main thread, not swallowed
            self.error = exc
            self.failed.emit(exc)
        else:
            self.result = result
            self.succeeded.emit(result)
        self.done.emit()


def db_job(db_path: Path, job: Callable[..., Any], clock: Clock = SYSTEM) -> TaskFn:
    """Wrap ``job(ctx, progress, cancel)`` so it runs on its own connection and context
    (with the caller's clock: the worker works on the same day as the window)."""

    def run(progress: Progress, cancel: CancelCheck) -> Any:
        from ..services.setup import load_context
        from ..storage.db import open_db

        db = open_db(db_path, migrate=False)
        try:
            return job(load_context(db, clock), progress, cancel)
        finally:
            db.close()

    return run


def context_job(ctx, job: Callable[..., Any]) -> TaskFn:
    """``db_job`` on the file and clock of ``ctx`` (what most callers have at hand)."""
    from ..storage.db import database_file

    return db_job(database_file(ctx.db), job, ctx.clock)


def run_with_progress(parent: QWidget | None, label: str, fn: TaskFn, *,
                      on_success: Callable[[Any], None] | None = None,
                      on_error: Callable[[BaseException], None] | None = None) -> Task:
    """Start ``fn`` in the background behind a modal, cancellable progress dialog.

    The window keeps painting and responding (the dialog's 取消 works) while the worker runs.
    Returns the started task; ``on_success``/``on_error`` are called on the main thread."""
    dialog = QProgressDialog(label, "取消", 0, 0, parent)
    dialog.setWindowTitle("请稍候")
    dialog.setWindowModality(Qt.WindowModality.WindowModal if parent else Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumWidth(420)
    task = Task(fn)  # kept alive by the worker and by the connections below

    def show_progress(done: int, total: int) -> None:
        if total > 0 and dialog.maximum() != total:
            dialog.setMaximum(total)
        dialog.setValue(min(done, total) if total > 0 else 0)

    def cancel() -> None:
        task.cancel()
        dialog.setLabelText("正在取消，请稍候……")
        dialog.setCancelButton(None)

    def finish() -> None:
        dialog.hide()
        try:
            if task.error is None:
                if on_success is not None:
                    on_success(task.result)
            elif on_error is not None:
                on_error(task.error)
            else:
                raise task.error
        finally:
            dialog.deleteLater()

    task.progressed.connect(show_progress)
    dialog.canceled.connect(cancel)
    task.done.connect(finish)
    dialog.show()
    task.start()
    return task
