"""Benchmark: 1,000 service cards on 100 A4 pages through the print engine
(``printing.cards.card_sheet_pdf``) beside floors that draw the same page content (same texts,
same font, same sizes, colours and positions, same cut marks) with nothing but canvas calls:

* **qrcode path** — the QR matrix from the ``qrcode`` package, computed once per code, drawn as
  one filled path of integer rectangles in module units (the app's own way: the goal is app ≤ 1.3×
  this floor);
* **segno path** — the same, with segno's matrix (pure Python encoder);
* **zxing-cpp path** — the same, with zxing-cpp's C++ encoder;
* **page text alone** — everything but the QR codes.

    python -m benchmarks.bench_print [--cards 1000] [--rounds 5] [--profile]

segno and zxing-cpp are benchmark extras (``pip install -e '.[bench]'``); a floor whose library
is missing is skipped with a line saying so. Rounds are interleaved (app, then each floor, the
order rotated every round), so drift in a shared machine hits every side alike. Prints each
side's min/median/max of wall and CPU time, the PDF size, and the app/floor ratio per round as
min/median/max.
tests/printing/test_bench_smoke.py checks that every floor draws the app's page.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import pstats
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Iterable

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.lib import colors  # noqa: E402
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
QR_SIZE, QUIET = 31 * mm, 4
LEFT, BOTTOM = (A4[0] - 2 * CARD_W) / 2, (A4[1] - 5 * CARD_H) / 2
GREY, RED = colors.Color(0.35, 0.35, 0.35), colors.Color(0.76, 0.07, 0.12)
LABEL, CUT = colors.Color(0.42, 0.42, 0.42), colors.Color(0.72, 0.72, 0.72)
FLOOR_FONT = "BenchSans"

# A QR matrix as dark runs (column, row from the bottom, length) in a square of `modules` units.
Runs = tuple[int, list[tuple[int, int, int]]]


def make_faces(n: int) -> list[CardFace]:
    faces = []
    for i in range(n):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 13) % len(GIVEN)][: i % 2]
        number = make_card_no("DX07", i + 1)  # real numbers: a valid check character each
        faces.append(CardFace(UNIONS[i % len(UNIONS)], name, number, dt.date(2026, 11, 21),
                              display_no=grouped(number)))
    return faces


# --- QR matrices, one encoder per floor -------------------------------------------------------

def _runs(rows: Iterable[bytes], dark: re.Pattern, side: int, border: int) -> Runs:
    """Dark runs of ``rows`` (top row first, no quiet zone) in a square with ``border`` around."""
    modules = side + 2 * border
    top = modules - 1 - border
    return modules, [(border + m.start(), top - y, m.end() - m.start())
                     for y, row in enumerate(rows) for m in dark.finditer(row)]


def qrcode_runs() -> Callable[[str], Runs]:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    ones = re.compile(b"\x01+")

    def encode(payload: str) -> Runs:
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
        code.add_data(payload)
        code.make(fit=True)
        rows = code.get_matrix()
        return _runs(map(bytes, rows), ones, len(rows), QUIET)

    return encode


def segno_runs() -> Callable[[str], Runs]:
    import segno

    ones = re.compile(b"\x01+")

    def encode(payload: str) -> Runs:
        # make_qr, not make (a short payload would become a Micro QR); no boost: level M as the app
        rows = segno.make_qr(payload, error="m", boost_error=False).matrix
        return _runs(rows, ones, len(rows), QUIET)

    return encode


def zxing_runs() -> Callable[[str], Runs]:
    import zxingcpp

    zeros = re.compile(b"\x00+")  # to_image: 0 is a dark module
    qr = zxingcpp.BarcodeFormat.QRCode

    def encode(payload: str) -> Runs:
        image = memoryview(zxingcpp.create_barcode(payload, qr, ec_level="M").to_image(add_quiet_zones=False))
        side = image.shape[0]
        data = image.tobytes()
        return _runs((data[i * side:(i + 1) * side] for i in range(side)), zeros, side, QUIET)

    return encode


# --- the floors: the same sheets with canvas calls only ---------------------------------------

def _bold(c: Canvas, x: float, y: float, text: str, size: float, color) -> None:
    """The app's two-weight look: fill and a thin stroke in the text's colour (render mode 2)."""
    c.saveState()
    c.setFillColor(color)
    c.setStrokeColor(color)
    c.setLineWidth(size * 0.035)
    t = c.beginText(x, y)
    t.setFont(FLOOR_FONT, size)
    t.setTextRenderMode(2)
    t.textOut(text)
    c.drawText(t)
    c.restoreState()


def floor_pdf(faces: list[CardFace], imprint: Imprint, encode: Callable[[str], Runs] | None) -> bytes:
    """The card sheets the app prints, drawn directly; ``encode`` None leaves the QR codes out."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle(f"{TITLE}（{len(faces)} 张）")
    c.setAuthor(imprint.clerk)
    title_x = CARD_W / 2 - pdfmetrics.stringWidth(TITLE, FLOOR_FONT, 13) / 2
    pages = (len(faces) + 9) // 10
    for page in range(pages):
        batch = faces[page * 10:(page + 1) * 10]
        c.setStrokeColor(colors.black)
        c.setLineWidth(0.35)
        for col in range(3):
            gx = LEFT + col * CARD_W
            c.line(gx, BOTTOM - 1.5 * mm, gx, BOTTOM - 6.5 * mm)
            c.line(gx, BOTTOM + 5 * CARD_H + 1.5 * mm, gx, BOTTOM + 5 * CARD_H + 6.5 * mm)
        for row in range(6):
            gy = BOTTOM + row * CARD_H
            c.line(LEFT - 1.5 * mm, gy, LEFT - 6.5 * mm, gy)
            c.line(LEFT + 2 * CARD_W + 1.5 * mm, gy, LEFT + 2 * CARD_W + 6.5 * mm, gy)
        c.saveState()
        c.setStrokeColor(CUT)
        c.setLineWidth(0.3)
        c.setDash(2, 2)
        for slot in range(len(batch)):
            r, k = divmod(slot, 2)
            c.rect(LEFT + k * CARD_W, BOTTOM + (4 - r) * CARD_H, CARD_W, CARD_H)
        c.restoreState()
        for slot, face in enumerate(batch):
            r, k = divmod(slot, 2)
            x, y = LEFT + k * CARD_W, BOTTOM + (4 - r) * CARD_H
            c.setFillColor(GREY)
            c.setFont(FLOOR_FONT, 8)
            c.drawCentredString(x + CARD_W / 2, y + 47.5 * mm, face.union_name)
            _bold(c, x + title_x, y + 40.8 * mm, TITLE, 13, RED)
            c.setStrokeColor(RED)
            c.setLineWidth(0.9)
            c.line(x + 4 * mm, y + 38.6 * mm, x + CARD_W - 4 * mm, y + 38.6 * mm)
            c.setLineWidth(0.3)
            c.line(x + 4 * mm, y + 37.9 * mm, x + CARD_W - 4 * mm, y + 37.9 * mm)
            c.setFillColor(LABEL)
            c.setFont(FLOOR_FONT, 6.5)
            c.drawString(x + 5 * mm, y + 33 * mm, "持卡人")
            c.drawString(x + 5 * mm, y + 20.5 * mm, "卡号")
            _bold(c, x + 5 * mm, y + 26.5 * mm, face.holder_name, 15, colors.black)
            _bold(c, x + 5 * mm, y + 14.5 * mm, face.display_no, 14, colors.black)
            c.setFillColor(colors.black)
            c.setFont(FLOOR_FONT, 7.5)
            c.drawString(x + 5 * mm, y + 8.5 * mm, f"发卡日期：{face.issue_date:%Y-%m-%d}")
            c.setFillColor(LABEL)
            c.setFont(FLOOR_FONT, 5.2)
            c.drawString(x + 5 * mm, y + 3.6 * mm, NOTE)
            if encode is not None:
                modules, runs = encode(face.card_no)
                unit = QR_SIZE / modules
                c.saveState()
                c.transform(unit, 0, 0, unit, x + CARD_W - QR_SIZE - 1.5 * mm, y + (37.9 * mm - QR_SIZE) / 2)
                c.setFillGray(0)
                path = c.beginPath()
                for col, row, length in runs:
                    path.rect(col, row, length, 1)
                c.drawPath(path, stroke=0, fill=1)
                c.restoreState()
        c.setFillColor(GREY)
        c.setFont(FLOOR_FONT, 7)
        c.drawString(LEFT + 3 * mm, 5.5 * mm, imprint.text())
        c.drawRightString(LEFT + 2 * CARD_W - 3 * mm, 5.5 * mm,
                          f"{TITLE}　本页 {len(batch)} 张　第 {page + 1} 页 / 共 {pages} 页")
        c.showPage()
    c.save()
    return buf.getvalue()


