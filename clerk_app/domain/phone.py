"""Phone numbers: validated by phonenumbers (lite), stored as plain national digits."""

from __future__ import annotations

import functools
import re
import unicodedata

from .errors import Issue

# A well-formed mainland mobile (11 ASCII digits, 1[3-9]...) that the library's own metadata
# for China's mobile numbers accepts is valid and stored as typed: checked with that pattern
# directly, 50 times faster than parse + is_valid_number (1.2 s of a 50,000-row import).
# Anything else (landlines, +86, spaces, numbers outside the mobile ranges) goes through the
# full parse, so phonenumbers still decides every answer.
_MOBILE_SHAPE = re.compile(r"1[3-9]\d{9}", re.ASCII)


@functools.lru_cache(maxsize=1)
def _cn_mobile() -> re.Pattern:
    """The library's pattern for China's mobile numbers (phonenumbers loads on first use, not
    when the window starts: tests/ui/test_startup_imports.py)."""
    import phonenumbers

    return re.compile(phonenumbers.PhoneMetadata.metadata_for_region("CN").mobile.national_number_pattern)


def normalise_phone(raw: str) -> tuple[str, Issue | None]:
    """Return (digits, problem). Mobiles become 11 digits; landlines keep their 0 prefix."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return "", None
    if _MOBILE_SHAPE.fullmatch(text) and _cn_mobile().fullmatch(text):
        return text, None
    return by_library(text)


def by_library(text: str) -> tuple[str, Issue | None]:
    """:func:`normalise_phone` of NFKC-normalised, stripped, non-empty ``text`` without the
    mobile fast path: what phonenumbers alone says."""
    import phonenumbers  # on first use: not loaded when the window starts

    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return text, Issue("phone", "phone.invalid", {"value": text})
    if not phonenumbers.is_valid_number(parsed):
        return text, Issue("phone", "phone.invalid", {"value": text})
    if parsed.country_code != 86:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), None
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return "".join(ch for ch in national if ch.isdigit()), None


def mask_phone(digits: str) -> str:
    """``138****5678`` for mobiles; landlines keep area code and last four."""
    if not digits:
        return ""
    if len(digits) <= 7:
        return digits[:2] + "*" * (len(digits) - 2)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
