"""Tokens: a browser's ends when idle or at its lifetime, an app's at its lifetime; two
concurrent code requests for one number send one code."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from onewindow.citizens import services
from onewindow.citizens.errors import TooManyCodes
from onewindow.citizens.models import AccessToken, SignInCode, TokenKind
from onewindow.citizens.tests.conftest import PHONE, browser_sign_in, case_for, last_code
from onewindow.testing.factories import create_person, make_resident_id

ADDRESS = "203.0.113.10"


def signed_in(kind: str) -> services.SignedIn:
    services.sign_in_code_request(phone=PHONE, address=ADDRESS)
    return services.sign_in_with_code(phone=PHONE, code=last_code(), address=ADDRESS, kind=kind)


@pytest.mark.django_db
def test_a_browser_token_ends_after_30_idle_minutes_and_is_revoked():
    done = signed_in(TokenKind.BROWSER)
    soon = timezone.now() + dt.timedelta(minutes=29)
    assert services.token_authenticate(secret=done.secret, kind=TokenKind.BROWSER, now=soon)
    later = soon + dt.timedelta(minutes=31)
    assert (
        services.token_authenticate(secret=done.secret, kind=TokenKind.BROWSER, now=later) is None
    )
    assert AccessToken.objects.get().revoked_reason == "idle"


@pytest.mark.django_db
def test_an_app_token_lives_30_days_and_is_not_a_browser_token():
    done = signed_in(TokenKind.APP)
    assert services.token_authenticate(secret=done.secret, kind=TokenKind.BROWSER) is None
    day_29 = timezone.now() + dt.timedelta(days=29)
    assert services.token_authenticate(secret=done.secret, kind=TokenKind.APP, now=day_29)
    day_31 = timezone.now() + dt.timedelta(days=31)
    assert services.token_authenticate(secret=done.secret, kind=TokenKind.APP, now=day_31) is None


@pytest.mark.django_db
def test_the_my_cases_page_reads_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    number = make_resident_id()
    person = create_person(id_number=number, name="王小明", phone=PHONE)
    browser_sign_in(client)
    client.post("/my/real-name/", {"name": "王小明", "id_number": number})
    for _ in range(5):
        case_for(person=person)
    with django_assert_max_num_queries(8):
        page = client.get("/my/")
    assert page.content.decode().count('class="my-case"') == 5


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_code_requests_for_one_number_send_one_code():
    # PostgreSQL: the CodeLedger row lock; SQLite: its one writer at a time.
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def ask(address: str) -> None:
        barrier.wait()
        try:
            services.sign_in_code_request(phone=PHONE, address=address)
            outcomes.append("sent")
        except TooManyCodes:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(f"198.51.100.{i}",)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "sent"]
    assert SignInCode.objects.count() == 1
