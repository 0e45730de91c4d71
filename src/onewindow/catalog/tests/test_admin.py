"""The catalogue in the Django admin: scoped lists, rules on save, a new version per edit."""

import pytest
from django.test import Client

from onewindow.catalog.models import ServiceItem
from onewindow.org.models import Role
from onewindow.testing.factories import DepartmentFactory, create_item, staff_with_role

pytestmark = pytest.mark.django_db


def form_data(response):
    """The POST data a browser would send back for an admin change form, unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.append(formset.management_form)
        forms.extend(formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            key = form.add_prefix(name)
            value = form.initial.get(name, field.initial)
            if callable(value):
                value = value()
            if value is None or (hasattr(value, "field") and hasattr(value, "storage")):
                continue  # nothing set, or a file field: nothing uploaded
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
                continue
            if isinstance(value, list | tuple):
                data[key] = [getattr(v, "pk", v) for v in value]
            elif hasattr(value, "pk"):
                data[key] = value.pk
            else:
                data[key] = value
    return data


def test_department_lead_lists_only_own_items_and_cannot_edit_others():
    own, other = DepartmentFactory(), DepartmentFactory()
    mine = create_item(department=own, name="本部门事项")
    theirs = create_item(department=other, name="他部门事项")
    client = Client()
    client.force_login(staff_with_role(Role.DEPT_LEAD, department=own))
    listing = client.get("/admin/catalog/serviceitem/")
    assert listing.status_code == 200
    assert [i.pk for i in listing.context["cl"].result_list] == [mine.pk]
    assert client.get(f"/admin/catalog/serviceitem/{mine.pk}/change/").status_code == 200
    # Another department's item is outside the queryset: the admin answers as if missing.
    response = client.get(f"/admin/catalog/serviceitem/{theirs.pk}/change/")
    assert response.status_code == 302


def test_clerk_cannot_open_the_catalogue_admin():
    client = Client()
    from onewindow.testing.factories import CentreFactory

    client.force_login(staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory()))
    assert client.get("/admin/catalog/serviceitem/").status_code == 403


def test_admin_edit_of_a_published_item_creates_a_new_version():
    item = create_item(name="原名称")
    client = Client()
    client.force_login(staff_with_role(Role.ADMIN))
    url = f"/admin/catalog/serviceitem/{item.pk}/change/"
    data = form_data(client.get(url))
    data["name"] = "新名称"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    item.refresh_from_db()
    assert (item.name, item.version) == ("新名称", 2)
    assert item.versions.get(number=1).snapshot["name"] == "原名称"


def test_admin_save_that_breaks_a_rule_is_refused_with_the_field_named():
    item = create_item(name="原名称")
    client = Client()
    client.force_login(staff_with_role(Role.ADMIN))
    url = f"/admin/catalog/serviceitem/{item.pk}/change/"
    data = form_data(client.get(url))
    data["promised_limit"] = 99
    data["name"] = "不该保存"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "promised_limit" in response.context["adminform"].form.errors
    item.refresh_from_db()
    assert (item.name, item.version) == ("原名称", 1)


def test_admin_inline_rule_refuses_steps_without_acceptance():
    item = create_item(name="原名称")
    client = Client()
    client.force_login(staff_with_role(Role.ADMIN))
    url = f"/admin/catalog/serviceitem/{item.pk}/change/"
    data = form_data(client.get(url))
    data["steps-0-DELETE"] = "on"  # drop 受理
    response = client.post(url, data)
    assert response.status_code == 200
    step_formset = next(
        f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "steps"
    )
    assert any("受理" in e or "acceptance" in e for e in step_formset.non_form_errors())
    assert ServiceItem.objects.get(pk=item.pk).steps.count() == 5
