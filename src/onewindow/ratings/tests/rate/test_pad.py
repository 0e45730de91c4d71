"""Rating pads: pairing (the centre's manager only, never a clerk; the secret stored
hashed, shown once), revoking, and the pad's page: waiting, the visit just made at its own
window only, no personal data, one rating per visit, then waiting again."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from onewindow.cases.models import CaseEvent
from onewindow.cases.services import case_accept, case_complete_instant
from onewindow.cases.tests.conftest import resident_id
from onewindow.core.errors import NotFoundOrForbidden
from onewindow.core.models import AuditLog
from onewindow.org.codes import CentreLevel
from onewindow.org.models import Role, Window, WindowKind
from onewindow.ratings.errors import PadNotFound
from onewindow.ratings.models import RatedStaff, Rating, RatingPad
from onewindow.ratings.services.pad import pad_for_secret, pad_issue, pad_revoke
from onewindow.ratings.tests.rate.conftest import PERSONAL, dims
from onewindow.testing.factories import CentreFactory, staff_with_role


def staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def street():
    """A street centre elsewhere (its manager oversees no other centre)."""
    return CentreFactory(level=CentreLevel.STREET_CENTRE)


def manager_of(city):
    return staff_with_role(Role.CENTRE_MANAGER, centre=city.street_centre)


def pad_of(city, window=None, manager=None):
    return pad_issue(
        actor=manager or manager_of(city), window_id=(window or city.instant_window).pk
    )


def instant(city):
    return case_complete_instant(
        intake=city.intake(
            city.instant, window=city.instant_window, materials=city.receipts(city.instant)
        )
    )


def test_the_centre_manager_pairs_a_pad_and_only_its_hash_is_kept(city):
    manager = manager_of(city)
    pad, secret = pad_of(city, manager=manager)
    assert pad.window == city.instant_window
    assert pad.issued_by == manager
    assert pad.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert len(secret) >= 43
    assert not RatingPad.objects.filter(token_hash=secret).exists()
    row = AuditLog.objects.get(action="ratings.pad_pair")
    assert secret not in str(row.detail) and secret not in row.object_repr
    assert pad_for_secret(secret) == pad


def test_no_clerk_pairs_a_pad_nor_somebody_of_another_centre(city):
    manager = manager_of(city)
    assert pad_issue(actor=manager, window_id=city.intake_window.pk)[0].window == city.intake_window
    stranger = staff_with_role(Role.CENTRE_MANAGER, centre=street())
    approver = next(iter(city.approvers.values()))
    # The clerks of the centre (even at their own window) no longer pair a pad.
    for user in (stranger, approver, city.clerk, city.output_clerk):
        with pytest.raises(NotFoundOrForbidden):
            pad_issue(actor=user, window_id=city.instant_window.pk)
    with pytest.raises(NotFoundOrForbidden):
        pad_issue(actor=manager, window_id=10**8)
    assert RatingPad.objects.count() == 1
    assert AuditLog.objects.filter(action="denied:ratings.pad_pair").count() == 5


def test_a_revoked_or_unknown_pad_is_not_found(city, client):
    manager = manager_of(city)
    pad, secret = pad_of(city, manager=manager)
    stranger = staff_with_role(Role.CENTRE_MANAGER, centre=street())
    for user in (stranger, city.clerk):
        with pytest.raises(NotFoundOrForbidden):
            pad_revoke(actor=user, pad_id=pad.pk)
    assert pad_for_secret(secret) == pad
    pad_revoke(actor=manager, pad_id=pad.pk)
    pad.refresh_from_db()
    assert pad.revoked_by == manager and pad.revoked_at is not None
    with pytest.raises(PadNotFound):
        pad_for_secret(secret)
    for address in (f"/rate/pad/{secret}/", "/rate/pad/nothing/", f"/rate/pad/{secret}/visit/"):
        response = client.get(address)
        assert response.status_code == 404
        assert 'id="pad-unknown"' in response.content.decode()


def test_the_pad_waits_then_shows_the_visit_just_made_at_its_window(city, client):
    _pad, secret = pad_of(city)
    page = client.get(f"/rate/pad/{secret}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-state="waiting"' in html
    assert f'hx-get="/rate/pad/{secret}/visit/" hx-trigger="every 3s"' in html
    assert page["Referrer-Policy"] == "same-origin"
    case = instant(city)
    event = case.events.get(action="complete_instant")
    fragment = client.get(f"/rate/pad/{secret}/visit/").content.decode()
    assert 'data-state="visit"' in fragment
    assert f'data-event="{event.pk}"' in fragment
    assert "城乡居民养老保险待遇核定" in fragment
    masked = re.search(r'id="pad-number">([^<]+)<', fragment).group(1)
    assert masked == case.number[:4] + "*" * (len(case.number) - 8) + case.number[-4:]
    for value in [*PERSONAL, resident_id(), case.number, case.query_code]:
        assert value not in fragment


def test_a_pad_never_sees_another_windows_visit(city, client):
    _pad, secret = pad_of(city, window=city.intake_window)
    instant(city)  # at window 02
    fragment = client.get(f"/rate/pad/{secret}/visit/").content.decode()
    assert 'data-state="waiting"' in fragment
    case = instant(city)
    event = case.events.get(action="complete_instant")
    # Even asked by its number, window 02's visit is not window 01's to rate.
    response = client.get(f"/rate/pad/{secret}/?event={event.pk}&level=5")
    assert response.status_code == 302
    client.post(f"/rate/pad/{secret}/", {"event": event.pk, **_answers(5)})
    assert Rating.objects.count() == 0
    accepted = case_accept(intake=city.intake())
    fragment = client.get(f"/rate/pad/{secret}/visit/").content.decode()
    assert f'data-event="{accepted.events.get(action="accept").pk}"' in fragment


def _answers(level: int) -> dict[str, str]:
    return {"level": str(level), **{f"dim_{k}": str(v) for k, v in dims("visit", level).items()}}


def test_rating_at_the_pad_stores_one_visit_rating_then_waits_again(city, client):
    _pad, secret = pad_of(city)
    case = instant(city)
    event = case.events.get(action="complete_instant")
    step = client.get(f"/rate/pad/{secret}/?event={event.pk}&level=2").content.decode()
    assert 'name="dim_attitude" value="2" checked' in step
    assert 'name="option" value="wait_long"' in step
    response = client.post(
        f"/rate/pad/{secret}/", {"event": str(event.pk), "option": ["wait_long"], **_answers(2)}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/rate/pad/{secret}/thanks/"
    rating = Rating.objects.get()
    assert (rating.channel, rating.occasion, rating.occasion_key, rating.level) == (
        "pad",
        "visit",
        f"visit:{case.pk}:{event.pk}",
        2,
    )
    assert rating.pad == _pad
    assert AuditLog.objects.get(action="ratings.rating_give").detail["pad"] == _pad.pk
    assert rating.window == city.instant_window
    assert list(RatedStaff.objects.values_list("user_id", "role")) == [(city.clerk.pk, "window")]
    assert rating.rectification.state == "callback"
    thanks = client.get(f"/rate/pad/{secret}/thanks/").content.decode()
    assert f'hx-get="/rate/pad/{secret}/visit/" hx-trigger="load delay:5s"' in thanks
    assert 'data-state="waiting"' in client.get(f"/rate/pad/{secret}/visit/").content.decode()
    # A second tap on the old form: the visit is rated, the pad goes back to waiting.
    again = client.post(f"/rate/pad/{secret}/", {"event": str(event.pk), **_answers(5)})
    assert again.status_code == 302 and again["Location"] == f"/rate/pad/{secret}/"
    assert Rating.objects.count() == 1


def test_a_visit_older_than_the_pad_minutes_is_not_shown(city, client, settings):
    settings.RATING_PAD_MINUTES = 10
    _pad, secret = pad_of(city)
    case = instant(city)
    CaseEvent.objects.filter(case=case).update(at=timezone.now() - dt.timedelta(minutes=11))
    assert 'data-state="waiting"' in client.get(f"/rate/pad/{secret}/visit/").content.decode()


def test_the_pad_fragment_costs_a_bounded_number_of_queries(
    city, client, django_assert_max_num_queries
):
    _pad, secret = pad_of(city)
    instant(city)
    with django_assert_max_num_queries(4):
        assert client.get(f"/rate/pad/{secret}/visit/").status_code == 200


# --- the staff page -----------------------------------------------------------------------


def test_the_pads_page_pairs_a_window_and_shows_the_address_once(city):
    client = staff_client(manager_of(city))
    page = client.get("/staff/ratings/pads/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<option value="{city.instant_window.pk}">' in html
    response = client.post("/staff/ratings/pads/", {"window": str(city.instant_window.pk)})
    assert response.status_code == 200
    url = re.search(r'id="pad-url">([^<]+)<', response.content.decode()).group(1)
    secret = url.rstrip("/").rsplit("/", 1)[1]
    assert pad_for_secret(secret).window == city.instant_window
    # Shown once: the list names the pad, never its address again.
    assert secret not in client.get("/staff/ratings/pads/").content.decode()


def test_the_pads_page_refuses_anonymous_other_roles_and_foreign_windows(city):
    assert Client().get("/staff/ratings/pads/").status_code == 302
    approver = next(iter(city.approvers.values()))
    for user in (approver, city.clerk, city.output_clerk):
        assert staff_client(user).get("/staff/ratings/pads/").status_code == 403
        assert (
            staff_client(user)
            .post("/staff/ratings/pads/", {"window": str(city.instant_window.pk)})
            .status_code
            == 403
        )
    elsewhere = street()
    Window.objects.create(centre=elsewhere, number="01", kind=WindowKind.INTAKE)
    stranger = staff_with_role(Role.CENTRE_MANAGER, centre=elsewhere)
    response = staff_client(stranger).post(
        "/staff/ratings/pads/", {"window": str(city.instant_window.pk)}
    )
    assert response.status_code == 404
    assert staff_client(stranger).post("/staff/ratings/pads/", {"window": "x"}).status_code == 404
    assert RatingPad.objects.count() == 0


def test_the_pads_page_revokes(city):
    manager = manager_of(city)
    pad, secret = pad_of(city, manager=manager)
    stranger = staff_with_role(Role.CENTRE_MANAGER, centre=street())
    for user in (stranger, city.clerk):
        assert staff_client(user).post(f"/staff/ratings/pads/{pad.pk}/revoke/").status_code == 404
    assert pad_for_secret(secret) == pad
    response = staff_client(manager).post(f"/staff/ratings/pads/{pad.pk}/revoke/")
    assert response.status_code == 302
    with pytest.raises(PadNotFound):
        pad_for_secret(secret)


def test_pad_posts_are_limited_per_pad_not_per_address(city, client, settings):
    settings.RATING_POSTS_PER_MINUTE = 2
    manager = manager_of(city)
    first, first_secret = pad_of(city, manager=manager)
    _second, second_secret = pad_of(city, manager=manager)
    event = instant(city).events.get(action="complete_instant")
    hall = {"REMOTE_ADDR": "203.0.113.9"}  # every pad of the hall behind one address
    # One minute of the counter, fixed (pad ids repeat between tests: its keys are cleared).
    minute = (timezone.now() + dt.timedelta(minutes=1)).replace(second=5, microsecond=0)
    cache.delete_many(
        [f"ratings.posts:pad:{p.pk}:{int(minute.timestamp() // 60)}" for p in (first, _second)]
    )

    def post(secret: str) -> int:
        data = {"event": str(event.pk), "level": "x"}
        return client.post(f"/rate/pad/{secret}/", data, **hall).status_code

    with time_machine.travel(minute, tick=False):
        assert [post(first_secret) for _ in range(3)] == [422, 422, 429]
        assert [post(second_secret) for _ in range(2)] == [422, 422]
    refused = AuditLog.objects.get(action="denied:ratings.too_many_posts")
    assert (refused.detail["reason"], refused.detail["limit"], refused.detail["pad"]) == (
        "too_many_posts",
        2,
        first.pk,
    )
    assert refused.detail["address"] == "203.0.113.9"
