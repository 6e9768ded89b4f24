from __future__ import annotations

from dataclasses import replace

import pytest

from clerk_app.domain.idnumber import mask
from clerk_app.printing.fonts import missing_glyphs
from clerk_app.printing.forms import CONSENT, STATEMENT, registration_form_pdf
from clerk_app.services import members as ms
from tests.conftest import make_id
from tests.printing.pdfcheck import page_count, page_sizes_mm, pdf_text, squeeze

OFFICIAL_LABELS = ("会员证号码", "姓名", "性别", "出生日期", "民族", "学历", "籍贯", "政治面貌", "工资",
                   "工作单位", "职务", "职称", "备注")
OUR_LABELS = ("平台", "工作区域", "职业", "身份证号码", "手机号码", "入会日期", "入会方式", "所属工会")
# Labels set on several lines in their cell (compared with all whitespace removed).
MULTILINE_LABELS = ("家庭主要成员及其工作单位", "个人工作简历", "基层工会组织审批意见", "申请人签名")
ID = make_id("110105", "19900307", "123")


@pytest.fixture
def member(ctx, member_input):
    inp = member_input(name="欧阳娜娜", id_number=ID, phone="13812345678", employer="北京三快在线科技有限公司",
                       work_area="黄村站", native_place="河北省保定市", education="高中", political_status="群众",
                       salary="6800", family_info="丈夫 王强 北京某某物流公司", resume="2019年至今 美团 外卖配送员",
                       join_channel="qr")
    return ms.get_member(ctx, ms.register_member(ctx, inp).member_id)


def test_filled_form_is_two_a4_pages_with_every_field(member, imprint):
    result = registration_form_pdf(member, imprint)
    assert page_count(result.pdf) == result.pages == 2
    assert all((round(w), round(h)) == (210, 297) for w, h in page_sizes_mm(result.pdf))
    text = squeeze(pdf_text(result.pdf))
    for label in OFFICIAL_LABELS + OUR_LABELS + MULTILINE_LABELS:
        assert label in text, label
    for value in ("欧阳娜娜", "女" if int(ID[16]) % 2 == 0 else "男", "1990年", "汉族", "河北省保定市",
                  "北京三快在线科技有限公司", "黄村站", "美团", "外卖配送员", "6800.00元/月", "2026年11月1日",
                  "扫码入会", "大兴区黄村镇总工会", "丈夫王强北京某某物流公司"):
        assert value in text, value


def test_application_carries_the_voluntary_statement_signature_and_date(member, imprint):
    page1 = squeeze(pdf_text(registration_form_pdf(member, imprint).pdf, first=1, last=1))
    assert "入会申请书" in page1
    assert squeeze(STATEMENT) in page1 and squeeze(CONSENT) in page1
    assert "大兴区黄村镇总工会：" in page1
    assert "申请人（签名）" in page1 and "年月日" in page1


def test_id_and_phone_are_masked_by_default(member, imprint):
    result = registration_form_pdf(member, imprint)
    text = squeeze(pdf_text(result.pdf))
    assert mask(ID) in text and "138****5678" in text
    assert ID not in text and "13812345678" not in text
    assert "3月7日" not in text  # nor the birth date the masked ID number hides: the year only
    assert result.revealed is False
    assert result.audit_detail()["reveal"] is False


def test_reveal_prints_full_values_and_says_so(member, imprint):
    result = registration_form_pdf(member, imprint, reveal=True)
    text = squeeze(pdf_text(result.pdf))
    assert ID in text and "13812345678" in text and "1990年3月7日" in text
    assert result.revealed is True and result.audit_detail()["reveal"] is True


def test_every_page_carries_who_printed_and_when(member, imprint):
    result = registration_form_pdf(member, imprint)
    for page in (1, 2):
        text = squeeze(pdf_text(result.pdf, first=page, last=page))
        assert "打印：李经办2026-11-2109:30" in text
        assert f"第{page}页/共2页" in text


def test_blank_form_has_every_label_and_no_values(imprint):
    result = registration_form_pdf(None, imprint)
    assert result.pages == 2 and result.document == "registration_form_blank"
    text = squeeze(pdf_text(result.pdf))
    for label in OFFICIAL_LABELS + OUR_LABELS + MULTILINE_LABELS:
        assert label in text, label
    assert "填表说明" in text and "男" in text and "女" in text and "扫码" in text  # tick-box choices
    assert "********" not in text and "元/月" not in text
    assert result.revealed is False and result.warnings == ()


def test_a_valid_name_the_font_cannot_print_warns(ctx, member_input, imprint):
    # A real CJK Ext-B ideograph (a valid name character) that the bundled font lacks.
    rare = next(chr(cp) for cp in range(0x20000, 0x2A6E0) if missing_glyphs(chr(cp)))
    inp = member_input(name="王" + rare, id_number=make_id(seq="321"))
    rec = ms.get_member(ctx, ms.register_member(ctx, inp).member_id)
    result = registration_form_pdf(rec, imprint)
    assert [(w.params["label"], w.params["chars"]) for w in result.warnings] == [("姓名", rare)]


def test_long_resume_grows_its_row_instead_of_being_cut(member, imprint):
    long = replace(member, resume="\n".join(f"{2000 + i}年 北京某某公司第{i}分公司 配送员" for i in range(30)))
    text = squeeze(pdf_text(registration_form_pdf(long, imprint).pdf))
    assert "2029年北京某某公司第29分公司配送员" in text
