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


def _sync(ctx: Context, window: QWidget) -> QWidget:
    from .sync_page import SyncPage

    return SyncPage(ctx)


PAGES: list[PageSpec] = [
    PageSpec("members", "会员", _members),
    PageSpec("cards", "服务卡", _cards),
    PageSpec("events", "活动签到", _events),
    PageSpec("hardship", "困难职工", _hardship),
    PageSpec("sync", "同步", _sync),
]
