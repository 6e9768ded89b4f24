"""A member's own data, exported for them on request (PIPL art. 45) as one PDF.

Everything this laptop holds about the person — the record with full ID and phone numbers
(it is theirs), status history, consents and their basis, cards and card events, sign-ins,
and the audit entries about them (what was done with their data, when, by which clerk).
The export is audited *before* the file exists; if the audit entry cannot be written, no
file is left behind.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..domain import card as card_vocab
from ..domain import vocab
from ..domain.errors import UserError
from ..domain.event import SIGNIN_METHODS
from ..domain.member import LABELS, TEXT_FIELDS
from ..printing.layout import Column, Imprint
from ..printing.member_data import MemberDataCopy, Section, fields_section, member_data_pdf
from ..printing.result import PrintResult
from ..storage import cards_repo, person_repo
from ..storage.db import transaction
from . import members
from .context import Context

AUDIT_ACTIONS = {"create": "登记", "update": "修改", "delete": "删除", "erase": "删除（个人信息）",
                 "reveal": "查看完整号码", "print": "打印", "export": "导出", "import": "导入",
                 "view": "查看", "sign_in": "签到", "access_copy": "提供个人信息副本"}


def _date(iso: str | None) -> str:
    return (iso or "")[:10]


def build_copy(ctx: Context, member_id: str) -> MemberDataCopy:
    file = members.get_member_file(ctx, member_id)
    m = file.member
    salary = m.salary_fen
    basics = [("姓名", m.name), ("性别", m.gender), ("出生日期", m.birth_date),
              (LABELS["id_number"], m.id_number), (LABELS["phone"], m.phone),
              (LABELS["union_id"], m.union_name), (LABELS["join_date"], m.join_date or "未知"),
              (LABELS["join_channel"], vocab.JOIN_CHANNELS.get(m.join_channel, m.join_channel)),
              ("会籍状态", vocab.STATUSES.get(m.status, m.status)),
              (LABELS["salary"], f"{salary / 100:.2f} 元" if salary is not None else "")]
    basics += [(label, getattr(m, f) or "") for f, label, _ in TEXT_FIELDS]
    basics += [("登记时间", _date(m.created_at)), ("最后修改", _date(m.updated_at))]
    history = tuple((h.effective_date, vocab.STATUSES.get(h.status, h.status), h.reason) for h in file.history)
    consents = tuple((_date(c.consented_at), vocab.CONSENT_LABELS.get(c.method, c.method), c.notice_version, c.basis)
                     for c in file.consents)
    cards = tuple((c.card_no, card_vocab.STATUSES.get(c.status, c.status), c.issue_date, c.status_date or "")
                  for c in cards_repo.for_member(ctx.db, member_id))
    card_events = tuple((no, card_vocab.EVENTS.get(event, event), day, reason)
                        for no, event, day, reason in person_repo.card_events(ctx.db, member_id))
    sign_ins = tuple((day, title, venue, SIGNIN_METHODS.get(method, method))
                     for day, title, venue, _at, method in person_repo.sign_ins(ctx.db, member_id))
    log = tuple((at[:16].replace("T", " "), AUDIT_ACTIONS.get(action, action), clerk)
                for at, action, clerk in person_repo.processing_log(ctx.db, member_id))
    today = ctx.today()
    return MemberDataCopy(
        name=m.name, union_name=m.union_name,
        made_on=f"{today.year}年{today.month}月{today.day}日",
        sections=(
            fields_section("基本信息", [(k, str(v)) for k, v in basics]),
            Section("会籍变动记录", (Column("生效日期", 1), Column("变更为", 1), Column("原因", 2.5)), history),
            Section("同意与依据", (Column("日期", 1), Column("方式", 1), Column("告知书版本", 1), Column("依据", 2.5)),
                    consents),
            Section("服务卡", (Column("卡号", 1.6), Column("状态", 1), Column("发卡日期", 1), Column("状态日期", 1)), cards),
            Section("服务卡记录", (Column("卡号", 1.6), Column("事项", 1), Column("日期", 1), Column("原因", 1.5)),
                    card_events),
            Section("活动签到", (Column("日期", 1), Column("活动", 2.5), Column("地点", 1.5), Column("方式", 1)), sign_ins),
            Section("本机处理您个人信息的记录", (Column("时间", 1.4), Column("事项", 1.4), Column("经办人", 1)), log),
        ))


def member_data_copy(ctx: Context, member_id: str) -> PrintResult:
    """The PDF in memory (the preview shows it before it is saved or printed)."""
    imprint = Imprint(ctx.clerk.name, ctx.clock.now())
    return member_data_pdf(build_copy(ctx, member_id), imprint)


def export_member_data(ctx: Context, member_id: str, path: str | Path) -> PrintResult:
    """Write the member's data copy to ``path``: audited first (action ``access_copy``: pages,
    never values), then written beside the target and moved into place."""
    path = Path(path)
    result = member_data_copy(ctx, member_id)
    with transaction(ctx.db):
        ctx.audit("access_copy", "member", member_id, **result.audit_detail())
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_bytes(result.pdf)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError("roster.write_failed", path=str(path), detail=exc.strerror or str(exc)) from None
    return result
