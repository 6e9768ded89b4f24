"""Benchmark: the 发放签收表 (payment list) of 2,000 entries through the print engine
(``printing.hardship_forms.payment_list_pdf``: platypus story, one ruled table a page, capitals
from cn2an, page totals) beside plain reportlab canvas calls drawing the same content in the
same run: the running header and footer with the imprint and "第 x 页 / 共 N 页", the title, the
period / fund / approver line, the header row, every row with its capitals, each page's 本页小计,
the 合计 on the last page and the signature line. ``--check`` also extracts the text of both PDFs
(pypdfium2) and requires it to be the same, page for page.

    python benchmarks/bench_payment_list.py [--entries 2000] [--repeat 3] [--check]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.lib.pagesizes import A4, landscape  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfbase.pdfmetrics import stringWidth  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from clerk_app.clock import SYSTEM  # noqa: E402
from clerk_app.domain.money import capital_rmb, fmt_yuan  # noqa: E402
from clerk_app.printing.fonts import FONT, register_fonts  # noqa: E402
from clerk_app.printing.hardship_forms import PAYMENT_COLUMNS, ROWS_PER_PAGE, payment_list_pdf  # noqa: E402
from clerk_app.printing.layout import GREY, HEAD_FILL, INK, RULE, Imprint  # noqa: E402

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超"
TITLE, FUND, APPROVER, UNION, PERIOD = "医疗救助资金发放签收表", "工会经费", "张主席", "大兴区黄村镇总工会", \
    "2026-01-01 至 2026-11-30"
SIGN = "经办人：＿＿＿＿＿＿　　　审批人签字：＿＿＿＿＿＿　　　发放日期：　　年　　月　　日　　　（单位盖章）"


@dataclass(frozen=True)
class Row:  # what payment_list_pdf reads of a ledger entry
    recipient_name: str
    worker_no: str
    kind: str
    paid_date: str
    amount_fen: int


def make_rows(n: int) -> list[Row]:
    day = dt.date(2026, 11, 21).isoformat()
    return [Row(SURNAMES[i % 20] + GIVEN[(i * 7) % 19], f"DX07K{i + 1:05d}", "医疗救助", day, 500_000 + i * 137)
            for i in range(n)]


def baseline(rows: list[Row], imprint: Imprint) -> bytes:
    """The same pages with canvas calls only: a rectangle and a string per cell."""
    register_fonts()
    page_w, page_h = landscape(A4)
    side = 15 * mm
    width = page_w - 2 * side
    total_share = sum(c.width for c in PAYMENT_COLUMNS)
    widths = [width * c.width / total_share for c in PAYMENT_COLUMNS]
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(page_w, page_h), pageCompression=1)
    chunks = [rows[i:i + ROWS_PER_PAGE] for i in range(0, len(rows), ROWS_PER_PAGE)] or [[]]
    grand, n = 0, 0
    for page_no, chunk in enumerate(chunks, 1):
        c.setFillColor(INK)
        c.setStrokeColor(INK)
        c.setLineWidth(1)
        t = c.beginText()
        t.setFont(FONT, 16)
        t.setTextRenderMode(2)
        t.setTextOrigin(page_w / 2 - stringWidth(TITLE, FONT, 16) / 2, page_h - 30 * mm)
        t.textOut(TITLE)
        c.drawText(t)
        c.setFont(FONT, 10)
        c.drawString(side + 2, page_h - 38 * mm, f"发放期间：{PERIOD}　　　资金来源：{FUND}　　　审批人：{APPROVER}　　　单位：{UNION}")
        lines = []
        page_total = 0
        for r in chunk:
            n += 1
            page_total += r.amount_fen
            lines.append([str(n), r.recipient_name, r.worker_no, r.kind, r.paid_date, fmt_yuan(r.amount_fen),
                          capital_rmb(r.amount_fen), ""])
        grand += page_total
        lines.append(["", "本页小计", f"{len(chunk)} 人次", "", "", fmt_yuan(page_total), capital_rmb(page_total), ""])
        if page_no == len(chunks):
            lines.append(["", "合　　计", f"{len(rows)} 人次", "", "", fmt_yuan(grand), capital_rmb(grand), ""])
        y = page_h - 50 * mm
        for row_no, line in enumerate([[col.label for col in PAYMENT_COLUMNS], *lines]):
            x = side
            height = 8 * mm if row_no == 0 else 9 * mm
            for w, col, text in zip(widths, PAYMENT_COLUMNS, line):
                if row_no == 0:
                    c.setFillColor(HEAD_FILL)
                    c.rect(x, y, w, height, stroke=1, fill=1)
                    c.setFillColor(INK)
                else:
                    c.rect(x, y, w, height)
                base = y + height / 2 - 3.5
                if row_no == 0 or col.align == "center":
                    c.drawCentredString(x + w / 2, base, text)
                elif col.align == "right":
                    c.drawRightString(x + w - 4, base, text)
                else:
                    c.drawString(x + 4, base, text)
                x += w
            y -= 9 * mm
        c.drawString(side + 2, y - 6 * mm, SIGN)
        # the running header and footer (the app's canvas adds them last, once it knows N)
        c.setFillColor(GREY)
        c.setStrokeColor(RULE)
        c.setLineWidth(0.4)
        c.setFont(FONT, 8)
        c.drawString(side, page_h - 10 * mm, TITLE)
        c.drawRightString(page_w - side, page_h - 10 * mm, UNION)
        c.line(side, page_h - 11.5 * mm, page_w - side, page_h - 11.5 * mm)
        c.line(side, 11.5 * mm, page_w - side, 11.5 * mm)
        c.drawString(side, 8 * mm, imprint.text())
        c.drawRightString(page_w - side, 8 * mm, f"第 {page_no} 页 / 共 {len(chunks)} 页")
        c.showPage()
    c.save()
    return buf.getvalue()


def _texts(pdf: bytes) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        out = []
        for page in doc:
            out.append("".join(page.get_textpage().get_text_range().split()))
        return out
    finally:
        doc.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--check", action="store_true", help="the two PDFs must hold the same text, page for page")
    args = ap.parse_args()
    rows = make_rows(args.entries)
    imprint = Imprint("基准测试", SYSTEM.now().replace(microsecond=0))
    register_fonts()
    app_best = raw_best = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = payment_list_pdf(rows, title=TITLE, fund=FUND, approver=APPROVER, union_name=UNION,
                                  imprint=imprint, period=PERIOD)
        app_best = min(app_best, time.perf_counter() - t0)
        t0 = time.perf_counter()
        raw = baseline(rows, imprint)
        raw_best = min(raw_best, time.perf_counter() - t0)
    print(f"payment list, {args.entries} entries: app {app_best:.2f} s ({result.pages} pages, {len(result.pdf) // 1024} KiB)"
          f"  plain reportlab {raw_best:.2f} s ({len(raw) // 1024} KiB)  ratio {app_best / raw_best:.1f}x")
    if args.check:
        app_text, raw_text = _texts(result.pdf), _texts(raw)
        if app_text != raw_text:
            bad = next(i for i, (a, b) in enumerate(zip(app_text + [""], raw_text + [""])) if a != b)
            print(f"content differs on page {bad + 1}:\n app: {app_text[bad][:300]}\n raw: {raw_text[bad][:300]}")
            return 1
        print(f"same text on all {len(app_text)} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
