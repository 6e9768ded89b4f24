"""Is this computer's clock plausible? Its last change stamp (the hybrid clock's, storage.hlc)
is never behind any record it made or merged; a wall clock more than a day behind that stamp
means the clock once ran ahead (a stamp from 2035) or runs behind now. Either way every new
record is stamped after that last stamp, and the clerk is told at start-up (the window's
banner; a line on stderr after a command that wrote) to check the computer's date and time.
Time comes from ``ctx.clock`` only."""

from __future__ import annotations

import datetime as _dt

from ..domain.messages import message
from ..storage.changes import CLOCK_SKEW_WARN_MS, HLC_KEY, clock_skew_ms
from ..storage.hlc import parse_stamp
from ..storage.meta import get_meta
from .context import Context

DAY_MS = 24 * 3600 * 1000


def clock_warning(ctx: Context) -> str | None:
    """The Chinese warning when the last stamp is more than a day ahead of the clock; else None."""
    ahead = clock_skew_ms(ctx.db, ctx.clock.wall_ms())
    if ahead <= CLOCK_SKEW_WARN_MS:
        return None
    last = parse_stamp(get_meta(ctx.db, HLC_KEY))[0]
    shown = _dt.datetime.fromtimestamp(last / 1000, _dt.timezone.utc).astimezone(ctx.clock.now().tzinfo)
    return message("clock.skew", stamp=shown.strftime("%Y-%m-%d %H:%M"), now=ctx.clock.now().strftime("%Y-%m-%d %H:%M"),
                   days=max(1, round(ahead / DAY_MS)))
