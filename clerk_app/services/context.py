"""Who is acting, on which laptop, against which database."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from sqlite_utils import Database

from ..clock import SYSTEM, Clock
from ..domain.ids import uuid7_at
from ..domain.errors import Cancelled  # noqa: F401 - services import it from here
from ..storage.audit import write_audit, write_audit_many
from ..storage.changes import ChangeRecorder
from ..storage.meta import get_meta
from .changes import Changes


@dataclass(frozen=True)
class Clerk:
    id: str
    name: str
    role: str = "经办人"  # services.access.ROLES; the least one unless the database says more


class Context:
    def __init__(self, db: Database, clerk: Clerk, site_id: str, clock: Clock = SYSTEM):
        self.db = db
        self.clerk = clerk
        self.site_id = site_id
        self.clock = clock
        self.changes = ChangeRecorder(db, site_id, wall=clock.wall_ms)

    def take_changes(self) -> Changes:
        """What was written through this context since the last call, by kind (and forget it)."""
        return Changes.of_tables(self.changes.take_touched())

    def today(self) -> _dt.date:
        """The day the clerk is working on: every service takes "today" from here."""
        return self.clock.today()

    def now_stamp(self) -> str:
        """Local time with its UTC offset, to the second: what records keep as created/recorded at."""
        return self.clock.stamp()

    def audit(self, action: str, entity: str, entity_id: str = "", **detail) -> None:
        write_audit(self.db, clerk_id=self.clerk.id, site_id=self.site_id, action=action,
                    entity=entity, entity_id=entity_id, detail=detail, at=self.clock.stamp())

    def audit_many(self, entries: list[tuple[str, str, str, dict]]) -> None:
        """Many entries ``(action, entity, entity_id, detail)`` at one time stamp, chained as
        many :meth:`audit` calls would chain them (a bulk import's)."""
        write_audit_many(self.db, clerk_id=self.clerk.id, site_id=self.site_id, entries=entries,
                         at=self.clock.stamp())

    @property
    def laptop_name(self) -> str:
        return get_meta(self.db, "laptop_name", "") or ""

    @property
    def home_union_id(self) -> str:
        return get_meta(self.db, "home_union_id", "") or ""


def new_id(clock: Clock = SYSTEM) -> str:
    """A new record id: a time-ordered UUID (v7, :mod:`..domain.ids`) stamped by ``clock``.
    Services pass ``ctx.clock`` (tests/test_ids.py checks every call names its clock; the
    default only keeps a caller written before the clock argument working)."""
    return uuid7_at(clock.wall_ms())


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def is_uuid(text: str) -> bool:
    """Whether ``text`` is a record id as :func:`new_id` makes them (any letter case)."""
    return bool(_UUID.fullmatch(text))
