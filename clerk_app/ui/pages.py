"""The pages of the main window, in navigation order.

Each entry is a title and a factory ``factory(ctx, window) -> QWidget``. A page says which
kinds of record it shows with :func:`clerk_app.ui.changes.follow` and reloads itself when they
change (the window does not call into pages). Later work
(service cards, event sign-in ...) adds its page by appending one entry here; only pages
that work are listed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtWidgets import QWidget

from ..services.context import Context


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    factory: Callable[[Context, QWidget], QWidget]
    shown: Callable[[Context], bool] | None = None  # None: on every computer


def shown_pages(ctx: Context, pages: list[PageSpec]) -> list[PageSpec]:
    """The pages this computer shows (the district's own page only in district mode)."""
    return [p for p in pages if p.shown is None or p.shown(ctx)]


def _members(ctx: Context, window: QWidget) -> QWidget:
    from .members_page import MembersPage

    return MembersPage(ctx)


def _cards(ctx: Context, window: QWidget) -> QWidget:
    from .cards_page import CardsPage

    return CardsPage(ctx)


def _events(ctx: Context, window: QWidget) -> QWidget:
    from .events_page import EventsPage

    return EventsPage(ctx)


def _hardship(ctx: Context, window: QWidget) -> QWidget:
    from .hardship_page import HardshipPage

    return HardshipPage(ctx)


def _reports(ctx: Context, window: QWidget) -> QWidget:
    from .reports_page import ReportsPage

    return ReportsPage(ctx)


def _sync(ctx: Context, window: QWidget) -> QWidget:
    from .sync_page import SyncPage

    return SyncPage(ctx)


def _district(ctx: Context, window: QWidget) -> QWidget:
    from .district_page import DistrictPage

    return DistrictPage(ctx)


def _is_district(ctx: Context) -> bool:
    from ..services.sync_site import identity

    return identity(ctx).is_district


PAGES: list[PageSpec] = [
    PageSpec("members", "会员", _members),
    PageSpec("cards", "服务卡", _cards),
    PageSpec("events", "活动签到", _events),
    PageSpec("hardship", "困难职工", _hardship),
    PageSpec("reports", "统计报表", _reports),
    PageSpec("sync", "同步", _sync),
    PageSpec("district", "区级汇总", _district, _is_district),
]
