"""Phone numbers (normalise, mask) and pinyin search keys (polyphonic surnames, rare characters)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clerk_app.domain.phone import by_library, mask_phone, normalise_phone
from clerk_app.domain.pinyin_keys import name_keys


@pytest.mark.parametrize("typed,stored", [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"),     # full-width digits
    ("19912345678", "19912345678"),
    ("010-12345678", "01012345678"),              # Beijing landline keeps its 0 prefix
    ("(010) 6512 3456", "01065123456"),
    ("4008123123", "4008123123"),
    ("+1 650 253 0000", "+16502530000"),         # foreign numbers stay in E.164
])
def test_normalise_accepts(typed, stored):
    assert normalise_phone(typed) == (stored, None)


@pytest.mark.parametrize("typed", ["12345", "1381234567", "138123456789", "abc", "12312345678"])
def test_normalise_refuses_with_message(typed):
    value, problem = normalise_phone(typed)
    assert problem is not None
    assert problem.field == "phone" and problem.code == "phone.invalid"
    assert typed in problem.message and "号码格式不对" in problem.message
    assert value == typed  # what was typed is kept for the form, not lost


def test_mobile_fast_path_agrees_with_the_library_on_every_four_digit_prefix():
    """The fast path for 1[3-9]xxxxxxxxx only skips phonenumbers where phonenumbers says yes."""
    for prefix in range(1300, 2000):
        for tail in ("0000000", "5123456", "9999999", "0599999"):
            number = f"{prefix}{tail}"
            assert normalise_phone(number) == by_library(number), number


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True) | st.text(alphabet="0123456789+- ", max_size=14))
def test_mobile_fast_path_agrees_with_the_library(text):
    stripped = text.strip()
    if stripped:
        assert normalise_phone(text) == by_library(stripped)


def test_empty_phone_is_not_an_error_here():
    assert normalise_phone("") == ("", None)
    assert normalise_phone("   ") == ("", None)


@pytest.mark.parametrize("digits,masked", [
    ("13812345678", "138****5678"),
    ("01012345678", "010****5678"),
    ("4008123123", "400***3123"),
    ("12345", "12***"),
    ("", ""),
])
def test_mask_phone(digits, masked):
    assert mask_phone(digits) == masked
    assert len(masked) == len(digits)


@pytest.mark.parametrize("name,readings", [
    ("单田芳", [("shantianfang", "stf"), ("dantianfang", "dtf")]),
    ("曾国藩", [("zengguofan", "zgf"), ("cengguofan", "cgf")]),
    ("解缙", [("xiejin", "xj"), ("jiejin", "jj")]),
    ("仇英", [("qiuying", "qy"), ("chouying", "cy")]),
    ("区家麟", [("oujialin", "ojl"), ("qujialin", "qjl")]),
])
def test_polyphonic_surnames_by_both_readings(name, readings):
    keys = name_keys(name)
    for full, initials in readings:
        assert full in keys and initials in keys, (name, full, sorted(keys))


def test_keys_are_lower_case_without_spaces_or_dots():
    keys = name_keys("王 小明")
    assert "wangxiaoming" in keys and "wxm" in keys
    assert all(k == k.lower() and " " not in k for k in keys)
    dotted = name_keys("阿依古丽·买买提")
    assert any(k.startswith("ayigulimaimaiti") for k in dotted)
    assert not any("·" in k for k in dotted)


def test_rare_characters_pass_through():
    ext_a = name_keys("王䶮")  # 䶮 U+4DAE (Ext-A): pypinyin knows "yan"
    assert "wangyan" in ext_a and "wy" in ext_a
    ext_b = name_keys("𠮷野家")  # 𠮷 U+20BB7 (Ext-B): kept as the character itself
    assert "𠮷yejia" in ext_b and "𠮷yj" in ext_b


def test_empty_name_has_no_keys():
    assert name_keys("") == set()
    assert name_keys(" · ") == set()
