"""The window: the only package that imports Qt."""

from . import qt_fixes  # noqa: F401  - must run before any signal is emitted from Python
