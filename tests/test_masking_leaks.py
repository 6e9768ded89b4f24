"""Masked output must not give the masked numbers back (issue 10 part 3).

Three hundred members; every masked output the core makes — the member list, the card register
and the attendance list (.xlsx), the 会员花名册, each 入会登记表 and the sign-in sheet (PDF) — is
read back the way a person would read it, and for every person on it the ID number is rebuilt
from what the same row or page shows (``tests/id_rebuild.py``). None may come back.

The attack is shown to work: with the old "first six and last four" mask the same member list
rebuilds every one of the 300 numbers (the figure the issue reported)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from python_calamine import CalamineWorkbook

from clerk_app.domain.event import EventInput
from clerk_app.services import cards, documents, events, list_export, roster_export, signin
from clerk_app.services.members import register_many
from tests.conftest import make_id
from clerk_app.domain.idnumber import mask
from tests.id_rebuild import LEAKY, candidates, dates_for, rebuilt, squeeze
from tests.printing.pdfcheck import pdf_text

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ("伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟")
REGIONS = ("110105", "110115", "130602", "410102", "510104", "620102")
N = 300


@dataclass(frozen=True)
class Person:
    member_id: str
    name: str
    id_number: str
    birth: dt.date
    gender: str


def first_six_last_four(number: str) -> str:
    """The mask this app used before: region and last four kept (birth date hidden)."""
    return number[:6] + "*" * 8 + number[-4:]


@pytest.fixture
def people(ctx, today) -> list[Person]:
    from clerk_app.domain.member import MemberInput

    inputs, out = [], []
    for i in range(N):
        # ages about 22 to 72 on the day the suite runs (any day: --today moves it)
        birth = today.replace(month=1, day=1, year=today.year - 72) + dt.timedelta(days=61 * i + i % 7)
        number = make_id(REGIONS[i % len(REGIONS)], birth.strftime("%Y%m%d"), f"{(37 * i) % 1000:03d}")
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)]
        inputs.append(MemberInput(name=name, id_number=number, phone=f"139{i:08d}", union_id=ctx.home_union_id,
                                  occupation="快递员", platform="顺丰", native_place="河北保定",
                                  join_date=today - dt.timedelta(days=30)))
        out.append((name, number, birth, "男" if int(number[16]) % 2 else "女"))
    result = register_many(ctx, inputs, confirm_possible_duplicates=True)
    assert not result.rejected and len(result.saved) == N
    return [Person(mid, *rest) for mid, rest in zip(result.saved, out)]


def sheet_rows(path) -> list[dict]:
    data = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return [dict(zip(data[0], row)) for row in data[1:]]


def leaks_in_rows(rows: list[dict], people: list[Person], today: dt.date, shown_as=mask) -> list[str]:
    """The names of the people whose own row rebuilds to their number (every row must carry
    its person's number, masked: a test that found no number would prove nothing)."""
    by_name = {p.name: p for p in people}
    found = []
    for row in rows:
        p = by_name[str(row.get("姓名") or row.get("持卡人"))]
        text = " ".join(str(v) for v in row.values())
        assert shown_as(p.id_number) in text, (p, text)
        if rebuilt(text, p.id_number, p.birth, p.gender, today, shown_as(p.id_number)):
            found.append(p.name)
    return found


def leaks_on_pages(pdf: bytes, people: list[Person], today: dt.date, shown_as=mask) -> list[str]:
    """The names of the people on any page whose text (all of it) rebuilds their number; each
    of ``people`` must be on some page with the number masked."""
    found, seen = [], set()
    for page in pdf_text(pdf).split("\f"):
        flat = squeeze(page)
        for p in people:
            if p.name in flat and shown_as(p.id_number) in flat:
                seen.add(p.name)
                if rebuilt(page, p.id_number, p.birth, p.gender, today, shown_as(p.id_number)):
                    found.append(p.name)
    assert seen == {p.name for p in people}, sorted({p.name for p in people} - seen)[:5]
    return found


# ---------------------------------------------------------------- the attack itself

def test_the_attack_rebuilds_a_number_from_the_old_mask_and_a_birth_year():
    number = make_id("110105", "19900307", "123")
    year_only = candidates(first_six_last_four(number), dates_for(year=1990, today=dt.date(2026, 11, 21)), "男")
    assert number in year_only and len(year_only) <= 40  # 365 days, one check character in 11
    full_date = candidates(first_six_last_four(number), dates_for(exact=dt.date(1990, 3, 7), today=dt.date(2026, 11, 21)))
    assert full_date == [number]


def test_the_mask_with_a_birth_year_and_gender_leaves_too_many_to_try():
    number = make_id("110105", "19900307", "123")
    found = candidates(mask(number), dates_for(year=1990, age=36, today=dt.date(2026, 11, 21)), "男")
    assert len(found) > LEAKY


def test_the_old_mask_beside_a_birth_year_gave_back_every_number(ctx, people, tmp_path, monkeypatch):
    """What the issue found (300 of 300), reproduced: proof the leak test below can fail."""
    monkeypatch.setattr(roster_export, "mask", first_six_last_four)
    roster_export.export_members(ctx, tmp_path / "old.xlsx")
    assert len(leaks_in_rows(sheet_rows(tmp_path / "old.xlsx"), people, ctx.today(), first_six_last_four)) == N


def test_the_old_mask_beside_an_age_or_year_gave_back_the_printed_numbers(ctx, people, monkeypatch):
    from clerk_app.domain import records
    from clerk_app.printing import forms

    monkeypatch.setattr(records, "mask", first_six_last_four)  # Member.id_number_masked: the roster's
    roster = documents.member_roster(ctx)
    assert len(leaks_on_pages(roster.pdf, people, ctx.today(), first_six_last_four)) == N  # the age column
    monkeypatch.setattr(forms, "mask", first_six_last_four)
    form = documents.registration_form(ctx, people[7].member_id)
    assert leaks_on_pages(form.pdf, [people[7]], ctx.today(), first_six_last_four) == [people[7].name]  # 出生 year


# ---------------------------------------------------------------- every masked output

def test_the_masked_member_list_gives_no_number_back(ctx, people, tmp_path):
    roster_export.export_members(ctx, tmp_path / "members.xlsx")
    rows = sheet_rows(tmp_path / "members.xlsx")
    assert len(rows) == N and all("*" in r["身份证号码"] for r in rows)
    assert leaks_in_rows(rows, people, ctx.today()) == []


def test_the_card_register_gives_no_number_back(ctx, people, tmp_path):
    cards.set_card_prefix(ctx, "DX07")
    cards.issue_cards(ctx, [p.member_id for p in people[:40]])
    list_export.export_cards(ctx, tmp_path / "cards.xlsx")
    rows = sheet_rows(tmp_path / "cards.xlsx")
    assert len(rows) == 40
    assert leaks_in_rows(rows, people, ctx.today()) == []


def test_the_roster_pdf_gives_no_number_back(ctx, people):
    printout = documents.member_roster(ctx)
    assert printout.items == N and not printout.revealed
    assert leaks_on_pages(printout.pdf, people, ctx.today()) == []


def test_the_masked_registration_form_gives_no_number_back(ctx, people):
    for p in people[::15]:  # twenty forms, every region and both genders
        printout = documents.registration_form(ctx, p.member_id)
        assert p.name in pdf_text(printout.pdf)
        assert leaks_on_pages(printout.pdf, [p], ctx.today()) == [], p


def test_the_sign_in_sheet_and_attendance_list_give_no_number_back(ctx, people, tmp_path):
    event = events.create_event(ctx, EventInput(
        type="职工沟通会", title="沟通会", event_date=ctx.today(), start_time="09:30", end_time="11:30",
        venue="黄村镇文化广场", union_id=ctx.home_union_id), today=ctx.today())
    for p in people[:30]:
        signin.sign_in_member(ctx, event.id, p.member_id)
    sheet = documents.signin_sheet(ctx, event.id)
    assert leaks_on_pages(sheet.pdf, people[:30], ctx.today()) == []
    list_export.export_attendance(ctx, tmp_path / "attendance.xlsx", event.id)
    rows = sheet_rows(tmp_path / "attendance.xlsx")
    assert len(rows) == 30 and leaks_in_rows(rows, people, ctx.today()) == []
