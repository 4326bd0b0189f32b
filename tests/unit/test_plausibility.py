"""Plausibility rules: each flag fires just above its limit, not at it, and unknown values raise nothing."""

from datetime import UTC, datetime, timedelta

from server.domain.plausibility import (
    FAR_FROM_SUBJECT,
    LATE_SYNC,
    PHOTO_FAR_FROM_VISIT,
    PHOTO_TIME_OFF,
    POOR_ACCURACY,
    Limits,
    combine,
    photo_flags,
    visit_flags,
)

T = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
LIMITS = Limits()


def _visit(**kw):
    args = {
        "distance_m": 10.0,
        "accuracy_m": 5.0,
        "visited_at": T,
        "received_at": T + timedelta(minutes=5),
        "limits": LIMITS,
    }
    return visit_flags(**(args | kw))


def test_a_plain_visit_has_no_flags():
    assert _visit() == {}


def test_a_visit_point_beyond_the_distance_limit_is_flagged_with_what_was_measured():
    assert _visit(distance_m=100.0) == {}
    assert _visit(distance_m=250.04) == {FAR_FROM_SUBJECT: {"measured": 250.0, "limit": 100.0, "unit": "m"}}


def test_gps_accuracy_worse_than_the_limit_is_flagged():
    assert _visit(accuracy_m=50.0) == {}
    assert set(_visit(accuracy_m=51.0)) == {POOR_ACCURACY}


def test_receipt_long_after_completion_is_a_late_sync():
    assert _visit(received_at=T + timedelta(hours=72)) == {}
    flags = _visit(received_at=T + timedelta(hours=80))
    assert flags[LATE_SYNC] == {"measured": 80.0, "limit": 72.0, "unit": "h"}


def test_unknown_position_and_accuracy_raise_nothing():
    assert _visit(distance_m=None, accuracy_m=None) == {}


def test_limits_come_from_settings():
    limits = Limits.from_settings(
        {
            "VISIT_MAX_DISTANCE_M": "20",
            "VISIT_MAX_ACCURACY_M": 10,
            "PHOTO_MAX_DISTANCE_M": 30,
            "PHOTO_MAX_TIME_DIFF_MIN": 5,
            "LATE_SYNC_HOURS": 1,
        }
    )
    assert visit_flags(
        distance_m=25, accuracy_m=11, visited_at=T, received_at=T + timedelta(hours=2), limits=limits
    ).keys() == {FAR_FROM_SUBJECT, POOR_ACCURACY, LATE_SYNC}


def test_a_photo_taken_far_away_or_at_another_time_is_flagged_either_way_round():
    assert photo_flags(distance_m=199, taken_at=T - timedelta(minutes=29), visited_at=T, limits=LIMITS) == {}
    assert set(photo_flags(distance_m=201, taken_at=None, visited_at=T, limits=LIMITS)) == {PHOTO_FAR_FROM_VISIT}
    before = photo_flags(distance_m=None, taken_at=T - timedelta(minutes=45), visited_at=T, limits=LIMITS)
    after = photo_flags(distance_m=None, taken_at=T + timedelta(hours=2), visited_at=T, limits=LIMITS)
    assert before[PHOTO_TIME_OFF]["measured"] == 45.0 and after[PHOTO_TIME_OFF]["measured"] == 120.0


def test_photo_flags_are_listed_on_the_visit_with_the_photos_that_raised_them():
    flags, details = combine(
        {POOR_ACCURACY: {"measured": 80.0, "limit": 50.0, "unit": "m"}},
        {
            "a.jpg": {PHOTO_TIME_OFF: {"measured": 40.0, "limit": 30.0, "unit": "min"}},
            "b.jpg": {PHOTO_TIME_OFF: {"measured": 90.0, "limit": 30.0, "unit": "min"}},
            "c.jpg": {},
        },
    )
    assert flags == [POOR_ACCURACY, PHOTO_TIME_OFF]
    assert details[PHOTO_TIME_OFF] == {"limit": 30.0, "unit": "min", "photos": {"a.jpg": 40.0, "b.jpg": 90.0}}
