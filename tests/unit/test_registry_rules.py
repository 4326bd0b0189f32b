from datetime import UTC, date, datetime

from server.domain.areas import division_code_problems, grid_polygon
from server.domain.houses import house_problems
from server.domain.privacy import LANDLORD_PERSON_FIELDS, person_fields_for
from server.domain.reporting import days_late, local_date, report_due_on

TODAY = date(2026, 11, 23)


def test_reports_are_on_time_through_the_seventh_day():
    arrived = date(2026, 11, 1)
    assert report_due_on(arrived) == date(2026, 11, 8)
    assert days_late(arrived, date(2026, 11, 8)) == 0
    assert days_late(arrived, date(2026, 11, 9)) == 1
    assert days_late(arrived, date(2026, 11, 1), deadline_days=0) == 0


def test_a_report_late_at_night_utc_counts_on_the_next_local_day():
    # 17:30 UTC on the 8th is 01:30 on the 9th in Shanghai: one day late.
    moment = datetime(2026, 11, 8, 17, 30, tzinfo=UTC)
    assert local_date(moment, "Asia/Shanghai") == date(2026, 11, 9)
    assert days_late(date(2026, 11, 1), local_date(moment, "Asia/Shanghai")) == 1
    assert local_date(moment, "UTC") == date(2026, 11, 8)


def test_division_codes_nest_and_counties_are_not_cities():
    assert division_code_problems("county", "330106", None) == {}
    assert division_code_problems("county", "330100", None) == {
        "code": ["A county code (GB/T 2260) does not end in 00; that is a province or city."]
    }
    assert division_code_problems("town", "330106001", "330106") == {}
    assert division_code_problems("town", "330107001", "330106")["code"] == [
        "A town code starts with its county's code 330106."
    ]
    assert division_code_problems("community", "330106001001", None) == {"parent": ["A community needs its town."]}
    assert "code" in division_code_problems("community", "33010600100", "330106001")


def test_grid_polygons_must_be_valid_areas_in_lon_lat():
    square = {"type": "Polygon", "coordinates": [[[120, 30], [120.1, 30], [120.1, 30.1], [120, 30.1], [120, 30]]]}
    geom, problems = grid_polygon(square)
    assert problems == [] and geom.geom_type == "MultiPolygon"
    swapped = {"type": "Polygon", "coordinates": [[[30, 120], [30.1, 120], [30.1, 120.1], [30, 120]]]}
    assert grid_polygon(swapped)[1][0].startswith("Coordinates are (longitude, latitude)")
    assert grid_polygon({"type": "Polygon"})[1] == ["Not a GeoJSON geometry."]


def test_rental_facts_must_fit_the_use():
    ok = {"rented_since": None, "agreement_signed_on": None, "today": TODAY}
    assert house_problems(use="rented", rental_mode="by_bed", **ok) == {}
    assert "rental_mode" in house_problems(use="rented", rental_mode=None, **ok)
    assert "rental_mode" in house_problems(use="self_occupied", rental_mode="whole", **ok)
    assert house_problems(use="mixed", rental_mode=None, **ok) == {}
    assert house_problems(
        use="vacant", rental_mode=None, rented_since=date(2026, 1, 1), agreement_signed_on=None, today=TODAY
    ) == {"rented_since": ["Only a rented or mixed-use house has a letting date, not a vacant one."]}


def test_landlords_never_see_origin_or_ethnicity():
    assert person_fields_for("landlord") == LANDLORD_PERSON_FIELDS
    assert not {"ethnicity", "hukou_address", "birth_date"} & set(LANDLORD_PERSON_FIELDS)
    assert "hukou_address" in person_fields_for("police")
