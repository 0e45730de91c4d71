"""The URL map: the staff pages under ``/staff/cases/`` and ``/staff/catalog/``, and the old
addresses sending browsers (and bookmarks) to the new ones."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.cases.models import Case

MOVED = [
    ("/staff/intake/", "/staff/cases/intake/"),
    ("/staff/intake/desk/", "/staff/cases/intake/desk/"),
    (
        "/staff/intake/items/?q=%E7%94%B5%E6%A2%AF",
        "/staff/cases/intake/items/?q=%E7%94%B5%E6%A2%AF",
    ),
    ("/staff/intake/done/X1/", "/staff/cases/intake/done/X1/"),
    ("/staff/queue/", "/staff/cases/queue/"),
    ("/staff/queue/?show=mine&page=2", "/staff/cases/queue/?show=mine&page=2"),
    ("/staff/queue/12/claim/", "/staff/cases/queue/12/claim/"),
    ("/staff/output/", "/staff/cases/output/"),
    ("/staff/output/X1/deliver/", "/staff/cases/output/X1/deliver/"),
    ("/staff/supervision/?light=red", "/staff/cases/supervision/?light=red"),
    ("/manage/catalog/", "/staff/catalog/"),
    ("/manage/catalog/import/", "/staff/catalog/import/"),
    ("/manage/catalog/import/7/progress/", "/staff/catalog/import/7/progress/"),
    ("/manage/catalog/export/", "/staff/catalog/export/"),
    ("/manage/catalog/template/", "/staff/catalog/template/"),
    ("/en/staff/queue/?show=unclaimed", "/en/staff/cases/queue/?show=unclaimed"),
    ("/en/manage/catalog/import/", "/en/staff/catalog/import/"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new"), MOVED)
def test_an_old_address_redirects_to_the_new_one_with_its_query(client, old, new):
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (301, new)


@pytest.mark.django_db
def test_a_head_request_is_redirected_too(client):
    response = client.head("/staff/output/")
    assert (response.status_code, response["Location"]) == (301, "/staff/cases/output/")


@pytest.mark.django_db
@pytest.mark.parametrize("old", ["/staff/queue/12/claim/", "/manage/catalog/import/"])
def test_a_post_to_an_old_address_is_not_redirected_and_changes_nothing(client, old):
    response = client.post(old, {"revision": 1})
    assert response.status_code == 405
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_the_case_page_and_the_home_keep_their_addresses(client):
    assert client.get("/staff/cases/X1/").status_code == 302  # to the sign-in, not a redirect
    assert client.get("/staff/").status_code == 302
    assert client.get("/staff/cases/X1/")["Location"].startswith("/staff/sign-in/")


def test_the_url_names_stay_and_point_under_the_staff_shell():
    assert {
        name: reverse(name, args=args)
        for name, args in [
            ("staff:home", ()),
            ("staff:sign_in", ()),
            ("staff:sign_out", ()),
            ("cases_staff:home", ()),
            ("cases_staff:intake", ()),
            ("cases_staff:intake_item", (5,)),
            ("cases_staff:intake_done", ("X1",)),
            ("cases_staff:queue", ()),
            ("cases_staff:queue_claim", (5,)),
            ("cases_staff:output", ()),
            ("cases_staff:output_deliver", ("X1",)),
            ("cases_staff:supervision", ()),
            ("cases_staff:case_detail", ("X1",)),
            ("cases_staff:case_receipt", ("X1",)),
            ("cases_staff:case_task_claim", ("X1", 5)),
            ("catalog_manage:index", ()),
            ("catalog_manage:import_upload", ()),
            ("catalog_manage:import_job", (5,)),
            ("catalog_manage:export", ()),
            ("catalog_manage:template", ()),
        ]
    } == {
        "staff:home": "/staff/",
        "staff:sign_in": "/staff/sign-in/",
        "staff:sign_out": "/staff/sign-out/",
        "cases_staff:home": "/staff/cases/",
        "cases_staff:intake": "/staff/cases/intake/",
        "cases_staff:intake_item": "/staff/cases/intake/items/5/",
        "cases_staff:intake_done": "/staff/cases/intake/done/X1/",
        "cases_staff:queue": "/staff/cases/queue/",
        "cases_staff:queue_claim": "/staff/cases/queue/5/claim/",
        "cases_staff:output": "/staff/cases/output/",
        "cases_staff:output_deliver": "/staff/cases/output/X1/deliver/",
        "cases_staff:supervision": "/staff/cases/supervision/",
        "cases_staff:case_detail": "/staff/cases/X1/",
        "cases_staff:case_receipt": "/staff/cases/X1/receipt.pdf",
        "cases_staff:case_task_claim": "/staff/cases/X1/tasks/5/claim/",
        "catalog_manage:index": "/staff/catalog/",
        "catalog_manage:import_upload": "/staff/catalog/import/",
        "catalog_manage:import_job": "/staff/catalog/import/5/",
        "catalog_manage:export": "/staff/catalog/export/",
        "catalog_manage:template": "/staff/catalog/template/",
    }
