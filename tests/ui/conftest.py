"""GUI fixtures: members in a real database, and a way to answer a modal message box the way
a clerk would (click the button with this Chinese label)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from clerk_app.domain.member import MemberInput
from clerk_app.services.members import register_many
from clerk_app.ui.app import prepare_application
from clerk_app.ui.tasks import runner
from tests.conftest import make_id

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ("伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟")


@pytest.fixture(scope="session", autouse=True)
def prepared_app(qapp):
    """The application as run_gui prepares it: Chinese Qt strings, bundled font, size."""
    return prepare_application()


@pytest.fixture(autouse=True)
def _worker_lets_go_of_the_database(qtbot):
    """Every test ends with the worker idle, its connection to this test's database closed, and
    every result delivered (no callbacks left waiting in the runner)."""
    yield
    tasks = runner()
    tasks.release_database()
    assert tasks.wait_idle(30), "a background task was still running after the test"
    qtbot.waitUntil(lambda: tasks.pending() == 0, timeout=5000)


class Outcomes(QObject):
    """What the runner delivered, by task id, seen from the main thread like any delivery (a test's
    window into a task's result; the app itself keeps none)."""

    def __init__(self):
        super().__init__()
        self.by_id: dict = {}

    def record(self, task_id: int, outcome) -> None:
        self.by_id[task_id] = outcome

    def of(self, qtbot, task, timeout: int = 15_000):
        qtbot.waitUntil(lambda: task.id in self.by_id, timeout=timeout)
        return self.by_id[task.id]


@pytest.fixture
def outcomes():
    seen = Outcomes()
    runner().delivered.connect(seen.record)
    yield seen
    runner().delivered.disconnect(seen.record)
    seen.by_id.clear()


def roster(union_id: str, n: int, joined: dt.date = dt.date(2018, 1, 5)) -> list[MemberInput]:
    """``n`` distinct valid members (synthetic IDs, distinct names and births), joined on
    ``joined`` (by default a day before any day the suite runs on)."""
    out = []
    for i in range(n):
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=97 * i)
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)] + ("" if i < 300 else "华")
        out.append(MemberInput(name=name, id_number=make_id("110105", birth.strftime("%Y%m%d"), f"{i % 1000:03d}"),
                               phone=f"138{i:08d}", union_id=union_id, occupation="快递员", platform="顺丰",
                               join_date=joined))
    return out


@pytest.fixture
def add_members(ctx):
    def add(n: int) -> list[str]:
        result = register_many(ctx, roster(ctx.home_union_id, n), confirm_possible_duplicates=True)
        assert not result.rejected, result.rejected[:3]
        return result.saved

    return add


class BoxAnswerer:
    """Clicks a button of the next modal QMessageBox (run from a timer while exec() blocks)."""

    def __init__(self):
        self.texts: list[str] = []
        self.titles: list[str] = []

    def answer(self, button_text: str, tries: int = 200) -> None:
        def attempt(left: int) -> None:
            box = QApplication.activeModalWidget()
            if isinstance(box, QMessageBox):
                for button in box.buttons():
                    if button.text() == button_text:
                        self.texts.append(box.text())
                        self.titles.append(box.windowTitle())
                        button.click()
                        return
            if left > 0:
                QTimer.singleShot(10, lambda: attempt(left - 1))

        QTimer.singleShot(0, lambda: attempt(tries))


@pytest.fixture
def boxes():
    return BoxAnswerer()


def type_text(qtbot, widget, text: str) -> None:
    """Type like a clerk: ASCII through key clicks, Chinese committed by the input method
    (QTest cannot click non-ASCII keys, and a real clerk types hanzi through an IME)."""
    run = ""
    for ch in text + "\0":
        if ch.isascii() and ch != "\0":
            run += ch
            continue
        if run:
            qtbot.keyClicks(widget, run)
            run = ""
        if ch != "\0":
            event = QInputMethodEvent("", [])
            event.setCommitString(ch)
            QApplication.sendEvent(widget, event)
