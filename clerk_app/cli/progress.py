"""One progress line on stderr for long batch work (demo data, roster import, card sheets),
drawn by tqdm. stdout stays for results, so ``clerk-app demo ... > log`` keeps them apart.

At a terminal the line redraws in place; into a pipe or a log file it is redrawn rarely, and in
every case the last state (``20/20`` or where it stopped) ends with a newline."""

from __future__ import annotations

import contextlib
import sys
from typing import Callable, Iterator

from tqdm import tqdm

# A log file gets a new state this often at most (a terminal: tqdm's own 0.1 s).
LOG_INTERVAL_S = 5.0


@contextlib.contextmanager
def progress_line(description: str, unit: str) -> Iterator[Callable[[int, int], None]]:
    """``with progress_line("生成会员", "人") as progress:`` a ``progress(done, total)``
    callback for the services; the line is drawn on the first call and closed on leaving."""
    stream = sys.stderr
    bar: tqdm | None = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            tty = stream is not None and stream.isatty()
            bar = tqdm(total=total, desc=description, unit=unit, file=stream, disable=stream is None,
                       leave=True, dynamic_ncols=tty, mininterval=0.1 if tty else LOG_INTERVAL_S)
        if total != bar.total:
            bar.total = total
        if done > bar.n:
            bar.update(done - bar.n)  # redraws only when the interval has passed

    try:
        yield progress
    finally:
        if bar is not None:
            bar.close()  # draws the last state and ends the line
