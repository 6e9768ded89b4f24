"""Record ids: time-ordered UUIDs (version 7, RFC 9562).

A v7 UUID starts with the 48-bit Unix time in milliseconds, then 74 random bits. New rows
therefore land at the end of every index keyed by id (members, change records, audit
entries point at them) instead of at a random page, which is what kept a 200,000-member
database rewriting about 430 KB of disk per new member. The 74 random bits keep ids unique
across laptops without coordination, as version 4's 122 did for sync: two laptops minting in
the same millisecond collide with odds of 2**-74 per pair.

The time part is an input (the caller's clock), never read here: ``uuid_utils.uuid7`` takes
the nanoseconds to stamp and supplies the random bits (version and variant set per the RFC).
"""

from __future__ import annotations

import uuid_utils


def uuid7_at(wall_ms: int) -> str:
    """A new version-7 UUID whose time part is ``wall_ms`` (milliseconds since the epoch)."""
    return str(uuid_utils.uuid7(nanoseconds=wall_ms * 1_000_000))


def uuid7_ms(value: str) -> int:
    """The milliseconds a version-7 UUID was stamped with."""
    return int(value.replace("-", "")[:12], 16)
