"""Card numbers: shape, scanner normalisation, and a check character that catches every
single substitution and every adjacent transposition (proved exhaustively)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clerk_app.domain import cardno
from clerk_app.domain.cardno import ALPHABET, check_char, is_valid_check, make_card_no, parse_card_no
from clerk_app.domain.messages import MESSAGES

LENGTHS = range(cardno.MIN_LEN, cardno.MAX_LEN + 1)


def _valid_with(length: int, fixed: dict[int, str]) -> str:
    """A string of ``length`` alphabet characters with ``fixed`` characters at the given
    positions and a correct check character (solved through one free position)."""
    chars = [ALPHABET[(i * 7 + 3) % len(ALPHABET)] for i in range(length)]
    for pos, ch in fixed.items():
        chars[pos] = ch
    free = next(p for p in range(length - 1, -1, -1) if p not in fixed)
    for ch in ALPHABET:
        chars[free] = ch
        if is_valid_check("".join(chars)):
            return "".join(chars)
    raise AssertionError("no character solves the check")  # impossible for a prime modulus


def test_alphabet_is_scan_safe():
    assert len(ALPHABET) == cardno.MODULUS == 31
    assert all(c.isascii() and (c.isdigit() or c.isupper()) for c in ALPHABET)
    assert not set("ILOUZ") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET)


def test_made_numbers_are_valid_and_parse_back():
    for prefix in ("DX07", "SY12A", "MY99", "HR0B"):
        for seq in (1, 2, 9, 10, 123, 99999, 999999):
            no = make_card_no(prefix, seq)
            assert len(no) == len(prefix) + 7
            assert is_valid_check(no)
            parsed = parse_card_no(no)
            assert parsed.ok, (no, parsed.error)
            assert (parsed.card.prefix, parsed.card.seq, parsed.card.number) == (prefix, seq, no)
            assert parsed.card.grouped == f"{prefix} {seq:06d} {no[-1]}"


def test_check_character_always_in_alphabet():
    seen = {make_card_no("DX07", seq)[-1] for seq in range(1, 2000)}
    assert seen == set(ALPHABET)  # every symbol occurs, and nothing outside the alphabet


@pytest.mark.parametrize("length", LENGTHS)
def test_every_single_substitution_is_caught_exhaustively(length):
    """For every position (check included) and every pair of different symbols a→b."""
    checked = 0
    for pos in range(length):
        for a in ALPHABET:
            number = _valid_with(length, {pos: a})
            assert number[pos] == a and is_valid_check(number)
            for b in ALPHABET:
                if b != a:
                    wrong = number[:pos] + b + number[pos + 1:]
                    assert not is_valid_check(wrong), (number, wrong)
                    checked += 1
    assert checked == length * 31 * 30


@pytest.mark.parametrize("length", LENGTHS)
def test_every_adjacent_transposition_is_caught_exhaustively(length):
    """For every adjacent pair of positions (the last pair includes the check character)
    and every ordered pair of different symbols ab → ba."""
    checked = 0
    for pos in range(length - 1):
        for a in ALPHABET:
            for b in ALPHABET:
                if a == b:
                    continue
                number = _valid_with(length, {pos: a, pos + 1: b})
                swapped = number[:pos] + b + a + number[pos + 2:]
                assert not is_valid_check(swapped), (number, swapped)
                checked += 1
    assert checked == (length - 1) * 31 * 30


def test_real_numbers_every_wrong_character_and_swap_is_refused_by_parse():
    """On real issued numbers, through the scanner path: never a different valid number."""
    rng = random.Random(7)
    numbers = [make_card_no(p, rng.randint(1, cardno.MAX_SEQ)) for p in ("DX07", "SY12A") for _ in range(40)]
    for no in numbers:
        for pos in range(len(no)):
            for b in ALPHABET:
                if b != no[pos]:
                    assert not parse_card_no(no[:pos] + b + no[pos + 1:]).ok
        for pos in range(len(no) - 1):
            if no[pos] != no[pos + 1]:
                assert not parse_card_no(no[:pos] + no[pos + 1] + no[pos] + no[pos + 2:]).ok


@given(prefix=st.sampled_from(["DX07", "SY12A", "MY03", "TZ", "FS10B"]),
       seq=st.integers(1, cardno.MAX_SEQ), data=st.data())
def test_random_single_error_is_caught(prefix, seq, data):
    if prefix == "TZ":  # not a valid prefix (too short, and Z is not in the alphabet)
        with pytest.raises(ValueError):
            make_card_no(prefix, seq)
        return
    no = make_card_no(prefix, seq)
    pos = data.draw(st.integers(0, len(no) - 1))
    b = data.draw(st.sampled_from([c for c in ALPHABET if c != no[pos]]))
    result = parse_card_no(no[:pos] + b + no[pos + 1:])
    assert not result.ok
    assert result.error in (cardno.BAD_CHECK, cardno.BAD_SHAPE)


def test_scanner_and_keyboard_input_is_normalised():
    no = make_card_no("DX07", 123)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in no)  # what a Chinese IME in full-width mode types
    variants = [no, no.lower(), f"  {no}\r\n", f"\t{no} ", full_width, f"{no[:4]}-{no[4:10]}-{no[10]}",
                f"{no[:4]} {no[4:10]} {no[10]}", no.replace("0", "O"), no.replace("0", "o")]
    for raw in variants:
        parsed = parse_card_no(raw)
        assert parsed.ok, (raw, parsed.error)
        assert parsed.card.number == no


@pytest.mark.parametrize("raw, code", [
    ("", cardno.EMPTY),
    ("   ", cardno.EMPTY),
    ("DX07000123Ü", cardno.BAD_CHARS),
    ("DX07#00123K", cardno.BAD_CHARS),
    ("DU07000123K", cardno.BAD_CHARS),  # U is not in the alphabet
    ("DX0700012", cardno.BAD_LENGTH),
    ("DX0700012345678", cardno.BAD_LENGTH),
    ("110105199003071234", cardno.BAD_LENGTH),  # an ID number scanned by mistake
    ("1X07000123K", cardno.BAD_SHAPE),  # prefix must start with two letters
    ("DX07A00123K", cardno.BAD_SHAPE),  # sequence must be digits
])
def test_parse_reasons(raw, code):
    parsed = parse_card_no(raw)
    assert not parsed.ok and parsed.card is None
    assert parsed.error == code
    assert code in MESSAGES and parsed.message and "[" not in parsed.message


def test_sequence_zero_is_not_a_card():
    body = "DX07000000"
    assert parse_card_no(body + check_char(body)).error == cardno.BAD_SHAPE


def test_prefix_rules():
    assert cardno.check_prefix(" dx07 ") == ("DX07", None)
    assert cardno.check_prefix("ｓｙ１２ａ") == ("SY12A", None)
    assert cardno.check_prefix("")[1] == cardno.PREFIX_EMPTY
    for bad in ("D7", "DX0", "DX0712", "07DX", "DX-07!", "DU07"):
        assert cardno.check_prefix(bad)[1] == cardno.PREFIX_BAD, bad


def test_prefixes_of_different_length_never_give_the_same_number():
    short = {make_card_no("DX07", s) for s in range(1, 3000)}
    long_ = {make_card_no("DX070", s) for s in range(1, 3000)}
    assert not short & long_
    assert {len(n) for n in short} == {11} and {len(n) for n in long_} == {12}
