"""``clerk-app print ...``: documents to PDF files — a member's registration form (or a blank
one), one service card, sheets of service cards, the 会员花名册. Every print writes an audit entry
(action ``print``); printing full ID numbers (``--reveal``) is recorded as such."""

from __future__ import annotations

import sys
from pathlib import Path

from .common import member_id, parse_date, ready_context
from .progress import progress_line


def register(sub, common) -> None:
    p = sub.add_parser("print", parents=[common], help="打印：入会登记表、服务卡、会员花名册（输出 PDF 文件）")
    docs = p.add_subparsers(dest="print_document", metavar="DOCUMENT", required=True)

    c = docs.add_parser("registration-form", parents=[common], help="入会申请书和工会会员登记表")
    who = c.add_mutually_exclusive_group(required=True)
    who.add_argument("--member", metavar="ID_OR_IDNUMBER", help="会员编号或 18 位身份证号码")
    who.add_argument("--blank", action="store_true", help="空白表（断网时手工填写）")
    c.add_argument("--out", required=True, metavar="FILE.pdf", help="输出的 PDF 文件")
    c.add_argument("--reveal", action="store_true",
                   help="打印完整的身份证号码和手机号码（默认隐去部分数字；此操作记入审计日志）")
    c.set_defaults(func=_registration_form)

    c = docs.add_parser("card", parents=[common], help="一张服务卡（卡片尺寸 85.6×54 毫米）")
    c.add_argument("card_no", metavar="CARD_NO", help="卡号（可带空格或短横线）")
    c.add_argument("--out", required=True, metavar="FILE.pdf")
    c.set_defaults(func=_card)

    c = docs.add_parser("cards", parents=[common], help="批量打印有效服务卡（A4 每页 10 张，带裁切线）")
    when = c.add_mutually_exclusive_group(required=True)
    when.add_argument("--since", metavar="DATE", help="发卡日期不早于，如 2026-11-01")
    when.add_argument("--all", action="store_true", help="全部有效卡")
    c.add_argument("--until", metavar="DATE", help="发卡日期不晚于")
    c.add_argument("--out", required=True, metavar="FILE.pdf")
    c.set_defaults(func=_cards)

    c = docs.add_parser("roster", parents=[common], help="会员花名册（A4 横向；身份证号、手机号隐去部分数字）")
    c.add_argument("--query", "-q", default="", metavar="TEXT", help="与会员页搜索框相同：姓名、拼音或号码尾数（默认全部会员）")
    c.add_argument("--out", required=True, metavar="FILE.pdf")
    c.set_defaults(func=_roster)


# ---------------------------------------------------------------- helpers

def _write(path: str, result) -> Path:
    """Write the PDF next to its final name first, so a failed write leaves no half file.
    A place that cannot be written (a folder, no permission, a full disk) is the clerk's to
    change: a Chinese message, not a traceback."""
    from ..domain.errors import UserError

    out = Path(path)
    tmp = out.with_name(out.name + ".part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(result.pdf)
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError("print.save_failed", path=str(out), detail=exc.strerror or str(exc)) from None
    return out


def _report(result, out: Path) -> None:
    for warning in result.warnings:
        print(f"提示：{warning.message}", file=sys.stderr)
    extra = "（含完整身份证号码和手机号码，已记入审计日志）" if result.revealed else ""
    print(f"已生成 {out}：{result.pages} 页{extra}")


# ---------------------------------------------------------------- commands

def _registration_form(args) -> int:
    from ..printing.forms import registration_form_pdf
    from ..services import members
    from ..services.printouts import imprint, record_print

    with ready_context(args) as ctx:
        if args.blank:
            result = registration_form_pdf(None, imprint(ctx))
            member = ""
        else:
            member = member_id(ctx, args.member, "print.member_unknown")
            result = registration_form_pdf(members.get_member(ctx, member), imprint(ctx), reveal=args.reveal)
        out = _write(args.out, result)
        record_print(ctx, result, "member" if member else "form", member)
        _report(result, out)
    return 0


def _card(args) -> int:
    from ..domain.errors import UserError
    from ..printing.cards import card_pdf
    from ..services import cards
    from ..services.printouts import card_face, imprint, record_print

    with ready_context(args) as ctx:
        card = cards.get_card(ctx, args.card_no)
        if not card.is_active:
            raise UserError("print.card_not_active", card_no=card.grouped_no, status=card.status_label)
        result = card_pdf(card_face(card), imprint(ctx))
        out = _write(args.out, result)
        record_print(ctx, result, "card", card.id)
        _report(result, out)
    return 0


def _cards(args) -> int:
    from ..printing.cards import card_sheet_pdf
    from ..services.printouts import active_cards, card_face, imprint, record_print

    since, until = parse_date(args.since), parse_date(args.until)
    with ready_context(args) as ctx:
        faces = [card_face(c) for c in active_cards(ctx, since, until)]
        with progress_line("排版服务卡", "张") as progress:
            result = card_sheet_pdf(faces, imprint(ctx), progress=progress)
        out = _write(args.out, result)
        record_print(ctx, result, "cards", "", since=since.isoformat() if since else "",
                     until=until.isoformat() if until else "")
        _report(result, out)
    return 0


def _roster(args) -> int:
    from ..services.printouts import member_roster, record_print

    with ready_context(args) as ctx:
        with progress_line("排版花名册", "人") as progress:
            result = member_roster(ctx, args.query, progress)
        out = _write(args.out, result)
        record_print(ctx, result, "members", "", filtered=bool(args.query.strip()))
        _report(result, out)
    return 0
