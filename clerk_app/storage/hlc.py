"""Hybrid logical clock: change stamps that read like a time but never go backwards.

A stamp is ``"PPPPPPPPPPPPP-CCCCCC"``: wall-clock milliseconds and a counter, zero padded
so that string order is time order. Together with the laptop's site id it totally
orders every change from every laptop (Kulkarni et al., 2014). If the system clock
jumps back, the physical part stays where it was and the counter climbs.
"""

from __future__ import annotations

from typing import Callable

from ..clock import SYSTEM

_COUNTER_MAX = 999_999


def format_stamp(physical_ms: int, counter: int) -> str:
    return f"{physical_ms:013d}-{counter:06d}"


def parse_stamp(stamp: str) -> tuple[int, int]:
    physical, counter = stamp.split("-")
    return int(physical), int(counter)


def wall_ms() -> int:
    return SYSTEM.wall_ms()


class HybridClock:
    def __init__(self, last: str | None = None, wall: Callable[[], int] = wall_ms):
        self._wall = wall
        self._physical, self._counter = parse_stamp(last) if last else (0, 0)

    @property
    def last(self) -> str:
        return format_stamp(self._physical, self._counter)

    def now(self) -> str:
        """A stamp greater than every stamp this clock has given or observed."""
        return self.stamps(1)[0]

    def stamps(self, n: int) -> list[str]:
        """``n`` stamps in increasing order, as ``n`` calls of :meth:`now` give them, reading
        the wall clock once (a batch is written in one go; its stamps need not spread)."""
        physical = self._wall()
        out = []
        for _ in range(n):
            if physical > self._physical:
                self._physical, self._counter = physical, 0
            elif self._counter >= _COUNTER_MAX:
                self._physical, self._counter = self._physical + 1, 0
            else:
                self._counter += 1
            out.append(format_stamp(self._physical, self._counter))
        return out

    def observe(self, remote: str) -> None:
        """Move past a stamp seen from another laptop (used when importing changes)."""
        physical, counter = parse_stamp(remote)
        if (physical, counter) > (self._physical, self._counter):
            self._physical, self._counter = physical, counter
