"""Targets: weeks of local days, figures against their targets, what a gap shows."""

from datetime import UTC, date, datetime

import pytest

from server.domain.targets.gaps import mask_name, missing_rental_fields
from server.domain.targets.periods import PeriodError, day_start, days_bounds, parse_period, week_of
from server.domain.targets.policy import Target
from server.domain.targets.status import figure, workload_met

SHANGHAI = "Asia/Shanghai"
TODAY = date(2026, 12, 9)  # a Wednesday, in ISO week 2026-W50


def test_the_default_period_is_the_last_complete_iso_week():
    p = parse_period(None, TODAY)
    assert (p.label, p.first_day, p.last_day) == ("2026-W49", date(2026, 11, 30), date(2026, 12, 6))
    assert p.as_of == p.last_day
    assert parse_period(None, date(2026, 12, 7)).label == "2026-W49"  # on a Monday, last week is complete
    assert parse_period(None, date(2026, 12, 6)).label == "2026-W48"  # on a Sunday, this week still runs


def test_iso_weeks_cross_years_as_iso_8601_says():
    assert week_of(date(2026, 1, 1)).label == "2026-W01"  # a Thursday: week 1 holds it
    assert week_of(date(2027, 1, 1)).label == "2026-W53"  # a Friday: still the last week of 2026
    p = parse_period("2026-W53", TODAY.replace(year=2027))
    assert (p.first_day, p.last_day) == (date(2026, 12, 28), date(2027, 1, 3))


def test_the_running_week_counts_up_to_today_and_later_weeks_are_refused():
    running = parse_period("2026-W50", TODAY)
    assert (running.first_day, running.as_of, running.last_day) == (date(2026, 12, 7), TODAY, date(2026, 12, 13))
    with pytest.raises(PeriodError, match="not begun"):
        parse_period("2026-W51", TODAY)


@pytest.mark.parametrize("text", ["2026-49", "2026-W4", "W49", "2025-W53", "2026-W00"])
def test_a_period_must_be_an_iso_week(text):
    with pytest.raises(PeriodError):
        parse_period(text, TODAY)


def test_a_local_day_begins_at_midnight_in_shanghai_not_utc():
    assert day_start(date(2026, 12, 7), SHANGHAI) == datetime(2026, 12, 6, 16, 0, tzinfo=UTC)
    start, end = days_bounds(date(2026, 11, 30), date(2026, 12, 6), SHANGHAI)
    assert (start, end) == (datetime(2026, 11, 29, 16, tzinfo=UTC), datetime(2026, 12, 6, 16, tzinfo=UTC))
    sunday_late = datetime(2026, 12, 6, 15, 30, tzinfo=UTC)  # 23:30 on Sunday in Shanghai
    monday_early = datetime(2026, 12, 6, 16, 30, tzinfo=UTC)  # 00:30 on the next Monday, same UTC day
    assert start <= sunday_late < end and not start <= monday_early < end


def test_coverage_looks_back_365_days_including_the_last_one():
    window = parse_period("2026-W49", TODAY).back(365)
    assert (window.first_day, window.last_day) == (date(2025, 12, 7), date(2026, 12, 6))


def test_a_share_meets_its_target_from_the_threshold_up():
    ninety = Target(">=", 0.9)
    assert figure(9, 10, ninety).status == "met"  # exactly 90 %, no float error
    assert figure(8, 10, ninety).status == "short"
    assert figure(2, 3, Target(">=", 1.0)) == figure(2, 3, Target(">=", 1.0))
    assert figure(2, 3, Target(">=", 1.0)).value == 0.6667
    assert figure(0, 0, ninety).status == "met" and figure(0, 0, ninety).value is None


def test_a_ratio_meets_its_target_up_to_the_ceiling():
    ceiling = Target("<=", 500)
    assert figure(1000, 2, ceiling).status == "met"
    assert figure(1001, 2, ceiling).status == "short"
    assert figure(1, 0, ceiling).status == "short"  # someone to look after, no worker
    assert figure(0, 0, ceiling).status == "met"


def test_workload_needs_both_the_total_and_the_residential_visits():
    assert workload_met(30, 20, weekly_total=30, weekly_residential=20)
    assert not workload_met(29, 29, weekly_total=30, weekly_residential=20)
    assert not workload_met(40, 19, weekly_total=30, weekly_residential=20)


def test_gap_names_are_masked_and_missing_fields_named():
    assert mask_name("张三丰") == "张**"
    assert mask_name("王") == "王" and mask_name(None) is None
    assert missing_rental_fields(has_landlord=False, rental_mode="whole", rooms=None) == ["landlord", "rooms"]
