"""Supervisor reports on A4 (基层工会会员报表, 工作情况报表): drawn from a
:class:`~clerk_app.domain.reports.Report` and nothing else, so the paper holds counts, money and
category labels only (a report value has no field a name or a number could go in).

Each report: title, union and period, every table ruled (numbers right-aligned with thousands
separators, yuan with two decimals, "—" where nothing applies, sub-lines indented, a table that
runs over a page repeats its header), every chart drawn with reportlab's own chart graphics (so
the preview, which shows this PDF, and the paper are one drawing), the reconciliation sentence,
and on its last page the place for the seal and the signature of the person in charge.

Every page's footer names the union, the clerk, the day printed, whose data the figures count
(each laptop and how far its data reaches) and the page "第 x 页 / 共 y 页" within its report.
A district's reports for several townships print one after another, each from a new page, each
numbered on its own (and the whole document's page beside it)."""

from __future__ import annotations

import io
import math
from decimal import Decimal
from pathlib import Path
from typing import Sequence

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, SimpleDocTemplate, Spacer
from reportlab.platypus import Table as RLTable
from reportlab.platypus import TableStyle

from ..domain.reports import Chart, Report, Table
from .fonts import FONT, check_fields, register_fonts
from .layout import CREATOR, GREY, HEAD_FILL, INK, RULE, Title, para, split_to_width, styles
from .result import PrintResult

SUPERVISOR_REPORT = "supervisor_report"
PAGESIZE = A4
SIDE = 15 * mm
TOP = 20 * mm
BOTTOM = 27 * mm  # room for the footer: union, clerk, date, page; up to two lines of coverage
WIDTH = PAGESIZE[0] - 2 * SIDE
DASH = "—"
INDENT = 14  # points a sub-line's label moves right
CHART_HEIGHT = 68 * mm
# Series colours that stay apart on a black-and-white printer too (dark, light, mid grey).
SERIES_COLOURS = (colors.HexColor("#1f4e79"), colors.HexColor("#f0a030"), colors.HexColor("#7a7a7a"),
                  colors.HexColor("#2e8b57"), colors.HexColor("#b03a2e"))
FOOTER_SIZE = 7.5
KEEP_WHOLE_ROWS = 12  # tables up to this many rows stay on one page (with their heading)
COVERAGE_LINES = 2


# Characters the figures' wording uses that the bundled font lacks (they would print as a box
# or nothing), and what prints in their place.
SUBSTITUTES = str.maketrans({"\u2212": "-", "\u2264": "<=", "\u2265": ">="})


def printable(text: str) -> str:
    return str(text).translate(SUBSTITUTES)


# ---------------------------------------------------------------------------------- cells

def cell_text(value) -> str:
    """A table cell as printed: 1,234 · 1,234.50 (yuan) · "—" for None · text as given."""
    if value is None:
        return DASH
    if isinstance(value, bool):  # not a count; never expected, but never printed as 1/0
        return "是" if value else "否"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return printable(value)


def _label_share(table: Table) -> float:
    """The label column's width: as wide as its longest label needs, 28%..45% of the table."""
    st = styles()
    need = max([stringWidth(str(r[0] or ""), FONT, st.cell.fontSize) + INDENT for r in table.rows]
               + [stringWidth(table.columns[0], FONT, st.head.fontSize)] + [0]) + 10
    return min(0.45, max(0.28, need / WIDTH))


def table_flowable(table: Table) -> RLTable:
    st = styles()
    n = len(table.columns)
    label_w = WIDTH * (_label_share(table) if n > 1 else 1.0)
    widths = [label_w] + [(WIDTH - label_w) / (n - 1)] * (n - 1) if n > 1 else [label_w]
    data = [[para(printable(c), st.head) for c in table.columns]]
    for row in table.rows:
        data.append([para(cell_text(row[0]), st.cell)] + [cell_text(v) for v in row[1:]])
    if not table.rows:
        data.append([para("（无数据）", st.cell)] + [""] * (n - 1))
    commands = [
        ("FONT", (0, 0), (-1, -1), FONT, 10),
        ("GRID", (0, 0), (-1, -1), 0.5, INK),
        ("BOX", (0, 0), (-1, -1), 1.0, INK),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
    ]
    for i in sorted(table.indent):
        if 0 <= i < len(table.rows):
            commands.append(("LEFTPADDING", (0, i + 1), (0, i + 1), 4 + INDENT))
    out = RLTable(data, colWidths=widths, repeatRows=1, hAlign="CENTER")
    out.setStyle(TableStyle(commands))
    return out


