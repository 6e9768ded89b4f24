"""Benchmark: the 发放签收表 (payment list) of 2,000 entries through the print engine
(``printing.hardship_forms.payment_list_pdf``: platypus tables, capitals from cn2an, page totals)
beside plain reportlab canvas calls drawing the same rows, capitals and totals in the same run.

    python benchmarks/bench_payment_list.py [--entries 2000] [--repeat 3]
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
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from clerk_app.clock import SYSTEM  # noqa: E402
from clerk_app.domain.money import capital_rmb, fmt_yuan  # noqa: E402
from clerk_app.paths import font_path  # noqa: E402
from clerk_app.printing.hardship_forms import ROWS_PER_PAGE, payment_list_pdf  # noqa: E402
from clerk_app.printing.layout import Imprint  # noqa: E402

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超"


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


def baseline(rows: list[Row], font: str) -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=landscape(A4), pageCompression=1)
    widths = [12, 24, 30, 27, 24, 27, 62, 35]
    grand = 0
    for start in range(0, len(rows), ROWS_PER_PAGE):
        chunk = rows[start:start + ROWS_PER_PAGE]
        c.setFont(font, 16)
        c.drawCentredString(landscape(A4)[0] / 2, 190 * mm, "医疗救助资金发放签收表")
        c.setFont(font, 10)
        y = 175 * mm
        total = 0
        lines = [[str(start + i + 1), r.recipient_name, r.worker_no, r.kind, r.paid_date, fmt_yuan(r.amount_fen),
                  capital_rmb(r.amount_fen), ""] for i, r in enumerate(chunk)]
        total = sum(r.amount_fen for r in chunk)
        grand += total
        lines.append(["", "本页小计", "", "", "", fmt_yuan(total), capital_rmb(total), ""])
        for line in lines:
            x = 15 * mm
            for w, text in zip(widths, line):
                c.rect(x, y - 2.5 * mm, w * mm, 9 * mm)
                c.drawString(x + 1.5 * mm, y, text)
                x += w * mm
            y -= 9 * mm
        c.showPage()
    c.save()
    return buf.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rows = make_rows(args.entries)
    imprint = Imprint("基准测试", SYSTEM.now().replace(microsecond=0))
    pdfmetrics.registerFont(TTFont("BenchFont", str(font_path())))
    app_best = raw_best = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = payment_list_pdf(rows, title="医疗救助资金发放签收表", fund="工会经费", approver="张主席",
                                  union_name="大兴区黄村镇总工会", imprint=imprint)
        app_best = min(app_best, time.perf_counter() - t0)
        t0 = time.perf_counter()
        raw = baseline(rows, "BenchFont")
        raw_best = min(raw_best, time.perf_counter() - t0)
    print(f"payment list, {args.entries} entries: app {app_best:.2f} s ({result.pages} pages, {len(result.pdf) // 1024} KiB)"
          f"  plain reportlab {raw_best:.2f} s ({len(raw) // 1024} KiB)  ratio {app_best / raw_best:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
