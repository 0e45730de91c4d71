"""My cases on a phone: each date labelled and unbroken, the 补正 deadline shown, the item's
English name on English pages (new-user trial)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from onewindow.citizens.tests.conftest import PHONE, browser_sign_in, case_for
from onewindow.testing.factories import create_person, make_resident_id

pytestmark = pytest.mark.django_db


def supplement_case(person, deadline: dt.date):
    from onewindow.cases.models import ApplicantType, MaterialStatus
    from onewindow.cases.services import Intake, MaterialReceipt, case_request_supplement
    from onewindow.org.models import CentreLevel, Role, Window, WindowKind
    from onewindow.testing.factories import (
        CentreFactory,
        DepartmentFactory,
        StreetFactory,
        create_item,
        material,
        staff_with_role,
    )

    centre = CentreFactory(level=CentreLevel.STREET_CENTRE, region=StreetFactory())
    window = Window.objects.create(centre=centre, number="01", kind=WindowKind.INTAKE)
    item = create_item(department=DepartmentFactory(), materials=[material(name="申请表")])
    return case_request_supplement(
        intake=Intake(
            item=item,
            centre=centre,
            window=window,
            clerk=staff_with_role(Role.INTAKE_CLERK, centre=centre),
            applicant_type=ApplicantType.NATURAL_PERSON,
            person=person,
            materials=[MaterialReceipt(name="申请表", status=MaterialStatus.MISSING)],
        ),
        deadline=deadline,
    )


def bound(client):
    number = make_resident_id()
    person = create_person(id_number=number, name="王小明", phone=PHONE)
    browser_sign_in(client)
    assert client.post("/my/real-name/", {"name": "王小明", "id_number": number}).status_code == 302
    return person


def _row(page: str, number: str) -> str:
    return page.split(f'data-number="{number}"')[1].split("</li>")[0]


def test_each_date_is_labelled_and_the_supplement_deadline_is_shown(client):
    person = bound(client)
    accepted = case_for(person=person)
    deadline = timezone.localdate() + dt.timedelta(days=10)
    waiting = supplement_case(person, deadline)
    page = client.get("/my/").content.decode()
    row = _row(page, accepted.number)
    assert "提交时间" in row and "承诺办结时间" in row
    assert 'data-date="supplement"' not in row
    due = re.sub(r"\s+", " ", _row(page, waiting.number))
    assert (
        f'data-date="supplement">补正期限 <time class="my-date" datetime="{deadline:%Y-%m-%d}">'
        f"{deadline:%Y-%m-%d}</time>" in due
    )
    english = _row(client.get("/en/my/").content.decode(), waiting.number)
    assert "Papers due by" in english and "Submitted" in english


def test_a_date_never_wraps_inside_itself():
    css = (Path(__file__).parents[1] / "static" / "citizens" / "citizens.css").read_text()
    rule = re.search(r"\.my-date \{([^}]*)\}", css)
    assert rule is not None and "white-space: nowrap" in rule.group(1)


def test_the_items_english_name_is_shown_on_english_pages_only(client):
    person = bound(client)
    case = case_for(person=person)
    item = case.item
    item.name_en = "Residence permit"
    item.save(update_fields=["name_en"])
    assert "Residence permit" in _row(client.get("/en/my/").content.decode(), case.number)
    chinese = _row(client.get("/my/").content.decode(), case.number)
    assert "Residence permit" not in chinese and item.name in chinese
