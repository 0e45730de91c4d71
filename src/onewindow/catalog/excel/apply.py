"""Applying a checked ``ImportPlan``: one transaction through ``services.item_save`` /
``item_publish``, storing all items and topics or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.codes import ItemStatus
from onewindow.catalog.excel.layout import ITEMS, PROGRESS_EVERY, Progress
from onewindow.catalog.excel.read import ImportPlan, PlannedItem
from onewindow.catalog.models import LifeEventTopic, ServiceItem
from onewindow.catalog.services import item_publish, item_save
from onewindow.core.audit import audit_record
from onewindow.core.errors import FieldError, ValidationFailed


def _validation_error_as_field_errors(
    exc: ValidationError, planned: PlannedItem, sheets_positions: dict[str, str]
) -> list[FieldError]:
    messages = exc.message_dict if hasattr(exc, "error_dict") else {"item": exc.messages}
    found = []
    for name, texts in messages.items():
        for text in texts:
            found.append(
                FieldError(
                    field=name,
                    code="invalid",
                    message="%(text)s",
                    params={"text": text},
                    sheet=ITEMS.name,
                    row=planned.row,
                    column=sheets_positions.get(name),
                )
            )
    return found


@transaction.atomic
def catalog_import_apply(
    *, plan: ImportPlan, actor: Any, progress: Progress | None = None
) -> dict[str, int]:
    """Store a checked plan: topics upserted by code, items created or replaced by
    implementation code (and published when the file says so), all in one transaction.

    Raises ``ValidationFailed`` for a plan with errors; if anything fails, nothing is stored.
    Returns counts: items, created, updated, published, new_versions, topics_created,
    topics_updated.
    """
    if plan.errors:
        raise ValidationFailed(
            _("The workbook has errors; nothing was imported."),
            list(plan.errors),
            code="import_invalid",
        )
    summary = dict.fromkeys(
        (
            "items",
            "created",
            "updated",
            "published",
            "new_versions",
            "topics_created",
            "topics_updated",
        ),
        0,
    )
    for planned_topic in plan.topics:
        topic = LifeEventTopic.objects.filter(code=planned_topic.code).first()
        if topic is None:
            topic = LifeEventTopic.objects.create(code=planned_topic.code, **planned_topic.fields)
            summary["topics_created"] += 1
        elif any(getattr(topic, k) != v for k, v in planned_topic.fields.items()):
            for name, value in planned_topic.fields.items():
                setattr(topic, name, value)
            topic.save()
            summary["topics_updated"] += 1
    topic_ids = dict(LifeEventTopic.objects.values_list("code", "pk"))
    item_columns = {column.key: f"{column.header}" for column in ITEMS.columns}
    total = len(plan.items)
    for index, planned in enumerate(plan.items, start=1):
        item = None
        if planned.existing_id is not None:
            item = ServiceItem.objects.select_for_update().get(pk=planned.existing_id)
        content = planned.content(item)
        content.topic_ids = [topic_ids[code] for code in planned.topic_codes]
        version_before = content.item.version
        if item is not None:
            # The workbook carries no files and no FAQs: keep the stored ones.
            content.faqs = list(item.faqs.all())
            if not plan.has_form_fields:
                content.form_fields = list(item.form_fields.all())
            files = {m.name: (m.blank_form, m.sample_file) for m in item.materials.all()}
            for material in content.materials:
                if material.name in files:
                    material.blank_form, material.sample_file = files[material.name]
        try:
            saved = item_save(content=content, actor=actor, change_note="import", check=False)
        except ValidationError as exc:
            raise ValidationFailed(
                _("The workbook could not be imported; nothing was imported."),
                _validation_error_as_field_errors(exc, planned, item_columns),
                code="import_invalid",
            ) from exc
        summary["items"] += 1
        summary["created" if item is None else "updated"] += 1
        if saved.version != version_before:
            summary["new_versions"] += 1
        if planned.status == ItemStatus.PUBLISHED and saved.status != ItemStatus.PUBLISHED:
            if item_publish(item=saved, actor=actor) is not None:
                summary["new_versions"] += 1
            summary["published"] += 1
        if progress and (index % PROGRESS_EVERY == 0 or index == total):
            progress(index, total)
    audit_record(
        actor=actor, action="catalog.import", object_type="catalog.workbook", detail=summary
    )
    return summary


def errors_as_text(errors: Sequence[FieldError]) -> list[str]:
    """One line per error, located, in Chinese and English (for the command line)."""
    with translation.override("zh-hans"):
        return [str(error) for error in errors]
