"""The catalogue's stateful records on the workflow kernel (ADR 0009): a service item's
publication and a workbook import job. ``workflow.mover.move`` is the only code that changes
their status; each move writes its event row and its audit row.

    item:   draft ──publish──► published ──cancel──► cancelled ──publish──► published
            draft ──cancel──► cancelled
    import: pending ──start──► running ──finish──► done
                     (start again after an interruption)  └─fail──► failed
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.catalog.codes import ItemStatus
from onewindow.catalog.models import ImportStatus
from onewindow.org.permissions import Action
from onewindow.workflow.machine import EventType, EventVocabulary, Move, StateMachine

ITEM_EVENTS = EventVocabulary(
    [
        EventType("publish", _("Published"), _("Published"), _("publish")),
        EventType("cancel", _("Cancelled"), _("Cancelled"), _("cancel")),
    ],
    other_label=_("Item updated"),
    other_public_label=_("Item updated"),
)

I = ItemStatus  # noqa: E741 (a one-letter alias for the table below)
ITEM_MACHINE = StateMachine(
    name="catalog.item",
    model="catalog.ServiceItem",
    states=ItemStatus,
    state_field="status",
    revision_field=None,  # item pages hold no revision; versions keep every content change
    events=ITEM_EVENTS,
    moves=[
        Move("publish", {I.DRAFT, I.CANCELLED}, I.PUBLISHED, permission=Action.CATALOG_EDIT),
        Move("cancel", {I.DRAFT, I.PUBLISHED}, I.CANCELLED, permission=Action.CATALOG_EDIT),
    ],
    event_model="catalog.ServiceItemEvent",
    event_fields=lambda item: {"item": item},
    audit_prefix="catalog.item_",
)

IMPORT_EVENTS = EventVocabulary(
    [
        EventType("start", _("Checking started"), None, _("start")),
        EventType("finish", _("Imported"), None, _("finish")),
        EventType("fail", _("Rejected"), None, _("reject")),
    ],
    other_label=_("Import updated"),
    other_public_label=_("Import updated"),
)

J = ImportStatus
IMPORT_JOB_MACHINE = StateMachine(
    name="catalog.import_job",
    model="catalog.CatalogImportJob",
    states=ImportStatus,
    state_field="status",
    revision_field=None,
    events=IMPORT_EVENTS,
    moves=[
        # An interrupted job (still running when its worker stopped) starts over: a failed
        # apply wrote nothing.
        Move("start", {J.PENDING, J.RUNNING}, J.RUNNING, permission=Action.CATALOG_IMPORT),
        Move("finish", {J.RUNNING}, J.DONE, permission=Action.CATALOG_IMPORT),
        Move("fail", {J.PENDING, J.RUNNING}, J.FAILED, permission=Action.CATALOG_IMPORT),
    ],
    terminal={J.DONE, J.FAILED},
    event_model="catalog.CatalogImportJobEvent",
    event_fields=lambda job: {"job": job},
    audit_prefix="catalog.import_job_",
)