# --------------------------------------------------------------------------------- charts

def _nice_step(top: float, integer: bool) -> float:
    """A round tick step giving about five steps up to ``top``."""
    if top <= 0:
        return 1.0
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return max(1.0, step) if integer else step


def _value_range(kind: str, values: list[list[float]], integer: bool) -> tuple[float, float, float]:
    """The value axis: from 0 (bars always; a bar's length is its figure), or for lines that
    stay high (members month by month) from a round figure below them, so the change shows."""
    top = max([max(v) for v in values] + [0])
    low = min([min(v) for v in values] + [0]) if kind == "bar" else min(min(v) for v in values)
    if kind == "line" and low > top * 0.5:
        span = max(top - low, top * 0.02, 1 if integer else 0.01)
        step = _nice_step(span * 1.2, integer)
        value_min = step * math.floor((low - span * 0.1) / step)
    else:
        step = _nice_step(top, integer)
        value_min = 0.0
    value_max = value_min + step * max(1, math.ceil((top - value_min) / step))
    if value_max <= top:  # room above the highest bar for its label
        value_max += step
    return value_min, value_max, step


def _value_format(integer: bool):
    return (lambda v: f"{v:,.0f}") if integer else (lambda v: f"{v:,.2f}".rstrip("0").rstrip("."))


def chart_drawing(chart: Chart, width: float = WIDTH, height: float = CHART_HEIGHT) -> Drawing:
    """The chart as a reportlab Drawing: vertical bars (grouped by category) or lines; category
    labels in the bundled font, tilted when they would collide; a legend when there are
    several series; value labels on the bars when they stay readable."""
    register_fonts()
    drawing = Drawing(width, height)
    values = [[float(v) for v in s.values] for s in chart.series]
    if not chart.categories or not values:
        drawing.add(String(width / 2, height / 2, "（无数据）", fontName=FONT, fontSize=10, textAnchor="middle",
                           fillColor=GREY))
        return drawing
    integer = all(isinstance(v, int) for s in chart.series for v in s.values)
    value_min, value_max, step = _value_range(chart.kind, values, integer)

    legend_h = 14 if len(chart.series) > 1 else 0
    left = 10 + max(stringWidth(_value_format(integer)(v), FONT, 8) for v in (value_min, value_max))
    plot_w = width - left - 8
    per_category = plot_w / len(chart.categories)
    label_size = 8.5 if per_category > 30 else 7.5
    widest = max(stringWidth(printable(c), FONT, label_size) for c in chart.categories)
    tilt = widest > per_category - 4
    label_room = (widest * 0.6 + label_size + 6) if tilt else label_size + 8
    bottom = label_room + 2

    plot = VerticalBarChart() if chart.kind == "bar" else HorizontalLineChart()
    plot.x, plot.y = left, bottom
    plot.width, plot.height = plot_w, height - bottom - 8 - legend_h
    plot.data = values
    axis = plot.categoryAxis
    axis.categoryNames = [printable(c) for c in chart.categories]
    axis.labels.fontName = FONT
    axis.labels.fontSize = label_size
    if tilt:
        axis.labels.angle = 35
        axis.labels.boxAnchor = "ne"
        axis.labels.dx, axis.labels.dy = 2, -2
    else:
        axis.labels.boxAnchor = "n"
        axis.labels.dy = -3
    axis.strokeColor = INK
    vaxis = plot.valueAxis
    vaxis.valueMin, vaxis.valueMax, vaxis.valueStep = value_min, value_max, step
    vaxis.labels.fontName = FONT
    vaxis.labels.fontSize = 8
    vaxis.labelTextFormat = _value_format(integer)
    vaxis.visibleGrid = True
    vaxis.gridStrokeColor = colors.Color(0.85, 0.85, 0.85)
    vaxis.gridStrokeWidth = 0.4
    vaxis.strokeColor = INK
    if chart.kind == "bar":
        plot.groupSpacing = max(2, per_category * 0.25)
        plot.barSpacing = 1
        for i in range(len(values)):
            plot.bars[i].fillColor = SERIES_COLOURS[i % len(SERIES_COLOURS)]
            plot.bars[i].strokeColor = None
        bar_w = (per_category - plot.groupSpacing) / len(values)
        if bar_w >= 11:  # the figure on each bar, where it fits
            plot.barLabelFormat = _value_format(integer)
            plot.barLabels.fontName = FONT
            plot.barLabels.fontSize = 7
            plot.barLabels.nudge = 6
    else:
        plot.joinedLines = 1
        for i in range(len(values)):
            colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
            plot.lines[i].strokeColor = colour
            plot.lines[i].strokeWidth = 1.6
            plot.lines[i].symbol = makeMarker("FilledCircle", size=4, fillColor=colour, strokeColor=colour)
    drawing.add(plot)
    if legend_h:
        legend = Legend()
        legend.fontName = FONT
        legend.fontSize = 8
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.dx = legend.dy = 7
        legend.deltax = 10
        legend.boxAnchor = "ne"  # above the plot, at its right end
        legend.x, legend.y = width - 8, height - 1
        legend.colorNamePairs = [(SERIES_COLOURS[i % len(SERIES_COLOURS)], printable(s.name))
                                 for i, s in enumerate(chart.series)]
        drawing.add(legend)
    return drawing


