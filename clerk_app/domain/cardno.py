"""Service-card numbers (服务卡卡号): issued offline on many laptops, never colliding,
typed by a USB keyboard-wedge scanner or by hand, with a check character.

Shape
-----
``PREFIX + SEQUENCE + CHECK``, for example ``DX07`` ``000123`` ``K`` → ``DX07000123K``
(shown grouped as ``DX07 000123 K``; the QR code and the database hold the compact form).

* **PREFIX** — the laptop's card code, 4 or 5 characters: two letters for the district
  plus two or three characters for the laptop (``DX07``, ``SY12A``).
* **SEQUENCE** — six decimal digits, zero-padded, counted per prefix on the laptop
  (up to 999,999 cards per prefix; a laptop that runs out asks the district for a new code).
* **CHECK** — one character, see below.

A prefix is 4 or 5 long and the sequence always 6, so numbers from prefixes of different
lengths differ in length, and numbers from different prefixes of the same length differ
in the prefix: **two laptops with different prefixes can never issue the same number.**

How a laptop gets its prefix (the design decision)
-------------------------------------------------
Uniqueness of prefixes cannot be guaranteed by the laptops themselves while they are
offline, so it is **assigned by the district union** (区总工会), which keeps the one list of
laptops: two letters for the district and a serial for the laptop.  The clerk types the
code the district gives at setup or in settings; it is stored in ``meta['card_prefix']``.
Until it is set, no card can be issued (the message tells the clerk to ask the district for
the laptop's code).  Once a card has been issued with a prefix, that prefix is *used*: the
laptop's prefix can then only be changed to a new one that has never been used (not on this
laptop, and not by any card this database knows of, including cards synced from elsewhere).
The services keep that rule (:mod:`clerk_app.services.cards`); this module only knows the
shape.  A random prefix (e.g. from the site UUID) was rejected: short random codes collide
(birthday bound) and long ones are hard to read aloud and type.

Alphabet (scan-safe)
--------------------
31 characters: ``0-9`` and the upper-case letters without ``I L O U Z``.  ``I``, ``L``
and ``O`` look like ``1`` and ``0``; ``U`` and ``V`` are confused in handwriting; ``Z``
swaps with ``Y`` on QWERTZ keyboards and looks like ``2``.  Only ASCII digits and upper-case
letters, so a wedge scanner types them whatever the keyboard's state (Caps Lock only flips
the case, which :func:`parse_card_no` undoes; an active Chinese IME is handled by the
scan field turning input methods off).  When reading, ``O`` is taken as ``0`` and ``I``/``L``
as ``1`` (they never occur in a number, so the reading is unambiguous).

Check character (MOD 31, weights 3^i)
-------------------------------------
Characters take their index in the alphabet (0..30).  Counting positions from the right,
the check character at position 0 and the data at 1..n, the number is valid when
``sum(v_i * 3**i) ≡ 0 (mod 31)``.  31 is prime and the alphabet has exactly 31 symbols,
so the check character is always one of the alphabet (no ``*`` or ``+`` as in MOD 37-2).

* A single substitution changes the sum by ``(a-b)·3^i``; ``0 < |a-b| < 31`` and ``3^i`` is
  invertible mod 31, so the change is never 0: **every single wrong character is caught**.
* An adjacent transposition changes it by ``(a-b)(3^i - 3^(i+1)) = -2(a-b)3^i``, never 0:
  **every adjacent transposition is caught** (including with the check character).
* Also caught: jump transpositions (``3^2 ≠ 1``) and twin errors ``aa→bb`` (``1+3 ≠ 0``).
  3 is a primitive root mod 31, so weights do not repeat within 30 positions (numbers
  here have at most 12).

The tests prove the first two claims exhaustively over samples of numbers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXY"
MODULUS = 31
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_LETTERS = "".join(c for c in ALPHABET if c.isalpha())
# Characters that never occur in a number but are read as the look-alike that does.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Separators a clerk may type or a label may print between the groups.
_SEPARATORS = re.compile(r"[\s\-_.·/\u200b\u200c\u200d\ufeff]")

SEQ_DIGITS = 6
MAX_SEQ = 10 ** SEQ_DIGITS - 1
PREFIX_MIN, PREFIX_MAX = 4, 5
_PREFIX_RE = re.compile(f"[{_LETTERS}]{{2}}[{ALPHABET}]{{{PREFIX_MIN - 2},{PREFIX_MAX - 2}}}")
_NUMBER_RE = re.compile(f"({_PREFIX_RE.pattern})([0-9]{{{SEQ_DIGITS}}})([{ALPHABET}])")
MIN_LEN = PREFIX_MIN + SEQ_DIGITS + 1
MAX_LEN = PREFIX_MAX + SEQ_DIGITS + 1

# Reason codes of parse_card_no / check_prefix (each is a key in domain.messages).
EMPTY = "card.no_empty"
BAD_CHARS = "card.no_bad_chars"
BAD_LENGTH = "card.no_bad_length"
BAD_SHAPE = "card.no_bad_shape"
BAD_CHECK = "card.no_bad_check"
PREFIX_EMPTY = "card.prefix_empty"
PREFIX_BAD = "card.prefix_bad"


def _weighted_sum(body: str) -> int:
    """sum(v_i * 3^i) over ``body`` with its last character at position 1."""
    total, weight = 0, 3
    for ch in reversed(body):
        total = (total + _VALUE[ch] * weight) % MODULUS
        weight = weight * 3 % MODULUS
    return total


def check_char(body: str) -> str:
    """The check character for ``body`` (prefix + sequence, alphabet characters only)."""
    bad = sorted({c for c in body if c not in _VALUE})
    if bad:
        raise ValueError(f"characters outside the card alphabet: {bad!r}")
    return ALPHABET[(-_weighted_sum(body)) % MODULUS]


def is_valid_check(number: str) -> bool:
    """True when ``number`` (compact, alphabet characters only) carries a correct check char."""
    if len(number) < 2 or any(c not in _VALUE for c in number):
        return False
    return (_weighted_sum(number[:-1]) + _VALUE[number[-1]]) % MODULUS == 0


def normalise(text: str) -> str:
    """Scanner or keyboard input to compact upper-case ASCII: full-width → ASCII (NFKC),
    separators and spaces removed, upper case, ``O``→``0`` and ``I``/``L``→``1``."""
    s = unicodedata.normalize("NFKC", text or "")
    return _SEPARATORS.sub("", s).upper().translate(_READ_AS)


def check_prefix(text: str) -> tuple[str, str | None]:
    """``(normalised prefix, reason code or None)`` for a laptop card code typed by a clerk."""
    prefix = normalise(text)
    if not prefix:
        return prefix, PREFIX_EMPTY
    if not _PREFIX_RE.fullmatch(prefix):
        return prefix, PREFIX_BAD
    return prefix, None


def make_card_no(prefix: str, seq: int) -> str:
    """The compact card number for sequence ``seq`` (1..999999) under ``prefix``."""
    if not _PREFIX_RE.fullmatch(prefix):
        raise ValueError(f"bad card prefix {prefix!r}")
    if not 1 <= seq <= MAX_SEQ:
        raise ValueError(f"card sequence out of range: {seq}")
    body = f"{prefix}{seq:0{SEQ_DIGITS}d}"
    return body + check_char(body)


@dataclass(frozen=True)
class CardNo:
    """A well-formed card number, split into its parts."""

    number: str  # compact form: what the QR code, the scanner and the database carry
    prefix: str
    seq: int
    check: str

    @property
    def grouped(self) -> str:
        """``DX07 000123 K`` for people to read aloud and compare."""
        return f"{self.prefix} {self.number[len(self.prefix):-1]} {self.check}"

    def __str__(self) -> str:
        return self.number


@dataclass(frozen=True)
class ParsedCardNo:
    """Outcome of :func:`parse_card_no`: ``card`` when usable, else a reason ``error`` code."""

    raw: str
    text: str  # the normalised text that was checked
    card: CardNo | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def message(self) -> str:
        from .messages import message

        return message(self.error, text=self.text) if self.error else ""


def parse_card_no(text: str) -> ParsedCardNo:
    """Read a card number from a scanner or the keyboard: strip, full-width → ASCII, upper
    case, separators removed; then shape and check character.  Never raises on bad input."""
    norm = normalise(text)
    if not norm:
        return ParsedCardNo(text, norm, None, EMPTY)
    if any(c not in _VALUE for c in norm):
        return ParsedCardNo(text, norm, None, BAD_CHARS)
    if not MIN_LEN <= len(norm) <= MAX_LEN:
        return ParsedCardNo(text, norm, None, BAD_LENGTH)
    m = _NUMBER_RE.fullmatch(norm)
    if m is None or int(m.group(2)) == 0:
        return ParsedCardNo(text, norm, None, BAD_SHAPE)
    if not is_valid_check(norm):
        return ParsedCardNo(text, norm, None, BAD_CHECK)
    return ParsedCardNo(text, norm, CardNo(norm, m.group(1), int(m.group(2)), m.group(3)), None)


def grouped(number: str | None) -> str:
    """``DX07000123K`` -> ``DX07 000123 K`` (as read aloud); other text unchanged."""
    if not number:
        return ""
    parsed = parse_card_no(number)
    return parsed.card.grouped if parsed.card else number


def looks_like_card_no(text: str) -> bool:
    """True when ``text`` has the shape of a card number, whatever its check character
    (a search box uses this to decide between a number and a name)."""
    norm = normalise(text)
    return bool(_NUMBER_RE.fullmatch(norm))
