"""The sign-in sheet (filled and blank) and the one-page event report, rendered with
PDFium and read back as text: masked phones, numbered blank rows, the report's numbers
equal to the summary's."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from clerk_app.domain import event as ev
from clerk_app.printing.event_report import event_report_pdf
from clerk_app.printing.layout import Imprint
from clerk_app.printing.signin_sheet import BLANK_ROWS, signin_sheet_pdf
from clerk_app.services import events, signin
from tests.conftest import make_id
from tests.printing.pdfcheck import page_count, page_sizes_mm, pdf_text, render, squeeze

IMPRINT = Imprint("李经办", dt.datetime(2026, 11, 21, 12, 0))


@pytest.fixture
def busy_event(laptop, event, card_for):
    issued = [card_for(n, phone=f"1380000{i:04d}") for i, n in enumerate(["王小明", "李娜", "欧阳娜娜", "买买提·艾力"])]
    for i, card in enumerate(issued):
        signin.sign_in_scan(laptop, event.id, card.card_no, "京东物流站点" if i == 3 else None)
    walk = signin.sign_in_walk_in(laptop, event.id, "孙强", "13912340001", "外卖配送员", "美团").attendee
    signin.sign_in_walk_in(laptop, event.id, "马丽", "13912340002", "快递员", "顺丰")
    inp = signin.walk_in_member_input(laptop, walk.id)
    inp.id_number = make_id(seq="700")
    signin.join_walk_in(laptop, walk.id, inp, issue_card=True, today=event.date)
    for kind, label, n in [(ev.CONSULTATION, "入会咨询", 31), (ev.CONSULTATION, "法律咨询", 7),
                           (ev.MATERIAL, "入会宣传页", 1146), (ev.SERVICE, "理发", 12), (ev.SERVICE, "义诊", 20)]:
        events.add_tally(laptop, event.id, kind, label, n)
    return event


def test_filled_sheet_lists_everyone_with_phones_and_ids_masked(laptop, busy_event):
    people = signin.attendance(laptop, busy_event.id)
    result = signin_sheet_pdf(busy_event, people, IMPRINT)
    assert result.items == 6 and result.pages == 1 and not result.revealed and result.warnings == ()
    (w, h), = page_sizes_mm(result.pdf)
    assert (round(w), round(h)) == (297, 210)
    text = squeeze(pdf_text(result.pdf))
    assert "签到表" in text and busy_event.title in text and "2026年11月21日09:30—11:30" in text
    for a in people:
        assert a.name in text and a.phone not in text and a.phone_masked in text
        if a.member_id:
            assert a.id_number_masked in text
    assert "138****0000" in text and "现场入会" in text and "京东物流站点" in text
    assert "签到合计6人：会员4人，非会员2人（其中现场入会1人）" in text
    assert not re.search(r"\d{17}[\dX]", text) and not re.search(r"1[3-9]\d{9}", text)  # no full ID or phone
    shown = signin_sheet_pdf(busy_event, people, IMPRINT, reveal=True)
    assert shown.revealed and "13912340002" in squeeze(pdf_text(shown.pdf))


def test_blank_sheet_has_numbered_rows_and_the_event_header(laptop, event):
    result = signin_sheet_pdf(event, None, IMPRINT)
    assert result.pages == page_count(result.pdf) == 1 and result.items == 0
    (w, h), = page_sizes_mm(result.pdf)
    assert (round(w), round(h)) == (210, 297)
    lines = pdf_text(result.pdf, layout=True).splitlines()
    header = [squeeze(line) for line in lines if "序号" in line]
    assert header == ["序号姓名单位/平台职业手机号码是否会员签名"]
    numbers = [int(line.split()[0]) for line in lines if re.fullmatch(r"\s*\d+\s*", line)]
    assert numbers == list(range(1, BLANK_ROWS + 1))
    text = squeeze(pdf_text(result.pdf))
    assert event.title in text and "黄村镇文化广场" in text and "京东物流站点" in text and "请圈出本表所在会场" in text
    long = signin_sheet_pdf(event, None, IMPRINT, blank_rows=60)
    assert long.pages == page_count(long.pdf) >= 2
    seen = []
    for page in range(1, long.pages + 1):
        lines = pdf_text(long.pdf, first=page, last=page, layout=True).splitlines()
        assert [squeeze(line) for line in lines if "序号" in line] == ["序号姓名单位/平台职业手机号码是否会员签名"]
        seen += [int(line.split()[0]) for line in lines if re.fullmatch(r"\s*\d+\s*", line)]
    assert seen == list(range(1, 61))  # every number once, in order, header on every page


def test_blank_sheet_rows_are_tall_enough_to_write_in(laptop, event):
    """Measure the ruled rows on the rendered page: at least 8 mm each."""
    page = render(signin_sheet_pdf(event, None, IMPRINT).pdf, dpi=100)[0]
    width, height = page.size
    x = int(width * 0.5)  # down the middle of the 单位/平台 column
    dark = [y for y in range(height) if page.getpixel((x, y)) < 100]
    rules = [y for i, y in enumerate(dark) if i == 0 or y - dark[i - 1] > 2]
    gaps = [b - a for a, b in zip(rules, rules[1:])]
    row_gaps = [g for g in gaps if g > 20]
    assert len(row_gaps) >= BLANK_ROWS
    assert min(row_gaps[-BLANK_ROWS:]) * 25.4 / 100 >= 8


def test_event_report_is_one_page_and_its_numbers_are_the_summary(laptop, busy_event):
    s = events.event_summary(laptop, busy_event.id)
    result = event_report_pdf(s, IMPRINT)
    assert result.pages == page_count(result.pdf) == 1 and result.warnings == ()
    text = squeeze(pdf_text(result.pdf))
    assert (s.attendance, s.members, s.walk_ins, s.joined, s.cards_issued) == (6, 4, 2, 1, 1)
    figures = f"签到总人数其中：会员非会员现场入会现场发放服务卡{s.attendance}人{s.members}人{s.walk_ins}人{s.joined}人{s.cards_issued}张"
    assert figures in text
    assert f"接受咨询{s.consultations_total}人次，发放宣传资料{s.materials_total:,}份，提供服务{s.services_total}人次" in text
    assert "入会咨询31" in text and "法律咨询7" in text and "合计38" in text
    assert "入会宣传页1,146" in text and "合计1,146" in text and "理发12" in text and "义诊20" in text and "合计32" in text
    assert f"主会场3{s.walk_ins}5" in text and "京东物流站点101" in text and f"合计{s.members}{s.walk_ins}{s.attendance}" in text
    assert "填报人：" in text and "审核人：" in text and "（单位盖章）" in text
    assert "扫码4人" in text and "现场登记2人" in text
    assert not re.search(r"1[3-9]\d{9}", text) and "孙强" not in text  # no personal data on the report


def test_event_report_lists_the_events_own_services_even_before_any_tap(laptop, event_input):
    """An event set up to offer 法律咨询 and 就业服务: the report's service table names both
    (with 0 until tapped), not 「（无）」."""
    meeting = events.create_event(laptop, event_input(services=["法律咨询", "就业服务"]), today=event_input().event_date)
    events.add_tally(laptop, meeting.id, ev.SERVICE, "就业服务", 3)
    text = squeeze(pdf_text(event_report_pdf(events.event_summary(laptop, meeting.id), IMPRINT).pdf))
    services = text.split("服务项目")[-1]  # the services table (the consultation table lists 法律咨询 too)
    assert "就业服务3" in services and "法律咨询0" in services and "（无）" not in services


def test_event_report_with_many_labels_still_fits_one_page(laptop, event):
    for i in range(40):
        events.add_tally(laptop, event.id, ev.MATERIAL, f"宣传资料第{i + 1}种", i + 1)
        events.add_tally(laptop, event.id, ev.SERVICE, f"服务项目{i + 1}", 1)
    result = event_report_pdf(events.event_summary(laptop, event.id), IMPRINT)
    assert result.pages == 1 and "宣传资料第40种" in squeeze(pdf_text(result.pdf))
