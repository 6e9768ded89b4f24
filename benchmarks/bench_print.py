"""Benchmark: 1,000 service cards on 100 A4 pages through the print engine
(``printing.cards.card_sheet_pdf``) beside plain reportlab canvas calls drawing the same
content — same font, same texts, same vector QR widget, same cut marks — in the same run.

    python benchmarks/bench_print.py [--cards 1000] [--repeat 3]

Prints both times (best of ``--repeat``), pages, PDF sizes and the ratio (aim: within 1.5×).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.graphics import renderPDF  # noqa: E402
from reportlab.graphics.barcode.qr import QrCodeWidget  # noqa: E402
from reportlab.graphics.shapes import Drawing  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from clerk_app.clock import SYSTEM  # noqa: E402
from clerk_app.domain.cardno import grouped, make_card_no  # noqa: E402
from clerk_app.paths import font_path  # noqa: E402
from clerk_app.printing.cards import CardFace, card_sheet_pdf  # noqa: E402
from clerk_app.printing.layout import Imprint  # noqa: E402

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英䶮华建国志红"
UNIONS = ("大兴区黄村镇总工会", "顺义区仁和镇总工会", "北京经济技术开发区新就业形态劳动者联合工会")
TITLE, NOTE = "工会会员互助服务卡", "凭卡享受会员服务　本卡仅限本人使用　遗失请及时挂失"
CARD_W, CARD_H = 85.6 * mm, 54 * mm


def make_faces(n: int) -> list[CardFace]:
    faces = []
    for i in range(n):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 13) % len(GIVEN)][: i % 2]
        number = make_card_no("DX07", i + 1)  # real numbers: a valid check character each
        faces.append(CardFace(UNIONS[i % len(UNIONS)], name, number, dt.date(2026, 11, 21),
                              display_no=grouped(number)))
    return faces


def baseline(faces: list[CardFace], imprint: Imprint, font: str) -> bytes:
    """The same sheets with nothing but canvas calls: no fitting, no checks, no helpers."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1)
    left, bottom = (A4[0] - 2 * CARD_W) / 2, (A4[1] - 5 * CARD_H) / 2
    pages = (len(faces) + 9) // 10
    for page in range(pages):
        batch = faces[page * 10:(page + 1) * 10]
        c.setLineWidth(0.35)
        for col in range(3):
            gx = left + col * CARD_W
            c.line(gx, bottom - 1.5 * mm, gx, bottom - 6.5 * mm)
            c.line(gx, bottom + 5 * CARD_H + 1.5 * mm, gx, bottom + 5 * CARD_H + 6.5 * mm)
        for row in range(6):
            gy = bottom + row * CARD_H
            c.line(left - 1.5 * mm, gy, left - 6.5 * mm, gy)
            c.line(left + 2 * CARD_W + 1.5 * mm, gy, left + 2 * CARD_W + 6.5 * mm, gy)
        for slot, face in enumerate(batch):
            r, k = divmod(slot, 2)
            x, y = left + k * CARD_W, bottom + (4 - r) * CARD_H
            c.setDash(2, 2)
            c.rect(x, y, CARD_W, CARD_H)
            c.setDash()
            c.setFont(font, 8)
            c.drawCentredString(x + CARD_W / 2, y + 47.5 * mm, face.union_name)
            c.setFont(font, 13)
            c.drawCentredString(x + CARD_W / 2, y + 40.8 * mm, TITLE)
            c.line(x + 4 * mm, y + 38.6 * mm, x + CARD_W - 4 * mm, y + 38.6 * mm)
            c.line(x + 4 * mm, y + 37.9 * mm, x + CARD_W - 4 * mm, y + 37.9 * mm)
            c.setFont(font, 6.5)
            c.drawString(x + 5 * mm, y + 33 * mm, "持卡人")
            c.drawString(x + 5 * mm, y + 20.5 * mm, "卡号")
            c.setFont(font, 15)
            c.drawString(x + 5 * mm, y + 26.5 * mm, face.holder_name)
            c.setFont(font, 14)
            c.drawString(x + 5 * mm, y + 14.5 * mm, face.display_no)
            c.setFont(font, 7.5)
            c.drawString(x + 5 * mm, y + 8.5 * mm, f"发卡日期：{face.issue_date:%Y-%m-%d}")
            c.setFont(font, 5.2)
            c.drawString(x + 5 * mm, y + 3.6 * mm, NOTE)
            size = 31 * mm
            d = Drawing(size, size)
            d.add(QrCodeWidget(face.card_no, barLevel="M", barBorder=4, barWidth=size, barHeight=size))
            renderPDF.draw(d, c, x + CARD_W - size - 1.5 * mm, y + (37.9 * mm - size) / 2)
        c.setFont(font, 7)
        c.drawString(left + 3 * mm, 5.5 * mm, imprint.text())
        c.drawRightString(left + 2 * CARD_W - 3 * mm, 5.5 * mm,
                          f"{TITLE}　本页 {len(batch)} 张　第 {page + 1} 页 / 共 {pages} 页")
        c.showPage()
    c.save()
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cards", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    faces = make_faces(args.cards)
    imprint = Imprint("基准测试", SYSTEM.now().replace(microsecond=0))
    t0 = time.perf_counter()
    base_font = "BenchSans"
    pdfmetrics.registerFont(TTFont(base_font, str(font_path())))
    card_sheet_pdf(faces[:1], imprint)  # registers the engine's font; both are warm from here on
    print(f"font registration (both): {time.perf_counter() - t0:.2f} s")

    engine_times, base_times = [], []
    engine_pdf = base_pdf = b""
    for _ in range(args.repeat):  # interleaved, so drift in the machine hits both alike
        t = time.perf_counter()
        result = card_sheet_pdf(faces, imprint)
        engine_times.append(time.perf_counter() - t)
        engine_pdf = result.pdf
        t = time.perf_counter()
        base_pdf = baseline(faces, imprint, base_font)
        base_times.append(time.perf_counter() - t)

    engine, base = min(engine_times), min(base_times)
    pages = (len(faces) + 9) // 10
    print(f"cards: {len(faces)} on {pages} A4 pages; best of {args.repeat}")
    print(f"print engine (card_sheet_pdf): {engine:.2f} s  {len(engine_pdf) / 1024:.0f} KB  "
          f"({engine / len(faces) * 1000:.2f} ms per card)")
    print(f"plain reportlab canvas:        {base:.2f} s  {len(base_pdf) / 1024:.0f} KB  "
          f"({base / len(faces) * 1000:.2f} ms per card)")
    print(f"ratio engine / plain: {engine / base:.2f}x (aim: within 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
