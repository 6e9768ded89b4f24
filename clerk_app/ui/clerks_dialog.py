"""设置 → 经办人: the laptop's clerks and roles (管理员 adds, changes roles, sets passwords, stops
clerks, replaces the recovery key; any clerk changes their own password). No action re-encrypts
the database: each changes one entry of the keyring."""

from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QInputDialog,
                               QLineEdit, QMessageBox, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from ..domain.errors import UserError, ValidationFailed
from ..services import clerks as clerk_service
from ..services.context import Context
from ..services.access import ROLES, allowed
from ..services.setup import password_issues
from ..storage.db import transaction
from ..workspace import Workspace
from .login import LoginDialog, show_recovery_code
from .screen_fit import fit_to_screen


class ClerksDialog(QDialog):
    def __init__(self, workspace: Workspace, ctx: Context, parent: QWidget | None = None):
        super().__init__(parent)
        self.workspace, self.ctx = workspace, ctx
        self.setWindowTitle("经办人")
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["姓名", "角色", "状态"])
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        admin = allowed(ctx, "manage_clerks")
        self.add_button = QPushButton("添加经办人…")
        self.role_button = QPushButton("更改角色…")
        self.password_button = QPushButton("设置密码…")
        self.disable_button = QPushButton("停用")
        self.recovery_button = QPushButton("新的恢复密钥…")
        for button in (self.add_button, self.role_button, self.disable_button, self.recovery_button):
            button.setEnabled(admin)
        self.add_button.clicked.connect(lambda: self.add_clerk())
        self.role_button.clicked.connect(lambda: self.change_role())
        self.password_button.clicked.connect(lambda: self.set_password())
        self.disable_button.clicked.connect(lambda: self.disable())
        self.recovery_button.clicked.connect(lambda: self.new_recovery_key())
        buttons = QHBoxLayout()
        for button in (self.add_button, self.role_button, self.password_button, self.disable_button,
                       self.recovery_button):
            buttons.addWidget(button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(close)
        self.reload()
        fit_to_screen(self, 760, 420)

    def reload(self) -> None:
        self.rows = clerk_service.list_clerks(self.ctx)
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            for c, text in enumerate((row.name, row.role, "在用" if row.active else "已停用")):
                self.table.setItem(r, c, QTableWidgetItem(text))
        if self.rows and self.table.currentRow() < 0:
            self.table.selectRow(0)

    def selected(self):
        r = self.table.currentRow()
        return self.rows[r] if 0 <= r < len(self.rows) else None

    def _run(self, action) -> bool:
        try:
            action()
        except UserError as exc:
            QMessageBox.warning(self, "未能完成", exc.message)
            return False
        self.reload()
        return True

    def add_clerk(self) -> None:
        """Name and role, then the new clerk types their own password (twice)."""
        form = _NewClerkForm(self)
        if form.exec() != QDialog.DialogCode.Accepted:
            return
        name, role = form.name.text().strip(), form.role.currentText()
        LoginDialog([name], lambda login: self.create(name, role, login.password), title="新经办人的密码",
                    new_password=True, fixed_clerk=name, intro=f"请“{name}”本人设置登录密码（至少 8 位）。",
                    parent=self).exec()
        self.reload()

    def create(self, name: str, role: str, password: str) -> str:
        """The clerk in the database and in the keyring (the password checked first)."""
        issues = password_issues(password)
        if issues:
            raise ValidationFailed(issues)
        clerk_id = clerk_service.add_clerk(self.ctx, name, role)
        self.workspace.add_login(clerk_id, name.strip(), password)
        self.reload()
        return clerk_id

    def change_role(self) -> None:
        row = self.selected()
        if row is None:
            return
        role, ok = QInputDialog.getItem(self, "更改角色", f"“{row.name}”的角色：", list(ROLES), ROLES.index(row.role),
                                        False)
        if ok:
            self._run(lambda: clerk_service.set_role(self.ctx, row.id, role))

    def set_password(self) -> None:
        row = self.selected()
        if row is None:
            return
        if row.id != self.ctx.clerk.id and not allowed(self.ctx, "manage_clerks"):
            QMessageBox.warning(self, "未能完成", "只能更改自己的密码")
            return

        def change(login) -> None:
            self.workspace.add_login(row.id, row.name, login.password)
            with transaction(self.ctx.db):
                self.ctx.audit("password", "clerk", row.id)

        LoginDialog([row.name], change, title="设置密码", new_password=True, fixed_clerk=row.name,
                    intro=f"为“{row.name}”设置新密码（数据库无需重新加密）。", parent=self).exec()

    def disable(self) -> None:
        row = self.selected()
        if row is None or not row.active:
            return

        def stop() -> None:
            clerk_service.deactivate(self.ctx, row.id)
            self.workspace.remove_login(row.id)

        self._run(stop)

    def new_recovery_key(self) -> None:
        answer = QMessageBox.question(self, "新的恢复密钥", "换一个恢复密钥后，保险柜里的旧恢复密钥作废。继续吗？")
        if answer != QMessageBox.StandardButton.Yes:
            return

        def replace() -> None:
            from ..services.access import require

            require(self.ctx, "manage_keys")
            with transaction(self.ctx.db):
                self.ctx.audit("recovery_key", "keys", "")
            show_recovery_code(self, self.workspace.new_recovery_code())

        self._run(replace)


class _NewClerkForm(QDialog):
    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setWindowTitle("添加经办人")
        self.name = QLineEdit()
        self.name.setMaxLength(30)
        self.role = QComboBox()
        self.role.addItems(list(ROLES))
        form = QFormLayout(self)
        form.addRow("姓名：", self.name)
        form.addRow("角色：", self.role)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
