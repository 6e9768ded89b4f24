"""The task runner: work on a worker thread, progress and result back on the main thread."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton

from clerk_app import paths
from clerk_app.services import members as member_service
from clerk_app.ui.tasks import Task, db_job, run_with_progress
from tests.ui.conftest import roster


def test_result_and_progress_arrive_on_the_main_thread(qtbot):
    main = threading.get_ident()
    seen = []

    def work(progress, cancel):
        for i in range(5):
            progress(i + 1, 5)
        return (threading.get_ident(), sum(range(10)))

    task = Task(work)
    task.progressed.connect(lambda done, total: seen.append((done, total, threading.get_ident())))
    with qtbot.waitSignal(task.succeeded, timeout=3000) as blocker:
        task.start()
    worker_thread, value = blocker.args[0]
    assert value == 45 and worker_thread != main
    qtbot.waitUntil(lambda: len(seen) == 5)
    assert [(d, t) for d, t, _ in seen] == [(i, 5) for i in range(1, 6)]
    assert {tid for *_, tid in seen} == {main}


def test_cancel_stops_the_work(qtbot):
    started = threading.Event()

    def work(progress, cancel):
        started.set()
        steps = 0
        while not cancel():
            steps += 1
            time.sleep(0.002)
        return steps

    task = Task(work)
    with qtbot.waitSignal(task.succeeded, timeout=3000):
        task.start()
        assert started.wait(2)
        task.cancel()
    # the worker emits ``succeeded`` before its last line: it ends an instant later
    assert task.is_cancelled() and task.wait(2) and not task.is_running()


def test_error_is_delivered_not_swallowed(qtbot):
    def work(progress, cancel):
        raise ValueError("boom")

    task = Task(work)
    with qtbot.waitSignal(task.failed, timeout=3000) as blocker:
        task.start()
    assert isinstance(blocker.args[0], ValueError) and task.result is None


def test_db_job_writes_through_its_own_connection(qtbot, ctx, workspace):
    seen = {}

    def job(worker_ctx, progress, cancel):
        seen["own_connection"] = worker_ctx.db.conn is not ctx.db.conn
        return member_service.register_many(worker_ctx, roster(worker_ctx.home_union_id, 20),
                                            progress=progress, cancel=cancel)

    task = Task(db_job(paths.db_path(workspace.folder), job))
    with qtbot.waitSignal(task.succeeded, timeout=5000) as blocker:
        task.start()
    assert seen["own_connection"] and len(blocker.args[0].saved) == 20
    assert member_service.count(ctx) == 20  # the window's connection sees the committed rows


def test_progress_dialog_cancel_button_cancels(qtbot):
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


def test_progress_dialog_reports_errors_to_the_handler(qtbot):
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


def test_the_collector_runs_on_the_main_thread_only_and_after_each_task(qtbot):
    """Collected on a worker thread, Qt objects of the main thread crash PySide (a CI segfault).
    Automatic collection is off for the process; the main thread collects after each task (and
    on a timer), so garbage made while a task ran is freed, and nothing is left toggled."""
    import gc
    import threading as _threading
    import weakref

    from PySide6.QtWidgets import QApplication

    from clerk_app.ui import gc_policy
    from clerk_app.ui.tasks import Task

    app = QApplication.instance()
    timers = [t for t in app.findChildren(QTimer) if t.objectName() == "clerk_gc_timer"]
    assert len(timers) == 1 and timers[0].isActive() and timers[0].interval() == gc_policy.INTERVAL_MS
    release = _threading.Event()
    seen = {}

    class Node:
        pass

    def work(progress, cancel):
        seen["enabled_during"] = gc.isenabled()
        seen["thread"] = _threading.current_thread()
        release.wait(5)
        return 1

    for _round in range(3):  # the state never drifts, however many tasks come and go
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle only the collector can free
        gone = weakref.ref(a)
        del a, b
        assert not gc.isenabled()
        task = Task(work)
        with qtbot.waitSignal(task.done, timeout=10_000):
            task.start()
            release.set()
        qtbot.waitUntil(lambda: gone() is None, timeout=5_000)
        release.clear()
        assert seen["enabled_during"] is False and seen["thread"] is not _threading.main_thread()
        assert not gc.isenabled()
