"""The tier policy file: what it may say, and the personal traits it may never use."""

import copy
import shutil

import pytest
import yaml

from server.domain.forms.definition import HAZARDS
from server.domain.tiers.policy import PolicyError, load_policy, trait_in
from server.policies.tiers import DEFAULT_DIR, current_policy, publish, read

SHIPPED = yaml.safe_load((DEFAULT_DIR / "2026.1.yaml").read_text(encoding="utf-8"))


def _with_rule(rule, subject="house"):
    data = copy.deepcopy(SHIPPED)
    data[subject]["rules"].append(rule)
    return data


def _rule(fact, op="=", value="x", rule_id="extra"):
    return {
        "id": rule_id,
        "tier": "focus",
        "description": {"zh": "测试", "en": "test"},
        "when": {"fact": fact, "op": op, "value": value},
    }


def test_the_shipped_policy_loads_with_every_default_rule():
    policy = current_policy()
    assert policy.version == "2026.1"
    ids = {r.id for r in policy.house.rules}
    assert {
        "by_bed",
        "overcrowded",
        "high_turnover",
        "unreported_tenants",
        "repeatedly_late",
        "serious_hazard",
        "no_agreement",
        "new_rental",
        "late_report",
        "minor_hazard",
        "not_inspected",
        "trusted_record",
    } <= ids
    assert policy.house.tiers == ("focus", "uncertain", "trusted") and policy.house.fallback == "uncertain"
    assert policy.house.sticky_tier == "focus" and policy.house.clean_inspections_to_leave == 2
    assert [(o.role, o.every_days) for o in policy.house.schedules["trusted"]] == [
        ("landlord", 30),
        ("grid_worker", 90),
    ]
    assert [(o.role, o.every_days) for o in policy.unit.schedules["key"]] == [("police", 7)]
    assert set(policy.hazards) == set(HAZARDS)


@pytest.mark.parametrize(
    "fact",
    [
        "ethnicity",
        "religion",
        "hukou_province",
        "origin",
        "employment_status",
        "sex",
        "age",
        "tenant_age_avg",
        "residents_from_province",
        "ethnic_group",
        "nationality",
        "floating_residents",
    ],
)
def test_a_rule_on_a_personal_trait_is_refused_with_its_own_error(fact):
    with pytest.raises(PolicyError) as caught:
        load_policy(_with_rule(_rule(fact)), known_hazards=HAZARDS)
    assert caught.value.code == "policy.personal_trait"
    assert f"'{fact}'" in caught.value.problems[0] and "personal trait" in caught.value.problems[0]


def test_a_trait_hidden_inside_an_any_group_is_refused_too():
    rule = _rule("rental_mode", value="by_bed")
    rule["when"] = {
        "any": [
            {"fact": "rental_mode", "op": "=", "value": "by_bed"},
            {"all": [{"fact": "hukou", "op": "=", "value": "安徽"}]},
        ]
    }
    with pytest.raises(PolicyError) as caught:
        load_policy(_with_rule(rule), known_hazards=HAZARDS)
    assert caught.value.code == "policy.personal_trait"


def test_an_unknown_fact_is_refused_as_unknown_not_as_a_trait():
    with pytest.raises(PolicyError) as caught:
        load_policy(_with_rule(_rule("moon_phase", value=3)), known_hazards=HAZARDS)
    assert caught.value.code == "policy.invalid"
    assert "unknown fact 'moon_phase'" in str(caught.value)


def test_trait_words_are_matched_as_words():
    assert trait_in("average_age") == "age"
    assert trait_in("usage_days") is None and trait_in("residents_per_room") is None


@pytest.mark.parametrize(
    "rule, message",
    [
        (_rule("rental_mode", value="castle"), "'castle' is not one of"),
        (_rule("residents", op=">", value="two"), "not a int value"),
        (_rule("agreement_signed", op=">", value=True), "does not apply to bool"),
        (_rule("residents", op="~", value=2), "op: one of"),
        (
            {
                "id": "x",
                "tier": "legendary",
                "description": {"zh": "a", "en": "b"},
                "when": {"fact": "residents", "op": ">", "value": 2},
            },
            "tier: one of",
        ),
        (
            {
                "id": "x",
                "tier": "focus",
                "description": {"en": "only english"},
                "when": {"fact": "residents", "op": ">", "value": 2},
            },
            "description: zh and en",
        ),
        (
            {
                "id": "x",
                "tier": "focus",
                "description": {"zh": "a", "en": "b"},
                "when": {"fact": "residents", "op": ">", "value": 2},
                "code": "import os",
            },
            "unknown key",
        ),
    ],
)
def test_malformed_rules_are_refused_with_the_problem_named(rule, message):
    with pytest.raises(PolicyError) as caught:
        load_policy(_with_rule(rule), known_hazards=HAZARDS)
    assert message in str(caught.value)


def test_every_hazard_needs_a_severity():
    data = copy.deepcopy(SHIPPED)
    del data["hazards"]["coal_stove"]
    with pytest.raises(PolicyError, match="coal_stove: give its severity"):
        load_policy(data, known_hazards=HAZARDS)


def test_a_file_whose_name_and_version_differ_is_refused(tmp_path):
    path = tmp_path / "2027.1.yaml"
    path.write_text((DEFAULT_DIR / "2026.1.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(PolicyError, match="file name must match"):
        read(path)


def _policies(tmp_path):
    directory = tmp_path / "policies" / "tiers"
    directory.mkdir(parents=True)
    shutil.copy(DEFAULT_DIR / "2026.1.yaml", directory / "2026.1.yaml")
    return directory


def test_a_policy_is_in_force_only_once_published(tmp_path):
    directory = _policies(tmp_path)
    with pytest.raises(PolicyError, match="not published"):
        current_policy(directory)
    assert publish(directory) == ["2026.1"]
    assert current_policy(directory).version == "2026.1"
    assert publish(directory) == []  # nothing new


def test_a_published_policy_that_was_edited_or_removed_is_refused(tmp_path):
    directory = _policies(tmp_path)
    publish(directory)
    path = directory / "2026.1.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("value: 90", "value: 60"), encoding="utf-8")
    with pytest.raises(PolicyError, match="changed after it was published"):
        current_policy.__wrapped__(directory)
    newer = directory / "2026.2.yaml"
    newer.write_text(
        path.read_text(encoding="utf-8").replace('version: "2026.1"', 'version: "2026.2"'), encoding="utf-8"
    )
    path.unlink()
    publish(directory)
    with pytest.raises(PolicyError, match=r"2026\.1: published but its file is gone"):
        current_policy.__wrapped__(directory)
