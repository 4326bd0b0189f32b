"""Counting windows: the last N whole local days, today included, both ends counted."""

from datetime import UTC, date, datetime, timedelta

import pytest

from server.domain.reporting import local_date
from server.domain.windows import Window, last_days, last_days_at

SHANGHAI = "Asia/Shanghai"


def test_a_180_day_window_is_today_and_the_179_days_before():
    today = date(2026, 11, 25)
    w = last_days(180, today)
    assert w == Window(180, date(2026, 5, 30), today)
    assert (w.last_day - w.first_day).days + 1 == 180


def test_both_edges_are_in_and_the_days_beyond_them_are_out():
    today = date(2026, 11, 25)
    w = last_days(180, today)
    assert today - timedelta(days=179) in w
    assert today - timedelta(days=180) not in w
    assert today in w
    assert today + timedelta(days=1) not in w


def test_a_one_day_window_is_today_only():
    w = last_days(1, date(2026, 3, 1))
    assert w.first_day == w.last_day == date(2026, 3, 1)


@pytest.mark.parametrize("days", [0, -5])
def test_a_window_has_at_least_one_day(days):
    with pytest.raises(ValueError, match="a window has at least one day"):
        last_days(days, date(2026, 1, 1))


def test_windows_cross_month_ends_and_leap_days():
    assert last_days(2, date(2028, 3, 1)).first_day == date(2028, 2, 29)
    assert last_days(2, date(2027, 3, 1)).first_day == date(2027, 2, 28)
    assert last_days(31, date(2026, 1, 30)).first_day == date(2025, 12, 31)


def test_the_window_ends_on_the_local_day_not_the_utc_day():
    # 16:30 UTC on 31 March is 00:30 on 1 April in Shanghai
    now = datetime(2026, 3, 31, 16, 30, tzinfo=UTC)
    w = last_days_at(180, now, SHANGHAI)
    assert w.last_day == date(2026, 4, 1)
    assert w.first_day == date(2026, 4, 1) - timedelta(days=179)
    # a minute before local midnight it is still 31 March there
    assert last_days_at(180, datetime(2026, 3, 31, 15, 59, tzinfo=UTC), SHANGHAI).last_day == date(2026, 3, 31)


def test_an_event_counts_by_the_local_day_it_was_recorded():
    """Recorded at 23:59 and at 00:00 local on the window's first-day edge: one out, one in."""
    now = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # noon in Shanghai, 25 November
    w = last_days_at(180, now, SHANGHAI)
    edge = w.first_day
    just_before = datetime(edge.year, edge.month, edge.day, 15, 59, tzinfo=UTC) - timedelta(
        days=1
    )  # 23:59 local, the day before
    at_midnight = datetime(edge.year, edge.month, edge.day, 16, 0, tzinfo=UTC) - timedelta(
        days=1
    )  # 00:00 local on the edge
    assert local_date(just_before, SHANGHAI) not in w
    assert local_date(at_midnight, SHANGHAI) in w
    # in UTC both are on the same calendar day: the UTC date would have counted them alike
    assert just_before.date() == at_midnight.date()
