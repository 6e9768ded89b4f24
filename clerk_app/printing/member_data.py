"""个人信息副本: everything this laptop holds about one member, printed for that member on
request (PIPL art. 45). Unlike every other document it is unmasked — it is the person's own
data, handed to them — so the result says ``revealed`` and the caller audits it.

The document is built from :class:`Section` s the service fills (label/value rows, or a table);
printing knows nothing of members or the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from .fonts import check_fields
from .layout import Column, Imprint, Margins, PageDecor, Title, build_story, data_table, frame_width, para, styles
from .result import PrintResult

MEMBER_DATA = "member_data"
_MARGINS = Margins()


@dataclass(frozen=True)
class Section:
    heading: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = "（无）"


@dataclass(frozen=True)
class MemberDataCopy:
    name: str
    union_name: str
    made_on: str  # 2026年12月3日
    sections: tuple[Section, ...] = field(default_factory=tuple)


def fields_section(heading: str, pairs: Sequence[tuple[str, str]]) -> Section:
    return Section(heading, (Column("项目", 1.0), Column("内容", 3.0)), tuple((k, v) for k, v in pairs))


def member_data_pdf(copy: MemberDataCopy, imprint: Imprint | None = None) -> PrintResult:
    st = styles()
    width = frame_width(A4, _MARGINS)
    heading = st.body.clone("md_heading", firstLineIndent=0, fontSize=12.5, leading=18, spaceBefore=4 * mm,
                            spaceAfter=1.5 * mm)
    story: list = [
        Title("个人信息副本", 20, 2 * mm),
        para(f"{copy.name}　　{copy.union_name}　　{copy.made_on}", st.subtitle),
        para("应本人请求，依据《中华人民共和国个人信息保护法》第四十五条提供。本副本列出本机保存的您的全部个人信息、"
             "会籍与服务卡记录、活动签到记录，以及本机对您的信息进行的处理记录。本副本含完整身份证号码和手机号码，"
             "请妥善保管；如发现信息有误，可要求更正；如不再需要我们保存，可要求删除。", st.small),
    ]
    texts: list[tuple[str, str]] = []
    for n, section in enumerate(copy.sections, 1):
        story.append(para(f"{_NUMERALS[n]}、{section.heading}", heading))
        rows = section.rows or ((section.empty,) + ("",) * (len(section.columns) - 1),)
        story.append(data_table(section.columns, rows, width))
        texts += [(section.heading, v) for row in section.rows for v in row]
    story += [Spacer(1, 8 * mm), para("经办人签字：　　　　　　　　　本人签收：　　　　　　　　　日期：　　年　　月　　日",
                                      st.body)]
    decor = PageDecor(imprint, header="个人信息副本（本人查阅）", header_right=copy.union_name)
    pdf, pages = build_story(story, pagesize=A4, decor=decor, title=f"{copy.name}的个人信息副本", margins=_MARGINS)
    return PrintResult(pdf, MEMBER_DATA, pages=pages, items=1, warnings=tuple(check_fields(texts)), revealed=True)


_NUMERALS = "零一二三四五六七八九十"
