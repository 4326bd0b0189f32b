"""Privacy over the whole API, not route by route (issue 12, docs/privacy.md):

* no GET route and no export, for any role, shows a full document number (only
  POST /persons/{id}/reveal does);
* every GET route is classified as showing personal data or not, and each one
  that does writes an audit row naming the reader, the records and the fields.

Both walk the application's url_map, so a new route fails here until it is
taught to the scan (a parameter to fill) and classified.
"""

import io
import re
import uuid
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from server.store.models import AuditEvent
from tests.builders import citizen_id
from tests.e2e.photo_helpers import camera_jpeg, put, visit_with_photos
from tests.e2e.registry_helpers import house, person, residence
from tests.e2e.submission_helpers import envelope, resident, visit

PASSWORD = "landlord secret 1"
NOT_SCANNED = {
    "/api/v1/docs",
    "/api/v1/openapi.json",  # the API's own description
    "/api/v1/docs/assets/<path:filename>",
}  # and the docs page's script and styles

# GET routes that show people's data: the role that reads it in the world below.
PERSONAL = {
    "/api/v1/audit-events": "admin",
    "/api/v1/conflicts": "police",
    "/api/v1/conflicts/<uuid:conflict_id>": "police",
    "/api/v1/houses": "worker",
    "/api/v1/houses/<uuid:house_id>": "worker",
    "/api/v1/houses/<uuid:house_id>/residents": "worker",
    "/api/v1/identity-checks": "police",
    "/api/v1/identity-checks/<uuid:check_id>": "police",
    "/api/v1/landlord/account-requests": "worker",
    "/api/v1/landlord/houses": "landlord",
    "/api/v1/persons": "worker",
    "/api/v1/persons/<uuid:person_id>": "worker",
    "/api/v1/persons/<uuid:person_id>/residences": "worker",
    "/api/v1/persons/duplicates": "worker",
    "/api/v1/photos/<uuid:photo_id>": "worker",
    "/api/v1/residence-permits/due": "worker",
    "/api/v1/residences/<uuid:residence_id>": "worker",
    "/api/v1/submissions/<uuid:instance_id>": "worker",
    "/api/v1/sync/changes": "worker",
    "/api/v1/targets/<string:indicator>/gaps": "worker",
    "/api/v1/units": "worker",
    "/api/v1/units/<uuid:unit_id>": "worker",
    "/api/v1/units/<uuid:unit_id>/employees": "worker",
    "/api/v1/users": "admin",
    "/api/v1/users/<uuid:user_id>": "admin",
}
# GET routes that show no one's personal data, and why.
NOT_PERSONAL = {
    "/api/v1/addresses": "standard addresses only",
    "/api/v1/addresses/<uuid:address_id>": "a standard address",
    "/api/v1/divisions": "areas",
    "/api/v1/divisions/<uuid:division_id>": "an area",
    "/api/v1/grids": "areas",
    "/api/v1/grids/<uuid:grid_id>": "an area",
    "/api/v1/stations": "areas",
    "/api/v1/forms": "form definitions",
    "/api/v1/forms/<string:form_id>/versions/<string:version>": "a form",
    "/api/v1/healthz": "server health",
    "/api/v1/houses/<uuid:house_id>/compliance": "counts and dates of a house's reports, no identities",
    "/api/v1/landlords/<uuid:account_id>/compliance": "counts of reports, no identities",
    "/api/v1/houses/<uuid:house_id>/tier": "facts about the dwelling (tier rules use no personal traits)",
    "/api/v1/units/<uuid:unit_id>/tier": "facts about the unit",
    "/api/v1/houses/<uuid:house_id>/visits": "staff visits: who of the staff, when, hazards",
    "/api/v1/visits": "staff visits",
    "/api/v1/inspections/due": "due inspections of houses and units",
    "/api/v1/inspections/summary": "counts",
    "/api/v1/targets": "counts per area",
    "/api/v1/landlord/claims": "addresses a landlord says they let",
    "/api/v1/me": "the caller's own account",
    "/api/v1/devices": "device credentials: phone labels, staff usernames, dates (never a secret)",
}


