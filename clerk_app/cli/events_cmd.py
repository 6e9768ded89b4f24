"""``clerk-app events ...``: outreach events — list, create, show the figures, print the event
report and the sign-in sheet (filled or blank). EVENT is an event id or a piece of its title
that names one event. The documents are the services' (``services.documents``), which audit
every saved file."""

from __future__ import annotations

import sys

from .common import parse_date, ready_context, save_printout


def register(sub, common) -> None:
    from ..domain.event import EVENT_TYPES

    p = sub.add_parser("events", parents=[common], help="活动：建活动、签到表、活动情况报告")
    cmds = p.add_subparsers(dest="events_command", metavar="ACTION", required=True)

    c = cmds.add_parser("list", parents=[common], help="活动列表（新的在前）")
    c.add_argument("--since", metavar="DATE", help="活动日期不早于，如 2026-11-01")
    c.add_argument("--until", metavar="DATE", help="活动日期不晚于")
    c.add_argument("--type", metavar="TYPE", help="活动类型：" + "、".join(EVENT_TYPES))
    c.set_defaults(func=_list)

    c = cmds.add_parser("create", parents=[common], help="新建活动")
    c.add_argument("--type", required=True, metavar="TYPE", help="活动类型：" + "、".join(EVENT_TYPES))
    c.add_argument("--title", required=True, help="活动名称")
    c.add_argument("--date", required=True, metavar="DATE", help="活动日期，如 2026-11-21")
    c.add_argument("--start", default="", metavar="HH:MM", help="开始时间")
    c.add_argument("--end", default="", metavar="HH:MM", help="结束时间")
    c.add_argument("--venue", required=True, help="活动地点")
    c.add_argument("--union", metavar="NAME", help="主办工会名称（默认本机所属工会）")
    c.add_argument("--sub-venue", action="append", default=[], metavar="NAME", help="分会场（可重复）")
    c.add_argument("--service", action="append", default=[], metavar="NAME",
                   help="服务项目，如 入会咨询、法律咨询、理发（可重复）")
    c.set_defaults(func=_create)

    c = cmds.add_parser("show", parents=[common], help="活动情况（签到、入会、发卡、咨询等数字）")
    c.add_argument("event", metavar="EVENT", help="活动编号或活动名称中的几个字")
    c.set_defaults(func=_show)

    c = cmds.add_parser("report", parents=[common], help="活动情况报告（一页 A4，PDF）")
    c.add_argument("event", metavar="EVENT", help="活动编号或活动名称中的几个字")
    c.add_argument("--out", required=True, metavar="FILE.pdf")
    c.set_defaults(func=_report_cmd)

    c = cmds.add_parser("sheet", parents=[common], help="签到表（已签到名单，或 --blank 空白表）")
    c.add_argument("event", metavar="EVENT", help="活动编号或活动名称中的几个字")
    c.add_argument("--blank", action="store_true", help="空白签到表（带序号，断电断网时手工签到）")
    c.add_argument("--rows", type=int, default=None, metavar="N", help="空白表的行数（默认一页 20 行）")
    c.add_argument("--reveal", action="store_true", help="打印完整手机号码（默认隐去部分数字；记入审计日志）")
    c.add_argument("--out", required=True, metavar="FILE.pdf")
    c.set_defaults(func=_sheet)


# ---------------------------------------------------------------- helpers

def _union_id(ctx, name: str | None) -> str:
    from ..domain.errors import UserError
    from ..services.unions import list_unions

    if not name:
        return ctx.home_union_id
    unions = list_unions(ctx)
    exact = [u for u in unions if u.name == name.strip()]
    partial = [u for u in unions if name.strip() in u.name]
    found = exact or partial
    if len(found) != 1:
        raise UserError("event.union_unknown", text=name, choices="、".join(u.name for u in unions))
    return found[0].id


def _line(event) -> str:
    extra = f"  分会场 {'、'.join(event.sub_venues)}" if event.sub_venues else ""
    return f"{event.event_date} {event.time_label:<11}  {event.type}  {event.title}  地点 {event.venue}{extra}  编号 {event.id}"


# ---------------------------------------------------------------- commands

def _list(args) -> int:
    from ..services import events

    with ready_context(args) as ctx:
        found = events.list_events(ctx, parse_date(args.since), parse_date(args.until), args.type)
        for event in found:
            print(_line(event))
        print(f"共 {len(found)} 场活动")
    return 0


def _create(args) -> int:
    from ..domain.event import EventInput
    from ..services import events

    with ready_context(args) as ctx:
        inp = EventInput(type=args.type, title=args.title, event_date=parse_date(args.date), start_time=args.start,
                         end_time=args.end, venue=args.venue, union_id=_union_id(ctx, args.union),
                         sub_venues=args.sub_venue, services=args.service)
        event = events.create_event(ctx, inp)
        print(f"已新建活动：{_line(event)}")
    return 0


def _show(args) -> int:
    from ..printing.event_report import summary_sentence
    from ..services import events

    with ready_context(args) as ctx:
        summary = events.event_summary(ctx, events.find_event(ctx, args.event).id)
        print(_line(summary.event))
        print(summary_sentence(summary))
        if summary.event.sub_venues:
            print("；".join(f"{v.venue} {v.total} 人（会员 {v.members}、非会员 {v.walk_ins}）" for v in summary.by_venue))
        for kind in ("consultation", "material", "service"):
            items = [f"{t.label} {t.total}" for t in summary.tallies(kind) if t.total]
            if items:
                print("、".join(items))
    return 0


def _report_cmd(args) -> int:
    from ..services import documents, events

    with ready_context(args) as ctx:
        save_printout(ctx, documents.event_report(ctx, events.find_event(ctx, args.event).id), args.out)
    return 0


def _sheet(args) -> int:
    from ..services import documents, events

    if args.blank and args.reveal:
        print("提示：空白签到表没有手机号码，--reveal 不起作用", file=sys.stderr)
    with ready_context(args) as ctx:
        event = events.find_event(ctx, args.event)
        printout = documents.signin_sheet(ctx, event.id, blank=args.blank, rows=args.rows,
                                          reveal=args.reveal and not args.blank)
        save_printout(ctx, printout, args.out)
    return 0
