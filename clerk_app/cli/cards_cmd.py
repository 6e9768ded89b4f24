"""``clerk-app cards ...``: service cards in batch (issue, lost, reissue, cancel, list, show,
set-prefix). Output is for a clerk: Chinese, ID numbers masked."""

from __future__ import annotations

import sys

from .common import member_id, parse_date, ready_context


def register(sub, common) -> None:
    p = sub.add_parser("cards", parents=[common], help="服务卡：发卡、挂失、补换、注销、查询")
    cmds = p.add_subparsers(dest="cards_command", metavar="ACTION", required=True)

    c = cmds.add_parser("issue", parents=[common], help="给会员发卡")
    c.add_argument("--member", required=True, metavar="ID_OR_IDNUMBER", help="会员编号或 18 位身份证号码")
    c.add_argument("--date", metavar="DATE", help="发卡日期（默认今天），如 2026-11-01")
    c.set_defaults(func=_issue)

    c = cmds.add_parser("issue-batch", parents=[common], help="批量发卡：给全部会员或搜索到的会员各发一张卡")
    who = c.add_mutually_exclusive_group(required=True)
    who.add_argument("--all", action="store_true", help="全部会员")
    who.add_argument("--query", "-q", metavar="TEXT", help="与会员页搜索框相同：姓名、拼音或号码尾数（全部匹配的会员）")
    who.add_argument("--roster", metavar="FILE", help="花名册文件（如刚导入的 .xlsx）中按身份证号码找到的会员")
    c.add_argument("--date", metavar="DATE", help="发卡日期（默认今天）")
    c.add_argument("--print", dest="print_out", metavar="FILE.pdf", help="同时把新发的卡排版到 A4 纸（每页 10 张）")
    c.set_defaults(func=_issue_batch)

    for name, help_text, func in (("lost", "挂失", _lost), ("reissue", "补换（发新卡号，原卡作废）", _reissue),
                                  ("cancel", "注销", _cancel)):
        c = cmds.add_parser(name, parents=[common], help=help_text)
        c.add_argument("card_no", metavar="CARD_NO", help="卡号（可带空格或短横线）")
        c.add_argument("--reason", default="", help="原因")
        c.add_argument("--date", metavar="DATE", help="日期（默认今天）")
        c.set_defaults(func=func)

    c = cmds.add_parser("show", parents=[common], help="查询一张卡（与签到台扫码相同）")
    c.add_argument("card_no", metavar="CARD_NO")
    c.set_defaults(func=_show)

    c = cmds.add_parser("list", parents=[common], help="服务卡登记簿")
    c.add_argument("--status", metavar="STATUS", help="状态：active/lost/cancelled/replaced 或 有效/已挂失/已注销/已补换")
    c.add_argument("--since", metavar="DATE", help="发卡日期不早于")
    c.add_argument("--until", metavar="DATE", help="发卡日期不晚于")
    c.add_argument("--query", "-q", metavar="TEXT", help="卡号片段、持卡人姓名或拼音")
    c.add_argument("--limit", type=int, default=200, metavar="N", help="最多显示条数（默认 200）")
    c.set_defaults(func=_list)

    c = cmds.add_parser("set-prefix", parents=[common], help="设置本机发卡代码（由区总工会分配，如 DX07）")
    c.add_argument("code", metavar="CODE")
    c.set_defaults(func=_set_prefix)


# ---------------------------------------------------------------- helpers

def _status(text: str | None) -> str | None:
    from ..domain import card as lifecycle
    from ..domain.errors import UserError

    if not text:
        return None
    for code, label in lifecycle.STATUSES.items():
        if text.strip() in (code, label, label.removeprefix("已")):
            return code
    raise UserError("card.bad_status", choices="、".join(lifecycle.STATUSES.values()))


