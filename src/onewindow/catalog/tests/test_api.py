import pytest
from django.test import Client

from onewindow.catalog.codes import ItemStatus
from onewindow.catalog.models import ServiceItem
from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.testing.factories import (
    DepartmentFactory,
    TopicFactory,
    create_item,
    staff_with_role,
)

pytestmark = pytest.mark.django_db


def test_list_shows_published_items_only_with_national_codes():
    department = DepartmentFactory()
    published = create_item(department=department, name="公开事项")
    create_item(department=department, name="草稿事项", publish=False)
    body = Client().get("/api/catalog/items").json()
    assert body["count"] == 1
    assert body["items"][0]["name"] == "公开事项"
    assert body["items"][0]["id"] == published.pk
    assert (body["items"][0]["item_type"], body["items"][0]["case_type"]) == ("01", "2")


def test_list_filters_by_department_and_topic_and_pages():
    first, second = DepartmentFactory(), DepartmentFactory()
    topic = TopicFactory(code="birth")
    item = create_item(department=first)
    item.topics.add(topic)
    create_item(department=second)
    create_item(department=second)
    client = Client()
    assert client.get(f"/api/catalog/items?department={second.pk}").json()["count"] == 2
    assert [i["id"] for i in client.get("/api/catalog/items?topic=birth").json()["items"]] == [
        item.pk
    ]
    page = client.get("/api/catalog/items?limit=1&offset=1").json()
    assert (page["count"], len(page["items"])) == (3, 1)


def test_detail_and_versions():
    item = create_item(name="有版本的事项")
    client = Client()
    body = client.get(f"/api/catalog/items/{item.pk}").json()
    assert (body["version"], body["content"]["name"]) == (1, "有版本的事项")
    assert [m["name"] for m in body["content"]["materials"]] == ["申请表", "身份证"]
    assert client.get(f"/api/catalog/items/{item.pk}/versions/1").json()["version"] == 1
    missing = client.get(f"/api/catalog/items/{item.pk}/versions/9")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert missing.json()["message_en"] == "Not found, or you may not see it."


def test_a_draft_is_not_found_for_the_public():
    draft = create_item(publish=False)
    response = Client().get(f"/api/catalog/items/{draft.pk}")
    assert response.status_code == 404


def test_publish_needs_the_right_role_and_scope():
    own, other = DepartmentFactory(), DepartmentFactory()
    draft = create_item(department=own, publish=False)
    url = f"/api/catalog/items/{draft.pk}/publish"

    assert Client().post(url).status_code == 401

    client = Client()
    client.force_login(staff_with_role(Role.DEPT_LEAD, department=other))
    response = client.post(url)
    assert response.status_code == 404  # a draft of another department is not revealed
    client.force_login(staff_with_role(Role.DEPT_APPROVER, department=own))
    response = client.post(url)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert AuditLog.objects.filter(action="denied:catalog.edit").count() == 1
    draft.refresh_from_db()
    assert draft.status == ItemStatus.DRAFT

    client.force_login(staff_with_role(Role.DEPT_LEAD, department=own))
    response = client.post(url)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["version"]) == ("published", 1)
    again = client.post(url)
    assert again.status_code == 409
    assert again.json()["code"] == "already_published"
    assert ServiceItem.objects.get(pk=draft.pk).version == 1


def test_openapi_schema_is_served():
    schema = Client().get("/api/openapi.json").json()
    assert "/api/catalog/items" in schema["paths"]
    assert "/api/catalog/search" in schema["paths"]


@pytest.mark.parametrize("url", ["/api/docs", "/staff/sign-in/"])
def test_staff_and_api_pages_load_nothing_from_outside(url):
    import re

    html = Client().get(url).content.decode()
    assert re.findall(r'(?:src|href)="(https?://[^"]*)"', html) == []
    assert "/static/" in html
