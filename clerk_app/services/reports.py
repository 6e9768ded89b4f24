"""Supervisor reports (统计报表): the 基层工会会员报表 and the 工作情况报表 of a period, for this
laptop, one township, or — at the district — each township in turn; and saving one as .xlsx or
PDF behind an audit entry.

Any clerk may build a report: it holds counts and money only, never a name or a number of a
person (``domain.reports``). Saving to a file is recorded (action ``export``, entity ``report``:
which report, period, township and format — no figure), and the entry is written before the
file (``printouts.write_file``): when it cannot be, no file is. Building writes nothing.

Figures: ``services.reports_members`` and ``services.reports_work``; the counting SQL is
``storage.report_queries``."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Callable, Sequence

from ..domain.errors import UserError
from ..domain.reports import REPORT_KINDS, Period, Report
from ..sheets.report_xlsx import report_xlsx_bytes
from ..storage import sync_ledger as ledger
from ..storage import unions_repo
from .context import Context
from .printouts import file_safe, write_file
from .report_tables import is_district
from .reveal import audit_or_refuse
from .reports_members import members_report
from .reports_work import work_report

__all__ = ["members_report", "work_report", "build_report", "district_reports", "townships", "save_report",
           "save_reports", "pdf_available", "default_file_name", "FORMATS"]

FORMATS = (".pdf", ".xlsx")
_BUILDERS: dict[str, Callable[..., Report]] = {"members": members_report, "work": work_report}


def build_report(ctx: Context, kind: str, period: Period, *, township: str | None = None) -> Report:
    """``kind``: "members" or "work" (``domain.reports.REPORT_KINDS``)."""
    if kind not in _BUILDERS:
        raise UserError("report.bad_kind", kind=kind, choices="、".join(REPORT_KINDS))
    return _BUILDERS[kind](ctx, period, township=township)


def townships(ctx: Context) -> list[tuple[str, str]]:
    """(union id, name) of the townships whose laptops are enrolled at this district, by name;
    empty on a laptop."""
    if not is_district(ctx):
        return []
    names = {u.id: u.name for u in unions_repo.all_unions(ctx.db)}
    found = {p.union_id for p in ledger.peers(ctx.db, ledger.LAPTOP) if p.union_id in names}
    return sorted(((uid, names[uid]) for uid in found), key=lambda t: (t[1], t[0]))


def district_reports(ctx: Context, kind: str, period: Period, *,
                     progress: Callable[[int, int], None] | None = None) -> list[Report]:
    """At the district: one report per enrolled township (its union and the unions below it;
    coverage: that township's laptops, each up to its last imported package), by name. On a
    laptop: the laptop's one report. ``progress(done, total)`` after each report."""
    found = townships(ctx)
    scopes: Sequence[str | None] = [uid for uid, _name in found] or [None]
    out = []
    for n, township in enumerate(scopes, 1):
        out.append(build_report(ctx, kind, period, township=township))
        if progress is not None:
            progress(n, len(scopes))
    return out


# ---------------------------------------------------------------- saving

def pdf_available() -> bool:
    """Whether this build can draw reports as PDF (``printing.reports``)."""
    return importlib.util.find_spec("clerk_app.printing.reports") is not None


def default_file_name(report: Report, suffix: str = ".pdf") -> str:
    place = f"-{report.township}" if report.township else ""
    return file_safe(f"{report.title}{place}-{report.period.label}{suffix}", "统计报表")


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UserError("report.bad_format", path=str(path))
    return suffix


def _pdf_bytes(reports: Sequence[Report]) -> bytes:
    if not pdf_available():
        raise UserError("report.pdf_unavailable")
    from ..printing import reports as drawing

    return drawing.report_document(list(reports)).pdf


def save_reports(ctx: Context, reports: Sequence[Report], path: str | Path, *, make_folder: bool = False) -> Path:
    """Save ``reports`` to ``path``: .pdf (one after another, each from a new page) or .xlsx (one
    workbook; several reports' sheets named after their townships). The audit entry first, then
    the file, written whole or not at all."""
    out = Path(path)
    fmt = _format_of(out)
    if not reports:
        raise UserError("print.nothing")
    if fmt == ".xlsx":
        data = report_xlsx_bytes(list(reports))
    else:
        data = _pdf_bytes(reports)
    first = reports[0]
    detail = {"kind": first.kind, "period": f"{first.period.start.isoformat()}..{first.period.end.isoformat()}",
              "format": fmt.lstrip("."), "reports": len(reports),
              "townships": len([r for r in reports if r.township])}

    def audit() -> None:
        audit_or_refuse(ctx, "保存文件", "export", "report", "", **detail)

    return write_file(out, data, before=audit, make_folder=make_folder)


def save_report(ctx: Context, report: Report, path: str | Path, *, make_folder: bool = False) -> Path:
    """Save one report as .pdf or .xlsx (see :func:`save_reports`)."""
    return save_reports(ctx, [report], path, make_folder=make_folder)
