"""The member's 入会申请书 and 工会会员登记表, filled from a member record or blank.

The register form carries the fields of the official 中华全国总工会 form (shared/DOMAIN.md
"The real paper forms") plus the gig-worker fields this app records. ID numbers and phones
are masked unless the caller asks for ``reveal=True`` (and then audits it).
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.flowables import TopPadder

from ..domain import vocab
from ..domain.idnumber import mask, masked_birth
from ..domain.phone import mask_phone
from ..domain.records import Member
from .fonts import check_fields
from .fonts import FONT
from .layout import (GREY, RULE, Imprint, Margins, PageDecor, Title, build_story, frame_width,
                     grid_style, para, styles)
from .result import REGISTRATION_FORM, REGISTRATION_FORM_BLANK, PrintResult

STATEMENT = ("我自愿加入中华全国总工会，承认《中国工会章程》，遵守工会章程，执行工会决议，"
             "参加工会活动，按月交纳会费，履行会员义务。特此申请，请予批准。")
CONSENT = ("本人知悉并同意：工会为办理会籍和提供会员服务，收集、使用本表所填个人信息，"
           "并按规定妥善保管。")
NOTE_MASKED = "注：身份证号码、手机号码按个人信息保护要求隐去部分数字，完整信息以会员档案为准。"
NOTE_REVEALED = "注：本表印有完整的身份证号码和手机号码，请妥善保管，用后按规定处理。"
DATE_BLANK = "年　　月　　日"
INSTRUCTIONS = (
    "填表说明",
    "一、入会申请书和会员登记表由申请人本人填写，或由工会工作人员代为录入后经申请人核对签名。",
    "二、身份证号码填写 18 位居民身份证号码；工资填写本人月平均收入。",
    "三、新就业形态劳动者请填写所在平台、工作区域（站点）和职业。",
    "四、经基层工会委员会审批同意后，会籍自批准之日起计算。",
    "五、本表所填个人信息仅用于办理会籍和会员服务，由工会妥善保管。",
)
SEX_CHOICES = ("男", "女")
CHANNEL_CHOICES = ("现场", "扫码", "转入", "其他")
# Column widths of the register grid (mm): label, value, label, value, label, value, photo.
_COLS_MM = (23, 30, 20, 30, 23, 28, 26)


def _date_cn(iso: str | None) -> str:
    if not iso:
        return ""
    d = _dt.date.fromisoformat(iso[:10])
    return f"{d.year}年{d.month}月{d.day}日"


def _salary(fen: int | None) -> str:
    if fen is None:
        return ""
    return f"{Decimal(fen) / 100:.2f} 元/月"


def _fields(m: Member | None, reveal: bool) -> dict[str, str]:
    """The text of every value cell (all empty for the blank form)."""
    if m is None:
        return {}
    id_number, phone = m.id_number or "", m.phone or ""
    return {
        "name": m.name or "", "gender": m.gender or "",
        # Masked: the year only, since month and day are what the masked ID number hides.
        "birth_date": _date_cn(m.birth_date) if reveal else masked_birth(m.birth_date),
        "ethnicity": m.ethnicity or "",
        "native_place": m.native_place or "", "political_status": m.political_status or "",
        "education": m.education or "", "professional_title": m.professional_title or "",
        "salary": _salary(m.salary_fen),
        "id_number": id_number if reveal else mask(id_number),
        "phone": phone if reveal else mask_phone(phone),
        "employer": m.employer or "", "job_title": m.job_title or "",
        "occupation": m.occupation or "", "platform": m.platform or "",
        "work_area": m.work_area or "", "union_name": m.union_name or "",
        "member_card_no": m.member_card_no or "", "join_date": _date_cn(m.join_date),
        "join_channel": vocab.JOIN_CHANNELS.get(m.join_channel or "", m.join_channel or ""),
        "household_type": m.household_type or "", "family_info": m.family_info or "",
        "resume": m.resume or "", "remarks": m.remarks or "",
    }


class Choices(Flowable):
    """Tick boxes for a blank form ("□男 □女"); the bundled font has no □ glyph, so the
    boxes are drawn. Options flow left to right and wrap to the cell width."""

    SIZE = 9

    def __init__(self, options: tuple[str, ...]):
        super().__init__()
        self.options = options
        self._lines: list[list[str]] = []

    def _item_width(self, text: str) -> float:
        return self.SIZE * 1.1 + stringWidth(text, FONT, self.SIZE) + self.SIZE * 0.9

    def wrap(self, avail_width, avail_height):
        lines, line, used = [], [], 0.0
        for opt in self.options:
            w = self._item_width(opt)
            if line and used + w > avail_width:
                lines.append(line)
                line, used = [], 0.0
            line.append(opt)
            used += w
        lines.append(line)
        self._lines = lines
        self.width = avail_width
        self.height = len(lines) * self.SIZE * 1.5
        return self.width, self.height

    def draw(self):
        c, box = self.canv, self.SIZE * 0.75
        c.setFont(FONT, self.SIZE)
        c.setLineWidth(0.6)
        for i, line in enumerate(self._lines):
            y = self.height - (i + 1) * self.SIZE * 1.5 + self.SIZE * 0.4
            x = 0.0
            for opt in line:
                c.rect(x, y - 0.5, box, box, stroke=1, fill=0)
                c.drawString(x + self.SIZE * 1.1, y, opt)
                x += self._item_width(opt)


# --- 入会申请书 -------------------------------------------------------------------------------

def _application(values: dict[str, str]) -> list:
    st = styles()
    union = values.get("union_name", "")
    salutation = f"{union}：" if union else "＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿工会："
    signer = values.get("name", "")
    sign_line = "申请人（签名）：＿＿＿＿＿＿＿＿"
    story: list = [
        Spacer(1, 8 * mm),
        Title("入 会 申 请 书", 22, 10 * mm),
        para(salutation, st.body.clone("salutation", firstLineIndent=0)),
        Spacer(1, 2 * mm),
        para(STATEMENT, st.body),
        Spacer(1, 4 * mm),
        para(CONSENT, st.body),
        Spacer(1, 22 * mm),
        para(sign_line, st.body.clone("sign", firstLineIndent=0, alignment=2, rightIndent=8 * mm)),
    ]
    if signer:
        story.append(para(f"（申请人姓名：{signer}）",
                          st.small.clone("signer", alignment=2, rightIndent=8 * mm, textColor=GREY)))
    story += [
        Spacer(1, 4 * mm),
        para(DATE_BLANK, st.body.clone("date", firstLineIndent=0, alignment=2, rightIndent=8 * mm)),
        TopPadder(_instructions()),
    ]
    return story


def _instructions() -> Table:
    st = styles()
    head = st.cell.clone("instr_head", fontSize=10.5, leading=16)
    line = st.small.clone("instr", fontSize=9, leading=14)
    rows = [[para(INSTRUCTIONS[0], head)]] + [[para(text, line)] for text in INSTRUCTIONS[1:]]
    table = Table(rows, colWidths=[frame_width(A4) - 16 * mm])
    table.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, RULE),
                               ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                               ("LEFTPADDING", (0, 0), (-1, -1), 8),
                               ("TOPPADDING", (0, 0), (-1, 0), 6), ("BOTTOMPADDING", (0, -1), (-1, -1), 7)]))
    return table


# --- 工会会员登记表 -----------------------------------------------------------------------------

def _register_table(values: dict[str, str], width: float, blank: bool) -> Table:
    st = styles()
    choices = {"gender": SEX_CHOICES, "join_channel": CHANNEL_CHOICES}
    scale = width / (sum(_COLS_MM) * mm)
    widths = [w * mm * scale for w in _COLS_MM]
    label, cell = st.label, st.cell

    def L(text: str) -> Paragraph:  # noqa: N802 - reads like the form
        return para(text, label)

    def V(key: str):  # noqa: N802
        if blank and key in choices:
            return Choices(choices[key])
        return para(values.get(key, ""), cell)

    approval = para(f"基层工会（盖章）\n{DATE_BLANK}",
                    st.cell.clone("approval", alignment=2, leading=22, rightIndent=10 * mm))
    data = [
        [L("姓名"), V("name"), L("性别"), V("gender"), L("出生日期"), V("birth_date"),
         para("照\n片", st.label.clone("photo", textColor=GREY, leading=28))],
        [L("民族"), V("ethnicity"), L("籍贯"), V("native_place"), L("政治面貌"), V("political_status"), ""],
        [L("学历"), V("education"), L("职称"), V("professional_title"), L("工资"), V("salary"), ""],
        [L("身份证号码"), V("id_number"), "", "", L("手机号码"), V("phone"), ""],
        [L("工作单位"), V("employer"), "", "", L("职务"), V("job_title"), ""],
        [L("职业"), V("occupation"), L("平台"), V("platform"), L("工作区域"), V("work_area"), ""],
        [L("所属工会"), V("union_name"), "", "", L("会员证号码"), V("member_card_no"), ""],
        [L("入会日期"), V("join_date"), L("入会方式"), V("join_channel"), L("户口类型"), V("household_type"), ""],
        [L("家庭主要\n成员及其\n工作单位"), V("family_info"), "", "", "", "", ""],
        [L("个人工作\n简历"), V("resume"), "", "", "", "", ""],
        [L("基层工会\n组织审批\n意见"), approval, "", "", "", "", ""],
        [L("备注"), V("remarks"), "", "", "", "", ""],
        [L("申请人\n签名"), "", "", "", L("填表日期"), para(DATE_BLANK, st.cell_center), ""],
    ]
    spans = [
        ("SPAN", (6, 0), (6, 3)),
        ("SPAN", (1, 3), (3, 3)), ("SPAN", (1, 4), (3, 4)), ("SPAN", (5, 4), (6, 4)),
        ("SPAN", (5, 5), (6, 5)), ("SPAN", (1, 6), (3, 6)), ("SPAN", (5, 6), (6, 6)),
        ("SPAN", (5, 7), (6, 7)),
        *[("SPAN", (1, r), (6, r)) for r in range(8, 12)],
        ("SPAN", (1, 12), (3, 12)), ("SPAN", (5, 12), (6, 12)),
    ]
    # Fixed minimum heights leave room to write by hand; long stored text grows its row.
    minimum = [11 * mm] * 8 + [32 * mm, 46 * mm, 32 * mm, 14 * mm, 15 * mm]
    wide = sum(widths[1:]) - 8
    heights = []
    for r, min_h in enumerate(minimum):
        first = data[r][1]
        need = first.wrap(wide if 8 <= r <= 11 else widths[1] - 8, 10_000)[1] + 10 \
            if isinstance(first, Paragraph) and 8 <= r <= 11 else 0
        heights.append(max(min_h, need))
    table = Table(data, colWidths=widths, rowHeights=heights)
    table.setStyle(TableStyle(grid_style(0) + spans + [
        ("BOX", (0, 0), (-1, -1), 1.4, "black"),
        ("VALIGN", (1, 8), (1, 9), "TOP"), ("VALIGN", (1, 11), (1, 11), "TOP"),
        ("VALIGN", (1, 10), (1, 10), "BOTTOM"),
        ("BOTTOMPADDING", (1, 10), (1, 10), 6),
    ]))
    return table


def _register(values: dict[str, str], width: float, reveal: bool, blank: bool) -> list:
    st = styles()
    story: list = [Title("工 会 会 员 登 记 表", 20, 6 * mm), _register_table(values, width, blank), Spacer(1, 2 * mm)]
    if not blank:
        story.append(para(NOTE_REVEALED if reveal else NOTE_MASKED, st.small.clone("note", textColor=GREY)))
    return story


def registration_form_pdf(member: Member | None, imprint: Imprint | None = None, *,
                          reveal: bool = False) -> PrintResult:
    """入会申请书 + 工会会员登记表 (two A4 pages).

    ``member``: the member record (``services.members.get_member``), or None for a blank form
    to fill in by hand. ``reveal=True`` prints the full ID number and phone; the result then
    says ``revealed`` and the caller audits it.
    """
    blank = member is None
    values = _fields(member, reveal)
    width = frame_width(A4)
    story = _application(values) + [PageBreak()] + _register(values, width, reveal, blank)
    decor = PageDecor(imprint)
    title = "入会申请书 工会会员登记表" + ("（空白）" if blank else f"（{values.get('name', '')}）")
    pdf, pages = build_story(story, pagesize=A4, decor=decor, title=title, margins=Margins(top=16 * mm))
    warnings = () if blank else tuple(check_fields(
        [("姓名", values.get("name", "")), ("工作单位", values.get("employer", "")),
         ("籍贯", values.get("native_place", "")), ("所属工会", values.get("union_name", "")),
         ("工作区域", values.get("work_area", "")), ("家庭主要成员及其工作单位", values.get("family_info", "")),
         ("个人工作简历", values.get("resume", "")), ("备注", values.get("remarks", ""))]))
    shows_personal = not blank and bool(values.get("id_number") or values.get("phone"))
    return PrintResult(pdf, REGISTRATION_FORM_BLANK if blank else REGISTRATION_FORM, pages=pages,
                       items=0 if blank else 1, warnings=warnings, revealed=reveal and shows_personal)
