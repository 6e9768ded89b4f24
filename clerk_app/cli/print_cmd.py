"""``clerk-app print ...``: documents to PDF files — a member's registration form (or a blank
one), one service card, sheets of service cards, the 会员花名册. Every print writes an audit entry
(action ``print``); printing full ID numbers (``--reveal``) is recorded as such."""

from __future__ import annotations

from .common import member_id, parse_date, ready_context, save_printout
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


# ---------------------------------------------------------------- commands
# Each asks the service for the document and saves it (the service audits); nothing else.

def _registration_form(args) -> int:
    from ..services import documents

    with ready_context(args) as ctx:
        member = None if args.blank else member_id(ctx, args.member, "print.member_unknown")
        save_printout(ctx, documents.registration_form(ctx, member, reveal=args.reveal and not args.blank), args.out)
    return 0


def _card(args) -> int:
    from ..services import documents

    with ready_context(args) as ctx:
        save_printout(ctx, documents.card(ctx, args.card_no), args.out)
    return 0


def _cards(args) -> int:
    from ..services import documents

    since, until = parse_date(args.since), parse_date(args.until)
    with ready_context(args) as ctx:
        with progress_line("排版服务卡", "张") as progress:
            printout = documents.card_sheets(ctx, since=since, until=until, progress=progress)
        save_printout(ctx, printout, args.out)
    return 0


def _roster(args) -> int:
    from ..services import documents

    with ready_context(args) as ctx:
        with progress_line("排版花名册", "人") as progress:
            printout = documents.member_roster(ctx, args.query, progress)
        save_printout(ctx, printout, args.out)
    return 0
