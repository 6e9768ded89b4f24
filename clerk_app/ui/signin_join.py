"""现场入会: the member registration dialog, filled in with what the desk knows about a walk-in
(``signin.walk_in_member_input``), saved through ``signin.join_walk_in`` so the attendance
row points to the new member — optionally with a service card issued at the event."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QComboBox, QWidget

from ..domain.member import MemberInput
from ..services import cards as card_service
from ..services import signin
from ..services.context import Context
from .member_dialog import MemberDialog
from .signin_widgets import sized


class JoinDialog(MemberDialog):
    """After ``Accepted``: ``join`` is the :class:`services.signin.JoinResult`."""

    def __init__(self, ctx: Context, attendance_id: str, parent: QWidget | None = None):
        self.attendance_id = attendance_id
        self.join: signin.JoinResult | None = None
        super().__init__(ctx, parent=parent)
        self.setWindowTitle("现场入会登记")
        self.fill(signin.walk_in_member_input(ctx, attendance_id))
        self.join_date.setEnabled(False)  # the event day, on site: set by the service
        self.join_channel.setEnabled(False)
        self.issue_card = sized(QCheckBox("同时发放服务卡"), 13, True)
        prefix = card_service.get_card_prefix(ctx)
        self.issue_card.setChecked(bool(prefix))
        if not prefix:
            self.issue_card.setEnabled(False)
            self.issue_card.setText("同时发放服务卡（" + card_service.missing_prefix_message(ctx) + "）"
                                    if card_service.issuing_paused(ctx)
                                    else "同时发放服务卡（本机尚未设置发卡代码，请在“设置 → 本机设置”中填写）")
        layout = self.layout()
        layout.insertWidget(layout.count() - 1, self.issue_card)
        self._initial = self.read_input()
        self.id_number.setFocus()  # the name and phone are known: the ID number comes next

    def fill(self, inp: MemberInput) -> None:
        for name in ("name", "phone", "employer"):
            getattr(self, name).setText(getattr(inp, name))
        for name in ("occupation", "platform"):
            box: QComboBox = getattr(self, name)
            box.setEditText(getattr(inp, name))
        self.union.setCurrentIndex(max(self.union.findData(inp.union_id), 0))
        if inp.join_date:
            d = inp.join_date
            self.join_date.setDate(QDate(d.year, d.month, d.day))
        self.join_channel.setCurrentIndex(max(self.join_channel.findData(inp.join_channel), 0))

    def _save_record(self, inp: MemberInput, confirm: bool) -> signin.JoinResult:
        self.join = signin.join_walk_in(self.ctx, self.attendance_id, inp, issue_card=self.issue_card.isChecked(),
                                        confirm_possible_duplicate=confirm)
        return self.join
