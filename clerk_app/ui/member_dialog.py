"""入会登记 / 编辑会员: every field of the register form, checked live, never losing input.

Keyboard only: Tab walks every field in form order, Enter saves from any single-line field,
Esc cancels (asking first when something was typed). Birth date and gender come from the ID
number and are shown, never typed."""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import QDate, QEvent, QObject, Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout,
                               QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
                               QPlainTextEdit, QScrollArea, QVBoxLayout, QWidget)

from ..domain import vocab
from ..domain.errors import DuplicateIdNumber, Issue, PossibleDuplicate, UserError, ValidationFailed
from ..domain.idnumber import check_id, normalise
from ..domain.member import LABELS, MemberInput, input_from_record, validate_member
from ..services import members as member_service
from ..services.context import Context
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
        self.setWindowTitle("编辑会员信息" if member_id else "新会员入会登记")
        self._build()
        if member_id:
            self._load(member_service.get_member(ctx, member_id))
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

        self.id_feedback = FieldError()
        person = QGroupBox("个人信息")
        pform = QFormLayout(person)
        self._field(pform, "name", self.name, required=True)
        self._field(pform, "id_number", self.id_number, required=True, extra=self.id_feedback)
        derived = QHBoxLayout()
        derived.addWidget(self.birth_date)
        derived.addSpacing(24)
        derived.addWidget(QLabel("性别："))
        derived.addWidget(self.gender)
        derived.addStretch(1)
        pform.addRow("出生日期：", derived)
        self._field(pform, "phone", self.phone, required=True)
        self._field(pform, "ethnicity", self.ethnicity, required=True)
        self._field(pform, "education", self.education)
        self._field(pform, "political_status", self.political_status)
        self._field(pform, "household_type", self.household_type)
        self._field(pform, "native_place", self.native_place)

        work = QGroupBox("入会与工作")
        wform = QFormLayout(work)
        self._field(wform, "union_id", self.union, required=True)
        self._field(wform, "join_date", self.join_date, required=True)
        self._field(wform, "join_channel", self.join_channel, required=True)
        self._field(wform, "occupation", self.occupation, required=True)
        self._field(wform, "platform", self.platform)
        self._field(wform, "employer", self.employer)
        self._field(wform, "work_area", self.work_area)
        self._field(wform, "job_title", self.job_title)
        self._field(wform, "professional_title", self.professional_title)
        self._field(wform, "salary", self.salary)
        self._field(wform, "member_card_no", self.member_card_no)

        more = QGroupBox("其他（选填）")
        mgrid = QGridLayout(more)
        for col, name in enumerate(("family_info", "resume", "remarks")):
            edit: QPlainTextEdit = getattr(self, name)
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 2 + 14)
            self.errors[name] = FieldError()
            mgrid.addWidget(QLabel(LABELS[name] + "："), 0, col)
            mgrid.addWidget(edit, 1, col)
            mgrid.addWidget(self.errors[name], 2, col)
            self._tab_chain.append(edit)

        consent_row = QHBoxLayout()
        consent_row.addWidget(self.consent, 1)
        consent_row.addWidget(QLabel("确认方式："))
        consent_row.addWidget(self.consent_method)
        self.errors["consent_method"] = FieldError()
        self._tab_chain += [self.consent, self.consent_method]
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
        grid = QGridLayout(content)
        grid.addWidget(self.general_error, 0, 0, 1, 2)
        grid.addWidget(person, 1, 0)
        grid.addWidget(work, 1, 1)
        grid.addWidget(more, 2, 0, 1, 2)
        grid.setRowStretch(3, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        # Consent and the buttons stay in view whatever the screen height.
        layout.addLayout(consent_row)
        layout.addWidget(self.errors["consent_method"])
        layout.addWidget(self.buttons)

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
        fit_to_screen(self, 1120, 760)

    # --- reading and writing the form ---------------------------------------------------------
    def read_input(self) -> MemberInput:
        qd = self.join_date.date()
        return MemberInput(
            name=self.name.text(), id_number=self.id_number.text(), phone=self.phone.text(),
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

    def _load(self, rec: dict) -> None:
        inp = input_from_record(rec)
        for name in ("name", "id_number", "phone", "salary", "employer", "work_area", "native_place",
                     "job_title", "professional_title", "member_card_no"):
            getattr(self, name).setText(getattr(inp, name))
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
        consents = rec.get("consents") or []
        if consents:
            last = consents[-1]
            method = vocab.CONSENT_LABELS.get(last["method"], last["method"])
            self.consent.setText(f"已于 {last['consented_at'][:10]} 同意个人信息处理告知书（{method}）")
            self.consent_method.setCurrentIndex(max(self.consent_method.findData(last["method"]), 0))

    def is_dirty(self) -> bool:
        return self.read_input() != self._initial

    # --- live ID check ----------------------------------------------------------------------
    def _on_id_changed(self, text: str, final: bool = False) -> None:
        self.errors["id_number"].clear_error()
        number = normalise(text)
        result = check_id(text, self.ctx.today())
        self.birth_date.setText(result.birth_date.isoformat() if result.birth_date else "—")
        self.gender.setText(result.gender or "—")
        if not number:
            self.id_feedback.clear_error()
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
            if first is None and isinstance(widget, QWidget):
                first = widget
        if first is not None:
            first.setFocus()

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
        choice = ask_choice(self, "可能重复登记", exc.message, ["是同一人", "不是，继续登记", "返回修改"])
        if choice == 0:
            self.existing_member_id = exc.candidates[0][0]
            self.done(OPEN_EXISTING)
        elif choice == 1:
            self._store(inp, confirm=True)
        else:
            self.name.setFocus()

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
