"""The service groups' admin answers to the permission matrix: a centre manager keeps their own
centre's groups, a clerk is refused (audited), the system administrator sees every centre's."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.testing.factories import staff_with_role

pytestmark = pytest.mark.django_db

LIST = "/admin/hall/servicegroup/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_street_manager_lists_only_their_centres_groups(hall, django_assert_max_num_queries):
    from onewindow.hall.models import ServiceGroup

    for letter in "BCDEFGHJKL":
        ServiceGroup.objects.create(centre=hall.other_centre, letter=letter, name=f"组{letter}")
    # The admin's own queries (session, user, roles, sidebar counts) — none per row.
    with django_assert_max_num_queries(21):
        page = _client(hall.other_manager).get(LIST)
    assert page.status_code == 200
    shown = sorted(g.pk for g in page.context["cl"].result_list)
    assert shown == sorted(hall.other_centre.service_groups.values_list("pk", flat=True))
    assert _client(hall.other_manager).get(f"{LIST}{hall.a.pk}/change/").status_code == 302


def test_a_clerk_is_refused_and_the_refusal_audited(hall):
    answer = _client(hall.clerk).get(LIST)
    assert answer.status_code == 403
    assert AuditLog.objects.filter(action="denied:hall.manage", allowed=False).count() == 1


def test_the_system_administrator_sees_every_centres_groups(hall):
    admin = staff_with_role(Role.ADMIN)
    page = _client(admin).get(LIST)
    assert page.status_code == 200
    assert len(page.context["cl"].result_list) == 3
    edit = _client(hall.manager).get(f"{LIST}{hall.a.pk}/change/")
    assert edit.status_code == 200
