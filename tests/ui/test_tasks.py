"""The task runner: one worker thread for the application, tasks in order, results on the main
thread through one signal, callbacks dropped after delivery, nothing kept alive."""

from __future__ import annotations

import gc
import os
from clerk_app.storage import cipher as sqlite3  # the app's SQLCipher errors
import threading
import time
import weakref

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton, QWidget

from clerk_app import paths
from clerk_app.services import members as member_service
from clerk_app.ui import gc_policy
from clerk_app.ui.tasks import TaskRunner, context_job, db_job, run_with_progress, runner
from tests.ui.conftest import roster


@pytest.fixture
def tasks() -> TaskRunner:
    the_runner = runner()
    yield the_runner
    assert the_runner.wait_idle(10)


def _delivered(qtbot, the_runner: TaskRunner, timeout: int = 30_000) -> None:
    qtbot.waitUntil(lambda: the_runner.pending() == 0, timeout=timeout)


def test_one_runner_for_the_application():
    app = QApplication.instance()
    runners = app.findChildren(TaskRunner)
    assert runners == [runner()] and runner() is runner()


def test_result_and_progress_arrive_on_the_main_thread(qtbot, tasks):
    main = threading.get_ident()
    seen, results = [], []

    def work(progress, cancel):
        for i in range(5):
            progress(i + 1, 5)
        return (threading.get_ident(), sum(range(10)))

    tasks.submit(work, on_success=lambda value: results.append((value, threading.get_ident())),
                 on_progress=lambda done, total: seen.append((done, total, threading.get_ident())))
    qtbot.waitUntil(lambda: len(results) == 1, timeout=5000)
    (worker_thread, value), delivered_on = results[0]
    assert value == 45 and worker_thread != main and delivered_on == main
    assert [(d, t) for d, t, _ in seen] == [(i, 5) for i in range(1, 6)]
    assert {tid for *_, tid in seen} == {main}


def test_one_worker_thread_runs_every_task(qtbot, tasks):
    threads = []

    def work(progress, cancel):
        threads.append(threading.current_thread())
        return None

    for _ in range(5):
        tasks.submit(work)
    _delivered(qtbot, tasks)
    assert len(set(threads)) == 1 and threads[0] is not threading.main_thread()


def test_many_tasks_at_once_run_in_order_one_at_a_time_and_all_deliver(qtbot, tasks):
    ran, delivered = [], []
    running, overlap = [0], [0]
    lock = threading.Lock()

    def work_for(n):
        def work(progress, cancel):
            with lock:
                running[0] += 1
                overlap[0] = max(overlap[0], running[0])
            ran.append(n)
            time.sleep(0.001)
            with lock:
                running[0] -= 1
            return n * n
        return work

    for n in range(60):
        tasks.submit(work_for(n), on_success=delivered.append)
    _delivered(qtbot, tasks)
    assert ran == list(range(60)) and delivered == [n * n for n in range(60)]
    assert overlap[0] == 1  # never two at once: writers are serialised by the queue


def test_cancel_stops_the_work(qtbot, tasks):
    started = threading.Event()
    results = []

    def work(progress, cancel):
        started.set()
        steps = 0
        while not cancel():
            steps += 1
            time.sleep(0.002)
        return steps

    task = tasks.submit(work, on_success=results.append)
    assert started.wait(2)
    task.cancel()
    assert task.wait(2) and not task.is_running() and task.is_cancelled()
    qtbot.waitUntil(lambda: len(results) == 1, timeout=3000)


def test_error_is_delivered_not_swallowed(qtbot, tasks):
    errors, results = [], []

    def work(progress, cancel):
        raise ValueError("boom")

    tasks.submit(work, on_success=results.append, on_error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=3000)
    assert isinstance(errors[0], ValueError) and results == []


