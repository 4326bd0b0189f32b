"""Each default tier rule, precedence, the fallback, hysteresis and overrides."""

from datetime import UTC, date, datetime, timedelta

import pytest

from server.domain.tiers.facts import Inspection, house_facts, unit_facts
from server.domain.tiers.rules import Previous, effective, evaluate
from server.policies.tiers import current_policy

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
ZONE = "Asia/Shanghai"
POLICY = current_policy()
HOUSE = POLICY.house


def clean(days_ago):
    return Inspection(NOW - timedelta(days=days_ago), ())


def facts(inspections=None, **overrides):
    """A well-kept rental: signed, on time, two clean inspections, let for a year."""
    values = {
        "use": "rented",
        "rental_mode": "whole",
        "rooms": 3,
        "rented_since": TODAY - timedelta(days=400),
        "agreement_signed_on": TODAY - timedelta(days=390),
        "residents": 3,
        "turnover": 1,
        "late_reports": 0,
        "missed_arrivals": 0,
        "missed_departures": 0,
        "on_time_reports": 2,
        "inspections": [clean(10), clean(40)] if inspections is None else inspections,
    }
    values |= overrides
    return house_facts(**values, severity=POLICY.hazards, today=TODAY, zone=ZONE)


def tier_of(f, previous=None):
    return evaluate(HOUSE, f, previous, now=NOW)


def rules_fired(outcome):
    return [r["rule"] for r in outcome.reasons]


def test_a_signed_punctual_cleanly_inspected_rental_is_trusted():
    outcome = tier_of(facts())
    assert outcome.tier == "trusted" and rules_fired(outcome) == ["trusted_record"]
    checked = {f["fact"]: (f["op"], f["threshold"], f["value"]) for f in outcome.reasons[0]["facts"]}
    assert checked["clean_inspections"] == (">=", 2, 2) and checked["agreement_signed"] == ("=", True, True)


@pytest.mark.parametrize(
    "change, rule",
    [
        ({"rental_mode": "by_bed"}, "by_bed"),
        ({"residents": 7, "rooms": 3}, "overcrowded"),
        ({"residents": 10, "rooms": 6}, "many_residents"),
        ({"turnover": 6}, "high_turnover"),
        ({"missed_arrivals": 1}, "unreported_tenants"),
        ({"missed_departures": 1}, "unreported_tenants"),
        ({"late_reports": 3}, "repeatedly_late"),
        ({"agreement_signed_on": None}, "no_agreement"),
        ({"inspections": [Inspection(NOW - timedelta(days=2), ("coal_stove",)), clean(40)]}, "serious_hazard"),
        (
            {
                "inspections": [
                    Inspection(NOW - timedelta(days=3), ("overcrowding",)),
                    Inspection(NOW - timedelta(days=35), ("overcrowding",)),
                    clean(80),
                ]
            },
            "minor_hazard_lingering",
        ),
    ],
)
def test_each_focus_rule_puts_the_house_in_focus_and_says_why(change, rule):
    outcome = tier_of(facts(**change))
    assert outcome.tier == "focus"
    assert rule in rules_fired(outcome)


@pytest.mark.parametrize(
    "change, rule",
    [
        ({"rented_since": TODAY - timedelta(days=30)}, "new_rental"),
        ({"late_reports": 1}, "late_report"),
        ({"inspections": [Inspection(NOW - timedelta(days=3), ("overcrowding",)), clean(40)]}, "minor_hazard"),
        ({"inspections": []}, "not_inspected"),
    ],
)
def test_each_uncertain_rule_makes_the_house_uncertain(change, rule):
    outcome = tier_of(facts(**change))
    assert outcome.tier == "uncertain" and rules_fired(outcome) == [rule]


def test_turnover_just_below_the_threshold_does_not_fire():
    assert tier_of(facts(turnover=5)).tier == "trusted"


def test_focus_wins_over_uncertain_and_only_the_winning_tiers_reasons_are_given():
    outcome = tier_of(facts(rental_mode="by_bed", late_reports=1, inspections=[]))
    assert outcome.tier == "focus" and rules_fired(outcome) == ["by_bed"]


def test_a_rental_matching_no_rule_falls_to_uncertain_with_that_reason():
    # signed and punctual but only one clean inspection: neither trusted nor a problem
    outcome = tier_of(facts(inspections=[clean(5)]))
    assert outcome.tier == "uncertain" and rules_fired(outcome) == ["no_rule_matched"]


@pytest.mark.parametrize("use", ["self_occupied", "vacant", "business"])
def test_houses_that_are_not_let_get_no_tier(use):
    assert tier_of(facts(use=use, rental_mode="by_bed")).tier == "none"


