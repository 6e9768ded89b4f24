"""The bundled CJK TrueType font: registered with reportlab once per process, and asked
which characters it lacks.

reportlab has no font fallback: a character missing from the font prints as nothing, with
no error (shared/LIBRARIES.md §1). :func:`missing_glyphs` lets a caller warn the clerk
*before* printing, while the name can still be checked against the ID card.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from .. import paths
from ..domain.errors import UserError
from ..domain.messages import message

FONT = "ClerkSans"  # the name documents use in styles and canvas calls

_lock = threading.Lock()
_font: TTFont | None = None

# Characters that never print as ink, so their absence from the font is no loss.
_SILENT_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}


def _is_silent(ch: str) -> bool:
    cp = ord(ch)
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:  # variation selectors
        return True
    return unicodedata.category(ch) in _SILENT_CATEGORIES


def register_fonts() -> str:
    """Register the bundled font (once per process) and return its reportlab name."""
    global _font
    if _font is not None:
        return FONT
    with _lock:
        if _font is None:
            path = paths.font_path()
            if not path.is_file():
                raise UserError("print.font_missing", path=str(path))
            try:
                font = TTFont(FONT, str(path))
            except (TTFError, OSError) as exc:
                raise UserError("print.font_missing", path=str(path)) from exc
            pdfmetrics.registerFont(font)
            # One weight only: map <b>/<i> in paragraphs to the same face instead of failing.
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(FONT, bold, italic, FONT)
            _font = font
    return FONT


def _char_to_glyph() -> dict[int, int]:
    register_fonts()
    assert _font is not None
    return _font.face.charToGlyph


def missing_glyphs(text: str) -> str:
    """The distinct characters of ``text`` the font cannot draw, in order of appearance."""
    table = _char_to_glyph()
    missing = [ch for ch in text or "" if ord(ch) not in table and not _is_silent(ch)]
    return "".join(dict.fromkeys(missing))


@dataclass(frozen=True)
class PrintWarning:
    """Something the clerk should see before printing (the document is still produced)."""

    code: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return message(self.code, **self.params)


def glyph_warning(label: str, text: str) -> PrintWarning | None:
    """A warning naming the field, its value and the characters that would print blank."""
    chars = missing_glyphs(text)
    if not chars:
        return None
    codes = "、".join(f"U+{ord(ch):04X}" for ch in chars)
    return PrintWarning("print.missing_glyph", {"label": label, "text": text, "chars": chars, "codes": codes})


def check_fields(pairs: Iterable[tuple[str, str]]) -> list[PrintWarning]:
    """One warning per (label, text) pair that has characters the font lacks."""
    warnings = []
    for label, text in pairs:
        found = glyph_warning(label, text)
        if found is not None and found not in warnings:
            warnings.append(found)
    return warnings
