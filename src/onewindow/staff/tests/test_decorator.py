"""``staff_page``: sign-in first; "missing" and "not yours" answer the same audited 404; a
refusal answers the 403 page, audited exactly once."""

from __future__ import annotations

import re

import pytest

from onewindow.cases.tests.conftest import city  # noqa: F401  (the small city of the case tests)
from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.testing.factories import staff_with_role

NOT_FOUND_ZH = "找不到该内容，或您无权查看。"
NOT_FOUND_EN = "Not found, or you may not see it."
FORBIDDEN_ZH = "您无权执行此操作。"
FORBIDDEN_EN = "You are not allowed to do this."


def text(response) -> str:
    return response.content.decode()


def same_page(response, address: str) -> str:
    """The page without its per-response CSRF token (a fresh mask on every render) and with
    its own address (in the language links) written as ``ADDRESS``."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text(response))
    return page.replace(address, "ADDRESS")


def refusals(user) -> list[tuple[str, str]]:
    return list(
        AuditLog.objects.filter(actor=user, allowed=False)
        .order_by("id")
        .values_list("action", "object_repr")
    )


@pytest.fixture
def clerk(db):
    return staff_with_role(Role.OUTPUT_CLERK)


@pytest.mark.urls("onewindow.staff.tests.urls")
def test_anonymous_goes_to_the_staff_sign_in_and_nothing_is_audited(client, db):
    response = client.get("/staff/test-only/missing/")
    assert response["Location"] == "/staff/sign-in/?next=/staff/test-only/missing/"
    assert not AuditLog.objects.exists()


@pytest.mark.urls("onewindow.staff.tests.urls")
def test_missing_and_not_yours_answer_the_same_404_and_each_leaves_one_refusal(client, clerk):
    client.force_login(clerk)
    missing = client.get("/staff/test-only/missing/")
    missing_django = client.get("/staff/test-only/missing-django/")
    not_yours = client.get("/staff/test-only/not-yours/")
    assert missing.status_code == missing_django.status_code == not_yours.status_code == 404
    assert (
        same_page(missing, "/staff/test-only/missing/")
        == same_page(missing_django, "/staff/test-only/missing-django/")
        == same_page(not_yours, "/staff/test-only/not-yours/")
    )
    assert NOT_FOUND_ZH in text(missing) and NOT_FOUND_EN in text(missing)
    assert refusals(clerk) == [
        ("denied:not_found", "/staff/test-only/missing/"),
        ("denied:not_found", "/staff/test-only/missing-django/"),
        ("denied:audit.view", ""),
    ]
    row = AuditLog.objects.filter(action="denied:not_found").order_by("id").first()
    assert row is not None
    assert row.detail == {
        "path": "/staff/test-only/missing/",
        "method": "GET",
        "view": "onewindow.staff.tests.urls.missing",
    }


@pytest.mark.urls("onewindow.staff.tests.urls")
def test_a_refusal_answers_the_403_page_and_is_audited_once(client, clerk):
    client.force_login(clerk)
    response = client.get("/staff/test-only/forbidden/")
    assert response.status_code == 403
    page = text(response)
    assert FORBIDDEN_ZH in page and FORBIDDEN_EN in page
    assert '<nav class="staff-nav wrap"' in page  # inside the staff layout
    assert refusals(clerk) == [("denied:audit.view", "")]


@pytest.mark.urls("onewindow.staff.tests.urls")
def test_a_refusal_nobody_audited_yet_is_audited_by_the_decorator(client, clerk):
    client.force_login(clerk)
    assert client.get("/staff/test-only/forbidden-unaudited/").status_code == 403
    assert client.get("/staff/test-only/forbidden-django/").status_code == 403
    assert refusals(clerk) == [
        ("denied:forbidden", "/staff/test-only/forbidden-unaudited/"),
        ("denied:forbidden", "/staff/test-only/forbidden-django/"),
    ]


def test_a_missing_case_and_somebody_elses_case_look_the_same_and_both_leave_a_trace(
    client,
    city,  # noqa: F811
):
    from onewindow.cases.services import case_accept

    case = case_accept(intake=city.intake())
    outsider = staff_with_role(Role.DEPT_APPROVER, department=city.instant.department)
    client.force_login(outsider)
    theirs = client.get(f"/staff/cases/{case.number}/")
    missing = client.get("/staff/cases/4401039999999999999/")
    assert theirs.status_code == missing.status_code == 404
    assert same_page(theirs, case.number) == same_page(missing, "4401039999999999999")
    assert city.lift.name not in text(theirs)
    assert refusals(outsider) == [
        ("denied:case.view", str(case)),
        ("denied:not_found", "/staff/cases/4401039999999999999/"),
    ]


def test_a_page_refusal_on_a_real_page_is_audited_once(client, city):  # noqa: F811
    client.force_login(city.clerk)
    response = client.get("/staff/cases/queue/")
    assert response.status_code == 403
    assert FORBIDDEN_ZH in text(response)
    assert refusals(city.clerk) == [("denied:case.work", "")]
