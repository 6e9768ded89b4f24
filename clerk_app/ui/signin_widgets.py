"""The parts of the sign-in desk: the scan field, the big coloured confirmation panel, the
member look-up and the walk-in form. They hold no database logic: the desk calls the
services and hands them the results."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QComboBox, QFormLayout, QFrame, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from ..clock import SYSTEM, Clock
from ..domain import vocab
from ..domain.cardno import BAD_CHECK, parse_card_no
from ..domain.errors import Issue, UserError
from ..domain.idnumber import mask
from ..domain.phone import mask_phone
from ..services import members as member_service
from ..services.context import Context
from ..services.signin import ALREADY, LEVEL_OK, LEVEL_REPEAT, LEVEL_WARNING, SignInResult
from .feedback import FieldError

SEARCH_DELAY_MS = 150
LOOKUP_LIMIT = 50
# level -> (background, border, text)
COLOURS = {LEVEL_OK: ("#e3f4e4", "#2e7d32", "#1b5e20"), LEVEL_REPEAT: ("#fff3d6", "#d08a00", "#7a4f00"),
           LEVEL_WARNING: ("#fde4e4", "#c62828", "#9b1c1c"), "idle": ("#f4f6f8", "#b0bec5", "#37474f")}
HEADLINES = {LEVEL_OK: "✔ 签到成功", LEVEL_REPEAT: "● 已签到过", LEVEL_WARNING: "✖ 未签到"}


def sized(widget: QWidget, points: float, bold: bool = False) -> QWidget:
    font = QFont(widget.font())
    font.setPointSizeF(points)
    font.setBold(bold)
    widget.setFont(font)
    return widget


def normalise_scan(text: str) -> str:
    """What the scanner typed, as the desk reads it: stripped, upper case, no control keys."""
    return "".join(ch for ch in (text or "") if ch.isprintable()).strip().upper()


def looks_like_card(text: str) -> bool:
    """A card number (right or mistyped), not a name, pinyin or the last digits of a number."""
    parsed = parse_card_no(text)
    return parsed.ok or parsed.error == BAD_CHECK


class ScanField(QLineEdit):
    """The line a USB scanner types into: never through the input method (a Chinese IME
    switched on would swallow the digits), Latin only, no prediction."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.setInputMethodHints(Qt.InputMethodHint.ImhLatinOnly | Qt.InputMethodHint.ImhNoPredictiveText
                                 | Qt.InputMethodHint.ImhPreferUppercase)
        self.setMaxLength(40)
        self.setPlaceholderText("请扫描服务卡二维码，或输入卡号后按回车")
        sized(self, 22)


class ResultPanel(QFrame):
    """What happened to the last person, readable from a metre away: headline, name, masked
    number, the sentence of the result; colour by level."""

    lookup_requested = Signal()
    join_requested = Signal()

    def __init__(self, parent: QWidget | None = None, clock: Clock = SYSTEM):
        super().__init__(parent)
        self.clock = clock
        self.setObjectName("resultPanel")
        self.level = "idle"
        self.headline = sized(QLabel(), 20, True)
        self.name = sized(QLabel(), 40, True)
        self.number = sized(QLabel(), 20)
        self.message = sized(QLabel(), 18)
        self.message.setWordWrap(True)
        for label in (self.headline, self.name, self.number, self.message):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.lookup_button = sized(QPushButton("查找此人（F2）"), 15, True)
        self.join_button = sized(QPushButton("现场入会…"), 15, True)
        for button in (self.lookup_button, self.join_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setMinimumHeight(48)
            button.hide()
        self.lookup_button.clicked.connect(self.lookup_requested)
        self.join_button.clicked.connect(self.join_requested)
        top = QHBoxLayout()
        top.addWidget(self.headline)
        top.addStretch(1)
        top.addWidget(self.join_button)
        top.addWidget(self.lookup_button)
        who = QHBoxLayout()
        who.addWidget(self.name)
        who.addSpacing(24)
        who.addWidget(self.number, 0, Qt.AlignmentFlag.AlignBottom)
        who.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 12, 20, 14)
        layout.addLayout(top)
        layout.addLayout(who)
        layout.addWidget(self.message)
        self.setMinimumHeight(180)
        self.show_idle()

    def _paint(self, level: str) -> None:
        self.level = level
        bg, border, text = COLOURS[level]
        self.setStyleSheet(f"QFrame#resultPanel {{ background: {bg}; border: 3px solid {border};"
                           f" border-radius: 10px; }} QFrame#resultPanel QLabel {{ color: {text}; }}"
                           f" QFrame#resultPanel QPushButton {{ background: {border}; color: white; border: none;"
                           f" border-radius: 6px; padding: 8px 22px; }}")

    def show_idle(self, text: str = "等待签到……") -> None:
        self._paint("idle")
        self.headline.setText(text)
        self.name.setText("")
        self.number.setText("")
        self.message.setText("扫码签到；没带卡的请点“查找会员”（F2），非会员请点“非会员登记”（F3）。")
        self.lookup_button.hide()
        self.join_button.hide()

    def show_result(self, result: SignInResult, *, can_join: bool = False) -> None:
        level = result.level
        self._paint(level)
        self.headline.setText(HEADLINES[level])
        a = result.attendee
        holder = result.lookup.holder if result.lookup is not None else None
        if a is not None:
            name, number = a.name, a.id_number_masked or a.phone_masked
        elif holder is not None:
            name, number = holder.name, holder.id_number_masked
        elif result.candidates:
            name, number = result.candidates[0].name, result.candidates[0].id_number_masked
        else:
            name, number = "", ""
        self.name.setText(name)
        self.number.setText(number)
        if result.ok and a is not None:  # the name is already in big letters: say when, where, how
            who = "非会员" if a.is_walk_in else "会员"
            self.message.setText(f"{a.time_label(self.clock.today())} 签到　·　{a.venue_label}　·　{who}　·　{a.method_label}")
        else:
            self.message.setText(result.message)
        if result.outcome == ALREADY and a is not None:
            self.headline.setText(f"● 已于 {a.time_label(self.clock.today())} 签到过，不重复计数")
        self.lookup_button.setVisible(level == LEVEL_WARNING)
        self.join_button.setVisible(can_join)

    def show_message(self, level: str, headline: str, text: str, name: str = "", number: str = "") -> None:
        self._paint(level)
        self.headline.setText(headline)
        self.name.setText(name)
        self.number.setText(number)
        self.message.setText(text)
        self.lookup_button.hide()
        self.join_button.hide()


