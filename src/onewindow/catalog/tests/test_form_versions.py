"""An item's online form is stored with the item and carried by each published version."""

import pytest

from onewindow.catalog.models import FormField, ServiceItem
from onewindow.catalog.selectors import form_fields_of
from onewindow.catalog.services import ItemContent, item_save
from onewindow.core.errors import ValidationFailed
from onewindow.testing.factories import create_item, form_field, item_instance, material

pytestmark = pytest.mark.django_db

CHOICES = [{"value": "individual", "label": "个人经营", "label_en": "Run by one person"}]


def two_fields():
    return [
        form_field(order=2, key="form", label="组成形式", kind="choice", choices=CHOICES),
        form_field(order=1, key="operator_name", label="经营者姓名", prefill="person.name"),
    ]


def test_the_form_is_part_of_the_published_version_in_its_order():
    item = create_item(form_fields=two_fields())
    version = item.versions.get()
    assert form_fields_of(version) == [
        {
            "order": 1,
            "key": "operator_name",
            "label": "经营者姓名",
            "label_en": "Name",
            "kind": "text",
            "required": True,
            "choices": [],
            "max_length": None,
            "min_value": None,
            "max_value": None,
            "prefill": "person.name",
            "help_text": "",
            "help_text_en": "",
        },
        {
            "order": 2,
            "key": "form",
            "label": "组成形式",
            "label_en": "Name",
            "kind": "choice",
            "required": True,
            "choices": CHOICES,
            "max_length": None,
            "min_value": None,
            "max_value": None,
            "prefill": "",
            "help_text": "",
            "help_text_en": "",
        },
    ]
    assert list(item.form_fields.values_list("key", flat=True)) == ["operator_name", "form"]


def test_changing_the_form_records_a_new_version_and_the_old_one_keeps_its_form():
    item = create_item(form_fields=two_fields())
    content = ItemContent(
        item=item,
        materials=list(item.materials.all()),
        steps=list(item.steps.all()),
        form_fields=[form_field(order=1, key="shop_name", label="个体工商户名称")],
    )
    item_save(content=content)
    first, second = item.versions.get(number=1), item.versions.get(number=2)
    assert [f["key"] for f in form_fields_of(first)] == ["operator_name", "form"]
    assert [f["key"] for f in form_fields_of(second)] == ["shop_name"]


def test_an_item_without_a_form_and_a_version_from_before_forms_have_no_fields():
    item = create_item()
    version = item.versions.get()
    assert version.snapshot["form_fields"] == []
    assert form_fields_of(version) == []
    del version.snapshot["form_fields"]
    assert form_fields_of(version) == []
    # Saving it unchanged records no new version: an empty form does not enter the hash.
    item_save(
        content=ItemContent(
            item=item, materials=list(item.materials.all()), steps=list(item.steps.all())
        )
    )
    assert item.versions.count() == 1


def test_a_bad_form_field_refuses_the_whole_item_and_writes_nothing():
    before = (ServiceItem.objects.count(), FormField.objects.count())
    content = ItemContent(
        item=item_instance(),
        materials=[material()],
        form_fields=[
            form_field(order=1, key="Shop-Name"),
            form_field(order=2, key="form", kind="choice"),
            form_field(order=3, key="size", kind="integer", choices=CHOICES),
        ],
    )
    with pytest.raises(ValidationFailed) as caught:
        item_save(content=content)
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("form_fields[0].key", "invalid_key"),
        ("form_fields[1].choices", "choices_required"),
        ("form_fields[2].choices", "choices_not_allowed"),
    ]
    assert (ServiceItem.objects.count(), FormField.objects.count()) == before


def test_the_database_refuses_a_second_field_with_the_same_key():
    from django.db import IntegrityError, transaction

    item = create_item(form_fields=two_fields())
    with pytest.raises(IntegrityError), transaction.atomic():
        FormField.objects.create(item=item, order=9, key="form", label="又一个", kind="text")
    with pytest.raises(IntegrityError), transaction.atomic():
        FormField.objects.create(item=item, order=1, key="other", label="又一个", kind="text")
