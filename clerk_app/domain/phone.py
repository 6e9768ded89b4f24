"""Phone numbers: validated by phonenumbers (lite), stored as plain national digits."""

from __future__ import annotations

import unicodedata

import phonenumbers

from .errors import Issue


def normalise_phone(raw: str) -> tuple[str, Issue | None]:
    """Return (digits, problem). Mobiles become 11 digits; landlines keep their 0 prefix."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return "", None
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
