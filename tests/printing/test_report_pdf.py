"""Supervisor reports on paper, read back the way a person would (PDFium text and pixels): every
figure and label of the tables, the charts drawn, the footer on every page with its own page
numbers, a long table's header repeated, townships each from a new page, nothing personal."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from clerk_app.domain.reports import Chart, Period, Series, Table
from clerk_app.printing.reports import (cell_text, chart_drawing, coverage_text, footer_line, report_document,
                                        report_pdf, reports_pdf)
from tests.printing.pdfcheck import MM, page_count, page_sizes_mm, pdf_text, render, squeeze
from tests.printing.report_samples import members_report, work_report


@pytest.fixture
def period(today) -> Period:
    last = today.replace(day=1) - dt.timedelta(days=1)
    return Period.month(last.year, last.month)


def test_cells_print_as_a_supervisor_reads_them():
    assert cell_text(1234567) == "1,234,567"
    assert cell_text(0) == "0"
    assert cell_text(Decimal("18000")) == "18,000.00"
    assert cell_text(Decimal("7500.5")) == "7,500.50"
    assert cell_text(None) == "—"
    assert cell_text("+12.5%") == "+12.5%"
    assert cell_text("1,200 − 13") == "1,200 - 13"  # the font has no U+2212: never a blank box


def test_every_table_figure_and_label_is_on_the_paper(tmp_path, period, today):
    report = members_report(period, printed_on=today)
    out = tmp_path / "会员报表.pdf"
    report_pdf(report, out)
    pdf = out.read_bytes()
    assert all((round(w), round(h)) == (210, 297) for w, h in page_sizes_mm(pdf))
    text = squeeze(pdf_text(pdf))
    assert "基层工会会员报表" in text and squeeze(f"报表期间：{period.label}") in text
    assert f"{period.start:%Y-%m-%d}至{period.end:%Y-%m-%d}" in text
    for table in report.tables:
        assert squeeze(table.title) in text
        for column in table.columns:
            assert squeeze(column) in text
        for row in table.rows:
            assert squeeze(cell_text(row[0])) in text
    rows = pdf_text(pdf, layout=True).splitlines()
    start = next(line for line in rows if line.strip().startswith("期初会员数"))
    assert start.split() == ["期初会员数", "1,200", "1,188", "+1.0%", "1,100", "+9.1%"]
    fired = next(line for line in rows if line.strip().startswith("开除"))
    assert fired.split() == ["开除", "1", "0", "—", "0", "—"]  # nothing to compare with: a dash
    assert "期初1,200+增加48-减少13=期末1,235，核对相符。" in text
    assert "负责人签字" in text and "盖章" in text and "日期" in text


def test_numbers_stand_right_aligned_and_sub_lines_indented(period, today):
    report = members_report(period, printed_on=today)
    pdf = report_document(report).pdf
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    page = doc[0]
    tp = page.get_textpage()

    def box(word: str):
        found = tp.search(word, match_whole_word=False)
        hit = found.get_next()
        assert hit is not None, word
        first, count = hit
        left = tp.get_charbox(first)[0]
        right = tp.get_charbox(first + count - 1)[2]
        return left, right

    # in column 本期: 1,200 and 48 end at one x (right-aligned), start at different x
    assert abs(box("1,200")[1] - box("48")[1]) < 1.0 and box("1,200")[0] < box("48")[0] - 5
    # a sub-line (其中：新入会) starts right of its parent (本期增加)
    assert box("其中：新入会")[0] > box("本期增加")[0] + 8
    tp.close()
    page.close()
    doc.close()


def test_the_charts_are_drawn_with_their_labels(period, today):
    report = members_report(period, printed_on=today)
    result = report_document(report)
    text = squeeze(pdf_text(result.pdf))
    for chart in report.charts:
        assert squeeze(chart.title) in text
        for name in chart.categories:
            assert name in text
    assert "本期" in text and "上期" in text  # the bar chart's legend (two series)
    # the bars: the page with the occupation chart has its ink in the series' colour (dark blue)
    page = next(i for i in range(1, result.pages + 1)
                if "本期入会人数（按职业）" in squeeze(pdf_text(result.pdf, first=i, last=i)))
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(result.pdf)
    image = doc[page - 1].render(scale=1).to_pil().convert("RGB")
    doc.close()
    blue = sum(1 for r, g, b in image.get_flattened_data() if b > 100 and r < 60 and g < 100)
    orange = sum(1 for r, g, b in image.get_flattened_data() if r > 200 and 120 < g < 190 and b < 90)
    assert blue > 2000 and orange > 1000, (blue, orange)


def test_a_chart_with_nothing_in_it_says_so():
    empty = chart_drawing(Chart("无", "bar", (), ()))
    assert any(getattr(s, "text", "") == "（无数据）" for s in empty.contents)
    zeros = chart_drawing(Chart("零", "line", ("1月", "2月"), (Series("会员", (0, 0)),)))
    assert zeros.width > 0  # a flat line at zero, not a division by zero


def test_footer_on_every_page_with_its_page_numbers_and_nothing_else(period, today):
    report = members_report(period, printed_on=today, extra_rows=70)  # the branch table runs over pages
    result = report_document(report)
    assert result.pages == page_count(result.pdf) >= 3
    line = footer_line(report)
    assert line == f"大兴区黄村镇总工会　　经办人：李经办　　打印日期：{today:%Y-%m-%d}"
    cover = coverage_text(report)
    assert cover == ("数据范围：黄村镇笔记本1（大兴区黄村镇总工会）截至 2026-11-30 17:05；"
                     "黄村镇笔记本2（大兴区黄村镇总工会）截至 2026-11-28")
    for page in range(1, result.pages + 1):
        text = squeeze(pdf_text(result.pdf, first=page, last=page))
        assert squeeze(line) in text and squeeze(cover) in text
        assert f"第{page}页/共{result.pages}页" in text
        assert "全册" not in text  # one report: its own numbering only
    # nothing personal: no ID number, no phone number anywhere
    whole = squeeze(pdf_text(result.pdf))
    assert not re.search(r"\d{17}[\dX]", whole) and not re.search(r"1[3-9]\d{9}", whole)


def test_a_long_table_repeats_its_header_on_every_page_it_runs_over(period, today):
    report = members_report(period, printed_on=today, extra_rows=70)
    result = report_document(report)
    header = "分会期初增加减少期末"
    pages_with_rows = []
    for page in range(1, result.pages + 1):
        lines = [squeeze(line) for line in pdf_text(result.pdf, first=page, last=page, layout=True).splitlines()]
        numbers = [int(m.group(1)) for line in lines if (m := re.match(r"第(\d+)分会", line))]
        if numbers:
            pages_with_rows.append(numbers)
            assert header in lines, f"page {page} has branch rows but no header"
    assert len(pages_with_rows) >= 2
    assert [n for numbers in pages_with_rows for n in numbers] == list(range(1, 83))  # each once, in order


def test_the_seal_and_signature_are_on_the_last_page_only(period, today):
    result = report_document(members_report(period, printed_on=today, extra_rows=70))
    for page in range(1, result.pages + 1):
        text = squeeze(pdf_text(result.pdf, first=page, last=page))
        assert ("负责人签字" in text) == (page == result.pages)
    # and its ink is on the page: the signature line under 负责人签字
    last = render(result.pdf, dpi=72, first=result.pages, last=result.pages)[0]
    assert last.getextrema()[0] < 100


def test_townships_each_start_a_new_page_with_their_own_numbering(tmp_path, period, today):
    parts = [members_report(period, printed_on=today, township=name, union=name, extra_rows=n)
             for name, n in (("黄村镇总工会", 0), ("礼贤镇总工会", 45), ("榆垡镇总工会", 0))]
    out = tmp_path / "区报表.pdf"
    reports_pdf(parts, out)
    pdf = out.read_bytes()
    total = page_count(pdf)
    starts, seen = [], []
    for page in range(1, total + 1):
        text = squeeze(pdf_text(pdf, first=page, last=page))
        if "填报单位" in text:  # the line under a report's title, on its first page only
            starts.append(page)
        owner = next(p for p in parts if squeeze(footer_line(p)) in text)
        m = re.search(r"第(\d+)页/共(\d+)页（全册第(\d+)/(\d+)页）", text)
        assert m and int(m.group(3)) == page and int(m.group(4)) == total
        seen.append((owner.township, int(m.group(1)), int(m.group(2))))
    assert len(starts) == 3 and starts[0] == 1
    for name in ("黄村镇总工会", "礼贤镇总工会", "榆垡镇总工会"):
        mine = [(n, of) for who, n, of in seen if who == name]
        assert [n for n, _ in mine] == list(range(1, len(mine) + 1)) and {of for _, of in mine} == {len(mine)}
    assert [who for who, n, _ in seen if n == 1] == ["黄村镇总工会", "礼贤镇总工会", "榆垡镇总工会"]
    # each township's first page begins with its own title (a new page, not a continuation)
    for page, part in zip(starts, parts):
        assert squeeze(part.township) in squeeze(pdf_text(pdf, first=page, last=page))


def test_work_report_prints_yuan_with_two_decimals(period, today):
    result = report_document(work_report(period, printed_on=today))
    lines = pdf_text(result.pdf, layout=True).splitlines()
    row = next(line for line in lines if line.strip().startswith("金秋助学"))
    assert row.split() == ["金秋助学", "5", "7,500.50"]
    assert "25,500.50" in pdf_text(result.pdf)
    assert result.document == "supervisor_report" and result.items == 1 and not result.revealed


def test_coverage_of_many_laptops_stays_in_the_footer(period, today):
    from dataclasses import replace

    from clerk_app.domain.reports import SiteCoverage

    many = tuple(SiteCoverage(f"第{i}号笔记本电脑", "大兴区某某街道总工会", "2026-11-30") for i in range(1, 30))
    report = replace(members_report(period, printed_on=today), coverage=many)
    result = report_document(report)
    text = squeeze(pdf_text(result.pdf, first=1, last=1))
    assert "共29台电脑的数据" in text
    # the footer stays under the content: nothing drawn below the page's bottom 6 mm
    image = render(result.pdf, dpi=72, first=1, last=1)[0]
    h = image.height
    strip = image.crop((0, h - round(5 * MM), image.width, h))
    assert strip.getextrema()[0] > 200


def test_a_table_and_a_chart_of_edge_shapes_still_print(period, today):
    from dataclasses import replace

    report = replace(members_report(period, printed_on=today), sections=(
        Table("空表", ("项目", "本期"), ()),
        Table("一列", ("项目",), (("只有标签",),)),
        Chart("很多类别", "bar", tuple(f"类别{i}号很长的名字" for i in range(24)),
              (Series("人数", tuple(range(24))),)),
    ))
    result = report_document(report)
    text = squeeze(pdf_text(result.pdf))
    assert "（无数据）" in text and "只有标签" in text and "类别23号很长的名字" in text
