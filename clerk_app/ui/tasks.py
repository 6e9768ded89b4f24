"""Background work: one runner for the application, one worker thread, results on the main thread.

:class:`TaskRunner` is created once with the application (:func:`runner`). Work is queued and
runs *in order* on its single worker thread, so two writers never overlap: the queue
serialises them, not only the modal dialogs. A task is ``fn(progress, cancel)``; ``progress``
is ``progress(done, total)``, ``cancel()`` is True once the clerk pressed 取消. A database job
(:func:`db_job`, :func:`context_job`) is ``job(ctx, progress, cancel)`` and gets a context on
the worker's *own* connection (SQLite connections refuse use from another thread).

Delivery: the worker emits one application-lifetime signal, ``delivered(task_id, outcome)``,
which Qt queues to the main thread. The callbacks of each task wait in a dict on the main
thread and are dropped as soon as they have run, so nothing the task made outlives its
delivery (a task per QObject whose signals held closures leaked every result). A task whose
owner widget was deleted meanwhile is delivered to no one. What a task wrote is announced by
``data_changed`` (see :mod:`clerk_app.services.changes`), as are the writes made on the main
thread through a context the runner :meth:`watches <TaskRunner.watch>`.

Garbage: decided once in :mod:`.gc_policy` (automatic collection off, the main thread
collects on a timer); the runner also collects after each task (once per burst). Nothing here
toggles the collector.
"""

from __future__ import annotations

import itertools
import queue
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from ..clock import SYSTEM, Clock
from ..services.changes import NOTHING, Changes
from . import gc_policy

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]
TaskFn = Callable[[Progress, CancelCheck], Any]


