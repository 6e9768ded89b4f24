"""Opens every window and dialog of the app on the screen Qt was started with and reports what
does not fit: run by tests/ui/test_screen_fit.py in a fresh process per screen (the screen is
chosen when Qt starts), e.g. ``QT_QPA_PLATFORM=offscreen:configfile=screen.json``.

The screen given is what a laptop leaves for windows (its size less the taskbar). A window fits
when its client area plus a title bar (``TITLE_BAR``, which the offscreen screen does not draw)
fits in it; every visible button must lie wholly inside its window.
Prints one JSON object: {"screen": [w, h, dpr], "windows": {name: [w, h]}, "problems": [...]}.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

TITLE_BAR = 32


def _in_scroll_area(widget, window) -> bool:
    """Inside a scroll area a button can be scrolled to: it is reachable wherever it lies."""
    from PySide6.QtWidgets import QAbstractScrollArea

    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def main() -> int:
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

    from clerk_app.services import cards, events, signin
    from clerk_app.services.demo import generate_members
    from clerk_app.services.setup import SetupInput
    from clerk_app.ui.app import build_main_window, prepare_application
    from clerk_app.ui.card_dialogs import BatchPrintDialog, CardActionDialog, IssueCardDialog
    from clerk_app.ui.event_dialog import EventDialog
    from clerk_app.ui.first_run import FirstRunDialog
    from clerk_app.ui.hardship_dialog import HardshipFileDialog
    from clerk_app.ui.member_dialog import MemberDialog
    from clerk_app.ui.paper_entry import PaperEntryDialog
    from clerk_app.ui.print_actions import preview_card
    from clerk_app.ui.roster_export import ExportDialog
    from clerk_app.ui.roster_import_wizard import RosterImportWizard
    from clerk_app.ui.settings_dialog import SettingsDialog
    from clerk_app.ui.signin_desk import open_desk
    from clerk_app.ui.signin_join import JoinDialog
    from clerk_app.ui.status_dialog import StatusDialog
    from clerk_app.workspace import open_workspace
    from clerk_app import paths

    app = prepare_application()
    screen = app.primaryScreen()
    area = screen.availableGeometry()
    report = {"screen": [area.width(), area.height(), screen.devicePixelRatio()], "windows": {}, "problems": []}

    def check(name: str, widget: QWidget) -> None:
        widget.show()
        for _ in range(3):
            QApplication.processEvents()
        client = widget.geometry()  # without the frame: the title bar is added below
        report["windows"][name] = [client.width(), client.height()]
        if client.width() > area.width() or client.height() + TITLE_BAR > area.height():
            report["problems"].append(f"{name}: {client.width()}×{client.height()} 放不下"
                                      f"（可用 {area.width()}×{area.height() - TITLE_BAR}）")
        elif (client.left() < area.left() or client.right() > area.right()
              or client.top() - TITLE_BAR < area.top() - TITLE_BAR or client.bottom() > area.bottom()):
            report["problems"].append(f"{name}: 窗口 {client.getRect()} 有一部分在屏幕外")
        inside = widget.rect()
        for button in widget.findChildren(QAbstractButton):
            if not button.isVisibleTo(widget) or button.window() is not widget or _in_scroll_area(button, widget):
                continue
            rect = QRect(button.mapTo(widget, QPoint(0, 0)), button.size())
            if not inside.contains(rect):
                report["problems"].append(f"{name}: 按钮“{button.text() or button.objectName()}”在窗口外 {rect.getRect()}")

    with tempfile.TemporaryDirectory(prefix="clerk-fit-") as tmp:
        fresh = open_workspace(Path(tmp) / "fresh")
        check("首次设置", FirstRunDialog(fresh))
        fresh.close()

        ws = open_workspace(Path(tmp) / "data")
        try:
            ctx = ws.set_up(SetupInput(laptop_name="适配笔记本", union_name="大兴区黄村镇总工会", clerk_name="适配经办人",
                                       password="screen-fit-test"))
            ids = generate_members(ctx, 30, seed=11).saved
            cards.set_card_prefix(ctx, "DX07")
            card = cards.issue_card(ctx, ids[0])
            form = replace(events.new_event_input(ctx), title="适配活动", venue="广场")
            event = events.create_event(ctx, form)
            walk_in = signin.sign_in_walk_in(ctx, event.id, "张三", "13812340000", "快递员")

            window = build_main_window(ws)
            for row in range(window.nav.count()):
                window.nav.setCurrentRow(row)
                check(f"主窗口·{window.nav.item(row).text()}", window)
            status = window.statusBar()
            if not status.isVisible() or status.mapTo(window, QPoint(0, status.height())).y() > window.height():
                report["problems"].append("主窗口: 状态栏看不见")

            member = ids[1]
            dialogs = [
                ("入会登记", lambda: MemberDialog(ctx, parent=window)),
                ("编辑会员", lambda: MemberDialog(ctx, member, parent=window)),
                ("会籍变更", lambda: StatusDialog(ctx, member, "会员", "active", parent=window)),
                ("新建活动", lambda: EventDialog(ctx, parent=window)),
                ("发服务卡", lambda: IssueCardDialog(ctx, ids[2], parent=window)),
                ("挂失", lambda: CardActionDialog(ctx, card, "lost", parent=window)),
                ("批量打印", lambda: BatchPrintDialog(ctx, [card], parent=window)),
                ("本机设置", lambda: SettingsDialog(ctx, parent=window)),
                ("导出会员", lambda: ExportDialog(ctx, parent=window)),
                ("导入花名册", lambda: RosterImportWizard(ctx, paths.db_path(ws.folder), parent=window)),
                ("纸质签到录入", lambda: PaperEntryDialog(ctx, event.id, parent=window)),
                ("现场入会", lambda: JoinDialog(ctx, walk_in.attendee.id, parent=window)),
                ("打印预览", lambda: preview_card(window, ctx, card)),
                ("签到台", lambda: open_desk(ctx, event.id, window)),
                ("困难职工建档", lambda: HardshipFileDialog(ctx, parent=window)),
            ]
            for name, make in dialogs:
                widget = make()
                check(name, widget)
                widget.close()
            window.close()
        finally:
            ws.close()
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
