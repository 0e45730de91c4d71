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


def _form_field_rows(data, rows):
    data["form_fields-TOTAL_FORMS"] = str(len(rows))
    for index, row in enumerate(rows):
        for name, value in row.items():
            if value is True:
                value = "on"
            data[f"form_fields-{index}-{name}"] = value
    return data


SHOP_FORM_ROWS = [
    {"order": "1", "key": "operator_name", "label": "经营者姓名", "kind": "text",
     "required": True, "prefill": "person.name", "choices": "[]"},
    {"order": "2", "key": "form", "label": "组成形式", "kind": "choice", "required": True,
     "prefill": "", "choices": '[{"value": "individual", "label": "个人经营"}]'},
]  # fmt: skip


def test_admin_edits_the_online_form_and_the_new_version_carries_it():
    item = create_item(name="原名称")
    client = Client()
    client.force_login(staff_with_role(Role.ADMIN))
    url = f"/admin/catalog/serviceitem/{item.pk}/change/"
    data = _form_field_rows(form_data(client.get(url)), SHOP_FORM_ROWS)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][-1].formset.errors
    item.refresh_from_db()
    assert item.version == 2
    snapshot = item.versions.get(number=2).snapshot
    assert [(f["key"], f["kind"], f["choices"]) for f in snapshot["form_fields"]] == [
        ("operator_name", "text", []),
        ("form", "choice", [{"value": "individual", "label": "个人经营", "label_en": ""}]),
    ]


def test_admin_refuses_a_bad_form_field_and_a_duplicated_key_and_saves_nothing():
    item = create_item(name="原名称")
    client = Client()
    client.force_login(staff_with_role(Role.ADMIN))
    url = f"/admin/catalog/serviceitem/{item.pk}/change/"
    bad = [{**SHOP_FORM_ROWS[0], "key": "Operator-Name"}, {**SHOP_FORM_ROWS[1], "choices": "[]"}]
    response = client.post(url, _form_field_rows(form_data(client.get(url)), bad))
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][-1].formset
    assert formset.prefix == "form_fields"
    assert [sorted(errors) for errors in formset.errors] == [["key"], ["choices"]]
    assert "字段键为 1 至 32 个小写字母" in formset.errors[0]["key"][0]
    twice = [SHOP_FORM_ROWS[0], {**SHOP_FORM_ROWS[0], "order": "2", "label": "又一个"}]
    response = client.post(url, _form_field_rows(form_data(client.get(url)), twice))
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][-1].formset
    # Django's own check of the unique (item, key) constraint speaks first.
    assert list(formset.non_form_errors()) == ["请修改key的重复数据"]
    item.refresh_from_db()
    assert (item.version, item.form_fields.count()) == (1, 0)
