#!/usr/bin/env python3
"""Build the Chinese font bundled with the app.

Input:  a Noto Sans CJK Regular collection (.ttc, CFF/PostScript outlines),
        e.g. Debian's /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
        (package fonts-noto-cjk).
Output: a single-face TrueType font (glyf outlines) holding only the
        Simplified Chinese face and the Unicode ranges the app needs,
        renamed to the family "Noto Sans SC Clerk".

Why: reportlab's TTFont cannot read CFF outlines ("postscript outlines are
not supported"), and the full collection is ~19 MB with six faces.

Steps:
  1. pick the "Noto Sans CJK SC" Regular face out of the collection;
  2. subset it to the ranges in UNICODE_RANGES, without OpenType layout
     features and without hinting;
  3. convert the cubic CFF outlines to quadratic TrueType (glyf) outlines;
  4. use `post` table format 3 (no glyph names; format 2 cannot hold the
     names of a font this size);
  5. rename the family so it never collides with a system-installed
     Noto Sans CJK, and save.

Usage:
  python tools/make_font.py [SOURCE.ttc] [OUTPUT.ttf]

Requires fontTools (pip install fonttools).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

DEFAULT_SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
DEFAULT_OUTPUT = (
    Path(__file__).resolve().parent.parent / "resources" / "fonts" / "NotoSansSC-Clerk.ttf"
)

SOURCE_FAMILY = "Noto Sans CJK SC"
SOURCE_STYLE = "Regular"

NEW_FAMILY = "Noto Sans SC Clerk"
NEW_STYLE = "Regular"
NEW_PS_NAME = "NotoSansSCClerk-Regular"

# Inclusive code point ranges kept in the subset.
UNICODE_RANGES = [
    (0x0020, 0x007E),    # Basic Latin (printable)
    (0x00A0, 0x00FF),    # Latin-1 Supplement (includes U+00A5 YEN SIGN)
    (0x2000, 0x206F),    # General Punctuation
    (0x3000, 0x303F),    # CJK Symbols and Punctuation
    (0x3400, 0x4DBF),    # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),    # CJK Unified Ideographs
    (0xFF00, 0xFFEF),    # Halfwidth and Fullwidth Forms (includes U+FFE5)
    (0x20000, 0x2EBEF),  # CJK Unified Ideographs Extensions B-F
]
EXTRA_CODEPOINTS = [0x00A5]  # YEN SIGN, listed explicitly so it is never lost

# Maximum distance (font units; this font has 1000 units per em) allowed
# between a cubic curve and its quadratic approximation.
MAX_CURVE_ERROR = 1.0


def find_face(ttc_path: str, family: str, style: str) -> int:
    """Return the index of the face called `family` / `style` in a collection."""
    collection = TTCollection(ttc_path, lazy=True)
    found = []
    for index, face in enumerate(collection.fonts):
        name = face["name"]
        found.append(f"{index}: {name.getDebugName(1)} / {name.getDebugName(2)}")
        if name.getDebugName(1) == family and name.getDebugName(2) == style:
            return index
    raise SystemExit(
        f"no face '{family} {style}' in {ttc_path}; faces are:\n  " + "\n  ".join(found)
    )


def wanted_codepoints() -> list[int]:
    codepoints = set(EXTRA_CODEPOINTS)
    for first, last in UNICODE_RANGES:
        codepoints.update(range(first, last + 1))
    return sorted(codepoints)


def subset_font(font: TTFont) -> None:
    """Keep only the wanted characters; drop layout features and hinting."""
    options = subset.Options()
    options.layout_features = []      # like --layout-features=''
    options.hinting = False           # like --no-hinting
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
    options.name_languages = [0x0409]  # English records only
    options.notdef_outline = True
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=wanted_codepoints())
    subsetter.subset(font)


def cff_to_glyf(font: TTFont) -> None:
    """Replace the CFF table with quadratic TrueType glyf/loca tables."""
    glyph_order = font.getGlyphOrder()
    cubic_glyphs = font.getGlyphSet()

    quadratic_glyphs = {}
    for glyph_name in glyph_order:
        tt_pen = TTGlyphPen(None)
        # CFF contours run counter-clockwise, TrueType ones clockwise,
        # hence reverse_direction.
        pen = Cu2QuPen(tt_pen, MAX_CURVE_ERROR, reverse_direction=True)
        cubic_glyphs[glyph_name].draw(pen)
        quadratic_glyphs[glyph_name] = tt_pen.glyph()

    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = quadratic_glyphs
    font["glyf"] = glyf
    font["loca"] = newTable("loca")  # rebuilt from glyf on save

    # TrueType expects each glyph's left side bearing (hmtx) to equal its
    # xMin, and the top side bearing (vmtx) to be measured from yMax.  The
    # quadratic outline's bounding box (which includes off-curve points) can
    # differ slightly from the cubic one, so recompute both.  The vertical
    # origin is taken from VORG, which CFF fonts use instead.
    hmtx = font["hmtx"]
    vmtx = font["vmtx"] if "vmtx" in font else None
    vorg = font["VORG"] if "VORG" in font else None
    for glyph_name, glyph in quadratic_glyphs.items():
        glyph.recalcBounds(glyf)
        has_outline = glyph.numberOfContours != 0
        advance, _ = hmtx[glyph_name]
        hmtx[glyph_name] = (advance, glyph.xMin if has_outline else 0)
        if vmtx is not None and vorg is not None:
            v_advance, tsb = vmtx[glyph_name]
            if has_outline:
                origin_y = vorg[glyph_name]  # per-glyph value or the default
                tsb = origin_y - glyph.yMax
            vmtx[glyph_name] = (v_advance, tsb)

    # Tables that only make sense for CFF fonts.
    for tag in ("CFF ", "CFF2", "VORG"):
        if tag in font:
            del font[tag]

    # maxp version 1.0 (TrueType) has extra fields; the glyph/point/contour
    # maxima are recomputed on save, the hinting-related ones stay zero
    # because the font carries no instructions.
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for field in (
        "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
        "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
        "maxPoints", "maxContours", "maxCompositePoints",
        "maxCompositeContours", "maxComponentElements", "maxComponentDepth",
    ):
        setattr(maxp, field, 0)

    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"  # TrueType outlines, not "OTTO"

    # post format 3: no glyph names stored.
    post = font["post"]
    post.formatType = 3.0
    post.extraNames = []
    post.mapping = {}


def rename(font: TTFont) -> None:
    """Give the derived font its own family name.

    After subsetting only Windows/English name records are left, so only
    those are written.
    """
    name = font["name"]
    version = font["head"].fontRevision
    new_names = {
        1: NEW_FAMILY,
        2: NEW_STYLE,
        3: f"{version:.3f};{NEW_PS_NAME};subset of {SOURCE_FAMILY}",
        4: f"{NEW_FAMILY} {NEW_STYLE}",
        6: NEW_PS_NAME,
    }
    for name_id in (16, 17, 21, 22):  # typographic / WWS names, if any
        name.removeNames(nameID=name_id)
    for name_id, text in new_names.items():
        name.removeNames(nameID=name_id)
        name.setName(text, name_id, 3, 1, 0x0409)  # Windows, Unicode BMP, en-US


def build(source: str, output: Path) -> None:
    t0 = time.monotonic()
    index = find_face(source, SOURCE_FAMILY, SOURCE_STYLE)
    # recalcTimestamp=False keeps the source's head.modified date, so running
    # the script twice on the same input gives byte-identical output.
    font = TTFont(source, fontNumber=index, recalcTimestamp=False)
    print(f"source face #{index} of {source}: {font['maxp'].numGlyphs} glyphs")

    subset_font(font)
    print(f"subset: {len(font.getGlyphOrder())} glyphs ({time.monotonic() - t0:.1f}s)")

    cff_to_glyf(font)
    print(f"converted to TrueType outlines ({time.monotonic() - t0:.1f}s)")

    rename(font)

    output.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(output))
    size_mb = output.stat().st_size / 1e6
    print(f"wrote {output} ({size_mb:.1f} MB, {time.monotonic() - t0:.1f}s total)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("source", nargs="?", default=DEFAULT_SOURCE,
                        help=f"Noto Sans CJK Regular .ttc (default: {DEFAULT_SOURCE})")
    parser.add_argument("output", nargs="?", default=str(DEFAULT_OUTPUT),
                        help="output .ttf (default: resources/fonts/NotoSansSC-Clerk.ttf)")
    args = parser.parse_args(argv)
    build(args.source, Path(args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
