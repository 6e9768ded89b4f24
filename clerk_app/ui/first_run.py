"""First run: name this laptop, its union and its clerk before anything else; the card code
(发卡代码) may be given now or later in 设置 → 本机设置 (the district may not have assigned it yet)."""

from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLayout, QLineEdit,
                               QMessageBox, QVBoxLayout, QWidget)

from ..domain import cardno
from ..domain.errors import UserError, ValidationFailed
from ..domain.messages import message
from ..domain.vocab import UNION_KINDS
from ..services import cards as card_service
from ..services.context import Context
from ..services.setup import SetupInput
from ..workspace import Workspace
from .feedback import FieldError


class FirstRunDialog(QDialog):
    """Asks 本机名称, 所属工会名称 + 类型, 经办人姓名; on accept ``self.context`` is set."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None):
        super().__init__(parent)
        self.workspace = workspace
        self.context: Context | None = None
        self.setWindowTitle("首次使用：基本设置")
        self.setMinimumWidth(560)

        intro = QLabel("欢迎使用工会基层工作台。请先填写本机的基本信息，"
                       "这些信息会记录在每一条登记和打印的材料上。")
        intro.setWordWrap(True)

        self.laptop_name = QLineEdit()
        self.laptop_name.setPlaceholderText("例如：黄村镇总工会-笔记本1")
        self.laptop_name.setMaxLength(40)
        self.union_name = QLineEdit()
        self.union_name.setPlaceholderText("例如：大兴区黄村镇总工会")
        self.union_name.setMaxLength(80)
        self.union_kind = QComboBox()
        self.union_kind.addItems(UNION_KINDS)
        self.union_kind.setCurrentText(SetupInput("", "", "").union_kind)
        self.clerk_name = QLineEdit()
        self.clerk_name.setPlaceholderText("您的姓名")
        self.clerk_name.setMaxLength(30)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("至少 8 位；数据按此密码加密保存")
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.card_prefix = QLineEdit()
        self.card_prefix.setPlaceholderText("选填，如 DX07")
        self.card_prefix.setMaxLength(12)

        self.errors = {name: FieldError() for name in ("laptop_name", "union_name", "union_kind", "clerk_name",
                                                       "password", "confirm", "card_prefix")}
        form = QFormLayout()
        for label, name in (("本机名称", "laptop_name"), ("所属工会名称", "union_name"),
                            ("工会类型", "union_kind"), ("经办人姓名", "clerk_name"), ("登录密码", "password"),
                            ("再输入一次", "confirm"), ("发卡代码", "card_prefix")):
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(getattr(self, name))
            box.addWidget(self.errors[name])
            form.addRow(label + "：", box)
            self._clear_on_edit(name)
        prefix_note = QLabel("发卡代码由区总工会分配，发服务卡时才需要；尚未分配可以先不填，以后在“设置 → 本机设置”中填写。")
        prefix_note.setWordWrap(True)
        prefix_note.setStyleSheet("color: #616161;")
        form.addRow("", prefix_note)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("开始使用")
        self.ok_button.setDefault(True)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # grow when messages appear
        layout.addWidget(intro)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.laptop_name.setFocus()

    def _clear_on_edit(self, name: str) -> None:
        """A corrected field drops its message at once (not only at the next 开始使用)."""
        widget, err = getattr(self, name), self.errors[name]
        changed = widget.currentIndexChanged if isinstance(widget, QComboBox) else widget.textEdited
        changed.connect(lambda *_: err.clear_error())

    def save(self) -> None:
        for err in self.errors.values():
            err.clear_error()
        inp = SetupInput(laptop_name=self.laptop_name.text(), union_name=self.union_name.text(),
                         clerk_name=self.clerk_name.text(), union_kind=self.union_kind.currentText(),
                         password=self.password.text())
        if self.confirm.text() != self.password.text():
            self.errors["confirm"].show_error(message("auth.password_mismatch"))
            self.confirm.clear()
            self.confirm.setFocus()
            self.adjustSize()
            return
        prefix_text = self.card_prefix.text().strip()
        _prefix, problem = cardno.check_prefix(prefix_text)
        if prefix_text and problem:  # checked first: set-up happens once, the code must not fail after it
            self.errors["card_prefix"].show_error(message(problem, text=_prefix))
            self.card_prefix.setFocus()
            self.adjustSize()
            return
        try:
            self.context = self.workspace.set_up(inp)
        except ValidationFailed as exc:
            first = None
            for issue in exc.issues:
                self.errors.get(issue.field, self.errors["laptop_name"]).show_error(issue.message)
                first = first or getattr(self, issue.field, None)
            if first is not None:
                first.setFocus()
            self.adjustSize()  # make room for the messages (wrapped labels do not grow a shown dialog)
            return
        if prefix_text:
            try:
                card_service.set_card_prefix(self.context, prefix_text)
            except UserError as exc:  # set-up is done: say so, the code can be set in 本机设置
                QMessageBox.warning(self, "发卡代码未保存", f"{exc.message}\n\n可以稍后在“设置 → 本机设置”中填写。")
        self.accept()  # run_gui then shows the recovery key, once