# ---------------------------------------------------------------------------- the report

class _StartReport(Flowable):
    """Marks the page where report ``index`` begins (the footer reads it) and adds a bookmark."""

    def __init__(self, index: int, outline: str):
        super().__init__()
        self.index, self.outline = index, outline

    def wrap(self, avail_width, avail_height):
        return 0, 0

    def draw(self):
        self.canv._report_index = self.index
        if self.outline:
            key = f"report-{self.index}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(self.outline, key, level=0)


class SignBlock(Flowable):
    """The last lines of a report: who filled it in, the person in charge's signature with a date
    line, and the place for the union's seal."""

    HEIGHT = 44 * mm

    def __init__(self, clerk: str):
        super().__init__()
        self.clerk = clerk

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, self.HEIGHT

    def draw(self):
        c = self.canv
        size = 10.5
        c.saveState()
        c.setFont(FONT, size)
        c.setFillColor(INK)
        c.setStrokeColor(INK)
        c.setLineWidth(0.6)
        first = self.HEIGHT - 8 * mm
        second = first - 11 * mm
        right = self.width * 0.5
        c.drawString(0, first, f"填报人：{self.clerk}")
        label = "负责人签字："
        c.drawString(right, first, label)
        c.line(right + stringWidth(label, FONT, size) + 2, first - 2, self.width, first - 2)
        label = "日期："
        c.drawString(right, second, label)
        x = right + stringWidth(label, FONT, size) + 2
        for text, w in (("年", 20 * mm), ("月", 11 * mm), ("日", 11 * mm)):
            c.line(x, second - 2, x + w, second - 2)
            c.drawString(x + w + 1.5, second, text)
            x += w + stringWidth(text, FONT, size) + 3
        label = "单位（盖章）："
        c.drawString(0, second, label)
        # the seal's place: a dashed circle the size of a union's round seal
        r = 17 * mm
        c.setStrokeColor(RULE)
        c.setDash(2, 2)
        c.circle(stringWidth(label, FONT, size) + 3 * mm + r, r + 1.5 * mm, r, stroke=1, fill=0)
        c.restoreState()


