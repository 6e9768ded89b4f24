"""When Python's cycle collector runs: on the main thread only, decided once for the process.

A collection that runs on a worker thread can free Qt objects that belong to the main thread,
which crashes PySide (a CI segfault once). Toggling the collector per background task left it
off for the rest of the session whenever a task object died before its own "resume" signal.
So, as Anki does: automatic collection is switched off when the window's application starts, and
the main thread collects on a timer and whenever a background task has ended."""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 30_000


def install(app: QObject) -> QTimer:
    """Switch automatic collection off and collect every ``INTERVAL_MS`` on ``app``'s thread."""
    gc.disable()
    timer = QTimer(app)
    timer.setObjectName("clerk_gc_timer")
    timer.setInterval(INTERVAL_MS)
    timer.timeout.connect(collect)
    timer.start()
    return timer


def collect() -> int:
    """A full collection, on the calling (main) thread; returns what it found unreachable."""
    return gc.collect()
