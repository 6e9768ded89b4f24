"""What a connection already read from its database, kept for as long as nothing else wrote.

The sign-in desk writes a burst of one-row transactions, each of which needs the same few
facts: the last clock stamp, the audit chain's last hash and count, the change log's last
sequence number, the event, the number signed in. Reading them again for every scan costs
more than the scan's own work, so they are kept here, per connection, together with a
*token*: SQLite's ``PRAGMA data_version`` (it changes when another connection — the window's
worker thread, another process — commits) and the connection's own ``total_changes`` (it
changes with every row this connection writes). A value is only used while the token is
the one it was read or written under; any other write clears everything.

Writers that keep the values right themselves do so inside :func:`writing`: the token is
checked once when the block starts and taken again when it ends, so the block's own writes
(which updated the values they affect through :func:`put`) do not clear them. A block that
raises, and any rollback (:func:`storage.db.transaction` calls :func:`forget`), clears
them: values written inside a transaction that did not commit are not the database's.
"""

from __future__ import annotations

import contextlib
import weakref
from typing import Any, Callable, Hashable, Iterator

from sqlite_utils import Database


class _State:
    __slots__ = ("token", "values", "depth")

    def __init__(self) -> None:
        self.token: tuple[int, int] | None = None
        self.values: dict[Hashable, Any] = {}
        self.depth = 0


_STATES: "weakref.WeakKeyDictionary[object, _State]" = weakref.WeakKeyDictionary()


def _state(conn) -> _State:
    """The connection's state; a connection that cannot be weakly referenced (a plain
    ``sqlite3.Connection``; the app's own are :class:`storage.cipher.KeyedConnection`) gets a
    new empty one each time, so nothing is kept for it."""
    try:
        state = _STATES.get(conn)
        if state is None:
            state = _STATES[conn] = _State()
        return state
    except TypeError:
        return _State()


def _token(conn) -> tuple[int, int]:
    return conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes


def _check(conn, state: _State) -> None:
    token = _token(conn)
    if token != state.token:
        state.values.clear()
        state.token = token


def get(db: Database, key: Hashable, load: Callable[[], Any]) -> Any:
    """The value kept under ``key``, or ``load()`` (then kept) if there is none or the
    database changed since it was kept."""
    state = _state(db.conn)
    if state.depth == 0:
        _check(db.conn, state)
    try:
        return state.values[key]
    except KeyError:
        value = state.values[key] = load()
        return value


def inside(db: Database) -> bool:
    """Whether a :func:`writing` block is open on this connection (its values are trusted)."""
    try:
        state = _STATES.get(db.conn)
    except TypeError:
        return False
    return state is not None and state.depth > 0


def put(db: Database, key: Hashable, value: Any) -> None:
    """Keep ``value`` under ``key``: the caller has just written it (outside :func:`writing`
    the write itself moves the token on, so the value is only used after the next check
    if nothing else changed — which the token cannot tell: it is dropped then)."""
    _state(db.conn).values[key] = value


def drop(db: Database, key: Hashable) -> None:
    """Forget one value (a write changed what it was read from)."""
    _state(db.conn).values.pop(key, None)


def forget(db: Database) -> None:
    """Forget everything kept for this connection (a rollback, a restore)."""
    try:
        state = _STATES.get(db.conn)
    except TypeError:
        return
    if state is not None:
        state.values.clear()
        state.token = None


@contextlib.contextmanager
def writing(db: Database) -> Iterator[None]:
    """A block whose writes keep the kept values right themselves (with :func:`put`)."""
    conn = db.conn
    state = _state(conn)
    if state.depth == 0:
        _check(conn, state)
    state.depth += 1
    try:
        yield
    except BaseException:
        state.values.clear()
        state.token = None
        raise
    finally:
        state.depth -= 1
    if state.depth == 0:
        state.token = _token(conn)
