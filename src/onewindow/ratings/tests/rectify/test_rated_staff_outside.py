"""The rated staff are outside the scope of their own rating's rectification: a department
lead rated as back-office staff gets the one 404 (audited) on every read, move and reveal of
it, finds it neither in the queue nor in the exchange, and keeps "my ratings" and the appeal."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from onewindow.core.errors import NotFoundOrForbidden
from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.ratings.codes import RatedRole
from onewindow.ratings.models import Rating, Rectification
from onewindow.ratings.rectify_selectors import appeals_to_review, rectification_for
from onewindow.ratings.services import rectify
from onewindow.ratings.tests.rectify.conftest import fresh, rating_of
from onewindow.ratings.tests.rectify.test_services import MOVES, snapshot
from onewindow.testing.factories import staff_with_role

pytestmark = pytest.mark.django_db
QUEUE = "/staff/ratings/rectifications/"
MINE = "/staff/ratings/mine/"
EXCHANGE = "/api/ratings/exchange"


def page(number: str) -> str:
    return f"/staff/ratings/rectifications/{number}/"


@pytest.fixture
def own(instant_case, lead, city) -> Rectification:
    """A 差评 about the lead (a back-office assignee) and the window clerk."""
    rating = rating_of(
        instant_case,
        1,
        staff=((city.clerk, RatedRole.WINDOW), (lead, RatedRole.BACK_OFFICE)),
    )
    return Rectification.objects.get(rating=rating)


def refusals(user) -> int:
    return AuditLog.objects.filter(actor=user, allowed=False, detail__why="rated in it").count()


def verified(r: Rectification, actor) -> Rectification:
    return rectify.rectification_verify(
        rectification=r,
        actor=actor,
        callback_result="reached",
        finding="属实",
        expected_revision=fresh(r).revision,
    )


def test_the_rated_lead_reads_nothing_of_it_and_each_refusal_is_audited(client, own, lead):
    with pytest.raises(NotFoundOrForbidden):
        rectification_for(lead, own.number)
    assert refusals(lead) == 1
    client.force_login(lead)
    assert client.get(page(own.number)).status_code == 404
    assert client.post(page(own.number) + "reveal-phone/").status_code == 404
    assert not AuditLog.objects.filter(action="applicants.person_reveal").exists()
    assert refusals(lead) == 3
    assert own.number not in client.get(QUEUE).content.decode()
    assert own.number not in client.get(QUEUE + "?show=overdue").content.decode()


@pytest.mark.parametrize(
    "action", ["verify", "fix_now", "ledger", "submit_fix", "explain", "recheck"]
)
def test_every_move_of_the_rated_lead_is_the_one_404_and_changes_nothing(action, own, lead):
    before = snapshot(own)
    with pytest.raises(NotFoundOrForbidden):
        MOVES[action](fresh(own), lead)
    assert snapshot(own) == before
    assert refusals(lead) == 1


def test_a_move_through_the_form_is_the_one_404(client, own, lead):
    client.force_login(lead)
    response = client.post(
        page(own.number) + "verify/",
        {"revision": own.revision, "callback_result": "reached", "finding": "属实"},
    )
    assert response.status_code == 404
    assert fresh(own).state == "callback"


@pytest.mark.parametrize("action", ["uphold_appeal", "reject_appeal"])
def test_a_rated_manager_neither_sees_nor_decides_the_appeal(action, instant_case, city, lead):
    manager = staff_with_role(Role.CENTRE_MANAGER, centre=city.street_centre)
    rating = rating_of(
        instant_case,
        1,
        staff=((city.clerk, RatedRole.WINDOW), (manager, RatedRole.BACK_OFFICE)),
    )
    r = Rectification.objects.get(rating=rating)
    verified(r, lead)
    rectify.rectification_appeal(
        rectification=fresh(r), actor=city.clerk, reason="恶意", expected_revision=fresh(r).revision
    )
    assert list(appeals_to_review(manager)) == []
    before = snapshot(r)
    with pytest.raises(NotFoundOrForbidden):
        MOVES[action](fresh(r), manager)
    assert snapshot(r) == before
    assert refusals(manager) == 1


def test_the_rated_lead_keeps_my_ratings_and_the_appeal(client, own, lead, manager):
    verified(own, manager)
    client.force_login(lead)
    html = client.get(MINE).content.decode()
    assert f'action="/staff/ratings/mine/{own.rating_id}/appeal/"' in html
    response = client.post(
        f"/staff/ratings/mine/{own.rating_id}/appeal/",
        {"revision": fresh(own).revision, "reason": "不是我办的"},
    )
    assert response["Location"] == MINE
    assert fresh(own).state == "appealed"


def test_the_exchange_leaves_out_the_rated_lead_s_own_ratings(client, own, lead, instant_case):
    other = rating_of(instant_case, 4, key=f"visit:{instant_case.pk}:9")
    client.force_login(lead)
    day = timezone.localdate().isoformat()
    period = {"date_from": day, "date_to": day}
    body = client.get(EXCHANGE, period).json()
    assert [row["rating_id"] for row in body["rows"]] == [other.pk]
    # Marking as reported is the administrator's (rating.report): the lead is refused outright.
    assert (
        client.post(
            EXCHANGE + "/reported", {"ids": [own.rating_id]}, content_type="application/json"
        ).status_code
        == 403
    )
    assert Rating.objects.get(pk=own.rating_id).reported_at is None
    staff_lead = staff_with_role(Role.DEPT_LEAD, department=instant_case.department)
    client.force_login(staff_lead)
    body = client.get(EXCHANGE, period).json()
    assert sorted(row["rating_id"] for row in body["rows"]) == sorted([own.rating_id, other.pk])


def test_one_appeal_per_rectification_a_second_after_the_rejection_is_refused(
    client, bad, lead, manager, city
):
    from onewindow.ratings.errors import AppealedOnce

    verified(bad, lead)
    rectify.rectification_appeal(
        rectification=fresh(bad),
        actor=city.clerk,
        reason="恶意",
        expected_revision=fresh(bad).revision,
    )
    rectify.rectification_reject_appeal(
        rectification=fresh(bad),
        actor=manager,
        decision="属实",
        expected_revision=fresh(bad).revision,
    )
    assert fresh(bad).state == "verified"
    before = snapshot(bad)
    with pytest.raises(AppealedOnce) as caught:
        rectify.rectification_appeal(
            rectification=fresh(bad),
            actor=city.clerk,
            reason="再次申诉",
            expected_revision=fresh(bad).revision,
        )
    shown = caught.value.as_dict()
    assert (caught.value.status, shown["code"]) == (409, "appealed_once")
    assert shown["message_en"] == (
        "This rating was appealed once already and the appeal was rejected: a rating is "
        "appealed only once. The department resolves it."
    )
    assert snapshot(bad) == before
    client.force_login(city.clerk)
    html = client.get(MINE).content.decode()
    assert f'action="/staff/ratings/mine/{bad.rating_id}/appeal/"' not in html
    response = client.post(
        "/en" + f"/staff/ratings/mine/{bad.rating_id}/appeal/",
        {"revision": fresh(bad).revision, "reason": "再次申诉"},
    )
    assert response.status_code == 409
    assert "a rating is appealed only once" in response.content.decode()
    assert snapshot(bad) == before


def test_the_rectification_number_carries_the_local_day(instant_case):
    # 00:30 in Beijing on 21 October is 16:30 UTC on 20 October.
    at = dt.datetime(2026, 10, 20, 16, 30, tzinfo=dt.UTC)  # as timezone.now() gives it
    assert at == dt.datetime(2026, 10, 21, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    rating = rating_of(instant_case, 1, rated_at=at)
    assert Rectification.objects.get(rating=rating).number == f"ZG20261021{rating.pk:07d}"
