"""The ID-number adapter (domain/idnumber.py): what a clerk may type, what is refused, what is derived."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from clerk_app.domain.idnumber import KIND_PERMIT, KIND_RESIDENT, check_id, convert_15_to_18, mask
from clerk_app.domain.messages import MESSAGES
from tests.conftest import make_id

TODAY = dt.date(2026, 11, 21)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def gb11643_check(body17: str) -> str:
    """The check character written out from the standard (independent of stdnum and the app)."""
    total = sum(int(d) * w for d, w in zip(body17, _WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def test_reference_check_characters_agree_with_the_standard():
    # The example number printed in GB 11643-1999 itself, and the app's synthetic numbers.
    assert gb11643_check("11010519491231002") == "X"
    for number in (make_id(), make_id("440305", "20000229", "001"), make_id("650102", "19700101", "998")):
        assert gb11643_check(number[:17]) == number[17]


@pytest.mark.parametrize("number", [
    "11010519491231002X",             # the standard's own example: Beijing Chaoyang, 1949-12-31, woman
    "110105199003071239",
    make_id("310104", "19851120", "432"),
])
def test_valid_numbers(number):
    result = check_id(number, TODAY)
    assert result.valid, result.message
    assert result.error is None
    assert result.number == number
    assert result.kind == KIND_RESIDENT


def test_derived_fields_of_the_standard_example():
    result = check_id("11010519491231002X", TODAY)
    assert result.birth_date == dt.date(1949, 12, 31)
    assert result.gender == "女"  # 17th digit 2 is even
    assert result.region == "北京市朝阳区"
    assert result.warnings == ()


def test_gender_follows_the_seventeenth_digit():
    assert check_id(make_id(seq="121"), TODAY).gender == "男"
    assert check_id(make_id(seq="128"), TODAY).gender == "女"


@pytest.mark.parametrize("typed", [
    "１１０１０５１９４９１２３１００２Ｘ",   # full-width digits and X
    "110105 19491231 002X",
    "110105-19491231-002X",
    " 11010519491231002x ",           # lower-case x, padding
    "１１０１０５－１９４９１２３１－００２ｘ",  # full-width hyphens and x
    "11010519491231002\u200bX",        # a zero-width space from a copied web page
])
def test_typing_variants_are_normalised(typed):
    result = check_id(typed, TODAY)
    assert result.valid, result.message
    assert result.number == "11010519491231002X"
    assert result.raw == typed


def _refused(raw: str, code: str, today: dt.date = TODAY):
    result = check_id(raw, today)
    assert not result.valid
    assert result.error.code == code, result.error
    assert result.birth_date is None and result.gender is None
    assert result.message and _CJK.search(result.message), result.message
    assert not result.message.startswith("["), "message code has no Chinese text"
    return result


def test_bad_checksum():
    good = make_id()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    _refused(wrong, "id.bad_checksum")


def test_impossible_date_feb_30():
    number = make_id(birth="19900230")  # checksum right, date impossible
    result = _refused(number, "id.bad_date")
    assert "19900230" in result.message


def test_feb_29_only_in_leap_years():
    assert check_id(make_id(birth="20000229"), TODAY).valid
    _refused(make_id(birth="19000229"), "id.bad_date")  # 1900 was not a leap year
    _refused(make_id(birth="20010229"), "id.bad_date")


def test_future_birth_date_uses_injected_today():
    number = make_id(birth="20261122")
    result = _refused(number, "id.future_date", today=dt.date(2026, 11, 21))
    assert "2026-11-22" in result.message
    assert check_id(number, dt.date(2026, 11, 22)).valid  # born today is not "future"


def test_before_1900():
    _refused(make_id(birth="18991231"), "id.too_old")
    _refused("440524188001010014", "id.too_old")  # the 1880 example from GB 11643
    assert check_id(make_id(birth="19000101"), TODAY).valid


def test_fifteen_digit_number_refused_with_conversion():
    # Computed here by the standard's rule: insert "19" after the region code, append the check.
    old = "110105491231002"
    expected = old[:6] + "19" + old[6:] + gb11643_check(old[:6] + "19" + old[6:])
    assert expected == "11010519491231002X"
    result = _refused(old, "id.legacy_15")
    assert expected in result.message
    assert convert_15_to_18(old) == expected
    other = "310104851120432"
    assert convert_15_to_18(other) == make_id("310104", "19851120", "432")


@pytest.mark.parametrize("raw,length", [("11010519491231002", 17), ("1101051990030712", 16),
                                        ("1101051949123100211", 19)])
def test_wrong_length(raw, length):
    result = _refused(raw, "id.bad_length")
    assert str(length) in result.message


def test_x_in_the_middle():
    _refused("1101051949X231002X", "id.x_position")
    _refused("11010519491231X021", "id.x_position")


def test_x_in_a_fifteen_digit_number():
    _refused("11010549123100X", "id.bad_chars")


@pytest.mark.parametrize("raw", ["11010519491231002Y", "ABC", "1101０５19491231/02X"])
def test_bad_characters(raw):
    _refused(raw, "id.bad_chars")


@pytest.mark.parametrize("raw", ["", "   ", "\u3000", None])
def test_empty(raw):
    _refused(raw, "id.empty")


def test_unknown_county_in_a_known_province_is_a_warning_not_an_error():
    number = make_id("110199")  # Beijing, but no such county code
    result = check_id(number, TODAY)
    assert result.valid
    assert result.region is None
    assert [w.code for w in result.warnings] == ["id.region_unknown"]
    assert "110199" in result.message and _CJK.search(result.message)
    assert result.as_json()["warnings"][0]["message"] == result.message


# GB/T 2260 province-level codes, written out here (not read from stdnum): 22 provinces,
# 5 autonomous regions, 4 municipalities, Taiwan (71) and the two SARs (81, 82).
_PROVINCES = {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
              "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
              "65", "71", "81", "82"}


@pytest.mark.parametrize("prefix", ["99", "00", "10", "20", "47", "72", "80", "84", "90"])
def test_a_number_whose_first_two_digits_are_no_province_is_refused(prefix):
    number = make_id(prefix + "0426")
    result = _refused(number, "id.bad_province")
    assert f"“{prefix}”" in result.message and "省级行政区" in result.message
    assert result.region is None and result.warnings == ()
    assert result.as_json()["code"] == "id.bad_province"


def test_exactly_the_province_and_permit_codes_are_accepted():
    accepted = {f"{n:02d}" for n in range(100)
                if check_id(make_id(f"{n:02d}0000", "19900101"), TODAY).valid}
    assert accepted == _PROVINCES | {"83"}  # 83: residence permits of Taiwan residents


def test_xiongan_prefix_where_stdnum_raises_is_a_warning():
    number = make_id("133100", "19950505", "321")
    with pytest.raises(Exception):  # the stdnum behaviour this adapter exists for
        ric.get_birth_place(number)
    result = check_id(number, TODAY)
    assert result.valid
    assert [w.code for w in result.warnings] == ["id.region_unknown"]
    assert "133100" in result.message
    assert result.birth_date == dt.date(1995, 5, 5)


@pytest.mark.parametrize("code,name", [
    ("110113", "北京市顺义区"), ("110114", "北京市昌平区"), ("110115", "北京市大兴区"), ("110116", "北京市怀柔区"),
    ("110117", "北京市平谷区"), ("110118", "北京市密云区"), ("110119", "北京市延庆区"),
])
@pytest.mark.parametrize("birth", ["19600101", "19900101", "20230615"])
def test_beijing_newer_districts_are_named_for_holders_born_before_them(code, name, birth):
    # A number keeps the code of where it was assigned, which can be later than the birth
    # (大兴区 110115 exists since 2001; a Daxing roster is full of people born before that).
    result = check_id(make_id(code, birth), TODAY)
    assert result.valid
    assert result.region == name
    assert result.warnings == () and result.message == ""


@pytest.mark.parametrize("code,birth,name", [
    ("110228", "19900101", "北京市密云县（已撤销）"),   # 1982-2015, now 110118 密云区
    ("110228", "19700101", "北京市密云县（已撤销）"),   # born before the code existed
    ("110228", "20200101", "北京市密云县（已撤销）"),   # born after it was abolished
    ("110103", "19800101", "北京市崇文区（已撤销）"),   # merged into 东城区 in 2010
    ("110103", "20150101", "北京市崇文区（已撤销）"),
])
def test_abolished_codes_are_named_as_they_were_and_marked(code, birth, name):
    result = check_id(make_id(code, birth), TODAY)
    assert result.valid
    assert result.region == name
    assert result.warnings == ()


@pytest.mark.parametrize("code,birth,name", [
    ("120110", "19800101", "天津市东丽区"),   # 东郊区 until 1991, 东丽区 since 1992
    ("120110", "19950101", "天津市东丽区"),
    ("440305", "19850101", "广东省南山区"),   # 南头区办事处 1983-1989, 南山区 since 1990
    ("132426", "19900101", "河北省顺平县（已撤销）"),  # 完县, then 顺平县 1993-1994, then recoded
])
def test_a_code_with_several_names_gets_the_most_recent_one(code, birth, name):
    result = check_id(make_id(code, birth), TODAY)
    assert result.valid and result.warnings == ()
    assert result.region == name


@pytest.mark.parametrize("prefix,kind_text", [("810000", "香港"), ("820000", "澳门"), ("830000", "台湾")])
def test_hk_macau_taiwan_permits_accepted_on_checksum_with_a_note(prefix, kind_text):
    number = make_id(prefix, "19880808", "017")
    result = check_id(number, TODAY)
    assert result.valid
    assert result.kind == KIND_PERMIT
    assert kind_text in result.region
    assert [w.code for w in result.warnings] == ["id.permit_note"]
    assert kind_text in result.message
    assert result.birth_date == dt.date(1988, 8, 8)
    assert result.gender == "男"
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    _refused(bad, "id.bad_checksum")


def test_every_id_message_code_has_chinese_text():
    for code, text in MESSAGES.items():
        if code.startswith("id."):
            assert _CJK.search(text), code


def test_as_json_fields():
    data = check_id("11010519491231002x", TODAY).as_json()
    assert data == {
        "input": "11010519491231002x", "valid": True, "code": "ok", "message": "有效",
        "number": "11010519491231002X", "kind": KIND_RESIDENT, "birth_date": "1949-12-31",
        "gender": "女", "region": "北京市朝阳区", "warnings": [],
    }


def test_mask():
    assert mask("11010519900307123X") == "110105************"
    assert mask("110105199003071239") == "110105************"
    assert mask("123") == "***"
    assert mask("") == ""


# -- property: MOD 11-2 catches every single substitution and adjacent transposition ----------

_regions = st.sampled_from(["110105", "110108", "310104", "440305", "510107", "650102", "133100", "810000"])
_births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2010, 12, 31))
_seqs = st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}")


@settings(max_examples=60, deadline=None)
@given(region=_regions, birth=_births, seq=_seqs)
def test_single_substitution_and_adjacent_transposition_rejected(region, birth, seq):
    number = make_id(region, birth.strftime("%Y%m%d"), seq)
    assert check_id(number, TODAY).valid
    alphabet = "0123456789X"
    for pos, original in enumerate(number):
        for ch in alphabet:
            if ch == original:
                continue
            typo = number[:pos] + ch + number[pos + 1:]
            assert not check_id(typo, TODAY).valid, (number, typo)
    for pos in range(17):
        a, b = number[pos], number[pos + 1]
        if a == b:
            continue
        swapped = number[:pos] + b + a + number[pos + 2:]
        assert not check_id(swapped, TODAY).valid, (number, swapped)
