from datetime import date

from server.domain.landlords import permit_required, permit_status, timeliness

TODAY = date(2026, 11, 23)


def test_a_report_on_the_seventh_day_is_on_time_and_the_eighth_is_late():
    assert timeliness(date(2026, 11, 1), date(2026, 11, 8)).on_time
    late = timeliness(date(2026, 11, 1), date(2026, 11, 10))
    assert (late.on_time, late.days_late, late.due_on) == (False, 2, date(2026, 11, 8))


def test_tenants_from_outside_the_city_staying_a_month_need_a_permit():
    assert permit_required("floating", 6)
    assert not permit_required("floating", 0)
    assert not permit_required("lodger", 12)  # registered in this city
    assert not permit_required("permanent", 12)


def test_permit_status_over_a_stay():
    floating = {"category": "floating", "today": TODAY}
    assert permit_status(arrived_on=date(2026, 11, 1), permit_expires_on=None, **floating) is None
    assert permit_status(arrived_on=date(2026, 10, 1), permit_expires_on=None, **floating) == "missing"
    assert permit_status(arrived_on=date(2025, 1, 1), permit_expires_on=date(2026, 12, 20), **floating) == "renewal_due"
    assert permit_status(arrived_on=date(2025, 1, 1), permit_expires_on=date(2027, 6, 1), **floating) is None
    assert permit_status(arrived_on=date(2025, 1, 1), permit_expires_on=date(2026, 11, 1), **floating) == "expired"
    assert permit_status(category="lodger", arrived_on=date(2025, 1, 1), permit_expires_on=None, today=TODAY) is None
