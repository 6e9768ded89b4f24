"""The one search box: name fragments, pinyin, polyphonic surnames, ID and phone tails."""

from __future__ import annotations

import datetime as dt

import pytest

from clerk_app.services import members as ms
from tests.conftest import make_id, run_on

TODAY = dt.date(2026, 11, 21)
_on_day = run_on(TODAY)  # the app works on this module's day

PEOPLE = [  # name, id number, phone
    ("王小明", make_id("110105", "19900307", "123"), "13812345678"),
    ("王晓红", make_id("110108", "19920615", "124"), "13900001111"),
    ("单田芳", make_id("310104", "19851120", "211"), "13611112222"),
    ("曾国藩", make_id("440305", "19760101", "311"), "15022223333"),
    ("解缙", make_id("510107", "19880808", "413"), "18633334444"),
    ("仇英", make_id("650102", "19950505", "511"), "17744445555"),
    ("区家麟", make_id("440305", "19820202", "611"), "13355556666"),
    ("徐明", make_id("110105", "19900307", "005"), "13566667777"),       # ID ends in X
    ("李红", make_id("310104", "19851120", "003"), "010-65123456"),      # ID ends in X, landline
    ("阿依古丽·买买提", make_id("650102", "19930303", "711"), "13988889999"),
]


@pytest.fixture
def people(ctx, member_input):
    forms = [member_input(name=name, id_number=number, phone=phone) for name, number, phone in PEOPLE]
    result = ms.register_many(ctx, forms, today=TODAY)  # one commit: keeps the suite fast
    assert result.rejected == []
    return {p[0]: mid for p, mid in zip(PEOPLE, result.saved)}


def names(ctx, query) -> list[str]:
    return sorted(r.name for r in ms.search(ctx, query))


def test_people_ids_as_expected():
    assert PEOPLE[7][1].endswith("X") and PEOPLE[8][1].endswith("X")
    assert not any(p[1].endswith("X") for p in PEOPLE[:7])


def test_name_fragment_two_chars_and_one(ctx, people):
    assert names(ctx, "小明") == ["王小明"]
    assert names(ctx, "明") == ["徐明", "王小明"]
    assert names(ctx, "红") == ["李红", "王晓红"]
    assert names(ctx, "王") == ["王小明", "王晓红"]
    assert names(ctx, "王小明") == ["王小明"]
    assert names(ctx, " 王 小明 ") == ["王小明"]  # spaces typed in the box are ignored
    assert names(ctx, "古丽") == ["阿依古丽·买买提"]


def test_exact_name_first(ctx, people, member_input):
    longer = ms.register_member(ctx, member_input(name="徐明远", id_number=make_id(seq="901")), today=TODAY)
    rows = ms.search(ctx, "徐明")
    assert [r.name for r in rows] == ["徐明", "徐明远"]
    assert rows[1].id == longer.member_id


def test_pinyin_full_prefix_and_initials(ctx, people):
    assert names(ctx, "wangxiaoming") == ["王小明"]
    assert names(ctx, "wangx") == ["王小明", "王晓红"]
    assert names(ctx, "wxm") == ["王小明"]
    assert names(ctx, "WXM") == ["王小明"]
    assert names(ctx, "wxh") == ["王晓红"]
    assert names(ctx, "ayglmmt") == ["阿依古丽·买买提"]


@pytest.mark.parametrize("query,name", [
    ("stf", "单田芳"), ("dtf", "单田芳"), ("shantianfang", "单田芳"), ("dantian", "单田芳"),
    ("zgf", "曾国藩"), ("cgf", "曾国藩"), ("cengguofan", "曾国藩"),
    ("xj", "解缙"), ("jj", "解缙"), ("xiejin", "解缙"), ("jiejin", "解缙"),
    ("qy", "仇英"), ("cy", "仇英"), ("qiuying", "仇英"), ("chouying", "仇英"),
    ("ojl", "区家麟"), ("qjl", "区家麟"), ("oujialin", "区家麟"), ("qujialin", "区家麟"),
])
def test_polyphonic_surnames_by_both_readings(ctx, people, query, name):
    assert names(ctx, query) == [name]


def test_id_tail_with_x_either_case(ctx, people):
    xu = PEOPLE[7][1]
    assert names(ctx, xu[-4:]) == ["徐明"]
    assert names(ctx, xu[-4:].lower()) == ["徐明"]
    assert names(ctx, "5x") == ["徐明"]
    assert names(ctx, "3X") == ["李红"]


def test_id_tail_digits(ctx, people):
    number = PEOPLE[0][1]
    assert names(ctx, number[-6:]) == ["王小明"]