def floors() -> list[tuple[str, Callable[[str], Runs] | None]]:
    """(label, encoder) of each floor whose library is installed; a line for each that is not."""
    found: list[tuple[str, Callable[[str], Runs] | None]] = []
    for label, make, package in (("qrcode path", qrcode_runs, "qrcode"), ("segno path", segno_runs, "segno"),
                                 ("zxing-cpp path", zxing_runs, "zxing-cpp")):
        try:
            found.append((label, make()))
        except ImportError:
            print(f"floor '{label}' skipped: {package} is not installed (pip install -e '.[bench]')")
    found.append(("page text alone", None))
    return found


def register_floor_font() -> None:
    if FLOOR_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FLOOR_FONT, str(font_path())))


# --- the run ------------------------------------------------------------------------------------

def spread(values: list[float], unit: str = "s", digits: int = 2) -> str:
    return "  ".join(f"{name} {fn(values):6.{digits}f}{unit}"
                     for name, fn in (("min", min), ("median", statistics.median), ("max", max)))


def profile_app(faces: list[CardFace], imprint: Imprint, top: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    card_sheet_pdf(faces, imprint)
    profiler.disable()
    print(f"\ncProfile of card_sheet_pdf ({len(faces)} cards), top {top} by own time:")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cards", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--profile", action="store_true", help="after the rounds, cProfile the app side once")
    args = ap.parse_args(argv)

    faces = make_faces(args.cards)
    pages = (len(faces) + 9) // 10
    imprint = Imprint("基准测试", SYSTEM.now().replace(microsecond=0))
    t0 = time.perf_counter()
    register_floor_font()
    card_sheet_pdf(faces[:10], imprint)  # registers the engine's font; every side is warm from here on
    print(f"font registration (app + floors): {time.perf_counter() - t0:.2f} s")
    sides: list[tuple[str, Callable[[], bytes]]] = [("app (card_sheet_pdf)", lambda: card_sheet_pdf(faces, imprint).pdf)]
    for label, enc in floors():
        floor_pdf(faces[:10], imprint, enc)  # warm: each encoder's first call loads its tables
        sides.append((f"floor: {label}", lambda enc=enc: floor_pdf(faces, imprint, enc)))

    # wall time, and this process's CPU time: on a machine shared with other work the CPU time
    # is the steadier of the two (one thread; nothing here waits on a disk or a lock)
    wall: dict[str, list[float]] = {label: [] for label, _ in sides}
    cpu: dict[str, list[float]] = {label: [] for label, _ in sides}
    sizes: dict[str, int] = {}
    for r in range(args.rounds):
        shift = r % len(sides)
        for label, run in sides[shift:] + sides[:shift]:
            t, c = time.perf_counter(), time.process_time()
            pdf = run()
            wall[label].append(time.perf_counter() - t)
            cpu[label].append(time.process_time() - c)
            sizes[label] = len(pdf)

    print(f"cards: {len(faces)} on {pages} A4 pages; {args.rounds} interleaved rounds")
    width = max(len(label) for label, _ in sides)
    for label, _ in sides:
        print(f"{label:<{width}}  wall {spread(wall[label])}  cpu {spread(cpu[label])}  "
              f"PDF {sizes[label] / 1024:,.0f} KB  ({statistics.median(wall[label]) / len(faces) * 1000:.2f} ms per card)")
    app = sides[0][0]
    for label, _ in sides[1:]:
        ratios = [a / f for a, f in zip(wall[app], wall[label])]
        cpu_ratios = [a / f for a, f in zip(cpu[app], cpu[label])]
        aim = "  (aim: within 1.3x)" if label == "floor: qrcode path" else ""
        print(f"ratio app / {label.removeprefix('floor: ')}: wall {spread(ratios, 'x')}  "
              f"cpu {spread(cpu_ratios, 'x')}{aim}")
    if args.profile:
        profile_app(faces, imprint, 25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
