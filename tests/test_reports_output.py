"""A report leaves the app as .xlsx (read back here with openpyxl: numbers are numbers, labels
text), as JSON from the CLI, or as PDF once ``printing.reports`` exists — each save behind an
audit entry, and no name, ID number or phone of anyone in any of them."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from clerk_app.cli import main
from clerk_app.cli.report_cmd import report_json
from clerk_app.domain.errors import UserError
from clerk_app.domain.reports import Period
from clerk_app.services import reports
from clerk_app.services.sync_site import become_district
from clerk_app.sheets.report_xlsx import FOOTER_SHEET
from clerk_app.storage import sync_ledger
from clerk_app.workspace import open_workspace
from tests import report_data
from tests.conftest import SETUP, TEST_KDF


@pytest.fixture
def world(ctx, today):
    return ctx, report_data.build(ctx, today, members_count=40), report_data.report_period(today)


def _cells(path) -> list[object]:
    wb = load_workbook(path)
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def _leaks(text: str, made) -> list[str]:
    return [v for v in (*made.names, *made.id_numbers, *made.phones) if v and v in text]


def test_xlsx_has_a_sheet_per_table_with_numbers_as_numbers(world, tmp_path):
    ctx, made, period = world
    report = reports.work_report(ctx, period)
    out = reports.save_report(ctx, report, tmp_path / "工作.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames == [t.title for t in report.tables] + [FOOTER_SHEET]
    for t in report.tables:
        ws = wb[t.title]
        assert ws["A1"].value == report.title and ws["A3"].value == t.title
        assert [c.value for c in ws[4]] == list(t.columns)
        for r, row in enumerate(t.rows, start=5):
            for c, value in enumerate(row, start=1):
                cell = ws.cell(r, c)
                if value is None:
                    assert cell.value is None
                elif isinstance(value, Decimal):
                    assert isinstance(cell.value, (int, float)) and Decimal(str(cell.value)) == value
                    assert cell.number_format == "#,##0.00"
                elif isinstance(value, int):
                    assert type(cell.value) is int and cell.value == value
                else:
                    assert cell.data_type == "s" and cell.value == value
            if r - 5 in t.indent:
                assert ws.cell(r, 1).alignment.indent == 2
    footer = {ws_row[0].value: ws_row[1].value for ws_row in wb[FOOTER_SHEET].iter_rows(min_row=4)}
    assert footer["经办人"] == ctx.clerk.name and footer["打印日期"] == ctx.today().isoformat()
    assert "数据来源" in footer and "负责人签字" in footer
    assert not _leaks(" ".join(str(v) for v in _cells(out)), made)


def test_saving_is_audited_first_and_refuses_other_formats(world, tmp_path):
    ctx, _made, period = world
    report = reports.members_report(ctx, period)

    def entries():
        return ctx.db.conn.execute("SELECT action, detail FROM audit_log WHERE entity = 'report'").fetchall()

    assert entries() == []  # building a report writes nothing
    reports.save_report(ctx, report, tmp_path / "m.xlsx")
    [(action, detail)] = entries()
    assert action == "export"
    assert json.loads(detail) == {"kind": "members", "format": "xlsx", "reports": 1, "townships": 0,
                                  "period": f"{period.start}..{period.end}"}
    with pytest.raises(UserError) as err:
        reports.save_report(ctx, report, tmp_path / "m.docx")
    assert ".xlsx" in err.value.message and len(entries()) == 1
    with pytest.raises(UserError):  # a folder in the way: nothing written, nothing recorded
        reports.save_report(ctx, report, tmp_path)
    assert len(entries()) == 1


def test_no_personal_data_in_json_or_xlsx_or_pdf(world, tmp_path):
    ctx, made, period = world
    for build in (reports.members_report, reports.work_report):
        report = build(ctx, period)
        text = json.dumps(report_json(report), ensure_ascii=False)
        assert not _leaks(text, made)
        out = reports.save_report(ctx, report, tmp_path / f"{report.kind}.xlsx")
        assert not _leaks(" ".join(str(v) for v in _cells(out)), made)
        if reports.pdf_available():
            from tests.printing.pdfcheck import pdf_text

            pdf = reports.save_report(ctx, report, tmp_path / f"{report.kind}.pdf")
            assert not _leaks(pdf_text(pdf.read_bytes()), made)


def _closed_world(data_dir, today):
    ws = open_workspace(data_dir, kdf=TEST_KDF)
    ctx = ws.set_up(SETUP)
    made = report_data.build(ctx, today, members_count=25)
    ws.close()
    return made


def test_cli_json_and_xlsx(data_dir, tmp_path, capsys, today):
    made = _closed_world(data_dir, today)
    period = report_data.report_period(today)
    out = tmp_path / "会员.xlsx"
    code = main(["--data-dir", str(data_dir), "report", "members", "--month", f"{period.start:%Y-%m}",
                 "--out", str(out), "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = json.loads(captured.out)
    [rep] = data["reports"]
    assert rep["period"] == {"start": period.start.isoformat(), "end": period.end.isoformat(), "kind": "month",
                             "label": period.label}
    first = rep["tables"][0]
    assert first["columns"] == ["项目", "本期", "上期", "环比", "去年同期", "同比"]
    assert all(isinstance(row[1], int) for row in first["rows"])
    assert rep["reconciliation"].endswith("核对相符")
    assert data["saved"] == [str(out)] and out.is_file()
    assert not _leaks(captured.out + captured.err, made)
    # the same month by dates is recognised as a month (上期 is the month before)
    code = main(["--data-dir", str(data_dir), "report", "work", "--from", period.start.isoformat(),
                 "--to", period.end.isoformat(), "--json"])
    work = json.loads(capsys.readouterr().out)["reports"][0]
    assert code == 0 and work["period"]["kind"] == "month"
    money = [t for t in work["tables"] if "按帮扶类型" in t["title"]]
    assert not money or all(isinstance(row[1], str) for row in money[0]["rows"])  # Decimal as text


def test_cli_refuses_clearly(data_dir, tmp_path, capsys, today):
    _closed_world(data_dir, today)
    base = ["--data-dir", str(data_dir), "report", "members"]
    assert main([*base, "--month", "2026-13", "--json"]) == 2
    assert "月份" in capsys.readouterr().err
    assert main([*base, "--from", "2026-05-01", "--json"]) == 2
    assert "--to" in capsys.readouterr().err
    assert main([*base, "--month", f"{today:%Y-%m}"]) == 2
    assert "--out" in capsys.readouterr().err
    assert main([*base, "--month", f"{today:%Y-%m}", "--by", "township", "--json"]) == 2
    assert "区总工会" in capsys.readouterr().err
    if not reports.pdf_available():
        assert main([*base, "--month", f"{today:%Y-%m}", "--out", str(tmp_path / "r.pdf")]) == 2
        assert "PDF 输出尚未可用" in capsys.readouterr().err


def test_cli_pdf(data_dir, tmp_path, capsys, today):
    if not reports.pdf_available():
        pytest.skip("printing.reports not in this build yet")
    from tests.printing.pdfcheck import pdf_text

    made = _closed_world(data_dir, today)
    out = tmp_path / "会员.pdf"
    assert main(["--data-dir", str(data_dir), "report", "members", "--month", f"{today:%Y-%m}",
                 "--out", str(out)]) == 0, capsys.readouterr().err
    text = pdf_text(out.read_bytes())
    assert "基层工会会员报表" in text and not _leaks(text, made)


def test_district_reports_one_per_township_with_package_dates(ctx, today, tmp_path):
    made = report_data.build(ctx, today, members_count=30)
    period = report_data.report_period(today)
    assert [r.township for r in reports.district_reports(ctx, "members", period)] == [""]  # a laptop: its own
    become_district(ctx)
    for n, union in enumerate((ctx.home_union_id, made.other_township_id)):
        site = f"site-{n}"
        sync_ledger.save_peer(ctx.db, site_id=site, name=f"笔记本{n}", role=sync_ledger.LAPTOP, signing_public=b"s",
                              encryption_public=b"e", epoch=1, union_id=union, at=ctx.now_stamp())
        if n == 0:
            sync_ledger.add_package(ctx.db, direction="in", site=site, sender=site, epoch=1, seq=3, digest="d",
                                    prev="", counts={}, at=f"{today - dt.timedelta(days=2)}T10:00:00+08:00")
    found = reports.district_reports(ctx, "members", period)
    assert [r.township for r in found] == ["大兴区黄村镇总工会", "西红门镇总工会"]
    home, other = found
    assert [(c.site_name, c.up_to) for c in home.coverage] == [
        ("笔记本0", f"{today - dt.timedelta(days=2)}T10:00:00+08:00")]
    assert [(c.site_name, c.up_to) for c in other.coverage] == [("笔记本1", "")]
    whole = reports.members_report(ctx, period)
    end = {r.township: r.tables[0].rows[9][1] for r in found}
    assert sum(end.values()) == whole.tables[0].rows[9][1]  # the two townships hold every member
    out = reports.save_reports(ctx, found, tmp_path / "全区.xlsx")
    names = load_workbook(out).sheetnames
    assert len(names) == 2 * (len(home.tables) + 1)
    assert names[0].startswith("大兴区黄村镇总工会·") and names[-1] == "西红门镇总工会·说明"


def test_period_between_recognises_month_quarter_year():
    from clerk_app.domain.report_figures import period_between

    assert period_between(dt.date(2025, 2, 1), dt.date(2025, 2, 28)).kind == "month"
    assert period_between(dt.date(2025, 4, 1), dt.date(2025, 6, 30)) == Period.quarter(2025, 2)
    assert period_between(dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == Period.year(2025)
    assert period_between(dt.date(2025, 1, 2), dt.date(2025, 1, 31)).kind == "custom"


def test_any_clerk_may_build_and_save_a_report(world, tmp_path):
    from clerk_app.services.context import Clerk, Context

    ctx, _made, period = world
    plain = Context(ctx.db, Clerk(ctx.clerk.id, "王经办", "经办人"), ctx.site_id, ctx.clock)
    report = reports.members_report(plain, period)
    assert report.clerk == "王经办" and report.printed_on == ctx.today()
    assert reports.save_report(plain, report, tmp_path / "m.xlsx").is_file()
