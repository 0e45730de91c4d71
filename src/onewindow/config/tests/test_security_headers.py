"""Headers on every answer: a Content-Security-Policy with no inline script, a
Permissions-Policy, and ``Cache-Control: no-store`` wherever personal data may be carried."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.cache import get_max_age

from onewindow.cases.services import case_accept
from onewindow.cases.tests.conftest import city  # noqa: F401 (the fixture)
from onewindow.org.models import Role, Window, WindowKind
from onewindow.testing.factories import CentreFactory, staff_with_role

CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def directives(policy: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


def cache_directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def clerk_at_a_window():
    centre = CentreFactory()
    Window.objects.create(centre=centre, number="01", kind=WindowKind.INTAKE)
    return staff_with_role(Role.INTAKE_CLERK, centre=centre)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_public_and_staff_pages_carry_a_csp_that_allows_no_inline_script(client):
    clerk = signed_in(clerk_at_a_window())
    for response in (
        client.get("/"),
        client.get("/en/search/", {"q": "pension"}),
        client.get("/progress/"),
        client.get("/staff/sign-in/"),
        clerk.get("/staff/"),
        clerk.get("/staff/cases/intake/"),
    ):
        assert response.status_code == 200, response.request["PATH_INFO"]
        policy = directives(response["Content-Security-Policy"])
        assert policy == CSP
        html = response.content.decode()
        assert "<script>" not in html
        assert " onclick=" not in html
        assert ' style="' not in html


@pytest.mark.django_db
def test_every_answer_carries_a_permissions_policy_that_denies_camera_and_location(client):
    for response in (client.get("/"), client.get("/staff/sign-in/"), client.get("/api/docs")):
        policy = dict(
            part.strip().split("=", 1) for part in response["Permissions-Policy"].split(",")
        )
        assert policy["camera"] == "()"
        assert policy["geolocation"] == "()"
        assert policy["microphone"] == "()"
        assert policy["payment"] == "()"


@pytest.mark.django_db
def test_staff_pages_the_case_api_and_the_progress_page_are_never_stored(client, city):  # noqa: F811
    case = case_accept(intake=city.intake())
    clerk = signed_in(city.clerk)
    answers = {
        "staff page": clerk.get("/staff/cases/intake/"),
        "staff sign-in": client.get("/staff/sign-in/"),
        "case API": clerk.get(f"/api/cases/{case.number}"),
        "progress page": client.get("/progress/", {"number": case.number, "code": "000000"}),
        "progress page (en)": client.get("/en/progress/"),
        "progress API": client.post(
            "/api/progress",
            {"number": case.number, "code": "000000"},
            content_type="application/json",
        ),
        "admin login": client.get("/admin/login/"),
    }
    assert answers["case API"].status_code == 200
    assert answers["case API"].json()["number"] == case.number
    for name, response in answers.items():
        assert "no-store" in cache_directives(response), name
    # An answer that said nothing about caching gets exactly this (pages keep their never_cache).
    assert answers["case API"]["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_the_public_catalogue_may_be_cached_for_anonymous_visitors_only(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Cache-Control" not in response
    assert get_max_age(response) is None

    signed_in_home = signed_in(clerk_at_a_window()).get("/")
    assert signed_in_home["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_a_page_under_a_protected_prefix_is_not_stored_even_when_it_is_missing(client):
    assert client.get("/staff/no-such-page/")["Cache-Control"] == "no-store"
    assert client.get("/api/cases/no-such-case")["Cache-Control"] == "no-store"
    # A look-alike prefix is not protected.
    assert "Cache-Control" not in client.get("/progressive/")
