"""``clerk-app hardship ...``: hardship files and the assistance ledger in batch, for district IT
and tests: file, show, status, resurvey, pay, reverse, visit, due, totals, attach, rules, recheck, print. Output is
Chinese with sensitive values masked; ``--json`` gives the same, machine-readable."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, fields

from .common import json_flag, member_id, parse_date, ready_context, save_printout


def register(sub, common) -> None:
    p = sub.add_parser("hardship", parents=[common], help="困难职工档案与帮扶台账")
    cmds = p.add_subparsers(dest="hardship_command", metavar="ACTION", required=True)

    c = cmds.add_parser("file", parents=[common], help="建档：为会员建立困难职工档案（字段见 --form）")
    c.add_argument("--member", required=True, metavar="ID_OR_IDNUMBER", help="会员编号或 18 位身份证号码")
    c.add_argument("--form", required=True, metavar="FILE.json",
                   help="档案表字段（JSON：category、health、own_monthly_income…，household 为家庭成员列表）")
    c.add_argument("--date", metavar="DATE", help="建档日期（默认今天）")
    json_flag(c)
    c.set_defaults(func=_file)

    c = cmds.add_parser("show", parents=[common], help="查看档案（敏感信息隐去）")
    c.add_argument("ref", metavar="WORKER_NO", help="职工编号")
    json_flag(c)
    c.set_defaults(func=_show)

    c = cmds.add_parser("status", parents=[common], help="档案状态：approved/assisting/resolved/withdrawn")
    c.add_argument("ref", metavar="WORKER_NO")
    c.add_argument("--to", required=True, help="审核通过/帮扶中/解困脱困/撤档 或 approved/assisting/resolved/withdrawn")
    c.add_argument("--reason", default="", help="原因（撤档必填）")
    c.add_argument("--date", metavar="DATE")
    c.set_defaults(func=_status)

    c = cmds.add_parser("resurvey", parents=[common], help="记录年度复查")
    c.add_argument("ref", metavar="WORKER_NO")
    c.add_argument("--date", metavar="DATE")
    c.add_argument("--note", default="")
    c.set_defaults(func=_resurvey)

    c = cmds.add_parser("pay", parents=[common], help="记一笔发放（违反规则须负责人填写 --override）")
    c.add_argument("ref", metavar="WORKER_NO")
    c.add_argument("--kind", required=True, help="临时应急救助/两节送温暖/金秋助学/医疗救助/就业帮扶/夏送清凉/其他")
    c.add_argument("--amount", required=True, help="金额（元，最多两位小数）")
    c.add_argument("--fund", required=True, help="资金来源")
    c.add_argument("--approver", required=True, help="审批人")
    c.add_argument("--method", default="银行转账", help="发放方式（默认银行转账）")
    c.add_argument("--recipient", default="", metavar="NAME", help="领取的家庭成员姓名（金秋助学：子女）")
    c.add_argument("--date", metavar="DATE")
    c.add_argument("--notes", default="")
    c.add_argument("--override", default="", metavar="REASON", help="负责人特批理由")
    json_flag(c)
    c.set_defaults(func=_pay)

    c = cmds.add_parser("reverse", parents=[common], help="冲销一笔发放（原记录保留）")
    c.add_argument("entry", metavar="ENTRY_ID")
    c.add_argument("--reason", required=True)
    c.add_argument("--date", metavar="DATE")
    json_flag(c)
    c.set_defaults(func=_reverse)

    c = cmds.add_parser("visit", parents=[common], help="记录走访")
    c.add_argument("ref", metavar="WORKER_NO")
    c.add_argument("--visitors", required=True)
    c.add_argument("--found", default="", help="了解到的情况")
    c.add_argument("--given", default="", help="送去的物品或帮助")
    c.add_argument("--date", metavar="DATE")
    c.set_defaults(func=_visit)

    c = cmds.add_parser("due", parents=[common], help="到期（逾期）未复查的档案")
    c.add_argument("--within", type=int, default=0, metavar="DAYS", help="包括今后若干天内到期的")
    json_flag(c)
    c.set_defaults(func=_due)

    c = cmds.add_parser("totals", parents=[common], help="发放合计：按年度、类型、资金来源")
    c.add_argument("ref", nargs="?", metavar="WORKER_NO", help="只看一名职工（默认全工会）")
    c.add_argument("--year", type=int)
    json_flag(c)
    c.set_defaults(func=_totals)

    c = cmds.add_parser("attach", parents=[common], help="添加附件（收入证明、诊断证明、入学证明……，加密保存）")
    c.add_argument("ref", metavar="WORKER_NO")
    c.add_argument("path", metavar="FILE")
    c.add_argument("--kind", required=True, help="收入证明/户口簿/诊断证明/医疗票据/入学证明/缴费票据/其他")
    c.set_defaults(func=_attach)

    c = cmds.add_parser("rules", parents=[common], help="帮扶规则：show 查看当前版本和历次修改；set 修改（仅负责人，生成新版本）")
    c.add_argument("rules_action", choices=("show", "set"), metavar="show|set")
    c.add_argument("--emergency-min", metavar="YUAN", help="临时应急救助每次下限（元）")
    c.add_argument("--emergency-max", metavar="YUAN", help="临时应急救助每次上限（元）")
    c.add_argument("--days-before", type=int, metavar="DAYS", help="两节发放期：元旦前天数")
    c.add_argument("--days-after", type=int, metavar="DAYS", help="两节发放期：春节后天数")
    c.add_argument("--school-year", metavar="MM-DD", help="金秋助学的学年起始日（如 09-01）")
    c.add_argument("--note", default="", help="修改说明（如“2027 年标准”）")
    json_flag(c)
    c.set_defaults(func=_rules)

    c = cmds.add_parser("recheck", parents=[common], help="合并各笔记本数据后重新核对帮扶规则（两条记录都保留）")
    json_flag(c)
    c.set_defaults(func=_recheck)

    c = cmds.add_parser("print", parents=[common], help="打印：file（档案表）、history（帮扶记录）、payments（发放签收表）")
    c.add_argument("what", choices=("file", "history", "payments"))
    c.add_argument("ref", nargs="?", metavar="WORKER_NO", help="职工编号（file 不给则打印空白表）")
    c.add_argument("--out", required=True, metavar="FILE.pdf")
    c.add_argument("--reveal", action="store_true", help="印完整信息（仅负责人，记入审计日志）")
    c.add_argument("--type", "--kind", dest="kind", default="", help="payments：帮扶类型（默认全部）")
    c.add_argument("--fund", default="", help="payments：资金来源（默认全部）")
    c.add_argument("--from", "--since", dest="since", metavar="DATE", help="payments：发放日期自")
    c.add_argument("--to", "--until", dest="until", metavar="DATE", help="payments：发放日期至")
    c.set_defaults(func=_print)


# ---------------------------------------------------------------- helpers

def _emit(args, data, lines) -> int:
    if getattr(args, "json", False):
        json.dump(data, sys.stdout, ensure_ascii=False, indent=1, default=str)
        print()
    else:
        for line in lines:
            print(line)
    return 0


def _entry_json(e) -> dict:
    return {"id": e.id, "worker_no": e.worker_no, "kind": e.kind, "amount": str(e.amount), "paid_date": e.paid_date,
            "fund": e.fund, "approver": e.approver, "recipient": e.recipient_name, "method": e.method,
            "rule_version": e.rule_version, "reverses": e.reverses_id or None, "reversed_by": e.reversed_by or None,
            "override": e.override_reasons or None}


def _entry_line(e) -> str:
    extra = "（冲销）" if e.is_reversal else ("（已冲销）" if e.reversed_by else "")
    over = f"  特批：{e.override_reasons}" if e.override_reasons else ""
    return (f"{e.paid_date}  {e.kind}  {e.amount} 元{extra}  {e.fund}  审批人 {e.approver}  领取人 {e.recipient_name}"
            f"  规则第 {e.rule_version} 版  编号 {e.id}{over}")


def _status_code(text: str) -> str:
    from ..domain import hardship as hs

    for code, label in hs.STATUSES.items():
        if text.strip() in (code, label):
            return code
    return text.strip()


# ---------------------------------------------------------------- commands

def _file(args) -> int:
    from pathlib import Path

    from ..domain.errors import UserError
    from ..domain.hardship import FileInput, HouseholdInput
    from ..services import hardship

    try:
        data = json.loads(Path(args.form).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError("cli.bad_form", path=args.form, detail=type(exc).__name__) from None
    known = {f.name for f in fields(FileInput)}
    row_known = {f.name for f in fields(HouseholdInput)}
    unknown = sorted(set(data) - known) + sorted({k for h in data.get("household", []) for k in h} - row_known)
    if unknown:
        raise UserError("cli.form_fields", names="、".join(unknown))
    data["household"] = [HouseholdInput(**h) for h in data.get("household", [])]
    with ready_context(args) as ctx:
        saved = hardship.file_member(ctx, member_id(ctx, args.member, "print.member_unknown"), FileInput(**data),
                                     filed=parse_date(args.date))
        return _emit(args, {"file_id": saved.file_id, "worker_no": saved.worker_no, "per_head_how": saved.per_head_how},
                     [f"已建档：职工编号 {saved.worker_no}", f"家庭月人均收入：{saved.per_head_how}"])


def _show(args) -> int:
    from ..services import hardship

    with ready_context(args) as ctx:
        d = hardship.get_detail(ctx, args.ref)
        f = d.file
        data = {"id": f.id, "worker_no": f.worker_no, "name": f.name, "id_number": f.id_number_masked,
                "category": f.category, "status": f.status_label, "filed_date": f.filed_date,
                "resurvey_due": f.resurvey_due, "bank_account": f.bank_account_masked, "household_size": f.household_size,
                "household": [{"name": h.name, "relation": h.relation, "id_number": h.id_number_masked}
                              for h in d.household],
                "history": [{"date": h.effective_date, "event": h.label, "reason": h.reason} for h in d.history],
                "ledger": [_entry_json(e) for e in d.ledger],
                "visits": [{"date": v.visit_date, "visitors": v.visitors} for v in d.visits]}
        lines = [f"职工编号 {f.worker_no}  {f.name}（{f.id_number_masked}）  {f.category}  状态 {f.status_label}",
                 f"建档 {f.filed_date}  下次复查 {f.resurvey_due}  银行卡 {f.bank_account_masked}  家庭人口 {f.household_size}",
                 *(f"  家庭成员：{h.name}（{h.relation}，{h.id_number_masked}）" for h in d.household),
                 *(f"  {h.effective_date} {h.label} {h.reason}".rstrip() for h in d.history),
                 *("  " + _entry_line(e) for e in d.ledger),
                 *(f"  走访 {v.visit_date} {v.visitors}" for v in d.visits)]
        return _emit(args, data, lines)


def _status(args) -> int:
    from ..services import hardship

    with ready_context(args) as ctx:
        f = hardship.change_status(ctx, args.ref, _status_code(args.to), reason=args.reason, day=parse_date(args.date))
        print(f"{f.worker_no}：{f.status_label}")
    return 0


def _resurvey(args) -> int:
    from ..services import hardship

    with ready_context(args) as ctx:
        f = hardship.record_resurvey(ctx, args.ref, day=parse_date(args.date), note=args.note)
        print(f"{f.worker_no}：已复查，下次复查 {f.resurvey_due}")
    return 0


def _pay(args) -> int:
    from ..domain.errors import UserError
    from ..services import hardship, hardship_ledger as ledger

    with ready_context(args) as ctx:
        recipient = ""
        if args.recipient:
            d = hardship.get_detail(ctx, args.ref)
            found = [h.id for h in d.household if h.name == args.recipient.strip()]
            if not found:
                raise UserError("ledger.bad_recipient")
            recipient = found[0]
        e = ledger.pay(ctx, args.ref, ledger.PaymentInput(
            kind=args.kind, amount=args.amount, paid_date=parse_date(args.date) or ctx.today(), fund=args.fund,
            approver=args.approver, method=args.method, recipient_id=recipient, notes=args.notes,
            override_reason=args.override))
        return _emit(args, _entry_json(e), ["已记录：" + _entry_line(e)])


def _reverse(args) -> int:
    from ..services import hardship_ledger as ledger

    with ready_context(args) as ctx:
        e = ledger.reverse(ctx, args.entry, args.reason, day=parse_date(args.date))
        return _emit(args, _entry_json(e), ["已冲销：" + _entry_line(e)])


def _visit(args) -> int:
    from ..services import hardship_ledger as ledger

    with ready_context(args) as ctx:
        v = ledger.record_visit(ctx, args.ref, day=parse_date(args.date) or ctx.today(), visitors=args.visitors,
                                findings=args.found, given=args.given)
        print(f"已记录走访：{v.visit_date} {v.visitors}")
    return 0


def _due(args) -> int:
    from ..services import hardship

    with ready_context(args) as ctx:
        rows = hardship.due_for_resurvey(ctx, args.within)
        return _emit(args, [{"worker_no": r.worker_no, "name": r.name, "status": r.status_label,
                             "resurvey_due": r.resurvey_due} for r in rows],
                     [f"{r.worker_no}  {r.name}  {r.status_label}  应复查 {r.resurvey_due}" for r in rows]
                     + [f"共 {len(rows)} 份档案到期未复查"])


def _totals(args) -> int:
    from ..services import hardship_ledger as ledger

    with ready_context(args) as ctx:
        t = ledger.totals(ctx, args.ref, args.year)
        data = {"total": str(t.amount), "lines": [{**asdict(line), "amount": str(line.amount)} for line in t.lines]}
        lines = [f"{line.year}  {line.kind}  {line.fund}  {line.amount} 元  {line.payments} 笔" for line in t.lines]
        return _emit(args, data, lines + [f"合计 {t.amount} 元"])


def _attach(args) -> int:
    from ..services import hardship_attachments as att

    with ready_context(args) as ctx:
        a = att.add_attachment(ctx, args.ref, args.path, args.kind)
        print(f"已添加附件：{a.kind}（{a.name}，{a.size} 字节）")
    return 0


def _rules_json(version: int, r) -> dict:
    from ..domain.money import to_yuan

    return {"version": version, "emergency_min": str(to_yuan(r.emergency_min_fen)),
            "emergency_max": str(to_yuan(r.emergency_max_fen)), "festival_days_before": r.festival_days_before,
            "festival_days_after": r.festival_days_after,
            "school_year_start": f"{r.school_year_month:02d}-{r.school_year_day:02d}"}


def _rules_lines(version: int, r) -> list[str]:
    from ..domain.money import fmt_yuan

    return [f"帮扶规则第 {version} 版：临时应急救助每次 {fmt_yuan(r.emergency_min_fen)} 至 {fmt_yuan(r.emergency_max_fen)} 元；"
            f"两节发放期元旦前 {r.festival_days_before} 天至春节后 {r.festival_days_after} 天；"
            f"金秋助学每学年（自 {r.school_year_text} 起）每名子女一次"]


def _school_year(text: str | None) -> tuple[int | None, int | None]:
    from ..domain.errors import UserError

    if not text:
        return None, None
    parts = text.strip().replace("/", "-").split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise UserError("ledger.bad_rules", detail=f"学年起始日“{text}”应写作 月-日，如 09-01")
    return int(parts[0]), int(parts[1])


def _rules(args) -> int:
    from ..services import hardship_ledger as ledger

    with ready_context(args) as ctx:
        if args.rules_action == "set":
            month, day = _school_year(args.school_year)
            ledger.edit_rules(ctx, args.note, emergency_min=args.emergency_min, emergency_max=args.emergency_max,
                              festival_days_before=args.days_before, festival_days_after=args.days_after,
                              school_year_month=month, school_year_day=day)
        version, current = ledger.current_rules(ctx)
        history = ledger.rule_history(ctx)
        data = {**_rules_json(version, current),
                "history": [{**_rules_json(h.version, h.rules), "note": h.note, "recorded_at": h.recorded_at}
                            for h in history]}
        lines = (["已保存为新版本。"] if args.rules_action == "set" else []) + _rules_lines(version, current)
        lines += [f"  第 {h.version} 版  {h.recorded_at[:10]}  {h.note}".rstrip() for h in history]
        if not history:
            lines.append("  （内置默认规则，尚未修改过）")
        return _emit(args, data, lines)


def _recheck(args) -> int:
    from ..services import hardship, hardship_ledger as ledger

    with ready_context(args) as ctx:
        flags = ledger.recheck(ctx.db)
        doubles = hardship.double_files(ctx.db)
        double_text = [f"{g[0].name}有 {len(g)} 份未结束的档案：" + "、".join(f"{r.worker_no}（{r.status_label}，{r.filed_date} 建档）"
                                                              for r in g) + "，请核实后撤档多余的一份" for g in doubles]
        data = [{**_entry_json(f.entry), "rule": f.breach.rule, "detail": f.breach.detail} for f in flags]
        data += [{"rule": "two_open_files", "detail": text, "files": [r.worker_no for r in g]}
                 for g, text in zip(doubles, double_text)]
        return _emit(args, data,
                     [f"{f.entry.worker_no} {f.entry.worker_name}：{f.breach.detail}（{_entry_line(f.entry)}）"
                      for f in flags] + double_text
                     + [f"共 {len(flags)} 笔不符合规则" + (f"，{len(doubles)} 人有多份未结束的档案" if doubles else "")])


def _print(args) -> int:
    from ..domain.errors import UserError
    from ..services import hardship_documents as docs

    with ready_context(args) as ctx:
        if args.what == "file":
            out = docs.file_form(ctx, args.ref, reveal=args.reveal)
        elif args.what == "history":
            if not args.ref:
                raise UserError("cli.hardship_ref_required")
            out = docs.history(ctx, args.ref)
        else:
            out = docs.payment_list(ctx, kind=args.kind, fund=args.fund, date_from=parse_date(args.since),
                                    date_to=parse_date(args.until))
        save_printout(ctx, out, args.out)
    return 0
