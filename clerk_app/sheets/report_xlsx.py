"""A supervisor report (:class:`~clerk_app.domain.reports.Report`) as an .xlsx workbook, through the
one writer (``sheets.xlsx_writer.write_sheets``): one sheet per table, each headed by the
report's title, union and period; numbers as numbers (counts as integers, yuan as numbers with
two decimals), labels and 环比/同比 as text, "—" cells empty; then a sheet 说明 with the
reconciliation, the notes, the data's coverage and the footer facts (union, clerk, date printed).
Charts are left to the PDF: their figures are in the tables. A district's reports (one per
township) go into one workbook, each township's sheets named after it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO, Sequence

from ..domain.reports import Report
from .xlsx_writer import Sheet, write_sheets

FOOTER_SHEET = "说明"


def heading(report: Report) -> list[str]:
    union = report.union_name + (f"（{report.township}）" if report.township and report.township != report.union_name
                                 else "")
    return [report.title, f"{union}　{report.period.label}"]


def sheets_of(report: Report, prefix: str = "") -> list[Sheet]:
    """The sheets of one report; ``prefix`` (a township's name) goes before each sheet's name
    when one workbook holds several reports."""
    out = [Sheet(prefix + table.title, table.columns, table.rows, heading=heading(report) + [table.title],
                 indent=table.indent, notes=(table.note,) if table.note else ())
           for table in report.tables]
    facts: list[tuple[str, str]] = [("报表", report.title), ("工会", report.union_name)]
    if report.township:
        facts.append(("乡镇（街道）", report.township))
    facts += [("统计期间", f"{report.period.label}（{report.period.start.isoformat()} 至 {report.period.end.isoformat()}）"),
              ("上期", _range(report.period.previous())), ("去年同期", _range(report.period.year_before()))]
    if report.reconciliation:
        facts.append(("核对", report.reconciliation))
    facts += [("说明", note) for note in report.notes]
    for site in report.coverage:
        facts.append(("数据来源", f"{site.site_name}（{site.union_name}）：数据截至 {site.up_to or '尚无数据'}"))
    facts += [("经办人", report.clerk), ("打印日期", report.printed_on.isoformat()), ("单位盖章", ""),
              ("负责人签字", "")]
    out.append(Sheet(prefix + FOOTER_SHEET, ("项目", "内容"), facts, heading=heading(report), widths={0: 14, 1: 60}))
    return out


def _range(period) -> str:
    return f"{period.start.isoformat()} 至 {period.end.isoformat()}"


def write_report_xlsx(reports: Report | Sequence[Report], target: str | Path | BinaryIO) -> None:
    """One report, or a district's several (each township's sheets named after it, in turn)."""
    batch = [reports] if isinstance(reports, Report) else list(reports)
    if len(batch) == 1:
        write_sheets(target, sheets_of(batch[0]))
        return
    sheets: list[Sheet] = []
    for report in batch:
        sheets += sheets_of(report, prefix=f"{report.township or report.union_name}·")
    write_sheets(target, sheets)


def report_xlsx_bytes(reports: Report | Sequence[Report]) -> bytes:
    buffer = io.BytesIO()
    write_report_xlsx(reports, buffer)
    return buffer.getvalue()