def test_phone_tail_and_whole_phone(ctx, people):
    assert names(ctx, "5678") == ["王小明"]
    assert names(ctx, "13812345678") == ["王小明"]
    assert names(ctx, "65123456") == ["李红"]
    assert names(ctx, "５６７８") == ["王小明"]  # full-width digits from a Chinese input method


def test_full_id_number(ctx, people):
    for name, number, _ in PEOPLE:
        assert names(ctx, number) == [name]
        assert names(ctx, number.lower()) == [name]


def test_nothing_found(ctx, people):
    for query in ("张三", "zzzz", "99999", "1234567890123", "", "   "):
        assert ms.search(ctx, query) == [], query


def test_like_wildcards_are_literal(ctx, people):
    assert ms.search(ctx, "%") == []
    assert ms.search(ctx, "_") == []
    assert ms.search(ctx, "王%") == []
    assert ms.search(ctx, "王_明") == []
    assert ms.search(ctx, "%明") == []
    assert ms.search(ctx, "\\") == []


def test_a_lone_x_searches_pinyin(ctx, people):
    assert names(ctx, "x") == ["徐明", "解缙"]  # xu, xie
    assert names(ctx, "X") == ["徐明", "解缙"]


def test_search_limit(ctx, people):
    assert len(ms.search(ctx, "w", limit=1)) == 1
    assert len(ms.search(ctx, "1", limit=3)) <= 3


def test_rows_carry_list_columns(ctx, people):
    [row] = ms.search(ctx, "wxm")
    assert row.id == people["王小明"]
    assert (row.gender, row.birth_date, row.union_name, row.status) == ("男", "1990-03-07", "大兴区黄村镇总工会", "active")
    assert row.phone == "13812345678" and row.id_number == PEOPLE[0][1]


def test_fragments_of_one_two_and_three_characters_come_newest_first(ctx, people, member_input):
    later = [ms.register_member(ctx, member_input(name=name, id_number=make_id(seq=seq)), today=TODAY).member_id
             for name, seq in (("张小明远", "801"), ("小明", "802"), ("欧阳小明", "803"))]
    assert [r.name for r in ms.search(ctx, "明")] == ["欧阳小明", "小明", "张小明远", "徐明", "王小明"]
    assert [r.name for r in ms.search(ctx, "小明")] == ["小明", "欧阳小明", "张小明远", "王小明"]  # exact first
    assert [r.name for r in ms.search(ctx, "阳小明")] == ["欧阳小明"]
    assert [r.name for r in ms.search(ctx, "小明远")] == ["张小明远"]
    assert [r.name for r in ms.search(ctx, "张明")] == []  # both pairs' characters, not side by side
    assert [r.name for r in ms.search(ctx, "明", limit=2)] == ["欧阳小明", "小明"]
    assert [r.name for r in ms.search(ctx, "古丽·买")] == ["阿依古丽·买买提"]
    assert [r.id for r in ms.search(ctx, "小明远")] == [later[0]]


def test_latin_letters_in_a_name_match_in_either_case(ctx, member_input):
    saved = ms.register_member(ctx, member_input(name="Anna李", id_number=make_id(seq="804")), today=TODAY)
    assert [r.id for r in ms.search(ctx, "a李")] == [saved.member_id]
    assert [r.id for r in ms.search(ctx, "NA李")] == [saved.member_id]


def test_a_renamed_member_is_found_by_the_new_name_only(ctx, people, member_input):
    member_id = people["王晓红"]
    form = member_input(name="刘晓燕", id_number=PEOPLE[1][1], phone=PEOPLE[1][2])
    ms.update_member(ctx, member_id, form, today=TODAY)
    for old in ("晓红", "红", "王晓红"):
        assert member_id not in [r.id for r in ms.search(ctx, old)], old
    for new in ("晓燕", "燕", "刘", "刘晓燕", "lxy"):
        assert [r.id for r in ms.search(ctx, new)] == [member_id], new


def test_an_erased_member_leaves_no_key_to_be_found_by(ctx, people):
    from clerk_app.services.erasure import erase_member

    member_id = people["单田芳"]
    erase_member(ctx, member_id)
    for query in ("田芳", "芳", "单", "stf", PEOPLE[2][1][-6:], PEOPLE[2][2][-4:]):
        assert member_id not in [r.id for r in ms.search(ctx, query)], query
    assert ctx.db.conn.execute("SELECT count(*) FROM member_keys WHERE member_id = ?", [member_id]).fetchone()[0] == 0


def test_a_letter_whose_lower_case_is_two_letters_is_still_found(ctx, member_input):
    saved = ms.register_member(ctx, member_input(name="İlham", id_number=make_id(seq="805")), today=TODAY)
    assert [r.id for r in ms.search(ctx, "İ李") if r.id == saved.member_id] == []
    assert saved.member_id in [r.id for r in ms.search(ctx, "İl")]
