"""入会登记 / 编辑会员: every field of the register form, checked live, never losing input.

Keyboard only: Tab walks every field in form order, Enter saves from any single-line field,
Esc cancels (asking first when something was typed). Birth date and gender come from the ID
number and are shown, never typed.

What a clerk fills in at an event comes first (name, ID, phone, occupation, platform, employer,
consent); the rest of the 登记表 waits under 更多信息 with its usual values filled in. An ID
number that is already registered is named as its 18th character is typed (打开该会员). An edit
shows ID and phone masked until 显示完整号码 (audited), and saves the stored values meanwhile."""

from __future__ import annotations

import datetime as _dt
from html import escape

from PySide6.QtCore import QDate, QEvent, QObject, Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout,
                               QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
                               QPlainTextEdit, QPushButton, QScrollArea, QToolButton, QVBoxLayout, QWidget)

from ..domain import vocab
from ..domain.errors import DuplicateIdNumber, Issue, PossibleDuplicate, UserError, ValidationFailed
from ..domain.idnumber import check_id, mask, masked_birth, normalise
from ..domain.messages import message
from ..domain.phone import mask_phone
from ..domain.member import LABELS, MemberInput, validate_member
from ..domain.records import MemberFile
from ..services import members as member_service
from ..services.context import Context
from ..services.reveal import reveal_member
from ..services.unions import list_unions
from .feedback import ERROR, HINT, OK, WARNING, FieldError, ask_choice
from .screen_fit import fit_to_screen

OPEN_EXISTING = 2  # dialog result: the clerk chose to open an already registered member
_SINGLE_LINE = (QLineEdit, QComboBox, QDateEdit, QCheckBox)


class DateField(QDateEdit):
    """A date box that Tab leaves at once (QDateEdit's Tab walks year, month, day first);
    the arrow keys still move between the parts."""

    def __init__(self, day: _dt.date, parent: QWidget | None = None):
        super().__init__(QDate(day.year, day.month, day.day), parent)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setCalendarPopup(True)

    def focusNextPrevChild(self, next_: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next_)


def _combo(items, *, editable: bool = False, blank: bool = False) -> QComboBox:
    box = QComboBox()
    if blank:
        box.addItem("")
    box.addItems(list(items))
    box.setEditable(editable)
    if editable:
        box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        box.setCurrentIndex(-1)
        box.setEditText("")
    box.setMaxVisibleItems(15)
    return box


def _on_edit(widget: QWidget, clear) -> None:
    """Call ``clear`` when the clerk changes ``widget``: a corrected field drops its message at once."""
    if isinstance(widget, QLineEdit):
        widget.textEdited.connect(lambda *_: clear())
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(lambda *_: clear())
        if widget.isEditable():
            widget.lineEdit().textEdited.connect(lambda *_: clear())
    elif isinstance(widget, QDateEdit):
        widget.dateChanged.connect(lambda *_: clear())
    elif isinstance(widget, QCheckBox):
        widget.toggled.connect(lambda *_: clear())
    elif isinstance(widget, QPlainTextEdit):
        widget.textChanged.connect(clear)


