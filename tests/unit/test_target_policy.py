"""The targets policy file: what it may say, and its hash lock."""

import copy
import shutil

import pytest
import yaml

from server.domain.targets.policy import FACTS, load_policy
from server.domain.tiers.policy import PolicyError
from server.policies.targets import DEFAULT_DIR, current_policy, publish, read

SHIPPED = yaml.safe_load((DEFAULT_DIR / "2026.1.yaml").read_text(encoding="utf-8"))


def test_the_shipped_policy_has_the_regulations_targets():
    policy = current_policy()
    assert policy.version == "2026.1"
    targets = {i.id: (i.fact, i.target.op, i.target.value, i.params) for i in policy.indicators}
    assert targets == {
        "household_coverage": ("houses_visited", ">=", 1.0, {"window_days": 365}),
        "registration_timeliness": ("floating_registered_on_time", ">=", 0.9, {"deadline_days": 7}),
        "verification": ("landlord_reports_verified", ">=", 0.9, {"within_days": 30}),
        "rental_info_complete": ("rental_info_complete", ">=", 0.9, {}),
        "agreements_signed": ("agreements_signed", ">=", 1.0, {}),
        "worker_workload": ("workers_at_workload", ">=", 1.0, {"weekly_total": 30, "weekly_residential": 20}),
        "staffing_ratio": ("floating_per_worker", "<=", 500.0, {"guide_min": 300}),
    }
    for indicator in policy.indicators:
        assert set(indicator.name) == set(indicator.description) == set(indicator.source) == {"zh", "en"}


def _changed(**changes):
    data = copy.deepcopy(SHIPPED)
    data["indicators"][0].update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"fact": "happiness"}, "indicators[0].fact: one of"),
        ({"params": {}}, "params.window_days: required"),
        ({"params": {"window_days": 0}}, "params.window_days: a whole number, 1 to 3650"),
        ({"params": {"window_days": 365, "deadline_days": 7}}, "params.deadline_days: unknown for houses_visited"),
        ({"target": {"op": ">", "value": 1}}, "target.op: one of >=, <="),
        ({"target": {"op": ">=", "value": 90}}, "target.value: a share, 0 to 1"),
        ({"name": {"zh": "只有中文"}}, "indicators[0].name: zh and en text"),
        ({"id": "Coverage!"}, "indicators[0].id: lower-case"),
        ({"colour": "red"}, "indicators[0].colour: unknown key"),
    ],
)
def test_malformed_indicators_are_refused_with_the_problem_named(changes, message):
    with pytest.raises(PolicyError) as exc:
        load_policy(_changed(**changes))
    assert any(message in p for p in exc.value.problems), exc.value.problems


def test_an_indicator_id_is_used_once():
    data = copy.deepcopy(SHIPPED)
    data["indicators"].append(copy.deepcopy(data["indicators"][0]))
    with pytest.raises(PolicyError, match="'household_coverage' is used twice"):
        load_policy(data)


def test_every_fact_has_a_gap_subject():
    from server.domain.targets.policy import GAP_SUBJECTS

    assert set(GAP_SUBJECTS) == set(FACTS)


def test_a_file_whose_name_and_version_differ_is_refused(tmp_path):
    path = tmp_path / "2027.1.yaml"
    path.write_text((DEFAULT_DIR / "2026.1.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(PolicyError, match="file name must match"):
        read(path)


def test_a_policy_is_in_force_only_once_published_and_never_edited(tmp_path):
    directory = tmp_path / "policies" / "targets"
    directory.mkdir(parents=True)
    shutil.copy(DEFAULT_DIR / "2026.1.yaml", directory / "2026.1.yaml")
    with pytest.raises(PolicyError, match="not published"):
        current_policy(directory)
    assert publish(directory) == ["2026.1"]
    assert current_policy(directory).version == "2026.1"
    path = directory / "2026.1.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("value: 500", "value: 800"), encoding="utf-8")
    with pytest.raises(PolicyError, match="changed after it was published"):
        current_policy.__wrapped__(directory)


def test_the_shipped_file_is_the_published_one():
    """Editing 2026.1.yaml in place (instead of adding 2026.2) is caught here, before the server refuses it."""
    current_policy.__wrapped__(DEFAULT_DIR)