@pytest.fixture
def world(as_admin, as_police, as_committee, as_worker, anon, build, district, login, session):
    """One of everything that can carry a document number, in the worker's grid."""
    numbers = {}

    def number(key, birth, sex="male"):
        numbers[key] = citizen_id(birth, sex)
        return numbers[key]

    h = house(as_worker, use="rented", rental_mode="shared")
    resident_p = person(
        as_worker, name="陈明", birth=date(1970, 1, 2), document_number=number("resident", date(1970, 1, 2))
    )
    r = residence(as_worker, resident_p["id"], h["id"], arrived_on=date.today() - timedelta(days=60))
    twin = as_worker.post(
        "/api/v1/persons", json={"name": "陈明", "sex": "male", "birth_date": "1970-01-02"}
    ).get_json()
    boss = person(as_worker, birth=date(1960, 3, 3), document_number=number("boss", date(1960, 3, 3)))
    unit = as_worker.post(
        "/api/v1/units",
        json={
            "address_id": h["address"]["id"],
            "name": "小店",
            "kind": "shop",
            "responsible_person_id": boss["id"],
            "phone": "057100000000",
        },
    ).get_json()
    clerk = person(as_worker, birth=date(1999, 9, 9), document_number=number("clerk", date(1999, 9, 9)))
    assert (
        as_worker.post(
            f"/api/v1/units/{unit['id']}/employees",
            json={"person_id": clerk["id"], "started_on": date.today().isoformat()},
        ).status_code
        == 201
    )
    # a visit: a new resident, and the first one under another name (a person conflict)
    seen = visit(
        h,
        [
            resident(name="新住户", birth=date(1992, 4, 5), number=number("new", date(1992, 4, 5))),
            resident(name="陈明明", birth=date(1970, 1, 2), number=numbers["resident"]),
        ],
    )
    seen["answers"]["remarks"] = f"房东说身份证是 {number('remark', date(1980, 8, 8))}"  # free text holds numbers too
    assert (
        as_worker.patch(
            f"/api/v1/houses/{h['id']}", json={"note": f"原房主 {number('note', date(1955, 5, 5))}"}
        ).status_code
        == 200
    )
    assert (
        as_police.post(
            f"/api/v1/persons/{resident_p['id']}/reveal", json={"reason": f"核对 {numbers['resident']}"}
        ).status_code
        == 200
    )  # a reason in the log
    submitted = as_worker.post("/api/v1/submissions", json=seen).get_json()
    [conflict_id] = submitted["result"]["conflicts"]
    photo = camera_jpeg()
    with_photo = visit_with_photos(h, {"p1.jpg": photo})
    with_photo["answers"]["residents"][0] |= {
        "birth_date": "1993-03-03",
        "document_number": number("photo", date(1993, 3, 3)),
    }
    assert as_worker.post("/api/v1/submissions", json=with_photo).status_code == 201
    photo_id = put(as_worker, with_photo["instance_id"], "p1.jpg", photo).get_json()["id"]
    # a landlord, an arrival through the API and one through the form
    landlord = as_police.post(
        "/api/v1/landlords",
        json={
            "username": "scan.landlord",
            "password": PASSWORD,
            "name": "李房东",
            "phone": "13900002222",
            "document_type": "citizen_id",
            "document_number": number("landlord", date(1970, 5, 5)),
            "house_ids": [h["id"]],
        },
    ).get_json()
    token = anon.post("/api/v1/auth/tokens", json={"username": "scan.landlord", "password": PASSWORD}).get_json()[
        "token"
    ]
    as_landlord = type(anon)(anon.client, token, "scan.landlord", uuid.UUID(landlord["id"]))
    arrival = as_landlord.post(
        f"/api/v1/landlord/houses/{h['id']}/arrivals",
        json={
            "tenant": {
                "name": "租客",
                "sex": "female",
                "phone": "13700003333",
                "document_type": "citizen_id",
                "document_number": number("tenant", date(1995, 6, 1), "female"),
            },
            "category": "floating",
            "arrived_on": date.today().isoformat(),
        },
    ).get_json()
    report = envelope(
        "tenant_report",
        {
            "event": "arrival",
            "name": "郑伟",
            "sex": "male",
            "document_type": "citizen_id",
            "document_number": number("report", date(1997, 7, 7)),
            "phone": "13600004444",
            "category": "floating",
            "arrived_on": date.today().isoformat(),
            "expected_stay_months": 3,
        },
        {"type": "house", "id": h["id"]},
    )
    assert as_landlord.post("/api/v1/submissions", json=report).status_code == 201
    # someone registered in another area, typed here: an identity to confirm
    other_station = build.station()
    other_grid = build.grid(district.other_community, other_station, (120.03, 30.00, 120.04, 30.01))
    elsewhere = login("grid_worker", grids=[other_grid.code])
    person(elsewhere, document_number=number("elsewhere", date(1990, 5, 11)))
    assert (
        as_worker.post(
            "/api/v1/persons",
            json={"name": "化名", "document_type": "citizen_id", "document_number": numbers["elsewhere"]},
        ).status_code
        == 201
    )
    [check] = as_police.get("/api/v1/identity-checks").get_json()["items"]
    # a landlord asking for an account
    assert (
        anon.post(
            "/api/v1/landlord/account-requests",
            json={
                "username": "scan.request",
                "password": PASSWORD,
                "name": "方丽",
                "phone": "13800001111",
                "document_type": "citizen_id",
                "document_number": number("request", date(1968, 3, 14), "female"),
                "houses": [{"address": "幸福路 12号 501", "location": {"lon": 120.005, "lat": 30.005}}],
            },
        ).status_code
        == 201
    )

    # A landlord report whose 30 days to be confirmed ran out in the last complete week, unconfirmed: a gap of
    # the verification target that shows (masked) who it is about.
    from server.services.tiers import local_today
    from server.store.models import House, Person
    from tests.e2e.target_helpers import last_complete_week_but_one, local
    from tests.e2e.target_helpers import residence as target_residence

    _, monday = last_complete_week_but_one(local_today() + timedelta(days=7))
    reported = monday + timedelta(days=2 - 30)
    gap = target_residence(
        build,
        session.get(House, uuid.UUID(h["id"])),
        arrived_on=reported,
        reported_at=local(reported),
        source="landlord",
        verification="pending",
    )
    session.flush()
    numbers["target_gap"] = session.get(Person, gap.person_id).document_number
    params = {
        "address_id": [h["address"]["id"]],
        "conflict_id": [conflict_id],
        "division_id": [str(district.community.id)],
        "grid_id": [str(district.grids[0].id)],
        "house_id": [h["id"]],
        "check_id": [check["id"]],
        "account_id": [landlord["id"]],
        "user_id": [landlord["id"]],
        "person_id": [resident_p["id"], arrival["person"]["id"], twin["id"]],
        "photo_id": [photo_id],
        "residence_id": [r["id"], arrival["residence"]["id"]],
        "instance_id": [seen["instance_id"], report["instance_id"], with_photo["instance_id"]],
        "unit_id": [unit["id"]],
        "form_id": ["household_visit"],
        "version": ["2026.1"],
        "indicator": [
            "verification",
            "registration_timeliness",
            "household_coverage",
            "rental_info_complete",
            "agreements_signed",
            "worker_workload",
            "staffing_ratio",
        ],
    }
    clients = {
        "admin": as_admin,
        "police": as_police,
        "committee": as_committee,
        "worker": as_worker,
        "landlord": as_landlord,
    }
    return SimpleNamespace(numbers=numbers, params=params, clients=clients)