def test_an_abandoned_task_delivers_nothing(qtbot, tasks):
    gate, called = threading.Event(), []

    def work(progress, cancel):
        gate.wait(5)
        return "late"

    first = tasks.submit(work, on_success=called.append, on_error=called.append)
    queued = tasks.submit(lambda p, c: called.append("ran") or "queued", on_success=called.append)
    tasks.abandon(first)
    tasks.abandon(queued)  # abandoned before it started: it does not even run
    gate.set()
    assert first.wait(5) and queued.wait(5)
    tasks.submit(lambda p, c: "after", on_success=called.append)
    _delivered(qtbot, tasks)
    assert called == ["after"]


def test_a_task_whose_owner_was_closed_delivers_nothing_and_raises_nothing(qtbot, tasks):
    """The clerk closes the dialog that started the work: its result goes nowhere (no call into a
    deleted widget, no exception), and the next task is delivered as usual."""
    gate, called = threading.Event(), []
    owner = QWidget()
    owner.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    owner.show()

    def work(progress, cancel):
        progress(1, 2)
        gate.wait(5)
        progress(2, 2)
        return [1] * 1000

    task = tasks.submit(work, owner=owner,
                        on_success=lambda value: called.append(("ok", owner.windowTitle())),
                        on_error=lambda exc: called.append(("error", exc)),
                        on_progress=lambda d, t: called.append(("progress", owner.windowTitle())))
    qtbot.waitUntil(lambda: len(called) == 1, timeout=3000)  # the first progress, owner alive
    owner.close()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(owner)
    gate.set()
    assert task.wait(5)
    after = []
    tasks.submit(lambda p, c: "next", on_success=after.append)
    qtbot.waitUntil(lambda: after == ["next"], timeout=3000)
    assert called == [("progress", "")] and tasks.pending() == 0


def test_a_progress_dialog_whose_parent_was_closed_delivers_nothing(qtbot, tasks):
    gate, called = threading.Event(), []
    parent = QWidget()
    parent.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    parent.show()

    def work(progress, cancel):
        gate.wait(5)
        return "late" if not cancel() else "cancelled"

    task = run_with_progress(parent, "测试中……", work, on_success=called.append, on_error=called.append)
    parent.close()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert task.is_cancelled()  # the dialog went with its parent, and told the work to stop
    gate.set()
    assert task.wait(5)
    _delivered(qtbot, tasks)
    assert called == []


def test_db_job_writes_through_the_workers_own_connection(qtbot, tasks, ctx, workspace):
    seen, results, changed = {}, [], []

    def job(worker_ctx, progress, cancel):
        seen["own_connection"] = worker_ctx.db.conn is not ctx.db.conn
        seen["clerk"] = (worker_ctx.clerk, worker_ctx.site_id)
        return member_service.register_many(worker_ctx, roster(worker_ctx.home_union_id, 20),
                                            progress=progress, cancel=cancel)

    tasks.data_changed.connect(changed.append)
    try:
        tasks.submit(db_job(paths.db_path(workspace.folder), job, key=workspace.key), on_success=results.append)
        tasks.submit(context_job(ctx, lambda c, p, cancel: c.db.conn), on_success=results.append)
        _delivered(qtbot, tasks)
    finally:
        tasks.data_changed.disconnect(changed.append)
    assert seen["own_connection"] and seen["clerk"] == (ctx.clerk, ctx.site_id)
    assert len(results[0].saved) == 20
    assert results[1] is not ctx.db.conn  # the worker keeps one connection for the database
    assert member_service.count(ctx) == 20  # the window's connection sees the committed rows
    assert [c.kinds() for c in changed] == [{"members"}]  # what the worker wrote, announced once


def test_the_window_connection_refuses_the_worker_thread(qtbot, tasks, ctx):
    """check_same_thread is on: a connection used from the wrong thread fails loudly."""
    errors = []
    tasks.submit(lambda p, c: ctx.db.conn.execute("SELECT 1").fetchone(), on_error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=3000)
    assert isinstance(errors[0], sqlite3.ProgrammingError) and "thread" in str(errors[0])


