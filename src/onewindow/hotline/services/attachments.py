"""An order's attachments (附件): files kept as electronic papers (``papers.services.paper_stored``:
the type by content, the size limit ``PAPER_MAX_MB``, images re-encoded without EXIF, encrypted)
and linked to the order as ``OrderAttachment``.

- ``attachment_add`` — the hotline centre (``hotline.take``) adds a file to an order in any open
  state (an intake attachment: the caller's photo, a letter); the lead unit adds one while it
  holds the order (dispatched, handling: a handling attachment). Permission first (anyone else:
  the one "not found"), then the state, then the file; at most ``ATTACHMENTS_MAX`` per order
  (counted under the order's row lock). Audited ``hotline.attachment_add``.
- ``order_reply_with_attachments`` — the handling form (``handling.order_reply``) and its files
  in one transaction: a refused file (not what its name says, too large, damaged) or a refused
  reply leaves nothing written — no reply, no paper row, no file on disk.
- ``attachments_shown`` / ``attachment_open`` / ``attachment_bytes`` — who may see and open
  them: the hotline centre every one; a unit that holds the order now (lead or assisting; one
  that returned it, no longer) every one except, on a confidential order (是否保密), the intake
  attachments — they may show who called, and a unit never learns who called. The auditor
  (``hotline.view`` only) opens none: they are personal data, and the audit trail says who
  opened which. A missing attachment and one the user may not open are the same "not found";
  every refusal and every read is audited (``hotline.attachment_read``, with the file's SHA-256).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit_record
from onewindow.core.errors import FieldError, NotFoundOrForbidden, ValidationFailed
from onewindow.core.validation import record_id
from onewindow.hotline.codes import AttachmentKind
from onewindow.hotline.models import HandlingReply, OrderAttachment, OrderUnit, WorkOrder
from onewindow.hotline.services.common import MACHINE, now_or
from onewindow.hotline.services.handling import ReplyInput, order_reply, unit_row_for
from onewindow.hotline.transitions import AT_UNIT_STATES, OPEN_STATES
from onewindow.org.permissions import Action, can, grants_for, require
from onewindow.papers.models import PaperSource
from onewindow.papers.services import paper_bytes, paper_stored
from onewindow.workflow import mover

ATTACHMENTS_MAX = 10
ATTACHMENT_ADD = "hotline.attachment_add"
ATTACHMENT_READ = "hotline.attachment_read"
ATTACHMENT_READ_DENIED = f"denied:{ATTACHMENT_READ}"

NOT_KEPT = _("The attachment is not kept; nothing was saved.")
TOO_MANY = _(
    "An order has at most %(max)s attachments and this one has %(count)s: keep only the files "
    "that matter."
)
# The verb of "it cannot %(action)s now" (a refused state).
ATTACH_VERB = _("add an attachment")
NO_FILE = _("Choose the file first.")

Upload = tuple[Any, str]  # (the uploaded file, its name as uploaded)


def _refused(message: Any, *, code: str, **params: Any) -> ValidationFailed:
    return ValidationFailed(
        NOT_KEPT,
        [FieldError(field="file", code=code, message=message, params=params)],
        code="attachment_refused",
    )


def no_file() -> ValidationFailed:
    """The refusal of a form sent without a file."""
    return _refused(NO_FILE, code="required")


def _check_room(order: WorkOrder, adding: int) -> None:
    count = OrderAttachment.objects.filter(order=order).count()
    if count + adding > ATTACHMENTS_MAX:
        raise _refused(TOO_MANY, code="too_many", max=ATTACHMENTS_MAX, count=count)


def _recorded(
    *,
    actor: Any,
    order: WorkOrder,
    paper: Any,
    kind: str,
    department_id: int | None,
    reply: HandlingReply | None,
    now: dt.datetime,
) -> OrderAttachment:
    attachment = OrderAttachment.objects.create(
        order=order,
        paper=paper,
        kind=kind,
        reply=reply,
        department_id=department_id,
        added_by=actor,
        added_at=now,
    )
    audit_record(
        actor=actor,
        action=ATTACHMENT_ADD,
        obj=attachment,
        object_repr=order.number,
        detail={
            "order": order.number,
            "kind": kind,
            "reply": reply.pk if reply else None,
            "paper": paper.pk,
            "content_type": paper.content_type,
            "size": paper.size,
            "sha256": paper.sha256,
        },
    )
    return attachment


def attachment_add(
    *,
    actor: Any,
    order: WorkOrder,
    upload: Any,
    name: str,
    reply: HandlingReply | None = None,
    now: dt.datetime | None = None,
) -> OrderAttachment:
    """Keep ``upload`` as an attachment of ``order``: an intake attachment from the hotline
    centre (any open state), or a handling attachment of the lead unit while it holds the order
    (``reply``: one of its own replies of this order). Raises ``NotFoundOrForbidden`` for
    anyone else, ``WorkOrderNotAllowed`` (409) in another state, ``ValidationFailed`` (422) for a
    refused file or a full order — each with nothing written."""
    centre = reply is None and can(actor, Action.HOTLINE_TAKE, order)
    unit: OrderUnit | None = None
    if not centre:
        require(actor, Action.HOTLINE_HANDLE, order, hide=True)
        unit = unit_row_for(actor, order)
        if reply is not None and (
            reply.order_id != order.pk or reply.department_id != unit.department_id
        ):
            raise NotFoundOrForbidden()
    states = OPEN_STATES if centre else AT_UNIT_STATES
    if order.state not in states:
        raise MACHINE.not_allowed(action=ATTACH_VERB, state=MACHINE.state_label(order.state))
    now = now_or(now)
    with paper_stored(upload=upload, name=name, source=PaperSource.WINDOW, actor=actor) as paper:
        row = mover.lock(MACHINE, order)
        if row.state not in states:
            raise MACHINE.not_allowed(action=ATTACH_VERB, state=MACHINE.state_label(row.state))
        if unit is not None:
            unit_row_for(actor, row)  # still the lead (not returned in the meantime)
        _check_room(row, 1)
        return _recorded(
            actor=actor,
            order=row,
            paper=paper,
            kind=AttachmentKind.INTAKE if centre else AttachmentKind.HANDLING,
            department_id=unit.department_id if unit else None,
            reply=reply,
            now=now,
        )


def order_reply_with_attachments(
    *,
    actor: Any,
    order: WorkOrder,
    expected_revision: int | None,
    reply: ReplyInput,
    uploads: Sequence[Upload] = (),
    now: dt.datetime | None = None,
) -> WorkOrder:
    """办理回复 with its files, all in one transaction: each file is checked before anything is
    written; any refusal (a file, the reply's fields, a stale page, too many attachments) rolls
    everything back and removes the files already written."""
    require(actor, MACHINE.permission_for("reply"), order, hide=True)
    if len(uploads) > ATTACHMENTS_MAX:
        raise _refused(TOO_MANY, code="too_many", max=ATTACHMENTS_MAX, count=0)
    now = now_or(now)
    with ExitStack() as files:
        papers = [
            files.enter_context(
                paper_stored(upload=upload, name=name, source=PaperSource.WINDOW, actor=actor)
            )
            for upload, name in uploads
        ]
        with transaction.atomic():
            row = order_reply(
                actor=actor, order=order, expected_revision=expected_revision, reply=reply, now=now
            )
            if papers:
                given = HandlingReply.objects.filter(order=row).order_by("-id").first()
                _check_room(row, len(papers))
                for paper in papers:
                    _recorded(
                        actor=actor,
                        order=row,
                        paper=paper,
                        kind=AttachmentKind.HANDLING,
                        department_id=given.department_id if given else None,
                        reply=given,
                        now=now,
                    )
    return row


# --- who sees and opens them ------------------------------------------------------------------


def _held_by(user: Any, order: WorkOrder) -> bool:
    departments = {
        g.department_id for g in grants_for(user, Action.HOTLINE_HANDLE) if g.department_id
    }
    return bool(departments) and (
        OrderUnit.objects.filter(
            order=order, department_id__in=departments, returned_at__isnull=True
        ).exists()
    )


def _shown_kinds(user: Any, order: WorkOrder) -> set[str]:
    """The kinds of attachment ``user`` may see on ``order`` (none: not theirs to see)."""
    if can(user, Action.HOTLINE_TAKE, order):
        return set(AttachmentKind.values)
    if not _held_by(user, order):
        return set()
    if order.confidential:
        return {AttachmentKind.HANDLING}
    return set(AttachmentKind.values)


def attachments_shown(user: Any, order: WorkOrder) -> list[OrderAttachment]:
    """The attachments of ``order`` ``user`` may open, oldest first: two or three queries
    whatever their number."""
    kinds = _shown_kinds(user, order)
    if not kinds:
        return []
    return list(
        OrderAttachment.objects.filter(order=order, kind__in=kinds)
        .select_related("paper", "department", "reply")
        .order_by("added_at", "id")
    )


def _denied(user: Any, attachment_id: Any, number: str = "") -> NotFoundOrForbidden:
    audit_record(
        actor=user,
        action=ATTACHMENT_READ_DENIED,
        object_type="hotline.orderattachment",
        object_id=str(attachment_id or "")[:64],
        object_repr=number[:255],
        allowed=False,
    )
    return NotFoundOrForbidden()


def attachment_bytes(*, actor: Any, attachment: OrderAttachment) -> bytes:
    """The clear bytes of ``attachment`` for someone who may open it (audited read); "not
    found" (audited) for anyone else."""
    order = attachment.order
    if attachment.kind not in _shown_kinds(actor, order):
        raise _denied(actor, attachment.pk, order.number)
    data = paper_bytes(paper=attachment.paper)
    audit_record(
        actor=actor,
        action=ATTACHMENT_READ,
        obj=attachment,
        object_repr=order.number,
        detail={
            "order": order.number,
            "kind": attachment.kind,
            "paper": attachment.paper_id,
            "content_type": attachment.paper.content_type,
            "sha256": attachment.paper.sha256,
        },
    )
    return data


def attachment_open(
    *, actor: Any, number: str, attachment_id: Any
) -> tuple[OrderAttachment, bytes]:
    """Attachment ``attachment_id`` of order ``number`` and its bytes; the same audited "not
    found" for someone of neither the centre nor a unit, a missing attachment, another order's,
    and one the user may not open."""
    if not grants_for(actor, Action.HOTLINE_TAKE) and not grants_for(actor, Action.HOTLINE_HANDLE):
        raise _denied(actor, attachment_id, number or "")
    pk = record_id(attachment_id)
    attachment = (
        OrderAttachment.objects.select_related("order", "paper")
        .filter(pk=pk, order__number=number)
        .first()
        if pk and number
        else None
    )
    if attachment is None:
        raise _denied(actor, attachment_id, number or "")
    return attachment, attachment_bytes(actor=actor, attachment=attachment)


__all__ = [
    "ATTACHMENTS_MAX",
    "attachment_add",
    "attachment_bytes",
    "attachment_open",
    "attachments_shown",
    "order_reply_with_attachments",
]
