"""Unified output (统一出件): handing the result over."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Case, MaterialStatus, OutputMethod
from onewindow.cases.services.core import case_transition, lock_case
from onewindow.cases.transitions import CASE_MACHINE
from onewindow.core.errors import ErrorList
from onewindow.org.permissions import require

# --- output ---------------------------------------------------------------------------------


def case_deliver(
    *,
    case: Case,
    actor: Any,
    method: str,
    collector_id_checked: bool = False,
    proxy_authorisation: bool = False,
    tracking_number: str = "",
    note: str = "",
    expected_revision: int | None = None,
) -> Case:
    """统一出件: hand over at an output window after checking the collector's ID (or a proxy's
    authorisation), send by post with a tracking number, or deliver electronically."""
    require(actor, CASE_MACHINE.permission_for("deliver"), case.output_centre, hide=True)
    return _case_deliver(
        case=case,
        actor=actor,
        method=method,
        collector_id_checked=collector_id_checked,
        proxy_authorisation=proxy_authorisation,
        tracking_number=tracking_number,
        note=note,
        expected_revision=expected_revision,
    )


@transaction.atomic
def _case_deliver(
    *,
    case: Case,
    actor: Any,
    method: str,
    collector_id_checked: bool,
    proxy_authorisation: bool,
    tracking_number: str,
    note: str,
    expected_revision: int | None,
) -> Case:
    case = lock_case(case)
    errors = ErrorList()
    if method == OutputMethod.WINDOW and not (collector_id_checked or proxy_authorisation):
        errors.add(
            "collector_id_checked",
            "identity_required",
            _("Check the collector's ID card, or a proxy's written authorisation."),
        )
    if method == OutputMethod.POST and not tracking_number.strip():
        errors.add("tracking_number", "required", _("Enter the postal tracking number."))
    if method not in OutputMethod.values:
        errors.add("method", "invalid_choice", _("Unknown way of handing over."))
    errors.raise_if_any(_("The result cannot be handed over yet."), code="output_invalid")
    now = timezone.now()
    case.delivered_at = now
    case.output_method = method
    returned = list(
        case.materials.filter(status=MaterialStatus.RECEIVED, receive_form="paper").values_list(
            "name", flat=True
        )
    )
    case_transition(
        case=case,
        action="deliver",
        actor=actor,
        now=now,
        reason=note,
        expected_revision=expected_revision,
        data={
            "method": method,
            "tracking_number": tracking_number,
            "proxy": proxy_authorisation,
            "papers_returned": returned,
        },
        audit_detail={"method": method},
    )
    return case
