"""活动签到台: the window a clerk keeps open at the door of an event, built for a queue.

The scan field has the focus whenever the clerk is not typing in the look-up or the walk-in
form: after every sign-in, after every dialog, and when they click anywhere else. Each action
is one short service call on the main thread (well under a millisecond), so a scanner's burst
is handled key by key in order: nothing lost, merged or doubled."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QMouseEvent, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QComboBox, QDialog, QHBoxLayout, QHeaderView,
                               QLabel, QPushButton, QSplitter, QTableView, QTabWidget, QVBoxLayout,
                               QWidget)

from ..domain.errors import UserError, ValidationFailed
from ..domain.records import Attendance
from ..services import events as event_service
from ..services import signin
from ..services.context import Context
from . import crash
from .event_models import ROW_ROLE, AttendanceModel
from .feedback import ask_choice, run_modal
from .scan_router import ScanRouter
from .signin_widgets import LookupPanel, ResultPanel, ScanField, WalkInPanel, normalise_scan, sized
from .tally_panel import TallyPanel
from .screen_fit import fit_to_screen
from .help import show_help

TAB_LOOKUP, TAB_WALK_IN, TAB_TALLY = range(3)


class SignInDesk(QWidget):
    """``SignInDesk(ctx, event_id)``: a top-level window for one event."""

    changed = Signal()  # attendance, joins or tallies changed (the events page refreshes)
    result_shown = Signal(object)  # every SignInResult the panel shows

    def __init__(self, ctx: Context, event_id: str, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.ctx = ctx
        self.meeting = event_service.get_event(ctx, event_id)
        self.last_result: signin.SignInResult | None = None
        self.last_walk_in: Attendance | None = None
        self._watching = False
        self.setWindowTitle(f"活动签到 — {self.meeting.title}")
        self._build()
        self.reload()
        self.back_to_scan()

    # --- building -------------------------------------------------------------------------
    def _build(self) -> None:
        ev = self.meeting
        title = sized(QLabel(ev.title), 20, True)
        where = sized(QLabel(f"{ev.when_label}　{ev.venue}　{ev.type}"), 13)
        where.setStyleSheet("color: #546e7a;")
        self.venue = sized(QComboBox(), 15)
        self.venue.addItems(list(ev.venue_choices))
        self.venue.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.venue.setEnabled(len(ev.venue_choices) > 1)
        self.venue.activated.connect(lambda _i: self.back_to_scan())
        self.count_label = sized(QLabel(), 26, True)
        self.count_label.setStyleSheet("color: #0d47a1;")
        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(title)
        titles.addWidget(where)
        head.addLayout(titles, 1)
        head.addWidget(sized(QLabel("签到会场："), 15))
        head.addWidget(self.venue)
        head.addSpacing(24)
        head.addWidget(self.count_label)

        self.scan = ScanField()
        self.scan.returnPressed.connect(self.on_scan)
        self.router = ScanRouter(self, self.scan)  # a scan while a dialog or another field has the keys
        self.router.scanned.connect(self.scan_elsewhere)
        scan_row = QHBoxLayout()
        scan_row.addWidget(sized(QLabel("扫码："), 20, True))
        scan_row.addWidget(self.scan, 1)

        self.panel = ResultPanel(clock=self.ctx.clock)
        self.panel.lookup_requested.connect(self.lookup_last)
        self.panel.join_requested.connect(lambda: self.join_now())

        self.lookup = LookupPanel(self.ctx)
        self.lookup.chosen.connect(self.sign_in_member)
        self.lookup.card_scanned.connect(self.scan_text)
        self.walk_in = WalkInPanel()
        self.walk_in.submitted.connect(lambda: self.sign_in_walk_in())
        self.tally = TallyPanel(self.ctx, ev.id)
        self.tally.changed.connect(self.changed)
        self.tabs = QTabWidget()
        sized(self.tabs.tabBar(), 15, True)
        self.tabs.tabBar().setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tabs.addTab(self.lookup, "查找会员（F2）")
        self.tabs.addTab(self.walk_in, "非会员登记（F3）")
        self.tabs.addTab(self.tally, "现场统计（F4）")
        self.tabs.tabBar().tabBarClicked.connect(self._tab_clicked)

        self.model = AttendanceModel(self, clock=self.ctx.clock)
        self.table = QTableView()
        self.table.setModel(self.model)
        sized(self.table, 13)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(int(self.table.fontMetrics().height() * 1.6))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        han, digit = self.table.fontMetrics().horizontalAdvance("国"), self.table.fontMetrics().horizontalAdvance("0")
        for col, (chars, digits) in enumerate(((0, 5), (3, 0), (0, 18), (2, 0), (4, 0))):  # time .. method
            self.table.setColumnWidth(col, chars * han + digits * digit + 8)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.undo_button = QPushButton("撤销所选签到")
        self.join_button = QPushButton("现场入会…")
        self.paper_button = QPushButton("纸质签到表补录…")
        self.sheet_button = QPushButton("打印签到表…")
        self.kiosk_button = QPushButton("自助签到…")
        self.kiosk_button.setToolTip("离开签到台时使用：只能扫码签到，结束需要经办人密码")
        self.kiosk_button.clicked.connect(lambda: self.start_kiosk())
        self.undo_button.clicked.connect(self.undo_selected)
        self.join_button.clicked.connect(lambda: self.join_now(self.selected()))
        self.paper_button.clicked.connect(self.enter_paper)
        self.sheet_button.clicked.connect(self.print_sheet)
        recent_buttons = QHBoxLayout()
        for button in (self.undo_button, self.join_button, self.paper_button, self.sheet_button, self.kiosk_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            sized(button, 13)
            recent_buttons.addWidget(button)
        recent_buttons.addStretch(1)
        recent = QWidget()
        recent_layout = QVBoxLayout(recent)
        recent_layout.setContentsMargins(0, 0, 0, 0)
        recent_layout.addWidget(sized(QLabel("最近签到"), 15, True))
        recent_layout.addWidget(self.table, 1)
        recent_layout.addLayout(recent_buttons)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.tabs)
        split.addWidget(recent)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([860, 480])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(head)
        layout.addLayout(scan_row)
        layout.addWidget(self.panel)
        layout.addWidget(split, 1)

        QShortcut(QKeySequence("F2"), self, lambda: self.open_tab(TAB_LOOKUP))
        QShortcut(QKeySequence("F3"), self, lambda: self.open_tab(TAB_WALK_IN))
        QShortcut(QKeySequence("F4"), self, lambda: self.open_tab(TAB_TALLY))
        QShortcut(QKeySequence("Esc"), self, self.back_to_scan)
        QShortcut(QKeySequence("F1"), self, lambda: show_help(self, "desk"))
        self.typing = {self.scan, self.lookup.box, *self.walk_in.typing_widgets(), *self.tally.typing_widgets()}
        fit_to_screen(self, 1360, 860)

    # --- focus ------------------------------------------------------------------------------
    def back_to_scan(self) -> None:
        """The scanner's field gets the focus; after a question or dialog closed, the desk is
        brought back to the front too (the queue is waiting), unless another dialog is open."""
        if self.isVisible() and not self.isActiveWindow() and QApplication.activeModalWidget() is None \
                and QApplication.activePopupWidget() is None:
            self.activateWindow()
        self.scan.setFocus(Qt.FocusReason.OtherFocusReason)

    def _later_back_to_scan(self) -> None:
        QTimer.singleShot(0, self.back_to_scan)

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        """Anything inside the desk other than a typing field that gets the focus gives it back."""
        if new is not None and new not in self.typing and self.isAncestorOf(new):
            self._later_back_to_scan()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._watching:
            QApplication.instance().focusChanged.connect(self._focus_moved)
            self._watching = True
        self.router.install()

    def hideEvent(self, event) -> None:
        self.router.remove()
        if self._watching:
            QApplication.instance().focusChanged.disconnect(self._focus_moved)
            self._watching = False
        super().hideEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # a click on nothing in particular
        self.back_to_scan()
        super().mousePressEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow() \
                and QApplication.focusWidget() not in self.typing:
            self._later_back_to_scan()

    def _tab_clicked(self, index: int) -> None:
        QTimer.singleShot(0, lambda: self.open_tab(index))

    def open_tab(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)
        if index == TAB_LOOKUP:
            self.lookup.box.setFocus()
            self.lookup.box.selectAll()
        elif index == TAB_WALK_IN:
            self.walk_in.start()
        else:
            self.back_to_scan()

    # --- results ----------------------------------------------------------------------------
    def reload(self) -> None:
        rows = signin.attendance(self.ctx, self.meeting.id)
        self.model.set_rows(list(reversed(rows)))
        self._show_count(len(rows))
        self._update_buttons()

    def _show_count(self, count: int) -> None:
        self.count_label.setText(f"已签到 {count} 人")

    def place(self) -> str | None:
        return self.venue.currentText() or None

    def show_result(self, result: signin.SignInResult) -> None:
        self.last_result = result
        if result.ok and result.attendee is not None:
            self.model.add_first(result.attendee)
            if result.attendee.is_walk_in and not result.attendee.member_id:
                self.last_walk_in = result.attendee
            self.changed.emit()
        can_join = bool(result.attendee and result.attendee.is_walk_in and not result.attendee.member_id)
        self.panel.show_result(result, can_join=can_join)
        self._show_count(result.count)
        self._update_buttons()
        QApplication.beep()
        if result.level == signin.LEVEL_WARNING:
            QTimer.singleShot(180, QApplication.beep)  # a second beep: look at the screen
        self.result_shown.emit(result)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.panel.show_message(signin.LEVEL_WARNING, "✖ 未签到", exc.message)
            QApplication.beep()
        else:
            crash.report_bug(exc, self)

    # --- actions ----------------------------------------------------------------------------
    def on_scan(self) -> None:
        text = normalise_scan(self.scan.text())
        self.scan.clear()
        if text:
            self.scan_text(text)
        self.back_to_scan()

    def scan_text(self, text: str) -> None:
        try:
            self.show_result(signin.sign_in_scan(self.ctx, self.meeting.id, normalise_scan(text), self.place()))
        except Exception as exc:  # noqa: BLE001 - shown (a clerk's problem) or reported (a bug)
            self._failed(exc)
        self.back_to_scan()

    def scan_elsewhere(self, text: str, aimed_at: QWidget | None) -> None:
        """A scanner burst that arrived while a dialog of the desk or a typing field (look-up,
        walk-in form, tally label) had the keys: signed in now, like a scan into the scan
        field. A dialog stays open as it was; the walk-in form keeps the clerk's place."""
        keep = aimed_at if aimed_at is not None and aimed_at in self.typing and aimed_at is not self.lookup.box \
            and self.isAncestorOf(aimed_at) else None
        self.scan_text(text)
        if keep is not None:
            keep.setFocus(Qt.FocusReason.OtherFocusReason)

    def lookup_last(self) -> None:
        """查找此人: the look-up tab. A lost, cancelled or replaced card names its holder: that
        person is listed first and selected (others of the same name below). An unknown
        number names nobody: the look-up opens empty for the clerk to type the name."""
        result = self.last_result
        holder = result.lookup.holder if result is not None and result.lookup is not None else None
        if holder is None and result is not None and result.outcome == signin.NOT_IN_UNION and result.candidates:
            holder = result.candidates[0]
        self.tabs.setCurrentIndex(TAB_LOOKUP)
        if holder is None:
            self.lookup.start("")
        else:
            self.lookup.start(holder.name, holder.member_id)

    def sign_in_member(self, member_id: str) -> None:
        try:
            self.show_result(signin.sign_in_member(self.ctx, self.meeting.id, member_id, sub_venue=self.place()))
        except Exception as exc:  # noqa: BLE001
            self._failed(exc)
        self.back_to_scan()

    def sign_in_walk_in(self, confirm_not_member: bool = False) -> None:
        name, phone, occupation, employer = self.walk_in.values()
        try:
            result = signin.sign_in_walk_in(self.ctx, self.meeting.id, name, phone, occupation, employer,
                                            self.place(), confirm_not_member=confirm_not_member)
        except ValidationFailed as exc:
            self.walk_in.show_issues(exc.issues)
            return
        except Exception as exc:  # noqa: BLE001
            self._failed(exc)
            return
        if result.outcome == signin.PHONE_IS_MEMBER:
            self.show_result(result)
            self._phone_is_member(result)
            return
        self.walk_in.clear()
        self.show_result(result)
        self.back_to_scan()

    def _phone_is_member(self, result: signin.SignInResult) -> None:
        choices = [f"按会员签到：{c.name}（{c.id_number_masked}）" for c in result.candidates]
        choices += ["不是本人，按非会员登记", "返回修改"]
        pick = ask_choice(self, "手机号已登记为会员", result.message + "\n\n请核对本人身份。", choices)
        if pick < len(result.candidates):
            self.walk_in.clear()
            self.sign_in_member(result.candidates[pick].member_id)
        elif pick == len(result.candidates):
            self.sign_in_walk_in(confirm_not_member=True)
        else:
            self.walk_in.phone.setFocus()

    def selected(self) -> Attendance | None:
        index = self.table.currentIndex()
        return self.model.data(index, ROW_ROLE) if index.isValid() else None

    def _update_buttons(self) -> None:
        row = self.selected()
        self.undo_button.setEnabled(row is not None and not row.joined)
        self.join_button.setEnabled(row is not None and row.is_walk_in and not row.member_id)

    def undo_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        if ask_choice(self, "撤销签到", f"撤销 {row.name}（{row.id_number_masked or row.phone_masked}）"
                      f"于 {row.time_label(self.ctx.today())} 的签到吗？\n（用于点错了人；撤销后不计入本次活动人数）",
                      ["撤销签到", "不撤销"], escape=1) == 0:
            try:
                signin.remove_attendance(self.ctx, row.id)
            except Exception as exc:  # noqa: BLE001
                self._failed(exc)
            else:
                self.reload()
                self.panel.show_idle(f"已撤销 {row.name} 的签到")
                self.changed.emit()
        self.back_to_scan()

    def join_now(self, attendee: Attendance | None = None) -> QDialog | None:
        """现场入会: the registration form filled in from the walk-in; a card at the same desk."""
        from .signin_join import JoinDialog

        attendee = attendee or self.last_walk_in
        if attendee is None:
            return None
        try:
            dialog = JoinDialog(self.ctx, attendee.id, self)
        except UserError as exc:
            self._failed(exc)
            return None
        if run_modal(dialog) == QDialog.DialogCode.Accepted and dialog.join is not None:
            self._joined(dialog.join)
        self.back_to_scan()
        return dialog

    def _joined(self, join: signin.JoinResult) -> None:
        if self.last_walk_in is not None and self.last_walk_in.id == join.attendee.id:
            self.last_walk_in = None
        self.reload()
        self.tally.refresh_summary()
        level = signin.LEVEL_REPEAT if join.card_problem else signin.LEVEL_OK
        number = join.card.grouped_no if join.card else ""
        self.panel.show_message(level, "✔ 现场入会", join.message, join.attendee.name, number)
        self.changed.emit()
        if join.card is not None and ask_choice(
                self, "打印服务卡", f"已为{join.attendee.name}发放服务卡 {join.card.grouped_no}。现在打印这张卡吗？",
                ["打印服务卡…", "以后再打印"], escape=1) == 0:
            from .print_actions import preview_card

            self._back_to_scan_after(preview_card(self, self.ctx, join.card))

    def enter_paper(self) -> None:
        from .paper_entry import PaperEntryDialog

        dialog = PaperEntryDialog(self.ctx, self.meeting.id, self)
        run_modal(dialog)
        if dialog.saved_count:
            self.reload()
            self.tally.refresh_summary()
            self.changed.emit()
        self.back_to_scan()

    def print_sheet(self) -> None:
        from .event_prints import preview_signin_sheet

        blank = ask_choice(self, "打印签到表", "打印哪一种签到表？",
                           ["已签到名单（手机号隐去部分数字）", "空白签到表（手写用）", "取消"], escape=2)
        if blank < 2:
            self._back_to_scan_after(preview_signin_sheet(self, self.ctx, self.meeting.id, blank=blank == 1))
        self.back_to_scan()

    def _back_to_scan_after(self, preview: QDialog | None) -> None:
        """When the print preview (None: it could not be made) closes, the scanner gets the focus."""
        if preview is not None:
            preview.finished.connect(lambda _r: self._later_back_to_scan())

    def start_kiosk(self, full_screen: bool = True):
        """自助签到 on this event and place; the desk comes back (reloaded) when it ends."""
        from .kiosk import KioskWindow

        self.kiosk = KioskWindow(self.ctx, self.meeting.id, self.place())
        self.kiosk.ended.connect(self.reload)
        self.kiosk.ended.connect(self.changed)
        self.kiosk.start(full_screen)
        return self.kiosk

    def closeEvent(self, event: QCloseEvent) -> None:
        self.changed.emit()
        super().closeEvent(event)


def open_desk(ctx: Context, event_id: str, parent: QWidget | None = None) -> SignInDesk:
    desk = SignInDesk(ctx, event_id, parent)
    desk.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    desk.show()
    desk.raise_()
    desk.activateWindow()
    return desk

