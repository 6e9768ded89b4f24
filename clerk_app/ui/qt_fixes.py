"""Work-arounds for defects of the Qt binding this app ships with (applied on import of ``ui``).

PySide6 6.12 on Python < 3.12: every ``SignalInstance.emit()`` called from Python drops one
reference to ``True`` that it never took. ``True`` has only a few hundred references in a
fresh process, so after a few hundred emits Python aborts with "bool_dealloc: deallocating
True or False" (seen here with a progress signal from a worker thread; any emit does it).
The defect is *probed* at import (a few emits on a private object, counting references), and
only when it is present is ``emit`` wrapped to give the reference back. On Python 3.12+
``True`` is immortal, the probe sees no change and nothing is patched. Giving back one
reference too many would only keep ``True`` alive, which it always is.

The defect is wider than ``emit``: on the same build *every* Python call of a Qt method that
returns nothing (``setText``, ``processEvents``, ``QTimer.start`` …) drops one reference to
``None``. ``None`` has about 12,000 references in the running app, so after some 12,000 such
calls — an afternoon of clerking — Python aborts with "none_dealloc: deallocating None".
No wrapper can cover every method, so when a probe sees the defect the three singletons the
binding hands back (``None``, ``True``, ``False``) get a huge reference count, as Python 3.12
makes them immortal: their count can then never reach zero. Nothing is ever freed wrongly by
this: those objects are never deallocated in a healthy interpreter either.

The affected release is not excluded in ``pyproject.toml``: 6.12.0 is the build this app is
installed and frozen with, so the guards stay. The task runner's worker emits progress and
results through this same ``emit``."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys

from PySide6.QtCore import QObject, Signal, SignalInstance

_PROBES = 64


@contextlib.contextmanager
def _quiet():
    """No collection while a probe counts references: a collection that frees objects holding
    ``None`` or ``True`` would be counted as the binding's loss (or hide it)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _lost_all(lost: int) -> bool:
    # The defect loses exactly one reference per call; allow for a few unrelated references
    # coming or going while the probe runs (an equality test made the probe flaky).
    return lost >= _PROBES - 8


class _Probe(QObject):
    ping = Signal()


def emit_drops_a_reference() -> bool:
    probe = _Probe()
    with _quiet():
        before = sys.getrefcount(True)
        for _ in range(_PROBES):
            probe.ping.emit()
        lost = before - sys.getrefcount(True)
    if lost > 0:
        for _ in range(lost):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))  # repay the probe's own loss
    return _lost_all(lost)


def apply() -> bool:
    """Patch ``SignalInstance.emit`` if (and only if) the binding has the defect."""
    if getattr(SignalInstance.emit, "_clerk_fixed", False) or not emit_drops_a_reference():
        return False
    original = SignalInstance.emit
    incref = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]

    def emit(self, *args):
        result = original(self, *args)
        incref(result)
        return result

    emit._clerk_fixed = True
    SignalInstance.emit = emit
    return True


_PIN = 1 << 40  # references added to each singleton: more calls than a process ever makes


def void_call_drops_none() -> bool:
    probe = _Probe()
    with _quiet():
        before = sys.getrefcount(None)
        for _ in range(_PROBES):
            probe.setObjectName("probe")  # returns nothing
        lost = before - sys.getrefcount(None)
    if lost > 0:
        for _ in range(lost):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))  # repay the probe's own loss
    return _lost_all(lost)


def _pin(obj: object) -> bool:
    count = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt, the first field of every object
    if abs(count.value - (sys.getrefcount(obj) - 1)) > 2:
        return False  # not the object layout this relies on: leave it alone
    count.value += _PIN  # under the GIL: no other thread changes it meanwhile
    return True


def pin_singletons() -> bool:
    """Make ``None``, ``True`` and ``False`` effectively immortal if (and only if) a Qt call that
    returns nothing drops a reference to ``None``."""
    if sys.getrefcount(None) > _PIN or not void_call_drops_none():
        return False
    return all([_pin(None), _pin(True), _pin(False)])


PATCHED = apply()
PINNED = pin_singletons()
