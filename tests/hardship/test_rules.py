"""Editing the assistance rules: a 负责人 makes a new version (emergency range, the 两节 window,
the school year's first day), entries keep the version they were checked against, a 经办人 is
refused in Chinese, nonsense is refused with its reason, and the versions travel by sync."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from clerk_app.domain import assistance as rules_mod
from clerk_app.domain import hardship as hs
from clerk_app.domain.errors import UserError
from clerk_app.services import hardship, hardship_ledger as ledger
from clerk_app.services.context import Clerk, Context
from tests.merge.conftest import Laptops
from tests.hardship.conftest import pay as _pay



def test_each_edit_is_a_new_version_and_entries_keep_theirs(ctx, fid):
    with pytest.raises(UserError):
        _pay(ctx, fid, amount="3000")
    assert ledger.edit_rules(ctx, "2027 年标准", emergency_min="2000", emergency_max="60000") == 1
    assert _pay(ctx, fid, amount="3000").rule_version == 1
    assert ledger.edit_rules(ctx, "", festival_days_before=10) == 2
    version, current = ledger.current_rules(ctx)
    assert version == 2 and current.emergency_min_fen == 200_000 and current.festival_days_before == 10
    assert [v.version for v in ledger.rule_history(ctx)] == [2, 1]
    assert ledger.rule_history(ctx)[1].note == "2027 年标准"
    with pytest.raises(UserError) as err:
        ledger.edit_rules(ctx, "", festival_days_before=10)
    assert err.value.code == "ledger.rules_unchanged"


@pytest.mark.parametrize("changes, says", [
    (dict(emergency_min="60000", emergency_max="50000"), "下限"),
    (dict(emergency_max="2000000"), "1,000,000.00"),
    (dict(festival_days_after=61), "60 天"),
    (dict(school_year_month=2, school_year_day=30), "学年起始日"),
])
def test_nonsense_rules_are_refused_with_the_reason(ctx, changes, says):
    with pytest.raises(UserError) as err:
        ledger.edit_rules(ctx, **changes)
    assert err.value.code == "ledger.bad_rules" and says in err.value.message
    assert ledger.current_rules(ctx)[0] == 0


def test_a_clerk_is_refused_and_nothing_is_written(ctx):
    clerk_ctx = Context(ctx.db, Clerk("x", "王经办", "经办人"), ctx.site_id, ctx.clock)
    with pytest.raises(UserError) as err:
        ledger.edit_rules(clerk_ctx, emergency_max="80000")
    assert err.value.code == "auth.forbidden" and "修改帮扶规则" in err.value.message and "负责人" in err.value.message
    assert ledger.rule_history(ctx) == []


def test_the_school_year_start_moves_the_education_rule(ctx, filed, today):
    child = hardship.get_detail(ctx, filed.file_id).household[0].id
    hardship.change_status(ctx, filed.file_id, hs.APPROVED)
    first = dt.date(today.year - 1, 8, 25)
    second = dt.date(today.year - 1, 9, 5)
    _pay(ctx, filed.file_id, rules_mod.EDUCATION, "2000", first, recipient_id=child)
    assert ledger.check_payment(ctx, filed.file_id, rules_mod.EDUCATION, 200_000, second, child).ok  # 9-01 start
    ledger.edit_rules(ctx, "学年自 8 月 1 日起", school_year_month=8, school_year_day=1)
    checked = ledger.check_payment(ctx, filed.file_id, rules_mod.EDUCATION, 200_000, second, child)
    assert [b.rule for b in checked.breaches] == ["education_twice"] and checked.version == 1
    assert rules_mod.school_year(second, ledger.current_rules(ctx)[1]) == (dt.date(today.year - 1, 8, 1),
                                                                            dt.date(today.year, 7, 31))


def test_rule_versions_travel_by_sync(tmp_path, _template_db, app_clock):
    sites = Laptops(tmp_path, _template_db, app_clock)
    district, laptop = sites.laptop("district"), sites.laptop("a")
    ledger.edit_rules(district, "区总工会 2027 年标准", emergency_max="80000")
    sites.send(district.db, laptop.db)
    version, current = ledger.current_rules(laptop)
    assert version == 1 and current.emergency_max_fen == 8_000_000
    sites.close()


def test_cli_rules_show_and_set(data_dir, capsys):
    from clerk_app.cli import main
    from tests.hardship.test_hardship_cli import _folder

    _folder(data_dir)
    base = ["--data-dir", str(data_dir), "hardship", "rules"]
    assert main([*base, "show"]) == 0
    assert "第 0 版" in capsys.readouterr().out
    assert main([*base, "set", "--emergency-max", "80000", "--school-year", "08-15", "--note", "新标准",
                 "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["version"] == 1 and doc["emergency_max"] == "80000.00" and doc["school_year_start"] == "08-15"
    assert doc["history"][0]["note"] == "新标准"
    assert main([*base, "set", "--school-year", "9月1日"]) == 2
    assert "月-日" in capsys.readouterr().err
