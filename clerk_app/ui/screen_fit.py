"""Windows sized for the laptops clerks have: 1366×768, or 1920×1080 at 150 % (1280×720 logical),
each less a taskbar. A window asks for the size it would like; it gets at most what the screen
leaves for it, with room for the title bar the window manager draws above it."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

TITLE_BAR = 32  # the window manager's title bar, outside the size a widget is given
FRAME = 16  # its left and right borders


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize ``widget`` to ``width``×``height``, or less where its screen is smaller."""
    screen = widget.screen()
    if screen is None:
        widget.resize(width, height)
        return
    area = screen.availableGeometry()
    widget.resize(min(width, area.width() - FRAME), min(height, area.height() - TITLE_BAR))