def test_progress_dialog_cancel_button_cancels(qtbot, tasks):
    results = []
    started = threading.Event()

    def work(progress, cancel):
        started.set()
        n = 0
        while not cancel():
            n += 1
            progress(n % 100, 100)
            time.sleep(0.002)
        return "cancelled"

    task = run_with_progress(None, "测试中……", work, on_success=results.append)
    assert started.wait(2)
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]
    assert len(dialogs) == 1 and dialogs[0].labelText() == "测试中……"
    (cancel_button,) = [b for b in dialogs[0].findChildren(QPushButton) if b.text() == "取消"]
    qtbot.mouseClick(cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: results == ["cancelled"], timeout=3000)
    assert task.is_cancelled()


def test_progress_dialog_reports_errors_to_the_handler(qtbot, tasks):
    errors = []

    def work(progress, cancel):
        raise KeyError("x")

    run_with_progress(None, "测试中……", work, on_error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=3000)
    assert isinstance(errors[0], KeyError)


@pytest.fixture(autouse=True)
def _no_stray_dialogs(qtbot):
    yield
    qtbot.waitUntil(lambda: not [w for w in QApplication.topLevelWidgets()
                                 if isinstance(w, QProgressDialog) and w.isVisible()], timeout=3000)


def test_the_collector_runs_on_the_main_thread_only_and_after_each_task(qtbot, tasks):
    """Collected on a worker thread, Qt objects of the main thread crash PySide (a CI segfault).
    Automatic collection is off for the process; the main thread collects after each task (and
    on a timer), so garbage made while a task ran is freed, and nothing is left toggled."""
    app = QApplication.instance()
    timers = [t for t in app.findChildren(QTimer) if t.objectName() == "clerk_gc_timer"]
    assert len(timers) == 1 and timers[0].isActive() and timers[0].interval() == gc_policy.INTERVAL_MS
    release = threading.Event()
    seen = {}

    class Node:
        pass

    def work(progress, cancel):
        seen["enabled_during"] = gc.isenabled()
        seen["thread"] = threading.current_thread()
        release.wait(5)
        return 1

    for _round in range(5):  # the state never drifts, however many tasks come and go
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle only the collector can free
        gone = weakref.ref(a)
        del a, b
        assert not gc.isenabled()
        done = []
        task = tasks.submit(work, on_success=done.append)
        release.set()
        assert task.wait(5)
        qtbot.waitUntil(lambda: done == [1] and gone() is None, timeout=5_000)
        release.clear()
        assert seen["enabled_during"] is False and seen["thread"] is not threading.main_thread()
        assert not gc.isenabled()


def _rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class _Big:
    """A large result with a cycle in it (only the collector frees it once delivered)."""

    def __init__(self, n: int):
        self.data = b"x" * n  # touched pages: they count in the resident size
        self.me = self


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads the resident size from /proc")
def test_memory_after_fifty_large_results_returns_near_the_start(qtbot, tasks):
    """Twenty tasks of 10 MB once took the process from 47 to 256 MB, never freed (each task a
    QObject whose signal closures held it). Now a result lives until its callback has run."""
    size, gone = 10_000_000, []

    def deliver(result: _Big) -> None:
        assert len(result.data) == size
        gone.append(weakref.ref(result))

    tasks.submit(lambda p, c: _Big(size), on_success=deliver)  # warm up the allocator
    qtbot.waitUntil(lambda: len(gone) == 1 and gone[0]() is None, timeout=10_000)
    gc.collect()
    start = _rss_bytes()
    for n in range(50):
        tasks.submit(lambda p, c: _Big(size), on_success=deliver)
        qtbot.waitUntil(lambda: len(gone) == n + 2, timeout=10_000)
    qtbot.waitUntil(lambda: all(ref() is None for ref in gone), timeout=10_000)
    grown = _rss_bytes() - start
    assert tasks.pending() == 0  # no callback (nor what it holds) outlives its delivery
    assert grown < 60_000_000, f"resident size grew by {grown / 1e6:.0f} MB over 50 tasks of 10 MB"
    assert not gc.isenabled()
