"""Paper for hardship files: the 困难职工档案表 (filled, masked unless ``reveal``, or blank for a
home visit), the worker's assistance history, and the 发放签收表 (payment list for signatures:
amount in figures and in capitals, page totals and a grand total, the fund and the approver).

Takes records (``domain.hardship_records``); never reads the database. Masked by default: ID
numbers keep only the region (and no birth date or age is printed beside them), phones are
masked, the bank card shows its last 4 digits, and health, disability and income read 已隐去."""

from __future__ import annotations

from typing import Sequence

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer, Table, TableStyle

from ..domain.idnumber import mask
from ..domain.money import capital_rmb, fmt_yuan
from ..domain.phone import mask_phone
from .fonts import check_fields
from .layout import (GREY, HEAD_FILL, Column, Imprint, PageDecor, Title, build_story, data_table, frame_width,
                     grid_style, para, styles)
from .result import PrintResult
from .ruled import RuledTable

HARDSHIP_FILE, HARDSHIP_FILE_BLANK, ASSISTANCE_HISTORY, PAYMENT_LIST = (
    "hardship_file", "hardship_file_blank", "assistance_history", "payment_list")
HIDDEN = "已隐去"
ROWS_PER_PAGE = 12
NOTE_MASKED = "注：身份证号码、手机号码、银行卡号及健康、残疾、收入等敏感个人信息已按规定隐去，完整信息仅限负责人查阅。"
NOTE_REVEALED = "注：本表印有完整的敏感个人信息，请妥善保管，用后按规定处理。"


def _yn(flag) -> str:
    return "是" if flag else "否"


def _grid(rows: list[list[str]], width: float, shares: Sequence[float]) -> Table:
    st = styles()
    data = [[para(text, st.label if i % 2 == 0 else st.cell) for i, text in enumerate(row)] for row in rows]
    table = Table(data, colWidths=[width * s / sum(shares) for s in shares], hAlign="CENTER")
    style = grid_style(0)
    for col in range(0, len(shares), 2):
        style.append(("BACKGROUND", (col, 0), (col, -1), HEAD_FILL))
    table.setStyle(TableStyle(style))
    return table


def _section(text: str):
    st = styles()
    return para(text, st.label.clone("section", alignment=0, spaceBefore=3 * mm, spaceAfter=1.5 * mm))


