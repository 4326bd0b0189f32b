"""`make run` loads a demo district whose accounts see real data; loading again changes nothing."""

from sqlalchemy import func, select

from server.services import demo
from server.services.auth import actor_for
from server.store import scoping
from server.store.models import Account, House


def test_demo_accounts_see_their_part_of_a_seeded_district_and_reloading_is_safe(session):
    first = demo.load(session)
    assert [role for _, role, _ in first] == ["admin", "police", "committee", "grid_worker", "landlord"]
    houses = session.scalar(select(func.count()).select_from(House))
    demo.load(session)  # make run again
    assert session.scalar(select(func.count()).select_from(House)) == houses

    def visible(username):
        account = session.scalar(select(Account).where(Account.username == username))
        return session.scalar(select(func.count()).select_from(scoping.visible_houses(actor_for(account)).subquery()))

    assert 0 < visible("worker") < visible("committee") <= visible("police") <= visible("admin") == houses
    assert visible("landlord") == 3


def test_the_demo_police_officer_has_rentals_to_inspect(session):
    from server.store.models import InspectionDue

    demo.load(session)
    police = actor_for(session.scalar(select(Account).where(Account.username == "police")))
    due = session.scalar(
        select(func.count()).select_from(
            scoping.visible_dues(police).where(InspectionDue.due_on.is_not(None)).subquery()
        )
    )
    assert due > 0
