"""The ledger: rules at their edges, overrides, reversals, insert-only, totals to the fen."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from clerk_app.domain import assistance as rules_mod
from clerk_app.domain import hardship as hs
from clerk_app.domain.errors import UserError
from clerk_app.services import hardship
from clerk_app.services import hardship_ledger as ledger
from clerk_app.storage.changes import changes_since
from tests.hardship.conftest import pay as _pay



@pytest.mark.parametrize("amount", ["4999.99", "50000.01", "0.01"])
def test_emergency_outside_5000_to_50000_is_refused(ctx, fid, amount):
    with pytest.raises(UserError) as err:
        _pay(ctx, fid, amount=amount)
    assert err.value.code == "ledger.rule_broken" and "5,000.00 至 50,000.00" in err.value.message


@pytest.mark.parametrize("amount", ["5000", "5000.00", "50000", "49999.99"])
def test_emergency_at_the_edges_is_paid(ctx, fid, amount):
    e = _pay(ctx, fid, amount=amount)
    assert e.amount == Decimal(amount).quantize(Decimal("0.01")) and e.rule_version == 0


def test_override_by_a_lead_is_kept_with_the_entry(ctx, fid):
    e = _pay(ctx, fid, amount="50000.01", override_reason="重大火灾，区总工会特批")
    assert e.override_reasons == "重大火灾，区总工会特批"
    assert [o.rule for o in ledger.repo.overrides(ctx.db, e.id)] == ["emergency_range"]


def test_more_than_two_decimals_and_floats_are_refused(ctx, fid):
    with pytest.raises(UserError) as err:
        _pay(ctx, fid, amount="6007.145")
    assert err.value.code == "money.too_precise"
    with pytest.raises(TypeError):
        _pay(ctx, fid, amount=6007.14)


def _season_days(today: dt.date) -> tuple[dt.date, dt.date]:
    """Two days of the last 两节 season that has begun by ``today``."""
    year = today.year + 1 if today >= dt.date(today.year, 12, 2) else today.year
    spring = rules_mod.spring_festival(year)
    start = dt.date(year - 1, 12, 2)
    if start > today:
        year -= 1
        spring, start = rules_mod.spring_festival(year), dt.date(year - 1, 12, 2)
    return start, min(spring, today)


def test_two_festival_payments_in_one_season_are_refused(ctx, fid, today):
    first, second = _season_days(today)
    _pay(ctx, fid, kind=rules_mod.FESTIVAL, amount="500", day=first)
    with pytest.raises(UserError) as err:
        _pay(ctx, fid, kind=rules_mod.FESTIVAL, amount="500", day=second)
    assert "两节" in err.value.message and first.isoformat() in err.value.message


def test_festival_season_follows_the_lunar_calendar():
    rules = rules_mod.DEFAULT
    assert rules_mod.spring_festival(2027) == dt.date(2027, 2, 6)
    assert rules_mod.festival_season(dt.date(2027, 2, 21), rules) == (dt.date(2026, 12, 2), dt.date(2027, 2, 21))
    assert rules_mod.festival_season(dt.date(2027, 2, 22), rules) is None
    assert rules_mod.festival_season(dt.date(2026, 12, 1), rules) is None
    assert rules_mod.festival_season(dt.date(2028, 2, 10), rules)[1] == dt.date(2028, 2, 10)  # 春节 01-26 + 15


def test_education_grant_once_per_school_year_per_child(ctx, fid, today):
    child = hardship.get_detail(ctx, fid).household[0]
    year_start = rules_mod.school_year(today)[0]
    _pay(ctx, fid, kind=rules_mod.EDUCATION, amount="2000", day=year_start, recipient_id=child.id)
    with pytest.raises(UserError) as err:
        _pay(ctx, fid, kind=rules_mod.EDUCATION, amount="2000", day=today, recipient_id=child.id)
    assert "本学年" in err.value.message
    with pytest.raises(UserError):
        _pay(ctx, fid, kind=rules_mod.EDUCATION, amount="2000", day=today)  # no child named
    prior = rules_mod.Payment(rules_mod.EDUCATION, 1, dt.date(2026, 8, 31), "c")
    assert rules_mod.check(rules_mod.Payment(rules_mod.EDUCATION, 1, dt.date(2026, 9, 1), "c"), [prior],
                           rules_mod.DEFAULT) == []


def test_reversal_then_new_entry_and_the_rule_counts_only_what_stands(ctx, fid, today):
    first, second = _season_days(today)
    e = _pay(ctx, fid, kind=rules_mod.FESTIVAL, amount="500", day=first)
    r = ledger.reverse(ctx, e.id, "金额录错")
    assert r.amount_fen == -50_000 and r.reverses_id == e.id
    assert _pay(ctx, fid, kind=rules_mod.FESTIVAL, amount="600", day=second).amount_fen == 60_000
    with pytest.raises(UserError):
        ledger.reverse(ctx, e.id, "再冲")
    with pytest.raises(UserError):
        ledger.reverse(ctx, r.id, "冲冲销")
    assert ledger.totals(ctx, fid).amount == Decimal("600.00")
    assert hardship.get_detail(ctx, fid).file.status == hs.ASSISTING  # the first payment began assistance


def test_the_ledger_is_insert_only(ctx, fid):
    e = _pay(ctx, fid)
    ledger.reverse(ctx, e.id, "重复录入")
    ops = {c.op for c in changes_since(ctx.db, tbl="hardship_ledger")}
    assert ops == {"create"}
    for sql in ("UPDATE hardship_ledger SET amount_fen = 1", "DELETE FROM hardship_ledger"):
        with pytest.raises(Exception, match="append-only"):
            ctx.db.conn.execute(sql)


def test_rules_are_versioned_and_entries_keep_theirs(ctx, fid):
    assert _pay(ctx, fid, amount="60000", override_reason="特批").rule_version == 0
    v = ledger.set_rules(ctx, rules_mod.Rules(emergency_max_fen=8_000_000), note="2027 年标准")
    assert v == 1
    e = _pay(ctx, fid, amount="60000")
    assert e.rule_version == 1 and not e.override_reasons


def test_visits(ctx, fid, today):
    v = ledger.record_visit(ctx, fid, day=today, visitors="张主席、李经办", findings="住房漏雨", given="米面油")
    assert hardship.get_detail(ctx, fid).visits == (v,)


def test_totals_exact_to_the_fen_over_5000_entries(ctx, fid, today):
    rng = random.Random(12)
    kinds = [rules_mod.MEDICAL, rules_mod.EMPLOYMENT, rules_mod.OTHER, rules_mod.SUMMER]
    funds = list(rules_mod.FUNDS)
    expected: dict[tuple, int] = {}
    now = ctx.now_stamp()
    rows = []
    for i in range(5000):
        fen = rng.randint(1, 9_999_999)
        day = (today - dt.timedelta(days=rng.randint(0, 1500))).isoformat()
        kind, fund = rng.choice(kinds), rng.choice(funds)
        expected[(day[:4], kind, fund)] = expected.get((day[:4], kind, fund), 0) + fen
        rows.append((f"id-{i}", fid, kind, fen, day, fund, "张", "", "赵", "现金", "", 0, "", "c", now))
    ctx.db.conn.executemany("INSERT INTO hardship_ledger (id, file_id, kind, amount_fen, paid_date, fund, approver,"
                            " recipient_id, recipient_name, method, notes, rule_version, reverses_id, clerk_id,"
                            " recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    t = ledger.totals(ctx)
    assert t.amount == Decimal(sum(expected.values())) / 100
    got = {(line.year, line.kind, line.fund): line.amount for line in t.lines}
    assert got == {k: Decimal(v) / 100 for k, v in expected.items()}
    assert sum(line.payments for line in t.lines) == 5000
    by_year = t.by("year")
    assert sum(by_year.values()) == t.amount