def lookup_line(r, holder: bool = False) -> str:
    """One look-up row: what tells people of the same name apart — masked ID number, birth
    year, phone (last four shown), union, occupation — and a status that is not in the union."""
    status = "" if r.status in vocab.IN_UNION else f"　【{vocab.STATUSES.get(r.status, r.status)}】"
    born = f"{r.birth_date[:4]}年生" if r.birth_date[:4].isdigit() else ""
    first = "　".join(p for p in (r.name, mask(r.id_number), born) if p) + status
    second = "　".join(p for p in (mask_phone(r.phone), r.union_name, r.occupation) if p)
    # two lines: the look-up column is narrow, and the second line is what sets namesakes apart
    return ("【此卡持卡人】" if holder else "") + first + "\n" + second


class LookupPanel(QWidget):
    """Find a member without their card: name, pinyin, last digits of phone or ID number.
    Only one match, or the card holder named by a scanned card, is selected for Enter; when
    several match, nothing is until the clerk picks one (Up/Down or a click), so Enter never
    signs in whoever happens to be listed first. A double click signs in that row."""

    chosen = Signal(str)  # member id
    results_shown = Signal(int)
    card_scanned = Signal(str)  # a card was scanned while the look-up box had the focus

    def __init__(self, ctx: Context, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.box = sized(QLineEdit(), 18)
        self.box.setPlaceholderText("姓名、拼音首字母（如 wxm）、手机号或身份证号后几位")
        self.box.setClearButtonEnabled(True)
        self.results = sized(QListWidget(), 16)
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.results.setAlternatingRowColors(True)
        self.results.setStyleSheet("QListWidget::item { padding: 6px; }")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.sign_button = sized(QPushButton("签到所选会员（Enter）"), 15, True)
        self.sign_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sign_button.setMinimumHeight(44)
        row = QHBoxLayout()
        row.addWidget(self.note, 1)
        row.addWidget(self.sign_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.box)
        layout.addWidget(self.results, 1)
        layout.addLayout(row)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self._holder = None  # the card holder's row, while the box still shows what 查找此人 put there
        self.box.textChanged.connect(self._typed)
        self.box.installEventFilter(self)
        self.results.itemDoubleClicked.connect(lambda _item: self.choose())
        self.sign_button.clicked.connect(self.choose)

    def run_search(self) -> None:
        self._timer.stop()
        self.results.clear()
        query = self.box.text().strip()
        rows = member_service.search(self.ctx, query, limit=LOOKUP_LIMIT) if query else []
        holder = self._holder
        if holder is not None:  # the card named its holder: listed first, whatever the search ranks
            rows = [r for r in rows if r.id != holder.id]
            rows.insert(0, holder)
        for i, r in enumerate(rows):
            item = QListWidgetItem(lookup_line(r, holder=holder is not None and i == 0))
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            self.results.addItem(item)
        self.results.setCurrentRow(0 if len(rows) == 1 or holder is not None else -1)
        more = "（只显示前 {} 名，请多输入几个字）".format(len(rows)) if len(rows) >= LOOKUP_LIMIT else ""
        pick = "，请用 ↑↓ 或鼠标选中本人" if len(rows) > 1 and holder is None else ""
        self.note.setText(f"找到 {len(rows)} 人{more}{pick}" if query or rows else "")
        self.sign_button.setEnabled(bool(rows))
        self.results_shown.emit(len(rows))

    def _typed(self, _text: str) -> None:
        self._holder = None  # the clerk searches for someone else now
        self._timer.start()

    def _holder_row(self, member_id: str):
        try:
            id_number = member_service.get_member(self.ctx, member_id).id_number
        except UserError:
            return None
        found = [r for r in member_service.search(self.ctx, id_number, limit=1) if r.id == member_id]
        return found[0] if found else None

    def selected_id(self) -> str | None:
        item = self.results.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def choose(self) -> None:
        member_id = self.selected_id()
        if member_id:
            self.chosen.emit(member_id)

    def start(self, text: str = "", holder_id: str | None = None) -> None:
        """Open the look-up with ``text`` searched; ``holder_id`` (the member a scanned card
        belongs to) is listed first and selected."""
        self._holder = self._holder_row(holder_id) if holder_id else None
        self.box.blockSignals(True)  # no second search from the timer
        self.box.setText(text)
        self.box.blockSignals(False)
        self.run_search()
        self.box.setFocus()
        self.box.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.box and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if looks_like_card(self.box.text()):
                    text = self.box.text()
                    self.box.clear()
                    self.card_scanned.emit(text)
                elif self._timer.isActive():  # results not on screen yet: show them, sign in on the next Enter
                    self.run_search()
                else:
                    self.choose()
                return True
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.results.count():
                last, row = self.results.count() - 1, self.results.currentRow()
                if row < 0:  # nothing picked yet: Down picks the first, Up the last
                    row = 0 if key == Qt.Key.Key_Down else last
                else:
                    row = max(0, min(last, row + (1 if key == Qt.Key.Key_Down else -1)))
                self.results.setCurrentRow(row)
                return True
        return super().eventFilter(watched, event)


class WalkInPanel(QWidget):
    """A person who is not a member: name, phone, occupation, employer or platform."""

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.name = sized(QLineEdit(), 16)
        self.name.setMaxLength(30)
        self.phone = sized(QLineEdit(), 16)
        self.phone.setMaxLength(20)
        self.phone.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.occupation = sized(QComboBox(), 16)
        self.occupation.setEditable(True)
        self.occupation.addItems(list(vocab.OCCUPATIONS))
        self.employer = sized(QComboBox(), 16)
        self.employer.setEditable(True)
        self.employer.addItems(list(vocab.PLATFORMS))
        for box in (self.occupation, self.employer):
            box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            box.setCurrentIndex(-1)
            box.setEditText("")
        self.employer.lineEdit().setPlaceholderText("工作单位，或所在平台")
        self.errors = {name: FieldError() for name in ("name", "phone", "occupation", "employer")}
        self.general_error = FieldError()
        self.submit_button = sized(QPushButton("登记签到（Enter）"), 15, True)
        self.submit_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.submit_button.setMinimumHeight(44)
        form = QFormLayout()
        for label, name in (("* 姓名", "name"), ("* 手机号", "phone"), ("职业", "occupation"), ("单位/平台", "employer")):
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(getattr(self, name))
            column.addWidget(self.errors[name])
            form.addRow(sized(QLabel(label + "："), 15), column)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.submit_button)
        layout.addStretch(1)
        self.submit_button.clicked.connect(self.submitted)
        # The combos too: an editable combo takes the key itself and keeps Enter from its line edit.
        for widget in (self.name, self.phone, self.occupation, self.occupation.lineEdit(), self.employer,
                       self.employer.lineEdit()):
            widget.installEventFilter(self)

    def typing_widgets(self) -> list[QWidget]:
        return [self.name, self.phone, self.occupation, self.occupation.lineEdit(), self.employer,
                self.employer.lineEdit()]

    def values(self) -> tuple[str, str, str, str]:
        return (self.name.text(), self.phone.text(), self.occupation.currentText(), self.employer.currentText())

    def clear(self) -> None:
        self.name.clear()
        self.phone.clear()
        self.occupation.setEditText("")
        self.employer.setEditText("")
        self.clear_errors()

    def clear_errors(self) -> None:
        self.general_error.clear_error()
        for err in self.errors.values():
            err.clear_error()

    def show_issues(self, issues: list[Issue]) -> None:
        self.clear_errors()
        first = None
        for issue in issues:
            self.errors.get(issue.field, self.general_error).show_error(issue.message)
            first = first or {"name": self.name, "phone": self.phone}.get(issue.field)
        (first or self.name).setFocus()

    def start(self) -> None:
        self.name.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            popup = any(box.view().isVisible() for box in (self.occupation, self.employer))
            if not popup:
                self.submitted.emit()
                return True
        return super().eventFilter(watched, event)
