"""The query code stays out of every address (#7 point 4): the progress form is sent by POST,
the receipt's QR code carries the code in the fragment, and an old receipt's address with the
code in its query string is still looked up but answered at an address without it. The rule is
in ``cases/views/public.py``'s docstring."""

from __future__ import annotations

from django.test import Client
from django.utils import translation

from onewindow.cases.models import LookupCounter
from onewindow.cases.progress import NOT_FOUND_MESSAGE, PAIR_MAX_FAILURES
from onewindow.cases.services import case_accept

PAGE = "/progress/"
ITEM = "既有住宅增设电梯"
GUESSER = "203.0.113.7"


def zh(text) -> str:
    with translation.override("zh-hans"):
        return str(text)


def assert_not_stored_nor_referred(response) -> None:
    """A redirect sends no referrer at all; the page (whose address holds no code) only to this
    site, which the CSRF check of its POST needs."""
    policy = "no-referrer" if response.status_code in (302, 303) else "same-origin"
    assert response["Referrer-Policy"] == policy
    assert "no-store" in response["Cache-Control"]


def test_the_form_is_sent_by_post_with_a_csrf_token_and_the_code_field_empty(client, city):
    case = case_accept(intake=city.intake())
    page = client.get(PAGE, {"number": case.number})
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        '<form class="progress-form" id="progress-form" method="post" action="/progress/">' in html
    )
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'value="{case.number}"' in html
    assert '<script src="/static/cases/progress.js" defer></script>' in html
    assert LookupCounter.objects.count() == 0  # the number alone counts nothing


def test_a_post_without_the_csrf_token_is_refused(city):
    case = case_accept(intake=city.intake())
    client = Client(enforce_csrf_checks=True)
    response = client.post(PAGE, {"number": case.number, "code": case.query_code})
    assert response.status_code == 403
    assert ITEM not in response.content.decode()


def test_a_post_with_the_right_code_shows_the_progress_at_an_address_without_it(client, city):
    case = case_accept(intake=city.intake())
    response = client.post(PAGE, {"number": case.number, "code": case.query_code})
    assert response.status_code == 200
    html = response.content.decode()
    assert ITEM in html
    assert case.query_code not in html  # not even written back into the form
    assert_not_stored_nor_referred(response)
    assert LookupCounter.objects.count() == 0


def test_a_post_with_a_wrong_code_counts_one_failure_on_each_counter(client, city):
    case = case_accept(intake=city.intake())
    wrong = {"number": case.number, "code": "ZZZZZZ"}
    response = client.post(PAGE, wrong, REMOTE_ADDR=GUESSER)
    assert response.status_code == 404
    assert zh(NOT_FOUND_MESSAGE) in response.content.decode()
    assert_not_stored_nor_referred(response)
    assert sorted(LookupCounter.objects.values_list("count", flat=True)) == [1, 1, 1]
    for _attempt in range(PAIR_MAX_FAILURES - 1):
        assert client.post(PAGE, wrong, REMOTE_ADDR=GUESSER).status_code == 404
    right = {"number": case.number, "code": case.query_code}
    refused = client.post(PAGE, right, REMOTE_ADDR=GUESSER)
    assert refused.status_code == 429
    assert f"办件编号 {case.number} 输错查询码的次数过多" in refused.content.decode()
    assert ITEM not in refused.content.decode()


def test_an_old_receipt_address_with_the_code_finds_the_case_and_ends_without_the_code(
    client, city
):
    case = case_accept(intake=city.intake())
    response = client.get(PAGE, {"number": case.number, "code": case.query_code})
    assert response.status_code == 303
    assert response["Location"] == f"/progress/?number={case.number}"
    assert_not_stored_nor_referred(response)
    shown = client.get(response["Location"])
    assert shown.status_code == 200
    assert ITEM in shown.content.decode()
    assert case.query_code not in shown.content.decode()
    assert_not_stored_nor_referred(shown)
    # The result is shown once: a reload of the address shows the empty form.
    again = client.get(response["Location"])
    assert again.status_code == 200
    assert ITEM not in again.content.decode()


def test_an_old_receipt_address_followed_ends_at_the_number_only(client, city):
    case = case_accept(intake=city.intake())
    response = client.get(PAGE, {"number": case.number, "code": case.query_code}, follow=True)
    assert response.redirect_chain == [(f"/progress/?number={case.number}", 303)]
    assert response.status_code == 200
    assert ITEM in response.content.decode()


def test_an_old_receipt_address_with_a_wrong_code_counts_a_failure_and_ends_without_it(
    client, city
):
    case = case_accept(intake=city.intake())
    response = client.get(
        PAGE, {"number": case.number, "code": "ZZZZZZ"}, REMOTE_ADDR=GUESSER, follow=True
    )
    assert response.redirect_chain == [(f"/progress/?number={case.number}", 303)]
    assert response.status_code == 404
    assert zh(NOT_FOUND_MESSAGE) in response.content.decode()
    assert sorted(LookupCounter.objects.values_list("count", flat=True)) == [1, 1, 1]
    for _attempt in range(PAIR_MAX_FAILURES - 1):
        client.get(PAGE, {"number": case.number, "code": "ZZZZZZ"}, REMOTE_ADDR=GUESSER)
    refused = client.get(
        PAGE, {"number": case.number, "code": case.query_code}, REMOTE_ADDR=GUESSER, follow=True
    )
    assert refused.status_code == 429
    assert ITEM not in refused.content.decode()


def test_the_shown_result_belongs_to_the_session_that_looked_it_up(client, city):
    case = case_accept(intake=city.intake())
    assert client.get(PAGE, {"number": case.number, "code": case.query_code}).status_code == 303
    stranger = Client().get(f"/progress/?number={case.number}")
    assert stranger.status_code == 200
    assert ITEM not in stranger.content.decode()
    # Nor does a grant for one number show another number's page.
    other = case_accept(intake=city.intake())
    assert ITEM not in client.get(f"/progress/?number={other.number}").content.decode()
    assert ITEM not in client.get(f"/progress/?number={case.number}").content.decode()