def _get_rules(app):
    return sorted(
        (
            r
            for r in app.url_map.iter_rules()
            if "GET" in r.methods and r.rule.startswith("/api/v1/") and r.rule not in NOT_SCANNED
        ),
        key=lambda r: r.rule,
    )


def _urls(rule, params) -> list[str]:
    urls = [rule.rule]
    for name in rule.arguments:
        assert name in params, f"teach the privacy scan how to fill <{name}> of {rule.rule}"
        urls = [re.sub(rf"<[^>]*:?{name}>", str(value), u) for u in urls for value in params[name]]
    return urls


def _text(response) -> str:
    if response.mimetype.startswith("image/"):
        return ""
    if response.mimetype.endswith("spreadsheetml.sheet"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.data), read_only=True)
        return " ".join(str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row)
    return response.get_data(as_text=True)


EXPORTS = (
    {},
    {"Accept": "text/csv"},
    {"Accept": "application/geo+json"},
    {"Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
)


def test_no_get_route_or_export_shows_a_full_document_number_to_any_role(app, world):
    full = set(world.numbers.values())
    leaks, answered = [], 0
    extra = [f"/api/v1/persons?q={n}" for n in full]  # a search by number answers masked too
    for role, client in world.clients.items():
        for url in [u for rule in _get_rules(app) for u in _urls(rule, world.params)] + extra:
            for headers in EXPORTS:
                r = client.get(url, headers=headers)
                answered += r.status_code == 200
                text = _text(r)
                leaks += [f"{role} GET {url} {headers}: {n}" for n in full if n in text]
    assert answered > 100  # the scan really read data
    assert leaks == []


def test_every_get_route_is_classified_as_personal_or_not(app):
    rules = {r.rule for r in _get_rules(app)}
    unclassified = rules - set(PERSONAL) - set(NOT_PERSONAL)
    assert unclassified == set(), "classify these routes in PERSONAL (audited) or NOT_PERSONAL"
    assert set(PERSONAL) | set(NOT_PERSONAL) <= rules  # no stale entries


def test_every_read_of_personal_data_writes_an_audit_row(world, session):
    missing = []
    for route, role in sorted(PERSONAL.items()):
        client = world.clients[role]
        for url in _urls(
            SimpleNamespace(rule=route, arguments=re.findall(r"<(?:\w+:)?(\w+)>", route)),
            {k: v[:1] for k, v in world.params.items()},
        ):
            before = session.scalar(select(func.max(AuditEvent.id)))
            r = client.get(url)
            assert r.status_code == 200, (role, url, r.get_json())
            rows = list(
                session.scalars(
                    select(AuditEvent).where(AuditEvent.id > before, AuditEvent.actor_id == client.account_id)
                )
            )
            if not any((row.subject_ids or row.person_ids) and row.fields for row in rows):
                missing.append(f"{role} GET {url}")
    assert missing == []


# -- the web pages (server/web): the same rules, walked over their GET routes -----------------------

WEB_PERSONAL = {
    "/web/houses/<uuid:house_id>": "police",  # residents (masked), landlord, visits
    "/web/landlord": "landlord",  # their current tenants (masked)
    "/web/conflicts": "police",  # both values of people's records
    "/web/duplicates": "worker",  # people who may be one
    "/web/permits": "worker",  # people whose residence permit is due
    "/web/landlord-requests": "worker",  # names and phones of landlords asking for an account
    "/web/users": "admin",  # staff names and phones
    "/web/audit": "admin",  # who read whose data, and why
    "/web/photos/<uuid:photo_id>/<any('320','1024'):size>": "worker",
    "/web/targets/<string:indicator>/gaps": "worker",  # residences' people (names masked)
}
WEB_NOT_PERSONAL = {
    "/": "a redirect to the start page",
    "/web/": "a redirect by role",
    "/web/login": "the sign-in form",
    "/web/landlord/request": "the landlord's account request form (empty)",
    "/web/lang/<code>": "a language preference",
    "/web/static/<path:filename>": "styles, scripts, Leaflet",
    "/web/due": "due inspections of houses and units, like GET /inspections/due",
    "/web/due/download.<fmt>": "the due list's export, like GET /inspections/due as CSV/XLSX",
    "/web/map": "the map page",
    "/web/devices": "device credentials: phone labels, staff usernames, dates (like GET /devices)",
    "/web/grids": "areas, and the grid workers' usernames (staff, as GET /grids/{id} shows them)",
    "/web/visits/week": "the caller's own visits: places, times, flags (like GET /visits)",
    "/web/map/grids.geojson": "grid polygons",
    "/web/map/due.geojson": "due places with tiers, no residents",
    "/web/map/due-counts.geojson": "numbers of due houses per grid and tier",
    "/web/landlord/houses/<uuid:house_id>/arrivals": "the arrival form: the landlord's own house's address",
    "/web/landlord/houses/<uuid:house_id>/self-check": "the self-check form: the landlord's own house's address",
    "/web/targets": "counts per area and their trend, like GET /targets",
}
WEB_PARAMS = {"code": ["en"], "filename": ["web.css"], "fmt": ["csv", "xlsx"], "size": ["320"]}


def _web_rules(app):
    return sorted(
        (r for r in app.url_map.iter_rules() if "GET" in r.methods and (r.rule == "/" or r.rule.startswith("/web/"))),
        key=lambda r: r.rule,
    )


def _web_client(app, api_client):
    """The same account in a browser: its web token as the pages' cookie."""
    client = app.test_client()
    client.set_cookie("gw_session", api_client.token)
    return client


def test_every_web_page_is_classified_as_personal_or_not(app):
    rules = {r.rule for r in _web_rules(app)}
    assert rules - set(WEB_PERSONAL) - set(WEB_NOT_PERSONAL) == set(), "classify these pages"
    assert set(WEB_PERSONAL) | set(WEB_NOT_PERSONAL) <= rules


def test_no_web_page_shows_a_full_document_number_to_any_role(app, world):
    full = set(world.numbers.values())
    leaks, answered = [], 0
    params = world.params | WEB_PARAMS
    for role, api_client in world.clients.items():
        client = _web_client(app, api_client)
        for url in [u for rule in _web_rules(app) for u in _urls(rule, params)]:
            r = client.get(url)
            answered += r.status_code == 200
            leaks += [f"{role} GET {url}: {n}" for n in full if n in _text(r)]
    assert answered > 30
    assert leaks == []


def test_every_web_page_showing_personal_data_writes_an_audit_row(app, world, session):
    missing = []
    params = {k: v[:1] for k, v in (world.params | WEB_PARAMS).items()}
    for route, role in sorted(WEB_PERSONAL.items()):
        api_client = world.clients[role]
        client = _web_client(app, api_client)
        for url in _urls(SimpleNamespace(rule=route, arguments=re.findall(r"<(?:[\w(),']+:)?(\w+)>", route)), params):
            before = session.scalar(select(func.max(AuditEvent.id)))
            r = client.get(url)
            assert r.status_code == 200, (role, url, r.status_code)
            rows = list(
                session.scalars(
                    select(AuditEvent).where(AuditEvent.id > before, AuditEvent.actor_id == api_client.account_id)
                )
            )
            if not any((row.subject_ids or row.person_ids) and row.fields for row in rows):
                missing.append(f"{role} GET {url}")
    assert missing == []
