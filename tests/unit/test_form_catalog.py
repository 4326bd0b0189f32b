"""The shipped form files and their lock; no database needed (every test works on files only)."""

import json
import shutil

import pytest

from server.forms.catalog import (
    DEFAULT_ROOT,
    LOCK_FILE,
    CatalogError,
    load_catalog,
    main,
    version_key,
    write_lock,
)

SELF_CHECK = "forms/landlord_self_check/2026.1.yaml"


@pytest.fixture
def root(tmp_path):
    """A copy of the shipped field_schema/ tree that a test may change."""
    copy = tmp_path / "field_schema"
    shutil.copytree(DEFAULT_ROOT, copy)
    return copy


def add_version(root, form_id, version, change=None):
    """A new version file made from the form's 2026.1 file."""
    text = (root / f"forms/{form_id}/2026.1.yaml").read_text(encoding="utf-8")
    text = text.replace('version: "2026.1"', f'version: "{version}"')
    if change:
        text = change(text)
    path = root / f"forms/{form_id}/{version}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def lock_of(root):
    return json.loads((root / LOCK_FILE).read_text(encoding="utf-8"))


def test_the_shipped_forms_load_against_the_lock():
    catalog = load_catalog()
    assert sorted(catalog.forms) == sorted(tuple(key.split("/")) for key in lock_of(DEFAULT_ROOT))
    assert {f.id for f in catalog.current()} == {
        "address_house_registration",
        "household_visit",
        "inspection",
        "tenant_report",
        "unit_registration",
        "landlord_self_check",
        "unit_inspection",
    }
    assert catalog.get("household_visit", "2026.1").kind == "visit"
    assert catalog.get("household_visit", "1999.1") is None


def test_a_modified_published_file_is_refused(root):
    path = root / SELF_CHECK
    path.write_text(path.read_text(encoding="utf-8").replace("Photo of the dwelling", "Photo"), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"landlord_self_check/2026.1.yaml: changed after it was published"):
        load_catalog(root)
    with pytest.raises(CatalogError, match="changed after it was published"):
        load_catalog(root, allow_unpublished=True)


def test_even_a_comment_added_to_a_published_file_is_a_change(root):
    with (root / SELF_CHECK).open("a", encoding="utf-8") as out:
        out.write("# reviewed\n")
    with pytest.raises(CatalogError, match="immutable"):
        load_catalog(root)


def test_a_published_file_that_disappears_is_refused(root):
    (root / SELF_CHECK).unlink()
    with pytest.raises(CatalogError, match=r"published in forms\.lock\.json but the file is missing"):
        load_catalog(root)


def test_an_unpublished_version_is_refused_unless_authors_ask_for_it(root):
    add_version(root, "tenant_report", "2026.9")
    with pytest.raises(CatalogError, match=r"tenant_report/2026.9.yaml: not published"):
        load_catalog(root)
    assert load_catalog(root, allow_unpublished=True).get("tenant_report", "2026.9") is not None


def test_write_lock_adds_a_new_version_and_never_rewrites_an_old_entry(root):
    before = lock_of(root)
    add_version(root, "tenant_report", "2026.9")
    assert write_lock(root) == ["tenant_report/2026.9"]
    after = lock_of(root)
    assert {k: after[k] for k in before} == before
    assert set(after) - set(before) == {"tenant_report/2026.9"}
    assert write_lock(root) == []
    assert load_catalog(root).get("tenant_report", "2026.9").version == "2026.9"


def test_write_lock_refuses_to_run_over_a_changed_published_file(root):
    before = (root / LOCK_FILE).read_bytes()
    (root / SELF_CHECK).write_text("id: landlord_self_check\n", encoding="utf-8")
    add_version(root, "tenant_report", "2026.9")
    with pytest.raises(CatalogError, match="changed after it was published"):
        write_lock(root)
    assert (root / LOCK_FILE).read_bytes() == before


def test_write_lock_refuses_a_broken_new_version(root):
    before = (root / LOCK_FILE).read_bytes()
    add_version(root, "tenant_report", "2026.9", lambda text: text.replace(". <= today()", "foo(.)", 1))
    with pytest.raises(CatalogError, match=r"tenant_report/2026.9.yaml: fields\[\d+\].constraint: unknown function"):
        write_lock(root)
    assert (root / LOCK_FILE).read_bytes() == before


def test_versions_compare_naturally_so_current_picks_2026_10_over_2026_9(root):
    add_version(root, "inspection", "2026.9")
    add_version(root, "inspection", "2026.10")
    write_lock(root)
    catalog = load_catalog(root)
    assert catalog.versions("inspection") == ["2026.1", "2026.9", "2026.10"]
    current = {f.id: f.version for f in catalog.current()}
    assert current["inspection"] == "2026.10"
    assert version_key("2026.10") > version_key("2026.9") > version_key("2026.1")


def test_for_role_filters_current_forms_by_role():
    catalog = load_catalog()
    assert [f.id for f in catalog.for_role("landlord")] == ["landlord_self_check", "tenant_report"]
    police = {f.id for f in catalog.for_role("police")}
    assert police == {
        "address_house_registration",
        "household_visit",
        "inspection",
        "unit_registration",
        "unit_inspection",
    }
    assert catalog.for_role("mayor") == []


def test_the_etag_is_stable_and_changes_only_for_roles_whose_forms_changed(root):
    shipped = load_catalog()
    assert shipped.etag("landlord") == load_catalog().etag("landlord")
    assert shipped.etag("landlord") != shipped.etag("police")
    add_version(root, "tenant_report", "2026.9", lambda text: text.replace("Tenant's phone", "Tenant's mobile phone"))
    changed = load_catalog(root, allow_unpublished=True)
    assert changed.etag("landlord") != shipped.etag("landlord")
    assert changed.etag("police") == shipped.etag("police")


def test_the_id_and_version_inside_a_file_must_match_its_path(root):
    add_version(root, "tenant_report", "2026.9", lambda text: text.replace('version: "2026.9"', "version: 2026.9"))
    with pytest.raises(CatalogError, match=r"version is 2026.9 but the file name says '2026.9' \(quote the version"):
        load_catalog(root, allow_unpublished=True)


def test_yaml_yes_and_no_stay_text_and_duplicate_keys_are_refused(root):
    catalog = load_catalog()
    present = catalog.get("household_visit", "2026.1").field("residents.present")
    assert [c.value for c in present.choices] == ["yes", "no"]

    def unquote(text):
        return text.replace('{value: "yes"', "{value: yes").replace('{value: "no"', "{value: no")

    add_version(root, "landlord_self_check", "2026.9", unquote)
    loaded = load_catalog(root, allow_unpublished=True).get("landlord_self_check", "2026.9")
    assert [c.value for c in loaded.field("exits_clear").choices] == ["yes", "no"]

    add_version(
        root,
        "landlord_self_check",
        "2026.3",
        lambda text: text.replace("kind: self_check", "kind: self_check\nkind: report"),
    )
    with pytest.raises(CatalogError, match="key 'kind' is given twice"):
        load_catalog(root, allow_unpublished=True)


def test_the_command_line_publishes_new_versions(root, capsys):
    add_version(root, "unit_registration", "2026.9")
    assert main(["--lock", "--root", str(root)]) == 0
    assert "published: unit_registration/2026.9" in capsys.readouterr().out
    assert "unit_registration/2026.9" in lock_of(root)
    (root / SELF_CHECK).write_text("changed", encoding="utf-8")
    assert main(["--root", str(root)]) == 1
    assert "changed after it was published" in capsys.readouterr().err