def hardship_file_pdf(f, household: Sequence | None, imprint: Imprint | None, *, reveal: bool = False,
                      attachments: Sequence = ()) -> PrintResult:
    """``f`` None: the blank form for a home visit (ruled, empty)."""
    blank = f is None
    width = frame_width(A4)

    def v(value) -> str:
        return "" if blank else str(value if value is not None else "")

    def s(value) -> str:  # a sensitive value
        return "" if blank else (str(value) if reveal else HIDDEN)

    def money(fen) -> str:
        return "" if blank else (fmt_yuan(fen) + " 元" if reveal else HIDDEN)

    per_head = None if blank else f.per_head
    idno = "" if blank else (f.id_number if reveal else mask(f.id_number))
    birth = "" if blank else (f.birth_date if reveal else "")
    phone = "" if blank else (f.phone if reveal else mask_phone(f.phone))
    account = "" if blank else (f.bank_account if reveal else f.bank_account_masked)
    disability = "" if blank else ("、".join(x for x in (f.disability_kind, f.disability_grade) if x) or "无")
    health = "" if blank else ("、".join(x for x in (f.health, f.illness) if x))
    basic = [
        ["职工编号", v(f and f.worker_no), "困难类别", v(f and f.category)],
        ["姓　　名", v(f and f.name), "性　　别", v(f and f.gender)],
        ["民　　族", v(f and f.ethnicity), "政治面貌", v(f and f.political_status)],
        ["身份证号", idno, "出生日期", birth],
        ["健康状况", s(health), "残疾类别等级", s(disability)],
        ["工作状态", v(f and f.work_status), "劳模类型", v(f and f.model_worker)],
        ["住房类型", v(f and f.housing_type), "建筑面积（平方米）", v(f and f.housing_area)],
        ["手机号码", phone, "其他联系方式", s(f and f.other_contact)],
        ["工作时间", v(f and f.work_since), "所属行业", v(f and f.industry)],
        ["婚姻状况", v(f and f.marital_status), "户口类型", v(f and f.register_type)],
        ["家庭住址", s(f and f.address), "户口所在地", v(f and f.register_region)],
        ["工作单位", v(f and f.employer), "单位性质", v(f and f.employer_nature)],
        ["企业状况", v(f and f.enterprise_status), "是否单亲", "" if blank else _yn(f.single_parent)],
        ["医保状况", v(f and f.medical_insurance), "有一定自救能力", "" if blank else _yn(f.self_help)],
        ["零就业家庭", "" if blank else _yn(f.zero_employment), "家庭人口", v(f and f.household_size)],
    ]
    income = [
        ["本人月平均收入", money(f and f.own_monthly_fen), "家庭其他年收入", money(f and f.other_yearly_fen)],
        ["家庭年度总收入", money(per_head and per_head.yearly_total_fen), "家庭月人均收入",
         money(per_head and per_head.fen)],
    ]
    causes = [
        ["主要致困原因", v(f and f.primary_cause), "次要致困原因", v(f and f.secondary_cause)],
        ["其他（文字描述）", v(f and f.cause_text), "备　　注", v(f and f.remarks)],
        ["开户银行", s(f and f.bank), "支行名称", s(f and f.bank_branch)],
        ["银行卡号", account, "附　　件", "、".join(f"{a.kind}（{a.name}）" for a in attachments)],
        ["建档人", v(f and f.filer), "审核人／录入人", "" if blank else f"{f.reviewer}／{f.entry_clerk}"],
    ]
    shares = (0.17, 0.33, 0.17, 0.33)
    st = styles()
    story: list = [Title("困难职工档案表", 18, 3 * mm), _section("一、职工基本情况"), _grid(basic, width, shares),
                   _section("二、家庭收入"), _grid(income, width, shares)]
    if per_head is not None and reveal:
        story.append(para("家庭月人均收入计算：" + per_head.how, st.small))
    story += [_section("三、致困原因与帮扶"), _grid(causes, width, shares), _section("四、家庭成员")]
    cols = [Column("姓名", 1.0, "center"), Column("关系", 0.7, "center"), Column("性别", 0.5, "center"),
            Column("身份证号码", 1.9, "center"), Column("出生日期", 1.1, "center"), Column("月收入（元）", 1.0, "right"),
            Column("健康状况", 1.0, "center"), Column("人员身份/学历", 1.1, "center"), Column("单位或学校", 1.5)]
    rows = []
    if blank:
        rows = [[""] * len(cols) for _ in range(5)]
    else:
        for h in household or ():
            rows.append([h.name, h.relation, h.gender, h.id_number if reveal else mask(h.id_number),
                         h.birth_date if reveal else "", fmt_yuan(h.monthly_income_fen) if reveal else HIDDEN,
                         "、".join(x for x in (h.health, h.illness) if x) if reveal else HIDDEN,
                         "／".join(x for x in (h.identity, h.education) if x), h.school_or_employer])
    story.append(data_table(cols, rows, width) if rows else para("（无）", st.cell))
    opinions = []
    for label, text, day in (("基层党组织或行政意见", f and f.opinion_org, f and f.opinion_org_date),
                             ("基层工会或办事处意见", f and f.opinion_union, f and f.opinion_union_date),
                             ("系统工会意见", f and f.opinion_system, f and f.opinion_system_date)):
        opinions.append([label, (v(text) + "\n\n") + "（盖章）　　　" + (v(day) or "年　　月　　日")])
    opinions.append(["公　　示", "" if blank else (f"已公示（{f.publicized_date}）" if f.publicized else "未公示")])
    story += [_section("五、审批意见"), _grid(opinions, width, (0.22, 0.78))]
    if not blank:
        story += [Spacer(1, 2 * mm), para(NOTE_REVEALED if reveal else NOTE_MASKED,
                                          st.small.clone("note", textColor=GREY))]
    decor = PageDecor(imprint, header="困难职工档案表", header_right="" if blank else f.union_name)
    pdf, pages = build_story(story, pagesize=A4, decor=decor, title="困难职工档案表")
    warnings = [] if blank else check_fields([("姓名", f.name)] + [("家庭成员", h.name) for h in household or ()])
    return PrintResult(pdf, HARDSHIP_FILE_BLANK if blank else HARDSHIP_FILE, pages=pages, items=0 if blank else 1,
                       warnings=tuple(warnings), revealed=reveal and not blank)


