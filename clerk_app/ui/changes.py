"""Pages reload what they show when it changes, and only then (``TaskRunner.data_changed``).

A page calls :func:`follow` once with the kinds of record it shows (a
:class:`~clerk_app.services.changes.Changes` naming them) and the context it works with. When
data of those kinds changes — written by a background task or on the main thread — a visible
page calls its ``reload()`` at once; a hidden one is marked stale and reloads when it is shown
next. Changes of other kinds leave it alone."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from ..services.changes import Changes
from .tasks import runner


class Follower(QObject):
    """Child of the page: the connection ends when the page is deleted."""

    def __init__(self, page: QWidget, shows: Changes):
        super().__init__(page)
        self.page = page
        self.shows = shows
        self.stale = False
        page.installEventFilter(self)

    def on_changed(self, changes: Changes) -> None:
        if not changes.touches(self.shows):
            return
        if self.page.isVisible():
            self.stale = False
            self.page.reload()
        else:
            self.stale = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.page and event.type() == QEvent.Type.Show and self.stale:
            self.stale = False
            self.page.reload()
        return False


def follow(page: QWidget, ctx, shows: Changes) -> Follower:
    """Reload ``page`` (its ``reload()``) when data of the kinds in ``shows`` changes."""
    tasks_runner = runner()
    tasks_runner.watch(ctx)  # writes made through the page's own context are announced too
    follower = Follower(page, shows)
    tasks_runner.data_changed.connect(follower.on_changed)
    return follower
