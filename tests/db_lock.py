"""Another program of the app holding the database's write lock, for tests of what the app does
when it cannot write (an audit entry that cannot be recorded, a save that must give up)."""

from __future__ import annotations

import contextlib
from typing import Iterator

from clerk_app.storage.db import another_connection


@contextlib.contextmanager
def locked(ctx) -> Iterator[None]:
    """Another connection holds the write lock (BEGIN IMMEDIATE) while the app tries; the app
    waits its busy timeout (shortened here) and gives up."""
    other = another_connection(ctx.db).conn  # keyed, like a second program of the app
    ctx.db.conn.execute("PRAGMA busy_timeout=100")
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()
        ctx.db.conn.execute("PRAGMA busy_timeout=5000")