def assistance_history_pdf(f, entries: Sequence, visits: Sequence, history: Sequence,
                           imprint: Imprint | None) -> PrintResult:
    """The worker's assistance: lifecycle, every ledger entry (reversals included) and visits."""
    width = frame_width(A4)
    st = styles()
    story: list = [Title("困难职工帮扶记录", 18, 3 * mm),
                   para(f"职工编号 {f.worker_no}　　姓名 {f.name}　　身份证号 {mask(f.id_number)}　　"
                        f"困难类别 {f.category}　　档案状态 {f.status_label}", st.cell), Spacer(1, 2 * mm),
                   _section("一、档案记录")]
    story.append(data_table([Column("日期", 1.0, "center"), Column("事项", 1.0, "center"), Column("原因", 3.0)],
                            [[h.effective_date, h.label, h.reason] for h in history], width))
    story.append(_section("二、发放记录"))
    rows = []
    for e in entries:
        note = e.notes + (f"（特批：{e.override_reasons}）" if e.override_reasons else "")
        if e.reversed_by:
            note = (note + " 已冲销").strip()
        rows.append([e.paid_date, e.kind, fmt_yuan(e.amount_fen), e.fund, e.approver, e.recipient_name, note])
    total = sum(e.amount_fen for e in entries)
    rows.append(["合计", "", fmt_yuan(total), "", "", "", capital_rmb(total)])
    story.append(data_table([Column("日期", 1.0, "center"), Column("类型", 1.1, "center"),
                             Column("金额（元）", 1.0, "right"), Column("资金来源", 0.9, "center"),
                             Column("审批人", 0.8, "center"), Column("领取人", 0.8, "center"), Column("备注", 1.8)],
                            rows, width))
    story.append(_section("三、走访记录"))
    story.append(data_table([Column("日期", 1.0, "center"), Column("走访人", 1.2), Column("了解情况", 2.2),
                             Column("送去", 1.4)], [[x.visit_date, x.visitors, x.findings, x.given] for x in visits]
                            or [["", "", "（无）", ""]], width))
    decor = PageDecor(imprint, header="困难职工帮扶记录", header_right=f.union_name)
    pdf, pages = build_story(story, pagesize=A4, decor=decor, title="困难职工帮扶记录")
    return PrintResult(pdf, ASSISTANCE_HISTORY, pages=pages, items=len(entries),
                       warnings=tuple(check_fields([("姓名", f.name)])))


PAYMENT_COLUMNS = (Column("序号", 0.45, "center"), Column("姓名", 0.9, "center"), Column("职工编号", 1.1, "center"),
                   Column("帮扶类型", 1.0, "center"), Column("发放日期", 0.9, "center"),
                   Column("金额（元）", 1.0, "right"), Column("大写金额（人民币）", 2.3), Column("领取人签名", 1.3))


def _payment_table(rows: list[list[str]], width: float) -> RuledTable:
    """One page of payments: every row the same height, so a page holds a fixed number of rows
    (printing.ruled: drawn in one pass, several times faster than a platypus Table)."""
    return RuledTable(PAYMENT_COLUMNS, rows, width, header_height=8 * mm, row_height=9 * mm)


def payment_list_pdf(entries: Sequence, *, title: str, fund: str, approver: str, union_name: str,
                     imprint: Imprint | None, rows_per_page: int = ROWS_PER_PAGE, period: str = "") -> PrintResult:
    """发放签收表: ``rows_per_page`` rows a page, each page closed by its 本页小计 and the last by
    the 合计, both in figures and capitals; the period (``period``: "from 至 to"), fund, approver,
    经办人 and date lines under it."""
    pagesize = landscape(A4)
    width = frame_width(pagesize)
    st = styles()
    story: list = []
    chunks = [entries[i:i + rows_per_page] for i in range(0, len(entries), rows_per_page)] or [[]]
    grand = 0
    n = 0
    for page_no, chunk in enumerate(chunks):
        if page_no:
            story.append(PageBreak())
        story += [Title(title or "困难职工帮扶资金发放签收表", 16, 2 * mm),
                  para((f"发放期间：{period}　　　" if period else "") +
                       f"资金来源：{fund}　　　审批人：{approver}　　　单位：{union_name}", st.cell), Spacer(1, 2 * mm)]
        rows = []
        page_total = 0
        for e in chunk:
            n += 1
            page_total += e.amount_fen
            rows.append([str(n), e.recipient_name, e.worker_no, e.kind, e.paid_date, fmt_yuan(e.amount_fen),
                         capital_rmb(e.amount_fen), ""])
        grand += page_total
        rows.append(["", "本页小计", f"{len(chunk)} 人次", "", "", fmt_yuan(page_total), capital_rmb(page_total), ""])
        if page_no == len(chunks) - 1:
            rows.append(["", "合　　计", f"{len(entries)} 人次", "", "", fmt_yuan(grand), capital_rmb(grand), ""])
        story.append(_payment_table(rows, width))
        story += [Spacer(1, 3 * mm), para("经办人：＿＿＿＿＿＿　　　审批人签字：＿＿＿＿＿＿　　　"
                                          "发放日期：　　年　　月　　日　　　（单位盖章）", st.cell)]
    decor = PageDecor(imprint, header=title or "发放签收表", header_right=union_name)
    pdf, pages = build_story(story, pagesize=pagesize, decor=decor, title=title or "发放签收表")
    return PrintResult(pdf, PAYMENT_LIST, pages=pages, items=len(entries),
                       warnings=tuple(check_fields([("姓名", e.recipient_name) for e in entries])))
