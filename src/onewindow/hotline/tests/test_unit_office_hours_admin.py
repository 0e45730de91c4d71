"""A handling unit's office hours in the admin: the clock's one check, errors shown, nothing
saved for bad hours."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from onewindow.hotline.codes import UnitKind
from onewindow.hotline.models import HandlingUnit
from onewindow.org.models import Role
from onewindow.testing.factories import staff_with_role
from onewindow.testing.grid_factories import unit_make

pytestmark = pytest.mark.django_db


def post(client: Client, unit: HandlingUnit, hours: str):
    return client.post(
        f"/admin/hotline/handlingunit/{unit.pk}/change/",
        {
            "department": unit.department_id,
            "kind": unit.kind,
            "region": "",
            "office_hours": hours,
        },
    )


def test_the_administrator_sets_valid_hours_and_bad_ones_are_refused():
    unit = HandlingUnit.objects.get(department=unit_make(kind=UnitKind.FUNCTIONAL))
    client = Client()
    client.force_login(staff_with_role(Role.ADMIN))
    response = post(client, unit, json.dumps([["09:00", "12:00"], ["11:00", "17:00"]]))
    assert response.status_code == 200
    assert "before span 1 closes at 12:00" in response.content.decode()
    unit.refresh_from_db()
    assert unit.office_hours == []
    response = post(client, unit, json.dumps([["08:30", "12:00"], ["14:30", "18:00"]]))
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.office_hours == [["08:30", "12:00"], ["14:30", "18:00"]]
