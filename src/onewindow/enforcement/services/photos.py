"""Opening a photo of an inspection or a re-inspection: the team and the city-wide readers of
enforcement records; every read audited (with the file's SHA-256), every refusal the one
audited "not found"."""

from __future__ import annotations

from typing import Any

from onewindow.core.audit import audit_record
from onewindow.core.errors import NotFoundOrForbidden
from onewindow.core.validation import record_id
from onewindow.enforcement.models import TaskPhoto
from onewindow.org.permissions import Action, can
from onewindow.papers.services import paper_bytes

PHOTO_READ = "enforcement.photo_read"


def photo_open(*, actor: Any, number: str, photo_id: Any) -> tuple[TaskPhoto, bytes]:
    pk = record_id(photo_id)
    photo = (
        TaskPhoto.objects.select_related("task", "paper").filter(pk=pk, task__number=number).first()
        if pk and number
        else None
    )
    if photo is None or not can(actor, Action.ENFORCEMENT_VIEW, photo.task):
        audit_record(
            actor=actor,
            action=f"denied:{PHOTO_READ}",
            object_type="enforcement.taskphoto",
            object_id=str(photo_id or "")[:64],
            object_repr=str(number or "")[:255],
            allowed=False,
        )
        raise NotFoundOrForbidden()
    data = paper_bytes(paper=photo.paper)
    audit_record(
        actor=actor,
        action=PHOTO_READ,
        obj=photo,
        object_repr=photo.task.number,
        detail={"task": photo.task.number, "paper": photo.paper_id, "sha256": photo.paper.sha256},
    )
    return photo, data
