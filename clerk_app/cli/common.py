"""What every batch command needs: a set-up data folder, and dates as a clerk types them."""

from __future__ import annotations

import datetime as _dt
import re

from ..domain.errors import UserError


def open_ready_workspace(args):
    """The data folder of ``--data-dir``, refused (not silently set up) if the laptop was never
    set up: batch commands on cards, events, prints and rosters need the laptop's identity."""
    from ..workspace import open_workspace

    ws = open_workspace(args.data_dir)
    if not ws.ready:
        folder = ws.folder
        ws.close()
        raise UserError("cli.not_set_up", path=str(folder))
    return ws


def parse_date(text: str | None) -> _dt.date | None:
    """``2026-11-01``, ``2026/11/1``, ``2026.11.1`` or ``2026年11月1日``; None for no text."""
    if not text:
        return None
    parts = re.split(r"[-/.年月日]", text.strip().rstrip("日"))
    try:
        y, m, d = (int(x) for x in parts)
        return _dt.date(y, m, d)
    except (ValueError, TypeError):
        raise UserError("cli.bad_date", text=text) from None
