"""A monitor or a link checker asking HEAD of a staff page gets the page's status, no body."""

from __future__ import annotations

from django.urls import reverse

from onewindow.cases.services import case_accept
from onewindow.cases.tests.test_e_papers_api import client_for


def test_head_of_the_case_page_intake_and_home_answers_like_get_without_a_body(city):
    case = case_accept(intake=city.intake())
    clerk = client_for(city.clerk)
    for url in (
        reverse("cases_staff:case_detail", args=[case.number]),
        reverse("cases_staff:intake"),
        reverse("cases_staff:home"),
    ):
        got, head = clerk.get(url), clerk.head(url)
        assert (head.status_code, head.content) == (got.status_code, b""), url
        assert got.status_code in (200, 302), url
    missing = clerk.head(reverse("cases_staff:case_detail", args=["4401039999123199999"]))
    assert (missing.status_code, missing.content) == (404, b"")
