"""Writes for the catalogue. Every path that changes an item (admin, import, API, demo) ends here.

Invariants:
- an item is stored only when every rule of ``rules.py`` holds (``ValidationFailed`` otherwise,
  nothing written);
- a published item whose content changed gets a new immutable ``ServiceItemVersion``; cases pin
  versions, so a published version is never edited;
- the search document is rebuilt in the same transaction;
- every change is in the audit log.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.codes import ItemStatus
from onewindow.catalog.formschema import field_as_dict
from onewindow.catalog.models import (
    FeeItem,
    FormField,
    ItemFAQ,
    LifeEventTopic,
    Material,
    ProcessStep,
    ServiceItem,
    ServiceItemVersion,
)
from onewindow.catalog.rules import default_steps, item_rules_check
from onewindow.catalog.transitions import ITEM_MACHINE
from onewindow.core.audit import audit_record
from onewindow.core.errors import ApplicationError, ErrorList, validate_model
from onewindow.org.models import Department, Region
from onewindow.workflow import mover

ITEM_SNAPSHOT_EXCLUDE = {"id", "created_at", "updated_at", "version", "result_sample"}
MATERIAL_FIELDS = (
    "order",
    "name",
    "material_type",
    "form",
    "necessity",
    "paper_copies",
    "paper_spec",
    "source_channel",
    "acceptance_standard",
    "basis",
    "notes",
)
FEE_FIELDS = ("name", "standard", "basis", "reducible")
STEP_FIELDS = ("order", "kind", "name", "role", "time_limit", "time_limit_unit")


@dataclass
class ItemContent:
    """Everything that makes up an item, before it is stored.

    ``item`` is a ``ServiceItem`` instance (saved or not) carrying the scalar fields; the rest
    are unsaved child instances and the ids of related rows. ``steps=None`` means the default
    process for the item's type.
    """

    item: ServiceItem
    materials: list[Material] = field(default_factory=list)
    fee_items: list[FeeItem] = field(default_factory=list)
    steps: list[ProcessStep] | None = None
    faqs: list[ItemFAQ] = field(default_factory=list)
    form_fields: list[FormField] = field(default_factory=list)
    topic_ids: list[int] = field(default_factory=list)
    joint_department_ids: list[int] = field(default_factory=list)
    region_ids: list[int] = field(default_factory=list)

    def resolved_steps(self) -> list[ProcessStep]:
        if self.steps is not None:
            return self.steps
        return [ProcessStep(**spec) for spec in default_steps(self.item)]


def item_content_errors(content: ItemContent) -> ErrorList:
    """Every rule broken by ``content`` (empty when the item may be stored)."""
    return item_rules_check(
        content.item,
        materials=content.materials,
        fee_items=content.fee_items,
        steps=content.resolved_steps(),
        joint_department_ids=content.joint_department_ids,
        form_fields=content.form_fields,
    )


def item_content_check(content: ItemContent) -> None:
    errors = item_content_errors(content)
    errors.raise_if_any(_("The service item breaks the catalogue rules."), code="item_invalid")


def _file_name(value: Any) -> str:
    return value.name if value else ""


def item_snapshot(item: ServiceItem) -> dict[str, Any]:
    """The item's whole content as plain JSON: what a case pins and an auditor compares."""
    data: dict[str, Any] = {}
    for model_field in ServiceItem._meta.concrete_fields:
        if model_field.name in ITEM_SNAPSHOT_EXCLUDE:
            continue
        value = getattr(item, model_field.attname)
        data[model_field.attname] = value.isoformat() if hasattr(value, "isoformat") else value
    data["department_name"] = item.department.name
    data["result_sample"] = _file_name(item.result_sample)
    data["materials"] = [
        {
            **{name: getattr(m, name) for name in MATERIAL_FIELDS},
            "blank_form": _file_name(m.blank_form),
            "sample_file": _file_name(m.sample_file),
        }
        for m in item.materials.all()
    ]
    data["fee_items"] = [
        {name: getattr(f, name) for name in FEE_FIELDS} for f in item.fee_items.all()
    ]
    data["steps"] = [{name: getattr(s, name) for name in STEP_FIELDS} for s in item.steps.all()]
    data["faqs"] = [{"question": q.question, "answer": q.answer} for q in item.faqs.all()]
    # The online application form, in its order (``selectors.form_fields_of``).
    data["form_fields"] = [
        field_as_dict(f) for f in sorted(item.form_fields.all(), key=lambda f: f.order)
    ]
    data["topics"] = sorted(t.code for t in item.topics.all())
    data["joint_departments"] = sorted(
        ({"id": d.pk, "name": d.name} for d in item.joint_departments.all()),
        key=lambda d: d["id"],
    )
    data["handled_in_regions"] = sorted(r.code for r in item.handled_in_regions.all())
    return data