def test_a_mixed_use_house_is_tiered():
    assert tier_of(facts(use="mixed", rental_mode="by_bed")).tier == "focus"


def test_an_unknown_room_count_never_makes_a_house_overcrowded():
    outcome = tier_of(facts(rooms=None, residents=8))
    assert outcome.tier == "trusted"


def test_leaving_focus_needs_the_facts_gone_and_two_clean_inspections_since():
    first = tier_of(facts(rental_mode="by_bed"))
    assert first.tier == "focus"
    # the landlord converts to a whole-house let: facts gone, but no clean inspection since
    held = tier_of(facts(), Previous("focus"))
    assert held.tier == "focus" and held.reasons[0]["rule"] == "held" and held.reasons[0]["would_be"] == "trusted"
    started = held.hold_started
    assert started == NOW
    one = facts(inspections=[Inspection(NOW + timedelta(days=7), ()), clean(10), clean(40)])
    one_outcome = evaluate(HOUSE, house_facts_after(one, started, 1), Previous("focus", started), now=NOW)
    assert one_outcome.tier == "focus" and one_outcome.hold_started == started
    two = house_facts_after(one, started, 2)
    released = evaluate(HOUSE, two, Previous("focus", started), now=NOW)
    assert released.tier == "trusted" and released.hold_started is None


def house_facts_after(f, started, clean_since):
    return f | {"clean_inspections_since_hold": clean_since}


def test_clean_inspections_since_the_hold_are_counted_from_the_inspections():
    started = NOW - timedelta(days=20)
    inspections = [clean(1), Inspection(NOW - timedelta(days=8), ()), clean(30)]
    f = house_facts(
        use="rented",
        rental_mode="whole",
        rooms=3,
        rented_since=None,
        agreement_signed_on=TODAY,
        residents=1,
        turnover=0,
        late_reports=0,
        missed_arrivals=0,
        missed_departures=0,
        on_time_reports=0,
        inspections=inspections,
        severity=POLICY.hazards,
        today=TODAY,
        zone=ZONE,
        hold_started=started,
    )
    assert f["clean_inspections_since_hold"] == 2


def test_facts_returning_while_held_restart_the_hold():
    held = tier_of(facts(), Previous("focus", NOW - timedelta(days=3)))
    assert held.tier == "focus"
    again = tier_of(facts(rental_mode="by_bed"), Previous("focus", NOW - timedelta(days=3)))
    assert again.tier == "focus" and again.hold_started is None and rules_fired(again) == ["by_bed"]


def test_hazard_facts_come_from_the_last_inspection_with_severity_from_the_policy():
    f = facts(
        inspections=[
            Inspection(NOW - timedelta(days=1), ("gas_cylinder_indoors", "other")),
            Inspection(NOW - timedelta(days=12), ("other",)),
            clean(50),
        ]
    )
    assert (f["serious_hazards"], f["minor_hazards"]) == (1, 1)
    assert f["hazard_days_open"] == 12 and f["clean_inspections"] == 0 and f["inspected"] is True


def test_units_are_key_for_hotels_sites_and_serious_hazards_else_general():
    unit = POLICY.unit

    def unit_tier(kind, inspections=()):
        f = unit_facts(kind=kind, inspections=list(inspections), severity=POLICY.hazards, today=TODAY, zone=ZONE)
        return evaluate(unit, f, None, now=NOW).tier

    assert unit_tier("hotel") == "key" and unit_tier("site") == "key"
    assert unit_tier("shop") == "general"
    assert unit_tier("shop", [Inspection(NOW, ("blocked_exit",))]) == "key"


def test_an_override_applies_through_its_expiry_day_then_the_computed_tier_returns():
    assert effective("uncertain", "focus", TODAY, TODAY) == "focus"
    assert effective("uncertain", "focus", TODAY - timedelta(days=1), TODAY) == "uncertain"
    assert effective("uncertain", None, None, TODAY) == "uncertain"


def test_every_alternative_that_holds_is_given_as_a_reason():
    outcome = tier_of(facts(missed_arrivals=1, missed_departures=2))
    [reason] = [r for r in outcome.reasons if r["rule"] == "unreported_tenants"]
    assert [(f["fact"], f["value"]) for f in reason["facts"]] == [("missed_arrivals", 1), ("missed_departures", 2)]
    [only] = [r for r in tier_of(facts(missed_departures=1)).reasons if r["rule"] == "unreported_tenants"]
    assert [f["fact"] for f in only["facts"]] == ["missed_departures"]  # and only those that hold
