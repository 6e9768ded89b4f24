"""The app's one source of "now" and "today".

Code never calls ``date.today()`` or ``datetime.now()`` itself: services take the day from
their Context (``ctx.today()``), domain functions take it as a parameter, and everything
else asks a :class:`Clock`. That makes time an input: tests, and a training laptop, can run
the whole app on another day.

``CLERK_APP_TODAY=YYYY-MM-DD`` in the environment shifts the system clock to that day (the
time of day still runs, so stamps keep moving forwards). The test suite sets it through one
fixture and CI runs the suite years ahead and years back with it.
"""

from __future__ import annotations

import datetime as _dt
import os
import time

TODAY_ENV = "CLERK_APP_TODAY"


class Clock:
    """Wall time, optionally moved by a fixed shift (the clock still runs)."""

    def __init__(self, shift: _dt.timedelta = _dt.timedelta(0)):
        self._shift = shift

    @classmethod
    def on(cls, day: _dt.date) -> "Clock":
        """A clock whose today is ``day``, with the real time of day."""
        return cls(shift_to(day))

    @property
    def shift(self) -> _dt.timedelta:
        return self._shift

    def now(self) -> _dt.datetime:
        """Local time with its UTC offset."""
        return _dt.datetime.now().astimezone() + self.shift

    def today(self) -> _dt.date:
        return self.now().date()

    def stamp(self) -> str:
        """Local time with its UTC offset, to the second: what records keep as created/recorded at."""
        return self.now().isoformat(timespec="seconds")

    def wall_ms(self) -> int:
        """Milliseconds since the epoch (the hybrid logical clock's physical part)."""
        return time.time_ns() // 1_000_000 + self.shift // _dt.timedelta(milliseconds=1)


class SystemClock(Clock):
    """The machine's clock, moved to ``CLERK_APP_TODAY`` when that is set."""

    def __init__(self):
        super().__init__()
        self._env: str | None = None

    @property
    def shift(self) -> _dt.timedelta:
        value = os.environ.get(TODAY_ENV) or None
        if value != self._env:
            self._shift = shift_to(_dt.date.fromisoformat(value)) if value else _dt.timedelta(0)
            self._env = value
        return self._shift


def shift_to(day: _dt.date) -> _dt.timedelta:
    """The whole-day shift that makes the real clock read ``day``."""
    return _dt.timedelta(days=(day - _dt.datetime.now().astimezone().date()).days)


SYSTEM = SystemClock()