class MemberDialog(QDialog):
    """``MemberDialog(ctx)`` registers a new member; ``MemberDialog(ctx, member_id)`` edits one.

    After ``exec()``: ``Accepted`` -> ``saved_id`` is the member saved; ``OPEN_EXISTING`` ->
    ``existing_member_id`` is the already registered member the clerk asked to open."""

    def __init__(self, ctx: Context, member_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.member_id = member_id
        self.saved_id: str | None = None
        self.existing_member_id: str | None = None
        self.errors: dict[str, FieldError] = {}
        self._tab_chain: list[QWidget] = []
        self._saving = False
        self._hidden: dict[str, str] | None = None  # an edit's real ID and phone, while shown masked
        self._existing: str | None = None  # the member the typed ID number belongs to
        self.setWindowTitle("编辑会员信息" if member_id else "新会员入会登记")
        self._build()
        if member_id:
            self._load(member_service.get_member_file(ctx, member_id))
            self.show_more(True)
        self._initial = self.read_input()
        self.name.setFocus()

    # --- building -------------------------------------------------------------------------
    def _field(self, form: QFormLayout, name: str, widget: QWidget, label: str | None = None,
               required: bool = False, extra: QWidget | None = None) -> QWidget:
        err = self.errors.setdefault(name, FieldError())
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(widget)
        if extra is not None:
            column.addWidget(extra)
        column.addWidget(err)
        text = (label or LABELS.get(name, name)) + "："
        form.addRow(("* " if required else "") + text, column)
        if widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
            self._tab_chain.append(widget)
        _on_edit(widget, err.clear_error)
        return widget

    def _build(self) -> None:
        self.general_error = FieldError()

        self.name = QLineEdit()
        self.name.setMaxLength(30)
        self.id_number = QLineEdit()
        self.id_number.setMaxLength(24)
        self.id_number.setPlaceholderText("18 位，末位可以是 X")
        self.id_number.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.birth_date = QLabel("—")
        self.gender = QLabel("—")
        self.phone = QLineEdit()
        self.phone.setMaxLength(20)
        self.phone.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.ethnicity = _combo(vocab.ETHNICITIES)
        self.education = _combo(vocab.EDUCATION, blank=True)
        self.political_status = _combo(vocab.POLITICAL_STATUS, blank=True)
        self.household_type = _combo(vocab.HOUSEHOLD_TYPES, blank=True)
        self.native_place = QLineEdit()

        self.union = QComboBox()
        for union in list_unions(self.ctx):
            self.union.addItem(union.name, union.id)
        home = self.union.findData(self.ctx.home_union_id)
        self.union.setCurrentIndex(max(home, 0))
        today = self.ctx.today()
        self.join_date = DateField(today)
        self.join_date.setMaximumDate(QDate(today.year, today.month, today.day))
        self.join_channel = QComboBox()
        for code, text in vocab.JOIN_CHANNELS.items():
            self.join_channel.addItem(text, code)
        self.occupation = _combo(vocab.OCCUPATIONS, editable=True)
        self.platform = _combo(vocab.PLATFORMS, editable=True)
        self.employer = QLineEdit()
        self.work_area = QLineEdit()
        self.job_title = QLineEdit()
        self.professional_title = QLineEdit()
        self.salary = QLineEdit()
        self.salary.setPlaceholderText("元/月，可不填")
        self.member_card_no = QLineEdit()

        self.family_info = QPlainTextEdit()
        self.resume = QPlainTextEdit()
        self.remarks = QPlainTextEdit()
        self.consent_method = QComboBox()
        for code, text in vocab.CONSENT_METHODS.items():
            self.consent_method.addItem(text, code)
        self.consent_method.setCurrentIndex(max(self.consent_method.findData(MemberInput().consent_method), 0))
        self.consent = QCheckBox("* 已向本人告知《个人信息处理告知书》，本人同意登记以上信息")

        # The ID row: live feedback, the already registered member (打开该会员), and in an edit
        # the masked numbers' 显示完整号码.
        self.id_feedback = FieldError()
        self.open_existing_button = QPushButton("打开该会员")
        self.open_existing_button.setToolTip("不再登记，打开已登记的这位会员")
        self.open_existing_button.clicked.connect(self.open_existing)
        self.open_existing_button.hide()
        self.reveal_button = QPushButton("显示完整号码")
        self.reveal_button.setToolTip("显示并修改完整的身份证号码和手机号码（会记录查看日志）")
        self.reveal_button.clicked.connect(self.reveal_numbers)
        self.reveal_button.hide()
        id_extra = QWidget()
        id_column = QVBoxLayout(id_extra)
        id_column.setContentsMargins(0, 0, 0, 0)
        id_column.setSpacing(2)
        id_column.addWidget(self.id_feedback)
        id_buttons = QHBoxLayout()
        id_buttons.addWidget(self.open_existing_button)
        id_buttons.addWidget(self.reveal_button)
        id_buttons.addStretch(1)
        id_column.addLayout(id_buttons)

        # First what a clerk fills in at an event; the rest of the 登记表 under 更多信息.
        quick = QGroupBox("现场登记（带 * 的必填）")
        qform = QFormLayout(quick)
        self._field(qform, "name", self.name, required=True)
        self._field(qform, "id_number", self.id_number, required=True, extra=id_extra)
        self._tab_chain += [self.open_existing_button, self.reveal_button]  # skipped while hidden
        derived = QHBoxLayout()
        derived.addWidget(self.birth_date)
        derived.addSpacing(24)
        derived.addWidget(QLabel("性别："))
        derived.addWidget(self.gender)
        derived.addStretch(1)
        qform.addRow("出生日期：", derived)
        self._field(qform, "phone", self.phone, required=True)
        self._field(qform, "occupation", self.occupation, required=True)
        self._field(qform, "platform", self.platform)
        self._field(qform, "employer", self.employer)

        consent_box = QWidget()
        consent_layout = QVBoxLayout(consent_box)
        consent_layout.setContentsMargins(0, 0, 0, 0)
        consent_row = QHBoxLayout()
        consent_row.addWidget(self.consent, 1)
        consent_row.addWidget(QLabel("确认方式："))
        consent_row.addWidget(self.consent_method)
        consent_layout.addLayout(consent_row)
        self.errors["consent_method"] = FieldError()
        consent_layout.addWidget(self.errors["consent_method"])
        self._tab_chain += [self.consent, self.consent_method]
        for widget in (self.consent, self.consent_method):
            _on_edit(widget, self.errors["consent_method"].clear_error)

        self.more_button = QToolButton()
        self.more_button.setCheckable(True)
        self.more_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.more_button.setText("更多信息（民族、学历、入会日期等，已填常用值）")
        self.more_button.setToolTip("登记表的其余各项：不展开也能保存")
        self.more_button.setArrowType(Qt.ArrowType.RightArrow)
        self.more_button.toggled.connect(self.show_more)
        self._tab_chain.append(self.more_button)

        person = QGroupBox("个人信息")
        pform = QFormLayout(person)
        self._field(pform, "ethnicity", self.ethnicity, required=True)
        self._field(pform, "education", self.education)
        self._field(pform, "political_status", self.political_status)
        self._field(pform, "household_type", self.household_type)
        self._field(pform, "native_place", self.native_place)
        self._field(pform, "salary", self.salary)

        work = QGroupBox("入会与工作")
        wform = QFormLayout(work)
        self._field(wform, "union_id", self.union, required=True)
        self._field(wform, "join_date", self.join_date, required=True)
        self._field(wform, "join_channel", self.join_channel, required=True)
        self._field(wform, "work_area", self.work_area)
        self._field(wform, "job_title", self.job_title)
        self._field(wform, "professional_title", self.professional_title)
        self._field(wform, "member_card_no", self.member_card_no)

        others = QGroupBox("其他（选填）")
        mgrid = QGridLayout(others)
        for col, name in enumerate(("family_info", "resume", "remarks")):
            edit: QPlainTextEdit = getattr(self, name)
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 2 + 14)
            self.errors[name] = FieldError()
            mgrid.addWidget(QLabel(LABELS[name] + "："), 0, col)
            mgrid.addWidget(edit, 1, col)
            mgrid.addWidget(self.errors[name], 2, col)
            self._tab_chain.append(edit)
            _on_edit(edit, self.errors[name].clear_error)

        self.more_panel = QWidget()
        more_grid = QGridLayout(self.more_panel)
        more_grid.setContentsMargins(0, 0, 0, 0)
        more_grid.addWidget(person, 0, 0)
        more_grid.addWidget(work, 0, 1)
        more_grid.addWidget(others, 1, 0, 1, 2)
        self.more_panel.hide()

        if self.member_id:
            self.consent.setChecked(True)
            self.consent.setEnabled(False)
            self.consent_method.setEnabled(False)
            self.join_date.setEnabled(False)
            self.join_channel.setEnabled(False)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("保存（Enter）")
        self.save_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消（Esc）")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(self.general_error)
        column.addWidget(quick)
        column.addWidget(consent_box)
        column.addWidget(self.more_button)
        column.addWidget(self.more_panel)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the form wraps, never pans
        scroll.setWidget(content)
        self.scroll = scroll
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)  # the buttons stay in view whatever the screen height

        for earlier, later in zip(self._tab_chain, self._tab_chain[1:]):
            QWidget.setTabOrder(earlier, later)
        QWidget.setTabOrder(self._tab_chain[-1], self.save_button)
        for widget in self._tab_chain:
            if isinstance(widget, _SINGLE_LINE):
                widget.installEventFilter(self)
                if isinstance(widget, QComboBox) and widget.isEditable():
                    widget.lineEdit().installEventFilter(self)
        self.id_number.textChanged.connect(self._on_id_changed)
        self.id_number.editingFinished.connect(lambda: self._on_id_changed(self.id_number.text(), final=True))
        fit_to_screen(self, 1000, 700)  # the form scrolls inside the dialog, never past the screen

    def show_more(self, shown: bool = True) -> None:
        """Open (or fold) 更多信息, the part of the 登记表 not needed to save a member."""
        if self.more_button.isChecked() != shown:
            self.more_button.setChecked(shown)  # comes back here through toggled
            return
        self.more_panel.setVisible(shown)
        self.more_button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    # --- reading and writing the form ---------------------------------------------------------
    def read_input(self) -> MemberInput:
        qd = self.join_date.date()
        hidden = self._hidden or {}
        return MemberInput(
            name=self.name.text(), id_number=hidden.get("id_number", self.id_number.text()),
            phone=hidden.get("phone", self.phone.text()),
            union_id=self.union.currentData() or "", join_date=_dt.date(qd.year(), qd.month(), qd.day()),
            join_channel=self.join_channel.currentData() or "", salary=self.salary.text(),
            ethnicity=self.ethnicity.currentText(), employer=self.employer.text(),
            platform=self.platform.currentText(), work_area=self.work_area.text(),
            occupation=self.occupation.currentText(), household_type=self.household_type.currentText(),
            education=self.education.currentText(), political_status=self.political_status.currentText(),
            native_place=self.native_place.text(), job_title=self.job_title.text(),
            professional_title=self.professional_title.text(), family_info=self.family_info.toPlainText(),
            resume=self.resume.toPlainText(), member_card_no=self.member_card_no.text(),
            remarks=self.remarks.toPlainText(), consent_method=self.consent_method.currentData() or "")

    def _load(self, file: MemberFile) -> None:
        inp = file.member.to_input()
        for name in ("name", "id_number", "phone", "salary", "employer", "work_area", "native_place",
                     "job_title", "professional_title", "member_card_no"):
            getattr(self, name).setText(getattr(inp, name))
        # The numbers stay masked until the clerk asks (显示完整号码, audited), as in the detail.
        self._hidden = {"id_number": inp.id_number, "phone": inp.phone}
        self.id_number.setText(mask(inp.id_number))
        self.phone.setText(mask_phone(inp.phone))
        for edit in (self.id_number, self.phone):
            edit.setReadOnly(True)
        self.reveal_button.show()
        for name in ("ethnicity", "education", "political_status", "household_type", "occupation", "platform"):
            box: QComboBox = getattr(self, name)
            value = getattr(inp, name)
            if box.isEditable():
                box.setEditText(value)
            else:
                box.setCurrentIndex(max(box.findText(value), 0))
        for name in ("family_info", "resume", "remarks"):
            getattr(self, name).setPlainText(getattr(inp, name))
        self.union.setCurrentIndex(max(self.union.findData(inp.union_id), 0))
        if inp.join_date:
            self.join_date.setMinimumDate(QDate(1900, 1, 1))
            self.join_date.setDate(QDate(inp.join_date.year, inp.join_date.month, inp.join_date.day))
        self.join_channel.setCurrentIndex(max(self.join_channel.findData(inp.join_channel), 0))
        if file.consents:
            last = file.consents[-1]
            self.consent.setText(f"已于 {last.consented_at[:10]} 同意个人信息处理告知书（{last.method_label}）")
            self.consent_method.setCurrentIndex(max(self.consent_method.findData(last.method), 0))

    def is_dirty(self) -> bool:
        return self.read_input() != self._initial

    def reveal_numbers(self) -> None:
        """显示完整号码: the edit's full ID number and phone, editable from now on (audited)."""
        if self._hidden is None or not self.member_id:
            return
        try:
            shown = reveal_member(self.ctx, self.member_id)  # audited first; refused if it cannot be
        except UserError as exc:
            QMessageBox.warning(self, "不能显示完整号码", exc.message)
            return
        self._hidden = None
        for edit, value in ((self.id_number, shown.id_number), (self.phone, shown.phone)):
            edit.setReadOnly(False)
            edit.setText(value)
        self.reveal_button.hide()
        self.id_number.setFocus()

    # --- live ID check ----------------------------------------------------------------------
    def _on_id_changed(self, text: str, final: bool = False) -> None:
        self.errors["id_number"].clear_error()
        if self._hidden is not None:  # masked: the birth date is what the mask hides
            hidden = check_id(self._hidden["id_number"], self.ctx.today())
            year = masked_birth(hidden.birth_date.isoformat() if hidden.birth_date else "")
            self.birth_date.setText(f"{year}（月日已隐去）" if year else "—")
            self.gender.setText(hidden.gender or "—")
            self.id_feedback.clear_error()
            return
        number = normalise(text)
        result = check_id(text, self.ctx.today())
        self.birth_date.setText(result.birth_date.isoformat() if result.birth_date else "—")
        self.gender.setText(result.gender or "—")
        existing = self._registered(number) if number and result.error is None else None
        self._show_existing(existing)  # never hidden and shown again: Tab may be moving onto it
        if not number:
            self.id_feedback.clear_error()
        elif existing:
            pass  # _registered said who it is
        elif result.error is None:
            derived = f"出生日期 {result.birth_date.isoformat()} · {result.gender}"
            if result.region:
                derived += f" · {result.region}"
            if result.warnings:
                self.id_feedback.show_message(derived + "\n" + result.message, WARNING)
            else:
                self.id_feedback.show_message("✓ " + derived, OK)
        elif not final and len(number) < 18 and result.error.code in ("id.bad_length", "id.legacy_15"):
            self.id_feedback.show_message(f"已输入 {len(number)}/18 位", HINT)
        else:
            self.id_feedback.show_message(result.message, ERROR)

    def _registered(self, number: str) -> str | None:
        """The member the typed ID number already belongs to (said at once, with who it is)."""
        existing = member_service.member_by_id_number(self.ctx, number, exclude_id=self.member_id or "")
        if existing is None:
            return None
        self.id_feedback.show_error(message("member.duplicate_id_live", name=existing.name,
                                            union=existing.union_name, joined=existing.join_date))
        return existing.id

    def _show_existing(self, member_id: str | None) -> None:
        self._existing = member_id
        self.open_existing_button.setVisible(member_id is not None)

    def open_existing(self) -> None:
        if self._existing:
            self.existing_member_id = self._existing
            self.done(OPEN_EXISTING)

    # --- saving -----------------------------------------------------------------------------
    def clear_errors(self) -> None:
        self.general_error.clear_error()
        for err in self.errors.values():
            err.clear_error()

    def show_issues(self, issues: list[Issue]) -> None:
        first: QWidget | None = None
        for issue in issues:
            target = self.errors.get(issue.field)
            if issue.field == "id_number":
                self.id_feedback.clear_error()
            if target is None:
                self.general_error.show_error(issue.message)
                continue
            target.show_error(issue.message)
            widget = self.consent if issue.field == "consent_method" else \
                self.union if issue.field == "union_id" else getattr(self, issue.field, None)
            if isinstance(widget, QWidget) and self.more_panel.isAncestorOf(widget):
                self.show_more(True)  # a problem is never hidden in the folded part
            if first is None and isinstance(widget, QWidget):
                first = widget
        if first is not None:
            first.setFocus()
            self.scroll.ensureWidgetVisible(first)

    def save(self) -> None:
        if self._saving:
            return
        self.clear_errors()
        inp = self.read_input()
        _, issues = validate_member(inp, self.ctx.today())
        if not self.member_id and not self.consent.isChecked():
            issues.append(Issue("consent_method", "member.consent_required"))
        if issues:
            self.show_issues(issues)
            return
        self._saving = True
        try:
            self._store(inp, confirm=False)
        finally:
            self._saving = False

    def _save_record(self, inp: MemberInput, confirm: bool):
        """The one service call that saves the form; its result names the ``member_id``."""
        if self.member_id:
            return member_service.update_member(self.ctx, self.member_id, inp, confirm_possible_duplicate=confirm)
        return member_service.register_member(self.ctx, inp, confirm_possible_duplicate=confirm)

    def _store(self, inp: MemberInput, confirm: bool) -> None:
        try:
            result = self._save_record(inp, confirm)
        except ValidationFailed as exc:
            self.show_issues(exc.issues)
        except DuplicateIdNumber as exc:
            self._offer_existing(exc)
        except PossibleDuplicate as exc:
            self._ask_same_person(inp, exc)
        except UserError as exc:
            self.general_error.show_error(exc.message)
        else:
            self.saved_id = result.member_id
            self._saving = False
            self.accept()

    def _offer_existing(self, exc: DuplicateIdNumber) -> None:
        self.errors["id_number"].show_error(exc.message)
        self.id_feedback.clear_error()
        choice = ask_choice(self, "身份证号码已登记", exc.message + "\n\n同一身份证号码不能重复登记。",
                            ["打开该会员", "返回修改"], icon=QMessageBox.Icon.Warning)
        if choice == 0:
            self.existing_member_id = exc.existing_id
            self.done(OPEN_EXISTING)
        else:
            self.id_number.setFocus()

    def _ask_same_person(self, inp: MemberInput, exc: PossibleDuplicate) -> None:
        """Both people side by side; Enter and Esc go back to the form (nothing saved)."""
        choice = ask_choice(self, "可能重复登记", self._side_by_side(inp, exc),
                            ["返回修改", "是同一人", "不是，继续登记"], escape=0, default=0)
        if choice == 1:
            self.existing_member_id = exc.candidates[0][0]
            self.done(OPEN_EXISTING)
        elif choice == 2:
            self._store(inp, confirm=True)
        else:
            self.name.setFocus()

    def _side_by_side(self, inp: MemberInput, exc: PossibleDuplicate) -> str:
        """The question as a table: the person being registered and each registered namesake
        (masked ID, union, join date, phone tail: enough to tell two people apart)."""
        def cells(name: str, id_number: str, union_name: str, join_date: str, phone: str) -> tuple[str, ...]:
            return name or "", mask(id_number or ""), union_name or "", (join_date or "")[:10], (phone or "")[-4:]

        typed = cells(inp.name.strip(), normalise(inp.id_number), self.union.currentText(),
                      inp.join_date.isoformat() if inp.join_date else "", inp.phone.strip())
        people = [("正在登记", typed)]
        for member_id, _name in exc.candidates[:3]:
            m = member_service.get_member(self.ctx, member_id)
            people.append(("已登记", cells(m.name, m.id_number, m.union_name, m.join_date or "", m.phone)))
        rows = [(label, lambda p, i=i: p[i]) for i, label in enumerate(("姓名", "身份证号码", "所属工会", "入会日期", "手机尾号"))]
        cell = "<td style='padding:2px 10px; white-space:nowrap'>{}</td>"  # a label never wraps one character a line
        html = ["<p>" + escape(exc.message) + "</p><table>",
                "<tr><td></td>" + "".join(cell.format("<b>" + title + "</b>") for title, _ in people) + "</tr>"]
        for label, value in rows:
            html.append("<tr>" + cell.format(label) + "".join(cell.format(escape(value(p))) for _, p in people)
                        + "</tr>")
        html.append("</table><p>是同一人就打开已有会员；确认不是同一人才继续登记。</p>")
        return "".join(html)

    # --- keyboard -----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not (isinstance(watched, QComboBox) and watched.view().isVisible()):
            self.save()
            return True
        return super().eventFilter(watched, event)

    def reject(self) -> None:
        if self.is_dirty() and ask_choice(self, "放弃填写？", "已填写的内容还没有保存，确定放弃吗？",
                                          ["继续填写", "放弃"], escape=0) == 0:
            return
        super().reject()
