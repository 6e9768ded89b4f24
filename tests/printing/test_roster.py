"""会员花名册: the members page's list on A4 landscape, masked, read back from the real PDF."""

from __future__ import annotations

import datetime as dt

import pytest

from clerk_app.domain import vocab
from clerk_app.domain.idnumber import age_on, mask
from clerk_app.domain.phone import mask_phone
from clerk_app.printing.result import Cancelled
from clerk_app.printing.roster import RosterLine, member_roster_pdf, page_total, rows_per_page
from clerk_app.services import cards
from clerk_app.services import members as ms
from clerk_app.services.documents import member_roster
from tests.conftest import make_id
from tests.printing.conftest import DAY
from tests.printing.pdfcheck import page_count, page_sizes_mm, pdf_text, squeeze

WANG = make_id("110105", "19900307", "123")


@pytest.fixture
def people(ctx, member_input):
    """Three members: one with an active card, one whose card is lost, one who left the union."""
    forms = [member_input(name="王小明", id_number=WANG, phone="13812345678", employer="北京三快在线科技有限公司"),
             member_input(name="王芳", id_number=make_id("110105", "19850612", "224"), phone="13900001111"),
             member_input(name="陈静", id_number=make_id("110105", "19780101", "345"), phone="13700002222")]
    ids = ms.register_many(ctx, forms, confirm_possible_duplicates=True).saved
    cards.set_card_prefix(ctx, "DX07")
    active = cards.issue_card(ctx, ids[0])
    lost = cards.report_lost(ctx, cards.issue_card(ctx, ids[1]).card_no, "丢失")
    ms.change_status(ctx, ids[2], vocab.WITHDRAWN)
    return ids, active, lost


def test_roster_is_a4_landscape_masked_with_title_age_and_card(ctx, people, imprint):
    _ids, active, lost = people
    result = member_roster(ctx)
    assert result.document == "member_roster" and result.items == 3 and result.pages == 1
    assert not result.revealed
    (w, h), = page_sizes_mm(result.pdf)
    assert round(w) == 297 and round(h) == 210
    text = squeeze(pdf_text(result.pdf))
    assert "大兴区黄村镇总工会会员花名册" in text and "全部会员共3名" in text
    assert squeeze("序号 姓名 性别 年龄 身份证号码 手机号码 职业 工作单位/平台 所属工会 入会日期 会籍 服务卡号") in text
    assert mask(WANG) in text and WANG not in text
    assert mask_phone("13812345678") in text and "13812345678" not in text
    assert "1990-03-07" not in text and "19900307" not in text and "1990年" not in text  # no birth date
    assert f"王小明男{age_on(dt.date(1990, 3, 7), DAY)}" in text  # the age on the app's day
    assert squeeze(active.grouped_no) in text and squeeze(lost.grouped_no) + "（已挂失）" in text
    assert "退会" in text and "北京三快在线科技有限公司" in text
    assert "第1页/共1页" in text and "打印：李经办" in text


def test_roster_of_a_search_lists_only_its_members(ctx, people):
    result = member_roster(ctx, "王")
    text = squeeze(pdf_text(result.pdf))
    assert result.items == 2 and "搜索“王”找到的会员共2名" in text
    assert "王小明" in text and "王芳" in text and "陈静" not in text
    with pytest.raises(Exception) as e:
        member_roster(ctx, "zzzz")
    assert getattr(e.value, "code", "") == "print.nothing"


def _line(i: int, workplace: str = "美团") -> RosterLine:
    return RosterLine(f"会员{i:04d}", "男", "36", mask(WANG), mask_phone("13812345678"), "外卖配送员", workplace,
                      "黄村镇外卖配送联合工会", "2025-03-01", "在会", "")


def test_long_lists_paginate_with_heads_numbers_and_every_member_once(imprint):
    n = rows_per_page(True) + 2 * rows_per_page(False) + 1  # a fourth page with one line
    seen: list[tuple[int, int]] = []
    result = member_roster_pdf("大兴区黄村镇总工会", [_line(i) for i in range(1, n + 1)], imprint,
                               progress=lambda d, t: seen.append((d, t)))
    assert result.pages == page_count(result.pdf) == page_total(n) == 4
    assert seen[-1] == (n, n) and len(seen) == 4
    found = []
    for page in range(1, 5):
        text = squeeze(pdf_text(result.pdf, first=page, last=page))
        assert text.count("身份证号码手机号码") == 1, page  # the column heads on every page
        assert f"第{page}页/共4页" in text and "打印：李经办2026-11-2109:30" in text
        found += [i for i in range(1, n + 1) if f"会员{i:04d}" in text]
    assert found == list(range(1, n + 1))
    last = squeeze(pdf_text(result.pdf, first=4, last=4))
    assert f"{n}会员{n:04d}" in last  # numbered through


def test_too_long_text_is_set_smaller_then_wrapped_never_over_the_rule(imprint):
    long = "北京三快在线科技有限公司大兴区黄村镇配送站点第三配送组（夜班）临时借调至亦庄站点"
    result = member_roster_pdf("工会", [_line(1, long), _line(2, "顺丰")], imprint)
    text = squeeze(pdf_text(result.pdf))
    assert "北京三快在线科技有限公司" in text and "…" in text and long not in text
    assert "会员0002" in text and "顺丰" in text


def test_cancel_stops_before_the_next_page(imprint):
    lines = [_line(i) for i in range(1, 200)]
    asked = []

    def cancel() -> bool:
        asked.append(1)
        return len(asked) > 2

    with pytest.raises(Cancelled):
        member_roster_pdf("工会", lines, imprint, cancel=cancel)
    assert len(asked) == 3
