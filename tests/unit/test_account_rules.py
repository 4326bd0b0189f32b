import pytest

from server.domain.accounts import normalise_username, password_problems, scope_problems, username_problems


@pytest.mark.parametrize("raw,expected", [("Worker", "worker"), ("  ZHANG.min ", "zhang.min"), ("ＡＤＭＩＮ", "admin")])
def test_usernames_compare_case_and_width_insensitively(raw, expected):
    assert normalise_username(raw) == expected


@pytest.mark.parametrize("name", ["a", "-lead", "has space", "名字", "x" * 65])
def test_unusable_usernames_are_explained(name):
    assert username_problems(name)


def test_password_length_rules():
    assert password_problems("short") == ["Use at least 8 characters."]
    assert password_problems("correct horse") == []
    assert password_problems("p" * 64) == ["Do not repeat a single character."]
    assert password_problems("pa55-" * 13) == []  # 65 characters: long passphrases are welcome
    assert password_problems("x1" * 65, max_length=128) == ["Use at most 128 characters."]


def test_each_role_needs_its_own_kind_of_scope():
    assert scope_problems("grid_worker", grids=[], community=None, station=None) == {
        "grids": ["A grid_worker account needs a grid."]
    }
    assert scope_problems("committee", grids=[], community=None, station=None) == {
        "community": ["A committee account needs a community."]
    }
    assert scope_problems("police", grids=[], community=None, station="PS") == {}
    assert "grids" in scope_problems("police", grids=["G1"], community=None, station="PS")
    assert scope_problems("admin", grids=[], community=None, station=None) == {}
    assert scope_problems("landlord", grids=[], community="C", station=None) == {
        "community": ["A landlord account has no community scope; leave it out."]
    }
