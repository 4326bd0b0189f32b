"""Due dates in whole local days, around tier changes and midnight."""

from datetime import UTC, date, datetime

from server.domain.tiers.policy import Obligation
from server.domain.tiers.schedule import days_overdue, due_on, local_day, satisfies, status

ZONE = "Asia/Shanghai"  # UTC+8


def test_due_seven_days_after_the_last_inspection_in_the_current_tier():
    assert due_on(every_days=7, tier_since=date(2026, 11, 1), last_visit_on=date(2026, 11, 10)) == date(2026, 11, 17)


def test_never_inspected_is_due_on_the_day_the_tier_began():
    assert due_on(every_days=7, tier_since=date(2026, 11, 5), last_visit_on=None) == date(2026, 11, 5)


def test_moving_to_a_stricter_tier_is_due_no_later_than_tier_start_plus_the_new_interval():
    # trusted -> focus on the 20th; the officer last inspected on the 18th: due on the 25th
    assert due_on(every_days=7, tier_since=date(2026, 11, 20), last_visit_on=date(2026, 11, 18)) == date(2026, 11, 25)
    # last inspected months ago: due at once (the day the tier began), not "overdue" for months
    assert due_on(every_days=7, tier_since=date(2026, 11, 20), last_visit_on=date(2026, 8, 1)) == date(2026, 11, 20)


def test_a_visit_on_the_day_the_tier_began_counts_for_the_new_tier():
    assert due_on(every_days=15, tier_since=date(2026, 11, 20), last_visit_on=date(2026, 11, 20)) == date(2026, 12, 5)


def test_visits_count_for_the_local_day_not_the_utc_day():
    late_evening = datetime(2026, 11, 10, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai on the 10th
    after_midnight = datetime(2026, 11, 10, 16, 30, tzinfo=UTC)  # 00:30 in Shanghai on the 11th, same UTC day
    assert local_day(late_evening, ZONE) == date(2026, 11, 10)
    assert local_day(after_midnight, ZONE) == date(2026, 11, 11)
    since = date(2026, 11, 1)
    assert due_on(every_days=7, tier_since=since, last_visit_on=local_day(late_evening, ZONE)) == date(2026, 11, 17)
    assert due_on(every_days=7, tier_since=since, last_visit_on=local_day(after_midnight, ZONE)) == date(2026, 11, 18)


def test_overdue_means_due_before_today_in_whole_days():
    today = date(2026, 11, 20)
    assert (status(date(2026, 11, 19), today), days_overdue(date(2026, 11, 19), today)) == ("overdue", 1)
    assert (status(today, today), days_overdue(today, today)) == ("due_today", 0)
    assert (status(date(2026, 11, 21), today), days_overdue(date(2026, 11, 21), today)) == ("upcoming", 0)


def test_only_the_right_role_and_kind_satisfy_an_obligation():
    police = Obligation("police", 7, ("inspection",))
    worker = Obligation("grid_worker", 90, ("visit", "inspection"))
    landlord = Obligation("landlord", 30, ("self_check",))
    assert satisfies(police, role="police", kind="inspection", outcome="met")
    assert not satisfies(police, role="committee", kind="inspection", outcome="met")
    assert not satisfies(police, role="police", kind="inspection", outcome="not_home")
    assert satisfies(worker, role="grid_worker", kind="visit", outcome="met")
    assert satisfies(landlord, role="landlord", kind="self_check", outcome=None)
    assert not satisfies(landlord, role="landlord", kind="visit", outcome="met")