def _heading(text: str):
    st = styles()
    return para(printable(text), st.body.clone("rep_heading", firstLineIndent=0, fontSize=12, leading=16,
                                    spaceBefore=4 * mm, spaceAfter=1.8 * mm))


def _subtitle(report: Report) -> str:
    p = report.period
    span = f"{p.start:%Y-%m-%d} 至 {p.end:%Y-%m-%d}"
    who = report.union_name + (f"（{report.township}）" if report.township and report.township != report.union_name
                               else "")
    return printable(f"填报单位：{who}　　报表期间：{p.label}（{span}）")


def report_story(report: Report, index: int = 0, outline: bool = False) -> list:
    """The flowables of one report (its own pages: the caller breaks the page before it)."""
    st = styles()
    small = st.small.clone("rep_note", textColor=GREY, spaceBefore=1.2 * mm)
    story: list = [_StartReport(index, (report.township or report.union_name) if outline else ""),
                   Title(report.title, 19, 2.5 * mm), para(_subtitle(report), st.subtitle)]
    for section in report.sections:
        if isinstance(section, Table):
            parts = [_heading(section.title), table_flowable(section)]
            if section.note:
                parts.append(para(printable(section.note), small))
            if len(section.rows) <= KEEP_WHOLE_ROWS:  # a short table is not split over two pages
                story.append(KeepTogether(parts))
            else:  # a long one may split, but its heading is not left alone at a page's foot
                story += [CondPageBreak(40 * mm)] + parts
        else:
            story.append(KeepTogether([_heading(section.title), chart_drawing(section)]))
    body = st.body.clone("rep_body", fontSize=11, leading=18, spaceBefore=3 * mm)
    if report.reconciliation:
        story.append(para(printable(report.reconciliation), body))
    for note in report.notes:
        story.append(para(printable(note), body))
    story += [Spacer(1, 4 * mm), SignBlock(report.clerk)]
    return story


# ---------------------------------------------------------------------------------- pages

def coverage_text(report: Report) -> str:
    """数据范围：each laptop (its union), up to when its data reaches."""
    parts = []
    for c in report.coverage:
        up_to = c.up_to.replace("T", " ")[:16] if c.up_to else "尚无数据"
        union = f"（{c.union_name}）" if c.union_name else ""
        parts.append(f"{c.site_name}{union}截至 {up_to}")
    return printable("数据范围：" + ("；".join(parts) if parts else "本机数据"))


def footer_line(report: Report) -> str:
    """The footer's first line: union, clerk, day printed (and nothing personal besides)."""
    who = report.union_name + (f" · {report.township}" if report.township and report.township != report.union_name
                               else "")
    return printable(f"{who}　　经办人：{report.clerk}　　打印日期：{report.printed_on:%Y-%m-%d}")


def _coverage_lines(report: Report, width: float) -> list[str]:
    lines = split_to_width(coverage_text(report), width, FOOTER_SIZE)
    if len(lines) <= COVERAGE_LINES:
        return lines
    kept, shown = lines[:COVERAGE_LINES], len(report.coverage)
    # say how many laptops there are rather than end mid-name
    tail = f"……共 {shown} 台电脑的数据"
    last = kept[-1]
    while last and stringWidth(last + tail, FONT, FOOTER_SIZE) > width:
        last = last[:-1]
    kept[-1] = last + tail
    return kept


