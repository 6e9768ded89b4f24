"""One normalisation for every free-text field a clerk types or a roster carries.

Control characters (C0 ``U+0000–001F``, DEL, C1 ``U+0080–009F``) mean nothing in a name,
an employer or a title: pasted from a web page or a chat they are invisible on screen, yet
one of them in 工作单位 made every later Excel export fail (XML 1.0 cannot hold them). They
are removed at input; a multi-line field (履历, 家庭情况, 备注) keeps its line breaks and tabs.
Lone surrogates and the non-characters U+FFFE/U+FFFF go too (they cannot be written as
UTF-8 or XML), and so does a byte-order mark left inside the text. Anything else — every
script, the zero-width joiner of an emoji, full-width forms — is kept as typed.
"""

from __future__ import annotations

import re
import unicodedata

_FORBIDDEN = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff"
_SINGLE_LINE = re.compile(f"[{_FORBIDDEN}]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_ANY_CONTROL = re.compile(f"[{_FORBIDDEN}\t\n\r]")


def strip_controls(text: str | None, *, multiline: bool = False) -> str:
    """``text`` without control characters. Single-line text: tabs and line breaks become
    spaces (a name pasted with a trailing newline is still the name). Multi-line text keeps
    ``\\n`` (CR LF and CR become LF) and tabs."""
    if not text:
        return ""
    if multiline:
        text = _LINE_BREAKS.sub("\n", text)
        return _SINGLE_LINE.sub("", text)
    text = re.sub(r"[\t\n\r\x85\u2028\u2029]", " ", text)
    return _SINGLE_LINE.sub("", text)


def single_line(text: str | None, form: str = "NFC") -> str:
    """A one-line field as stored: controls removed, Unicode normalised, inner runs of
    whitespace one space, no space at either end."""
    return " ".join(unicodedata.normalize(form, strip_controls(text)).split())


def multi_line(text: str | None) -> str:
    """A multi-line field as stored: controls removed (line breaks kept), NFC, trimmed."""
    return unicodedata.normalize("NFC", strip_controls(text, multiline=True)).strip()


def has_controls(text: str) -> bool:
    """Whether stored text still holds a character the normalisation would remove
    (data saved before it existed)."""
    return bool(_ANY_CONTROL.search(text))
