"""What the audit trail shows for cases (found by ``core.audit_labels``): the label of each
move and event (the vocabulary of ``cases.events``: ``cases.<code>`` for a case's moves,
``cases.task_<move>`` for its steps'), and a step named so that it can be traced."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.cases.events import CASE_EVENTS
from onewindow.cases.models import CaseTask

ACTION_LABELS = {
    **{f"cases.{event.code}": event.label for event in CASE_EVENTS},
    "cases.document_read": _("Case document read"),
    "cases.paper_add": _("Case paper added"),
    "cases.paper_reuse": _("Case paper reused (with consent)"),
    "cases.paper_attach": _("Online paper attached to its case"),
    "cases.paper_read": _("Case paper opened"),
    "cases.supervision_export": _("Supervision board exported"),
    "cases.queue_export": _("Department queue exported"),
}


def tasks_described(ids: list[str]) -> Mapping[str, str]:
    """ "办件 <number> · <step> · <department>" for the steps among ``ids``, in one query."""
    pks = [int(text) for text in ids if text.isdigit()]
    rows = CaseTask.objects.filter(pk__in=pks).values_list(
        "pk", "case__number", "name", "department__name"
    )
    return {
        str(pk): " · ".join(
            [
                gettext("Case %(number)s") % {"number": number},
                name,
                *([department] if department else []),
            ]
        )
        for pk, number, name, department in rows
    }


OBJECT_DESCRIBERS = {"cases.casetask": tasks_described}