def _line(card) -> str:
    h = card.holder
    text = (f"卡号 {card.grouped_no}  状态 {card.status_label}  持卡人 {h.name}（{h.id_number_masked}）"
            f"  发卡日期 {card.issue_date}")
    if card.replaced_by_no:
        from ..domain.cardno import grouped

        text += f"  新卡 {grouped(card.replaced_by_no)}"
    return text


# ---------------------------------------------------------------- commands

def _issue(args) -> int:
    from ..services import cards

    with ready_context(args) as ctx:
        card = cards.issue_card(ctx, member_id(ctx, args.member, "card.member_ref_unknown"), parse_date(args.date))
        print(f"已发卡：{_line(card)}")
    return 0


def _issue_batch(args) -> int:
    from ..services import cards, members, roster_import
    from .progress import progress_line

    with ready_context(args) as ctx:
        if args.roster:
            ids, unknown = roster_import.ids_of_roster(ctx, args.roster)
            if unknown:
                print(f"提示：花名册中有 {unknown} 行的身份证号码不是已登记会员，未发卡（请先导入）", file=sys.stderr)
        else:
            ids = members.listed_ids(ctx, args.query or "")
        with progress_line("批量发卡", "人") as progress:
            result = cards.issue_cards(ctx, ids, parse_date(args.date), progress)
        for skip in result.skipped:
            print(f"跳过：{skip.name or skip.member_id}：{skip.reason}")
        span = f"，卡号 {result.issued[0].grouped_no} 至 {result.issued[-1].grouped_no}" if result.issued else ""
        print(f"共 {len(ids)} 名会员：已发卡 {len(result.issued)} 张{span}；跳过 {len(result.skipped)} 名")
        if args.print_out and result.issued:
            from ..services import documents
            from .common import save_printout

            with progress_line("排版服务卡", "张") as progress:
                sheets = documents.card_sheets(ctx, result.issued, progress=progress)
            save_printout(ctx, sheets, args.print_out)
    return 0


def _step(args, action, verb: str) -> int:
    with ready_context(args) as ctx:
        card = action(ctx, args.card_no, args.reason, parse_date(args.date))
        print(f"{verb}：{_line(card)}")
    return 0


def _lost(args) -> int:
    from ..services import cards

    return _step(args, cards.report_lost, "已挂失")


def _cancel(args) -> int:
    from ..services import cards

    return _step(args, cards.cancel_card, "已注销")


def _reissue(args) -> int:
    from ..services import cards

    with ready_context(args) as ctx:
        result = cards.reissue_card(ctx, args.card_no, args.reason, parse_date(args.date))
        print(f"已补换：原卡 {result.old.grouped_no} 作废，新卡 {result.new.grouped_no}")
        print(f"新卡：{_line(result.new)}")
    return 0


def _show(args) -> int:
    from ..services import cards

    with ready_context(args) as ctx:
        found = cards.lookup_card(ctx, args.card_no)
        print(found.message)
        if found.card:
            print(_line(found.card))
    return 0 if found.ok else 1


def _list(args) -> int:
    from ..services import cards

    with ready_context(args) as ctx:
        page = cards.list_cards(ctx, status=_status(args.status), date_from=parse_date(args.since),
                                date_to=parse_date(args.until), query=args.query, limit=max(args.limit, 1))
        for card in page.rows:
            print(_line(card))
        more = f"，显示前 {len(page.rows)} 张" if page.total > len(page.rows) else ""
        print(f"共 {page.total} 张{more}")
    return 0


def _set_prefix(args) -> int:
    from ..services import cards

    with ready_context(args) as ctx:
        previous = cards.get_card_prefix(ctx)
        prefix = cards.set_card_prefix(ctx, args.code)
        info = cards.numbering(ctx)
        if prefix == previous:
            print(f"发卡代码未变：{prefix}")
        else:
            print(f"本机发卡代码已设为 {prefix}" + (f"（原为 {previous}）" if previous else ""))
        if info.next_no:
            from ..domain.cardno import grouped

            print(f"下一张卡的卡号：{grouped(info.next_no)}")
    return 0
