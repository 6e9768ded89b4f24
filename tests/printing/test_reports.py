from __future__ import annotations

from clerk_app.printing.layout import Column
from clerk_app.printing.reports import MASK_ID, MASK_PHONE, ReportColumn, table_report_pdf
from tests.conftest import make_id
from tests.printing.pdfcheck import page_count, page_sizes_mm, pdf_text, squeeze

COLUMNS = [Column("序号", 0.7, "center"), Column("姓名", 1.2), ReportColumn("身份证号码", 2.2, "center", mask=MASK_ID),
           ReportColumn("手机号码", 1.5, "center", mask=MASK_PHONE), Column("工作单位", 2.6), Column("签名", 1.2)]
ID = make_id("110105", "19900307", "123")


def _rows(n: int) -> list[list]:
    return [[i + 1, f"会员{i + 1:03d}号", ID, "13812345678", "北京三快在线科技有限公司大兴区黄村站配送站点", ""]
            for i in range(n)]


def test_200_rows_paginate_with_the_header_on_every_page(imprint):
    result = table_report_pdf("职工沟通会签到表", COLUMNS, _rows(200), imprint, subtitle="大兴区黄村镇总工会")
    pages = page_count(result.pdf)
    assert pages == result.pages > 1 and result.items == 200
    seen = []
    for page in range(1, pages + 1):
        lines = pdf_text(result.pdf, first=page, last=page, layout=True).splitlines()
        header = [squeeze(line) for line in lines if "序号" in line]
        assert header == ["序号姓名身份证号码手机号码工作单位签名"], page  # once per page, all labels
        text = squeeze("".join(lines))
        assert f"第{page}页/共{pages}页" in text and "打印：李经办" in text
        seen += [i for i in range(1, 201) if f"会员{i:03d}号" in text]
    assert sorted(seen) == list(range(1, 201))  # every row once, none lost or doubled


def test_sensitive_columns_are_masked_unless_revealed(imprint):
    masked = table_report_pdf("名单", COLUMNS, _rows(3), imprint)
    text = squeeze(pdf_text(masked.pdf))
    assert ID not in text and "13812345678" not in text and "138****5678" in text
    assert masked.revealed is False
    shown = table_report_pdf("名单", COLUMNS, _rows(3), imprint, reveal=True)
    assert ID in squeeze(pdf_text(shown.pdf)) and shown.revealed is True


def test_long_chinese_cells_wrap_inside_their_column(imprint):
    long_name = "北京经济技术开发区新就业形态劳动者联合工会第三配送站点"
    result = table_report_pdf("名单", [Column("序号", 3), Column("工作单位", 1)], [[1, long_name]], imprint)
    lines = [line for line in pdf_text(result.pdf).splitlines() if line.strip()]
    pieces = [line.strip() for line in lines if line.strip() and line.strip() in long_name]
    assert len(pieces) >= 2 and "".join(pieces) == long_name


def test_landscape_and_empty_report(imprint):
    result = table_report_pdf("空表", COLUMNS, [], imprint, landscape=True)
    (w, h), = page_sizes_mm(result.pdf)
    assert (round(w), round(h)) == (297, 210)
    assert "序号" in pdf_text(result.pdf)


def test_cell_with_unprintable_character_warns(imprint):
    rows = _rows(2)
    rows[1][1] = "李\ue000"
    result = table_report_pdf("名单", COLUMNS, rows, imprint)
    assert [w.params["label"] for w in result.warnings] == ["姓名"]
