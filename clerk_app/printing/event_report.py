"""The one-page event report for the supervisor (活动情况报告): the event, attendance
(members / walk-ins, per venue, per sign-in method), members recruited and service cards
issued at the event, consultations by topic, materials handed out, services given, and a
signature / date / seal block. Everything comes from ``services.events.EventSummary``;
no personal data is printed. The page always fits one A4 sheet (shrunk if it must).
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepInFrame, Spacer, Table, TableStyle

from ..domain.event import SIGNIN_METHODS, offered_labels
from .fonts import check_fields
from .layout import (HEAD_FILL, Column, Imprint, Margins, PageDecor, Title, build_story, data_table,
                     frame_width, grid_style, para, styles)
from .result import PrintResult
from .signin_sheet import event_header

EVENT_REPORT = "event_report"
UNITS = {"consultation": "人次", "material": "份", "service": "人次"}
HEADINGS = {"consultation": "咨询（按类别）", "material": "宣传资料发放", "service": "服务项目"}
_MARGINS = Margins()


def _heading(text: str):
    st = styles()
    return para(text, st.body.clone("report_heading", firstLineIndent=0, fontSize=12.5, leading=18,
                                    spaceBefore=3 * mm, spaceAfter=1.5 * mm))


def _figures(summary, width: float) -> Table:
    """The headline numbers in one ruled row: label above, number below."""
    st = styles()
    big = st.cell_center.clone("report_big", fontSize=16, leading=20)
    cells = [("签到总人数", summary.attendance, "人"), ("其中：会员", summary.members, "人"),
             ("非会员", summary.walk_ins, "人"), ("现场入会", summary.joined, "人"),
             ("现场发放服务卡", summary.cards_issued, "张")]
    head = [para(label, st.head) for label, _, _ in cells]
    values = [para(f"{n:,} {unit}", big) for _, n, unit in cells]
    table = Table([head, values], colWidths=[width / len(cells)] * len(cells), hAlign="CENTER")
    table.setStyle(TableStyle(grid_style(1) + [("TOPPADDING", (0, 1), (-1, 1), 6),
                                               ("BOTTOMPADDING", (0, 1), (-1, 1), 7)]))
    return table


def _venue_table(summary, width: float) -> Table:
    rows = [[v.venue, f"{v.members:,}", f"{v.walk_ins:,}", f"{v.total:,}"] for v in summary.by_venue]
    rows.append(["合计", f"{summary.members:,}", f"{summary.walk_ins:,}", f"{summary.attendance:,}"])
    cols = [Column("会场", 2.0, "center"), Column("会员", 1, "right"), Column("非会员", 1, "right"),
            Column("合计", 1, "right")]
    table = data_table(cols, rows, width)
    table.setStyle(TableStyle([("BACKGROUND", (0, len(rows)), (-1, len(rows)), HEAD_FILL)]))
    return table


def _tally_table(summary, kind: str, width: float) -> Table:
    offered = offered_labels(kind, summary.event.services)  # every topic, the event's own services: 0 shown too
    items = [t for t in summary.tallies(kind) if t.total or t.label in offered]
    total = sum(t.total for t in items)
    rows = [[t.label, f"{t.total:,}"] for t in items] or [["（无）", "0"]]
    rows.append(["合计", f"{total:,}"])
    cols = [Column(HEADINGS[kind], 1.7), Column(f"数量（{UNITS[kind]}）", 1.0, "right")]
    table = data_table(cols, rows, width)
    table.setStyle(TableStyle([("BACKGROUND", (0, len(rows)), (-1, len(rows)), HEAD_FILL)]))
    return table


def summary_sentence(summary) -> str:
    """The sentence a report or news item would carry."""
    text = (f"本次活动共签到 {summary.attendance:,} 人（会员 {summary.members:,} 人、非会员 {summary.walk_ins:,} 人），"
            f"现场入会 {summary.joined:,} 人，发放服务卡 {summary.cards_issued:,} 张，"
            f"接受咨询 {summary.consultations_total:,} 人次，发放宣传资料 {summary.materials_total:,} 份，"
            f"提供服务 {summary.services_total:,} 人次。")
    return text


def event_report_pdf(summary, imprint: Imprint | None = None) -> PrintResult:
    event = summary.event
    pagesize = A4
    width = frame_width(pagesize, _MARGINS)
    st = styles()
    gap = 4 * mm
    col = (width - 2 * gap) / 3
    tallies = Table([[_tally_table(summary, kind, col) for kind in ("consultation", "material", "service")]],
                    colWidths=[col + gap, col + gap, col], hAlign="CENTER")
    tallies.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                 ("RIGHTPADDING", (0, 0), (1, 0), gap), ("RIGHTPADDING", (2, 0), (2, 0), 0),
                                 ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    order = list(SIGNIN_METHODS) + sorted(set(summary.by_method) - set(SIGNIN_METHODS))
    methods = "，".join(f"{SIGNIN_METHODS.get(m, m)} {summary.by_method[m]:,} 人"
                       for m in order if summary.by_method.get(m))
    body = st.body.clone("report_body", fontSize=11, leading=19)
    small = st.small.clone("report_small", leading=13)
    content: list = [
        Title("活动情况报告", 20, 3 * mm),
        para(f"{event.union_name}　　{event.date.year}年{event.date.month}月{event.date.day}日", st.subtitle),
        _heading("一、活动基本情况"), event_header(event, width, blank=False),
        _heading("二、签到与入会"), _figures(summary, width),
    ]
    if event.sub_venues:
        content += [Spacer(1, 2.5 * mm), _venue_table(summary, width * 0.7)]
    if methods:
        content += [Spacer(1, 1.5 * mm), para(f"签到方式：{methods}。", small)]
    content += [_heading("三、咨询、宣传与服务"), tallies,
                _heading("四、情况说明"), para(summary_sentence(summary), body)]
    if event.notes:
        content.append(para(event.notes, body))
    sign = Table([[para("填报人：", st.cell), para("审核人：", st.cell), para("填报日期：　　年　　月　　日", st.cell)],
                  ["", "", para("（单位盖章）", st.cell_right)]],
                 colWidths=[width * 0.3, width * 0.3, width * 0.4], rowHeights=[10 * mm, 14 * mm])
    sign.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    content += [Spacer(1, 6 * mm), sign]
    height = pagesize[1] - _MARGINS.top - _MARGINS.bottom - 1 * mm
    story = [KeepInFrame(width, height, content, mode="shrink")]
    title = f"{event.title}活动情况报告"
    decor = PageDecor(imprint, header=title, header_right=event.union_name)
    pdf, pages = build_story(story, pagesize=pagesize, decor=decor, title=title, margins=_MARGINS)
    labels = [(kind, t.label) for kind in UNITS for t in summary.tallies(kind)]
    warnings = check_fields([("活动名称", event.title), ("地点", event.venue), ("备注", event.notes)]
                            + [(HEADINGS[k], label) for k, label in labels])
    return PrintResult(pdf, EVENT_REPORT, pages=pages, items=summary.attendance, warnings=tuple(warnings))
