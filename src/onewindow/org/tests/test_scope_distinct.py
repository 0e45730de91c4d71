"""``scope_queryset`` adds DISTINCT only when a scope path crosses a to-many relation."""

import pytest

from onewindow.org.models import CentreLevel, Department, RoleAssignment, ServiceCentre, Window
from onewindow.org.permissions import Action, path_crosses_to_many, scope_queryset
from onewindow.testing.factories import (
    CentreFactory,
    DepartmentFactory,
    StreetFactory,
    staff_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "path", "to_many"),
    [
        (Department, "id", False),
        (ServiceCentre, "region__code", False),
        (ServiceCentre, "region__parent__parent__code", False),
        (Window, "centre_id", False),
        (Window, "centre__region__code", False),
        (RoleAssignment, "department_id", False),
        (Window, "delegated_departments__id", True),
        (ServiceCentre, "windows__number", True),
        (Department, "region__centres__id", True),
    ],
)
def test_a_path_is_to_many_only_through_a_many_to_many_or_reverse_foreign_key(model, path, to_many):
    assert path_crosses_to_many(model, path) is to_many


def test_a_scope_through_forward_foreign_keys_has_no_distinct():
    district_hall = CentreFactory(level=CentreLevel.DISTRICT_HALL)
    street = CentreFactory(level=CentreLevel.STREET_CENTRE, region=StreetFactory())
    manager = staff_with_role("centre_manager", centre=district_hall)
    scoped = scope_queryset(
        manager,
        Action.STAFF_MANAGE,
        ServiceCentre.objects.order_by("code"),
        centre_path="id",
        region_code_path="region__code",
    )
    assert "DISTINCT" not in str(scoped.query).upper()
    assert list(scoped) == [district_hall, street]


def test_a_scope_through_a_many_to_many_still_gives_each_row_once():
    first, second = DepartmentFactory(), DepartmentFactory()
    lead = staff_with_role("dept_lead", department=first)
    RoleAssignment.objects.create(user=lead, role="dept_lead", department=second)
    window = Window.objects.create(centre=CentreFactory(), number="01", kind="intake")
    window.delegated_departments.add(first, second)
    Window.objects.create(centre=window.centre, number="02", kind="intake")
    scoped = scope_queryset(
        lead,
        Action.CATALOG_EDIT,
        Window.objects.all(),
        department_path="delegated_departments__id",
    )
    assert "DISTINCT" in str(scoped.query).upper()
    assert list(scoped) == [window]
    # Without DISTINCT the window would come back once per delegated department.
    assert Window.objects.filter(delegated_departments__id__in=[first.pk, second.pk]).count() == 2
