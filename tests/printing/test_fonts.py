from __future__ import annotations

import subprocess
import sys

from reportlab.pdfbase import pdfmetrics

from clerk_app.printing import fonts
from clerk_app.printing.cards import card_pdf


def test_font_registered_once_per_process():
    name = fonts.register_fonts()
    first = pdfmetrics.getFont(name)
    assert fonts.register_fonts() == name
    assert pdfmetrics.getFont(name) is first


def test_missing_glyphs_finds_private_use_but_not_ext_a():
    assert fonts.missing_glyphs("王\ue000明") == "\ue000"
    assert fonts.missing_glyphs("李䶮") == ""          # CJK Ext-A: the font has it
    assert fonts.missing_glyphs("阿卜杜·买买提") == ""
    assert fonts.missing_glyphs("") == ""


def test_missing_glyphs_reports_each_character_once_in_order():
    assert fonts.missing_glyphs("\ue001王\ue000\ue001") == "\ue001\ue000"


def test_invisible_format_characters_are_not_reported():
    assert fonts.missing_glyphs("王\u200d小\ufe0f明\n") == ""


def test_warning_names_field_value_and_code_point():
    found = fonts.check_fields([("姓名", "王\ue000明"), ("工作单位", "美团"), ("姓名", "王\ue000明")])
    assert len(found) == 1
    w = found[0]
    assert w.code == "print.missing_glyph"
    assert "姓名" in w.message and "U+E000" in w.message and "王\ue000明" in w.message


def test_card_with_unprintable_name_comes_with_a_warning(face):
    result = card_pdf(face(name="张\ue000"))
    assert [w.params["chars"] for w in result.warnings] == ["\ue000"]
    assert card_pdf(face(name="李䶮")).warnings == ()


def test_printing_never_imports_qt():
    code = ("import sys, clerk_app.printing.cards, clerk_app.printing.forms, clerk_app.printing.roster, "
            "clerk_app.cli.print_cmd; "
            "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'clerk_app.ui'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