def draw_page_furniture(canvas: Canvas, report: Report, page: int, pages: int, overall: tuple[int, int] | None):
    w, h = PAGESIZE
    canvas.saveState()
    canvas.setFillColor(GREY)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    canvas.setFont(FONT, 8)
    canvas.drawString(SIDE, h - 11 * mm, f"{report.title} · {report.period.label}")
    canvas.drawRightString(w - SIDE, h - 11 * mm, report.township or report.union_name)
    canvas.line(SIDE, h - 12.5 * mm, w - SIDE, h - 12.5 * mm)
    base = BOTTOM - 6 * mm
    canvas.line(SIDE, base, w - SIDE, base)
    canvas.setFont(FONT, FOOTER_SIZE + 0.5)
    number = f"第 {page} 页 / 共 {pages} 页"
    if overall is not None:
        number += f"（全册第 {overall[0]} / {overall[1]} 页）"
    canvas.drawRightString(w - SIDE, base - 4.2 * mm, number)
    room = WIDTH - stringWidth(number, FONT, FOOTER_SIZE + 0.5) - 6 * mm
    canvas.drawString(SIDE, base - 4.2 * mm, split_to_width(footer_line(report), room, FOOTER_SIZE + 0.5)[0])
    canvas.setFont(FONT, FOOTER_SIZE)
    for i, line in enumerate(_coverage_lines(report, WIDTH)):
        canvas.drawString(SIDE, base - 8.2 * mm - i * 3.4 * mm, line)
    canvas.restoreState()


def _canvas_class(reports: Sequence[Report], counter: list[int]):
    """A canvas that holds its pages back until the end, so each page can say which of its
    report's pages it is ("共 N 页" needs the count) and draw that report's footer."""

    class ReportCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._held: list[dict] = []
            self._report_index = 0

        def showPage(self):  # noqa: N802 - reportlab's name
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            owners = [state.get("_report_index", 0) for state in self._held]
            total = len(self._held)
            counter.append(total)
            several = len(reports) > 1
            seen: dict[int, int] = {}
            for number, state in enumerate(self._held, 1):
                index = owners[number - 1]
                seen[index] = seen.get(index, 0) + 1
                self.__dict__.update(state)
                draw_page_furniture(self, reports[index], seen[index], owners.count(index),
                                    (number, total) if several else None)
                Canvas.showPage(self)
            Canvas.save(self)

    return ReportCanvas


def report_document(reports: Report | Sequence[Report]) -> PrintResult:
    """The PDF of one report, or of several one after another (each from a new page)."""
    batch = [reports] if isinstance(reports, Report) else list(reports)
    if not batch:
        raise ValueError("no report to print")
    register_fonts()
    story: list = []
    for i, report in enumerate(batch):
        if i:
            story.append(PageBreak())
        story += report_story(report, i, outline=len(batch) > 1)
    first = batch[0]
    title = f"{first.title}（{first.period.label}）"
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=PAGESIZE, title=title, author=first.clerk, creator=CREATOR,
                            subject=f"{first.union_name} {first.period.label}",
                            leftMargin=SIDE, rightMargin=SIDE, topMargin=TOP, bottomMargin=BOTTOM)
    counter: list[int] = []
    doc.build(story, canvasmaker=_canvas_class(batch, counter))
    return PrintResult(buf.getvalue(), SUPERVISOR_REPORT, pages=counter[-1], items=len(batch), warnings=tuple(_warnings(batch)))


def _warnings(batch: Sequence[Report]):
    pairs = []
    for r in batch:
        pairs += [("单位", r.union_name), ("经办人", r.clerk)] + [("数据范围", c.site_name) for c in r.coverage]
        pairs += [("核对", printable(r.reconciliation))] + [("说明", printable(n)) for n in r.notes]
        for t in r.tables:
            pairs += [(t.title, printable(row[0])) for row in t.rows if row and isinstance(row[0], str)]
        for c in r.charts:
            pairs += [(c.title, printable(name)) for name in c.categories]
    return check_fields(pairs)


def report_pdf(report: Report, out_path: str | Path) -> None:
    """Write one report's PDF to ``out_path``."""
    Path(out_path).write_bytes(report_document(report).pdf)


def reports_pdf(reports: Sequence[Report], out_path: str | Path) -> None:
    """Write a district's reports (one per township) to ``out_path``, each from a new page."""
    Path(out_path).write_bytes(report_document(list(reports)).pdf)


__all__ = ["SUPERVISOR_REPORT", "cell_text", "chart_drawing", "coverage_text", "footer_line",
           "report_document", "report_pdf", "reports_pdf", "table_flowable"]
