"""A scan is never lost to, nor acted on by, whatever else has the keyboard at the desk.

A USB scanner is a keyboard: it types the card number and Enter into whatever widget has the
focus. While the desk's scan field has it, all is well. But while the clerk is in a dialog of
the desk (the undo question, the walk-in's join form, a print preview, paper entry …) or
typing a walk-in's details, the digits used to land in that field and the scanner's Enter
pressed the dialog's default button (a print preview started printing; the undo question
undid a sign-in) — and the person at the door was not signed in.

:class:`ScanRouter` is an application event filter, active while the desk is shown, that
looks at the keys going to any window of the desk (the desk itself or a dialog whose parent
chain leads to it) other than the scan field. Printable keys are held back for a moment: a
scanner types its characters a few milliseconds apart, a person some 100 ms apart.

* A burst of at least ``MIN_SCAN_CHARS`` characters, each within ``SCAN_GAP_MS`` of the
  last, ended by Enter within ``SCAN_GAP_MS``, that has the shape of a card number (whatever
  its check character), is a scan: ``scanned`` is emitted with the text (the desk signs the
  person in at once, in order) and neither the characters nor the Enter reach the dialog.
* Such a burst that is not card-shaped (an ID-card reader typing an ID number into the join
  form, a QR code of something else) is typed where it was aimed, but its Enter is dropped:
  a machine's Enter never presses a dialog's default button.
* Anything else — a pause, another key, a short burst — is handed on unchanged, in order,
  to the widget it was typed into (so a person's typing arrives ``SCAN_GAP_MS`` late at most).
"""

from __future__ import annotations

import weakref

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import isValid

from ..domain.cardno import looks_like_card_no

SCAN_GAP_MS = 40  # scanners: 1–15 ms per character; people: rarely under 60 ms, and never for 6 keys running
MIN_SCAN_CHARS = 6  # a card number has 11; a person's quick "wf" + Enter is not a scan
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_COMMAND_MODIFIERS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier


class ScanRouter(QObject):
    """``ScanRouter(desk, scan_field)``; ``install()`` when the desk shows, ``remove()`` when it hides."""

    scanned = Signal(str, object)  # the text scanned, the widget it was aimed at (or None)

    def __init__(self, desk: QWidget, scan_field: QWidget):
        super().__init__(desk)  # no Python reference to the desk: it must die when closed (WA_DeleteOnClose)
        self._scan_field = weakref.ref(scan_field)
        self._held: list[tuple[int, Qt.KeyboardModifier, str]] = []  # (key, modifiers, text) not delivered yet
        self._target: QWidget | None = None  # where the held keys were typed
        self._target_had_focus = False
        self._last_ms = -1_000_000
        self._releases: dict[int, int] = {}  # key -> releases to swallow (their presses were held)
        self._replaying = False
        self._installed = False
        self._clock = QElapsedTimer()
        self._clock.start()
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(SCAN_GAP_MS)
        self._pause.timeout.connect(self.flush)

    # --- life --------------------------------------------------------------------------------
    def install(self) -> None:
        if not self._installed:
            QApplication.instance().installEventFilter(self)
            self._installed = True

    def remove(self) -> None:
        if self._installed:
            QApplication.instance().removeEventFilter(self)
            self._installed = False
        self.flush()

    @property
    def desk(self) -> QObject | None:
        return self.parent()

    @property
    def scan_field(self) -> QWidget | None:
        return self._scan_field()

    # --- which keys ------------------------------------------------------------------------------
    def in_scope(self, widget: QWidget) -> bool:
        """The desk window, or a dialog (of a dialog …) opened from it."""
        desk = self.desk
        window = widget.window()
        while window is not None and desk is not None:
            if window is desk:
                return True
            parent = window.parentWidget()
            window = parent.window() if parent is not None else None
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if self._replaying or kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.InputMethod):
            return False
        if not isinstance(watched, QWidget) or not isValid(watched):
            return False
        if kind == QEvent.Type.KeyRelease:
            return self._release(event)
        if watched is self.scan_field or not self.in_scope(watched):
            self.flush()  # keys typed before still go first
            return False
        if kind == QEvent.Type.InputMethod:  # a person typing Chinese
            self.flush()
            return False
        return self._press(watched, event)

    def _release(self, event: QKeyEvent) -> bool:
        left = self._releases.get(event.key(), 0)
        if left and not event.isAutoRepeat():
            self._releases[event.key()] = left - 1
            return True  # its press was held (and is replayed with its own release) or scanned
        return False

    def _press(self, watched: QWidget, event: QKeyEvent) -> bool:
        now = self._clock.elapsed()
        quick = now - self._last_ms <= SCAN_GAP_MS
        text = event.text()
        printable = (len(text) == 1 and text.isprintable() and not event.isAutoRepeat()
                     and not event.modifiers() & _COMMAND_MODIFIERS)
        if printable:
            if self._held and (not quick or watched is not self._target):
                self.flush()  # a pause: what was held was a person's typing
            if not self._held:
                self._target = watched
                self._target_had_focus = watched is QApplication.focusWidget()
            self._held.append((event.key(), event.modifiers(), text))
            self._releases[event.key()] = self._releases.get(event.key(), 0) + 1
            self._last_ms = now
            self._pause.start()
            return True
        if event.key() in _ENTER and self._held and quick and len(self._held) >= MIN_SCAN_CHARS \
                and watched is self._target and not event.isAutoRepeat():
            scanned, target = "".join(t for _k, _m, t in self._held), self._target
            self._releases[event.key()] = self._releases.get(event.key(), 0) + 1  # the Enter goes nowhere
            if not looks_like_card_no(scanned):
                self.flush()
                return True
            self._held.clear()
            self._target = None
            self._pause.stop()
            self.scanned.emit(scanned, target if target is not None and isValid(target) else None)
            return True
        self.flush()  # Enter after a person's typing, arrows, Tab, Esc, F-keys …: in order, after the held keys
        return False

    # --- handing held keys on -----------------------------------------------------------------------
    def flush(self) -> None:
        """Deliver the held keys, in order, where they were typed (to the focus widget when
        they were typed into it: a table's first key opens an editor that takes the rest)."""
        self._pause.stop()
        held, target, had_focus = self._held, self._target, self._target_had_focus
        self._held, self._target = [], None
        if not held:
            return
        self._replaying = True
        try:
            for key, modifiers, text in held:
                receiver = QApplication.focusWidget() if had_focus else None
                if receiver is None and target is not None and isValid(target):
                    receiver = target
                if receiver is None:
                    continue  # the dialog closed meanwhile: its typing goes with it
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QApplication.sendEvent(receiver, QKeyEvent(kind, key, modifiers, text))
        finally:
            self._replaying = False
