"""Due lists and summaries carry a weak ETag: asking again with If-None-Match gets a 304 with no
body while the answer is unchanged, a 200 with a new tag once it changed, and never a 304 for a
tag that was made for another scope."""

from tests.e2e.statement_helpers import statements as counting
from tests.e2e.tier_helpers import inspect, rental

DUE = "/api/v1/inspections/due"
SUMMARY = "/api/v1/inspections/summary"


def _get(client, url, tag=None, **params):
    return client.get(url, query_string=params, headers={"If-None-Match": tag} if tag else None)


def test_the_same_due_page_asked_again_with_its_etag_is_a_304_without_a_body(as_worker, as_police):
    h = rental(as_worker, rental_mode="by_bed")
    first = _get(as_police, DUE)
    assert first.status_code == 200 and h["id"] in [i["house_id"] for i in first.get_json()["items"]]
    tag = first.headers["ETag"]
    assert tag.startswith('W/"')
    again = _get(as_police, DUE, tag)
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    assert _get(as_police, DUE, f'"other", {tag}').status_code == 304  # one of several tags


def test_after_an_inspection_the_due_page_is_a_200_with_a_new_etag(as_worker, as_police):
    h = rental(as_worker, rental_mode="by_bed")
    tag = _get(as_police, DUE).headers["ETag"]
    inspect(as_police, h["id"])
    changed = _get(as_police, DUE, tag)
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    [item] = [i for i in changed.get_json()["items"] if i["house_id"] == h["id"]]
    assert item["status"] == "upcoming" and item["last_visit_at"] is not None


def test_another_filter_or_format_never_answers_304_to_this_pages_etag(as_worker, as_police):
    rental(as_worker, rental_mode="by_bed")
    tag = _get(as_police, DUE).headers["ETag"]
    assert _get(as_police, DUE, tag, status="due_today").status_code == 200
    assert _get(as_police, DUE, tag, format="geojson").status_code == 200
    assert _get(as_police, DUE, tag, limit=1).status_code == 200


def test_an_officer_of_another_station_never_gets_a_304_for_your_etag(as_worker, as_police, login, build):
    rental(as_worker, rental_mode="by_bed")
    mine = _get(as_police, DUE).headers["ETag"]
    elsewhere = login("police", station=build.station().code)
    theirs = _get(elsewhere, DUE, mine)
    assert theirs.status_code == 200 and theirs.get_json()["items"] == []
    assert theirs.headers["ETag"] != mine
    # even with nothing due in either area, the two scopes' tags differ
    other = login("police", station=build.station().code)
    assert _get(other, DUE, theirs.headers["ETag"]).status_code == 200


def test_the_summary_is_a_304_while_unchanged_and_a_200_with_new_counts_after_a_change(as_worker, as_police):
    first = _get(as_police, SUMMARY, group_by="grid")
    tag = first.headers["ETag"]
    assert _get(as_police, SUMMARY, tag, group_by="grid").status_code == 304
    assert _get(as_police, SUMMARY, tag, group_by="tier").status_code == 200
    rental(as_worker, rental_mode="by_bed")
    changed = _get(as_police, SUMMARY, tag, group_by="grid")
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert changed.get_json()["total"]["due_today"] == first.get_json()["total"]["due_today"] + 1


def test_a_304_needs_a_valid_token_like_any_read(as_police, anon):
    tag = _get(as_police, DUE).headers["ETag"]
    assert anon.get(DUE, headers={"If-None-Match": tag}).status_code == 401


# -- where requests really commit: a remembered tag answers 304 without reading the rows, and
# never once anything was committed --------------------------------------------------------------


def _due_reads(committed, call):
    """(the response, how many statements read inspection_dues while it was answered)."""
    with counting(committed.app.extensions["gridwork.db"].engine) as seen:
        answer = call()
    return answer, sum(1 for statement in seen if "FROM inspection_dues" in statement)


def test_an_unchanged_page_is_a_304_without_reading_it_until_something_commits(committed):
    worker = committed.login("grid_worker", grids=[committed.district.grids[0].code])
    police = committed.login("police", station=committed.district.station.code)
    h = rental(worker, rental_mode="by_bed")
    tag = _get(police, DUE).headers["ETag"]
    assert _get(police, DUE, tag).status_code == 304  # (its tag is now remembered for this snapshot)
    unchanged, reads = _due_reads(committed, lambda: _get(police, DUE, tag))
    assert unchanged.status_code == 304 and reads == 0
    inspect(police, h["id"])  # commits: the remembered tag no longer vouches for anything
    changed, reads = _due_reads(committed, lambda: _get(police, DUE, tag))
    assert changed.status_code == 200 and reads > 0 and changed.headers["ETag"] != tag
    [item] = [i for i in changed.get_json()["items"] if i["house_id"] == h["id"]]
    assert item["status"] == "upcoming"


def test_a_remembered_summary_tag_is_never_a_304_for_another_station(committed):
    police = committed.login("police", station=committed.district.station.code)
    rental(committed.login("grid_worker", grids=[committed.district.grids[0].code]), rental_mode="by_bed")
    tag = _get(police, SUMMARY).headers["ETag"]
    assert _get(police, SUMMARY, tag).status_code == 304
    station = committed.build(lambda b: b.station())
    elsewhere = committed.login("police", station=station.code)
    theirs = _get(elsewhere, SUMMARY, tag)
    assert theirs.status_code == 200 and theirs.get_json()["total"]["due_today"] == 0
