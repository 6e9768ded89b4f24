"""Report periods: previous (环比) and year-before (同比) ranges, and the report values' checks."""

import datetime as dt
from decimal import Decimal

import pytest

from clerk_app.domain.reports import Chart, Period, Series, Table, change_text


def test_month_previous_wraps_the_year():
    p = Period.month(2026, 1)
    assert p.previous() == Period.month(2025, 12)
    assert p.year_before() == Period.month(2025, 1)
    assert (p.start, p.end, p.label) == (dt.date(2026, 1, 1), dt.date(2026, 1, 31), "2026年1月")


def test_february_in_a_leap_year_and_quarters():
    assert Period.month(2028, 2).end == dt.date(2028, 2, 29)
    assert Period.quarter(2026, 1).previous() == Period.quarter(2025, 4)
    assert Period.quarter(2026, 3).label == "2026年第3季度"
    assert Period.year(2026).previous() == Period.year(2025)


def test_custom_range_previous_is_as_long_and_ends_the_day_before():
    p = Period(dt.date(2026, 3, 10), dt.date(2026, 3, 19))
    prev = p.previous()
    assert prev.end == dt.date(2026, 3, 9) and prev.days == p.days == 10
    leap = Period(dt.date(2028, 2, 29), dt.date(2028, 3, 5))
    assert leap.year_before().start == dt.date(2027, 2, 28)


def test_bad_values_are_refused():
    with pytest.raises(ValueError):
        Period(dt.date(2026, 3, 2), dt.date(2026, 3, 1))
    with pytest.raises(ValueError):
        Table("t", ("项目", "本期"), (("a", 1, 2),))
    with pytest.raises(ValueError):
        Chart("c", "bar", ("a", "b"), (Series("s", (1,)),))


def test_change_text():
    assert change_text(110, 100) == "+10.0%"
    assert change_text(Decimal("90"), Decimal("100")) == "-10.0%"
    assert change_text(5, 5) == "持平"
    assert change_text(5, 0) is None and change_text(5, None) is None