class Task:
    """The caller's handle on one queued piece of work (it never holds the result)."""

    def __init__(self, task_id: int):
        self.id = task_id
        self._cancel = threading.Event()
        self._ended = threading.Event()  # set by the worker once the outcome is sent

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def is_running(self) -> bool:
        """Queued or running (not yet ended on the worker)."""
        return not self._ended.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker has ended this task (shutdown and tests); True if it has."""
        return self._ended.wait(timeout)


@dataclass(frozen=True)
class DbJob:
    """``job(ctx, progress, cancel)`` to run with a context on the worker's own connection to
    ``path``: the given clerk and site (the window's), or the laptop's own when ``clerk`` is None."""

    path: Path
    job: Callable[..., Any]
    clock: Clock = SYSTEM
    clerk: Any = None
    site_id: str | None = None
    key: bytes | None = field(default=None, repr=False)  # the database's data key (SQLCipher)


def db_job(db_path: Path, job: Callable[..., Any], clock: Clock = SYSTEM, *, key: bytes | None) -> DbJob:
    """``job(ctx, progress, cancel)`` on the worker's connection to ``db_path`` (opened with the
    data ``key``), with ``clock`` (the worker works on the same day as the window)."""
    return DbJob(Path(db_path), job, clock, key=key)


def context_job(ctx, job: Callable[..., Any]) -> DbJob:
    """``db_job`` as ``ctx``: its file and key, clerk, site and clock."""
    from ..storage.cipher import key_of
    from ..storage.db import database_file

    return DbJob(database_file(ctx.db), job, ctx.clock, ctx.clerk, ctx.site_id, key_of(ctx.db.conn))


@dataclass
class Outcome:
    """What the worker sends back: a value or an error, and what the work changed."""

    value: Any = None
    error: BaseException | None = None
    changes: Changes = NOTHING


@dataclass
class _Pending:
    on_success: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    on_progress: Callable[[int, int], None] | None
    owner: weakref.ref | None
    cancel: Callable[[], None]

    def owner_gone(self) -> bool:
        if self.owner is None:
            return False
        owner = self.owner()
        return owner is None or not shiboken6.isValid(owner)


_RELEASE = object()  # queue marker: close the worker's connection


class TaskRunner(QObject):
    delivered = Signal(int, object)  # task id, Outcome (worker -> main thread)
    progressed = Signal(int, int, int)  # task id, done, total (worker -> main thread)
    let_go = Signal()  # the worker holds nothing of its tasks any more, none queued (worker -> main)
    data_changed = Signal(object)  # Changes: what was written (pages reload what they show)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.setObjectName("clerk_task_runner")
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._watched: weakref.WeakSet = weakref.WeakSet()
        self._announce = QTimer(self)  # main-thread writes: announced once the event is handled
        self._announce.setSingleShot(True)
        self._announce.setInterval(0)
        self._announce.timeout.connect(self._announce_main_thread_changes)
        self._collect = QTimer(self)  # once the worker and the delivery both let go of a task
        self._collect.setSingleShot(True)
        self._collect.setInterval(0)
        self._collect.timeout.connect(gc_policy.collect)
        self.delivered.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self.progressed.connect(self._progress, Qt.ConnectionType.QueuedConnection)
        self.let_go.connect(self._collect.start, Qt.ConnectionType.QueuedConnection)
        # worker-thread state
        self._db = None
        self._db_path: Path | None = None
        self._db_key: bytes | None = None
        self._thread = threading.Thread(target=self._work, name="clerk-worker", daemon=True)
        self._thread.start()

    # --- main thread: queueing ------------------------------------------------------------
    def submit(self, fn: TaskFn | DbJob, *, on_success: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None,
               on_progress: Callable[[int, int], None] | None = None,
               owner: QObject | None = None) -> Task:
        """Queue ``fn``; the callbacks run on the main thread, unless ``owner`` was deleted by then.
        An error with no ``on_error`` is raised on the main thread (the crash handler shows it)."""
        task = Task(next(self._ids))
        self._pending[task.id] = _Pending(on_success, on_error, on_progress,
                                          weakref.ref(owner) if owner is not None else None, task.cancel)
        self._queue.put((task, fn))
        return task

    def abandon(self, task: Task) -> None:
        """Cancel ``task`` and forget its callbacks: its result is delivered to no one."""
        task.cancel()
        self._pending.pop(task.id, None)

    def pending(self) -> int:
        """Tasks whose callbacks still wait for delivery."""
        return len(self._pending)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until everything queued so far has ended on the worker (not yet delivered)."""
        marker = Task(0)
        self._queue.put((marker, None))
        return marker.wait(timeout)

    def release_database(self) -> None:
        """Close the worker's connection after what is queued (the workspace is closing)."""
        self._queue.put((_RELEASE, None))

    def quiesce(self, timeout: float = 10.0) -> bool:
        """The event loop is ending: cancel what is queued, let the worker close its connection
        (before the workspace closes the file) and wait for it. The thread itself stays for the
        next event loop (tests run many), a daemon that ends with the process."""
        for pending in list(self._pending.values()):
            pending.cancel()
        self.release_database()
        return self.wait_idle(timeout)

    # --- main thread: changes ---------------------------------------------------------------
    def watch(self, ctx) -> None:
        """Announce the writes made through ``ctx`` on the main thread (the window's context)."""
        if ctx not in self._watched:
            self._watched.add(ctx)
            ctx.changes.listener = self._main_thread_write

    def _main_thread_write(self, _tbl: str) -> None:
        if threading.current_thread() is threading.main_thread():
            self._announce.start()

    def _announce_main_thread_changes(self) -> None:
        changes = NOTHING
        for ctx in list(self._watched):
            changes = changes | ctx.take_changes()
        self.announce(changes)

    def announce(self, changes: Changes) -> None:
        if changes:
            self.data_changed.emit(changes)

    # --- main thread: delivery --------------------------------------------------------------
    def _progress(self, task_id: int, done: int, total: int) -> None:
        pending = self._pending.get(task_id)
        if pending is not None and pending.on_progress is not None and not pending.owner_gone():
            pending.on_progress(done, total)

    def _deliver(self, task_id: int, outcome: Outcome) -> None:
        pending = self._pending.pop(task_id, None)  # dropped whatever the callbacks do
        self.announce(outcome.changes)  # written whether or not anyone still waits
        if pending is None or pending.owner_gone():
            return
        if outcome.error is None:
            if pending.on_success is not None:
                pending.on_success(outcome.value)
        elif pending.on_error is not None:
            pending.on_error(outcome.error)
        else:
            raise outcome.error

    # --- worker thread ----------------------------------------------------------------------
    def _work(self) -> None:
        ran = False  # a task ran since the main thread was last told to collect
        while True:
            task, fn = self._queue.get()
            if task is _RELEASE:
                self._close_db()
            elif fn is None:
                task._ended.set()  # a wait_idle() marker
            else:
                self._run(task, fn)
                ran = True
                task._ended.set()
            del task, fn  # the job's closure; the result went with _run's frame
            # Queued behind the delivery: the main thread collects once both have let go (a
            # collection racing this thread would leave a cyclic result for the 30 s timer).
            # A burst of tasks gets one collection at its end, not one each (a full collection
            # of a big heap takes a while).
            if ran and self._queue.empty():
                ran = False
                self.let_go.emit()

    def _run(self, task: Task, fn: TaskFn | DbJob) -> None:
        # Its own frame, so nothing of the result stays referenced by the worker's loop.
        if task.id not in self._pending:
            return  # abandoned before it started (a plain dict read; the GIL keeps it whole)
        outcome = Outcome()
        ctx = None
        try:
            progress = _progress_to(self, task.id)
            if isinstance(fn, DbJob):
                ctx = self._context(fn)
                outcome.value = fn.job(ctx, progress, task.is_cancelled)
            else:
                outcome.value = fn(progress, task.is_cancelled)
        except BaseException as exc:  # noqa: BLE001 - delivered to the main thread, not swallowed
            outcome.error = exc
        if ctx is not None:
            outcome.changes = ctx.take_changes()
        self.delivered.emit(task.id, outcome)

    def _context(self, job: DbJob):
        from ..services.context import Context
        from ..services.setup import load_context
        from ..storage.db import open_db

        if self._db is None or self._db_path != job.path or self._db_key != job.key:
            self._close_db()
            self._db = open_db(job.path, key=job.key, migrate=False)
            self._db_path, self._db_key = job.path, job.key
        if job.clerk is None:
            return load_context(self._db, job.clock)
        return Context(self._db, job.clerk, job.site_id, job.clock)

    def _close_db(self) -> None:
        if self._db is not None:
            db, self._db, self._db_path = self._db, None, None
            db.close()


