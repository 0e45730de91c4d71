"""Editing a published item creates a new version; versions never change."""

import pytest

from onewindow.catalog.codes import ItemStatus
from onewindow.catalog.models import ServiceItemVersion
from onewindow.catalog.services import (
    ItemContent,
    item_cancel,
    item_publish,
    item_record_version,
    item_save,
)
from onewindow.core.errors import ApplicationError
from onewindow.core.models import AuditLog
from onewindow.testing.factories import create_item, material

pytestmark = pytest.mark.django_db


def edit(item, **changes):
    for name, value in changes.items():
        setattr(item, name, value)
    content = ItemContent(
        item=item,
        materials=list(item.materials.all()),
        fee_items=list(item.fee_items.all()),
        steps=list(item.steps.all()),
    )
    return item_save(content=content, change_note="test edit")


def test_drafts_have_no_versions_until_published():
    item = create_item(publish=False)
    edit(item, name="改名后的草稿")
    assert item.versions.count() == 0
    assert item.version == 0
    version = item_publish(item=item)
    assert (version.number, version.snapshot["name"], item.version) == (1, "改名后的草稿", 1)


def test_editing_a_published_item_creates_a_new_version_and_keeps_the_old_one():
    item = create_item()
    first = item.versions.get()
    edit(item, promised_limit=5, name="新名称")
    item.refresh_from_db()
    assert item.version == 2
    assert list(item.versions.values_list("number", flat=True)) == [2, 1]
    first.refresh_from_db()
    assert first.snapshot["promised_limit"] == 10
    assert first.snapshot["name"] != "新名称"
    second = item.versions.get(number=2)
    assert (second.snapshot["promised_limit"], second.snapshot["name"]) == (5, "新名称")
    assert second.change_note == "test edit"


def test_saving_without_a_change_makes_no_version():
    item = create_item()
    edit(item)
    assert item.versions.count() == 1
    assert item_record_version(item=item) is None


def test_material_changes_are_part_of_the_version():
    item = create_item()
    content = ItemContent(
        item=item, materials=[material(), material(name="户口簿")], steps=list(item.steps.all())
    )
    item_save(content=content)
    latest = item.versions.order_by("-number").first()
    assert latest.number == 2
    assert [m["name"] for m in latest.snapshot["materials"]] == ["申请表", "户口簿"]
    assert [m["name"] for m in item.versions.get(number=1).snapshot["materials"]] == [
        "申请表",
        "身份证",
    ]


def test_snapshot_carries_steps_and_department():
    item = create_item()
    snapshot = item.versions.get().snapshot
    assert [s["kind"] for s in snapshot["steps"]] == [
        "accept",
        "review",
        "decide",
        "complete",
        "deliver",
    ]
    assert snapshot["department_name"] == item.department.name
    assert snapshot["version"] == 1


def test_publish_twice_is_refused_and_cancel_needs_a_reason():
    item = create_item()
    with pytest.raises(ApplicationError) as caught:
        item_publish(item=item)
    assert caught.value.code == "already_published"
    with pytest.raises(ApplicationError) as caught:
        item_cancel(item=item, reason=" ")
    assert caught.value.code == "reason_required"
    item_cancel(item=item, reason="法规废止")
    item.refresh_from_db()
    assert item.status == ItemStatus.CANCELLED
    assert item.cancel_date is not None
    # Versions stay for cases that pinned them.
    assert ServiceItemVersion.objects.filter(item=item).count() == 1


def test_every_change_is_audited():
    item = create_item(publish=False)
    item_publish(item=item)
    edit(item, name="又改了")
    actions = list(
        AuditLog.objects.filter(object_id=str(item.pk), object_type="catalog.serviceitem")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["catalog.item_create", "catalog.item_publish", "catalog.item_update"]


def test_topic_save_creates_then_updates_by_code():
    from onewindow.catalog.services import topic_save

    first = topic_save(code="birth", name="生育", audience="natural")
    again = topic_save(code="birth", name="生育收养", audience="natural", order=2)
    assert first.pk == again.pk
    again.refresh_from_db()
    assert (again.name, again.order) == ("生育收养", 2)
    with pytest.raises(ApplicationError):
        topic_save(code="bad", name="坏", audience="martians")
