"""``clerk-app report members|work``: the supervisor reports (基层工会会员报表, 工作情况报表) of a
period, saved as PDF or .xlsx (audited, like every file that leaves the app) and/or printed as
JSON for scripts. ``--by township`` at the district: one report per township, all in one file
(a PDF one after another, each from a new page; an .xlsx with each township's sheets named after it)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

from ..domain.errors import UserError
from ..domain.reports import REPORT_KINDS, Period, Report
from .common import json_flag, parse_date, ready_context
from .progress import progress_line

_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")


def register(sub, common) -> None:
    p = sub.add_parser("report", parents=[common], help="统计报表：会员报表、工作情况报表（输出 PDF 或 .xlsx）")
    p.add_argument("kind", choices=tuple(REPORT_KINDS), help="members：基层工会会员报表；work：工作情况报表")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="统计期间第一天，如 2026-11-01")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="统计期间最后一天（含）")
    p.add_argument("--month", metavar="YYYY-MM", help="按月统计（代替 --from/--to），如 2026-11")
    p.add_argument("--by", choices=("township",), help="township：区总工会按乡镇（街道）分列，每个乡镇一份")
    p.add_argument("--out", metavar="FILE.pdf|FILE.xlsx", help="输出文件（.pdf 或 .xlsx）")
    json_flag(p)
    p.set_defaults(func=_report)


def period_from_args(args) -> Period:
    if args.month:
        if args.date_from or args.date_to:
            raise UserError("report.bad_period", detail="--month 与 --from/--to 只能用一种")
        m = _MONTH.fullmatch(args.month.strip())
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise UserError("report.bad_period", detail=f"月份“{args.month}”应写作 2026-11")
        return Period.month(int(m.group(1)), int(m.group(2)))
    start, end = parse_date(args.date_from), parse_date(args.date_to)
    if start is None or end is None:
        raise UserError("report.bad_period", detail="请给出 --month，或同时给出 --from 和 --to")
    if end < start:
        raise UserError("report.bad_period", detail=f"结束日期 {end} 早于开始日期 {start}")
    from ..domain.report_figures import period_between

    return period_between(start, end)


def _json_cell(value):
    if isinstance(value, Decimal):
        return str(value)
    return value


def report_json(report: Report) -> dict:
    """A report as JSON-ready data: numbers as numbers, yuan (Decimal) as text, "—" as null."""
    return {
        "kind": report.kind, "title": report.title, "union": report.union_name, "township": report.township,
        "period": {"start": report.period.start.isoformat(), "end": report.period.end.isoformat(),
                   "kind": report.period.kind, "label": report.period.label},
        "reconciliation": report.reconciliation, "notes": list(report.notes),
        "tables": [{"title": t.title, "columns": list(t.columns), "note": t.note, "indent": sorted(t.indent),
                    "rows": [[_json_cell(c) for c in row] for row in t.rows]} for t in report.tables],
        "charts": [{"title": c.title, "kind": c.kind, "categories": list(c.categories),
                    "series": [{"name": s.name, "values": [_json_cell(v) for v in s.values]} for s in c.series]}
                   for c in report.charts],
        "coverage": [{"site": s.site_name, "union": s.union_name, "up_to": s.up_to} for s in report.coverage],
        "clerk": report.clerk, "printed_on": report.printed_on.isoformat(),
    }


def _report(args) -> int:
    from ..services import reports as service

    if not args.out and not args.json:
        raise UserError("report.no_output")
    period = period_from_args(args)
    if args.out:
        out = Path(args.out)
        if out.suffix.lower() not in service.FORMATS:
            raise UserError("report.bad_format", path=str(out))
        if out.suffix.lower() == ".pdf" and not service.pdf_available():
            raise UserError("report.pdf_unavailable")
    with ready_context(args) as ctx:
        if args.by == "township":
            if not service.townships(ctx):
                raise UserError("report.no_township_here")
            with progress_line("生成报表", "份") as progress:
                reports = service.district_reports(ctx, args.kind, period, progress=progress)
        else:
            reports = [service.build_report(ctx, args.kind, period)]
        saved = []
        if args.out:
            saved.append(service.save_reports(ctx, reports, Path(args.out), make_folder=True))
    if args.json:
        print(json.dumps({"reports": [report_json(r) for r in reports], "saved": [str(p) for p in saved]},
                         ensure_ascii=False, indent=2))
    else:
        for r in reports:
            where = f"（{r.township}）" if r.township else ""
            print(f"{r.title}{where} {r.period.label}")
            if r.reconciliation:
                print(f"  {r.reconciliation}")
        for path in saved:
            print(f"已生成 {path}")
    return 0

