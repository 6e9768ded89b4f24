"""Work-arounds for defects of the Qt binding this app ships with (applied on import of ``ui``).

PySide6 6.12 on Python < 3.12: every ``SignalInstance.emit()`` called from Python drops one
reference to ``True`` that it never took. ``True`` has only a few hundred references in a
fresh process, so after a few hundred emits Python aborts with "bool_dealloc: deallocating
True or False" (seen here with a progress signal from a worker thread; any emit does it).
The defect is *probed* at import (a few emits on a private object, counting references), and
only when it is present is ``emit`` wrapped to give the reference back. On Python 3.12+
``True`` is immortal, the probe sees no change and nothing is patched. Giving back one
reference too many would only keep ``True`` alive, which it always is.

The affected release is not excluded in ``pyproject.toml``: 6.12.0 is the build this app is
installed and frozen with, so the guard stays. The task runner's worker emits progress and
results through this same ``emit``."""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal, SignalInstance

_PROBES = 4


class _Probe(QObject):
    ping = Signal()


def emit_drops_a_reference() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBES):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    if lost > 0:
        for _ in range(lost):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))  # repay the probe's own loss
    return lost == _PROBES


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


PATCHED = apply()
