"""The event sign-in sheet (签到表): filled from the attendance list, or blank with numbered
rows for when the laptop is down. Both carry the event header; the table repeats its header
row on every page (layout.data_table). Phones and ID numbers are masked unless ``reveal``.

Takes plain values (an event and attendee objects with the attributes of
``domain.records.Event`` / ``Attendance``); it never reads the database.
"""

from __future__ import annotations

from typing import Sequence

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from ..domain.event import MAIN_VENUE, SIGNIN_METHODS
from ..domain.phone import mask_phone
from .fonts import check_fields
from .layout import (GREY, HEAD_FILL, Column, Imprint, PageDecor, Title, build_story, data_table,
                     frame_width, grid_style, para, styles)
from .result import PrintResult

SIGNIN_SHEET, SIGNIN_SHEET_BLANK = "signin_sheet", "signin_sheet_blank"
BLANK_ROWS = 20  # one portrait page
BLANK_COLUMNS = (Column("序号", 0.55, "center"), Column("姓名", 1.2, "center"), Column("单位/平台", 2.0),
                 Column("职业", 1.3, "center"), Column("手机号码", 1.75, "center"),
                 Column("是否会员", 0.85, "center"), Column("签名", 1.35, "center"))
NOTE_BLANK = ("注：1. 请本人填写并签名；“是否会员”填“是”或“否”，非会员愿意入会的请告知工作人员。"
              "2. 手机号码仅用于工会联系和会员服务，工会按规定妥善保管。")
NOTE_MASKED = "注：手机号码、身份证号码按个人信息保护要求隐去部分数字，完整信息以系统记录为准。"
NOTE_REVEALED = "注：本表印有完整的手机号码和身份证号码，请妥善保管，用后按规定处理。"


def event_header(event, width: float, *, blank: bool) -> Table:
    """The ruled box above the table: what, when, where, who hosts, which venue."""
    st = styles()
    label, value = st.label, st.cell
    venue_line = ("　/　" if blank else "、").join((MAIN_VENUE, *event.sub_venues))
    rows = [
        [para("活动名称", label), para(event.title, value), para("活动类型", label), para(event.type, value)],
        [para("时　　间", label), para(event.when_label, value), para("地　　点", label), para(event.venue, value)],
        [para("主办单位", label), para(event.union_name, value),
         para("会　　场" if event.sub_venues else "服务项目", label),
         para(venue_line + "（请圈出本表所在会场）" if event.sub_venues and blank
              else (venue_line if event.sub_venues else "、".join(event.services)), value)],
    ]
    table = Table(rows, colWidths=[w * width for w in (0.13, 0.42, 0.13, 0.32)], hAlign="CENTER")
    table.setStyle(TableStyle(grid_style(0) + [("BACKGROUND", (0, 0), (0, -1), HEAD_FILL),
                                                ("BACKGROUND", (2, 0), (2, -1), HEAD_FILL)]))
    return table


def _filled_columns(event) -> list[Column]:
    cols = [Column("序号", 0.5, "center"), Column("姓名", 1.0, "center"), Column("单位/平台", 1.7),
            Column("职业", 1.1, "center"), Column("手机号码", 1.25, "center"), Column("身份证号码", 1.9, "center"),
            Column("是否会员", 0.8, "center")]
    if event.sub_venues:
        cols.append(Column("会场", 1.0, "center"))
    return cols + [Column("签到时间", 0.95, "center"), Column("方式", 0.8, "center")]


def _filled_rows(event, attendees: Sequence, reveal: bool) -> list[list[str]]:
    rows = []
    for n, a in enumerate(attendees, 1):
        phone = a.phone if reveal else mask_phone(a.phone)
        row = [str(n), a.name, a.employer, a.occupation, phone, a.id_number_masked, a.membership_label]
        if event.sub_venues:
            row.append(a.sub_venue or MAIN_VENUE)
        row += [a.signed_in_at[11:16], SIGNIN_METHODS.get(a.method, a.method)]
        rows.append(row)
    return rows


def signin_sheet_pdf(event, attendees: Sequence | None, imprint: Imprint | None = None, *,
                     blank_rows: int = BLANK_ROWS, reveal: bool = False) -> PrintResult:
    """``attendees`` None: the blank sheet (portrait, ``blank_rows`` numbered rows, tall enough
    to write in). Otherwise the filled sheet (landscape), one row per person in arrival order.
    ``reveal`` prints full phone numbers (ID numbers stay masked: the attendees carry them masked)."""
    blank = attendees is None
    pagesize = A4 if blank else landscape(A4)
    width = frame_width(pagesize)
    st = styles()
    title = f"{event.title}签到表"
    story: list = [Title("签　到　表", 20, 4 * mm), event_header(event, width, blank=blank), Spacer(1, 4 * mm)]
    if blank:
        rows = [[str(n)] + [""] * (len(BLANK_COLUMNS) - 1) for n in range(1, max(blank_rows, 1) + 1)]
        table = data_table(BLANK_COLUMNS, rows, width)
        table.setStyle(TableStyle([("TOPPADDING", (0, 1), (-1, -1), 6), ("BOTTOMPADDING", (0, 1), (-1, -1), 6)]))
        notes = [NOTE_BLANK, "经办人：＿＿＿＿＿＿＿＿　　　　共　　人　　　　第　　页"]
        columns, shown = BLANK_COLUMNS, []
    else:
        columns, shown = _filled_columns(event), _filled_rows(event, attendees, reveal)
        table = data_table(columns, shown, width)
        members = sum(1 for a in attendees if not a.is_walk_in)
        joined = sum(1 for a in attendees if a.joined)
        summary = f"签到合计 {len(shown)} 人：会员 {members} 人，非会员 {len(shown) - members} 人（其中现场入会 {joined} 人）。"
        notes = [summary, NOTE_REVEALED if reveal else NOTE_MASKED]
    story += [table, Spacer(1, 3 * mm)]
    note_style = st.small.clone("sheet_note", textColor=GREY, leading=13)
    story += [para(text, note_style) for text in notes]
    decor = PageDecor(imprint, header=title, header_right=event.union_name)
    pdf, pages = build_story(story, pagesize=pagesize, decor=decor, title=title)
    warnings = check_fields([("活动名称", event.title), ("地点", event.venue)]
                            + [(c.label, v) for row in shown for c, v in zip(columns, row)])
    return PrintResult(pdf, SIGNIN_SHEET_BLANK if blank else SIGNIN_SHEET, pages=pages, items=len(shown),
                       warnings=tuple(warnings), revealed=reveal and bool(shown))