def _progress_to(runner: TaskRunner, task_id: int) -> Progress:
    def progress(done: int, total: int) -> None:
        runner.progressed.emit(task_id, done, total)

    return progress


_RUNNER: TaskRunner | None = None


def runner() -> TaskRunner:
    """The application's runner (made with the application, see ``app.prepare_application``)."""
    global _RUNNER
    if _RUNNER is None or not shiboken6.isValid(_RUNNER):
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("the task runner needs the application")
        _RUNNER = TaskRunner(app)
        app.aboutToQuit.connect(_RUNNER.quiesce)
    return _RUNNER


def run_with_progress(parent: QWidget | None, label: str, fn: TaskFn | DbJob, *,
                      on_success: Callable[[Any], None] | None = None,
                      on_error: Callable[[BaseException], None] | None = None) -> Task:
    """Queue ``fn`` behind a modal, cancellable progress dialog.

    The window keeps painting and responding (the dialog's 取消 works) while the worker runs.
    Returns the task; ``on_success``/``on_error`` are called on the main thread, and not at all
    if ``parent`` has been deleted meanwhile."""
    dialog = QProgressDialog(label, "取消", 0, 0, parent)
    dialog.setWindowTitle("请稍候")
    dialog.setWindowModality(Qt.WindowModality.WindowModal if parent else Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumWidth(420)
    # The callbacks hold the dialog (a parentless one would vanish with its last Python
    # reference) until the delivery drops them; a dialog deleted with its parent is skipped.

    def alive() -> bool:
        return shiboken6.isValid(dialog)

    def show_progress(done: int, total: int) -> None:
        if alive():
            if total > 0 and dialog.maximum() != total:
                dialog.setMaximum(total)
            dialog.setValue(min(done, total) if total > 0 else 0)

    def close_dialog() -> None:
        if alive():
            dialog.hide()
            dialog.deleteLater()

    def succeeded(value: Any) -> None:
        close_dialog()
        if on_success is not None:
            on_success(value)

    def failed(exc: BaseException) -> None:
        close_dialog()
        if on_error is None:
            raise exc
        on_error(exc)

    task = runner().submit(fn, on_success=succeeded, on_error=failed, on_progress=show_progress,
                           owner=parent)

    def cancel() -> None:
        task.cancel()
        if alive():
            dialog.setLabelText("正在取消，请稍候……")
            dialog.setCancelButton(None)

    dialog.canceled.connect(cancel)
    dialog.destroyed.connect(task.cancel)  # the dialog went with its parent: stop the work too
    dialog.show()
    return task