def _hash(snapshot: dict[str, Any]) -> str:
    # An item without an online form hashes as it did before forms existed, so adding the key
    # records no new version of an unchanged item.
    if not snapshot.get("form_fields"):
        snapshot = {k: v for k, v in snapshot.items() if k != "form_fields"}
    return hashlib.sha256(
        json.dumps(snapshot, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def item_record_version(
    *, item: ServiceItem, actor: Any = None, change_note: str = ""
) -> ServiceItemVersion | None:
    """Store a new version if the item is published and its content differs from the last one.

    Must run inside the transaction that changed the item. Returns the new version, or None
    when nothing changed or the item is not published.
    """
    if item.status != ItemStatus.PUBLISHED:
        return None
    # Lock the item row so two editors cannot both take the same version number.
    ServiceItem.objects.select_for_update().filter(pk=item.pk).first()
    snapshot = item_snapshot(item)
    content_hash = _hash(snapshot)
    latest = item.versions.order_by("-number").first()
    if latest is not None and latest.content_hash == content_hash:
        return None
    number = (latest.number if latest else 0) + 1
    snapshot["version"] = number
    version = ServiceItemVersion.objects.create(
        item=item,
        number=number,
        snapshot=snapshot,
        content_hash=content_hash,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        change_note=change_note[:255],
    )
    ServiceItem.objects.filter(pk=item.pk).update(version=number)
    item.version = number
    return version


def _replace_children(item: ServiceItem, content: ItemContent) -> None:
    item.materials.all().delete()
    item.fee_items.all().delete()
    item.steps.all().delete()
    item.faqs.all().delete()
    item.form_fields.all().delete()
    for index, material in enumerate(content.materials, start=1):
        material.pk = None
        material.item = item
        material.order = material.order or index
    Material.objects.bulk_create(content.materials)
    for fee in content.fee_items:
        fee.pk = None
        fee.item = item
    FeeItem.objects.bulk_create(content.fee_items)
    steps = content.resolved_steps()
    for step in steps:
        step.pk = None
        step.item = item
    ProcessStep.objects.bulk_create(steps)
    for index, faq in enumerate(content.faqs, start=1):
        faq.pk = None
        faq.item = item
        faq.order = faq.order or index
    ItemFAQ.objects.bulk_create(content.faqs)
    for index, form_field in enumerate(content.form_fields, start=1):
        form_field.pk = None
        form_field.item = item
        form_field.order = form_field.order or index
    FormField.objects.bulk_create(content.form_fields)
    item.topics.set(LifeEventTopic.objects.filter(pk__in=content.topic_ids))
    item.joint_departments.set(Department.objects.filter(pk__in=content.joint_department_ids))
    item.handled_in_regions.set(Region.objects.filter(pk__in=content.region_ids))


def item_after_change(
    *, item: ServiceItem, actor: Any, action: str, change_note: str = "", audit: bool = True
) -> ServiceItemVersion | None:
    """What follows any stored change of an item: version, search document, audit (not for a
    status move, whose audit row the workflow mover wrote)."""
    from onewindow.catalog.search import search_document_rebuild

    version = item_record_version(item=item, actor=actor, change_note=change_note)
    search_document_rebuild(item=item)
    if audit:
        audit_record(
            actor=actor,
            action=action,
            obj=item,
            detail={"version": item.version, "new_version": version is not None},
        )
    return version


@transaction.atomic
def item_save(
    *, content: ItemContent, actor: Any = None, change_note: str = "", check: bool = True
) -> ServiceItem:
    """Create or replace an item with its materials, fees, steps, FAQs and relations.

    Raises ``ValidationFailed`` listing every broken rule; nothing is written then.
    ``check=False`` is only for callers that have just run ``item_content_check`` themselves
    (the importer checks the whole workbook before writing anything).
    """
    if check:
        item_content_check(content)
    item = content.item
    created = item.pk is None
    item.full_clean(exclude=["department"] if item.department_id else None, validate_unique=True)
    item.save()
    _replace_children(item, content)
    item_after_change(
        item=item,
        actor=actor,
        action="catalog.item_create" if created else "catalog.item_update",
        change_note=change_note,
    )
    return item


def _current_content(item: ServiceItem) -> ItemContent:
    return ItemContent(
        item=item,
        materials=list(item.materials.all()),
        fee_items=list(item.fee_items.all()),
        steps=list(item.steps.all()),
        faqs=list(item.faqs.all()),
        form_fields=list(item.form_fields.all()),
        topic_ids=list(item.topics.values_list("pk", flat=True)),
        joint_department_ids=list(item.joint_departments.values_list("pk", flat=True)),
        region_ids=list(item.handled_in_regions.values_list("pk", flat=True)),
    )


@transaction.atomic
def item_publish(*, item: ServiceItem, actor: Any = None) -> ServiceItemVersion | None:
    """Publish a draft (or re-publish a cancelled) item after checking every rule.

    Moves through the workflow mover (``ITEM_MACHINE``): event row and audit row written; the
    version recorded and the search document rebuilt."""
    item_content_check(_current_content(item))
    if item.status == ItemStatus.PUBLISHED:
        raise ApplicationError(
            _("The item is published already."), code="already_published", status=409
        )
    if item.effective_date is None:
        item.effective_date = timezone.localdate()
    item.cancel_date = None
    event = mover.move(
        ITEM_MACHINE,
        item,
        "publish",
        actor=actor,
        update_fields=("effective_date", "cancel_date", "updated_at"),
    )
    version = item_after_change(item=item, actor=actor, action="", audit=False)
    event.data = {"version": item.version, "new_version": version is not None}
    event.save(update_fields=["data"])
    return version


@transaction.atomic
def item_cancel(*, item: ServiceItem, actor: Any = None, reason: str = "") -> None:
    """Withdraw an item from the public catalogue; its versions stay for existing cases."""
    if not reason.strip():
        raise ApplicationError(
            _("Give the reason for cancelling the item."), code="reason_required"
        )
    item.cancel_date = timezone.localdate()
    mover.move(
        ITEM_MACHINE,
        item,
        "cancel",
        actor=actor,
        reason=reason,
        update_fields=("cancel_date", "updated_at"),
    )
    item_after_change(item=item, actor=actor, action="", change_note=reason, audit=False)


def items_bulk_check(contents: Sequence[ItemContent]) -> None:
    """Check many items; raises one ``ValidationFailed`` with every error of every item."""
    from onewindow.core.errors import ValidationFailed

    all_errors = []
    for content in contents:
        try:
            item_content_check(content)
        except ValidationFailed as exc:
            for error in exc.errors:
                error.field = f"{content.item.implementation_code}.{error.field}"
            all_errors.extend(exc.errors)
    if all_errors:
        raise ValidationFailed(_("The service items break the catalogue rules."), all_errors)


@transaction.atomic
def topic_save(
    *,
    code: str,
    name: str,
    audience: str,
    name_en: str = "",
    description: str = "",
    order: int = 0,
    actor: Any = None,
) -> LifeEventTopic:
    """Create or update the life-event topic with this code."""
    topic = LifeEventTopic.objects.filter(code=code).first() or LifeEventTopic(code=code)
    topic.name, topic.audience, topic.name_en = name, audience, name_en
    topic.description, topic.order = description, order
    validate_model(topic, message=_("The life-event topic is not valid."))
    created = topic.pk is None
    topic.save()
    audit_record(
        actor=actor, action="catalog.topic_create" if created else "catalog.topic_update", obj=topic
    )
    return topic
